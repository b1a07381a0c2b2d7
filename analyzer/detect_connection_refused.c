/*
 * connection_refused groups by destination host:port: count = attempts
 * the server refused with a RST; set = their sources.
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

static void refused_on_segment(struct detectors *d, const struct packet *pkt,
			       const struct flow *f,
			       const struct tcp_seg_info *info,
			       struct det_flow *df)
{
	(void)df;
	if ((d->attempt & ATTEMPT_REFUSED) &&
	    det_enabled(d, FINDING_CONNECTION_REFUSED))
		refused(d, pkt, f, info);
}

/* ------------------------------------------------------------ describe */

static void refused_describe(const struct det_group *g,
			     struct finding *out,
			     const struct detect_config *cfg)
{
	uint64_t sources = refused_of_const(g)->sources;

	(void)cfg;
	out->unit = "refused attempts";
	finding_add_number(out, "sources", (double)sources);
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
	/* A refusal (ATTEMPT_REFUSED) is a RST. */
	.segments = SEG_RST,
	.on_segment = refused_on_segment,
	.describe = refused_describe,
	.merge = refused_merge,
	.verdict = refused_verdict,
};
