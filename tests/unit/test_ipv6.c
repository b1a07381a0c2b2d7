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
 * what IPv6 fills and that decoding got past it.  Next header 253
 * (RFC 3692, experimentation) reaches decode_transport's unsupported
 * branch, which keeps the rest as payload, so payload views can be
 * checked without depending on any transport decoder.
 */

enum { PROTO_EXP = 253 };

/* 2001:db8::1 -> 2001:db8::2, TCP ACK 49153 -> 443. */
static const uint8_t v6_tcp[] = {
	0x6b, 0x81, 0x23, 0x45, /* v6, traffic class 0xb8, flow 0x12345 */
	0x00, 0x14, 0x06, 0x40, /* payload length 20, TCP, hop limit 64 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, /* src 2001:db8:: */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /* ...::1 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, /* dst 2001:db8:: */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, /* ...::2 */
	0xc0, 0x01, 0x01, 0xbb, /* TCP: sport 49153, dport 443 */
	0x00, 0x00, 0x00, 0x0a, /* seq 10 */
	0x00, 0x00, 0x00, 0x00, /* ack 0 */
	0x50, 0x10, 0xfa, 0xf0, /* data offset 5, ACK, window 64240 */
	0x97, 0xa8, 0x00, 0x00, /* checksum (good), urgent 0 */
};

/* The same base header; v6_build() sets payload length, next header. */
static const uint8_t v6_base[40] = {
	0x60, 0x00, 0x00, 0x00, /* v6, traffic class 0, flow 0 */
	0x00, 0x00, 0x00, 0x40, /* payload length, next header, hop 64 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, /* src 2001:db8:: */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /* ...::1 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, /* dst 2001:db8:: */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, /* ...::2 */
};

/* An 8-byte options-style header before 4 bytes of proto 253. */
static const uint8_t body_ext8[] = {
	PROTO_EXP, 0x00, 0x01, 0x04, /* next 253, length 0 (8), PadN 4 */
	0x00, 0x00, 0x00, 0x00,      /* ... PadN data */
	0xde, 0xad, 0xbe, 0xef,      /* 4 payload bytes */
};

/* AH (RFC 4302) with a 96-bit ICV: length 4 means (4 + 2) * 4 = 24. */
static const uint8_t body_ah[] = {
	PROTO_EXP, 0x04, 0x00, 0x00, /* next 253, length 4, reserved */
	0x00, 0x00, 0x10, 0x01,      /* SPI 0x1001 */
	0x00, 0x00, 0x00, 0x07,      /* sequence 7 */
	0x11, 0x11, 0x11, 0x11,      /* ICV ... */
	0x22, 0x22, 0x22, 0x22,
	0x33, 0x33, 0x33, 0x33,      /* ... 12 bytes */
	0xde, 0xad, 0xbe, 0xef,      /* 4 payload bytes */
};

/* HBH -> DstOpts -> Routing -> Fragment (first) -> DstOpts -> UDP. */
static const uint8_t body_chain[] = {
	60, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, /* HBH, PadN */
	43, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, /* DstOpts, PadN */
	44, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, /* Routing: type 4
							 (SRH), 0 left */
	60, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0b, 0xad, /* Frag: offset 0, M,
							 id 0xbad */
	17, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, /* DstOpts, PadN */
	0x1f, 0x90, 0x02, 0x35, /* UDP: sport 8080, dport 565 */
	0x00, 0x08, 0x82, 0xa4, /* length 8, checksum */
};

/* A later fragment: offset 185 * 8 = 1480, M set, 8 data bytes. */
static const uint8_t body_frag_later[] = {
	17, 0x00, 0x05, 0xc9, /* next UDP, reserved, offset 185, M */
	0x00, 0x00, 0x0b, 0xad, /* id 0xbad */
	0x01, 0x02, 0x03, 0x04, /* data from the middle of the datagram */
	0x05, 0x06, 0x07, 0x08,
};

/* RFC 6946 atomic fragment: offset 0, M clear. */
static const uint8_t body_frag_atomic[] = {
	PROTO_EXP, 0x00, 0x00, 0x00, /* next 253, offset 0, M clear */
	0x12, 0x34, 0x56, 0x78,      /* id 0x12345678 */
	0xde, 0xad, 0xbe, 0xef,      /* 4 payload bytes */
};

/* ESP (RFC 4303): SPI, sequence, then ciphertext. */
static const uint8_t body_esp[] = {
	0x00, 0x00, 0x20, 0x02, /* SPI 0x2002 */
	0x00, 0x00, 0x00, 0x01, /* sequence 1 */
	0x9a, 0x7e, 0x31, 0xc4, /* encrypted ... */
	0x55, 0x0f, 0xe2, 0x18,
};

/* DstOpts first, Hop-by-Hop second (RFC 8200 section 4.1 forbids). */
static const uint8_t body_hbh_second[] = {
	0, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,         /* DstOpts */
	PROTO_EXP, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, /* HBH */
	0xde, 0xad, 0xbe, 0xef, /* 4 payload bytes */
};

/* HBH with a Jumbo Payload option (RFC 2675) for a small test frame. */
static const uint8_t body_jumbo_small[] = {
	PROTO_EXP, 0x00, 0xc2, 0x04, /* next 253, length 0, Jumbo, 4 */
	0x00, 0x00, 0x00, 0x0c,      /* jumbo payload length 12 */
	0xde, 0xad, 0xbe, 0xef,      /* 4 payload bytes */
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

static uint8_t frame_buf[70000];

/*
 * v6_base with next header nh, then body; payload length = body length
 * (or plen when it is not -1).  Returns the frame length.
 */
static size_t v6_build(uint8_t nh, const uint8_t *body, size_t body_len,
		       long plen)
{
	size_t len = plen < 0 ? body_len : (size_t)plen;

	assert_true(sizeof(v6_base) + body_len <= sizeof(frame_buf));
	memcpy(frame_buf, v6_base, sizeof(v6_base));
	frame_buf[4] = (uint8_t)(len >> 8);
	frame_buf[5] = (uint8_t)len;
	frame_buf[6] = nh;
	if (body_len > 0)
		memcpy(frame_buf + sizeof(v6_base), body, body_len);
	return sizeof(v6_base) + body_len;
}

static enum decode_status decode_v6(struct packet *pkt, uint8_t nh,
				    const uint8_t *body, size_t body_len)
{
	size_t len = v6_build(nh, body, body_len, -1);

	return decode_frame(pkt, LINK_TYPE_IPV6, frame_buf, len);
}

static void assert_no_ipv6_anomaly(const struct packet *pkt)
{
	for (unsigned i = 0; i < pkt->anomaly_count; i++)
		assert_int_not_equal(packet_anomaly_proto(pkt->anomalies[i]),
				     PROTO_IPV6);
}

static void assert_passed_ipv6(const struct packet *pkt)
{
	assert_true(packet_has(pkt, PROTO_IPV6));
	assert_int_not_equal(pkt->status_proto, PROTO_IPV6);
}

static void assert_stopped(const struct packet *pkt, enum decode_status got,
			   enum decode_status want)
{
	assert_int_equal(got, want);
	assert_int_equal(pkt->status, want);
	assert_int_equal(pkt->status_proto, PROTO_IPV6);
}

static void assert_exp_payload(const struct packet *pkt)
{
	static const uint8_t payload[] = {0xde, 0xad, 0xbe, 0xef};

	assert_int_equal(pkt->ip.proto, PROTO_EXP);
	assert_int_equal(pkt->ip.payload_len, 4);
	assert_int_equal(pkt->payload.len, 4);
	assert_memory_equal(pkt->payload.ptr, payload, 4);
}

static void test_plain_tcp(void **state)
{
	static const uint8_t src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t dst[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
	struct packet pkt;

	(void)state;
	decode_frame(&pkt, LINK_TYPE_IPV6, v6_tcp, sizeof(v6_tcp));
	assert_passed_ipv6(&pkt);
	assert_true(packet_has(&pkt, PROTO_TCP));
	assert_no_ipv6_anomaly(&pkt);
	assert_int_equal(pkt.ip.version, 6);
	assert_int_equal(pkt.ip.src.family, 6);
	assert_memory_equal(pkt.ip.src.bytes, src, 16);
	assert_memory_equal(pkt.ip.dst.bytes, dst, 16);
	assert_int_equal(pkt.ip.proto, IPPROTO_NUM_TCP);
	assert_int_equal(pkt.ip.ttl, 64);
	assert_int_equal(pkt.ipv6.traffic_class, 0xb8);
	assert_int_equal(pkt.ip.dscp, 46);
	assert_int_equal(pkt.ip.ecn, 0);
	assert_int_equal(pkt.ipv6.flow_label, 0x12345);
	assert_int_equal(pkt.ipv6.payload_len, 20);
	assert_int_equal(pkt.ipv6.first_next_header, IPPROTO_NUM_TCP);
	assert_int_equal(pkt.ip.payload_len, 20);
	assert_int_equal(pkt.ip.header.len, 40);
	assert_int_equal(pkt.ipv6.ext_count, 0);
	assert_int_equal(pkt.ipv6.ext_len, 0);
	assert_false(pkt.ip.is_fragment);
}

static void test_raw_link_dispatches_ipv6(void **state)
{
	struct packet pkt;

	(void)state;
	decode_frame(&pkt, LINK_TYPE_RAW, v6_tcp, sizeof(v6_tcp));
	assert_passed_ipv6(&pkt);
	assert_int_equal(pkt.ip.version, 6);
	assert_int_equal(pkt.link.ethertype, ETHERTYPE_IPV6);
}

static void test_bad_version(void **state)
{
	uint8_t f[sizeof(v6_tcp)];
	struct packet pkt;
	enum decode_status st;

	(void)state;
	memcpy(f, v6_tcp, sizeof(f));
	f[0] = 0x4b; /* version 4 nibble on an IPv6 link */
	st = decode_frame(&pkt, LINK_TYPE_IPV6, f, sizeof(f));
	assert_stopped(&pkt, st, DECODE_MALFORMED);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_IPV6_BAD_VERSION));
}

static void test_each_options_style_header(void **state)
{
	static const uint8_t types[] = {
		IPPROTO_NUM_HOPOPTS, IPPROTO_NUM_ROUTING, IPPROTO_NUM_DSTOPTS,
		IPPROTO_NUM_MOBILITY, IPPROTO_NUM_HIP, IPPROTO_NUM_SHIM6,
	};
	struct packet pkt;

	(void)state;
	for (size_t i = 0; i < sizeof(types); i++) {
		decode_v6(&pkt, types[i], body_ext8, sizeof(body_ext8));
		assert_passed_ipv6(&pkt);
		assert_no_ipv6_anomaly(&pkt);
		assert_int_equal(pkt.ipv6.ext_count, 1);
		assert_int_equal(pkt.ipv6.ext_types[0], types[i]);
		assert_int_equal(pkt.ipv6.ext_len, 8);
		assert_int_equal(pkt.ip.header.len, 48);
		assert_memory_equal(pkt.ip.header.ptr, frame_buf, 48);
		assert_exp_payload(&pkt);
	}
}

static void test_ah_length_in_words(void **state)
{
	struct packet pkt;

	(void)state;
	decode_v6(&pkt, IPPROTO_NUM_AH, body_ah, sizeof(body_ah));
	assert_passed_ipv6(&pkt);
	assert_no_ipv6_anomaly(&pkt);
	assert_int_equal(pkt.ipv6.ext_count, 1);
	assert_int_equal(pkt.ipv6.ext_types[0], IPPROTO_NUM_AH);
	assert_int_equal(pkt.ipv6.ext_len, 24);
	assert_exp_payload(&pkt);
}

static void test_chain_with_first_fragment(void **state)
{
	static const uint8_t want[] = {
		IPPROTO_NUM_HOPOPTS, IPPROTO_NUM_DSTOPTS, IPPROTO_NUM_ROUTING,
		IPPROTO_NUM_FRAGMENT, IPPROTO_NUM_DSTOPTS,
	};
	struct packet pkt;

	(void)state;
	decode_v6(&pkt, IPPROTO_NUM_HOPOPTS, body_chain, sizeof(body_chain));
	assert_passed_ipv6(&pkt);
	assert_no_ipv6_anomaly(&pkt);
	assert_int_equal(pkt.ipv6.ext_count, 5);
	assert_memory_equal(pkt.ipv6.ext_types, want, sizeof(want));
	assert_int_equal(pkt.ipv6.ext_len, 40);
	assert_int_equal(pkt.ip.header.len, 80);
	assert_int_equal(pkt.ip.proto, IPPROTO_NUM_UDP);
	assert_int_equal(pkt.ip.payload_len, 8);
	assert_true(pkt.ipv6.has_fragment_header);
	assert_false(pkt.ipv6.atomic_fragment);
	assert_true(pkt.ip.is_fragment);
	assert_true(pkt.ip.is_first_fragment);
	assert_true(pkt.ip.frag_more);
	assert_int_equal(pkt.ip.frag_offset, 0);
	assert_int_equal(pkt.ip.frag_id, 0xbad);
	/* The first fragment holds the transport header: dispatched. */
	assert_true(packet_has(&pkt, PROTO_UDP));
	/* The fragmentable part: the DstOpts after the fragment header
	 * (8 bytes) and the UDP header (8). */
	assert_int_equal(pkt.ip.frag_data.len, 16);
	assert_ptr_equal(pkt.ip.frag_data.ptr, pkt.ip.header.ptr + 72);
}

static void test_later_fragment(void **state)
{
	struct packet pkt;
	enum decode_status st;

	(void)state;
	st = decode_v6(&pkt, IPPROTO_NUM_FRAGMENT, body_frag_later,
		       sizeof(body_frag_later));
	assert_int_equal(st, DECODE_OK);
	assert_no_ipv6_anomaly(&pkt);
	assert_true(pkt.ip.is_fragment);
	assert_false(pkt.ip.is_first_fragment);
	assert_true(pkt.ip.frag_more);
	assert_int_equal(pkt.ip.frag_offset, 1480);
	assert_int_equal(pkt.ip.frag_id, 0xbad);
	assert_int_equal(pkt.ip.proto, IPPROTO_NUM_UDP);
	assert_int_equal(pkt.ip.payload_len, 8);
	/* Data, not a UDP header. */
	assert_false(packet_has(&pkt, PROTO_UDP));
	assert_int_equal(pkt.payload.len, 8);
	assert_int_equal(pkt.ip.frag_data.len, 8);

	/* The last one: M clear. */
	v6_build(IPPROTO_NUM_FRAGMENT, body_frag_later,
		 sizeof(body_frag_later), -1);
	frame_buf[43] = 0xc8; /* offset 185, M clear */
	st = decode_frame(&pkt, LINK_TYPE_IPV6, frame_buf, 56);
	assert_int_equal(st, DECODE_OK);
	assert_true(pkt.ip.is_fragment);
	assert_false(pkt.ip.frag_more);
	assert_int_equal(pkt.ip.frag_offset, 1480);
}

static void test_later_fragment_hides_headers(void **state)
{
	/* A later fragment whose data happen to look like a DstOpts. */
	static const uint8_t body[] = {
		60, 0x00, 0x00, 0x09, /* next DstOpts, offset 1, M */
		0x00, 0x00, 0x00, 0x01, /* id 1 */
		0x00, 0xff, 0x00, 0x00, /* data, not a header: len 255 */
		0x00, 0x00, 0x00, 0x00,
	};
	struct packet pkt;
	enum decode_status st;

	(void)state;
	st = decode_v6(&pkt, IPPROTO_NUM_FRAGMENT, body, sizeof(body));
	assert_int_equal(st, DECODE_OK);
	assert_no_ipv6_anomaly(&pkt);
	assert_int_equal(pkt.ipv6.ext_count, 1);
	assert_int_equal(pkt.ip.proto, IPPROTO_NUM_DSTOPTS);
	assert_int_equal(pkt.ip.frag_offset, 8);
	assert_int_equal(pkt.payload.len, 8);
}

static void test_atomic_fragment(void **state)
{
	struct packet pkt;

	(void)state;
	decode_v6(&pkt, IPPROTO_NUM_FRAGMENT, body_frag_atomic,
		  sizeof(body_frag_atomic));
	assert_passed_ipv6(&pkt);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_IPV6_ATOMIC_FRAGMENT));
	assert_true(pkt.ipv6.has_fragment_header);
	assert_true(pkt.ipv6.atomic_fragment);
	assert_false(pkt.ip.is_fragment);
	assert_false(pkt.ip.is_first_fragment);
	assert_int_equal(pkt.ip.frag_id, 0x12345678);
	assert_exp_payload(&pkt);
}

static void test_esp_is_unsupported(void **state)
{
	struct packet pkt;
	enum decode_status st;

	(void)state;
	st = decode_v6(&pkt, IPPROTO_NUM_ESP, body_esp, sizeof(body_esp));
	assert_int_equal(st, DECODE_UNSUPPORTED);
	assert_no_ipv6_anomaly(&pkt);
	assert_int_equal(pkt.ip.proto, IPPROTO_NUM_ESP);
	assert_int_equal(pkt.ipv6.ext_count, 0);
	assert_int_equal(pkt.ip.payload_len, 16);
	assert_int_equal(pkt.payload.len, 16);
}

static void test_no_next_header(void **state)
{
	struct packet pkt;
	enum decode_status st;

	(void)state;
	/* RFC 8200 section 4.7: the 4 bytes after it are ignored. */
	st = decode_v6(&pkt, IPPROTO_NUM_NONE, body_ext8 + 8, 4);
	assert_stopped(&pkt, st, DECODE_OK);
	assert_no_ipv6_anomaly(&pkt);
	assert_int_equal(pkt.ip.proto, IPPROTO_NUM_NONE);
	assert_int_equal(pkt.payload.len, 0);
	assert_int_equal(pkt.payload_wire_len, 0);

	/* Payload length 0 and Ethernet padding after: still nothing. */
	v6_build(IPPROTO_NUM_NONE, body_ext8 + 8, 4, 0);
	st = decode_frame(&pkt, LINK_TYPE_IPV6, frame_buf, 44);
	assert_stopped(&pkt, st, DECODE_OK);
	assert_int_equal(pkt.ip.payload_len, 0);
}

static void test_hbh_not_first(void **state)
{
	struct packet pkt;

	(void)state;
	decode_v6(&pkt, IPPROTO_NUM_DSTOPTS, body_hbh_second,
		  sizeof(body_hbh_second));
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_IPV6_HOPOPT_NOT_FIRST));
	/* Noted, not fatal. */
	assert_passed_ipv6(&pkt);
	assert_int_equal(pkt.ipv6.ext_count, 2);
	assert_exp_payload(&pkt);
}

/* n DstOpts headers in a row, then 4 bytes of proto 253. */
static size_t build_dstopts_chain(unsigned n)
{
	uint8_t body[8 * 20 + 4];
	size_t len = 0;

	assert_true(n <= 20);
	for (unsigned i = 0; i < n; i++) {
		/* next DstOpts (253 for the last), length 0, PadN 4 */
		memcpy(body + len, body_ext8, 8);
		body[len] = i + 1 < n ? IPPROTO_NUM_DSTOPTS : PROTO_EXP;
		len += 8;
	}
	memcpy(body + len, body_ext8 + 8, 4);
	return v6_build(IPPROTO_NUM_DSTOPTS, body, len + 4, -1);
}

static void test_chain_length_guard(void **state)
{
	struct packet pkt;
	enum decode_status st;
	size_t len;

	(void)state;
	len = build_dstopts_chain(PACKET_MAX_IPV6_EXT);
	decode_frame(&pkt, LINK_TYPE_IPV6, frame_buf, len);
	assert_passed_ipv6(&pkt);
	assert_int_equal(pkt.ipv6.ext_count, PACKET_MAX_IPV6_EXT);
	assert_exp_payload(&pkt);

	/*
	 * Longer chains are noted once and still walked to the upper layer
	 * (each header consumes 8 bytes, so the walk always ends), as
	 * Wireshark does; only the first PACKET_MAX_IPV6_EXT types are kept.
	 */
	len = build_dstopts_chain(PACKET_MAX_IPV6_EXT + 1);
	st = decode_frame(&pkt, LINK_TYPE_IPV6, frame_buf, len);
	assert_int_equal(st, DECODE_UNSUPPORTED);
	assert_passed_ipv6(&pkt);
	assert_true(packet_has_anomaly(&pkt,
				       PKT_ANOM_IPV6_EXT_CHAIN_TOO_LONG));
	assert_int_equal(pkt.ipv6.ext_count, PACKET_MAX_IPV6_EXT + 1);
	assert_int_equal(pkt.ip.header.len, 40 + 8 * (PACKET_MAX_IPV6_EXT + 1));
	assert_exp_payload(&pkt);

	len = build_dstopts_chain(20);
	st = decode_frame(&pkt, LINK_TYPE_IPV6, frame_buf, len);
	assert_int_equal(st, DECODE_UNSUPPORTED);
	assert_int_equal(pkt.anomaly_count, 1);
	assert_int_equal(pkt.ipv6.ext_count, 20);
	assert_exp_payload(&pkt);
}

/*
 * RFC 8200 section 8.1: the TCP checksum covers the final destination.
 * v6_tcp's segment is checksummed for 2001:db8::2; here the packet is on
 * its way to a middle segment, 2001:db8::99, with ::2 still to come.
 */
static void test_routing_header_final_destination(void **state)
{
	uint8_t body[24 + 20];
	struct packet pkt;
	size_t len;

	(void)state;
	/* SRH: next TCP, length 2 (24 bytes), type 4, segments left 1,
	 * last entry 0, flags 0, tag 0, Segment List[0] = 2001:db8::2. */
	memset(body, 0, sizeof(body));
	body[0] = IPPROTO_NUM_TCP;
	body[1] = 2;
	body[2] = 4;
	body[3] = 1;
	memcpy(body + 8, v6_tcp + 24, 16);
	memcpy(body + 24, v6_tcp + 40, 20);
	len = v6_build(IPPROTO_NUM_ROUTING, body, sizeof(body), -1);
	frame_buf[39] = 0x99; /* dst 2001:db8::99 */
	decode_frame(&pkt, LINK_TYPE_IPV6, frame_buf, len);
	assert_true(pkt.ip.has_final_dst);
	assert_memory_equal(pkt.ip.final_dst, v6_tcp + 24, 16);
	assert_int_equal(pkt.tcp.cksum, CKSUM_GOOD);
	/* No segments left: the destination is dst itself, and the
	 * segment's checksum (made for ::2) no longer matches. */
	frame_buf[40 + 3] = 0;
	decode_frame(&pkt, LINK_TYPE_IPV6, frame_buf, len);
	assert_false(pkt.ip.has_final_dst);
	assert_int_equal(pkt.tcp.cksum, CKSUM_BAD);
}

static void assert_ext_bad_length(uint8_t nh, const uint8_t *body,
				  size_t len)
{
	struct packet pkt;
	enum decode_status st;

	st = decode_v6(&pkt, nh, body, len);
	assert_stopped(&pkt, st, DECODE_MALFORMED);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_IPV6_EXT_BAD_LENGTH));
}

static void test_ext_length_overrun(void **state)
{
	/* DstOpts length 1 = 16 bytes, only 8 in the payload. */
	static const uint8_t dst16[] = {
		PROTO_EXP, 0x01, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
	};
	/* AH length 10 = 48 bytes, only 8 in the payload. */
	static const uint8_t ah48[] = {
		PROTO_EXP, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x10, 0x01,
	};
	/* Fragment header needs 8 bytes: 4 here. */
	static const uint8_t frag4[] = {PROTO_EXP, 0x00, 0x00, 0x01};
	/* Not even next header and length: 1 byte. */
	static const uint8_t one[] = {PROTO_EXP};

	(void)state;
	assert_ext_bad_length(IPPROTO_NUM_DSTOPTS, dst16, sizeof(dst16));
	assert_ext_bad_length(IPPROTO_NUM_AH, ah48, sizeof(ah48));
	assert_ext_bad_length(IPPROTO_NUM_FRAGMENT, frag4, sizeof(frag4));
	assert_ext_bad_length(IPPROTO_NUM_ROUTING, one, sizeof(one));
	/* Payload length 0 (no bytes at all) after the base header. */
	assert_ext_bad_length(IPPROTO_NUM_DSTOPTS, one, 0);
}

static void test_ext_cut_by_capture(void **state)
{
	struct packet pkt;
	enum decode_status st;
	size_t len;

	(void)state;
	/* The chain captured up to the middle of its Routing header. */
	len = v6_build(IPPROTO_NUM_HOPOPTS, body_chain, sizeof(body_chain),
		       -1);
	st = unit_decode_exact(&pkt, LINK_TYPE_IPV6, frame_buf, 60, len);
	assert_stopped(&pkt, st, DECODE_TRUNCATED);
	assert_no_ipv6_anomaly(&pkt);
	assert_int_equal(pkt.ipv6.ext_count, 2);
	assert_int_equal(pkt.ip.header.len, 56);
}

static void test_jumbogram(void **state)
{
	/* HBH with Jumbo Payload: 8 + 65536 bytes after the base header. */
	static const uint8_t hbh[] = {
		PROTO_EXP, 0x00, 0xc2, 0x04, /* next 253, length 0, Jumbo */
		0x00, 0x01, 0x00, 0x08,      /* jumbo payload length 65544 */
	};
	struct packet pkt;
	size_t len;

	(void)state;
	memset(frame_buf, 0x5a, sizeof(frame_buf));
	len = v6_build(IPPROTO_NUM_HOPOPTS, hbh, sizeof(hbh), 0) + 65536;
	decode_frame(&pkt, LINK_TYPE_IPV6, frame_buf, len);
	assert_passed_ipv6(&pkt);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_IPV6_JUMBOGRAM));
	assert_false(packet_has_anomaly(
		&pkt, PKT_ANOM_IPV6_PAYLOAD_LENGTH_OVER_FRAME));
	assert_int_equal(pkt.ipv6.payload_len, 0);
	assert_int_equal(pkt.ip.payload_len, 65536);
	assert_int_equal(pkt.payload.len, 65536);

	/* The option claims more than the frame has. */
	frame_buf[45] = 0x02; /* jumbo payload length 131080 */
	decode_frame(&pkt, LINK_TYPE_IPV6, frame_buf, len);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_IPV6_JUMBOGRAM));
	assert_true(packet_has_anomaly(
		&pkt, PKT_ANOM_IPV6_PAYLOAD_LENGTH_OVER_FRAME));
	assert_int_equal(pkt.status, DECODE_MALFORMED);
	assert_int_equal(pkt.payload.len, 65536);

	/* A Jumbo option with a non-zero payload length is not used. */
	decode_v6(&pkt, IPPROTO_NUM_HOPOPTS, body_jumbo_small,
		  sizeof(body_jumbo_small));
	assert_false(packet_has_anomaly(&pkt, PKT_ANOM_IPV6_JUMBOGRAM));
	assert_exp_payload(&pkt);
}

static void test_zero_length_big_tcp(void **state)
{
	struct packet pkt;

	(void)state;
	/* Payload length 0, no Hop-by-Hop: length from the frame. */
	memcpy(frame_buf, v6_tcp, sizeof(v6_tcp));
	frame_buf[4] = 0;
	frame_buf[5] = 0;
	decode_frame(&pkt, LINK_TYPE_IPV6, frame_buf, sizeof(v6_tcp));
	assert_passed_ipv6(&pkt);
	assert_no_ipv6_anomaly(&pkt);
	assert_int_equal(pkt.ip.payload_len, 20);
	assert_true(packet_has(&pkt, PROTO_TCP));
}

static void test_payload_length_over_frame(void **state)
{
	struct packet pkt;
	enum decode_status st;
	size_t len;

	(void)state;
	len = v6_build(PROTO_EXP, body_ext8 + 8, 4, 100);
	st = decode_frame(&pkt, LINK_TYPE_IPV6, frame_buf, len);
	assert_stopped(&pkt, st, DECODE_MALFORMED);
	assert_true(packet_has_anomaly(
		&pkt, PKT_ANOM_IPV6_PAYLOAD_LENGTH_OVER_FRAME));
	/* Carried on with what is there. */
	assert_int_equal(pkt.ip.proto, PROTO_EXP);
	assert_int_equal(pkt.ip.payload_len, 100);
	assert_int_equal(pkt.payload.len, 4);

	/* An extension header inside the declared length but past the
	 * frame: malformed, without blaming the header's own length. */
	len = v6_build(IPPROTO_NUM_DSTOPTS, body_ext8, 4, 12);
	st = decode_frame(&pkt, LINK_TYPE_IPV6, frame_buf, len);
	assert_stopped(&pkt, st, DECODE_MALFORMED);
	assert_false(packet_has_anomaly(&pkt, PKT_ANOM_IPV6_EXT_BAD_LENGTH));
}

static void test_padding_ignored(void **state)
{
	static const uint8_t padded[] = {
		0xde, 0xad, 0xbe, 0xef, /* 4 payload bytes */
		0x00, 0x00, 0x00, 0x00, /* link padding */
		0x00, 0x00,
	};
	struct packet pkt;
	size_t len;

	(void)state;
	len = v6_build(PROTO_EXP, padded, sizeof(padded), 4);
	decode_frame(&pkt, LINK_TYPE_IPV6, frame_buf, len);
	assert_passed_ipv6(&pkt);
	assert_no_ipv6_anomaly(&pkt);
	assert_exp_payload(&pkt);
	assert_int_equal(pkt.payload_wire_len, 4);
}

static void sweep_body(uint8_t nh, const uint8_t *body, size_t len,
		       size_t hdr_end)
{
	size_t flen = v6_build(nh, body, len, -1);
	uint8_t copy[256];

	assert_true(flen <= sizeof(copy));
	memcpy(copy, frame_buf, flen);
	unit_sweep_truncations(LINK_TYPE_IPV6, copy, flen, hdr_end);
}

static void test_truncation_sweep(void **state)
{
	(void)state;
	unit_sweep_truncations(LINK_TYPE_IPV6, v6_tcp, sizeof(v6_tcp), 40);
	unit_sweep_truncations(LINK_TYPE_RAW, v6_tcp, sizeof(v6_tcp), 40);
	sweep_body(IPPROTO_NUM_HOPOPTS, body_chain, sizeof(body_chain), 80);
	sweep_body(IPPROTO_NUM_AH, body_ah, sizeof(body_ah), 64);
	sweep_body(IPPROTO_NUM_FRAGMENT, body_frag_later,
		   sizeof(body_frag_later), 48);
	sweep_body(IPPROTO_NUM_FRAGMENT, body_frag_atomic,
		   sizeof(body_frag_atomic), 48);
	sweep_body(IPPROTO_NUM_ESP, body_esp, sizeof(body_esp), 40);
	sweep_body(IPPROTO_NUM_NONE, body_esp, sizeof(body_esp), 40);
	sweep_body(IPPROTO_NUM_DSTOPTS, body_hbh_second,
		   sizeof(body_hbh_second), 56);
	/* Jumbo option with a non-zero payload length: not a jumbogram. */
	sweep_body(IPPROTO_NUM_HOPOPTS, body_jumbo_small,
		   sizeof(body_jumbo_small), 48);
}

static void test_truncation_sweep_jumbo(void **state)
{
	uint8_t copy[sizeof(v6_base) + sizeof(body_jumbo_small)];
	size_t len;

	(void)state;
	len = v6_build(IPPROTO_NUM_HOPOPTS, body_jumbo_small,
		       sizeof(body_jumbo_small), 0);
	memcpy(copy, frame_buf, len);
	unit_sweep_truncations(LINK_TYPE_IPV6, copy, len, 48);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_tcp),
		cmocka_unit_test(test_raw_link_dispatches_ipv6),
		cmocka_unit_test(test_bad_version),
		cmocka_unit_test(test_each_options_style_header),
		cmocka_unit_test(test_ah_length_in_words),
		cmocka_unit_test(test_chain_with_first_fragment),
		cmocka_unit_test(test_later_fragment),
		cmocka_unit_test(test_later_fragment_hides_headers),
		cmocka_unit_test(test_atomic_fragment),
		cmocka_unit_test(test_esp_is_unsupported),
		cmocka_unit_test(test_no_next_header),
		cmocka_unit_test(test_hbh_not_first),
		cmocka_unit_test(test_chain_length_guard),
		cmocka_unit_test(test_routing_header_final_destination),
		cmocka_unit_test(test_ext_length_overrun),
		cmocka_unit_test(test_ext_cut_by_capture),
		cmocka_unit_test(test_jumbogram),
		cmocka_unit_test(test_zero_length_big_tcp),
		cmocka_unit_test(test_payload_length_over_frame),
		cmocka_unit_test(test_padding_ignored),
		cmocka_unit_test(test_truncation_sweep),
		cmocka_unit_test(test_truncation_sweep_jumbo),
	};
	return cmocka_run_group_tests_name("ipv6", tests, NULL, NULL);
}
