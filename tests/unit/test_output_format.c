#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "output_format.h"

#define SET(f) OUTPUT_FORMAT_SET(OUTPUT_FORMAT_##f)
/* What flows, report, timeline and stats (and states) accept. */
#define FLOWS (SET(TEXT) | SET(JSON) | SET(NDJSON) | SET(CSV) | SET(YAML) | SET(ZEEK))
#define REPORT (SET(TEXT) | SET(JSON) | SET(YAML))
#define TIMELINE (SET(TEXT) | SET(JSON) | SET(NDJSON))
#define STATS (SET(TEXT) | SET(JSON))

static void test_every_name(void **state)
{
	static const struct {
		const char *name;
		enum output_format f;
	} all[] = {
		{"text", OUTPUT_FORMAT_TEXT}, {"json", OUTPUT_FORMAT_JSON},
		{"ndjson", OUTPUT_FORMAT_NDJSON}, {"csv", OUTPUT_FORMAT_CSV},
		{"yaml", OUTPUT_FORMAT_YAML}, {"zeek", OUTPUT_FORMAT_ZEEK},
		{"svg", OUTPUT_FORMAT_SVG}, {"html", OUTPUT_FORMAT_HTML},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		enum output_format f = OUTPUT_FORMAT_COUNT;

		assert_true(output_format_parse(all[i].name,
						(1u << OUTPUT_FORMAT_COUNT) - 1,
						&f));
		assert_int_equal(f, all[i].f);
		assert_string_equal(output_format_name(all[i].f), all[i].name);
	}
}

/* A name outside the command's set is unknown to it, and *out stays. */
static void test_only_the_set(void **state)
{
	enum output_format f = OUTPUT_FORMAT_TEXT;

	(void)state;
	assert_false(output_format_parse("yaml", TIMELINE, &f));
	assert_false(output_format_parse("ndjson", REPORT, &f));
	assert_false(output_format_parse("csv", STATS, &f));
	assert_false(output_format_parse("json", 0, &f));
	assert_false(output_format_parse("svg", FLOWS | REPORT | STATS, &f));
	assert_false(output_format_parse("html", FLOWS | TIMELINE | STATS, &f));
	assert_int_equal(f, OUTPUT_FORMAT_TEXT);
	assert_true(output_format_parse("yaml", REPORT, &f));
	assert_int_equal(f, OUTPUT_FORMAT_YAML);
	assert_true(output_format_parse("ndjson", TIMELINE, &f));
	assert_int_equal(f, OUTPUT_FORMAT_NDJSON);
}

/* Exact names: no case folding, prefixes or trailing bytes. */
static void test_exact_names(void **state)
{
	static const char *const bad[] = {"JSON", "Text", "js", "jsonx",
					  "json ", " json", "", "bogus"};
	enum output_format f = OUTPUT_FORMAT_CSV;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(output_format_parse(bad[i], FLOWS, &f));
	assert_int_equal(f, OUTPUT_FORMAT_CSV);
}

/* The lists the usage errors have always shown, command by command. */
static void test_lists(void **state)
{
	char s[64];

	(void)state;
	output_format_list(FLOWS, s, sizeof(s));
	assert_string_equal(s, "text, json, ndjson, csv, yaml, zeek");
	output_format_list(REPORT, s, sizeof(s));
	assert_string_equal(s, "text, json, yaml");
	output_format_list(TIMELINE, s, sizeof(s));
	assert_string_equal(s, "text, json, ndjson");
	output_format_list(STATS, s, sizeof(s));
	assert_string_equal(s, "text, json");
	output_format_list(0, s, sizeof(s));
	assert_string_equal(s, "");
	output_format_list(FLOWS, s, 9);
	assert_string_equal(s, "text, js");
}

static void test_doc_formats(void **state)
{
	enum doc_format d = DOC_YAML;

	(void)state;
	assert_true(output_format_doc(OUTPUT_FORMAT_JSON, &d));
	assert_int_equal(d, DOC_JSON);
	assert_true(output_format_doc(OUTPUT_FORMAT_NDJSON, &d));
	assert_int_equal(d, DOC_NDJSON);
	assert_true(output_format_doc(OUTPUT_FORMAT_YAML, &d));
	assert_int_equal(d, DOC_YAML);
	assert_false(output_format_doc(OUTPUT_FORMAT_TEXT, &d));
	assert_false(output_format_doc(OUTPUT_FORMAT_CSV, &d));
	assert_false(output_format_doc(OUTPUT_FORMAT_ZEEK, &d));
	assert_false(output_format_doc(OUTPUT_FORMAT_SVG, &d));
	assert_false(output_format_doc(OUTPUT_FORMAT_HTML, &d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_name),
		cmocka_unit_test(test_only_the_set),
		cmocka_unit_test(test_exact_names),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_doc_formats),
	};
	return cmocka_run_group_tests_name("output_format", tests, NULL, NULL);
}
