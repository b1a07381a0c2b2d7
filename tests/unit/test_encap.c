#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"
#include "unit_helpers.h"

/*
 * The encapsulation record (encap.c): what a layer keeps of the outer
 * headers, the depth cap, and that a packet's layers never outlive it.
 */

static const uint8_t addr_a[4] = {192, 0, 2, 1};
static const uint8_t addr_b[4] = {198, 51, 100, 7};

/* A tunnel over UDP keeps the outer addresses, ports and checksums. */
static void test_push_tunnel_keeps_outer_headers(void **state)
{
	struct packet pkt;
	struct packet_encap *e;

	(void)state;
	unit_transport_ip(&pkt, 4, IPPROTO_NUM_UDP, addr_a, addr_b, 58);
	pkt.ip.header.len = 20;
	pkt.ipv4.cksum = CKSUM_GOOD;
	pkt.udp.sport = 49152;
	pkt.udp.dport = 4789;
	pkt.udp.cksum = CKSUM_ABSENT;
	e = encap_push_tunnel(&pkt, ENCAP_VXLAN);
	assert_non_null(e);
	assert_int_equal(pkt.encap_count, 1);
	assert_int_equal(e->kind, ENCAP_VXLAN);
	assert_int_equal(e->src.family, 4);
	assert_memory_equal(e->src.bytes, addr_a, 4);
	assert_memory_equal(e->dst.bytes, addr_b, 4);
	assert_int_equal(e->outer_proto, IPPROTO_NUM_UDP);
	assert_int_equal(e->outer_ip_len, 78);
	assert_int_equal(e->sport, 49152);
	assert_int_equal(e->dport, 4789);
	assert_int_equal(e->outer_ip_cksum, CKSUM_GOOD);
	assert_int_equal(e->outer_udp_cksum, CKSUM_ABSENT);
	assert_ptr_equal(packet_innermost_tunnel(&pkt), e);
	assert_string_equal(encap_name(e), "vxlan");
}

/* A link-layer framing has no endpoints: it is no tunnel. */
static void test_push_link_layer_has_no_endpoints(void **state)
{
	struct packet pkt;
	struct packet_encap *e;

	(void)state;
	packet_reset(&pkt);
	e = encap_push(&pkt, ENCAP_MPLS);
	assert_non_null(e);
	assert_int_equal(e->src.family, 0);
	assert_null(packet_innermost_tunnel(&pkt));
	assert_string_equal(encap_name(e), "mpls");
}

/* Past PACKET_MAX_ENCAPS: NULL, and the anomaly once per push refused. */
static void test_push_depth_cap(void **state)
{
	struct packet pkt;

	(void)state;
	packet_reset(&pkt);
	for (int i = 0; i < PACKET_MAX_ENCAPS; i++)
		assert_non_null(encap_push(&pkt, ENCAP_GRE));
	assert_null(encap_push(&pkt, ENCAP_GRE));
	assert_int_equal(pkt.encap_count, PACKET_MAX_ENCAPS);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_ENCAP_TOO_DEEP));
}

/* packet_reset() forgets the layers (their bytes need not be cleared). */
static void test_reset_forgets_layers(void **state)
{
	struct packet pkt;

	(void)state;
	packet_reset(&pkt);
	assert_non_null(encap_push(&pkt, ENCAP_PPPOE));
	packet_reset(&pkt);
	assert_int_equal(pkt.encap_count, 0);
	assert_null(packet_innermost_tunnel(&pkt));
}

/* IP in IP is named by the outer family and what protocol it carries. */
static void test_ip_in_ip_names(void **state)
{
	struct packet_encap e;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.kind = ENCAP_IP_IN_IP;
	e.src.family = 4;
	e.outer_proto = 4;
	assert_string_equal(encap_name(&e), "ipip");
	e.outer_proto = 41;
	assert_string_equal(encap_name(&e), "6in4");
	e.src.family = 6;
	assert_string_equal(encap_name(&e), "6in6");
	e.outer_proto = 4;
	assert_string_equal(encap_name(&e), "4in6");
	for (int k = 0; k < ENCAP_KIND_COUNT; k++)
		assert_string_not_equal(encap_kind_name((enum encap_kind)k),
					"unknown");
}

/* The hand-off clears the outer transport for the inner headers. */
static void test_decode_ip_clears_outer_transport(void **state)
{
	/* IPv4 192.0.2.1 -> 192.0.2.2, protocol 253, no payload. */
	static const uint8_t inner[] = {
		0x45, 0x00, 0x00, 0x14, 0x00, 0x00, 0x40, 0x00,
		0x40, 0xfd, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01,
		0xc0, 0x00, 0x02, 0x02,
	};
	struct packet pkt;
	struct cursor c;

	(void)state;
	unit_transport_ip(&pkt, 4, IPPROTO_NUM_UDP, addr_a, addr_b, 28);
	pkt.udp.header_ok = true;
	pkt.udp.dport = 4789;
	assert_non_null(encap_push_tunnel(&pkt, ENCAP_VXLAN));
	cursor_init(&c, inner, sizeof(inner), sizeof(inner));
	assert_int_equal(encap_decode_ip_by_version(&c, &pkt, PROTO_UDP),
			 DECODE_UNSUPPORTED);
	assert_false(pkt.udp.header_ok);
	assert_int_equal(pkt.udp.dport, 0);
	assert_int_equal(pkt.ip.proto, 253);
	assert_int_equal(pkt.ip.src.bytes[3], 1);
	assert_int_equal(pkt.encaps[0].dport, 4789);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_tunnel_keeps_outer_headers),
		cmocka_unit_test(test_push_link_layer_has_no_endpoints),
		cmocka_unit_test(test_push_depth_cap),
		cmocka_unit_test(test_reset_forgets_layers),
		cmocka_unit_test(test_ip_in_ip_names),
		cmocka_unit_test(test_decode_ip_clears_outer_transport),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
