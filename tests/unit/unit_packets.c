#include "unit_packets.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"

#define NS_PER_SEC 1000000000LL

/* Parses a textual address into 16 bytes; returns 4 or 6. */
static int unit_addr(const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1)
		return 4;
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
	return 6;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* RFC 1071: the one's-complement sum of big-endian 16-bit words. */
static uint32_t sum_words(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t sum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t unit_ip_build(uint8_t *out, size_t cap, const char *src,
		     const char *dst, uint8_t proto, const uint8_t *l4,
		     size_t l4_len, int cksum_at)
{
	uint8_t s[16], d[16], pseudo[40];
	int fam = unit_addr(src, s);
	size_t alen = fam == 4 ? 4 : 16, hlen = fam == 4 ? 20 : 40;
	uint8_t *h = out, *t = out + hlen;
	uint32_t sum = 0;

	assert_int_equal(unit_addr(dst, d), fam);
	assert_true(hlen + l4_len <= cap);
	memset(h, 0, hlen);
	if (fam == 4) {
		h[0] = 0x45;
		put16(h + 2, (uint16_t)(hlen + l4_len));
		put16(h + 6, 0x4000);   /* DF */
		h[8] = 64;
		h[9] = proto;
		memcpy(h + 12, s, 4);
		memcpy(h + 16, d, 4);
		put16(h + 10, sum_fold(sum_words(0, h, 20)));
	} else {
		h[0] = 0x60;
		put16(h + 4, (uint16_t)l4_len);
		h[6] = proto;
		h[7] = 64;
		memcpy(h + 8, s, 16);
		memcpy(h + 24, d, 16);
	}
	memcpy(t, l4, l4_len);
	if (cksum_at < 0)
		return hlen + l4_len;
	assert_true((size_t)cksum_at + 2 <= l4_len);
	put16(t + cksum_at, 0);
	if (fam == 6 || proto != 1) {
		/* RFC 793 / RFC 8200 section 8.1 pseudo-headers. */
		memset(pseudo, 0, sizeof(pseudo));
		memcpy(pseudo, s, alen);
		memcpy(pseudo + alen, d, alen);
		sum = sum_words(0, pseudo, 2 * alen);
		sum += proto;
		sum += (uint32_t)l4_len;
	}
	sum = sum_words(sum, t, l4_len);
	{
		uint16_t c = sum_fold(sum);

		/* UDP sends a computed 0 as all ones (RFC 768). */
		if (c == 0 && proto == 17)
			c = 0xffff;
		put16(t + cksum_at, c);
	}
	return hlen + l4_len;
}

/* Writes the options of seg into p; returns their length (padded to 4). */
static size_t tcp_options(uint8_t *p, const struct unit_tcp_opts *o)
{
	size_t n = 0;

	if (o == NULL)
		return 0;
	if (o->mss != 0) {
		p[n++] = 2;
		p[n++] = 4;
		put16(p + n, o->mss);
		n += 2;
	}
	if (o->sack_perm) {
		p[n++] = 1;
		p[n++] = 1;
		p[n++] = 4;
		p[n++] = 2;
	}
	if (o->has_wscale) {
		p[n++] = 1;
		p[n++] = 3;
		p[n++] = 3;
		p[n++] = o->wscale;
	}
	if (o->has_ts) {
		p[n++] = 1;
		p[n++] = 1;
		p[n++] = 8;
		p[n++] = 10;
		put32(p + n, o->ts_val);
		put32(p + n + 4, o->ts_ecr);
		n += 8;
	}
	if (o->n_sack > 0) {
		assert_true(o->n_sack <= 3);
		p[n++] = 1;
		p[n++] = 1;
		p[n++] = 5;
		p[n++] = (uint8_t)(2 + 8 * o->n_sack);
		for (int i = 0; i < o->n_sack; i++) {
			put32(p + n, o->sack[i].left);
			put32(p + n + 4, o->sack[i].right);
			n += 8;
		}
	}
	while (n % 4 != 0)
		p[n++] = 0;     /* EOL padding */
	return n;
}

size_t unit_tcp_build(uint8_t *out, size_t cap, const struct unit_tcp *seg)
{
	uint8_t *l4 = calloc(1, 60 + seg->payload_len);
	size_t optlen, hlen, n;

	assert_non_null(l4);
	put16(l4, seg->sport);
	put16(l4 + 2, seg->dport);
	put32(l4 + 4, seg->seq);
	put32(l4 + 8, seg->ack);
	optlen = tcp_options(l4 + 20, seg->opts);
	assert_true(optlen <= 40);
	hlen = 20 + optlen;
	l4[12] = (uint8_t)(hlen / 4 << 4);
	l4[13] = seg->flags;
	put16(l4 + 14, seg->win);
	n = unit_ip_build(out, cap, seg->src, seg->dst, 6, l4,
			  hlen + seg->payload_len, 16);
	free(l4);
	return n;
}

size_t unit_udp_build(uint8_t *out, size_t cap, const char *src,
		      uint16_t sport, const char *dst, uint16_t dport,
		      uint32_t payload_len)
{
	uint8_t *l4 = calloc(1, 8 + payload_len);
	size_t n;

	assert_non_null(l4);
	put16(l4, sport);
	put16(l4 + 2, dport);
	put16(l4 + 4, (uint16_t)(8 + payload_len));
	n = unit_ip_build(out, cap, src, dst, 17, l4, 8 + payload_len, 6);
	free(l4);
	return n;
}

enum link_type unit_frame_link_type(const uint8_t *frame, size_t len)
{
	assert_true(len > 0);
	return frame[0] >> 4 == 6 ? LINK_TYPE_IPV6 : LINK_TYPE_IPV4;
}

void unit_wire_feed(struct unit_wire *w, int64_t t_ns, enum link_type lt,
		    const uint8_t *frame, size_t len)
{
	unit_wire_feed_cut(w, t_ns, lt, frame, len, len);
}

void unit_wire_feed_cut(struct unit_wire *w, int64_t t_ns, enum link_type lt,
			const uint8_t *frame, size_t cap_len, size_t wire_len)
{
	/* malloc(0) may return NULL: keep one byte. */
	uint8_t *copy = malloc(cap_len > 0 ? cap_len : 1);
	struct packet *pkt = malloc(sizeof(*pkt));
	int64_t t = w->epoch_ns + t_ns;

	assert_true(t_ns >= w->last_ns);
	w->last_ns = t_ns;
	assert_non_null(copy);
	assert_non_null(pkt);
	if (cap_len > 0)
		memcpy(copy, frame, cap_len);
	decode_packet(pkt, lt, copy, (uint32_t)cap_len, (uint32_t)wire_len);
	pkt->frame_no = ++w->frames;
	pkt->ts.sec = t / NS_PER_SEC;
	pkt->ts.nsec = (uint32_t)(t % NS_PER_SEC);
	pkt->has_ts = true;
	analyzer_feed(w->a, pkt);
	free(pkt);
	free(copy);
}

void unit_wire_tcp(struct unit_wire *w, int64_t t_ns,
		   const struct unit_tcp *seg)
{
	uint8_t *frame = malloc(UNIT_FRAME_MAX);
	size_t n;

	assert_non_null(frame);
	n = unit_tcp_build(frame, UNIT_FRAME_MAX, seg);
	unit_wire_feed(w, t_ns, unit_frame_link_type(frame, n), frame, n);
	free(frame);
}

void unit_feed_tcp(struct unit_wire *w, int64_t t_ns, const char *src,
		   uint16_t sport, const char *dst, uint16_t dport,
		   uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
		   uint32_t payload_len)
{
	struct unit_tcp seg = {
		.src = src, .dst = dst, .sport = sport, .dport = dport,
		.flags = flags, .seq = seq, .ack = ack, .win = win,
		.payload_len = payload_len,
	};

	unit_wire_tcp(w, t_ns, &seg);
}

void unit_feed_udp(struct unit_wire *w, int64_t t_ns, const char *src,
		   uint16_t sport, const char *dst, uint16_t dport,
		   uint32_t payload_len)
{
	uint8_t *frame = malloc(UNIT_FRAME_MAX);
	size_t n;

	assert_non_null(frame);
	n = unit_udp_build(frame, UNIT_FRAME_MAX, src, sport, dst, dport,
			   payload_len);
	unit_wire_feed(w, t_ns, unit_frame_link_type(frame, n), frame, n);
	free(frame);
}
