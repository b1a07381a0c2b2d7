/*
 * Detectors of data transfer trouble: retransmit_burst,
 * zero_window_stall and nagle_delayed_ack.
 *
 * retransmit_burst groups by server host:port and sender host (addr2):
 * ring = retransmissions in the window, count = the most.
 * zero_window_stall groups by the receiver (host:port when it serves,
 * else host): count = stalls past min_duration.
 * nagle_delayed_ack groups by server host:port: count = segments held
 * back.
 * What else each one counts is in its group state below.
 */
#include "detect_internal.h"

#include <stdio.h>
#include <string.h>

#include "addr_format.h"
#include "tcp_seq.h"

#define RETRANSMITTED (TCP_ANNOT_BIT(RETRANSMISSION) |                  \
		       TCP_ANNOT_BIT(FAST_RETRANSMISSION) |             \
		       TCP_ANNOT_BIT(SPURIOUS_RETRANSMISSION))
#define PROBES (TCP_ANNOT_BIT(KEEP_ALIVE) | TCP_ANNOT_BIT(ZERO_WINDOW_PROBE))

enum retx_kind { RETX_TIMEOUT, RETX_FAST, RETX_SPURIOUS, RETX_KIND_COUNT };

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
	uint64_t max_len;       /* the largest retransmitted payload */
	/*
	 * The worst connection's share of its data resent within the
	 * window, in parts per million.
	 */
	int64_t max_share_ppm;
};

DET_GROUP_STATE_ACCESSORS(struct retransmit_state, retransmit_of,
			  retransmit_of_const);

/* zero_window_stall's group state. */
struct zero_window_state {
	uint64_t probes;        /* zero window probes during the stalls */
	int64_t longest_ns;
	int64_t total_ns;
};

DET_GROUP_STATE_ACCESSORS(struct zero_window_state, zero_window_of,
			  zero_window_of_const);

/* nagle_delayed_ack's group state. */
struct nagle_state {
	uint64_t connections;
	int64_t total_delay_ns; /* of the ACKs the segments waited for */
};

DET_GROUP_STATE_ACCESSORS(struct nagle_state, nagle_of, nagle_of_const);

/* ------------------------------------------------------------ retransmit */

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
		df->big_run[info->dir] >= d->cfg.retransmit_burst.dead_peer_retries;
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
	const struct detect_config *c = &d->cfg;
	int s = info->dir;
	uint32_t an = info->annots;
	/*
	 * Fast (loss recovery) when the peer's latest segment, within the
	 * 200 ms Linux waits at least before a timeout, asked for it with a
	 * duplicate ACK or SACK blocks; tshark's fast_retransmission only
	 * sees the three-dupack case, not SACK recovery.
	 */
	struct det_flow_ext *e = det_ext_get(d, df, DM_SIDE_WORK);
	bool asked = df->peer_dup[!s] && e != NULL &&
		     d->now - e->dup_ts[!s] < 200 * NS_PER_MS;
	enum retx_kind kind = (an & TCP_ANNOT_BIT(SPURIOUS_RETRANSMISSION))
		? RETX_SPURIOUS
		: ((an & TCP_ANNOT_BIT(FAST_RETRANSMISSION)) || asked)
		? RETX_FAST : RETX_TIMEOUT;
	struct det_group *g = retx_group(d, f, s);
	struct retransmit_state *rs;
	uint64_t sum;
	double share;

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

	if (kind == RETX_TIMEOUT) {
		if (df->retx_run[s] < UINT8_MAX)
			df->retx_run[s]++;
		if (info->seg_len >= c->retransmit_burst.black_hole_size &&
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
	if (info->seg_len > rs->max_len)
		rs->max_len = info->seg_len;
	if (share * 1e6 > (double)rs->max_share_ppm)
		rs->max_share_ppm = (int64_t)(share * 1e6);
	sum = rate_add(&g->ring, d->now, c->retransmit_burst.window_ns, 1);
	if (sum > g->count)
		g->count = sum;
	g->threshold = c->retransmit_burst.min_retransmissions;
	if (!(df->flags & DF_DEAD_PEER) &&
	    df->retx_run[s] >= c->retransmit_burst.dead_peer_retries &&
	    tcp_conn_unanswered(f, s))
		retx_stuck(d, pkt, info, df, g);
	if ((g->finding >= 0 && !g->provisional) ||
	    (sum >= c->retransmit_burst.min_retransmissions &&
	     share >= c->retransmit_burst.min_share)) {
		group_touch(g, d->now);
		if (g->n_flows < FINDING_MAX_FLOWS)
			group_add_flow(g, f);
		group_add_packet(g, pkt, f, info);
		group_fire(d, g);
	}
}

/* ------------------------------------------------------------ zero window */

DET_COLD
static void stall_counted(struct detectors *d, const struct flow *f, int r,
			  int64_t dur, const struct det_flow_ext *e)
{
	const struct detect_config *c = &d->cfg;
	struct subject_key k;
	struct det_group *g;
	struct zero_window_state *s;

	if (dur < c->zero_window_stall.min_duration_ns)
		return;
	subject_of_side(&k, FINDING_ZERO_WINDOW_STALL, f, r);
	g = group_get(d, &k, d->now);
	if (g == NULL)
		return;
	s = zero_window_of(g);
	g->count++;
	s->probes += e->zw_probes;
	if (dur > s->longest_ns)
		s->longest_ns = dur;
	s->total_ns += dur;
	g->threshold = (double)c->zero_window_stall.min_duration_ns / NS_PER_SEC;
	group_touch(g, e->zw_since[r]);
	group_touch(g, e->zw_since[r] + dur);
	group_add_flow(g, f);
	group_fire(d, g);
}

DET_COLD
static void zero_window(struct detectors *d, const struct packet *pkt,
			const struct flow *f, const struct tcp_seg_info *info,
			struct det_flow *df)
{
	int s = info->dir;
	struct det_flow_ext *e = det_ext_of(d, df);

	if (pkt->tcp.flags & (TCP_FLAG_SYN | TCP_FLAG_RST))
		return;
	if (info->window == 0 && (e == NULL || e->zw_since[s] == 0)) {
		e = det_ext_get(d, df, DM_ZERO_WINDOW);
		if (e == NULL)
			return;
		e->zw_since[s] = d->now;
		e->zw_probes = 0;
	} else if (info->window != 0 && e != NULL && e->zw_since[s] != 0) {
		stall_counted(d, f, s, d->now - e->zw_since[s], e);
		e->zw_since[s] = 0;
		if (e->zw_since[!s] == 0) {
			det_unmark(d, DM_ZERO_WINDOW);
			det_ext_settle(d, df);
			e = det_ext_of(d, df);
		}
	}
	if ((info->annots & TCP_ANNOT_BIT(ZERO_WINDOW_PROBE)) && e != NULL &&
	    e->zw_since[!s] != 0 && e->zw_probes < UINT16_MAX)
		e->zw_probes++;
}

/* ------------------------------------------------------------ Nagle */

/*
 * The shortest round trip seen through s's peer: what an ACK from the
 * peer for s's data takes without any delay (0: none known yet).
 */
static int64_t base_rtt(const struct flow *f, int s)
{
	int64_t best = tcp_conn_handshake_leg_ns(f, !s);

	if (tcp_conn_rtt_samples(f, s) >= 2 &&
	    (best == 0 || tcp_conn_rtt_min_ns(f, s) < best))
		best = tcp_conn_rtt_min_ns(f, s);
	return best;
}

DET_COLD
static void nagle_event(struct detectors *d, const struct flow *f,
			struct det_flow *df, int64_t delay)
{
	const struct detect_config *c = &d->cfg;
	struct subject_key k;
	struct det_group *g;

	subject_endpoint(&k, FINDING_NAGLE_DELAYED_ACK, f, FLOW_RESP);
	g = group_get(d, &k, d->now);
	if (g == NULL)
		return;
	g->count++;
	if (df->nagle_events++ == 0)
		nagle_of(g)->connections++;
	nagle_of(g)->total_delay_ns += delay;
	g->threshold = c->nagle_delayed_ack.min_events;
	group_touch(g, d->now);
	group_add_flow(g, f);
	group_add_frame(g, f->last_frame);
	if (g->count >= c->nagle_delayed_ack.min_events)
		group_fire(d, g);
}

static void nagle(struct detectors *d, const struct packet *pkt,
		  const struct flow *f, const struct tcp_seg_info *info,
		  struct det_flow *df)
{
	const struct detect_config *c = &d->cfg;
	int s = info->dir;
	uint32_t len = info->seg_len;

	if (pkt->tcp.flags & (TCP_FLAG_SYN | TCP_FLAG_FIN | TCP_FLAG_RST))
		return;
	struct det_flow_ext *e;

	if ((df->flags & DF_DACK) && df->dack_dir == s &&
	    (e = det_ext_of(d, df)) != NULL) {
		int64_t since = d->now - e->dack_ts;
		/* From the ACK passing the capture point to s and back. */
		int64_t base = tcp_conn_handshake_leg_ns(f, s);

		/* Sent the moment the ACK came: it had been waiting for it. */
		if (len > 0 && len < tcp_conn_send_mss(f, s) &&
		    !(info->annots & RETRANSMITTED) &&
		    since <= 2 * base + NS_PER_MS)
			nagle_event(d, f, df, e->t_dack);
		df->flags &= (uint16_t)~DF_DACK;
	}
	/* A pure ACK, late, for a small segment of the peer's. */
	if (len == 0 && info->ack_rtt_ns >= c->nagle_delayed_ack.min_delay_ns &&
	    info->ack_rtt_ns <= c->nagle_delayed_ack.max_delay_ns &&
	    df->last_data_dir == !s && df->last_len[!s] > 0 &&
	    df->last_len[!s] < tcp_conn_send_mss(f, !s)) {
		int64_t base = base_rtt(f, !s);

		if (base > 0 && info->ack_rtt_ns >= 4 * base &&
		    (e = det_ext_get(d, df, DM_SIDE_WORK)) != NULL) {
			df->flags |= DF_DACK;
			e->dack_ts = d->now;
			df->dack_dir = (uint8_t)!s;
			e->t_dack = info->ack_rtt_ns;
		}
	}
}

/* ------------------------------------------------------------ hooks */

static void bookkeeping(struct detectors *d, const struct packet *pkt,
			const struct flow *f, const struct tcp_seg_info *info,
			struct det_flow *df)
{
	int s = info->dir, p = !s;

	df->peer_dup[s] = (info->annots & TCP_ANNOT_BIT(DUPLICATE_ACK)) ||
			  pkt->tcp.sack_count > 0;
	if (df->peer_dup[s]) {
		struct det_flow_ext *e = det_ext_get(d, df, DM_SIDE_WORK);

		if (e != NULL)
			e->dup_ts[s] = d->now;
		else
			df->peer_dup[s] = 0;
	}
	/* Anything from s answers the peer: its silent runs end. */
	df->retx_run[p] = 0;
	if (df->stuck_dir == p) {
		/* The peer was not dead after all: an outage it survived. */
		stuck_settled(d, f, df);
		df->stuck_dir = 2;
		df->flags &= (uint16_t)~DF_DEAD_PEER;
	}
	if (info->seg_len > 0) {
		uint16_t len = info->seg_len > UINT16_MAX ? UINT16_MAX
							  : (uint16_t)info->seg_len;

		df->last_data_dir = (uint8_t)s;
		df->last_len[s] = len;
		if (len > df->max_len[s]) {
			df->max_len[s] = len;
			df->max_end[s] = info->rel_seq + info->seg_len;
		}
	}
	/* s acknowledged the peer's largest segment: that size gets through. */
	if ((pkt->tcp.flags & TCP_FLAG_ACK) && df->max_len[p] > df->max_len_acked[p] &&
	    tcp_seq_after_eq(info->rel_ack, df->max_end[p]))
		df->max_len_acked[p] = df->max_len[p];
	/* s has acknowledged all the peer sent: no run of big ones is stuck. */
	if (tcp_conn_all_acked_by(f, s))
		df->big_run[p] = 0;
}

/*
 * Counts s's data segments in the two halves of the window, so a
 * connection's retransmitted share is measured over the window rather
 * than its whole life (where a long clean start would hide any burst).
 */
static void share_count(struct detectors *d, int s, uint32_t len,
			struct det_flow *df)
{
	int64_t half = d->cfg.retransmit_burst.window_ns / 2;
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

static void transfer_on_segment(struct detectors *d, const struct packet *pkt,
				const struct flow *f,
				const struct tcp_seg_info *info,
				struct det_flow *df)
{
	uint32_t an = info->annots;

	if (info->seg_len > 0 && det_enabled(d, FINDING_RETRANSMIT_BURST))
		share_count(d, info->dir, info->seg_len, df);

	/* Data (or a FIN) sent again: an empty ACK is no retransmission. */
	if ((an & RETRANSMITTED) && !(an & PROBES) &&
	    !(pkt->tcp.flags & TCP_FLAG_SYN) &&
	    (info->seg_len > 0 || (pkt->tcp.flags & TCP_FLAG_FIN)) &&
	    det_enabled(d, FINDING_RETRANSMIT_BURST))
		retransmission(d, pkt, f, info, df);
	if ((info->window == 0 || (f->sink_mark & DM_ZERO_WINDOW) ||
	     (an & TCP_ANNOT_BIT(ZERO_WINDOW_PROBE))) &&
	    det_enabled(d, FINDING_ZERO_WINDOW_STALL))
		zero_window(d, pkt, f, info, df);
	if (det_enabled(d, FINDING_NAGLE_DELAYED_ACK))
		nagle(d, pkt, f, info, df);
	bookkeeping(d, pkt, f, info, df);
}

static void transfer_on_flow_end(struct detectors *d, const struct flow *f,
				 struct det_flow *df)
{
	int64_t end = f->end_reason == FLOW_END_CAPTURE_END ? d->now : f->last_ts;
	const struct det_flow_ext *e;

	if (df == NULL)
		return;
	if (df->stuck_dir < 2 && det_enabled(d, FINDING_RETRANSMIT_BURST))
		stuck_confirmed(d, f, df);
	e = det_ext_of(d, df);
	if (e == NULL || !det_enabled(d, FINDING_ZERO_WINDOW_STALL))
		return;
	for (int r = 0; r < 2; r++)
		if (e->zw_since[r] != 0 && end > e->zw_since[r])
			stall_counted(d, f, r, end - e->zw_since[r], e);
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
			 "%s and has heard nothing back: the peer is dead, "
			 "unreachable or in an outage (%llu connection%s still "
			 "waiting, %llu timeout retransmissions)",
			 sender, out->subject,
			 (unsigned long long)s->stuck_now,
			 s->stuck_now == 1 ? "" : "s", timeout);
	else
		snprintf(out->summary, sizeof(out->summary),
			 "%s retransmitted %.0f segments on connections of %s "
			 "within %s (threshold %.0f): %llu fast, %llu after a "
			 "timeout, %llu spurious; up to %.1f%% of a connection's "
			 "bytes in the window",
			 sender, out->value, out->subject, win, out->threshold,
			 (unsigned long long)s->by_kind[RETX_FAST], timeout,
			 (unsigned long long)s->by_kind[RETX_SPURIOUS],
			 (double)s->max_share_ppm / 1e4);
}

static void describe_retx(const struct det_group *g, struct finding *out,
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
	kind = s->black_holes ? "mtu_black_hole"
	       : s->dead_peers || s->stuck_now ? "dead_peer" : kinds[top];
	format_duration(cfg->retransmit_burst.window_ns, win, sizeof(win));
	out->unit = "retransmissions in the window";
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

static void describe_zero_window(const struct det_group *g,
				 struct finding *out,
				 const struct detect_config *cfg)
{
	const struct zero_window_state *s = zero_window_of_const(g);
	char longest[24], total[24], min[24];

	format_duration(s->longest_ns, longest, sizeof(longest));
	format_duration(s->total_ns, total, sizeof(total));
	format_duration(cfg->zero_window_stall.min_duration_ns, min,
			sizeof(min));
	out->unit = "stalls";
	finding_add_number(out, "longest_s",
			   (double)s->longest_ns / NS_PER_SEC);
	finding_add_number(out, "total_s", (double)s->total_ns / NS_PER_SEC);
	finding_add_number(out, "probes", (double)s->probes);
	snprintf(out->summary, sizeof(out->summary),
		 "%s advertised a zero window %.0f time%s for %s or more "
		 "(longest %s, %s in all; %llu window probes): it stopped "
		 "reading",
		 out->subject, out->value, out->value == 1 ? "" : "s",
		 min, longest, total, (unsigned long long)s->probes);
}

static void describe_nagle(const struct det_group *g, struct finding *out)
{
	const struct nagle_state *s = nagle_of_const(g);
	double avg = g->count
		? (double)s->total_delay_ns / (double)g->count : 0;
	char mean[24];

	format_duration((int64_t)avg, mean, sizeof(mean));
	out->unit = "segments held back";
	finding_add_number(out, "connections", (double)s->connections);
	finding_add_number(out, "mean_delay_ms", avg / NS_PER_MS);
	snprintf(out->summary, sizeof(out->summary),
		 "%.0f small segments on %llu connection%s to %s waited "
		 "for a delayed ACK (%s on average) before they could be "
		 "sent",
		 out->value, (unsigned long long)s->connections,
		 s->connections == 1 ? "" : "s", out->subject, mean);
}

static void transfer_describe(const struct det_group *g, struct finding *out,
			      const struct detect_config *cfg)
{
	switch (g->key.id) {
	case FINDING_RETRANSMIT_BURST:
		describe_retx(g, out, cfg);
		break;
	case FINDING_ZERO_WINDOW_STALL:
		describe_zero_window(g, out, cfg);
		break;
	case FINDING_NAGLE_DELAYED_ACK:
		describe_nagle(g, out);
		break;
	default:
		break;
	}
}

static bool transfer_ongoing(const struct det_group *g, int64_t now,
			     const struct detect_config *cfg)
{
	if (g->key.id == FINDING_RETRANSMIT_BURST)
		return retransmit_of_const(g)->stuck_now > 0 ||
		       !det_quiet_since(g, now,
					cfg->retransmit_burst.window_ns);
	return !det_quiet_since(g, now, DET_QUIET_NS);
}

static bool transfer_live_pending(const struct det_group *g)
{
	return g->key.id == FINDING_RETRANSMIT_BURST &&
	       retransmit_of_const(g)->stuck_now > 0;
}

const struct detector_ops det_transfer_ops = {
	.name = "data transfer",
	.ids = {FINDING_RETRANSMIT_BURST, FINDING_ZERO_WINDOW_STALL,
		FINDING_NAGLE_DELAYED_ACK},
	.n_ids = 3,
	.tcp = true,
	.on_segment = transfer_on_segment,
	.on_flow_end = transfer_on_flow_end,
	.describe = transfer_describe,
	.ongoing = transfer_ongoing,
	.live_pending = transfer_live_pending,
};
