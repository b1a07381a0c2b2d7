#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "flow_table.h"

#define NS 1000000000LL

/* Flow n: 10.x.y.z:n -> 192.0.2.1:80, a distinct TCP key per n. */
static struct flow_key key_of(uint32_t n)
{
	struct flow_key k;

	memset(&k, 0, sizeof(k));
	k.family = 4;
	k.proto = 6;
	k.addr[0][0] = 10;
	k.addr[0][1] = (uint8_t)(n >> 16);
	k.addr[0][2] = (uint8_t)(n >> 8);
	k.addr[0][3] = (uint8_t)n;
	k.addr[1][0] = 192;
	k.addr[1][2] = 2;
	k.addr[1][3] = 1;
	k.port[0] = (uint16_t)(n | 1024);
	k.port[1] = 80;
	return k;
}

static struct flow_table *table_with(uint32_t max, size_t sink_bytes)
{
	struct flow_table_config cfg = {0};

	cfg.max_flows = max;
	cfg.sink_bytes = sink_bytes;
	for (int l = 0; l < FLOW_LIST_COUNT; l++)
		cfg.timeout_ns[l] = 10 * NS;
	cfg.timeout_ns[FLOW_LIST_TCP_OPEN] = FLOW_TIMEOUT_NONE;
	return flow_table_new(&cfg);
}

static struct flow_table *table(uint32_t max)
{
	return table_with(max, 0);
}

static struct flow *insert(struct flow_table *t, uint32_t n,
			   enum flow_list l, int64_t now)
{
	struct flow_key k = key_of(n);

	return flow_table_insert(t, &k, flow_key_hash(&k), l, now);
}

static struct flow *lookup(struct flow_table *t, uint32_t n)
{
	struct flow_key k = key_of(n);

	return flow_table_lookup(t, &k, flow_key_hash(&k));
}

/* 100k flows: all found, pointers stable while the index grows. */
static void test_insert_lookup_many(void **state)
{
	struct flow_table *t = table(1000000);
	struct flow *first;

	(void)state;
	first = insert(t, 0, FLOW_LIST_TCP_OPEN, 0);
	assert_non_null(first);
	for (uint32_t n = 1; n < 100000; n++)
		assert_non_null(insert(t, n, FLOW_LIST_TCP_OPEN, n));
	assert_int_equal(flow_table_count(t), 100000);
	assert_ptr_equal(lookup(t, 0), first);
	for (uint32_t n = 0; n < 100000; n += 997)
		assert_int_equal(lookup(t, n)->key.port[0], (uint16_t)(n | 1024));
	for (uint32_t n = 0; n < 100000; n++)
		assert_non_null(lookup(t, n));
	assert_null(lookup(t, 100000));
	flow_table_free(t);
}

/*
 * Removing flows from the middle of probe chains (backward shift) must
 * leave every other flow reachable.
 */
static void test_remove_keeps_chains(void **state)
{
	struct flow_table *t = table(1000000);

	(void)state;
	for (uint32_t n = 0; n < 20000; n++)
		insert(t, n, FLOW_LIST_UDP, n);
	for (uint32_t n = 0; n < 20000; n += 3)
		flow_table_remove(t, lookup(t, n));
	for (uint32_t n = 0; n < 20000; n++) {
		if (n % 3 == 0)
			assert_null(lookup(t, n));
		else
			assert_non_null(lookup(t, n));
	}
	/* Freed slots are reused without growing the pool. */
	{
		size_t mem = flow_table_memory(t);

		for (uint32_t n = 0; n < 20000; n += 3)
			insert(t, n, FLOW_LIST_UDP, n);
		assert_true(flow_table_memory(t) == mem);
	}
	assert_int_equal(flow_table_count(t), 20000);
	flow_table_free(t);
}

/* Expiry looks at list heads: idle flows go, established ones never. */
static void test_expiry_per_list(void **state)
{
	struct flow_table *t = table(100);
	struct flow *open, *udp, *udp2, *f;

	(void)state;
	open = insert(t, 1, FLOW_LIST_TCP_OPEN, 0);
	udp = insert(t, 2, FLOW_LIST_UDP, 1 * NS);
	udp2 = insert(t, 3, FLOW_LIST_UDP, 2 * NS);
	assert_null(flow_table_next_expired(t, 10 * NS));
	/* Activity moves a flow behind the others. */
	flow_table_touch(t, udp, FLOW_LIST_UDP, 5 * NS);
	f = flow_table_next_expired(t, 12 * NS);
	assert_ptr_equal(f, udp2);
	flow_table_remove(t, f);
	assert_null(flow_table_next_expired(t, 14 * NS));
	assert_ptr_equal(flow_table_next_expired(t, 15 * NS), udp);
	flow_table_remove(t, udp);
	assert_null(flow_table_next_expired(t, 1000000 * NS));
	assert_ptr_equal(flow_table_oldest(t), open);
	flow_table_free(t);
}

/* At max_flows, insert refuses and the oldest of all lists is named. */
static void test_cap_and_oldest(void **state)
{
	struct flow_table *t = table(3);
	struct flow *a;

	(void)state;
	insert(t, 1, FLOW_LIST_TCP_OPEN, 5);
	a = insert(t, 2, FLOW_LIST_UDP, 3);
	insert(t, 3, FLOW_LIST_TCP_HALF_OPEN, 4);
	assert_null(insert(t, 4, FLOW_LIST_UDP, 6));
	assert_ptr_equal(flow_table_oldest(t), a);
	flow_table_remove(t, a);
	assert_non_null(insert(t, 4, FLOW_LIST_UDP, 6));
	assert_int_equal(flow_table_peak(t), 3);
	flow_table_free(t);
}

/*
 * A port reused in TIME_WAIT: the flow is zeroed in place, keeps its key
 * and its index slot, and moves to the list and time given.
 */
static void test_recycle_in_place(void **state)
{
	struct flow_table *t = table(100);
	struct flow *f, *other;

	(void)state;
	for (uint32_t n = 1; n <= 50; n++)
		insert(t, n, FLOW_LIST_TCP_TIME_WAIT, n);
	f = lookup(t, 7);
	f->dir[0].pkts = 9;
	f->first_ts = 7;
	flow_table_recycle(t, f, FLOW_LIST_TCP_HALF_OPEN, 100 * NS);
	assert_ptr_equal(lookup(t, 7), f);
	assert_int_equal(f->dir[0].pkts, 0);
	assert_int_equal(f->first_ts, 0);
	assert_int_equal(f->last_ts, 100 * NS);
	assert_int_equal(f->list, FLOW_LIST_TCP_HALF_OPEN);
	assert_int_equal(flow_table_count(t), 50);
	/* Every other flow expires from TIME_WAIT; f stays until its own. */
	for (int n = 0; n < 49; n++) {
		other = flow_table_next_expired(t, 50 * NS);
		assert_non_null(other);
		assert_ptr_not_equal(other, f);
		flow_table_remove(t, other);
	}
	assert_null(flow_table_next_expired(t, 109 * NS));
	assert_ptr_equal(flow_table_next_expired(t, 110 * NS), f);
	assert_ptr_equal(lookup(t, 7), f);
	flow_table_free(t);
}

/*
 * The sink's storage: behind each flow, cache-line aligned, its own for
 * every flow, and zeroed again when a slot is reused or recycled.
 */
static void test_sink_storage(void **state)
{
	struct flow_table *t = table_with(1000, 64);
	struct flow *f[100];

	(void)state;
	assert_int_equal(flow_table_flow_bytes(t),
			 FLOW_SINK_OFFSET + 64);
	for (uint32_t n = 0; n < 100; n++) {
		f[n] = insert(t, n, FLOW_LIST_TCP_OPEN, n);
		assert_non_null(f[n]);
		assert_int_equal((uintptr_t)flow_sink_area_of(f[n], true).storage % 64, 0);
		memset(flow_sink_area_of(f[n], true).storage, 0xa5, 64);
	}
	/* Nothing written to one flow's storage reached another flow. */
	for (uint32_t n = 0; n < 100; n++)
		assert_int_equal(lookup(t, n)->key.port[0],
				 (uint16_t)(n | 1024));
	flow_table_remove(t, f[7]);
	f[7] = insert(t, 1000, FLOW_LIST_TCP_OPEN, 200);
	assert_int_equal(((uint8_t *)flow_sink_area_of(f[7], true).storage)[0], 0);
	assert_int_equal(((uint8_t *)flow_sink_area_of(f[7], true).storage)[63], 0);
	flow_table_recycle(t, f[8], FLOW_LIST_TCP_OPEN, 300);
	assert_int_equal(((uint8_t *)flow_sink_area_of(f[8], true).storage)[0], 0);
	assert_int_equal(((uint8_t *)flow_sink_area_of(f[8], true).storage)[63], 0);
	flow_table_free(t);
}

/* A new flow is all zeros, from a fresh chunk or a released slot. */
static void test_new_flows_zeroed(void **state)
{
	struct flow_table *t = table_with(40000, 64);
	static const char zeros[sizeof(struct flow)];
	struct flow *f;

	(void)state;
	/*
	 * Past one chunk, and past the first arena's 32,768 flows, so chunks
	 * come from an arena already there and from a new one.
	 */
	for (uint32_t n = 0; n < 33000; n++) {
		f = insert(t, n, FLOW_LIST_UDP, n);
		assert_non_null(f);
		assert_memory_equal(&f->u, zeros, sizeof(f->u));
		assert_memory_equal(&f->zeek, zeros, sizeof(f->zeek));
		assert_int_equal(((uint8_t *)flow_sink_area_of(f, true).storage)[0], 0);
		memset(&f->u, 0x5a, sizeof(f->u));
		memset(flow_sink_area_of(f, true).storage, 0x5a, 64);
	}
	flow_table_remove(t, lookup(t, 4321));
	f = insert(t, 39999, FLOW_LIST_UDP, 34000);
	assert_memory_equal(&f->u, zeros, sizeof(f->u));
	assert_int_equal(((uint8_t *)flow_sink_area_of(f, true).storage)[63], 0);
	flow_table_free(t);
}

/* Once the index is closed, flows only leave: every one, in order. */
static void test_close_index(void **state)
{
	struct flow_table *t = table(1000);
	struct flow *f;
	size_t left = 300;

	(void)state;
	for (uint32_t n = 0; n < 300; n++)
		assert_non_null(insert(t, n, FLOW_LIST_UDP, n));
	flow_table_close_index(t);
	assert_null(lookup(t, 5));
	assert_null(insert(t, 1000, FLOW_LIST_UDP, 400));
	for (int64_t ts = 0; (f = flow_table_oldest(t)) != NULL; ts++) {
		assert_int_equal(f->last_ts, ts);
		flow_table_remove(t, f);
		assert_int_equal(flow_table_count(t), --left);
	}
	assert_int_equal(left, 0);
	flow_table_free(t);
}

/* ------------------------------------------------------------ parking */

/*
 * Fills what a flow and its storage hold beyond the table's own fields
 * with bytes of n, zeros among them as a real flow has.
 */
static void scribble(struct flow *f, size_t bytes, uint32_t n)
{
	unsigned char *b = (unsigned char *)f;
	uint32_t idx = f->table_idx, prev = f->lru_prev, next = f->lru_next;
	uint8_t list = f->list;

	for (size_t i = sizeof(f->key); i < bytes; i++)
		b[i] = (i * 7 + n) % 5 == 0 ? 0 : (unsigned char)(i * 31 + n);
	f->table_idx = idx;
	f->lru_prev = prev;
	f->lru_next = next;
	f->list = list;
	f->last_ts = n;
	f->last_frame = 2 * (uint64_t)n;
}

/* Its bytes with the table's bookkeeping (index, list links) zeroed. */
static void content_of(const struct flow *f, size_t bytes, unsigned char *out)
{
	struct flow *c = (struct flow *)(void *)out;

	memcpy(out, f, bytes);
	c->table_idx = 0;
	c->lru_prev = 0;
	c->lru_next = 0;
}

static bool refuse_odd(void *ctx, const struct flow *f)
{
	(void)ctx;
	return f->key.port[0] % 2 == 0;
}

static bool refuse_all(void *ctx, const struct flow *f)
{
	(void)ctx;
	(void)f;
	return false;
}

enum { PARK_SINK = 136, FILLER = 4096 };

/*
 * A chunk's worth of established flows, the most recent and never
 * expired: within one chunk nothing is parked (a freed slot saves
 * nothing), so the tests fill it first.
 */
static void fill_chunk(struct flow_table *t)
{
	for (uint32_t n = 0; n < FILLER; n++) {
		struct flow *f = insert(t, 200000 + n, FLOW_LIST_TCP_OPEN,
					1000 * NS);

		f->last_frame = UINT64_MAX;
	}
}

/* Nothing is parked while the table's flows fit one chunk. */
static void test_park_needs_room(void **state)
{
	struct flow_table *t = table_with(100000, 0);

	(void)state;
	for (uint32_t n = 0; n < FILLER; n++)
		insert(t, n, FLOW_LIST_TCP_HALF_OPEN, n);
	assert_int_equal(flow_table_park_idle(t, FLOW_LIST_TCP_HALF_OPEN,
					      INT64_MAX, NULL, NULL, 100), 0);
	insert(t, FILLER, FLOW_LIST_TCP_HALF_OPEN, FILLER);
	assert_int_equal(flow_table_park_idle(t, FLOW_LIST_TCP_HALF_OPEN,
					      INT64_MAX, NULL, NULL, 100), 1);
	flow_table_free(t);
}

static size_t parked_stride(struct flow_table *t)
{
	return flow_table_flow_bytes(t);
}

/* A parked flow comes back byte for byte, by lookup, and counts all along. */
static void test_park_round_trip(void **state)
{
	struct flow_table *t = table_with(100000, PARK_SINK);
	size_t stride = parked_stride(t);
	unsigned char *want = malloc(3000 * stride), *have = malloc(stride);

	(void)state;
	fill_chunk(t);
	for (uint32_t n = 0; n < 3000; n++) {
		struct flow *f = insert(t, n, FLOW_LIST_TCP_HALF_OPEN, n);

		scribble(f, stride, n);
		content_of(f, stride, want + n * stride);
	}
	assert_int_equal(flow_table_park_idle(t, FLOW_LIST_TCP_HALF_OPEN, 2000,
					      NULL, NULL, 100000), 2000);
	assert_int_equal(flow_table_parked(t), 2000);
	assert_int_equal(flow_table_count(t), 3000 + FILLER);
	/* Parked flows give their slots to new ones. */
	for (uint32_t n = 3000; n < 4000; n++)
		assert_non_null(insert(t, n, FLOW_LIST_TCP_OPEN, 3000));
	for (uint32_t n = 0; n < 3000; n += 7) {
		struct flow *f = lookup(t, n);

		assert_non_null(f);
		content_of(f, stride, have);
		assert_memory_equal(have, want + n * stride, stride);
		assert_int_equal(f->list, FLOW_LIST_TCP_HALF_OPEN);
	}
	assert_int_equal(flow_table_parked(t), 2000 - 286);
	assert_int_equal(flow_table_count(t), 4000 + FILLER);
	assert_null(lookup(t, 5000));
	free(want);
	free(have);
	flow_table_free(t);
}

/*
 * Expiry and eviction take flows in the lists' order whether parked or
 * not: by last_ts, then by last_frame within one time.
 */
static void test_park_keeps_order(void **state)
{
	struct flow_table *t = table_with(100000, PARK_SINK);
	struct flow *f;
	uint32_t next = 0;

	(void)state;
	fill_chunk(t);
	for (uint32_t n = 0; n < 40; n++) {
		f = insert(t, n, FLOW_LIST_TCP_HALF_OPEN, n / 4);
		f->last_frame = n;
	}
	/* Odd ports refused: parked and not alternate, same times in pairs. */
	assert_int_equal(flow_table_park_idle(t, FLOW_LIST_TCP_HALF_OPEN, 100,
					      refuse_odd, NULL, 1000), 20);
	while ((f = flow_table_next_expired(t, 10 * NS + 9)) != NULL) {
		assert_int_equal(f->key.port[0], (uint16_t)(next | 1024));
		/* A parked one leaves from no slot. */
		assert_int_equal(f->table_idx == 0, f->key.port[0] % 2 == 0);
		flow_table_remove(t, f);
		next++;
	}
	assert_int_equal(next, 40);
	assert_int_equal(flow_table_count(t), FILLER);

	/* Eviction: the least recently active of all lists. */
	for (uint32_t n = 0; n < 10; n++) {
		f = insert(t, n, n == 3 ? FLOW_LIST_UDP : FLOW_LIST_TCP_HALF_OPEN,
			   n);
		f->last_frame = n;
	}
	assert_int_equal(flow_table_park_idle(t, FLOW_LIST_TCP_HALF_OPEN, 6,
					      NULL, NULL, 1000), 5);
	for (uint32_t n = 0; n < 10; n++) {
		f = flow_table_oldest(t);
		assert_non_null(f);
		assert_int_equal(f->key.port[0], (uint16_t)(n | 1024));
		flow_table_remove(t, f);
	}
	assert_int_equal(flow_table_count(t), FILLER);
	flow_table_free(t);
}

/* A refused flow is not asked again until it is touched. */
static void test_park_refused(void **state)
{
	struct flow_table *t = table_with(100000, 0);
	struct flow *f;

	(void)state;
	fill_chunk(t);
	for (uint32_t n = 0; n < 10; n++)
		insert(t, n, FLOW_LIST_TCP_HALF_OPEN, n);
	assert_int_equal(flow_table_park_idle(t, FLOW_LIST_TCP_HALF_OPEN, 100,
					      refuse_all, NULL, 1000), 0);
	assert_int_equal(flow_table_park_idle(t, FLOW_LIST_TCP_HALF_OPEN, 100,
					      NULL, NULL, 1000), 0);
	f = lookup(t, 4);
	flow_table_touch(t, f, FLOW_LIST_TCP_HALF_OPEN, 20);
	insert(t, 10, FLOW_LIST_TCP_HALF_OPEN, 21);
	assert_int_equal(flow_table_park_idle(t, FLOW_LIST_TCP_HALF_OPEN, 100,
					      NULL, NULL, 1000), 2);
	/* Another list is never parked from. */
	insert(t, 11, FLOW_LIST_UDP, 22);
	assert_int_equal(flow_table_park_idle(t, FLOW_LIST_UDP, 100, NULL,
					      NULL, 1000), 0);
	/* The budget bounds the flows looked at. */
	for (uint32_t n = 20; n < 30; n++)
		insert(t, n, FLOW_LIST_TCP_HALF_OPEN, 30);
	assert_int_equal(flow_table_park_idle(t, FLOW_LIST_TCP_HALF_OPEN, 100,
					      NULL, NULL, 3), 3);
	assert_int_equal(flow_table_parked(t), 5);
	flow_table_free(t);
}

static void bump_storage(void *ctx, struct flow *f)
{
	size_t *seen = ctx;

	((unsigned char *)f)[FLOW_SINK_OFFSET] += 1;
	(*seen)++;
}

/* A walk sees parked flows, and what it writes in them is kept. */
static void test_park_walk(void **state)
{
	struct flow_table *t = table_with(100000, PARK_SINK);
	size_t seen = 0;
	struct flow *f;

	(void)state;
	fill_chunk(t);
	for (uint32_t n = 0; n < 50; n++)
		insert(t, n, FLOW_LIST_TCP_HALF_OPEN, n);
	assert_int_equal(flow_table_park_idle(t, FLOW_LIST_TCP_HALF_OPEN, 30,
					      NULL, NULL, 1000), 30);
	flow_table_foreach(t, bump_storage, &seen);
	flow_table_foreach(t, bump_storage, &seen);
	assert_int_equal(seen, 2 * (50 + FILLER));
	for (uint32_t n = 0; n < 50; n++) {
		f = lookup(t, n);
		assert_int_equal(((unsigned char *)f)[FLOW_SINK_OFFSET], 2);
	}
	flow_table_free(t);
}

/* At the capture's end, every flow drains in order, parked or not. */
static void test_park_close_index(void **state)
{
	struct flow_table *t = table_with(100000, PARK_SINK);
	struct flow *f;
	int64_t ts = 0;

	(void)state;
	for (uint32_t n = 0; n < 20000; n++) {
		f = insert(t, n, n % 3 ? FLOW_LIST_TCP_HALF_OPEN
				       : FLOW_LIST_TCP_OPEN, n);
		f->last_frame = n;
		if (n % 10 == 9)
			flow_table_park_idle(t, FLOW_LIST_TCP_HALF_OPEN,
					     (int64_t)n - 100, NULL, NULL, 8);
	}
	assert_true(flow_table_parked(t) > 10000);
	flow_table_close_index(t);
	assert_null(lookup(t, 5));
	while ((f = flow_table_oldest(t)) != NULL) {
		assert_int_equal(f->last_ts, ts++);
		flow_table_remove(t, f);
	}
	assert_int_equal(ts, 20000);
	assert_int_equal(flow_table_count(t), 0);
	assert_int_equal(flow_table_parked(t), 0);
	flow_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_lookup_many),
		cmocka_unit_test(test_remove_keeps_chains),
		cmocka_unit_test(test_expiry_per_list),
		cmocka_unit_test(test_cap_and_oldest),
		cmocka_unit_test(test_recycle_in_place),
		cmocka_unit_test(test_sink_storage),
		cmocka_unit_test(test_new_flows_zeroed),
		cmocka_unit_test(test_close_index),
		cmocka_unit_test(test_park_needs_room),
		cmocka_unit_test(test_park_round_trip),
		cmocka_unit_test(test_park_keeps_order),
		cmocka_unit_test(test_park_refused),
		cmocka_unit_test(test_park_walk),
		cmocka_unit_test(test_park_close_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
