/*
 * Merging detectors values that saw different flows of one capture
 * (shards split by flow), as Zeek's SumStats merges the reducers of its
 * workers: each group of one is folded into the group of the same
 * subject in the other, its counters by rule (sum, max, min), its sets
 * and count maps by union, its sliding windows bucket by bucket, and the
 * merged group is judged against its threshold again.
 *
 * Sums come out as one value fed every flow would count them.  What a
 * merge cannot know is a peak (the most in a window, the most held at
 * once) that neither side reached alone but their sum did at some past
 * moment: it is the larger of both sides' peaks and of the merged state
 * now, so at least each side's and at most the true one.  Exact peaks
 * would need the sides to hand over their counts every bucket (SumStats'
 * epochs), which is the sharding driver's work.  Events counted before
 * their subject earned a group (group_earned()) add to the merged count
 * maps but not to a window; evidence is what each side listed.
 */
#include "detect_internal.h"

#include <string.h>

/* ------------------------------------------------------------ reducers */

/* r's bucket of the given age (0: the newest): its start and count. */
static void ring_bucket(const struct rate_ring *r, int age, int64_t width,
			int64_t *start, uint32_t *n)
{
	*start = r->start - age * width;
	*n = r->start != 0 ? r->n[(r->head + RATE_BUCKETS - age) % RATE_BUCKETS]
			   : 0;
}

/*
 * Both rings' buckets counted again into a new one, oldest first: its
 * buckets then start where the older ring's did, as those of one ring
 * fed every event would.
 */
void rate_merge(struct rate_ring *into, const struct rate_ring *from,
		int64_t window_ns)
{
	int64_t width = window_ns / RATE_BUCKETS;
	struct rate_ring both = {0};
	int age_a = RATE_BUCKETS - 1, age_b = RATE_BUCKETS - 1;

	if (width <= 0)
		width = 1;
	while (age_a >= 0 || age_b >= 0) {
		int64_t ta = 0, tb = 0;
		uint32_t na = 0, nb = 0;

		if (age_a >= 0)
			ring_bucket(into, age_a, width, &ta, &na);
		if (age_b >= 0)
			ring_bucket(from, age_b, width, &tb, &nb);
		if (age_b < 0 || (age_a >= 0 && ta <= tb)) {
			if (na != 0)
				rate_add(&both, ta, window_ns, na);
			age_a--;
		} else {
			if (nb != 0)
				rate_add(&both, tb, window_ns, nb);
			age_b--;
		}
	}
	*into = both;
}

bool hash_set_merge(struct hash_set *into, const struct hash_set *from)
{
	bool oom = false;

	for (uint32_t i = 0; from->slots != NULL && i <= from->mask; i++)
		if (from->slots[i] != 0)
			hash_set_add(into, from->slots[i], &oom);
	return !oom;
}

/* The slot of key h (h | 1, as stored), which is in m. */
static struct count_slot *count_map_slot(const struct count_map *m,
					 uint32_t h)
{
	uint32_t i;

	for (i = h & m->mask; m->slots[i].key != h; i = (i + 1) & m->mask)
		;
	return &m->slots[i];
}

bool count_map_merge(struct count_map *into, const struct count_map *from)
{
	for (uint32_t i = 0; from->slots != NULL && i <= from->mask; i++) {
		uint32_t key = from->slots[i].key, n = from->slots[i].count, now;

		if (key == 0 || n == 0)
			continue;
		if (!count_map_add(into, key, 1, &now))
			return false;
		if (now != 0) /* 0: the map is full, the key not counted */
			count_map_slot(into, key)->count += n - 1;
	}
	return true;
}

void det_reduce(struct det_group *into, const struct det_group *from,
		const struct det_reducer *table, size_t n)
{
	for (size_t r = 0; r < n; r++)
		for (size_t i = 0; i < table[r].n; i++) {
			size_t at = table[r].offset + i * 8;
			uint64_t a, b;

			memcpy(&a, into->state.bytes + at, 8);
			memcpy(&b, from->state.bytes + at, 8);
			switch ((enum det_reduce)table[r].how) {
			case DET_SUM:
				a += b;
				break;
			case DET_MAX:
				/* The counters hold no negative values. */
				a = b > a ? b : a;
				break;
			case DET_MIN_SET:
				a = a == 0 || (b != 0 && b < a) ? b : a;
				break;
			}
			memcpy(into->state.bytes + at, &a, 8);
		}
}

int det_merge_peak(struct det_group *into, const struct det_group *from,
		   uint64_t now_value)
{
	int won = 0;

	if (from->count > into->count) {
		into->count = from->count;
		won = 1;
	}
	if (now_value > into->count) {
		into->count = now_value;
		won = 2;
	}
	return won;
}

/* ------------------------------------------------------------ groups */

/* Adds from's listed frames (sorted or not) to into's, first ones kept. */
static void merge_frames(uint64_t *into, uint8_t *n_into, const uint64_t *from,
			 uint8_t n_from, size_t max)
{
	uint64_t all[2 * (FINDING_MAX_FRAMES > FINDING_MAX_PACKETS
				  ? FINDING_MAX_FRAMES : FINDING_MAX_PACKETS)];
	size_t n = 0;

	for (size_t i = 0; i < *n_into; i++)
		all[n++] = into[i];
	for (size_t i = 0; i < n_from; i++) {
		size_t j = 0;

		while (j < n && all[j] != from[i])
			j++;
		if (j == n)
			all[n++] = from[i];
	}
	/* Insertion sort: a dozen at most. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && all[j - 1] > all[j]; j--) {
			uint64_t t = all[j];

			all[j] = all[j - 1];
			all[j - 1] = t;
		}
	*n_into = (uint8_t)(n < max ? n : max);
	memcpy(into, all, *n_into * sizeof(*into));
}

/* The packet lines, in frame order, the first ones kept. */
static void merge_packets(struct det_group *into, const struct det_group *from)
{
	struct det_group both;
	uint8_t a = 0, b = 0, n = 0;

	while (n < FINDING_MAX_PACKETS &&
	       (a < into->n_packets || b < from->n_packets)) {
		bool take_a = b >= from->n_packets ||
			      (a < into->n_packets &&
			       into->packet_frames[a] <= from->packet_frames[b]);
		const struct det_group *src = take_a ? into : from;
		uint8_t i = take_a ? a++ : b++;

		both.packet_frames[n] = src->packet_frames[i];
		memcpy(both.packets[n++], src->packets[i], FINDING_PACKET_LEN);
	}
	into->n_packets = n;
	memcpy(into->packet_frames, both.packet_frames,
	       n * sizeof(both.packet_frames[0]));
	memcpy(into->packets, both.packets, n * FINDING_PACKET_LEN);
}

static void merge_evidence(struct det_group *into, const struct det_group *from)
{
	uint8_t listed = into->n_flows;

	/* The sides saw different flows: none counts twice. */
	into->flow_count += from->flow_count;
	client_tally_join(&into->clients, &from->clients);
	for (uint8_t i = 0; i < from->n_flows; i++) {
		bool known = false;

		for (uint8_t j = 0; j < listed; j++)
			known |= into->flows[j] == from->flows[i];
		if (!known && into->n_flows < FINDING_MAX_FLOWS)
			into->flows[into->n_flows++] = from->flows[i];
	}
	merge_frames(into->frames, &into->n_frames, from->frames,
		     from->n_frames, FINDING_MAX_FRAMES);
	merge_packets(into, from);
	if (into->n_times == 0) {
		into->times_uid = from->times_uid;
		into->n_times = from->n_times;
		memcpy(into->times, from->times, sizeof(into->times));
	}
}

/* What every group has, whatever its detector counts. */
static bool merge_common(struct det_group *into, const struct det_group *from)
{
	bool ok;

	if (from->first_ts < into->first_ts)
		into->first_ts = from->first_ts;
	if (from->last_ts > into->last_ts)
		into->last_ts = from->last_ts;
	if (from->threshold > into->threshold)
		into->threshold = from->threshold;
	ok = hash_set_merge(&into->set, &from->set);
	ok &= count_map_merge(&into->counts, &from->counts);
	if (from->has_party)
		group_note_party(into, from->party);
	into->parties_mixed |= from->parties_mixed;
	merge_evidence(into, from);
	return ok;
}

/* Fires g in d if it had fired on either side (live only if so on both). */
static void merge_fired(struct detectors *d, struct det_group *g,
			const struct det_group *from, bool was_fired,
			bool was_provisional)
{
	if ((was_fired && !was_provisional) ||
	    (from->finding >= 0 && !from->provisional))
		group_fire(d, g);
	else if (from->finding >= 0)
		group_fire_live(d, g);
}

static bool merge_group(struct detectors *d, const struct det_group *from,
			const struct detector_ops *u)
{
	struct det_group *g = group_get(d, &from->key, from->first_ts);
	bool was_fired, was_provisional, ok;

	/* Past max_groups it is counted as not tracked, as when fed. */
	if (g == NULL)
		return !d->oom;
	was_fired = g->finding >= 0;
	was_provisional = g->provisional;
	ok = merge_common(g, from);
	if (!u->count_peaks)
		g->count += from->count;
	det_reduce(g, from, u->reducers, u->n_reducers);
	if (u->merge != NULL)
		u->merge(d, g, from);
	merge_fired(d, g, from, was_fired, was_provisional);
	return ok;
}

/*
 * Judges a merged group against its threshold, once every group is
 * merged (one subject's verdict may read another's, as checksum_errors'
 * hosts read the count of hosts).
 */
static void merge_judge(struct detectors *d, const struct det_group *from,
			const struct detector_ops *u)
{
	struct det_group *g = group_find(d, &from->key);
	enum det_verdict v;

	if (g == NULL || u->verdict == NULL)
		return;
	v = u->verdict(d, g);
	if (v == DET_FIRES)
		group_fire(d, g);
	else if (v == DET_FIRES_LIVE)
		group_fire_live(d, g);
}

static const struct det_group *group_of(const struct detectors *d, size_t i)
{
	return &d->groups[i / DET_GROUP_CHUNK][i % DET_GROUP_CHUNK];
}

/* The findings each side folded into counts on its long run, summed. */
static void merge_folded(struct detectors *into, const struct detectors *from)
{
	for (int id = 0; id < FINDING_COUNT; id++) {
		struct detect_folded *a = &into->folded[id];
		const struct detect_folded *b = &from->folded[id];

		if (b->count == 0)
			continue;
		if (a->count == 0 || b->first_ts < a->first_ts)
			a->first_ts = b->first_ts;
		if (a->count == 0 || b->last_ts > a->last_ts)
			a->last_ts = b->last_ts;
		a->count += b->count;
		for (int sev = 0; sev < 3; sev++)
			a->by_severity[sev] += b->by_severity[sev];
	}
	into->reclaimed += from->reclaimed;
	into->seen_restarts += from->seen_restarts;
}

bool detectors_merge(struct detectors *into, const struct detectors *from)
{
	bool ok = true;

	if (from->now > into->now)
		into->now = from->now;
	for (size_t i = 0; i < from->n_groups; i++) {
		const struct det_group *g = group_of(from, i);
		const struct detector_ops *u = detect_unit_of(g->key.id);

		if (g->in_use && u != NULL && !merge_group(into, g, u))
			ok = false;
	}
	for (size_t i = 0; i < from->n_groups; i++) {
		const struct det_group *g = group_of(from, i);
		const struct detector_ops *u = detect_unit_of(g->key.id);

		if (g->in_use && u != NULL)
			merge_judge(into, g, u);
	}
	ok &= count_map_merge(&into->churn_seen, &from->churn_seen);
	ok &= count_map_merge(&into->rst_seen, &from->rst_seen);
	for (size_t i = 0; i < sizeof(into->scan_sources) / 8; i++)
		into->scan_sources[i] |= from->scan_sources[i];
	into->groups_dropped += from->groups_dropped;
	merge_folded(into, from);
	into->oom |= from->oom || !ok;
	/* The memos name into's groups, which may have moved on. */
	memset(&into->tw_memo, 0, sizeof(into->tw_memo));
	memset(&into->churn_memo, 0, sizeof(into->churn_memo));
	return ok && !into->oom;
}
