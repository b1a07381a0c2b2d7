/*
 * close_wait_leak: an endpoint that got its peer's FIN and does not close
 * (an application that never calls close()).  Groups by the endpoint in
 * CLOSE_WAIT (host:port when it serves, else host): count = connections
 * idle in CLOSE_WAIT past min_age, counted when they leave it or end;
 * live, a watch of those still in it counts them as they pass min_age.
 */
#include "detect_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Thresholds of close_wait_leak, in its cfg->unit[] block. */
struct close_wait_settings {
	int64_t min_age_ns;
	uint32_t min_connections;
	uint32_t min_at_once;
};

DET_SETTINGS_ACCESSORS(struct close_wait_settings, FINDING_CLOSE_WAIT_LEAK,
		       close_wait_settings_of);

/* Their rows in the configuration file (settings.h). */
static const struct setting close_wait_rows[] = {
	DET_SWITCHES("close_wait_leak", FINDING_CLOSE_WAIT_LEAK),
	{.section = "close_wait_leak", .key = "min_age",
	 .type = SETTING_SECONDS, .min = 0.001, .max = 86400, .def = 1,
	 .offset = DET_SETTING_AT(FINDING_CLOSE_WAIT_LEAK,
				  struct close_wait_settings, min_age_ns),
	 .doc = "time in CLOSE_WAIT (or until the capture ends) that counts "
		"as a leak"},
	{.section = "close_wait_leak", .key = "min_connections",
	 .type = SETTING_COUNT, .min = 1, .max = 1e9, .def = 1,
	 .offset = DET_SETTING_AT(FINDING_CLOSE_WAIT_LEAK,
				  struct close_wait_settings, min_connections),
	 .doc = "leaking connections on one host:port"},
	{.section = "close_wait_leak", .key = "min_at_once",
	 .type = SETTING_COUNT, .min = 1, .max = 1e9, .def = 10,
	 .offset = DET_SETTING_AT(FINDING_CLOSE_WAIT_LEAK,
				  struct close_wait_settings, min_at_once),
	 .doc = "idle past min_age at once on one host:port: a warning even "
		"when each closed in the end (fewer, all closed: a slow "
		"close, info)"},
};

/* close_wait_leak's group state. */
struct close_wait_state {
	/* Still in CLOSE_WAIT when they ended or the capture did. */
	uint64_t still_open;
	uint64_t closed_late;   /* closed after min_age in CLOSE_WAIT */
	int64_t max_age_ns;     /* the longest time in CLOSE_WAIT */
	/*
	 * In CLOSE_WAIT past min_age now, not counted yet: each is counted
	 * (still_open or closed_late) when it leaves CLOSE_WAIT or ends.
	 */
	uint64_t past_age_now;
	uint64_t peak_at_once;  /* the most past min_age at once */
	/* The longest time in CLOSE_WAIT of those past min_age now. */
	int64_t live_age_ns;
};

DET_GROUP_STATE_ACCESSORS(struct close_wait_state, close_wait_of,
			  close_wait_of_const);

/* ------------------------------------------------------------ counting */

DET_COLD
static void close_wait_counted(struct detectors *d, const struct flow *f,
			       const struct det_flow_ext *e, int dir, int64_t age,
			       bool still, bool listed)
{
	const struct close_wait_settings *c = close_wait_settings_of(&d->cfg);
	struct subject_key k;
	struct det_group *g;
	struct close_wait_state *s;

	if (age < c->min_age_ns)
		return;
	subject_of_side(&k, FINDING_CLOSE_WAIT_LEAK, f, dir);
	g = group_get(d, &k, d->now);
	if (g == NULL)
		return;
	s = close_wait_of(g);
	g->count++;
	if (still)
		s->still_open++;
	else
		s->closed_late++;
	if (age > s->max_age_ns)
		s->max_age_ns = age;
	g->threshold = c->min_connections;
	group_touch(g, d->now - age);
	group_touch(g, d->now);
	/* Past min_age it was listed already, not to be counted twice. */
	if (!listed) {
		group_add_flow(g, f);
		group_add_frame(g, e->cw_frame);
	}
	if (g->count >= c->min_connections)
		group_fire(d, g);
}

/* ------------------------------------------------------------ the watch */

static struct close_wait_watch *watch_at(struct detectors *d, uint64_t n)
{
	return &d->cw_watch[n - d->cw_base];
}

/* Room for one more entry at the end; false: no memory. */
static bool watch_room(struct detectors *d)
{
	struct close_wait_watch *grown;
	size_t cap;

	if (d->cw_len < d->cw_cap)
		return true;
	if (d->cw_head > 0) {
		memmove(d->cw_watch, d->cw_watch + d->cw_head,
			(d->cw_len - d->cw_head) * sizeof(*d->cw_watch));
		d->cw_base += d->cw_head;
		d->cw_len -= d->cw_head;
		d->cw_judged -= d->cw_head;
		d->cw_head = 0;
		if (d->cw_len < d->cw_cap)
			return true;
	}
	cap = d->cw_cap ? d->cw_cap * 2 : 64;
	grown = realloc(d->cw_watch, cap * sizeof(*grown));
	if (grown == NULL)
		return false;
	d->cw_watch = grown;
	d->cw_cap = cap;
	return true;
}

/* Watches df's endpoint idle in CLOSE_WAIT since e->cw_since. */
static void watch_start(struct detectors *d, struct det_flow *df,
			struct det_flow_ext *e)
{
	if (!watch_room(d)) {
		d->oom = true;
		return;
	}
	d->cw_watch[d->cw_len] = (struct close_wait_watch){df, e->cw_since, 0};
	e->cw_watch = d->cw_base + d->cw_len + 1;
	d->cw_len++;
}

/* df's endpoint is no longer idle in CLOSE_WAIT: forget its entry. */
static void watch_stop(struct detectors *d, struct det_flow_ext *e)
{
	struct close_wait_watch *w;

	if (e->cw_watch == 0)
		return;
	w = watch_at(d, e->cw_watch - 1);
	if (w->group != 0)
		close_wait_of(group_by_number(d, w->group - 1))->past_age_now--;
	w->df = NULL;
	e->cw_watch = 0;
	while (d->cw_head < d->cw_len && d->cw_watch[d->cw_head].df == NULL)
		d->cw_head++;
	if (d->cw_judged < d->cw_head)
		d->cw_judged = d->cw_head;
}

/* Whether e's endpoint is watched past min_age: its group lists it. */
static bool watch_listed(struct detectors *d, const struct det_flow_ext *e)
{
	return e->cw_watch != 0 && watch_at(d, e->cw_watch - 1)->group != 0;
}

/*
 * An entry whose endpoint has idled min_age: its group counts it now,
 * and lists its connection as evidence while the finding is live.
 */
DET_COLD
static void watch_past_age(struct detectors *d, struct close_wait_watch *w)
{
	const struct flow *f = det_flow_owner(w->df);
	const struct det_flow_ext *e = det_ext_of(d, w->df);
	const struct close_wait_settings *c = close_wait_settings_of(&d->cfg);
	struct subject_key k;
	struct det_group *g;

	subject_of_side(&k, FINDING_CLOSE_WAIT_LEAK, f, w->df->cw_dir);
	g = group_get(d, &k, d->now);
	if (g == NULL)
		return;
	w->group = g->number + 1;
	group_touch(g, w->since);
	group_touch(g, d->now);
	group_add_flow(g, f);
	if (e != NULL)
		group_add_frame(g, e->cw_frame);
	if (++close_wait_of(g)->past_age_now > close_wait_of(g)->peak_at_once)
		close_wait_of(g)->peak_at_once = close_wait_of(g)->past_age_now;
	g->threshold = c->min_connections;
	if (g->count + close_wait_of(g)->past_age_now >=
	    c->min_connections)
		group_fire_live(d, g);
}

/*
 * Those past min_age, oldest first: each group's longest, so that a live
 * finding says how long its connections have been waiting.
 */
static void watch_ages(struct detectors *d)
{
	for (size_t i = d->cw_head; i < d->cw_judged; i++) {
		const struct close_wait_watch *w = &d->cw_watch[i];
		struct close_wait_state *s;

		if (w->df == NULL || w->group == 0)
			continue;
		s = close_wait_of(group_by_number(d, w->group - 1));
		if (d->now - w->since > s->live_age_ns)
			s->live_age_ns = d->now - w->since;
	}
}

/*
 * Every tick: the endpoints idle in CLOSE_WAIT for min_age count toward
 * a leak while they still are, so a live capture sees it without waiting
 * for the connections to end.  Entries are judged in the order they
 * came, each once.
 */
static void close_wait_sweep(struct detectors *d)
{
	int64_t min_age = close_wait_settings_of(&d->cfg)->min_age_ns;

	while (d->cw_judged < d->cw_len) {
		struct close_wait_watch *w = &d->cw_watch[d->cw_judged];

		if (w->df != NULL && d->now - w->since < min_age)
			break;
		if (w->df != NULL)
			watch_past_age(d, w);
		d->cw_judged++;
	}
	watch_ages(d);
}

static void close_wait_transition(struct detectors *d, const struct packet *pkt,
				  const struct flow *f,
				  const struct tcp_seg_info *info,
				  struct det_flow *df)
{
	for (int dir = 0; dir < 2; dir++) {
		bool was = df->state[dir] == TCP_STATE_CLOSE_WAIT;
		bool is = info->state[dir] == TCP_STATE_CLOSE_WAIT;
		struct det_flow_ext *e;

		if (!was && is) {
			e = det_ext_get(d, df, DM_CLOSE_WAIT);
			if (e == NULL)
				continue;
			e->cw_since = d->now;
			e->cw_frame = pkt->frame_no;
			df->cw_dir = (uint8_t)dir;
			watch_start(d, df, e);
		} else if (was && !is && (e = det_ext_of(d, df)) != NULL &&
			   e->cw_since != 0) {
			close_wait_counted(d, f, e, dir, d->now - e->cw_since,
					   false, watch_listed(d, e));
			watch_stop(d, e);
			e->cw_since = 0;
			det_unmark(d, DM_CLOSE_WAIT);
			det_ext_settle(d, df);
		}
	}
}

/* ------------------------------------------------------------ hooks */

static void close_wait_on_segment(struct detectors *d,
				  const struct packet *pkt,
				  const struct flow *f,
				  const struct tcp_seg_info *info,
				  struct det_flow *df)
{
	struct det_flow_ext *e;

	/*
	 * An endpoint still sending after the peer's FIN is a half-close
	 * at work (shutdown(SHUT_WR) on the other side), not a leak: only
	 * its idle time in CLOSE_WAIT counts.
	 */
	if (det_marked(f, DM_CLOSE_WAIT) && info->dir == df->cw_dir &&
	    info->seg_len > 0 && (e = det_ext_of(d, df)) != NULL &&
	    e->cw_since != 0) {
		e->cw_since = d->now;
		if (e->cw_watch != 0) {
			watch_stop(d, e);
			watch_start(d, df, e);
		}
	}
	if (info->state[0] == df->state[0] && info->state[1] == df->state[1])
		return;
	if (det_enabled(d, FINDING_CLOSE_WAIT_LEAK))
		close_wait_transition(d, pkt, f, info, df);
}

static void close_wait_on_flow_end(struct detectors *d, const struct flow *f,
				   struct det_flow *df)
{
	struct det_flow_ext *e = df != NULL ? det_ext_of(d, df) : NULL;

	if (e != NULL && det_enabled(d, FINDING_CLOSE_WAIT_LEAK) &&
	    e->cw_since != 0 && df->cw_dir < 2 &&
	    tcp_conn_state(f, df->cw_dir) == TCP_STATE_CLOSE_WAIT)
		close_wait_counted(d, f, e, df->cw_dir, d->now - e->cw_since,
				   true, watch_listed(d, e));
	if (e != NULL)
		watch_stop(d, e);
}

/* ------------------------------------------------------------ describe */

/*
 * A leak is CLOSE_WAIT that lasts: still there when the connection or
 * the capture ended, or many at once.  A few that closed in the end
 * are a slow close (an HTTP server finishing its response after the
 * client's half-close): info.
 */
static void close_wait_describe(const struct det_group *g,
				struct finding *out,
				const struct detect_config *cfg)
{
	const struct close_wait_state *s = close_wait_of_const(g);
	const struct close_wait_settings *c = close_wait_settings_of(cfg);
	/* Live, those past min_age now are still in CLOSE_WAIT too. */
	uint64_t still = s->still_open + s->past_age_now;
	uint64_t at_once = s->peak_at_once > still ? s->peak_at_once : still;
	int64_t longest = s->max_age_ns;
	char dur[24], min[24];

	if (s->past_age_now > 0 && s->live_age_ns > longest)
		longest = s->live_age_ns;
	format_duration(longest, dur, sizeof(dur));
	format_duration(c->min_age_ns, min, sizeof(min));
	out->unit = "connections";
	out->value = (double)(g->count + s->past_age_now);
	finding_add_number(out, "still_in_close_wait", (double)still);
	finding_add_number(out, "closed_late", (double)s->closed_late);
	finding_add_number(out, "max_age_s", (double)longest / NS_PER_SEC);
	finding_add_number(out, "most_at_once", (double)at_once);
	/* CLOSE_WAIT has no timer: only the application's close ends it. */
	out->holding = still > 0;
	if (still == 0 && at_once < c->min_at_once) {
		if (out->severity > SEVERITY_INFO)
			out->severity = SEVERITY_INFO;
		snprintf(out->summary, sizeof(out->summary),
			 "%.0f connection%s on %s stayed in CLOSE_WAIT %s or "
			 "more after the peer's FIN (longest %s), then closed: "
			 "a slow close, not a leak",
			 out->value, out->value == 1 ? "" : "s", out->subject,
			 min, dur);
		return;
	}
	snprintf(out->summary, sizeof(out->summary),
		 "%.0f connection%s on %s received the peer's FIN and did "
		 "not close for %s or more (longest %s); %llu still in "
		 "CLOSE_WAIT %s",
		 out->value, out->value == 1 ? "" : "s", out->subject,
		 min, dur, (unsigned long long)still,
		 s->past_age_now > 0 ? "now" : "at the end");
}

/*
 * A leak holds while an endpoint of it idles in CLOSE_WAIT past min_age,
 * or was still in it when its flow or the capture ended.
 */
static bool close_wait_ongoing(const struct det_group *g, int64_t now,
			       const struct detect_config *cfg)
{
	const struct close_wait_state *s = close_wait_of_const(g);

	(void)now;
	(void)cfg;
	return s->past_age_now > 0 || s->still_open > 0;
}

static bool close_wait_live_pending(const struct det_group *g)
{
	return close_wait_of_const(g)->past_age_now > 0;
}

/* ------------------------------------------------------------ merge */

static const struct det_reducer close_wait_reducers[] = {
	DET_REDUCE(struct close_wait_state, still_open, DET_SUM),
	DET_REDUCE(struct close_wait_state, closed_late, DET_SUM),
	DET_REDUCE(struct close_wait_state, max_age_ns, DET_MAX),
	DET_REDUCE(struct close_wait_state, past_age_now, DET_SUM),
	DET_REDUCE(struct close_wait_state, peak_at_once, DET_MAX),
	DET_REDUCE(struct close_wait_state, live_age_ns, DET_MAX),
};

static enum det_verdict close_wait_verdict(struct detectors *d,
					   const struct det_group *g)
{
	uint32_t min = close_wait_settings_of(&d->cfg)->min_connections;

	if (g->count >= min)
		return DET_FIRES;
	return g->count + close_wait_of_const(g)->past_age_now >= min
		? DET_FIRES_LIVE : DET_QUIET;
}

const struct detector_ops det_close_wait_ops = {
	.name = "close_wait_leak",
	.ids = {FINDING_CLOSE_WAIT_LEAK},
	.n_ids = 1,
	.settings = close_wait_rows,
	.n_settings = DET_ROWS(close_wait_rows),
	.tcp = true,
	.segments = SEG_CLOSE_WAIT,
	.on_segment = close_wait_on_segment,
	.on_flow_end = close_wait_on_flow_end,
	.end_needs_side = true,
	.sweep = close_wait_sweep,
	.describe = close_wait_describe,
	.ongoing = close_wait_ongoing,
	.live_pending = close_wait_live_pending,
	DET_REDUCERS(close_wait_reducers),
	.verdict = close_wait_verdict,
};
