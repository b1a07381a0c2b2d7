#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"
#include "unit_helpers.h"

/*
 * pkt->ip as the IPv6 dissector leaves it for an ICMPv6 message from
 * 2001:db8::2 to 2001:db8::1 whose upper-layer length is payload_len.
 */
static void icmpv6_test_ip(struct packet *pkt, uint32_t payload_len)
{
	static const uint8_t src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	static const uint8_t dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

	unit_transport_ip(pkt, 6, IPPROTO_NUM_ICMPV6, src, dst, payload_len);
	pkt->ip.ttl = 64;
}

/*
 * Decodes msg[0..cap) of a message wire bytes long from an exact heap
 * copy (ASan catches over-reads), and checks that the quoted datagram
 * left pkt->ip, pkt->tcp and pkt->udp alone.
 */
static enum decode_status icmpv6_run(struct packet *pkt, const uint8_t *msg,
				     size_t cap, size_t wire)
{
	uint8_t *copy = malloc(cap > 0 ? cap : 1);
	struct packet_ip ip_before;
	struct packet_tcp tcp_zero;
	struct packet_udp udp_zero;
	struct cursor c;
	enum decode_status st;

	assert_non_null(copy);
	if (cap > 0)
		memcpy(copy, msg, cap);
	icmpv6_test_ip(pkt, (uint32_t)wire);
	ip_before = pkt->ip;
	memset(&tcp_zero, 0, sizeof(tcp_zero));
	memset(&udp_zero, 0, sizeof(udp_zero));
	cursor_init(&c, copy, cap, wire);
	st = icmpv6_decode(&c, pkt);
	assert_memory_equal(&pkt->ip, &ip_before, sizeof(ip_before));
	assert_memory_equal(&pkt->tcp, &tcp_zero, sizeof(tcp_zero));
	assert_memory_equal(&pkt->udp, &udp_zero, sizeof(udp_zero));
	assert_int_equal(pkt->protos_seen, 1u << PROTO_ICMPV6);
	free(copy);
	pkt->payload.ptr = NULL; /* dangling now */
	return st;
}

/* 2001:db8::N */
static void assert_addr6(const struct ip_addr *a, uint8_t last)
{
	static const uint8_t prefix[4] = { 0x20, 0x01, 0x0d, 0xb8 };

	assert_int_equal(a->family, 6);
	assert_memory_equal(a->bytes, prefix, 4);
	for (int i = 4; i < 15; i++)
		assert_int_equal(a->bytes[i], 0);
	assert_int_equal(a->bytes[15], last);
}

/* ping -6: echo request id 0x1234 seq 1 with 8 bytes of data. */
static const uint8_t echo_request[16] = {
	0x80, 0x00, 0x80, 0x75, /* type 128, code 0, checksum */
	0x12, 0x34, 0x00, 0x01, /* id 0x1234, seq 1 */
	'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h',
};

/* Packet too big, MTU 1280, for TCP 2001:db8::1.40000 -> ::2.443. */
static const uint8_t packet_too_big[56] = {
	0x02, 0x00, 0x34, 0x89, /* packet too big, checksum */
	0x00, 0x00, 0x05, 0x00, /* MTU 1280 */
	0x60, 0x00, 0x00, 0x00, /* quoted IPv6 */
	0x04, 0xd8, 0x06, 0x40, /* payload length 1240, TCP, hop limit 64 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, /* 2001:db8::1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, /* 2001:db8::2 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x9c, 0x40, 0x01, 0xbb, /* quoted TCP: sport 40000, dport 443 */
	0x01, 0x02, 0x03, 0x04, /* seq 0x01020304 */
};

/* Port unreachable for the first fragment of a UDP datagram. */
static const uint8_t port_unreachable_frag[64] = {
	0x01, 0x04, 0x3e, 0x68, /* dest unreachable, port, checksum */
	0x00, 0x00, 0x00, 0x00, /* unused */
	0x60, 0x00, 0x00, 0x00, /* quoted IPv6 */
	0x00, 0x10, 0x2c, 0x40, /* payload length 16, Fragment, hop limit 64 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, /* 2001:db8::1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, /* 2001:db8::2 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x11, 0x00, 0x00, 0x01, /* fragment header: UDP, offset 0, M */
	0x12, 0x34, 0x56, 0x78, /* identification */
	0xcf, 0x08, 0x82, 0x9a, /* quoted UDP: sport 53000, dport 33434 */
	0x05, 0xc0, 0xab, 0xcd, /* length 1472, checksum */
};

/* Hop limit exceeded for echo request id 7 seq 3 (traceroute -6 -I). */
static const uint8_t time_exceeded[56] = {
	0x03, 0x00, 0x7f, 0xb9, /* time exceeded, hop limit, checksum */
	0x00, 0x00, 0x00, 0x00, /* unused */
	0x60, 0x00, 0x00, 0x00, /* quoted IPv6 */
	0x00, 0x10, 0x3a, 0x01, /* payload length 16, ICMPv6, hop limit 1 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, /* 2001:db8::1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, /* 2001:db8::2 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x80, 0x00, 0xab, 0xcd, /* quoted echo request, its checksum */
	0x00, 0x07, 0x00, 0x03, /* id 7, seq 3 */
};

static void test_echo_request(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(icmpv6_run(&pkt, echo_request, 16, 16), DECODE_OK);
	assert_int_equal(pkt.icmp.version, 6);
	assert_int_equal(pkt.icmp.type, 128);
	assert_int_equal(pkt.icmp.checksum, 0x8075);
	assert_int_equal(pkt.icmp.cksum, CKSUM_GOOD);
	assert_true(pkt.icmp.is_echo);
	assert_false(pkt.icmp.is_error);
	assert_int_equal(pkt.icmp.echo_id, 0x1234);
	assert_int_equal(pkt.icmp.echo_seq, 1);
	assert_int_equal(pkt.payload.len, 8);
	assert_int_equal(pkt.payload_wire_len, 8);
	assert_int_equal(pkt.anomaly_count, 0);
}

static void test_checksum(void **state)
{
	uint8_t m[16];
	struct packet pkt;

	(void)state;
	memcpy(m, echo_request, 16);
	m[8] ^= 0x01;
	icmpv6_run(&pkt, m, 16, 16);
	assert_int_equal(pkt.icmp.cksum, CKSUM_BAD);
	/* As an echo reply (129) the sum grows by 0x0100 ... */
	memcpy(m, echo_request, 16);
	m[0] = 129;
	icmpv6_run(&pkt, m, 16, 16);
	assert_int_equal(pkt.icmp.cksum, CKSUM_BAD);
	m[2] = 0x7f; /* ... so the field drops by it: 0x7f75 */
	icmpv6_run(&pkt, m, 16, 16);
	assert_int_equal(pkt.icmp.cksum, CKSUM_GOOD);
	assert_true(pkt.icmp.is_echo);
	/* Snaplen cut the data. */
	assert_int_equal(icmpv6_run(&pkt, echo_request, 10, 16), DECODE_OK);
	assert_int_equal(pkt.icmp.cksum, CKSUM_UNVERIFIABLE);
}

static void test_packet_too_big_tcp(void **state)
{
	struct packet pkt;
	const struct icmp_quoted *q = &pkt.icmp.quoted;

	(void)state;
	assert_int_equal(icmpv6_run(&pkt, packet_too_big, 56, 56), DECODE_OK);
	assert_int_equal(pkt.icmp.cksum, CKSUM_GOOD);
	assert_true(pkt.icmp.is_error);
	assert_int_equal(pkt.icmp.mtu, 1280);
	assert_true(pkt.icmp.has_quoted);
	assert_int_equal(q->ip_version, 6);
	assert_addr6(&q->src, 1);
	assert_addr6(&q->dst, 2);
	assert_int_equal(q->proto, IPPROTO_NUM_TCP);
	assert_true(q->has_ports);
	assert_int_equal(q->sport, 40000);
	assert_int_equal(q->dport, 443);
	assert_int_equal(q->tcp_seq, 0x01020304);
	assert_int_equal(q->transport_len, 8);
	assert_int_equal(pkt.payload.len, 48);
	assert_int_equal(pkt.anomaly_count, 0);
}

static void test_unreachable_udp_behind_fragment(void **state)
{
	struct packet pkt;
	const struct icmp_quoted *q = &pkt.icmp.quoted;

	(void)state;
	assert_int_equal(icmpv6_run(&pkt, port_unreachable_frag, 64, 64),
			 DECODE_OK);
	assert_int_equal(pkt.icmp.cksum, CKSUM_GOOD);
	assert_int_equal(pkt.icmp.code, 4);
	assert_true(pkt.icmp.is_error);
	assert_int_equal(pkt.icmp.mtu, 0);
	assert_int_equal(q->proto, IPPROTO_NUM_UDP);
	assert_true(q->has_ports);
	assert_int_equal(q->sport, 53000);
	assert_int_equal(q->dport, 33434);
	assert_int_equal(pkt.anomaly_count, 0);
}

static void test_quoted_later_fragment(void **state)
{
	uint8_t m[64];
	struct packet pkt;

	(void)state;
	/* Offset 1448: what follows the fragment header is data. */
	memcpy(m, port_unreachable_frag, 64);
	m[50] = 0x05;
	m[51] = 0xa9;
	assert_int_equal(icmpv6_run(&pkt, m, 64, 64), DECODE_OK);
	assert_true(pkt.icmp.has_quoted);
	assert_int_equal(pkt.icmp.quoted.proto, IPPROTO_NUM_UDP);
	assert_false(pkt.icmp.quoted.has_ports);
	assert_int_equal(pkt.anomaly_count, 0);
}

static void test_time_exceeded_echo(void **state)
{
	struct packet pkt;
	const struct icmp_quoted *q = &pkt.icmp.quoted;

	(void)state;
	assert_int_equal(icmpv6_run(&pkt, time_exceeded, 56, 56), DECODE_OK);
	assert_int_equal(pkt.icmp.cksum, CKSUM_GOOD);
	assert_int_equal(q->proto, IPPROTO_NUM_ICMPV6);
	assert_int_equal(q->icmp_type, 128);
	assert_int_equal(q->icmp_id, 7);
	assert_int_equal(q->icmp_seq, 3);
	assert_false(q->has_ports);
	assert_int_equal(pkt.anomaly_count, 0);
}

static void test_quoted_malformed(void **state)
{
	uint8_t m[56];
	struct packet pkt;

	(void)state;
	/* An IPv4 header inside an ICMPv6 error. */
	memcpy(m, packet_too_big, 56);
	m[8] = 0x45;
	assert_int_equal(icmpv6_run(&pkt, m, 56, 56), DECODE_OK);
	assert_false(pkt.icmp.has_quoted);
	assert_int_equal(pkt.anomaly_count, 1);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_ICMPV6_INNER_MALFORMED));
}

/*
 * A quote whose chain has n Destination Options headers (8 bytes each)
 * before 8 bytes of UDP; more than PACKET_MAX_IPV6_EXT is refused.
 */
static void run_ext_chain(struct packet *pkt, size_t n)
{
	size_t len = 8 + 40 + 8 * n + 8;
	uint8_t *m = calloc(1, len);

	assert_non_null(m);
	memcpy(m, port_unreachable_frag, 48); /* ICMPv6 + quoted IPv6 */
	m[14] = IPPROTO_NUM_DSTOPTS;
	for (size_t i = 0; i < n; i++) {
		uint8_t *ext = m + 48 + 8 * i;

		ext[0] = i + 1 < n ? IPPROTO_NUM_DSTOPTS : IPPROTO_NUM_UDP;
		ext[1] = 0;        /* 8 bytes */
		ext[2] = 0x01;     /* PadN, 4 bytes of padding */
		ext[3] = 0x04;
	}
	memcpy(m + len - 8, port_unreachable_frag + 56, 8); /* quoted UDP */
	assert_int_equal(icmpv6_run(pkt, m, len, len), DECODE_OK);
	free(m);
}

static void test_quoted_ext_chain_bound(void **state)
{
	struct packet pkt;

	(void)state;
	run_ext_chain(&pkt, PACKET_MAX_IPV6_EXT);
	assert_true(pkt.icmp.quoted.has_ports);
	assert_int_equal(pkt.icmp.quoted.dport, 33434);
	assert_int_equal(pkt.anomaly_count, 0);
	run_ext_chain(&pkt, PACKET_MAX_IPV6_EXT + 1);
	assert_true(pkt.icmp.has_quoted);
	assert_false(pkt.icmp.quoted.has_ports);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_ICMPV6_INNER_MALFORMED));
}

static void test_informational(void **state)
{
	/* Neighbor solicitation for 2001:db8::1 (RFC 4861 4.3). */
	static const uint8_t ns[24] = {
		0x87, 0x00, 0x00, 0x00, /* type 135, code 0, checksum (wrong) */
		0x00, 0x00, 0x00, 0x00, /* reserved */
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, /* target */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	};
	struct packet pkt;

	(void)state;
	assert_int_equal(icmpv6_run(&pkt, ns, 24, 24), DECODE_OK);
	assert_false(pkt.icmp.is_error);
	assert_false(pkt.icmp.is_echo);
	assert_false(pkt.icmp.has_quoted);
	assert_int_equal(pkt.payload.len, 16);
}

/* Every cut: the 8-byte header is needed, the quote is best effort. */
static void test_truncation_sweep(void **state)
{
	struct packet pkt;

	(void)state;
	for (size_t cut = 0; cut <= 64; cut++) {
		for (int really_short = 0; really_short < 2; really_short++) {
			size_t wire = really_short ? cut : 64;
			enum decode_status st;

			st = icmpv6_run(&pkt, port_unreachable_frag, cut, wire);
			if (cut < 8) {
				assert_int_equal(st, really_short
						 ? DECODE_MALFORMED
						 : DECODE_TRUNCATED);
				assert_int_equal(pkt.status_proto, PROTO_ICMPV6);
				continue;
			}
			assert_int_equal(st, DECODE_OK);
			assert_int_equal(pkt.icmp.has_quoted, cut >= 48);
			/* Behind the 8-byte fragment header. */
			assert_int_equal(pkt.icmp.quoted.has_ports, cut >= 60);
			assert_int_equal(packet_has_anomaly(
					 &pkt, PKT_ANOM_ICMPV6_INNER_TRUNCATED),
					 cut < 64);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_request),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_packet_too_big_tcp),
		cmocka_unit_test(test_unreachable_udp_behind_fragment),
		cmocka_unit_test(test_quoted_later_fragment),
		cmocka_unit_test(test_time_exceeded_echo),
		cmocka_unit_test(test_quoted_malformed),
		cmocka_unit_test(test_quoted_ext_chain_bound),
		cmocka_unit_test(test_informational),
		cmocka_unit_test(test_truncation_sweep),
	};
	return cmocka_run_group_tests_name("icmpv6", tests, NULL, NULL);
}
