#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"
#include "unit_helpers.h"

/*
 * The transport dissectors are written elsewhere: these tests check only
 * what IPv4 fills and that decoding got past it.  Protocol 253 (RFC 3692,
 * experimentation) reaches decode_transport's unsupported branch, which
 * keeps the rest as payload, so payload views can be checked without
 * depending on any transport decoder.
 */

/* 192.168.0.1 -> 192.168.0.2, TCP SYN 12345 -> 80. */
static const uint8_t v4_tcp[] = {
	0x45, 0x00, 0x00, 0x28, /* v4, IHL 5, TOS 0, total length 40 */
	0x1c, 0x46, 0x40, 0x00, /* id 0x1c46, DF, offset 0 */
	0x40, 0x06, 0x9d, 0x36, /* TTL 64, TCP, header checksum (good) */
	0xc0, 0xa8, 0x00, 0x01, /* src 192.168.0.1 */
	0xc0, 0xa8, 0x00, 0x02, /* dst 192.168.0.2 */
	0x30, 0x39, 0x00, 0x50, /* TCP: sport 12345, dport 80 */
	0x00, 0x00, 0x00, 0x01, /* seq 1 */
	0x00, 0x00, 0x00, 0x00, /* ack 0 */
	0x50, 0x02, 0xff, 0xff, /* data offset 5, SYN, window 65535 */
	0xfe, 0x04, 0x00, 0x00, /* checksum (good), urgent 0 */
};

/* 10.0.0.1 -> 10.0.0.2, DSCP EF + ECT(1), UDP 53 -> 54321 "abcd". */
static const uint8_t v4_udp[] = {
	0x45, 0xb9, 0x00, 0x20, /* v4, IHL 5, TOS 0xb9, total length 32 */
	0x00, 0x00, 0x00, 0x00, /* id 0, no flags, offset 0 */
	0x40, 0x11, 0x66, 0x12, /* TTL 64, UDP, header checksum (good) */
	0x0a, 0x00, 0x00, 0x01, /* src 10.0.0.1 */
	0x0a, 0x00, 0x00, 0x02, /* dst 10.0.0.2 */
	0x00, 0x35, 0xd4, 0x31, /* UDP: sport 53, dport 54321 */
	0x00, 0x0c, 0x52, 0xa6, /* length 12, checksum (good) */
	0x61, 0x62, 0x63, 0x64, /* "abcd" */
};

/* IHL 8: NOP, NOP, Record Route with one empty slot, EOL, padding. */
static const uint8_t v4_opts[] = {
	0x48, 0x00, 0x00, 0x24, /* v4, IHL 8 (32 bytes), total length 36 */
	0x00, 0x01, 0x00, 0x00, /* id 1, no flags */
	0x40, 0xfd, 0x56, 0xd2, /* TTL 64, proto 253, checksum (good) */
	0x0a, 0x00, 0x00, 0x01, /* src 10.0.0.1 */
	0x0a, 0x00, 0x00, 0x02, /* dst 10.0.0.2 */
	0x01, 0x01, 0x07, 0x07, /* NOP, NOP, RR type 7 length 7 */
	0x04, 0x00, 0x00, 0x00, /* RR pointer 4, slot 0.0.0.0 ... */
	0x00, 0x00, 0x00, 0x00, /* ... slot end, EOL, padding */
	0xde, 0xad, 0xbe, 0xef, /* 4 payload bytes */
};

/* IHL 6: one 4-byte option word that each test fills in. */
static const uint8_t v4_opt_word[] = {
	0x46, 0x00, 0x00, 0x1c, /* v4, IHL 6 (24 bytes), total length 28 */
	0x00, 0x02, 0x00, 0x00, /* id 2, no flags */
	0x40, 0xfd, 0x00, 0x00, /* TTL 64, proto 253, checksum (unchecked) */
	0x0a, 0x00, 0x00, 0x01, /* src 10.0.0.1 */
	0x0a, 0x00, 0x00, 0x02, /* dst 10.0.0.2 */
	0x01, 0x01, 0x01, 0x00, /* options: NOP, NOP, NOP, EOL (replaced) */
	0xde, 0xad, 0xbe, 0xef, /* 4 payload bytes */
};

/* First fragment of a UDP datagram: MF, offset 0, 8 bytes carried. */
static const uint8_t v4_frag[] = {
	0x45, 0x00, 0x00, 0x1c, /* v4, IHL 5, total length 28 */
	0xab, 0xcd, 0x20, 0x00, /* id 0xabcd, MF, offset 0 (bytes 6-7) */
	0x40, 0x11, 0x9b, 0x01, /* TTL 64, UDP, header checksum (good) */
	0x0a, 0x00, 0x00, 0x01, /* src 10.0.0.1 */
	0x0a, 0x00, 0x00, 0x02, /* dst 10.0.0.2 */
	0x00, 0x35, 0xd4, 0x31, /* UDP: sport 53, dport 54321 */
	0x05, 0xc8, 0x00, 0x00, /* length 1480, checksum 0 */
};

/* 8 bytes of proto 253 in a 46-byte Ethernet minimum payload. */
static const uint8_t v4_padded[] = {
	0x45, 0x00, 0x00, 0x1c, /* v4, IHL 5, total length 28 */
	0x00, 0x07, 0x00, 0x00, /* id 7, no flags */
	0x40, 0xfd, 0x65, 0xdc, /* TTL 64, proto 253, checksum (good) */
	0x0a, 0x00, 0x00, 0x01, /* src 10.0.0.1 */
	0x0a, 0x00, 0x00, 0x02, /* dst 10.0.0.2 */
	0x01, 0x02, 0x03, 0x04, /* payload ... */
	0x05, 0x06, 0x07, 0x08, /* ... 8 bytes */
	0x00, 0x00, 0x00, 0x00, /* Ethernet padding to 46 bytes ... */
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00,             /* ... 18 bytes */
};

/*
 * Decodes twice: first an exact-size heap copy (unit_decode) so ASan
 * catches any over-read, then in place, because views into the copy die
 * with it and the tests read payload and header views.
 */
static enum decode_status decode_frame(struct packet *pkt, enum link_type lt,
				       const uint8_t *frame, size_t len)
{
	(void)unit_decode(pkt, lt, frame, len);
	return decode_packet(pkt, lt, frame, (uint32_t)len, (uint32_t)len);
}

static void assert_no_ipv4_anomaly(const struct packet *pkt)
{
	for (unsigned i = 0; i < pkt->anomaly_count; i++)
		assert_int_not_equal(packet_anomaly_proto(pkt->anomalies[i]),
				     PROTO_IPV4);
}

/* Decoding went past IPv4 (whatever the transport layer then did). */
static void assert_passed_ipv4(const struct packet *pkt)
{
	assert_true(packet_has(pkt, PROTO_IPV4));
	assert_int_not_equal(pkt->status_proto, PROTO_IPV4);
}

static void assert_stopped(const struct packet *pkt, enum decode_status got,
			   enum decode_status want)
{
	assert_int_equal(got, want);
	assert_int_equal(pkt->status, want);
	assert_int_equal(pkt->status_proto, PROTO_IPV4);
}

static void test_tcp_fields(void **state)
{
	static const uint8_t src[4] = {192, 168, 0, 1};
	static const uint8_t dst[4] = {192, 168, 0, 2};
	struct packet pkt;

	(void)state;
	decode_frame(&pkt, LINK_TYPE_IPV4, v4_tcp, sizeof(v4_tcp));
	assert_passed_ipv4(&pkt);
	assert_true(packet_has(&pkt, PROTO_TCP));
	assert_no_ipv4_anomaly(&pkt);
	assert_int_equal(pkt.ip.version, 4);
	assert_int_equal(pkt.ip.src.family, 4);
	assert_memory_equal(pkt.ip.src.bytes, src, 4);
	assert_memory_equal(pkt.ip.dst.bytes, dst, 4);
	assert_int_equal(pkt.ip.proto, IPPROTO_NUM_TCP);
	assert_int_equal(pkt.ip.ttl, 64);
	assert_int_equal(pkt.ip.payload_len, 20);
	assert_int_equal(pkt.ip.header.len, 20);
	assert_ptr_not_equal(pkt.ip.header.ptr, NULL);
	assert_int_equal(pkt.ipv4.ihl, 20);
	assert_int_equal(pkt.ipv4.total_len, 40);
	assert_int_equal(pkt.ipv4.id, 0x1c46);
	assert_int_equal(pkt.ipv4.checksum, 0x9d36);
	assert_true(pkt.ipv4.flag_df);
	assert_false(pkt.ipv4.flag_mf);
	assert_false(pkt.ip.is_fragment);
	assert_int_equal(pkt.ipv4.options.len, 0);
}

static void test_udp_fields(void **state)
{
	struct packet pkt;

	(void)state;
	decode_frame(&pkt, LINK_TYPE_IPV4, v4_udp, sizeof(v4_udp));
	assert_passed_ipv4(&pkt);
	assert_true(packet_has(&pkt, PROTO_UDP));
	assert_no_ipv4_anomaly(&pkt);
	assert_int_equal(pkt.ip.proto, IPPROTO_NUM_UDP);
	assert_int_equal(pkt.ipv4.tos, 0xb9);
	assert_int_equal(pkt.ip.dscp, 46); /* EF */
	assert_int_equal(pkt.ip.ecn, 1);   /* ECT(1) */
	assert_int_equal(pkt.ip.payload_len, 12);
	assert_false(pkt.ipv4.flag_df);
}

static void test_raw_link_dispatches_ipv4(void **state)
{
	struct packet pkt;

	(void)state;
	decode_frame(&pkt, LINK_TYPE_RAW, v4_udp, sizeof(v4_udp));
	assert_passed_ipv4(&pkt);
	assert_int_equal(pkt.ip.version, 4);
	assert_int_equal(pkt.link.ethertype, ETHERTYPE_IPV4);
}

static void test_options_walked(void **state)
{
	static const uint8_t payload[] = {0xde, 0xad, 0xbe, 0xef};
	struct packet pkt;
	enum decode_status st;

	(void)state;
	st = decode_frame(&pkt, LINK_TYPE_IPV4, v4_opts, sizeof(v4_opts));
	assert_int_equal(st, DECODE_UNSUPPORTED); /* proto 253 */
	assert_passed_ipv4(&pkt);
	assert_no_ipv4_anomaly(&pkt);
	assert_int_equal(pkt.ipv4.ihl, 32);
	assert_int_equal(pkt.ipv4.options.len, 12);
	assert_int_equal(pkt.ip.header.len, 32);
	assert_int_equal(pkt.ip.payload_len, 4);
	assert_int_equal(pkt.payload.len, 4);
	assert_memory_equal(pkt.payload.ptr, payload, 4);
}

/* Decodes v4_opt_word with its option word replaced. */
static void decode_opt_word(struct packet *pkt, const uint8_t word[4])
{
	static uint8_t f[sizeof(v4_opt_word)];

	memcpy(f, v4_opt_word, sizeof(f));
	memcpy(f + 20, word, 4);
	decode_frame(pkt, LINK_TYPE_IPV4, f, sizeof(f));
}

static void test_option_good_word(void **state)
{
	/* NOP, NOP, NOP, EOL: nothing to flag. */
	static const uint8_t ok[4] = {0x01, 0x01, 0x01, 0x00};
	/* A 4-byte option filling the word: type 0x88 (stream id) len 4. */
	static const uint8_t sid[4] = {0x88, 0x04, 0x12, 0x34};
	struct packet pkt;

	(void)state;
	decode_opt_word(&pkt, ok);
	assert_no_ipv4_anomaly(&pkt);
	assert_passed_ipv4(&pkt);
	decode_opt_word(&pkt, sid);
	assert_no_ipv4_anomaly(&pkt);
	assert_int_equal(pkt.ipv4.options.len, 4);
}

static void test_option_bad_lengths(void **state)
{
	static const uint8_t bad[][4] = {
		{0x44, 0x00, 0x00, 0x00}, /* timestamp, length 0 */
		{0x44, 0x01, 0x00, 0x00}, /* timestamp, length 1 */
		{0x07, 0x0a, 0x04, 0x00}, /* RR length 10, 4 bytes left */
		{0x01, 0x01, 0x01, 0x07}, /* NOPs, then RR with no length */
	};
	struct packet pkt;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		decode_opt_word(&pkt, bad[i]);
		assert_true(packet_has_anomaly(&pkt,
					       PKT_ANOM_IPV4_OPT_BAD_LENGTH));
		/* Noted, not fatal: decoding carries on to the payload. */
		assert_passed_ipv4(&pkt);
		assert_int_equal(pkt.payload.len, 4);
	}
}

static void test_bad_version(void **state)
{
	uint8_t f[sizeof(v4_tcp)];
	struct packet pkt;
	enum decode_status st;

	(void)state;
	memcpy(f, v4_tcp, sizeof(f));
	f[0] = 0x65; /* version 6 nibble on an IPv4 link */
	st = decode_frame(&pkt, LINK_TYPE_IPV4, f, sizeof(f));
	assert_stopped(&pkt, st, DECODE_MALFORMED);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_IPV4_BAD_VERSION));
	assert_false(packet_has(&pkt, PROTO_TCP));
}

static void test_ihl_below_five(void **state)
{
	uint8_t f[sizeof(v4_tcp)];
	struct packet pkt;

	(void)state;
	memcpy(f, v4_tcp, sizeof(f));
	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		enum decode_status st;

		f[0] = (uint8_t)(0x40 | ihl); /* v4, IHL 0..4 */
		st = decode_frame(&pkt, LINK_TYPE_IPV4, f, sizeof(f));
		assert_stopped(&pkt, st, DECODE_MALFORMED);
		assert_true(packet_has_anomaly(&pkt, PKT_ANOM_IPV4_BAD_IHL));
		assert_int_equal(pkt.ipv4.ihl, ihl * 4);
	}
}

static void test_total_length_below_ihl(void **state)
{
	uint8_t f[64];
	struct packet pkt;
	enum decode_status st;

	(void)state;
	memcpy(f, v4_tcp, sizeof(v4_tcp));
	f[3] = 19; /* total length 19 < 20 */
	st = decode_frame(&pkt, LINK_TYPE_IPV4, f, sizeof(v4_tcp));
	assert_stopped(&pkt, st, DECODE_MALFORMED);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_IPV4_BAD_TOTAL_LENGTH));

	memcpy(f, v4_opts, sizeof(v4_opts));
	f[3] = 24; /* total length 24 < IHL 8 = 32 bytes */
	st = decode_frame(&pkt, LINK_TYPE_IPV4, f, sizeof(v4_opts));
	assert_stopped(&pkt, st, DECODE_MALFORMED);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_IPV4_BAD_TOTAL_LENGTH));

	/* Total length 0 with nothing after the header: not TSO. */
	memcpy(f, v4_tcp, 20);
	f[2] = 0;
	f[3] = 0;
	st = decode_frame(&pkt, LINK_TYPE_IPV4, f, 20);
	assert_stopped(&pkt, st, DECODE_MALFORMED);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_IPV4_BAD_TOTAL_LENGTH));
}

static void test_total_length_zero_tso(void **state)
{
	uint8_t f[sizeof(v4_opts)];
	struct packet pkt;

	(void)state;
	memcpy(f, v4_opts, sizeof(f));
	f[2] = 0;
	f[3] = 0; /* total length 0: a TSO super-packet on the sender */
	decode_frame(&pkt, LINK_TYPE_IPV4, f, sizeof(f));
	assert_passed_ipv4(&pkt);
	assert_no_ipv4_anomaly(&pkt);
	assert_int_equal(pkt.ipv4.total_len, 0);
	assert_int_equal(pkt.ip.payload_len, 4); /* from the frame */
	assert_int_equal(pkt.payload.len, 4);
}

static void test_total_length_over_frame(void **state)
{
	uint8_t f[sizeof(v4_opts)];
	struct packet pkt;
	enum decode_status st;

	(void)state;
	memcpy(f, v4_opts, sizeof(f));
	f[3] = 0x40; /* total length 64, the frame has 36 */
	st = decode_frame(&pkt, LINK_TYPE_IPV4, f, sizeof(f));
	assert_stopped(&pkt, st, DECODE_MALFORMED);
	assert_true(packet_has_anomaly(&pkt,
				       PKT_ANOM_IPV4_TOTAL_LENGTH_OVER_FRAME));
	/* Carried on: the header is decoded, the payload is what is there. */
	assert_int_equal(pkt.ip.proto, 253);
	assert_int_equal(pkt.ip.payload_len, 32);
	assert_int_equal(pkt.payload.len, 4);

	/* Over the frame and the header too: still malformed, not cut. */
	st = unit_decode_exact(&pkt, LINK_TYPE_IPV4, f, 24, 34);
	assert_stopped(&pkt, st, DECODE_MALFORMED);
}

static void test_padding_ignored(void **state)
{
	static const uint8_t payload[] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct packet pkt;

	(void)state;
	decode_frame(&pkt, LINK_TYPE_IPV4, v4_padded, sizeof(v4_padded));
	assert_passed_ipv4(&pkt);
	assert_no_ipv4_anomaly(&pkt);
	assert_int_equal(pkt.ip.payload_len, 8);
	assert_int_equal(pkt.payload.len, 8);
	assert_int_equal(pkt.payload_wire_len, 8);
	assert_memory_equal(pkt.payload.ptr, payload, 8);
}

/* Decodes v4_frag with the flags/offset word replaced. */
static enum decode_status decode_frag(struct packet *pkt, uint16_t word)
{
	static uint8_t f[sizeof(v4_frag)];

	memcpy(f, v4_frag, sizeof(f));
	f[6] = (uint8_t)(word >> 8);
	f[7] = (uint8_t)word;
	return decode_frame(pkt, LINK_TYPE_IPV4, f, sizeof(f));
}

static void test_first_fragment(void **state)
{
	struct packet pkt;

	(void)state;
	decode_frag(&pkt, 0x2000); /* MF, offset 0 */
	assert_passed_ipv4(&pkt);
	assert_no_ipv4_anomaly(&pkt);
	assert_true(pkt.ip.is_fragment);
	assert_true(pkt.ip.is_first_fragment);
	assert_true(pkt.ip.frag_more);
	assert_int_equal(pkt.ip.frag_offset, 0);
	assert_int_equal(pkt.ip.frag_id, 0xabcd);
	/* The first fragment holds the transport header: dispatched. */
	assert_true(packet_has(&pkt, PROTO_UDP));
	/* Its share of the datagram starts at the UDP header. */
	assert_int_equal(pkt.ip.frag_data.len, pkt.ip.payload_len);
	assert_ptr_equal(pkt.ip.frag_data.ptr, pkt.ip.header.ptr + 20);
}

static void test_middle_and_last_fragment(void **state)
{
	struct packet pkt;
	enum decode_status st;

	(void)state;
	st = decode_frag(&pkt, 0x2000 | 185); /* MF, offset 185 * 8 */
	assert_int_equal(st, DECODE_OK);
	assert_true(pkt.ip.is_fragment);
	assert_false(pkt.ip.is_first_fragment);
	assert_true(pkt.ip.frag_more);
	assert_int_equal(pkt.ip.frag_offset, 1480);
	/* No transport header in a later fragment: all of it is payload. */
	assert_false(packet_has(&pkt, PROTO_UDP));
	assert_int_equal(pkt.payload.len, 8);
	assert_int_equal(pkt.payload_wire_len, 8);
	assert_int_equal(pkt.ip.frag_data.len, 8);

	st = decode_frag(&pkt, 370); /* last: offset 370 * 8, no MF */
	assert_int_equal(st, DECODE_OK);
	assert_true(pkt.ip.is_fragment);
	assert_false(pkt.ip.is_first_fragment);
	assert_false(pkt.ip.frag_more);
	assert_int_equal(pkt.ip.frag_offset, 2960);
	assert_no_ipv4_anomaly(&pkt);
}

static void test_df_with_fragment(void **state)
{
	struct packet pkt;

	(void)state;
	decode_frag(&pkt, 0x6000); /* DF and MF */
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_IPV4_DF_AND_FRAGMENT));
	assert_passed_ipv4(&pkt);
	decode_frag(&pkt, 0x4000 | 185); /* DF and an offset */
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_IPV4_DF_AND_FRAGMENT));
	decode_frag(&pkt, 0x4000); /* DF alone: fine */
	assert_no_ipv4_anomaly(&pkt);
	assert_false(pkt.ip.is_fragment);
}

static void test_reserved_flag_and_zero_ttl(void **state)
{
	uint8_t f[sizeof(v4_udp)];
	struct packet pkt;

	(void)state;
	decode_frag(&pkt, 0x8000); /* the reserved bit */
	assert_true(pkt.ipv4.flag_reserved);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_IPV4_RESERVED_FLAG));
	assert_passed_ipv4(&pkt);

	memcpy(f, v4_udp, sizeof(f));
	f[8] = 0; /* TTL 0 */
	decode_frame(&pkt, LINK_TYPE_IPV4, f, sizeof(f));
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_IPV4_ZERO_TTL));
	assert_passed_ipv4(&pkt);
}

static void test_cut_inside_header(void **state)
{
	struct packet pkt;
	enum decode_status st;

	(void)state;
	/* Snaplen 10 of a 40-byte frame: cut by the capture. */
	st = unit_decode_exact(&pkt, LINK_TYPE_IPV4, v4_tcp, 10, 40);
	assert_stopped(&pkt, st, DECODE_TRUNCATED);
	assert_no_ipv4_anomaly(&pkt);
	/* Options cut by the capture. */
	st = unit_decode_exact(&pkt, LINK_TYPE_IPV4, v4_opts, 24,
			       sizeof(v4_opts));
	assert_stopped(&pkt, st, DECODE_TRUNCATED);
	/* A frame that really was 10 bytes long. */
	st = unit_decode_exact(&pkt, LINK_TYPE_IPV4, v4_tcp, 10, 10);
	assert_stopped(&pkt, st, DECODE_MALFORMED);
	/* Nothing at all. */
	st = unit_decode_exact(&pkt, LINK_TYPE_IPV4, v4_tcp, 0, 40);
	assert_stopped(&pkt, st, DECODE_TRUNCATED);
}

static void test_truncation_sweep(void **state)
{
	(void)state;
	unit_sweep_truncations(LINK_TYPE_IPV4, v4_tcp, sizeof(v4_tcp), 20);
	unit_sweep_truncations(LINK_TYPE_IPV4, v4_udp, sizeof(v4_udp), 20);
	unit_sweep_truncations(LINK_TYPE_IPV4, v4_opts, sizeof(v4_opts), 32);
	unit_sweep_truncations(LINK_TYPE_IPV4, v4_frag, sizeof(v4_frag), 20);
	unit_sweep_truncations(LINK_TYPE_IPV4, v4_padded, sizeof(v4_padded),
			       20);
	unit_sweep_truncations(LINK_TYPE_RAW, v4_tcp, sizeof(v4_tcp), 20);
}

/*
 * Checksum values depend on checksum.c (another module): kept apart so
 * a failure here points there first.
 */
static void test_header_checksum(void **state)
{
	uint8_t f[sizeof(v4_tcp)];
	struct packet pkt;

	(void)state;
	decode_frame(&pkt, LINK_TYPE_IPV4, v4_tcp, sizeof(v4_tcp));
	assert_int_equal(pkt.ipv4.cksum, CKSUM_GOOD);
	decode_frame(&pkt, LINK_TYPE_IPV4, v4_opts, sizeof(v4_opts));
	assert_int_equal(pkt.ipv4.cksum, CKSUM_GOOD); /* options included */
	decode_frame(&pkt, LINK_TYPE_IPV4, v4_padded, sizeof(v4_padded));
	assert_int_equal(pkt.ipv4.cksum, CKSUM_GOOD);

	memcpy(f, v4_tcp, sizeof(f));
	f[11] ^= 0x01; /* checksum off by one bit */
	decode_frame(&pkt, LINK_TYPE_IPV4, f, sizeof(f));
	assert_int_equal(pkt.ipv4.cksum, CKSUM_BAD);
	memcpy(f, v4_tcp, sizeof(f));
	f[8] = 0x3f; /* TTL changed, checksum not updated */
	decode_frame(&pkt, LINK_TYPE_IPV4, f, sizeof(f));
	assert_int_equal(pkt.ipv4.cksum, CKSUM_BAD);
	/* Without checksums (the analyses): not checked, fields all there. */
	decode_packet_opt(&pkt, LINK_TYPE_IPV4, f, sizeof(f), sizeof(f), false);
	assert_int_equal(pkt.ipv4.cksum, CKSUM_NOT_CHECKED);
	assert_int_equal(pkt.tcp.cksum, CKSUM_NOT_CHECKED);
	assert_int_equal(pkt.ipv4.checksum, 0x9d36);
	assert_int_equal(pkt.ip.ttl, 0x3f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_fields),
		cmocka_unit_test(test_udp_fields),
		cmocka_unit_test(test_raw_link_dispatches_ipv4),
		cmocka_unit_test(test_options_walked),
		cmocka_unit_test(test_option_good_word),
		cmocka_unit_test(test_option_bad_lengths),
		cmocka_unit_test(test_bad_version),
		cmocka_unit_test(test_ihl_below_five),
		cmocka_unit_test(test_total_length_below_ihl),
		cmocka_unit_test(test_total_length_zero_tso),
		cmocka_unit_test(test_total_length_over_frame),
		cmocka_unit_test(test_padding_ignored),
		cmocka_unit_test(test_first_fragment),
		cmocka_unit_test(test_middle_and_last_fragment),
		cmocka_unit_test(test_df_with_fragment),
		cmocka_unit_test(test_reserved_flag_and_zero_ttl),
		cmocka_unit_test(test_cut_inside_header),
		cmocka_unit_test(test_truncation_sweep),
		cmocka_unit_test(test_header_checksum),
	};
	return cmocka_run_group_tests_name("ipv4", tests, NULL, NULL);
}
