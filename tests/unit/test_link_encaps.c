#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"
#include "unit_helpers.h"

/*
 * The link-layer framings and link types of issue 14: MPLS, PPPoE, PBB,
 * FabricPath, VN-Tag (each behind its ethertype), PPP, PPP in HDLC
 * framing, Cisco HDLC, 802.11 with radiotap and PPI.  Each frame carries
 * the same IPv4 UDP datagram 192.0.2.1:12345 -> 198.51.100.7:53, so each
 * test checks the framing's own fields and that the datagram came out.
 */

#define IP_UDP                                                              \
	0x45, 0x00, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, /* IPv4, len 28 */  \
	0x40, 0x11, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01, /* UDP, 192.0.2.1 */ \
	0xc6, 0x33, 0x64, 0x07,                         /* 198.51.100.7 */  \
	0x30, 0x39, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00  /* 12345 -> 53 */

#define MACS                                                                \
	0x00, 0x00, 0x5e, 0x00, 0x53, 0x02, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01

static void check_datagram(const struct packet *pkt)
{
	assert_int_equal(pkt->status, DECODE_OK);
	assert_true(packet_has(pkt, PROTO_UDP));
	assert_int_equal(pkt->ip.version, 4);
	assert_int_equal(pkt->ip.src.bytes[3], 1);
	assert_int_equal(pkt->udp.dport, 53);
}

/* VLAN 100, then two labels (16, 17 at the bottom), then IPv4. */
static const uint8_t mpls_in_vlan[] = {
	MACS, 0x81, 0x00, 0x00, 0x64, 0x88, 0x47,
	0x00, 0x01, 0x00, 0x40,         /* label 16, TC 0, S 0, TTL 64 */
	0x00, 0x01, 0x11, 0x40,         /* label 17, S 1 */
	IP_UDP,
};

static void test_mpls_in_vlan(void **state)
{
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_ETHERNET, mpls_in_vlan, sizeof(mpls_in_vlan));
	check_datagram(&pkt);
	assert_true(packet_has(&pkt, PROTO_VLAN));
	assert_true(packet_has(&pkt, PROTO_MPLS));
	assert_int_equal(pkt.encap_count, 1);
	assert_int_equal(pkt.encaps[0].kind, ENCAP_MPLS);
	assert_int_equal(pkt.encaps[0].id, 17);
	assert_int_equal(pkt.encaps[0].id2, 16);
	assert_int_equal(pkt.encaps[0].count, 2);
	unit_sweep_truncations(LINK_TYPE_ETHERNET, mpls_in_vlan,
			       sizeof(mpls_in_vlan), sizeof(mpls_in_vlan));
}

/* A pseudowire: label 100, control word, an Ethernet frame with IPv4. */
static const uint8_t mpls_pw_eth[] = {
	MACS, 0x88, 0x47,
	0x00, 0x06, 0x41, 0x40,         /* label 100, S 1 */
	0x00, 0x00, 0x00, 0x00,         /* control word */
	MACS, 0x08, 0x00,
	IP_UDP,
};

static void test_mpls_pseudowire(void **state)
{
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_ETHERNET, mpls_pw_eth, sizeof(mpls_pw_eth));
	check_datagram(&pkt);
	assert_int_equal(pkt.encaps[0].id, 100);
	unit_sweep_truncations(LINK_TYPE_ETHERNET, mpls_pw_eth,
			       sizeof(mpls_pw_eth), sizeof(mpls_pw_eth));
}

/* A payload that is neither IP nor a control word: counted, left. */
static void test_mpls_unknown_payload(void **state)
{
	static const uint8_t f[] = {
		MACS, 0x88, 0x47, 0x00, 0x06, 0x41, 0x40,
		0x83, 0x1b, 0x01, 0x00, /* OSI (IS-IS) */
	};
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, f, sizeof(f)),
			 DECODE_UNSUPPORTED);
	assert_int_equal(pkt.status_proto, PROTO_MPLS);
}

/* Explicit-null label 2 says IPv6 whatever the nibble: here a bad one. */
static void test_mpls_explicit_null(void **state)
{
	static const uint8_t f[] = {
		MACS, 0x88, 0x47, 0x00, 0x00, 0x21, 0x40, IP_UDP,
	};
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, f, sizeof(f)),
			 DECODE_MALFORMED);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_IPV6_BAD_VERSION));
}

/* PPPoE session 0x1234, PPP IPv4, then Ethernet padding to 60. */
static const uint8_t pppoe[60] = {
	MACS, 0x88, 0x64,
	0x11, 0x00, 0x12, 0x34, 0x00, 0x1e, /* length 30: PPP 2 + IP 28 */
	0x00, 0x21,
	IP_UDP,
};

static void test_pppoe_session(void **state)
{
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_ETHERNET, pppoe, sizeof(pppoe));
	check_datagram(&pkt);
	assert_true(packet_has(&pkt, PROTO_PPPOE));
	assert_true(packet_has(&pkt, PROTO_PPP));
	assert_int_equal(pkt.encaps[0].kind, ENCAP_PPPOE);
	assert_int_equal(pkt.encaps[0].id, 0x1234);
	assert_int_equal(pkt.link.ppp_protocol, 0x0021);
	unit_sweep_truncations(LINK_TYPE_ETHERNET, pppoe, 50, 50);
}

static void test_pppoe_lcp_and_bad_header(void **state)
{
	uint8_t f[sizeof(pppoe)];
	struct packet pkt;

	(void)state;
	memcpy(f, pppoe, sizeof(f));
	f[20] = 0xc0;                   /* PPP protocol 0xc021: LCP */
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, f, sizeof(f)),
			 DECODE_UNSUPPORTED);
	assert_int_equal(pkt.status_proto, PROTO_PPP);
	f[14] = 0x12;                   /* version/type 0x12 */
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, f, sizeof(f)),
			 DECODE_MALFORMED);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_PPPOE_BAD_HEADER));
	memcpy(f, pppoe, sizeof(f));
	f[19] = 0xff;                   /* length 255: past the frame */
	unit_decode(&pkt, LINK_TYPE_ETHERNET, f, sizeof(f));
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_PPPOE_LENGTH_OVER_FRAME));
}

/* PBB: B-tag, I-tag with I-SID 0x0abcde, the customer frame. */
static const uint8_t pbb[] = {
	MACS, 0x88, 0xa8, 0x00, 0x0a, 0x88, 0xe7,
	0x00, 0x0a, 0xbc, 0xde,
	MACS, 0x08, 0x00,
	IP_UDP,
};

static void test_pbb(void **state)
{
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_ETHERNET, pbb, sizeof(pbb));
	check_datagram(&pkt);
	assert_int_equal(pkt.encaps[0].kind, ENCAP_PBB);
	assert_int_equal(pkt.encaps[0].id, 0x0abcde);
	unit_sweep_truncations(LINK_TYPE_ETHERNET, pbb, sizeof(pbb), sizeof(pbb));
}

/* FabricPath from switch 0x123 to switch 0x456, FTag 1, TTL 32. */
static const uint8_t fabricpath[] = {
	0x02, 0x04, 0x56, 0x00, 0x00, 0x01, /* outer DA: switch 0x456 */
	0x02, 0x01, 0x23, 0x00, 0x00, 0x02, /* outer SA: switch 0x123 */
	0x89, 0x03, 0x00, 0x60,
	MACS, 0x08, 0x00,
	IP_UDP,
};

static void test_fabricpath(void **state)
{
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_ETHERNET, fabricpath, sizeof(fabricpath));
	check_datagram(&pkt);
	assert_int_equal(pkt.encaps[0].kind, ENCAP_FABRICPATH);
	assert_int_equal(pkt.encaps[0].id, 0x456);
	assert_int_equal(pkt.encaps[0].id2, 0x123);
	unit_sweep_truncations(LINK_TYPE_ETHERNET, fabricpath,
			       sizeof(fabricpath), sizeof(fabricpath));
}

/* VN-Tag, destination vif 5, source vif 9, then IPv4. */
static const uint8_t vntag[] = {
	MACS, 0x89, 0x26, 0x00, 0x05, 0x00, 0x09, 0x08, 0x00, IP_UDP,
};

static void test_vntag(void **state)
{
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_ETHERNET, vntag, sizeof(vntag));
	check_datagram(&pkt);
	assert_int_equal(pkt.encaps[0].kind, ENCAP_VNTAG);
	assert_int_equal(pkt.encaps[0].id, 5);
	assert_int_equal(pkt.encaps[0].id2, 9);
	unit_sweep_truncations(LINK_TYPE_ETHERNET, vntag, sizeof(vntag),
			       sizeof(vntag));
}

/* Link type PPP with and without address/control; compressed field. */
static void test_link_ppp(void **state)
{
	static const uint8_t framed[] = {0xff, 0x03, 0x00, 0x21, IP_UDP};
	static const uint8_t bare[] = {0x00, 0x21, IP_UDP};
	static const uint8_t compressed[] = {0x21, IP_UDP};
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_PPP, framed, sizeof(framed));
	check_datagram(&pkt);
	unit_decode(&pkt, LINK_TYPE_PPP, bare, sizeof(bare));
	check_datagram(&pkt);
	unit_decode(&pkt, LINK_TYPE_PPP, compressed, sizeof(compressed));
	check_datagram(&pkt);
	assert_int_equal(pkt.encap_count, 0);
	unit_decode(&pkt, LINK_TYPE_PPP_HDLC, framed, sizeof(framed));
	check_datagram(&pkt);
	unit_sweep_truncations(LINK_TYPE_PPP, framed, sizeof(framed),
			       sizeof(framed));
}

/* Cisco HDLC: IPv4, and SLARP (0x8035), which is not RARP here. */
static void test_cisco_hdlc(void **state)
{
	static const uint8_t ip[] = {0x0f, 0x00, 0x08, 0x00, IP_UDP};
	static const uint8_t slarp[] = {0x8f, 0x00, 0x80, 0x35,
					0x00, 0x00, 0x00, 0x02};
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_C_HDLC, ip, sizeof(ip));
	check_datagram(&pkt);
	assert_true(packet_has(&pkt, PROTO_CHDLC));
	unit_decode(&pkt, LINK_TYPE_PPP_HDLC, ip, sizeof(ip));
	check_datagram(&pkt);
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_C_HDLC, slarp,
				     sizeof(slarp)),
			 DECODE_UNSUPPORTED);
	assert_false(packet_has(&pkt, PROTO_RARP));
	assert_int_equal(pkt.status_proto, PROTO_CHDLC);
	unit_sweep_truncations(LINK_TYPE_C_HDLC, ip, sizeof(ip), sizeof(ip));
}

/* 802.11 QoS data, to the AP (ToDS), LLC/SNAP, IPv4. */
#define WLAN_QOS_DATA                                                     \
	0x88, 0x01, 0x00, 0x00,             /* QoS data, ToDS; duration */ \
	0x00, 0x00, 0x5e, 0x00, 0x53, 0xaa, /* addr1 BSSID */              \
	0x00, 0x00, 0x5e, 0x00, 0x53, 0x02, /* addr2 SA */                 \
	0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, /* addr3 DA */                 \
	0x10, 0x00, 0x00, 0x00,             /* seq ctl; QoS control */     \
	0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00

static const uint8_t wlan_qos[] = {WLAN_QOS_DATA, IP_UDP};

static void test_wlan_qos_data(void **state)
{
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_IEEE802_11, wlan_qos, sizeof(wlan_qos));
	check_datagram(&pkt);
	assert_true(packet_has(&pkt, PROTO_WLAN));
	assert_true(packet_has(&pkt, PROTO_SNAP));
	assert_int_equal(pkt.link.mac_src[5], 0x02);
	assert_int_equal(pkt.link.mac_dst[5], 0x01);
	unit_sweep_truncations(LINK_TYPE_IEEE802_11, wlan_qos,
			       sizeof(wlan_qos), sizeof(wlan_qos));
}

/* Four addresses (WDS), plain data. */
static void test_wlan_four_addresses(void **state)
{
	static const uint8_t f[] = {
		0x08, 0x03, 0x00, 0x00,
		0x00, 0x00, 0x5e, 0x00, 0x53, 0xa1, 0x00, 0x00, 0x5e, 0x00,
		0x53, 0xa2, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, 0x10, 0x00,
		0x00, 0x00, 0x5e, 0x00, 0x53, 0x02, /* addr4 SA */
		0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, IP_UDP,
	};
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_IEEE802_11, f, sizeof(f));
	check_datagram(&pkt);
	assert_int_equal(pkt.link.mac_src[5], 0x02);
	assert_int_equal(pkt.link.mac_dst[5], 0x01);
}

/* Beacons, Null data and protected frames are recognised and left. */
static void test_wlan_not_decoded(void **state)
{
	uint8_t f[sizeof(wlan_qos)];
	struct packet pkt;

	(void)state;
	memcpy(f, wlan_qos, sizeof(f));
	f[0] = 0x80;                    /* beacon */
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_IEEE802_11, f, sizeof(f)),
			 DECODE_UNSUPPORTED);
	assert_int_equal(pkt.link.wlan_type, 0);
	f[0] = 0xc8;                    /* QoS Null */
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_IEEE802_11, f, sizeof(f)),
			 DECODE_UNSUPPORTED);
	f[0] = 0x88;
	f[1] = 0x41;                    /* protected */
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_IEEE802_11, f, sizeof(f)),
			 DECODE_UNSUPPORTED);
	assert_int_equal(pkt.status_proto, PROTO_WLAN);
	f[1] = 0x01;
	f[24] = 0x80;                   /* A-MSDU */
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_IEEE802_11, f, sizeof(f)),
			 DECODE_UNSUPPORTED);
	assert_true(pkt.link.wlan_amsdu);
}

/* Radiotap with TSFT and Flags (FCS at end, data padding). */
static const uint8_t radiotap[] = {
	0x00, 0x00, 0x12, 0x00,             /* version 0, length 18 */
	0x03, 0x00, 0x00, 0x00,             /* present: TSFT, Flags */
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* TSFT */
	0x30, 0x00,                         /* Flags: FCS, data pad; pad */
	0x88, 0x01, 0x00, 0x00,             /* QoS data, ToDS */
	0x00, 0x00, 0x5e, 0x00, 0x53, 0xaa, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x02,
	0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, 0x10, 0x00, 0x00, 0x00,
	0x00, 0x00,                         /* pad to 28 */
	0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, IP_UDP,
	0xde, 0xad, 0xbe, 0xef,             /* FCS */
};

static void test_radiotap(void **state)
{
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_IEEE802_11_RADIOTAP, radiotap,
		    sizeof(radiotap));
	check_datagram(&pkt);
	assert_true(packet_has(&pkt, PROTO_RADIOTAP));
	/* The FCS is not payload. */
	assert_int_equal(pkt.payload.len, 0);
	unit_sweep_truncations(LINK_TYPE_IEEE802_11_RADIOTAP, radiotap,
			       sizeof(radiotap), sizeof(radiotap) - 4);
}

static void test_radiotap_bad_fcs(void **state)
{
	uint8_t f[sizeof(radiotap)];
	struct packet pkt;

	(void)state;
	memcpy(f, radiotap, sizeof(f));
	f[16] = 0x50;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_IEEE802_11_RADIOTAP, f,
				     sizeof(f)),
			 DECODE_MALFORMED);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_WLAN_BAD_FCS));
}

/* PPI with an 802.11-Common field saying there is no FCS. */
static const uint8_t ppi[] = {
	0x00, 0x00, 0x20, 0x00, 0x69, 0x00, 0x00, 0x00, /* len 32, DLT 105 */
	0x02, 0x00, 0x14, 0x00,             /* 802.11-Common, 20 bytes */
	0, 0, 0, 0, 0, 0, 0, 0,             /* TSFT */
	0x00, 0x00, 0x02, 0x00, 0x6c, 0x09, 0x00, 0x00, /* flags, rate, chan */
	0x00, 0x00, 0x00, 0x00,
	WLAN_QOS_DATA, IP_UDP,
};

static void test_ppi(void **state)
{
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_PPI, ppi, sizeof(ppi));
	check_datagram(&pkt);
	assert_true(packet_has(&pkt, PROTO_PPI));
	unit_sweep_truncations(LINK_TYPE_PPI, ppi, sizeof(ppi), sizeof(ppi));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mpls_in_vlan),
		cmocka_unit_test(test_mpls_pseudowire),
		cmocka_unit_test(test_mpls_unknown_payload),
		cmocka_unit_test(test_mpls_explicit_null),
		cmocka_unit_test(test_pppoe_session),
		cmocka_unit_test(test_pppoe_lcp_and_bad_header),
		cmocka_unit_test(test_pbb),
		cmocka_unit_test(test_fabricpath),
		cmocka_unit_test(test_vntag),
		cmocka_unit_test(test_link_ppp),
		cmocka_unit_test(test_cisco_hdlc),
		cmocka_unit_test(test_wlan_qos_data),
		cmocka_unit_test(test_wlan_four_addresses),
		cmocka_unit_test(test_wlan_not_decoded),
		cmocka_unit_test(test_radiotap),
		cmocka_unit_test(test_radiotap_bad_fcs),
		cmocka_unit_test(test_ppi),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
