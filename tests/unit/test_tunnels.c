#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"
#include "quality_internal.h"
#include "unit_helpers.h"

/*
 * The tunnels of issue 14: GRE (key, sequence; ERSPAN I, II, III), IP in
 * IP, VXLAN, Geneve, GTP-U, Teredo, AYIYA.  Each carries the IPv4 UDP
 * datagram 192.0.2.1:12345 -> 198.51.100.7:53 (or, where the tunnel
 * carries IPv6, 2001:db8::1 -> 2001:db8::7) between the outer endpoints
 * 192.0.2.10 and 192.0.2.20.
 */

#define IP_UDP                                                              \
	0x45, 0x00, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00,                     \
	0x40, 0x11, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01,                     \
	0xc6, 0x33, 0x64, 0x07,                                             \
	0x30, 0x39, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00

#define IP6_UDP                                                             \
	0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x11, 0x40,                     \
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,      \
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07,      \
	0x30, 0x39, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00

#define ETH(type)                                                           \
	0x00, 0x00, 0x5e, 0x00, 0x53, 0x02, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, \
	(type) >> 8, (type) & 0xff

/* Outer IPv4 192.0.2.10 -> 192.0.2.20, total length len, protocol p. */
#define OUTER4(len, p)                                                      \
	0x45, 0x00, 0x00, (len), 0x00, 0x00, 0x40, 0x00, 0x40, (p), 0, 0,   \
	0xc0, 0x00, 0x02, 0x0a, 0xc0, 0x00, 0x02, 0x14

#define UDP(sport, dport, len)                                              \
	(sport) >> 8, (sport) & 0xff, (dport) >> 8, (dport) & 0xff, 0x00,   \
	(len), 0x00, 0x00

static void check_inner(const struct packet *pkt, uint8_t version)
{
	assert_int_equal(pkt->status, DECODE_OK);
	assert_true(packet_has(pkt, PROTO_UDP));
	assert_int_equal(pkt->ip.version, version);
	assert_int_equal(pkt->ip.proto, IPPROTO_NUM_UDP);
	assert_true(pkt->udp.header_ok);
	assert_int_equal(pkt->udp.sport, 12345);
	assert_int_equal(pkt->udp.dport, 53);
}

static const struct packet_encap *check_tunnel(const struct packet *pkt,
					       enum encap_kind kind)
{
	const struct packet_encap *e = packet_innermost_tunnel(pkt);

	assert_non_null(e);
	assert_int_equal(e->kind, kind);
	assert_int_equal(e->src.family, 4);
	assert_int_equal(e->src.bytes[3], 10);
	assert_int_equal(e->dst.bytes[3], 20);
	return e;
}

static const uint8_t gre_key_seq[] = {
	ETH(0x0800), OUTER4(60, 47),
	0x30, 0x00, 0x08, 0x00,         /* K, S; IPv4 */
	0x00, 0x00, 0x04, 0xd2,         /* key 1234 */
	0x00, 0x00, 0x00, 0x07,         /* sequence 7 */
	IP_UDP,
};

static void test_gre_key_sequence(void **state)
{
	const struct packet_encap *e;
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_ETHERNET, gre_key_seq, sizeof(gre_key_seq));
	check_inner(&pkt, 4);
	assert_true(packet_has(&pkt, PROTO_GRE));
	e = check_tunnel(&pkt, ENCAP_GRE);
	assert_int_equal(e->id, 1234);
	assert_int_equal(e->flags & (ENCAP_HAS_ID | ENCAP_ID_SHARED),
			 ENCAP_HAS_ID | ENCAP_ID_SHARED);
	assert_int_equal(e->id2, 7);
	assert_int_equal(e->outer_proto, IPPROTO_NUM_GRE);
	assert_int_equal(e->outer_ip_len, 60);
	unit_sweep_truncations(LINK_TYPE_ETHERNET, gre_key_seq,
			       sizeof(gre_key_seq), sizeof(gre_key_seq));
}

/*
 * NVGRE (RFC 7637): the key is VSID 0x001234 and FlowID 0x11, which the
 * other direction picks anew: the VSID alone names the tunnel.
 */
static void test_nvgre_vsid(void **state)
{
	static const uint8_t f[] = {
		ETH(0x0800), OUTER4(70, 47),
		0x20, 0x00, 0x65, 0x58,     /* K; transparent Ethernet */
		0x00, 0x12, 0x34, 0x11,     /* VSID 0x1234, FlowID 0x11 */
		ETH(0x0800), IP_UDP,
	};
	const struct packet_encap *e;
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_ETHERNET, f, sizeof(f));
	check_inner(&pkt, 4);
	e = check_tunnel(&pkt, ENCAP_GRE);
	assert_int_equal(e->id, 0x1234);
	assert_int_equal(e->id2, 0x11);
	assert_int_equal(e->flags & (ENCAP_HAS_ID | ENCAP_HAS_ID2 |
				     ENCAP_ID_SHARED | ENCAP_HAS_SEQ),
			 ENCAP_HAS_ID | ENCAP_HAS_ID2 | ENCAP_ID_SHARED);
}

/* Ethernet over GRE (transparent bridging), and a protocol left. */
static void test_gre_teb_and_unknown(void **state)
{
	static const uint8_t teb[] = {
		ETH(0x0800), OUTER4(66, 47), 0x00, 0x00, 0x65, 0x58,
		ETH(0x0800), IP_UDP,
	};
	static const uint8_t other[] = {
		ETH(0x0800), OUTER4(28, 47), 0x00, 0x00, 0x88, 0xb5,
		0, 0, 0, 0,
	};
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_ETHERNET, teb, sizeof(teb));
	check_inner(&pkt, 4);
	check_tunnel(&pkt, ENCAP_GRE);
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, other,
				     sizeof(other)),
			 DECODE_UNSUPPORTED);
	assert_int_equal(pkt.status_proto, PROTO_GRE);
	/* Not entered: the outer header stays the packet's own. */
	assert_int_equal(pkt.encap_count, 0);
	assert_int_equal(pkt.ip.proto, IPPROTO_NUM_GRE);
}

/* PPTP: enhanced GRE (version 1) with PPP carrying IPv4. */
static void test_gre_pptp(void **state)
{
	static const uint8_t f[] = {
		ETH(0x0800), OUTER4(64, 47),
		0x30, 0x01, 0x88, 0x0b,     /* K, S, version 1; PPP */
		0x00, 0x20, 0x00, 0x05,     /* payload length 32, call id 5 */
		0x00, 0x00, 0x00, 0x01,     /* sequence */
		0xff, 0x03, 0x00, 0x21, IP_UDP,
	};
	const struct packet_encap *e;
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_ETHERNET, f, sizeof(f));
	check_inner(&pkt, 4);
	e = check_tunnel(&pkt, ENCAP_GRE);
	assert_int_equal(e->version, 1);
	assert_int_equal(e->id, 5);
	assert_false(e->flags & ENCAP_ID_SHARED);
	assert_true(packet_has(&pkt, PROTO_PPP));
}

static void test_gre_bad_version(void **state)
{
	static const uint8_t f[] = {
		ETH(0x0800), OUTER4(52, 47), 0x00, 0x02, 0x08, 0x00, IP_UDP,
	};
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, f, sizeof(f)),
			 DECODE_MALFORMED);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_GRE_BAD_VERSION));
}

static void test_erspan_types(void **state)
{
	static const uint8_t type1[] = {
		ETH(0x0800), OUTER4(66, 47), 0x00, 0x00, 0x88, 0xbe,
		ETH(0x0800), IP_UDP,
	};
	static const uint8_t type2[] = {
		ETH(0x0800), OUTER4(78, 47), 0x10, 0x00, 0x88, 0xbe,
		0x00, 0x00, 0x00, 0x01,     /* GRE sequence */
		0x10, 0x64, 0x00, 0x2a,     /* version 1, VLAN 100; session 42 */
		0x00, 0x00, 0x00, 0x00,
		ETH(0x0800), IP_UDP,
	};
	static const uint8_t type3[] = {
		ETH(0x0800), OUTER4(86, 47), 0x00, 0x00, 0x22, 0xeb,
		0x20, 0x64, 0x00, 0x2b,     /* version 2; session 43 */
		0x00, 0x00, 0x00, 0x01,     /* timestamp */
		0x00, 0x00, 0x00, 0x01,     /* SGT, flags with O */
		0, 0, 0, 0, 0, 0, 0, 0,     /* platform subheader */
		ETH(0x0800), IP_UDP,
	};
	const struct packet_encap *e;
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_ETHERNET, type1, sizeof(type1));
	check_inner(&pkt, 4);
	e = check_tunnel(&pkt, ENCAP_ERSPAN);
	assert_int_equal(e->version, 1);
	unit_decode(&pkt, LINK_TYPE_ETHERNET, type2, sizeof(type2));
	check_inner(&pkt, 4);
	e = check_tunnel(&pkt, ENCAP_ERSPAN);
	assert_int_equal(e->version, 2);
	assert_int_equal(e->id, 42);
	unit_decode(&pkt, LINK_TYPE_ETHERNET, type3, sizeof(type3));
	check_inner(&pkt, 4);
	e = check_tunnel(&pkt, ENCAP_ERSPAN);
	assert_int_equal(e->version, 3);
	assert_int_equal(e->id, 43);
	assert_true(packet_has(&pkt, PROTO_ERSPAN));
	unit_sweep_truncations(LINK_TYPE_ETHERNET, type3, sizeof(type3),
			       sizeof(type3));
}

static void test_ip_in_ip(void **state)
{
	static const uint8_t ipip[] = {ETH(0x0800), OUTER4(48, 4), IP_UDP};
	static const uint8_t six[] = {ETH(0x0800), OUTER4(68, 41), IP6_UDP};
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_ETHERNET, ipip, sizeof(ipip));
	check_inner(&pkt, 4);
	assert_string_equal(encap_name(check_tunnel(&pkt, ENCAP_IP_IN_IP)),
			    "ipip");
	unit_decode(&pkt, LINK_TYPE_ETHERNET, six, sizeof(six));
	check_inner(&pkt, 6);
	assert_string_equal(encap_name(check_tunnel(&pkt, ENCAP_IP_IN_IP)),
			    "6in4");
	unit_sweep_truncations(LINK_TYPE_ETHERNET, six, sizeof(six),
			       sizeof(six));
}

/* 4in6: outer IPv6 2001:db8::a -> 2001:db8::14. */
static void test_4in6(void **state)
{
	static const uint8_t f[] = {
		ETH(0x86dd), 0x60, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x04, 0x40,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x14,
		IP_UDP,
	};
	const struct packet_encap *e;
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_ETHERNET, f, sizeof(f));
	check_inner(&pkt, 4);
	e = packet_innermost_tunnel(&pkt);
	assert_non_null(e);
	assert_int_equal(e->src.family, 6);
	assert_string_equal(encap_name(e), "4in6");
	assert_int_equal(e->outer_ip_len, 68);
}

/* A tunnel's first fragment is only a fragment. */
static void test_tunnel_fragment_not_entered(void **state)
{
	uint8_t f[sizeof(gre_key_seq)];
	struct packet pkt;

	(void)state;
	memcpy(f, gre_key_seq, sizeof(f));
	f[20] = 0x20;                   /* MF */
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, f, sizeof(f)),
			 DECODE_OK);
	assert_int_equal(pkt.encap_count, 0);
	assert_true(pkt.ip.is_fragment);
	assert_false(packet_has(&pkt, PROTO_GRE));
}

static const uint8_t vxlan[] = {
	ETH(0x0800), OUTER4(78, 17), UDP(0xc000, 4789, 58),
	0x08, 0x00, 0x00, 0x00, 0x00, 0x01, 0x2c, 0x00, /* VNI 300 */
	ETH(0x0800), IP_UDP,
};

static void test_vxlan(void **state)
{
	const struct packet_encap *e;
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_ETHERNET, vxlan, sizeof(vxlan));
	check_inner(&pkt, 4);
	assert_true(packet_has(&pkt, PROTO_VXLAN));
	e = check_tunnel(&pkt, ENCAP_VXLAN);
	assert_int_equal(e->id, 300);
	assert_int_equal(e->sport, 0xc000);
	assert_int_equal(e->dport, 4789);
	assert_int_equal(e->outer_udp_cksum, CKSUM_ABSENT);
	unit_sweep_truncations(LINK_TYPE_ETHERNET, vxlan, sizeof(vxlan),
			       sizeof(vxlan));
}

/* Not VXLAN's header (no I flag): the datagram stays UDP. */
static void test_vxlan_port_without_vxlan(void **state)
{
	uint8_t f[sizeof(vxlan)];
	struct packet pkt;

	(void)state;
	memcpy(f, vxlan, sizeof(f));
	f[42] = 0x00;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, f, sizeof(f)),
			 DECODE_OK);
	assert_int_equal(pkt.encap_count, 0);
	assert_int_equal(pkt.udp.dport, 4789);
	assert_int_equal(pkt.payload.len, 50);
}

static void test_geneve(void **state)
{
	static const uint8_t f[] = {
		ETH(0x0800), OUTER4(82, 17), UDP(0xc000, 6081, 62),
		0x01, 0x00, 0x65, 0x58,     /* 1 option word; Ethernet */
		0x00, 0x00, 0x07, 0x00,     /* VNI 7 */
		0x01, 0x02, 0x03, 0x00,     /* an option, skipped */
		ETH(0x0800), IP_UDP,
	};
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_ETHERNET, f, sizeof(f));
	check_inner(&pkt, 4);
	assert_int_equal(check_tunnel(&pkt, ENCAP_GENEVE)->id, 7);
	unit_sweep_truncations(LINK_TYPE_ETHERNET, f, sizeof(f), sizeof(f));
}

static const uint8_t gtpu[] = {
	ETH(0x0800), OUTER4(72, 17), UDP(2152, 2152, 52),
	0x34, 0xff, 0x00, 0x24,         /* v1, PT, E; G-PDU; length 36 */
	0x00, 0x00, 0x10, 0x01,         /* TEID 0x1001 */
	0x00, 0x00, 0x00, 0x85,         /* seq, N-PDU, next: PDU session */
	0x01, 0x00, 0x09, 0x00,         /* 4-byte extension, next 0 */
	IP_UDP,
};

static void test_gtpu(void **state)
{
	const struct packet_encap *e;
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_ETHERNET, gtpu, sizeof(gtpu));
	check_inner(&pkt, 4);
	e = check_tunnel(&pkt, ENCAP_GTP_U);
	assert_int_equal(e->id, 0x1001);
	assert_false(e->flags & ENCAP_ID_SHARED);
	unit_sweep_truncations(LINK_TYPE_ETHERNET, gtpu, sizeof(gtpu),
			       sizeof(gtpu));
}

/*
 * A tunnel entry means its outer headers are gone: a G-PDU carrying
 * neither IPv4 nor IPv6 leaves no outer UDP to be a flow, and is not
 * analysed; an ERSPAN header cut short is no entry, the outer GRE stays.
 */
static void test_entry_clears_outer(void **state)
{
	static const uint8_t erspan3[] = {
		ETH(0x0800), OUTER4(86, 47), 0x00, 0x00, 0x22, 0xeb,
		0x20, 0x64, 0x00, 0x2b,     /* version 2; session 43 */
		0x00, 0x00,                 /* cut inside the timestamp */
	};
	uint8_t f[sizeof(gtpu)];
	struct quality_detail what;
	struct packet pkt;
	bool analysed;

	(void)state;
	memcpy(f, gtpu, sizeof(f));
	f[14 + 20 + 8 + 16] = 0x00;     /* the payload's first nibble */
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, f, sizeof(f)),
			 DECODE_UNSUPPORTED);
	assert_int_equal(pkt.status_proto, PROTO_GTP);
	assert_int_equal(pkt.encap_count, 1);
	assert_int_equal(pkt.ip.version, 0);
	assert_false(pkt.udp.header_ok);
	assert_true(quality_classify(&pkt, &analysed, &what));
	assert_false(analysed);
	assert_int_equal(what.reason, QUALITY_UNDECODED_ENCAP);
	assert_string_equal(what.name, "GTP-U carrying neither IPv4 nor IPv6");

	unit_decode_exact(&pkt, LINK_TYPE_ETHERNET, erspan3, sizeof(erspan3),
			  14 + 86);
	assert_int_equal(pkt.status, DECODE_TRUNCATED);
	assert_int_equal(pkt.status_proto, PROTO_ERSPAN);
	assert_int_equal(pkt.encap_count, 0);
	assert_int_equal(pkt.ip.version, 4);
	assert_int_equal(pkt.ip.proto, IPPROTO_NUM_GRE);
}

/* An echo request: GTP, not entered; a length past the datagram. */
static void test_gtpu_echo_and_bad_length(void **state)
{
	uint8_t f[sizeof(gtpu)];
	struct packet pkt;

	(void)state;
	memcpy(f, gtpu, sizeof(f));
	f[43] = 0x01;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, f, sizeof(f)),
			 DECODE_UNSUPPORTED);
	assert_int_equal(pkt.status_proto, PROTO_GTP);
	assert_int_equal(pkt.encap_count, 0);
	memcpy(f, gtpu, sizeof(f));
	f[45] = 0x40;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, f, sizeof(f)),
			 DECODE_MALFORMED);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_GTP_BAD_LENGTH));
	/* An extension header of length 0: broken, not plain UDP. */
	memcpy(f, gtpu, sizeof(f));
	f[14 + 20 + 8 + 12] = 0x00;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, f, sizeof(f)),
			 DECODE_MALFORMED);
	assert_int_equal(pkt.status_proto, PROTO_GTP);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_GTP_BAD_EXTENSION));
	assert_int_equal(pkt.encap_count, 0);
}

static void test_teredo_with_origin(void **state)
{
	static const uint8_t f[] = {
		ETH(0x0800), OUTER4(84, 17), UDP(3544, 0xc000, 64),
		0x00, 0x00, 0xf2, 0x3a, 0x3f, 0xff, 0xfd, 0xf5, /* origin */
		IP6_UDP,
	};
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_ETHERNET, f, sizeof(f));
	check_inner(&pkt, 6);
	check_tunnel(&pkt, ENCAP_TEREDO);
	assert_true(packet_has(&pkt, PROTO_TEREDO));
}

static void test_ayiya(void **state)
{
	static const uint8_t f[] = {
		ETH(0x0800), OUTER4(120, 17), UDP(0xc000, 5072, 100),
		0x41, 0x52, 0x11, 0x29,     /* id 2^4, sig 5 words; fwd; IPv6 */
		0x00, 0x00, 0x00, 0x00,     /* epoch */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		IP6_UDP,
	};
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_ETHERNET, f, sizeof(f));
	check_inner(&pkt, 6);
	check_tunnel(&pkt, ENCAP_AYIYA);
}

/* GRE in VXLAN in GRE ...: the fifth layer is refused, not recursed. */
static void test_nesting_cap(void **state)
{
	enum { LAYER = 20 + 4, LAYERS = PACKET_MAX_ENCAPS + 2 };
	uint8_t f[14 + LAYERS * LAYER + 28];
	size_t at = 0;
	struct packet pkt;

	(void)state;
	memcpy(f, (const uint8_t[]){ETH(0x0800)}, 14);
	at = 14;
	for (int i = 0; i < LAYERS; i++) {
		size_t total = (size_t)(LAYERS - i) * LAYER + 28;
		const uint8_t hdr[] = {OUTER4(0, 47), 0x00, 0x00, 0x08, 0x00};

		memcpy(f + at, hdr, sizeof(hdr));
		f[at + 2] = (uint8_t)(total >> 8);
		f[at + 3] = (uint8_t)total;
		at += sizeof(hdr);
	}
	memcpy(f + at, (const uint8_t[]){IP_UDP}, 28);
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, f, sizeof(f)),
			 DECODE_UNSUPPORTED);
	assert_int_equal(pkt.encap_count, PACKET_MAX_ENCAPS);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_ENCAP_TOO_DEEP));
	assert_int_equal(pkt.status_proto, PROTO_GRE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gre_key_sequence),
		cmocka_unit_test(test_gre_teb_and_unknown),
		cmocka_unit_test(test_nvgre_vsid),
		cmocka_unit_test(test_gre_pptp),
		cmocka_unit_test(test_gre_bad_version),
		cmocka_unit_test(test_erspan_types),
		cmocka_unit_test(test_ip_in_ip),
		cmocka_unit_test(test_4in6),
		cmocka_unit_test(test_tunnel_fragment_not_entered),
		cmocka_unit_test(test_vxlan),
		cmocka_unit_test(test_vxlan_port_without_vxlan),
		cmocka_unit_test(test_geneve),
		cmocka_unit_test(test_gtpu),
		cmocka_unit_test(test_gtpu_echo_and_bad_length),
		cmocka_unit_test(test_entry_clears_outer),
		cmocka_unit_test(test_teredo_with_origin),
		cmocka_unit_test(test_ayiya),
		cmocka_unit_test(test_nesting_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
