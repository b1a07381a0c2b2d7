/*
 * Snapshots: the engine's state copied out between feeds, so a consumer
 * on another thread (the dashboard, an exporter) reads it while the
 * engine goes on.  Each take reuses the snapshot's memory; findings are
 * matched to the previous take by key to mark how each changed.
 */
#include "engine_internal.h"

#include <stdlib.h>
#include <string.h>

#include "flow_record.h"
#include "tcp_conn.h"

void engine_snapshot_init(struct engine_snapshot *s, unsigned parts)
{
	memset(s, 0, sizeof(*s));
	s->parts = parts;
}

void engine_snapshot_free(struct engine_snapshot *s)
{
	free(s->flows);
	free(s->sockets);
	free(s->hosts);
	free(s->findings);
	free(s->top);
	free(s->ladder);
	engine_snapshot_init(s, s->parts);
}

/* Makes *p hold at least n items of size bytes; false: no memory. */
static bool reserve(void *p, size_t *cap, size_t n, size_t size)
{
	void **arr = p;
	void *grown;
	size_t want = *cap ? *cap : 16;

	if (n <= *cap)
		return true;
	while (want < n)
		want *= 2;
	grown = realloc(*arr, want * size);
	if (grown == NULL)
		return false;
	*arr = grown;
	*cap = want;
	return true;
}

/* ------------------------------------------------------------ flows */

struct flow_copy {
	struct engine *e;
	struct engine_snapshot *s;
	struct trouble_rank *rank;      /* live flows go in too, or NULL */
	size_t counted;
	uint64_t half_open;
	/* ENGINE_FLOW_RATE: this take ends a rate interval, of seconds. */
	bool rate_moves;
	double rate_seconds;
	size_t page;                    /* a page's rows at most (room made) */
	/*
	 * The wanted ladder's connection is live: its rows written so far,
	 * and its first ones (NULL: the pool had no slot for it).
	 */
	bool ladder_live;
	uint32_t ladder_rows;
	const struct ladder_row *ladder_first;
	bool oom;
};

static bool is_half_open(const struct flow *f)
{
	for (int d = 0; d < 2; d++) {
		enum tcp_state st = tcp_conn_state(f, d);

		if (st == TCP_STATE_SYN_SENT || st == TCP_STATE_SYN_RECV)
			return true;
	}
	return false;
}

static void count_flow(void *ctx, const struct flow *f)
{
	(void)f;
	((struct flow_copy *)ctx)->counted++;
}

/* What the take counts of every live flow, in the pass that copies it. */
static void tally_flow(struct flow_copy *fc, const struct flow *f)
{
	if (!flow_is_tcp(f))
		return;
	if (is_half_open(f))
		fc->half_open++;
	if (fc->s->ladder_uid != 0 && fc->e->history != NULL &&
	    flow_uid(f) == fc->s->ladder_uid) {
		const struct engine_flow_own *own = engine_flow_own_of(fc->e, f);

		fc->ladder_live = true;
		fc->ladder_rows = own->ladder_rows;
		if (own->first_slot != 0)
			fc->ladder_first = &fc->e->first_rows[
				(size_t)(own->first_slot - 1) *
				ENGINE_LADDER_FIRST_ROWS];
	}
}

/*
 * A row without its uid and conn_state, the two a page's keep and order
 * never read (row_finish() adds them): most flows a page passes over
 * need neither.
 */
static void row_start(const struct engine *e, struct engine_flow_row *r,
		      const struct flow *f)
{
	memset(r, 0, sizeof(*r));
	r->family = f->key.family;
	r->proto = f->key.proto;
	memcpy(r->orig, flow_addr(f, FLOW_ORIG), 16);
	memcpy(r->resp, flow_addr(f, FLOW_RESP), 16);
	r->orig_port = flow_port(f, FLOW_ORIG);
	r->resp_port = flow_port(f, FLOW_RESP);
	r->first_ts = f->first_ts;
	r->last_ts = f->last_ts;
	for (int d = 0; d < 2; d++) {
		r->pkts[d] = f->dir[d].pkts;
		r->bytes[d] = f->dir[d].ip_bytes;
	}
	if (!flow_is_tcp(f))
		return;
	for (int d = 0; d < 2; d++) {
		r->state[d] = f->u.tcp.ep[d].state;
		r->retrans[d] = f->u.tcp.ep[d].retrans_segs;
	}
	if (e->parts & ENGINE_FLOW_RTT)
		for (int d = 0; d < 2; d++)
			r->rtt_ns[d] = (int64_t)engine_flow_own_of(e, f)
					       ->srtt_us[d] * 1000;
}

static void row_finish(struct engine_flow_row *r, const struct flow *f)
{
	r->uid = flow_uid(f);
	flow_record_conn_state(f, r->conn_state);
}

/*
 * The flow's rate over the interval this take ends, measured from the
 * bytes it had at the interval's start: a flow that began within it has
 * none yet (it would be its bytes over part of a second).
 */
static void move_rate(const struct flow_copy *fc, const struct flow *f)
{
	struct engine_flow_own *own = engine_flow_own_to_write(fc->e, f);
	bool known = own->rate_interval != 0 &&
		     own->rate_interval == fc->e->rate_interval;

	for (int d = 0; d < 2; d++) {
		own->rate[d] = known ? (float)((double)(f->dir[d].ip_bytes -
							 own->base_bytes[d]) /
						fc->rate_seconds)
				     : -1.0f;
		own->base_bytes[d] = f->dir[d].ip_bytes;
	}
	own->rate_interval = fc->e->rate_interval + 1;
}

static void rate_of(const struct flow_copy *fc, const struct flow *f,
		    struct engine_flow_row *r)
{
	const struct engine_flow_own *own = engine_flow_own_of(fc->e, f);
	/* The latest interval's, this take's own if it ends one. */
	uint32_t latest = fc->e->rate_interval + (fc->rate_moves ? 1 : 0);
	/* Measured at the latest interval's end, or it began since. */
	bool known = own->rate_interval == latest && own->rate[0] >= 0;

	for (int d = 0; d < 2; d++)
		r->rate[d] = known ? own->rate[d] : -1;
}

/* ---- a page of flows: the first limit in the query's order */

/* Whether row a (key ka) goes after b (key kb): lower key, higher uid. */
static bool page_after(double ka, const struct engine_flow_row *a, double kb,
		       const struct engine_flow_row *b)
{
	if (ka != kb)
		return ka < kb;
	return a->uid > b->uid;
}

static void page_swap(struct engine_flow_row *rows, double *keys, size_t i,
		      size_t j)
{
	struct engine_flow_row r = rows[i];
	double k = keys[i];

	rows[i] = rows[j];
	keys[i] = keys[j];
	rows[j] = r;
	keys[j] = k;
}

/* A heap with the row that goes last at its root. */
static void page_sift_down(struct engine_flow_row *rows, double *keys,
			   size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, last = i;

		if (l < n && page_after(keys[l], &rows[l], keys[last], &rows[last]))
			last = l;
		if (r < n && page_after(keys[r], &rows[r], keys[last], &rows[last]))
			last = r;
		if (last == i)
			return;
		page_swap(rows, keys, i, last);
		i = last;
	}
}

static void page_sift_up(struct engine_flow_row *rows, double *keys, size_t i)
{
	while (i > 0) {
		size_t up = (i - 1) / 2;

		if (!page_after(keys[i], &rows[i], keys[up], &rows[up]))
			return;
		page_swap(rows, keys, i, up);
		i = up;
	}
}

/*
 * The row in its place among the first limit, or nowhere; finished only
 * if it may go in (a key equal to the last one's needs the uid).
 */
static void page_offer(struct flow_copy *fc, struct engine_flow_row *r,
		       const struct flow *f)
{
	struct engine_snapshot *s = fc->s;
	double *keys = fc->e->page_keys;
	double k = s->query.order != NULL
		   ? s->query.order(s->query.ctx, r, s->at)
		   : -(double)r->first_ts;

	if (s->n_flows < fc->page) {
		row_finish(r, f);
		s->flows[s->n_flows] = *r;
		keys[s->n_flows] = k;
		page_sift_up(s->flows, keys, s->n_flows++);
		return;
	}
	if (s->n_flows == 0 || k < keys[0])
		return;
	row_finish(r, f);
	if (page_after(keys[0], &s->flows[0], k, r)) {
		s->flows[0] = *r;
		keys[0] = k;
		page_sift_down(s->flows, keys, s->n_flows, 0);
	}
}

/* The heap into order, first first: the last-going root to the back. */
static void page_sort(struct engine_flow_row *rows, double *keys, size_t n)
{
	while (n > 1) {
		page_swap(rows, keys, 0, --n);
		page_sift_down(rows, keys, n, 0);
	}
}

static void copy_flow(void *ctx, const struct flow *f)
{
	struct flow_copy *fc = ctx;
	struct engine_snapshot *s = fc->s;
	struct engine_flow_row row;

	tally_flow(fc, f);
	if (fc->rank != NULL)
		trouble_rank_add_live(fc->rank, f);
	if (fc->rate_moves)
		move_rate(fc, f);
	if (!(s->parts & SNAPSHOT_FLOWS))
		return;
	if (s->query.limit == 0) {
		if (s->n_flows >= s->cap_flows) {
			fc->oom = true; /* flows came since they were counted */
			return;
		}
		row_start(fc->e, &s->flows[s->n_flows], f);
		row_finish(&s->flows[s->n_flows], f);
		if (fc->e->parts & ENGINE_FLOW_RATE)
			rate_of(fc, f, &s->flows[s->n_flows]);
		s->n_flows++;
		s->n_flows_matched++;
		return;
	}
	row_start(fc->e, &row, f);
	if (fc->e->parts & ENGINE_FLOW_RATE)
		rate_of(fc, f, &row);
	if (s->query.keep != NULL && !s->query.keep(s->query.ctx, &row))
		return;
	s->n_flows_matched++;
	page_offer(fc, &row, f);
}

static int flow_row_order(const void *pa, const void *pb)
{
	const struct engine_flow_row *a = pa, *b = pb;

	if (a->first_ts != b->first_ts)
		return a->first_ts < b->first_ts ? -1 : 1;
	return a->uid < b->uid ? -1 : a->uid > b->uid;
}

/* The ended connections' ranking, to which live ones are added. */
static struct trouble_rank *live_ranking(struct engine *e)
{
	const struct trouble_row *rows;
	size_t n;

	if (e->rank == NULL)
		return NULL;
	if (e->snap_rank == NULL &&
	    (e->snap_rank = trouble_rank_new(e->top_n)) == NULL)
		return NULL;
	trouble_rank_clear(e->snap_rank);
	rows = trouble_rank_rows(e->rank, &n);
	for (size_t i = 0; i < n; i++)
		trouble_rank_add_row(e->snap_rank, &rows[i]);
	return e->snap_rank;
}

/* How many rows uid wrote, if it is among the last to end; else NULL. */
static const struct engine_ended_rows *ended_rows(const struct engine *e,
						  uint64_t uid)
{
	for (size_t i = 0; i < e->ended_cap; i++)
		if (e->ended[i].uid == uid)
			return &e->ended[i];
	return NULL;
}

static size_t ring_next(const struct engine *e, size_t j)
{
	return j + 1 == e->history_cap ? 0 : j + 1;
}

/* What a take knows of the wanted connection's rows, wherever kept. */
struct ladder_parts {
	uint64_t total;                 /* rows it wrote; UNKNOWN: not known */
	const struct ladder_row *first; /* its first rows */
	size_t n_first;
	size_t in_ring, in_watch;       /* its newest rows each holds */
};

/* The wanted connection's rows still in the history ring. */
static size_t ring_count(const struct engine *e, uint64_t uid)
{
	size_t n = e->history_total < e->history_cap
		   ? (size_t)e->history_total : e->history_cap;
	size_t found = 0;

	for (size_t j = 0; j < n; j++)
		found += e->history_uid[j] == uid;
	return found;
}

static void ring_copy(const struct engine *e, uint64_t uid,
		      struct ladder_row *out)
{
	size_t n = e->history_total < e->history_cap
		   ? (size_t)e->history_total : e->history_cap;
	size_t at = e->history_total < e->history_cap ? 0 : e->history_next;

	for (size_t i = 0, j = at; i < n; i++, j = ring_next(e, j))
		if (e->history_uid[j] == uid)
			*out++ = e->history[j];
}

/* The watch's rows, oldest first. */
static void watch_copy(const struct engine_ladder_watch *w, size_t n,
		       struct ladder_row *out)
{
	size_t at = (w->next + w->cap - n) % w->cap;

	for (size_t i = 0; i < n; i++, at = at + 1 == w->cap ? 0 : at + 1)
		out[i] = w->rows[at];
}

static void ladder_parts_of(const struct engine *e, uint64_t uid,
			    const struct flow_copy *fc, struct ladder_parts *p)
{
	const struct engine_ladder_watch *w = &e->watch;
	const struct engine_ended_rows *x;
	bool watched = w->uid == uid;

	memset(p, 0, sizeof(*p));
	p->in_ring = ring_count(e, uid);
	if (watched)
		p->in_watch = w->written < w->cap ? (size_t)w->written : w->cap;
	if (watched && w->n_first > 0) {
		p->first = w->first;
		p->n_first = w->n_first;
	}
	if (fc->ladder_live) {
		p->total = fc->ladder_rows;
		if (fc->ladder_first != NULL) {
			p->first = fc->ladder_first;
			p->n_first = p->total < ENGINE_LADDER_FIRST_ROWS
				     ? (size_t)p->total
				     : ENGINE_LADDER_FIRST_ROWS;
		}
	} else if (watched && w->ended) {
		p->total = w->conn_rows;
	} else if ((x = ended_rows(e, uid)) != NULL) {
		p->total = x->rows;
	} else {
		p->total = e->history_total <= e->history_cap
			   ? p->in_ring : ENGINE_LADDER_UNKNOWN;
	}
}

/*
 * The wanted connection's ladder: its first rows, then its newest from
 * the watch or the ring (both hold its newest, so the one holding more
 * holds all the other does), and the count of those between not kept.
 */
static bool take_ladder(struct engine *e, struct engine_snapshot *s,
			const struct flow_copy *fc)
{
	struct ladder_parts p;
	size_t newest, first = 0;
	uint64_t before, not_kept = ENGINE_LADDER_UNKNOWN;

	s->ladder_first_refused = e->first_refused;
	s->ladder_live = fc->ladder_live;
	if (e->history == NULL || s->ladder_uid == 0) {
		s->n_ladder = s->ladder_gap_at = 0;
		s->ladder_not_kept = 0;
		return true;
	}
	engine_watch_ladder(e, s->ladder_uid);
	ladder_parts_of(e, s->ladder_uid, fc, &p);
	newest = p.in_watch > p.in_ring ? p.in_watch : p.in_ring;
	if (p.total != ENGINE_LADDER_UNKNOWN) {
		before = p.total - newest;      /* rows older than the newest */
		first = before < p.n_first ? (size_t)before : p.n_first;
		not_kept = before - first;
	}
	if (!reserve(&s->ladder, &s->cap_ladder, first + newest,
		     sizeof(*s->ladder)))
		return false;
	s->ladder_not_kept = not_kept;
	for (size_t i = 0; i < first; i++)
		s->ladder[i] = p.first[i];
	if (p.in_watch > p.in_ring)
		watch_copy(&e->watch, newest, s->ladder + first);
	else
		ring_copy(e, s->ladder_uid, s->ladder + first);
	s->n_ladder = first + newest;
	s->ladder_gap_at = first;
	return true;
}

/* Room for the rows the take may list: every flow, or a page. */
static bool flows_room(struct engine *e, struct engine_snapshot *s,
		       struct flow_copy *fc)
{
	size_t limit = s->query.limit;

	if (!(s->parts & SNAPSHOT_FLOWS))
		return true;
	if (limit == 0) {
		analyzer_foreach_flow(e->a, count_flow, fc);
		return reserve(&s->flows, &s->cap_flows, fc->counted,
			       sizeof(*s->flows));
	}
	/* The page's rows, at most as many as there are flows. */
	if (limit > analyzer_flow_count(e->a))
		limit = analyzer_flow_count(e->a);
	fc->page = limit;
	return reserve(&s->flows, &s->cap_flows, limit, sizeof(*s->flows)) &&
	       reserve(&e->page_keys, &e->cap_page_keys, limit,
		       sizeof(*e->page_keys));
}

/*
 * Whether this take ends a rate interval: a second or more of capture
 * time since the last one ended (the first take only starts one).
 */
static void rate_interval(struct engine *e, struct flow_copy *fc)
{
	int64_t now = analyzer_now(e->a);

	if (!(e->parts & ENGINE_FLOW_RATE) ||
	    (e->rate_interval != 0 && now - e->rate_base_at < 1000000000LL))
		return;
	fc->rate_moves = true;
	fc->rate_seconds = (double)(now - e->rate_base_at) / 1e9;
}

static bool take_flows(struct engine *e, struct engine_snapshot *s)
{
	struct flow_copy fc = {.e = e, .s = s};

	s->n_flows = 0;
	s->n_flows_matched = 0;
	if (!flows_room(e, s, &fc))
		return false;
	if (s->parts & SNAPSHOT_RANKING) {
		fc.rank = live_ranking(e);
		if (e->rank != NULL && fc.rank == NULL)
			return false;
	}
	rate_interval(e, &fc);
	/* Also without flows or ranking: half_open and the ladder need it. */
	analyzer_foreach_flow(e->a, copy_flow, &fc);
	if (fc.rate_moves) {
		e->rate_interval++;
		e->rate_base_at = analyzer_now(e->a);
	}
	s->rates.half_open = fc.half_open;
	if (s->query.limit > 0)
		page_sort(s->flows, e->page_keys, s->n_flows);
	else if (s->n_flows > 1)
		qsort(s->flows, s->n_flows, sizeof(*s->flows), flow_row_order);
	return !fc.oom && take_ladder(e, s, &fc);
}

/* ------------------------------------------------------------ sockets */

/* The counts kept as flows change: the hosts' rows only, no walk. */
static bool take_socket_counts(struct engine *e, struct engine_snapshot *s)
{
	const struct host_state_row *rows;
	size_t n_rows;

	if (!host_counts_take(e->counts, analyzer_now(e->a)))
		return false;
	rows = host_counts_rows(e->counts, &n_rows);
	if (!reserve(&s->hosts, &s->cap_hosts, n_rows, sizeof(*rows)))
		return false;
	if (n_rows > 0)
		memcpy(s->hosts, rows, n_rows * sizeof(*rows));
	s->n_hosts = n_rows;
	s->hosts_left_out = host_counts_summary(e->counts);
	s->hosts_not_counted = host_counts_not_counted(e->counts);
	return true;
}

static bool take_sockets(struct engine *e, struct engine_snapshot *s)
{
	const struct host_socket *sk;
	const struct host_state_row *rows;
	size_t n_sk, n_rows;

	s->n_sockets = s->n_hosts = 0;
	s->hosts_not_counted = 0;
	if (e->hosts == NULL || !(s->parts & SNAPSHOT_SOCKETS))
		return true;
	if (e->counts != NULL && !e->finished)
		return take_socket_counts(e, s);
	/* After the end the table stays as the capture left it. */
	if (!e->finished)
		host_states_take(e->hosts, e->a);
	sk = host_states_sockets(e->hosts, &n_sk);
	rows = host_states_rows(e->hosts, &n_rows);
	if (host_states_out_of_memory(e->hosts) ||
	    !reserve(&s->sockets, &s->cap_sockets, n_sk, sizeof(*sk)) ||
	    !reserve(&s->hosts, &s->cap_hosts, n_rows, sizeof(*rows)))
		return false;
	if (n_sk > 0)
		memcpy(s->sockets, sk, n_sk * sizeof(*sk));
	if (n_rows > 0)
		memcpy(s->hosts, rows, n_rows * sizeof(*rows));
	s->n_sockets = n_sk;
	s->n_hosts = n_rows;
	s->hosts_left_out = host_states_summary(e->hosts);
	return true;
}

/* ------------------------------------------------------------ findings */

/* The finding keyed key in the previous take, or NULL. */
static const struct engine_finding *previous(const struct engine_finding *old,
					     size_t n_old, uint32_t key)
{
	for (size_t i = 0; i < n_old; i++)
		if (old[i].finding.key == key)
			return &old[i];
	return NULL;
}

static enum finding_change change_of(const struct engine_finding *was,
				     const struct finding *now)
{
	if (was == NULL)
		return FINDING_CHANGE_NEW;
	if (was->finding.ongoing && !now->ongoing)
		return FINDING_CHANGE_RESOLVED;
	if (was->finding.value != now->value ||
	    was->finding.last_ts != now->last_ts ||
	    was->finding.flow_count != now->flow_count ||
	    was->finding.ongoing != now->ongoing)
		return FINDING_CHANGE_UPDATED;
	return FINDING_CHANGE_SAME;
}

/* The current list's entry keyed key, or NULL. */
static const struct finding *current(const struct finding *list, size_t n,
				     uint32_t key)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].key == key)
			return &list[i];
	return NULL;
}

/*
 * Those of the previous take the list no longer has: folded into the
 * detectors' counts (a resolved finding, see detect_reclaim.c), else
 * withdrawn.  Each is carried once, then dropped.
 */
static size_t carry_gone(const struct engine_snapshot *s,
			 const struct detectors *det,
			 const struct finding *list, size_t n,
			 struct engine_finding *out)
{
	size_t kept = 0;

	for (size_t i = 0; i < s->n_findings; i++) {
		uint32_t key = s->findings[i].finding.key;

		if (s->findings[i].change == FINDING_CHANGE_WITHDRAWN ||
		    s->findings[i].change == FINDING_CHANGE_FOLDED ||
		    current(list, n, key) != NULL)
			continue;
		out[kept] = s->findings[i];
		out[kept].finding.ongoing = false;
		out[kept].change = detectors_finding_folded(det, key)
				   ? FINDING_CHANGE_FOLDED
				   : FINDING_CHANGE_WITHDRAWN;
		kept++;
	}
	return kept;
}

/*
 * The detectors' findings as the capture's quality so far leaves them,
 * as the final report will (quality_policy.h): a live line never calls
 * a warning what the report calls info.  NULL when memory ran out.
 */
static const struct finding *judged(struct engine *e,
				    const struct finding *list, size_t *n)
{
	struct quality_policy_result *p = e->snap_policy;
	struct finding *room;

	if (e->quality == NULL)
		return list;
	if (p == NULL && (p = e->snap_policy = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	room = realloc(p->findings, (*n + 1) * sizeof(*room));
	if (room == NULL)
		return NULL;
	p->findings = room;
	quality_policy_apply(&e->cfg_detect, capture_quality_report(e->quality),
			     analyzer_get_stats(e->a), list, *n, p);
	*n = p->n_findings;
	return p->findings;
}

static bool take_findings(struct engine *e, struct engine_snapshot *s)
{
	struct engine_finding *fresh;
	const struct finding *list;
	size_t n, gone, cap;

	memset(s->findings_by_severity, 0, sizeof(s->findings_by_severity));
	if (e->det == NULL || !(s->parts & SNAPSHOT_FINDINGS)) {
		s->n_findings = 0;
		return true;
	}
	list = detectors_findings(e->det, &n);
	if (detectors_out_of_memory(e->det))
		return false;
	list = judged(e, list, &n);
	if (list == NULL)
		return false;
	cap = n + s->n_findings + 1;
	fresh = malloc(cap * sizeof(*fresh));
	if (fresh == NULL)
		return false;
	gone = carry_gone(s, e->det, list, n, fresh + n);
	for (size_t i = 0; i < n; i++) {
		fresh[i].finding = list[i];
		fresh[i].change = change_of(
			previous(s->findings, s->n_findings, list[i].key),
			&list[i]);
		if (list[i].ongoing && list[i].severity <= SEVERITY_CRITICAL)
			s->findings_by_severity[list[i].severity]++;
	}
	free(s->findings);
	s->findings = fresh;
	s->n_findings = n + gone;
	s->cap_findings = cap;
	s->suppressed = detectors_suppressed(e->det);
	s->not_tracked = detectors_not_tracked(e->det);
	s->folded = detectors_folded_total(e->det);
	return true;
}

/* ------------------------------------------------------------ ranking */

static bool take_ranking(struct engine *e, struct engine_snapshot *s)
{
	struct trouble_rank *tr = e->finished ? e->rank : e->snap_rank;
	const struct trouble_row *rows;
	size_t n;

	s->n_top = 0;
	if (tr == NULL || !(s->parts & SNAPSHOT_RANKING))
		return true;
	rows = trouble_rank_rows(tr, &n);
	if (!reserve(&s->top, &s->cap_top, n, sizeof(*rows)))
		return false;
	if (n > 0)
		memcpy(s->top, rows, n * sizeof(*rows));
	s->n_top = n;
	return true;
}

void engine_snapshot_want_flows(struct engine_snapshot *s,
				const struct engine_flow_query *q)
{
	if (q == NULL)
		memset(&s->query, 0, sizeof(s->query));
	else
		s->query = *q;
}

void engine_snapshot_want_ladder(struct engine_snapshot *s, uint64_t uid)
{
	if (uid == s->ladder_uid)
		return;
	s->ladder_uid = uid;
	s->n_ladder = 0;
	s->ladder_gap_at = 0;
	s->ladder_not_kept = 0;
}

static void take_rates(struct engine *e, struct engine_snapshot *s)
{
	uint64_t kinds[3] = {0, 0, 0};

	s->rates = e->rates;
	memset(s->rates.resets, 0, sizeof(s->rates.resets));
	if (e->det != NULL) {
		detectors_retransmissions(e->det, kinds);
		detectors_resets(e->det, s->rates.resets);
	}
	s->rates.retrans_timeout = kinds[0];
	s->rates.retrans_fast = kinds[1];
	s->rates.retrans_spurious = kinds[2];
}

bool engine_snapshot_take(struct engine *e, struct engine_snapshot *s)
{
	take_rates(e, s);
	s->at = analyzer_now(e->a);
	s->finished = e->finished;
	s->counters = *analyzer_get_stats(e->a);
	s->defrag = *analyzer_defrag_stats(e->a);
	return take_flows(e, s) && take_sockets(e, s) &&
	       take_findings(e, s) && take_ranking(e, s);
}
