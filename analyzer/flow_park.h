/*
 * Parked flows: flows idle long enough that their whole slot in the flow
 * table (the flow and the sinks' storage behind it) costs more than it
 * is worth, kept compressed until something needs them again.  A record
 * holds the 4-byte words of the slot that differ from a reference slot,
 * and a bitmap of where they go: lossless whatever the slot holds, so
 * nothing that reads a restored flow can tell it was parked.
 *
 * Records are named by handles, which the flow table's index holds
 * (they fit its slots: below 2^27), and kept in order of last activity
 * (last_ts, then last_frame), so that expiry and eviction see the least
 * recently active first, as the table's lists do.  The flow table is
 * this module's only user (flow_table.h).
 */
#ifndef TCPLENS_FLOW_PARK_H
#define TCPLENS_FLOW_PARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

struct flow_park;

/* For slots of stride bytes (a multiple of 4, struct flow first). */
struct flow_park *flow_park_new(size_t stride);
void flow_park_free(struct flow_park *p);

/*
 * Parks the slot at f (stride bytes) under hash, its key's
 * flow_key_hash(): its handle, or 0 when memory ran out (nothing is
 * parked).
 */
uint32_t flow_park_put(struct flow_park *p, const struct flow *f,
		       uint64_t hash);
/* Whether the flow parked as h holds key. */
bool flow_park_has_key(const struct flow_park *p, uint32_t h,
		       const struct flow_key *key);
/* The hash h was parked under. */
uint64_t flow_park_hash(const struct flow_park *p, uint32_t h);
/* The handle of the least recently active parked flow, or 0. */
uint32_t flow_park_oldest(const struct flow_park *p);
/* Its last activity (last_ts); INT64_MAX when nothing is parked. */
int64_t flow_park_oldest_ts(const struct flow_park *p);
/*
 * Whether it was last active before f (by last_ts, then last_frame: the
 * order of the table's lists).
 */
bool flow_park_oldest_before(const struct flow_park *p, const struct flow *f);
/*
 * Restores handle h's slot into out (stride bytes, every byte written)
 * and forgets it: h is no longer valid.
 */
void flow_park_take(struct flow_park *p, uint32_t h, struct flow *out);
/*
 * fn sees each parked flow, least recently active first, restored into
 * a scratch slot; what it writes there is kept, but for last_ts, which
 * it must not change.  False when memory ran out keeping a change (the
 * flow keeps what it held before).
 */
bool flow_park_foreach(struct flow_park *p,
		       void (*fn)(void *ctx, struct flow *f), void *ctx);

size_t flow_park_count(const struct flow_park *p);
/* Bytes held: records and their handles. */
size_t flow_park_memory(const struct flow_park *p);

#endif
