#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config_file.h"
#include "config_write.h"
#include "settings.h"

/* Parses text as "t.yaml" over the defaults. */
static enum config_status parse(const char *text, struct settings *s,
				char *err, size_t errlen)
{
	settings_defaults(s);
	err[0] = '\0';
	return config_file_parse("t.yaml", text, strlen(text), s, err, errlen);
}

/* A setting's value as the file writes it (seconds, a count, a share, 0/1). */
static double get(const struct settings *s, const char *section,
		  const char *key)
{
	const struct setting *e = settings_find(section, key);

	assert_non_null(e);
	return settings_get(s, e);
}

/* A duration's nanoseconds, as stored. */
static int64_t get_ns(const struct settings *s, const char *section,
		      const char *key)
{
	const struct setting *e = settings_find(section, key);
	int64_t ns;

	assert_non_null(e);
	assert_int_equal(e->type, SETTING_SECONDS);
	memcpy(&ns, (const char *)s + e->offset, sizeof(ns));
	return ns;
}

/* Every setting of a equals b's, compared as the file reads them. */
static void assert_same_settings(const struct settings *a,
				 const struct settings *b)
{
	for (size_t i = 0; i < settings_count(); i++) {
		const struct setting *e = settings_at(i);

		if (settings_get(a, e) != settings_get(b, e))
			fail_msg("%s.%s: %.17g, want %.17g", e->section,
				 e->key, settings_get(a, e),
				 settings_get(b, e));
	}
	/* And the bytes: nothing the rows do not cover may change. */
	assert_memory_equal(&a->engine, &b->engine, sizeof(a->engine));
	assert_memory_equal(&a->detect, &b->detect, sizeof(a->detect));
}

/* config_write's text, in a heap string. */
static char *written(const struct settings *s, const char *first_line)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	config_write(fp, s, first_line);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

static void test_empty_is_defaults(void **state)
{
	static const char *const texts[] = {
		"", "\n", "# only a comment\n\n# another\n", "---\n",
		"--- # a document with nothing in it\n...\n",
		/* Sections with every key commented out. */
		"engine:\ndetectors:\n",
		"engine:\n#  time_wait: 60\ndetectors:\n  syn_flood:\n",
		"{}\n", "engine: {}\ndetectors: {}\n",
	};
	struct settings s, def;
	char err[512];

	(void)state;
	settings_defaults(&def);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		if (parse(texts[i], &s, err, sizeof(err)) != CONFIG_OK)
			fail_msg("'%s': %s", texts[i], err);
		assert_same_settings(&s, &def);
	}
	/* What tests/run.sh sets TCPLENS_CONFIG to. */
	settings_defaults(&s);
	assert_int_equal(config_file_load("/dev/null", &s, err, sizeof(err)),
			 CONFIG_OK);
	assert_same_settings(&s, &def);
}

static void test_defaults_round_trip(void **state)
{
	struct settings s, def;
	char err[512];
	char *text;

	(void)state;
	settings_defaults(&def);
	text = written(&def, NULL);
	assert_int_equal(parse(text, &s, err, sizeof(err)), CONFIG_OK);
	assert_same_settings(&s, &def);
	/* Every key is written, and no line passes 80 columns. */
	{
		for (size_t i = 0; i < settings_count(); i++) {
			const struct setting *e = settings_at(i);
			char want[96];

			snprintf(want, sizeof(want), "\n%s%s: ",
				 strcmp(e->section, "engine") == 0 ? "  " : "    ",
				 e->key);
			assert_non_null(strstr(text, want));
		}
		for (const char *line = text; *line != '\0';) {
			size_t len = strcspn(line, "\n");

			if (len > 80)
				fail_msg("line of %zu columns: %.*s", len, (int)len, line);
			line += len + (line[len] == '\n');
		}
	}
	free(text);
}

/*
 * Every setting moved off its default (to its maximum, or false, or
 * info) survives writing and reading back, as `config --show` prints it.
 */
static void test_changed_round_trip(void **state)
{
	struct settings s, back;
	char err[512];
	char *text;

	(void)state;
	settings_defaults(&s);
	for (size_t i = 0; i < settings_count(); i++) {
		const struct setting *e = settings_at(i);
		double v = e->type == SETTING_BOOL ? 1 - settings_get(&s, e)
			 : e->type == SETTING_SEVERITY ? 0 : e->max;

		/* Keep the ordered pairs in order: lows at their minimum. */
		if (e->not_above != NULL)
			v = e->min;
		assert_true(settings_set(&s, e, v));
	}
	text = written(&s, "Read from test, over the defaults.");
	assert_non_null(strstr(text, "# Read from test, over the defaults.\n"));
	assert_non_null(strstr(text, "time_wait: 86400                  "
				"# 1 to 86400 seconds; default 60\n"));
	assert_int_equal(parse(text, &back, err, sizeof(err)), CONFIG_OK);
	assert_same_settings(&back, &s);
	free(text);
}

/* Seconds are formatted from the nanoseconds: any count reads back. */
static void test_seconds_round_trip(void **state)
{
	uint64_t x = 88172645463325252u;      /* xorshift64 seed */

	(void)state;
	for (size_t i = 0; i < settings_count(); i++) {
		const struct setting *e = settings_at(i);
		int64_t lo, hi;

		if (e->type != SETTING_SECONDS)
			continue;
		lo = (int64_t)(e->min * 1e9);
		hi = (int64_t)(e->max * 1e9);
		for (int k = 0; k < 2000; k++) {
			struct settings s, back;
			int64_t ns;
			char val[64], text[256], err[512];

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			ns = k == 0 ? lo : k == 1 ? hi : lo + (int64_t)(x % (uint64_t)(hi - lo + 1));
			settings_defaults(&s);
			memcpy((char *)&s + e->offset, &ns, sizeof(ns));
			settings_format(&s, e, val, sizeof(val));
			if (strcmp(e->section, "engine") == 0)
				snprintf(text, sizeof(text), "engine:\n  %s: %s\n",
					 e->key, val);
			else
				snprintf(text, sizeof(text),
					 "detectors:\n  %s:\n    %s: %s\n",
					 e->section, e->key, val);
			if (parse(text, &back, err, sizeof(err)) != CONFIG_OK) {
				/* An ordered pair pushed out of order is fine. */
				if (strstr(err, " is below ") != NULL ||
				    strstr(err, " is above ") != NULL)
					continue;
				fail_msg("%s.%s = %s: %s", e->section, e->key, val, err);
			}
			if (memcmp((char *)&back + e->offset, &ns, sizeof(ns)) != 0)
				fail_msg("%s.%s: %lld ns written as %s reads back otherwise",
					 e->section, e->key, (long long)ns, val);
		}
	}
}

/* A file setting e alone to the text val. */
static void one_key_text(const struct setting *e, const char *val, char *out,
			 size_t outlen)
{
	if (strcmp(e->section, "engine") == 0)
		snprintf(out, outlen, "engine:\n  %s: %s\n", e->key, val);
	else
		snprintf(out, outlen, "detectors:\n  %s:\n    %s: %s\n",
			 e->section, e->key, val);
}

/*
 * Shares print as plain decimals that read back to the same double: the
 * awkward ones (%g printed 0.00001 as 1e-05, which the file refused) and
 * any number of 1e-15 steps.  Issue 19.
 */
static void test_share_round_trip(void **state)
{
	static const char *const awkward[] = {
		"0.00001", "0.000000000000001", "0.123456789012345",
		"0.999999999999999", "0.1", "0.3", "0.001", "1", "0",
	};
	uint64_t x = 2463534242u;       /* xorshift64 seed */

	(void)state;
	for (size_t i = 0; i < settings_count(); i++) {
		const struct setting *e = settings_at(i);

		if (e->type != SETTING_SHARE)
			continue;
		for (int k = 0; k < 3000; k++) {
			struct settings s, back;
			char want[32], val[64], text[256], err[512];
			double v;

			if (k < (int)(sizeof(awkward) / sizeof(awkward[0]))) {
				snprintf(want, sizeof(want), "%s", awkward[k]);
			} else {
				/* 0.DDD with 1 to 15 random decimals. */
				int digits = 1 + k % 15;

				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				snprintf(want, sizeof(want), "0.%0*llu", digits,
					 (unsigned long long)(x % 1000000000000000u) %
					 (unsigned long long)pow(10, digits));
				/* As written: no trailing zeros, nor point. */
				while (want[strlen(want) - 1] == '0')
					want[strlen(want) - 1] = '\0';
				if (want[strlen(want) - 1] == '.')
					want[strlen(want) - 1] = '\0';
			}
			v = strtod(want, NULL);
			if (v < e->min)
				continue;
			settings_defaults(&s);
			assert_true(settings_set(&s, e, v));
			settings_format(&s, e, val, sizeof(val));
			if (strcmp(val, want) != 0)
				fail_msg("%s.%s = %s printed as %s", e->section,
					 e->key, want, val);
			one_key_text(e, val, text, sizeof(text));
			if (parse(text, &back, err, sizeof(err)) != CONFIG_OK)
				fail_msg("%s.%s = %s: %s", e->section, e->key, val, err);
			if (memcmp((char *)&back + e->offset, &v, sizeof(v)) != 0)
				fail_msg("%s.%s: %s reads back as %.17g", e->section,
					 e->key, val, settings_get(&back, e));
		}
	}
}

/* A share finer than 15 decimals could not print back: never stored. */
static void test_share_grid(void **state)
{
	const struct setting *e = settings_find("retransmit_burst", "min_share");
	struct settings s;
	double v;

	(void)state;
	assert_non_null(e);
	settings_defaults(&s);
	assert_false(settings_set(&s, e, 0.1 + 0.2));  /* 0.30000000000000004 */
	assert_false(settings_set(&s, e, 1e-16));
	assert_false(settings_set(&s, e, 5e-324));
	assert_true(settings_get(&s, e) == 0.01);
	assert_true(settings_set(&s, e, 0.3));
	/* -0 is stored as 0, so that it prints "0", not "-0". */
	assert_true(settings_set(&s, e, -0.0));
	v = settings_get(&s, e);
	assert_false(signbit(v));
}

/*
 * `config --show` names the file it read in its first comment: a name
 * with a newline, a YAML 1.1 line break (NEL, U+2028) or bytes that are
 * not UTF-8 must not break the file.
 */
static void test_first_line_sanitized(void **state)
{
	static const char *const names[] = {
		/* newline, CR, tab; bytes that are never UTF-8; NEL */
		"a\nb", "a\rb", "a\tb", "a\xff\xfe", "a\xc2\x85" "b",
		/* U+2028, U+2029; an overlong '/'; a surrogate */
		"a\xe2\x80\xa8" "b\xe2\x80\xa9", "a\xc0\xaf" "b", "a\xed\xa0\x80" "b",
		/* BOM; C1 CSI; past U+10FFFF; cut short; DEL */
		"a\xef\xbb\xbf" "b", "a\xc2\x9b" "b", "a\xf4\x90\x80\x80", "a\xe2\x82",
		"\xc3", "a\x7f",
	};
	struct settings s, def;
	char line[128], err[512];

	(void)state;
	settings_defaults(&def);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *text;

		snprintf(line, sizeof(line), "Read from %s, over the defaults.",
			 names[i]);
		text = written(&def, line);
		if (parse(text, &s, err, sizeof(err)) != CONFIG_OK)
			fail_msg("name %zu: %s", i, err);
		assert_same_settings(&s, &def);
		assert_true(strncmp(text, "# Read from a", 13) == 0 ||
			    strncmp(text, "# Read from ?", 13) == 0);
		free(text);
	}
	/* What a comment can hold stays as it is. */
	{
		char *text = written(&def, "Read from caf\xc3\xa9 \xe2\x82\xac"
				     "\xf0\x9f\x98\x80, over the defaults.");

		assert_true(strncmp(text, "# Read from caf\xc3\xa9 \xe2\x82\xac"
				    "\xf0\x9f\x98\x80, over", 26) == 0);
		free(text);
		text = written(&def, "Read from a\nb, over the defaults.");
		assert_true(strncmp(text, "# Read from a?b, over the defaults.\n",
				    35) == 0);
		free(text);
	}
}

struct error_case {
	const char *text;
	const char *err;
	enum config_status st;
};

static const struct error_case error_cases[] = {
	/* Unknown keys, sections and detectors. */
	{"engine:\n  time_wait: 30\n  max_flow: 3\n",
	 "t.yaml:3:3: engine.max_flow: unknown key (did you mean max_flows?)", CONFIG_INVALID},
	{"engine:\n  zzz: 3\n",
	 "t.yaml:2:3: engine.zzz: unknown key (known: time_wait, tcp_timeout, "
	 "udp_timeout, icmp_timeout, frag_timeout_ipv4, frag_timeout_ipv6, "
	 "frag_memory, max_flows, max_subjects)", CONFIG_INVALID},
	{"detectors:\n  syn_flod:\n    enabled: true\n",
	 "t.yaml:2:3: detectors.syn_flod: unknown detector (did you mean syn_flood?)", CONFIG_INVALID},
	{"detectors:\n  nothing_like_it:\n",
	 "t.yaml:2:3: detectors.nothing_like_it: unknown detector (known: "
	 "syn_flood, syn_unanswered, connection_refused, close_wait_leak, "
	 "time_wait_accumulation, rst_storm, abortive_close, retransmit_burst, "
	 "zero_window_stall, half_open, port_scan, icmp_error, fragmentation, "
	 "nagle_delayed_ack, checksum_errors, short_connection_churn, "
	 "accept_queue_overflow, capture_coverage)", CONFIG_INVALID},
	{"detectors:\n  syn_flood:\n    windw: 3\n",
	 "t.yaml:3:5: detectors.syn_flood.windw: unknown key (did you mean window?)", CONFIG_INVALID},
	{"detectors:\n  syn_flood:\n    time_wait: 3\n",
	 "t.yaml:3:5: detectors.syn_flood.time_wait: unknown key (known: enabled, "
	 "severity, window, min_half_open, min_sources)", CONFIG_INVALID},
	{"syn_flood:\n  window: 3\n",
	 "t.yaml:1:1: syn_flood: unknown section (did you mean detectors.syn_flood?)", CONFIG_INVALID},
	{"time_wait: 3\n",
	 "t.yaml:1:1: time_wait: unknown section (did you mean engine.time_wait?)", CONFIG_INVALID},
	{"detector:\n",
	 "t.yaml:1:1: detector: unknown section (did you mean detectors?)", CONFIG_INVALID},
	{"x: 1\n",
	 "t.yaml:1:1: x: unknown section (known: engine, detectors)", CONFIG_INVALID},
	{"engine:\n  syn_flood: 3\n",
	 "t.yaml:2:3: engine.syn_flood: unknown key (did you mean detectors.syn_flood?)", CONFIG_INVALID},
	/* Wrong types. */
	{"detectors:\n  half_open:\n    enabled: yes\n",
	 "t.yaml:3:14: detectors.half_open.enabled: expected true or false, not 'yes'", CONFIG_INVALID},
	{"detectors:\n  half_open:\n    enabled: True\n",
	 "t.yaml:3:14: detectors.half_open.enabled: expected true or false, not 'True'", CONFIG_INVALID},
	{"detectors:\n  half_open:\n    enabled: \"true\"\n",
	 "t.yaml:3:14: detectors.half_open.enabled: expected true or false, not the quoted string \"true\"", CONFIG_INVALID},
	{"detectors:\n  half_open:\n    severity: high\n",
	 "t.yaml:3:15: detectors.half_open.severity: expected info, warning or critical, not 'high'", CONFIG_INVALID},
	{"engine:\n  time_wait: \"10\"\n",
	 "t.yaml:2:14: engine.time_wait: expected a number of seconds, not the quoted string \"10\"", CONFIG_INVALID},
	{"engine:\n  time_wait: 10s\n",
	 "t.yaml:2:14: engine.time_wait: expected a number of seconds, not '10s'", CONFIG_INVALID},
	{"engine:\n  time_wait: 1e\n",
	 "t.yaml:2:14: engine.time_wait: expected a number of seconds, not '1e'", CONFIG_INVALID},
	{"engine:\n  time_wait: 1e+\n",
	 "t.yaml:2:14: engine.time_wait: expected a number of seconds, not '1e+'", CONFIG_INVALID},
	{"engine:\n  time_wait: 1.e3\n",
	 "t.yaml:2:14: engine.time_wait: expected a number of seconds, not '1.e3'", CONFIG_INVALID},
	{"engine:\n  time_wait: 1e3.5\n",
	 "t.yaml:2:14: engine.time_wait: expected a number of seconds, not '1e3.5'", CONFIG_INVALID},
	{"engine:\n  time_wait: +5\n",
	 "t.yaml:2:14: engine.time_wait: expected a number of seconds, not '+5'", CONFIG_INVALID},
	{"engine:\n  time_wait: 010e1\n",
	 "t.yaml:2:14: engine.time_wait: expected a number of seconds, not '010e1' (a leading zero is octal in YAML 1.1)", CONFIG_INVALID},
	/* An exponent makes a float in YAML 1.2, never a whole number. */
	{"engine:\n  max_flows: 1e3\n",
	 "t.yaml:2:14: engine.max_flows: expected a whole number, not '1e3'", CONFIG_INVALID},
	{"engine:\n  time_wait: .5\n",
	 "t.yaml:2:14: engine.time_wait: expected a number of seconds, not '.5'", CONFIG_INVALID},
	{"engine:\n  time_wait:\n",
	 "t.yaml:2:13: engine.time_wait: expected a number of seconds, not an empty value", CONFIG_INVALID},
	{"engine:\n  max_flows: 10.5\n",
	 "t.yaml:2:14: engine.max_flows: expected a whole number, not '10.5'", CONFIG_INVALID},
	{"engine:\n  max_flows: 10.0\n",
	 "t.yaml:2:14: engine.max_flows: expected a whole number, not '10.0'", CONFIG_INVALID},
	{"engine:\n  max_flows: 010\n",
	 "t.yaml:2:14: engine.max_flows: expected a whole number, not '010' (a leading zero is octal in YAML 1.1)", CONFIG_INVALID},
	{"engine:\n  frag_memory: 0x10\n",
	 "t.yaml:2:16: engine.frag_memory: expected a whole number of MiB, not '0x10'", CONFIG_INVALID},
	{"detectors:\n  port_scan:\n    min_failed_share: 50%\n",
	 "t.yaml:3:23: detectors.port_scan.min_failed_share: expected a number from 0 to 1, not '50%'", CONFIG_INVALID},
	{"engine:\n  time_wait: [1, 2]\n",
	 "t.yaml:2:14: engine.time_wait: expected a number of seconds, not a sequence", CONFIG_INVALID},
	{"engine:\n  time_wait: {a: 1}\n",
	 "t.yaml:2:14: engine.time_wait: expected a number of seconds, not a mapping", CONFIG_INVALID},
	{"detectors:\n  rst_storm: 5\n",
	 "t.yaml:2:14: detectors.rst_storm: expected a mapping, not a scalar", CONFIG_INVALID},
	{"detectors:\n  - rst_storm\n",
	 "t.yaml:2:3: detectors: expected a mapping, not a sequence", CONFIG_INVALID},
	{"engine: 60\n",
	 "t.yaml:1:9: engine: expected a mapping, not a scalar", CONFIG_INVALID},
	{"- engine\n",
	 "t.yaml:1:1: expected a mapping (engine:, detectors:) at the top level, not a sequence", CONFIG_INVALID},
	{"just words\n",
	 "t.yaml:1:1: expected a mapping (engine:, detectors:) at the top level, not a scalar", CONFIG_INVALID},
	{"engine:\n  ? [a]\n  : 1\n",
	 "t.yaml:2:5: engine: a key must be a name, not a sequence", CONFIG_INVALID},
	/* Range and precision. */
	{"detectors:\n  syn_flood:\n    window: 0\n",
	 "t.yaml:3:13: detectors.syn_flood.window: 0 is out of range (1 to 3600 seconds)", CONFIG_INVALID},
	{"engine:\n  frag_memory: 65537\n",
	 "t.yaml:2:16: engine.frag_memory: 65537 is out of range (1 to 65536 MiB)", CONFIG_INVALID},
	{"engine:\n  max_flows: -1\n",
	 "t.yaml:2:14: engine.max_flows: -1 is out of range (1 to 100000000)", CONFIG_INVALID},
	{"engine:\n  max_flows: 99999999999999999999999\n",
	 "t.yaml:2:14: engine.max_flows: 99999999999999999999999 is out of range (1 to 100000000)", CONFIG_INVALID},
	{"engine:\n  time_wait: 1.0000000001\n",
	 "t.yaml:2:14: engine.time_wait: 1.0000000001 has more than 9 decimals (nanoseconds are the finest)", CONFIG_INVALID},
	{"detectors:\n  port_scan:\n    min_failed_share: 0.1234567890123456\n",
	 "t.yaml:3:23: detectors.port_scan.min_failed_share: 0.1234567890123456 has more than 15 decimals", CONFIG_INVALID},
	/* The value's decimals count, however written. */
	{"engine:\n  time_wait: 1.5e-9\n",
	 "t.yaml:2:14: engine.time_wait: 1.5e-9 has more than 9 decimals (nanoseconds are the finest)", CONFIG_INVALID},
	{"engine:\n  time_wait: 10000000001e-10\n",
	 "t.yaml:2:14: engine.time_wait: 10000000001e-10 has more than 9 decimals (nanoseconds are the finest)", CONFIG_INVALID},
	{"detectors:\n  port_scan:\n    min_failed_share: 1e-16\n",
	 "t.yaml:3:23: detectors.port_scan.min_failed_share: 1e-16 has more than 15 decimals", CONFIG_INVALID},
	{"detectors:\n  port_scan:\n    min_failed_share: 1e-99999999999999999999999\n",
	 "t.yaml:3:23: detectors.port_scan.min_failed_share: 1e-99999999999999999999999 has more than 15 decimals", CONFIG_INVALID},
	{"detectors:\n  port_scan:\n    min_failed_share: 1e99999999999999999999999\n",
	 "t.yaml:3:23: detectors.port_scan.min_failed_share: 1e99999999999999999999999 is out of range (0 to 1)", CONFIG_INVALID},
	{"detectors:\n  port_scan:\n    min_failed_share: 1E1\n",
	 "t.yaml:3:23: detectors.port_scan.min_failed_share: 1E1 is out of range (0 to 1)", CONFIG_INVALID},
	/* Ordered pairs: reported at the one given last. */
	{"detectors:\n  nagle_delayed_ack:\n    max_delay: 0.01\n",
	 "t.yaml:3:5: detectors.nagle_delayed_ack.max_delay: 0.01 is below min_delay (0.03)", CONFIG_INVALID},
	{"detectors:\n  time_wait_accumulation:\n    port_range_high: 40000\n    port_range_low: 50000\n",
	 "t.yaml:4:5: detectors.time_wait_accumulation.port_range_low: 50000 is above port_range_high (40000)", CONFIG_INVALID},
	/* Duplicates, at every level. */
	{"engine:\n  time_wait: 5\n  time_wait: 6\n",
	 "t.yaml:3:3: engine.time_wait: duplicate key (first given at 2:3)", CONFIG_INVALID},
	{"engine:\n  time_wait: 5\nengine:\n  time_wait: 6\n",
	 "t.yaml:3:1: engine: duplicate key (first given at 1:1)", CONFIG_INVALID},
	{"detectors:\n  half_open:\n    enabled: true\n  half_open:\n    enabled: false\n",
	 "t.yaml:4:3: detectors.half_open: duplicate key (first given at 2:3)", CONFIG_INVALID},
	/* YAML features that have no place here. */
	{"engine: &e\n  time_wait: 5\n",
	 "t.yaml:1:9: engine: anchors and aliases are not supported", CONFIG_INVALID},
	{"engine:\n  time_wait: &t 5\n  tcp_timeout: *t\n",
	 "t.yaml:2:14: engine.time_wait: anchors and aliases are not supported", CONFIG_INVALID},
	{"detectors: *d\n",
	 "t.yaml:1:12: detectors: aliases are not supported", CONFIG_INVALID},
	{"engine:\n  time_wait: !!int 5\n",
	 "t.yaml:2:14: engine.time_wait: tags are not supported ('tag:yaml.org,2002:int')", CONFIG_INVALID},
	{"engine:\n  time_wait: 5\n---\nengine:\n  time_wait: 6\n",
	 "t.yaml:3:1: multiple documents are not supported", CONFIG_INVALID},
	/* Syntax errors: libyaml's words, at its mark. */
	{"engine:\n  time_wait: 5\n time_wait: 6\n",
	 "t.yaml:3:2: YAML syntax error: did not find expected key (while parsing a block mapping at 1:1)", CONFIG_INVALID},
	{"engine:\n\ttime_wait: 5\n",
	 "t.yaml:2:1: YAML syntax error: found character that cannot start any token (while scanning for the next token)", CONFIG_INVALID},
	{"engine:\n  time_wait: \"5\n",
	 "t.yaml:3:1: YAML syntax error: found unexpected end of stream (while scanning a quoted scalar at 2:14)", CONFIG_INVALID},
	{"engine:\n  \xff: 5\n",
	 "t.yaml:2:3: YAML syntax error: invalid leading UTF-8 octet", CONFIG_INVALID},
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
		const struct error_case *c = &error_cases[i];
		struct settings s, def;
		enum config_status st;
		char err[1024];

		st = parse(c->text, &s, err, sizeof(err));
		if (st != c->st || strcmp(err, c->err) != 0)
			fail_msg("case %zu:\n  got  %d '%s'\n  want %d '%s'", i, st,
				 err, c->st, c->err);
		/* A file with an error changes nothing. */
		settings_defaults(&def);
		assert_same_settings(&s, &def);
	}
}

/* A file setting e alone to v. */
static void edge_text(const struct setting *e, double v, char *out,
		      size_t outlen)
{
	if (strcmp(e->section, "engine") == 0)
		snprintf(out, outlen, "engine:\n  %s: %.15g\n", e->key, v);
	else
		snprintf(out, outlen, "detectors:\n  %s:\n    %s: %.15g\n",
			 e->section, e->key, v);
}

static void test_range_edges(void **state)
{
	(void)state;
	for (size_t i = 0; i < settings_count(); i++) {
		const struct setting *e = settings_at(i);
		/* Just outside: one unit for whole numbers, a step below the
		 * finest decimal otherwise. */
		double step = e->type == SETTING_COUNT || e->type == SETTING_MIB ? 1 : 0.0001;
		struct {
			double v;
			bool ok;
		} tries[] = {
			{e->min, true}, {e->max, true},
			{e->min - step, false}, {e->max + step, false},
		};

		if (e->type == SETTING_BOOL || e->type == SETTING_SEVERITY)
			continue;
		for (size_t k = 0; k < 4; k++) {
			struct settings s;
			char text[256], err[1024];
			enum config_status st;

			edge_text(e, tries[k].v, text, sizeof(text));
			st = parse(text, &s, err, sizeof(err));
			/* An ordered pair at an extreme may break the order. */
			if (st != CONFIG_OK && tries[k].ok &&
			    (strstr(err, " is below ") != NULL ||
			     strstr(err, " is above ") != NULL))
				continue;
			if ((st == CONFIG_OK) != tries[k].ok)
				fail_msg("%s.%s = %.15g: %s", e->section, e->key,
					 tries[k].v, st == CONFIG_OK ? "accepted" : err);
			if (tries[k].ok)
				assert_true(settings_get(&s, e) == tries[k].v);
			else
				assert_non_null(strstr(err, " is out of range ("));
		}
	}
}

static void test_values(void **state)
{
	struct settings s;
	char err[512];
	const struct setting *e;

	(void)state;
	/* Seconds take decimals, to the nanosecond. */
	assert_int_equal(parse("detectors:\n  nagle_delayed_ack:\n    min_delay: 0.04\n"
			       "    max_delay: 0.2\n", &s, err, sizeof(err)), CONFIG_OK);
	assert_true(get_ns(&s, "nagle_delayed_ack", "min_delay") == 40000000);
	assert_true(get_ns(&s, "nagle_delayed_ack", "max_delay") == 200000000);
	assert_int_equal(parse("engine:\n  time_wait: 1.000000001\n", &s, err,
			       sizeof(err)), CONFIG_OK);
	assert_true(s.engine.tcp.time_wait_ns == 1000000001);
	/* Trailing zeros are not decimals that count. */
	assert_int_equal(parse("engine:\n  time_wait: 1.000000001000\n", &s, err,
			       sizeof(err)), CONFIG_OK);
	assert_true(s.engine.tcp.time_wait_ns == 1000000001);
	/* YAML 1.2 floats: an exponent, either case, either sign. */
	assert_int_equal(parse("engine:\n  time_wait: 1e3\n  tcp_timeout: 1.5E+2\n"
			       "detectors:\n  port_scan:\n    min_failed_share: 1e-05\n"
			       "  retransmit_burst:\n    min_share: 25e-3\n"
			       "  nagle_delayed_ack:\n    min_delay: 40000000e-9\n",
			       &s, err, sizeof(err)), CONFIG_OK);
	assert_true(s.engine.tcp.time_wait_ns == 1000 * 1000000000LL);
	assert_true(s.engine.tcp_idle_ns == 150 * 1000000000LL);
	assert_true(get(&s, "port_scan", "min_failed_share") == 0.00001);
	assert_true(get(&s, "retransmit_burst", "min_share") == 0.025);
	assert_true(get_ns(&s, "nagle_delayed_ack", "min_delay") == 40000000);
	assert_int_equal(parse("engine:\n  time_wait: 0e99999999999999999999\n", &s,
			       err, sizeof(err)), CONFIG_INVALID);
	assert_string_equal(err, "t.yaml:2:14: engine.time_wait: 0e99999999999999999999 "
			    "is out of range (1 to 86400 seconds)");
	/* A count with decimals is refused, even a whole one. */
	assert_int_equal(parse("detectors:\n  half_open:\n    min_probes: 3.0\n",
			       &s, err, sizeof(err)), CONFIG_INVALID);
	/* Booleans and severities, and the rest left at their defaults. */
	assert_int_equal(parse("detectors:\n  half_open:\n    enabled: false\n"
			       "    severity: 'critical'\n"
			       "  checksum_errors:\n    verify: true\n"
			       "engine:\n  frag_memory: 1\n  max_flows: 7\n",
			       &s, err, sizeof(err)), CONFIG_OK);
	assert_false(s.detect.det[FINDING_HALF_OPEN].enabled);
	assert_int_equal(s.detect.det[FINDING_HALF_OPEN].severity, SEVERITY_CRITICAL);
	assert_true(get(&s, "checksum_errors", "verify") == 1);
	assert_true(s.detect.det[FINDING_SYN_FLOOD].enabled);
	assert_true(s.engine.defrag.memory_cap == (size_t)1 << 20);
	assert_int_equal(s.engine.max_flows, 7);
	e = settings_find("engine", "time_wait");
	assert_non_null(e);
	assert_true(settings_get(&s, e) == 60);
	/* Flow style is YAML too. */
	assert_int_equal(parse("{engine: {time_wait: 5}, detectors: {rst_storm: {min_rsts: 9}}}\n",
			       &s, err, sizeof(err)), CONFIG_OK);
	assert_true(s.engine.tcp.time_wait_ns == 5000000000);
	assert_true(get(&s, "rst_storm", "min_rsts") == 9);
}

/* Files: missing, a directory, and the search path. */
static void test_files(void **state)
{
	char dir[] = "/tmp/tcplens-config-XXXXXX";
	char path[CONFIG_PATH_MAX], used[CONFIG_PATH_MAX], err[1024], sub[600];
	struct settings s;
	bool is_explicit;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/missing.yaml", dir);
	assert_int_equal(config_file_load(path, &s, err, sizeof(err)),
			 CONFIG_UNREADABLE);
	assert_non_null(strstr(err, ": cannot open: No such file or directory"));
	assert_int_equal(config_file_load(dir, &s, err, sizeof(err)),
			 CONFIG_UNREADABLE);
	assert_non_null(strstr(err, ": is a directory"));

	/* The search path: TCPLENS_CONFIG, then XDG_CONFIG_HOME. */
	snprintf(sub, sizeof(sub), "%s/tcplens", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(sub, sizeof(sub), "%s/tcplens/config.yaml", dir);
	fp = fopen(sub, "w");
	assert_non_null(fp);
	fputs("engine:\n  time_wait: 7\n", fp);
	fclose(fp);
	setenv("TCPLENS_CONFIG", "", 1);
	setenv("XDG_CONFIG_HOME", dir, 1);
	assert_true(config_file_locate(NULL, path, sizeof(path), &is_explicit));
	assert_string_equal(path, sub);
	assert_false(is_explicit);
	assert_int_equal(config_file_read(NULL, &s, used, sizeof(used), err,
					  sizeof(err)), CONFIG_OK);
	assert_string_equal(used, sub);
	assert_true(s.engine.tcp.time_wait_ns == 7000000000);
	setenv("TCPLENS_CONFIG", "/dev/null", 1);
	assert_true(config_file_locate(NULL, path, sizeof(path), &is_explicit));
	assert_string_equal(path, "/dev/null");
	assert_true(is_explicit);
	assert_true(config_file_locate("x.yaml", path, sizeof(path), &is_explicit));
	assert_string_equal(path, "x.yaml");
	assert_true(is_explicit);
	/* A missing explicit file is an error, not the defaults. */
	snprintf(path, sizeof(path), "%s/missing.yaml", dir);
	assert_int_equal(config_file_read(path, &s, used, sizeof(used), err,
					  sizeof(err)), CONFIG_UNREADABLE);
	/* A relative XDG_CONFIG_HOME is ignored, as the XDG spec says. */
	unsetenv("TCPLENS_CONFIG");
	setenv("XDG_CONFIG_HOME", "relative", 1);
	setenv("HOME", dir, 1);
	assert_true(!config_file_locate(NULL, path, sizeof(path), &is_explicit) ||
		    strcmp(path, "/etc/tcplens/config.yaml") == 0);
	unlink(sub);
	snprintf(sub, sizeof(sub), "%s/tcplens", dir);
	rmdir(sub);
	rmdir(dir);
}

/*
 * Each row's default is what settings_defaults() gives, the engine's
 * (from analyzer_config_defaults()) included, and the detectors' are
 * the values tcplens(1) documents for a few of them.
 */
static void test_row_defaults(void **state)
{
	struct settings s;
	enum finding_id id;

	(void)state;
	settings_defaults(&s);
	for (size_t i = 0; i < settings_count(); i++) {
		const struct setting *e = settings_at(i);
		double want = e->def;

		if (e->type == SETTING_SEVERITY) {
			assert_true(finding_id_parse(e->section, &id));
			want = finding_default_severity(id);
		}
		if (settings_get(&s, e) != want)
			fail_msg("%s.%s: default %g, row says %g", e->section,
				 e->key, settings_get(&s, e), want);
	}
	assert_int_equal(s.engine.tcp.time_wait_ns, INT64_C(60000000000));
	assert_int_equal(get_ns(&s, "nagle_delayed_ack", "min_delay"), 30000000);
	assert_true(get(&s, "time_wait_accumulation", "port_range_high") == 60999);
	assert_true(get(&s, "retransmit_burst", "min_share") == 0.01);
	assert_true(get(&s, "checksum_errors", "verify") == 0);
	assert_true(s.detect.det[FINDING_SYN_FLOOD].enabled);
	assert_int_equal(s.detect.det[FINDING_SYN_FLOOD].severity,
			 SEVERITY_CRITICAL);
}

/* [off, end) lies within [start, start + size). */
static bool within(size_t off, size_t end, size_t start, size_t size)
{
	return off >= start && end <= start + size;
}

/*
 * The rows come from settings.c (the engine's) and the detector files:
 * each finding has its switches, each row writes only its own section's
 * part of struct settings (a detector's det[id] and unit[id]) and no
 * other row's bytes, and every row has its one place in the walk.
 */
static void test_rows_in_their_block(void **state)
{
	(void)state;
	for (int id = 0; id < FINDING_COUNT; id++) {
		const char *name = finding_id_name((enum finding_id)id);

		assert_non_null(settings_find(name, "enabled"));
		assert_non_null(settings_find(name, "severity"));
	}
	assert_null(settings_at(settings_count()));
	for (size_t i = 0; i < settings_count(); i++) {
		const struct setting *e = settings_at(i);
		size_t end = e->offset + settings_field_size(e);
		enum finding_id id;
		bool inside;

		assert_int_equal(settings_index(e), i);
		assert_true(settings_find(e->section, e->key) == e);
		if (strcmp(e->section, "engine") == 0) {
			inside = within(e->offset, end,
					offsetof(struct settings, engine),
					sizeof(struct analyzer_config));
		} else {
			size_t det, unit;

			assert_true(finding_id_parse(e->section, &id));
			det = offsetof(struct settings, detect.det) +
			      (size_t)id * sizeof(struct detector_common);
			unit = offsetof(struct settings, detect.unit) +
			       (size_t)id * sizeof(union detector_settings);
			inside = within(e->offset, end, det,
					sizeof(struct detector_common)) ||
				 within(e->offset, end, unit,
					sizeof(union detector_settings));
		}
		if (!inside)
			fail_msg("%s.%s: its field is outside its section's part",
				 e->section, e->key);
		for (size_t j = 0; j < i; j++) {
			const struct setting *o = settings_at(j);

			if (e->offset < o->offset + settings_field_size(o) &&
			    o->offset < end)
				fail_msg("%s.%s and %s.%s share bytes", e->section,
					 e->key, o->section, o->key);
		}
	}
}

/*
 * A row that may not exceed another names a key of its own section and
 * type, whose default it keeps below.
 */
static void test_not_above(void **state)
{
	struct settings s;
	const struct setting *lo, *hi;

	(void)state;
	settings_defaults(&s);
	for (size_t i = 0; i < settings_count(); i++) {
		const struct setting *e = settings_at(i), *h;

		if (e->not_above == NULL)
			continue;
		h = settings_find(e->section, e->not_above);
		if (h == NULL || h == e || h->type != e->type)
			fail_msg("%s.%s: not above %s, no other key of its type",
				 e->section, e->key, e->not_above);
		assert_true(e->def <= h->def);
	}
	assert_string_equal(settings_find("time_wait_accumulation",
					  "port_range_low")->not_above,
			    "port_range_high");
	assert_string_equal(settings_find("nagle_delayed_ack",
					  "min_delay")->not_above, "max_delay");
	assert_true(settings_check_order(&s, &lo, &hi));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_is_defaults),
		cmocka_unit_test(test_row_defaults),
		cmocka_unit_test(test_rows_in_their_block),
		cmocka_unit_test(test_not_above),
		cmocka_unit_test(test_defaults_round_trip),
		cmocka_unit_test(test_changed_round_trip),
		cmocka_unit_test(test_seconds_round_trip),
		cmocka_unit_test(test_share_round_trip),
		cmocka_unit_test(test_share_grid),
		cmocka_unit_test(test_first_line_sanitized),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_range_edges),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
