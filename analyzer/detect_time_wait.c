/*
 * time_wait_accumulation groups by the host holding TIME_WAIT: count =
 * the most at once; counts = the client side's TIME_WAIT per destination
 * host:port (ports run out toward one destination).
 */
#include "detect_internal.h"

#include <stdio.h>
#include <string.h>

#include "addr_format.h"

/* Thresholds of time_wait_accumulation, in its cfg->unit[] block. */
struct time_wait_settings {
	uint32_t min_connections;
	uint32_t port_range_low, port_range_high;
	double port_share;
};

DET_SETTINGS_ACCESSORS(struct time_wait_settings,
		       FINDING_TIME_WAIT_ACCUMULATION, time_wait_settings_of);

/* Their rows in the configuration file (settings.h). */
static const struct setting time_wait_rows[] = {
	DET_SWITCHES("time_wait_accumulation", FINDING_TIME_WAIT_ACCUMULATION),
	{.section = "time_wait_accumulation", .key = "min_connections",
	 .type = SETTING_COUNT, .min = 1, .max = 1e9, .def = 20,
	 .offset = DET_SETTING_AT(FINDING_TIME_WAIT_ACCUMULATION,
				  struct time_wait_settings, min_connections),
	 .doc = "TIME_WAIT connections held at once by one host"},
	{.section = "time_wait_accumulation", .key = "port_range_low",
	 .type = SETTING_COUNT, .min = 1, .max = 65535, .def = 32768,
	 .offset = DET_SETTING_AT(FINDING_TIME_WAIT_ACCUMULATION,
				  struct time_wait_settings, port_range_low),
	 .not_above = "port_range_high",
	 .doc = "first ephemeral port (net.ipv4.ip_local_port_range)"},
	{.section = "time_wait_accumulation", .key = "port_range_high",
	 .type = SETTING_COUNT, .min = 1, .max = 65535, .def = 60999,
	 .offset = DET_SETTING_AT(FINDING_TIME_WAIT_ACCUMULATION,
				  struct time_wait_settings, port_range_high),
	 .doc = "last ephemeral port"},
	{.section = "time_wait_accumulation", .key = "port_share",
	 .type = SETTING_SHARE, .min = 0.001, .max = 1, .def = 0.5,
	 .offset = DET_SETTING_AT(FINDING_TIME_WAIT_ACCUMULATION,
				  struct time_wait_settings, port_share),
	 .doc = "share of the port range held toward one destination: warning"},
};

/* time_wait_accumulation's group state. */
struct time_wait_state {
	uint64_t held;          /* connections in TIME_WAIT now */
	/* Of those that left it, how many only because the capture ended. */
	uint64_t held_at_end;
	int64_t peak_ts;        /* when count (the most held) was reached */
	/* Entered as the passive side (the server closed first). */
	uint64_t as_server;
	uint64_t as_client;     /* entered as the active side */
	/*
	 * The destination (host:port) the client side held the most ports
	 * in TIME_WAIT toward, and how many at most (0: none yet).
	 */
	uint64_t top_dest_count;
	uint16_t top_dest_port;
	uint8_t top_dest_addr[16];
};

DET_GROUP_STATE_ACCESSORS(struct time_wait_state, time_wait_of,
			  time_wait_of_const);

/* ------------------------------------------------------------ counting */

/* The group of the host holding TIME_WAIT (made if make). */
static struct det_group *time_wait_group(struct detectors *d,
					 const struct flow *f, int holder,
					 bool make)
{
	const uint8_t *a = flow_addr(f, holder);
	struct det_group *g = group_memo_match(d, &d->tw_memo, f, a, NULL, 0);
	struct subject_key k;

	if (g != NULL)
		return g;
	subject_host(&k, FINDING_TIME_WAIT_ACCUMULATION, f, holder);
	g = make ? group_get(d, &k, d->now) : group_find(d, &k);
	if (g != NULL)
		group_memo_keep(&d->tw_memo, g, f, a, NULL, 0);
	return g;
}

/* ------------------------------------------------------------ time_wait */

/* A destination's key in a group's counts (host:port). */
static uint32_t dest_hash(const uint8_t addr[16], uint16_t port)
{
	uint8_t dest[18];

	memcpy(dest, addr, 16);
	dest[16] = (uint8_t)(port >> 8);
	dest[17] = (uint8_t)port;
	return hash_bytes(dest, sizeof(dest));
}

/* The destination a client's TIME_WAIT holds ports toward. */
static uint32_t time_wait_dest(const struct flow *f, int holder)
{
	return dest_hash(flow_addr(f, !holder), flow_port(f, !holder));
}

static void time_wait_enter(struct detectors *d, const struct flow *f,
			    int holder)
{
	const struct time_wait_settings *c = time_wait_settings_of(&d->cfg);
	struct det_group *g = time_wait_group(d, f, holder, true);
	struct time_wait_state *s;
	uint32_t toward;

	if (g == NULL)
		return;
	s = time_wait_of(g);
	s->held++;
	if (holder == FLOW_RESP)
		s->as_server++;
	else
		s->as_client++;
	if (s->held > g->count) {
		g->count = s->held;
		s->peak_ts = d->now;
	}
	if (g->n_flows < FINDING_MAX_FLOWS)
		group_add_flow(g, f);
	else
		g->flow_count++;
	/*
	 * Ports run out toward one destination on the connecting side
	 * only; a server's TIME_WAIT toward each client port is not.
	 */
	if (holder == FLOW_ORIG) {
		if (!count_map_add(&g->counts, time_wait_dest(f, holder), 1,
				   &toward))
			d->oom = true;
		if (toward > s->top_dest_count) {
			s->top_dest_count = toward;
			memcpy(s->top_dest_addr, flow_addr(f, !holder), 16);
			s->top_dest_port = flow_port(f, !holder);
		}
	}
	g->threshold = c->min_connections;
	if (s->held >= c->min_connections) {
		group_touch(g, d->now);
		group_fire(d, g);
	}
}

static void time_wait_leave(struct detectors *d, const struct flow *f,
			    int holder)
{
	struct det_group *g = time_wait_group(d, f, holder, false);

	if (g == NULL)
		return;
	if (time_wait_of(g)->held > 0)
		time_wait_of(g)->held--;
	if (f->end_reason == FLOW_END_CAPTURE_END)
		time_wait_of(g)->held_at_end++;
	if (holder == FLOW_ORIG)
		count_map_add(&g->counts, time_wait_dest(f, holder), -1, NULL);
}

/* ------------------------------------------------------------ hooks */

static void time_wait_on_segment(struct detectors *d,
				 const struct packet *pkt,
				 const struct flow *f,
				 const struct tcp_seg_info *info,
				 struct det_flow *df)
{
	(void)pkt;
	if ((info->state[0] == df->state[0] && info->state[1] == df->state[1]) ||
	    !det_enabled(d, FINDING_TIME_WAIT_ACCUMULATION))
		return;
	for (int dir = 0; dir < 2; dir++) {
		bool was = df->state[dir] == TCP_STATE_TIME_WAIT;
		bool is = info->state[dir] == TCP_STATE_TIME_WAIT;
		uint8_t bit = dir == FLOW_ORIG ? DM_TIME_WAIT_0 : DM_TIME_WAIT_1;

		if (!was && is) {
			time_wait_enter(d, f, dir);
			det_mark(d, bit);
		} else if (was && !is && det_marked(f, bit)) {
			time_wait_leave(d, f, dir);
			det_unmark(d, bit);
		}
	}
}

static void time_wait_on_flow_end(struct detectors *d, const struct flow *f,
				  struct det_flow *df)
{
	(void)df;
	if (det_marked(f, DM_TIME_WAIT_0))
		time_wait_leave(d, f, FLOW_ORIG);
	if (det_marked(f, DM_TIME_WAIT_1))
		time_wait_leave(d, f, FLOW_RESP);
}

/* ------------------------------------------------------------ describe */

/* Enough held in TIME_WAIT now, or when the capture ended. */
static bool time_wait_holding(const struct det_group *g,
			      const struct detect_config *cfg)
{
	const struct time_wait_state *s = time_wait_of_const(g);
	uint32_t min = time_wait_settings_of(cfg)->min_connections;

	return s->held >= min || s->held_at_end >= min;
}

static void time_wait_describe(const struct det_group *g, struct finding *out,
			       const struct detect_config *cfg)
{
	const struct time_wait_state *s = time_wait_of_const(g);
	bool dest = s->top_dest_count > 0;
	const uint32_t lo = time_wait_settings_of(cfg)->port_range_low;
	const uint32_t hi = time_wait_settings_of(cfg)->port_range_high;
	double range = hi >= lo ? (double)(hi - lo + 1) : 1;
	double share = (double)s->top_dest_count / range;
	bool server_side = s->as_server > s->as_client;
	uint64_t closed_first = server_side ? s->as_server : s->as_client;
	char dst[ADDR_FORMAT_ENDPOINT_LEN] = "", toward[ADDR_FORMAT_LEN + 80] = "";

	if (dest)
		addr_format_endpoint(g->key.family, s->top_dest_addr,
				     s->top_dest_port, dst, sizeof(dst));
	out->unit = "connections in TIME_WAIT at the peak";
	out->holding = time_wait_holding(g, cfg);
	finding_add_number(out, "as_server", (double)s->as_server);
	finding_add_number(out, "as_client", (double)s->as_client);
	finding_add_text(out, "closes_first", server_side ? "server" : "client");
	if (dest) {
		finding_add_text(out, "top_destination", dst);
		finding_add_number(out, "top_destination_count",
				   (double)s->top_dest_count);
		finding_add_number(out, "port_range_share", share);
	}
	/*
	 * Ports running out toward one destination break new connections;
	 * a server closing first (keep-alive timeouts, HTTP/1.0) costs it
	 * little, so that stays at the configured severity.
	 */
	if (!server_side && share >= time_wait_settings_of(cfg)->port_share &&
	    out->severity < SEVERITY_WARNING)
		out->severity = SEVERITY_WARNING;
	if (dest && !server_side)
		snprintf(toward, sizeof(toward),
			 "; at most %llu toward %s, %.1f%% of the ports %u-%u",
			 (unsigned long long)s->top_dest_count, dst,
			 100 * share, lo, hi);
	snprintf(out->summary, sizeof(out->summary),
		 "%s held %.0f connections in TIME_WAIT at once (threshold %.0f); "
		 "it closed first as the %s on %llu of %llu connections%s",
		 out->subject, out->value, out->threshold,
		 server_side ? "server" : "client",
		 (unsigned long long)closed_first,
		 (unsigned long long)(s->as_server + s->as_client), toward);
}

/* An accumulation holds while as many are held as made it a finding. */
static bool time_wait_ongoing(const struct det_group *g, int64_t now,
			      const struct detect_config *cfg)
{
	(void)now;
	return time_wait_holding(g, cfg);
}

/*
 * Flows name its groups only while they count in held (their DM_TIME_WAIT
 * marks): with none held, a group made again measures its peak from 0,
 * as this one would from now on.
 */
static bool time_wait_reclaimable(const struct det_group *g, int64_t now,
				  const struct detect_config *cfg)
{
	(void)now;
	(void)cfg;
	return time_wait_of_const(g)->held == 0;
}

/* ------------------------------------------------------------ merge */

static const struct det_reducer time_wait_reducers[] = {
	DET_REDUCE(struct time_wait_state, held, DET_SUM),
	DET_REDUCE(struct time_wait_state, held_at_end, DET_SUM),
	DET_REDUCE(struct time_wait_state, as_server, DET_SUM),
	DET_REDUCE(struct time_wait_state, as_client, DET_SUM),
};

/*
 * Held now sums (the sides held different connections); the most held
 * and the top destination are the larger of both sides' and of now's.
 */
static void time_wait_merge(struct detectors *d, struct det_group *into,
			    const struct det_group *from)
{
	struct time_wait_state *s = time_wait_of(into);
	const struct time_wait_state *o = time_wait_of_const(from);
	uint64_t top;

	(void)d;
	switch (det_merge_peak(into, from, s->held)) {
	case 1:
		s->peak_ts = o->peak_ts;
		break;
	case 2:
		s->peak_ts = into->last_ts;
		break;
	}
	if (o->top_dest_count > s->top_dest_count) {
		s->top_dest_count = o->top_dest_count;
		s->top_dest_port = o->top_dest_port;
		memcpy(s->top_dest_addr, o->top_dest_addr, 16);
	}
	top = count_map_get(&into->counts,
			    dest_hash(s->top_dest_addr, s->top_dest_port));
	if (s->top_dest_count != 0 && top > s->top_dest_count)
		s->top_dest_count = top;
}

static enum det_verdict time_wait_verdict(struct detectors *d,
					  const struct det_group *g)
{
	return g->count >= time_wait_settings_of(&d->cfg)->min_connections
		? DET_FIRES : DET_QUIET;
}

const struct detector_ops det_time_wait_ops = {
	.name = "time_wait_accumulation",
	.ids = {FINDING_TIME_WAIT_ACCUMULATION},
	.n_ids = 1,
	.settings = time_wait_rows,
	.n_settings = DET_ROWS(time_wait_rows),
	.tcp = true,
	.segments = SEG_TIME_WAIT,
	.on_segment = time_wait_on_segment,
	.on_flow_end = time_wait_on_flow_end,
	.describe = time_wait_describe,
	.ongoing = time_wait_ongoing,
	.reclaimable = time_wait_reclaimable,
	DET_REDUCERS(time_wait_reducers),
	.count_peaks = true,
	.merge = time_wait_merge,
	.verdict = time_wait_verdict,
};
