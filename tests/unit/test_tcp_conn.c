/*
 * The TCP tracker's RTT samples, driven through the real engine: the
 * segments are built as bytes (unit_packets.c), decoded and fed to an
 * analyzer whose sink keeps every ACK's sample and, at the end, the
 * connection's per-direction RTT statistics.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analyzer.h"
#include "unit_packets.h"

#define US(x) ((int64_t)(x) * 1000)
#define SEC(x) ((int64_t)(x) * 1000000000)
/* 2026-01-01T00:00:00Z: time 0 of every test. */
#define EPOCH_NS (1767225600LL * 1000000000LL)

#define CLI "192.0.2.1"
#define SRV "198.51.100.2"
#define CLI_PORT 40000
#define SRV_PORT 80
#define CLI_ISN 1000u
#define SRV_ISN 5000u
#define SEG_LEN 1000u

/* What the sink saw. */
struct conn_seen {
	int64_t samples[64];    /* every nonzero ack_rtt_ns, in order */
	size_t n_samples;
	int flows_ended;
	struct rtt_stats rtt[2]; /* the connection's, per direction */
	uint64_t rtt_sum_us[2];
};

static void conn_on_segment(void *ctx, const struct packet *pkt,
			    const struct flow *f,
			    const struct tcp_seg_info *info,
			    struct flow_sink_area area)
{
	struct conn_seen *s = ctx;

	(void)area;
	(void)pkt;
	(void)f;
	if (info->ack_rtt_ns == 0)
		return;
	assert_true(s->n_samples < sizeof(s->samples) / sizeof(s->samples[0]));
	s->samples[s->n_samples++] = info->ack_rtt_ns;
}

static void conn_on_flow_end(void *ctx, const struct flow *f,
			     struct flow_sink_area area)
{
	struct conn_seen *s = ctx;

	(void)area;
	s->flows_ended++;
	for (int d = 0; d < 2; d++) {
		s->rtt[d] = f->u.tcp.ep[d].rtt;
		s->rtt_sum_us[d] = f->u.tcp.ep[d].rtt_sum_us;
	}
}

/*
 * A client-side capture of a path whose round trip takes rtt (a
 * bufferbloated or satellite link): the handshake, then the client
 * sends a segment every rtt / 10 for three round trips, and the server
 * acknowledges each one rtt after it left.  The client is never idle
 * while its timed segment is in flight, as a bulk sender with a full
 * pipe.  Its first segment is timed, then the one sent as the ACK of
 * that arrives, and so on (one timed segment at a time): the data gives
 * three samples of rtt.
 */
static void conn_feed_long_path(struct conn_seen *s, int64_t rtt)
{
	struct analyzer_config cfg;
	struct analyzer_sink sink = {
		.ctx = s,
		.on_tcp_segment = conn_on_segment,
		.on_flow_end = conn_on_flow_end,
	};
	struct unit_wire w = { .epoch_ns = EPOCH_NS };
	const int segs = 30, per_rtt = 10;
	int64_t step = rtt / per_rtt, t0;

	memset(s, 0, sizeof(*s));
	analyzer_config_defaults(&cfg);
	w.a = analyzer_new(&cfg, &sink);
	assert_non_null(w.a);
	/* The handshake: the SYN-ACK one rtt after the SYN. */
	unit_feed_tcp(&w, 0, CLI, CLI_PORT, SRV, SRV_PORT, TCP_FLAG_SYN,
		      CLI_ISN, 0, 65535, 0);
	unit_feed_tcp(&w, rtt, SRV, SRV_PORT, CLI, CLI_PORT,
		      TCP_FLAG_SYN | TCP_FLAG_ACK, SRV_ISN, CLI_ISN + 1, 65535, 0);
	unit_feed_tcp(&w, rtt + US(100), CLI, CLI_PORT, SRV, SRV_PORT,
		      TCP_FLAG_ACK, CLI_ISN + 1, SRV_ISN + 1, 65535, 0);
	/* Tick j: the ACK of segment j - 10 arrives, then segment j leaves. */
	t0 = rtt + US(200);
	for (int j = 0; j < segs + per_rtt; j++) {
		int64_t t = t0 + j * step;

		if (j >= per_rtt)
			unit_feed_tcp(&w, t, SRV, SRV_PORT, CLI, CLI_PORT,
				      TCP_FLAG_ACK, SRV_ISN + 1,
				      CLI_ISN + 1 + (uint32_t)(j - per_rtt + 1) * SEG_LEN,
				      65535, 0);
		if (j < segs)
			unit_feed_tcp(&w, t, CLI, CLI_PORT, SRV, SRV_PORT,
				      TCP_FLAG_ACK | TCP_FLAG_PSH,
				      CLI_ISN + 1 + (uint32_t)j * SEG_LEN,
				      SRV_ISN + 1, 65535, SEG_LEN);
	}
	analyzer_finish(w.a);
	analyzer_free(w.a);
}

/*
 * Every sample is the path's round trip: the SYN's (taken at the
 * SYN-ACK), the SYN-ACK's (the client's ACK came 100 µs after it: the
 * capture is beside the client), then three of the data.
 */
static void conn_assert_samples(int64_t rtt)
{
	struct conn_seen s;
	const int64_t want[] = { rtt, US(100), rtt, rtt, rtt };
	const size_t n_want = sizeof(want) / sizeof(want[0]);

	conn_feed_long_path(&s, rtt);
	assert_int_equal(s.flows_ended, 1);
	assert_int_equal(s.n_samples, n_want);
	for (size_t i = 0; i < n_want; i++)
		assert_int_equal(s.samples[i], want[i]);
	assert_int_equal(s.rtt[FLOW_ORIG].n, 4);
	assert_int_equal(s.rtt[FLOW_ORIG].min_us, rtt / 1000);
	assert_int_equal(s.rtt[FLOW_ORIG].max_us, rtt / 1000);
	assert_int_equal(s.rtt_sum_us[FLOW_ORIG], 4 * (uint64_t)(rtt / 1000));
	assert_int_equal(s.rtt[FLOW_RESP].n, 1);
	assert_int_equal(s.rtt[FLOW_RESP].min_us, 100);
	assert_int_equal(s.rtt[FLOW_RESP].max_us, 100);
}

/* A terrestrial path: the timed segment is 0.9 s old when its ACK comes. */
static void test_rtt_one_second(void **state)
{
	(void)state;
	conn_assert_samples(SEC(1));
}

/* Bufferbloat: 4.5 s between the timed segment and the client's last one. */
static void test_rtt_five_seconds(void **state)
{
	(void)state;
	conn_assert_samples(SEC(5));
}

/*
 * 100 s, below Linux's 120 s RTO ceiling (TCP_RTO_MAX): a round trip a
 * sender still waits out, so one the capture must be able to time.
 */
static void test_rtt_hundred_seconds(void **state)
{
	(void)state;
	conn_assert_samples(SEC(100));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rtt_one_second),
		cmocka_unit_test(test_rtt_five_seconds),
		cmocka_unit_test(test_rtt_hundred_seconds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
