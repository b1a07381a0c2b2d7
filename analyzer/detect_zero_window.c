/*
 * zero_window_stall groups by the receiver (host:port when it serves,
 * else host): count = stalls, a zero window advertised for min_duration
 * or more; its value is the longest, in seconds, as its threshold.
 */
#include "detect_internal.h"

#include <stdio.h>
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
				       uint64_t reopened_frame)
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
	group_add_flow(g, f);
	/* Where it closed, and where it opened again (0: it never did). */
	group_add_frame(g, e->zw_frame[r]);
	if (reopened_frame != 0)
		group_add_frame(g, reopened_frame);
	group_fire(d, g);
	return g;
}

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
	} else if (info->window != 0 && e != NULL && e->zw_since[s] != 0) {
		stall_counted(d, f, s, d->now - e->zw_since[s], e,
			      pkt->frame_no);
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
			 int64_t end, const struct det_flow_ext *e)
{
	struct det_group *g = stall_counted(d, f, r, end - e->zw_since[r], e, 0);

	if (g != NULL && f->end_reason == FLOW_END_CAPTURE_END)
		zero_window_of(g)->stalled_at_end++;
}

/* A stall still on at the end counts up to then. */
static void zero_window_on_flow_end(struct detectors *d, const struct flow *f,
				    struct det_flow *df)
{
	int64_t end = f->end_reason == FLOW_END_CAPTURE_END ? d->now : f->last_ts;
	const struct det_flow_ext *e;

	if (df == NULL || !det_enabled(d, FINDING_ZERO_WINDOW_STALL) ||
	    (e = det_ext_of(d, df)) == NULL)
		return;
	for (int r = 0; r < 2; r++)
		if (e->zw_since[r] != 0 && end > e->zw_since[r])
			stall_at_end(d, f, r, end, e);
}

/* ------------------------------------------------------------ describe */

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
	out->holding = s->stalled_at_end > 0;
	out->value = (double)((s->longest_ns + 500000) / 1000000) / 1e3;
	finding_add_number(out, "stalls", (double)g->count);
	finding_add_number(out, "longest_s",
			   (double)s->longest_ns / NS_PER_SEC);
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
	.describe = zero_window_describe,
	DET_REDUCERS(zero_window_reducers),
	.verdict = zero_window_verdict,
};
