#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json_writer.h"

/* Runs fn against a memory stream and returns what it wrote. */
static char *render(void (*fn)(struct json_writer *), bool pretty)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json_writer w;

	assert_non_null(f);
	json_writer_init(&w, f, pretty);
	fn(&w);
	fclose(f);
	return buf;
}

static void nested(struct json_writer *w)
{
	json_begin_object(w);
	json_member_uint(w, "a", 1);
	json_key(w, "b");
	json_begin_array(w);
	json_uint(w, 2);
	json_string(w, "x");
	json_null(w);
	json_begin_object(w);
	json_end_object(w);
	json_end_array(w);
	json_member_bool(w, "c", false);
	json_member_double(w, "d", 1.5, 3);
	json_end_object(w);
}

static void test_compact_nesting(void **state)
{
	char *s = render(nested, false);

	(void)state;
	assert_string_equal(s, "{\"a\":1,\"b\":[2,\"x\",null,{}],\"c\":false,\"d\":1.500}");
	free(s);
}

static void test_pretty_nesting(void **state)
{
	char *s = render(nested, true);

	(void)state;
	assert_string_equal(s, "{\n  \"a\": 1,\n  \"b\": [\n    2,\n    \"x\",\n"
			       "    null,\n    {}\n  ],\n  \"c\": false,\n"
			       "  \"d\": 1.500\n}");
	free(s);
}

static void escapes(struct json_writer *w)
{
	json_string(w, "q\"b\\n\n\t\x01\x7f\xc3\xa9");
}

static void test_string_escapes(void **state)
{
	char *s = render(escapes, false);

	(void)state;
	/* Control characters escaped; UTF-8 and DEL passed through. */
	assert_string_equal(s, "\"q\\\"b\\\\n\\n\\t\\u0001\x7f\xc3\xa9\"");
	free(s);
}

static void not_utf8(struct json_writer *w)
{
	json_begin_array(w);
	json_string(w, "bad\xff.pcap");        /* a lone invalid byte */
	json_string(w, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"); /* é € 😀 */
	json_string(w, "\xc0\xaf");            /* overlong '/' */
	json_string(w, "\xed\xa0\x80");        /* a UTF-16 surrogate */
	json_string(w, "cut\xe2\x82");          /* a sequence cut by the end */
	json_end_array(w);
}

static void test_not_utf8(void **state)
{
	char *s = render(not_utf8, false);

	(void)state;
	assert_string_equal(s, "[\"bad\\ufffd.pcap\","
			       "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\","
			       "\"\\ufffd\\ufffd\","
			       "\"\\ufffd\\ufffd\\ufffd\","
			       "\"cut\\ufffd\\ufffd\"]");
	free(s);
}

static void special_numbers(struct json_writer *w)
{
	json_begin_array(w);
	json_double(w, 1.0 / 0.0, 3);
	json_uint(w, UINT64_MAX);
	json_int(w, INT64_MIN);
	json_decimal(w, 1767225601500230000, 9);
	json_decimal(w, -1500, 3);
	json_decimal(w, 7, 0);
	json_decimal(w, 5, 6);
	json_uint(w, 0);
	json_int(w, 0);
	json_int(w, -7);
	json_decimal(w, 0, 3);
	json_decimal(w, -5, 6);
	json_decimal(w, INT64_MIN, 25);
	json_end_array(w);
}

static void test_numbers(void **state)
{
	char *s = render(special_numbers, false);

	(void)state;
	assert_string_equal(s, "[null,18446744073709551615,-9223372036854775808,"
			       "1767225601.500230000,-1.500,7,0.000005,0,0,-7,0.000,"
			       "-0.000005,-0.9223372036854775808]");
	free(s);
}

/*
 * Keys written as prepared runs come out byte for byte as json_key()
 * writes them: first in their object or not, at the depth prepared for
 * or another, a key that needs escaping and one that does not fit.
 */
static const char *const run_keys[] = {
	"uid", "orig_handshake_rtt_ms", "q\"uote",
	"a_key_far_too_long_for_any_prepared_run_of_bytes_at_all", "x",
};
#define N_RUN_KEYS (sizeof(run_keys) / sizeof(run_keys[0]))

/* Objects nested depth deep, then one holding every key twice. */
static void keyed_doc(struct json_writer *w, int depth, bool use_runs)
{
	struct json_key_run runs[N_RUN_KEYS];

	for (int d = 0; d < depth; d++) {
		json_begin_object(w);
		json_key(w, "in");
	}
	json_begin_array(w);
	for (int obj = 0; obj < 3; obj++) {
		json_begin_object(w);
		/* The runs are prepared where the keys go, in the first object. */
		if (obj == 0)
			for (size_t i = 0; i < N_RUN_KEYS; i++)
				json_key_run_prepare(&runs[i], w, run_keys[i]);
		/* The second object has a member first: every key then has its comma. */
		if (obj == 1)
			json_member_string(w, "first", "f");
		for (size_t i = 0; i < 2 * N_RUN_KEYS; i++) {
			if (use_runs)
				json_key_run(w, &runs[i % N_RUN_KEYS]);
			else
				json_key(w, run_keys[i % N_RUN_KEYS]);
			json_uint(w, i);
		}
		/* One level deeper than prepared for: json_key()'s way. */
		json_key(w, "deeper");
		json_begin_object(w);
		if (use_runs)
			json_key_run(w, &runs[0]);
		else
			json_key(w, run_keys[0]);
		json_null(w);
		json_end_object(w);
		json_end_object(w);
	}
	json_end_array(w);
	for (int d = 0; d < depth; d++)
		json_end_object(w);
	json_finish(w);
}

/* What keyed_doc wrote, through a memory stream or a real file's buffer. */
static char *keyed_text(int depth, bool pretty, bool use_runs, bool file)
{
	struct json_writer w;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = file ? tmpfile() : open_memstream(&buf, &len);
	long size;

	assert_non_null(f);
	json_writer_init(&w, f, pretty);
	keyed_doc(&w, depth, use_runs);
	if (!file) {
		assert_int_equal(fclose(f), 0);
		return buf;
	}
	size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	buf = calloc(1, (size_t)size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	return buf;
}

static void test_key_runs(void **state)
{
	static const int depths[] = {0, 1, 2, 5, 12};

	(void)state;
	for (size_t d = 0; d < sizeof(depths) / sizeof(depths[0]); d++) {
		for (int pretty = 0; pretty < 2; pretty++) {
			for (int file = 0; file < 2; file++) {
				char *want = keyed_text(depths[d], pretty, false, file);
				char *got = keyed_text(depths[d], pretty, true, file);

				assert_string_equal(got, want);
				free(want);
				free(got);
			}
		}
	}
}

/* A run prepared where it fits is one; the others are prepared nowhere. */
static void test_key_run_prepared(void **state)
{
	struct json_writer w;
	struct json_key_run k;
	FILE *f = tmpfile();

	(void)state;
	assert_non_null(f);
	json_writer_init(&w, f, true);
	json_begin_object(&w);
	json_begin_object(&w);
	json_key_run_prepare(&k, &w, "orig_handshake_rtt_ms");
	assert_int_equal(k.depth, 2);
	assert_int_equal(k.len, strlen(",\n    \"orig_handshake_rtt_ms\": "));
	assert_memory_equal(k.text, ",\n    \"orig_handshake_rtt_ms\": ", k.len);
	json_key_run_prepare(&k, &w, "q\"uote");
	assert_int_equal(k.depth, -1);
	json_key_run_prepare(&k, &w, run_keys[3]);
	assert_int_equal(k.depth, -1);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compact_nesting),
		cmocka_unit_test(test_pretty_nesting),
		cmocka_unit_test(test_string_escapes),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_not_utf8),
		cmocka_unit_test(test_key_runs),
		cmocka_unit_test(test_key_run_prepared),
	};
	return cmocka_run_group_tests_name("json_writer", tests, NULL, NULL);
}
