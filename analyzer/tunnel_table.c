#include "tunnel_table.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/*
 * Entries in chunks of TUNNEL_CHUNK, found by a fixed array of chunk
 * pointers (never reallocated, so a reader elsewhere never sees it
 * move); the index is open addressing over ids, grown at 3/4 load.
 */
enum {
	TUNNEL_CHUNK = 1024,
	TUNNEL_CHUNKS = (TUNNEL_TABLE_MAX + 1 + TUNNEL_CHUNK - 1) / TUNNEL_CHUNK,
	TUNNEL_INDEX_MIN = 64,
};

struct tunnel_table {
	struct tunnel_info *chunks[TUNNEL_CHUNKS];
	/*
	 * Ids 1..count are given out.  Stored with release after the entry
	 * is written, loaded with acquire by tunnel_table_get(): another
	 * thread (flow_render_queue.c) that sees an id sees its entry.
	 */
	_Atomic uint32_t count;
	uint16_t *index;        /* ids; 0 marks a free slot */
	uint32_t index_mask;
	uint64_t refused;
};

struct tunnel_table *tunnel_table_new(void)
{
	struct tunnel_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->index = calloc(TUNNEL_INDEX_MIN, sizeof(*t->index));
	if (t->index == NULL) {
		free(t);
		return NULL;
	}
	t->index_mask = TUNNEL_INDEX_MIN - 1;
	return t;
}

void tunnel_table_free(struct tunnel_table *t)
{
	if (t == NULL)
		return;
	for (unsigned i = 0; i < TUNNEL_CHUNKS; i++)
		free(t->chunks[i]);
	free(t->index);
	free(t);
}

static struct tunnel_info *entry_at(const struct tunnel_table *t, uint32_t id)
{
	return &t->chunks[id / TUNNEL_CHUNK][id % TUNNEL_CHUNK];
}

const struct tunnel_info *tunnel_table_get(const struct tunnel_table *t,
					   uint16_t id)
{
	if (t == NULL || id == 0 ||
	    id > atomic_load_explicit(&t->count, memory_order_acquire))
		return NULL;
	return entry_at(t, id);
}

uint64_t tunnel_table_refused(const struct tunnel_table *t)
{
	return t->refused;
}

const char *tunnel_kind_name(uint8_t kind, uint8_t outer_proto,
			     uint8_t family)
{
	struct packet_encap e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.outer_proto = outer_proto;
	e.src.family = family;
	return encap_name(&e);
}

const char *tunnel_info_kind_name(const struct tunnel_info *ti)
{
	return tunnel_kind_name(ti->kind, ti->outer_proto, ti->family);
}

static bool index_grow(struct tunnel_table *t)
{
	uint32_t cap = (t->index_mask + 1) * 2;
	uint32_t n = atomic_load_explicit(&t->count, memory_order_relaxed);
	uint16_t *idx = calloc(cap, sizeof(*idx));

	if (idx == NULL)
		return false;
	for (uint32_t id = 1; id <= n; id++) {
		uint32_t s = tunnel_identity_hash(entry_at(t, id)) & (cap - 1);

		while (idx[s] != 0)
			s = (s + 1) & (cap - 1);
		idx[s] = (uint16_t)id;
	}
	free(t->index);
	t->index = idx;
	t->index_mask = cap - 1;
	return true;
}

static uint16_t tunnel_add(struct tunnel_table *t, const struct tunnel_info *ti)
{
	uint32_t id = atomic_load_explicit(&t->count, memory_order_relaxed) + 1;
	uint32_t s;

	if (id > TUNNEL_TABLE_MAX)
		return 0;
	if ((id + 1) * 4 > (t->index_mask + 1) * 3 && !index_grow(t))
		return 0;
	if (t->chunks[id / TUNNEL_CHUNK] == NULL) {
		t->chunks[id / TUNNEL_CHUNK] =
			malloc(TUNNEL_CHUNK * sizeof(struct tunnel_info));
		if (t->chunks[id / TUNNEL_CHUNK] == NULL)
			return 0;
	}
	*entry_at(t, id) = *ti;
	for (s = tunnel_identity_hash(ti) & t->index_mask; t->index[s] != 0;
	     s = (s + 1) & t->index_mask)
		;
	t->index[s] = (uint16_t)id;
	atomic_store_explicit(&t->count, id, memory_order_release);
	return (uint16_t)id;
}

uint16_t tunnel_table_intern(struct tunnel_table *t, uint16_t parent,
			     const struct packet_encap *e, bool *created)
{
	struct tunnel_info ti;
	uint16_t id;

	*created = false;
	tunnel_identity_of(&ti, parent, e);
	for (uint32_t s = tunnel_identity_hash(&ti) & t->index_mask;
	     t->index[s] != 0; s = (s + 1) & t->index_mask)
		if (tunnel_identity_same(entry_at(t, t->index[s]), &ti))
			return t->index[s];
	id = tunnel_add(t, &ti);
	if (id == 0)
		t->refused++;
	*created = id != 0;
	return id;
}
