#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "flow_report_ordered.h"

/*
 * flow_report_flows() shares the rendering with a second thread for
 * line formats once there are enough flows; whatever it does, the bytes
 * must be those of rendering each flow in turn.
 */

static struct flow *make_flows(size_t n)
{
	struct flow *f = calloc(n, sizeof(*f));

	assert_non_null(f);
	for (size_t i = 0; i < n; i++) {
		f[i].key.family = 4;
		f[i].key.proto = i % 3 == 0 ? 6 : 17;
		f[i].key.addr[0][0] = 10;
		f[i].key.addr[0][3] = (uint8_t)(i & 0xff);
		f[i].key.addr[1][0] = 192;
		f[i].key.addr[1][2] = (uint8_t)(i >> 8);
		f[i].key.port[0] = (uint16_t)(1024 + i % 50000);
		f[i].key.port[1] = 53;
		f[i].first_ts = 1700000000000000000LL + (int64_t)i * 1000;
		f[i].last_ts = f[i].first_ts + (int64_t)(i % 7) * 1000000;
		f[i].first_frame = i * 2 + 1;
		f[i].last_frame = i * 2 + 2;
		f[i].dir[0].pkts = 1 + i % 5;
		f[i].dir[1].pkts = i % 4;
		f[i].dir[0].ip_bytes = 60 * (1 + i % 5);
		zeek_conn_init(&f[i].zeek);
	}
	return f;
}

static char *render(enum flow_format format, const struct flow *const *v,
		    size_t n, bool one_by_one, size_t *len)
{
	struct flow_report rep;
	char *text = NULL;
	FILE *mem = open_memstream(&text, len);

	assert_non_null(mem);
	flow_report_begin(&rep, mem, format, v[0]->first_ts);
	if (one_by_one) {
		for (size_t i = 0; i < n; i++) {
			struct flow_record r;

			flow_record_from_flow(&r, v[i]);
			flow_report_flow(&rep, &r);
		}
	} else {
		flow_report_flows(&rep, v, n);
	}
	assert_int_equal(fclose(mem), 0);
	return text;
}

static void check_same(size_t n)
{
	static const enum flow_format formats[] = {
		FLOW_FORMAT_TEXT, FLOW_FORMAT_CSV, FLOW_FORMAT_ZEEK,
		FLOW_FORMAT_NDJSON, FLOW_FORMAT_JSON,
	};
	struct flow *flows = make_flows(n);
	const struct flow **v = malloc(n * sizeof(*v));

	assert_non_null(v);
	/* Not in storage order: the order given is the order printed. */
	for (size_t i = 0; i < n; i++)
		v[i] = &flows[(i * 7919) % n];
	for (size_t k = 0; k < sizeof(formats) / sizeof(formats[0]); k++) {
		size_t la, lb;
		char *a = render(formats[k], v, n, true, &la);
		char *b = render(formats[k], v, n, false, &lb);

		assert_true(la > n);
		assert_int_equal(la, lb);
		assert_memory_equal(a, b, la);
		free(a);
		free(b);
	}
	free(v);
	free(flows);
}

/* Below the threshold: one thread. */
static void test_few_flows(void **state)
{
	(void)state;
	check_same(1);
	check_same(1000);
}

/* Whole blocks only, and a last block cut short, on either thread. */
static void test_many_flows(void **state)
{
	(void)state;
	check_same(8192);
	check_same(10001);
	check_same(11265);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_few_flows),
		cmocka_unit_test(test_many_flows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
