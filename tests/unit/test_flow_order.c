#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "flow_order.h"

/*
 * The order of `tcplens flows`: sort value larger first, then start
 * time, then first frame, then the index.  Written out here on its own
 * so a change to the shared order cannot go unnoticed.
 */
static int reference_order(const struct flow_order_key *a, size_t ia,
			   const struct flow_order_key *b, size_t ib)
{
	if (a->sort != b->sort)
		return a->sort > b->sort ? -1 : 1;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->first_frame != b->first_frame)
		return a->first_frame < b->first_frame ? -1 : 1;
	return ia < ib ? -1 : ia > ib;
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/* Each part decides somewhere, and the extremes of each type. */
static void test_each_part_decides(void **state)
{
	static const struct flow_order_key keys[] = {
		{5, 100, 10},
		{7, 200, 20},                   /* larger sort value: early */
		{5, 50, 30},                    /* earlier start among 5s */
		{5, 100, 5},                    /* earlier frame than 0 */
		{5, 100, 10},                   /* ties 0 entirely: after it */
		{0, -100, 1},
		{UINT64_MAX, INT64_MAX, UINT64_MAX}, /* first */
		{0, INT64_MIN, 2},              /* negative time before 5 */
		{0, 3, 0},                      /* positive time after 5 */
	};
	static const size_t want[] = {6, 1, 2, 3, 0, 4, 7, 5, 8};
	size_t n = sizeof(keys) / sizeof(keys[0]);
	size_t *perm = flow_order_sort(keys, n, sizeof(keys[0]));

	(void)state;
	assert_non_null(perm);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(perm[i], want[i]);
	free(perm);
	assert_true(flow_order_compare(&keys[6], &keys[1]) < 0);
	assert_true(flow_order_compare(&keys[2], &keys[0]) < 0);
	assert_true(flow_order_compare(&keys[3], &keys[0]) < 0);
	assert_int_equal(flow_order_compare(&keys[0], &keys[4]), 0);
	assert_true(flow_order_compare(&keys[5], &keys[7]) > 0);
	assert_true(flow_order_compare(&keys[8], &keys[5]) > 0);
}

/* Keys inside larger records, as the render queue keeps them. */
struct record {
	char before[5];
	struct flow_order_key key;
	char after[3];
};

static void test_stride(void **state)
{
	struct record r[4] = {
		{"a", {1, 10, 1}, "w"},
		{"b", {3, 10, 2}, "x"},
		{"c", {1, 5, 3}, "y"},
		{"d", {3, 10, 1}, "z"},
	};
	static const size_t want[] = {3, 1, 2, 0};
	size_t *perm = flow_order_sort(&r[0].key, 4, sizeof(r[0]));

	(void)state;
	assert_non_null(perm);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(perm[i], want[i]);
	free(perm);
}

static void test_empty_and_one(void **state)
{
	struct flow_order_key k = {9, 9, 9};
	size_t *perm;

	(void)state;
	perm = flow_order_sort(&k, 0, sizeof(k));
	assert_non_null(perm);
	free(perm);
	perm = flow_order_sort(&k, 1, sizeof(k));
	assert_non_null(perm);
	assert_int_equal(perm[0], 0);
	free(perm);
}

/* xorshift64: the same keys every run. */
static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Many keys, some from small ranges (ties on every part) and some from
 * the whole range (every radix digit), against the reference.
 */
static void test_against_reference(void **state)
{
	enum { N = 5000 };
	struct flow_order_key *keys = calloc(N, sizeof(*keys));
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	size_t *perm;

	(void)state;
	assert_non_null(keys);
	for (size_t i = 0; i < N; i++) {
		bool wide = i % 3 == 0;

		keys[i].sort = wide ? next(&seed) : next(&seed) % 4;
		keys[i].ts = (int64_t)(wide ? next(&seed) : next(&seed) % 5) -
			     (wide ? 0 : 2);
		keys[i].first_frame = wide ? next(&seed) : next(&seed) % 3;
	}
	perm = flow_order_sort(keys, N, sizeof(keys[0]));
	assert_non_null(perm);
	for (size_t i = 1; i < N; i++)
		assert_true(reference_order(&keys[perm[i - 1]], perm[i - 1],
					    &keys[perm[i]], perm[i]) < 0);
	for (size_t i = 0; i + 1 < N; i++) {
		int want = reference_order(&keys[i], 0, &keys[i + 1], 0);

		assert_int_equal(sign(flow_order_compare(&keys[i], &keys[i + 1])),
				 want);
	}
	free(perm);
	free(keys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_part_decides),
		cmocka_unit_test(test_stride),
		cmocka_unit_test(test_empty_and_one),
		cmocka_unit_test(test_against_reference),
	};
	return cmocka_run_group_tests_name("flow_order", tests, NULL, NULL);
}
