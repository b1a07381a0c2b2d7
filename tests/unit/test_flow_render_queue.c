#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "flow_render_queue.h"
#include "flow_record.h"

/*
 * The render queue renders flows on a helper thread, or on the pushing
 * one when the helper falls behind, and sorts the lines at the end;
 * whatever it does, the bytes must be those of rendering each flow in
 * turn, in order.
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

/* What the queue must produce: each flow rendered in turn, in order. */
static char *render_in_order(enum output_format format, struct flow *flows,
			     const uint64_t *sort, size_t n, size_t *len)
{
	struct flow_report rep;
	char *text = NULL;
	FILE *mem = open_memstream(&text, len);
	bool *done = calloc(n, sizeof(*done));

	assert_non_null(mem);
	assert_non_null(done);
	flow_report_rows_begin(&rep, mem, format, NULL);
	/* Larger sort value first, then start time, first frame, push order. */
	for (size_t k = 0; k < n; k++) {
		size_t best = n;

		for (size_t i = 0; i < n; i++) {
			if (done[i])
				continue;
			if (best == n || sort[i] > sort[best] ||
			    (sort[i] == sort[best] &&
			     (flows[i].first_ts < flows[best].first_ts ||
			      (flows[i].first_ts == flows[best].first_ts &&
			       flows[i].first_frame < flows[best].first_frame))))
				best = i;
		}
		done[best] = true;
		{
			struct flow_record r;

			flow_record_from_flow(&r, &flows[best], NULL);
			flow_report_flow(&rep, &r);
		}
	}
	free(done);
	assert_int_equal(fclose(mem), 0);
	return text;
}

/* Through a real file (writev) and through a memory stream (stdio). */
static char *render_queued(enum output_format format, const struct flow *flows,
			   const uint64_t *sort, size_t n, size_t *len)
{
	struct flow_render_queue *q = flow_render_queue_new(format, NULL, NULL);
	char *text = NULL, *from_file;
	FILE *mem = open_memstream(&text, len);
	FILE *file = tmpfile();
	long size;

	assert_non_null(q);
	assert_non_null(mem);
	assert_non_null(file);
	for (size_t i = 0; i < n; i++)
		assert_true(flow_render_queue_push(q, &flows[i], sort[i]));
	assert_int_equal(flow_render_queue_finish(q), (long long)n);
	assert_true(flow_render_queue_write(q, mem));
	/* Something already buffered on the stream goes first. */
	fputs("head\n", file);
	assert_true(flow_render_queue_write(q, file));
	flow_render_queue_free(q);
	assert_int_equal(fclose(mem), 0);
	size = ftell(file);
	assert_true(size >= 5);
	rewind(file);
	from_file = malloc((size_t)size);
	assert_non_null(from_file);
	assert_int_equal(fread(from_file, 1, (size_t)size, file), (size_t)size);
	assert_memory_equal(from_file, "head\n", 5);
	assert_int_equal((size_t)size - 5, *len);
	assert_memory_equal(from_file + 5, text, *len);
	free(from_file);
	fclose(file);
	return text;
}

static void check_same(size_t n, unsigned sort_mod)
{
	static const enum output_format formats[] = {
		OUTPUT_FORMAT_TEXT, OUTPUT_FORMAT_CSV, OUTPUT_FORMAT_ZEEK,
		OUTPUT_FORMAT_NDJSON,
	};
	struct flow *flows = make_flows(n);
	uint64_t *sort = calloc(n, sizeof(*sort));

	assert_non_null(sort);
	/* Pushed out of start order, some starting at the same time. */
	for (size_t i = 0; i < n; i++) {
		flows[i].first_ts = 1700000000000000000LL +
				    (int64_t)((i * 7919) % n / 3) * 1000;
		sort[i] = sort_mod ? (i * 31) % sort_mod : 0;
		/* Times before 1970 and sort values in the top bytes too. */
		if (sort_mod == 5 && i % 2 == 1) {
			flows[i].first_ts = -flows[i].first_ts;
			sort[i] <<= 56;
		}
	}
	for (size_t k = 0; k < sizeof(formats) / sizeof(formats[0]); k++) {
		size_t la, lb;
		char *a = render_in_order(formats[k], flows, sort, n, &la);
		char *b = render_queued(formats[k], flows, sort, n, &lb);

		assert_true(la > n);
		assert_int_equal(la, lb);
		assert_memory_equal(a, b, la);
		free(a);
		free(b);
	}
	free(sort);
	free(flows);
}

static void test_few_flows(void **state)
{
	(void)state;
	check_same(1, 0);
	check_same(300, 0);
	check_same(300, 7);
}

/* More than the ring holds: the pushing thread renders some itself. */
static void test_many_flows(void **state)
{
	(void)state;
	check_same(3000, 0);
	check_same(3001, 5);
}

static void test_supports(void **state)
{
	(void)state;
	assert_true(flow_render_queue_supports(OUTPUT_FORMAT_TEXT));
	assert_true(flow_render_queue_supports(OUTPUT_FORMAT_NDJSON));
	assert_false(flow_render_queue_supports(OUTPUT_FORMAT_JSON));
	assert_false(flow_render_queue_supports(OUTPUT_FORMAT_YAML));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_few_flows),
		cmocka_unit_test(test_many_flows),
		cmocka_unit_test(test_supports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
