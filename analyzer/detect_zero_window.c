/*
 * zero_window_stall groups by the receiver (host:port when it serves,
 * else host): count = stalls, a zero window advertised for min_duration
 * or more, counted when the window opens again or the flow ends; its
 * value is the longest, in seconds, as its threshold.  Live, a watch of
 * the sides at a zero window now counts a stall as on once it passes
 * min_duration, while it still is.
 */
#include "detect_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr_format.h"

/* Thresholds of zero_window_stall, in its cfg->unit[] block. */
struct zero_window_settings {
	int64_t min_duration_ns;
};

DET_SETTINGS_ACCESSORS(struct zero_window_settings, FINDING_ZERO_WINDOW_STALL,
		       zero_window_settings_of);

/* Their rows in the configuration file (settings.h). */
static const struct setting zero_window_rows[] = {
	DET_SWITCHES("zero_window_stall", FINDING_ZERO_WINDOW_STALL),
	{.section = "zero_window_stall", .key = "min_duration",
	 .type = SETTING_SECONDS, .min = 0.001, .max = 86400, .def = 1,
	 .offset = DET_SETTING_AT(FINDING_ZERO_WINDOW_STALL,
				  struct zero_window_settings, min_duration_ns),
	 .doc = "time a receiver advertises a zero window"},
};

/* zero_window_stall's group state. */
struct zero_window_state {
	uint64_t probes;        /* zero window probes during the stalls */
	int64_t longest_ns;
	int64_t total_ns;
	uint64_t stalled_at_end;        /* receivers still at zero then */
	/*
	 * The longest stall's connection: the receiver's port and the
	 * service (the responder's host:port) it stalled.
	 */
	uint16_t receiver_port;
	uint16_t service_port;
	uint8_t service_family;
	uint8_t service_addr[16];
	/* Stalls past min_duration still on (watched), not counted yet. */
	uint64_t live_now;
	int64_t live_longest_ns;        /* the longest of those so far */
};

DET_GROUP_STATE_ACCESSORS(struct zero_window_state, zero_window_of,
			  zero_window_of_const);

/* ------------------------------------------------------------ counting */

/* Counts r's stall of dur; its group, NULL when too short or untracked. */
DET_COLD
static struct det_group *stall_counted(struct detectors *d,
				       const struct flow *f, int r,
				       int64_t dur,
				       const struct det_flow_ext *e,
				       uint64_t reopened_frame, bool listed)
{
	const struct zero_window_settings *c = zero_window_settings_of(&d->cfg);
	struct subject_key k;
	struct det_group *g;
	struct zero_window_state *s;

	if (dur < c->min_duration_ns)
		return NULL;
	subject_of_side(&k, FINDING_ZERO_WINDOW_STALL, f, r);
	g = group_get(d, &k, d->now);
	if (g == NULL)
		return NULL;
	s = zero_window_of(g);
	g->count++;
	s->probes += e->zw_probes;
	if (dur > s->longest_ns) {
		s->longest_ns = dur;
		s->receiver_port = flow_port(f, r);
		s->service_port = flow_port(f, FLOW_RESP);
		s->service_family = f->key.family;
		memcpy(s->service_addr, flow_addr(f, FLOW_RESP), 16);
	}
	s->total_ns += dur;
	g->threshold = (double)c->min_duration_ns / NS_PER_SEC;
	group_touch(g, e->zw_since[r]);
	group_touch(g, e->zw_since[r] + dur);
	/* Listed already by the watch once past min_duration. */
	if (!listed) {
		group_add_flow(g, f);
		group_add_frame(g, e->zw_frame[r]);
	}
	/* Where it closed, and where it opened again (0: it never did). */
	if (reopened_frame != 0)
		group_add_frame(g, reopened_frame);
	group_fire(d, g);
	return g;
}

/* ------------------------------------------------------------ the watch */

/* Watches side r of df, at a zero window since e->zw_since[r]. */
static void watch_start(struct detectors *d, struct det_flow *df,
			struct det_flow_ext *e, int r)
{
	if (d->zw_len == d->zw_cap) {
		size_t cap = d->zw_cap ? d->zw_cap * 2 : 16;
		struct zero_window_watch *grown =
			realloc(d->zw_watch, cap * sizeof(*grown));

		if (grown == NULL) {
			d->oom = true;
			return;
		}
		d->zw_watch = grown;
		d->zw_cap = cap;
	}
	d->zw_watch[d->zw_len] = (struct zero_window_watch){df, 0, (uint8_t)r};
	e->zw_watch[r] = (uint32_t)++d->zw_len;
}

/*
 * Side r of e's flow is no longer at a zero window: its entry goes (the
 * last takes its place).  True when its group listed it past
 * min_duration.
 */
static bool watch_stop(struct detectors *d, struct det_flow_ext *e, int r)
{
	struct zero_window_watch *w;
	bool listed;

	if (e->zw_watch[r] == 0)
		return false;
	w = &d->zw_watch[e->zw_watch[r] - 1];
	listed = w->group != 0;
	if (listed)
		zero_window_of(group_by_number(d, w->group - 1))->live_now--;
	*w = d->zw_watch[--d->zw_len];
	if (w != &d->zw_watch[d->zw_len])
		det_ext_of(d, w->df)->zw_watch[w->side] = e->zw_watch[r];
	e->zw_watch[r] = 0;
	return listed;
}

/*
 * A side at a zero window for min_duration: its group counts the stall
 * as on, lists its connection and the segment that closed the window,
 * and fires on it while it lasts.
 */
DET_COLD
static void watch_past_duration(struct detectors *d,
				struct zero_window_watch *w,
				const struct det_flow_ext *e)
{
	const struct flow *f = det_flow_owner(w->df);
	struct subject_key k;
	struct det_group *g;

	subject_of_side(&k, FINDING_ZERO_WINDOW_STALL, f, w->side);
	g = group_get(d, &k, d->now);
	if (g == NULL)
		return;
	w->group = g->number + 1;
	zero_window_of(g)->live_now++;
	g->threshold = (double)zero_window_settings_of(&d->cfg)->min_duration_ns /
		       NS_PER_SEC;
	/* Not past the flow's last packet: what its end may count up to. */
	group_touch(g, e->zw_since[w->side]);
	group_touch(g, f->last_ts);
	group_add_flow(g, f);
	group_add_frame(g, e->zw_frame[w->side]);
	group_fire_live(d, g);
}

/*
 * Every tick: stalls past min_duration count as on, and each group
 * learns the longest of its stalls still on, so that a live finding
 * says how long the receiver has not read.
 */
static void zero_window_sweep(struct detectors *d)
{
	int64_t min = zero_window_settings_of(&d->cfg)->min_duration_ns;

	for (size_t i = 0; i < d->zw_len; i++) {
		struct zero_window_watch *w = &d->zw_watch[i];
		const struct det_flow_ext *e = det_ext_of(d, w->df);

		if (w->group == 0 && d->now - e->zw_since[w->side] >= min)
			watch_past_duration(d, w, e);
		if (w->group != 0)
			zero_window_of(group_by_number(d, w->group - 1))
				->live_longest_ns = 0;
	}
	for (size_t i = 0; i < d->zw_len; i++) {
		const struct zero_window_watch *w = &d->zw_watch[i];
		int64_t on = d->now - det_ext_of(d, w->df)->zw_since[w->side];
		struct zero_window_state *s;

		if (w->group == 0)
			continue;
		s = zero_window_of(group_by_number(d, w->group - 1));
		if (on > s->live_longest_ns)
			s->live_longest_ns = on;
	}
}

/* ------------------------------------------------------------ segments */

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
		e->zw_frame[s] = pkt->frame_no;
		e->zw_probes = 0;
		watch_start(d, df, e, s);
	} else if (info->window != 0 && e != NULL && e->zw_since[s] != 0) {
		bool listed = watch_stop(d, e, s);

		stall_counted(d, f, s, d->now - e->zw_since[s], e,
			      pkt->frame_no, listed);
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

/* ------------------------------------------------------------ hooks */

static void zero_window_on_segment(struct detectors *d,
				   const struct packet *pkt,
				   const struct flow *f,
				   const struct tcp_seg_info *info,
				   struct det_flow *df)
{
	if ((info->window == 0 || det_marked(f, DM_ZERO_WINDOW) ||
	     (info->annots & TCP_ANNOT_BIT(ZERO_WINDOW_PROBE))) &&
	    det_enabled(d, FINDING_ZERO_WINDOW_STALL))
		zero_window(d, pkt, f, info, df);
}

/* r's stall, still on when its flow ended at end, counts up to then. */
static void stall_at_end(struct detectors *d, const struct flow *f, int r,
			 int64_t end, const struct det_flow_ext *e, bool listed)
{
	struct det_group *g = stall_counted(d, f, r, end - e->zw_since[r], e, 0,
					    listed);

	if (g != NULL && f->end_reason == FLOW_END_CAPTURE_END)
		zero_window_of(g)->stalled_at_end++;
}

/* A stall still on at the end counts up to then. */
static void zero_window_on_flow_end(struct detectors *d, const struct flow *f,
				    struct det_flow *df)
{
	int64_t end = f->end_reason == FLOW_END_CAPTURE_END ? d->now : f->last_ts;
	struct det_flow_ext *e;

	if (df == NULL || !det_enabled(d, FINDING_ZERO_WINDOW_STALL) ||
	    (e = det_ext_of(d, df)) == NULL)
		return;
	for (int r = 0; r < 2; r++) {
		bool listed = watch_stop(d, e, r);

		if (e->zw_since[r] != 0 && end > e->zw_since[r])
			stall_at_end(d, f, r, end, e, listed);
	}
}

/* ------------------------------------------------------------ describe */

/*
 * While stalls past min_duration are still on (live): how long so far,
 * not yet how long in all, nor the window probes of those still on.
 */
static void zero_window_summary_on(const struct det_group *g,
				   struct finding *out, const char *min)
{
	const struct zero_window_state *s = zero_window_of_const(g);
	char so_far[24], before[48] = "";

	format_duration(s->live_longest_ns, so_far, sizeof(so_far));
	if (g->count > 0)
		snprintf(before, sizeof(before), "; %llu more ended before",
			 (unsigned long long)g->count);
	snprintf(out->summary, sizeof(out->summary),
		 "%s advertises a zero window now: %llu stall%s of %s or more "
		 "still on, the longest for %s so far%s: it stopped reading",
		 out->subject, (unsigned long long)s->live_now,
		 s->live_now == 1 ? "" : "s", min, so_far, before);
}

static void zero_window_describe(const struct det_group *g,
				 struct finding *out,
				 const struct detect_config *cfg)
{
	const struct zero_window_state *s = zero_window_of_const(g);
	char longest[24], total[24], min[24];
	char receiver[ADDR_FORMAT_LEN + 8];
	char service[ADDR_FORMAT_LEN + 8], where[2 * ADDR_FORMAT_LEN + 48] = "";

	format_duration(s->longest_ns, longest, sizeof(longest));
	format_duration(s->total_ns, total, sizeof(total));
	format_duration(zero_window_settings_of(cfg)->min_duration_ns, min,
			sizeof(min));
	/*
	 * The threshold is a duration, so the value is one too: the longest
	 * stall, which met it; the count of stalls is in the summary.
	 */
	out->unit = "seconds, the longest zero-window stall";
	/* Live, the stalls still on count, for as long as they have lasted. */
	int64_t longest_ns = s->live_longest_ns > s->longest_ns ?
				     s->live_longest_ns : s->longest_ns;

	out->holding = s->stalled_at_end > 0 || s->live_now > 0;
	out->value = (double)((longest_ns + 500000) / 1000000) / 1e3;
	finding_add_number(out, "stalls", (double)(g->count + s->live_now));
	finding_add_number(out, "longest_s", (double)longest_ns / NS_PER_SEC);
	finding_add_number(out, "total_s", (double)s->total_ns / NS_PER_SEC);
	finding_add_number(out, "probes", (double)s->probes);
	addr_format_endpoint(g->key.family, g->key.addr, s->receiver_port,
			     receiver, sizeof(receiver));
	addr_format_endpoint(s->service_family, s->service_addr,
			     s->service_port, service, sizeof(service));
	finding_add_text(out, "receiver", receiver);
	finding_add_text(out, "service", service);
	/* A client receiving names the service it stopped reading from. */
	if (strcmp(receiver, service) != 0)
		snprintf(where, sizeof(where), " (as %s on a connection of %s)",
			 receiver, service);
	if (s->live_now > 0) {
		zero_window_summary_on(g, out, min);
		return;
	}
	snprintf(out->summary, sizeof(out->summary),
		 "%s advertised a zero window %.0f time%s for %s or more "
		 "(longest %s%s, %s in all; %llu window probes): it stopped "
		 "reading",
		 out->subject, (double)g->count, g->count == 1 ? "" : "s",
		 min, longest, where, total, (unsigned long long)s->probes);
}

/* ------------------------------------------------------------ merge */

static const struct det_reducer zero_window_reducers[] = {
	DET_REDUCE(struct zero_window_state, probes, DET_SUM),
	DET_REDUCE(struct zero_window_state, longest_ns, DET_MAX),
	DET_REDUCE(struct zero_window_state, total_ns, DET_SUM),
	DET_REDUCE(struct zero_window_state, stalled_at_end, DET_SUM),
};

/* Stalls still on (watched past min_duration): the finding holds. */
static bool zero_window_live_pending(const struct det_group *g)
{
	return zero_window_of_const(g)->live_now > 0;
}

/*
 * It holds while a stall is on, and resolves when the last window opens
 * again; one still closed when the capture ended holds at the end.
 */
static bool zero_window_ongoing(const struct det_group *g, int64_t now,
				const struct detect_config *cfg)
{
	const struct zero_window_state *s = zero_window_of_const(g);

	(void)now;
	(void)cfg;
	return s->live_now > 0 || s->stalled_at_end > 0;
}

/* Each stall long enough is a finding's worth. */
static enum det_verdict zero_window_verdict(struct detectors *d,
					    const struct det_group *g)
{
	(void)d;
	return g->count > 0 ? DET_FIRES : DET_QUIET;
}

const struct detector_ops det_zero_window_ops = {
	.name = "zero_window_stall",
	.ids = {FINDING_ZERO_WINDOW_STALL},
	.n_ids = 1,
	.settings = zero_window_rows,
	.n_settings = DET_ROWS(zero_window_rows),
	.tcp = true,
	.segments = SEG_ZERO_WINDOW,
	.on_segment = zero_window_on_segment,
	.on_flow_end = zero_window_on_flow_end,
	.end_needs_side = true,
	.sweep = zero_window_sweep,
	.describe = zero_window_describe,
	.ongoing = zero_window_ongoing,
	.live_pending = zero_window_live_pending,
	DET_REDUCERS(zero_window_reducers),
	.verdict = zero_window_verdict,
};
