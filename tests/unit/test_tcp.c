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
 * The IP dissectors fill pkt->ip before calling tcp_decode(); these tests
 * fill it by hand: 192.0.2.1 -> 198.51.100.2, or 2001:db8::1 ->
 * 2001:db8::2, with payload_len the segment's length on the wire.
 */
static void tcp_test_ip(struct packet *pkt, uint8_t version,
			uint32_t payload_len)
{
	static const uint8_t v4_src[4] = { 192, 0, 2, 1 };
	static const uint8_t v4_dst[4] = { 198, 51, 100, 2 };
	static const uint8_t v6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t v6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

	unit_transport_ip(pkt, version, IPPROTO_NUM_TCP,
			  version == 4 ? v4_src : v6_src,
			  version == 4 ? v4_dst : v6_dst, payload_len);
}

/*
 * Decodes seg[0..cap) of a segment that was wire bytes long, from a heap
 * copy of exactly cap bytes so ASan catches any over-read.  The copy is
 * returned in *keep (views point into it); the caller frees it.
 */
static enum decode_status tcp_run_keep(struct packet *pkt, const uint8_t *seg,
				       size_t cap, size_t wire,
				       uint8_t version, uint8_t **keep)
{
	uint8_t *copy = malloc(cap > 0 ? cap : 1);
	struct cursor c;

	assert_non_null(copy);
	if (cap > 0)
		memcpy(copy, seg, cap);
	tcp_test_ip(pkt, version, (uint32_t)wire);
	cursor_init(&c, copy, cap, wire);
	*keep = copy;
	return tcp_decode(&c, pkt);
}

static enum decode_status tcp_run(struct packet *pkt, const uint8_t *seg,
				  size_t cap, size_t wire, uint8_t version)
{
	uint8_t *copy;
	enum decode_status st = tcp_run_keep(pkt, seg, cap, wire, version,
					     &copy);

	free(copy);
	pkt->payload.ptr = NULL; /* dangling now */
	pkt->tcp.options.ptr = NULL;
	return st;
}

/*
 * An ACK from 192.0.2.1:40000 to 198.51.100.2:80 with the given flags
 * and options (a multiple of 4 bytes, at most 40), checksum not filled.
 */
static enum decode_status tcp_run_opts(struct packet *pkt, uint8_t flags,
				       const uint8_t *opts, size_t len)
{
	uint8_t seg[60] = {
		0x9c, 0x40, 0x00, 0x50, /* sport 40000, dport 80 */
		0x00, 0x00, 0x03, 0xe8, /* seq 1000 */
		0x00, 0x00, 0x00, 0x01, /* ack 1 */
		0x50, 0x10, 0xff, 0xff, /* offset (set below), ACK, win 65535 */
		0x00, 0x00, 0x00, 0x00, /* checksum (wrong), urgent 0 */
	};

	assert_true(len % 4 == 0 && len <= 40);
	seg[12] = (uint8_t)(((20 + len) / 4) << 4);
	seg[13] = flags;
	if (len > 0)
		memcpy(seg + 20, opts, len);
	return tcp_run(pkt, seg, 20 + len, 20 + len, 4);
}

/* Only these anomalies (and no others) were raised. */
static void tcp_assert_anomalies(const struct packet *pkt, unsigned n, ...)
{
	va_list ap;

	assert_int_equal(pkt->anomaly_count, n);
	va_start(ap, n);
	for (unsigned i = 0; i < n; i++)
		assert_true(packet_has_anomaly(pkt, va_arg(ap, int)));
	va_end(ap);
}

/* A Linux 6.x SYN: MSS, SACK-permitted, timestamps, NOP, window scale. */
static const uint8_t linux_syn_v4[40] = {
	0x9c, 0x40, 0x00, 0x50, /* sport 40000, dport 80 */
	0x00, 0x00, 0x03, 0xe8, /* seq 1000 */
	0x00, 0x00, 0x00, 0x00, /* ack 0 */
	0xa0, 0x02, 0xfa, 0xf0, /* offset 10 (40 bytes), SYN, window 64240 */
	0xbf, 0xfb, 0x00, 0x00, /* checksum over 192.0.2.1 -> 198.51.100.2 */
	0x02, 0x04, 0x05, 0xb4, /* MSS 1460 */
	0x04, 0x02, 0x08, 0x0a, /* SACK permitted; timestamps kind, len */
	0x00, 0x00, 0x00, 0x64, /* TSval 100 */
	0x00, 0x00, 0x00, 0x00, /* TSecr 0 */
	0x01, 0x03, 0x03, 0x07, /* NOP, window scale 7 */
};

/* ACK|PSH, NOP NOP timestamps, 5 bytes "hello": an odd-length segment. */
static const uint8_t data_v4[37] = {
	0x9c, 0x40, 0x00, 0x50, /* sport 40000, dport 80 */
	0x00, 0x00, 0x03, 0xe9, /* seq 1001 */
	0x00, 0x00, 0xc3, 0x51, /* ack 50001 */
	0x80, 0x18, 0x01, 0xf6, /* offset 8 (32 bytes), ACK PSH, window 502 */
	0xde, 0x80, 0x00, 0x00, /* checksum over 192.0.2.1 -> 198.51.100.2 */
	0x01, 0x01, 0x08, 0x0a, /* NOP, NOP, timestamps kind, len */
	0x00, 0x00, 0x00, 0x65, /* TSval 101 */
	0x00, 0x00, 0x02, 0x00, /* TSecr 512 */
	'h', 'e', 'l', 'l', 'o', /* payload */
};

static void test_linux_syn(void **state)
{
	struct packet pkt;
	const struct packet_tcp *t = &pkt.tcp;

	(void)state;
	assert_int_equal(tcp_run(&pkt, linux_syn_v4, 40, 40, 4), DECODE_OK);
	assert_true(packet_has(&pkt, PROTO_TCP));
	assert_int_equal(t->sport, 40000);
	assert_int_equal(t->dport, 80);
	assert_int_equal(t->seq, 1000);
	assert_int_equal(t->ack, 0);
	assert_int_equal(t->data_offset, 40);
	assert_int_equal(t->flags, TCP_FLAG_SYN);
	assert_int_equal(t->reserved, 0);
	assert_int_equal(t->window, 64240);
	assert_int_equal(t->checksum, 0xbffb);
	assert_int_equal(t->cksum, CKSUM_GOOD);
	assert_int_equal(t->urgent, 0);
	assert_int_equal(t->opts_present,
			 TCP_OPT_HAS_MSS | TCP_OPT_HAS_SACK_PERM |
			 TCP_OPT_HAS_TIMESTAMP | TCP_OPT_HAS_NOP |
			 TCP_OPT_HAS_WSCALE);
	assert_int_equal(t->mss, 1460);
	assert_int_equal(t->ts_val, 100);
	assert_int_equal(t->ts_ecr, 0);
	assert_int_equal(t->wscale, 7);
	assert_int_equal(t->options.len, 20);
	assert_int_equal(pkt.payload.len, 0);
	assert_int_equal(pkt.payload_wire_len, 0);
	tcp_assert_anomalies(&pkt, 0);
}

static void test_payload_and_padding(void **state)
{
	/* data_v4 followed by 6 bytes of Ethernet padding. */
	uint8_t padded[43] = { 0 };
	struct packet pkt;
	struct cursor c;
	uint8_t *copy;

	(void)state;
	assert_int_equal(tcp_run_keep(&pkt, data_v4, 37, 37, 4, &copy),
			 DECODE_OK);
	assert_int_equal(pkt.tcp.data_offset, 32);
	assert_int_equal(pkt.tcp.flags, TCP_FLAG_ACK | TCP_FLAG_PSH);
	assert_int_equal(pkt.tcp.ts_ecr, 512);
	assert_int_equal(pkt.tcp.cksum, CKSUM_GOOD);
	assert_int_equal(pkt.payload.len, 5);
	assert_int_equal(pkt.payload_wire_len, 5);
	assert_memory_equal(pkt.payload.ptr, "hello", 5);
	free(copy);

	/* The cursor holds the padding; the IP layer said 37 bytes. */
	memcpy(padded, data_v4, 37);
	copy = malloc(sizeof(padded));
	assert_non_null(copy);
	memcpy(copy, padded, sizeof(padded));
	tcp_test_ip(&pkt, 4, 37);
	cursor_init(&c, copy, sizeof(padded), sizeof(padded));
	assert_int_equal(tcp_decode(&c, &pkt), DECODE_OK);
	assert_int_equal(pkt.payload.len, 5);
	assert_int_equal(pkt.payload_wire_len, 5);
	assert_int_equal(pkt.tcp.cksum, CKSUM_GOOD);
	free(copy);
}

static void test_checksum_v4_v6(void **state)
{
	uint8_t seg[40];
	uint8_t data[37];
	struct packet pkt;

	(void)state;
	/* Same SYN over 2001:db8::1 -> 2001:db8::2: checksum 0x50be. */
	memcpy(seg, linux_syn_v4, 40);
	seg[16] = 0x50;
	seg[17] = 0xbe;
	tcp_run(&pkt, seg, 40, 40, 6);
	assert_int_equal(pkt.tcp.cksum, CKSUM_GOOD);
	/* ... which is wrong over IPv4. */
	tcp_run(&pkt, seg, 40, 40, 4);
	assert_int_equal(pkt.tcp.cksum, CKSUM_BAD);
	/* Odd-length data over IPv6: checksum 0x6f43. */
	memcpy(data, data_v4, 37);
	data[16] = 0x6f;
	data[17] = 0x43;
	tcp_run(&pkt, data, 37, 37, 6);
	assert_int_equal(pkt.tcp.cksum, CKSUM_GOOD);
	/* One payload bit flipped. */
	memcpy(data, data_v4, 37);
	data[36] ^= 0x01;
	tcp_run(&pkt, data, 37, 37, 4);
	assert_int_equal(pkt.tcp.cksum, CKSUM_BAD);
}

static void test_checksum_offloaded(void **state)
{
	/*
	 * Captured on the sender with checksum offload: the field holds
	 * the folded pseudo-header sum (Linux), or its complement.
	 */
	static const struct {
		uint8_t version;
		uint16_t field;
	} cases[] = {
		{ 4, 0xec65 }, /* 192.0.2.1 -> 198.51.100.2, proto 6, len 40 */
		{ 4, 0x139a }, /* its complement */
		{ 6, 0x5ba3 }, /* 2001:db8::1 -> 2001:db8::2, len 40 */
	};
	uint8_t seg[40];
	struct packet pkt;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(seg, linux_syn_v4, 40);
		seg[16] = (uint8_t)(cases[i].field >> 8);
		seg[17] = (uint8_t)cases[i].field;
		tcp_run(&pkt, seg, 40, 40, cases[i].version);
		assert_int_equal(pkt.tcp.cksum, CKSUM_BAD_OFFLOADED);
	}
}

static void test_checksum_unverifiable(void **state)
{
	struct packet pkt;
	uint8_t *copy;
	struct cursor c;

	(void)state;
	/* Snaplen cut two payload bytes: the header is whole. */
	assert_int_equal(tcp_run(&pkt, data_v4, 35, 37, 4), DECODE_OK);
	assert_int_equal(pkt.tcp.cksum, CKSUM_UNVERIFIABLE);
	assert_int_equal(pkt.payload.len, 3);
	assert_int_equal(pkt.payload_wire_len, 5);
	tcp_assert_anomalies(&pkt, 0);
	/* A first fragment: the rest of the segment is elsewhere. */
	copy = malloc(37);
	assert_non_null(copy);
	memcpy(copy, data_v4, 37);
	tcp_test_ip(&pkt, 4, 37);
	pkt.ip.is_fragment = pkt.ip.is_first_fragment = true;
	cursor_init(&c, copy, 37, 37);
	assert_int_equal(tcp_decode(&c, &pkt), DECODE_OK);
	assert_int_equal(pkt.tcp.cksum, CKSUM_UNVERIFIABLE);
	free(copy);
}

/* Cut at every byte of a header with options. */
static void test_truncation_sweep(void **state)
{
	struct packet pkt;

	(void)state;
	for (size_t cut = 0; cut < 40; cut++) {
		/* Snaplen: the bytes were on the wire. */
		assert_int_equal(tcp_run(&pkt, linux_syn_v4, cut, 40, 4),
				 DECODE_TRUNCATED);
		assert_int_equal(pkt.status, DECODE_TRUNCATED);
		assert_int_equal(pkt.status_proto, PROTO_TCP);
		assert_true(packet_has(&pkt, PROTO_TCP));
		if (cut >= 20) {
			assert_int_equal(pkt.tcp.dport, 80);
			assert_int_equal(pkt.tcp.cksum, CKSUM_UNVERIFIABLE);
			tcp_assert_anomalies(&pkt, 1, PKT_ANOM_TCP_OPT_TRUNCATED);
			assert_int_equal(pkt.tcp.options.len, cut - 20);
		}
		/* Options before the cut are kept. */
		assert_int_equal(pkt.tcp.mss, cut >= 24 ? 1460 : 0);
		assert_int_equal(!!(pkt.tcp.opts_present & TCP_OPT_HAS_SACK_PERM),
				 cut >= 26);
		assert_int_equal(pkt.tcp.ts_val, cut >= 36 ? 100 : 0);
		/* Really that short: malformed, never truncated. */
		assert_int_equal(tcp_run(&pkt, linux_syn_v4, cut, cut, 4),
				 DECODE_MALFORMED);
		if (cut >= 20)
			tcp_assert_anomalies(&pkt, 1,
					     PKT_ANOM_TCP_BAD_DATA_OFFSET);
	}
	assert_int_equal(tcp_run(&pkt, linux_syn_v4, 40, 40, 4), DECODE_OK);
}

static void test_bad_data_offset(void **state)
{
	uint8_t seg[40];
	struct packet pkt;

	(void)state;
	/* Offsets 0..4 words are shorter than the fixed header. */
	for (uint8_t words = 0; words < 5; words++) {
		memcpy(seg, linux_syn_v4, 40);
		seg[12] = (uint8_t)(words << 4);
		assert_int_equal(tcp_run(&pkt, seg, 40, 40, 4),
				 DECODE_MALFORMED);
		assert_int_equal(pkt.tcp.data_offset, words * 4);
		assert_int_equal(pkt.status_proto, PROTO_TCP);
		tcp_assert_anomalies(&pkt, 1, PKT_ANOM_TCP_BAD_DATA_OFFSET);
	}
	/* 15 words (60 bytes) in a 40-byte segment. */
	memcpy(seg, linux_syn_v4, 40);
	seg[12] = 0xf0;
	assert_int_equal(tcp_run(&pkt, seg, 40, 40, 4), DECODE_MALFORMED);
	tcp_assert_anomalies(&pkt, 1, PKT_ANOM_TCP_BAD_DATA_OFFSET);
	/* Same, but only 30 bytes captured: still malformed. */
	assert_int_equal(tcp_run(&pkt, seg, 30, 40, 4), DECODE_MALFORMED);
	/* 6 words in a bare 20-byte header. */
	memcpy(seg, linux_syn_v4, 20);
	seg[12] = 0x60;
	assert_int_equal(tcp_run(&pkt, seg, 20, 20, 4), DECODE_MALFORMED);
	tcp_assert_anomalies(&pkt, 1, PKT_ANOM_TCP_BAD_DATA_OFFSET);
}

static void test_flag_combinations(void **state)
{
	static const struct {
		uint8_t flags;
		bool bad;
	} cases[] = {
		{ TCP_FLAG_SYN, false },
		{ TCP_FLAG_SYN | TCP_FLAG_ACK, false },
		{ TCP_FLAG_SYN | TCP_FLAG_ECE | TCP_FLAG_CWR, false }, /* ECN setup */
		{ TCP_FLAG_ACK, false },
		{ TCP_FLAG_ACK | TCP_FLAG_PSH, false },
		{ TCP_FLAG_FIN | TCP_FLAG_ACK, false },
		{ TCP_FLAG_RST, false },
		{ TCP_FLAG_RST | TCP_FLAG_ACK, false },
		{ TCP_FLAG_ACK | TCP_FLAG_URG | TCP_FLAG_PSH, false },
		{ TCP_FLAG_SYN | TCP_FLAG_FIN, true },
		{ TCP_FLAG_SYN | TCP_FLAG_RST, true },
		{ TCP_FLAG_SYN | TCP_FLAG_RST | TCP_FLAG_ACK, true },
		{ 0, true },                                           /* NULL scan */
		{ TCP_FLAG_ECE | TCP_FLAG_CWR, true },                 /* no classic flag */
		{ TCP_FLAG_FIN | TCP_FLAG_URG | TCP_FLAG_PSH, true },  /* Xmas */
		{ TCP_FLAG_FIN, true },                                /* FIN scan */
		{ 0xff, true },
	};
	struct packet pkt;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(tcp_run_opts(&pkt, cases[i].flags, NULL, 0),
				 DECODE_OK);
		assert_int_equal(pkt.tcp.flags, cases[i].flags);
		assert_int_equal(packet_has_anomaly(
				 &pkt, PKT_ANOM_TCP_BAD_FLAG_COMBINATION),
				 cases[i].bad);
		assert_int_equal(pkt.anomaly_count, cases[i].bad ? 1 : 0);
	}
}

static void test_reserved_bits_and_ports(void **state)
{
	uint8_t seg[40];
	struct packet pkt;

	(void)state;
	/* Offset 5, AE (AccECN, RFC 9768) set: kept, and noted. */
	memcpy(seg, linux_syn_v4, 20);
	seg[12] = 0x51;
	assert_int_equal(tcp_run(&pkt, seg, 20, 20, 4), DECODE_OK);
	assert_int_equal(pkt.tcp.reserved, 0x01);
	assert_int_equal(pkt.tcp.data_offset, 20);
	tcp_assert_anomalies(&pkt, 1, PKT_ANOM_TCP_RESERVED_BITS);
	/* All four reserved bits. */
	seg[12] = 0x5f;
	tcp_run(&pkt, seg, 20, 20, 4);
	assert_int_equal(pkt.tcp.reserved, 0x0f);
	/* Source port 0, then destination port 0. */
	memcpy(seg, linux_syn_v4, 20);
	seg[12] = 0x50;
	seg[0] = seg[1] = 0;
	tcp_run(&pkt, seg, 20, 20, 4);
	tcp_assert_anomalies(&pkt, 1, PKT_ANOM_TCP_PORT_ZERO);
	memcpy(seg, linux_syn_v4, 20);
	seg[12] = 0x50;
	seg[2] = seg[3] = 0;
	tcp_run(&pkt, seg, 20, 20, 4);
	tcp_assert_anomalies(&pkt, 1, PKT_ANOM_TCP_PORT_ZERO);
}

static void test_opt_basic(void **state)
{
	static const uint8_t opts[] = {
		0x02, 0x04, 0x02, 0x18, /* MSS 536 */
		0x01, 0x03, 0x03, 0x0e, /* NOP, window scale 14 */
		0x04, 0x02, 0x01, 0x01, /* SACK permitted, NOP, NOP */
		0x08, 0x0a, 0x01, 0x02, /* timestamps, TSval 0x0102.. */
		0x03, 0x04, 0x05, 0x06, /* ..0304, TSecr 0x0506.. */
		0x07, 0x08, 0x1c, 0x04, /* ..0708; user timeout kind, len */
		0x80, 0x3c, 0x00, 0x00, /* G=1, 60 s; EOL, padding */
	};
	struct packet pkt;
	const struct packet_tcp *t = &pkt.tcp;

	(void)state;
	assert_int_equal(tcp_run_opts(&pkt, TCP_FLAG_SYN, opts, sizeof(opts)),
			 DECODE_OK);
	assert_int_equal(t->opts_present,
			 TCP_OPT_HAS_MSS | TCP_OPT_HAS_NOP | TCP_OPT_HAS_WSCALE |
			 TCP_OPT_HAS_SACK_PERM | TCP_OPT_HAS_TIMESTAMP |
			 TCP_OPT_HAS_USER_TIMEOUT | TCP_OPT_HAS_EOL);
	assert_int_equal(t->mss, 536);
	assert_int_equal(t->wscale, 14);
	assert_int_equal(t->ts_val, 0x01020304);
	assert_int_equal(t->ts_ecr, 0x05060708);
	assert_int_equal(t->user_timeout, 0x803c);
	tcp_assert_anomalies(&pkt, 0);
}

/*
 * NOP, NOP, timestamps takes the aligned fast path; the same option
 * reordered takes the full walk.  Both must give the same packet.
 */
static void test_opt_aligned_timestamp(void **state)
{
	static const uint8_t aligned[] = {
		0x01, 0x01, 0x08, 0x0a, /* NOP, NOP, timestamps, len 10 */
		0xde, 0xad, 0xbe, 0xef, /* TSval */
		0x00, 0x00, 0x12, 0x34, /* TSecr */
	};
	static const uint8_t walked[] = {
		0x08, 0x0a, 0xde, 0xad, /* timestamps, len 10, TSval.. */
		0xbe, 0xef, 0x00, 0x00, /* ..TSval, TSecr.. */
		0x12, 0x34, 0x01, 0x01, /* ..TSecr, NOP, NOP */
	};
	struct packet a, w;

	(void)state;
	assert_int_equal(tcp_run_opts(&a, TCP_FLAG_ACK, aligned, sizeof(aligned)),
			 DECODE_OK);
	assert_int_equal(tcp_run_opts(&w, TCP_FLAG_ACK, walked, sizeof(walked)),
			 DECODE_OK);
	assert_int_equal(a.tcp.opts_present,
			 TCP_OPT_HAS_NOP | TCP_OPT_HAS_TIMESTAMP);
	assert_int_equal(a.tcp.opts_present, w.tcp.opts_present);
	assert_int_equal(a.tcp.ts_val, 0xdeadbeef);
	assert_int_equal(a.tcp.ts_ecr, 0x1234);
	assert_int_equal(a.tcp.ts_val, w.tcp.ts_val);
	assert_int_equal(a.tcp.ts_ecr, w.tcp.ts_ecr);
	assert_int_equal(a.tcp.options.len, 12);
	assert_int_equal(a.tcp.data_offset, 32);
	tcp_assert_anomalies(&a, 0);
	tcp_assert_anomalies(&w, 0);
}

/* A first IPv4 fragment carrying seg[0..len) of a TCP header. */
static enum decode_status tcp_run_first_fragment(struct packet *pkt,
						 const uint8_t *seg,
						 size_t len, bool fragment)
{
	struct cursor c;

	tcp_test_ip(pkt, 4, (uint32_t)len);
	pkt->ip.is_fragment = fragment;
	pkt->ip.is_first_fragment = fragment;
	pkt->ip.frag_more = fragment;
	cursor_init(&c, seg, len, len);
	return tcp_decode(&c, pkt);
}

/*
 * RFC 1858's tiny fragment: a first fragment that ends inside the TCP
 * header is incomplete, not malformed; the same bytes outside a
 * fragment are malformed.
 */
static void test_tiny_first_fragment(void **state)
{
	struct packet pkt;

	(void)state;
	/* 8 bytes of linux_syn_v4: ports and sequence number only. */
	assert_int_equal(tcp_run_first_fragment(&pkt, linux_syn_v4, 8, true),
			 DECODE_OK);
	assert_true(packet_has(&pkt, PROTO_TCP));
	tcp_assert_anomalies(&pkt, 1, PKT_ANOM_IPV4_TINY_FRAGMENT);
	assert_int_equal(pkt.payload.len, 8);
	assert_int_equal(pkt.payload_wire_len, 8);
	assert_int_equal(tcp_run_first_fragment(&pkt, linux_syn_v4, 8, false),
			 DECODE_MALFORMED);
	assert_int_equal(pkt.status_proto, PROTO_TCP);
	/* The fixed header whole, its options (data offset 40) cut at 24. */
	assert_int_equal(tcp_run_first_fragment(&pkt, linux_syn_v4, 24, true),
			 DECODE_OK);
	tcp_assert_anomalies(&pkt, 1, PKT_ANOM_IPV4_TINY_FRAGMENT);
	assert_int_equal(pkt.tcp.dport, 80);
	assert_int_equal(tcp_run_first_fragment(&pkt, linux_syn_v4, 24, false),
			 DECODE_MALFORMED);
	assert_true(packet_has_anomaly(&pkt, PKT_ANOM_TCP_BAD_DATA_OFFSET));
}

static void test_opt_sack_blocks(void **state)
{
	/* NOP, NOP, SACK with n blocks [1000n+1, 1000n+2), ... */
	uint8_t opts[40];
	struct packet pkt;

	(void)state;
	for (unsigned n = 1; n <= 4; n++) {
		size_t len = 4 + 8 * n;

		memset(opts, 0, sizeof(opts));
		opts[0] = opts[1] = 0x01;
		opts[2] = 0x05;
		opts[3] = (uint8_t)(2 + 8 * n);
		for (unsigned i = 0; i < n; i++) {
			opts[4 + 8 * i + 2] = (uint8_t)(i + 1); /* left */
			opts[4 + 8 * i + 3] = 0x01;
			opts[4 + 8 * i + 6] = (uint8_t)(i + 1); /* right */
			opts[4 + 8 * i + 7] = 0x02;
		}
		assert_int_equal(tcp_run_opts(&pkt, TCP_FLAG_ACK, opts, len),
				 DECODE_OK);
		assert_true(pkt.tcp.opts_present & TCP_OPT_HAS_SACK);
		assert_int_equal(pkt.tcp.sack_count, n);
		for (unsigned i = 0; i < n; i++) {
			assert_int_equal(pkt.tcp.sack[i].left,
					 (i + 1) << 8 | 0x01);
			assert_int_equal(pkt.tcp.sack[i].right,
					 (i + 1) << 8 | 0x02);
		}
		tcp_assert_anomalies(&pkt, 0);
	}
}

static void test_opt_md5_ao_mptcp(void **state)
{
	static const uint8_t md5[] = {
		0x13, 0x12, 0xa0, 0xa1, /* MD5 signature (RFC 2385), 16 bytes */
		0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9,
		0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
		0x00, 0x00,             /* EOL, padding */
	};
	static const uint8_t ao[] = {
		0x1d, 0x10, 0x01, 0x02, /* TCP-AO, KeyID 1, RNextKeyID 2 */
		0xb0, 0xb1, 0xb2, 0xb3, /* 12-byte MAC */
		0xb4, 0xb5, 0xb6, 0xb7,
		0xb8, 0xb9, 0xba, 0xbb,
	};
	static const uint8_t mptcp[] = {
		0x1e, 0x04, 0x01, 0x81, /* MP_CAPABLE v1 on a SYN (RFC 8684) */
	};
	struct packet pkt;

	(void)state;
	tcp_run_opts(&pkt, TCP_FLAG_ACK, md5, sizeof(md5));
	assert_int_equal(pkt.tcp.opts_present,
			 TCP_OPT_HAS_MD5 | TCP_OPT_HAS_EOL);
	tcp_assert_anomalies(&pkt, 0);
	tcp_run_opts(&pkt, TCP_FLAG_ACK, ao, sizeof(ao));
	assert_int_equal(pkt.tcp.opts_present, TCP_OPT_HAS_AO);
	tcp_assert_anomalies(&pkt, 0);
	tcp_run_opts(&pkt, TCP_FLAG_SYN, mptcp, sizeof(mptcp));
	assert_int_equal(pkt.tcp.opts_present, TCP_OPT_HAS_MPTCP);
	tcp_assert_anomalies(&pkt, 0);
}

static void test_opt_fastopen(void **state)
{
	static const uint8_t request[] = {
		0x22, 0x02, 0x01, 0x01, /* TFO cookie request, NOP, NOP */
	};
	static const uint8_t cookie[] = {
		0x22, 0x0a, 0xc0, 0xc1, /* TFO, 8-byte cookie */
		0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
		0x01, 0x01,             /* NOP, NOP */
	};
	static const uint8_t exp_cookie[] = {
		0xfe, 0x0c, 0xf9, 0x89, /* experimental 254, ExID 0xF989 */
		0xc0, 0xc1, 0xc2, 0xc3, /* 8-byte cookie */
		0xc4, 0xc5, 0xc6, 0xc7,
	};
	static const uint8_t exp_request[] = {
		0xfe, 0x04, 0xf9, 0x89, /* experimental TFO cookie request */
	};
	static const uint8_t odd_cookie[] = {
		0x22, 0x07, 0xc0, 0xc1, /* TFO, 5-byte cookie: Linux ignores it */
		0xc2, 0xc3, 0xc4, 0x00, /* ...; EOL */
	};
	static const uint8_t expected[8] = {
		0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
	};
	struct packet pkt;

	(void)state;
	tcp_run_opts(&pkt, TCP_FLAG_SYN, request, sizeof(request));
	assert_true(pkt.tcp.opts_present & TCP_OPT_HAS_TFO);
	assert_int_equal(pkt.tcp.tfo_cookie_len, 0);
	tcp_assert_anomalies(&pkt, 0);

	tcp_run_opts(&pkt, TCP_FLAG_SYN, cookie, sizeof(cookie));
	assert_true(pkt.tcp.opts_present & TCP_OPT_HAS_TFO);
	assert_int_equal(pkt.tcp.tfo_cookie_len, 8);
	assert_memory_equal(pkt.tcp.tfo_cookie, expected, 8);
	tcp_assert_anomalies(&pkt, 0);

	tcp_run_opts(&pkt, TCP_FLAG_SYN, exp_cookie, sizeof(exp_cookie));
	assert_int_equal(pkt.tcp.opts_present, TCP_OPT_HAS_TFO);
	assert_int_equal(pkt.tcp.tfo_cookie_len, 8);
	assert_memory_equal(pkt.tcp.tfo_cookie, expected, 8);
	tcp_assert_anomalies(&pkt, 0);

	tcp_run_opts(&pkt, TCP_FLAG_SYN, exp_request, sizeof(exp_request));
	assert_int_equal(pkt.tcp.opts_present, TCP_OPT_HAS_TFO);
	assert_int_equal(pkt.tcp.tfo_cookie_len, 0);

	tcp_run_opts(&pkt, TCP_FLAG_SYN, odd_cookie, sizeof(odd_cookie));
	assert_int_equal(pkt.tcp.tfo_cookie_len, 5);
	tcp_assert_anomalies(&pkt, 1, PKT_ANOM_TCP_OPT_BAD_VALUE);
}

static void test_opt_unknown(void **state)
{
	static const uint8_t opts[] = {
		0x4c, 0x04, 0xab, 0xcd, /* kind 76, unassigned */
		0xfd, 0x04, 0x12, 0x34, /* experimental 253, ExID 0x1234 */
		0xac, 0x02, 0x01, 0x01, /* kind 172 (AccECN0), NOP, NOP */
	};
	/* Ten unknown options: only the first eight kinds are kept. */
	static const uint8_t many[] = {
		0x40, 0x02, 0x41, 0x02, 0x42, 0x02, 0x43, 0x02, 0x44, 0x02,
		0x45, 0x02, 0x46, 0x02, 0x47, 0x02, 0x48, 0x02, 0x49, 0x02,
	};
	struct packet pkt;

	(void)state;
	tcp_run_opts(&pkt, TCP_FLAG_ACK, opts, sizeof(opts));
	assert_int_equal(pkt.tcp.opts_present,
			 TCP_OPT_HAS_UNKNOWN | TCP_OPT_HAS_NOP);
	assert_int_equal(pkt.tcp.unknown_count, 3);
	assert_int_equal(pkt.tcp.unknown_kinds[0], 76);
	assert_int_equal(pkt.tcp.unknown_kinds[1], 253);
	assert_int_equal(pkt.tcp.unknown_kinds[2], 172);
	tcp_assert_anomalies(&pkt, 0);

	tcp_run_opts(&pkt, TCP_FLAG_ACK, many, sizeof(many));
	assert_int_equal(pkt.tcp.unknown_count, PACKET_MAX_UNKNOWN_TCP_OPTS);
	assert_int_equal(pkt.tcp.unknown_kinds[7], 0x47);
}

static void test_opt_eol_stops(void **state)
{
	static const uint8_t opts[] = {
		0x01, 0x03, 0x03, 0x07, /* NOP, window scale 7 */
		0x00, 0x02, 0x04, 0x05, /* EOL; what follows is padding */
		0xb4, 0x00, 0x00, 0x00,
	};
	struct packet pkt;

	(void)state;
	assert_int_equal(tcp_run_opts(&pkt, TCP_FLAG_SYN, opts, sizeof(opts)),
			 DECODE_OK);
	assert_int_equal(pkt.tcp.opts_present,
			 TCP_OPT_HAS_NOP | TCP_OPT_HAS_WSCALE | TCP_OPT_HAS_EOL);
	assert_int_equal(pkt.tcp.mss, 0);
	tcp_assert_anomalies(&pkt, 0);
}

/* Lengths that cannot frame an option end the walk, without error. */
static void test_opt_unframeable_length(void **state)
{
	static const struct {
		const char *what;
		uint8_t opts[8];
		uint32_t present; /* what was parsed before the bad option */
	} cases[] = {
		{ "len 0", { 0x01, 0x08, 0x00, 0x00, /* NOP, TS with length 0 */
			     0x02, 0x04, 0x05, 0xb4 }, /* MSS: never reached */
		  TCP_OPT_HAS_NOP },
		{ "len 1", { 0x01, 0x08, 0x01, 0x00, /* NOP, TS with length 1 */
			     0x02, 0x04, 0x05, 0xb4 },
		  TCP_OPT_HAS_NOP },
		{ "over-run", { 0x02, 0x04, 0x05, 0xb4, /* MSS 1460 */
				0x01, 0x05, 0x12, 0x00 }, /* NOP, SACK len 18 */
		  TCP_OPT_HAS_MSS | TCP_OPT_HAS_NOP },
		{ "unknown over-run", { 0x01, 0x01, 0x01, 0x01,
					0x01, 0x01, 0x4c, 0x03 }, /* kind 76 len 3 */
		  TCP_OPT_HAS_NOP },
		{ "no length byte", { 0x01, 0x01, 0x01, 0x01, /* NOPs, then */
				      0x01, 0x01, 0x01, 0x02 }, /* MSS kind last */
		  TCP_OPT_HAS_NOP },
	};
	struct packet pkt;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("# %s\n", cases[i].what);
		assert_int_equal(tcp_run_opts(&pkt, TCP_FLAG_ACK,
					      cases[i].opts, 8), DECODE_OK);
		assert_int_equal(pkt.tcp.opts_present, cases[i].present);
		tcp_assert_anomalies(&pkt, 1, PKT_ANOM_TCP_OPT_BAD_LENGTH);
	}
}

/* A known option whose length is wrong: skipped, the walk goes on. */
static void test_opt_wrong_fixed_length(void **state)
{
	static const struct {
		const char *what;
		uint8_t opts[12];
		uint32_t skipped;
	} cases[] = {
		{ "MSS len 3", { 0x02, 0x03, 0x05, 0x01 }, TCP_OPT_HAS_MSS },
		{ "WS len 4", { 0x03, 0x04, 0x07, 0x00 }, TCP_OPT_HAS_WSCALE },
		{ "SACK-perm len 4", { 0x04, 0x04, 0x00, 0x00 },
		  TCP_OPT_HAS_SACK_PERM },
		{ "TS len 8", { 0x08, 0x08, 0, 0, 0, 0, 0, 0 },
		  TCP_OPT_HAS_TIMESTAMP },
		{ "MD5 len 10", { 0x13, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0 },
		  TCP_OPT_HAS_MD5 },
		{ "UTO len 3", { 0x1c, 0x03, 0x00, 0x01 },
		  TCP_OPT_HAS_USER_TIMEOUT },
		{ "SACK len 2", { 0x05, 0x02, 0x01, 0x01 }, TCP_OPT_HAS_SACK },
		{ "SACK len 12", { 0x05, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		  TCP_OPT_HAS_SACK },
		{ "SACK len 3", { 0x05, 0x03, 0x00, 0x01 }, TCP_OPT_HAS_SACK },
		{ "AO len 3", { 0x1d, 0x03, 0x00, 0x01 }, TCP_OPT_HAS_AO },
		{ "MPTCP len 2", { 0x1e, 0x02, 0x01, 0x01 }, TCP_OPT_HAS_MPTCP },
	};
	/* Each is followed by NOP, window scale 5: still parsed ... */
	static const uint8_t ws_tail[4] = { 0x01, 0x03, 0x03, 0x05 };
	/* ... or, after the bad window scale, by MSS 1460. */
	static const uint8_t mss_tail[4] = { 0x02, 0x04, 0x05, 0xb4 };
	uint8_t opts[16];
	struct packet pkt;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].opts[1];

		print_message("# %s\n", cases[i].what);
		memset(opts, 0x01, sizeof(opts));
		memcpy(opts, cases[i].opts, len);
		if (cases[i].skipped == TCP_OPT_HAS_WSCALE)
			memcpy(opts + 12, mss_tail, 4);
		else
			memcpy(opts + 12, ws_tail, 4);
		assert_int_equal(tcp_run_opts(&pkt, TCP_FLAG_SYN, opts, 16),
				 DECODE_OK);
		assert_false(pkt.tcp.opts_present & cases[i].skipped);
		if (cases[i].skipped == TCP_OPT_HAS_WSCALE)
			assert_int_equal(pkt.tcp.mss, 1460);
		else
			assert_int_equal(pkt.tcp.wscale, 5);
		tcp_assert_anomalies(&pkt, 1, PKT_ANOM_TCP_OPT_BAD_LENGTH);
	}
}

static void test_opt_fastopen_too_long(void **state)
{
	uint8_t opts[24];
	struct packet pkt;

	(void)state;
	/* TFO with an 18-byte cookie (length 20): more than RFC 7413's 16. */
	memset(opts, 0xc0, sizeof(opts));
	opts[0] = 0x22;
	opts[1] = 20;
	tcp_run_opts(&pkt, TCP_FLAG_SYN, opts, 20);
	assert_false(pkt.tcp.opts_present & TCP_OPT_HAS_TFO);
	tcp_assert_anomalies(&pkt, 1, PKT_ANOM_TCP_OPT_BAD_LENGTH);
	/* Experimental 254, ExID 0xF989, 20-byte cookie (length 24). */
	opts[0] = 0xfe;
	opts[1] = 24;
	opts[2] = 0xf9;
	opts[3] = 0x89;
	tcp_run_opts(&pkt, TCP_FLAG_SYN, opts, 24);
	assert_false(pkt.tcp.opts_present & TCP_OPT_HAS_TFO);
	tcp_assert_anomalies(&pkt, 1, PKT_ANOM_TCP_OPT_BAD_LENGTH);
	/* A 16-byte experimental cookie (length 20) is the most allowed. */
	opts[1] = 20;
	tcp_run_opts(&pkt, TCP_FLAG_SYN, opts, 20);
	assert_int_equal(pkt.tcp.tfo_cookie_len, 16);
	tcp_assert_anomalies(&pkt, 0);
}

static void test_opt_duplicates(void **state)
{
	static const struct {
		const char *what;
		uint8_t opts[12];
		size_t len;
	} cases[] = {
		{ "MSS", { 0x02, 0x04, 0x05, 0xb4,   /* MSS 1460 */
			   0x02, 0x04, 0x02, 0x18 }, /* MSS 536 */
		  8 },
		{ "WS", { 0x01, 0x03, 0x03, 0x07,    /* NOP, WS 7 */
			  0x01, 0x03, 0x03, 0x02 },  /* NOP, WS 2 */
		  8 },
		{ "SACK-perm", { 0x04, 0x02, 0x04, 0x02 }, 4 },
		{ "TS", { 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0, /* TSval 1 */
			  0x01, 0x01 },
		  12 },
	};
	/* The second timestamps option, after the first (12 bytes). */
	static const uint8_t ts2[12] = {
		0x08, 0x0a, 0, 0, 0, 2, 0, 0, 0, 0, /* TSval 2 */
		0x01, 0x01,
	};
	uint8_t opts[24];
	struct packet pkt;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len;

		print_message("# %s\n", cases[i].what);
		memcpy(opts, cases[i].opts, len);
		if (i == 3) {
			memcpy(opts + 12, ts2, 12);
			len = 24;
		}
		assert_int_equal(tcp_run_opts(&pkt, TCP_FLAG_SYN, opts, len),
				 DECODE_OK);
		tcp_assert_anomalies(&pkt, 1, PKT_ANOM_TCP_OPT_DUPLICATE);
	}
	/* As Linux, the last copy wins. */
	tcp_run_opts(&pkt, TCP_FLAG_SYN, cases[0].opts, 8);
	assert_int_equal(pkt.tcp.mss, 536);
}

static void test_opt_wscale_too_big(void **state)
{
	static const uint8_t opts[] = {
		0x01, 0x03, 0x03, 0x0f, /* NOP, window scale 15 */
	};
	struct packet pkt;

	(void)state;
	tcp_run_opts(&pkt, TCP_FLAG_SYN, opts, sizeof(opts));
	assert_true(pkt.tcp.opts_present & TCP_OPT_HAS_WSCALE);
	/* RFC 7323 section 2.3: used as 14. */
	assert_int_equal(pkt.tcp.wscale, 14);
	tcp_assert_anomalies(&pkt, 1, PKT_ANOM_TCP_OPT_BAD_VALUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linux_syn),
		cmocka_unit_test(test_payload_and_padding),
		cmocka_unit_test(test_checksum_v4_v6),
		cmocka_unit_test(test_checksum_offloaded),
		cmocka_unit_test(test_checksum_unverifiable),
		cmocka_unit_test(test_truncation_sweep),
		cmocka_unit_test(test_bad_data_offset),
		cmocka_unit_test(test_flag_combinations),
		cmocka_unit_test(test_reserved_bits_and_ports),
		cmocka_unit_test(test_opt_basic),
		cmocka_unit_test(test_opt_aligned_timestamp),
		cmocka_unit_test(test_tiny_first_fragment),
		cmocka_unit_test(test_opt_sack_blocks),
		cmocka_unit_test(test_opt_md5_ao_mptcp),
		cmocka_unit_test(test_opt_fastopen),
		cmocka_unit_test(test_opt_unknown),
		cmocka_unit_test(test_opt_eol_stops),
		cmocka_unit_test(test_opt_unframeable_length),
		cmocka_unit_test(test_opt_wrong_fixed_length),
		cmocka_unit_test(test_opt_fastopen_too_long),
		cmocka_unit_test(test_opt_duplicates),
		cmocka_unit_test(test_opt_wscale_too_big),
	};
	return cmocka_run_group_tests_name("tcp", tests, NULL, NULL);
}
