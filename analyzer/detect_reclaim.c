/*
 * The bounded finding store: on a live run of days every
 * subject ever seen would keep a group, and past max_groups a new
 * problem would go untracked.  Near the bound, first the groups that
 * can no longer fire are forgotten (their unit's reclaimable op says
 * so: nothing names them, their evidence is older than their window),
 * then the fired findings resolved and quiet longest are folded into
 * counts by finding id (detectors_folded()).  An ongoing finding, one
 * still counting live, and one listed as part of another (a scan's
 * refused ports, a full accept queue's) are never folded.
 */
#include "detect_internal.h"

#include <stdlib.h>

/* A quarter of the room free again is enough until the next time. */
static size_t reclaim_target(const struct detectors *d)
{
	return (size_t)d->max_groups * 3 / 4;
}

static bool unit_may_forget(const struct detectors *d,
			    const struct det_group *g)
{
	const struct detector_ops *u = detect_unit_of(g->key.id);

	return u != NULL && u->reclaimable != NULL &&
	       u->reclaimable(g, d->now, &d->cfg);
}

static void forget(struct detectors *d, struct det_group *g, bool folded)
{
	const struct detector_ops *u = detect_unit_of(g->key.id);

	if (u->forget != NULL)
		u->forget(d, g);
	group_release(d, g, folded);
}

/* A fired g whose finding is over and stands alone in the list. */
static bool may_fold(struct detectors *d, const struct det_group *g)
{
	const struct detector_ops *u = detect_unit_of(g->key.id);

	return d->now - g->last_ts >= DET_FOLD_QUIET_NS &&
	       !group_ongoing(d, g) &&
	       !(u->live_pending != NULL && u->live_pending(g)) &&
	       group_scanner(d, g) == NULL &&
	       det_accept_queue_explains(d, g) == NULL &&
	       unit_may_forget(d, g);
}

static void fold_count(struct detectors *d, const struct det_group *g)
{
	struct detect_folded *c = &d->folded[g->key.id];
	struct finding f;

	group_describe(d, g, &f);
	if (c->count == 0 || f.first_ts < c->first_ts)
		c->first_ts = f.first_ts;
	if (c->count == 0 || f.last_ts > c->last_ts)
		c->last_ts = f.last_ts;
	c->count++;
	if (f.severity <= SEVERITY_CRITICAL)
		c->by_severity[f.severity]++;
}

/* Groups that never fired and can no longer: forgotten, not counted. */
static void forget_unfired(struct detectors *d)
{
	for (size_t i = 0; i < d->n_groups; i++) {
		struct det_group *g = group_by_number(d, (uint32_t)i);

		if (g->in_use && g->finding < 0 && unit_may_forget(d, g))
			forget(d, g, false);
	}
}

/* A fired group that may be folded, by its last event. */
struct fold_candidate {
	int64_t last_ts;
	uint32_t number;
};

static int older_first(const void *pa, const void *pb)
{
	const struct fold_candidate *a = pa, *b = pb;

	if (a->last_ts != b->last_ts)
		return a->last_ts < b->last_ts ? -1 : 1;
	return a->number < b->number ? -1 : a->number > b->number;
}

/*
 * Fired groups that may go, oldest last event first, until the target:
 * withdrawn ones silently (nothing of them is listed), the others
 * folded into counts.  Then the fired list closes up, in firing order.
 */
static void fold_fired(struct detectors *d)
{
	struct fold_candidate *cand = malloc((d->n_fired + 1) * sizeof(*cand));
	size_t n = 0, kept = 0;

	if (cand == NULL) {
		d->oom = true;
		return;
	}
	for (size_t i = 0; i < d->n_fired; i++) {
		struct det_group *g = group_by_number(d, d->fired[i]);

		if (may_fold(d, g))
			cand[n++] = (struct fold_candidate){g->last_ts, g->number};
	}
	qsort(cand, n, sizeof(*cand), older_first);
	for (size_t i = 0; i < n && d->n_live > reclaim_target(d); i++) {
		struct det_group *g = group_by_number(d, cand[i].number);
		bool withdrawn = group_withdrawn(g);

		if (!withdrawn)
			fold_count(d, g);
		g->finding = -2;        /* out of the list below */
		forget(d, g, !withdrawn);
	}
	free(cand);
	for (size_t i = 0; i < d->n_fired; i++) {
		struct det_group *g = group_by_number(d, d->fired[i]);

		if (g->in_use && g->finding >= 0) {
			g->finding = (int32_t)kept;
			d->fired[kept++] = d->fired[i];
		}
	}
	d->n_fired = kept;
}

bool det_reclaimable_count(const struct det_group *g, int64_t now,
			   const struct detect_config *cfg)
{
	(void)cfg;
	return g->finding >= 0 || det_quiet_since(g, now, DET_FORGET_NS);
}

void det_reclaim(struct detectors *d)
{
	d->reclaim_due = false;
	d->reclaim_after = d->now + DET_TICK_NS;
	forget_unfired(d);
	if (d->n_live > reclaim_target(d))
		fold_fired(d);
}
