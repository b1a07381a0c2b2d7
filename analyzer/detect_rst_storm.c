/*
 * rst_storm groups by the connections' server host:port: ring =
 * connections reset in the window (each counted once, at its first RST),
 * count = the most.
 */
#include "detect_internal.h"

#include <stdio.h>

/* Thresholds of rst_storm, in its cfg->unit[] block. */
struct rst_storm_settings {
	int64_t window_ns;
	uint32_t min_rsts;
};

DET_SETTINGS_ACCESSORS(struct rst_storm_settings, FINDING_RST_STORM,
		       rst_storm_settings_of);

/* Their rows in the configuration file (settings.h). */
static const struct setting rst_storm_rows[] = {
	DET_SWITCHES("rst_storm", FINDING_RST_STORM),
	{.section = "rst_storm", .key = "window",
	 .type = SETTING_SECONDS, .min = 1, .max = 3600, .def = 10,
	 .offset = DET_SETTING_AT(FINDING_RST_STORM,
				  struct rst_storm_settings, window_ns),
	 .doc = "sliding window the RSTs are counted in"},
	{.section = "rst_storm", .key = "min_rsts",
	 .type = SETTING_COUNT, .min = 1, .max = 1e9, .def = 100,
	 .offset = DET_SETTING_AT(FINDING_RST_STORM,
				  struct rst_storm_settings, min_rsts),
	 .doc = "connections reset (first RST) on one server host:port within "
		"the window"},
};

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

#define STORM_GROUP_AFTER 10

DET_COLD
static void storm(struct detectors *d, const struct packet *pkt,
		  const struct flow *f, const struct tcp_seg_info *info,
		  int cause)
{
	const struct rst_storm_settings *c = rst_storm_settings_of(&d->cfg);
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
	sum = rate_add(&g->ring, d->now, c->window_ns, n);
	if (sum > g->count) {
		g->count = sum;
		s->peak_ts = d->now;
	}
	g->threshold = c->min_rsts;
	/*
	 * Every reset connection is among its flows, the seeded ones and
	 * those before the threshold too: the evidence's flow count then
	 * agrees with the connections the summary counts.
	 */
	g->flow_count += n - 1;
	if (g->n_flows < FINDING_MAX_FLOWS)
		group_add_flow(g, f);
	else
		g->flow_count++;
	if (g->finding >= 0 || sum >= c->min_rsts) {
		group_touch(g, d->now);
		group_add_packet(g, pkt, f, info);
		group_fire(d, g);
	}
}

/*
 * Connections, not segments: after one reset Linux answers every segment
 * still in flight with another RST.
 */
static void storm_on_segment(struct detectors *d, const struct packet *pkt,
			     const struct flow *f,
			     const struct tcp_seg_info *info,
			     struct det_flow *df)
{
	(void)df;
	if (d->first_rst != 0 && det_enabled(d, FINDING_RST_STORM))
		storm(d, pkt, f, info, d->first_rst - 1);
}

static void storm_describe(const struct det_group *g, struct finding *out,
			   const struct detect_config *cfg)
{
	const struct rst_storm_state *s = rst_storm_of_const(g);
	char win[24], mix[160] = "";
	size_t used = 0;

	format_duration(rst_storm_settings_of(cfg)->window_ns, win,
			sizeof(win));
	for (int i = 0; i < RST_CAUSE_COUNT; i++) {
		unsigned long long reset = s->by_cause[i];

		if (reset == 0)
			continue;
		finding_add_number(out, rst_cause_name((enum rst_cause)i), (double)reset);
		if (used < sizeof(mix))
			used += (size_t)snprintf(mix + used, sizeof(mix) - used,
						 "%s%s %llu", used ? ", " : "",
						 rst_cause_name((enum rst_cause)i), reset);
	}
	out->unit = "connections reset in the window";
	snprintf(out->summary, sizeof(out->summary),
		 "%.0f connections to %s were reset within %s (threshold "
		 "%.0f); by cause: %s",
		 out->value, out->subject, win, out->threshold,
		 mix[0] ? mix : "none classified");
}

/* A storm is over once a window passes without a reset. */
static bool storm_ongoing(const struct det_group *g, int64_t now,
			  const struct detect_config *cfg)
{
	return !det_quiet_since(g, now, rst_storm_settings_of(cfg)->window_ns);
}

/*
 * Nothing names its groups but their key; once its newest bucket has
 * left the window it counts nothing any more.  A fired one goes when its
 * finding may be folded.
 */
static bool storm_reclaimable(const struct det_group *g, int64_t now,
			      const struct detect_config *cfg)
{
	int64_t window = rst_storm_settings_of(cfg)->window_ns;

	/* The newest bucket starts up to a bucket before the latest reset. */
	return g->finding >= 0 ||
	       now >= g->ring.start + window + window / RATE_BUCKETS;
}

/* Its resets before it earned a group count from 0 again. */
static void storm_forget(struct detectors *d, const struct det_group *g)
{
	count_map_forget(&d->rst_seen, hash_bytes(&g->key, sizeof(g->key)));
}

/* ------------------------------------------------------------ merge */

static const struct det_reducer storm_reducers[] = {
	DET_REDUCE(struct rst_storm_state, by_cause, DET_SUM),
};

static void storm_merge(struct detectors *d, struct det_group *into,
			const struct det_group *from)
{
	struct rst_storm_state *s = rst_storm_of(into);

	rate_merge(&into->ring, &from->ring,
		   rst_storm_settings_of(&d->cfg)->window_ns);
	switch (det_merge_peak(into, from, into->ring.sum)) {
	case 1:
		s->peak_ts = rst_storm_of_const(from)->peak_ts;
		break;
	case 2:
		s->peak_ts = into->last_ts;
		break;
	}
}

static enum det_verdict storm_verdict(struct detectors *d,
				      const struct det_group *g)
{
	const struct rst_storm_settings *c = rst_storm_settings_of(&d->cfg);

	return g->count >= c->min_rsts ? DET_FIRES : DET_QUIET;
}

const struct detector_ops det_rst_storm_ops = {
	.name = "rst_storm",
	.ids = {FINDING_RST_STORM},
	.n_ids = 1,
	.settings = rst_storm_rows,
	.n_settings = DET_ROWS(rst_storm_rows),
	.tcp = true,
	.segments = SEG_RST,
	.on_segment = storm_on_segment,
	.describe = storm_describe,
	.ongoing = storm_ongoing,
	DET_REDUCERS(storm_reducers),
	.count_peaks = true,
	.merge = storm_merge,
	.reclaimable = storm_reclaimable,
	.forget = storm_forget,
	.verdict = storm_verdict,
};
