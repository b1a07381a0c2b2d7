/*
 * syn_flood groups by listener (host:port), made once an attempt to it
 * is half-open: ring = half-open attempts by the time they began; count
 * = the most in the window; counts = the sources of half-open attempts
 * not completed (so far); set = the sources of attempts that ended
 * without completing.  What the listener did with an attempt is counted
 * twice over: "open" while it is half-open and has not ended, so that a
 * live snapshot states what the packets so far show, then settled when
 * it ends, as the report counts it; its end takes back its open share.
 */
#include "detect_internal.h"

#include <stdio.h>
#include <stdlib.h>

/* Thresholds of syn_flood, in its cfg->unit[] block. */
struct syn_flood_settings {
	int64_t window_ns;
	uint32_t min_half_open;
	uint32_t min_sources;
};

DET_SETTINGS_ACCESSORS(struct syn_flood_settings, FINDING_SYN_FLOOD,
		       syn_flood_settings_of);

/* Their rows in the configuration file (settings.h). */
static const struct setting syn_flood_rows[] = {
	DET_SWITCHES("syn_flood", FINDING_SYN_FLOOD),
	{.section = "syn_flood", .key = "window",
	 .type = SETTING_SECONDS, .min = 1, .max = 3600, .def = 10,
	 .offset = DET_SETTING_AT(FINDING_SYN_FLOOD,
				  struct syn_flood_settings, window_ns),
	 .doc = "sliding window the attempts are counted in"},
	{.section = "syn_flood", .key = "min_half_open",
	 .type = SETTING_COUNT, .min = 1, .max = 1e9, .def = 100,
	 .offset = DET_SETTING_AT(FINDING_SYN_FLOOD,
				  struct syn_flood_settings, min_half_open),
	 .doc = "half-open attempts toward one listener within the window"},
	{.section = "syn_flood", .key = "min_sources",
	 .type = SETTING_COUNT, .min = 1, .max = 1e9, .def = 10,
	 .offset = DET_SETTING_AT(FINDING_SYN_FLOOD,
				  struct syn_flood_settings, min_sources),
	 .doc = "or distinct sources, when the listener answered none of them"},
};

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
	/*
	 * The half-open attempts that have not ended, as seen so far (0 once
	 * the capture has ended): no SYN-ACK yet; a SYN-ACK; the listener's
	 * retransmissions toward those whose SYN-ACK was sent again.
	 */
	uint32_t open_unanswered;
	uint32_t open_answered;
	uint32_t open_synack_retransmissions;
	/*
	 * Answered, not sent again, and known so for UNRETRIED_AFTER_S:
	 * those known so for less are young_unretried, by the second they
	 * were known answered (young_sec is the latest second counted).
	 */
	uint32_t open_never_retried;
	uint32_t young_unretried[3];
	uint32_t young_sec;
};

DET_GROUP_STATE_ACCESSORS(struct syn_flood_state, syn_flood_of,
			  syn_flood_of_const);

/* ------------------------------------------------------------ open */

/* The listener f tried. */
static struct det_group *flood_group(struct detectors *d, const struct flow *f,
				     bool make)
{
	struct subject_key k;

	subject_endpoint(&k, FINDING_SYN_FLOOD, f, FLOW_RESP);
	return make ? group_get(d, &k, d->now) : group_find(d, &k);
}

/*
 * What an attempt that has not ended adds to its group's open counts
 * (kept in its side state's DF_FLOOD_OPEN bits).
 */
enum flood_open_kind {
	FLOOD_OPEN_NONE = 0,            /* not counted open */
	FLOOD_OPEN_UNANSWERED = 1,      /* no SYN-ACK so far */
	FLOOD_OPEN_UNRETRIED = 2,       /* a SYN-ACK, not sent again so far */
	FLOOD_OPEN_RETRIED = 3,         /* its SYN-ACK was sent again */
};

/*
 * A SYN-ACK is "never retried" only once Linux would have sent it again:
 * its first retransmission comes one second (the initial RTO) after it.
 * An attempt known answered for less than this may yet see one.  Counted
 * in whole seconds, so more than 2 s have passed once it is 3 s older.
 */
#define UNRETRIED_AFTER_S 3

static enum flood_open_kind flood_open_kind_of(const struct det_flow *df)
{
	return (enum flood_open_kind)((df->flags & DF_FLOOD_OPEN_MASK) >>
				      DF_FLOOD_OPEN_SHIFT);
}

static enum flood_open_kind flood_open_kind_now(const struct det_flow *df)
{
	if (!(df->flags & DF_SYNACK_SEEN))
		return FLOOD_OPEN_UNANSWERED;
	return (df->flags & DF_SYNACK_RETRIED) ? FLOOD_OPEN_RETRIED
					       : FLOOD_OPEN_UNRETRIED;
}

static void count_step(uint32_t *n, int sign, uint32_t by)
{
	if (sign > 0)
		*n = *n > UINT32_MAX - by ? UINT32_MAX : *n + by;
	else
		*n = *n > by ? *n - by : 0;
}

/* The young that have waited UNRETRIED_AFTER_S by second now_s are known. */
static void unretried_age(struct syn_flood_state *s, uint32_t now_s)
{
	if (s->young_sec == 0 || now_s >= s->young_sec + 3) {
		for (int i = 0; i < 3; i++) {
			count_step(&s->open_never_retried, 1,
				   s->young_unretried[i]);
			s->young_unretried[i] = 0;
		}
		s->young_sec = now_s;
		return;
	}
	while (s->young_sec < now_s) {
		uint32_t *b = &s->young_unretried[++s->young_sec % 3];

		count_step(&s->open_never_retried, 1, *b);
		*b = 0;
	}
}

/* An answered attempt not retried, known so since second since_s. */
static void unretried_step(struct syn_flood_state *s, uint32_t now_s,
			   uint32_t since_s, int sign)
{
	unretried_age(s, now_s);
	if (since_s + UNRETRIED_AFTER_S <= s->young_sec)
		count_step(&s->open_never_retried, sign, 1);
	else
		count_step(&s->young_unretried[since_s % 3], sign, 1);
}

/*
 * Adds (sign 1) or takes back (-1) what attempt df counts open, as its
 * kind says.  An unretried attempt's second is kept in syn_check, free
 * once the attempt has left the pending queue.
 */
static void flood_open_step(struct detectors *d, struct det_group *g,
			    const struct flow *f, struct det_flow *df,
			    enum flood_open_kind kind, int sign)
{
	struct syn_flood_state *s = syn_flood_of(g);

	switch (kind) {
	case FLOOD_OPEN_NONE:
		break;
	case FLOOD_OPEN_UNANSWERED:
		count_step(&s->open_unanswered, sign, 1);
		break;
	case FLOOD_OPEN_UNRETRIED:
		count_step(&s->open_answered, sign, 1);
		if (sign > 0)
			df->syn_check = (uint32_t)(d->now / NS_PER_SEC);
		unretried_step(s, (uint32_t)(d->now / NS_PER_SEC),
			       df->syn_check, sign);
		break;
	case FLOOD_OPEN_RETRIED:
		count_step(&s->open_answered, sign, 1);
		count_step(&s->open_synack_retransmissions, sign,
			   tcp_conn_retrans_segs(f, FLOW_RESP));
		break;
	}
}

/* Attempt df is counted open as what its listener did so far. */
static void flood_open_add(struct detectors *d, struct det_group *g,
			   const struct flow *f, struct det_flow *df)
{
	enum flood_open_kind kind = flood_open_kind_now(df);

	flood_open_step(d, g, f, df, kind, 1);
	df->flags = (uint16_t)((df->flags & ~DF_FLOOD_OPEN_MASK) |
			       ((unsigned)kind << DF_FLOOD_OPEN_SHIFT));
}

/* It completed or ended: it is no longer counted open. */
static void flood_open_take(struct detectors *d, struct det_group *g,
			    const struct flow *f, struct det_flow *df)
{
	if (g != NULL)
		flood_open_step(d, g, f, df, flood_open_kind_of(df), -1);
	df->flags &= (uint16_t)~DF_FLOOD_OPEN_MASK;
}

/*
 * The listener's SYN-ACK to an attempt counted open: the attempt moves
 * to what it is now.  A SYN-ACK sent again to one already retried adds
 * itself to the retransmissions.
 */
static void flood_synack(struct detectors *d, const struct flow *f,
			 const struct tcp_seg_info *info, struct det_flow *df)
{
	enum flood_open_kind was = flood_open_kind_of(df);
	struct det_group *g;

	if (was == FLOOD_OPEN_NONE ||
	    (g = flood_group(d, f, false)) == NULL)
		return;
	if (was == FLOOD_OPEN_RETRIED) {
		if (info->annots & TCP_ANNOT_BIT(RETRANSMISSION))
			count_step(&syn_flood_of(g)->open_synack_retransmissions,
				   1, 1);
		return;
	}
	if (flood_open_kind_now(df) == was)
		return;
	flood_open_take(d, g, f, df);
	flood_open_add(d, g, f, df);
}

/* ------------------------------------------------------------ counting */

/*
 * An attempt is half-open once it has gone a second without completing:
 * Linux's initial RTO, after which its SYN or SYN-ACK would be sent
 * again.  Younger ones are only in flight, however many a busy listener
 * has, and so are those the capture cut short.
 */
#define HALF_OPEN_AFTER_NS NS_PER_SEC

/* A flood: the listener answers (its queue fills) or many sources send. */
static bool flood_fires(const struct syn_flood_settings *c,
			const struct det_group *g, uint64_t sum)
{
	return sum >= c->min_half_open &&
	       (syn_flood_of_const(g)->answered_half_open > 0 ||
		g->counts.live >= c->min_sources ||
		g->set.count >= c->min_sources);
}

DET_COLD
static void flood_count(struct detectors *d, struct det_flow *df,
			int64_t began)
{
	const struct syn_flood_settings *c = syn_flood_settings_of(&d->cfg);
	const struct flow *f = det_flow_owner(df);
	struct det_group *g = flood_group(d, f, true);
	uint64_t sum;

	df->flags = (uint16_t)((df->flags & ~DF_SYN_PENDING) |
			       DF_SYN_FLOOD_COUNTED);
	if (g == NULL)
		return;
	/* Those known answered long enough are told as never retried. */
	unretried_age(syn_flood_of(g), (uint32_t)(d->now / NS_PER_SEC));
	flood_open_add(d, g, f, df);
	if (!count_map_add(&g->counts, det_addr_hash(f, FLOW_ORIG), 1, NULL))
		d->oom = true;
	if (df->flags & DF_SYNACK_SEEN)
		syn_flood_of(g)->answered_half_open++;
	sum = rate_add(&g->ring, began, c->window_ns, 1);
	g->threshold = c->min_half_open;
	if (sum > g->count)
		g->count = sum;
	if (g->finding >= 0 || flood_fires(c, g, sum)) {
		group_touch(g, began);
		group_touch(g, d->now);
		group_fire(d, g);
	}
}

/* Judges the attempts that have waited a second. */
static void flood_tick(struct detectors *d)
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

	flood_tick(d);
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
		flood_open_take(d, g, f, df);
		if (g != NULL) {
			rate_sub(&g->ring, f->first_ts,
				 syn_flood_settings_of(&d->cfg)->window_ns, 1);
			count_map_add(&g->counts, det_addr_hash(f, FLOW_ORIG), -1,
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
	flood_open_take(d, g, f, df);
	if (g == NULL)
		return;
	s = syn_flood_of(g);
	/* Sources of attempts that never completed, as reported. */
	hash_set_add(&g->set, det_addr_hash(f, FLOW_ORIG), &d->oom);
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
	if (g->finding < 0 &&
	    flood_fires(syn_flood_settings_of(&d->cfg), g, g->count))
		group_fire(d, g);
}

/* ------------------------------------------------------------ hooks */

static void flood_on_segment(struct detectors *d, const struct packet *pkt,
			     const struct flow *f,
			     const struct tcp_seg_info *info,
			     struct det_flow *df)
{
	(void)pkt;
	if ((d->attempt & ATTEMPT_SYN) &&
	    !(df->flags & (DF_SYN_FLOOD_COUNTED | DF_SYN_PENDING)) &&
	    f->dir[FLOW_ORIG].pkts == 1 && det_enabled(d, FINDING_SYN_FLOOD))
		flood_attempt(d, f, df);
	if (d->attempt & ATTEMPT_SYNACK)
		flood_synack(d, f, info, df);
	if (d->attempt & (ATTEMPT_COMPLETED | ATTEMPT_RST_EARLY))
		flood_resolved(d, f, df);
}

static void flood_on_flow_end(struct detectors *d, const struct flow *f,
			      struct det_flow *df)
{
	if (df != NULL && (df->flags & (DF_SYN_FLOOD_COUNTED | DF_SYN_PENDING)))
		flood_flow_end(d, f, df);
}

static void flood_sweep(struct detectors *d)
{
	if (d->pending_len > 0)
		flood_tick(d);
}

/* ------------------------------------------------------------ describe */

/*
 * What the packets so far show: the settled attempts' counts, and while
 * some have not ended, theirs added (sources: those not completed).
 */
struct flood_facts {
	uint64_t sources, unanswered, retransmissions, never_retried;
	uint64_t answered, young;       /* young: too recent to tell */
	bool open;
};

static struct flood_facts flood_facts_of(const struct det_group *g)
{
	const struct syn_flood_state *s = syn_flood_of_const(g);
	struct flood_facts x = {
		.sources = g->set.count,
		.unanswered = s->never_answered,
		.retransmissions = s->synack_retransmissions,
		.never_retried = s->never_retried,
		.answered = s->answered,
		.open = s->open_unanswered + s->open_answered > 0,
	};

	if (!x.open)
		return x;
	/* Sources that ended are still in counts unless they completed. */
	if (g->counts.live > x.sources)
		x.sources = g->counts.live;
	x.unanswered += s->open_unanswered;
	x.retransmissions += s->open_synack_retransmissions;
	x.never_retried += s->open_never_retried;
	x.answered += s->open_answered;
	x.young = (uint64_t)s->young_unretried[0] + s->young_unretried[1] +
		  s->young_unretried[2];
	return x;
}

static bool cookies_signature(uint64_t never_retried,
			      const struct flood_facts *x)
{
	return never_retried > x->retransmissions &&
	       never_retried > x->unanswered;
}

/*
 * "likely": most answered once and never again.  Live, SYN-ACKs too
 * recent to have been sent again that would tip it leave it unknown.
 */
static const char *flood_cookies(const struct flood_facts *x)
{
	if (cookies_signature(x->never_retried, x))
		return "likely";
	if (x->answered == 0 ||
	    (x->young > 0 && cookies_signature(x->never_retried + x->young, x)))
		return "unknown";
	return "not seen";
}

static void flood_describe(const struct det_group *g, struct finding *out,
			   const struct detect_config *cfg)
{
	struct flood_facts x = flood_facts_of(g);
	char win[24];
	const char *cookies = flood_cookies(&x);

	format_duration(syn_flood_settings_of(cfg)->window_ns, win,
			sizeof(win));
	out->unit = "half-open attempts in the window";
	finding_add_number(out, "sources", (double)x.sources);
	finding_add_number(out, "synack_retransmissions",
			   (double)x.retransmissions);
	finding_add_number(out, "syns_unanswered", (double)x.unanswered);
	finding_add_number(out, "synacks_never_retried",
			   (double)x.never_retried);
	finding_add_text(out, "syncookies", cookies);
	/* Live, attempts not ended may yet be answered. */
	snprintf(out->summary, sizeof(out->summary),
		 "%.0f connection attempts toward %s were half-open within %s "
		 "(threshold %.0f), from %llu distinct sources; %llu %s, "
		 "%llu SYN-ACKs were retransmitted; syncookies: %s",
		 out->value, out->subject, win, out->threshold,
		 (unsigned long long)x.sources,
		 (unsigned long long)x.unanswered,
		 x.open ? "have had no SYN-ACK so far" : "never got a SYN-ACK",
		 (unsigned long long)x.retransmissions, cookies);
}

/* A flood is over once a window passes without a half-open attempt. */
static bool flood_ongoing(const struct det_group *g, int64_t now,
			  const struct detect_config *cfg)
{
	return !det_quiet_since(g, now, syn_flood_settings_of(cfg)->window_ns);
}

/* ------------------------------------------------------------ merge */

static const struct det_reducer flood_reducers[] = {
	DET_REDUCE(struct syn_flood_state, answered_half_open, DET_SUM),
	DET_REDUCE(struct syn_flood_state, synack_retransmissions, DET_SUM),
	DET_REDUCE(struct syn_flood_state, never_answered, DET_SUM),
	DET_REDUCE(struct syn_flood_state, never_retried, DET_SUM),
	DET_REDUCE(struct syn_flood_state, answered, DET_SUM),
};

static void flood_merge(struct detectors *d, struct det_group *into,
			const struct det_group *from)
{
	rate_merge(&into->ring, &from->ring,
		   syn_flood_settings_of(&d->cfg)->window_ns);
	det_merge_peak(into, from, into->ring.sum);
}

static enum det_verdict flood_verdict(struct detectors *d,
				      const struct det_group *g)
{
	return flood_fires(syn_flood_settings_of(&d->cfg), g, g->count)
		? DET_FIRES : DET_QUIET;
}

const struct detector_ops det_syn_flood_ops = {
	.name = "syn_flood",
	.ids = {FINDING_SYN_FLOOD},
	.n_ids = 1,
	.settings = syn_flood_rows,
	.n_settings = DET_ROWS(syn_flood_rows),
	.tcp = true,
	.segments = SEG_ATTEMPT,
	.on_segment = flood_on_segment,
	.on_flow_end = flood_on_flow_end,
	.end_needs_side = true,
	.sweep = flood_sweep,
	.describe = flood_describe,
	.ongoing = flood_ongoing,
	DET_REDUCERS(flood_reducers),
	.count_peaks = true,
	.merge = flood_merge,
	.verdict = flood_verdict,
};
