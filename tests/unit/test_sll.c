#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"
#include "unit_helpers.h"

/*
 * Linux cooked captures, v1 and v2.  Payloads are ARP, LLC or types
 * nothing decodes, so no result depends on the IP dissectors.
 */

/* SLL: unicast to us, Ethernet device, ARP reply. */
static const uint8_t sll_arp[] = {
	0x00, 0x00,                         /* pkttype 0: to us */
	0x00, 0x01,                         /* hatype 1: ARPHRD_ETHER */
	0x00, 0x06,                         /* halen 6 */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender MAC */
	0x00, 0x00,                         /* address padding to 8 */
	0x08, 0x06,                         /* protocol: ARP */
	0x00, 0x01, 0x08, 0x00,             /* ARP: htype 1, ptype IPv4 */
	0x06, 0x04, 0x00, 0x02,             /* hlen 6, plen 4, reply */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender MAC */
	0x0a, 0x00, 0x00, 0x01,             /* sender IP 10.0.0.1 */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x66, /* target MAC */
	0x0a, 0x00, 0x00, 0x02,             /* target IP 10.0.0.2 */
};

/* SLL: broadcast, protocol 0x0004 (802.2 LLC), SNAP carrying ARP. */
static const uint8_t sll_llc_snap_arp[] = {
	0x00, 0x01,                         /* pkttype 1: broadcast */
	0x00, 0x01,                         /* hatype 1: ARPHRD_ETHER */
	0x00, 0x06,                         /* halen 6 */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender MAC */
	0x00, 0x00,                         /* address padding */
	0x00, 0x04,                         /* protocol: ETH_P_802_2 */
	0xaa, 0xaa, 0x03,                   /* LLC: SNAP SAPs, UI */
	0x00, 0x00, 0x00, 0x08, 0x06,       /* SNAP: OUI 0, PID ARP */
	0x00, 0x01, 0x08, 0x00,             /* ARP: htype 1, ptype IPv4 */
	0x06, 0x04, 0x00, 0x01,             /* hlen 6, plen 4, request */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender MAC */
	0x0a, 0x00, 0x00, 0x01,             /* sender IP 10.0.0.1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* target MAC */
	0x0a, 0x00, 0x00, 0x02,             /* target IP 10.0.0.2 */
};

/* SLL: multicast, protocol 0x0004 (802.2 LLC), spanning tree SAPs. */
static const uint8_t sll_llc_stp[] = {
	0x00, 0x02,                         /* pkttype 2: multicast */
	0x00, 0x01,                         /* hatype 1: ARPHRD_ETHER */
	0x00, 0x06,                         /* halen 6 */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender MAC */
	0x00, 0x00,                         /* address padding */
	0x00, 0x04,                         /* protocol: ETH_P_802_2 */
	0x42, 0x42, 0x03,                   /* LLC: DSAP/SSAP STP, UI */
	0x00, 0x00, 0x00, 0x00,             /* BPDU start */
};

/* SLL: protocol 0x0001 (ETH_P_802_3): Novell raw IPX, no LLC. */
static const uint8_t sll_novell_raw[] = {
	0x00, 0x01,                         /* pkttype 1: broadcast */
	0x00, 0x01,                         /* hatype 1: ARPHRD_ETHER */
	0x00, 0x06,                         /* halen 6 */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender MAC */
	0x00, 0x00,                         /* address padding */
	0x00, 0x01,                         /* protocol: ETH_P_802_3 */
	0xff, 0xff, 0x00, 0x1e,             /* IPX: checksum FFFF, len 30 */
};

/* SLL: CAN device (ARPHRD_CAN 280), protocol 0x000C (ETH_P_CAN). */
static const uint8_t sll_can[] = {
	0x00, 0x00,                         /* pkttype 0 */
	0x01, 0x18,                         /* hatype 280: ARPHRD_CAN */
	0x00, 0x00,                         /* halen 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* no address */
	0x00, 0x00,
	0x00, 0x0c,                         /* protocol: ETH_P_CAN */
	0x00, 0x00, 0x01, 0x23,             /* CAN id 0x123 */
};

/* SLL: netlink device, whose protocol field is a netlink family: the
 * 0x0806 below must not be taken for ARP. */
static const uint8_t sll_netlink[] = {
	0x00, 0x04,                         /* pkttype 4: outgoing */
	0x03, 0x38,                         /* hatype 824: ARPHRD_NETLINK */
	0x00, 0x00,                         /* halen 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* no address */
	0x00, 0x00,
	0x08, 0x06,                         /* protocol (netlink family) */
	0x14, 0x00, 0x00, 0x00,             /* nlmsghdr: len 20 (LE) */
};

/* SLL: loopback device (ARPHRD_LOOPBACK 772), halen 6, type 0x88cc. */
static const uint8_t sll_loopback_dev[] = {
	0x00, 0x00,                         /* pkttype 0 */
	0x03, 0x04,                         /* hatype 772: ARPHRD_LOOPBACK */
	0x00, 0x06,                         /* halen 6 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* all-zero address */
	0x00, 0x00,                         /* address padding */
	0x88, 0xcc,                         /* protocol: LLDP */
	0x02, 0x07,                         /* LLDP TLV start */
};

/* SLL2: outgoing on ifindex 3, Ethernet device, ARP request. */
static const uint8_t sll2_arp[] = {
	0x08, 0x06,                         /* protocol: ARP */
	0x00, 0x00,                         /* reserved */
	0x00, 0x00, 0x00, 0x03,             /* ifindex 3 */
	0x00, 0x01,                         /* hatype 1: ARPHRD_ETHER */
	0x04,                               /* pkttype 4: outgoing */
	0x06,                               /* halen 6 */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender MAC */
	0x00, 0x00,                         /* address padding */
	0x00, 0x01, 0x08, 0x00,             /* ARP: htype 1, ptype IPv4 */
	0x06, 0x04, 0x00, 0x01,             /* hlen 6, plen 4, request */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender MAC */
	0x0a, 0x00, 0x00, 0x01,             /* sender IP 10.0.0.1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* target MAC */
	0x0a, 0x00, 0x00, 0x02,             /* target IP 10.0.0.2 */
};

/* SLL2: protocol 0x0004 (802.2), ifindex 0x01020304, NetBIOS SAPs. */
static const uint8_t sll2_llc[] = {
	0x00, 0x04,                         /* protocol: ETH_P_802_2 */
	0x00, 0x00,                         /* reserved */
	0x01, 0x02, 0x03, 0x04,             /* ifindex 16909060 */
	0x00, 0x01,                         /* hatype 1: ARPHRD_ETHER */
	0x03,                               /* pkttype 3: otherhost */
	0x06,                               /* halen 6 */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender MAC */
	0x00, 0x00,                         /* address padding */
	0xf0, 0xf0, 0x03,                   /* LLC: NetBIOS SAPs, UI */
	0x00, 0x00,                         /* data */
};

/* SLL2: protocol 0x0001 (ETH_P_802_3), Novell raw IPX. */
static const uint8_t sll2_novell_raw[] = {
	0x00, 0x01,                         /* protocol: ETH_P_802_3 */
	0x00, 0x00,                         /* reserved */
	0x00, 0x00, 0x00, 0x02,             /* ifindex 2 */
	0x00, 0x01,                         /* hatype 1: ARPHRD_ETHER */
	0x00,                               /* pkttype 0 */
	0x06,                               /* halen 6 */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender MAC */
	0x00, 0x00,                         /* address padding */
	0xff, 0xff, 0x00, 0x1e,             /* IPX: checksum FFFF, len 30 */
};

static const uint8_t mac_src[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};

static void test_sll_arp(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_LINUX_SLL, sll_arp,
				     sizeof(sll_arp)), DECODE_OK);
	assert_int_equal(pkt.link.framing, FRAMING_LINUX_SLL);
	assert_int_equal(pkt.link.sll_pkttype, 0);
	assert_int_equal(pkt.link.sll_hatype, 1);
	assert_int_equal(pkt.link.sll_ifindex, 0);
	assert_true(pkt.link.has_mac_src);
	assert_false(pkt.link.has_mac_dst);
	assert_memory_equal(pkt.link.mac_src, mac_src, 6);
	assert_int_equal(pkt.link.ethertype, ETHERTYPE_ARP);
	assert_true(packet_has(&pkt, PROTO_LINUX_SLL));
	assert_false(packet_has(&pkt, PROTO_LINUX_SLL2));
	assert_false(packet_has(&pkt, PROTO_ETHERNET));
	assert_true(packet_has(&pkt, PROTO_ARP));
}

static void test_sll_llc(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_LINUX_SLL,
				     sll_llc_snap_arp,
				     sizeof(sll_llc_snap_arp)), DECODE_OK);
	assert_int_equal(pkt.link.sll_pkttype, 1);
	assert_true(packet_has(&pkt, PROTO_LLC));
	assert_true(packet_has(&pkt, PROTO_SNAP));
	assert_true(packet_has(&pkt, PROTO_ARP));
	assert_int_equal(pkt.link.ethertype, ETHERTYPE_ARP);
	/* The outer framing is the cooked header, not an 802.3 frame. */
	assert_int_equal(pkt.link.framing, FRAMING_LINUX_SLL);

	assert_int_equal(unit_decode(&pkt, LINK_TYPE_LINUX_SLL, sll_llc_stp,
				     sizeof(sll_llc_stp)), DECODE_UNSUPPORTED);
	assert_int_equal(pkt.link.sll_pkttype, 2);
	assert_int_equal(pkt.link.llc_dsap, 0x42);
	assert_int_equal(pkt.status_proto, PROTO_LLC);
	assert_int_equal(pkt.link.framing, FRAMING_LINUX_SLL);
	assert_int_equal(pkt.link.ethertype, 0);
}

static void test_sll_not_ethertypes(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_LINUX_SLL, sll_novell_raw,
				     sizeof(sll_novell_raw)),
			 DECODE_UNSUPPORTED);
	assert_int_equal(pkt.status_proto, PROTO_LINUX_SLL);
	assert_false(packet_has(&pkt, PROTO_LLC));
	assert_int_equal(pkt.link.ethertype, 0);

	assert_int_equal(unit_decode(&pkt, LINK_TYPE_LINUX_SLL, sll_can,
				     sizeof(sll_can)), DECODE_UNSUPPORTED);
	assert_int_equal(pkt.status_proto, PROTO_LINUX_SLL);
	assert_int_equal(pkt.link.sll_hatype, 280);
	assert_false(pkt.link.has_mac_src);
	assert_int_equal(pkt.link.ethertype, 0);

	assert_int_equal(unit_decode(&pkt, LINK_TYPE_LINUX_SLL, sll_netlink,
				     sizeof(sll_netlink)), DECODE_UNSUPPORTED);
	assert_int_equal(pkt.status_proto, PROTO_LINUX_SLL);
	assert_int_equal(pkt.link.sll_hatype, 824);
	assert_int_equal(pkt.link.sll_pkttype, 4);
	assert_false(packet_has(&pkt, PROTO_ARP));
	assert_int_equal(pkt.link.ethertype, 0);
}

/* A 6-byte address on a non-Ethernet device is not a MAC. */
static void test_sll_non_ether_address(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_LINUX_SLL,
				     sll_loopback_dev,
				     sizeof(sll_loopback_dev)),
			 DECODE_UNSUPPORTED);
	assert_int_equal(pkt.link.sll_hatype, 772);
	assert_false(pkt.link.has_mac_src);
	assert_int_equal(pkt.link.ethertype, 0x88cc);
	assert_int_equal(pkt.status_proto, PROTO_COUNT);
}

static void test_sll2_arp(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_LINUX_SLL2, sll2_arp,
				     sizeof(sll2_arp)), DECODE_OK);
	assert_int_equal(pkt.link.framing, FRAMING_LINUX_SLL2);
	assert_int_equal(pkt.link.sll_ifindex, 3);
	assert_int_equal(pkt.link.sll_hatype, 1);
	assert_int_equal(pkt.link.sll_pkttype, 4);
	assert_true(pkt.link.has_mac_src);
	assert_memory_equal(pkt.link.mac_src, mac_src, 6);
	assert_int_equal(pkt.link.ethertype, ETHERTYPE_ARP);
	assert_true(packet_has(&pkt, PROTO_LINUX_SLL2));
	assert_false(packet_has(&pkt, PROTO_LINUX_SLL));
	assert_true(packet_has(&pkt, PROTO_ARP));
	assert_true(pkt.arp.is_ether_ipv4);
}

static void test_sll2_llc_and_raw(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_LINUX_SLL2, sll2_llc,
				     sizeof(sll2_llc)), DECODE_UNSUPPORTED);
	assert_int_equal(pkt.link.sll_ifindex, 0x01020304);
	assert_int_equal(pkt.link.sll_pkttype, 3);
	assert_true(packet_has(&pkt, PROTO_LLC));
	assert_int_equal(pkt.link.llc_dsap, 0xf0);
	assert_int_equal(pkt.status_proto, PROTO_LLC);
	assert_int_equal(pkt.link.framing, FRAMING_LINUX_SLL2);

	assert_int_equal(unit_decode(&pkt, LINK_TYPE_LINUX_SLL2,
				     sll2_novell_raw,
				     sizeof(sll2_novell_raw)),
			 DECODE_UNSUPPORTED);
	assert_int_equal(pkt.status_proto, PROTO_LINUX_SLL2);
	assert_int_equal(pkt.link.sll_ifindex, 2);
	assert_false(packet_has(&pkt, PROTO_LLC));
}

static void test_short_headers(void **state)
{
	struct packet pkt;

	(void)state;
	/* Protocol field missing: the frame is too short. */
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_LINUX_SLL, sll_arp, 15),
			 DECODE_MALFORMED);
	assert_int_equal(pkt.status_proto, PROTO_LINUX_SLL);
	assert_true(packet_has(&pkt, PROTO_LINUX_SLL));
	assert_false(pkt.link.has_mac_src);
	/* Cut by the snaplen inside the SLL2 address. */
	assert_int_equal(unit_decode_exact(&pkt, LINK_TYPE_LINUX_SLL2, sll2_arp,
					   14, sizeof(sll2_arp)),
			 DECODE_TRUNCATED);
	assert_int_equal(pkt.status_proto, PROTO_LINUX_SLL2);
	assert_int_equal(pkt.link.sll_ifindex, 3);
	assert_false(pkt.link.has_mac_src);
}

static void test_truncation_sweeps(void **state)
{
	(void)state;
	unit_sweep_truncations(LINK_TYPE_LINUX_SLL, sll_arp, sizeof(sll_arp),
			       sizeof(sll_arp));
	unit_sweep_truncations(LINK_TYPE_LINUX_SLL, sll_llc_snap_arp,
			       sizeof(sll_llc_snap_arp),
			       sizeof(sll_llc_snap_arp));
	unit_sweep_truncations(LINK_TYPE_LINUX_SLL, sll_novell_raw,
			       sizeof(sll_novell_raw), 16);
	unit_sweep_truncations(LINK_TYPE_LINUX_SLL2, sll2_arp,
			       sizeof(sll2_arp), sizeof(sll2_arp));
	unit_sweep_truncations(LINK_TYPE_LINUX_SLL2, sll2_llc,
			       sizeof(sll2_llc), 23);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sll_arp),
		cmocka_unit_test(test_sll_llc),
		cmocka_unit_test(test_sll_not_ethertypes),
		cmocka_unit_test(test_sll_non_ether_address),
		cmocka_unit_test(test_sll2_arp),
		cmocka_unit_test(test_sll2_llc_and_raw),
		cmocka_unit_test(test_short_headers),
		cmocka_unit_test(test_truncation_sweeps),
	};
	return cmocka_run_group_tests_name("sll", tests, NULL, NULL);
}
