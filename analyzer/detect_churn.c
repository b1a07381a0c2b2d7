/*
 * short_connection_churn groups by server host:port and client host,
 * from the tenth short connection between them on (the detectors'
 * churn_seen counts until then; the group starts with them, their
 * durations taken as the tenth's): ring = short connections by start,
 * count = the most in the window.
 */
#include "detect_internal.h"

#include <stdio.h>
#include <string.h>

#include "addr_format.h"

/* Thresholds of short_connection_churn, in its cfg->unit[] block. */
struct churn_settings {
	int64_t window_ns;
	uint32_t min_connections;
	int64_t max_duration_ns;
};

DET_SETTINGS_ACCESSORS(struct churn_settings, FINDING_SHORT_CONNECTION_CHURN,
		       churn_settings_of);

/* Their rows in the configuration file (settings.h). */
static const struct setting churn_rows[] = {
	DET_SWITCHES("short_connection_churn", FINDING_SHORT_CONNECTION_CHURN),
	{.section = "short_connection_churn", .key = "window",
	 .type = SETTING_SECONDS, .min = 1, .max = 86400, .def = 60,
	 .offset = DET_SETTING_AT(FINDING_SHORT_CONNECTION_CHURN,
				  struct churn_settings, window_ns),
	 .doc = "sliding window the connections are counted in"},
	{.section = "short_connection_churn", .key = "min_connections",
	 .type = SETTING_COUNT, .min = 2, .max = 1e9, .def = 100,
	 .offset = DET_SETTING_AT(FINDING_SHORT_CONNECTION_CHURN,
				  struct churn_settings, min_connections),
	 .doc = "short connections from one host to one host:port within the "
		"window"},
	{.section = "short_connection_churn", .key = "max_duration",
	 .type = SETTING_SECONDS, .min = 0.001, .max = 3600, .def = 1,
	 .offset = DET_SETTING_AT(FINDING_SHORT_CONNECTION_CHURN,
				  struct churn_settings, max_duration_ns),
	 .doc = "a connection this short (handshake to close) counts"},
};

/* short_connection_churn's group state. */
struct churn_state {
	uint64_t connections;   /* short connections in all */
	int64_t total_ns;       /* their total duration */
};

DET_GROUP_STATE_ACCESSORS(struct churn_state, churn_of, churn_of_const);

/* ------------------------------------------------------------ counting */

#define CHURN_GROUP_AFTER 10

/* A whole connection, handshake to close. */
static bool churn_whole(const struct flow *f)
{
	int initiator;

	/* Most: known from the marks, the tracker's state being cold now. */
	if (det_marked(f, DM_OPENED))
		return det_marked(f, DM_CLOSED) ||
		       f->end_reason == FLOW_END_IDLE;
	return tcp_conn_saw_handshake_ack(f) && !tcp_conn_midstream(f) &&
	       tcp_conn_close(f, &initiator) != TCP_CLOSE_OPEN;
}

static void churn_flow_end(struct detectors *d, const struct flow *f)
{
	const struct churn_settings *c = churn_settings_of(&d->cfg);
	int64_t dur = f->last_ts - f->first_ts;
	struct subject_key k;
	struct det_group *g;
	struct churn_state *s;
	uint64_t sum;
	uint32_t n;

	const uint8_t *server = flow_addr(f, FLOW_RESP);
	const uint8_t *client = flow_addr(f, FLOW_ORIG);
	uint16_t port = flow_port(f, FLOW_RESP);

	/* A whole connection and a short one. */
	if (dur > c->max_duration_ns || !churn_whole(f))
		return;
	n = 1;
	g = group_memo_match(d, &d->churn_memo, f, server, client, port);
	if (g == NULL) {
		subject_endpoint(&k, FINDING_SHORT_CONNECTION_CHURN, f,
				 FLOW_RESP);
		subject_add_party(&k, f, FLOW_ORIG);
		/* A group from the tenth connection on, seeded with them all. */
		g = group_earned(d, &d->churn_seen, &k, CHURN_GROUP_AFTER,
				 f->first_ts, &n);
		if (g == NULL)
			return;
		group_memo_keep(&d->churn_memo, g, f, server, client, port);
	}
	s = churn_of(g);
	s->connections += n;
	s->total_ns += dur * (int64_t)n;
	sum = rate_add(&g->ring, f->first_ts,
		       c->window_ns, n);
	if (sum > g->count)
		g->count = sum;
	g->threshold = c->min_connections;
	if (g->n_flows < FINDING_MAX_FLOWS)
		group_add_flow(g, f);
	else
		g->flow_count++;
	if (sum >= c->min_connections) {
		group_touch(g, f->first_ts);
		group_touch(g, f->last_ts);
		group_fire(d, g);
	} else if (g->finding >= 0) {
		group_touch(g, f->last_ts);
	}
}

/* ------------------------------------------------------------ hooks */

/* Once closed, a connection stays closed (tcp_conn_close): mark it so. */
static void churn_on_segment(struct detectors *d, const struct packet *pkt,
			     const struct flow *f,
			     const struct tcp_seg_info *info,
			     struct det_flow *df)
{
	int initiator;

	(void)info;
	(void)df;
	if ((pkt->tcp.flags & (TCP_FLAG_FIN | TCP_FLAG_RST)) &&
	    !det_marked(f, DM_CLOSED) &&
	    tcp_conn_close(f, &initiator) != TCP_CLOSE_OPEN)
		det_mark(d, DM_CLOSED);
}

static void churn_on_flow_end(struct detectors *d, const struct flow *f,
			      struct det_flow *df)
{
	(void)df;
	if (det_enabled(d, FINDING_SHORT_CONNECTION_CHURN))
		churn_flow_end(d, f);
}

/* ------------------------------------------------------------ describe */

static void churn_describe(const struct det_group *g, struct finding *out,
			   const struct detect_config *cfg)
{
	const struct churn_state *s = churn_of_const(g);
	char dur[24], win[24], peer[ADDR_FORMAT_ENDPOINT_LEN];
	double avg = s->connections
		? (double)s->total_ns / (double)s->connections : 0;

	format_duration(churn_settings_of(cfg)->window_ns, win,
			sizeof(win));
	format_duration((int64_t)avg, dur, sizeof(dur));
	addr_format(g->key.family, g->key.addr2, peer, sizeof(peer));
	out->unit = "short connections in the window";
	finding_add_text(out, "client", peer);
	finding_add_number(out, "connections", (double)s->connections);
	finding_add_number(out, "mean_duration_ms", avg / NS_PER_MS);
	snprintf(out->summary, sizeof(out->summary),
		 "%s opened %.0f short connections to %s within %s "
		 "(%llu in all, %s each on average): one request per "
		 "connection where a persistent one would serve",
		 peer, out->value, out->subject, win,
		 (unsigned long long)s->connections, dur);
}

/* Churn holds while short connections keep coming. */
static bool churn_ongoing(const struct det_group *g, int64_t now,
			  const struct detect_config *cfg)
{
	return !det_quiet_since(g, now, churn_settings_of(cfg)->window_ns);
}

/*
 * Nothing names its groups but their key and the memo (cleared with
 * them).  Connections are counted at their start when they end, up to
 * max_duration later: once even those would fall out of the window (the
 * newest bucket starts up to a bucket before the latest start), nothing
 * it counted can count again.
 */
static bool churn_reclaimable(const struct det_group *g, int64_t now,
			      const struct detect_config *cfg)
{
	const struct churn_settings *c = churn_settings_of(cfg);

	return g->finding >= 0 ||
	       now - c->max_duration_ns >=
		       g->ring.start + c->window_ns + c->window_ns / RATE_BUCKETS;
}

/* Its connections before it earned a group count from 0 again. */
static void churn_forget(struct detectors *d, const struct det_group *g)
{
	count_map_forget(&d->churn_seen, hash_bytes(&g->key, sizeof(g->key)));
}

/* ------------------------------------------------------------ merge */

static const struct det_reducer churn_reducers[] = {
	DET_REDUCE(struct churn_state, connections, DET_SUM),
	DET_REDUCE(struct churn_state, total_ns, DET_SUM),
};

static void churn_merge(struct detectors *d, struct det_group *into,
			const struct det_group *from)
{
	rate_merge(&into->ring, &from->ring,
		   churn_settings_of(&d->cfg)->window_ns);
	det_merge_peak(into, from, into->ring.sum);
}

static enum det_verdict churn_verdict(struct detectors *d,
				      const struct det_group *g)
{
	return g->count >= churn_settings_of(&d->cfg)->min_connections
		? DET_FIRES : DET_QUIET;
}

const struct detector_ops det_churn_ops = {
	.name = "short_connection_churn",
	.ids = {FINDING_SHORT_CONNECTION_CHURN},
	.n_ids = 1,
	.settings = churn_rows,
	.n_settings = DET_ROWS(churn_rows),
	.tcp = true,
	.segments = SEG_FIN_RST,
	.on_segment = churn_on_segment,
	.on_flow_end = churn_on_flow_end,
	.describe = churn_describe,
	.ongoing = churn_ongoing,
	.reclaimable = churn_reclaimable,
	.forget = churn_forget,
	DET_REDUCERS(churn_reducers),
	.count_peaks = true,
	.merge = churn_merge,
	.verdict = churn_verdict,
};
