#include "flow_table.h"

#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "flow_park.h"

/* Linux 5.14; older kernels refuse it and the pages fault in one by one. */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/*
 * Flows come in chunks of FLOW_CHUNK; a chunk is never freed before the
 * table, so a flow's address is stable and steady-state traffic does
 * not allocate.  Index 0 means "none" in the lists and the hash slots.
 */
enum { FLOW_CHUNK_SHIFT = 12, FLOW_CHUNK = 1u << FLOW_CHUNK_SHIFT };

/*
 * Chunks are carved, in order, from arenas of FLOW_ARENA_CHUNKS mapped
 * at once: 32,768 flows, a whole number of 2 MiB huge pages at any
 * stride that is a multiple of 64 (the sink's alignment), so no page of
 * an arena with sink storage is a small one.  An arena is made present
 * a huge page at a time, as its flows are first handed out.
 */
enum { FLOW_ARENA_CHUNKS = 8 };
#define HUGE_PAGE_BYTES ((size_t)2 << 20)

/*
 * A slot: in the low bits the flow's index, or a parked flow's handle
 * (flow_park.h) when SLOT_PARKED is set (0 = empty); 4 bits of the hash
 * above, which skip 15 in 16 mismatching flows without touching them.
 * Parked flows share the index, so that a new key costs one probe and
 * parking a flow or bringing it back rewrites its slot in place.  4
 * bytes a slot keeps the index at 5 to 11 bytes per flow.
 */
#define SLOT_IDX_BITS 27
#define SLOT_IDX_MASK ((1u << SLOT_IDX_BITS) - 1)
#define SLOT_PARKED (1u << SLOT_IDX_BITS)
#define SLOT_ENTRY_MASK (SLOT_IDX_MASK | SLOT_PARKED)

_Static_assert(100000000u <= SLOT_IDX_MASK, "--max-flows must fit a slot");

struct flow_slot {
	uint32_t v;
};

static uint32_t slot_idx(struct flow_slot s)
{
	return s.v & SLOT_IDX_MASK;
}

struct flow_list_head {
	uint32_t head, tail;
};

struct flow_table {
	struct flow_table_config cfg;
	/*
	 * A flow's bytes in its chunk: the flow alone, or with the sink's
	 * storage behind it (cache-line aligned, so the sink's hot line is
	 * one line).  Zeroed with the flow.
	 */
	size_t stride;
	char **chunks;
	size_t n_chunks, chunks_cap;
	char *present_end;      /* the newest arena is present up to here */
	uint32_t next_unused;   /* indices handed out so far (from 1) */
	uint32_t free_head;     /* released flows, linked through lru_next */
	struct flow_slot *slots;  /* NULL after flow_table_close_index() */
	size_t slot_mask;       /* slot count - 1, a power of two minus one */
	size_t count, peak;
	struct flow_list_head lists[FLOW_LIST_COUNT];
	/*
	 * No list head expires before this (a lower bound, made exact by a
	 * scan once the clock reaches it): most packets pay one comparison.
	 */
	int64_t min_deadline;
	/*
	 * Idle flows of park_list parked (flow_table_park_idle()), made on
	 * the first; they count among the table's flows.  park_examined:
	 * the last flow of park_list a sink would not let go, 0 for none;
	 * it and those before it are not asked again until they move.
	 */
	struct flow_park *park;
	int park_list;
	uint32_t park_examined;
	/*
	 * Where a parked flow leaving the table (expired, evicted, at the
	 * end) is restored: it needs no slot, and is gone at the next call.
	 */
	struct flow *leaving;
};

/* What a new flow's memset clears: the flow, and its sink storage. */
static size_t zeroed_bytes(const struct flow_table *t)
{
	return t->cfg.sink_bytes > 0 ? t->stride : sizeof(struct flow);
}

/* FLOW_ARENA_CHUNKS chunks, rounded up to whole huge pages. */
static size_t arena_bytes(const struct flow_table *t)
{
	return (FLOW_ARENA_CHUNKS * FLOW_CHUNK * t->stride +
		HUGE_PAGE_BYTES - 1) / HUGE_PAGE_BYTES * HUGE_PAGE_BYTES;
}

static struct flow *flow_at(const struct flow_table *t, uint32_t idx)
{
	return (struct flow *)(t->chunks[(idx - 1) >> FLOW_CHUNK_SHIFT] +
			       ((idx - 1) & (FLOW_CHUNK - 1)) * t->stride);
}

/* Kept in the flow: recovering it from the chunk list would need a search. */
static uint32_t flow_index(const struct flow *f)
{
	return f->table_idx;
}

uint64_t flow_key_hash_words(const uint64_t w[FLOW_KEY_WORDS])
{
	uint64_t h = 0x9e3779b97f4a7c15ULL;

	for (int i = 0; i < FLOW_KEY_WORDS; i++) {
		h ^= w[i];
		h *= 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
	}
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 29);
}

uint64_t flow_key_hash(const struct flow_key *key)
{
	uint64_t w[FLOW_KEY_WORDS];

	_Static_assert(sizeof(*key) == sizeof(w), "flow_key is five words");
	memcpy(w, key, sizeof(w));
	return flow_key_hash_words(w);
}

/*
 * Word by word: a key just built on the stack is read with loads of the
 * size it was written with, so they take the stored values directly
 * (a wider load over narrower stores stalls until they retire).
 */
static bool flow_key_equal(const struct flow_key *a, const struct flow_key *b)
{
	for (size_t i = 0; i < sizeof(*a); i += 8) {
		uint64_t x, y;

		memcpy(&x, (const char *)a + i, 8);
		memcpy(&y, (const char *)b + i, 8);
		if (x != y)
			return false;
	}
	return true;
}

struct flow_table *flow_table_new(const struct flow_table_config *cfg)
{
	struct flow_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->cfg = *cfg;
	t->stride = sizeof(struct flow);
	if (cfg->sink_bytes > 0)
		t->stride = FLOW_SINK_OFFSET +
			    (cfg->sink_bytes + FLOW_SINK_ALIGN - 1) /
			    FLOW_SINK_ALIGN * FLOW_SINK_ALIGN;
	t->min_deadline = INT64_MAX;
	t->slot_mask = 1024 - 1;
	t->slots = calloc(t->slot_mask + 1, sizeof(*t->slots));
	if (t->slots == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void flow_table_free(struct flow_table *t)
{
	if (t == NULL)
		return;
	flow_park_free(t->park);
	free(t->leaving);
	for (size_t i = 0; i < t->n_chunks; i += FLOW_ARENA_CHUNKS)
		munmap(t->chunks[i], arena_bytes(t));
	free(t->chunks);
	free(t->slots);
	free(t);
}

static size_t slot_home(const struct flow_table *t, uint64_t hash)
{
	return (size_t)hash & t->slot_mask;
}

static uint32_t slot_tag(uint64_t hash)
{
	return (uint32_t)(hash >> 60) << (SLOT_IDX_BITS + 1);
}

/* The hash of the key in slot s, parked or not. */
static uint64_t slot_hash(const struct flow_table *t, struct flow_slot s)
{
	if (s.v & SLOT_PARKED)
		return flow_park_hash(t->park, slot_idx(s));
	return flow_key_hash(&flow_at(t, slot_idx(s))->key);
}

static struct flow *unpark(struct flow_table *t, size_t slot);

struct flow *flow_table_lookup(struct flow_table *t,
			       const struct flow_key *key, uint64_t hash)
{
	uint32_t tag = slot_tag(hash);

	if (t->slots == NULL)
		return NULL;
	for (size_t i = slot_home(t, hash);; i = (i + 1) & t->slot_mask) {
		struct flow_slot s = t->slots[i];
		struct flow *f;

		if (slot_idx(s) == 0)
			return NULL;
		if ((s.v & ~SLOT_ENTRY_MASK) != tag)
			continue;
		if (s.v & SLOT_PARKED) {
			if (flow_park_has_key(t->park, slot_idx(s), key))
				return unpark(t, i);
			continue;
		}
		f = flow_at(t, slot_idx(s));
		if (flow_key_equal(&f->key, key))
			return f;
	}
}

/* entry: a flow's index, or a parked flow's handle | SLOT_PARKED. */
static void slot_put(struct flow_slot *slots, size_t mask, uint64_t hash,
		     uint32_t entry)
{
	size_t i = (size_t)hash & mask;

	while (slot_idx(slots[i]) != 0)
		i = (i + 1) & mask;
	slots[i].v = entry | slot_tag(hash);
}

/* Where entry (as slot_put() took it) of a key with hash is. */
static size_t slot_find(const struct flow_table *t, uint32_t entry,
			uint64_t hash)
{
	size_t i = slot_home(t, hash);

	while ((t->slots[i].v & SLOT_ENTRY_MASK) != entry)
		i = (i + 1) & t->slot_mask;
	return i;
}

/* Slots between a key's prefetch and its use when the index grows. */
enum { GROW_PREFETCH = 8 };

/*
 * Doubles the index when it would pass three quarters full: probes stay
 * short (the tags skip most mismatches without touching the flow).
 */
static bool slots_grow(struct flow_table *t)
{
	size_t n = (t->slot_mask + 1) * 2;
	struct flow_slot *s = calloc(n, sizeof(*s));

	if (s == NULL)
		return false;
	for (size_t i = 0; i <= t->slot_mask; i++) {
		struct flow_slot ahead;

		/*
		 * The keys are cold and in no order: ask for one a few slots
		 * ahead, so that the misses overlap.
		 */
		if (i + GROW_PREFETCH <= t->slot_mask) {
			ahead = t->slots[i + GROW_PREFETCH];
			if (slot_idx(ahead) != 0 && !(ahead.v & SLOT_PARKED))
				__builtin_prefetch(
					&flow_at(t, slot_idx(ahead))->key);
		}
		if (slot_idx(t->slots[i]) != 0)
			slot_put(s, n - 1, slot_hash(t, t->slots[i]),
				 t->slots[i].v & SLOT_ENTRY_MASK);
	}
	free(t->slots);
	t->slots = s;
	t->slot_mask = n - 1;
	return true;
}

/*
 * Backward-shift deletion keeps every probe chain unbroken.  entry: as
 * slot_put() took it.
 */
static void slot_delete(struct flow_table *t, uint32_t entry, uint64_t hash)
{
	size_t i = slot_find(t, entry, hash);

	for (;;) {
		size_t j = (i + 1) & t->slot_mask;
		size_t home;

		t->slots[i].v = 0;
		for (;; j = (j + 1) & t->slot_mask) {
			if (slot_idx(t->slots[j]) == 0)
				return;
			home = slot_home(t, slot_hash(t, t->slots[j]));
			/* Movable unless its home lies cyclically in (i, j]. */
			if (i <= j ? (home <= i || home > j)
				   : (home <= i && home > j))
				break;
		}
		t->slots[i] = t->slots[j];
		i = j;
	}
}

/*
 * An arena straight from the kernel: on a 2 MiB boundary (so the sink's
 * lines are aligned, and its huge pages line up), already zero, so a
 * flow never used before needs no memset, and not yet present.
 */
static char *arena_new(size_t bytes)
{
	char *raw = mmap(NULL, bytes + HUGE_PAGE_BYTES, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *c;
	size_t lead;

	if (raw == MAP_FAILED)
		return NULL;
	lead = (HUGE_PAGE_BYTES - (uintptr_t)raw % HUGE_PAGE_BYTES) %
	       HUGE_PAGE_BYTES;
	c = raw + lead;
	if (lead > 0)
		munmap(raw, lead);
	munmap(c + bytes, HUGE_PAGE_BYTES - lead);
	(void)madvise(c, bytes, MADV_HUGEPAGE);
	return c;
}

/*
 * Makes the newest arena present through the huge page holding end, in
 * one call: in this VM a page faulted in by its first write costs about
 * 20 us, and on a 500,000-flow SYN flood, where every flow is new and
 * every page fresh, the faults and the memset were a third of report's
 * time.  A huge page at a time keeps the resident set within 2 MiB of
 * the flows handed out.
 */
static void arena_make_present(struct flow_table *t, const char *end)
{
	uintptr_t want = ((uintptr_t)end + HUGE_PAGE_BYTES - 1) /
			 HUGE_PAGE_BYTES * HUGE_PAGE_BYTES;
	char *arena = t->chunks[(t->n_chunks - 1) / FLOW_ARENA_CHUNKS *
				FLOW_ARENA_CHUNKS];
	char *to = t->present_end + (want - (uintptr_t)t->present_end);

	if (to > arena + arena_bytes(t))
		to = arena + arena_bytes(t);
	(void)madvise(t->present_end, (size_t)(to - t->present_end),
		      MADV_POPULATE_WRITE);
	t->present_end = to;
}

/* The next chunk: the next in the newest arena, or a new arena's first. */
static char *chunk_next(struct flow_table *t)
{
	char *arena;

	if (t->n_chunks % FLOW_ARENA_CHUNKS != 0)
		return t->chunks[t->n_chunks - 1] + FLOW_CHUNK * t->stride;
	arena = arena_new(arena_bytes(t));
	if (arena == NULL)
		return NULL;
	t->present_end = arena;
	return arena;
}

/* A flow's index, and whether its bytes are zero already (never used). */
static uint32_t flow_alloc(struct flow_table *t, bool *fresh)
{
	uint32_t idx;

	if (t->free_head != 0) {
		idx = t->free_head;
		t->free_head = flow_at(t, idx)->lru_next;
		*fresh = false;
		return idx;
	}
	if ((t->next_unused & (FLOW_CHUNK - 1)) == 0) {
		if (t->n_chunks == t->chunks_cap) {
			size_t cap = t->chunks_cap ? t->chunks_cap * 2 : 16;
			char **c = realloc(t->chunks, cap * sizeof(*c));

			if (c == NULL)
				return 0;
			t->chunks = c;
			t->chunks_cap = cap;
		}
		t->chunks[t->n_chunks] = chunk_next(t);
		if (t->chunks[t->n_chunks] == NULL)
			return 0;
		t->n_chunks++;
	}
	*fresh = true;
	idx = ++t->next_unused;
	if ((char *)flow_at(t, idx) + t->stride > t->present_end)
		arena_make_present(t, (char *)flow_at(t, idx) + t->stride);
	return idx;
}

static void list_unlink(struct flow_table *t, struct flow *f)
{
	struct flow_list_head *l = &t->lists[f->list];

	if (t->park_examined == flow_index(f))
		t->park_examined = f->lru_prev;
	/*
	 * A head leaving makes min_deadline a lower bound (lists are in
	 * order of activity, so the new head expires no earlier): still
	 * safe, and made exact at the next scan.
	 */
	if (f->lru_prev != 0)
		flow_at(t, f->lru_prev)->lru_next = f->lru_next;
	else
		l->head = f->lru_next;
	if (f->lru_next != 0)
		flow_at(t, f->lru_next)->lru_prev = f->lru_prev;
	else
		l->tail = f->lru_prev;
}

static void list_append(struct flow_table *t, struct flow *f,
			enum flow_list list)
{
	struct flow_list_head *l = &t->lists[list];
	uint32_t idx = flow_index(f);

	f->list = (uint8_t)list;
	f->lru_next = 0;
	f->lru_prev = l->tail;
	if (l->tail != 0) {
		flow_at(t, l->tail)->lru_next = idx;
	} else {
		int64_t timeout = t->cfg.timeout_ns[list];

		l->head = idx;
		if (timeout != FLOW_TIMEOUT_NONE &&
		    f->last_ts < t->min_deadline - timeout)
			t->min_deadline = f->last_ts + timeout;
	}
	l->tail = idx;
}

/* Whether a was active after b: the lists' order (every touch counts a frame). */
static bool flow_later(const struct flow *a, const struct flow *b)
{
	return a->last_ts > b->last_ts ||
	       (a->last_ts == b->last_ts && a->last_frame > b->last_frame);
}

/*
 * Links f into its list in its place by activity: a parked flow is old,
 * so its place is near the head.
 */
static void list_insert_ordered(struct flow_table *t, struct flow *f)
{
	struct flow_list_head *l = &t->lists[f->list];
	uint32_t idx = flow_index(f), before = l->head;
	struct flow *g;

	while (before != 0 && !flow_later(flow_at(t, before), f))
		before = flow_at(t, before)->lru_next;
	if (before == 0) {
		list_append(t, f, (enum flow_list)f->list);
		return;
	}
	g = flow_at(t, before);
	f->lru_next = before;
	f->lru_prev = g->lru_prev;
	if (g->lru_prev != 0)
		flow_at(t, g->lru_prev)->lru_next = idx;
	else
		l->head = idx;
	g->lru_prev = idx;
	if (l->head == idx) {
		int64_t timeout = t->cfg.timeout_ns[f->list];

		if (timeout != FLOW_TIMEOUT_NONE &&
		    f->last_ts < t->min_deadline - timeout)
			t->min_deadline = f->last_ts + timeout;
	}
}

/*
 * The least recently active parked flow, restored to leave the table:
 * into t->leaving, on no list, in no slot (flow_table_remove() only
 * counts it out).
 */
static struct flow *unpark_leaving(struct flow_table *t)
{
	struct flow *f = t->leaving;
	uint32_t h = flow_park_oldest(t->park);

	if (t->slots != NULL)
		slot_delete(t, h | SLOT_PARKED, flow_park_hash(t->park, h));
	flow_park_take(t->park, h, f);
	f->table_idx = 0;
	f->lru_prev = 0;
	f->lru_next = 0;
	return f;
}

/*
 * Brings the flow parked in index slot back into a flow of the pool, in
 * its place on its list; NULL when memory ran out (it stays parked).
 */
static struct flow *unpark(struct flow_table *t, size_t slot)
{
	uint32_t h = slot_idx(t->slots[slot]);
	struct flow *f;
	uint32_t idx;
	bool fresh;

	idx = flow_alloc(t, &fresh);
	if (idx == 0)
		return NULL;
	f = flow_at(t, idx);
	flow_park_take(t->park, h, f);
	f->table_idx = idx;
	t->slots[slot].v = (t->slots[slot].v & ~SLOT_ENTRY_MASK) | idx;
	list_insert_ordered(t, f);
	return f;
}

struct flow *flow_table_insert(struct flow_table *t,
			       const struct flow_key *key, uint64_t hash,
			       enum flow_list list, int64_t now)
{
	struct flow *f;
	uint32_t idx;
	bool fresh;

	if (t->count >= t->cfg.max_flows || t->slots == NULL)
		return NULL;
	if ((t->count + 1) * 4 > (t->slot_mask + 1) * 3 && !slots_grow(t))
		return NULL;
	idx = flow_alloc(t, &fresh);
	if (idx == 0)
		return NULL;
	f = flow_at(t, idx);
	if (!fresh)
		memset(f, 0, zeroed_bytes(t));
	f->key = *key;
	f->table_idx = idx;
	f->last_ts = now;
	slot_put(t->slots, t->slot_mask, hash, idx);
	list_append(t, f, list);
	if (++t->count > t->peak)
		t->peak = t->count;
	return f;
}

void flow_table_touch(struct flow_table *t, struct flow *f,
		      enum flow_list list, int64_t now)
{
	/* A lone head moving on only makes min_deadline a lower bound. */
	f->last_ts = now;
	if (f->list == list && t->lists[list].tail == flow_index(f))
		return;
	list_unlink(t, f);
	list_append(t, f, list);
}

void flow_table_recycle(struct flow_table *t, struct flow *f,
			enum flow_list list, int64_t now)
{
	struct flow_key key = f->key;
	uint32_t idx = f->table_idx;

	list_unlink(t, f);
	memset(f, 0, zeroed_bytes(t));
	f->key = key;
	f->table_idx = idx;
	f->last_ts = now;
	list_append(t, f, list);
}

void flow_table_remove(struct flow_table *t, struct flow *f)
{
	uint32_t idx = flow_index(f);

	if (f == t->leaving) {
		t->count--;
		return;
	}
	list_unlink(t, f);
	if (t->slots != NULL)
		slot_delete(t, idx, flow_key_hash(&f->key));
	f->lru_next = t->free_head;
	t->free_head = idx;
	t->count--;
}

/* Whether list l's least recently active flow is parked. */
static bool park_first(const struct flow_table *t, int l)
{
	if (t->park == NULL || l != t->park_list ||
	    flow_park_count(t->park) == 0)
		return false;
	return t->lists[l].head == 0 ||
	       flow_park_oldest_before(t->park, flow_at(t, t->lists[l].head));
}

/* When list l's least recently active flow was, parked or not. */
static bool first_ts(const struct flow_table *t, int l, int64_t *ts)
{
	if (park_first(t, l))
		*ts = flow_park_oldest_ts(t->park);
	else if (t->lists[l].head != 0)
		*ts = flow_at(t, t->lists[l].head)->last_ts;
	else
		return false;
	return true;
}

static void deadline_update(struct flow_table *t)
{
	int64_t min = INT64_MAX;

	for (int l = 0; l < FLOW_LIST_COUNT; l++) {
		int64_t timeout = t->cfg.timeout_ns[l];
		int64_t d;

		if (timeout == FLOW_TIMEOUT_NONE || !first_ts(t, l, &d))
			continue;
		d = d > INT64_MAX - timeout ? INT64_MAX : d + timeout;
		if (d < min)
			min = d;
	}
	t->min_deadline = min;
}

struct flow *flow_table_next_expired(struct flow_table *t, int64_t now)
{
	if (now < t->min_deadline)
		return NULL;
	deadline_update(t);
	if (now < t->min_deadline)
		return NULL;
	for (int l = 0; l < FLOW_LIST_COUNT; l++) {
		int64_t timeout = t->cfg.timeout_ns[l];
		int64_t ts;

		if (timeout == FLOW_TIMEOUT_NONE || !first_ts(t, l, &ts) ||
		    now - ts < timeout)
			continue;
		if (park_first(t, l))
			return unpark_leaving(t);
		return flow_at(t, t->lists[l].head);
	}
	return NULL;
}

/*
 * Deleting a slot rehashes the keys of the flows behind it, which are
 * cold: with 500,000 flows left at a SYN flood's end, a tenth of
 * report's time went to repairing an index about to be freed.
 */
void flow_table_close_index(struct flow_table *t)
{
	free(t->slots);
	t->slots = NULL;
}

struct flow *flow_table_oldest(struct flow_table *t)
{
	int64_t best_ts = 0;
	int best = -1;

	for (int l = 0; l < FLOW_LIST_COUNT; l++) {
		int64_t ts;

		if (first_ts(t, l, &ts) && (best < 0 || ts < best_ts)) {
			best = l;
			best_ts = ts;
		}
	}
	if (best < 0)
		return NULL;
	if (park_first(t, best))
		return unpark_leaving(t);
	return flow_at(t, t->lists[best].head);
}

void flow_table_foreach(struct flow_table *t,
			void (*fn)(void *ctx, struct flow *f), void *ctx)
{
	for (int l = 0; l < FLOW_LIST_COUNT; l++) {
		uint32_t idx = t->lists[l].head;

		while (idx != 0) {
			struct flow *f = flow_at(t, idx);

			idx = f->lru_next; /* fn may not remove f, but be safe */
			fn(ctx, f);
		}
	}
	if (t->park != NULL)
		(void)flow_park_foreach(t->park, fn, ctx);
}

size_t flow_table_count(const struct flow_table *t)
{
	return t->count;
}

size_t flow_table_peak(const struct flow_table *t)
{
	return t->peak;
}

size_t flow_table_flow_bytes(const struct flow_table *t)
{
	return t->stride;
}

size_t flow_table_memory(const struct flow_table *t)
{
	return sizeof(*t) + t->n_chunks * FLOW_CHUNK * t->stride +
	       (t->park != NULL ? flow_park_memory(t->park) : 0) +
	       t->chunks_cap * sizeof(*t->chunks) +
	       (t->slot_mask + 1) * sizeof(struct flow_slot);
}

size_t flow_table_index_bytes(const struct flow_table *t)
{
	return (t->slot_mask + 1) * sizeof(struct flow_slot);
}

void flow_table_park_rescan(struct flow_table *t)
{
	t->park_examined = 0;
}

size_t flow_table_parked(const struct flow_table *t)
{
	return t->park != NULL ? flow_park_count(t->park) : 0;
}

/*
 * Moves f into the park (made on the first): out of its list, its index
 * slot naming it parked, its flow freed.
 */
static bool park_one(struct flow_table *t, struct flow *f)
{
	uint32_t idx = flow_index(f);
	uint64_t hash = flow_key_hash(&f->key);
	size_t slot;
	uint32_t h;

	if (t->park == NULL) {
		t->park = flow_park_new(t->stride);
		t->leaving = aligned_alloc(FLOW_SINK_ALIGN,
					   (t->stride + FLOW_SINK_ALIGN - 1) /
					   FLOW_SINK_ALIGN * FLOW_SINK_ALIGN);
		if (t->park == NULL || t->leaving == NULL) {
			flow_park_free(t->park);
			free(t->leaving);
			t->park = NULL;
			t->leaving = NULL;
			return false;
		}
		t->park_list = f->list;
	}
	h = flow_park_put(t->park, f, hash);
	if (h == 0)
		return false;
	list_unlink(t, f);
	slot = slot_find(t, idx, hash);
	t->slots[slot].v = (t->slots[slot].v & ~SLOT_ENTRY_MASK) | h |
			   SLOT_PARKED;
	f->lru_next = t->free_head;
	t->free_head = idx;
	return true;
}

size_t flow_table_park_idle(struct flow_table *t, enum flow_list list,
			    int64_t idle_before,
			    bool (*may_park)(void *ctx, const struct flow *f),
			    void *ctx, size_t budget)
{
	size_t parked = 0;
	uint32_t idx;

	if (t->slots == NULL || (t->park != NULL && (int)list != t->park_list))
		return 0;

	idx = t->park_examined != 0 ? flow_at(t, t->park_examined)->lru_next
				    : t->lists[list].head;
	/* Within the first chunk, a freed slot saves nothing. */
	while (idx != 0 && budget-- > 0 &&
	       t->count - flow_table_parked(t) > FLOW_CHUNK) {
		struct flow *f = flow_at(t, idx);
		uint32_t next = f->lru_next;

		if (f->last_ts >= idle_before)
			break;
		if ((may_park == NULL || may_park(ctx, f)) && park_one(t, f))
			parked++;
		else
			t->park_examined = idx;
		idx = next;
	}
	return parked;
}
