#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "capture_source.h"

/* A directory of small pcap files written by the tests. */
static char dir[] = "/tmp/tcplens-capture-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

struct record {
	uint32_t sec, usec, caplen, len;
	uint8_t tag;          /* first payload byte, to tell frames apart */
	uint16_t ethertype;   /* filters match on it */
};

/*
 * Writes a microsecond pcap (Ethernet) of the records; with cut > 0 the
 * file ends cut bytes into the last record's data.
 */
static const char *write_pcap(const char *name, const struct record *r,
			      size_t n, size_t cut)
{
	static char path[256];
	/* magic, version 2.4, zone 0, sigfigs 0, snaplen 65535, EN10MB */
	static const uint32_t hdr[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	fwrite(hdr, sizeof(hdr), 1, f);
	for (size_t i = 0; i < n; i++) {
		uint8_t frame[64] = {0};
		uint32_t rec[4] = {r[i].sec, r[i].usec, r[i].caplen, r[i].len};
		size_t data = r[i].caplen < sizeof(frame) ? r[i].caplen : sizeof(frame);

		frame[12] = (uint8_t)(r[i].ethertype >> 8);
		frame[13] = (uint8_t)r[i].ethertype;
		frame[14] = r[i].tag;
		fwrite(rec, sizeof(rec), 1, f);
		if (i + 1 == n && cut > 0)
			data = cut;
		fwrite(frame, data, 1, f);
	}
	fclose(f);
	return path;
}

static struct capture_source *open_paths(const char **paths, size_t n,
					 const char *filter)
{
	enum capture_error err;
	char msg[512];
	struct capture_source *src;

	src = capture_source_open(paths, n, filter, &err, msg, sizeof(msg));
	if (src == NULL)
		fail_msg("open: %s", msg);
	return src;
}

/* Merged order follows time; equal times keep the order given. */
static void test_merge_order_and_ties(void **state)
{
	static const struct record a[] = {
		{100, 5, 60, 60, 'a', 0x88b5}, {100, 7, 60, 60, 'b', 0x88b5},
	};
	static const struct record b[] = {
		{100, 5, 60, 60, 'c', 0x88b5}, {100, 6, 60, 60, 'd', 0x88b5},
	};
	char pa[256], pb[256];
	const char *paths[2] = {pa, pb};
	struct capture_source *src;
	struct capture_frame f;
	char order[8] = {0};
	size_t n = 0;

	(void)state;
	snprintf(pa, sizeof(pa), "%s", write_pcap("a.pcap", a, 2, 0));
	snprintf(pb, sizeof(pb), "%s", write_pcap("b.pcap", b, 2, 0));
	src = open_paths(paths, 2, NULL);
	while (capture_source_next(src, &f) == 1 && n < 7) {
		order[n++] = (char)f.data[14];
		assert_true(f.has_ts);
	}
	assert_string_equal(order, "acdb");
	capture_source_free(src);
}

/* Two inputs breaking in the same read: both warnings come out. */
static void test_every_break_warned(void **state)
{
	static const struct record r[] = {{1, 0, 60, 60, 'x', 0x88b5}};
	char pa[256], pb[256];
	const char *paths[2] = {pa, pb};
	struct capture_source *src;
	struct capture_frame f;
	const char *w;
	int warnings = 0;

	(void)state;
	snprintf(pa, sizeof(pa), "%s", write_pcap("c.pcap", r, 1, 10));
	snprintf(pb, sizeof(pb), "%s", write_pcap("d.pcap", r, 1, 10));
	src = open_paths(paths, 2, NULL);
	assert_int_equal(capture_source_next(src, &f), 0);
	while ((w = capture_source_take_warning(src)) != NULL) {
		assert_non_null(strstr(w, "packet 1"));
		warnings++;
	}
	assert_int_equal(warnings, 2);
	assert_int_equal(capture_source_input(src, 0)->broken_at_frame, 1);
	assert_int_equal(capture_source_input(src, 1)->broken_at_frame, 1);
	capture_source_free(src);
}

/* With a filter, a break is still numbered by records in the file. */
static void test_break_number_with_filter(void **state)
{
	static const struct record r[] = {
		{1, 0, 60, 60, 'x', 0x0800}, {2, 0, 60, 60, 'y', 0x86dd},
		{3, 0, 60, 60, 'z', 0x0800},
	};
	const char *paths[1];
	struct capture_source *src;
	struct capture_frame f;
	const struct capture_input_info *info;
	int frames = 0;

	(void)state;
	paths[0] = write_pcap("e.pcap", r, 3, 20);
	src = open_paths(paths, 1, "ip6");
	while (capture_source_next(src, &f) == 1)
		frames++;
	info = capture_source_input(src, 0);
	assert_int_equal(frames, 1);
	assert_int_equal(info->frames, 1);
	assert_int_equal(info->records, 2);
	assert_int_equal(info->broken_at_frame, 3);
	assert_non_null(strstr(capture_source_take_warning(src), "packet 3"));
	capture_source_free(src);
}

/* Fractions of 1 s or more are carried; caplen > len raises len. */
static void test_odd_records_normalised(void **state)
{
	static const struct record r[] = {
		{10, 2000000, 60, 60, 'x', 0x88b5}, {11, 0, 54, 20, 'y', 0x88b5},
		{0, 0, 60, 60, 'z', 0x88b5},
	};
	const char *paths[1];
	struct capture_source *src;
	struct capture_frame f;
	const struct capture_input_info *info;

	(void)state;
	paths[0] = write_pcap("f.pcap", r, 3, 0);
	src = open_paths(paths, 1, NULL);
	assert_int_equal(capture_source_next(src, &f), 1);
	assert_int_equal(f.ts.sec, 12);
	assert_int_equal(f.ts.nsec, 0);
	assert_int_equal(capture_source_next(src, &f), 1);
	assert_int_equal(f.cap_len, 54);
	assert_int_equal(f.wire_len, 54);
	/* Time 0 in a pcap file is a time (1970), not a missing one. */
	assert_int_equal(capture_source_next(src, &f), 1);
	assert_true(f.has_ts);
	info = capture_source_input(src, 0);
	assert_int_equal(info->bad_timestamps, 1);
	assert_int_equal(info->caplen_over_wire, 1);
	capture_source_free(src);
}

/*
 * The time fields are unsigned (pcap-savefile(5)): seconds past 2^31
 * are 2038 and later, not 1901; a fraction field past 2^31 moves a
 * frame 2,147 s, not 584 years, and its time is not trusted.
 */
static void test_unsigned_time_fields(void **state)
{
	static const struct record r[] = {
		{0x80000000u, 0, 60, 60, 'a', 0x88b5},
		{0xFFFFFFFFu, 999999, 60, 60, 'b', 0x88b5},
		{100, 0x80000000u, 60, 60, 'c', 0x88b5},
		{100, 0xFFFFFFFFu, 60, 60, 'd', 0x88b5},
	};
	const char *paths[1];
	struct capture_source *src;
	struct capture_frame f;

	(void)state;
	paths[0] = write_pcap("t.pcap", r, 4, 0);
	src = open_paths(paths, 1, NULL);
	assert_int_equal(capture_source_next(src, &f), 1);
	assert_int_equal(f.ts.sec, INT64_C(2147483648));
	assert_true(f.has_ts);
	assert_int_equal(capture_source_next(src, &f), 1);
	assert_int_equal(f.ts.sec, INT64_C(4294967295));
	assert_int_equal(f.ts.nsec, 999999000);
	assert_true(f.has_ts);
	assert_int_equal(capture_source_next(src, &f), 1);
	assert_int_equal(f.ts.sec, 100 + 2147);
	assert_int_equal(f.ts.nsec, 483648000);
	assert_false(f.has_ts);
	assert_int_equal(capture_source_next(src, &f), 1);
	assert_int_equal(f.ts.sec, 100 + 4294);
	assert_int_equal(f.ts.nsec, 967295000);
	assert_false(f.has_ts);
	assert_int_equal(capture_source_input(src, 0)->bad_timestamps, 2);
	capture_source_free(src);
}

struct tags {
	char seen[16];
	size_t n;
};

static void collect_tag(void *ctx, const struct capture_frame *f)
{
	struct tags *t = ctx;

	if (t->n + 1 < sizeof(t->seen))
		t->seen[t->n++] = (char)f->data[14];
}

/* Batches of n through capture_source_run(), after pulling `pulled`. */
static void run_batches(const char **paths, size_t n_paths,
			const char *filter, size_t pulled, size_t batch,
			char *out)
{
	struct capture_source *src = open_paths(paths, n_paths, filter);
	struct capture_frame f;
	struct tags t = {{0}, 0};

	for (size_t i = 0; i < pulled && capture_source_next(src, &f) == 1; i++)
		t.seen[t.n++] = (char)f.data[14];
	while (capture_source_run(src, collect_tag, &t, batch) > 0)
		;
	assert_int_equal(capture_source_run(src, collect_tag, &t, batch), 0);
	snprintf(out, sizeof(t.seen), "%s", t.seen);
	capture_source_free(src);
}

/*
 * The push loop (pcap_dispatch for one input) hands out exactly the
 * frames, in the order, that pulling them one by one does.
 */
static void test_run_matches_next(void **state)
{
	static const struct record a[] = {
		{1, 0, 60, 60, 'a', 0x0800}, {2, 0, 60, 60, 'b', 0x86dd},
		{3, 0, 60, 60, 'c', 0x0800}, {5, 0, 60, 60, 'd', 0x0800},
	};
	static const struct record b[] = {
		{2, 0, 60, 60, 'x', 0x0800}, {4, 0, 60, 60, 'y', 0x0800},
	};
	char pa[256], pb[256], got[16];
	const char *one[1] = {pa};
	const char *two[2] = {pa, pb};

	(void)state;
	snprintf(pa, sizeof(pa), "%s", write_pcap("r1.pcap", a, 4, 0));
	snprintf(pb, sizeof(pb), "%s", write_pcap("r2.pcap", b, 2, 0));
	for (size_t batch = 1; batch <= 5; batch++) {
		run_batches(one, 1, NULL, 0, batch, got);
		assert_string_equal(got, "abcd");
		run_batches(one, 1, "ip", 0, batch, got);
		assert_string_equal(got, "acd");
		run_batches(one, 1, NULL, 1, batch, got);
		assert_string_equal(got, "abcd");
		run_batches(two, 2, NULL, 0, batch, got);
		assert_string_equal(got, "abxcyd");
	}
}

static void test_open_errors(void **state)
{
	static const struct record r[] = {{0, 0, 60, 60, 'x', 0x88b5}};
	const char *twice[2] = {"-", "-"};
	const char *missing[1];
	const char *dirs[1] = {"/tmp"};
	char path[256];
	enum capture_error err;
	char msg[512];

	(void)state;
	assert_null(capture_source_open(twice, 2, NULL, &err, msg, sizeof(msg)));
	assert_int_equal(err, CAPTURE_ERR_USAGE);
	snprintf(path, sizeof(path), "%s/none.pcap", dir);
	missing[0] = path;
	assert_null(capture_source_open(missing, 1, NULL, &err, msg, sizeof(msg)));
	assert_int_equal(err, CAPTURE_ERR_OPEN);
	assert_non_null(strstr(msg, path));
	assert_null(capture_source_open(dirs, 1, NULL, &err, msg, sizeof(msg)));
	assert_int_equal(err, CAPTURE_ERR_OPEN);
	missing[0] = write_pcap("g.pcap", r, 1, 0);
	assert_null(capture_source_open(missing, 1, "tcp port", &err, msg,
					sizeof(msg)));
	assert_int_equal(err, CAPTURE_ERR_FILTER);
	assert_non_null(strstr(msg, "'tcp port'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_order_and_ties),
		cmocka_unit_test(test_every_break_warned),
		cmocka_unit_test(test_break_number_with_filter),
		cmocka_unit_test(test_odd_records_normalised),
		cmocka_unit_test(test_unsigned_time_fields),
		cmocka_unit_test(test_run_matches_next),
		cmocka_unit_test(test_open_errors),
	};
	return cmocka_run_group_tests_name("capture_source", tests, setup,
					   teardown);
}
