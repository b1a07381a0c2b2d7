/*
 * The detectors' core: side state per flow, subject groups and their
 * hash index, evidence, firing, and the dispatch of the engine's events
 * to the detector files.
 */
#include "detect_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr_format.h"

/* Findings of one id listed at most; further subjects are counted. */
#define MAX_FINDINGS_PER_ID 100

/*
 * The detectors, in the order their hooks run (between the facts the
 * dispatcher works out before and after them: detectors_on_tcp_segment()).
 */
static const struct detector_ops *const det_units[] = {
	&det_syn_flood_ops, &det_syn_unanswered_ops, &det_connection_refused_ops,
	&det_port_scan_ops, &det_close_wait_ops, &det_time_wait_ops,
	&det_churn_ops, &det_abortive_close_ops, &det_half_open_ops,
	&det_rst_storm_ops, &det_retransmit_burst_ops, &det_zero_window_ops,
	&det_nagle_ops, &det_icmp_error_ops, &det_fragmentation_ops,
	&det_checksum_errors_ops, &det_accept_queue_ops,
	&det_capture_coverage_ops,
};
#define N_UNITS (sizeof(det_units) / sizeof(det_units[0]))

_Static_assert(N_UNITS <= DET_MAX_UNITS, "room for every unit's hooks");

/* Gathers the units' per-packet hooks (struct detectors). */
static void gather_hooks(struct detectors *d)
{
	for (size_t u = 0; u < N_UNITS; u++) {
		const struct detector_ops *o = det_units[u];

		if (o->on_segment != NULL)
			d->seg_hooks[d->n_seg_hooks++] =
				(struct det_segment_hook){o->on_segment,
							  o->segments};
		if (o->on_packet != NULL)
			d->packet_hooks[d->n_packet_hooks++] =
				(struct det_packet_hook){o->on_packet,
							 o->packets};
		if (o->on_flow_end != NULL && !o->end_needs_side)
			d->flow_end_hooks[0][d->n_flow_end_hooks[0]++] =
				o->on_flow_end;
		if (o->on_flow_end != NULL)
			d->flow_end_hooks[1][d->n_flow_end_hooks[1]++] =
				o->on_flow_end;
	}
	for (unsigned kind = 0; kind < SEG_KINDS; kind++)
		for (uint8_t i = 0; i < d->n_seg_hooks; i++)
			if (d->seg_hooks[i].segments == SEG_EVERY ||
			    (d->seg_hooks[i].segments & kind))
				d->seg_list[kind][d->seg_list_len[kind]++] = i;
}

const struct detector_ops *detect_unit_of(enum finding_id id)
{
	for (size_t u = 0; u < N_UNITS; u++)
		for (uint8_t i = 0; i < det_units[u]->n_ids; i++)
			if (det_units[u]->ids[i] == id)
				return det_units[u];
	return NULL;
}

const struct setting *detectors_settings_rows(enum finding_id id, size_t *n)
{
	const struct detector_ops *u = detect_unit_of(id);

	if (u == NULL || u->ids[0] != id) {
		*n = 0;
		return NULL;
	}
	*n = u->n_settings;
	return u->settings;
}

/* Any unit that follows TCP connections has a finding on. */
static bool any_tcp_unit_on(const struct detect_config *cfg)
{
	for (size_t u = 0; u < N_UNITS; u++)
		for (uint8_t i = 0; det_units[u]->tcp && i < det_units[u]->n_ids; i++)
			if (cfg->det[det_units[u]->ids[i]].enabled)
				return true;
	return false;
}

/* ------------------------------------------------------------ lifecycle */

struct detectors *detectors_new(const struct detect_config *cfg,
				const struct analyzer_config *engine,
				const struct finding_sink *sink)
{
	struct detectors *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->cfg = *cfg;
	d->engine = *engine;
	d->tcp_on = any_tcp_unit_on(cfg);
	gather_hooks(d);
	if (sink != NULL)
		d->sink = *sink;
	d->max_groups = engine->max_subjects != 0 &&
			engine->max_subjects < MAX_GROUPS
			? engine->max_subjects : MAX_GROUPS;
	d->index_mask = 1023;
	d->index = calloc(d->index_mask + 1, sizeof(*d->index));
	if (d->index == NULL) {
		detectors_free(d);
		return NULL;
	}
	return d;
}

void detectors_free(struct detectors *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n_groups; i++) {
		struct det_group *g = &d->groups[i / DET_GROUP_CHUNK][i % DET_GROUP_CHUNK];

		free(g->set.slots);
		free(g->fifo);
		count_map_free(&g->counts);
	}
	for (size_t i = 0; i < d->group_chunks; i++)
		free(d->groups[i]);
	free(d->groups);
	free(d->index);
	free(d->free_slots);
	free(d->fired);
	free(d->pending);
	free(d->cw_watch);
	free(d->zw_watch);
	for (size_t i = 0; i * DET_EXT_CHUNK < d->n_ext; i++)
		free(d->ext_chunks[i]);
	free(d->ext_chunks);
	count_map_free(&d->churn_seen);
	count_map_free(&d->rst_seen);
	free(d->out);
	free(d);
}

bool det_enabled(const struct detectors *d, enum finding_id id)
{
	return d->cfg.det[id].enabled;
}

int64_t det_now(const struct detectors *d)
{
	return d->now;
}

bool detectors_out_of_memory(const struct detectors *d)
{
	return d->oom;
}

uint64_t detectors_suppressed(const struct detectors *d)
{
	return d->suppressed;
}

uint64_t detectors_not_tracked(const struct detectors *d)
{
	return d->groups_dropped;
}

void detectors_retransmissions(const struct detectors *d, uint64_t out[3])
{
	for (int k = 0; k < 3; k++)
		out[k] = d->retx_by_kind[k];
}

const struct detect_folded *detectors_folded(const struct detectors *d)
{
	return d->folded;
}

uint64_t detectors_folded_total(const struct detectors *d)
{
	uint64_t n = 0;

	for (int id = 0; id < FINDING_COUNT; id++)
		n += d->folded[id].count;
	return n;
}

/* ------------------------------------------------------------ hashing */

uint32_t hash_bytes(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;
	size_t i;

	/* Eight bytes at a time, multiply-mixed: keys are 16 to 40 bytes. */
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, b + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	for (w = 0; i < n; i++)
		w = w << 8 | b[i];
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	return (uint32_t)h | 1u; /* never 0: 0 marks a free slot */
}

bool hash_set_add(struct hash_set *s, uint32_t h, bool *oom)
{
	uint32_t i;

	h |= 1u;
	if (s->slots == NULL || (s->count + 1) * 4 > (s->mask + 1) * 3) {
		uint32_t cap = s->slots == NULL ? 64 : (s->mask + 1) * 2;
		uint32_t *slots;

		/* A million distinct values are enough to tell any story. */
		if (cap > (1u << 21) || (slots = calloc(cap, sizeof(*slots))) == NULL) {
			if (s->slots == NULL || cap <= (1u << 21))
				*oom = true;
			return false;
		}
		for (uint32_t j = 0; s->slots != NULL && j <= s->mask; j++) {
			uint32_t v = s->slots[j], k = v & (cap - 1);

			if (v == 0)
				continue;
			while (slots[k] != 0)
				k = (k + 1) & (cap - 1);
			slots[k] = v;
		}
		free(s->slots);
		s->slots = slots;
		s->mask = cap - 1;
	}
	for (i = h & s->mask; s->slots[i] != 0; i = (i + 1) & s->mask)
		if (s->slots[i] == h)
			return false;
	s->slots[i] = h;
	s->count++;
	return true;
}

/*
 * Takes n (or adds -n) at the bucket holding t < start + width; returns
 * what was taken.  Times before the window change nothing.
 */
static int64_t rate_sub_bucket(struct rate_ring *r, int64_t t, int64_t width,
			       int64_t n)
{
	int64_t back = t >= r->start ? 0 : (r->start - t + width - 1) / width;
	uint8_t b;

	if (back >= RATE_BUCKETS)
		return 0;
	b = (uint8_t)((r->head + RATE_BUCKETS - back) % RATE_BUCKETS);
	if (n > (int64_t)r->n[b])
		n = r->n[b];
	r->n[b] = (uint32_t)((int64_t)r->n[b] - n);
	return n;
}


static bool count_map_grow(struct count_map *m)
{
	uint32_t cap = m->slots == NULL ? 64 : (m->mask + 1) * 2;
	struct count_slot *slots;

	/* Keys whose count fell to 0 are dropped, so live ones may not grow. */
	if (m->slots != NULL && m->live * 4 < (m->mask + 1))
		cap = m->mask + 1;
	slots = calloc(cap, sizeof(*slots));
	if (slots == NULL)
		return false;
	m->used = 0;
	for (uint32_t i = 0; m->slots != NULL && i <= m->mask; i++) {
		uint32_t k;

		if (m->slots[i].count == 0)
			continue;
		for (k = m->slots[i].key & (cap - 1); slots[k].key != 0;
		     k = (k + 1) & (cap - 1))
			;
		slots[k] = m->slots[i];
		m->used++;
	}
	free(m->slots);
	m->slots = slots;
	m->mask = cap - 1;
	return true;
}

/* The slot holding h, or the free slot that ends its probe. */
static struct count_slot *count_map_find(const struct count_map *m,
					 uint32_t h)
{
	uint32_t i;

	for (i = h & m->mask; m->slots[i].key != 0 && m->slots[i].key != h;
	     i = (i + 1) & m->mask)
		;
	return &m->slots[i];
}

bool count_map_add(struct count_map *m, uint32_t h, int delta,
		   uint32_t *count)
{
	struct count_slot *s;

	if (count != NULL)
		*count = 0;
	h |= 1u;
	/* Full: a new key is not counted (the caller sees 0), no error. */
	if (m->slots != NULL && m->live >= COUNT_MAP_MAX && delta > 0) {
		s = count_map_find(m, h);
		if (s->key == 0 || s->count == 0)
			return true;
	}
	if ((m->slots == NULL || (m->used + 1) * 4 > (m->mask + 1) * 3) &&
	    !count_map_grow(m))
		return false;
	s = count_map_find(m, h);
	if (s->key == 0) {
		if (delta < 0)
			return true;
		s->key = h;
		m->used++;
	}
	if (delta > 0 && s->count++ == 0)
		m->live++;
	else if (delta < 0 && s->count > 0 && --s->count == 0)
		m->live--;
	if (count != NULL)
		*count = s->count;
	return true;
}

void count_map_forget(struct count_map *m, uint32_t h)
{
	struct count_slot *s;

	h |= 1u;
	if (m->slots == NULL)
		return;
	s = count_map_find(m, h);
	if (s->key != h)
		return;
	if (s->count > 0)
		m->live--;
	s->count = 0;
}

uint32_t count_map_get(const struct count_map *m, uint32_t h)
{
	const struct count_slot *s;

	h |= 1u;
	if (m->slots == NULL)
		return 0;
	s = count_map_find(m, h);
	return s->key == h ? s->count : 0;
}

void count_map_free(struct count_map *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

uint64_t rate_add(struct rate_ring *r, int64_t now, int64_t window_ns,
		  uint32_t n)
{
	int64_t width = window_ns / RATE_BUCKETS;

	if (width <= 0)
		width = 1;
	if (r->start != 0 && now < r->start - window_ns + width)
		return r->sum;  /* older than the window: nothing to count */
	if (r->start == 0 || now >= r->start + window_ns + width) {
		memset(r->n, 0, sizeof(r->n));
		r->sum = 0;
		r->head = 0;
		r->start = now;
	}
	while (now >= r->start + width) {
		r->head = (uint8_t)((r->head + 1) % RATE_BUCKETS);
		r->sum -= r->n[r->head];
		r->n[r->head] = 0;
		r->start += width;
	}
	if (now < r->start)
		rate_sub_bucket(r, now, width, -(int64_t)n);
	else
		r->n[r->head] += n;
	r->sum += n;
	return r->sum;
}

void rate_sub(struct rate_ring *r, int64_t t, int64_t window_ns, uint32_t n)
{
	int64_t width = window_ns / RATE_BUCKETS;

	if (width <= 0)
		width = 1;
	if (r->start == 0 || t >= r->start + width)
		return;
	r->sum -= rate_sub_bucket(r, t, width, n);
}

/* ------------------------------------------------------------ subjects */

static void subject_clear(struct subject_key *k, enum finding_id id,
			  const struct flow *f)
{
	memset(k, 0, sizeof(*k));
	k->id = (uint8_t)id;
	k->family = f->key.family;
	k->tunnel = f->key.tunnel;
}

void subject_host(struct subject_key *k, enum finding_id id,
		  const struct flow *f, int dir)
{
	subject_clear(k, id, f);
	memcpy(k->addr, flow_addr(f, dir), 16);
}

void subject_endpoint(struct subject_key *k, enum finding_id id,
		      const struct flow *f, int dir)
{
	subject_host(k, id, f, dir);
	k->has_port = 1;
	k->port = flow_port(f, dir);
}

void subject_of_side(struct subject_key *k, enum finding_id id,
		     const struct flow *f, int dir)
{
	if (dir == FLOW_RESP)
		subject_endpoint(k, id, f, dir);
	else
		subject_host(k, id, f, dir);
}

void subject_add_party(struct subject_key *k, const struct flow *f, int dir)
{
	memcpy(k->addr2, flow_addr(f, dir), 16);
}

static void place_of(const struct detectors *d, const struct subject_key *k,
		     struct finding_place *p)
{
	static const uint8_t none[16];
	const struct tunnel_info *t;

	memset(p, 0, sizeof(*p));
	if (k->has_port == SUBJECT_CAPTURE || k->family == 0)
		return;
	p->family = k->family;
	memcpy(p->addr, k->addr, 16);
	p->has_port = k->has_port == 1;
	p->port = p->has_port ? k->port : 0;
	p->has_party = memcmp(k->addr2, none, 16) != 0;
	memcpy(p->party, k->addr2, 16);
	t = k->tunnel != 0 ? tunnel_table_get(d->tunnels, k->tunnel) : NULL;
	if (t != NULL) {
		p->in_tunnel = true;
		p->tunnel = *t;
	}
}

/* " in vxlan 203.0.113.10-203.0.113.20 id 300": where the subject lives. */
static void format_tunnel(const struct tunnel_info *t, char *out,
			  size_t outlen)
{
	char a[ADDR_FORMAT_LEN], b[ADDR_FORMAT_LEN];
	size_t len = strlen(out);

	if (t == NULL || len >= outlen)
		return;
	addr_format(t->family, t->addr[0], a, sizeof(a));
	addr_format(t->family, t->addr[1], b, sizeof(b));
	if (t->flags & ENCAP_ID_SHARED)
		snprintf(out + len, outlen - len, " in %s %s-%s id %" PRIu32,
			 tunnel_info_kind_name(t), a, b, t->id);
	else
		snprintf(out + len, outlen - len, " in %s %s-%s",
			 tunnel_info_kind_name(t), a, b);
}

static void format_subject(const struct detectors *d,
			   const struct subject_key *k, char *out,
			   size_t outlen)
{
	if (k->has_port)
		addr_format_endpoint(k->family, k->addr, k->port, out, outlen);
	else
		addr_format(k->family, k->addr, out, outlen);
	if (k->tunnel != 0)
		format_tunnel(tunnel_table_get(d->tunnels, k->tunnel), out,
			      outlen);
}

void detectors_set_tunnels(struct detectors *d, const struct tunnel_table *t)
{
	d->tunnels = t;
}

/* ------------------------------------------------------------ groups */

static struct det_group *group_at(struct detectors *d, uint32_t i)
{
	return &d->groups[i / DET_GROUP_CHUNK][i % DET_GROUP_CHUNK];
}

struct det_group *group_by_number(struct detectors *d, uint32_t n)
{
	return group_at(d, n);
}

_Static_assert(sizeof(struct subject_key) == 48, "six words");

/* A multiply-mix over the key's six words: cheaper than bytewise. */
static uint32_t key_hash(const struct subject_key *k)
{
	uint64_t w[6], h = 0x9e3779b97f4a7c15ULL;

	memcpy(w, k, sizeof(w));
	for (int i = 0; i < 6; i++) {
		h ^= w[i];
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	return (uint32_t)h;
}

static bool index_grow(struct detectors *d)
{
	size_t cap = (d->index_mask + 1) * 2;
	uint32_t *idx = calloc(cap, sizeof(*idx));

	if (idx == NULL)
		return false;
	for (size_t i = 0; i < d->n_groups; i++) {
		size_t s = key_hash(&group_at(d, (uint32_t)i)->key) & (cap - 1);

		if (!group_at(d, (uint32_t)i)->in_use)
			continue;
		while (idx[s] != 0)
			s = (s + 1) & (cap - 1);
		idx[s] = (uint32_t)i + 1;
	}
	free(d->index);
	d->index = idx;
	d->index_mask = cap - 1;
	return true;
}

struct det_group *group_find(struct detectors *d, const struct subject_key *k)
{
	/* Subjects repeat (one listener, one server): look there first. */
	uint32_t *hot = &d->hot[(k->id * 2u + (k->aux & 1u)) % DET_HOT_SLOTS];
	size_t s;

	if (*hot != 0) {
		struct det_group *g = group_at(d, *hot - 1);

		if (memcmp(&g->key, k, sizeof(*k)) == 0)
			return g;
	}
	for (s = key_hash(k) & d->index_mask; d->index[s] != 0;
	     s = (s + 1) & d->index_mask) {
		struct det_group *g = group_at(d, d->index[s] - 1);

		if (memcmp(&g->key, k, sizeof(*k)) == 0) {
			*hot = d->index[s];
			return g;
		}
	}
	return NULL;
}

/* Makes the group for k in slot number (one made before, or free). */
static struct det_group *group_make(struct detectors *d,
				    const struct subject_key *k, int64_t now,
				    uint32_t number)
{
	struct det_group *g = group_at(d, number);
	uint16_t generation = g->generation;
	uint16_t folded_bits = g->folded_bits;
	size_t s;

	memset(g, 0, sizeof(*g));
	g->key = *k;
	g->number = number;
	g->generation = generation;
	g->folded_bits = folded_bits;
	g->in_use = true;
	g->finding = -1;
	g->first_ts = g->last_ts = now;
	for (s = key_hash(k) & d->index_mask; d->index[s] != 0;
	     s = (s + 1) & d->index_mask)
		;
	d->index[s] = number + 1;
	d->n_live++;
	return g;
}

/*
 * Takes slot s out of the index by backward shift: each entry after it
 * in its run moves back into the hole unless its home lies after the
 * hole, so every probe sequence stays unbroken without tombstones.
 */
static void index_remove(struct detectors *d, size_t s)
{
	size_t hole = s, mask = d->index_mask;

	for (size_t j = (s + 1) & mask; d->index[j] != 0; j = (j + 1) & mask) {
		size_t home = key_hash(&group_at(d, d->index[j] - 1)->key) & mask;

		if (((j - home) & mask) >= ((j - hole) & mask)) {
			d->index[hole] = d->index[j];
			hole = j;
		}
	}
	d->index[hole] = 0;
}

void group_release(struct detectors *d, struct det_group *g, bool folded)
{
	size_t s;

	/* Room for every slot at once: at most 256 KiB, made on first use. */
	if (d->free_slots == NULL &&
	    (d->free_slots = malloc(d->max_groups * sizeof(uint32_t))) == NULL) {
		/* Kept as it was: forgetting it is not worth failing. */
		d->oom = true;
		return;
	}
	for (s = key_hash(&g->key) & d->index_mask; d->index[s] != 0;
	     s = (s + 1) & d->index_mask)
		if (d->index[s] == g->number + 1) {
			index_remove(d, s);
			break;
		}
	for (size_t i = 0; i < DET_HOT_SLOTS; i++)
		if (d->hot[i] == g->number + 1)
			d->hot[i] = 0;
	if (d->tw_memo.number == g->number + 1)
		d->tw_memo.number = 0;
	if (d->churn_memo.number == g->number + 1)
		d->churn_memo.number = 0;
	free(g->set.slots);
	free(g->fifo);
	count_map_free(&g->counts);
	memset(&g->set, 0, sizeof(g->set));
	g->fifo = NULL;
	g->in_use = false;
	g->finding = -1;
	if (folded)
		g->folded_bits |= (uint16_t)(1u << (g->generation % 16));
	else
		g->folded_bits &= (uint16_t)~(1u << (g->generation % 16));
	g->generation++;
	/* FINDING_KEY_CAPTURE is capture_coverage's key alone. */
	if ((g->number | (uint32_t)g->generation << 16) == FINDING_KEY_CAPTURE)
		g->generation++;
	d->free_slots[d->n_free++] = g->number;
	d->n_live--;
	d->reclaimed++;
}

bool detectors_finding_folded(const struct detectors *d, uint32_t key)
{
	uint32_t number = key & 0xffffu;
	const struct det_group *g;
	uint16_t gen;

	if (key == FINDING_KEY_CAPTURE || number >= d->n_groups)
		return false;
	g = &d->groups[number / DET_GROUP_CHUNK][number % DET_GROUP_CHUNK];
	gen = (uint16_t)(key >> 16);
	if (g->generation == gen)
		return false;
	/*
	 * Made again 16 times or more since: a fired group leaves only by
	 * being folded or withdrawn, and a withdrawn one was carried as such
	 * while it still lived.
	 */
	if ((uint16_t)(g->generation - gen) >= 16)
		return true;
	return (g->folded_bits >> (gen % 16)) & 1u;
}

struct det_group *group_get(struct detectors *d, const struct subject_key *k,
			    int64_t now)
{
	struct det_group *g = group_find(d, k);

	if (g != NULL)
		return g;
	/* A quarter of the room left: forget what may go before the next event. */
	if ((d->n_live + 1) * 8 > (size_t)d->max_groups * 7 &&
	    d->now >= d->reclaim_after)
		d->reclaim_due = true;
	if (d->n_live >= d->max_groups) {
		d->groups_dropped++;
		return NULL;
	}
	if (d->n_free > 0)
		return group_make(d, k, now, d->free_slots[--d->n_free]);
	if ((d->n_groups + 1) * 4 > (d->index_mask + 1) * 3 && !index_grow(d))
		goto oom;
	if (d->n_groups == d->group_chunks * DET_GROUP_CHUNK) {
		struct det_group **chunks = realloc(
			d->groups, (d->group_chunks + 1) * sizeof(*chunks));

		if (chunks == NULL)
			goto oom;
		d->groups = chunks;
		chunks[d->group_chunks] = calloc(DET_GROUP_CHUNK, sizeof(**chunks));
		if (chunks[d->group_chunks] == NULL)
			goto oom;
		d->group_chunks++;
	}
	group_at(d, (uint32_t)d->n_groups)->generation = 0;
	group_at(d, (uint32_t)d->n_groups)->folded_bits = 0;
	return group_make(d, k, now, (uint32_t)d->n_groups++);
oom:
	d->oom = true;
	return NULL;
}

struct det_group *group_earned(struct detectors *d, struct count_map *seen,
			       const struct subject_key *k, uint32_t after,
			       int64_t now, uint32_t *n)
{
	struct det_group *g = group_find(d, k);
	uint32_t count;

	*n = 1;
	if (g != NULL)
		return g;
	/*
	 * Full (COUNT_MAP_MAX subjects counted once or twice, as days of
	 * clients give): a full map counts no new subject, so it starts
	 * afresh rather than let a new problem go uncounted for good.
	 */
	if (seen->live >= COUNT_MAP_MAX) {
		count_map_free(seen);
		d->seen_restarts++;
	}
	if (!count_map_add(seen, hash_bytes(k, sizeof(*k)), 1, &count))
		d->oom = true;
	if (count < after)
		return NULL;
	*n = count;
	return group_get(d, k, now);
}

struct det_group *group_memo_match(struct detectors *d,
				   const struct group_memo *m,
				   const struct flow *f, const uint8_t *a,
				   const uint8_t *b, uint16_t port)
{
	if (m->number == 0 || m->family != f->key.family || m->port != port ||
	    m->tunnel != f->key.tunnel ||
	    memcmp(m->addr, a, 16) != 0 ||
	    (b != NULL && memcmp(m->addr2, b, 16) != 0))
		return NULL;
	return group_by_number(d, m->number - 1);
}

void group_memo_keep(struct group_memo *m, const struct det_group *g,
		     const struct flow *f, const uint8_t *a, const uint8_t *b,
		     uint16_t port)
{
	m->number = g->number + 1;
	m->family = f->key.family;
	m->tunnel = f->key.tunnel;
	m->port = port;
	memcpy(m->addr, a, 16);
	if (b != NULL)
		memcpy(m->addr2, b, 16);
}

void group_touch(struct det_group *g, int64_t now)
{
	if (now < g->first_ts)
		g->first_ts = now;
	if (now > g->last_ts)
		g->last_ts = now;
}

void group_add_flow(struct det_group *g, const struct flow *f)
{
	uint64_t uid = flow_uid(f);

	client_tally_add(&g->clients, flow_addr(f, FLOW_ORIG), f->key.family,
			 f->key.tunnel);
	for (int i = 0; i < g->n_flows; i++)
		if (g->flows[i] == uid)
			return;
	g->flow_count++;
	if (g->n_flows < FINDING_MAX_FLOWS)
		g->flows[g->n_flows++] = uid;
}

void group_note_party(struct det_group *g, const uint8_t addr[16])
{
	if (!g->has_party) {
		memcpy(g->party, addr, 16);
		g->has_party = true;
	} else if (memcmp(g->party, addr, 16) != 0) {
		g->parties_mixed = true;
	}
}

void group_add_frame(struct det_group *g, uint64_t frame)
{
	for (int i = 0; i < g->n_frames; i++)
		if (g->frames[i] == frame)
			return;
	if (g->n_frames < FINDING_MAX_FRAMES)
		g->frames[g->n_frames++] = frame;
}

/* tcpdump's flag letters, in its order. */
static void format_tcp_flags(uint8_t fl, char *out)
{
	static const struct { uint8_t bit; char c; } map[] = {
		{TCP_FLAG_SYN, 'S'}, {TCP_FLAG_FIN, 'F'}, {TCP_FLAG_PSH, 'P'},
		{TCP_FLAG_RST, 'R'}, {TCP_FLAG_URG, 'U'}, {TCP_FLAG_ECE, 'E'},
		{TCP_FLAG_CWR, 'W'}, {TCP_FLAG_ACK, '.'},
	};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (fl & map[i].bit)
			out[n++] = map[i].c;
	out[n] = '\0';
	if (n == 0)
		strcpy(out, "none");
}

void group_add_packet(struct det_group *g, const struct packet *pkt,
		      const struct flow *f, const struct tcp_seg_info *info)
{
	char src[ADDR_FORMAT_ENDPOINT_LEN], dst[ADDR_FORMAT_ENDPOINT_LEN];
	char fl[10];
	int dir = info->dir;
	char *out;

	if (g->n_packets >= FINDING_MAX_PACKETS)
		return;
	addr_format_endpoint(f->key.family, flow_addr(f, dir), flow_port(f, dir),
			     src, sizeof(src));
	addr_format_endpoint(f->key.family, flow_addr(f, !dir),
			     flow_port(f, !dir), dst, sizeof(dst));
	format_tcp_flags(pkt->tcp.flags, fl);
	out = g->packets[g->n_packets];
	snprintf(out, FINDING_PACKET_LEN,
		 "%s > %s [%s] seq %" PRIu32 " ack %" PRIu32
		 " win %" PRIu64 " len %" PRIu32,
		 src, dst, fl, info->rel_seq, info->rel_ack, info->window,
		 info->seg_len);
	g->packet_frames[g->n_packets++] = pkt->frame_no;
	group_add_frame(g, pkt->frame_no);
}

/* ------------------------------------------------------------ findings */

void finding_add_number(struct finding *out, const char *key, double v)
{
	struct finding_detail *dt;

	if (out->n_details >= FINDING_MAX_DETAILS)
		return;
	dt = &out->details[out->n_details++];
	dt->key = key;
	dt->is_number = true;
	dt->number = v;
	snprintf(dt->text, sizeof(dt->text), "%.15g", v);
}

void finding_add_text(struct finding *out, const char *key, const char *v)
{
	struct finding_detail *dt;

	if (out->n_details >= FINDING_MAX_DETAILS)
		return;
	dt = &out->details[out->n_details++];
	dt->key = key;
	dt->is_number = false;
	snprintf(dt->text, sizeof(dt->text), "%s", v);
}

void format_duration(int64_t ns, char *out, size_t outlen)
{
	if (ns < NS_PER_SEC)
		snprintf(out, outlen, "%.0f ms", (double)ns / NS_PER_MS);
	else if (ns < 100 * NS_PER_SEC)
		snprintf(out, outlen, "%.1f s", (double)ns / NS_PER_SEC);
	else
		snprintf(out, outlen, "%.0f s", (double)ns / NS_PER_SEC);
}

bool det_quiet_since(const struct det_group *g, int64_t now, int64_t ns)
{
	return now - g->last_ts >= ns;
}

bool group_ongoing(const struct detectors *d, const struct det_group *g)
{
	const struct detector_ops *u = detect_unit_of(g->key.id);

	if (u->ongoing != NULL)
		return u->ongoing(g, d->now, &d->cfg);
	return !det_quiet_since(g, d->now, DET_QUIET_NS);
}

void group_describe(const struct detectors *d, const struct det_group *g,
		    struct finding *out)
{
	enum finding_id id = g->key.id;

	memset(out, 0, sizeof(*out));
	out->id = id;
	out->severity = (enum finding_severity)d->cfg.det[id].severity;
	out->key = g->number | (uint32_t)g->generation << 16;
	out->ongoing = group_ongoing(d, g);
	format_subject(d, &g->key, out->subject, sizeof(out->subject));
	place_of(d, &g->key, &out->place);
	out->first_ts = g->first_ts;
	out->last_ts = g->last_ts;
	out->value = (double)g->count;
	out->threshold = g->threshold;
	out->flow_count = g->flow_count;
	out->clients = g->clients;
	out->n_flows = g->n_flows;
	memcpy(out->flows, g->flows, sizeof(out->flows));
	out->n_frames = g->n_frames;
	memcpy(out->frames, g->frames, sizeof(out->frames));
	out->n_packets = g->n_packets;
	memcpy(out->packet_frames, g->packet_frames, sizeof(out->packet_frames));
	memcpy(out->packets, g->packets, sizeof(out->packets));
	detect_unit_of(id)->describe(g, out, &d->cfg);
}

void group_fire(struct detectors *d, struct det_group *g)
{
	struct finding f;

	if (g->finding >= 0) {
		g->provisional = false;
		return;
	}
	if (d->n_fired == d->fired_cap) {
		size_t cap = d->fired_cap ? d->fired_cap * 2 : 64;
		uint32_t *p = realloc(d->fired, cap * sizeof(*p));

		if (p == NULL) {
			d->oom = true;
			return;
		}
		d->fired = p;
		d->fired_cap = cap;
	}
	g->finding = (int32_t)d->n_fired;
	d->fired[d->n_fired++] = g->number;
	/* Live listeners hear of the first ones of each id only. */
	if (d->fired_per_id[g->key.id]++ < MAX_FINDINGS_PER_ID &&
	    d->sink.on_finding != NULL) {
		group_describe(d, g, &f);
		d->sink.on_finding(d->sink.ctx, &f);
	}
}

void group_fire_live(struct detectors *d, struct det_group *g)
{
	if (g->finding >= 0)
		return;
	group_fire(d, g);
	g->provisional = g->finding >= 0;
}

/*
 * Fired on what was seen live only, and all of that was undone (an
 * attempt answered after all, a peer that spoke again): nothing is left
 * to report.
 */
bool group_withdrawn(const struct det_group *g)
{
	const struct detector_ops *u = detect_unit_of(g->key.id);

	return g->provisional &&
	       !(u->live_pending != NULL && u->live_pending(g));
}

static int finding_order(const void *pa, const void *pb)
{
	const struct finding *a = pa, *b = pb;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if (a->first_ts != b->first_ts)
		return a->first_ts < b->first_ts ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return strcmp(a->subject, b->subject);
}

/*
 * A port scan's refused and unanswered attempts would each make a
 * finding of their own, one per port tried: they are folded into the
 * scan's finding instead, which counts them.
 */
struct det_group *group_scanner(struct detectors *d,
				const struct det_group *g)
{
	struct subject_key k;
	struct det_group *scan;

	if (!g->has_party || g->parties_mixed || group_withdrawn(g))
		return NULL;
	switch (g->key.id) {
	case FINDING_CONNECTION_REFUSED:
	case FINDING_SYN_UNANSWERED:
		break;
	case FINDING_ABORTIVE_CLOSE:
		if (g->key.aux == RST_REFUSED)
			break;
		return NULL;
	default:
		return NULL;
	}
	memset(&k, 0, sizeof(k));
	k.id = FINDING_PORT_SCAN;
	k.family = g->key.family;
	k.tunnel = g->key.tunnel;
	memcpy(k.addr, g->party, 16);
	scan = group_find(d, &k);
	return scan != NULL && scan->finding >= 0 ? scan : NULL;
}

const struct finding *detectors_findings(struct detectors *d, size_t *n)
{
	/* At most MAX_FINDINGS_PER_ID of each id are described. */
	size_t room = d->n_fired < (size_t)MAX_FINDINGS_PER_ID * FINDING_COUNT
		      ? d->n_fired : (size_t)MAX_FINDINGS_PER_ID * FINDING_COUNT;
	struct finding *out = realloc(d->out, (room + 1) * sizeof(*out));
	uint32_t listed[FINDING_COUNT];
	size_t kept = 0;

	*n = 0;
	if (out == NULL) {
		d->oom = true;
		return d->out;
	}
	d->out = out;
	for (size_t i = 0; i < d->n_fired; i++) {
		struct det_group *scan = group_scanner(d, group_at(d, d->fired[i]));

		if (scan != NULL)
			scan->folded++;
	}
	memset(listed, 0, sizeof(listed));
	d->suppressed = 0;
	for (size_t i = 0; i < d->n_fired; i++) {
		struct det_group *g = group_at(d, d->fired[i]);

		if (group_scanner(d, g) != NULL || group_withdrawn(g) ||
		    det_accept_queue_explains(d, g) != NULL)
			continue;
		if (listed[g->key.id]++ >= MAX_FINDINGS_PER_ID) {
			d->suppressed++;
			continue;
		}
		group_describe(d, g, &out[kept++]);
	}
	for (size_t i = 0; i < d->n_fired; i++) {
		struct det_group *scan = group_scanner(d, group_at(d, d->fired[i]));

		if (scan != NULL)
			scan->folded = 0;
	}
	if (kept > 1)
		qsort(out, kept, sizeof(*out), finding_order);
	*n = kept;
	return out;
}

/* ------------------------------------------------------------ extensions */

static struct det_flow_ext *ext_at(struct detectors *d, uint32_t n)
{
	return &d->ext_chunks[n / DET_EXT_CHUNK][n % DET_EXT_CHUNK];
}

struct det_flow_ext *det_ext_of(struct detectors *d, const struct det_flow *df)
{
	return df->ext != 0 ? ext_at(d, df->ext - 1) : NULL;
}

/* A zeroed extension's number + 1 (0: no memory): the latest freed first,
 * so the few in use at once stay in the cache. */
static uint32_t ext_alloc(struct detectors *d)
{
	uint32_t n;

	if (d->ext_free != 0) {
		n = d->ext_free;
		d->ext_free = ext_at(d, n - 1)->next_free;
	} else {
		if (d->n_ext >= UINT32_MAX - 1)
			return 0;
		if (d->n_ext % DET_EXT_CHUNK == 0) {
			size_t c = d->n_ext / DET_EXT_CHUNK;

			if (c == d->ext_chunks_cap) {
				size_t cap = c ? c * 2 : 16;
				struct det_flow_ext **chunks = realloc(
					d->ext_chunks, cap * sizeof(*chunks));

				if (chunks == NULL)
					return 0;
				d->ext_chunks = chunks;
				d->ext_chunks_cap = cap;
			}
			d->ext_chunks[c] = malloc(DET_EXT_CHUNK * sizeof(**d->ext_chunks));
			if (d->ext_chunks[c] == NULL)
				return 0;
		}
		n = (uint32_t)++d->n_ext;
	}
	memset(ext_at(d, n - 1), 0, sizeof(struct det_flow_ext));
	return n;
}

static void ext_release(struct detectors *d, struct det_flow *df)
{
	if (df->ext == 0)
		return;
	ext_at(d, df->ext - 1)->next_free = d->ext_free;
	d->ext_free = df->ext;
	df->ext = 0;
}

struct det_flow_ext *det_ext_get(struct detectors *d, struct det_flow *df,
				 uint8_t mark)
{
	if (df->ext == 0) {
		df->ext = ext_alloc(d);
		if (df->ext == 0) {
			d->oom = true;
			return NULL;
		}
	}
	det_mark(d, mark);
	return ext_at(d, df->ext - 1);
}

static bool ext_idle(const struct det_flow *df, const struct det_flow_ext *e)
{
	return !(df->flags & DF_DACK) && !df->peer_dup[0] && !df->peer_dup[1] &&
	       df->stuck_dir == 2 && e->cw_since == 0 && e->zw_since[0] == 0 &&
	       e->zw_since[1] == 0 && e->segs_old[0] == 0 &&
	       e->segs_old[1] == 0 && e->retx[0][0] == 0 && e->retx[0][1] == 0 &&
	       e->retx[1][0] == 0 && e->retx[1][1] == 0 &&
	       e->cksum_retx[0] == 0 && e->cksum_retx[1] == 0;
}

void det_ext_settle(struct detectors *d, struct det_flow *df)
{
	struct det_flow_ext *e = det_ext_of(d, df);

	if (e == NULL)
		return;
	if (ext_idle(df, e))
		ext_release(d, df);
	else if (!(*d->mark & DM_SIDE_ANY))
		det_mark(d, DM_SIDE_WORK);
}

/* ------------------------------------------------------------ dispatch */

/* What kind of packet it is, for the units' packets masks. */
static uint8_t packet_kind(const struct detectors *d, const struct packet *pkt)
{
	uint8_t k = 0;

	if (!pkt->skip_checksums &&
	    (pkt->ipv4.cksum == CKSUM_BAD || pkt->tcp.cksum == CKSUM_BAD ||
	     pkt->udp.cksum == CKSUM_BAD || pkt->icmp.cksum == CKSUM_BAD))
		k |= PKT_CHECKSUM_BAD;
	if (d->pending_frags != 0 && pkt == d->pending_whole)
		k |= PKT_REASSEMBLED;
	return k;
}

/* A packet of one of the kinds, to the units that want that kind. */
static void packet_to_units(struct detectors *d, const struct packet *pkt,
			    const struct flow *f, uint8_t kind)
{
	for (uint8_t i = 0; i < d->n_packet_hooks; i++)
		if (d->packet_hooks[i].packets & kind)
			d->packet_hooks[i].fn(d, pkt, f);
}

/*
 * Every TCP, UDP and ICMP packet of a flow: the test is inlined, the
 * units are called for the few packets that are of a kind.
 */
static inline void packet_seen(struct detectors *d, const struct packet *pkt,
			       const struct flow *f)
{
	uint8_t kind = packet_kind(d, pkt);

	if (kind != 0)
		packet_to_units(d, pkt, f, kind);
}

/* The kinds of a segment on which an endpoint enters or leaves a state. */
static const uint16_t state_change_kind[TCP_STATE_COUNT] = {
	[TCP_STATE_CLOSE_WAIT] = SEG_CLOSE_WAIT,
	[TCP_STATE_TIME_WAIT] = SEG_TIME_WAIT,
};

/* The annotations that make a segment of a kind on their own. */
#define KIND_ANNOTS (TCP_ANNOT_BIT(KEEP_ALIVE) |                          \
		     TCP_ANNOT_BIT(ZERO_WINDOW_PROBE) | DET_RETRANSMITTED)

/*
 * What kind of segment it is, for the units' segments masks.  Grouped by
 * what is read, the rare (annotations, marks) behind one test each.
 */
static uint16_t segment_kind(const struct packet *pkt, const struct flow *f,
			     const struct tcp_seg_info *info,
			     const struct det_flow *df)
{
	uint8_t fl = pkt->tcp.flags;
	uint32_t an = info->annots;
	int peer = !info->dir;
	uint16_t k = 0;

	for (int dir = 0; dir < 2; dir++)
		if (info->state[dir] != df->state[dir])
			k |= state_change_kind[info->state[dir]] |
			     state_change_kind[df->state[dir]];
	if (fl & (TCP_FLAG_FIN | TCP_FLAG_RST))
		k |= (fl & TCP_FLAG_RST) ? SEG_FIN_RST | SEG_RST : SEG_FIN_RST;
	if (an & KIND_ANNOTS) {
		if (an & TCP_ANNOT_BIT(KEEP_ALIVE))
			k |= SEG_KEEPALIVE;
		if (an & TCP_ANNOT_BIT(ZERO_WINDOW_PROBE))
			k |= SEG_ZERO_WINDOW;
		if (an & DET_RETRANSMITTED)
			k |= SEG_TRANSFER;
	}
	if (det_marked(f, DM_CLOSE_WAIT | DM_ZERO_WINDOW)) {
		if (det_marked(f, DM_CLOSE_WAIT))
			k |= SEG_CLOSE_WAIT;
		if (det_marked(f, DM_ZERO_WINDOW))
			k |= SEG_ZERO_WINDOW;
	}
	if (df->ka_run[peer] != 0)
		k |= SEG_KEEPALIVE;
	if (info->window == 0)
		k |= SEG_ZERO_WINDOW;
	if (info->seg_len > 0 || df->stuck_dir == peer)
		k |= SEG_TRANSFER;
	if (!(fl & (TCP_FLAG_SYN | TCP_FLAG_FIN | TCP_FLAG_RST)) &&
	    ((df->flags & DF_DACK) ||
	     (info->seg_len == 0 && info->ack_rtt_ns > 0)))
		k |= SEG_ACK_TIMED;
	return k;
}

/* A SYN or RST, or any segment before the handshake completed. */
static bool setup_segment(const struct packet *pkt, const struct det_flow *df)
{
	return (pkt->tcp.flags & (TCP_FLAG_SYN | TCP_FLAG_RST)) ||
	       !(df->flags & DF_HANDSHAKE_DONE);
}

/*
 * SEG_ATTEMPT and SEG_SYN_RETRY, once det_handshake_facts() has judged a
 * setup segment: most (the SYN-ACK, a plain retransmission) are neither.
 */
static uint16_t attempt_kind(const struct detectors *d,
			     const struct packet *pkt,
			     const struct tcp_seg_info *info,
			     const struct det_flow *df)
{
	uint16_t k = 0;

	if (d->attempt & (ATTEMPT_SYN | ATTEMPT_COMPLETED | ATTEMPT_RST_EARLY |
			  ATTEMPT_SYNACK | ATTEMPT_SCAN_ANSWER))
		k |= SEG_ATTEMPT;
	/* The answer: the server's, or the client's ACK of a SYN-ACK. */
	if ((d->attempt & (ATTEMPT_SYN_RETRY | ATTEMPT_SYNACK_AGAIN)) ||
	    ((df->flags & DF_SYN_WAITING) &&
	     (info->dir == FLOW_RESP ||
	      (pkt->tcp.flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_ACK)))
		k |= SEG_SYN_RETRY;
	return k;
}

/* The side state starts zeroed, with the flow: only the "nobody" dirs. */
static void side_make(struct det_flow *df)
{
	df->last_data_dir = 2;
	df->cw_dir = 2;
	df->stuck_dir = 2;
}

/* A tick passed: run what waits on time alone. */
static void sweep(struct detectors *d)
{
	d->next_tick = d->now + DET_TICK_NS;
	for (size_t u = 0; u < N_UNITS; u++)
		if (det_units[u]->sweep != NULL)
			det_units[u]->sweep(d);
}

/*
 * Capture time moved on to now.  Every packet comes here and a tick
 * passes on few of them: the test is inlined, the sweep is not.
 */
static inline void advance(struct detectors *d, int64_t now)
{
	if (d->reclaim_due)
		det_reclaim(d);
	if (now > d->now)
		d->now = now;
	if (d->now >= d->next_tick)
		sweep(d);
}

void detectors_advance(struct detectors *d, int64_t now)
{
	advance(d, now);
}

void detectors_on_flow_start(struct detectors *d, const struct flow *f,
			     struct flow_sink_area area)
{
	advance(d, f->first_ts);
	if (d->tcp_on && flow_is_tcp(f))
		side_make(area.storage);
}

void detectors_on_tcp_segment(struct detectors *d, const struct packet *pkt,
			      const struct flow *f,
			      const struct tcp_seg_info *info,
			      struct flow_sink_area area)
{
	struct det_flow *df;
	uint16_t seen;

	advance(d, f->last_ts);
	if (!d->tcp_on) {
		packet_seen(d, pkt, f);
		return;
	}
	df = area.storage;
	d->mark = area.mark;
	d->attempt = 0;
	d->first_rst = 0;
	seen = segment_kind(pkt, f, info, df);
	if (setup_segment(pkt, df)) {
		det_handshake_facts(d, pkt, f, info, df);
		seen |= attempt_kind(d, pkt, info, df);
	}
	if (seen & SEG_RST)
		det_rst_cause(d, pkt, f, info, df);
	for (uint8_t i = 0, n = d->seg_list_len[seen]; i < n; i++)
		d->seg_hooks[d->seg_list[seen][i]].fn(d, pkt, f, info, df);
	det_transfer_facts(d, pkt, f, info, df);
	d->side = df;
	d->side_seg = info;
	packet_seen(d, pkt, f);
	d->side = NULL;
	d->side_seg = NULL;
	d->mark = NULL;
	df->state[0] = info->state[0];
	df->state[1] = info->state[1];
}

void detectors_on_datagram(struct detectors *d, const struct packet *pkt,
			   const struct flow *f, int dir)
{
	(void)dir;
	advance(d, f->last_ts);
	packet_seen(d, pkt, f);
}

void detectors_on_icmp_error(struct detectors *d, const struct packet *pkt,
			     const struct flow *quoted)
{
	if (d->reclaim_due)
		det_reclaim(d);
	for (size_t u = 0; u < N_UNITS; u++)
		if (det_units[u]->on_icmp_error != NULL)
			det_units[u]->on_icmp_error(d, pkt, quoted);
}

void detectors_on_reassembled(struct detectors *d, const struct packet *whole,
			      size_t fragments)
{
	for (size_t u = 0; u < N_UNITS; u++)
		if (det_units[u]->on_reassembled != NULL)
			det_units[u]->on_reassembled(d, whole, fragments);
}

void detectors_on_capture_end(struct detectors *d, int64_t now)
{
	if (now > d->now)
		d->now = now;
}

bool detectors_may_park(const struct detectors *d, const struct flow *f,
			struct flow_sink_area area)
{
	const struct det_flow *df = area.storage;

	(void)f;
	if (!d->tcp_on)
		return true;
	return !(*area.mark & (DM_CLOSE_WAIT | DM_ZERO_WINDOW)) &&
	       !(df->flags & DF_SYN_PENDING);
}

void detectors_on_flow_end(struct detectors *d, const struct flow *f,
			   struct flow_sink_area area)
{
	struct det_flow *df;
	bool side;

	if (!d->tcp_on || !flow_is_tcp(f))
		return;
	if (d->reclaim_due)
		det_reclaim(d);
	/* Most flows leave nothing in their side state: leave it cold. */
	side = (*area.mark & DM_SIDE_ANY) != 0;
	df = side ? area.storage : NULL;
	d->mark = area.mark;
	for (uint8_t i = 0, n = d->n_flow_end_hooks[side]; i < n; i++)
		d->flow_end_hooks[side][i](d, f, df);
	d->mark = NULL;
	if (df != NULL)
		ext_release(d, df);
}

void detectors_finish(struct detectors *d, const struct analyzer_stats *st,
		      const struct defrag_stats *frag)
{
	if (st != NULL && st->last_ts > d->now)
		d->now = st->last_ts;
	for (size_t u = 0; u < N_UNITS; u++)
		if (det_units[u]->finish != NULL)
			det_units[u]->finish(d, frag);
}

/* ------------------------------------------------------------ the sink */

static void sink_flow_start(void *ctx, const struct flow *f,
			    struct flow_sink_area area)
{
	detectors_on_flow_start(ctx, f, area);
}

static void sink_tcp_segment(void *ctx, const struct packet *pkt,
			     const struct flow *f,
			     const struct tcp_seg_info *info,
			     struct flow_sink_area area)
{
	detectors_on_tcp_segment(ctx, pkt, f, info, area);
}

static void sink_datagram(void *ctx, const struct packet *pkt,
			  const struct flow *f, int dir,
			  struct flow_sink_area area)
{
	(void)area;
	detectors_on_datagram(ctx, pkt, f, dir);
}

static void sink_icmp_error(void *ctx, const struct packet *pkt,
			    const struct flow *quoted)
{
	detectors_on_icmp_error(ctx, pkt, quoted);
}

static void sink_reassembled(void *ctx, const struct packet *whole,
			     size_t fragments)
{
	detectors_on_reassembled(ctx, whole, fragments);
}

static void sink_time(void *ctx, int64_t now)
{
	detectors_advance(ctx, now);
}

static void sink_capture_end(void *ctx, int64_t now)
{
	detectors_on_capture_end(ctx, now);
}

static void sink_flow_end(void *ctx, const struct flow *f,
			  struct flow_sink_area area)
{
	detectors_on_flow_end(ctx, f, area);
}

size_t detectors_flow_storage(const struct detectors *d)
{
	return d->tcp_on ? sizeof(struct det_flow) : 0;
}

struct analyzer_sink detectors_sink(struct detectors *d)
{
	struct analyzer_sink s = {
		.ctx = d,
		.on_flow_start = sink_flow_start,
		.on_tcp_segment = sink_tcp_segment,
		.on_datagram = sink_datagram,
		.on_icmp_error = sink_icmp_error,
		.on_reassembled = sink_reassembled,
		.on_time = sink_time,
		.on_capture_end = sink_capture_end,
		.on_flow_end = sink_flow_end,
		.flow_storage = detectors_flow_storage(d),
	};

	return s;
}
