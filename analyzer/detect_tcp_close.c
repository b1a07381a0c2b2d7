/*
 * Detectors of how connections end: close_wait_leak,
 * time_wait_accumulation and short_connection_churn.
 *
 * close_wait_leak groups by the endpoint in CLOSE_WAIT (host:port when
 * it serves, else host): count = connections past min_age.
 * time_wait_accumulation groups by the host holding TIME_WAIT: count =
 * the most at once; counts = the client side's TIME_WAIT per
 * destination host:port.
 * short_connection_churn groups by server host:port and client host,
 * from the tenth short connection between them on (the detectors'
 * churn_seen counts until then; the group starts with them, their
 * durations taken as the tenth's): ring = short connections by start,
 * count = the most in the window.
 * What else each one counts is in its group state below.
 */
#include "detect_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr_format.h"

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
};

DET_GROUP_STATE_ACCESSORS(struct close_wait_state, close_wait_of,
			  close_wait_of_const);

/* time_wait_accumulation's group state. */
struct time_wait_state {
	uint64_t held;          /* connections in TIME_WAIT now */
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

/* short_connection_churn's group state. */
struct churn_state {
	uint64_t connections;   /* short connections in all */
	int64_t total_ns;       /* their total duration */
};

DET_GROUP_STATE_ACCESSORS(struct churn_state, churn_of, churn_of_const);

/* ------------------------------------------------------------ close_wait */

DET_COLD
static void close_wait_counted(struct detectors *d, const struct flow *f,
			       const struct det_flow_ext *e, int dir, int64_t age,
			       bool still)
{
	const struct detect_config *c = &d->cfg;
	struct subject_key k;
	struct det_group *g;
	struct close_wait_state *s;

	if (age < c->close_wait_leak.min_age_ns)
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
	g->threshold = c->close_wait_leak.min_connections;
	group_touch(g, d->now - age);
	group_touch(g, d->now);
	group_add_flow(g, f);
	group_add_frame(g, e->cw_frame);
	if (g->count >= c->close_wait_leak.min_connections)
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

/* An entry whose endpoint has idled min_age: its group counts it now. */
DET_COLD
static void watch_past_age(struct detectors *d, struct close_wait_watch *w)
{
	const struct flow *f = det_flow_owner(w->df);
	const struct detect_config *c = &d->cfg;
	struct subject_key k;
	struct det_group *g;

	subject_of_side(&k, FINDING_CLOSE_WAIT_LEAK, f, w->df->cw_dir);
	g = group_get(d, &k, d->now);
	if (g == NULL)
		return;
	w->group = g->number + 1;
	close_wait_of(g)->past_age_now++;
	g->threshold = c->close_wait_leak.min_connections;
	if (g->count + close_wait_of(g)->past_age_now >=
	    c->close_wait_leak.min_connections)
		group_fire_live(d, g);
}

/*
 * Every tick: the endpoints idle in CLOSE_WAIT for min_age count toward
 * a leak while they still are, so a live capture sees it without waiting
 * for the connections to end.  Entries are judged in the order they
 * came, each once.
 */
static void close_sweep(struct detectors *d)
{
	int64_t min_age = d->cfg.close_wait_leak.min_age_ns;

	while (d->cw_judged < d->cw_len) {
		struct close_wait_watch *w = &d->cw_watch[d->cw_judged];

		if (w->df != NULL && d->now - w->since < min_age)
			break;
		if (w->df != NULL)
			watch_past_age(d, w);
		d->cw_judged++;
	}
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
					   false);
			watch_stop(d, e);
			e->cw_since = 0;
			det_unmark(d, DM_CLOSE_WAIT);
			det_ext_settle(d, df);
		}
	}
}

/* ------------------------------------------------------------ memos */

/* m's group if it is for host a (and b:port, when b is given). */
static struct det_group *memo_match(struct detectors *d,
				    const struct group_memo *m,
				    const struct flow *f, const uint8_t *a,
				    const uint8_t *b, uint16_t port)
{
	if (m->number == 0 || m->family != f->key.family || m->port != port ||
	    memcmp(m->addr, a, 16) != 0 ||
	    (b != NULL && memcmp(m->addr2, b, 16) != 0))
		return NULL;
	return group_by_number(d, m->number - 1);
}

static void memo_keep(struct group_memo *m, const struct det_group *g,
		      const struct flow *f, const uint8_t *a, const uint8_t *b,
		      uint16_t port)
{
	m->number = g->number + 1;
	m->family = f->key.family;
	m->port = port;
	memcpy(m->addr, a, 16);
	if (b != NULL)
		memcpy(m->addr2, b, 16);
}

/* The group of the host holding TIME_WAIT (made if make). */
static struct det_group *time_wait_group(struct detectors *d,
					 const struct flow *f, int holder,
					 bool make)
{
	const uint8_t *a = flow_addr(f, holder);
	struct det_group *g = memo_match(d, &d->tw_memo, f, a, NULL, 0);
	struct subject_key k;

	if (g != NULL)
		return g;
	subject_host(&k, FINDING_TIME_WAIT_ACCUMULATION, f, holder);
	g = make ? group_get(d, &k, d->now) : group_find(d, &k);
	if (g != NULL)
		memo_keep(&d->tw_memo, g, f, a, NULL, 0);
	return g;
}

/* ------------------------------------------------------------ time_wait */

/* The destination a client's TIME_WAIT holds ports toward (host:port). */
static uint32_t time_wait_dest(const struct flow *f, int holder)
{
	uint8_t dest[18];

	memcpy(dest, flow_addr(f, !holder), 16);
	dest[16] = (uint8_t)(flow_port(f, !holder) >> 8);
	dest[17] = (uint8_t)flow_port(f, !holder);
	return hash_bytes(dest, sizeof(dest));
}

static void time_wait_enter(struct detectors *d, const struct flow *f,
			    int holder)
{
	const struct detect_config *c = &d->cfg;
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
	g->threshold = c->time_wait_accumulation.min_connections;
	if (s->held >= c->time_wait_accumulation.min_connections) {
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
	if (holder == FLOW_ORIG)
		count_map_add(&g->counts, time_wait_dest(f, holder), -1, NULL);
}

/* ------------------------------------------------------------ churn */

#define CHURN_GROUP_AFTER 10

/* A whole connection, handshake to close. */
static bool churn_whole(const struct flow *f)
{
	int initiator;

	/* Most: known from the marks, the tracker's state being cold now. */
	if (f->sink_mark & DM_OPENED)
		return (f->sink_mark & DM_CLOSED) ||
		       f->end_reason == FLOW_END_IDLE;
	return tcp_conn_saw_handshake_ack(f) && !tcp_conn_midstream(f) &&
	       tcp_conn_close(f, &initiator) != TCP_CLOSE_OPEN;
}

static void churn_flow_end(struct detectors *d, const struct flow *f)
{
	const struct detect_config *c = &d->cfg;
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
	if (dur > c->short_connection_churn.max_duration_ns || !churn_whole(f))
		return;
	n = 1;
	g = memo_match(d, &d->churn_memo, f, server, client, port);
	if (g == NULL) {
		subject_endpoint(&k, FINDING_SHORT_CONNECTION_CHURN, f,
				 FLOW_RESP);
		subject_add_party(&k, f, FLOW_ORIG);
		/* A group from the tenth connection on, seeded with them all. */
		g = group_earned(d, &d->churn_seen, &k, CHURN_GROUP_AFTER,
				 f->first_ts, &n);
		if (g == NULL)
			return;
		memo_keep(&d->churn_memo, g, f, server, client, port);
	}
	s = churn_of(g);
	s->connections += n;
	s->total_ns += dur * (int64_t)n;
	sum = rate_add(&g->ring, f->first_ts,
		       c->short_connection_churn.window_ns, n);
	if (sum > g->count)
		g->count = sum;
	g->threshold = c->short_connection_churn.min_connections;
	if (g->n_flows < FINDING_MAX_FLOWS)
		group_add_flow(g, f);
	else
		g->flow_count++;
	if (sum >= c->short_connection_churn.min_connections) {
		group_touch(g, f->first_ts);
		group_touch(g, f->last_ts);
		group_fire(d, g);
	} else if (g->finding >= 0) {
		group_touch(g, f->last_ts);
	}
}

/* ------------------------------------------------------------ hooks */

static void close_on_segment(struct detectors *d, const struct packet *pkt,
			     const struct flow *f, const struct tcp_seg_info *info,
			     struct det_flow *df)
{
	struct det_flow_ext *e;
	int initiator;

	/* Once closed, a connection stays closed (tcp_conn_close). */
	if ((pkt->tcp.flags & (TCP_FLAG_FIN | TCP_FLAG_RST)) &&
	    !(f->sink_mark & DM_CLOSED) &&
	    tcp_conn_close(f, &initiator) != TCP_CLOSE_OPEN)
		det_mark(d, DM_CLOSED);
	/*
	 * An endpoint still sending after the peer's FIN is a half-close
	 * at work (shutdown(SHUT_WR) on the other side), not a leak: only
	 * its idle time in CLOSE_WAIT counts.
	 */
	if ((f->sink_mark & DM_CLOSE_WAIT) && info->dir == df->cw_dir &&
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
	if (!det_enabled(d, FINDING_TIME_WAIT_ACCUMULATION))
		return;
	for (int dir = 0; dir < 2; dir++) {
		bool was = df->state[dir] == TCP_STATE_TIME_WAIT;
		bool is = info->state[dir] == TCP_STATE_TIME_WAIT;

		uint8_t bit = dir == FLOW_ORIG ? DM_TIME_WAIT_0 : DM_TIME_WAIT_1;

		if (!was && is) {
			time_wait_enter(d, f, dir);
			det_mark(d, bit);
		} else if (was && !is && (f->sink_mark & bit)) {
			time_wait_leave(d, f, dir);
			det_unmark(d, bit);
		}
	}
}

static void close_on_flow_end(struct detectors *d, const struct flow *f,
			      struct det_flow *df)
{
	struct det_flow_ext *e = df != NULL ? det_ext_of(d, df) : NULL;

	if (e != NULL && det_enabled(d, FINDING_CLOSE_WAIT_LEAK) &&
	    e->cw_since != 0 && df->cw_dir < 2 &&
	    tcp_conn_state(f, df->cw_dir) == TCP_STATE_CLOSE_WAIT)
		close_wait_counted(d, f, e, df->cw_dir, d->now - e->cw_since,
				   true);
	if (e != NULL)
		watch_stop(d, e);
	if (f->sink_mark & DM_TIME_WAIT_0)
		time_wait_leave(d, f, FLOW_ORIG);
	if (f->sink_mark & DM_TIME_WAIT_1)
		time_wait_leave(d, f, FLOW_RESP);
	if (det_enabled(d, FINDING_SHORT_CONNECTION_CHURN))
		churn_flow_end(d, f);
}

/* ------------------------------------------------------------ describe */

static void format_key_endpoint(const struct subject_key *k, const uint8_t *a,
				uint16_t port, bool with_port, char *out,
				size_t outlen)
{
	if (with_port)
		addr_format_endpoint(k->family, a, port, out, outlen);
	else
		addr_format(k->family, a, out, outlen);
}

static void describe_time_wait(const struct det_group *g, struct finding *out,
			       const struct detect_config *cfg)
{
	const struct time_wait_state *s = time_wait_of_const(g);
	bool dest = s->top_dest_count > 0;
	const uint32_t lo = cfg->time_wait_accumulation.port_range_low;
	const uint32_t hi = cfg->time_wait_accumulation.port_range_high;
	double range = hi >= lo ? (double)(hi - lo + 1) : 1;
	double share = (double)s->top_dest_count / range;
	bool server_side = s->as_server > s->as_client;
	uint64_t closed_first = server_side ? s->as_server : s->as_client;
	char dst[ADDR_FORMAT_ENDPOINT_LEN] = "", toward[ADDR_FORMAT_LEN + 80] = "";

	if (dest)
		format_key_endpoint(&g->key, s->top_dest_addr, s->top_dest_port,
				    true, dst, sizeof(dst));
	out->unit = "connections in TIME_WAIT at the peak";
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
	if (!server_side && share >= cfg->time_wait_accumulation.port_share &&
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

static void describe_close_wait(const struct det_group *g,
				struct finding *out,
				const struct detect_config *cfg)
{
	const struct close_wait_state *s = close_wait_of_const(g);
	/* Live, those past min_age now are still in CLOSE_WAIT too. */
	uint64_t still = s->still_open + s->past_age_now;
	char dur[24], min[24];

	format_duration(s->max_age_ns, dur, sizeof(dur));
	format_duration(cfg->close_wait_leak.min_age_ns, min, sizeof(min));
	out->unit = "connections";
	out->value = (double)(g->count + s->past_age_now);
	finding_add_number(out, "still_in_close_wait", (double)still);
	finding_add_number(out, "closed_late", (double)s->closed_late);
	finding_add_number(out, "max_age_s",
			   (double)s->max_age_ns / NS_PER_SEC);
	snprintf(out->summary, sizeof(out->summary),
		 "%.0f connection%s on %s received the peer's FIN and did "
		 "not close for %s or more (longest %s); %llu still in "
		 "CLOSE_WAIT %s",
		 out->value, out->value == 1 ? "" : "s", out->subject,
		 min, dur, (unsigned long long)still,
		 s->past_age_now > 0 ? "now" : "at the end");
}

static void describe_churn(const struct det_group *g, struct finding *out,
			   const struct detect_config *cfg)
{
	const struct churn_state *s = churn_of_const(g);
	char dur[24], win[24], peer[ADDR_FORMAT_ENDPOINT_LEN];
	double avg = s->connections
		? (double)s->total_ns / (double)s->connections : 0;

	format_duration(cfg->short_connection_churn.window_ns, win,
			sizeof(win));
	format_duration((int64_t)avg, dur, sizeof(dur));
	format_key_endpoint(&g->key, g->key.addr2, 0, false, peer,
			    sizeof(peer));
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

static void close_describe(const struct det_group *g, struct finding *out,
			   const struct detect_config *cfg)
{
	switch (g->key.id) {
	case FINDING_CLOSE_WAIT_LEAK:
		describe_close_wait(g, out, cfg);
		break;
	case FINDING_TIME_WAIT_ACCUMULATION:
		describe_time_wait(g, out, cfg);
		break;
	case FINDING_SHORT_CONNECTION_CHURN:
		describe_churn(g, out, cfg);
		break;
	default:
		break;
	}
}

/*
 * A leak holds while an endpoint of it idles in CLOSE_WAIT past min_age,
 * an accumulation while as many are in TIME_WAIT as made it a finding,
 * churn while short connections keep coming.
 */
static bool close_ongoing(const struct det_group *g, int64_t now,
			  const struct detect_config *cfg)
{
	switch (g->key.id) {
	case FINDING_CLOSE_WAIT_LEAK:
		return close_wait_of_const(g)->past_age_now > 0;
	case FINDING_TIME_WAIT_ACCUMULATION:
		return time_wait_of_const(g)->held >=
		       cfg->time_wait_accumulation.min_connections;
	default:
		return !det_quiet_since(
			g, now, cfg->short_connection_churn.window_ns);
	}
}

static bool close_live_pending(const struct det_group *g)
{
	return g->key.id == FINDING_CLOSE_WAIT_LEAK &&
	       close_wait_of_const(g)->past_age_now > 0;
}

const struct detector_ops det_close_ops = {
	.name = "connection close",
	.ids = {FINDING_TIME_WAIT_ACCUMULATION, FINDING_CLOSE_WAIT_LEAK,
		FINDING_SHORT_CONNECTION_CHURN},
	.n_ids = 3,
	.tcp = true,
	.on_segment = close_on_segment,
	.on_flow_end = close_on_flow_end,
	.sweep = close_sweep,
	.describe = close_describe,
	.ongoing = close_ongoing,
	.live_pending = close_live_pending,
};
