/*
 * The TCP tracker, driven through the real engine: the segments are
 * built as bytes (unit_packets.c), decoded and fed to an analyzer whose
 * sink keeps every ACK's RTT sample and, at the end, the connection's
 * per-direction RTT statistics; or, for the accessors of tcp_conn.h,
 * what each one answered after every segment.
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
	struct unit_wire w;
	const int segs = 30, per_rtt = 10;
	int64_t step = rtt / per_rtt, t0;

	memset(s, 0, sizeof(*s));
	analyzer_config_defaults(&cfg);
	w = unit_wire_into(analyzer_new(&cfg, &sink));
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

/* ------------------------------------------------------------ accessors */

/* What the accessors of tcp_conn.h answered after one segment. */
struct conn_answers {
	enum tcp_state state[2];
	bool midstream, sim_open, saw_synack, saw_handshake_ack;
	bool saw_syn[2], syn_acked[2], saw_fin[2], unanswered[2];
	bool unacked_by[2], all_acked_by[2];
	uint32_t retrans_segs[2], send_mss[2], rtt_samples[2];
	int64_t rtt_min_ns[2], handshake_leg_ns[2];
};

/* The answers after each segment of one connection, in order. */
struct conn_asked {
	struct conn_answers after[16];
	size_t n;
};

static void ask_sides(struct conn_answers *a, const struct flow *f)
{
	for (int d = 0; d < 2; d++) {
		a->state[d] = tcp_conn_state(f, d);
		a->saw_syn[d] = tcp_conn_saw_syn(f, d);
		a->syn_acked[d] = tcp_conn_syn_acked(f, d);
		a->saw_fin[d] = tcp_conn_saw_fin(f, d);
		a->unanswered[d] = tcp_conn_unanswered(f, d);
		a->unacked_by[d] = tcp_conn_unacked_by(f, d);
		a->all_acked_by[d] = tcp_conn_all_acked_by(f, d);
		a->retrans_segs[d] = tcp_conn_retrans_segs(f, d);
		a->send_mss[d] = tcp_conn_send_mss(f, d);
		a->rtt_samples[d] = tcp_conn_rtt_samples(f, d);
		a->rtt_min_ns[d] = tcp_conn_rtt_min_ns(f, d);
		a->handshake_leg_ns[d] = tcp_conn_handshake_leg_ns(f, d);
	}
}

static void ask_on_segment(void *ctx, const struct packet *pkt,
			   const struct flow *f,
			   const struct tcp_seg_info *info,
			   struct flow_sink_area area)
{
	struct conn_asked *s = ctx;
	struct conn_answers *a;

	(void)pkt;
	(void)info;
	(void)area;
	assert_true(s->n < sizeof(s->after) / sizeof(s->after[0]));
	a = &s->after[s->n++];
	a->midstream = tcp_conn_midstream(f);
	a->sim_open = tcp_conn_simultaneous_open(f);
	a->saw_synack = tcp_conn_saw_synack(f);
	a->saw_handshake_ack = tcp_conn_saw_handshake_ack(f);
	ask_sides(a, f);
}

static void ask_begin(struct unit_wire *w, struct conn_asked *s)
{
	struct analyzer_config cfg;
	struct analyzer_sink sink = {
		.ctx = s,
		.on_tcp_segment = ask_on_segment,
	};

	memset(s, 0, sizeof(*s));
	analyzer_config_defaults(&cfg);
	*w = unit_wire_into(analyzer_new(&cfg, &sink));
	assert_non_null(w->a);
}

static void ask_end(struct unit_wire *w)
{
	analyzer_finish(w->a);
	analyzer_free(w->a);
}

/*
 * The handshake, captured beside the client: its SYN at 0, the SYN-ACK
 * 10 ms later, its ACK 100 µs after that.  With mss, each side announces
 * one: 1460 the client, 1400 the server.
 */
static void ask_handshake(struct unit_wire *w, bool mss)
{
	const struct unit_tcp_opts cli_opts = { .mss = 1460 };
	const struct unit_tcp_opts srv_opts = { .mss = 1400 };
	struct unit_tcp syn = {
		.src = CLI, .dst = SRV, .sport = CLI_PORT, .dport = SRV_PORT,
		.flags = TCP_FLAG_SYN, .seq = CLI_ISN, .win = 65535,
		.opts = mss ? &cli_opts : NULL,
	};
	struct unit_tcp synack = {
		.src = SRV, .dst = CLI, .sport = SRV_PORT, .dport = CLI_PORT,
		.flags = TCP_FLAG_SYN | TCP_FLAG_ACK, .seq = SRV_ISN,
		.ack = CLI_ISN + 1, .win = 65535,
		.opts = mss ? &srv_opts : NULL,
	};

	unit_wire_tcp(w, 0, &syn);
	unit_wire_tcp(w, MS(10), &synack);
	unit_feed_tcp(w, MS(10) + US(100), CLI, CLI_PORT, SRV, SRV_PORT,
		      TCP_FLAG_ACK, CLI_ISN + 1, SRV_ISN + 1, 65535, 0);
}

/* Each step of the handshake answers what it showed, and no more. */
static void test_ask_handshake(void **state)
{
	struct conn_asked s;
	struct unit_wire w;
	const struct conn_answers *a = s.after;

	(void)state;
	ask_begin(&w, &s);
	ask_handshake(&w, true);
	ask_end(&w);
	assert_int_equal(s.n, 3);
	/* The SYN. */
	assert_false(a[0].midstream);
	assert_true(a[0].saw_syn[FLOW_ORIG]);
	assert_false(a[0].saw_syn[FLOW_RESP]);
	assert_false(a[0].saw_synack);
	assert_false(a[0].syn_acked[FLOW_ORIG]);
	assert_false(a[0].saw_handshake_ack);
	assert_int_equal(a[0].state[FLOW_ORIG], TCP_STATE_SYN_SENT);
	assert_int_equal(a[0].state[FLOW_RESP], TCP_STATE_LISTEN);
	assert_int_equal(a[0].handshake_leg_ns[FLOW_RESP], 0);
	/* The SYN-ACK: the client's SYN is acknowledged, not the server's. */
	assert_true(a[1].saw_synack);
	assert_true(a[1].saw_syn[FLOW_RESP]);
	assert_true(a[1].syn_acked[FLOW_ORIG]);
	assert_false(a[1].syn_acked[FLOW_RESP]);
	assert_false(a[1].saw_handshake_ack);
	assert_int_equal(a[1].handshake_leg_ns[FLOW_RESP], MS(10));
	assert_int_equal(a[1].handshake_leg_ns[FLOW_ORIG], 0);
	/* The ACK. */
	assert_true(a[2].saw_handshake_ack);
	assert_true(a[2].syn_acked[FLOW_RESP]);
	assert_false(a[2].midstream);
	assert_false(a[2].sim_open);
	assert_int_equal(a[2].state[FLOW_ORIG], TCP_STATE_ESTABLISHED);
	assert_int_equal(a[2].state[FLOW_RESP], TCP_STATE_ESTABLISHED);
	assert_int_equal(a[2].handshake_leg_ns[FLOW_RESP], MS(10));
	assert_int_equal(a[2].handshake_leg_ns[FLOW_ORIG], US(100));
	/*
	 * Each side may send what the other announced, no more than its own
	 * MSS (its MTU): the server announced 1400, so sends 1400 too.
	 */
	assert_int_equal(a[2].send_mss[FLOW_ORIG], 1400);
	assert_int_equal(a[2].send_mss[FLOW_RESP], 1400);
	for (int d = 0; d < 2; d++) {
		assert_false(a[2].saw_fin[d]);
		assert_false(a[2].unanswered[d]);
		assert_int_equal(a[2].retrans_segs[d], 0);
	}
}

/* Unacknowledged data, its ACK, and the RTT samples the ACKs gave. */
static void test_ask_data_and_acks(void **state)
{
	struct conn_asked s;
	struct unit_wire w;
	const struct conn_answers *a = s.after;

	(void)state;
	ask_begin(&w, &s);
	ask_handshake(&w, true);
	unit_feed_tcp(&w, MS(11), CLI, CLI_PORT, SRV, SRV_PORT,
		      TCP_FLAG_ACK | TCP_FLAG_PSH, CLI_ISN + 1, SRV_ISN + 1,
		      65535, 100);
	unit_feed_tcp(&w, MS(21), SRV, SRV_PORT, CLI, CLI_PORT, TCP_FLAG_ACK,
		      SRV_ISN + 1, CLI_ISN + 101, 65535, 0);
	ask_end(&w);
	assert_int_equal(s.n, 5);
	/* Before any ACK of the server's, neither question has an answer. */
	for (int d = 0; d < 2; d++) {
		assert_false(a[0].unacked_by[d]);
		assert_false(a[0].all_acked_by[d]);
	}
	/* The data is out, unacknowledged; the client has ACKed the SYN. */
	assert_true(a[3].unacked_by[FLOW_RESP]);
	assert_false(a[3].all_acked_by[FLOW_RESP]);
	assert_false(a[3].unacked_by[FLOW_ORIG]);
	assert_true(a[3].all_acked_by[FLOW_ORIG]);
	/* Its ACK. */
	assert_false(a[4].unacked_by[FLOW_RESP]);
	assert_true(a[4].all_acked_by[FLOW_RESP]);
	/* The SYN's and the data's round trips, and the SYN-ACK's. */
	assert_int_equal(a[4].rtt_samples[FLOW_ORIG], 2);
	assert_int_equal(a[4].rtt_min_ns[FLOW_ORIG], MS(10));
	assert_int_equal(a[4].rtt_samples[FLOW_RESP], 1);
	assert_int_equal(a[4].rtt_min_ns[FLOW_RESP], US(100));
}

/* The client closes first: its FIN, then the server in CLOSE_WAIT. */
static void test_ask_fin_and_close_wait(void **state)
{
	struct conn_asked s;
	struct unit_wire w;
	const struct conn_answers *a = s.after;

	(void)state;
	ask_begin(&w, &s);
	ask_handshake(&w, true);
	unit_feed_tcp(&w, MS(20), CLI, CLI_PORT, SRV, SRV_PORT,
		      TCP_FLAG_FIN | TCP_FLAG_ACK, CLI_ISN + 1, SRV_ISN + 1,
		      65535, 0);
	unit_feed_tcp(&w, MS(30), SRV, SRV_PORT, CLI, CLI_PORT, TCP_FLAG_ACK,
		      SRV_ISN + 1, CLI_ISN + 2, 65535, 0);
	ask_end(&w);
	assert_int_equal(s.n, 5);
	assert_true(a[3].saw_fin[FLOW_ORIG]);
	assert_false(a[3].saw_fin[FLOW_RESP]);
	assert_int_equal(a[3].state[FLOW_ORIG], TCP_STATE_FIN_WAIT1);
	assert_int_equal(a[4].state[FLOW_ORIG], TCP_STATE_FIN_WAIT2);
	assert_int_equal(a[4].state[FLOW_RESP], TCP_STATE_CLOSE_WAIT);
}

/* A segment sent again goes unanswered until the peer speaks. */
static void test_ask_retransmission_unanswered(void **state)
{
	struct conn_asked s;
	struct unit_wire w;
	const struct conn_answers *a = s.after;

	(void)state;
	ask_begin(&w, &s);
	ask_handshake(&w, true);
	for (int i = 0; i < 2; i++)
		unit_feed_tcp(&w, MS(20) + i * MS(300), CLI, CLI_PORT, SRV,
			      SRV_PORT, TCP_FLAG_ACK | TCP_FLAG_PSH,
			      CLI_ISN + 1, SRV_ISN + 1, 65535, 100);
	unit_feed_tcp(&w, MS(330), SRV, SRV_PORT, CLI, CLI_PORT, TCP_FLAG_ACK,
		      SRV_ISN + 1, CLI_ISN + 101, 65535, 0);
	ask_end(&w);
	assert_int_equal(s.n, 6);
	assert_false(a[3].unanswered[FLOW_ORIG]);
	assert_int_equal(a[3].retrans_segs[FLOW_ORIG], 0);
	assert_true(a[4].unanswered[FLOW_ORIG]);
	assert_false(a[4].unanswered[FLOW_RESP]);
	assert_int_equal(a[4].retrans_segs[FLOW_ORIG], 1);
	assert_int_equal(a[4].retrans_segs[FLOW_RESP], 0);
	assert_false(a[5].unanswered[FLOW_ORIG]);
}

/* Picked up after the SYN: by data, or by the SYN-ACK. */
static void test_ask_midstream(void **state)
{
	struct conn_asked s;
	struct unit_wire w;
	const struct conn_answers *a = s.after;

	(void)state;
	ask_begin(&w, &s);
	unit_feed_tcp(&w, 0, CLI, CLI_PORT, SRV, SRV_PORT,
		      TCP_FLAG_ACK | TCP_FLAG_PSH, CLI_ISN + 1, SRV_ISN + 1,
		      65535, 100);
	ask_end(&w);
	assert_int_equal(s.n, 1);
	assert_true(a[0].midstream);
	assert_false(a[0].saw_syn[FLOW_ORIG]);
	assert_false(a[0].saw_syn[FLOW_RESP]);
	assert_false(a[0].saw_synack);
	assert_false(a[0].saw_handshake_ack);
	assert_int_equal(a[0].handshake_leg_ns[FLOW_ORIG], 0);
	assert_int_equal(a[0].handshake_leg_ns[FLOW_RESP], 0);

	ask_begin(&w, &s);
	unit_feed_tcp(&w, 0, SRV, SRV_PORT, CLI, CLI_PORT,
		      TCP_FLAG_SYN | TCP_FLAG_ACK, SRV_ISN, CLI_ISN + 1, 65535,
		      0);
	ask_end(&w);
	assert_int_equal(s.n, 1);
	assert_true(a[0].midstream);
	assert_true(a[0].saw_synack);
	assert_true(a[0].saw_syn[FLOW_RESP]);
	assert_false(a[0].saw_syn[FLOW_ORIG]);
}

/* Both send a SYN before either has seen the other's. */
static void test_ask_simultaneous_open(void **state)
{
	struct conn_asked s;
	struct unit_wire w;
	const struct conn_answers *a = s.after;

	(void)state;
	ask_begin(&w, &s);
	unit_feed_tcp(&w, 0, CLI, CLI_PORT, SRV, SRV_PORT, TCP_FLAG_SYN,
		      CLI_ISN, 0, 65535, 0);
	unit_feed_tcp(&w, MS(1), SRV, SRV_PORT, CLI, CLI_PORT, TCP_FLAG_SYN,
		      SRV_ISN, 0, 65535, 0);
	ask_end(&w);
	assert_int_equal(s.n, 2);
	assert_false(a[0].sim_open);
	assert_true(a[1].sim_open);
	assert_true(a[1].saw_syn[FLOW_ORIG]);
	assert_true(a[1].saw_syn[FLOW_RESP]);
	assert_false(a[1].saw_synack);
}

/* No MSS announced: each side may send 536 bytes a segment. */
static void test_ask_default_mss(void **state)
{
	struct conn_asked s;
	struct unit_wire w;

	(void)state;
	ask_begin(&w, &s);
	ask_handshake(&w, false);
	ask_end(&w);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.after[2].send_mss[FLOW_ORIG], 536);
	assert_int_equal(s.after[2].send_mss[FLOW_RESP], 536);
}

/* ------------------------------------------- connections and capture loss */

/* What one flow held when it ended. */
struct conn_end {
	uint64_t first_frame;
	uint64_t bytes[2], missed;
	uint32_t retrans_segs[2];
	enum tcp_state state[2];
	char history[ZEEK_HISTORY_MAX + 1];
	bool capture_lost;
	uint64_t lost;          /* tcp_conn_bytes_lost() */
};

/* Every segment's annotations and every flow's end, in order. */
struct conn_log {
	uint32_t annots[64];     /* by frame - 1 */
	size_t n_segs;
	struct conn_end ends[8];
	size_t n_ends;
};

static void log_on_segment(void *ctx, const struct packet *pkt,
			   const struct flow *f,
			   const struct tcp_seg_info *info,
			   struct flow_sink_area area)
{
	struct conn_log *s = ctx;

	(void)f;
	(void)area;
	assert_true(pkt->frame_no >= 1 && pkt->frame_no <= 64);
	s->annots[pkt->frame_no - 1] = info->annots;
	s->n_segs++;
}

static void log_on_flow_end(void *ctx, const struct flow *f,
			    struct flow_sink_area area)
{
	struct conn_log *s = ctx;
	struct conn_end *e;

	(void)area;
	assert_true(s->n_ends < sizeof(s->ends) / sizeof(s->ends[0]));
	e = &s->ends[s->n_ends++];
	e->first_frame = f->first_frame;
	e->missed = f->u.tcp.gap_bytes;
	for (int d = 0; d < 2; d++) {
		e->bytes[d] = tcp_conn_bytes(f, d);
		e->retrans_segs[d] = tcp_conn_retrans_segs(f, d);
		e->state[d] = tcp_conn_state(f, d);
	}
	zeek_conn_history(&f->zeek, e->history);
	e->capture_lost = tcp_conn_capture_lost(f);
	e->lost = tcp_conn_bytes_lost(f);
}

static void log_begin(struct unit_wire *w, struct conn_log *s)
{
	struct analyzer_config cfg;
	struct analyzer_sink sink = {
		.ctx = s,
		.on_tcp_segment = log_on_segment,
		.on_flow_end = log_on_flow_end,
	};

	memset(s, 0, sizeof(*s));
	analyzer_config_defaults(&cfg);
	*w = unit_wire_into(analyzer_new(&cfg, &sink));
	assert_non_null(w->a);
}

static void log_end(struct unit_wire *w)
{
	analyzer_finish(w->a);
	analyzer_free(w->a);
}

static bool annotated(const struct conn_log *s, uint64_t frame,
		      enum tcp_annot a)
{
	return (s->annots[frame - 1] & (1u << a)) != 0;
}

/*
 * The server still holds an old connection on the 4-tuple: it answers
 * the SYN with that connection's challenge ACK, the client resets it
 * and retries the same SYN a second later, which the listener takes.
 * The challenge ACK acknowledges nothing of the new connection (it once
 * made 0x33441000 - 1001 bytes "missed"), and the retried SYN opens a
 * connection of its own, whose data is new (it was once resent data of
 * the first).
 */
static void test_syn_after_rst_is_a_new_connection(void **state)
{
	struct conn_log s;
	struct unit_wire w;

	(void)state;
	log_begin(&w, &s);
	unit_feed_tcp(&w, 0, CLI, CLI_PORT, SRV, SRV_PORT, TCP_FLAG_SYN,
		      CLI_ISN, 0, 65535, 0);
	unit_feed_tcp(&w, MS(10), SRV, SRV_PORT, CLI, CLI_PORT, TCP_FLAG_ACK,
		      0xE3A1F000u, 0x33441000u, 509, 0);
	unit_feed_tcp(&w, MS(10) + US(100), CLI, CLI_PORT, SRV, SRV_PORT,
		      TCP_FLAG_RST, 0x33441000u, 0, 0, 0);
	unit_feed_tcp(&w, SEC(1), CLI, CLI_PORT, SRV, SRV_PORT, TCP_FLAG_SYN,
		      CLI_ISN, 0, 65535, 0);
	unit_feed_tcp(&w, SEC(1) + MS(10), SRV, SRV_PORT, CLI, CLI_PORT,
		      TCP_FLAG_SYN | TCP_FLAG_ACK, SRV_ISN, CLI_ISN + 1, 65535,
		      0);
	unit_feed_tcp(&w, SEC(1) + MS(11), CLI, CLI_PORT, SRV, SRV_PORT,
		      TCP_FLAG_ACK | TCP_FLAG_PSH, CLI_ISN + 1, SRV_ISN + 1,
		      65535, 100);
	unit_feed_tcp(&w, SEC(1) + MS(12), SRV, SRV_PORT, CLI, CLI_PORT,
		      TCP_FLAG_ACK | TCP_FLAG_PSH, SRV_ISN + 1, CLI_ISN + 101,
		      65535, 300);
	log_end(&w);
	assert_int_equal(s.n_ends, 2);
	assert_int_equal(s.ends[0].first_frame, 1);
	assert_int_equal(s.ends[0].missed, 0);
	assert_int_equal(s.ends[0].bytes[FLOW_ORIG], 0);
	assert_int_equal(s.ends[0].state[FLOW_ORIG], TCP_STATE_CLOSED);
	assert_string_equal(s.ends[0].history, "SaR");
	assert_int_equal(s.ends[1].first_frame, 4);
	assert_true(annotated(&s, 4, TCP_ANNOT_REUSED_PORTS));
	assert_false(annotated(&s, 4, TCP_ANNOT_RETRANSMISSION));
	assert_int_equal(s.ends[1].bytes[FLOW_ORIG], 100);
	assert_int_equal(s.ends[1].bytes[FLOW_RESP], 300);
	assert_int_equal(s.ends[1].missed, 0);
	for (int d = 0; d < 2; d++)
		assert_int_equal(s.ends[1].retrans_segs[d], 0);
	assert_int_equal(s.ends[1].state[FLOW_ORIG], TCP_STATE_ESTABLISHED);
}

/* The handshake between CLI and SRV at 0, 10 ms and 10.1 ms. */
static void log_handshake(struct unit_wire *w)
{
	unit_feed_tcp(w, 0, CLI, CLI_PORT, SRV, SRV_PORT, TCP_FLAG_SYN,
		      CLI_ISN, 0, 65535, 0);
	unit_feed_tcp(w, MS(10), SRV, SRV_PORT, CLI, CLI_PORT,
		      TCP_FLAG_SYN | TCP_FLAG_ACK, SRV_ISN, CLI_ISN + 1, 65535,
		      0);
	unit_feed_tcp(w, MS(10) + US(100), CLI, CLI_PORT, SRV, SRV_PORT,
		      TCP_FLAG_ACK, CLI_ISN + 1, SRV_ISN + 1, 65535, 0);
}

/*
 * A FIN, then a bare ACK, whose sequence numbers jump over data the
 * capture never showed: each opens a hole, and the peer's ACK past it
 * makes those bytes missed (once 0: only data jumped).
 */
static void test_zero_length_jump_opens_a_hole(void **state)
{
	struct conn_log s;
	struct unit_wire w;

	(void)state;
	log_begin(&w, &s);
	log_handshake(&w);
	/* The server: 1000 bytes seen, 1000 not, its FIN after them. */
	unit_feed_tcp(&w, MS(20), SRV, SRV_PORT, CLI, CLI_PORT,
		      TCP_FLAG_ACK, SRV_ISN + 1, CLI_ISN + 1, 65535, 1000);
	unit_feed_tcp(&w, MS(21), SRV, SRV_PORT, CLI, CLI_PORT,
		      TCP_FLAG_FIN | TCP_FLAG_ACK, SRV_ISN + 2001, CLI_ISN + 1,
		      65535, 0);
	unit_feed_tcp(&w, MS(22), CLI, CLI_PORT, SRV, SRV_PORT, TCP_FLAG_ACK,
		      CLI_ISN + 1, SRV_ISN + 2002, 65535, 0);
	/* The client: 500 bytes not seen, a bare ACK after them, its ACK. */
	unit_feed_tcp(&w, MS(30), CLI, CLI_PORT, SRV, SRV_PORT, TCP_FLAG_ACK,
		      CLI_ISN + 501, SRV_ISN + 2002, 65535, 0);
	unit_feed_tcp(&w, MS(40), SRV, SRV_PORT, CLI, CLI_PORT, TCP_FLAG_ACK,
		      SRV_ISN + 2002, CLI_ISN + 501, 65535, 0);
	log_end(&w);
	assert_int_equal(s.n_ends, 1);
	assert_int_equal(s.ends[0].missed, 1500);
	assert_true(s.ends[0].capture_lost);
	assert_int_equal(s.ends[0].lost, 1500);
	assert_int_equal(s.ends[0].bytes[FLOW_RESP], 2000);
	assert_int_equal(s.ends[0].bytes[FLOW_ORIG], 500);
}

/*
 * The capture shows the FIN 1 µs before the data it skipped: that data
 * is its first copy, out of order (tshark: a retransmission of the FIN);
 * the same data once more, later, is a retransmission.
 */
static void test_first_copy_after_fin_is_out_of_order(void **state)
{
	struct conn_log s;
	struct unit_wire w;

	(void)state;
	log_begin(&w, &s);
	log_handshake(&w);
	unit_feed_tcp(&w, MS(20), SRV, SRV_PORT, CLI, CLI_PORT,
		      TCP_FLAG_ACK, SRV_ISN + 1, CLI_ISN + 1, 65535, 1000);
	unit_feed_tcp(&w, MS(21), SRV, SRV_PORT, CLI, CLI_PORT,
		      TCP_FLAG_FIN | TCP_FLAG_ACK, SRV_ISN + 1097, CLI_ISN + 1,
		      65535, 0);
	unit_feed_tcp(&w, MS(21) + US(1), SRV, SRV_PORT, CLI, CLI_PORT,
		      TCP_FLAG_FIN | TCP_FLAG_ACK | TCP_FLAG_PSH, SRV_ISN + 1001,
		      CLI_ISN + 1, 65535, 96);
	unit_feed_tcp(&w, MS(300), SRV, SRV_PORT, CLI, CLI_PORT,
		      TCP_FLAG_FIN | TCP_FLAG_ACK | TCP_FLAG_PSH, SRV_ISN + 1001,
		      CLI_ISN + 1, 65535, 96);
	log_end(&w);
	assert_true(annotated(&s, 6, TCP_ANNOT_OUT_OF_ORDER));
	assert_false(annotated(&s, 6, TCP_ANNOT_RETRANSMISSION));
	assert_true(annotated(&s, 7, TCP_ANNOT_RETRANSMISSION));
	assert_int_equal(s.ends[0].retrans_segs[FLOW_RESP], 1);
	assert_int_equal(s.ends[0].missed, 0);
}

/* A server segment of len bytes whose payload the capture cut to 40. */
static void feed_server_cut(struct unit_wire *w, int64_t t, uint32_t seq,
			    uint32_t len)
{
	uint8_t frame[UNIT_FRAME_MAX];
	struct unit_tcp seg = {
		.src = SRV, .dst = CLI, .sport = SRV_PORT, .dport = CLI_PORT,
		.flags = TCP_FLAG_ACK, .seq = seq, .ack = CLI_ISN + 1,
		.win = 65535, .payload_len = len,
	};
	size_t n = unit_tcp_build(frame, sizeof(frame), &seg);

	/* 20 bytes of IPv4 and 20 of TCP header, then 40 of payload. */
	unit_wire_feed_cut(w, t, LINK_TYPE_IPV4, frame, 80, n);
}

/*
 * Payload the snapshot length cut is missed once acknowledged, as Zeek
 * counts it (its reassembler never takes a cut segment), unless a whole
 * copy came first; it is no capture loss (the segment was seen), and a
 * copy of a cut segment is a retransmission, its bytes were seen.
 */
static void test_snaplen_cut_payload_is_missed(void **state)
{
	struct conn_log s;
	struct unit_wire w;
	uint32_t base = SRV_ISN + 1;

	(void)state;
	log_begin(&w, &s);
	log_handshake(&w);
	/* Frames 4-6: cut, whole, the ACK of both: 1000 missed, one g. */
	feed_server_cut(&w, MS(20), base, 1000);
	unit_feed_tcp(&w, MS(21), SRV, SRV_PORT, CLI, CLI_PORT, TCP_FLAG_ACK,
		      base + 1000, CLI_ISN + 1, 65535, 1000);
	unit_feed_tcp(&w, MS(22), CLI, CLI_PORT, SRV, SRV_PORT, TCP_FLAG_ACK,
		      CLI_ISN + 1, base + 2000, 65535, 0);
	/* Frames 7-9: cut, then whole 1 ms later, the ACK: nothing missed. */
	feed_server_cut(&w, MS(30), base + 2000, 1000);
	unit_feed_tcp(&w, MS(31), SRV, SRV_PORT, CLI, CLI_PORT, TCP_FLAG_ACK,
		      base + 2000, CLI_ISN + 1, 65535, 1000);
	unit_feed_tcp(&w, MS(32), CLI, CLI_PORT, SRV, SRV_PORT, TCP_FLAG_ACK,
		      CLI_ISN + 1, base + 3000, 65535, 0);
	log_end(&w);
	assert_int_equal(s.n_ends, 1);
	assert_true(annotated(&s, 8, TCP_ANNOT_RETRANSMISSION));
	assert_false(annotated(&s, 8, TCP_ANNOT_OUT_OF_ORDER));
	assert_int_equal(s.ends[0].missed, 1000);
	assert_int_equal(s.ends[0].bytes[FLOW_RESP], 3000);
	assert_string_equal(s.ends[0].history, "ShAdgt");
	assert_false(s.ends[0].capture_lost);
	assert_int_equal(s.ends[0].lost, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rtt_one_second),
		cmocka_unit_test(test_rtt_five_seconds),
		cmocka_unit_test(test_rtt_hundred_seconds),
		cmocka_unit_test(test_ask_handshake),
		cmocka_unit_test(test_ask_data_and_acks),
		cmocka_unit_test(test_ask_fin_and_close_wait),
		cmocka_unit_test(test_ask_retransmission_unanswered),
		cmocka_unit_test(test_ask_midstream),
		cmocka_unit_test(test_ask_simultaneous_open),
		cmocka_unit_test(test_ask_default_mss),
		cmocka_unit_test(test_syn_after_rst_is_a_new_connection),
		cmocka_unit_test(test_zero_length_jump_opens_a_hole),
		cmocka_unit_test(test_first_copy_after_fin_is_out_of_order),
		cmocka_unit_test(test_snaplen_cut_payload_is_missed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
