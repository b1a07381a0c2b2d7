/*
 * analyzer/engine: the session driven directly, as live mode and the
 * dashboard will drive it: packets fed one by one from real captures,
 * time advanced without packets, results read with and without the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture_source.h"
#include "decode.h"
#include "engine.h"
#include "settings.h"
#include "unit_helpers.h"
#include "unit_packets.h"

static struct engine *engine_default(void)
{
	struct settings s;
	struct engine_config cfg = {.parts = ENGINE_ALL};

	settings_defaults(&s);
	cfg.analyzer = s.engine;
	cfg.detect = s.detect;
	cfg.top_n = 5;
	return engine_new(&cfg);
}

/* Feeds frames skip + 1 to skip + max of path; the last one's time. */
static int64_t feed_frames(struct engine *e, const char *path, uint64_t skip,
			   uint64_t max)
{
	return unit_feed_frames(e, path, skip, max);
}

/* The first max frames of path. */
static int64_t feed_file(struct engine *e, const char *path, uint64_t max)
{
	return unit_feed_frames(e, path, 0, max);
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

/* The finding of id in a snapshot, with how many there are of it. */
static const struct engine_finding *snap_find(const struct engine_snapshot *s,
					      enum finding_id id, int *count)
{
	const struct engine_finding *hit = NULL;

	*count = 0;
	for (size_t i = 0; i < s->n_findings; i++)
		if (s->findings[i].finding.id == id) {
			hit = &s->findings[i];
			(*count)++;
		}
	return hit;
}

/*
 * Mid-capture, a snapshot holds the live connections with both
 * endpoints' states, each host's sockets and the live ranking; after the
 * end, no live flow is left and the sockets are those the capture left.
 */
static void test_snapshot_mid_capture(void **state)
{
	struct engine *e = engine_default();
	struct engine_snapshot s;
	uint32_t close_wait = 0, cw_flows = 0;
	bool live_row = false;

	(void)state;
	assert_non_null(e);
	engine_snapshot_init(&s, SNAPSHOT_ALL);
	feed_file(e, "testdata/lab/close_wait_leak.pcap", 283);
	assert_true(engine_snapshot_take(e, &s));
	assert_false(s.finished);
	assert_int_equal(s.counters.packets, 283);
	assert_true(s.n_flows >= 40);
	for (size_t i = 0; i < s.n_flows; i++) {
		if (i > 0)
			assert_true(s.flows[i - 1].first_ts <= s.flows[i].first_ts);
		if (s.flows[i].proto == 6 &&
		    s.flows[i].state[1] == TCP_STATE_CLOSE_WAIT)
			cw_flows++;
	}
	assert_int_equal(cw_flows, 40);
	for (size_t i = 0; i < s.n_sockets; i++)
		if (s.sockets[i].state == TCP_STATE_CLOSE_WAIT)
			close_wait++;
	assert_int_equal(close_wait, 40);
	assert_true(s.n_hosts >= 2);
	assert_true(s.n_top > 0 && s.n_top <= 5);
	for (size_t i = 0; i < s.n_top; i++)
		if (s.top[i].live && (s.top[i].reasons & TROUBLE_CLOSE_WAIT))
			live_row = true;
	assert_true(live_row);

	feed_frames(e, "testdata/lab/close_wait_leak.pcap", 283, UINT64_MAX);
	engine_finish(e);
	assert_true(engine_snapshot_take(e, &s));
	assert_true(s.finished);
	assert_int_equal(s.n_flows, 0);
	assert_int_equal(s.n_sockets, 0);       /* counted per host only */
	close_wait = 0;
	for (size_t i = 0; i < s.n_hosts; i++)
		close_wait += s.hosts[i].count[TCP_STATE_CLOSE_WAIT];
	assert_int_equal(close_wait, 40);
	for (size_t i = 0; i < s.n_top; i++)
		assert_false(s.top[i].live);
	engine_snapshot_free(&s);
	engine_free(e);
}

/*
 * A finding is new once, then the same until its measures move, then
 * resolved once its condition stops holding: one entry all along.
 */
static void test_findings_lifecycle(void **state)
{
	struct engine *e = engine_default();
	struct engine_snapshot s;
	const struct engine_finding *f;
	int64_t last;
	uint32_t key;
	int n;

	(void)state;
	assert_non_null(e);
	engine_snapshot_init(&s, SNAPSHOT_FINDINGS);
	last = feed_file(e, "testdata/odd-times-syn-flood.pcap", 200);
	assert_true(engine_snapshot_take(e, &s));
	assert_null(snap_find(&s, FINDING_SYN_FLOOD, &n));
	assert_int_equal(s.n_flows, 0);         /* not asked for */

	engine_advance(e, last + 2 * INT64_C(1000000000));
	assert_true(engine_snapshot_take(e, &s));
	f = snap_find(&s, FINDING_SYN_FLOOD, &n);
	assert_non_null(f);
	assert_int_equal(n, 1);
	assert_int_equal(f->change, FINDING_CHANGE_NEW);
	assert_true(f->finding.ongoing);
	assert_int_equal(s.findings_by_severity[SEVERITY_CRITICAL], 1);
	key = f->finding.key;

	assert_true(engine_snapshot_take(e, &s));
	f = snap_find(&s, FINDING_SYN_FLOOD, &n);
	assert_int_equal(n, 1);
	assert_int_equal(f->change, FINDING_CHANGE_SAME);
	assert_int_equal(f->finding.key, key);

	/* A window (10 s) and more without an attempt: the flood is over. */
	engine_advance(e, last + 30 * INT64_C(1000000000));
	assert_true(engine_snapshot_take(e, &s));
	f = snap_find(&s, FINDING_SYN_FLOOD, &n);
	assert_int_equal(n, 1);
	assert_int_equal(f->change, FINDING_CHANGE_RESOLVED);
	assert_false(f->finding.ongoing);
	assert_int_equal(f->finding.key, key);
	assert_int_equal(s.findings_by_severity[SEVERITY_CRITICAL], 0);

	assert_true(engine_snapshot_take(e, &s));
	f = snap_find(&s, FINDING_SYN_FLOOD, &n);
	assert_int_equal(n, 1);
	assert_int_equal(f->change, FINDING_CHANGE_SAME);
	engine_snapshot_free(&s);
	engine_free(e);
}

/* The handshake of 192.0.2.1:40000 to 192.0.2.2:80, then the client's FIN. */
static void open_then_client_fin(struct unit_wire *w)
{
	unit_feed_tcp(w, 0, "192.0.2.1", 40000, "192.0.2.2", 80,
		      TCP_FLAG_SYN, 100, 0, 65535, 0);
	unit_feed_tcp(w, 1000000, "192.0.2.2", 80, "192.0.2.1", 40000,
		      TCP_FLAG_SYN | TCP_FLAG_ACK, 500, 101, 65535, 0);
	unit_feed_tcp(w, 2000000, "192.0.2.1", 40000, "192.0.2.2", 80,
		      TCP_FLAG_ACK, 101, 501, 65535, 0);
	unit_feed_tcp(w, 3000000, "192.0.2.1", 40000, "192.0.2.2", 80,
		      TCP_FLAG_FIN | TCP_FLAG_ACK, 101, 501, 65535, 0);
	unit_feed_tcp(w, 4000000, "192.0.2.2", 80, "192.0.2.1", 40000,
		      TCP_FLAG_ACK, 501, 102, 65535, 0);
}

/*
 * A server idle in CLOSE_WAIT is a leak once min_age (1 s) passes, with
 * the connection still open: live mode sees it then, and sees it resolve
 * when the server closes, one finding all along.
 */
static void test_close_wait_live(void **state)
{
	struct engine *e = engine_default();
	struct unit_wire w = {0};
	struct engine_snapshot s;
	struct engine_results r;
	const struct engine_finding *f;
	int n;

	(void)state;
	assert_non_null(e);
	w.a = engine_analyzer(e);
	w.epoch_ns = SEC(1700000000);
	engine_snapshot_init(&s, SNAPSHOT_FINDINGS | SNAPSHOT_SOCKETS);
	open_then_client_fin(&w);
	engine_advance(e, w.epoch_ns + MS(500));
	assert_true(engine_snapshot_take(e, &s));
	assert_null(snap_find(&s, FINDING_CLOSE_WAIT_LEAK, &n));
	assert_int_equal(s.n_sockets, 3);       /* and the listener */

	engine_advance(e, w.epoch_ns + SEC(2));
	assert_true(engine_snapshot_take(e, &s));
	f = snap_find(&s, FINDING_CLOSE_WAIT_LEAK, &n);
	assert_non_null(f);
	assert_int_equal(n, 1);
	assert_int_equal(f->change, FINDING_CHANGE_NEW);
	assert_true(f->finding.ongoing);
	assert_true(f->finding.value == 1);
	assert_string_equal(f->finding.subject, "192.0.2.2:80");
	assert_non_null(strstr(f->finding.summary, "1 still in CLOSE_WAIT now"));

	unit_feed_tcp(&w, SEC(3), "192.0.2.2", 80, "192.0.2.1", 40000,
		      TCP_FLAG_FIN | TCP_FLAG_ACK, 501, 102, 65535, 0);
	unit_feed_tcp(&w, SEC(3) + MS(1), "192.0.2.1", 40000, "192.0.2.2",
		      80, TCP_FLAG_ACK, 102, 502, 65535, 0);
	assert_true(engine_snapshot_take(e, &s));
	f = snap_find(&s, FINDING_CLOSE_WAIT_LEAK, &n);
	assert_int_equal(n, 1);
	assert_int_equal(f->change, FINDING_CHANGE_RESOLVED);
	assert_false(f->finding.ongoing);
	assert_true(f->finding.value == 1);     /* closed late: still counted */

	engine_finish(e);
	assert_true(engine_results(e, &r));
	assert_non_null(find(&r, FINDING_CLOSE_WAIT_LEAK));
	engine_snapshot_free(&s);
	engine_free(e);
}

/* A CLOSE_WAIT shorter than min_age is no leak, live or at the end. */
static void test_close_wait_short(void **state)
{
	struct engine *e = engine_default();
	struct unit_wire w = {0};
	struct engine_results r;

	(void)state;
	assert_non_null(e);
	w.a = engine_analyzer(e);
	w.epoch_ns = SEC(1700000000);
	open_then_client_fin(&w);
	engine_advance(e, w.epoch_ns + MS(500));
	unit_feed_tcp(&w, MS(500) + 1, "192.0.2.2", 80, "192.0.2.1", 40000,
		      TCP_FLAG_FIN | TCP_FLAG_ACK, 501, 102, 65535, 0);
	engine_advance(e, w.epoch_ns + SEC(5));
	engine_finish(e);
	assert_true(engine_results(e, &r));
	assert_null(find(&r, FINDING_CLOSE_WAIT_LEAK));
	engine_free(e);
}

/* A SYN from 192.0.2.1:40001 to 192.0.2.2:81 at 0 s, retried at 1 and 3 s. */
static void syn_retried_twice(struct unit_wire *w)
{
	for (int i = 0; i < 3; i++)
		unit_feed_tcp(w, (int64_t[]){0, SEC(1), SEC(3)}[i], "192.0.2.1",
			      40001, "192.0.2.2", 81, TCP_FLAG_SYN, 7000, 0,
			      65535, 0);
}

/*
 * A SYN retried twice with no answer is known at once, while it still
 * retries; answered after all, it is withdrawn once and gone after, and
 * the end of input reports nothing.
 */
static void test_syn_unanswered_live(void **state)
{
	struct engine *e = engine_default();
	struct unit_wire w = {0};
	struct engine_snapshot s;
	struct engine_results r;
	const struct engine_finding *f;
	int n;

	(void)state;
	assert_non_null(e);
	w.a = engine_analyzer(e);
	w.epoch_ns = SEC(1700000000);
	engine_snapshot_init(&s, SNAPSHOT_FINDINGS);
	syn_retried_twice(&w);
	assert_true(engine_snapshot_take(e, &s));
	f = snap_find(&s, FINDING_SYN_UNANSWERED, &n);
	assert_non_null(f);
	assert_int_equal(f->change, FINDING_CHANGE_NEW);
	assert_true(f->finding.ongoing);
	assert_true(f->finding.value == 1);
	assert_non_null(strstr(f->finding.summary, "1 still retrying"));

	unit_feed_tcp(&w, SEC(3) + MS(1), "192.0.2.2", 81, "192.0.2.1",
		      40001, TCP_FLAG_SYN | TCP_FLAG_ACK, 9000, 7001, 65535, 0);
	assert_true(engine_snapshot_take(e, &s));
	f = snap_find(&s, FINDING_SYN_UNANSWERED, &n);
	assert_non_null(f);
	assert_int_equal(n, 1);
	assert_int_equal(f->change, FINDING_CHANGE_WITHDRAWN);
	assert_false(f->finding.ongoing);
	assert_true(engine_snapshot_take(e, &s));
	assert_null(snap_find(&s, FINDING_SYN_UNANSWERED, &n));

	engine_finish(e);
	assert_true(engine_results(e, &r));
	assert_null(find(&r, FINDING_SYN_UNANSWERED));
	engine_snapshot_free(&s);
	engine_free(e);
}

/* A refused attempt: the client's SYN and the server's RST. */
static void refused_at(struct unit_wire *w, int64_t t, const char *cli,
		       const char *srv, uint16_t port)
{
	unit_feed_tcp(w, t, cli, 40000, srv, port, TCP_FLAG_SYN, 7000, 0,
		      65535, 0);
	unit_feed_tcp(w, t + US(100), srv, port, cli, 40000,
		      TCP_FLAG_RST | TCP_FLAG_ACK, 0, 7001, 0, 0);
}

/*
 * Issue 15: with a store of 64 subjects and a refused port every 3 s, a
 * refused port's finding is new, resolved once a minute passes, then
 * folded into counts once (never withdrawn, never resolved again), and
 * gone from the snapshots after; the results count it.
 */
static void test_folded_finding_live(void **state)
{
	struct settings st;
	struct engine_config cfg = {.parts = ENGINE_ALL};
	struct engine *e;
	struct unit_wire w = {0};
	struct engine_snapshot s;
	struct engine_results r;
	int changes[FINDING_CHANGE_FOLDED + 1] = {0}, gone = 0;
	uint32_t key = 0;

	(void)state;
	settings_defaults(&st);
	st.engine.max_subjects = 64;
	cfg.analyzer = st.engine;
	cfg.detect = st.detect;
	e = engine_new(&cfg);
	assert_non_null(e);
	w.a = engine_analyzer(e);
	w.epoch_ns = SEC(1700000000);
	engine_snapshot_init(&s, SNAPSHOT_FINDINGS);
	refused_at(&w, 0, "192.0.2.1", "10.9.9.9", 443);
	for (int i = 0; i < 200; i++) {
		const struct engine_finding *mine = NULL;
		char cli[32], srv[32];

		snprintf(cli, sizeof(cli), "172.16.%d.%d", i / 200, i % 200 + 1);
		snprintf(srv, sizeof(srv), "10.0.%d.%d", i / 200, i % 200 + 1);
		refused_at(&w, SEC(1) + SEC(3) * i, cli, srv, 80);
		assert_true(engine_snapshot_take(e, &s));
		for (size_t j = 0; j < s.n_findings; j++)
			if (strcmp(s.findings[j].finding.subject,
				   "10.9.9.9:443") == 0)
				mine = &s.findings[j];
		if (mine == NULL) {
			gone += changes[FINDING_CHANGE_FOLDED] > 0;
			continue;
		}
		if (key == 0)
			key = mine->finding.key;
		assert_int_equal(mine->finding.key, key);
		changes[mine->change]++;
	}
	assert_int_equal(changes[FINDING_CHANGE_NEW], 1);
	assert_int_equal(changes[FINDING_CHANGE_RESOLVED], 1);
	assert_int_equal(changes[FINDING_CHANGE_FOLDED], 1);
	assert_int_equal(changes[FINDING_CHANGE_WITHDRAWN], 0);
	assert_true(gone > 0);
	engine_finish(e);
	assert_true(engine_results(e, &r));
	assert_int_equal(r.not_tracked, 0);
	assert_non_null(r.folded);
	assert_true(r.folded[FINDING_CONNECTION_REFUSED].count > 100);
	assert_int_equal(r.folded[FINDING_CONNECTION_REFUSED].first_ts,
			 SEC(1700000000) + US(100));
	engine_snapshot_free(&s);
	engine_free(e);
}

/* Never answered, the live finding is the one the end reports. */
static void test_syn_unanswered_confirmed(void **state)
{
	struct engine *e = engine_default();
	struct unit_wire w = {0};
	struct engine_results r;
	const struct finding *f;

	(void)state;
	assert_non_null(e);
	w.a = engine_analyzer(e);
	w.epoch_ns = SEC(1700000000);
	syn_retried_twice(&w);
	engine_finish(e);
	assert_true(engine_results(e, &r));
	f = find(&r, FINDING_SYN_UNANSWERED);
	assert_non_null(f);
	assert_true(f->value == 1);
	assert_null(strstr(f->summary, "still retrying"));
	engine_free(e);
}

/*
 * Data from the client that the server never acknowledges, resent with
 * back-off: after three resends the peer is taken for dead, live; when
 * it speaks again the finding is withdrawn (3 resends are under the
 * burst threshold of 10).
 */
static void test_dead_peer_live(void **state)
{
	struct engine *e = engine_default();
	struct unit_wire w = {0};
	struct engine_snapshot s;
	struct engine_results r;
	const struct engine_finding *f;
	int64_t t = 3000000;
	int n;

	(void)state;
	assert_non_null(e);
	w.a = engine_analyzer(e);
	w.epoch_ns = SEC(1700000000);
	engine_snapshot_init(&s, SNAPSHOT_FINDINGS);
	unit_feed_tcp(&w, 0, "192.0.2.1", 40002, "192.0.2.2", 82,
		      TCP_FLAG_SYN, 100, 0, 65535, 0);
	unit_feed_tcp(&w, 1000000, "192.0.2.2", 82, "192.0.2.1", 40002,
		      TCP_FLAG_SYN | TCP_FLAG_ACK, 500, 101, 65535, 0);
	unit_feed_tcp(&w, 2000000, "192.0.2.1", 40002, "192.0.2.2", 82,
		      TCP_FLAG_ACK, 101, 501, 65535, 0);
	unit_feed_tcp(&w, 2500000, "192.0.2.1", 40002, "192.0.2.2", 82,
		      TCP_FLAG_ACK | TCP_FLAG_PSH, 101, 501, 65535, 100);
	unit_feed_tcp(&w, 2600000, "192.0.2.2", 82, "192.0.2.1", 40002,
		      TCP_FLAG_ACK, 501, 201, 65535, 0);
	for (int i = 0; i < 4; i++) {
		unit_feed_tcp(&w, t, "192.0.2.1", 40002, "192.0.2.2", 82,
			      TCP_FLAG_ACK | TCP_FLAG_PSH, 201, 501, 65535, 100);
		t += (INT64_C(200000000) << i);
	}
	assert_true(engine_snapshot_take(e, &s));
	f = snap_find(&s, FINDING_RETRANSMIT_BURST, &n);
	assert_non_null(f);
	assert_int_equal(f->change, FINDING_CHANGE_NEW);
	assert_true(f->finding.ongoing);
	assert_non_null(strstr(f->finding.summary, "no answer so far"));

	unit_feed_tcp(&w, t, "192.0.2.2", 82, "192.0.2.1", 40002,
		      TCP_FLAG_ACK, 501, 301, 65535, 0);
	assert_true(engine_snapshot_take(e, &s));
	f = snap_find(&s, FINDING_RETRANSMIT_BURST, &n);
	assert_non_null(f);
	assert_int_equal(f->change, FINDING_CHANGE_WITHDRAWN);
	engine_finish(e);
	assert_true(engine_results(e, &r));
	assert_null(find(&r, FINDING_RETRANSMIT_BURST));
	engine_snapshot_free(&s);
	engine_free(e);
}

/* A consumer that counts each TCP flow's segments in its own storage. */
struct seg_counter {
	size_t storage;
	uint64_t ends, mismatches, segments, findings;
	uintptr_t seen_at[2];   /* lowest and highest storage address + size */
};

static void counter_segment(void *ctx, const struct packet *pkt,
			    const struct flow *f,
			    const struct tcp_seg_info *info, void *storage)
{
	struct seg_counter *c = ctx;
	uint64_t n;

	(void)pkt;
	(void)f;
	(void)info;
	assert_non_null(storage);
	assert_int_equal((uintptr_t)storage % 16, 0);
	memcpy(&n, storage, sizeof(n));
	n++;
	memcpy(storage, &n, sizeof(n));
	/* The rest of the storage is the consumer's: fill it all. */
	memset((char *)storage + sizeof(n), 0x5a, c->storage - sizeof(n));
	c->segments++;
}

static void counter_end(void *ctx, const struct flow *f, void *storage)
{
	struct seg_counter *c = ctx;
	uint64_t n;

	if (!flow_is_tcp(f))
		return;
	memcpy(&n, storage, sizeof(n));
	c->ends++;
	if (n != f->dir[0].pkts + f->dir[1].pkts)
		c->mismatches++;
}

static void counter_finding(void *ctx, const struct finding *finding)
{
	(void)finding;
	((struct seg_counter *)ctx)->findings++;
}

/*
 * Two consumers beside the detectors, each with storage of its own in
 * every flow: neither disturbs the other nor the detectors' findings.
 */
static void test_consumers_own_storage(void **state)
{
	struct settings st;
	struct seg_counter a = {.storage = 8}, b = {.storage = 40};
	struct engine_consumer cons[2] = {
		{.ctx = &a, .on_tcp_segment = counter_segment,
		 .on_flow_end = counter_end, .on_finding = counter_finding,
		 .flow_storage = 8},
		{.ctx = &b, .on_tcp_segment = counter_segment,
		 .on_flow_end = counter_end, .flow_storage = 40},
	};
	struct engine_config cfg = {.parts = ENGINE_ALL, .top_n = 5,
				    .consumers = cons, .n_consumers = 2};
	struct engine *plain = engine_default(), *e;
	struct engine_results r, rp;

	(void)state;
	settings_defaults(&st);
	cfg.analyzer = st.engine;
	cfg.detect = st.detect;
	e = engine_new(&cfg);
	assert_non_null(e);
	assert_non_null(plain);
	feed_file(e, "testdata/lab/close_wait_leak.pcap", UINT64_MAX);
	feed_file(plain, "testdata/lab/close_wait_leak.pcap", UINT64_MAX);
	engine_finish(e);
	engine_finish(plain);
	assert_true(engine_results(e, &r));
	assert_true(engine_results(plain, &rp));
	assert_true(a.ends >= 40);
	assert_int_equal(a.ends, b.ends);
	assert_int_equal(a.mismatches, 0);
	assert_int_equal(b.mismatches, 0);
	assert_int_equal(a.segments, r.stats->tcp_segments);
	assert_int_equal(r.n_findings, rp.n_findings);
	assert_true(a.findings >= 1);
	assert_int_equal(b.findings, 0);
	for (size_t i = 0; i < r.n_findings; i++) {
		assert_int_equal(r.findings[i].id, rp.findings[i].id);
		assert_true(r.findings[i].value == rp.findings[i].value);
	}
	engine_free(e);
	engine_free(plain);
}

/* Without its parts the engine is a flow tracker and its consumers. */
static void test_no_parts(void **state)
{
	struct settings st;
	struct seg_counter a = {.storage = 16};
	struct engine_consumer c = {.ctx = &a,
				    .on_tcp_segment = counter_segment,
				    .on_flow_end = counter_end,
				    .flow_storage = 16};
	struct engine_config cfg = {.consumers = &c, .n_consumers = 1};
	struct engine_config too_many = {.n_consumers = ENGINE_MAX_CONSUMERS + 1};
	struct engine_results r;
	struct engine *e;

	(void)state;
	settings_defaults(&st);
	cfg.analyzer = st.engine;
	assert_null(engine_new(&too_many));
	e = engine_new(&cfg);
	assert_non_null(e);
	feed_file(e, "testdata/lab/close_wait_leak.pcap", UINT64_MAX);
	engine_finish(e);
	assert_true(engine_results(e, &r));
	assert_int_equal(r.n_findings, 0);
	assert_int_equal(r.n_hosts, 0);
	assert_int_equal(r.n_top, 0);
	assert_true(a.ends >= 40);
	assert_int_equal(a.mismatches, 0);
	engine_free(e);
}

static void test_free_null(void **state)
{
	(void)state;
	engine_free(NULL);
}

/* ------------------------------------------------------------ shards */

/* A symmetric hash of two endpoints. */
static uint64_t pair_hash(const uint8_t *x, const uint8_t *y, uint16_t px,
			  uint16_t py)
{
	uint64_t a = 0, b = 0, h;

	for (int i = 0; i < 16; i++) {
		a = a * 131 + x[i];
		b = b * 131 + y[i];
	}
	h = (a ^ b) + (uint64_t)(px ^ py) * 0x9e3779b97f4a7c15ULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 32);
}

/*
 * Which of n shards a packet goes to: its flow's, the same both ways, as
 * a NIC's symmetric receive-side scaling picks a core; an ICMP error
 * goes with the flow it quotes (as Suricata looks that flow up), and
 * fragments by their addresses alone, having no ports to go by.
 */
static unsigned shard_of(const struct packet *pkt, unsigned n)
{
	const struct icmp_quoted *q = &pkt->icmp.quoted;
	uint16_t pa = 0, pb = 0;

	if (packet_has(pkt, PROTO_ICMP) || packet_has(pkt, PROTO_ICMPV6)) {
		if (pkt->icmp.has_quoted)
			return (unsigned)(pair_hash(q->src.bytes, q->dst.bytes,
						    q->has_ports ? q->sport : 0,
						    q->has_ports ? q->dport : 0) %
					  n);
	} else if (!pkt->ip.is_fragment && packet_has(pkt, PROTO_TCP)) {
		pa = pkt->tcp.sport;
		pb = pkt->tcp.dport;
	} else if (!pkt->ip.is_fragment && packet_has(pkt, PROTO_UDP)) {
		pa = pkt->udp.sport;
		pb = pkt->udp.dport;
	}
	return (unsigned)(pair_hash(pkt->ip.src.bytes, pkt->ip.dst.bytes, pa,
				    pb) % n);
}

#define SHARDS 2

/* path's packets into one engine and, split by flow, into SHARDS. */
struct sharded {
	struct engine *whole, *shard[SHARDS];
	uint64_t fed[SHARDS];
};

static void feed_sharded_one(void *ctx, const struct packet *pkt)
{
	struct sharded *sh = ctx;
	unsigned k = shard_of(pkt, SHARDS);

	engine_feed(sh->whole, pkt);
	sh->fed[k]++;
	engine_feed(sh->shard[k], pkt);
}

static const struct finding *find_subject(const struct engine_results *r,
					  const struct finding *like)
{
	for (size_t i = 0; i < r->n_findings; i++)
		if (r->findings[i].id == like->id &&
		    strcmp(r->findings[i].subject, like->subject) == 0 &&
		    r->findings[i].details[0].number == like->details[0].number)
			return &r->findings[i];
	for (size_t i = 0; i < r->n_findings; i++)
		if (r->findings[i].id == like->id &&
		    strcmp(r->findings[i].subject, like->subject) == 0)
			return &r->findings[i];
	return NULL;
}

/* Findings whose value is the most counted at once (a window, held now). */
static bool counts_a_peak(enum finding_id id)
{
	return id == FINDING_SYN_FLOOD || id == FINDING_RST_STORM ||
	       id == FINDING_PORT_SCAN || id == FINDING_RETRANSMIT_BURST ||
	       id == FINDING_SHORT_CONNECTION_CHURN ||
	       id == FINDING_TIME_WAIT_ACCUMULATION;
}

/* The largest value any shard found for like's subject alone (0: none). */
static double shard_value(struct engine *shard, const struct finding *like)
{
	struct engine_results r;
	const struct finding *f;

	assert_true(engine_results(shard, &r));
	f = find_subject(&r, like);
	return f != NULL ? f->value : 0;
}

/*
 * Shards split by flow, each advanced to the capture's end, then merged,
 * find what one engine fed the whole capture finds: the same subjects
 * and severities; the same values where they are sums (connections,
 * attempts, resets of a cause); a peak (the most in a window, the most
 * held at once) at least every shard's own and at most the whole's,
 * since the shards' peaks need not have come at once (merging as often
 * as a window's buckets turn keeps it close).  Listed evidence is what
 * the shards listed once their own part had crossed the threshold.
 */
static void check_shards_agree(const char *path)
{
	struct sharded sh = {.whole = engine_default()};
	struct engine *whole = sh.whole, **shard = sh.shard;
	const uint64_t *fed = sh.fed;
	struct engine_results one, merged;
	double own[64][SHARDS];
	int64_t end;

	for (int k = 0; k < SHARDS; k++) {
		shard[k] = engine_default();
		assert_non_null(shard[k]);
	}
	end = unit_each_frame(path, 0, UINT64_MAX, feed_sharded_one, &sh);
	engine_finish(whole);
	assert_true(engine_results(whole, &one));
	assert_true(one.n_findings > 0 && one.n_findings <= 64);
	for (int k = 0; k < SHARDS; k++) {
		/* Every shard's capture ends when the whole capture does. */
		engine_advance(shard[k], end);
		engine_finish(shard[k]);
		/* A real split: each shard saw a good part of the packets. */
		if (fed[k] * 10 <= fed[0] + fed[1])
			fail_msg("%s: shard %d got %llu of %llu packets", path,
				 k, (unsigned long long)fed[k],
				 (unsigned long long)(fed[0] + fed[1]));
		for (size_t i = 0; i < one.n_findings; i++)
			own[i][k] = shard_value(shard[k], &one.findings[i]);
	}
	for (int k = 1; k < SHARDS; k++)
		assert_true(engine_merge_findings(shard[0], shard[k]));
	assert_true(engine_results(shard[0], &merged));
	if (merged.n_findings != one.n_findings)
		fail_msg("%s: %zu findings, %zu merged", path, one.n_findings,
			 merged.n_findings);
	for (size_t i = 0; i < one.n_findings; i++) {
		const struct finding *a = &one.findings[i];
		const struct finding *b = find_subject(&merged, a);

		if (b == NULL)
			fail_msg("%s: %s %s missing when merged", path,
				 finding_id_name(a->id), a->subject);
		if (b->severity != a->severity)
			fail_msg("%s: %s %s: severity %d, merged %d", path,
				 finding_id_name(a->id), a->subject,
				 a->severity, b->severity);
		if (!counts_a_peak(a->id) ? b->value != a->value
		    : b->value > a->value || b->value < own[i][0] ||
		      b->value < own[i][1])
			fail_msg("%s: %s %s: %g, merged %g (shards %g, %g)",
				 path, finding_id_name(a->id), a->subject,
				 a->value, b->value, own[i][0], own[i][1]);
		if (b->flow_count > a->flow_count ||
		    (!counts_a_peak(a->id) && b->flow_count != a->flow_count))
			fail_msg("%s: %s %s: %llu flows, merged %llu", path,
				 finding_id_name(a->id), a->subject,
				 (unsigned long long)a->flow_count,
				 (unsigned long long)b->flow_count);
	}
	for (int k = 0; k < SHARDS; k++)
		engine_free(shard[k]);
	engine_free(whole);
}

static void test_shards_merge(void **state)
{
	static const char *const captures[] = {
		"testdata/lab/syn_flood_no_cookies.pcap",
		"testdata/lab/syn_flood_cookies.pcap",
		"testdata/lab/rst_storm.pcap",
		"testdata/lab/port_scan.pcap",
		"testdata/lab/time_wait_pileup.pcap",
		"testdata/lab/short_connection_churn.pcap",
		"testdata/lab/close_wait_leak.pcap",
		"testdata/lab/refused.pcap",
		"testdata/lab/accept_queue_syn_drop.pcap",
		"testdata/lab/accept_queue_ack_drop.pcap",
		"testdata/lab/accept_queue_abort.pcap",
		"testdata/lab/normal_nginx_wrk.pcap",
		"testdata/real-any.pcap",
		"testdata/tcp-socket-table.pcap",
		"testdata/demo.pcap",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(captures) / sizeof(captures[0]); i++)
		check_shards_agree(captures[i]);
}

/*
 * A fired finding shows a value that met its threshold (issue 14 item 9:
 * "measured 1 (threshold 10)" on a dead peer, "1 stalls (threshold 1)"
 * where the threshold was seconds; 500 connections reset, "401 flows").
 */
static void test_value_meets_threshold(void **state)
{
	static const char *const captures[] = {
		"testdata/lab/peer_crash.pcap",
		"testdata/lab/mtu_black_hole.pcap",
		"testdata/lab/zero_window.pcap",
		"testdata/lab/bulk_loss.pcap",
		"testdata/lab/keepalive_dead_peer.pcap",
		"testdata/lab/close_wait_leak.pcap",
		"testdata/lab/port_scan.pcap",
		"testdata/lab/refused.pcap",
		"testdata/lab/syn_flood_cookies.pcap",
		"testdata/lab/rst_storm.pcap",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(captures) / sizeof(captures[0]); i++) {
		struct engine *e = engine_default();
		struct engine_results r;

		assert_non_null(e);
		feed_file(e, captures[i], UINT64_MAX);
		engine_finish(e);
		assert_true(engine_results(e, &r));
		assert_true(r.n_findings > 0);
		for (size_t k = 0; k < r.n_findings; k++)
			if (r.findings[k].value < r.findings[k].threshold)
				fail_msg("%s: %s %s: %g %s (threshold %g)",
					 captures[i],
					 finding_id_name(r.findings[k].id),
					 r.findings[k].subject,
					 r.findings[k].value,
					 r.findings[k].unit,
					 r.findings[k].threshold);
		/* Its flows are the connections it says were reset. */
		for (size_t k = 0; k < r.n_findings; k++)
			if (r.findings[k].id == FINDING_RST_STORM &&
			    (double)r.findings[k].flow_count <
			    r.findings[k].value)
				fail_msg("%s: rst_storm: %g connections reset "
					 "on %llu flows", captures[i],
					 r.findings[k].value,
					 (unsigned long long)
					 r.findings[k].flow_count);
		engine_free(e);
	}
}

/* port_scan names the ports that answered with a SYN-ACK (tshark: 80, 22). */
static void test_port_scan_names_open_ports(void **state)
{
	struct engine *e = engine_default();
	struct engine_results r;
	bool seen = false;

	(void)state;
	assert_non_null(e);
	feed_file(e, "testdata/lab/port_scan.pcap", UINT64_MAX);
	engine_finish(e);
	assert_true(engine_results(e, &r));
	for (size_t k = 0; k < r.n_findings; k++) {
		const struct finding *f = &r.findings[k];

		if (f->id != FINDING_PORT_SCAN)
			continue;
		seen = true;
		for (int i = 0; i < f->n_details; i++)
			if (strcmp(f->details[i].key, "open_ports") == 0)
				assert_string_equal(f->details[i].text,
						    "80 22");
		assert_non_null(strstr(f->summary, "ports 80 22"));
	}
	assert_true(seen);
	engine_free(e);
}

/* ------------------------------------------------------------ parking */

/* What a flow's end showed: its uid and a hash of all it held. */
struct end_log {
	uint64_t *hashes;
	size_t n, cap;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static void log_segment(void *ctx, const struct packet *pkt,
			const struct flow *f, const struct tcp_seg_info *info,
			void *storage)
{
	uint64_t n;

	(void)ctx;
	(void)pkt;
	(void)info;
	memcpy(&n, storage, sizeof(n));
	n = n * 31 + f->dir[0].pkts + 7;
	memcpy(storage, &n, sizeof(n));
}

/*
 * The flow's bytes but for the table's bookkeeping (its slot and list
 * links differ between runs), and the consumer's storage.
 */
static void log_end(void *ctx, const struct flow *f, void *storage)
{
	struct end_log *l = ctx;
	struct flow copy = *f;
	uint64_t h = 0xcbf29ce484222325ULL;

	copy.table_idx = 0;
	copy.lru_prev = 0;
	copy.lru_next = 0;
	h = fnv(h, &copy, sizeof(copy));
	h = fnv(h, storage, 16);
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 1024;
		l->hashes = realloc(l->hashes, l->cap * sizeof(*l->hashes));
		assert_non_null(l->hashes);
	}
	l->hashes[l->n++] = h;
}

struct park_event {
	int64_t t;
	uint32_t i;
	uint8_t kind;
};

enum { EV_SYN, EV_SYNACK, EV_ACK, EV_DATA, EV_RST, EV_SYN_AGAIN };

static int event_cmp(const void *x, const void *y)
{
	const struct park_event *a = x, *b = y;

	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return a->i != b->i ? (a->i < b->i ? -1 : 1) : a->kind - b->kind;
}

static void park_event_feed(struct unit_wire *w, const struct park_event *e)
{
	char cli[32];
	uint16_t port = (uint16_t)(1024 + e->i % 50000);
	uint32_t cs = e->i * 2654435761u, ss = e->i * 40503u + 7;

	snprintf(cli, sizeof(cli), "10.%u.%u.%u", 1 + e->i / 65536,
		 e->i / 256 % 256, e->i % 256);
	switch (e->kind) {
	case EV_SYN:
	case EV_SYN_AGAIN:
		unit_feed_tcp(w, e->t, cli, port, "192.0.2.1", 80,
			      TCP_FLAG_SYN, cs, 0, 64240, 0);
		break;
	case EV_SYNACK:
		unit_feed_tcp(w, e->t, "192.0.2.1", 80, cli, port,
			      TCP_FLAG_SYN | TCP_FLAG_ACK, ss, cs + 1, 65160, 0);
		break;
	case EV_ACK:
		unit_feed_tcp(w, e->t, cli, port, "192.0.2.1", 80,
			      TCP_FLAG_ACK, cs + 1, ss + 1, 64240, 0);
		break;
	case EV_DATA:
		unit_feed_tcp(w, e->t, cli, port, "192.0.2.1", 80,
			      TCP_FLAG_ACK | TCP_FLAG_PSH, cs + 1, ss + 1,
			      64240, 100);
		break;
	default:
		unit_feed_tcp(w, e->t, cli, port, "192.0.2.1", 80,
			      TCP_FLAG_RST, cs + 1, 0, 0, 0);
		break;
	}
}

/*
 * 12,000 attempts over 6 s, their SYN-ACKs never acknowledged but for a
 * few completed, reset or retried seconds later, live snapshots taken
 * on the way: with half-open flows parked (the default) and without,
 * every flow ends alike and in the same order, and the findings, the
 * socket tables and the snapshots agree.  Returns what parking did.
 */
static uint64_t park_run(int64_t park_after, struct end_log *log,
			 struct engine_snapshot *snaps, size_t n_snaps,
			 struct engine_results *r, struct engine **out)
{
	enum { N = 12000 };
	struct settings st;
	struct engine_consumer c = {.ctx = log, .on_tcp_segment = log_segment,
				    .on_flow_end = log_end, .flow_storage = 16};
	struct engine_config cfg = {
		.parts = ENGINE_ALL | ENGINE_SOCKET_COUNTS | ENGINE_FLOW_RTT |
			 ENGINE_FLOW_RATE | ENGINE_HISTORY,
		.top_n = 5, .consumers = &c, .n_consumers = 1};
	struct park_event *ev = calloc(4 * N, sizeof(*ev));
	struct unit_wire w = {0};
	size_t n = 0, snap = 0;
	struct engine *e;

	settings_defaults(&st);
	cfg.analyzer = st.engine;
	cfg.analyzer.park_after_ns = park_after;
	cfg.detect = st.detect;
	e = engine_new(&cfg);
	assert_non_null(e);
	assert_non_null(ev);
	for (uint32_t i = 0; i < N; i++) {
		int64_t t = US(500) * i;

		ev[n++] = (struct park_event){t, i, EV_SYN};
		ev[n++] = (struct park_event){t + US(100), i, EV_SYNACK};
		if (i % 7 == 0) {
			ev[n++] = (struct park_event){t + MS(2500), i, EV_ACK};
			ev[n++] = (struct park_event){t + MS(2600), i, EV_DATA};
		} else if (i % 11 == 0) {
			ev[n++] = (struct park_event){t + SEC(2), i, EV_RST};
		} else if (i % 13 == 0) {
			ev[n++] = (struct park_event){t + SEC(3), i,
						      EV_SYN_AGAIN};
		}
	}
	qsort(ev, n, sizeof(*ev), event_cmp);
	w.a = engine_analyzer(e);
	w.epoch_ns = EPOCH_NS;
	for (size_t k = 0; k < n; k++) {
		while (snap < n_snaps && ev[k].t >= SEC(2) * (int64_t)(snap + 1)) {
			engine_advance(e, EPOCH_NS + SEC(2) * (int64_t)(snap + 1));
			assert_true(engine_snapshot_take(e, &snaps[snap]));
			snap++;
		}
		park_event_feed(&w, &ev[k]);
	}
	engine_advance(e, EPOCH_NS + SEC(20));
	engine_finish(e);
	assert_true(engine_results(e, r));
	free(ev);
	*out = e;
	return r->stats->flows_parked;
}

static void test_parked_flows_change_nothing(void **state)
{
	struct end_log plain_log = {0}, park_log = {0};
	struct engine_snapshot ps[2], qs[2];
	struct engine_results pr, qr;
	struct engine *plain, *parked;

	(void)state;
	for (int i = 0; i < 2; i++) {
		engine_snapshot_init(&ps[i], SNAPSHOT_ALL);
		engine_snapshot_init(&qs[i], SNAPSHOT_ALL);
	}
	assert_int_equal(park_run(0, &plain_log, ps, 2, &pr, &plain), 0);
	assert_true(park_run(SEC(3) / 2, &park_log, qs, 2, &qr, &parked) > 5000);
	assert_int_equal(plain_log.n, park_log.n);
	assert_memory_equal(plain_log.hashes, park_log.hashes,
			    plain_log.n * sizeof(*plain_log.hashes));
	assert_int_equal(pr.stats->peak_flows, qr.stats->peak_flows);
	assert_int_equal(pr.n_findings, qr.n_findings);
	assert_true(pr.n_findings >= 1);
	for (size_t i = 0; i < pr.n_findings; i++) {
		assert_int_equal(pr.findings[i].id, qr.findings[i].id);
		assert_string_equal(pr.findings[i].subject, qr.findings[i].subject);
		assert_string_equal(pr.findings[i].summary, qr.findings[i].summary);
	}
	assert_int_equal(pr.n_hosts, qr.n_hosts);
	assert_memory_equal(pr.hosts, qr.hosts, pr.n_hosts * sizeof(*pr.hosts));
	for (int i = 0; i < 2; i++) {
		assert_int_equal(ps[i].n_sockets, qs[i].n_sockets);
		assert_int_equal(ps[i].n_flows, qs[i].n_flows);
		assert_int_equal(ps[i].n_findings, qs[i].n_findings);
		engine_snapshot_free(&ps[i]);
		engine_snapshot_free(&qs[i]);
	}
	free(plain_log.hashes);
	free(park_log.hashes);
	engine_free(plain);
	engine_free(parked);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_wait_leak),
		cmocka_unit_test(test_flood_known_before_the_end),
		cmocka_unit_test(test_snapshot_mid_capture),
		cmocka_unit_test(test_findings_lifecycle),
		cmocka_unit_test(test_close_wait_live),
		cmocka_unit_test(test_close_wait_short),
		cmocka_unit_test(test_syn_unanswered_live),
		cmocka_unit_test(test_folded_finding_live),
		cmocka_unit_test(test_syn_unanswered_confirmed),
		cmocka_unit_test(test_dead_peer_live),
		cmocka_unit_test(test_consumers_own_storage),
		cmocka_unit_test(test_no_parts),
		cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_shards_merge),
		cmocka_unit_test(test_value_meets_threshold),
		cmocka_unit_test(test_port_scan_names_open_ports),
		cmocka_unit_test(test_parked_flows_change_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
