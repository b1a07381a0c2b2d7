/*
 * What the live dashboard reads from engine snapshots: each live flow's
 * RTT and conn_state, the rate counters, and a connection's ladder from
 * the history ring, each checked against what the offline commands say
 * of the same packets (flows' records, tshark's counts, timeline's
 * golden output).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture_source.h"
#include "decode.h"
#include "engine.h"
#include "unit_helpers.h"
#include "flow_record.h"
#include "ladder_text.h"
#include "settings.h"
#include "tcp_conn.h"

/* ------------------------------------------------------------ feeding */

/* The first max frames of path (all with max 0). */
static void feed_file(struct engine *e, const char *path, uint64_t max)
{
	unit_feed_frames(e, path, 0, max ? max : UINT64_MAX);
}

/* ------------------------------------------ what `flows` says, per flow */

struct ended {
	uint64_t uid;
	bool tcp;
	char conn_state[8];
	uint8_t state[2];
	bool at_capture_end;
	struct rtt_stats rtt[2];
	uint32_t srtt_us[2];    /* the test's own RFC 6298 over the samples */
	uint32_t retrans;
	uint64_t rows;          /* segments and copies: timeline's lines */
};

struct recorder {
	struct ended *flows;
	size_t n, cap;
	/*
	 * The test's own model of the first rows' pool: a connection takes
	 * a slot with its first row if one is free, gives it back at its end.
	 */
	size_t slots_free;
	uint64_t refused;
};

/* Per flow, in the consumer's storage. */
struct rec_storage {
	uint32_t srtt_us[2];
	uint64_t rows;
	bool slot;
};

static void rec_row(struct recorder *r, struct rec_storage *st)
{
	if (st->rows++ > 0)
		return;
	if (r->slots_free > 0) {
		r->slots_free--;
		st->slot = true;
	} else {
		r->refused++;
	}
}

/* Both ends closed after the segment: the slot goes back. */
static void rec_closed(struct recorder *r, struct rec_storage *st,
		       const struct tcp_seg_info *info)
{
	for (int d = 0; d < 2; d++)
		if (info->state[d] != TCP_STATE_TIME_WAIT &&
		    info->state[d] != TCP_STATE_CLOSED)
			return;
	if (st->slot) {
		st->slot = false;
		r->slots_free++;
	}
}

static void rec_segment(void *ctx, const struct packet *pkt,
			const struct flow *f, const struct tcp_seg_info *info,
			void *storage)
{
	struct rec_storage *st = storage;
	int d = !info->dir;     /* the sample times the peer's data */
	int64_t us = info->ack_rtt_ns / 1000;

	(void)pkt;
	(void)f;
	rec_row(ctx, st);
	rec_closed(ctx, st, info);
	if (info->ack_rtt_ns <= 0)
		return;
	if (us < 1)
		us = 1;
	st->srtt_us[d] = st->srtt_us[d] == 0
		? (uint32_t)us
		: (uint32_t)((int64_t)st->srtt_us[d] +
			     (us - (int64_t)st->srtt_us[d]) / 8);
}

static void rec_copy(void *ctx, const struct packet *pkt,
		     const struct flow *f, int dir, uint64_t copy_of,
		     void *storage)
{
	(void)pkt;
	(void)dir;
	(void)copy_of;
	if (flow_is_tcp(f))
		rec_row(ctx, storage);
}

static void rec_end(void *ctx, const struct flow *f, void *storage)
{
	struct recorder *r = ctx;
	const struct rec_storage *st = storage;
	struct flow_record fr;
	struct ended *x;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->flows = realloc(r->flows, r->cap * sizeof(*r->flows));
		assert_non_null(r->flows);
	}
	x = &r->flows[r->n++];
	memset(x, 0, sizeof(*x));
	flow_record_from_flow(&fr, f, NULL);
	x->uid = flow_uid(f);
	x->tcp = flow_is_tcp(f);
	memcpy(x->conn_state, fr.conn_state, sizeof(x->conn_state));
	x->at_capture_end = f->end_reason == FLOW_END_CAPTURE_END;
	x->rows = st->rows;
	if (st->slot)
		r->slots_free++;
	if (!x->tcp)
		return;
	for (int d = 0; d < 2; d++) {
		x->state[d] = fr.state[d];
		x->rtt[d] = fr.data_rtt[d];
		x->srtt_us[d] = st->srtt_us[d];
		x->retrans += fr.retrans[d];
	}
}

static const struct ended *ended_of(const struct recorder *r, uint64_t uid)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->flows[i].uid == uid)
			return &r->flows[i];
	return NULL;
}

/* An engine with ENGINE_HISTORY's stores sized (0: the default). */
static struct engine *engine_sized(unsigned parts, size_t history_rows,
				   size_t history_conns, size_t watch_rows,
				   struct recorder *rec,
				   struct engine_consumer *c)
{
	struct settings s;
	struct engine_config cfg = {.parts = parts};

	settings_defaults(&s);
	cfg.analyzer = s.engine;
	cfg.detect = s.detect;
	cfg.top_n = 5;
	cfg.history_rows = history_rows;
	cfg.history_conns = history_conns;
	cfg.watch_rows = watch_rows;
	rec->slots_free = history_conns ? history_conns : ENGINE_HISTORY_CONNS;
	memset(c, 0, sizeof(*c));
	c->ctx = rec;
	c->on_tcp_segment = rec_segment;
	c->on_copy = rec_copy;
	c->on_flow_end = rec_end;
	c->flow_storage = sizeof(struct rec_storage);
	cfg.consumers = c;
	cfg.n_consumers = 1;
	return engine_new(&cfg);
}

static struct engine *engine_with(unsigned parts, size_t history_rows,
				  struct recorder *rec,
				  struct engine_consumer *c)
{
	return engine_sized(parts, history_rows, 0, 0, rec, c);
}

/* ------------------------------------------------ rtt_ns and conn_state */

static const char *const lab_captures[] = {
	"testdata/lab/bulk_loss.pcap",
	"testdata/lab/bulk_loss_v6.pcap",
	"testdata/lab/close_wait_leak.pcap",
	"testdata/lab/refused.pcap",
	"testdata/lab/rst_storm.pcap",
	"testdata/lab/syn_flood_no_cookies.pcap",
	"testdata/lab/half_close.pcap",
	"testdata/lab/zero_window.pcap",
	"testdata/lab/mtu_black_hole.pcap",
	"testdata/lab/udp_port_unreachable.pcap",
	"testdata/lab/normal_nginx_wrk.pcap",
};

#define N_LAB (sizeof(lab_captures) / sizeof(lab_captures[0]))

/*
 * The rows taken after the last packet, before the end, against the
 * records `flows` makes of the same flows when the end comes with no
 * packet between: conn_state identical, the RTT the test's own smoothing
 * of the tracker's samples, within their min and max, 0 without one.
 */
static void test_rows_as_flows_end(void **state)
{
	size_t rows = 0, with_rtt = 0;

	(void)state;
	for (size_t c = 0; c < N_LAB; c++) {
		struct recorder rec = {0};
		struct engine_consumer con;
		struct engine_snapshot s;
		struct engine *e = engine_with(ENGINE_ALL | ENGINE_FLOW_RTT, 0,
					       &rec, &con);

		assert_non_null(e);
		engine_snapshot_init(&s, SNAPSHOT_FLOWS);
		feed_file(e, lab_captures[c], 0);
		assert_true(engine_snapshot_take(e, &s));
		engine_finish(e);
		for (size_t i = 0; i < s.n_flows; i++) {
			const struct engine_flow_row *r = &s.flows[i];
			const struct ended *x = ended_of(&rec, r->uid);

			assert_non_null(x);
			assert_string_equal(r->conn_state, x->conn_state);
			rows++;
			for (int d = 0; x->tcp && d < 2; d++) {
				int64_t us = r->rtt_ns[d] / 1000;

				assert_int_equal(r->rtt_ns[d] % 1000, 0);
				assert_int_equal(us, x->srtt_us[d]);
				if (x->rtt[d].n == 0) {
					assert_int_equal(us, 0);
					continue;
				}
				with_rtt++;
				assert_true(us >= x->rtt[d].min_us ||
					    (x->rtt[d].min_us == 0 && us == 1));
				assert_true(us <= x->rtt[d].max_us ||
					    (x->rtt[d].max_us == 0 && us == 1));
				if (x->rtt[d].n == 1)
					assert_true(us == x->rtt[d].min_us ||
						    (us == 1 && x->rtt[d].min_us == 0));
			}
		}
		engine_snapshot_free(&s);
		engine_free(e);
		free(rec.flows);
	}
	/* The captures do exercise it. */
	assert_true(rows > 500);
	assert_true(with_rtt > 20);
}

/*
 * Mid-capture, a live flow's conn_state is "so far": what `flows` prints
 * for the capture cut at that frame.
 */
static void test_conn_state_so_far(void **state)
{
	static const struct {
		const char *path;
		uint64_t cut;
	} cuts[] = {
		{"testdata/lab/bulk_loss.pcap", 3},
		{"testdata/lab/bulk_loss.pcap", 40},
		{"testdata/lab/close_wait_leak.pcap", 30},
		{"testdata/lab/half_close.pcap", 8},
		{"testdata/lab/refused.pcap", 1},
		{"testdata/lab/syn_flood_no_cookies.pcap", 100},
	};
	size_t compared = 0;

	(void)state;
	for (size_t c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
		struct recorder rec = {0}, cut_rec = {0};
		struct engine_consumer con, cut_con;
		struct engine_snapshot s;
		struct engine *live = engine_with(ENGINE_ALL, 0, &rec, &con);
		struct engine *cut = engine_with(0, 0, &cut_rec, &cut_con);

		assert_non_null(live);
		assert_non_null(cut);
		engine_snapshot_init(&s, SNAPSHOT_FLOWS);
		feed_file(live, cuts[c].path, cuts[c].cut);
		feed_file(cut, cuts[c].path, cuts[c].cut);
		assert_true(engine_snapshot_take(live, &s));
		engine_finish(cut);
		for (size_t i = 0; i < s.n_flows; i++) {
			const struct ended *x = ended_of(&cut_rec, s.flows[i].uid);

			assert_non_null(x);
			assert_string_equal(s.flows[i].conn_state, x->conn_state);
			compared++;
		}
		engine_snapshot_free(&s);
		engine_free(live);
		engine_free(cut);
		free(rec.flows);
		free(cut_rec.flows);
	}
	assert_true(compared >= 6);
}

/* Without ENGINE_FLOW_RTT no RTT is kept: 0 says "no sample". */
static void test_no_rtt_part(void **state)
{
	struct recorder rec = {0};
	struct engine_consumer con;
	struct engine_snapshot s;
	struct engine *e = engine_with(ENGINE_ALL, 0, &rec, &con);

	(void)state;
	engine_snapshot_init(&s, SNAPSHOT_FLOWS);
	feed_file(e, "testdata/lab/bulk_loss.pcap", 0);
	assert_true(engine_snapshot_take(e, &s));
	for (size_t i = 0; i < s.n_flows; i++)
		assert_true(s.flows[i].rtt_ns[0] == 0 &&
			    s.flows[i].rtt_ns[1] == 0);
	engine_snapshot_free(&s);
	engine_free(e);
	free(rec.flows);
}

/* ------------------------------------------------------------ rates */

/*
 * syn, syn_ack and rst are tshark's counts of the same files:
 *   tshark -r F -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' | wc -l
 *   tshark -r F -Y 'tcp.flags.syn==1 && tcp.flags.ack==1' | wc -l
 *   tshark -r F -Y 'tcp.flags.reset==1' | wc -l
 * The kinds are the retransmit_burst finding's ("16 fast, 0 after a
 * timeout, 0 spurious" for bulk_loss; "5 timeout retransmissions" in a
 * row for mtu_black_hole).  retrans and new_conns are the flows'
 * records' own sums, half_open their count in SYN_SENT/SYN_RECV at the
 * end.
 */
static void test_rates(void **state)
{
	static const struct {
		const char *path;
		uint64_t syn, syn_ack, rst;
		int64_t timeout, fast, spurious; /* -1: not checked */
	} known[] = {
		{"testdata/lab/syn_flood_no_cookies.pcap", 307, 28, 0, -1, -1, -1},
		{"testdata/lab/rst_storm.pcap", 500, 0, 500, 0, 0, 0},
		{"testdata/lab/bulk_loss.pcap", 1, 1, 0, 0, 16, 0},
		{"testdata/lab/refused.pcap", 2, 0, 2, 0, 0, 0},
		{"testdata/lab/mtu_black_hole.pcap", 1, 1, 0, 5, -1, 0},
	};

	(void)state;
	for (size_t c = 0; c < sizeof(known) / sizeof(known[0]); c++) {
		struct recorder rec = {0};
		struct engine_consumer con;
		struct engine_snapshot s;
		struct engine *e = engine_with(ENGINE_ALL, 0, &rec, &con);
		uint64_t retrans = 0, tcp = 0, half_open = 0, rows_half = 0;
		const struct engine_rate_counts *r = &s.rates;

		engine_snapshot_init(&s, SNAPSHOT_FLOWS);
		feed_file(e, known[c].path, 0);
		assert_true(engine_snapshot_take(e, &s));
		for (size_t i = 0; i < s.n_flows; i++)
			for (int d = 0; d < 2; d++)
				if (s.flows[i].proto == 6 &&
				    (s.flows[i].state[d] == TCP_STATE_SYN_SENT ||
				     s.flows[i].state[d] == TCP_STATE_SYN_RECV)) {
					rows_half++;
					break;
				}
		engine_finish(e);
		for (size_t i = 0; i < rec.n; i++) {
			const struct ended *x = &rec.flows[i];

			if (!x->tcp)
				continue;
			tcp++;
			retrans += x->retrans;
			if (x->at_capture_end &&
			    (x->state[0] == TCP_STATE_SYN_SENT ||
			     x->state[0] == TCP_STATE_SYN_RECV ||
			     x->state[1] == TCP_STATE_SYN_SENT ||
			     x->state[1] == TCP_STATE_SYN_RECV))
				half_open++;
		}
		assert_int_equal(r->syn, known[c].syn);
		assert_int_equal(r->syn_ack, known[c].syn_ack);
		assert_int_equal(r->rst, known[c].rst);
		assert_int_equal(r->retrans, retrans);
		assert_int_equal(r->new_conns, tcp);
		assert_int_equal(r->half_open, half_open);
		assert_int_equal(r->half_open, rows_half);
		if (known[c].timeout >= 0)
			assert_int_equal(r->retrans_timeout, known[c].timeout);
		if (known[c].fast >= 0)
			assert_int_equal(r->retrans_fast, known[c].fast);
		if (known[c].spurious >= 0)
			assert_int_equal(r->retrans_spurious, known[c].spurious);
		assert_true(r->retrans_timeout + r->retrans_fast +
			    r->retrans_spurious <= r->retrans);
		engine_snapshot_free(&s);
		engine_free(e);
		free(rec.flows);
	}
}

/*
 * Connections reset, by the cause of their first RST: the causes the
 * abortive_close and rst_storm findings give for the same files.
 */
static void test_resets_by_cause(void **state)
{
	static const struct {
		const char *path, *cause;
		uint64_t n;
	} known[] = {
		{"testdata/lab/refused.pcap", "refused", 2},
		{"testdata/lab/rst_storm.pcap", "refused", 500},
		{"testdata/lab/linger_zero.pcap", "linger_zero", 1},
		{"testdata/lab/rst_unread_data.pcap", "close_with_unread_data", 1},
		{"testdata/lab/bulk_loss.pcap", NULL, 0},
	};

	(void)state;
	for (size_t c = 0; c < sizeof(known) / sizeof(known[0]); c++) {
		struct recorder rec = {0};
		struct engine_consumer con;
		struct engine_snapshot s;
		struct engine *e = engine_with(ENGINE_ALL, 0, &rec, &con);
		uint64_t all = 0;

		engine_snapshot_init(&s, 0);
		feed_file(e, known[c].path, 0);
		assert_true(engine_snapshot_take(e, &s));
		for (unsigned k = 0; k < DETECT_RST_CAUSES; k++) {
			all += s.rates.resets[k];
			if (known[c].cause != NULL &&
			    strcmp(detectors_reset_cause_name(k),
				   known[c].cause) == 0)
				assert_int_equal(s.rates.resets[k], known[c].n);
		}
		assert_int_equal(all, known[c].n);
		engine_snapshot_free(&s);
		engine_free(e);
		free(rec.flows);
	}
}

/* A SYN flood leaves its victims half-open while it runs. */
static void test_half_open_during_flood(void **state)
{
	struct recorder rec = {0};
	struct engine_consumer con;
	struct engine_snapshot s;
	struct engine *e = engine_with(ENGINE_ALL, 0, &rec, &con);

	(void)state;
	engine_snapshot_init(&s, 0);
	feed_file(e, "testdata/lab/syn_flood_no_cookies.pcap", 0);
	assert_true(engine_snapshot_take(e, &s));
	/* Counted without the flows part too. */
	assert_true(s.rates.half_open >= 250);
	assert_int_equal(s.n_flows, 0);
	engine_snapshot_free(&s);
	engine_free(e);
	free(rec.flows);
}

/* ------------------------------------------------ a page of flows */

/* The page's test order: bytes both ways, TCP only (UDP kept out). */
static bool page_keep(const void *ctx, const struct engine_flow_row *r)
{
	(void)ctx;
	return r->proto == 6;
}

static double page_order(const void *ctx, const struct engine_flow_row *r,
			 int64_t at)
{
	int how = *(const int *)ctx;

	if (how == 0)
		return (double)(r->bytes[0] + r->bytes[1]);
	if (how == 1)
		return (double)(at - r->first_ts);
	return (double)(r->retrans[0] + r->retrans[1]);
}

struct oracle_ctx {
	int how;
	int64_t at;
};

static const struct oracle_ctx *oracle_of;

static int oracle_cmp(const void *pa, const void *pb)
{
	const struct engine_flow_row *a = pa, *b = pb;
	double ka = page_order(&oracle_of->how, a, oracle_of->at);
	double kb = page_order(&oracle_of->how, b, oracle_of->at);

	if (ka != kb)
		return ka < kb ? 1 : -1;
	return (a->uid > b->uid) - (a->uid < b->uid);
}

/*
 * Taken as the capture goes, a page of 7 holds the first 7 of every live
 * flow's row the whole list gives, kept and sorted by the same rules,
 * and counts all those kept.
 */
static void test_flow_page(void **state)
{
	static const char *const caps[] = {
		"testdata/lab/syn_flood_no_cookies.pcap",
		"testdata/lab/bulk_loss.pcap",
		"testdata/lab/udp_port_unreachable.pcap",
		"testdata/lab/short_connection_churn.pcap",
	};

	(void)state;
	for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++)
		for (int how = 0; how < 3; how++) {
			struct recorder rec = {0};
			struct engine_consumer con;
			struct engine_snapshot all, page;
			struct engine *e = engine_with(ENGINE_ALL, 0, &rec, &con);
			struct engine_flow_query q = {.limit = 7,
						      .keep = page_keep,
						      .order = page_order,
						      .ctx = &how};
			uint64_t at = 0;
			size_t pages = 0;

			engine_snapshot_init(&all, SNAPSHOT_FLOWS);
			engine_snapshot_init(&page, SNAPSHOT_FLOWS);
			engine_snapshot_want_flows(&page, &q);
			for (;;) {
				struct oracle_ctx o = {how, 0};
				size_t kept = 0;

				if (unit_feed_frames(e, caps[c], at, 40) == 0)
					break;
				at += 40;
				assert_true(engine_snapshot_take(e, &all));
				assert_true(engine_snapshot_take(e, &page));
				for (size_t i = 0; i < all.n_flows; i++)
					if (page_keep(NULL, &all.flows[i]))
						all.flows[kept++] = all.flows[i];
				o.at = all.at;
				oracle_of = &o;
				qsort(all.flows, kept, sizeof(*all.flows),
				      oracle_cmp);
				assert_int_equal(page.n_flows_matched, kept);
				assert_int_equal(page.n_flows,
						 kept < 7 ? kept : 7);
				for (size_t i = 0; i < page.n_flows; i++)
					assert_int_equal(page.flows[i].uid,
							 all.flows[i].uid);
				pages += page.n_flows == 7;
			}
			/* The flood and the churn have more than a page. */
			assert_true(pages > 0 || c == 1 || c == 2);
			engine_snapshot_free(&all);
			engine_snapshot_free(&page);
			engine_free(e);
			free(rec.flows);
		}
}

/* ------------------------------------------------ each flow's rate */

struct rate_base {
	uint64_t uid, bytes[2];
	double rate[2];         /* as the take that moved the base gave it */
};

static const struct rate_base *base_of(const struct rate_base *b, size_t n,
				       uint64_t uid)
{
	for (size_t i = 0; i < n; i++)
		if (b[i].uid == uid)
			return &b[i];
	return NULL;
}

/*
 * ENGINE_FLOW_RATE: a take a second or more of capture time after the
 * last interval's end gives each flow its bytes since then over that
 * time; one within the second repeats it; a flow begun within the
 * interval has none (-1).  Checked at every take against the test's own
 * count from the whole list.
 */
static void test_flow_rate(void **state)
{
	struct recorder rec = {0};
	struct engine_consumer con;
	struct engine_snapshot s;
	struct engine *e = engine_with(ENGINE_ALL | ENGINE_FLOW_RATE, 0, &rec,
				       &con);
	struct rate_base *base = NULL, *next = NULL;
	size_t n_base = 0, moves = 0, known = 0;
	int64_t base_at = 0;
	double *want = NULL;
	uint64_t at = 0;

	(void)state;
	engine_snapshot_init(&s, SNAPSHOT_FLOWS);
	while (unit_feed_frames(e, "testdata/lab/normal_nginx_wrk.pcap", at,
				200) != 0) {
		bool move;

		at += 200;
		assert_true(engine_snapshot_take(e, &s));
		move = base_at == 0 || s.at - base_at >= 1000000000LL;
		want = realloc(want, (2 * s.n_flows + 1) * sizeof(*want));
		next = realloc(next, (s.n_flows + 1) * sizeof(*next));
		assert_non_null(want);
		assert_non_null(next);
		for (size_t i = 0; i < s.n_flows; i++) {
			const struct engine_flow_row *r = &s.flows[i];
			const struct rate_base *b = base_of(base, n_base, r->uid);

			for (int d = 0; d < 2; d++) {
				if (!move) {
					/* The interval's, as given at its end. */
					assert_true(b != NULL
						    ? r->rate[d] == b->rate[d]
						    : r->rate[d] < 0);
					continue;
				}
				want[2 * i + d] =
					b != NULL && base_at != 0
					? (double)(r->bytes[d] - b->bytes[d]) /
					  ((double)(s.at - base_at) / 1e9)
					: -1;
				assert_true(r->rate[d] < 0
					    ? want[2 * i + d] < 0
					    : fabs(r->rate[d] - want[2 * i + d]) <=
					      want[2 * i + d] * 1e-4 + 1e-3);
				known += r->rate[d] > 0;
			}
			next[i].uid = r->uid;
			memcpy(next[i].bytes, r->bytes, sizeof(next[i].bytes));
			memcpy(next[i].rate, r->rate, sizeof(next[i].rate));
		}
		if (move) {
			struct rate_base *t = base;

			base = next;
			next = t;
			n_base = s.n_flows;
			base_at = s.at;
			moves++;
		}
	}
	assert_true(moves >= 3);
	assert_true(known > 0);
	engine_snapshot_free(&s);
	engine_free(e);
	free(rec.flows);
	free(base);
	free(next);
	free(want);
}

/* ------------------------------------------------------------ ladders */

struct golden {
	char **lines;
	size_t n;
};

/* The stdout lines of a golden case (tests/golden/expected/NAME.out). */
static void golden_read(struct golden *g, const char *name)
{
	char path[256], buf[2048];
	FILE *f;

	snprintf(path, sizeof(path), "tests/golden/expected/%s.out", name);
	f = fopen(path, "r");
	assert_non_null(f);
	memset(g, 0, sizeof(*g));
	while (fgets(buf, sizeof(buf), f) != NULL) {
		size_t len = strlen(buf);

		if (strcmp(buf, "--- stderr ---\n") == 0)
			break;
		if (len > 0 && buf[len - 1] == '\n')
			buf[len - 1] = '\0';
		g->lines = realloc(g->lines, (g->n + 1) * sizeof(*g->lines));
		assert_non_null(g->lines);
		g->lines[g->n++] = strdup(buf);
	}
	fclose(f);
}

static void golden_free(struct golden *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->lines[i]);
	free(g->lines);
}

/*
 * Every connection of a `timeline --all` golden case: its ladder from
 * the ring, rendered, is its lines, in order (the ring holds them all).
 */
static void check_ladders(const char *capture, const char *golden_name)
{
	struct golden g;
	struct recorder rec = {0};
	struct engine_consumer con;
	struct engine_snapshot s;
	struct engine *e = engine_with(ENGINE_ALL | ENGINE_HISTORY, 0, &rec,
				       &con);
	size_t matched = 0;

	golden_read(&g, golden_name);
	assert_true(g.n > 0);
	engine_snapshot_init(&s, 0);
	feed_file(e, capture, 0);
	engine_finish(e);
	for (size_t i = 0; i < rec.n; i++) {
		char line[LADDER_TEXT_LEN], uid[FLOW_UID_LEN];
		size_t k = 0;

		if (!rec.flows[i].tcp)
			continue;
		flow_format_uid(rec.flows[i].uid, uid);
		engine_snapshot_want_ladder(&s, rec.flows[i].uid);
		assert_true(engine_snapshot_take(e, &s));
		assert_int_equal(s.n_ladder, rec.flows[i].rows);
		assert_int_equal(s.ladder_not_kept, 0);
		for (size_t j = 0; j < g.n; j++) {
			if (strncmp(g.lines[j], uid, strlen(uid)) != 0)
				continue;
			assert_true(k < s.n_ladder);
			ladder_text_format(&s.ladder[k++], true, line,
					   sizeof(line));
			assert_string_equal(line, g.lines[j]);
			matched++;
		}
		assert_int_equal(k, s.n_ladder);
	}
	assert_int_equal(matched, g.n);
	golden_free(&g);
	engine_snapshot_free(&s);
	engine_free(e);
	free(rec.flows);
}

static void test_ladder_is_timeline(void **state)
{
	(void)state;
	check_ladders("testdata/tcp-duplicates.pcap", "timeline-dup-copies");
	check_ladders("testdata/tcp-reset-retry.pcap", "timeline-reset-retry");
	check_ladders("testdata/lab/simultaneous_open.pcap", "timeline-sim-open");
	check_ladders("testdata/tcp-seq-gaps.pcap", "timeline-all-seq-gaps");
	check_ladders("testdata/tcp-syn-fin-resent.pcap",
		      "timeline-syn-fin-resent");
}

/*
 * The RTT samples too (not in the text): each row's ack_rtt_ns as
 * timeline's NDJSON gives ack_rtt_ms, on zero_window's one connection.
 */
static void test_ladder_rtt_is_timeline(void **state)
{
	struct golden g;
	struct recorder rec = {0};
	struct engine_consumer con;
	struct engine_snapshot s;
	struct engine *e = engine_with(ENGINE_HISTORY, 0, &rec, &con);
	uint64_t uid = 0;
	size_t samples = 0;

	(void)state;
	golden_read(&g, "timeline-all-ndjson-zero-window");
	engine_snapshot_init(&s, 0);
	feed_file(e, "testdata/lab/zero_window.pcap", 0);
	engine_finish(e);
	for (size_t i = 0; i < rec.n; i++)
		if (rec.flows[i].tcp) {
			assert_int_equal(uid, 0);       /* only one */
			uid = rec.flows[i].uid;
		}
	engine_snapshot_want_ladder(&s, uid);
	assert_true(engine_snapshot_take(e, &s));
	assert_int_equal(s.n_ladder, g.n);
	for (size_t i = 0; i < g.n; i++) {
		const struct ladder_row *r = &s.ladder[i];
		const char *at = strstr(g.lines[i], "\"ack_rtt_ms\":");
		char want[64] = "", got[64] = "";
		unsigned long long frame;

		assert_int_equal(sscanf(g.lines[i], "{\"frame\":%llu", &frame),
				 1);
		assert_int_equal(r->frame, frame);
		if (at != NULL) {
			assert_int_equal(sscanf(at + 13, "%63[0-9.]", want), 1);
			samples++;
		}
		if (r->ack_rtt_ns > 0) {
			long long us = r->ack_rtt_ns / 1000;

			snprintf(got, sizeof(got), "%lld.%03lld", us / 1000,
				 us % 1000);
		}
		assert_string_equal(got, want);
	}
	assert_true(samples > 0);
	golden_free(&g);
	engine_snapshot_free(&s);
	engine_free(e);
	free(rec.flows);
}

/*
 * Connection uid's whole ladder from the first max frames of path (all
 * with UINT64_MAX), from a ring that holds them all.
 */
static void whole_ladder(const char *path, uint64_t max, uint64_t uid,
			 struct engine_snapshot *all)
{
	struct recorder rec = {0};
	struct engine_consumer con;
	struct engine *big = engine_with(ENGINE_HISTORY, 0, &rec, &con);

	assert_non_null(big);
	engine_snapshot_init(all, 0);
	engine_snapshot_want_ladder(all, uid);
	unit_feed_frames(big, path, 0, max);
	assert_true(engine_snapshot_take(big, all));
	assert_int_equal(all->ladder_not_kept, 0);
	assert_true(all->n_ladder > 0);
	engine_free(big);
	free(rec.flows);
}

/*
 * A ring smaller than the traffic: a connection's newest rows are kept,
 * and the ones lost are counted, while it lives and after it ended.
 */
static void test_ladder_not_kept(void **state)
{
	struct recorder rec = {0};
	struct engine_consumer con;
	struct engine_snapshot s;
	struct engine *e = engine_with(ENGINE_HISTORY, 8, &rec, &con);
	uint64_t uid = 0, rows = 0;

	(void)state;
	engine_snapshot_init(&s, 0);
	/* bulk_loss: one TCP connection, its SYN in frame 1 or so. */
	feed_file(e, "testdata/lab/bulk_loss.pcap", 0);
	engine_finish(e);
	for (size_t i = 0; i < rec.n; i++)
		if (rec.flows[i].tcp) {
			uid = rec.flows[i].uid;
			rows = rec.flows[i].rows;
		}
	assert_true(rows > 100);
	/* Asked for only once it ended: still exact (one of the last ended). */
	engine_snapshot_want_ladder(&s, uid);
	assert_true(engine_snapshot_take(e, &s));
	assert_int_equal(s.n_ladder, 8);
	assert_int_equal(s.ladder_not_kept + s.n_ladder, rows);
	engine_snapshot_free(&s);
	engine_free(e);
	free(rec.flows);

	/*
	 * Asked for while it lives (first taken after its last segment,
	 * in TIME_WAIT, so its first rows went back to the pool as it
	 * closed): the newest eight, exact, and still so once it ended.
	 */
	memset(&rec, 0, sizeof(rec));
	e = engine_with(ENGINE_HISTORY, 8, &rec, &con);
	engine_snapshot_init(&s, 0);
	engine_snapshot_want_ladder(&s, uid);
	feed_file(e, "testdata/lab/bulk_loss.pcap", 0);
	assert_true(engine_snapshot_take(e, &s));
	assert_int_equal(s.n_ladder, 8);
	assert_int_equal(s.ladder_gap_at, 0);
	assert_int_equal(s.ladder_not_kept + s.n_ladder, rows);
	engine_finish(e);
	assert_true(engine_snapshot_take(e, &s));
	assert_int_equal(s.n_ladder, 8);
	assert_int_equal(s.ladder_not_kept + s.n_ladder, rows);
	/* As a ring that holds them all has them. */
	{
		struct engine_snapshot all;

		whole_ladder("testdata/lab/bulk_loss.pcap", UINT64_MAX, uid,
			     &all);
		assert_int_equal(all.n_ladder, rows);
		assert_memory_equal(s.ladder, all.ladder + rows - 8,
				    8 * sizeof(*s.ladder));
		engine_snapshot_free(&all);
	}
	engine_snapshot_free(&s);
	engine_free(e);
	free(rec.flows);
}

/*
 * Watched while it lives, then more of its segments and its end before
 * the next take: the count stays exact (the first version added only the
 * rows lost since the last take, missing those written since).
 */
static void test_ladder_grows_then_ends(void **state)
{
	static const char path[] = "testdata/lab/bulk_loss.pcap";
	struct recorder rec = {0};
	struct engine_consumer con;
	struct engine_snapshot s;
	struct engine *e = engine_with(ENGINE_HISTORY, 8, &rec, &con);
	struct engine_snapshot all;
	uint64_t uid = 0, at_watch;
	const struct ended *x;

	(void)state;
	engine_snapshot_init(&s, SNAPSHOT_FLOWS);
	unit_feed_frames(e, path, 0, 20);
	assert_true(engine_snapshot_take(e, &s));
	for (size_t i = 0; i < s.n_flows; i++)
		if (s.flows[i].proto == 6)
			uid = s.flows[i].uid;
	assert_true(uid != 0);
	engine_snapshot_want_ladder(&s, uid);
	assert_true(engine_snapshot_take(e, &s));
	assert_int_equal(s.n_ladder, 12);
	assert_int_equal(s.ladder_gap_at, 4);
	at_watch = s.ladder_not_kept + s.n_ladder;
	assert_true(at_watch <= 20);
	unit_feed_frames(e, path, 20, UINT64_MAX);
	engine_finish(e);
	x = ended_of(&rec, uid);
	assert_non_null(x);
	assert_true(x->rows > 1000);
	/*
	 * Watched since that take: its first four, the ring's eight then,
	 * and every row since, the gap between the first four and those.
	 */
	assert_true(engine_snapshot_take(e, &s));
	assert_int_equal(s.ladder_gap_at, 4);
	assert_int_equal(s.n_ladder, 4 + 8 + (x->rows - at_watch));
	assert_int_equal(s.ladder_not_kept, at_watch - 12);
	whole_ladder(path, UINT64_MAX, uid, &all);
	assert_int_equal(all.n_ladder, x->rows);
	assert_memory_equal(s.ladder, all.ladder, 4 * sizeof(*s.ladder));
	assert_memory_equal(s.ladder + 4, all.ladder + at_watch - 8,
			    (s.n_ladder - 4) * sizeof(*s.ladder));
	engine_snapshot_free(&all);
	engine_snapshot_free(&s);
	engine_free(e);
	free(rec.flows);
}

/*
 * Ended long before it was asked for (past the last ENGINE_HISTORY_ENDED
 * connections to end), once the ring wrapped: not known, and said so.
 */
static void test_ladder_unknown(void **state)
{
	struct recorder rec = {0};
	struct engine_consumer con;
	struct engine_snapshot s;
	struct engine *e = engine_with(ENGINE_HISTORY, 8, &rec, &con);
	uint64_t first = 0;

	(void)state;
	engine_snapshot_init(&s, 0);
	feed_file(e, "testdata/lab/rst_storm.pcap", 0);
	engine_finish(e);
	for (size_t i = 0; i < rec.n && first == 0; i++)
		if (rec.flows[i].tcp)
			first = rec.flows[i].uid;
	assert_true(rec.n > ENGINE_HISTORY_ENDED(8) + 1);
	engine_snapshot_want_ladder(&s, first);
	assert_true(engine_snapshot_take(e, &s));
	assert_int_equal(s.n_ladder, 0);
	assert_true(s.ladder_not_kept == ENGINE_LADDER_UNKNOWN);
	engine_snapshot_free(&s);
	engine_free(e);
	free(rec.flows);
}

/*
 * Many connections interleaved in a small ring, each watched by a
 * snapshot of its own from while it lives: kept + lost = all its rows,
 * before and after the end.
 */
#define WATCHED 12

static void test_ladder_interleaved(void **state)
{
	struct recorder rec = {0};
	struct engine_consumer con;
	struct engine_snapshot flows, w[WATCHED];
	struct engine *e = engine_with(ENGINE_ALL | ENGINE_HISTORY, 64, &rec,
				       &con);
	size_t n = 0;

	(void)state;
	engine_snapshot_init(&flows, SNAPSHOT_FLOWS);
	feed_file(e, "testdata/lab/close_wait_leak.pcap", 0);
	assert_true(engine_snapshot_take(e, &flows));
	for (size_t i = 0; i < flows.n_flows && n < WATCHED; i++) {
		if (flows.flows[i].proto != 6)
			continue;
		engine_snapshot_init(&w[n], 0);
		engine_snapshot_want_ladder(&w[n], flows.flows[i].uid);
		assert_true(engine_snapshot_take(e, &w[n]));
		assert_true(w[n].ladder_not_kept != ENGINE_LADDER_UNKNOWN);
		for (size_t j = 0; j < w[n].n_ladder; j++)
			assert_true(w[n].ladder[j].uid == flows.flows[i].uid);
		for (size_t j = 1; j < w[n].n_ladder; j++)
			assert_true(w[n].ladder[j].frame >
				    w[n].ladder[j - 1].frame);
		n++;
	}
	assert_true(n > 1);
	engine_finish(e);
	for (size_t i = 0; i < n; i++) {
		const struct ended *x = ended_of(&rec, w[i].ladder_uid);
		uint64_t before = w[i].ladder_not_kept + w[i].n_ladder;

		assert_non_null(x);
		assert_int_equal(before, x->rows);
		assert_true(engine_snapshot_take(e, &w[i]));
		assert_int_equal(w[i].ladder_not_kept + w[i].n_ladder, x->rows);
		engine_snapshot_free(&w[i]);
	}
	engine_snapshot_free(&flows);
	engine_free(e);
	free(rec.flows);
}

/*
 * The n'th TCP connection live after the first max frames of path, of
 * those with at least min_pkts packets by then (oldest first).
 */
static uint64_t nth_connection(const char *path, uint64_t max, size_t n,
			       uint64_t min_pkts)
{
	struct recorder rec = {0};
	struct engine_consumer con;
	struct engine_snapshot s;
	struct engine *e = engine_with(ENGINE_HISTORY, 0, &rec, &con);
	uint64_t uid = 0;

	engine_snapshot_init(&s, SNAPSHOT_FLOWS);
	unit_feed_frames(e, path, 0, max);
	assert_true(engine_snapshot_take(e, &s));
	for (size_t i = 0; i < s.n_flows && uid == 0; i++)
		if (s.flows[i].proto == 6 &&
		    s.flows[i].pkts[0] + s.flows[i].pkts[1] >= min_pkts &&
		    n-- == 0)
			uid = s.flows[i].uid;
	assert_true(uid != 0);
	engine_snapshot_free(&s);
	engine_free(e);
	free(rec.flows);
	return uid;
}

/*
 * A busy ring (8 rows) wraps many times over a live connection never
 * watched: its handshake is still the ladder's first rows, then the gap
 * (exact), then the ring's newest rows.  The shared ring alone loses it.
 */
static void test_ladder_handshake_survives_wrap(void **state)
{
	static const char path[] = "testdata/lab/bulk_loss.pcap";
	struct recorder rec = {0};
	struct engine_consumer con;
	struct engine_snapshot s, all;
	struct engine *e = engine_with(ENGINE_HISTORY, 8, &rec, &con);
	uint64_t uid = nth_connection(path, 300, 0, 1);

	(void)state;
	whole_ladder(path, 300, uid, &all);
	assert_true(all.n_ladder > 100);
	engine_snapshot_init(&s, 0);
	unit_feed_frames(e, path, 0, 300);
	engine_snapshot_want_ladder(&s, uid);
	assert_true(engine_snapshot_take(e, &s));
	assert_int_equal(s.ladder_gap_at, 4);
	assert_int_equal(s.n_ladder, 12);
	assert_int_equal(s.ladder_not_kept, all.n_ladder - 12);
	assert_int_equal(s.ladder_first_refused, 0);
	/* SYN, SYN-ACK, ACK: the handshake, as the whole ladder has it. */
	assert_int_equal(s.ladder[0].flags, TCP_FLAG_SYN);
	assert_int_equal(s.ladder[1].flags, TCP_FLAG_SYN | TCP_FLAG_ACK);
	assert_int_equal(s.ladder[2].flags & (TCP_FLAG_SYN | TCP_FLAG_ACK),
			 TCP_FLAG_ACK);
	assert_memory_equal(s.ladder, all.ladder, 4 * sizeof(*s.ladder));
	assert_memory_equal(s.ladder + 4, all.ladder + all.n_ladder - 8,
			    8 * sizeof(*s.ladder));
	engine_snapshot_free(&all);
	engine_snapshot_free(&s);
	engine_free(e);
	free(rec.flows);
}

/*
 * Watched from before its first segment, among 33 interleaved
 * connections that wrap an 8-row ring hundreds of times: every row of
 * it is kept, as a ring holding them all has them, while it lives and
 * once it ended.  A connection not watched keeps its first four and the
 * ring's newest only.
 */
static void test_ladder_watched_all_survive(void **state)
{
	static const char path[] = "testdata/lab/normal_nginx_wrk.pcap";
	struct recorder rec = {0};
	struct engine_consumer con;
	struct engine_snapshot s, other, all;
	struct engine *e = engine_with(ENGINE_HISTORY, 8, &rec, &con);
	uint64_t uid = nth_connection(path, 400, 0, 10);
	uint64_t not_watched = nth_connection(path, 400, 1, 10);

	(void)state;
	whole_ladder(path, UINT64_MAX, uid, &all);
	assert_true(all.n_ladder > 400);
	engine_watch_ladder(e, uid);
	engine_snapshot_init(&s, 0);
	engine_snapshot_init(&other, 0);
	engine_snapshot_want_ladder(&s, uid);
	feed_file(e, path, 0);
	assert_true(engine_snapshot_take(e, &s));
	assert_int_equal(s.ladder_not_kept, 0);
	assert_int_equal(s.n_ladder, all.n_ladder);
	assert_memory_equal(s.ladder, all.ladder,
			    all.n_ladder * sizeof(*s.ladder));
	/* Another's ladder, taken without starting a watch of its own. */
	engine_finish(e);
	assert_true(engine_snapshot_take(e, &s));
	assert_int_equal(s.ladder_not_kept, 0);
	assert_int_equal(s.n_ladder, all.n_ladder);
	assert_memory_equal(s.ladder, all.ladder,
			    all.n_ladder * sizeof(*s.ladder));
	engine_snapshot_want_ladder(&other, not_watched);
	assert_true(engine_snapshot_take(e, &other));
	/* Ended unwatched: its first rows went back to the pool. */
	assert_true(other.n_ladder <= 8);
	assert_int_equal(other.ladder_gap_at, 0);
	assert_int_equal(other.ladder_not_kept + other.n_ladder,
			 ended_of(&rec, not_watched)->rows);
	engine_snapshot_free(&all);
	engine_snapshot_free(&other);
	engine_snapshot_free(&s);
	engine_free(e);
	free(rec.flows);
}

/*
 * Watched from its middle, with a ring (64) that still holds some of
 * its rows then: those and every later one, after its first four; the
 * gap between is exact.  The ring alone has only its last few by then.
 */
static void test_ladder_watch_joins_ring(void **state)
{
	static const char path[] = "testdata/lab/normal_nginx_wrk.pcap";
	struct recorder rec = {0};
	struct engine_consumer con;
	struct engine_snapshot s, all;
	struct engine *e = engine_with(ENGINE_HISTORY, 64, &rec, &con);
	uint64_t uid = nth_connection(path, 400, 0, 10);
	uint64_t at_watch, in_ring;

	(void)state;
	whole_ladder(path, UINT64_MAX, uid, &all);
	engine_snapshot_init(&s, 0);
	unit_feed_frames(e, path, 0, 4000);
	engine_snapshot_want_ladder(&s, uid);
	assert_true(engine_snapshot_take(e, &s));     /* the watch begins */
	assert_int_equal(s.ladder_gap_at, 4);
	at_watch = s.n_ladder + s.ladder_not_kept;
	in_ring = s.n_ladder - 4;
	assert_true(in_ring > 0 && in_ring < 64);
	assert_true(s.ladder_not_kept > 0);
	unit_feed_frames(e, path, 4000, UINT64_MAX);
	assert_true(engine_snapshot_take(e, &s));
	assert_int_equal(s.ladder_gap_at, 4);
	assert_int_equal(s.ladder_not_kept, at_watch - in_ring - 4);
	assert_int_equal(s.n_ladder + s.ladder_not_kept, all.n_ladder);
	assert_memory_equal(s.ladder, all.ladder, 4 * sizeof(*s.ladder));
	assert_memory_equal(s.ladder + 4, all.ladder + at_watch - in_ring,
			    (s.n_ladder - 4) * sizeof(*s.ladder));
	engine_snapshot_free(&all);
	engine_snapshot_free(&s);
	engine_free(e);
	free(rec.flows);
}

/* A watch of 16 rows: the newest 16 after the first four, the gap exact. */
static void test_ladder_watch_bounded(void **state)
{
	static const char path[] = "testdata/lab/normal_nginx_wrk.pcap";
	struct recorder rec = {0};
	struct engine_consumer con;
	struct engine_snapshot s, all;
	struct engine *e = engine_sized(ENGINE_HISTORY, 8, 0, 16, &rec, &con);
	uint64_t uid = nth_connection(path, 400, 0, 10);

	(void)state;
	whole_ladder(path, UINT64_MAX, uid, &all);
	engine_watch_ladder(e, uid);
	engine_snapshot_init(&s, 0);
	engine_snapshot_want_ladder(&s, uid);
	feed_file(e, path, 0);
	assert_true(engine_snapshot_take(e, &s));
	assert_int_equal(s.ladder_gap_at, 4);
	assert_int_equal(s.n_ladder, 20);
	assert_int_equal(s.ladder_not_kept, all.n_ladder - 20);
	assert_memory_equal(s.ladder, all.ladder, 4 * sizeof(*s.ladder));
	assert_memory_equal(s.ladder + 4, all.ladder + all.n_ladder - 16,
			    16 * sizeof(*s.ladder));
	engine_snapshot_free(&all);
	engine_snapshot_free(&s);
	engine_free(e);
	free(rec.flows);
}

/*
 * A pool of 2 connections' first rows among 40 that stay open: the
 * refused are counted as the test's own model of the pool counts them,
 * and a refused connection's ladder says its earlier rows are gone.
 */
static void test_ladder_first_pool_full(void **state)
{
	static const char path[] = "testdata/lab/close_wait_leak.pcap";
	struct recorder rec = {0};
	struct engine_consumer con;
	struct engine_snapshot s;
	struct engine *e = engine_sized(ENGINE_HISTORY, 8, 2, 0, &rec, &con);
	uint64_t with = nth_connection(path, UINT64_MAX, 0, 1);
	uint64_t without = nth_connection(path, UINT64_MAX, 5, 1);

	(void)state;
	engine_snapshot_init(&s, 0);
	feed_file(e, path, 0);
	engine_snapshot_want_ladder(&s, with);
	assert_true(engine_snapshot_take(e, &s));
	assert_true(rec.refused > 10);
	assert_int_equal(s.ladder_first_refused, rec.refused);
	assert_true(s.n_ladder > 0);
	assert_int_equal(s.ladder[0].flags, TCP_FLAG_SYN);
	assert_true(s.ladder_not_kept == 0 || s.ladder_gap_at == 4);
	engine_snapshot_want_ladder(&s, without);
	assert_true(engine_snapshot_take(e, &s));
	assert_int_equal(s.ladder_gap_at, 0);
	assert_true(s.ladder_not_kept > 0);
	assert_true(s.n_ladder == 0 || s.ladder[0].flags != TCP_FLAG_SYN);
	engine_finish(e);
	assert_true(engine_snapshot_take(e, &s));
	assert_int_equal(s.ladder_first_refused, rec.refused);
	engine_snapshot_free(&s);
	engine_free(e);
	free(rec.flows);

	/*
	 * 500 connections refused at once (SYN, RST), their flows kept
	 * after: each gives its slot back as it closes, so the next gets it.
	 */
	memset(&rec, 0, sizeof(rec));
	e = engine_sized(ENGINE_HISTORY, 8, 2, 0, &rec, &con);
	engine_snapshot_init(&s, 0);
	engine_snapshot_want_ladder(&s, 1);
	feed_file(e, "testdata/lab/rst_storm.pcap", 0);
	assert_true(engine_snapshot_take(e, &s));
	assert_true(analyzer_flow_count(engine_analyzer(e)) > 100);
	assert_int_equal(s.ladder_first_refused, rec.refused);
	assert_int_equal(s.ladder_first_refused, 0);
	engine_snapshot_free(&s);
	engine_free(e);
	free(rec.flows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_as_flows_end),
		cmocka_unit_test(test_conn_state_so_far),
		cmocka_unit_test(test_no_rtt_part),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_resets_by_cause),
		cmocka_unit_test(test_half_open_during_flood),
		cmocka_unit_test(test_flow_page),
		cmocka_unit_test(test_flow_rate),
		cmocka_unit_test(test_ladder_is_timeline),
		cmocka_unit_test(test_ladder_rtt_is_timeline),
		cmocka_unit_test(test_ladder_not_kept),
		cmocka_unit_test(test_ladder_grows_then_ends),
		cmocka_unit_test(test_ladder_unknown),
		cmocka_unit_test(test_ladder_interleaved),
		cmocka_unit_test(test_ladder_handshake_survives_wrap),
		cmocka_unit_test(test_ladder_watched_all_survive),
		cmocka_unit_test(test_ladder_watch_joins_ring),
		cmocka_unit_test(test_ladder_watch_bounded),
		cmocka_unit_test(test_ladder_first_pool_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
