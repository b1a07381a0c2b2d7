#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "flow_record.h"
#include "flow_report.h"

/*
 * flows' structured formats write each flow's keys as runs prepared at
 * the first flow (flow_report.h); the document must be byte for byte
 * the one written key by key (flow_report_doc_keys(), as live's lines
 * write them), whatever comes before the keys.
 */

static void make_flow(struct flow *f, unsigned i)
{
	memset(f, 0, sizeof(*f));
	f->key.family = 4;
	f->key.proto = i % 2 == 0 ? 6 : 17;
	f->key.addr[0][0] = 10;
	f->key.addr[0][3] = (uint8_t)i;
	f->key.addr[1][0] = 192;
	f->key.port[0] = (uint16_t)(40000 + i);
	f->key.port[1] = 80;
	f->first_ts = 1700000000000000000LL + (int64_t)i * 1000;
	f->last_ts = f->first_ts + (int64_t)i * 1000000;
	f->first_frame = i + 1;
	f->last_frame = i + 9;
	f->dir[0].pkts = 1 + i;
	f->dir[0].ip_bytes = 60 * (1 + i);
	zeek_conn_init(&f->zeek);
}

/* The report as flows writes it: begin, every flow, end. */
static char *report_text(enum output_format format, const char *sensor,
			 bool key_by_key)
{
	struct analyzer_stats st = {0};
	struct flow_report rep;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	flow_report_begin(&rep, f, format, 0, sensor);
	for (unsigned i = 0; i < 4; i++) {
		struct flow fl;
		struct flow_record r;

		make_flow(&fl, i);
		flow_record_from_flow(&r, &fl, NULL);
		if (!key_by_key) {
			flow_report_flow(&rep, &r);
			continue;
		}
		doc_begin_object(&rep.doc);
		if (sensor != NULL)
			doc_member_string(&rep.doc, "sensor", sensor);
		flow_report_doc_keys(&rep.doc, &r);
		doc_end_object(&rep.doc);
	}
	flow_report_end(&rep, &st, 4);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_keys_as_runs(void **state)
{
	static const enum output_format formats[] = {
		OUTPUT_FORMAT_JSON, OUTPUT_FORMAT_NDJSON, OUTPUT_FORMAT_YAML,
	};

	(void)state;
	for (size_t k = 0; k < sizeof(formats) / sizeof(formats[0]); k++) {
		for (int s = 0; s < 2; s++) {
			const char *sensor = s ? "edge-1" : NULL;
			char *want = report_text(formats[k], sensor, true);
			char *got = report_text(formats[k], sensor, false);

			assert_true(strlen(want) > 4 * flow_record_field_count());
			assert_string_equal(got, want);
			free(want);
			free(got);
		}
	}
}

/* Every field's key has its run: none falls back to doc_key(). */
static void test_room_for_every_key(void **state)
{
	(void)state;
	assert_true(flow_record_field_count() <= FLOW_REPORT_KEYS_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_as_runs),
		cmocka_unit_test(test_room_for_every_key),
	};

	return cmocka_run_group_tests_name("flow_report", tests, NULL, NULL);
}
