#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"
#include "unit_helpers.h"

/*
 * VLAN tags under Ethernet.  Inner payloads are ARP or types nothing
 * decodes, so no result depends on the IP dissectors.
 */

/* 802.1Q VID 100 PCP 5, ARP request, padded to 64 (60 + the tag). */
static const uint8_t dot1q_arp[64] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* dst broadcast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x81, 0x00, 0xa0, 0x64,             /* 802.1Q: PCP 5, DEI 0, VID 100 */
	0x08, 0x06,                         /* inner type ARP */
	0x00, 0x01, 0x08, 0x00,             /* ARP: htype 1, ptype IPv4 */
	0x06, 0x04, 0x00, 0x01,             /* hlen 6, plen 4, request */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender MAC */
	0x0a, 0x00, 0x00, 0x01,             /* sender IP 10.0.0.1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* target MAC */
	0x0a, 0x00, 0x00, 0x02,             /* target IP 10.0.0.2 */
	/* 18 bytes of padding (zeros) */
};

/* QinQ: 802.1ad S-tag VID 10, 802.1Q C-tag VID 20 DEI, ARP reply. */
static const uint8_t qinq_arp[] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x66, /* dst */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x88, 0xa8, 0x00, 0x0a,             /* 802.1ad: PCP 0, VID 10 */
	0x81, 0x00, 0x30, 0x14,             /* 802.1Q: PCP 1, DEI 1, VID 20 */
	0x08, 0x06,                         /* inner type ARP */
	0x00, 0x01, 0x08, 0x00,             /* ARP: htype 1, ptype IPv4 */
	0x06, 0x04, 0x00, 0x02,             /* hlen 6, plen 4, reply */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender MAC */
	0x0a, 0x00, 0x00, 0x02,             /* sender IP 10.0.0.2 */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x66, /* target MAC */
	0x0a, 0x00, 0x00, 0x01,             /* target IP 10.0.0.1 */
};

/* Pre-standard QinQ 0x9100 outer, 802.1Q inner, then LLDP (unknown). */
static const uint8_t qinq_old_lldp[] = {
	0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, /* dst LLDP multicast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x91, 0x00, 0x0f, 0xff,             /* 0x9100: VID 4095 */
	0x81, 0x00, 0x00, 0x01,             /* 802.1Q: VID 1 */
	0x88, 0xcc,                         /* inner type LLDP */
	0x02, 0x07, 0x04, 0x00,             /* chassis id TLV (start) */
};

/* 802.1Q VID 100 carrying an 802.3 length and LLC/SNAP: Cisco PVST+
 * (OUI 00-00-0C, PID 0x010b); length 12, padded with 4 bytes. */
static const uint8_t dot1q_pvst[] = {
	0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcd, /* dst PVST+ multicast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x81, 0x00, 0x00, 0x64,             /* 802.1Q: VID 100 */
	0x00, 0x0c,                         /* 802.3 length 12 */
	0xaa, 0xaa, 0x03,                   /* LLC: SNAP SAPs, UI */
	0x00, 0x00, 0x0c, 0x01, 0x0b,       /* SNAP: OUI Cisco, PID PVST+ */
	0x00, 0x00, 0x02, 0x02,             /* BPDU: proto 0, v2, RST */
	0xee, 0xee, 0xee, 0xee,             /* padding: not PVST+'s */
};

/* 802.1Q with an 802.3 length and Novell raw IPX (checksum FFFF). */
static const uint8_t dot1q_novell_raw[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* dst broadcast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x81, 0x00, 0x00, 0x64,             /* 802.1Q: VID 100 */
	0x00, 0x1e,                         /* 802.3 length 30 */
	0xff, 0xff, 0x00, 0x1e,             /* IPX: checksum FFFF, len 30 */
};

/* The 12 bytes of MAC addresses that start every built stack. */
static const uint8_t stack_macs[12] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* dst broadcast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
};

/* What ends every built stack: type LLDP and a few bytes of it. */
static const uint8_t stack_tail[6] = {
	0x88, 0xcc,                         /* innermost type LLDP */
	0x02, 0x07, 0x04, 0x00,             /* chassis id TLV (start) */
};

enum { STACK_MAX_TAGS = 100 };

/*
 * MACs, then n 802.1Q tags "81 00 00 <i+1>" (VID i+1), then stack_tail.
 * Returns the frame length.
 */
static size_t build_stack(uint8_t *buf, unsigned n)
{
	size_t len = sizeof(stack_macs);

	memcpy(buf, stack_macs, sizeof(stack_macs));
	for (unsigned i = 0; i < n; i++) {
		buf[len++] = 0x81;
		buf[len++] = 0x00;
		buf[len++] = 0x00;
		buf[len++] = (uint8_t)(i + 1);
	}
	memcpy(buf + len, stack_tail, sizeof(stack_tail));
	return len + sizeof(stack_tail);
}

static void test_single_tag(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, dot1q_arp,
				     sizeof(dot1q_arp)), DECODE_OK);
	assert_int_equal(pkt.link.vlan_count, 1);
	assert_int_equal(pkt.link.vlans[0].tpid, ETHERTYPE_VLAN);
	assert_int_equal(pkt.link.vlans[0].tci, 0xa064);
	assert_int_equal(pkt.link.vlans[0].tci & 0x0fff, 100);
	assert_int_equal(pkt.link.vlans[0].tci >> 13, 5);
	assert_int_equal(pkt.link.ethertype, ETHERTYPE_ARP);
	assert_int_equal(pkt.link.framing, FRAMING_ETHERNET_II);
	assert_true(packet_has(&pkt, PROTO_VLAN));
	assert_true(packet_has(&pkt, PROTO_ARP));
	assert_true(pkt.arp.is_ether_ipv4);
}

static void test_qinq(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, qinq_arp,
				     sizeof(qinq_arp)), DECODE_OK);
	assert_int_equal(pkt.link.vlan_count, 2);
	/* Outer first, in wire order. */
	assert_int_equal(pkt.link.vlans[0].tpid, ETHERTYPE_QINQ);
	assert_int_equal(pkt.link.vlans[0].tci, 0x000a);
	assert_int_equal(pkt.link.vlans[1].tpid, ETHERTYPE_VLAN);
	assert_int_equal(pkt.link.vlans[1].tci, 0x3014);
	assert_int_equal((pkt.link.vlans[1].tci >> 12) & 1, 1); /* DEI */
	assert_int_equal(pkt.link.ethertype, ETHERTYPE_ARP);
	assert_true(packet_has(&pkt, PROTO_ARP));
	assert_int_equal(pkt.anomaly_count, 0);
}

static void test_old_qinq_unknown_inner(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, qinq_old_lldp,
				     sizeof(qinq_old_lldp)),
			 DECODE_UNSUPPORTED);
	assert_int_equal(pkt.link.vlan_count, 2);
	assert_int_equal(pkt.link.vlans[0].tpid, ETHERTYPE_QINQ_OLD);
	assert_int_equal(pkt.link.vlans[0].tci, 0x0fff);
	assert_int_equal(pkt.link.vlans[1].tpid, ETHERTYPE_VLAN);
	assert_int_equal(pkt.link.ethertype, 0x88cc);
	assert_int_equal(pkt.status_proto, PROTO_COUNT);
}

static void test_max_depth_ok(void **state)
{
	uint8_t frame[12 + 4 * STACK_MAX_TAGS + 6];
	struct packet pkt;
	size_t len = build_stack(frame, PACKET_MAX_VLANS);

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, frame, len),
			 DECODE_UNSUPPORTED);
	assert_int_equal(pkt.link.vlan_count, PACKET_MAX_VLANS);
	assert_int_equal(pkt.link.vlans[PACKET_MAX_VLANS - 1].tci,
			 PACKET_MAX_VLANS);
	assert_int_equal(pkt.link.ethertype, 0x88cc);
	assert_false(packet_has_anomaly(&pkt, PKT_ANOM_VLAN_TOO_DEEP));
	unit_sweep_truncations(LINK_TYPE_ETHERNET, frame, len, len - 4);
}

static void test_too_deep(void **state)
{
	uint8_t frame[12 + 4 * STACK_MAX_TAGS + 6];
	struct packet pkt;
	size_t len;

	(void)state;
	len = build_stack(frame, PACKET_MAX_VLANS + 1);
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, frame, len),
			 DECODE_MALFORMED);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_VLAN_TOO_DEEP));
	assert_int_equal(pkt.status_proto, PROTO_VLAN);
	assert_int_equal(pkt.link.vlan_count, PACKET_MAX_VLANS);
	assert_int_equal(pkt.anomaly_count, 1);

	/* A long crafted stack stops at the same place. */
	len = build_stack(frame, STACK_MAX_TAGS);
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, frame, len),
			 DECODE_MALFORMED);
	assert_int_equal(pkt.link.vlan_count, PACKET_MAX_VLANS);
	assert_int_equal(pkt.anomaly_count, 1);
}

static void test_tagged_llc_snap(void **state)
{
	struct packet pkt;
	struct cursor c;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, dot1q_pvst,
				     sizeof(dot1q_pvst)), DECODE_UNSUPPORTED);
	assert_int_equal(pkt.link.vlan_count, 1);
	assert_int_equal(pkt.link.eth_length, 12);
	assert_int_equal(pkt.link.framing, FRAMING_IEEE8023_SNAP);
	assert_int_equal(pkt.link.snap_oui, 0x00000c);
	assert_int_equal(pkt.link.ethertype, 0);
	assert_int_equal(pkt.status_proto, PROTO_SNAP);
	assert_true(packet_has(&pkt, PROTO_LLC));

	/* The 4 padding bytes are outside the view SNAP leaves behind. */
	packet_reset(&pkt);
	cursor_init(&c, dot1q_pvst, sizeof(dot1q_pvst), sizeof(dot1q_pvst));
	assert_int_equal(ethernet_decode(&c, &pkt), DECODE_UNSUPPORTED);
	assert_int_equal(cursor_offset(&c), 26);
	assert_int_equal(cursor_wire_remaining(&c), 4);
	assert_int_equal(cursor_remaining(&c), 4);
}

static void test_tagged_novell_raw(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET,
				     dot1q_novell_raw,
				     sizeof(dot1q_novell_raw)),
			 DECODE_UNSUPPORTED);
	assert_int_equal(pkt.link.framing, FRAMING_IEEE8023_RAW);
	/* Length 30 is more than the 4 bytes there. */
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_ETH_LENGTH_MISMATCH));
	assert_int_equal(pkt.status_proto, PROTO_VLAN);
	assert_false(packet_has(&pkt, PROTO_LLC));
}

static void test_tagged_invalid_type(void **state)
{
	uint8_t frame[sizeof(dot1q_arp)];
	struct packet pkt;

	(void)state;
	memcpy(frame, dot1q_arp, sizeof(frame));
	for (unsigned v = 1501; v <= 1535; v++) {
		frame[16] = (uint8_t)(v >> 8);
		frame[17] = (uint8_t)v;
		assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, frame,
					     sizeof(frame)), DECODE_MALFORMED);
		assert_int_equal(pkt.status_proto, PROTO_VLAN);
		assert_int_equal(pkt.link.vlan_count, 1);
	}
}

static void test_tag_cut(void **state)
{
	struct packet pkt;

	(void)state;
	/* Snaplen cut inside the TCI: the tag is not counted. */
	assert_int_equal(unit_decode_exact(&pkt, LINK_TYPE_ETHERNET, dot1q_arp,
					   15, sizeof(dot1q_arp)),
			 DECODE_TRUNCATED);
	assert_int_equal(pkt.status_proto, PROTO_VLAN);
	assert_int_equal(pkt.link.vlan_count, 0);
	assert_true(packet_has(&pkt, PROTO_VLAN));
	/* Frame ends inside the inner type: TCI kept, malformed. */
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, dot1q_arp, 17),
			 DECODE_MALFORMED);
	assert_int_equal(pkt.status_proto, PROTO_VLAN);
	assert_int_equal(pkt.link.vlan_count, 1);
	assert_int_equal(pkt.link.vlans[0].tci, 0xa064);
}

static void test_truncation_sweeps(void **state)
{
	(void)state;
	unit_sweep_truncations(LINK_TYPE_ETHERNET, dot1q_arp,
			       sizeof(dot1q_arp), 46);
	unit_sweep_truncations(LINK_TYPE_ETHERNET, qinq_arp, sizeof(qinq_arp),
			       sizeof(qinq_arp));
	unit_sweep_truncations(LINK_TYPE_ETHERNET, qinq_old_lldp,
			       sizeof(qinq_old_lldp), 22);
	unit_sweep_truncations(LINK_TYPE_ETHERNET, dot1q_pvst,
			       sizeof(dot1q_pvst), 26);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_tag),
		cmocka_unit_test(test_qinq),
		cmocka_unit_test(test_old_qinq_unknown_inner),
		cmocka_unit_test(test_max_depth_ok),
		cmocka_unit_test(test_too_deep),
		cmocka_unit_test(test_tagged_llc_snap),
		cmocka_unit_test(test_tagged_novell_raw),
		cmocka_unit_test(test_tagged_invalid_type),
		cmocka_unit_test(test_tag_cut),
		cmocka_unit_test(test_truncation_sweeps),
	};
	return cmocka_run_group_tests_name("vlan", tests, NULL, NULL);
}
