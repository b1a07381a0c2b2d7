#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"
#include "unit_helpers.h"

/*
 * These tests check what the Ethernet layer fills and where it hands off.
 * Payloads are ARP (decoded by arp.c, a link-layer neighbour) or types
 * nothing decodes, so no result depends on the IP dissectors.
 */

/* Ethernet II ARP who-has 192.168.1.1 tell 192.168.1.100, padded to 60. */
static const uint8_t eth2_arp[60] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* dst broadcast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src 00:11:22:33:44:55 */
	0x08, 0x06,                         /* type ARP */
	0x00, 0x01, 0x08, 0x00,             /* ARP: htype 1, ptype IPv4 */
	0x06, 0x04, 0x00, 0x01,             /* hlen 6, plen 4, op request */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender MAC */
	0xc0, 0xa8, 0x01, 0x64,             /* sender IP 192.168.1.100 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* target MAC (unknown) */
	0xc0, 0xa8, 0x01, 0x01,             /* target IP 192.168.1.1 */
	/* 18 bytes of padding to the 60-byte minimum (zeros) */
};

/* Ethernet II, type 0x88cc (LLDP): a type tcplens does not decode. */
static const uint8_t eth2_lldp[] = {
	0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, /* dst LLDP multicast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x88, 0xcc,                         /* type LLDP */
	0x02, 0x07, 0x04, 0x00, 0x11, 0x22, /* chassis id TLV (start) */
};

/* Ethernet II, type IPv4, minimal IPv4 header (what IP makes of it is
 * not checked here). */
static const uint8_t eth2_ipv4[] = {
	0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, /* dst 00:00:5e:00:53:01 */
	0x00, 0x00, 0x5e, 0x00, 0x53, 0x02, /* src 00:00:5e:00:53:02 */
	0x08, 0x00,                         /* type IPv4 */
	0x45, 0x00, 0x00, 0x14,             /* v4, IHL 5, total length 20 */
	0x00, 0x00, 0x40, 0x00,             /* id 0, DF */
	0x40, 0xfd, 0x00, 0x00,             /* TTL 64, proto 253, cksum */
	0xc0, 0x00, 0x02, 0x01,             /* src 192.0.2.1 */
	0xc0, 0x00, 0x02, 0x02,             /* dst 192.0.2.2 */
};

/* IEEE 802.3 + LLC: spanning tree config BPDU, length 38, padded to 60. */
static const uint8_t dot3_stp[60] = {
	0x01, 0x80, 0xc2, 0x00, 0x00, 0x00, /* dst STP multicast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x00, 0x26,                         /* 802.3 length 38 */
	0x42, 0x42, 0x03,                   /* LLC: DSAP/SSAP STP, UI */
	0x00, 0x00, 0x00, 0x00,             /* BPDU: proto 0, v0, config */
	0x00,                               /* flags */
	0x80, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* root id */
	0x00, 0x00, 0x00, 0x00,             /* root path cost 0 */
	0x80, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* bridge id */
	0x80, 0x01,                         /* port id */
	0x00, 0x00, 0x14, 0x00,             /* message age 0, max age 20 */
	0x02, 0x00, 0x0f, 0x00,             /* hello 2, forward delay 15 */
	/* 8 bytes of padding to 60 (zeros) */
};

/* IEEE 802.3 + LLC + SNAP (RFC 1042) carrying ARP: length 36, padded. */
static const uint8_t dot3_snap_arp[60] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* dst broadcast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x00, 0x24,                         /* 802.3 length 36 */
	0xaa, 0xaa, 0x03,                   /* LLC: SNAP SAPs, UI */
	0x00, 0x00, 0x00, 0x08, 0x06,       /* SNAP: OUI 0, PID ARP */
	0x00, 0x01, 0x08, 0x00,             /* ARP: htype 1, ptype IPv4 */
	0x06, 0x04, 0x00, 0x02,             /* hlen 6, plen 4, op reply */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender MAC */
	0xc0, 0xa8, 0x01, 0x01,             /* sender IP 192.168.1.1 */
	0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* target MAC */
	0xc0, 0xa8, 0x01, 0x64,             /* target IP 192.168.1.100 */
	0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, /* padding: not ARP's */
	0xbe, 0xef, 0xde, 0xad,
};

/* 802.3 length 100 (0x64) in a 30-byte frame: longer than the frame. */
static const uint8_t dot3_len_over[] = {
	0x01, 0x80, 0xc2, 0x00, 0x00, 0x00, /* dst STP multicast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x00, 0x64,                         /* 802.3 length 100 */
	0x42, 0x42, 0x03,                   /* LLC: STP, UI */
	0x00, 0x00, 0x00, 0x00, 0x00,       /* BPDU start */
	0x80, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
};

/* Novell raw 802.3: IPX header straight after the length (checksum FFFF). */
static const uint8_t dot3_novell_raw[60] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* dst broadcast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x00, 0x28,                         /* 802.3 length 40 */
	0xff, 0xff, 0x00, 0x28,             /* IPX: checksum FFFF, len 40 */
	0x00, 0x04,                         /* transport ctl 0, type 4 */
	/* rest of the IPX header and padding (zeros) */
};

/* 802.3 length 2: room for DSAP and SSAP, the control byte is padding. */
static const uint8_t dot3_len_2[60] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* dst broadcast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x00, 0x02,                         /* 802.3 length 2 */
	0x42, 0x42,                         /* LLC: DSAP, SSAP STP */
	0x03,                               /* padding that looks like UI */
	/* padding (zeros) */
};

static const uint8_t mac_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t mac_src[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};

static void test_ethernet2_arp(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, eth2_arp,
				     sizeof(eth2_arp)), DECODE_OK);
	assert_int_equal(pkt.link.framing, FRAMING_ETHERNET_II);
	assert_true(pkt.link.has_mac_src);
	assert_true(pkt.link.has_mac_dst);
	assert_memory_equal(pkt.link.mac_dst, mac_bcast, 6);
	assert_memory_equal(pkt.link.mac_src, mac_src, 6);
	assert_int_equal(pkt.link.ethertype, ETHERTYPE_ARP);
	assert_int_equal(pkt.link.eth_length, 0);
	assert_int_equal(pkt.link.vlan_count, 0);
	assert_true(packet_has(&pkt, PROTO_ETHERNET));
	assert_true(packet_has(&pkt, PROTO_ARP));
	assert_false(packet_has(&pkt, PROTO_LLC));
	assert_int_equal(pkt.anomaly_count, 0);
}

static void test_ethernet2_ipv4_handoff(void **state)
{
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_ETHERNET, eth2_ipv4, sizeof(eth2_ipv4));
	assert_int_equal(pkt.link.framing, FRAMING_ETHERNET_II);
	assert_int_equal(pkt.link.ethertype, ETHERTYPE_IPV4);
	assert_true(packet_has(&pkt, PROTO_IPV4));
	assert_false(packet_has(&pkt, PROTO_IPV6));
}

static void test_ethernet2_unknown_type(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, eth2_lldp,
				     sizeof(eth2_lldp)), DECODE_UNSUPPORTED);
	assert_int_equal(pkt.link.ethertype, 0x88cc);
	/* PROTO_COUNT: an unknown ethertype, counted per type by stats. */
	assert_int_equal(pkt.status_proto, PROTO_COUNT);
	assert_int_equal(pkt.link.framing, FRAMING_ETHERNET_II);
}

static void test_dot3_llc_stp(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, dot3_stp,
				     sizeof(dot3_stp)), DECODE_UNSUPPORTED);
	assert_int_equal(pkt.link.framing, FRAMING_IEEE8023_LLC);
	assert_int_equal(pkt.link.eth_length, 38);
	assert_int_equal(pkt.link.ethertype, 0);
	assert_int_equal(pkt.link.llc_dsap, 0x42);
	assert_int_equal(pkt.link.llc_ssap, 0x42);
	assert_int_equal(pkt.link.llc_control, 0x03);
	assert_true(packet_has(&pkt, PROTO_LLC));
	assert_false(packet_has(&pkt, PROTO_SNAP));
	assert_int_equal(pkt.status_proto, PROTO_LLC);
	assert_int_equal(pkt.anomaly_count, 0);
}

/* The cursor handed past the 802.3 header ends at the length, not at 60. */
static void test_dot3_padding_not_payload(void **state)
{
	struct packet pkt;
	struct cursor c;

	(void)state;
	packet_reset(&pkt);
	cursor_init(&c, dot3_stp, sizeof(dot3_stp), sizeof(dot3_stp));
	assert_int_equal(ethernet_decode(&c, &pkt), DECODE_UNSUPPORTED);
	/* LLC consumed 3 of the 38; the BPDU's 35 are left, not 43. */
	assert_int_equal(cursor_offset(&c), 17);
	assert_int_equal(cursor_remaining(&c), 35);
	assert_int_equal(cursor_wire_remaining(&c), 35);

	/* SNAP/ARP: ARP ends exactly at the 802.3 length; the padding
	 * (de ad be ef) is left outside the view. */
	packet_reset(&pkt);
	cursor_init(&c, dot3_snap_arp, sizeof(dot3_snap_arp),
		    sizeof(dot3_snap_arp));
	assert_int_equal(ethernet_decode(&c, &pkt), DECODE_OK);
	assert_int_equal(cursor_offset(&c), 50);
	assert_int_equal(cursor_wire_remaining(&c), 0);
	assert_int_equal(cursor_remaining(&c), 0);
}

/* LLC needs 3 bytes but the length gives 2: the padding byte after them
 * must not be taken for the control field. */
static void test_dot3_length_too_short_for_llc(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, dot3_len_2,
				     sizeof(dot3_len_2)), DECODE_MALFORMED);
	assert_int_equal(pkt.status_proto, PROTO_LLC);
	assert_int_equal(pkt.link.eth_length, 2);
	assert_int_equal(pkt.anomaly_count, 0);
}

static void test_dot3_snap_arp(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, dot3_snap_arp,
				     sizeof(dot3_snap_arp)), DECODE_OK);
	assert_int_equal(pkt.link.framing, FRAMING_IEEE8023_SNAP);
	assert_int_equal(pkt.link.eth_length, 36);
	assert_int_equal(pkt.link.ethertype, ETHERTYPE_ARP);
	assert_true(packet_has(&pkt, PROTO_LLC));
	assert_true(packet_has(&pkt, PROTO_SNAP));
	assert_true(packet_has(&pkt, PROTO_ARP));
}

static void test_dot3_length_over_frame(void **state)
{
	struct packet pkt;

	(void)state;
	/* Noted, and the LLC header that is there still decodes. */
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, dot3_len_over,
				     sizeof(dot3_len_over)),
			 DECODE_UNSUPPORTED);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_ETH_LENGTH_MISMATCH));
	assert_int_equal(pkt.link.eth_length, 100);
	assert_int_equal(pkt.link.framing, FRAMING_IEEE8023_LLC);
	assert_int_equal(pkt.status_proto, PROTO_LLC);

	/* Length 100 fits the wire (200) of a snaplen-cut frame: no anomaly. */
	assert_int_equal(unit_decode_exact(&pkt, LINK_TYPE_ETHERNET,
					   dot3_len_over, sizeof(dot3_len_over),
					   200), DECODE_UNSUPPORTED);
	assert_false(packet_has_anomaly(&pkt, PKT_ANOM_ETH_LENGTH_MISMATCH));
}

/* 802.3 length 100 over the 14-byte header alone: anomaly, and the
 * missing LLC header is malformed, not truncated. */
static void test_dot3_length_over_empty(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, dot3_len_over,
				     14), DECODE_MALFORMED);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_ETH_LENGTH_MISMATCH));
}

static void test_type_length_boundaries(void **state)
{
	uint8_t frame[sizeof(dot3_stp)];
	struct packet pkt;

	(void)state;
	memcpy(frame, dot3_stp, sizeof(frame));
	/* 1501..1535 (0x05dd..0x05ff) are neither length nor type. */
	for (unsigned v = 1501; v <= 1535; v++) {
		frame[12] = (uint8_t)(v >> 8);
		frame[13] = (uint8_t)v;
		assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, frame,
					     sizeof(frame)), DECODE_MALFORMED);
		assert_int_equal(pkt.status_proto, PROTO_ETHERNET);
		assert_int_equal(pkt.link.framing, FRAMING_NONE);
		assert_true(pkt.link.has_mac_src);
	}
	/* 1500 (0x05dc) is a length: longer than this frame, so noted. */
	frame[12] = 0x05;
	frame[13] = 0xdc;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, frame,
				     sizeof(frame)), DECODE_UNSUPPORTED);
	assert_int_equal(pkt.link.framing, FRAMING_IEEE8023_LLC);
	assert_int_equal(pkt.link.eth_length, 1500);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_ETH_LENGTH_MISMATCH));
	/* 1536 (0x0600) is the first ethertype (XNS IDP, not decoded). */
	frame[13] = 0x00;
	frame[12] = 0x06;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, frame,
				     sizeof(frame)), DECODE_UNSUPPORTED);
	assert_int_equal(pkt.link.framing, FRAMING_ETHERNET_II);
	assert_int_equal(pkt.link.ethertype, 0x0600);
	assert_false(packet_has(&pkt, PROTO_LLC));
}

static void test_dot3_novell_raw(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, dot3_novell_raw,
				     sizeof(dot3_novell_raw)),
			 DECODE_UNSUPPORTED);
	assert_int_equal(pkt.link.framing, FRAMING_IEEE8023_RAW);
	assert_int_equal(pkt.link.eth_length, 40);
	assert_int_equal(pkt.status_proto, PROTO_ETHERNET);
	assert_false(packet_has(&pkt, PROTO_LLC));
	assert_int_equal(pkt.link.ethertype, 0);
}

static void test_short_headers(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, eth2_arp, 0),
			 DECODE_MALFORMED);
	assert_true(packet_has(&pkt, PROTO_ETHERNET));
	assert_int_equal(pkt.status_proto, PROTO_ETHERNET);
	/* Both MACs, no type: MACs are kept, the frame is short. */
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, eth2_arp, 13),
			 DECODE_MALFORMED);
	assert_true(pkt.link.has_mac_src);
	assert_int_equal(pkt.link.framing, FRAMING_NONE);
	/* Source MAC cut by the snaplen: truncated, no MACs. */
	assert_int_equal(unit_decode_exact(&pkt, LINK_TYPE_ETHERNET, eth2_arp,
					   9, sizeof(eth2_arp)),
			 DECODE_TRUNCATED);
	assert_false(pkt.link.has_mac_src);
	assert_int_equal(pkt.status_proto, PROTO_ETHERNET);
}

static void test_truncation_sweeps(void **state)
{
	(void)state;
	unit_sweep_truncations(LINK_TYPE_ETHERNET, eth2_arp, sizeof(eth2_arp),
			       42);
	unit_sweep_truncations(LINK_TYPE_ETHERNET, dot3_snap_arp,
			       sizeof(dot3_snap_arp), 50);
	unit_sweep_truncations(LINK_TYPE_ETHERNET, dot3_stp, sizeof(dot3_stp),
			       17);
	unit_sweep_truncations(LINK_TYPE_ETHERNET, dot3_novell_raw,
			       sizeof(dot3_novell_raw), 16);
	unit_sweep_truncations(LINK_TYPE_ETHERNET, eth2_lldp,
			       sizeof(eth2_lldp), 14);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ethernet2_arp),
		cmocka_unit_test(test_ethernet2_ipv4_handoff),
		cmocka_unit_test(test_ethernet2_unknown_type),
		cmocka_unit_test(test_dot3_llc_stp),
		cmocka_unit_test(test_dot3_padding_not_payload),
		cmocka_unit_test(test_dot3_length_too_short_for_llc),
		cmocka_unit_test(test_dot3_snap_arp),
		cmocka_unit_test(test_dot3_length_over_frame),
		cmocka_unit_test(test_dot3_length_over_empty),
		cmocka_unit_test(test_type_length_boundaries),
		cmocka_unit_test(test_dot3_novell_raw),
		cmocka_unit_test(test_short_headers),
		cmocka_unit_test(test_truncation_sweeps),
	};
	return cmocka_run_group_tests_name("ethernet", tests, NULL, NULL);
}
