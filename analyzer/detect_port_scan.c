/*
 * port_scan groups by source host: counts = targets of failed attempts
 * in the sliding window (fifo holds those attempts); ring = successful
 * attempts in the window, each taken as one target more; count = the
 * most targets at once.  An attempt counts as soon as the packets tell
 * (a refusal, its SYN-ACK, retries with no answer so far as
 * syn_unanswered judges them), so that a live finding states what is
 * seen; its end counts only what was not told before.
 */
#include "detect_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Thresholds of port_scan, in its cfg->unit[] block. */
struct port_scan_settings {
	int64_t window_ns;
	uint32_t min_targets;
	double min_failed_share;
};

DET_SETTINGS_ACCESSORS(struct port_scan_settings, FINDING_PORT_SCAN,
		       port_scan_settings_of);

/* Their rows in the configuration file (settings.h). */
static const struct setting port_scan_rows[] = {
	DET_SWITCHES("port_scan", FINDING_PORT_SCAN),
	{.section = "port_scan", .key = "window",
	 .type = SETTING_SECONDS, .min = 1, .max = 86400, .def = 60,
	 .offset = DET_SETTING_AT(FINDING_PORT_SCAN,
				  struct port_scan_settings, window_ns),
	 .doc = "sliding window the targets are counted in"},
	{.section = "port_scan", .key = "min_targets",
	 .type = SETTING_COUNT, .min = 2, .max = 1e9, .def = 50,
	 .offset = DET_SETTING_AT(FINDING_PORT_SCAN,
				  struct port_scan_settings, min_targets),
	 .doc = "distinct host:ports one source tries within the window"},
	{.section = "port_scan", .key = "min_failed_share",
	 .type = SETTING_SHARE, .min = 0, .max = 1, .def = 0.8,
	 .offset = DET_SETTING_AT(FINDING_PORT_SCAN,
				  struct port_scan_settings, min_failed_share),
	 .doc = "share of those attempts refused or unanswered"},
};

/* Open ports a finding lists by number; the rest are counted. */
#define SCAN_OPEN_LISTED 8

/* port_scan's group state. */
struct port_scan_state {
	int64_t queue_base;     /* the time its queued attempts count from */
	uint64_t failed;        /* failed attempts queued in the window */
	uint64_t peak_attempts; /* attempts in the window when count peaked */
	uint64_t peak_failed;   /* of them, refused or unanswered */
	/* Attempts its targets answered with a SYN-ACK: open ports found. */
	uint64_t open;
	uint16_t open_ports[SCAN_OPEN_LISTED]; /* the first distinct ones */
};

DET_GROUP_STATE_ACCESSORS(struct port_scan_state, port_scan_of,
			  port_scan_of_const);

/* ------------------------------------------------------------ counting */

/*
 * Distinct targets of failed attempts in a sliding window: each is
 * queued with its target and time; a target counts while an attempt on
 * it is in the window.  Entries: target hash << 32 | ms since the
 * state's queue_base << 1 | 1; the low bit 0 marks an attempt taken
 * back (answered after it was counted unanswered), which counts nothing.
 */
#define SCAN_QUEUE_MAX (1u << 20)

static void scan_pop(struct det_group *g)
{
	uint64_t e = g->fifo[g->fifo_head];

	g->fifo_head = (g->fifo_head + 1) % g->fifo_cap;
	g->fifo_len--;
	if (!(e & 1))
		return;
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

/* A target answered with a SYN-ACK: its port is open. */
static void scan_open_port(struct port_scan_state *s, uint16_t port)
{
	int i;

	s->open++;
	for (i = 0; i < SCAN_OPEN_LISTED && s->open_ports[i] != 0; i++)
		if (s->open_ports[i] == port)
			return;
	if (i < SCAN_OPEN_LISTED)
		s->open_ports[i] = port;
}

/* The queue's hash of f's target (address and port). */
static uint32_t scan_target_hash(const struct flow *f)
{
	uint8_t target[18];

	memcpy(target, flow_addr(f, FLOW_RESP), 16);
	target[16] = (uint8_t)(flow_port(f, FLOW_RESP) >> 8);
	target[17] = (uint8_t)flow_port(f, FLOW_RESP);
	return hash_bytes(target, sizeof(target));
}

/*
 * f, counted failed while it had no answer, was answered after all: its
 * queued attempt counts nothing from now on, if still in the window.
 * The peak stays as measured (at that moment it had no answer).
 */
DET_COLD
static void scan_take_back(struct det_group *g, const struct flow *f)
{
	struct port_scan_state *s = port_scan_of(g);
	uint32_t h = scan_target_hash(f);
	int64_t ms = (f->first_ts - s->queue_base) / NS_PER_MS;
	uint64_t want = (uint64_t)h << 32 | (uint64_t)(ms < 0 ? 0 : ms) << 1 | 1;

	for (uint32_t i = g->fifo_len; i-- > 0;) {
		uint64_t *e = &g->fifo[(g->fifo_head + i) % g->fifo_cap];

		if (*e != want)
			continue;
		*e &= ~1ull;
		count_map_add(&g->counts, h, -1, NULL);
		s->failed--;
		return;
	}
}

/* f's source's group, if it has one. */
static struct det_group *scan_group_of(struct detectors *d,
				       const struct flow *f)
{
	struct subject_key k;

	subject_host(&k, FINDING_PORT_SCAN, f, FLOW_ORIG);
	return group_find(d, &k);
}

/* Counts f's attempt; false when it was not (a success with no group). */
static bool scan_attempt(struct detectors *d, const struct flow *f,
			 bool failed)
{
	const struct port_scan_settings *c = port_scan_settings_of(&d->cfg);
	uint32_t bit = det_scan_bit(f);
	struct subject_key k;
	struct det_group *g;
	struct port_scan_state *s;
	uint64_t ok, targets, attempts;
	uint32_t h;
	int64_t ms;

	/* Only sources that fail get a group: success alone is no scan. */
	if (!failed && !det_scan_source(d, f))
		return false;
	subject_host(&k, FINDING_PORT_SCAN, f, FLOW_ORIG);
	g = failed ? group_get(d, &k, f->first_ts) : group_find(d, &k);
	if (g == NULL)
		return false;
	s = port_scan_of(g);
	d->scan_sources[bit / 64] |= 1ull << (bit % 64);
	/*
	 * Successes are only counted (a scanner finds few open ports, and
	 * a busy client of one service would otherwise queue them all);
	 * each is taken as a target of its own.
	 */
	ok = rate_add(&g->ring, f->first_ts, c->window_ns,
		      failed ? 0 : 1);
	if (!failed) {
		if (tcp_conn_saw_synack(f))
			scan_open_port(s, flow_port(f, FLOW_RESP));
		return true;
	}
	scan_expire(g, f->first_ts, c->window_ns);
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
	h = scan_target_hash(f);
	if (!scan_push(g, (uint64_t)h << 32 | (uint64_t)ms << 1 | 1) ||
	    !count_map_add(&g->counts, h, 1, NULL)) {
		d->oom = true;
		return true;
	}
	s->failed++;
	targets = g->counts.live + ok;
	attempts = s->failed + ok;
	if (targets > g->count) {
		g->count = targets;
		s->peak_attempts = attempts;
		s->peak_failed = s->failed;
	}
	g->threshold = c->min_targets;
	if (targets >= c->min_targets &&
	    (double)s->failed >=
		    c->min_failed_share * (double)attempts) {
		group_touch(g, f->first_ts);
		group_touch(g, f->last_ts);
		if (g->n_flows < FINDING_MAX_FLOWS)
			group_add_flow(g, f);
		else
			g->flow_count++;
		group_fire(d, g);
	}
	return true;
}

/* ------------------------------------------------------------ hooks */

/* An attempt its end would count as a scan's (not one that was refused). */
static bool scan_counts(const struct flow *f, const struct det_flow *df)
{
	return !tcp_conn_midstream(f) && !(df->flags & DF_REFUSED) &&
	       tcp_conn_saw_syn(f, FLOW_ORIG) && !tcp_conn_simultaneous_open(f);
}

/*
 * The target answered with its first SYN-ACK: an open port, as its end
 * would count it, now.  One counted unanswered before is taken back.
 */
DET_COLD
static void scan_answered(struct detectors *d, const struct flow *f,
			  struct det_flow *df)
{
	if (df->flags & DF_SCAN_COUNTED) {
		struct det_group *g = scan_group_of(d, f);

		if (g != NULL)
			scan_take_back(g, f);
		df->flags &= (uint16_t)~DF_SCAN_COUNTED;
	}
	if (scan_counts(f, df) && scan_attempt(d, f, false)) {
		df->flags |= DF_SCAN_COUNTED;
		det_mark(d, DM_SIDE_WORK);
	}
}

/*
 * syn_unanswered has just judged the attempt unanswered so far (retried
 * min_retries times, nothing back): a failed attempt, now.
 */
DET_COLD
static void scan_unanswered(struct detectors *d, const struct flow *f,
			    struct det_flow *df)
{
	if (scan_counts(f, df) && f->dir[FLOW_RESP].pkts == 0) {
		df->flags |= DF_SCAN_COUNTED;
		det_mark(d, DM_SIDE_WORK);
		scan_attempt(d, f, true);
	}
}

static void scan_on_segment(struct detectors *d, const struct packet *pkt,
			    const struct flow *f,
			    const struct tcp_seg_info *info,
			    struct det_flow *df)
{
	(void)pkt;
	(void)info;
	if (!(d->attempt & (ATTEMPT_REFUSED | ATTEMPT_SCAN_ANSWER)) &&
	    (df->flags & (DF_SYN_WAITING | DF_SCAN_COUNTED)) != DF_SYN_WAITING)
		return;
	if (!det_enabled(d, FINDING_PORT_SCAN))
		return;
	if (d->attempt & ATTEMPT_REFUSED) {
		/* Counted failed already, while it had no answer. */
		if (!(df->flags & DF_SCAN_COUNTED))
			scan_attempt(d, f, true);
	} else if (d->attempt & ATTEMPT_SCAN_ANSWER) {
		scan_answered(d, f, df);
	} else {
		scan_unanswered(d, f, df);
	}
}

/*
 * A flow counted while it ran: an open port stays counted; an attempt
 * counted unanswered that something other than a SYN-ACK or a refusal
 * answered later counts as answered, as it would have at the end.
 */
DET_COLD
static void scan_counted_end(struct detectors *d, const struct flow *f,
			     const struct det_flow *df)
{
	struct det_group *g;

	if ((df->flags & (DF_SYNACK_SEEN | DF_REFUSED)) ||
	    f->dir[FLOW_RESP].pkts == 0)
		return;
	g = scan_group_of(d, f);
	if (g != NULL)
		scan_take_back(g, f);
	scan_attempt(d, f, false);
}

static void scan_on_flow_end(struct detectors *d, const struct flow *f,
			     struct det_flow *df)
{
	if (!det_enabled(d, FINDING_PORT_SCAN))
		return;
	if (df != NULL && (df->flags & DF_SCAN_COUNTED)) {
		scan_counted_end(d, f, df);
		return;
	}
	/* Answered (most): decided without the tracker's state, cold by now. */
	if (det_marked(f, DM_OPENED)) {
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

static void scan_describe(const struct det_group *g, struct finding *out,
			  const struct detect_config *cfg)
{
	const struct port_scan_state *s = port_scan_of_const(g);
	char win[24], ports[SCAN_OPEN_LISTED * 6 + 1] = "";
	size_t used = 0;

	format_duration(port_scan_settings_of(cfg)->window_ns, win,
			sizeof(win));
	out->unit = "distinct host:ports tried";
	finding_add_number(out, "targets", (double)g->count);
	finding_add_number(out, "attempts", (double)s->peak_attempts);
	finding_add_number(out, "failed", (double)s->peak_failed);
	finding_add_number(out, "folded_findings", (double)g->folded);
	finding_add_number(out, "open", (double)s->open);
	for (int i = 0; i < SCAN_OPEN_LISTED && s->open_ports[i] != 0; i++)
		used += (size_t)snprintf(ports + used, sizeof(ports) - used,
					 "%s%u", used ? " " : "",
					 (unsigned)s->open_ports[i]);
	finding_add_text(out, "open_ports", ports);
	snprintf(out->summary, sizeof(out->summary),
		 "%s tried %.0f distinct host:ports within %s; %llu of "
		 "%llu attempts were refused or unanswered (%llu per-port "
		 "findings about them are folded in here); %llu answered "
		 "with a SYN-ACK (open)%s%s",
		 out->subject, out->value, win,
		 (unsigned long long)s->peak_failed,
		 (unsigned long long)s->peak_attempts,
		 (unsigned long long)g->folded,
		 (unsigned long long)s->open, used ? ", ports " : "", ports);
}

/* A scan is over once a window passes without an attempt. */
static bool scan_ongoing(const struct det_group *g, int64_t now,
			 const struct detect_config *cfg)
{
	return !det_quiet_since(g, now, port_scan_settings_of(cfg)->window_ns);
}

/*
 * Nothing names its groups but their key.  One that never fired goes
 * once no attempt is left in its window (the newest bucket starts up to
 * a bucket before the latest); a fired one stays for the run, since the
 * refused and unanswered findings of its targets are listed as its own.
 */
static bool scan_reclaimable(const struct det_group *g, int64_t now,
			     const struct detect_config *cfg)
{
	int64_t window = port_scan_settings_of(cfg)->window_ns;

	return g->finding < 0 &&
	       now >= g->ring.start + window + window / RATE_BUCKETS;
}

/* ------------------------------------------------------------ merge */

/* Queued attempt i (from the head) of g: its time and its entry. */
static int64_t scan_entry_time(const struct det_group *g, uint32_t i)
{
	uint64_t e = g->fifo[(g->fifo_head + i) % g->fifo_cap];

	return port_scan_of_const(g)->queue_base +
	       (int64_t)((e >> 1) & 0x7fffffff) * NS_PER_MS;
}

/* Both queues in one, by time, counted from the older base. */
static bool scan_merge_queues(struct det_group *into,
			      const struct det_group *from)
{
	struct port_scan_state *s = port_scan_of(into);
	uint32_t n = into->fifo_len + from->fifo_len, a = 0, b = 0;
	int64_t base = s->queue_base;
	uint64_t *q;

	if (from->fifo_len == 0)
		return true;
	if (into->fifo_len == 0 ||
	    port_scan_of_const(from)->queue_base < base)
		base = port_scan_of_const(from)->queue_base;
	q = malloc((n < 16 ? 16 : n) * sizeof(*q));
	if (q == NULL)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		bool take_a = b >= from->fifo_len ||
			      (a < into->fifo_len &&
			       scan_entry_time(into, a) <= scan_entry_time(from, b));
		const struct det_group *src = take_a ? into : from;
		uint32_t at = take_a ? a++ : b++;
		uint64_t e = src->fifo[(src->fifo_head + at) % src->fifo_cap];
		int64_t ms = (scan_entry_time(src, at) - base) / NS_PER_MS;

		q[i] = (e >> 32) << 32 | (uint64_t)(ms & 0x7fffffff) << 1 |
		       (e & 1);
	}
	free(into->fifo);
	into->fifo = q;
	into->fifo_cap = n < 16 ? 16 : n;
	into->fifo_head = 0;
	into->fifo_len = n;
	s->queue_base = base;
	return true;
}

/*
 * The count maps were merged with the groups' common parts; the queues
 * are merged by time, then what fell out of the window goes.
 */
static void scan_merge(struct detectors *d, struct det_group *into,
		       const struct det_group *from)
{
	struct port_scan_state *s = port_scan_of(into);
	const struct port_scan_state *o = port_scan_of_const(from);
	int64_t window = port_scan_settings_of(&d->cfg)->window_ns;
	uint64_t ok;

	rate_merge(&into->ring, &from->ring, window);
	s->failed += o->failed;
	for (int i = 0; i < SCAN_OPEN_LISTED && o->open_ports[i] != 0; i++) {
		scan_open_port(s, o->open_ports[i]);
		s->open--;
	}
	s->open += o->open;
	if (!scan_merge_queues(into, from))
		d->oom = true;
	if (into->fifo_len > 0)
		scan_expire(into, scan_entry_time(into, into->fifo_len - 1),
			    window);
	ok = into->ring.sum;
	switch (det_merge_peak(into, from, into->counts.live + ok)) {
	case 1:
		s->peak_attempts = o->peak_attempts;
		s->peak_failed = o->peak_failed;
		break;
	case 2:
		s->peak_attempts = s->failed + ok;
		s->peak_failed = s->failed;
		break;
	}
}

static enum det_verdict scan_verdict(struct detectors *d,
				     const struct det_group *g)
{
	const struct port_scan_settings *c = port_scan_settings_of(&d->cfg);
	const struct port_scan_state *s = port_scan_of_const(g);

	return g->count >= c->min_targets &&
		       (double)s->peak_failed >=
			       c->min_failed_share * (double)s->peak_attempts
		? DET_FIRES : DET_QUIET;
}

const struct detector_ops det_port_scan_ops = {
	.name = "port_scan",
	.ids = {FINDING_PORT_SCAN},
	.n_ids = 1,
	.settings = port_scan_rows,
	.n_settings = DET_ROWS(port_scan_rows),
	.tcp = true,
	/*
	 * A refusal (ATTEMPT_REFUSED) is a RST; an open port's SYN-ACK is
	 * SEG_ATTEMPT; a retry that leaves it unanswered, SEG_SYN_RETRY.
	 */
	.segments = SEG_RST | SEG_ATTEMPT | SEG_SYN_RETRY,
	.on_segment = scan_on_segment,
	.on_flow_end = scan_on_flow_end,
	.describe = scan_describe,
	.ongoing = scan_ongoing,
	.count_peaks = true,
	.merge = scan_merge,
	.verdict = scan_verdict,
	.reclaimable = scan_reclaimable,
};
