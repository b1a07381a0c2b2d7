#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"
#include "icmp_message.h"
#include "unit_helpers.h"

/*
 * pkt->ip as the IPv4 dissector leaves it for an ICMP message from
 * 198.51.100.2 to 192.0.2.1 whose IP payload is payload_len bytes.
 */
static void icmp_test_ip(struct packet *pkt, uint32_t payload_len)
{
	static const uint8_t src[4] = { 198, 51, 100, 2 };
	static const uint8_t dst[4] = { 192, 0, 2, 1 };

	unit_transport_ip(pkt, 4, IPPROTO_NUM_ICMP, src, dst, payload_len);
	pkt->ip.ttl = 64;
}

/*
 * Decodes msg[0..cap) of a message wire bytes long from an exact heap
 * copy (ASan catches over-reads), and checks that the quoted datagram
 * left pkt->ip, pkt->tcp and pkt->udp alone.
 */
static enum decode_status icmp_run(struct packet *pkt, const uint8_t *msg,
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
	icmp_test_ip(pkt, (uint32_t)wire);
	ip_before = pkt->ip;
	memset(&tcp_zero, 0, sizeof(tcp_zero));
	memset(&udp_zero, 0, sizeof(udp_zero));
	cursor_init(&c, copy, cap, wire);
	st = icmp_decode(&c, pkt);
	assert_memory_equal(&pkt->ip, &ip_before, sizeof(ip_before));
	assert_memory_equal(&pkt->tcp, &tcp_zero, sizeof(tcp_zero));
	assert_memory_equal(&pkt->udp, &udp_zero, sizeof(udp_zero));
	assert_int_equal(pkt->protos_seen, 1u << PROTO_ICMP);
	free(copy);
	pkt->payload.ptr = NULL; /* dangling now */
	return st;
}

static void assert_addr4(const struct ip_addr *a, uint8_t b0, uint8_t b1,
			 uint8_t b2, uint8_t b3)
{
	assert_int_equal(a->family, 4);
	assert_int_equal(a->bytes[0], b0);
	assert_int_equal(a->bytes[1], b1);
	assert_int_equal(a->bytes[2], b2);
	assert_int_equal(a->bytes[3], b3);
}

/* ping: echo request id 0x1234 seq 1 with 8 bytes of data. */
static const uint8_t echo_request[16] = {
	0x08, 0x00, 0x54, 0x35, /* type 8, code 0, checksum */
	0x12, 0x34, 0x00, 0x01, /* id 0x1234, seq 1 */
	'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h',
};

/* Port unreachable for a UDP datagram 192.0.2.1:53000 -> :33434. */
static const uint8_t port_unreachable[36] = {
	0x03, 0x03, 0xff, 0x6f, /* dest unreachable, port, checksum */
	0x00, 0x00, 0x00, 0x00, /* unused */
	0x45, 0x00, 0x00, 0x30, /* quoted IPv4, IHL 5, total length 48 */
	0xbe, 0xef, 0x00, 0x00, /* id 0xbeef, no fragmentation */
	0x40, 0x11, 0xcf, 0x96, /* TTL 64, UDP, header checksum */
	0xc0, 0x00, 0x02, 0x01, /* 192.0.2.1 */
	0xc6, 0x33, 0x64, 0x02, /* 198.51.100.2 */
	0xcf, 0x08, 0x82, 0x9a, /* quoted UDP: sport 53000, dport 33434 */
	0x00, 0x1c, 0xab, 0xcd, /* length 28, checksum */
};

/* Fragmentation needed, next-hop MTU 1400, for a DF TCP segment. */
static const uint8_t frag_needed[36] = {
	0x03, 0x04, 0x55, 0x82, /* dest unreachable, frag needed, checksum */
	0x00, 0x00, 0x05, 0x78, /* unused, next-hop MTU 1400 (RFC 1191) */
	0x45, 0x00, 0x05, 0xdc, /* quoted IPv4, total length 1500 */
	0x11, 0x11, 0x40, 0x00, /* id 0x1111, DF */
	0x40, 0x06, 0x37, 0xd4, /* TTL 64, TCP, header checksum */
	0xc0, 0x00, 0x02, 0x01, /* 192.0.2.1 */
	0xc6, 0x33, 0x64, 0x02, /* 198.51.100.2 */
	0x9c, 0x40, 0x01, 0xbb, /* quoted TCP: sport 40000, dport 443 */
	0x01, 0x02, 0x03, 0x04, /* seq 0x01020304 */
};

/* The same error quoting only 4 transport bytes (checksum redone). */
static const uint8_t frag_needed_short[32] = {
	0x03, 0x04, 0x59, 0x88, /* dest unreachable, frag needed, checksum */
	0x00, 0x00, 0x05, 0x78, /* unused, next-hop MTU 1400 */
	0x45, 0x00, 0x05, 0xdc, /* quoted IPv4, total length 1500 */
	0x11, 0x11, 0x40, 0x00, /* id 0x1111, DF */
	0x40, 0x06, 0x37, 0xd4, /* TTL 64, TCP, header checksum */
	0xc0, 0x00, 0x02, 0x01, /* 192.0.2.1 */
	0xc6, 0x33, 0x64, 0x02, /* 198.51.100.2 */
	0x9c, 0x40, 0x01, 0xbb, /* quoted TCP: sport 40000, dport 443; cut */
};

/* Port unreachable quoting a datagram with a Router Alert option. */
static const uint8_t port_unreachable_opts[40] = {
	0x03, 0x03, 0xff, 0x6f, /* dest unreachable, port, checksum */
	0x00, 0x00, 0x00, 0x00, /* unused */
	0x46, 0x00, 0x00, 0x34, /* quoted IPv4, IHL 6 (24 bytes), length 52 */
	0xbe, 0xef, 0x00, 0x00, /* id 0xbeef */
	0x40, 0x11, 0x3a, 0x8e, /* TTL 64, UDP, header checksum */
	0xc0, 0x00, 0x02, 0x01, /* 192.0.2.1 */
	0xc6, 0x33, 0x64, 0x02, /* 198.51.100.2 */
	0x94, 0x04, 0x00, 0x00, /* Router Alert (RFC 2113) */
	0xcf, 0x08, 0x82, 0x9a, /* quoted UDP: sport 53000, dport 33434 */
	0x00, 0x1c, 0xab, 0xcd, /* length 28, checksum */
};

/* traceroute -I: TTL exceeded for echo request id 7 seq 3. */
static const uint8_t time_exceeded[36] = {
	0x0b, 0x00, 0xf4, 0xf5, /* time exceeded in transit, checksum */
	0x00, 0x00, 0x00, 0x00, /* unused */
	0x45, 0x00, 0x00, 0x54, /* quoted IPv4, total length 84 */
	0x22, 0x22, 0x40, 0x00, /* id 0x2222, DF */
	0x01, 0x01, 0x6b, 0x50, /* TTL 1, ICMP, header checksum */
	0xc0, 0x00, 0x02, 0x01, /* 192.0.2.1 */
	0xc6, 0x33, 0x64, 0x02, /* 198.51.100.2 */
	0x08, 0x00, 0xf7, 0xff, /* quoted echo request, its checksum */
	0x00, 0x07, 0x00, 0x03, /* id 7, seq 3 */
};

static void test_echo_request(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(icmp_run(&pkt, echo_request, 16, 16), DECODE_OK);
	assert_int_equal(pkt.icmp.version, 4);
	assert_int_equal(pkt.icmp.type, 8);
	assert_int_equal(pkt.icmp.code, 0);
	assert_int_equal(pkt.icmp.checksum, 0x5435);
	assert_int_equal(pkt.icmp.cksum, CKSUM_GOOD);
	assert_true(pkt.icmp.is_echo);
	assert_false(pkt.icmp.is_error);
	assert_int_equal(pkt.icmp.echo_id, 0x1234);
	assert_int_equal(pkt.icmp.echo_seq, 1);
	assert_false(pkt.icmp.has_quoted);
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
	m[15] ^= 0x20;
	icmp_run(&pkt, m, 16, 16);
	assert_int_equal(pkt.icmp.cksum, CKSUM_BAD);
	/* Snaplen cut the data. */
	assert_int_equal(icmp_run(&pkt, echo_request, 12, 16), DECODE_OK);
	assert_int_equal(pkt.icmp.cksum, CKSUM_UNVERIFIABLE);
	assert_int_equal(pkt.payload.len, 4);
	assert_int_equal(pkt.payload_wire_len, 8);
}

static void test_port_unreachable_udp(void **state)
{
	struct packet pkt;
	const struct icmp_quoted *q = &pkt.icmp.quoted;

	(void)state;
	assert_int_equal(icmp_run(&pkt, port_unreachable, 36, 36), DECODE_OK);
	assert_int_equal(pkt.icmp.cksum, CKSUM_GOOD);
	assert_true(pkt.icmp.is_error);
	assert_false(pkt.icmp.is_echo);
	assert_true(pkt.icmp.has_quoted);
	assert_int_equal(q->ip_version, 4);
	assert_addr4(&q->src, 192, 0, 2, 1);
	assert_addr4(&q->dst, 198, 51, 100, 2);
	assert_int_equal(q->proto, IPPROTO_NUM_UDP);
	assert_int_equal(q->ip_id, 0xbeef);
	assert_true(q->has_ports);
	assert_int_equal(q->sport, 53000);
	assert_int_equal(q->dport, 33434);
	assert_int_equal(q->transport_len, 8);
	assert_int_equal(pkt.payload.len, 28);
	assert_int_equal(pkt.anomaly_count, 0);
}

static void test_frag_needed_tcp(void **state)
{
	struct packet pkt;
	const struct icmp_quoted *q = &pkt.icmp.quoted;

	(void)state;
	assert_int_equal(icmp_run(&pkt, frag_needed, 36, 36), DECODE_OK);
	assert_int_equal(pkt.icmp.cksum, CKSUM_GOOD);
	assert_true(pkt.icmp.is_error);
	assert_int_equal(pkt.icmp.mtu, 1400);
	assert_int_equal(q->proto, IPPROTO_NUM_TCP);
	assert_int_equal(q->ip_id, 0x1111);
	assert_true(q->has_ports);
	assert_int_equal(q->sport, 40000);
	assert_int_equal(q->dport, 443);
	assert_int_equal(q->tcp_seq, 0x01020304);
	assert_int_equal(pkt.anomaly_count, 0);
}

/* Only the ports were quoted: normal, noted, the ICMP layer is fine. */
static void test_quote_cut_after_ports(void **state)
{
	struct packet pkt;
	const struct icmp_quoted *q = &pkt.icmp.quoted;

	(void)state;
	assert_int_equal(icmp_run(&pkt, frag_needed_short, 32, 32), DECODE_OK);
	assert_int_equal(pkt.status, DECODE_OK);
	assert_int_equal(pkt.icmp.cksum, CKSUM_GOOD);
	assert_int_equal(pkt.icmp.mtu, 1400);
	assert_true(pkt.icmp.has_quoted);
	assert_true(q->has_ports);
	assert_int_equal(q->dport, 443);
	assert_int_equal(q->transport_len, 4);
	assert_int_equal(q->tcp_seq, 0);
	assert_int_equal(pkt.anomaly_count, 1);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_ICMP_INNER_TRUNCATED));
}

static void test_quoted_ipv4_options(void **state)
{
	struct packet pkt;
	const struct icmp_quoted *q = &pkt.icmp.quoted;

	(void)state;
	assert_int_equal(icmp_run(&pkt, port_unreachable_opts, 40, 40),
			 DECODE_OK);
	assert_int_equal(pkt.icmp.cksum, CKSUM_GOOD);
	assert_true(q->has_ports);
	assert_int_equal(q->sport, 53000);
	assert_int_equal(q->dport, 33434);
	assert_int_equal(pkt.anomaly_count, 0);
	/* Options quoted, transport header not. */
	assert_int_equal(icmp_run(&pkt, port_unreachable_opts, 32, 32),
			 DECODE_OK);
	assert_true(pkt.icmp.has_quoted);
	assert_false(q->has_ports);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_ICMP_INNER_TRUNCATED));
}

static void test_time_exceeded_echo(void **state)
{
	struct packet pkt;
	const struct icmp_quoted *q = &pkt.icmp.quoted;

	(void)state;
	assert_int_equal(icmp_run(&pkt, time_exceeded, 36, 36), DECODE_OK);
	assert_int_equal(pkt.icmp.type, 11);
	assert_int_equal(pkt.icmp.cksum, CKSUM_GOOD);
	assert_true(pkt.icmp.is_error);
	assert_int_equal(q->proto, IPPROTO_NUM_ICMP);
	assert_false(q->has_ports);
	assert_int_equal(q->icmp_type, 8);
	assert_int_equal(q->icmp_id, 7);
	assert_int_equal(q->icmp_seq, 3);
	assert_int_equal(pkt.anomaly_count, 0);
}

static void test_quoted_malformed(void **state)
{
	uint8_t m[36];
	struct packet pkt;

	(void)state;
	/* A version 6 header inside an ICMPv4 error. */
	memcpy(m, port_unreachable, 36);
	m[8] = 0x65;
	assert_int_equal(icmp_run(&pkt, m, 36, 36), DECODE_OK);
	assert_false(pkt.icmp.has_quoted);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_ICMP_INNER_MALFORMED));
	/* IHL 4: shorter than an IPv4 header. */
	m[8] = 0x44;
	assert_int_equal(icmp_run(&pkt, m, 36, 36), DECODE_OK);
	assert_false(pkt.icmp.has_quoted);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_ICMP_INNER_MALFORMED));
	assert_int_equal(pkt.anomaly_count, 1);
}

static void test_quoted_later_fragment(void **state)
{
	uint8_t m[36];
	struct packet pkt;

	(void)state;
	/* Fragment offset 185 (1480 bytes): its first bytes are data. */
	memcpy(m, port_unreachable, 36);
	m[14] = 0x00;
	m[15] = 0xb9;
	assert_int_equal(icmp_run(&pkt, m, 36, 36), DECODE_OK);
	assert_true(pkt.icmp.has_quoted);
	assert_int_equal(pkt.icmp.quoted.proto, IPPROTO_NUM_UDP);
	assert_false(pkt.icmp.quoted.has_ports);
	assert_int_equal(pkt.icmp.quoted.transport_len, 0);
	assert_int_equal(pkt.anomaly_count, 0);
}

static void test_other_types(void **state)
{
	uint8_t m[36];
	struct packet pkt;

	(void)state;
	/* Redirect (5) carries a gateway, then a quote like any error. */
	memcpy(m, port_unreachable, 36);
	m[0] = 5;
	m[1] = 1;
	icmp_run(&pkt, m, 36, 36);
	assert_true(pkt.icmp.is_error);
	assert_true(pkt.icmp.quoted.has_ports);
	assert_int_equal(pkt.icmp.mtu, 0);
	/* Timestamp request (13): neither echo nor error. */
	m[0] = 13;
	m[1] = 0;
	icmp_run(&pkt, m, 36, 36);
	assert_false(pkt.icmp.is_error);
	assert_false(pkt.icmp.is_echo);
	assert_false(pkt.icmp.has_quoted);
	/* Destination unreachable code 1 (host): no MTU. */
	memcpy(m, frag_needed, 36);
	m[1] = 1;
	icmp_run(&pkt, m, 36, 36);
	assert_int_equal(pkt.icmp.mtu, 0);
}

/* Every cut of an error: the header is needed, the quote is best effort. */
static void test_truncation_sweep(void **state)
{
	struct packet pkt;

	(void)state;
	for (size_t cut = 0; cut <= 36; cut++) {
		for (int really_short = 0; really_short < 2; really_short++) {
			size_t wire = really_short ? cut : 36;
			enum decode_status st;

			st = icmp_run(&pkt, port_unreachable, cut, wire);
			if (cut < 8) {
				assert_int_equal(st, really_short
						 ? DECODE_MALFORMED
						 : DECODE_TRUNCATED);
				assert_int_equal(pkt.status_proto, PROTO_ICMP);
				continue;
			}
			assert_int_equal(st, DECODE_OK);
			assert_int_equal(pkt.icmp.has_quoted, cut >= 28);
			assert_int_equal(pkt.icmp.quoted.has_ports, cut >= 32);
			assert_int_equal(packet_has_anomaly(
					 &pkt, PKT_ANOM_ICMP_INNER_TRUNCATED),
					 cut < 36);
		}
	}
}

/* Each error named as tcpdump words it, redirects and quench too. */
static void test_message_names(void **state)
{
	(void)state;
	assert_string_equal(icmp_message_name(4, 3, 3), "port unreachable");
	assert_string_equal(icmp_message_name(4, 5, 1), "redirect for host");
	assert_string_equal(icmp_message_name(4, 5, 9), "redirect");
	assert_string_equal(icmp_message_name(4, 4, 0), "source quench");
	assert_string_equal(icmp_message_name(4, 11, 0), "TTL exceeded in transit");
	assert_string_equal(icmp_message_name(4, 40, 0), "ICMP error");
	assert_string_equal(icmp_message_name(6, 2, 0), "packet too big");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_request),
		cmocka_unit_test(test_message_names),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_port_unreachable_udp),
		cmocka_unit_test(test_frag_needed_tcp),
		cmocka_unit_test(test_quote_cut_after_ports),
		cmocka_unit_test(test_quoted_ipv4_options),
		cmocka_unit_test(test_time_exceeded_echo),
		cmocka_unit_test(test_quoted_malformed),
		cmocka_unit_test(test_quoted_later_fragment),
		cmocka_unit_test(test_other_types),
		cmocka_unit_test(test_truncation_sweep),
	};
	return cmocka_run_group_tests_name("icmp", tests, NULL, NULL);
}
