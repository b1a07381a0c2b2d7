#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>

#include "checksum.h"

/* The obvious big-endian 16-bit sum of RFC 1071 section 1, folded. */
static uint16_t ref_sum(const uint8_t *p, size_t len)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < len; i += 2)
		sum += (uint64_t)p[i] << 8 | (i + 1 < len ? p[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint16_t view_sum(const uint8_t *p, size_t len)
{
	struct byte_view v = { p, len };

	return checksum_fold(checksum_add(0, v));
}

/* Deterministic bytes (an LCG), biased towards 0xff to force carries. */
static void fill(uint8_t *p, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (seed >> 16) % 3 == 0 ? 0xff : (uint8_t)(seed >> 16);
	}
}

static void test_rfc1071_example(void **state)
{
	/* RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
	static const uint8_t b[] = {
		0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7,
	};
	/* An IPv4 header with its checksum b861 (192.168.0.1 -> .199). */
	static const uint8_t ip[] = {
		0x45, 0x00, 0x00, 0x73, /* v4, IHL 5, total length 115 */
		0x00, 0x00, 0x40, 0x00, /* id 0, DF */
		0x40, 0x11, 0xb8, 0x61, /* TTL 64, UDP, checksum b861 */
		0xc0, 0xa8, 0x00, 0x01, /* 192.168.0.1 */
		0xc0, 0xa8, 0x00, 0xc7, /* 192.168.0.199 */
	};
	uint8_t zeroed[sizeof(ip)];

	(void)state;
	assert_int_equal(view_sum(b, sizeof(b)), 0xddf2);
	assert_int_equal(view_sum(ip, sizeof(ip)), 0xffff);
	memcpy(zeroed, ip, sizeof(ip));
	zeroed[10] = zeroed[11] = 0;
	assert_int_equal((uint16_t)~view_sum(zeroed, sizeof(zeroed)), 0xb861);
}

/*
 * A running sum holds native-order words: folding gives the host-order
 * 16-bit sum, returned in network order (htons), as a field reads.
 */
static void test_fold(void **state)
{
	(void)state;
	assert_int_equal(checksum_fold(0), 0);
	assert_int_equal(checksum_fold(0xffff), 0xffff);
	assert_int_equal(checksum_fold(0x10000), htons(0x0001));
	assert_int_equal(checksum_fold(0x2ddf0), htons(0xddf2)); /* RFC 1071 */
	assert_int_equal(checksum_fold(0x1fffe), 0xffff);
	assert_int_equal(checksum_fold(UINT64_MAX), 0xffff);
	assert_int_equal(checksum_fold(0xffffffff00000001ull), htons(0x0001));
}

/* Every length 0..300 at every start alignment 0..7 of the buffer. */
static void test_lengths_and_alignments(void **state)
{
	enum { MAX_LEN = 300 };
	uint8_t src[MAX_LEN];

	(void)state;
	fill(src, sizeof(src), 1);
	for (size_t align = 0; align < 8; align++) {
		for (size_t len = 0; len <= MAX_LEN; len++) {
			/* Ends exactly at the allocation: ASan sees over-reads. */
			uint8_t *buf = malloc(align + len > 0 ? align + len : 1);

			assert_non_null(buf);
			memcpy(buf + align, src, len);
			assert_int_equal(view_sum(buf + align, len),
					 ref_sum(src, len));
			free(buf);
		}
	}
}

static void test_all_ones_and_large(void **state)
{
	enum { LEN = 65535 };
	uint8_t *buf = malloc(LEN);

	(void)state;
	assert_non_null(buf);
	memset(buf, 0xff, LEN);
	assert_int_equal(view_sum(buf, LEN), ref_sum(buf, LEN));
	fill(buf, LEN, 7);
	assert_int_equal(view_sum(buf, LEN), ref_sum(buf, LEN));
	for (size_t len = LEN - 9; len <= LEN; len++)
		assert_int_equal(view_sum(buf, len), ref_sum(buf, len));
	free(buf);
}

static void test_chained_views(void **state)
{
	uint8_t b[64];
	struct byte_view head = { b, 20 }, tail = { b + 20, 44 };

	(void)state;
	fill(b, sizeof(b), 3);
	assert_int_equal(checksum_fold(checksum_add(checksum_add(0, head), tail)),
			 ref_sum(b, sizeof(b)));
	/* An empty or NULL view adds nothing. */
	head.len = 0;
	assert_int_equal(checksum_add(12345, head), 12345);
	head.ptr = NULL;
	assert_int_equal(checksum_add(12345, head), 12345);
}

static void ip4(struct packet_ip *ip)
{
	/* 192.0.2.1 -> 198.51.100.2 */
	static const uint8_t src[4] = { 192, 0, 2, 1 };
	static const uint8_t dst[4] = { 198, 51, 100, 2 };

	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->src.family = ip->dst.family = 4;
	memcpy(ip->src.bytes, src, 4);
	memcpy(ip->dst.bytes, dst, 4);
}

static void ip6(struct packet_ip *ip)
{
	/* 2001:db8::1 -> 2001:db8::2 */
	memset(ip, 0, sizeof(*ip));
	ip->version = 6;
	ip->src.family = ip->dst.family = 6;
	ip->src.bytes[0] = ip->dst.bytes[0] = 0x20;
	ip->src.bytes[1] = ip->dst.bytes[1] = 0x01;
	ip->src.bytes[2] = ip->dst.bytes[2] = 0x0d;
	ip->src.bytes[3] = ip->dst.bytes[3] = 0xb8;
	ip->src.bytes[15] = 1;
	ip->dst.bytes[15] = 2;
}

static void test_pseudo_header_v4(void **state)
{
	/* RFC 9293 section 3.1: src, dst, zero, PTCL, TCP length. */
	static const uint8_t ph[] = {
		192, 0, 2, 1,      /* source */
		198, 51, 100, 2,   /* destination */
		0x00, 0x06,        /* zero, TCP */
		0x00, 0x28,        /* length 40 */
	};
	struct packet_ip ip;

	(void)state;
	ip4(&ip);
	assert_int_equal(checksum_fold(checksum_pseudo_header(&ip, 6, 40)),
			 ref_sum(ph, sizeof(ph)));
	assert_int_equal(checksum_fold(checksum_pseudo_header(&ip, 6, 40)),
			 0xec65);
}

static void test_pseudo_header_v6(void **state)
{
	/* RFC 8200 section 8.1: src, dst, 32-bit length, zero, next header. */
	static const uint8_t ph[] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		0x00, 0x01, 0x00, 0x10, /* length 65552 (a jumbogram) */
		0x00, 0x00, 0x00, 0x3a, /* zero, ICMPv6 */
	};
	struct packet_ip ip;

	(void)state;
	ip6(&ip);
	assert_int_equal(checksum_fold(checksum_pseudo_header(&ip, 58, 65552)),
			 ref_sum(ph, sizeof(ph)));
	/* Unknown version: nothing to add. */
	ip.version = 0;
	assert_int_equal(checksum_pseudo_header(&ip, 58, 40), 0);
}

/* ICMPv6 echo request 2001:db8::1 -> ::2, id 0x1234, seq 1, "ab". */
static const uint8_t echo6[] = {
	0x80, 0x00, 0x00, 0x00, /* type 128, code 0, checksum (set below) */
	0x12, 0x34, 0x00, 0x01, /* id 0x1234, seq 1 */
	'a', 'b',
};

static uint16_t echo6_checksum(const struct packet_ip *ip)
{
	struct byte_view v = { echo6, sizeof(echo6) };
	uint64_t sum = checksum_pseudo_header(ip, 58, sizeof(echo6));

	return (uint16_t)~checksum_fold(checksum_add(sum, v));
}

static enum cksum_status verify(const struct packet_ip *ip, uint16_t field,
				size_t cap, size_t upper_len, bool pseudo)
{
	uint8_t *buf = malloc(cap);
	struct byte_view v = { buf, cap };
	enum cksum_status st;

	assert_non_null(buf);
	memcpy(buf, echo6, cap < sizeof(echo6) ? cap : sizeof(echo6));
	if (cap > sizeof(echo6))
		memset(buf + sizeof(echo6), 0x55, cap - sizeof(echo6));
	buf[2] = (uint8_t)(field >> 8);
	buf[3] = (uint8_t)field;
	st = checksum_verify_transport(ip, 58, v, (uint32_t)upper_len, field,
				       pseudo);
	free(buf);
	return st;
}

static void test_verify(void **state)
{
	struct packet_ip ip;
	uint16_t good, partial;

	(void)state;
	ip6(&ip);
	good = echo6_checksum(&ip);
	partial = checksum_fold(checksum_pseudo_header(&ip, 58, sizeof(echo6)));
	assert_int_equal(verify(&ip, good, 10, 10, true), CKSUM_GOOD);
	assert_int_equal(verify(&ip, good ^ 0x0100, 10, 10, true), CKSUM_BAD);
	/* Offloaded: the bare pseudo-header sum, or its complement. */
	assert_int_equal(verify(&ip, partial, 10, 10, true),
			 CKSUM_BAD_OFFLOADED);
	assert_int_equal(verify(&ip, (uint16_t)~partial, 10, 10, true),
			 CKSUM_BAD_OFFLOADED);
	/* Without a pseudo-header there is no offload signature. */
	assert_int_equal(verify(&ip, partial, 10, 10, false), CKSUM_BAD);
	/* Not all captured. */
	assert_int_equal(verify(&ip, good, 9, 10, true), CKSUM_UNVERIFIABLE);
	/* Trailing bytes past upper_len (padding) are not summed. */
	assert_int_equal(verify(&ip, good, 16, 10, true), CKSUM_GOOD);
	/* A fragment: the datagram is not whole. */
	ip.is_fragment = true;
	assert_int_equal(verify(&ip, good, 10, 10, true), CKSUM_UNVERIFIABLE);
	/* Over IPv4 addresses the same field is wrong. */
	ip4(&ip);
	assert_int_equal(verify(&ip, good, 10, 10, true), CKSUM_BAD);
}

static void test_verify_no_pseudo(void **state)
{
	/* ICMPv4 echo request id 1, seq 1, "abcd": no pseudo-header. */
	static const uint8_t echo4[] = {
		0x08, 0x00, 0x00, 0x00, /* type 8, code 0, checksum (below) */
		0x00, 0x01, 0x00, 0x01, /* id 1, seq 1 */
		'a', 'b', 'c', 'd',
	};
	uint8_t b[sizeof(echo4)];
	struct byte_view v = { b, sizeof(b) };
	struct packet_ip ip;
	uint16_t field;

	(void)state;
	ip4(&ip);
	memcpy(b, echo4, sizeof(b));
	field = (uint16_t)~ref_sum(b, sizeof(b));
	b[2] = (uint8_t)(field >> 8);
	b[3] = (uint8_t)field;
	assert_int_equal(checksum_verify_transport(&ip, 1, v, sizeof(b), field,
						   false),
			 CKSUM_GOOD);
	/* Summed with a pseudo-header it would not be. */
	assert_int_equal(checksum_verify_transport(&ip, 1, v, sizeof(b), field,
						   true),
			 CKSUM_BAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_example),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_lengths_and_alignments),
		cmocka_unit_test(test_all_ones_and_large),
		cmocka_unit_test(test_chained_views),
		cmocka_unit_test(test_pseudo_header_v4),
		cmocka_unit_test(test_pseudo_header_v6),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_verify_no_pseudo),
	};
	return cmocka_run_group_tests_name("checksum", tests, NULL, NULL);
}
