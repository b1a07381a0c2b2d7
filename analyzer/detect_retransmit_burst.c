/*
 * retransmit_burst groups by server host:port and sender host (addr2):
 * ring = retransmissions in the window, count = the most.  A sender
 * whose peer stays silent through dead_peer_retries resends is stuck:
 * live it counts at once; at the flow's end it is a dead peer or an MTU
 * black hole.
 */
#include "detect_internal.h"

#include <stdio.h>
#include <string.h>

#include "addr_format.h"

/* Thresholds of retransmit_burst, in its cfg->unit[] block. */
struct retransmit_settings {
	int64_t window_ns;
	uint32_t min_retransmissions;
	double min_share;
	uint32_t dead_peer_retries;
	uint32_t black_hole_size;
};

DET_SETTINGS_ACCESSORS(struct retransmit_settings, FINDING_RETRANSMIT_BURST,
		       retransmit_settings_of);

/* Their rows in the configuration file (settings.h). */
static const struct setting retransmit_rows[] = {
	DET_SWITCHES("retransmit_burst", FINDING_RETRANSMIT_BURST),
	{.section = "retransmit_burst", .key = "window",
	 .type = SETTING_SECONDS, .min = 1, .max = 3600, .def = 10,
	 .offset = DET_SETTING_AT(FINDING_RETRANSMIT_BURST,
				  struct retransmit_settings, window_ns),
	 .doc = "sliding window the retransmissions are counted in"},
	{.section = "retransmit_burst", .key = "min_retransmissions",
	 .type = SETTING_COUNT, .min = 1, .max = 1e9, .def = 10,
	 .offset = DET_SETTING_AT(FINDING_RETRANSMIT_BURST,
				  struct retransmit_settings,
				  min_retransmissions),
	 .doc = "retransmitted segments from one sender toward one host:port "
		"in the window"},
	{.section = "retransmit_burst", .key = "min_share",
	 .type = SETTING_SHARE, .min = 0, .max = 1, .def = 0.01,
	 .offset = DET_SETTING_AT(FINDING_RETRANSMIT_BURST,
				  struct retransmit_settings, min_share),
	 .doc = "and at least this share of a connection's bytes resent in "
		"the window"},
	{.section = "retransmit_burst", .key = "dead_peer_retries",
	 .type = SETTING_COUNT, .min = 1, .max = 100, .def = 3,
	 .offset = DET_SETTING_AT(FINDING_RETRANSMIT_BURST,
				  struct retransmit_settings,
				  dead_peer_retries),
	 .doc = "timeout retransmissions in a row with no answer: a dead peer"},
	{.section = "retransmit_burst", .key = "black_hole_size",
	 .type = SETTING_COUNT, .min = 68, .max = 65535, .def = 1200,
	 .offset = DET_SETTING_AT(FINDING_RETRANSMIT_BURST,
				  struct retransmit_settings, black_hole_size),
	 .doc = "payload bytes from which unanswered retransmissions suggest "
		"an MTU black hole"},
};

enum retx_kind { RETX_TIMEOUT, RETX_FAST, RETX_SPURIOUS, RETX_KIND_COUNT };

/* Linux's TCP_RTO_MIN: no retransmission timer fires sooner. */
#define RETX_RTO_MIN_NS (200 * NS_PER_MS)

/* retransmit_burst's group state. */
struct retransmit_state {
	uint64_t by_kind[RETX_KIND_COUNT];      /* retransmissions */
	uint64_t black_holes;   /* connections that hit an MTU black hole */
	uint64_t dead_peers;    /* connections whose peer went dead */
	/*
	 * Connections stuck now (DF_STUCK_LIVE), peer still silent: each
	 * becomes a black hole or a dead peer if it ends so.
	 */
	uint64_t stuck_now;
	/* Of the black holes and dead peers, those the capture's end cut. */
	uint64_t stuck_at_end;
	uint64_t max_len;       /* the largest retransmitted payload */
	/* The longest run of unanswered timeout retransmissions of data. */
	uint64_t max_run;
	/*
	 * The worst connection's share of its data resent within the
	 * window, in parts per million.
	 */
	int64_t max_share_ppm;
};

DET_GROUP_STATE_ACCESSORS(struct retransmit_state, retransmit_of,
			  retransmit_of_const);

/* ------------------------------------------------------------ counting */

static struct det_group *retx_group(struct detectors *d, const struct flow *f,
				    int sender)
{
	struct subject_key k;

	subject_endpoint(&k, FINDING_RETRANSMIT_BURST, f, FLOW_RESP);
	subject_add_party(&k, f, sender);
	return group_get(d, &k, d->now);
}

/*
 * A run of timeouts with the peer silent: a dead peer or a black hole if
 * the connection ends that way, an outage if the peer speaks again.
 */
DET_COLD
static void retx_stuck(struct detectors *d, const struct packet *pkt,
		       const struct tcp_seg_info *info, struct det_flow *df,
		       struct det_group *g)
{
	struct det_flow_ext *e = det_ext_get(d, df, DM_SIDE_WORK);

	/* Live, it counts now: its verdict waits for the end. */
	df->flags |= DF_STUCK_LIVE;
	retransmit_of(g)->stuck_now++;
	group_fire_live(d, g);
	df->flags |= DF_DEAD_PEER;
	df->stuck_dir = info->dir;
	det_mark(d, DM_SIDE_WORK);
	df->stuck_black_hole =
		df->big_run[info->dir] >=
		retransmit_settings_of(&d->cfg)->dead_peer_retries;
	if (e != NULL)
		e->stuck_frame = pkt->frame_no;
}

/* The stuck connection no longer counts live: it ended or recovered. */
static void stuck_settled(struct detectors *d, const struct flow *f,
			  struct det_flow *df)
{
	struct det_group *g;

	if (!(df->flags & DF_STUCK_LIVE))
		return;
	df->flags &= (uint16_t)~DF_STUCK_LIVE;
	g = retx_group(d, f, df->stuck_dir);
	if (g != NULL)
		retransmit_of(g)->stuck_now--;
}

/* The connection ended still stuck: the verdict stands. */
DET_COLD
static void stuck_confirmed(struct detectors *d, const struct flow *f,
			    struct det_flow *df)
{
	struct det_group *g;
	const struct det_flow_ext *e = det_ext_of(d, df);

	stuck_settled(d, f, df);
	g = retx_group(d, f, df->stuck_dir);
	if (g == NULL)
		return;
	if (df->stuck_black_hole)
		retransmit_of(g)->black_holes++;
	else
		retransmit_of(g)->dead_peers++;
	if (det_retrying_at_end(d, f))
		retransmit_of(g)->stuck_at_end++;
	if (e != NULL)
		group_add_frame(g, e->stuck_frame);
	group_add_flow(g, f);
	group_touch(g, d->now);
	group_fire(d, g);
}

DET_COLD
static void retransmission(struct detectors *d, const struct packet *pkt,
			   const struct flow *f,
			   const struct tcp_seg_info *info,
			   struct det_flow *df)
{
	const struct retransmit_settings *c = retransmit_settings_of(&d->cfg);
	int s = info->dir;
	uint32_t an = info->annots;
	/*
	 * Fast (loss recovery) when the peer's latest segment, within the
	 * 200 ms Linux waits at least before a timeout (TCP_RTO_MIN), asked
	 * for it with a duplicate ACK or SACK blocks; tshark's
	 * fast_retransmission only sees the three-dupack case, not SACK
	 * recovery.  A copy sent sooner than that after both the sender's
	 * previous segment and the peer's latest cannot be a timeout either:
	 * RACK, a tail loss probe, or copies with no time between them
	 * (edited captures).
	 */
	struct det_flow_ext *e = det_ext_get(d, df, DM_SIDE_WORK);
	bool asked = df->peer_dup[!s] && e != NULL &&
		     d->now - e->dup_ts[!s] < RETX_RTO_MIN_NS;
	bool early = info->sender_quiet_ns < RETX_RTO_MIN_NS &&
		     info->peer_quiet_ns < RETX_RTO_MIN_NS;
	enum retx_kind kind = (an & TCP_ANNOT_BIT(SPURIOUS_RETRANSMISSION))
		? RETX_SPURIOUS
		: ((an & TCP_ANNOT_BIT(FAST_RETRANSMISSION)) || asked || early)
		? RETX_FAST : RETX_TIMEOUT;
	struct det_group *g;
	struct retransmit_state *rs;
	uint64_t sum;
	double share;

	/* Counted for the engine's rates in detectors_retransmissions()'s order. */
	_Static_assert(RETX_TIMEOUT == 0 && RETX_FAST == 1 &&
		       RETX_SPURIOUS == 2 && RETX_KIND_COUNT == 3, "its order");
	d->retx_by_kind[kind]++;
	g = retx_group(d, f, s);
	share = 0;
	if (e != NULL) {
		double sent = (double)e->segs_old[s] + df->segs[s];

		if (e->retx[s][1] <= UINT32_MAX - info->seg_len)
			e->retx[s][1] += info->seg_len;
		share = (double)e->retx[s][0] + e->retx[s][1];
		share /= sent > 0 ? sent : 1;
		if (share > 1)
			share = 1;
	}

	/*
	 * A dead peer is judged on data: a bare FIN resent after the data
	 * was all delivered tells only that the close went unanswered.
	 */
	if (kind == RETX_TIMEOUT && info->seg_len > 0) {
		if (df->retx_run[s] < UINT8_MAX)
			df->retx_run[s]++;
		if (info->seg_len >= c->black_hole_size &&
		    info->seg_len > df->max_len_acked[s]) {
			if (df->big_run[s] < UINT8_MAX)
				df->big_run[s]++;
		} else {
			df->big_run[s] = 0;
		}
	}
	if (g == NULL)
		return;
	rs = retransmit_of(g);
	rs->by_kind[kind]++;
	if (tcp_conn_unanswered(f, s) && df->retx_run[s] > rs->max_run)
		rs->max_run = df->retx_run[s];
	if (info->seg_len > rs->max_len)
		rs->max_len = info->seg_len;
	if (share * 1e6 > (double)rs->max_share_ppm)
		rs->max_share_ppm = (int64_t)(share * 1e6);
	sum = rate_add(&g->ring, d->now, c->window_ns, 1);
	if (sum > g->count)
		g->count = sum;
	g->threshold = c->min_retransmissions;
	if (!(df->flags & DF_DEAD_PEER) &&
	    df->retx_run[s] >= c->dead_peer_retries &&
	    tcp_conn_unanswered(f, s))
		retx_stuck(d, pkt, info, df, g);
	if ((g->finding >= 0 && !g->provisional) ||
	    (sum >= c->min_retransmissions &&
	     share >= c->min_share)) {
		group_touch(g, d->now);
		if (g->n_flows < FINDING_MAX_FLOWS)
			group_add_flow(g, f);
		group_add_packet(g, pkt, f, info);
		group_fire(d, g);
	}
}

/*
 * Counts s's data segments in the two halves of the window, so a
 * connection's retransmitted share is measured over the window rather
 * than its whole life (where a long clean start would hide any burst).
 */
static void share_count(struct detectors *d, int s, uint32_t len,
			struct det_flow *df)
{
	int64_t half = retransmit_settings_of(&d->cfg)->window_ns / 2;
	struct det_flow_ext *e;

	if (d->now - df->share_start >= half) {
		e = det_ext_of(d, df);
		if (d->now - df->share_start >= 2 * half) {
			memset(df->segs, 0, sizeof(df->segs));
			if (e != NULL) {
				memset(e->segs_old, 0, sizeof(e->segs_old));
				memset(e->retx, 0, sizeof(e->retx));
			}
			df->share_start = d->now;
		} else {
			/* The older half now holds something: keep it. */
			if (e == NULL && (df->segs[0] != 0 || df->segs[1] != 0))
				e = det_ext_get(d, df, DM_SIDE_WORK);
			for (int i = 0; i < 2; i++) {
				if (e != NULL) {
					e->segs_old[i] = df->segs[i];
					e->retx[i][0] = e->retx[i][1];
					e->retx[i][1] = 0;
				}
				df->segs[i] = 0;
			}
			df->share_start += half;
		}
	}
	if (df->segs[s] <= UINT32_MAX - len)
		df->segs[s] += len;
}

/* ------------------------------------------------------------ hooks */

static void retx_on_segment(struct detectors *d, const struct packet *pkt,
			    const struct flow *f,
			    const struct tcp_seg_info *info,
			    struct det_flow *df)
{
	uint32_t an = info->annots;

	if (info->seg_len > 0 && det_enabled(d, FINDING_RETRANSMIT_BURST))
		share_count(d, info->dir, info->seg_len, df);
	/* Data (or a FIN) sent again: an empty ACK is no retransmission. */
	if ((an & DET_RETRANSMITTED) && !(an & DET_PROBES) &&
	    !(pkt->tcp.flags & TCP_FLAG_SYN) &&
	    (info->seg_len > 0 || (pkt->tcp.flags & TCP_FLAG_FIN)) &&
	    det_enabled(d, FINDING_RETRANSMIT_BURST))
		retransmission(d, pkt, f, info, df);
	if (df->stuck_dir == !info->dir) {
		/* The peer was not dead after all: an outage it survived. */
		stuck_settled(d, f, df);
		df->stuck_dir = 2;
		df->flags &= (uint16_t)~DF_DEAD_PEER;
	}
}

static void retx_on_flow_end(struct detectors *d, const struct flow *f,
			     struct det_flow *df)
{
	if (df != NULL && df->stuck_dir < 2 &&
	    det_enabled(d, FINDING_RETRANSMIT_BURST))
		stuck_confirmed(d, f, df);
}

/* ------------------------------------------------------------ describe */

/* The summary of a retransmit_burst finding whose details are filled. */
static void summarize_retx(const struct retransmit_state *s,
			   struct finding *out, const char *sender,
			   const char *win)
{
	unsigned long long timeout = s->by_kind[RETX_TIMEOUT];

	if (s->black_holes)
		snprintf(out->summary, sizeof(out->summary),
			 "%s kept retransmitting segments of up to %llu bytes on "
			 "connections of %s that were never acknowledged, while "
			 "smaller ones had passed: an MTU black hole (%llu timeout "
			 "retransmissions)",
			 sender, (unsigned long long)s->max_len, out->subject,
			 timeout);
	else if (s->dead_peers)
		snprintf(out->summary, sizeof(out->summary),
			 "%s retransmitted with back-off on connections of %s and "
			 "never heard back: the peer is dead or unreachable (%llu "
			 "connection%s, %llu timeout retransmissions)",
			 sender, out->subject,
			 (unsigned long long)s->dead_peers,
			 s->dead_peers == 1 ? "" : "s", timeout);
	else if (s->stuck_now)
		snprintf(out->summary, sizeof(out->summary),
			 "%s is retransmitting with back-off on connections of "
			 "%s, no answer so far (%llu connection%s still "
			 "waiting, %llu timeout retransmissions): the cause "
			 "shows when the peer answers or the connection ends",
			 sender, out->subject,
			 (unsigned long long)s->stuck_now,
			 s->stuck_now == 1 ? "" : "s", timeout);
	else if (snprintf(out->summary, sizeof(out->summary),
			 "%s retransmitted %.0f segments on connections of %s "
			 "within %s at the peak (threshold %.0f), up to %.1f%% "
			 "of a connection's bytes in the window; over the whole "
			 "capture %llu fast, %llu after a timeout, %llu spurious",
			 sender, out->value, out->subject, win, out->threshold,
			 (double)s->max_share_ppm / 1e4,
			 (unsigned long long)s->by_kind[RETX_FAST], timeout,
			 (unsigned long long)s->by_kind[RETX_SPURIOUS]) < 0)
		out->summary[0] = '\0';
}

static void retx_describe(const struct det_group *g, struct finding *out,
			  const struct detect_config *cfg)
{
	static const char *const kinds[RETX_KIND_COUNT] = {
		[RETX_TIMEOUT] = "timeout", [RETX_FAST] = "fast",
		[RETX_SPURIOUS] = "spurious",
	};
	const struct retransmit_state *s = retransmit_of_const(g);
	char sender[ADDR_FORMAT_LEN], win[24];
	const char *kind;
	int top = 0;

	addr_format(g->key.family, g->key.addr2, sender, sizeof(sender));
	for (int i = 1; i < RETX_KIND_COUNT; i++)
		if (s->by_kind[i] > s->by_kind[top])
			top = i;
	/*
	 * Stuck connections not ended yet are no verdict: a dead peer, a
	 * black hole and an outage all look so until then.
	 */
	kind = s->black_holes ? "mtu_black_hole"
	       : s->dead_peers ? "dead_peer" : kinds[top];
	format_duration(retransmit_settings_of(cfg)->window_ns, win,
			sizeof(win));
	out->unit = "retransmissions in the window";
	if (s->black_holes || s->dead_peers || s->stuck_now) {
		/*
		 * A stuck verdict rests on its run, not on the burst count:
		 * show the number that met its threshold.
		 */
		out->unit = "timeout retransmissions in a row, unanswered";
		out->value = (double)s->max_run;
		out->threshold = retransmit_settings_of(cfg)->dead_peer_retries;
	}
	out->holding = s->stuck_now > 0 || s->stuck_at_end > 0;
	finding_add_text(out, "kind", kind);
	finding_add_text(out, "sender", sender);
	for (int i = 0; i < RETX_KIND_COUNT; i++)
		finding_add_number(out, kinds[i], (double)s->by_kind[i]);
	finding_add_number(out, "max_share", (double)s->max_share_ppm / 1e6);
	if (s->black_holes || s->dead_peers || s->stuck_now)
		finding_add_number(out, "stuck_connections",
				   (double)(s->black_holes + s->dead_peers +
					    s->stuck_now));
	summarize_retx(s, out, sender, win);
}

/* A burst holds through its window, or while a connection is stuck. */
static bool retx_ongoing(const struct det_group *g, int64_t now,
			 const struct detect_config *cfg)
{
	return retransmit_of_const(g)->stuck_now > 0 ||
	       !det_quiet_since(g, now, retransmit_settings_of(cfg)->window_ns);
}

static bool retx_live_pending(const struct det_group *g)
{
	return retransmit_of_const(g)->stuck_now > 0;
}

/* ------------------------------------------------------------ merge */

static const struct det_reducer retx_reducers[] = {
	DET_REDUCE(struct retransmit_state, by_kind, DET_SUM),
	DET_REDUCE(struct retransmit_state, black_holes, DET_SUM),
	DET_REDUCE(struct retransmit_state, dead_peers, DET_SUM),
	DET_REDUCE(struct retransmit_state, stuck_now, DET_SUM),
	DET_REDUCE(struct retransmit_state, stuck_at_end, DET_SUM),
	DET_REDUCE(struct retransmit_state, max_len, DET_MAX),
	DET_REDUCE(struct retransmit_state, max_run, DET_MAX),
	DET_REDUCE(struct retransmit_state, max_share_ppm, DET_MAX),
};

static void retx_merge(struct detectors *d, struct det_group *into,
		       const struct det_group *from)
{
	rate_merge(&into->ring, &from->ring,
		   retransmit_settings_of(&d->cfg)->window_ns);
	det_merge_peak(into, from, into->ring.sum);
}

/*
 * A burst needs the count and one connection's share at once, which
 * only the side that saw that connection could tell: a merge confirms
 * those, and adds the connections confirmed stuck.
 */
static enum det_verdict retx_verdict(struct detectors *d,
				     const struct det_group *g)
{
	const struct retransmit_state *s = retransmit_of_const(g);

	(void)d;
	if (s->black_holes + s->dead_peers > 0)
		return DET_FIRES;
	return s->stuck_now > 0 ? DET_FIRES_LIVE : DET_QUIET;
}

const struct detector_ops det_retransmit_burst_ops = {
	.name = "retransmit_burst",
	.ids = {FINDING_RETRANSMIT_BURST},
	.n_ids = 1,
	.settings = retransmit_rows,
	.n_settings = DET_ROWS(retransmit_rows),
	.tcp = true,
	.segments = SEG_TRANSFER,
	.on_segment = retx_on_segment,
	.on_flow_end = retx_on_flow_end,
	.end_needs_side = true,
	.describe = retx_describe,
	.ongoing = retx_ongoing,
	.live_pending = retx_live_pending,
	DET_REDUCERS(retx_reducers),
	.count_peaks = true,
	.merge = retx_merge,
	.verdict = retx_verdict,
};
