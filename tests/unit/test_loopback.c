#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"
#include "unit_helpers.h"

/*
 * BSD loopback (NULL) and OpenBSD LOOP.  What the IP layer makes of the
 * payload is not checked: only the hand-off (ethertype and the IP bit).
 */

/* NULL, family 2 little-endian (captured on x86), IPv4 header. */
static const uint8_t null_le_ipv4[] = {
	0x02, 0x00, 0x00, 0x00,             /* AF_INET, little-endian */
	0x45, 0x00, 0x00, 0x14,             /* v4, IHL 5, total length 20 */
	0x00, 0x00, 0x40, 0x00,             /* id 0, DF */
	0x40, 0xfd, 0xb5, 0xe9,             /* TTL 64, proto 253, cksum */
	0xc0, 0x00, 0x02, 0x01,             /* src 192.0.2.1 */
	0xc0, 0x00, 0x02, 0x02,             /* dst 192.0.2.2 */
};

/* NULL, family 2 big-endian (captured on a big-endian host), IPv4. */
static const uint8_t null_be_ipv4[] = {
	0x00, 0x00, 0x00, 0x02,             /* AF_INET, big-endian */
	0x45, 0x00, 0x00, 0x14,             /* v4, IHL 5, total length 20 */
	0x00, 0x00, 0x40, 0x00,             /* id 0, DF */
	0x40, 0xfd, 0xb5, 0xe9,             /* TTL 64, proto 253, cksum */
	0xc0, 0x00, 0x02, 0x01,             /* src 192.0.2.1 */
	0xc0, 0x00, 0x02, 0x02,             /* dst 192.0.2.2 */
};

/* LOOP, family 2 in network order, IPv4. */
static const uint8_t loop_ipv4[] = {
	0x00, 0x00, 0x00, 0x02,             /* AF_INET, network order */
	0x45, 0x00, 0x00, 0x14,             /* v4, IHL 5, total length 20 */
	0x00, 0x00, 0x40, 0x00,             /* id 0, DF */
	0x40, 0xfd, 0xb5, 0xe9,             /* TTL 64, proto 253, cksum */
	0xc0, 0x00, 0x02, 0x01,             /* src 192.0.2.1 */
	0xc0, 0x00, 0x02, 0x02,             /* dst 192.0.2.2 */
};

/* An IPv6 header, 2001:db8::1 -> 2001:db8::2, no next header (59);
 * the tests put a 4-byte family in front of it. */
static const uint8_t ipv6_hdr[40] = {
	0x60, 0x00, 0x00, 0x00,             /* v6, TC 0, flow 0 */
	0x00, 0x00, 0x3b, 0x40,             /* payload 0, next 59, hops 64 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, /* src 2001:db8:: */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /*     ::1 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, /* dst 2001:db8:: */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, /*     ::2 */
};

/* NULL, family 16 (AF_APPLETALK on BSD, little-endian): not decoded. */
static const uint8_t null_appletalk[] = {
	0x10, 0x00, 0x00, 0x00,             /* family 16, little-endian */
	0x00, 0x0d, 0x00, 0x00,             /* DDP header start */
};

/* family followed by ipv6_hdr; big selects the family's byte order. */
static size_t build_ipv6(uint8_t *buf, uint32_t family, bool big)
{
	for (unsigned i = 0; i < 4; i++) {
		unsigned shift = big ? 24 - 8 * i : 8 * i;

		buf[i] = (uint8_t)(family >> shift);
	}
	memcpy(buf + 4, ipv6_hdr, sizeof(ipv6_hdr));
	return 4 + sizeof(ipv6_hdr);
}

static void check_ipv4(const struct packet *pkt)
{
	assert_int_equal(pkt->link.framing, FRAMING_LOOPBACK);
	assert_int_equal(pkt->link.loopback_family, 2);
	assert_int_equal(pkt->link.ethertype, ETHERTYPE_IPV4);
	assert_true(packet_has(pkt, PROTO_LOOPBACK));
	assert_true(packet_has(pkt, PROTO_IPV4));
	assert_false(packet_has(pkt, PROTO_IPV6));
	assert_false(pkt->link.has_mac_src);
}

static void test_null_ipv4_both_orders(void **state)
{
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_NULL, null_le_ipv4, sizeof(null_le_ipv4));
	check_ipv4(&pkt);
	unit_decode(&pkt, LINK_TYPE_NULL, null_be_ipv4, sizeof(null_be_ipv4));
	check_ipv4(&pkt);
}

static void test_ipv6_families(void **state)
{
	/* Linux, NetBSD/OpenBSD/BSD/OS, FreeBSD/DragonFly, Darwin. */
	static const uint32_t families[] = {10, 24, 28, 30};
	static const enum link_type lts[] = {LINK_TYPE_NULL, LINK_TYPE_LOOP};
	uint8_t frame[4 + sizeof(ipv6_hdr)];
	struct packet pkt;

	(void)state;
	for (unsigned l = 0; l < 2; l++) {
		for (unsigned f = 0; f < 4; f++) {
			for (unsigned big = 0; big < 2; big++) {
				size_t len = build_ipv6(frame, families[f],
							big != 0);

				unit_decode(&pkt, lts[l], frame, len);
				assert_int_equal(pkt.link.loopback_family,
						 families[f]);
				assert_int_equal(pkt.link.ethertype,
						 ETHERTYPE_IPV6);
				assert_true(packet_has(&pkt, PROTO_IPV6));
				assert_false(packet_has(&pkt, PROTO_IPV4));
				assert_int_equal(pkt.link.framing,
						 FRAMING_LOOPBACK);
			}
		}
	}
}

static void test_loop_ipv4(void **state)
{
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_LOOP, loop_ipv4, sizeof(loop_ipv4));
	check_ipv4(&pkt);
	/* Host-order family under LOOP: swapped back, as tcpdump does. */
	unit_decode(&pkt, LINK_TYPE_LOOP, null_le_ipv4, sizeof(null_le_ipv4));
	check_ipv4(&pkt);
}

static void test_unknown_family(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_NULL, null_appletalk,
				     sizeof(null_appletalk)),
			 DECODE_UNSUPPORTED);
	assert_int_equal(pkt.link.loopback_family, 16);
	assert_int_equal(pkt.status_proto, PROTO_LOOPBACK);
	assert_int_equal(pkt.link.ethertype, 0);
	assert_false(packet_has(&pkt, PROTO_IPV4));
	assert_false(packet_has(&pkt, PROTO_IPV6));
}

static void test_short_header(void **state)
{
	struct packet pkt;

	(void)state;
	for (size_t cut = 0; cut < 4; cut++) {
		assert_int_equal(unit_decode(&pkt, LINK_TYPE_NULL, null_le_ipv4,
					     cut), DECODE_MALFORMED);
		assert_int_equal(pkt.status_proto, PROTO_LOOPBACK);
		assert_true(packet_has(&pkt, PROTO_LOOPBACK));
		assert_int_equal(unit_decode_exact(&pkt, LINK_TYPE_LOOP,
						   loop_ipv4, cut,
						   sizeof(loop_ipv4)),
				 DECODE_TRUNCATED);
		assert_int_equal(pkt.status_proto, PROTO_LOOPBACK);
	}
}

static void test_truncation_sweeps(void **state)
{
	uint8_t frame[4 + sizeof(ipv6_hdr)];
	size_t len = build_ipv6(frame, 30, false);

	(void)state;
	unit_sweep_truncations(LINK_TYPE_NULL, null_le_ipv4,
			       sizeof(null_le_ipv4), 4);
	unit_sweep_truncations(LINK_TYPE_LOOP, loop_ipv4, sizeof(loop_ipv4),
			       4);
	unit_sweep_truncations(LINK_TYPE_NULL, frame, len, 4);
	unit_sweep_truncations(LINK_TYPE_NULL, null_appletalk,
			       sizeof(null_appletalk), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_ipv4_both_orders),
		cmocka_unit_test(test_ipv6_families),
		cmocka_unit_test(test_loop_ipv4),
		cmocka_unit_test(test_unknown_family),
		cmocka_unit_test(test_short_header),
		cmocka_unit_test(test_truncation_sweeps),
	};
	return cmocka_run_group_tests_name("loopback", tests, NULL, NULL);
}
