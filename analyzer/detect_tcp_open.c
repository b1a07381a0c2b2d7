/*
 * Detectors of connection attempts: syn_flood, syn_unanswered,
 * connection_refused and port_scan.
 *
 * syn_flood groups by listener (host:port), made once an attempt to it
 * is half-open: ring = half-open attempts by the time they began; count
 * = the most in the window; counts = the sources of those half-open now;
 * set = the sources of attempts that never completed.
 * syn_unanswered groups by destination host:port: count = connections;
 * times = one connection's SYNs.
 * connection_refused groups by destination host:port: count = refused
 * attempts; set = their sources.
 * port_scan groups by source host: counts = targets of failed attempts
 * in the sliding window (fifo holds those attempts); ring = successful
 * attempts in the window, each taken as one target more; count = the
 * most targets at once.
 * What else each one counts is in its group state below.
 */
#include "detect_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* syn_flood's group state. */
struct syn_flood_state {
	/* Half-open attempts the listener answered (its queue filled). */
	uint64_t answered_half_open;
	/* Counted as each half-open attempt ends (flood_flow_end): */
	uint64_t synack_retransmissions; /* the listener's, toward it */
	uint64_t never_answered;        /* no SYN-ACK came */
	/* Answered once and never retried: a SYN cookie's signature. */
	uint64_t never_retried;
	uint64_t answered;              /* a SYN-ACK came */
};

DET_GROUP_STATE_ACCESSORS(struct syn_flood_state, syn_flood_of,
			  syn_flood_of_const);

/* syn_unanswered's group state. */
struct syn_unanswered_state {
	uint64_t syn_retransmissions;   /* in all its connections */
	/*
	 * Attempts retried min_retries times with no answer, still live
	 * (DF_SYN_WAITING), and their retries so far: counted when they
	 * end, or dropped if an answer comes.
	 */
	uint64_t waiting_now;
	uint64_t waiting_retries;
};

DET_GROUP_STATE_ACCESSORS(struct syn_unanswered_state, syn_unanswered_of,
			  syn_unanswered_of_const);

/* connection_refused's group state. */
struct refused_state {
	uint64_t sources;       /* distinct ones */
};

DET_GROUP_STATE_ACCESSORS(struct refused_state, refused_of,
			  refused_of_const);

/* port_scan's group state. */
struct port_scan_state {
	int64_t queue_base;     /* the time its queued attempts count from */
	uint64_t failed;        /* failed attempts queued in the window */
	uint64_t peak_attempts; /* attempts in the window when count peaked */
	uint64_t peak_failed;   /* of them, refused or unanswered */
};

DET_GROUP_STATE_ACCESSORS(struct port_scan_state, port_scan_of,
			  port_scan_of_const);

static bool is_syn(const struct packet *pkt)
{
	return (pkt->tcp.flags & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST)) ==
	       TCP_FLAG_SYN;
}

static bool is_synack(const struct packet *pkt)
{
	return (pkt->tcp.flags & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST)) ==
	       (TCP_FLAG_SYN | TCP_FLAG_ACK);
}

static uint32_t addr_hash(const struct flow *f, int dir)
{
	return hash_bytes(flow_addr(f, dir), 16);
}

/* ------------------------------------------------------------ syn_flood */

/* The listener f tried. */
static struct det_group *flood_group(struct detectors *d, const struct flow *f,
				     bool make)
{
	struct subject_key k;

	subject_endpoint(&k, FINDING_SYN_FLOOD, f, FLOW_RESP);
	return make ? group_get(d, &k, d->now) : group_find(d, &k);
}

/*
 * An attempt is half-open once it has gone a second without completing:
 * Linux's initial RTO, after which its SYN or SYN-ACK would be sent
 * again.  Younger ones are only in flight, however many a busy listener
 * has, and so are those the capture cut short.
 */
#define HALF_OPEN_AFTER_NS NS_PER_SEC

/* A flood: the listener answers (its queue fills) or many sources send. */
static bool flood_fires(const struct detect_config *c, const struct det_group *g,
			uint64_t sum)
{
	return sum >= c->syn_flood.min_half_open &&
	       (syn_flood_of_const(g)->answered_half_open > 0 ||
		g->counts.live >= c->syn_flood.min_sources ||
		g->set.count >= c->syn_flood.min_sources);
}

DET_COLD
static void flood_count(struct detectors *d, struct det_flow *df,
			int64_t began)
{
	const struct detect_config *c = &d->cfg;
	const struct flow *f = det_flow_owner(df);
	struct det_group *g = flood_group(d, f, true);
	uint64_t sum;

	df->flags = (uint16_t)((df->flags & ~DF_SYN_PENDING) |
			       DF_SYN_FLOOD_COUNTED);
	if (g == NULL)
		return;
	if (!count_map_add(&g->counts, addr_hash(f, FLOW_ORIG), 1, NULL))
		d->oom = true;
	if (df->flags & DF_SYNACK_SEEN)
		syn_flood_of(g)->answered_half_open++;
	sum = rate_add(&g->ring, began, c->syn_flood.window_ns, 1);
	g->threshold = c->syn_flood.min_half_open;
	if (sum > g->count)
		g->count = sum;
	if (g->finding >= 0 || flood_fires(c, g, sum)) {
		group_touch(g, began);
		group_touch(g, d->now);
		group_fire(d, g);
	}
}

/* Judges the attempts that have waited a second. */
static void open_tick(struct detectors *d)
{
	int64_t cut = d->now - HALF_OPEN_AFTER_NS - d->pending_base;

	while (d->pending_len > 0) {
		struct pending_attempt e = d->pending[d->pending_head];
		struct det_flow *df = e.df;
		uint32_t ms = e.ms;

		if (df != NULL && (int64_t)ms * NS_PER_MS > cut)
			break;
		d->pending_head = (d->pending_head + 1) % d->pending_cap;
		d->pending_len--;
		d->pending_seq++;
		if (df == NULL)
			continue;
		/* A live entry's flow is live: its end cancels the entry. */
		if (df->flags & DF_SYN_PENDING)
			flood_count(d, df,
				    d->pending_base + (int64_t)ms * NS_PER_MS);
	}
}

/* The attempt is settled: its entry will be skipped untouched. */
static void pending_cancel(struct detectors *d, struct det_flow *df)
{
	uint32_t off = df->syn_check - d->pending_seq;

	if ((df->flags & DF_SYN_PENDING) && off < d->pending_len)
		d->pending[(d->pending_head + off) % d->pending_cap].df = NULL;
}

/* False when no memory was left; the attempt is judged when it ends. */
static bool pending_push(struct detectors *d, struct pending_attempt e)
{
	if (d->pending_len == d->pending_cap) {
		size_t cap = d->pending_cap ? d->pending_cap * 2 : 256;
		struct pending_attempt *p = malloc(cap * sizeof(*p));

		if (p == NULL)
			return false;
		for (size_t i = 0; i < d->pending_len; i++)
			p[i] = d->pending[(d->pending_head + i) % d->pending_cap];
		free(d->pending);
		d->pending = p;
		d->pending_cap = cap;
		d->pending_head = 0;
	}
	d->pending[(d->pending_head + d->pending_len) % d->pending_cap] = e;
	d->pending_len++;
	return true;
}

static void flood_attempt(struct detectors *d, const struct flow *f,
			  struct det_flow *df)
{
	int64_t rel;

	open_tick(d);
	if (d->pending_len == 0)
		d->pending_base = f->first_ts;
	rel = (f->first_ts - d->pending_base) / NS_PER_MS;
	if (rel < 0)
		rel = 0;
	if (rel > UINT32_MAX) {
		/* 49 days on: what waits is long judged; start again. */
		d->pending_seq += (uint32_t)d->pending_len;
		d->pending_len = 0;
		d->pending_base = f->first_ts;
		rel = 0;
	}
	/* Without room in the queue it is judged when it ends. */
	det_mark(d, DM_SYN);
	df->flags |= DF_SYN_PENDING;
	df->syn_check = d->pending_seq + (uint32_t)d->pending_len;
	if (!pending_push(d, (struct pending_attempt){df, (uint32_t)rel}))
		df->syn_check = d->pending_seq - 1;     /* matches no entry */
}

/* The attempt completed (or was refused): it is not half-open. */
static void flood_resolved(struct detectors *d, const struct flow *f,
			   struct det_flow *df)
{
	struct det_group *g;

	if (df->flags & DF_SYN_FLOOD_COUNTED) {
		g = flood_group(d, f, false);
		if (g != NULL) {
			rate_sub(&g->ring, f->first_ts,
				 d->cfg.syn_flood.window_ns, 1);
			count_map_add(&g->counts, addr_hash(f, FLOW_ORIG), -1,
				      NULL);
		}
	}
	pending_cancel(d, df);
	df->flags &= (uint16_t)~(DF_SYN_FLOOD_COUNTED | DF_SYN_PENDING);
	det_unmark(d, DM_SYN);
}

DET_COLD
static void flood_flow_end(struct detectors *d, const struct flow *f,
			   struct det_flow *df)
{
	struct det_group *g;
	struct syn_flood_state *s;

	/* Never completed, and old enough to be more than in flight. */
	pending_cancel(d, df);
	if ((df->flags & DF_SYN_PENDING) &&
	    d->now - f->first_ts >= HALF_OPEN_AFTER_NS)
		flood_count(d, df, f->first_ts);
	if (!(df->flags & DF_SYN_FLOOD_COUNTED))
		return;
	g = flood_group(d, f, false);
	if (g == NULL)
		return;
	s = syn_flood_of(g);
	/* Sources of attempts that never completed, as reported. */
	hash_set_add(&g->set, addr_hash(f, FLOW_ORIG), &d->oom);
	if (df->flags & DF_SYNACK_RETRIED)
		s->synack_retransmissions +=
			tcp_conn_retrans_segs(f, FLOW_RESP);
	if (!tcp_conn_saw_synack(f))
		s->never_answered++;
	else if (!(df->flags & DF_SYNACK_RETRIED))
		s->never_retried++;
	if (tcp_conn_saw_synack(f))
		s->answered++;
	group_touch(g, f->last_ts);
	group_add_flow(g, f);
	group_add_frame(g, f->first_frame);
	/* Sources can only add up now: check again. */
	if (g->finding < 0 && flood_fires(&d->cfg, g, g->count))
		group_fire(d, g);
}

/* ------------------------------------------------------------ syn_unanswered */

static struct det_group *unanswered_group(struct detectors *d,
					  const struct flow *f, bool make)
{
	struct subject_key k;

	subject_endpoint(&k, FINDING_SYN_UNANSWERED, f, FLOW_RESP);
	return make ? group_get(d, &k, d->now) : group_find(d, &k);
}

/* Keeps one connection's SYN times for the evidence. */
DET_COLD
static void unanswered_waiting(struct detectors *d, const struct flow *f,
			       struct det_flow *df, struct det_group *g);

static void unanswered_retry(struct detectors *d, const struct packet *pkt,
			     const struct flow *f,
			     const struct tcp_seg_info *info,
			     struct det_flow *df)
{
	struct det_group *g = unanswered_group(d, f, true);
	uint64_t uid;

	if (g == NULL)
		return;
	uid = flow_uid(f);
	if (g->n_times == 0) {
		g->times_uid = uid;
		g->times[g->n_times++] = f->first_ts;
	}
	if (g->times_uid == uid && g->n_times < 8) {
		g->times[g->n_times++] = d->now;
		group_add_packet(g, pkt, f, info);
	}
	unanswered_waiting(d, f, df, g);
}

DET_COLD
/*
 * The attempt has been retried min_retries times and nothing came back:
 * it counts now, so a live capture need not wait for the flow's end.
 */
static void unanswered_waiting(struct detectors *d, const struct flow *f,
			       struct det_flow *df, struct det_group *g)
{
	struct syn_unanswered_state *s = syn_unanswered_of(g);

	if (df->flags & DF_SYN_WAITING) {
		s->waiting_retries++;
		return;
	}
	if (df->syn_retries < d->cfg.syn_unanswered.min_retries ||
	    !tcp_conn_saw_syn(f, FLOW_ORIG) || tcp_conn_midstream(f))
		return;
	df->flags |= DF_SYN_WAITING;
	s->waiting_now++;
	s->waiting_retries += df->syn_retries;
	g->threshold = 1;
	group_fire_live(d, g);
}

/* A waiting attempt was answered, or ended: it no longer counts live. */
static void unanswered_settled(struct detectors *d, const struct flow *f,
			       struct det_flow *df)
{
	struct det_group *g = unanswered_group(d, f, false);
	struct syn_unanswered_state *s;

	df->flags &= (uint16_t)~DF_SYN_WAITING;
	if (g == NULL)
		return;
	s = syn_unanswered_of(g);
	s->waiting_now--;
	s->waiting_retries -= df->syn_retries;
}

static void unanswered_flow_end(struct detectors *d, const struct flow *f,
				struct det_flow *df)
{
	const struct detect_config *c = &d->cfg;
	bool unanswered = f->dir[FLOW_RESP].pkts == 0 &&
			  tcp_conn_saw_syn(f, FLOW_ORIG) &&
			  !tcp_conn_midstream(f) &&
			  df->syn_retries >= c->syn_unanswered.min_retries;
	struct det_group *g;

	if (df->flags & DF_SYN_WAITING)
		unanswered_settled(d, f, df);
	if (df->syn_retries == 0)
		return;
	g = unanswered_group(d, f, unanswered);
	if (g == NULL)
		return;
	if (!unanswered) {
		/* Answered after all: its retry times are no evidence. */
		if (g->times_uid == flow_uid(f)) {
			g->n_times = 0;
			g->n_packets = 0;
			g->n_frames = 0;
		}
		return;
	}
	g->count++;
	syn_unanswered_of(g)->syn_retransmissions += df->syn_retries;
	g->threshold = 1;
	group_note_party(g, flow_addr(f, FLOW_ORIG));
	group_touch(g, f->first_ts);
	group_touch(g, f->last_ts);
	group_add_flow(g, f);
	group_fire(d, g);
}

/* ------------------------------------------------------------ refused */

DET_COLD
static void refused(struct detectors *d, const struct packet *pkt,
		    const struct flow *f, const struct tcp_seg_info *info)
{
	const struct detect_config *c = &d->cfg;
	struct subject_key k;
	struct det_group *g;

	subject_endpoint(&k, FINDING_CONNECTION_REFUSED, f, FLOW_RESP);
	g = group_get(d, &k, d->now);
	if (g == NULL)
		return;
	g->count++;
	if (hash_set_add(&g->set, addr_hash(f, FLOW_ORIG), &d->oom))
		refused_of(g)->sources++;
	group_note_party(g, flow_addr(f, FLOW_ORIG));
	g->threshold = c->connection_refused.min_attempts;
	group_touch(g, d->now);
	group_add_flow(g, f);
	group_add_packet(g, pkt, f, info);
	if (g->count >= c->connection_refused.min_attempts)
		group_fire(d, g);
}

/* ------------------------------------------------------------ port_scan */

/*
 * Distinct targets of failed attempts in a sliding window: each is
 * queued with its target and time; a target counts while an attempt on
 * it is in the window.  Entries: target hash << 32 | ms since the
 * state's queue_base << 1 | 1.
 */
#define SCAN_QUEUE_MAX (1u << 20)

static void scan_pop(struct det_group *g)
{
	uint64_t e = g->fifo[g->fifo_head];

	g->fifo_head = (g->fifo_head + 1) % g->fifo_cap;
	g->fifo_len--;
	count_map_add(&g->counts, (uint32_t)(e >> 32), -1, NULL);
	port_scan_of(g)->failed--;
}

static void scan_expire(struct det_group *g, int64_t now, int64_t window)
{
	int64_t base = port_scan_of(g)->queue_base;

	while (g->fifo_len > 0) {
		uint64_t e = g->fifo[g->fifo_head];
		int64_t t = base + (int64_t)((e >> 1) & 0x7fffffff) * NS_PER_MS;

		if (t > now - window)
			break;
		scan_pop(g);
	}
}

/* False when no memory was left. */
static bool scan_push(struct det_group *g, uint64_t e)
{
	if (g->fifo_len == SCAN_QUEUE_MAX)
		scan_pop(g);    /* a million attempts in the window: enough */
	if (g->fifo_len == g->fifo_cap) {
		uint32_t cap = g->fifo_cap ? g->fifo_cap * 2 : 16;
		uint64_t *p = malloc(cap * sizeof(*p));

		if (p == NULL)
			return false;
		for (uint32_t i = 0; i < g->fifo_len; i++)
			p[i] = g->fifo[(g->fifo_head + i) % g->fifo_cap];
		free(g->fifo);
		g->fifo = p;
		g->fifo_cap = cap;
		g->fifo_head = 0;
	}
	g->fifo[(g->fifo_head + g->fifo_len) % g->fifo_cap] = e;
	g->fifo_len++;
	return true;
}

static void scan_attempt(struct detectors *d, const struct flow *f,
			 bool failed)
{
	const struct detect_config *c = &d->cfg;
	uint32_t bit = addr_hash(f, FLOW_ORIG) % (64 * 1024);
	struct subject_key k;
	struct det_group *g;
	struct port_scan_state *s;
	uint8_t target[18];
	uint64_t ok, targets, attempts;
	uint32_t h;
	int64_t ms;

	/* Only sources that fail get a group: success alone is no scan. */
	if (!failed && !(d->scan_sources[bit / 64] & 1ull << (bit % 64)))
		return;
	subject_host(&k, FINDING_PORT_SCAN, f, FLOW_ORIG);
	g = failed ? group_get(d, &k, f->first_ts) : group_find(d, &k);
	if (g == NULL)
		return;
	s = port_scan_of(g);
	d->scan_sources[bit / 64] |= 1ull << (bit % 64);
	/*
	 * Successes are only counted (a scanner finds few open ports, and
	 * a busy client of one service would otherwise queue them all);
	 * each is taken as a target of its own.
	 */
	ok = rate_add(&g->ring, f->first_ts, c->port_scan.window_ns,
		      failed ? 0 : 1);
	if (!failed)
		return;
	scan_expire(g, f->first_ts, c->port_scan.window_ns);
	if (g->fifo_len == 0)
		s->queue_base = f->first_ts;
	ms = (f->first_ts - s->queue_base) / NS_PER_MS;
	if (ms < 0)
		ms = 0;
	if (ms > 0x7fffffff) {
		/* 24 days on: everything queued is out of any window. */
		while (g->fifo_len > 0)
			scan_pop(g);
		s->queue_base = f->first_ts;
		ms = 0;
	}
	memcpy(target, flow_addr(f, FLOW_RESP), 16);
	target[16] = (uint8_t)(flow_port(f, FLOW_RESP) >> 8);
	target[17] = (uint8_t)flow_port(f, FLOW_RESP);
	h = hash_bytes(target, sizeof(target));
	if (!scan_push(g, (uint64_t)h << 32 | (uint64_t)ms << 1 | 1) ||
	    !count_map_add(&g->counts, h, 1, NULL)) {
		d->oom = true;
		return;
	}
	s->failed++;
	targets = g->counts.live + ok;
	attempts = s->failed + ok;
	if (targets > g->count) {
		g->count = targets;
		s->peak_attempts = attempts;
		s->peak_failed = s->failed;
	}
	g->threshold = c->port_scan.min_targets;
	if (targets >= c->port_scan.min_targets &&
	    (double)s->failed >=
		    c->port_scan.min_failed_share * (double)attempts) {
		group_touch(g, f->first_ts);
		group_touch(g, f->last_ts);
		if (g->n_flows < FINDING_MAX_FLOWS)
			group_add_flow(g, f);
		else
			g->flow_count++;
		group_fire(d, g);
	}
}

/* ------------------------------------------------------------ hooks */

static void open_on_segment(struct detectors *d, const struct packet *pkt,
			    const struct flow *f, const struct tcp_seg_info *info,
			    struct det_flow *df)
{
	uint8_t fl = pkt->tcp.flags;

	if ((df->flags & DF_SYN_WAITING) && info->dir == FLOW_RESP)
		unanswered_settled(d, f, df);
	if (!(fl & (TCP_FLAG_SYN | TCP_FLAG_RST)) &&
	    (df->flags & DF_HANDSHAKE_DONE))
		return;
	if (is_syn(pkt) && info->dir == FLOW_ORIG) {
		if (info->annots & TCP_ANNOT_BIT(RETRANSMISSION)) {
			det_mark(d, DM_SIDE_WORK);
			if (df->syn_retries < UINT8_MAX)
				df->syn_retries++;
			if (f->dir[FLOW_RESP].pkts == 0 &&
			    det_enabled(d, FINDING_SYN_UNANSWERED))
				unanswered_retry(d, pkt, f, info, df);
		} else if (!(df->flags & (DF_SYN_FLOOD_COUNTED | DF_SYN_PENDING)) &&
			   f->dir[FLOW_ORIG].pkts == 1 &&
			   det_enabled(d, FINDING_SYN_FLOOD)) {
			flood_attempt(d, f, df);
		}
		return;
	}
	if (is_synack(pkt) && info->dir == FLOW_RESP) {
		df->flags |= DF_SYNACK_SEEN;
		if (info->annots & TCP_ANNOT_BIT(RETRANSMISSION))
			df->flags |= DF_SYNACK_RETRIED;
	}
	if (!(df->flags & DF_HANDSHAKE_DONE) && tcp_conn_saw_handshake_ack(f) &&
	    tcp_conn_syn_acked(f, FLOW_RESP)) {
		df->flags |= DF_HANDSHAKE_DONE;
		flood_resolved(d, f, df);
		if (!tcp_conn_midstream(f) && !tcp_conn_simultaneous_open(f) &&
		    tcp_conn_saw_syn(f, FLOW_ORIG) &&
		    !(df->flags & DF_REFUSED))
			det_mark(d, DM_OPENED);
	}
	if ((fl & TCP_FLAG_RST) && !(df->flags & DF_HANDSHAKE_DONE)) {
		if (info->dir == FLOW_RESP && !tcp_conn_saw_synack(f) &&
		    tcp_conn_saw_syn(f, FLOW_ORIG) &&
		    !(df->flags & DF_REFUSED)) {
			df->flags |= DF_REFUSED;
			det_mark(d, DM_SIDE_WORK);
			if (det_enabled(d, FINDING_CONNECTION_REFUSED))
				refused(d, pkt, f, info);
			if (det_enabled(d, FINDING_PORT_SCAN))
				scan_attempt(d, f, true);
		}
		flood_resolved(d, f, df);
	}
}

static void open_on_flow_end(struct detectors *d, const struct flow *f,
			     struct det_flow *df)
{
	if (df != NULL && (df->flags & (DF_SYN_FLOOD_COUNTED | DF_SYN_PENDING)))
		flood_flow_end(d, f, df);
	if (df != NULL && det_enabled(d, FINDING_SYN_UNANSWERED))
		unanswered_flow_end(d, f, df);
	if (!det_enabled(d, FINDING_PORT_SCAN))
		return;
	/* Answered (most): decided without the tracker's state, cold by now. */
	if (f->sink_mark & DM_OPENED) {
		scan_attempt(d, f, false);
		return;
	}
	/* Attempts of a possible scan: refused ones were counted already. */
	if (!tcp_conn_midstream(f) &&
	    !(df != NULL && (df->flags & DF_REFUSED)) &&
	    tcp_conn_saw_syn(f, FLOW_ORIG) && !tcp_conn_simultaneous_open(f))
		scan_attempt(d, f, f->dir[FLOW_RESP].pkts == 0);
}

/* ------------------------------------------------------------ describe */

static void describe_flood(const struct det_group *g, struct finding *out,
			   const struct detect_config *cfg)
{
	const struct syn_flood_state *s = syn_flood_of_const(g);
	char win[24];
	const char *cookies = s->never_retried > s->synack_retransmissions &&
			      s->never_retried > s->never_answered ? "likely"
			      : s->answered == 0 ? "unknown" : "not seen";

	format_duration(cfg->syn_flood.window_ns, win, sizeof(win));
	out->unit = "half-open attempts in the window";
	finding_add_number(out, "sources", (double)g->set.count);
	finding_add_number(out, "synack_retransmissions",
			   (double)s->synack_retransmissions);
	finding_add_number(out, "syns_unanswered", (double)s->never_answered);
	finding_add_number(out, "synacks_never_retried",
			   (double)s->never_retried);
	finding_add_text(out, "syncookies", cookies);
	snprintf(out->summary, sizeof(out->summary),
		 "%.0f connection attempts toward %s were half-open within %s "
		 "(threshold %.0f), from %u distinct sources; %llu never got a "
		 "SYN-ACK, %llu SYN-ACKs were retransmitted; syncookies: %s",
		 out->value, out->subject, win, out->threshold,
		 g->set.count, (unsigned long long)s->never_answered,
		 (unsigned long long)s->synack_retransmissions, cookies);
}

static void describe_unanswered(const struct det_group *g, struct finding *out)
{
	const struct syn_unanswered_state *s = syn_unanswered_of_const(g);
	uint64_t retries = s->syn_retransmissions + s->waiting_retries;
	char times[120] = "";
	size_t used = 0;

	for (int i = 1; i < g->n_times && used < sizeof(times); i++)
		used += (size_t)snprintf(times + used, sizeof(times) - used,
					 "%s+%.1f", i > 1 ? ", " : "",
					 (double)(g->times[i] - g->times[0]) / NS_PER_SEC);
	out->unit = "connections";
	out->value = (double)(g->count + s->waiting_now);
	finding_add_number(out, "syn_retransmissions", (double)retries);
	if (g->n_times > 1)
		finding_add_text(out, "retry_times", times);
	snprintf(out->summary, sizeof(out->summary),
		 "%.0f connection attempt%s to %s got no answer at all; the SYN "
		 "was sent %llu more time%s%s%s%s",
		 out->value, out->value == 1 ? "" : "s", out->subject,
		 (unsigned long long)retries, retries == 1 ? "" : "s",
		 g->n_times > 1 ? " (one connection's retries at " : "",
		 g->n_times > 1 ? times : "", g->n_times > 1 ? " s)" : "");
	if (s->waiting_now > 0) {
		size_t len = strlen(out->summary);

		snprintf(out->summary + len, sizeof(out->summary) - len,
			 "; %llu still retrying",
			 (unsigned long long)s->waiting_now);
	}
}

static void describe_refused(const struct det_group *g, struct finding *out)
{
	uint64_t sources = refused_of_const(g)->sources;

	out->unit = "refused attempts";
	finding_add_number(out, "sources", (double)sources);
	snprintf(out->summary, sizeof(out->summary),
		 "%.0f connection attempt%s to %s %s answered with RST, "
		 "from %llu source%s: nothing listens there",
		 out->value, out->value == 1 ? "" : "s", out->subject,
		 out->value == 1 ? "was" : "were",
		 (unsigned long long)sources, sources == 1 ? "" : "s");
}

static void describe_scan(const struct det_group *g, struct finding *out,
			  const struct detect_config *cfg)
{
	const struct port_scan_state *s = port_scan_of_const(g);
	char win[24];

	format_duration(cfg->port_scan.window_ns, win, sizeof(win));
	out->unit = "distinct host:ports tried";
	finding_add_number(out, "targets", (double)g->count);
	finding_add_number(out, "attempts", (double)s->peak_attempts);
	finding_add_number(out, "failed", (double)s->peak_failed);
	finding_add_number(out, "folded_findings", (double)g->folded);
	snprintf(out->summary, sizeof(out->summary),
		 "%s tried %.0f distinct host:ports within %s; %llu of "
		 "%llu attempts were refused or unanswered (%llu per-port "
		 "findings about them are folded in here)",
		 out->subject, out->value, win,
		 (unsigned long long)s->peak_failed,
		 (unsigned long long)s->peak_attempts,
		 (unsigned long long)g->folded);
}

static void open_describe(const struct det_group *g, struct finding *out,
			  const struct detect_config *cfg)
{
	switch (g->key.id) {
	case FINDING_SYN_FLOOD:
		describe_flood(g, out, cfg);
		break;
	case FINDING_SYN_UNANSWERED:
		describe_unanswered(g, out);
		break;
	case FINDING_CONNECTION_REFUSED:
		describe_refused(g, out);
		break;
	case FINDING_PORT_SCAN:
		describe_scan(g, out, cfg);
		break;
	default:
		break;
	}
}

static void open_sweep(struct detectors *d)
{
	if (d->pending_len > 0)
		open_tick(d);
}

/* A flood or a scan is over once a window passes without an attempt. */
static bool open_ongoing(const struct det_group *g, int64_t now,
			 const struct detect_config *cfg)
{
	switch (g->key.id) {
	case FINDING_SYN_FLOOD:
		return !det_quiet_since(g, now, cfg->syn_flood.window_ns);
	case FINDING_PORT_SCAN:
		return !det_quiet_since(g, now, cfg->port_scan.window_ns);
	case FINDING_SYN_UNANSWERED:
		/* Attempts still retrying, or ones that failed lately. */
		return syn_unanswered_of_const(g)->waiting_now > 0 ||
		       !det_quiet_since(g, now, DET_QUIET_NS);
	default:
		return !det_quiet_since(g, now, DET_QUIET_NS);
	}
}

static bool open_live_pending(const struct det_group *g)
{
	return g->key.id == FINDING_SYN_UNANSWERED &&
	       syn_unanswered_of_const(g)->waiting_now > 0;
}

const struct detector_ops det_open_ops = {
	.name = "connection setup",
	.ids = {FINDING_SYN_FLOOD, FINDING_SYN_UNANSWERED,
		FINDING_CONNECTION_REFUSED, FINDING_PORT_SCAN},
	.n_ids = 4,
	.tcp = true,
	.on_segment = open_on_segment,
	.on_flow_end = open_on_flow_end,
	.sweep = open_sweep,
	.describe = open_describe,
	.ongoing = open_ongoing,
	.live_pending = open_live_pending,
};
