#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "doc_writer.h"

/* Two records, as `flows` and `timeline` write one per flow or segment. */
static void two_records(struct doc_writer *w)
{
	for (int i = 0; i < 2; i++) {
		doc_begin_object(w);
		doc_member_uint(w, "n", (uint64_t)i);
		doc_key(w, "list");
		doc_begin_array(w);
		doc_string(w, "a");
		doc_null(w);
		doc_end_array(w);
		doc_member_bool(w, "ok", i == 1);
		doc_key(w, "none");
		doc_string(w, NULL);
		doc_key(w, "ms");
		doc_decimal(w, 1500, 3);
		doc_end_object(w);
	}
}

/* Runs fn through a writer of format over a memory stream. */
static char *render(void (*fn)(struct doc_writer *), enum doc_format format)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct doc_writer w;

	assert_non_null(f);
	assert_true(doc_writer_init(&w, f, format));
	fn(&w);
	assert_true(doc_writer_finish(&w));
	fclose(f);
	return buf;
}

/* NDJSON: each top-level value compact on a line of its own. */
static void test_ndjson_one_line_each(void **state)
{
	char *s = render(two_records, DOC_NDJSON);

	(void)state;
	assert_string_equal(s,
		"{\"n\":0,\"list\":[\"a\",null],\"ok\":false,\"none\":null,\"ms\":1.500}\n"
		"{\"n\":1,\"list\":[\"a\",null],\"ok\":true,\"none\":null,\"ms\":1.500}\n");
	free(s);
}

static void scalars(struct doc_writer *w)
{
	doc_uint(w, 7);
	doc_string(w, "x");
	doc_begin_array(w);
	doc_end_array(w);
}

static void test_ndjson_scalars(void **state)
{
	char *s = render(scalars, DOC_NDJSON);

	(void)state;
	assert_string_equal(s, "7\n\"x\"\n[]\n");
	free(s);
}

static void one_object(struct doc_writer *w)
{
	doc_begin_object(w);
	doc_member_uint(w, "a", 1);
	doc_member_double(w, "b", 0.25, 3);
	doc_key(w, "c");
	doc_string(w, NULL);
	doc_end_object(w);
}

/* JSON: indented, one document, its newline at the end only. */
static void test_json_document(void **state)
{
	char *s = render(one_object, DOC_JSON);

	(void)state;
	assert_string_equal(s, "{\n  \"a\": 1,\n  \"b\": 0.250,\n  \"c\": null\n}\n");
	free(s);
}

/* YAML: strings quoted, a NULL string as a plain null. */
static void test_yaml_document(void **state)
{
	char *s = render(one_object, DOC_YAML);

	(void)state;
	assert_string_equal(s, "a: 1\nb: 0.250\nc: null\n");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ndjson_one_line_each),
		cmocka_unit_test(test_ndjson_scalars),
		cmocka_unit_test(test_json_document),
		cmocka_unit_test(test_yaml_document),
	};
	return cmocka_run_group_tests_name("doc_writer", tests, NULL, NULL);
}
