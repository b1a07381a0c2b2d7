/*
 * abortive_close groups by the RST's sender (host:port when it serves,
 * else host) and its cause (aux, detect_rst_cause.c): count =
 * connections reset so.
 */
#include "detect_internal.h"

#include <stdio.h>

/* Thresholds of abortive_close, in its cfg->unit[] block. */
struct abortive_close_settings {
	uint32_t min_count;
};

DET_SETTINGS_ACCESSORS(struct abortive_close_settings, FINDING_ABORTIVE_CLOSE,
		       abortive_close_settings_of);

/* Their rows in the configuration file (settings.h). */
static const struct setting abortive_close_rows[] = {
	DET_SWITCHES("abortive_close", FINDING_ABORTIVE_CLOSE),
	{.section = "abortive_close", .key = "min_count",
	 .type = SETTING_COUNT, .min = 1, .max = 1e9, .def = 1,
	 .offset = DET_SETTING_AT(FINDING_ABORTIVE_CLOSE,
				  struct abortive_close_settings, min_count),
	 .doc = "RSTs of one cause from one host or host:port"},
};

DET_COLD
static void abortive(struct detectors *d, const struct packet *pkt,
		     const struct flow *f, const struct tcp_seg_info *info,
		     enum rst_cause cause)
{
	const struct abortive_close_settings *c =
		abortive_close_settings_of(&d->cfg);
	struct subject_key k;
	struct det_group *g;

	subject_of_side(&k, FINDING_ABORTIVE_CLOSE, f, info->dir);
	k.aux = (uint8_t)cause;
	g = group_get(d, &k, d->now);
	if (g == NULL)
		return;
	g->count++;
	group_note_party(g, flow_addr(f, !info->dir));
	g->threshold = c->min_count;
	group_touch(g, d->now);
	group_add_flow(g, f);
	group_add_packet(g, pkt, f, info);
	if (g->count >= c->min_count)
		group_fire(d, g);
}

static void abortive_on_segment(struct detectors *d,
				const struct packet *pkt,
				const struct flow *f,
				const struct tcp_seg_info *info,
				struct det_flow *df)
{
	enum rst_cause cause = (enum rst_cause)(d->first_rst - 1);

	(void)df;
	/*
	 * A RST refusing a SYN is connection_refused's finding: the same
	 * RST reported again as an abortive close says nothing new.
	 */
	if (d->first_rst != 0 && det_enabled(d, FINDING_ABORTIVE_CLOSE) &&
	    !(cause == RST_REFUSED &&
	      det_enabled(d, FINDING_CONNECTION_REFUSED)))
		abortive(d, pkt, f, info, cause);
}

static void abortive_describe(const struct det_group *g, struct finding *out,
			      const struct detect_config *cfg)
{
	(void)cfg;
	out->unit = "connections reset";
	finding_add_text(out, "cause", rst_cause_name(g->key.aux));
	/* An unacceptable RST resets nothing: its receiver drops it. */
	if (g->key.aux == RST_OUT_OF_WINDOW)
		snprintf(out->summary, sizeof(out->summary),
			 "%s sent a RST on %.0f connection%s that the peer "
			 "would not accept (cause: out_of_window: stale or "
			 "injected); it resets nothing",
			 out->subject, out->value,
			 out->value == 1 ? "" : "s");
	else if (g->key.aux == RST_CLOSE_WITH_UNREAD_DATA)
		/*
		 * SO_LINGER {1, 0} with data unread gives the same RST, and
		 * the same TcpExtTCPAbortOnData: the wire cannot tell them.
		 */
		snprintf(out->summary, sizeof(out->summary),
			 "%s reset %.0f connection%s (cause: %s: a close with "
			 "unread data or SO_LINGER 0, which the wire cannot tell "
			 "apart)",
			 out->subject, out->value, out->value == 1 ? "" : "s",
			 rst_cause_name(g->key.aux));
	else
		snprintf(out->summary, sizeof(out->summary),
			 "%s reset %.0f connection%s (cause: %s)",
			 out->subject, out->value, out->value == 1 ? "" : "s",
			 rst_cause_name(g->key.aux));
}

/* ------------------------------------------------------------ merge */

static enum det_verdict abortive_verdict(struct detectors *d,
					 const struct det_group *g)
{
	const struct abortive_close_settings *c =
		abortive_close_settings_of(&d->cfg);

	return g->count >= c->min_count ? DET_FIRES : DET_QUIET;
}

const struct detector_ops det_abortive_close_ops = {
	.name = "abortive_close",
	.ids = {FINDING_ABORTIVE_CLOSE},
	.n_ids = 1,
	.settings = abortive_close_rows,
	.n_settings = DET_ROWS(abortive_close_rows),
	.tcp = true,
	.segments = SEG_RST,
	.on_segment = abortive_on_segment,
	.describe = abortive_describe,
	.verdict = abortive_verdict,	.reclaimable = det_reclaimable_count,
};
