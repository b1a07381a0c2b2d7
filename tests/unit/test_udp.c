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
 * pkt->ip as the IP dissectors leave it: 192.0.2.1 -> 198.51.100.2 or
 * 2001:db8::1 -> 2001:db8::2, payload_len the IP payload length.
 */
static void udp_test_ip(struct packet *pkt, uint8_t version,
			uint32_t payload_len)
{
	static const uint8_t v4_src[4] = { 192, 0, 2, 1 };
	static const uint8_t v4_dst[4] = { 198, 51, 100, 2 };
	static const uint8_t v6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t v6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

	unit_transport_ip(pkt, version, IPPROTO_NUM_UDP,
			  version == 4 ? v4_src : v6_src,
			  version == 4 ? v4_dst : v6_dst, payload_len);
}

/*
 * Decodes dgram[0..cap) (wire bytes on the wire, ip_len declared by IP)
 * from an exact heap copy so ASan catches over-reads.  The copy is
 * returned in *keep for payload checks (NULL: freed here).
 */
static enum decode_status udp_run_keep(struct packet *pkt,
				       const uint8_t *dgram, size_t cap,
				       size_t wire, uint32_t ip_len,
				       uint8_t version, uint8_t **keep)
{
	uint8_t *copy = malloc(cap > 0 ? cap : 1);
	struct cursor c;
	enum decode_status st;

	assert_non_null(copy);
	if (cap > 0)
		memcpy(copy, dgram, cap);
	udp_test_ip(pkt, version, ip_len);
	cursor_init(&c, copy, cap, wire);
	st = udp_decode(&c, pkt);
	if (keep != NULL) {
		*keep = copy;
	} else {
		free(copy);
		pkt->payload.ptr = NULL;
	}
	return st;
}

static enum decode_status udp_run(struct packet *pkt, const uint8_t *dgram,
				  size_t len, uint8_t version)
{
	return udp_run_keep(pkt, dgram, len, len, (uint32_t)len, version,
			    NULL);
}

/* A DNS query for example.com A, 53000 -> 53: an odd 37 bytes. */
static const uint8_t dns_v4[37] = {
	0xcf, 0x08, 0x00, 0x35, /* sport 53000, dport 53 */
	0x00, 0x25, 0x62, 0x8d, /* length 37, checksum (IPv4 pseudo-header) */
	0x12, 0x34, 0x01, 0x00, /* DNS id 0x1234, RD */
	0x00, 0x01, 0x00, 0x00, /* 1 question, 0 answers */
	0x00, 0x00, 0x00, 0x00, /* 0 authority, 0 additional */
	0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'c', 'o', 'm', 0x00,
	0x00, 0x01, 0x00, 0x01, /* type A, class IN */
};

static void udp_with_checksum(uint8_t *out, uint16_t field)
{
	memcpy(out, dns_v4, sizeof(dns_v4));
	out[6] = (uint8_t)(field >> 8);
	out[7] = (uint8_t)field;
}

static void test_dns_query(void **state)
{
	struct packet pkt;
	uint8_t *copy;

	(void)state;
	assert_int_equal(udp_run_keep(&pkt, dns_v4, 37, 37, 37, 4, &copy),
			 DECODE_OK);
	assert_true(packet_has(&pkt, PROTO_UDP));
	assert_int_equal(pkt.udp.sport, 53000);
	assert_int_equal(pkt.udp.dport, 53);
	assert_int_equal(pkt.udp.length, 37);
	assert_int_equal(pkt.udp.checksum, 0x628d);
	assert_int_equal(pkt.udp.cksum, CKSUM_GOOD);
	assert_int_equal(pkt.payload.len, 29);
	assert_int_equal(pkt.payload_wire_len, 29);
	assert_int_equal(pkt.payload.ptr[0], 0x12);
	assert_int_equal(pkt.anomaly_count, 0);
	free(copy);
}

static void test_checksum_v6_and_bad(void **state)
{
	uint8_t d[37];
	struct packet pkt;

	(void)state;
	/* Over 2001:db8::1 -> 2001:db8::2 the checksum is 0xf34f. */
	udp_with_checksum(d, 0xf34f);
	udp_run(&pkt, d, 37, 6);
	assert_int_equal(pkt.udp.cksum, CKSUM_GOOD);
	udp_run(&pkt, d, 37, 4);
	assert_int_equal(pkt.udp.cksum, CKSUM_BAD);
	/* Offloaded on the sender: the folded pseudo-header sum. */
	udp_with_checksum(d, 0xec6d);
	udp_run(&pkt, d, 37, 4);
	assert_int_equal(pkt.udp.cksum, CKSUM_BAD_OFFLOADED);
	udp_with_checksum(d, 0x5bab);
	udp_run(&pkt, d, 37, 6);
	assert_int_equal(pkt.udp.cksum, CKSUM_BAD_OFFLOADED);
}

static void test_checksum_zero(void **state)
{
	uint8_t d[37];
	struct packet pkt;

	(void)state;
	udp_with_checksum(d, 0);
	/* RFC 768: zero means the sender computed none. */
	assert_int_equal(udp_run(&pkt, d, 37, 4), DECODE_OK);
	assert_int_equal(pkt.udp.cksum, CKSUM_ABSENT);
	/* RFC 8200 section 8.1: mandatory over IPv6. */
	assert_int_equal(udp_run(&pkt, d, 37, 6), DECODE_OK);
	assert_int_equal(pkt.udp.cksum, CKSUM_BAD);
}

static void test_checksum_unverifiable(void **state)
{
	struct packet pkt;
	uint8_t *copy = malloc(sizeof(dns_v4));
	struct cursor c;

	(void)state;
	/* The snaplen cut the DNS question. */
	assert_int_equal(udp_run_keep(&pkt, dns_v4, 20, 37, 37, 4, NULL),
			 DECODE_OK);
	assert_int_equal(pkt.udp.cksum, CKSUM_UNVERIFIABLE);
	assert_int_equal(pkt.payload.len, 12);
	assert_int_equal(pkt.payload_wire_len, 29);
	/* First fragment of a bigger datagram. */
	assert_non_null(copy);
	memcpy(copy, dns_v4, sizeof(dns_v4));
	udp_test_ip(&pkt, 4, sizeof(dns_v4));
	pkt.ip.is_fragment = true;
	cursor_init(&c, copy, sizeof(dns_v4), sizeof(dns_v4));
	assert_int_equal(udp_decode(&c, &pkt), DECODE_OK);
	assert_int_equal(pkt.udp.cksum, CKSUM_UNVERIFIABLE);
	free(copy);
}

static void test_bad_lengths(void **state)
{
	uint8_t d[37];
	struct packet pkt;

	(void)state;
	/* Length 7: less than the header. */
	for (uint16_t len = 0; len < 8; len++) {
		memcpy(d, dns_v4, sizeof(d));
		d[4] = 0;
		d[5] = (uint8_t)len;
		assert_int_equal(udp_run(&pkt, d, 37, 4), DECODE_MALFORMED);
		assert_int_equal(pkt.status_proto, PROTO_UDP);
		assert_true(packet_has_anomaly(&pkt, PKT_ANOM_UDP_BAD_LENGTH));
	}
	/* Length 38 in a 37-byte IP payload. */
	memcpy(d, dns_v4, sizeof(d));
	d[5] = 38;
	assert_int_equal(udp_run(&pkt, d, 37, 4), DECODE_MALFORMED);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_UDP_BAD_LENGTH));
	assert_int_equal(pkt.anomaly_count, 1);
}

static void test_length_shorter_than_ip(void **state)
{
	/* dns_v4 with 3 bytes of junk after it, all inside the IP payload. */
	uint8_t d[40];
	uint8_t *copy;
	struct packet pkt;

	(void)state;
	memcpy(d, dns_v4, 37);
	d[37] = d[38] = d[39] = 0xee;
	assert_int_equal(udp_run_keep(&pkt, d, 40, 40, 40, 4, &copy),
			 DECODE_OK);
	assert_int_equal(pkt.udp.length, 37);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_UDP_LENGTH_SHORTER_THAN_IP));
	/* The UDP length rules: the junk is neither payload nor summed. */
	assert_int_equal(pkt.payload.len, 29);
	assert_int_equal(pkt.payload_wire_len, 29);
	assert_int_equal(pkt.udp.cksum, CKSUM_GOOD);
	free(copy);
}

static void test_ethernet_padding_ignored(void **state)
{
	/* IP said 37; the cursor also holds 9 bytes of link padding. */
	uint8_t d[46] = { 0 };
	struct packet pkt;

	(void)state;
	memcpy(d, dns_v4, 37);
	assert_int_equal(udp_run_keep(&pkt, d, 46, 46, 37, 4, NULL),
			 DECODE_OK);
	assert_int_equal(pkt.anomaly_count, 0);
	assert_int_equal(pkt.payload_wire_len, 29);
	assert_int_equal(pkt.udp.cksum, CKSUM_GOOD);
}

static void test_port_zero(void **state)
{
	uint8_t d[37];
	struct packet pkt;

	(void)state;
	memcpy(d, dns_v4, sizeof(d));
	d[0] = d[1] = 0;
	assert_int_equal(udp_run(&pkt, d, 37, 4), DECODE_OK);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_UDP_PORT_ZERO));
	memcpy(d, dns_v4, sizeof(d));
	d[2] = d[3] = 0;
	udp_run(&pkt, d, 37, 4);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_UDP_PORT_ZERO));
}

static void test_truncation_sweep(void **state)
{
	struct packet pkt;

	(void)state;
	for (size_t cut = 0; cut < 8; cut++) {
		assert_int_equal(udp_run_keep(&pkt, dns_v4, cut, 37, 37, 4, NULL),
				 DECODE_TRUNCATED);
		assert_int_equal(pkt.status_proto, PROTO_UDP);
		assert_int_equal(udp_run_keep(&pkt, dns_v4, cut, cut,
					      (uint32_t)cut, 4, NULL),
				 DECODE_MALFORMED);
	}
	for (size_t cut = 8; cut <= 37; cut++) {
		assert_int_equal(udp_run_keep(&pkt, dns_v4, cut, 37, 37, 4, NULL),
				 DECODE_OK);
		assert_int_equal(pkt.payload.len, cut - 8);
		assert_int_equal(pkt.payload_wire_len, 29);
		/* Really that short: the length field (37) is too long. */
		if (cut < 37)
			assert_int_equal(udp_run_keep(&pkt, dns_v4, cut, cut,
						      (uint32_t)cut, 4, NULL),
					 DECODE_MALFORMED);
	}
}

/*
 * The first fragment of a 4000-byte datagram: its UDP length (4000)
 * covers bytes that come in later fragments, so it is no bad length,
 * and the checksum cannot be verified before reassembly.
 */
static void test_first_fragment(void **state)
{
	/* sport 53000, dport 9, length 4000, checksum 0x1234, 4 data bytes */
	static const uint8_t first[12] = {
		0xcf, 0x08, 0x00, 0x09, 0x0f, 0xa0, 0x12, 0x34,
		0xde, 0xad, 0xbe, 0xef,
	};
	struct packet pkt;
	struct cursor c;
	enum decode_status st;

	(void)state;
	udp_test_ip(&pkt, 4, sizeof(first));
	pkt.ip.is_fragment = true;
	pkt.ip.is_first_fragment = true;
	pkt.ip.frag_more = true;
	cursor_init(&c, first, sizeof(first), sizeof(first));
	st = udp_decode(&c, &pkt);
	assert_int_equal(st, DECODE_OK);
	assert_int_equal(pkt.anomaly_count, 0);
	assert_int_equal(pkt.udp.length, 4000);
	assert_int_equal(pkt.udp.cksum, CKSUM_UNVERIFIABLE);
	assert_int_equal(pkt.payload.len, 4);
	assert_int_equal(pkt.payload_wire_len, 4);
	/* Still too short to be UDP at all: malformed, fragment or not. */
	udp_test_ip(&pkt, 4, sizeof(first));
	pkt.ip.is_fragment = true;
	{
		uint8_t bad[12];

		memcpy(bad, first, sizeof(bad));
		bad[4] = 0;
		bad[5] = 4; /* length 4 */
		cursor_init(&c, bad, sizeof(bad), sizeof(bad));
		assert_int_equal(udp_decode(&c, &pkt), DECODE_MALFORMED);
		assert_true(packet_has_anomaly(&pkt, PKT_ANOM_UDP_BAD_LENGTH));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_query),
		cmocka_unit_test(test_checksum_v6_and_bad),
		cmocka_unit_test(test_checksum_zero),
		cmocka_unit_test(test_checksum_unverifiable),
		cmocka_unit_test(test_bad_lengths),
		cmocka_unit_test(test_length_shorter_than_ip),
		cmocka_unit_test(test_ethernet_padding_ignored),
		cmocka_unit_test(test_port_zero),
		cmocka_unit_test(test_truncation_sweep),
		cmocka_unit_test(test_first_fragment),
	};
	return cmocka_run_group_tests_name("udp", tests, NULL, NULL);
}
