#include "flow_order.h"

#include <stdlib.h>

/* The parts of the order, least significant first. */
enum order_part { BY_FIRST_FRAME, BY_TS, BY_SORT_DESC };

static const enum order_part parts_lsd[] = {BY_FIRST_FRAME, BY_TS,
					    BY_SORT_DESC};
#define N_PARTS (sizeof(parts_lsd) / sizeof(parts_lsd[0]))

/* Each part as an unsigned key whose ascending order is the part's. */
static uint64_t part_key(const struct flow_order_key *k, enum order_part part)
{
	switch (part) {
	case BY_FIRST_FRAME: return k->first_frame;
	/* Signed to unsigned, order kept. */
	case BY_TS: return (uint64_t)k->ts ^ (1ULL << 63);
	case BY_SORT_DESC: return ~k->sort;
	}
	return 0;
}

int flow_order_compare(const struct flow_order_key *a,
		       const struct flow_order_key *b)
{
	for (size_t p = N_PARTS; p-- > 0;) {
		uint64_t ka = part_key(a, parts_lsd[p]);
		uint64_t kb = part_key(b, parts_lsd[p]);

		if (ka != kb)
			return ka < kb ? -1 : 1;
	}
	return 0;
}

/* A part's key and the index it belongs to. */
struct keyed {
	uint64_t key;
	size_t idx;
};

/*
 * Stable LSD radix sort of a[0..n) by key, 11 bits at a time, skipping
 * the digits every key shares (start times of one capture share their
 * top 30 bits): five passes on the bench capture where bytes took eight.
 * b is scratch.  Returns the array that holds the result.
 */
enum { RADIX_BITS = 11, RADIX = 1 << RADIX_BITS };

static struct keyed *radix_sort(struct keyed *a, struct keyed *b, size_t n)
{
	uint64_t differ = 0;

	for (size_t i = 1; i < n; i++)
		differ |= a[i].key ^ a[0].key;
	for (unsigned shift = 0; shift < 64; shift += RADIX_BITS) {
		size_t count[RADIX] = {0}, sum = 0;
		struct keyed *t;

		if (((differ >> shift) & (RADIX - 1)) == 0)
			continue;
		for (size_t i = 0; i < n; i++)
			count[(a[i].key >> shift) & (RADIX - 1)]++;
		for (size_t k = 0; k < RADIX; k++) {
			size_t c = count[k];

			count[k] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			b[count[(a[i].key >> shift) & (RADIX - 1)]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	return a;
}

static const struct flow_order_key *key_at(const struct flow_order_key *keys,
					   size_t stride, size_t i)
{
	return (const struct flow_order_key *)((const char *)keys + i * stride);
}

/*
 * Starting from index order, each stable pass sorts by a more
 * significant part: the last pass decides, earlier ones break its ties.
 */
size_t *flow_order_sort(const struct flow_order_key *keys, size_t n,
			size_t stride)
{
	size_t alloc = n ? n : 1;
	struct keyed *a = malloc(alloc * sizeof(*a));
	struct keyed *b = malloc(alloc * sizeof(*b));
	size_t *perm = malloc(alloc * sizeof(*perm));

	if (a == NULL || b == NULL || perm == NULL) {
		free(perm);
		perm = NULL;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		a[i].idx = i;
	for (size_t p = 0; p < N_PARTS; p++) {
		struct keyed *sorted;

		for (size_t i = 0; i < n; i++)
			a[i].key = part_key(key_at(keys, stride, a[i].idx),
					    parts_lsd[p]);
		sorted = radix_sort(a, b, n);
		b = sorted == a ? b : a;
		a = sorted;
	}
	for (size_t i = 0; i < n; i++)
		perm[i] = a[i].idx;
out:
	free(a);
	free(b);
	return perm;
}
