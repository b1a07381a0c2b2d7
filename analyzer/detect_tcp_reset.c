/*
 * Detectors of resets and forgotten connections: abortive_close,
 * rst_storm and half_open.
 *
 * abortive_close groups by the RST's sender (host:port when it serves,
 * else host) and cause (aux): count = connections reset so.
 * rst_storm groups by the connections' server host:port: ring =
 * connections reset in the window, count = the most.
 * half_open groups by server host:port: count = connections.
 * What else each one counts is in its group state below.
 */
#include "detect_internal.h"

#include <stdio.h>
#include <string.h>

/* rst_storm's group state. */
struct rst_storm_state {
	/*
	 * Connections reset, by cause (the first nine, counted in the
	 * detectors' rst_seen before the group is made, are taken as the
	 * tenth's cause).
	 */
	uint64_t by_cause[RST_CAUSE_COUNT];
	int64_t peak_ts;        /* when count (the most in the window) was */
};

DET_GROUP_STATE_ACCESSORS(struct rst_storm_state, rst_storm_of,
			  rst_storm_of_const);

/* half_open's group state: connections by what showed them half-open. */
struct half_open_state {
	uint64_t keepalives_unanswered;
	/* Reset by a peer that no longer had the connection. */
	uint64_t unknown_connection_rsts;
};

DET_GROUP_STATE_ACCESSORS(struct half_open_state, half_open_of,
			  half_open_of_const);

/* What showed a connection half-open. */
enum half_open_sign {
	HALF_OPEN_KEEPALIVES,   /* its keep-alives went unanswered */
	HALF_OPEN_UNKNOWN_RST,  /* its peer reset it as unknown */
};

static const char *const cause_names[RST_CAUSE_COUNT] = {
	[RST_REFUSED] = "refused",
	[RST_CLOSE_WITH_UNREAD_DATA] = "close_with_unread_data",
	[RST_LINGER_ZERO] = "linger_zero",
	[RST_WRITE_AFTER_CLOSE] = "write_after_close",
	[RST_UNKNOWN_CONNECTION] = "unknown_connection",
	[RST_OUT_OF_WINDOW] = "out_of_window",
	[RST_TIMEOUT] = "timeout",
	[RST_HANDSHAKE_ABORTED] = "handshake_aborted",
};

const char *rst_cause_name(enum rst_cause c)
{
	return (unsigned)c < RST_CAUSE_COUNT ? cause_names[c] : "unknown";
}

/*
 * What the wire says about why the endpoint reset.  Linux answers a SYN
 * to a closed port with RST (refused); sends RST|ACK when close() finds
 * unread data, or with SO_LINGER 0, or when it gives up after
 * retransmissions or keep-alives; resets data arriving after its own
 * close(); and answers a segment for no socket at all with a bare RST
 * (no ACK flag) whose sequence number is the segment's ACK.
 */
DET_COLD
static enum rst_cause classify(const struct packet *pkt, const struct flow *f,
			       const struct tcp_seg_info *info,
			       const struct det_flow *df)
{
	int s = info->dir;

	if (s == FLOW_RESP && !tcp_conn_saw_synack(f) &&
	    !(df->flags & DF_HANDSHAKE_DONE))
		return RST_REFUSED;
	/*
	 * The client gave up before the handshake completed (a connect
	 * timeout, the losing address of Happy Eyeballs, a SYN scan): its
	 * socket is gone, so the SYN-ACK draws a RST.
	 */
	if (s == FLOW_ORIG && !(df->flags & DF_HANDSHAKE_DONE))
		return RST_HANDSHAKE_ABORTED;
	if (info->annots & TCP_ANNOT_BIT(RST_OUT_OF_WINDOW))
		return RST_OUT_OF_WINDOW;
	if (tcp_conn_saw_fin(f, s))
		return RST_WRITE_AFTER_CLOSE;
	if (tcp_conn_unanswered(f, s))
		return RST_TIMEOUT;
	if (!(pkt->tcp.flags & TCP_FLAG_ACK))
		return RST_UNKNOWN_CONNECTION;
	/* Data of the peer's not yet acknowledged: it arrived, or was on its way. */
	if (tcp_conn_unacked_by(f, s))
		return RST_CLOSE_WITH_UNREAD_DATA;
	/* The peer's data was the last word, and no answer came. */
	if (df->last_data_dir == !s &&
	    (s == FLOW_RESP || f->dir[s].pkts <= 2 || df->max_len[s] == 0))
		return RST_CLOSE_WITH_UNREAD_DATA;
	return RST_LINGER_ZERO;
}

DET_COLD
static void abortive(struct detectors *d, const struct packet *pkt,
		     const struct flow *f, const struct tcp_seg_info *info,
		     enum rst_cause cause)
{
	const struct detect_config *c = &d->cfg;
	struct subject_key k;
	struct det_group *g;

	subject_of_side(&k, FINDING_ABORTIVE_CLOSE, f, info->dir);
	k.aux = (uint8_t)cause;
	g = group_get(d, &k, d->now);
	if (g == NULL)
		return;
	g->count++;
	group_note_party(g, flow_addr(f, !info->dir));
	g->threshold = c->abortive_close.min_count;
	group_touch(g, d->now);
	group_add_flow(g, f);
	group_add_packet(g, pkt, f, info);
	if (g->count >= c->abortive_close.min_count)
		group_fire(d, g);
}

#define STORM_GROUP_AFTER 10

DET_COLD
static void storm(struct detectors *d, const struct packet *pkt,
		  const struct flow *f, const struct tcp_seg_info *info,
		  int cause)
{
	const struct detect_config *c = &d->cfg;
	struct subject_key k;
	struct det_group *g;
	struct rst_storm_state *s;
	uint64_t sum;
	uint32_t n;

	subject_endpoint(&k, FINDING_RST_STORM, f, FLOW_RESP);
	/*
	 * A group from the tenth reset connection of a service on, so a
	 * client resetting once toward many services does not fill the
	 * detectors' subjects; the first nine are seeded in then.
	 */
	g = group_earned(d, &d->rst_seen, &k, STORM_GROUP_AFTER, d->now, &n);
	if (g == NULL)
		return;
	s = rst_storm_of(g);
	s->by_cause[cause] += n;
	sum = rate_add(&g->ring, d->now, c->rst_storm.window_ns, n);
	if (sum > g->count) {
		g->count = sum;
		s->peak_ts = d->now;
	}
	g->threshold = c->rst_storm.min_rsts;
	if (g->finding >= 0 || sum >= c->rst_storm.min_rsts) {
		group_touch(g, d->now);
		if (g->n_flows < FINDING_MAX_FLOWS)
			group_add_flow(g, f);
		else
			g->flow_count++;
		group_add_packet(g, pkt, f, info);
		group_fire(d, g);
	}
}

DET_COLD
static void half_open(struct detectors *d, const struct flow *f,
		      struct det_flow *df, enum half_open_sign sign)
{
	struct subject_key k;
	struct det_group *g;

	if (df->flags & DF_HALF_OPEN)
		return;
	df->flags |= DF_HALF_OPEN;
	subject_endpoint(&k, FINDING_HALF_OPEN, f, FLOW_RESP);
	g = group_get(d, &k, d->now);
	if (g == NULL)
		return;
	g->count++;
	if (sign == HALF_OPEN_KEEPALIVES)
		half_open_of(g)->keepalives_unanswered++;
	else
		half_open_of(g)->unknown_connection_rsts++;
	g->threshold = 1;
	group_touch(g, f->last_ts);
	group_touch(g, d->now);
	group_add_flow(g, f);
	group_fire(d, g);
}

static void reset_on_segment(struct detectors *d, const struct packet *pkt,
			     const struct flow *f, const struct tcp_seg_info *info,
			     struct det_flow *df)
{
	int s = info->dir;

	/* Anything from the peer answers this side's keep-alives. */
	df->ka_run[!s] = 0;
	if (info->annots & TCP_ANNOT_BIT(KEEP_ALIVE)) {
		if (df->ka_run[s] < UINT8_MAX)
			df->ka_run[s]++;
		if (df->ka_run[s] >= d->cfg.half_open.min_probes &&
		    det_enabled(d, FINDING_HALF_OPEN))
			half_open(d, f, df, HALF_OPEN_KEEPALIVES);
	}
	if (!(pkt->tcp.flags & TCP_FLAG_RST))
		return;
	if (df->rst_cause == 0) {
		enum rst_cause cause = classify(pkt, f, info, df);

		df->rst_cause = (uint8_t)(cause + 1);
		if (det_enabled(d, FINDING_ABORTIVE_CLOSE))
			abortive(d, pkt, f, info, cause);
		if (cause == RST_UNKNOWN_CONNECTION &&
		    det_enabled(d, FINDING_HALF_OPEN)) {
			struct subject_key k;

			half_open(d, f, df, HALF_OPEN_UNKNOWN_RST);
			subject_endpoint(&k, FINDING_HALF_OPEN, f, FLOW_RESP);
			if (group_find(d, &k) != NULL)
				group_add_packet(group_find(d, &k), pkt, f, info);
		}
		/*
		 * Connections, not segments: after one reset Linux answers
		 * every segment still in flight with another RST.
		 */
		if (det_enabled(d, FINDING_RST_STORM))
			storm(d, pkt, f, info, (int)cause);
	}
}

static void describe_storm(const struct det_group *g, struct finding *out,
			   const struct detect_config *cfg)
{
	const struct rst_storm_state *s = rst_storm_of_const(g);
	char win[24], mix[160] = "";
	size_t used = 0;

	format_duration(cfg->rst_storm.window_ns, win, sizeof(win));
	for (int i = 0; i < RST_CAUSE_COUNT; i++) {
		unsigned long long reset = s->by_cause[i];

		if (reset == 0)
			continue;
		finding_add_number(out, cause_names[i], (double)reset);
		if (used < sizeof(mix))
			used += (size_t)snprintf(mix + used, sizeof(mix) - used,
						 "%s%s %llu", used ? ", " : "",
						 cause_names[i], reset);
	}
	out->unit = "connections reset in the window";
	snprintf(out->summary, sizeof(out->summary),
		 "%.0f connections to %s were reset within %s (threshold "
		 "%.0f); by cause: %s",
		 out->value, out->subject, win, out->threshold,
		 mix[0] ? mix : "none classified");
}

static void describe_half_open(const struct det_group *g,
			       struct finding *out)
{
	const struct half_open_state *s = half_open_of_const(g);

	out->unit = "connections";
	finding_add_number(out, "keepalives_unanswered",
			   (double)s->keepalives_unanswered);
	finding_add_number(out, "rst_unknown_connection",
			   (double)s->unknown_connection_rsts);
	snprintf(out->summary, sizeof(out->summary),
		 "%.0f connection%s to %s kept by one side only: %llu "
		 "with keep-alives left unanswered, %llu reset by a peer "
		 "that no longer knew %s",
		 out->value, out->value == 1 ? "" : "s", out->subject,
		 (unsigned long long)s->keepalives_unanswered,
		 (unsigned long long)s->unknown_connection_rsts,
		 s->unknown_connection_rsts == 1 ? "it" : "them");
}

static void reset_describe(const struct det_group *g, struct finding *out,
			   const struct detect_config *cfg)
{
	switch (g->key.id) {
	case FINDING_ABORTIVE_CLOSE:
		out->unit = "connections reset";
		finding_add_text(out, "cause", rst_cause_name(g->key.aux));
		snprintf(out->summary, sizeof(out->summary),
			 "%s reset %.0f connection%s (cause: %s)",
			 out->subject, out->value, out->value == 1 ? "" : "s",
			 rst_cause_name(g->key.aux));
		break;
	case FINDING_RST_STORM:
		describe_storm(g, out, cfg);
		break;
	case FINDING_HALF_OPEN:
		describe_half_open(g, out);
		break;
	default:
		break;
	}
}

static bool reset_ongoing(const struct det_group *g, int64_t now,
			  const struct detect_config *cfg)
{
	if (g->key.id == FINDING_RST_STORM)
		return !det_quiet_since(g, now, cfg->rst_storm.window_ns);
	return !det_quiet_since(g, now, DET_QUIET_NS);
}

const struct detector_ops det_reset_ops = {
	.name = "resets",
	.ids = {FINDING_RST_STORM, FINDING_ABORTIVE_CLOSE, FINDING_HALF_OPEN},
	.n_ids = 3,
	.tcp = true,
	.on_segment = reset_on_segment,
	.describe = reset_describe,
	.ongoing = reset_ongoing,
};
