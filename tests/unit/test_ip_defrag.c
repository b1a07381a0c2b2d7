#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "checksum.h"
#include "decode.h"
#include "ip_defrag.h"
#include "tunnel_identity.h"

/*
 * A UDP datagram 192.0.2.1:5000 -> 198.51.100.2:9 of 3000 payload bytes
 * (3008 with its header), checksum filled, cut into IPv4 fragments.
 */
#define DGRAM_LEN 3008
/* Room past the datagram: the length tests cut fragments beyond it. */
static uint8_t dgram[65536 + 64];

static void make_udp_datagram(uint8_t seed)
{
	static const uint8_t src[4] = {192, 0, 2, 1}, dst[4] = {198, 51, 100, 2};
	struct packet_ip ip;
	struct byte_view v = {dgram, DGRAM_LEN};
	uint16_t ck;

	for (size_t i = 8; i < DGRAM_LEN; i++)
		dgram[i] = (uint8_t)(i * 7 + seed);
	dgram[0] = 0x13; dgram[1] = 0x88;     /* sport 5000 */
	dgram[2] = 0x00; dgram[3] = 0x09;     /* dport 9 */
	dgram[4] = DGRAM_LEN >> 8; dgram[5] = DGRAM_LEN & 0xff;
	dgram[6] = dgram[7] = 0;
	memset(&ip, 0, sizeof(ip));
	ip.version = 4;
	memcpy(ip.src.bytes, src, 4);
	memcpy(ip.dst.bytes, dst, 4);
	ck = (uint16_t)~checksum_fold(checksum_add(
		checksum_pseudo_header(&ip, IPPROTO_NUM_UDP, DGRAM_LEN), v));
	dgram[6] = (uint8_t)(ck >> 8);
	dgram[7] = (uint8_t)ck;
}

/* One IPv4 fragment: dgram[off, off+len) with id and MF. */
static size_t v4_fragment(uint8_t *out, uint16_t id, uint32_t off,
			  uint32_t len, int more)
{
	uint16_t total = (uint16_t)(20 + len);
	uint16_t flags = (uint16_t)((more ? 0x2000 : 0) | (off / 8));
	const uint8_t hdr[20] = {
		0x45, 0x00, (uint8_t)(total >> 8), (uint8_t)total,
		(uint8_t)(id >> 8), (uint8_t)id, (uint8_t)(flags >> 8),
		(uint8_t)flags, 64, IPPROTO_NUM_UDP, 0, 0,
		192, 0, 2, 1, 198, 51, 100, 2,
	};

	memcpy(out, hdr, 20);
	memcpy(out + 20, dgram + off, len);
	return 20 + len;
}

struct feeder {
	struct defrag *d;
	struct packet pkt, whole;
	uint8_t buf[70000];
	uint64_t frame;
	int64_t sec;
};

static enum defrag_result feed(struct feeder *f, uint16_t id, uint32_t off,
			       uint32_t len, int more)
{
	size_t n = v4_fragment(f->buf, id, off, len, more);

	decode_packet(&f->pkt, LINK_TYPE_IPV4, f->buf, (uint32_t)n, (uint32_t)n);
	f->pkt.frame_no = ++f->frame;
	f->pkt.ts.sec = f->sec;
	f->pkt.has_ts = true;
	return defrag_add(f->d, &f->pkt, &f->whole);
}

static struct feeder *feeder_new(size_t cap)
{
	struct feeder *f = calloc(1, sizeof(*f));
	struct defrag_config cfg;

	assert_non_null(f);
	defrag_config_defaults(&cfg);
	if (cap > 0)
		cfg.memory_cap = cap;
	f->d = defrag_new(&cfg);
	assert_non_null(f->d);
	f->sec = 1767225600;
	make_udp_datagram(1);
	return f;
}

static void feeder_free(struct feeder *f)
{
	defrag_free(f->d);
	free(f);
}

/* The whole datagram came out decoded, UDP checksum good. */
static void assert_whole(const struct feeder *f, uint64_t frame)
{
	assert_true(packet_has(&f->whole, PROTO_UDP));
	assert_false(f->whole.ip.is_fragment);
	assert_int_equal(f->whole.ipv4.cksum, CKSUM_GOOD);
	assert_int_equal(f->whole.udp.cksum, CKSUM_GOOD);
	assert_int_equal(f->whole.udp.length, DGRAM_LEN);
	assert_int_equal(f->whole.payload.len, DGRAM_LEN - 8);
	assert_int_equal(f->whole.frame_no, frame);
}

static void test_in_order(void **state)
{
	struct feeder *f = feeder_new(0);

	(void)state;
	assert_int_equal(feed(f, 1, 0, 1480, 1), DEFRAG_HELD);
	assert_int_equal(feed(f, 1, 1480, 1480, 1), DEFRAG_HELD);
	assert_int_equal(feed(f, 1, 2960, 48, 0), DEFRAG_COMPLETE);
	assert_whole(f, 3);
	assert_int_equal(defrag_get_stats(f->d)->reassembled, 1);
	assert_int_equal(defrag_get_stats(f->d)->memory_in_use, 0);
	feeder_free(f);
}

static void test_reversed_and_shuffled(void **state)
{
	struct feeder *f = feeder_new(0);

	(void)state;
	assert_int_equal(feed(f, 2, 2960, 48, 0), DEFRAG_HELD);
	assert_int_equal(feed(f, 2, 1480, 1480, 1), DEFRAG_HELD);
	assert_int_equal(feed(f, 2, 0, 1480, 1), DEFRAG_COMPLETE);
	assert_whole(f, 3);
	{
		size_t n;
		const uint64_t *fr = defrag_completed_frames(f->d, &n);

		/* Every fragment's frame, in arrival order. */
		assert_int_equal(n, 3);
		assert_int_equal(fr[0], 1);
		assert_int_equal(fr[1], 2);
		assert_int_equal(fr[2], 3);
	}
	/* Middle, first, last; eight-byte pieces in between. */
	assert_int_equal(feed(f, 3, 1480, 1480, 1), DEFRAG_HELD);
	assert_int_equal(feed(f, 3, 0, 8, 1), DEFRAG_HELD);
	assert_int_equal(feed(f, 3, 2960, 48, 0), DEFRAG_HELD);
	assert_int_equal(feed(f, 3, 8, 1472, 1), DEFRAG_COMPLETE);
	assert_whole(f, 7);
	feeder_free(f);
}

/* A fragment wholly inside data received: ignored, first data stays. */
static void test_duplicates(void **state)
{
	struct feeder *f = feeder_new(0);
	const struct defrag_stats *st = defrag_get_stats(f->d);

	(void)state;
	feed(f, 4, 0, 1480, 1);
	/* A copy (the same bytes): a duplicate, no overlap. */
	assert_int_equal(feed(f, 4, 0, 1480, 1), DEFRAG_DROPPED);
	assert_int_equal(st->duplicates, 1);
	assert_int_equal(st->overlaps_identical, 0);
	/* Different bytes inside a received run: still a duplicate
	 * (Linux ignores it without comparing); noted as conflicting. */
	make_udp_datagram(9);
	assert_int_equal(feed(f, 4, 8, 16, 1), DEFRAG_DROPPED);
	assert_int_equal(st->overlaps_conflicting, 1);
	make_udp_datagram(1);
	feed(f, 4, 1480, 1480, 1);
	assert_int_equal(feed(f, 4, 2960, 48, 0), DEFRAG_COMPLETE);
	assert_whole(f, 5);
	{
		size_t n;
		const uint64_t *fr = defrag_completed_frames(f->d, &n);

		/* The two ignored duplicates (frames 2 and 3) are not listed. */
		assert_int_equal(n, 3);
		assert_int_equal(fr[0], 1);
		assert_int_equal(fr[1], 4);
		assert_int_equal(fr[2], 5);
	}
	feeder_free(f);
}

/*
 * A capture on both sides of a router holds every fragment twice: the
 * copies after the datagram completed are duplicates, not the start of
 * a datagram that never completes.  A second later the same id is a new
 * datagram (ids wrap on a busy pair).
 */
static void test_copies_after_completion(void **state)
{
	struct feeder *f = feeder_new(0);
	const struct defrag_stats *st = defrag_get_stats(f->d);

	(void)state;
	make_udp_datagram(1);
	feed(f, 6, 0, 1480, 1);
	feed(f, 6, 1480, 1480, 1);
	assert_int_equal(feed(f, 6, 2960, 48, 0), DEFRAG_COMPLETE);
	assert_int_equal(feed(f, 6, 2960, 48, 0), DEFRAG_DROPPED);
	assert_int_equal(feed(f, 6, 1480, 1480, 1), DEFRAG_DROPPED);
	assert_int_equal(st->duplicates, 2);
	f->sec += 2;
	assert_int_equal(feed(f, 6, 0, 1480, 1), DEFRAG_HELD);
	defrag_flush(f->d, f->sec * 1000000000LL);
	assert_int_equal(st->reassembled, 1);
	assert_int_equal(st->incomplete, 1);
	assert_int_equal(st->overlaps_identical + st->overlaps_conflicting, 0);
	feeder_free(f);
}

/*
 * Two VXLAN tunnels (VNI 42) between 10.0.220.32 and 10.1.57.81, and
 * between 10.0.221.179 and 10.1.148.232: the unkeyed 32-bit FNV hash
 * that once identified a fragment's tunnels gives both 0x062d2fea.
 * which: 0 for the first, 1 for the second.
 */
static void set_colliding_tunnel(struct packet *pkt, int which)
{
	static const uint8_t ends[2][2][4] = {
		{{10, 0, 220, 32}, {10, 1, 57, 81}},
		{{10, 0, 221, 179}, {10, 1, 148, 232}},
	};
	struct packet_encap *e = &pkt->encaps[0];

	memset(e, 0, sizeof(*e));
	e->kind = ENCAP_VXLAN;
	e->outer_proto = IPPROTO_NUM_UDP;
	e->flags = ENCAP_HAS_ID | ENCAP_ID_SHARED;
	e->id = 42;
	e->sport = 49152;
	e->dport = 4789;
	e->src.family = e->dst.family = 4;
	memcpy(e->src.bytes, ends[which][0], 4);
	memcpy(e->dst.bytes, ends[which][1], 4);
	pkt->encap_count = 1;
}

static enum defrag_result feed_in_tunnel(struct feeder *f, int which,
					 uint16_t id, uint32_t off,
					 uint32_t len, int more)
{
	size_t n = v4_fragment(f->buf, id, off, len, more);

	decode_packet(&f->pkt, LINK_TYPE_IPV4, f->buf, (uint32_t)n, (uint32_t)n);
	set_colliding_tunnel(&f->pkt, which);
	f->pkt.frame_no = ++f->frame;
	f->pkt.ts.sec = f->sec;
	f->pkt.has_ts = true;
	return defrag_add(f->d, &f->pkt, &f->whole);
}

/*
 * Fragments of two tenants' tunnels are never joined, nor taken for
 * copies of each other's, even when their tunnels hash alike: the
 * tunnels themselves are compared.  The same tunnel seen the other way
 * round is the same tunnel.
 */
static void test_tunnels_compared_not_hashed(void **state)
{
	struct feeder *f = feeder_new(0);
	const struct defrag_stats *st = defrag_get_stats(f->d);
	struct packet_encap swapped;

	(void)state;
	make_udp_datagram(3);
	assert_int_equal(feed_in_tunnel(f, 0, 9, 0, 1480, 1), DEFRAG_HELD);
	assert_int_equal(feed_in_tunnel(f, 1, 9, 1480, 1480, 1), DEFRAG_HELD);
	assert_int_equal(feed_in_tunnel(f, 1, 9, 2960, 48, 0), DEFRAG_HELD);
	assert_int_equal(feed_in_tunnel(f, 0, 9, 1480, 1480, 1), DEFRAG_HELD);
	assert_int_equal(feed_in_tunnel(f, 0, 9, 2960, 48, 0), DEFRAG_COMPLETE);
	assert_int_equal(f->whole.encap_count, 1);
	assert_memory_equal(f->whole.encaps[0].src.bytes, "\x0a\x00\xdc\x20", 4);
	/* tunnel 1's first fragment: no copy of tunnel 0's datagram */
	assert_int_equal(feed_in_tunnel(f, 1, 9, 0, 1480, 1), DEFRAG_COMPLETE);
	assert_int_equal(st->reassembled, 2);
	assert_int_equal(st->duplicates, 0);
	set_colliding_tunnel(&f->pkt, 0);
	swapped = f->pkt.encaps[0];
	swapped.src = f->pkt.encaps[0].dst;
	swapped.dst = f->pkt.encaps[0].src;
	assert_true(tunnel_path_same(f->pkt.encaps, 1, &swapped, 1));
	set_colliding_tunnel(&f->pkt, 1);
	assert_false(tunnel_path_same(f->pkt.encaps, 1, &swapped, 1));
	feeder_free(f);
}

/* A partial overlap discards the datagram, as Linux does since 4.19. */
static void test_partial_overlap_discards(void **state)
{
	struct feeder *f = feeder_new(0);
	const struct defrag_stats *st = defrag_get_stats(f->d);

	(void)state;
	feed(f, 5, 0, 1480, 1);
	assert_int_equal(feed(f, 5, 1472, 1488, 1), DEFRAG_DROPPED);
	assert_int_equal(st->discarded_overlap, 1);
	assert_int_equal(st->overlaps_identical, 1);
	/* The evidence: frame 2 overlapped bytes 1472..1480, discarding. */
	assert_int_equal(st->n_overlap_examples, 1);
	assert_int_equal(st->overlap_examples[0].frame_no, 2);
	assert_int_equal(st->overlap_examples[0].start, 1472);
	assert_int_equal(st->overlap_examples[0].end, 1480);
	assert_false(st->overlap_examples[0].conflicting);
	assert_true(st->overlap_examples[0].discarded);
	/* What remains starts a new datagram that never completes. */
	assert_int_equal(feed(f, 5, 2960, 48, 0), DEFRAG_HELD);
	defrag_flush(f->d, f->sec * 1000000000LL);
	assert_int_equal(st->reassembled, 0);
	assert_int_equal(st->incomplete, 1);
	assert_int_equal(st->memory_in_use, 0);
	feeder_free(f);
}

static void test_missing_middle_and_timeout(void **state)
{
	struct feeder *f = feeder_new(0);
	const struct defrag_stats *st = defrag_get_stats(f->d);

	(void)state;
	feed(f, 6, 0, 1480, 1);
	feed(f, 6, 2960, 48, 0);
	/* 30 s is still in time; past it the datagram ends incomplete. */
	f->sec += 30;
	feed(f, 7, 0, 1480, 1);
	assert_int_equal(st->incomplete, 0);
	f->sec += 1;
	feed(f, 8, 0, 1480, 1);
	assert_int_equal(st->incomplete, 1);
	assert_int_equal(st->incomplete_missing_bytes, 1480);
	defrag_flush(f->d, f->sec * 1000000000LL);
	assert_int_equal(st->incomplete, 3);
	feeder_free(f);
}

static void test_length_rules(void **state)
{
	struct feeder *f = feeder_new(0);
	const struct defrag_stats *st = defrag_get_stats(f->d);

	(void)state;
	/* Two different ends: the whole datagram goes, as in Linux. */
	feed(f, 9, 0, 1480, 1);
	feed(f, 9, 2960, 48, 0);
	assert_int_equal(feed(f, 9, 2960, 40, 0), DEFRAG_DROPPED);
	assert_int_equal(st->inconsistent_length, 1);
	/* Data past a known end. */
	feed(f, 12, 2960, 48, 0);
	assert_int_equal(feed(f, 12, 3008, 8, 1), DEFRAG_DROPPED);
	assert_int_equal(st->inconsistent_length, 2);
	/* Counted once: neither is left to time out as incomplete too. */
	assert_int_equal(st->memory_in_use, 0);
	defrag_flush(f->d, f->sec * 1000000000LL);
	assert_int_equal(st->incomplete, 0);
	/* Past 65535 bytes with the header: a ping of death. */
	assert_int_equal(feed(f, 10, 65512, 8, 0), DEFRAG_DROPPED);
	assert_int_equal(st->oversize, 1);
	feeder_free(f);
}

static void test_tiny_first_fragment(void **state)
{
	struct feeder *f = feeder_new(0);
	uint8_t buf[64];
	size_t n;

	(void)state;
	/* 8 bytes of a TCP header as the first fragment. */
	n = v4_fragment(buf, 11, 0, 8, 1);
	buf[9] = IPPROTO_NUM_TCP;
	decode_packet(&f->pkt, LINK_TYPE_IPV4, buf, (uint32_t)n, (uint32_t)n);
	assert_int_equal(defrag_add(f->d, &f->pkt, &f->whole), DEFRAG_HELD);
	assert_int_equal(defrag_get_stats(f->d)->tiny_first, 1);
	feeder_free(f);
}

/* IPv6: an ICMPv6 echo of 2000 bytes in two fragments, shuffled. */
static void test_ipv6(void **state)
{
	static const uint8_t base[40] = {
		0x60, 0, 0, 0, 0, 0, IPPROTO_NUM_FRAGMENT, 64,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	};
	uint8_t icmp[2000], frame[1600];
	struct packet_ip ip;
	struct byte_view v = {icmp, sizeof(icmp)};
	struct feeder *f = feeder_new(0);
	uint16_t ck;
	uint32_t offs[2] = {1448, 0}, lens[2] = {552, 1448};

	(void)state;
	memset(icmp, 0xab, sizeof(icmp));
	icmp[0] = 128; icmp[1] = 0; icmp[2] = icmp[3] = 0; /* echo request */
	memset(&ip, 0, sizeof(ip));
	ip.version = 6;
	memcpy(ip.src.bytes, base + 8, 16);
	memcpy(ip.dst.bytes, base + 24, 16);
	ck = (uint16_t)~checksum_fold(checksum_add(
		checksum_pseudo_header(&ip, IPPROTO_NUM_ICMPV6, sizeof(icmp)), v));
	icmp[2] = (uint8_t)(ck >> 8);
	icmp[3] = (uint8_t)ck;
	for (int i = 0; i < 2; i++) {
		uint16_t plen = (uint16_t)(8 + lens[i]);
		uint16_t offmf = (uint16_t)(offs[i] | (offs[i] == 0 ? 1 : 0));
		enum defrag_result r;

		memcpy(frame, base, 40);
		frame[4] = (uint8_t)(plen >> 8);
		frame[5] = (uint8_t)plen;
		/* fragment header: next ICMPv6, offset/M, id 0x1234 */
		frame[40] = IPPROTO_NUM_ICMPV6; frame[41] = 0;
		frame[42] = (uint8_t)(offmf >> 8); frame[43] = (uint8_t)offmf;
		frame[44] = 0; frame[45] = 0; frame[46] = 0x12; frame[47] = 0x34;
		memcpy(frame + 48, icmp + offs[i], lens[i]);
		decode_packet(&f->pkt, LINK_TYPE_IPV6, frame, 48 + lens[i],
			      48 + lens[i]);
		r = defrag_add(f->d, &f->pkt, &f->whole);
		assert_int_equal(r, i == 0 ? DEFRAG_HELD : DEFRAG_COMPLETE);
	}
	assert_true(packet_has(&f->whole, PROTO_ICMPV6));
	assert_true(f->whole.icmp.is_echo);
	assert_int_equal(f->whole.icmp.cksum, CKSUM_GOOD);
	assert_int_equal(f->whole.payload.len, 2000 - 8);
	feeder_free(f);
}

/* A million first fragments with random ids: memory stays capped. */
static void test_memory_cap_under_flood(void **state)
{
	struct feeder *f = feeder_new((size_t)8 << 20);
	const struct defrag_stats *st = defrag_get_stats(f->d);
	uint32_t seed = 12345;

	(void)state;
	for (int i = 0; i < 1000000; i++) {
		seed = seed * 1103515245u + 12345u;
		feed(f, (uint16_t)(seed >> 16), 0, 64, 1);
		if ((i & 1023) == 0)
			f->sec++; /* 1 s every 1024 fragments */
	}
	assert_true(st->memory_peak <= (size_t)8 << 20);
	assert_true(st->dropped_memory > 0 || st->incomplete > 0);
	assert_int_equal(st->fragments, 1000000);
	feeder_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_reversed_and_shuffled),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_copies_after_completion),
		cmocka_unit_test(test_tunnels_compared_not_hashed),
		cmocka_unit_test(test_partial_overlap_discards),
		cmocka_unit_test(test_missing_middle_and_timeout),
		cmocka_unit_test(test_length_rules),
		cmocka_unit_test(test_tiny_first_fragment),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_memory_cap_under_flood),
	};
	return cmocka_run_group_tests_name("ip_defrag", tests, NULL, NULL);
}
