#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"
#include "unit_helpers.h"

/* ARP who-has 192.168.1.1 tell 192.168.1.100, Ethernet II, padded. */
static const uint8_t arp_request[60] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* dst broadcast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x08, 0x06,                         /* type ARP */
	0x00, 0x01, 0x08, 0x00,             /* htype 1 Ethernet, ptype IPv4 */
	0x06, 0x04, 0x00, 0x01,             /* hlen 6, plen 4, op request */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender MAC */
	0xc0, 0xa8, 0x01, 0x64,             /* sender IP 192.168.1.100 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* target MAC (unknown) */
	0xc0, 0xa8, 0x01, 0x01,             /* target IP 192.168.1.1 */
	/* 18 bytes of padding (zeros) */
};

/* ARP reply 192.168.1.1 is-at 66:77:88:99:aa:bb, no padding (captured
 * on the sending host, before the NIC pads). */
static const uint8_t arp_reply[] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* dst */
	0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* src */
	0x08, 0x06,                         /* type ARP */
	0x00, 0x01, 0x08, 0x00,             /* htype 1 Ethernet, ptype IPv4 */
	0x06, 0x04, 0x00, 0x02,             /* hlen 6, plen 4, op reply */
	0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* sender MAC */
	0xc0, 0xa8, 0x01, 0x01,             /* sender IP 192.168.1.1 */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* target MAC */
	0xc0, 0xa8, 0x01, 0x64,             /* target IP 192.168.1.100 */
};

/* RARP request (RFC 903, op 3): who am I, 00:11:22:33:44:55? */
static const uint8_t rarp_request[60] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* dst broadcast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x80, 0x35,                         /* type RARP */
	0x00, 0x01, 0x08, 0x00,             /* htype 1 Ethernet, ptype IPv4 */
	0x06, 0x04, 0x00, 0x03,             /* hlen 6, plen 4, op request */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender MAC */
	0x00, 0x00, 0x00, 0x00,             /* sender IP (unknown) */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* target MAC: itself */
	0x00, 0x00, 0x00, 0x00,             /* target IP (the question) */
	/* 18 bytes of padding (zeros) */
};

/* ARP over IEEE 802 (htype 6, RFC 1042): valid, not Ethernet/IPv4. */
static const uint8_t arp_ieee802[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* dst broadcast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x08, 0x06,                         /* type ARP */
	0x00, 0x06, 0x08, 0x00,             /* htype 6 IEEE 802, ptype IPv4 */
	0x06, 0x04, 0x00, 0x01,             /* hlen 6, plen 4, request */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender MAC */
	0x0a, 0x00, 0x00, 0x01,             /* sender IP 10.0.0.1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* target MAC */
	0x0a, 0x00, 0x00, 0x02,             /* target IP 10.0.0.2 */
};

/* ARP with htype 32 (InfiniBand, RFC 4391): 20-byte hardware addresses. */
static const uint8_t arp_infiniband[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* dst broadcast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x08, 0x06,                         /* type ARP */
	0x00, 0x20, 0x08, 0x00,             /* htype 32, ptype IPv4 */
	0x14, 0x04, 0x00, 0x01,             /* hlen 20, plen 4, request */
	0x00, 0x00, 0x00, 0x48, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x02, 0xc9, 0x03, 0x00, 0x01, 0x02, 0x03,
	                                    /* sender: QPN + port GID */
	0x0a, 0x00, 0x00, 0x01,             /* sender IP 10.0.0.1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	                                    /* target hardware (unknown) */
	0x0a, 0x00, 0x00, 0x02,             /* target IP 10.0.0.2 */
};

/* htype Ethernet with hlen 0 and plen 0: no addresses at all. */
static const uint8_t arp_zero_lengths[60] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* dst broadcast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x08, 0x06,                         /* type ARP */
	0x00, 0x01, 0x08, 0x00,             /* htype 1 Ethernet, ptype IPv4 */
	0x00, 0x00, 0x00, 0x01,             /* hlen 0, plen 0, request */
	/* padding (zeros) */
};

/* htype Ethernet with hlen 8, ptype IPv4 with plen 16: both wrong for
 * their types; the 48 address bytes are there (zeros). */
static const uint8_t arp_wrong_lengths[70] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* dst broadcast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x08, 0x06,                         /* type ARP */
	0x00, 0x01, 0x08, 0x00,             /* htype 1 Ethernet, ptype IPv4 */
	0x08, 0x10, 0x00, 0x01,             /* hlen 8, plen 16, request */
	/* 2 * (8 + 16) = 48 address bytes (zeros) */
};

/* Declared plen 200 in a 60-byte frame: the addresses cannot be there. */
static const uint8_t arp_lengths_over_frame[60] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* dst broadcast */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
	0x08, 0x06,                         /* type ARP */
	0x00, 0x01, 0x08, 0x00,             /* htype 1 Ethernet, ptype IPv4 */
	0x06, 0xc8, 0x00, 0x01,             /* hlen 6, plen 200, request */
	/* padding (zeros) */
};

static const uint8_t mac_a[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
static const uint8_t mac_b[6] = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
static const uint8_t mac_zero[6] = {0};
static const uint8_t ip_100[4] = {192, 168, 1, 100};
static const uint8_t ip_1[4] = {192, 168, 1, 1};
static const uint8_t ip_zero[4] = {0};

static void test_request(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, arp_request,
				     sizeof(arp_request)), DECODE_OK);
	assert_true(packet_has(&pkt, PROTO_ARP));
	assert_false(packet_has(&pkt, PROTO_RARP));
	assert_false(pkt.arp.is_rarp);
	assert_int_equal(pkt.arp.htype, 1);
	assert_int_equal(pkt.arp.ptype, ETHERTYPE_IPV4);
	assert_int_equal(pkt.arp.hlen, 6);
	assert_int_equal(pkt.arp.plen, 4);
	assert_int_equal(pkt.arp.op, 1);
	assert_true(pkt.arp.is_ether_ipv4);
	assert_memory_equal(pkt.arp.sender_mac, mac_a, 6);
	assert_memory_equal(pkt.arp.sender_ip, ip_100, 4);
	assert_memory_equal(pkt.arp.target_mac, mac_zero, 6);
	assert_memory_equal(pkt.arp.target_ip, ip_1, 4);
	assert_int_equal(pkt.status, DECODE_OK);
	assert_int_equal(pkt.anomaly_count, 0);
	assert_int_equal(pkt.payload.len, 0);
}

static void test_reply(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, arp_reply,
				     sizeof(arp_reply)), DECODE_OK);
	assert_int_equal(pkt.arp.op, 2);
	assert_true(pkt.arp.is_ether_ipv4);
	assert_memory_equal(pkt.arp.sender_mac, mac_b, 6);
	assert_memory_equal(pkt.arp.sender_ip, ip_1, 4);
	assert_memory_equal(pkt.arp.target_mac, mac_a, 6);
	assert_memory_equal(pkt.arp.target_ip, ip_100, 4);
}

static void test_rarp(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, rarp_request,
				     sizeof(rarp_request)), DECODE_OK);
	assert_true(packet_has(&pkt, PROTO_RARP));
	assert_false(packet_has(&pkt, PROTO_ARP));
	assert_true(pkt.arp.is_rarp);
	assert_int_equal(pkt.arp.op, 3);
	assert_int_equal(pkt.link.ethertype, ETHERTYPE_RARP);
	assert_true(pkt.arp.is_ether_ipv4);
	assert_memory_equal(pkt.arp.sender_mac, mac_a, 6);
	assert_memory_equal(pkt.arp.target_mac, mac_a, 6);
	assert_memory_equal(pkt.arp.sender_ip, ip_zero, 4);
	assert_memory_equal(pkt.arp.target_ip, ip_zero, 4);
}

/* ARP reads its 28 bytes and leaves the link padding alone. */
static void test_padding_untouched(void **state)
{
	struct packet pkt;
	struct cursor c;

	(void)state;
	packet_reset(&pkt);
	cursor_init(&c, arp_request, sizeof(arp_request), sizeof(arp_request));
	assert_int_equal(ethernet_decode(&c, &pkt), DECODE_OK);
	assert_int_equal(cursor_offset(&c), 42);
}

/* Other hardware types: lengths fit, addresses walked, not filled. */
static void test_other_hardware(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, arp_ieee802,
				     sizeof(arp_ieee802)), DECODE_OK);
	assert_int_equal(pkt.arp.htype, 6);
	assert_false(pkt.arp.is_ether_ipv4);
	assert_int_equal(pkt.anomaly_count, 0);

	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, arp_infiniband,
				     sizeof(arp_infiniband)), DECODE_OK);
	assert_int_equal(pkt.arp.htype, 32);
	assert_int_equal(pkt.arp.hlen, 20);
	assert_false(pkt.arp.is_ether_ipv4);
	assert_int_equal(pkt.anomaly_count, 0);
	/* One byte short of the last target IP byte: malformed. */
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, arp_infiniband,
				     sizeof(arp_infiniband) - 1),
			 DECODE_MALFORMED);
	assert_int_equal(pkt.status_proto, PROTO_ARP);
}

static void test_bad_lengths(void **state)
{
	struct packet pkt;

	(void)state;
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET,
				     arp_zero_lengths,
				     sizeof(arp_zero_lengths)), DECODE_OK);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_ARP_BAD_LENGTHS));
	assert_false(pkt.arp.is_ether_ipv4);
	assert_int_equal(pkt.arp.hlen, 0);
	assert_int_equal(pkt.arp.plen, 0);

	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET,
				     arp_wrong_lengths,
				     sizeof(arp_wrong_lengths)), DECODE_OK);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_ARP_BAD_LENGTHS));
	assert_false(pkt.arp.is_ether_ipv4);
	assert_int_equal(pkt.anomaly_count, 1);

	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET,
				     arp_lengths_over_frame,
				     sizeof(arp_lengths_over_frame)),
			 DECODE_MALFORMED);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_ARP_BAD_LENGTHS));
	assert_int_equal(pkt.status_proto, PROTO_ARP);
}

static void test_missing_addresses(void **state)
{
	struct packet pkt;

	(void)state;
	/* Snaplen cut inside the target MAC. */
	assert_int_equal(unit_decode_exact(&pkt, LINK_TYPE_ETHERNET,
					   arp_request, 35,
					   sizeof(arp_request)),
			 DECODE_TRUNCATED);
	assert_int_equal(pkt.status_proto, PROTO_ARP);
	assert_false(pkt.arp.is_ether_ipv4);
	assert_memory_equal(pkt.arp.sender_ip, ip_100, 4);
	/* The frame itself ends inside the RARP fixed header. */
	assert_int_equal(unit_decode(&pkt, LINK_TYPE_ETHERNET, rarp_request,
				     20), DECODE_MALFORMED);
	assert_int_equal(pkt.status_proto, PROTO_RARP);
	assert_true(packet_has(&pkt, PROTO_RARP));
}

static void test_truncation_sweeps(void **state)
{
	(void)state;
	unit_sweep_truncations(LINK_TYPE_ETHERNET, arp_request,
			       sizeof(arp_request), 42);
	unit_sweep_truncations(LINK_TYPE_ETHERNET, arp_reply,
			       sizeof(arp_reply), sizeof(arp_reply));
	unit_sweep_truncations(LINK_TYPE_ETHERNET, rarp_request,
			       sizeof(rarp_request), 42);
	unit_sweep_truncations(LINK_TYPE_ETHERNET, arp_infiniband,
			       sizeof(arp_infiniband), sizeof(arp_infiniband));
	unit_sweep_truncations(LINK_TYPE_ETHERNET, arp_wrong_lengths,
			       sizeof(arp_wrong_lengths),
			       sizeof(arp_wrong_lengths));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_rarp),
		cmocka_unit_test(test_padding_untouched),
		cmocka_unit_test(test_other_hardware),
		cmocka_unit_test(test_bad_lengths),
		cmocka_unit_test(test_missing_addresses),
		cmocka_unit_test(test_truncation_sweeps),
	};
	return cmocka_run_group_tests_name("arp", tests, NULL, NULL);
}
