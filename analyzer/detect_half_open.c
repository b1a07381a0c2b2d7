/*
 * half_open: connections one side still keeps and the other no longer
 * has (keep-alives unanswered, or a RST for a connection the peer did
 * not know).  Groups by server host:port: count = connections.
 */
#include "detect_internal.h"

#include <stdio.h>

/* Thresholds of half_open, in its cfg->unit[] block. */
struct half_open_settings {
	uint32_t min_probes;
};

DET_SETTINGS_ACCESSORS(struct half_open_settings, FINDING_HALF_OPEN,
		       half_open_settings_of);

/* Their rows in the configuration file (settings.h). */
static const struct setting half_open_rows[] = {
	DET_SWITCHES("half_open", FINDING_HALF_OPEN),
	{.section = "half_open", .key = "min_probes",
	 .type = SETTING_COUNT, .min = 1, .max = 100, .def = 3,
	 .offset = DET_SETTING_AT(FINDING_HALF_OPEN,
				  struct half_open_settings, min_probes),
	 .doc = "keep-alive probes in a row, nothing from the peer between"},
};

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

static void half_open_on_segment(struct detectors *d,
				 const struct packet *pkt,
				 const struct flow *f,
				 const struct tcp_seg_info *info,
				 struct det_flow *df)
{
	int s = info->dir;

	/* Anything from the peer answers this side's keep-alives. */
	df->ka_run[!s] = 0;
	if (info->annots & TCP_ANNOT_BIT(KEEP_ALIVE)) {
		if (df->ka_run[s] < UINT8_MAX)
			df->ka_run[s]++;
		if (df->ka_run[s] >=
			half_open_settings_of(&d->cfg)->min_probes &&
		    det_enabled(d, FINDING_HALF_OPEN))
			half_open(d, f, df, HALF_OPEN_KEEPALIVES);
	}
	if (d->first_rst == RST_UNKNOWN_CONNECTION + 1 &&
	    det_enabled(d, FINDING_HALF_OPEN)) {
		struct subject_key k;
		struct det_group *g;

		half_open(d, f, df, HALF_OPEN_UNKNOWN_RST);
		subject_endpoint(&k, FINDING_HALF_OPEN, f, FLOW_RESP);
		if ((g = group_find(d, &k)) != NULL)
			group_add_packet(g, pkt, f, info);
	}
}

static void half_open_describe(const struct det_group *g,
			       struct finding *out,
			       const struct detect_config *cfg)
{
	const struct half_open_state *s = half_open_of_const(g);

	(void)cfg;
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

/* ------------------------------------------------------------ merge */

static const struct det_reducer half_open_reducers[] = {
	DET_REDUCE(struct half_open_state, keepalives_unanswered, DET_SUM),
	DET_REDUCE(struct half_open_state, unknown_connection_rsts, DET_SUM),
};

/* Each half-open connection is a finding's worth. */
static enum det_verdict half_open_verdict(struct detectors *d,
					  const struct det_group *g)
{
	(void)d;
	return g->count > 0 ? DET_FIRES : DET_QUIET;
}

const struct detector_ops det_half_open_ops = {
	.name = "half_open",
	.ids = {FINDING_HALF_OPEN},
	.n_ids = 1,
	.settings = half_open_rows,
	.n_settings = DET_ROWS(half_open_rows),
	.tcp = true,
	.segments = SEG_KEEPALIVE | SEG_RST,
	.on_segment = half_open_on_segment,
	.describe = half_open_describe,
	DET_REDUCERS(half_open_reducers),
	.verdict = half_open_verdict,
};
