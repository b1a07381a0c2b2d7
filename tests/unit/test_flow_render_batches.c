#include <errno.h>
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
#include "flow_render_batches.h"

/*
 * flows -F json renders its kept flows in batches on two threads and
 * writes them itself; the document must be byte for byte the one
 * rendered flow by flow through the report, for any number of flows
 * (none, one, a batch and one more, many batches), whether the stream
 * has a file descriptor (write()) or not (stdio).
 */

static struct flow *make_flows(size_t n)
{
	struct flow *f = calloc(n ? n : 1, sizeof(*f));

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

/* In reverse: the order given is not the order the flows are stored in. */
static const struct flow *reversed_at(const void *ctx, size_t i)
{
	const struct flow_render_source *self = ctx;
	const struct flow *flows = (const struct flow *)self[1].ctx;

	return &flows[self->n - 1 - i];
}

static const struct analyzer_stats no_stats;

/* The whole document, written flow by flow. */
static char *one_by_one(enum output_format format, const struct flow *flows,
			size_t n, const char *sensor, size_t *len)
{
	struct flow_report rep;
	char *text = NULL;
	FILE *mem = open_memstream(&text, len);

	assert_non_null(mem);
	flow_report_begin(&rep, mem, format, 0, sensor);
	for (size_t i = 0; i < n; i++) {
		struct flow_record r;

		flow_record_from_flow(&r, &flows[n - 1 - i], NULL);
		flow_report_flow(&rep, &r);
	}
	flow_report_end(&rep, &no_stats, n);
	assert_int_equal(fclose(mem), 0);
	return text;
}

/* The whole document, the flows through flow_render_batches(). */
static void batched_to(FILE *out, enum output_format format,
		       const struct flow *flows, size_t n, const char *sensor)
{
	/* [0] the source, [1] carries the flows for reversed_at(). */
	struct flow_render_source src[2] = {
		{reversed_at, &src[0], n},
		{NULL, flows, 0},
	};
	struct flow_report rep;

	flow_report_begin(&rep, out, format, 0, sensor);
	assert_true(flow_render_batches(&src[0], format, NULL, sensor, out));
	flow_report_rows_put(&rep, n);
	flow_report_end(&rep, &no_stats, n);
}

static char *batched(enum output_format format, const struct flow *flows,
		     size_t n, const char *sensor, bool through_fd, size_t *len)
{
	char *text = NULL;
	FILE *out = through_fd ? tmpfile() : open_memstream(&text, len);
	long size;

	assert_non_null(out);
	batched_to(out, format, flows, n, sensor);
	if (!through_fd) {
		assert_int_equal(fclose(out), 0);
		return text;
	}
	assert_int_equal(fflush(out), 0);
	size = ftell(out);
	assert_true(size > 0);
	rewind(out);
	text = malloc((size_t)size);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)size, out), (size_t)size);
	fclose(out);
	*len = (size_t)size;
	return text;
}

static void check_same(enum output_format format, size_t n, const char *sensor)
{
	struct flow *flows = make_flows(n);

	for (int fd = 0; fd < 2; fd++) {
		size_t la, lb;
		char *a = one_by_one(format, flows, n, sensor, &la);
		char *b = batched(format, flows, n, sensor, fd, &lb);

		assert_true(la > n);
		assert_int_equal(la, lb);
		assert_memory_equal(a, b, la);
		free(a);
		free(b);
	}
	free(flows);
}

static void test_json(void **state)
{
	static const size_t counts[] = {0, 1, 2, 511, 512, 513, 1024, 3001};

	(void)state;
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		check_same(OUTPUT_FORMAT_JSON, counts[i], NULL);
		check_same(OUTPUT_FORMAT_JSON, counts[i], "edge-1");
	}
}

/* Any format with rows: the lines of the others come out the same. */
static void test_other_rows(void **state)
{
	(void)state;
	check_same(OUTPUT_FORMAT_NDJSON, 1500, NULL);
	check_same(OUTPUT_FORMAT_TEXT, 1500, NULL);
	check_same(OUTPUT_FORMAT_CSV, 1500, "edge-1");
}

/* A write that fails is said, with its errno. */
static void test_write_fails(void **state)
{
	struct flow *flows = make_flows(2000);
	struct flow_render_source src[2] = {
		{reversed_at, &src[0], 2000},
		{NULL, flows, 0},
	};
	FILE *full = fopen("/dev/full", "w");

	(void)state;
	if (full == NULL) {
		free(flows);
		skip();
	}
	errno = 0;
	assert_false(flow_render_batches(&src[0], OUTPUT_FORMAT_JSON, NULL,
					 NULL, full));
	assert_int_equal(errno, ENOSPC);
	fclose(full);
	free(flows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_other_rows),
		cmocka_unit_test(test_write_fails),
	};

	return cmocka_run_group_tests_name("flow_render_batches", tests, NULL,
					   NULL);
}
