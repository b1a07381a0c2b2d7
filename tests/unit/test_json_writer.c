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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compact_nesting),
		cmocka_unit_test(test_pretty_nesting),
		cmocka_unit_test(test_string_escapes),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_not_utf8),
	};
	return cmocka_run_group_tests_name("json_writer", tests, NULL, NULL);
}
