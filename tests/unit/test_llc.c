#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"
#include "unit_helpers.h"

/*
 * LLC is reached through 802.3 length frames here (and through Linux
 * cooked captures in test_sll.c).  Payloads are ARP or protocols nothing
 * decodes, so no result depends on the IP dissectors.
 */

/* 802.3 + LLC/SNAP, OUI 0 (RFC 1042), PID ARP: a complete ARP request. */
static const uint8_t snap_rfc1042_arp[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* dst broadcast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x00, 0x24,                         /* 802.3 length 36 */
	0xaa, 0xaa, 0x03,                   /* LLC: SNAP SAPs, UI */
	0x00, 0x00, 0x00, 0x08, 0x06,       /* SNAP: OUI 0, PID ARP */
	0x00, 0x01, 0x08, 0x00,             /* ARP: htype 1, ptype IPv4 */
	0x06, 0x04, 0x00, 0x01,             /* hlen 6, plen 4, request */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender MAC */
	0x0a, 0x00, 0x00, 0x01,             /* sender IP 10.0.0.1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* target MAC */
	0x0a, 0x00, 0x00, 0x02,             /* target IP 10.0.0.2 */
};

/* 802.3 + LLC/SNAP, OUI 00-00-F8 (802.1H bridge tunnel), PID 0x80f3
 * (AppleTalk AARP, not decoded): still an ethertype. */
static const uint8_t snap_8021h_aarp[] = {
	0x09, 0x00, 0x07, 0xff, 0xff, 0xff, /* dst AppleTalk broadcast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x00, 0x0c,                         /* 802.3 length 12 */
	0xaa, 0xaa, 0x03,                   /* LLC: SNAP SAPs, UI */
	0x00, 0x00, 0xf8, 0x80, 0xf3,       /* SNAP: OUI 802.1H, PID AARP */
	0x00, 0x01, 0x80, 0x9b,             /* AARP: htype 1, ptype DDP */
};

/* 802.3 + LLC/SNAP with OUI 00-00-0C (Cisco), PID 0x2000 (CDP). */
static const uint8_t snap_cisco_cdp[] = {
	0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc, /* dst CDP multicast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x00, 0x0c,                         /* 802.3 length 12 */
	0xaa, 0xaa, 0x03,                   /* LLC: SNAP SAPs, UI */
	0x00, 0x00, 0x0c, 0x20, 0x00,       /* SNAP: OUI Cisco, PID CDP */
	0x02, 0xb4, 0x00, 0x00,             /* CDP v2, TTL 180, checksum */
};

/* 802.3 + LLC, SNAP SAPs but SSAP with the response bit (0xAB). */
static const uint8_t snap_response_bit[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* dst broadcast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x00, 0x08,                         /* 802.3 length 8 */
	0xaa, 0xab, 0x03,                   /* LLC: DSAP AA, SSAP AB (resp) */
	0x00, 0x00, 0x00, 0x88, 0xcc,       /* SNAP: OUI 0, PID LLDP */
};

/* 802.3 + LLC, NetBIOS SAPs with an I-format (2-byte) control field. */
static const uint8_t llc_netbios_iframe[] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x66, /* dst */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x00, 0x08,                         /* 802.3 length 8 */
	0xf0, 0xf0,                         /* LLC: DSAP/SSAP NetBIOS */
	0x0a, 0x0c,                         /* I-format: N(S) 5, N(R) 6 */
	0x0e, 0x00, 0xff, 0xef,             /* NetBIOS: length 14, delim */
};

/* The LLC part of llc_netbios_iframe alone, for llc_decode directly. */
static const uint8_t llc_only_iframe[] = {
	0xf0, 0xf0,                         /* LLC: DSAP/SSAP NetBIOS */
	0x0a, 0x0c,                         /* I-format: N(S) 5, N(R) 6 */
	0x0e, 0x00, 0xff, 0xef,             /* NetBIOS: length 14, delim */
};

/* 802.3 + LLC, IPX SAPs, UI (Novell's 802.2 framing). */
static const uint8_t llc_ipx[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* dst broadcast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x00, 0x07,                         /* 802.3 length 7 */
	0xe0, 0xe0, 0x03,                   /* LLC: DSAP/SSAP IPX, UI */
	0xff, 0xff, 0x00, 0x1e,             /* IPX: checksum, length 30 */
};

/* 802.3 + LLC with DSAP/SSAP 0x12: no SAP tcplens knows. */
static const uint8_t llc_unknown_sap[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* dst broadcast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x00, 0x05,                         /* 802.3 length 5 */
	0x12, 0x12, 0x03,                   /* LLC: DSAP/SSAP 0x12, UI */
	0x01, 0x02,                         /* data */
};

/* 802.3 + LLC, DoD IP SAPs, UI, then an IPv4 header (IP itself is not
 * checked here). */
static const uint8_t llc_ip_sap[] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x66, /* dst */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x00, 0x17,                         /* 802.3 length 23 */
	0x06, 0x06, 0x03,                   /* LLC: DSAP/SSAP IP, UI */
	0x45, 0x00, 0x00, 0x14,             /* v4, IHL 5, total length 20 */
	0x00, 0x00, 0x40, 0x00,             /* id 0, DF */
	0x40, 0xfd, 0x00, 0x00,             /* TTL 64, proto 253, cksum */
	0xc0, 0x00, 0x02, 0x01,             /* src 192.0.2.1 */
	0xc0, 0x00, 0x02, 0x02,             /* dst 192.0.2.2 */
};

static void test_snap_rfc1042(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET,
				     snap_rfc1042_arp,
				     sizeof(snap_rfc1042_arp)), DECODE_OK);
	assert_int_equal(pkt.link.framing, FRAMING_IEEE8023_SNAP);
	assert_int_equal(pkt.link.llc_dsap, 0xaa);
	assert_int_equal(pkt.link.llc_ssap, 0xaa);
	assert_int_equal(pkt.link.llc_control, 0x03);
	assert_int_equal(pkt.link.snap_oui, 0);
	assert_int_equal(pkt.link.ethertype, ETHERTYPE_ARP);
	assert_true(packet_has(&pkt, PROTO_LLC));
	assert_true(packet_has(&pkt, PROTO_SNAP));
	assert_true(packet_has(&pkt, PROTO_ARP));
	assert_true(pkt.arp.is_ether_ipv4);
	assert_int_equal(pkt.anomaly_count, 0);
}

static void test_snap_8021h(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, snap_8021h_aarp,
				     sizeof(snap_8021h_aarp)),
			 DECODE_UNSUPPORTED);
	assert_int_equal(pkt.link.snap_oui, 0x0000f8);
	/* The PID was taken as an ethertype: an unknown one. */
	assert_int_equal(pkt.link.ethertype, 0x80f3);
	assert_int_equal(pkt.status_proto, PROTO_COUNT);
	assert_int_equal(pkt.link.framing, FRAMING_IEEE8023_SNAP);
}

static void test_snap_vendor_oui(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, snap_cisco_cdp,
				     sizeof(snap_cisco_cdp)),
			 DECODE_UNSUPPORTED);
	assert_int_equal(pkt.link.snap_oui, 0x00000c);
	assert_int_equal(pkt.link.ethertype, 0);
	assert_int_equal(pkt.status_proto, PROTO_SNAP);
	assert_true(packet_has(&pkt, PROTO_SNAP));
	assert_int_equal(pkt.link.framing, FRAMING_IEEE8023_SNAP);
	assert_int_equal(pkt.anomaly_count, 0);
}

static void test_snap_response_bit(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET,
				     snap_response_bit,
				     sizeof(snap_response_bit)),
			 DECODE_UNSUPPORTED);
	assert_int_equal(pkt.link.llc_ssap, 0xab);
	assert_true(packet_has(&pkt, PROTO_SNAP));
	assert_int_equal(pkt.link.ethertype, 0x88cc);
}

/* Recognised SAPs end decoding as unsupported, with no anomaly. */
static void test_known_non_snap_saps(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, llc_ipx,
				     sizeof(llc_ipx)), DECODE_UNSUPPORTED);
	assert_int_equal(pkt.link.framing, FRAMING_IEEE8023_LLC);
	assert_int_equal(pkt.link.llc_dsap, 0xe0);
	assert_int_equal(pkt.status_proto, PROTO_LLC);
	assert_false(packet_has(&pkt, PROTO_SNAP));
	assert_int_equal(pkt.link.ethertype, 0);
	assert_int_equal(pkt.anomaly_count, 0);

	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET,
				     llc_netbios_iframe,
				     sizeof(llc_netbios_iframe)),
			 DECODE_UNSUPPORTED);
	assert_int_equal(pkt.link.llc_dsap, 0xf0);
	assert_int_equal(pkt.link.llc_control, 0x0a);
	assert_int_equal(pkt.status_proto, PROTO_LLC);
	assert_int_equal(pkt.anomaly_count, 0);
}

/* I/S-format control is 2 bytes: the cursor moves 4, not 3. */
static void test_iformat_control_length(void **state)
{
	struct packet pkt;
	struct cursor c;

	(void)state;
	packet_reset(&pkt);
	cursor_init(&c, llc_only_iframe, sizeof(llc_only_iframe),
		    sizeof(llc_only_iframe));
	assert_int_equal(llc_decode(&c, &pkt), DECODE_UNSUPPORTED);
	assert_int_equal(cursor_offset(&c), 4);
	/* Only three bytes: the second control byte is missing. */
	packet_reset(&pkt);
	cursor_init(&c, llc_only_iframe, 3, 3);
	assert_int_equal(llc_decode(&c, &pkt), DECODE_MALFORMED);
	assert_int_equal(pkt.status_proto, PROTO_LLC);
	/* Called outside an 802.3 frame, LLC leaves the framing alone. */
	assert_int_equal(pkt.link.framing, FRAMING_NONE);
}

static void test_unknown_sap(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, llc_unknown_sap,
				     sizeof(llc_unknown_sap)),
			 DECODE_UNSUPPORTED);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_LLC_UNKNOWN_SAP));
	assert_int_equal(pkt.link.llc_dsap, 0x12);
	assert_int_equal(pkt.status_proto, PROTO_LLC);
}

static void test_ip_sap_handoff(void **state)
{
	struct packet pkt;

	(void)state;
	unit_decode(&pkt, LINK_TYPE_ETHERNET, llc_ip_sap, sizeof(llc_ip_sap));
	assert_int_equal(pkt.link.framing, FRAMING_IEEE8023_LLC);
	assert_int_equal(pkt.link.ethertype, ETHERTYPE_IPV4);
	assert_true(packet_has(&pkt, PROTO_LLC));
	assert_true(packet_has(&pkt, PROTO_IPV4));
	assert_false(packet_has(&pkt, PROTO_SNAP));
}

static void test_snap_truncated(void **state)
{
	struct packet pkt;

	(void)state;
	/* Cut inside the SNAP OUI by the snaplen. */
	assert_int_equal(unit_decode_exact(&pkt, LINK_TYPE_ETHERNET,
					   snap_rfc1042_arp, 19,
					   sizeof(snap_rfc1042_arp)),
			 DECODE_TRUNCATED);
	assert_int_equal(pkt.status_proto, PROTO_SNAP);
	/* Cut inside the PID, frame really that short. */
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET,
				     snap_rfc1042_arp, 21), DECODE_MALFORMED);
	assert_int_equal(pkt.status_proto, PROTO_SNAP);
	assert_int_equal(pkt.link.snap_oui, 0);
	/* Cut inside the LLC header. */
	assert_int_equal(unit_decode_exact(&pkt, LINK_TYPE_ETHERNET,
					   snap_rfc1042_arp, 16,
					   sizeof(snap_rfc1042_arp)),
			 DECODE_TRUNCATED);
	assert_int_equal(pkt.status_proto, PROTO_LLC);
}

static void test_truncation_sweeps(void **state)
{
	(void)state;
	unit_sweep_truncations(LINK_TYPE_ETHERNET, snap_rfc1042_arp,
			       sizeof(snap_rfc1042_arp),
			       sizeof(snap_rfc1042_arp));
	unit_sweep_truncations(LINK_TYPE_ETHERNET, snap_cisco_cdp,
			       sizeof(snap_cisco_cdp), 22);
	unit_sweep_truncations(LINK_TYPE_ETHERNET, llc_netbios_iframe,
			       sizeof(llc_netbios_iframe), 18);
	unit_sweep_truncations(LINK_TYPE_ETHERNET, llc_unknown_sap,
			       sizeof(llc_unknown_sap), 17);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snap_rfc1042),
		cmocka_unit_test(test_snap_8021h),
		cmocka_unit_test(test_snap_vendor_oui),
		cmocka_unit_test(test_snap_response_bit),
		cmocka_unit_test(test_known_non_snap_saps),
		cmocka_unit_test(test_iformat_control_length),
		cmocka_unit_test(test_unknown_sap),
		cmocka_unit_test(test_ip_sap_handoff),
		cmocka_unit_test(test_snap_truncated),
		cmocka_unit_test(test_truncation_sweeps),
	};
	return cmocka_run_group_tests_name("llc", tests, NULL, NULL);
}
