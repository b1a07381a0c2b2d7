/*
 * nagle_delayed_ack: small segments held back by Nagle's algorithm until
 * the peer's delayed ACK came.  Groups by server host:port: count =
 * segments held back.
 */
#include "detect_internal.h"

#include <stdio.h>

/* Thresholds of nagle_delayed_ack, in its cfg->unit[] block. */
struct nagle_settings {
	int64_t min_delay_ns;
	int64_t max_delay_ns;
	uint32_t min_events;
};

DET_SETTINGS_ACCESSORS(struct nagle_settings, FINDING_NAGLE_DELAYED_ACK,
		       nagle_settings_of);

/* Their rows in the configuration file (settings.h). */
static const struct setting nagle_rows[] = {
	DET_SWITCHES("nagle_delayed_ack", FINDING_NAGLE_DELAYED_ACK),
	{.section = "nagle_delayed_ack", .key = "min_delay",
	 .type = SETTING_SECONDS, .min = 0.001, .max = 10, .def = 0.03,
	 .offset = DET_SETTING_AT(FINDING_NAGLE_DELAYED_ACK,
				  struct nagle_settings, min_delay_ns),
	 .not_above = "max_delay",
	 .doc = "shortest ACK delay that counts (Linux delays ACKs 40 ms at "
		"least)"},
	{.section = "nagle_delayed_ack", .key = "max_delay",
	 .type = SETTING_SECONDS, .min = 0.001, .max = 10, .def = 0.6,
	 .offset = DET_SETTING_AT(FINDING_NAGLE_DELAYED_ACK,
				  struct nagle_settings, max_delay_ns),
	 .doc = "longest ACK delay that counts (Linux: 200 ms, others up to "
		"500 ms)"},
	{.section = "nagle_delayed_ack", .key = "min_events",
	 .type = SETTING_COUNT, .min = 1, .max = 1e9, .def = 3,
	 .offset = DET_SETTING_AT(FINDING_NAGLE_DELAYED_ACK,
				  struct nagle_settings, min_events),
	 .doc = "segments held back until a delayed ACK, toward one host:port"},
};

/* nagle_delayed_ack's group state. */
struct nagle_state {
	uint64_t connections;
	int64_t total_delay_ns; /* of the ACKs the segments waited for */
};

DET_GROUP_STATE_ACCESSORS(struct nagle_state, nagle_of, nagle_of_const);

/* ------------------------------------------------------------ hooks */

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
	const struct nagle_settings *c = nagle_settings_of(&d->cfg);
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
	g->threshold = c->min_events;
	group_touch(g, d->now);
	group_add_flow(g, f);
	group_add_frame(g, f->last_frame);
	if (g->count >= c->min_events)
		group_fire(d, g);
}

/* s sends while a delayed ACK of its peer's is watched (DF_DACK). */
DET_COLD
static void nagle_after_dack(struct detectors *d, const struct flow *f,
			     const struct tcp_seg_info *info,
			     struct det_flow *df)
{
	int s = info->dir;
	uint32_t len = info->seg_len;
	struct det_flow_ext *e = det_ext_of(d, df);

	if (e != NULL) {
		int64_t since = d->now - e->dack_ts;
		/* From the ACK passing the capture point to s and back. */
		int64_t base = tcp_conn_handshake_leg_ns(f, s);

		/* Sent the moment the ACK came: it had been waiting for it. */
		if (len > 0 && len < tcp_conn_send_mss(f, s) &&
		    !(info->annots & DET_RETRANSMITTED) &&
		    since <= 2 * base + NS_PER_MS)
			nagle_event(d, f, df, e->t_dack);
		df->flags &= (uint16_t)~DF_DACK;
	}
}

/*
 * A pure ACK, late: watched if it was for a small segment of the peer's.
 * Not DET_COLD: on a long path most ACKs come this late.  Out of line
 * all the same, so the hook's tests save no registers for the ACKs that
 * do not.
 */
__attribute__((noinline))
static void nagle_late_ack(struct detectors *d, const struct flow *f,
			   const struct tcp_seg_info *info,
			   struct det_flow *df)
{
	int s = info->dir;
	struct det_flow_ext *e;

	if (df->last_data_dir == !s && df->last_len[!s] > 0 &&
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

static void nagle_on_segment(struct detectors *d, const struct packet *pkt,
			     const struct flow *f,
			     const struct tcp_seg_info *info,
			     struct det_flow *df)
{
	const struct nagle_settings *c = nagle_settings_of(&d->cfg);

	/* No SYN, FIN or RST comes here (SEG_ACK_TIMED). */
	(void)pkt;
	if ((df->flags & DF_DACK) && df->dack_dir == info->dir)
		nagle_after_dack(d, f, info, df);
	/*
	 * The peer sent data after its delayed ACK: what s sends next
	 * answers that, it was not held back.
	 */
	else if ((df->flags & DF_DACK) && info->seg_len > 0)
		df->flags &= (uint16_t)~DF_DACK;
	if (info->seg_len == 0 && info->ack_rtt_ns >= c->min_delay_ns &&
	    info->ack_rtt_ns <= c->max_delay_ns)
		nagle_late_ack(d, f, info, df);
}

/* ------------------------------------------------------------ describe */

static void nagle_describe(const struct det_group *g, struct finding *out,
			   const struct detect_config *cfg)
{
	const struct nagle_state *s = nagle_of_const(g);
	double avg = g->count
		? (double)s->total_delay_ns / (double)g->count : 0;
	char mean[24];

	(void)cfg;
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

/* ------------------------------------------------------------ merge */

static const struct det_reducer nagle_reducers[] = {
	DET_REDUCE(struct nagle_state, connections, DET_SUM),
	DET_REDUCE(struct nagle_state, total_delay_ns, DET_SUM),
};

static enum det_verdict nagle_verdict(struct detectors *d,
				      const struct det_group *g)
{
	const struct nagle_settings *c = nagle_settings_of(&d->cfg);

	return g->count >= c->min_events ? DET_FIRES : DET_QUIET;
}

const struct detector_ops det_nagle_ops = {
	.name = "nagle_delayed_ack",
	.ids = {FINDING_NAGLE_DELAYED_ACK},
	.n_ids = 1,
	.settings = nagle_rows,
	.n_settings = DET_ROWS(nagle_rows),
	.tcp = true,
	.segments = SEG_ACK_TIMED,
	.on_segment = nagle_on_segment,
	.describe = nagle_describe,
	DET_REDUCERS(nagle_reducers),
	.verdict = nagle_verdict,
};
