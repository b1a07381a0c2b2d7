/*
 * The flow table: flows from a pool of fixed-size chunks (pointers stay
 * valid until a flow is removed), found through an open-addressing hash
 * over the direction-independent key, and kept on one of several lists
 * ordered by last activity.  Each list has one idle timeout, so expiry
 * only ever looks at list heads: constant work per packet.
 */
#ifndef TCPLENS_FLOW_TABLE_H
#define TCPLENS_FLOW_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"

enum flow_list {
	FLOW_LIST_TCP_OPEN,      /* established: never idle-expired */
	FLOW_LIST_TCP_HALF_OPEN, /* handshake not finished */
	FLOW_LIST_TCP_CLOSING,   /* FIN or RST exchange under way */
	FLOW_LIST_TCP_TIME_WAIT, /* an endpoint in TIME_WAIT, the other closed */
	FLOW_LIST_TCP_CLOSED,    /* both closed: lingers for stray segments */
	FLOW_LIST_UDP,
	FLOW_LIST_ICMP,
	FLOW_LIST_TUNNEL,        /* a tunnel's own flow */
	FLOW_LIST_COUNT
};

#define FLOW_TIMEOUT_NONE INT64_MAX

struct flow_table_config {
	uint32_t max_flows;
	int64_t timeout_ns[FLOW_LIST_COUNT];
	/* Bytes each flow carries for the sink, at FLOW_SINK_OFFSET (0: none). */
	size_t sink_bytes;
};

struct flow_table;

struct flow_table *flow_table_new(const struct flow_table_config *cfg);
void flow_table_free(struct flow_table *t);

#define FLOW_KEY_WORDS 5

uint64_t flow_key_hash(const struct flow_key *key);
/* The same hash from the key's five 8-byte words (as memcpy'd). */
uint64_t flow_key_hash_words(const uint64_t w[FLOW_KEY_WORDS]);
struct flow *flow_table_lookup(struct flow_table *t,
			       const struct flow_key *key, uint64_t hash);
/*
 * A zeroed flow holding key, on list, last active now; NULL when the
 * table is full (the caller evicts flow_table_oldest() first) or memory
 * ran out.
 */
struct flow *flow_table_insert(struct flow_table *t,
			       const struct flow_key *key, uint64_t hash,
			       enum flow_list list, int64_t now);
/* Moves f to the tail of list: it was active at now. */
void flow_table_touch(struct flow_table *t, struct flow *f,
		      enum flow_list list, int64_t now);
void flow_table_remove(struct flow_table *t, struct flow *f);
/*
 * Zeroes f for a new flow on the same key, last active now, on list: it
 * keeps its place in the index (a port reused while in TIME_WAIT costs
 * no removal and insertion).
 */
void flow_table_recycle(struct flow_table *t, struct flow *f,
			enum flow_list list, int64_t now);

/*
 * For a table that will only lose its flows (the capture has ended):
 * no lookup finds a flow and no insertion succeeds from now on, and a
 * removal no longer updates the index.
 */
void flow_table_close_index(struct flow_table *t);
/* A flow whose list timeout has passed at now, or NULL. */
struct flow *flow_table_next_expired(struct flow_table *t, int64_t now);
/* The least recently active flow of all, or NULL when empty. */
struct flow *flow_table_oldest(struct flow_table *t);
/* Every flow in the table, in no particular order. */
void flow_table_foreach(struct flow_table *t,
			void (*fn)(void *ctx, struct flow *f), void *ctx);

/*
 * Parks (flow_park.h) flows of list idle since before idle_before, at
 * most budget of them looked at: their slots are freed, and they come
 * back, in their place by activity, when a lookup, an expiry, an
 * eviction or a walk needs them (a walk's fn sees a scratch copy, and
 * what it writes is kept).  Only one list is ever parked from: the
 * first asked for.  may_park (NULL: any) is asked first; a flow it
 * refuses is not asked again until it is touched or
 * flow_table_park_rescan().  Gives how many
 * were parked.  Flows hold no address across a parking: whatever
 * keeps one must refuse it.
 */
size_t flow_table_park_idle(struct flow_table *t, enum flow_list list,
			    int64_t idle_before,
			    bool (*may_park)(void *ctx, const struct flow *f),
			    void *ctx, size_t budget);
/* Asks again, at the next parking, the flows may_park refused. */
void flow_table_park_rescan(struct flow_table *t);
/* Flows parked now (they count in flow_table_count()). */
size_t flow_table_parked(const struct flow_table *t);

size_t flow_table_count(const struct flow_table *t);
size_t flow_table_peak(const struct flow_table *t);
/* What one flow takes in the table, with the sink's storage. */
size_t flow_table_flow_bytes(const struct flow_table *t);
/* Bytes held by the pool, the hash index and the parked flows. */
size_t flow_table_memory(const struct flow_table *t);
/* Bytes of the hash index alone. */
size_t flow_table_index_bytes(const struct flow_table *t);

#endif
