#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "addr_format.h"

/* 10.0.0.1, 192.168.100.9, and the extremes of each octet's digits. */
static const uint8_t v4_a[4] = {10, 0, 0, 1};
static const uint8_t v4_b[4] = {192, 168, 100, 9};
static const uint8_t v4_zero[4] = {0, 0, 0, 0};
static const uint8_t v4_max[4] = {255, 255, 255, 255};
/* 2001:db8::1 */
static const uint8_t v6_doc[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				   0, 0, 0, 0, 0, 0, 0, 1};
/* ::1 */
static const uint8_t v6_loop[16] = {0, 0, 0, 0, 0, 0, 0, 0,
				    0, 0, 0, 0, 0, 0, 0, 1};
/* 2001:db8:0:0:1:0:0:1: two runs of zeros, the first compressed */
static const uint8_t v6_runs[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				    0, 1, 0, 0, 0, 0, 0, 1};

static void test_ipv4(void **state)
{
	char s[ADDR_FORMAT_LEN];

	(void)state;
	addr_format(4, v4_a, s, sizeof(s));
	assert_string_equal(s, "10.0.0.1");
	addr_format(4, v4_b, s, sizeof(s));
	assert_string_equal(s, "192.168.100.9");
	addr_format(4, v4_zero, s, sizeof(s));
	assert_string_equal(s, "0.0.0.0");
	addr_format(4, v4_max, s, sizeof(s));
	assert_string_equal(s, "255.255.255.255");
}

/* RFC 5952: lower case, the longest (then the first) zero run as "::". */
static void test_ipv6(void **state)
{
	char s[ADDR_FORMAT_LEN];

	(void)state;
	addr_format(6, v6_doc, s, sizeof(s));
	assert_string_equal(s, "2001:db8::1");
	addr_format(6, v6_loop, s, sizeof(s));
	assert_string_equal(s, "::1");
	addr_format(6, v6_runs, s, sizeof(s));
	assert_string_equal(s, "2001:db8::1:0:0:1");
}

static void test_other_family(void **state)
{
	char s[ADDR_FORMAT_LEN];

	(void)state;
	addr_format(0, v6_doc, s, sizeof(s));
	assert_string_equal(s, "?");
	addr_format(2, v4_a, s, sizeof(s)); /* AF_INET is not a family here */
	assert_string_equal(s, "?");
}

/* Never past outlen, always terminated. */
static void test_small_buffer(void **state)
{
	char s[16];

	(void)state;
	memset(s, 'x', sizeof(s));
	addr_format(4, v4_a, s, 9); /* "10.0.0.1" and its '\0' exactly */
	assert_string_equal(s, "10.0.0.1");
	memset(s, 'x', sizeof(s));
	addr_format(4, v4_b, s, 8);
	assert_string_equal(s, "?");
	assert_int_equal(s[2], 'x');
	memset(s, 'x', sizeof(s));
	addr_format(6, v6_doc, s, 4);
	assert_string_equal(s, "?");
	memset(s, 'x', sizeof(s));
	addr_format(4, v4_a, s, 1);
	assert_int_equal(s[0], '\0');
	assert_int_equal(s[1], 'x');
	memset(s, 'x', sizeof(s));
	addr_format(4, v4_a, s, 0);
	assert_int_equal(s[0], 'x');
}

static void test_endpoint(void **state)
{
	char s[ADDR_FORMAT_ENDPOINT_LEN];

	(void)state;
	addr_format_endpoint(4, v4_b, 80, s, sizeof(s));
	assert_string_equal(s, "192.168.100.9:80");
	addr_format_endpoint(6, v6_doc, 443, s, sizeof(s));
	assert_string_equal(s, "[2001:db8::1]:443");
	addr_format_endpoint(4, v4_a, 0, s, sizeof(s));
	assert_string_equal(s, "10.0.0.1:0");
	addr_format_endpoint(6, v6_loop, 65535, s, sizeof(s));
	assert_string_equal(s, "[::1]:65535");
	addr_format_endpoint(4, v4_a, ADDR_FORMAT_ANY_PORT, s, sizeof(s));
	assert_string_equal(s, "10.0.0.1:*");
	addr_format_endpoint(6, v6_loop, ADDR_FORMAT_ANY_PORT, s, sizeof(s));
	assert_string_equal(s, "[::1]:*");
}

/* The longest endpoint fits the buffer the header names. */
static void test_endpoint_room(void **state)
{
	/* Eight full groups: the longest text of a port's endpoint. */
	static const uint8_t full[16] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	char s[ADDR_FORMAT_ENDPOINT_LEN];

	(void)state;
	addr_format_endpoint(6, full, 65535, s, sizeof(s));
	assert_string_equal(s, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
	addr_format_endpoint(6, full, 65535, s, 10);
	assert_string_equal(s, "[ffff:fff");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_other_family),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_endpoint),
		cmocka_unit_test(test_endpoint_room),
	};
	return cmocka_run_group_tests_name("addr_format", tests, NULL, NULL);
}
