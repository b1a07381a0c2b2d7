/* The HTML report's parts: escaping and the sampled series. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diagnosis_html.h"
#include "html_escape.h"
#include "time_series.h"

#define SEC 1000000000LL

/* html_escape_n() of s (len bytes) as a string, in buf. */
static const char *escaped(const char *s, size_t len, char *buf, size_t size)
{
	FILE *f = fmemopen(buf, size, "w");

	assert_non_null(f);
	html_escape_n(f, s, len);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_escape_specials(void **state)
{
	char buf[256];

	(void)state;
	assert_string_equal(escaped("<a href=\"x\">&'</a>", 18, buf,
				    sizeof(buf)),
			    "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
	assert_string_equal(escaped("plain 10.0.0.1:80 > x", 21, buf,
				    sizeof(buf)),
			    "plain 10.0.0.1:80 &gt; x");
	/* An entity in the input is text, not an entity. */
	assert_string_equal(escaped("&lt;", 4, buf, sizeof(buf)), "&amp;lt;");
}

static void test_escape_bytes(void **state)
{
	char buf[256];

	(void)state;
	/* Tab and newline stay; NUL, ESC and DEL are not XML characters. */
	assert_string_equal(escaped("a\tb\nc", 5, buf, sizeof(buf)), "a\tb\nc");
	assert_string_equal(escaped("a\0b\033c\177", 6, buf, sizeof(buf)),
			    "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd");
	/* Valid UTF-8 passes: é, €, 𝄞. */
	assert_string_equal(escaped("\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e", 9,
				    buf, sizeof(buf)),
			    "\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e");
	/* A lone continuation byte, an overlong '<', a surrogate, a cut. */
	assert_string_equal(escaped("\x80", 1, buf, sizeof(buf)), "\xef\xbf\xbd");
	assert_string_equal(escaped("\xc0\xbc", 2, buf, sizeof(buf)),
			    "\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(escaped("\xed\xa0\x80", 3, buf, sizeof(buf)),
			    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(escaped("\xe2\x82", 2, buf, sizeof(buf)),
			    "\xef\xbf\xbd\xef\xbf\xbd");
}

static void test_series_counts_merge(void **state)
{
	struct time_series s;

	(void)state;
	assert_true(time_series_init(&s, TIME_SERIES_COUNT, 2, 4, SEC));
	time_series_add(&s, 100 * SEC, 0, 1);           /* slot 0 */
	time_series_add(&s, 100 * SEC + SEC / 2, 0, 2); /* slot 0 */
	time_series_add(&s, 101 * SEC, 1, 5);           /* slot 1 */
	time_series_add(&s, 103 * SEC, 0, 7);           /* slot 3 */
	assert_int_equal(s.n, 4);
	assert_int_equal(s.step_ns, SEC);
	assert_int_equal(time_series_value(&s, 0, 0), 3);
	assert_int_equal(time_series_value(&s, 3, 0), 7);
	/* 4 s past the start: the slots merge in pairs, the step doubles. */
	time_series_add(&s, 104 * SEC, 1, 1);
	assert_int_equal(s.step_ns, 2 * SEC);
	assert_int_equal(s.n, 3);
	assert_int_equal(time_series_value(&s, 0, 0), 3);
	assert_int_equal(time_series_value(&s, 0, 1), 5);
	assert_int_equal(time_series_value(&s, 1, 0), 7);
	assert_int_equal(time_series_value(&s, 2, 1), 1);
	assert_int_equal(time_series_value(&s, 3, 0), 0);
	/* Far past: merges as often as it takes; no count is lost. */
	time_series_add(&s, 140 * SEC, 0, 1);
	assert_int_equal(s.step_ns, 16 * SEC);
	assert_true(s.n <= s.cap);
	assert_int_equal(time_series_value(&s, 0, 0), 10);
	assert_int_equal(time_series_value(&s, 0, 1), 6);
	assert_int_equal(time_series_value(&s, 2, 0), 1);
	assert_int_equal(time_series_index(&s, 99 * SEC), 0);
	time_series_free(&s);
}

static void test_series_gauges(void **state)
{
	struct time_series s;

	(void)state;
	assert_true(time_series_init(&s, TIME_SERIES_GAUGE, 1, 3, SEC));
	assert_int_equal(s.cap, 4);
	time_series_set(&s, 0, 0, 5);
	time_series_set(&s, SEC / 2, 0, 6);             /* slot 0: the last */
	time_series_set(&s, 3 * SEC, 0, 9);             /* slots 1, 2 unset */
	time_series_fill_forward(&s);
	assert_int_equal(time_series_value(&s, 0, 0), 6);
	assert_int_equal(time_series_value(&s, 1, 0), 6);
	assert_int_equal(time_series_value(&s, 2, 0), 6);
	assert_int_equal(time_series_value(&s, 3, 0), 9);
	time_series_free(&s);

	/* Extended, the series starts and runs as far, nothing set. */
	assert_true(time_series_init(&s, TIME_SERIES_GAUGE, 1, 4, SEC));
	time_series_extend(&s, 50 * SEC);
	time_series_extend(&s, 52 * SEC);
	assert_int_equal(s.start_ns, 50 * SEC);
	assert_int_equal(s.n, 3);
	assert_false(s.set[1]);
	time_series_free(&s);

	assert_true(time_series_init(&s, TIME_SERIES_GAUGE, 1, 4, SEC));
	time_series_set(&s, 0, 0, 1);
	time_series_set(&s, 2 * SEC, 0, 4);
	time_series_set(&s, 5 * SEC, 0, 8);     /* merges: (1,-) (4,-) (-,8) */
	assert_int_equal(s.step_ns, 2 * SEC);
	assert_int_equal(time_series_value(&s, 0, 0), 1);
	assert_int_equal(time_series_value(&s, 1, 0), 4);
	assert_int_equal(time_series_value(&s, 2, 0), 8);
	time_series_free(&s);
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(text, needle); p != NULL;
	     p = strstr(p + 1, needle))
		n++;
	return n;
}

/*
 * The page of two findings whose capture strings carry markup: each is
 * a class="finding" element, its shown flow a link, nothing raw.
 */
static void test_page_escapes_and_hooks(void **state)
{
	static const char *const inputs[] = {"<x>&.pcap"};
	struct analyzer_stats st;
	struct diagnosis_view v;
	struct finding f[2];
	struct trouble_row top;
	struct html_conn conn = {.uid = 77, .row = &top, .rank = 1};
	struct html_extras x = {.conns = &conn, .n_conns = 1, .graphs_cap = 0};
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(out);
	memset(&st, 0, sizeof(st));
	memset(&v, 0, sizeof(v));
	memset(f, 0, sizeof(f));
	memset(&top, 0, sizeof(top));
	st.packets = 3;
	v.inputs = inputs;
	v.n_inputs = 1;
	v.stats = &st;
	v.ts_decimals = 6;
	for (int i = 0; i < 2; i++) {
		f[i].id = FINDING_CLOSE_WAIT_LEAK;
		f[i].severity = SEVERITY_WARNING;
		f[i].unit = "connections";
		snprintf(f[i].subject, sizeof(f[i].subject), "<script>s%d", i);
		snprintf(f[i].summary, sizeof(f[i].summary), "a \"b\" & 'c'");
	}
	f[0].n_flows = 2;
	f[0].flow_count = 2;
	f[0].flows[0] = 77;
	f[0].flows[1] = 78;
	f[0].n_packets = 1;
	f[0].packet_frames[0] = 9;
	snprintf(f[0].packets[0], sizeof(f[0].packets[0]), "</pre><img>");
	top.uid = 77;
	top.family = 4;
	snprintf(top.conn_state, sizeof(top.conn_state), "S1");
	v.findings = f;
	v.n_findings = 2;
	v.top = &top;
	v.n_top = 1;
	assert_true(diagnosis_render_html(out, &v, &x));
	assert_int_equal(fclose(out), 0);
	assert_int_equal(count(buf, "class=\"finding\""), 2);
	assert_int_equal(count(buf, "id=\"finding-1\""), 1);
	assert_int_equal(count(buf, "id=\"finding-2\""), 1);
	assert_int_equal(count(buf, "<script"), 0);
	assert_true(count(buf, "&lt;script&gt;s1") >= 1);   /* h3, incident */
	assert_int_equal(count(buf, "<img"), 0);
	assert_true(count(buf, "&lt;x&gt;&amp;.pcap") >= 2);   /* title, files, tshark */
	assert_int_equal(count(buf, "a &quot;b&quot; &amp; &#39;c&#39;"), 2);
	/* 77 is shown: a link to its section; 78 is not: no dangling link. */
	assert_int_equal(count(buf, "href=\"#conn-"), 1);
	assert_int_equal(count(buf, "id=\"conn-"), 1);
	assert_int_equal(count(buf, "http"), 0);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_specials),
		cmocka_unit_test(test_escape_bytes),
		cmocka_unit_test(test_series_counts_merge),
		cmocka_unit_test(test_series_gauges),
		cmocka_unit_test(test_page_escapes_and_hooks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
