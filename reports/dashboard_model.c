/*
 * The display model: each fresh snapshot merged in.  Hosts keep their
 * sparkline history by host, connections get their rates from the
 * previous snapshot by uid, and findings are kept by key, so that one
 * that moves changes in place (snapshots taken into rotating buffers
 * carry change marks against another take: they are not used).
 */
#include "dashboard_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host_label.h"

#define NS_PER_SEC 1000000000LL

struct dash_model *dash_model_new(const struct dash_info *info)
{
	struct dash_model *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->info = *info;
	m->have_rtt = info->rtt;
	return m;
}

void dash_model_free(struct dash_model *m)
{
	if (m == NULL)
		return;
	free(m->conns);
	free(m->findings);
	free(m->order);
	free(m->detail);
	free(m->ladder);
	free(m->candidates);
	free(m);
}

static bool room(void **p, size_t *cap, size_t want, size_t size)
{
	void *n;
	size_t c = *cap == 0 ? 64 : *cap;

	if (want <= *cap)
		return true;
	if (want > SIZE_MAX / size)
		return false;
	while (c < want)
		c = c > SIZE_MAX / 2 ? want : c * 2;
	if (c > SIZE_MAX / size)
		c = want;
	n = realloc(*p, c * size);
	if (n == NULL)
		return false;
	*p = n;
	*cap = c;
	return true;
}

bool dash_order_room(struct dash_model *m, size_t n)
{
	return room((void **)&m->order, &m->cap_order, n + 1,
		    sizeof(*m->order));
}

static struct dash_host *host_find(struct dash_model *m,
				   const struct host_state_row *r)
{
	for (size_t i = 0; i < m->n_hosts; i++) {
		struct dash_host *h = &m->hosts[i];

		if (h->family == r->family && h->tunnel == r->tunnel &&
		    memcmp(h->addr, r->addr, 16) == 0)
			return h;
	}
	return NULL;
}

/* A host with no sockets and no history for a minute makes room. */
static void hosts_drop_quiet(struct dash_model *m)
{
	size_t kept = 0;

	for (size_t i = 0; i < m->n_hosts; i++) {
		if (!m->hosts[i].present && m->hosts[i].quiet >= DASH_HISTORY)
			continue;
		if (kept != i)
			m->hosts[kept] = m->hosts[i];
		kept++;
	}
	m->n_hosts = kept;
}

static void host_admit(struct dash_host *h, const struct host_state_row *r)
{
	memset(h, 0, sizeof(*h));
	h->family = r->family;
	h->tunnel = r->tunnel;
	memcpy(h->addr, r->addr, 16);
	host_label_text(r->family, r->addr, r->tunnel, NULL, h->label,
			sizeof(h->label));
}

/*
 * The host a full table gives up: one absent from the snapshot (the
 * longest quiet first), else the present one with the least trouble,
 * then the fewest sockets: the panel's own order, from the bottom.
 */
static struct dash_host *host_least(struct dash_model *m)
{
	struct dash_host *least = &m->hosts[0];

	for (size_t i = 1; i < m->n_hosts; i++) {
		struct dash_host *h = &m->hosts[i];

		if (h->present != least->present) {
			if (!h->present)
				least = h;
			continue;
		}
		if (!h->present ? h->quiet > least->quiet
				: h->trouble < least->trouble ||
					  (h->trouble == least->trouble &&
					   h->total < least->total))
			least = h;
	}
	return least;
}

static int most_trouble_first(const void *a, const void *b)
{
	const struct host_candidate *x = a, *y = b;

	if (x->trouble != y->trouble)
		return x->trouble < y->trouble ? 1 : -1;
	return (x->row > y->row) - (x->row < y->row);
}

/*
 * The snapshot's hosts the table does not hold yet, most trouble first
 * (then the snapshot's order: most sockets), take the free rows, then
 * the rows of absent hosts, then those of present hosts with less
 * trouble: a host whose CLOSE_WAIT grows late in a capture with many
 * hosts is shown.  Its history starts empty.  Equal trouble never
 * displaces: a host shown keeps its history.
 */
static void hosts_admit(struct dash_model *m, const struct engine_snapshot *s,
			struct host_candidate *c, size_t n)
{
	qsort(c, n, sizeof(*c), most_trouble_first);
	for (size_t i = 0; i < n; i++) {
		const struct host_state_row *r = &s->hosts[c[i].row];
		struct dash_host *h;

		if (m->n_hosts < DASH_MAX_HOSTS) {
			h = &m->hosts[m->n_hosts++];
		} else {
			h = host_least(m);
			if (h->present && h->trouble >= c[i].trouble) {
				m->hosts_untracked += n - i;
				return;
			}
			if (h->present)
				m->hosts_untracked++;
		}
		host_admit(h, r);
		h->present = true;
		memcpy(h->count, r->count, sizeof(h->count));
		h->total = r->total;
		h->trouble = c[i].trouble;
	}
}

static bool hosts_merge(struct dash_model *m, const struct engine_snapshot *s)
{
	size_t n_new = 0;

	if (!room((void **)&m->candidates, &m->cap_candidates, s->n_hosts + 1,
		  sizeof(*m->candidates)))
		return false;
	m->hosts_untracked = 0;
	m->hosts_left_out = s->hosts_left_out;
	m->sockets_not_counted = s->hosts_not_counted;
	for (size_t i = 0; i < m->n_hosts; i++) {
		m->hosts[i].present = false;
		memset(m->hosts[i].count, 0, sizeof(m->hosts[i].count));
		m->hosts[i].total = 0;
		m->hosts[i].trouble = 0;
	}
	for (size_t i = 0; i < s->n_hosts; i++) {
		const struct host_state_row *r = &s->hosts[i];
		struct dash_host *h = host_find(m, r);

		if (h == NULL) {
			m->candidates[n_new].trouble = host_state_row_trouble(r);
			m->candidates[n_new++].row = i;
			continue;
		}
		h->present = true;
		memcpy(h->count, r->count, sizeof(h->count));
		h->total = r->total;
		h->trouble = host_state_row_trouble(r);
	}
	hosts_admit(m, s, m->candidates, n_new);
	return true;
}

/* Per second: each host's and each rate's sample. */
static void sample_second(struct dash_model *m)
{
	for (size_t i = 0; i < m->n_hosts; i++) {
		struct dash_host *h = &m->hosts[i];
		bool any = h->total > 0;

		dash_history_push(&h->hist[DASH_SPARK_SYN_RECV],
				  h->count[TCP_STATE_SYN_RECV]);
		dash_history_push(&h->hist[DASH_SPARK_CLOSE_WAIT],
				  h->count[TCP_STATE_CLOSE_WAIT]);
		dash_history_push(&h->hist[DASH_SPARK_TIME_WAIT],
				  h->count[TCP_STATE_TIME_WAIT]);
		h->delta = (int64_t)h->total - (int64_t)h->last_total;
		h->last_total = h->total;
		h->quiet = any ? 0 : h->quiet + 1;
	}
	hosts_drop_quiet(m);
	for (int r = 0; r < DASH_RATE_COUNT; r++)
		if (m->rate_known[r])
			dash_history_push(&m->rate_hist[r],
					  (uint32_t)(m->rate_now[r] + 0.5));
}

static void rates_take(struct dash_model *m, const struct engine_snapshot *s,
		       const struct live_counts *c)
{
	uint64_t cum[DASH_RATE_COUNT];
	bool known[DASH_RATE_COUNT];
	double dt;

	dash_rates_read(s, c, cum, known);
	if (m->sample_at == 0) {
		m->sample_at = s->at;
		memcpy(m->rate_cum, cum, sizeof(cum));
		memcpy(m->rate_known, known, sizeof(known));
		return;
	}
	if (s->at - m->sample_at < NS_PER_SEC)
		return;
	dt = (double)(s->at - m->sample_at) / NS_PER_SEC;
	for (int r = 0; r < DASH_RATE_COUNT; r++) {
		m->rate_known[r] = known[r];
		if (dash_rate_is_gauge(r))
			m->rate_now[r] = (double)cum[r];
		else
			m->rate_now[r] = cum[r] >= m->rate_cum[r]
				? (double)(cum[r] - m->rate_cum[r]) / dt : 0;
	}
	memcpy(m->rate_cum, cum, sizeof(cum));
	sample_second(m);
	m->sample_at = s->at;
}

/*
 * The rows the engine listed: the first of its live flows in the order
 * and filter the display asked for (dash_conns_want()), as many as it
 * asked, with how many it matched in all.
 */
static bool conns_take(struct dash_model *m, const struct engine_snapshot *s)
{
	if (!room((void **)&m->conns, &m->cap_conns, s->n_flows + 1,
		  sizeof(*m->conns)))
		return false;
	if (s->n_flows > 0)
		memcpy(m->conns, s->flows, s->n_flows * sizeof(*m->conns));
	m->n_conns = s->n_flows;
	m->conns_matched = s->n_flows_matched;
	m->conns_query_known = s->query.order == dash_conn_order &&
			       s->query.ctx != NULL;
	if (m->conns_query_known)
		m->conns_query = *(const struct dash_conn_query *)s->query.ctx;
	return true;
}

static struct dash_finding *finding_find(struct dash_model *m, uint32_t key)
{
	for (size_t i = 0; i < m->n_findings; i++)
		if (m->findings[i].f.key == key)
			return &m->findings[i];
	return NULL;
}

/*
 * An update is what a person reads as one: the finding's measures moved
 * (its value, its connections, ongoing or resolved).  A finding seen
 * again, last_ts alone moving, is not.
 */
static bool moved(const struct finding *was, const struct finding *now)
{
	return was->value != now->value ||
	       was->flow_count != now->flow_count ||
	       was->ongoing != now->ongoing;
}

static const struct engine_finding *in_snapshot(
	const struct engine_snapshot *s, uint32_t key)
{
	for (size_t i = 0; i < s->n_findings; i++)
		if (s->findings[i].finding.key == key)
			return &s->findings[i];
	return NULL;
}

/*
 * Kept in place by key; gone from the snapshot, or listed as folded or
 * withdrawn (once, by the take that saw it go): left out.
 */
static bool findings_take(struct dash_model *m,
			  const struct engine_snapshot *s)
{
	size_t kept = 0;

	for (size_t i = 0; i < m->n_findings; i++) {
		const struct engine_finding *ef =
			in_snapshot(s, m->findings[i].f.key);

		if (ef == NULL || ef->change == FINDING_CHANGE_WITHDRAWN ||
		    ef->change == FINDING_CHANGE_FOLDED)
			continue;
		if (kept != i)
			m->findings[kept] = m->findings[i];
		kept++;
	}
	m->n_findings = kept;
	if (!room((void **)&m->findings, &m->cap_findings,
		  m->n_findings + s->n_findings + 1, sizeof(*m->findings)))
		return false;
	for (size_t i = 0; i < s->n_findings; i++) {
		const struct engine_finding *ef = &s->findings[i];
		struct dash_finding *d;

		if (ef->change == FINDING_CHANGE_WITHDRAWN ||
		    ef->change == FINDING_CHANGE_FOLDED)
			continue;
		d = finding_find(m, ef->finding.key);
		if (d == NULL) {
			d = &m->findings[m->n_findings++];
			d->seq = ++m->next_seq;
			d->updates = 0;
		} else if (moved(&d->f, &ef->finding)) {
			d->updates++;
		}
		d->f = ef->finding;
	}
	return true;
}

static bool ladder_take(struct dash_model *m, const struct engine_snapshot *s)
{
	if (!room((void **)&m->ladder, &m->cap_ladder, s->n_ladder + 1,
		  sizeof(*m->ladder)))
		return false;
	if (s->n_ladder > 0)
		memcpy(m->ladder, s->ladder, s->n_ladder * sizeof(*m->ladder));
	m->n_ladder = s->n_ladder;
	m->ladder_uid = s->ladder_uid;
	m->ladder_live = s->ladder_live;
	m->ladder_not_kept = s->ladder_not_kept;
	m->ladder_gap_at = s->ladder_gap_at;
	return true;
}

/*
 * The memory a frame needs, asked for before any of it is taken (the
 * connections ask first in conns_take): a frame that cannot be taken
 * leaves the model as the last one did.
 */
static bool frame_room(struct dash_model *m, const struct engine_snapshot *s)
{
	return room((void **)&m->findings, &m->cap_findings,
		    m->n_findings + s->n_findings + 1, sizeof(*m->findings)) &&
	       room((void **)&m->ladder, &m->cap_ladder, s->n_ladder + 1,
		    sizeof(*m->ladder)) &&
	       room((void **)&m->candidates, &m->cap_candidates,
		    s->n_hosts + 1, sizeof(*m->candidates));
}

bool dash_model_update(struct dash_model *m, const struct engine_snapshot *s,
		       const struct live_counts *counts, uint64_t flows,
		       bool ended)
{
	m->out_of_memory = !frame_room(m, s) || !conns_take(m, s) ||
			   !findings_take(m, s) || !ladder_take(m, s) ||
			   !hosts_merge(m, s);
	if (m->out_of_memory)
		return false;
	rates_take(m, s, counts);
	m->counts = *counts;
	m->flows = flows;
	m->ended = ended;
	m->at = s->at;
	m->stats = s->counters;
	memcpy(m->by_severity, s->findings_by_severity, sizeof(m->by_severity));
	m->folded = s->folded;
	m->have_frame = true;
	return true;
}
