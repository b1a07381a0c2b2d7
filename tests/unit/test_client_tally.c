/* Unit tests for analyzer/client_tally.c: distinct clients in 512 bits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "client_tally.h"

static void addr_of(uint32_t n, uint8_t out[16])
{
	memset(out, 0, 16);
	out[0] = 10;
	out[1] = (uint8_t)(n >> 16);
	out[2] = (uint8_t)(n >> 8);
	out[3] = (uint8_t)n;
}

static struct client_tally tally_of(uint32_t from, uint32_t n)
{
	struct client_tally t;
	uint8_t a[16];

	memset(&t, 0, sizeof(t));
	for (uint32_t i = from; i < from + n; i++) {
		addr_of(i, a);
		client_tally_add(&t, a, 4, 0);
		client_tally_add(&t, a, 4, 0);  /* again: counted once */
	}
	return t;
}

/* None, one (named), and a handful: exact. */
static void test_small_counts_exact(void **state)
{
	struct client_tally t = tally_of(0, 0);

	(void)state;
	assert_int_equal(client_tally_count(&t), 0);
	t = tally_of(5, 1);
	assert_int_equal(client_tally_count(&t), 1);
	assert_true(client_tally_exact(&t));
	assert_int_equal(t.family, 4);
	assert_int_equal(t.first[3], 5);
	t = tally_of(0, 12);
	assert_true(client_tally_exact(&t));
	assert_int_equal(client_tally_count(&t), 12);
}

/* Hundreds: an estimate within 10%, said to be one. */
static void test_hundreds_estimated(void **state)
{
	struct client_tally t = tally_of(1000, 300);
	uint64_t n = client_tally_count(&t);

	(void)state;
	assert_false(client_tally_exact(&t));
	assert_false(client_tally_saturated(&t));
	assert_in_range(n, 270, 330);
}

/* Far more than 512 bits tell: saturated, a lower bound. */
static void test_saturates(void **state)
{
	struct client_tally t = tally_of(0, 100000);

	(void)state;
	assert_true(client_tally_saturated(&t));
	assert_true(client_tally_count(&t) > 2000);
}

/* Joined tallies count a shared client once; tunnels keep tenants apart. */
static void test_join_and_tunnels(void **state)
{
	struct client_tally a = tally_of(0, 5), b = tally_of(3, 5);
	uint8_t addr[16];

	(void)state;
	client_tally_join(&a, &b);
	assert_int_equal(client_tally_count(&a), 8);
	addr_of(0, addr);
	client_tally_add(&a, addr, 4, 7);
	assert_int_equal(client_tally_count(&a), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_counts_exact),
		cmocka_unit_test(test_hundreds_estimated),
		cmocka_unit_test(test_saturates),
		cmocka_unit_test(test_join_and_tunnels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
