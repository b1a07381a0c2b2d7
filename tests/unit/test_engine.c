/*
 * analyzer/engine: the session driven directly, as live mode and the
 * dashboard will drive it: packets fed one by one from real captures,
 * time advanced without packets, results read with and without the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture_source.h"
#include "decode.h"
#include "engine.h"
#include "settings.h"

static struct engine *engine_default(void)
{
	struct settings s;
	struct engine_config cfg;

	settings_defaults(&s);
	cfg.analyzer = s.engine;
	cfg.detect = s.detect;
	cfg.top_n = 5;
	return engine_new(&cfg);
}

/* Feeds the first max frames of path; returns the time of the last. */
static int64_t feed_file(struct engine *e, const char *path, uint64_t max)
{
	const char *paths[1] = {path};
	enum capture_error err;
	char msg[256];
	struct capture_source *src =
		capture_source_open(paths, 1, NULL, &err, msg, sizeof(msg));
	struct capture_frame frame;
	struct packet pkt;
	uint64_t n = 0;
	int64_t last = 0;

	assert_non_null(src);
	while (n < max && capture_source_next(src, &frame) == 1) {
		decode_packet(&pkt, frame.link_type, frame.data, frame.cap_len,
			      frame.wire_len);
		pkt.frame_no = ++n;
		pkt.ts = frame.ts;
		pkt.has_ts = frame.has_ts;
		if (frame.has_ts)
			last = pkt_time_ns(frame.ts);
		engine_feed(e, &pkt);
	}
	capture_source_free(src);
	return last;
}

static const struct finding *find(const struct engine_results *r,
				  enum finding_id id)
{
	for (size_t i = 0; i < r->n_findings; i++)
		if (r->findings[i].id == id)
			return &r->findings[i];
	return NULL;
}

/* 40 connections the server never closed: a finding and 40 sockets. */
static void test_close_wait_leak(void **state)
{
	struct engine *e = engine_default();
	struct engine_results r;
	const struct finding *f;
	uint32_t close_wait = 0;

	(void)state;
	assert_non_null(e);
	feed_file(e, "testdata/lab/close_wait_leak.pcap", UINT64_MAX);
	engine_finish(e);
	assert_true(engine_results(e, &r));
	f = find(&r, FINDING_CLOSE_WAIT_LEAK);
	assert_non_null(f);
	assert_string_equal(f->subject, "192.0.2.2:8005");
	assert_int_equal((int)f->value, 40);
	for (size_t i = 0; i < r.n_hosts; i++)
		close_wait += r.hosts[i].count[TCP_STATE_CLOSE_WAIT];
	assert_int_equal(close_wait, 40);
	assert_int_equal(r.stats->packets, r.stats->tcp_segments + r.stats->untracked +
			 r.stats->udp_datagrams + r.stats->icmp_messages);
	engine_free(e);
}

/*
 * The flood is known before the end of input once time moves on: what
 * live mode sees each second, with no packet to carry the time.  The
 * first 200 frames are 100 SYNs and their SYN-ACKs within 0.99 s: none
 * has waited the second that makes an attempt half-open, so only the
 * time advanced past them can tell.
 */
static void test_flood_known_before_the_end(void **state)
{
	struct engine *e = engine_default();
	struct engine_results r;
	const struct finding *f;
	int64_t last;

	(void)state;
	assert_non_null(e);
	last = feed_file(e, "testdata/odd-times-syn-flood.pcap", 200);
	assert_true(engine_results(e, &r));
	assert_null(find(&r, FINDING_SYN_FLOOD));
	engine_advance(e, last + 5 * INT64_C(1000000000));
	assert_true(engine_results(e, &r));
	f = find(&r, FINDING_SYN_FLOOD);
	assert_non_null(f);
	assert_string_equal(f->subject, "198.51.100.20:80");
	assert_int_equal(f->severity, SEVERITY_CRITICAL);
	/* Finishing twice is finishing once. */
	engine_finish(e);
	engine_finish(e);
	assert_true(engine_results(e, &r));
	assert_non_null(find(&r, FINDING_SYN_FLOOD));
	engine_free(e);
}

static void test_free_null(void **state)
{
	(void)state;
	engine_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_wait_leak),
		cmocka_unit_test(test_flood_known_before_the_end),
		cmocka_unit_test(test_free_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
