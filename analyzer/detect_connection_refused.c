/*
 * connection_refused groups by destination host:port: count = attempts
 * the server refused with a RST; set = their sources.  A service that
 * accepted connections after its last refusal was starting or
 * restarting (BGP and OpenFlow peers retry until it listens): that is
 * info, the refusals are over.
 */
#include "detect_internal.h"

#include <stdio.h>

/* Thresholds of connection_refused, in its cfg->unit[] block. */
struct refused_settings {
	uint32_t min_attempts;
};

DET_SETTINGS_ACCESSORS(struct refused_settings, FINDING_CONNECTION_REFUSED,
		       refused_settings_of);

/* Their rows in the configuration file (settings.h). */
static const struct setting refused_rows[] = {
	DET_SWITCHES("connection_refused", FINDING_CONNECTION_REFUSED),
	{.section = "connection_refused", .key = "min_attempts",
	 .type = SETTING_COUNT, .min = 1, .max = 1e9, .def = 1,
	 .offset = DET_SETTING_AT(FINDING_CONNECTION_REFUSED,
				  struct refused_settings, min_attempts),
	 .doc = "refused attempts toward one host:port"},
};

/* connection_refused's group state. */
struct refused_state {
	uint64_t sources;       /* distinct ones */
	uint64_t accepted_after;        /* handshakes completed after one */
	int64_t last_refusal, last_accept;
};

DET_GROUP_STATE_ACCESSORS(struct refused_state, refused_of,
			  refused_of_const);

/* ------------------------------------------------------------ hooks */

DET_COLD
static void refused(struct detectors *d, const struct packet *pkt,
		    const struct flow *f, const struct tcp_seg_info *info)
{
	const struct refused_settings *c = refused_settings_of(&d->cfg);
	struct subject_key k;
	struct det_group *g;

	subject_endpoint(&k, FINDING_CONNECTION_REFUSED, f, FLOW_RESP);
	g = group_get(d, &k, d->now);
	if (g == NULL)
		return;
	g->count++;
	refused_of(g)->last_refusal = d->now;
	if (hash_set_add(&g->set, det_addr_hash(f, FLOW_ORIG), &d->oom))
		refused_of(g)->sources++;
	group_note_party(g, flow_addr(f, FLOW_ORIG));
	g->threshold = c->min_attempts;
	group_touch(g, d->now);
	group_add_flow(g, f);
	group_add_packet(g, pkt, f, info);
	if (g->count >= c->min_attempts)
		group_fire(d, g);
}

/* A handshake to a service that refused before completed now. */
DET_COLD
static void accepted(struct detectors *d, const struct flow *f)
{
	struct subject_key k;
	struct det_group *g;
	struct refused_state *s;

	subject_endpoint(&k, FINDING_CONNECTION_REFUSED, f, FLOW_RESP);
	g = group_find(d, &k);
	if (g == NULL)
		return;
	s = refused_of(g);
	s->accepted_after++;
	s->last_accept = d->now;
}

static void refused_on_segment(struct detectors *d, const struct packet *pkt,
			       const struct flow *f,
			       const struct tcp_seg_info *info,
			       struct det_flow *df)
{
	(void)df;
	if (!det_enabled(d, FINDING_CONNECTION_REFUSED))
		return;
	if (d->attempt & ATTEMPT_REFUSED)
		refused(d, pkt, f, info);
	else if ((d->attempt & ATTEMPT_COMPLETED) &&
		 d->fired_per_id[FINDING_CONNECTION_REFUSED] > 0)
		accepted(d, f);
}

/* ------------------------------------------------------------ describe */

static void refused_describe(const struct det_group *g,
			     struct finding *out,
			     const struct detect_config *cfg)
{
	const struct refused_state *s = refused_of_const(g);
	uint64_t sources = s->sources;

	(void)cfg;
	out->unit = "refused attempts";
	finding_add_number(out, "sources", (double)sources);
	finding_add_number(out, "accepted_after", (double)s->accepted_after);
	if (s->accepted_after > 0 && s->last_accept > s->last_refusal) {
		if (out->severity > SEVERITY_INFO)
			out->severity = SEVERITY_INFO;
		snprintf(out->summary, sizeof(out->summary),
			 "%.0f connection attempt%s to %s %s answered with RST, "
			 "from %llu source%s, then it accepted %llu connection%s: "
			 "the service was starting or restarting, and listens "
			 "since",
			 out->value, out->value == 1 ? "" : "s", out->subject,
			 out->value == 1 ? "was" : "were",
			 (unsigned long long)sources, sources == 1 ? "" : "s",
			 (unsigned long long)s->accepted_after,
			 s->accepted_after == 1 ? "" : "s");
		return;
	}
	snprintf(out->summary, sizeof(out->summary),
		 "%.0f connection attempt%s to %s %s answered with RST, "
		 "from %llu source%s: nothing listens there",
		 out->value, out->value == 1 ? "" : "s", out->subject,
		 out->value == 1 ? "was" : "were",
		 (unsigned long long)sources, sources == 1 ? "" : "s");
}

/* ------------------------------------------------------------ merge */

static void refused_merge(struct detectors *d, struct det_group *into,
				const struct det_group *from)
{
	(void)d;
	(void)from;
	/* Distinct sources: the union of both sides' sets. */
	refused_of(into)->sources = into->set.count;
}

static const struct det_reducer refused_reducers[] = {
	DET_REDUCE(struct refused_state, accepted_after, DET_SUM),
	DET_REDUCE(struct refused_state, last_refusal, DET_MAX),
	DET_REDUCE(struct refused_state, last_accept, DET_MAX),
};

static enum det_verdict refused_verdict(struct detectors *d,
					const struct det_group *g)
{
	const struct refused_settings *c = refused_settings_of(&d->cfg);

	return g->count >= c->min_attempts ? DET_FIRES : DET_QUIET;
}

const struct detector_ops det_connection_refused_ops = {
	.name = "connection_refused",
	.ids = {FINDING_CONNECTION_REFUSED},
	.n_ids = 1,
	.settings = refused_rows,
	.n_settings = DET_ROWS(refused_rows),
	.tcp = true,
	/* A refusal (ATTEMPT_REFUSED) is a RST; an accept, SEG_ATTEMPT. */
	.segments = SEG_RST | SEG_ATTEMPT,
	.on_segment = refused_on_segment,
	.describe = refused_describe,
	DET_REDUCERS(refused_reducers),
	.merge = refused_merge,
	.verdict = refused_verdict,
	.reclaimable = det_reclaimable_count,
};
