#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <cmocka.h>

#include "capture_source.h"
#include "decode.h"
#include "engine.h"
#include "settings.h"

/*
 * The socket counts kept as flows change (ENGINE_SOCKET_COUNTS) against
 * the walk over every flow they replace, as the oracle: two engines fed
 * the same packets, one counting, one walking, must give the same hosts
 * and summary at every snapshot: every few packets, in the quiet
 * stretches between them (engine_advance(), as live does), and after
 * the last packet while TIME_WAIT and SYN_RECV run out.
 */

#define NS_PER_SEC 1000000000LL

struct pair {
	struct engine *counting, *walking;
	struct engine_snapshot a, b;
	const char *path;
	uint64_t frames, snapshots;
	int64_t last_ts;
};

static struct engine *engine_with(unsigned parts)
{
	struct settings s;
	struct engine_config cfg = {.parts = parts};

	settings_defaults(&s);
	cfg.analyzer = s.engine;
	cfg.detect = s.detect;
	cfg.top_n = 5;
	return engine_new(&cfg);
}

static void fail_at(const struct pair *p, const char *what)
{
	fail_msg("%s: %s differ after frame %llu (snapshot %llu, at %lld)",
		 p->path, what, (unsigned long long)p->frames,
		 (unsigned long long)p->snapshots, (long long)p->a.at);
}

static bool same_row(const struct host_state_row *x,
		     const struct host_state_row *y)
{
	return x->family == y->family && x->tunnel == y->tunnel &&
	       memcmp(x->addr, y->addr, 16) == 0 && x->total == y->total &&
	       memcmp(x->count, y->count, sizeof(x->count)) == 0;
}

static void compare(struct pair *p)
{
	const struct host_states_summary *x = &p->a.hosts_left_out,
					 *y = &p->b.hosts_left_out;

	assert_true(engine_snapshot_take(p->counting, &p->a));
	assert_true(engine_snapshot_take(p->walking, &p->b));
	p->snapshots++;
	if (p->a.n_hosts != p->b.n_hosts)
		fail_at(p, "host counts");
	for (size_t i = 0; i < p->a.n_hosts; i++)
		if (!same_row(&p->a.hosts[i], &p->b.hosts[i]))
			fail_at(p, "host rows");
	if (x->syn_only_hosts != y->syn_only_hosts ||
	    x->syn_only_sockets != y->syn_only_sockets ||
	    x->syn_recv_seen != y->syn_recv_seen ||
	    x->syn_recv_gone != y->syn_recv_gone)
		fail_at(p, "summaries");
	assert_int_equal(p->a.hosts_not_counted, 0);
	/* The counting engine lists no sockets: live needs none. */
	assert_int_equal(p->a.n_sockets, 0);
}

static void advance_both(struct pair *p, int64_t now)
{
	engine_advance(p->counting, now);
	engine_advance(p->walking, now);
	compare(p);
}

/* Returns false when path is no capture (the bad-* files). */
static bool check_capture(const char *path, uint64_t every)
{
	const char *paths[1] = {path};
	enum capture_error err;
	char msg[256];
	struct capture_source *src =
		capture_source_open(paths, 1, NULL, &err, msg, sizeof(msg));
	struct capture_frame frame;
	struct packet pkt;
	struct pair p = {.path = path};

	if (src == NULL)
		return false;
	p.counting = engine_with(ENGINE_ALL | ENGINE_SOCKET_COUNTS);
	p.walking = engine_with(ENGINE_ALL);
	assert_non_null(p.counting);
	assert_non_null(p.walking);
	engine_snapshot_init(&p.a, SNAPSHOT_SOCKETS);
	engine_snapshot_init(&p.b, SNAPSHOT_SOCKETS);
	while (capture_source_next(src, &frame) == 1) {
		int64_t ts;

		decode_packet(&pkt, frame.link_type, frame.data, frame.cap_len,
			      frame.wire_len);
		pkt.frame_no = ++p.frames;
		pkt.ts = frame.ts;
		pkt.has_ts = frame.has_ts;
		ts = frame.has_ts ? pkt_time_ns(frame.ts) : p.last_ts;
		/* A quiet stretch: a snapshot in its middle, as live takes. */
		if (p.last_ts != 0 && ts - p.last_ts > NS_PER_SEC / 2)
			advance_both(&p, p.last_ts + (ts - p.last_ts) / 2);
		if (ts > p.last_ts)
			p.last_ts = ts;
		engine_feed(p.counting, &pkt);
		engine_feed(p.walking, &pkt);
		if (p.frames % every == 0)
			compare(&p);
	}
	capture_source_free(src);
	compare(&p);
	/* SYN-ACK timers (1 s doubled) and TIME_WAIT (60 s) run out. */
	for (int64_t s = 1; s <= 512 && p.last_ts != 0; s *= 2)
		advance_both(&p, p.last_ts + s * NS_PER_SEC);
	if (getenv("HOST_COUNTS_VERBOSE") != NULL)
		fprintf(stderr, "%s: %llu frames, %llu snapshots, %zu hosts\n",
			path, (unsigned long long)p.frames,
			(unsigned long long)p.snapshots, p.a.n_hosts);
	engine_snapshot_free(&p.a);
	engine_snapshot_free(&p.b);
	engine_free(p.counting);
	engine_free(p.walking);
	return true;
}

static bool is_capture(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && strcmp(name + n - 5, ".pcap") == 0) ||
	       (n > 7 && strcmp(name + n - 7, ".pcapng") == 0);
}

/* Every capture in dir, a snapshot each every frames; how many. */
static size_t check_dir(const char *dir, uint64_t every)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t checked = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		char path[512];

		if (!is_capture(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		checked += check_capture(path, every);
	}
	closedir(d);
	return checked;
}

static void test_lab_captures(void **state)
{
	(void)state;
	assert_true(check_dir("testdata/lab", 3) >= 41);
}

static void test_testdata_captures(void **state)
{
	(void)state;
	assert_true(check_dir("testdata", 1) >= 40);
}

static void test_public_captures(void **state)
{
	(void)state;
	assert_true(check_dir("testdata/real", 7) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab_captures),
		cmocka_unit_test(test_testdata_captures),
		cmocka_unit_test(test_public_captures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
