/*
 * pcapng files built block by block and read through the capture source
 * (capture/pcapng_reader.c under it): interfaces of different link
 * types and snaplens, both byte orders, several sections, time
 * resolutions and offsets, simple and obsolete packet blocks, interface
 * statistics, and the ways a file breaks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "capture_source.h"

static char dir[] = "/tmp/tcplens-pcapng-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A file under construction, in one byte order. */
struct ng {
	uint8_t buf[8192];
	size_t len;
	bool be;
};

static void put8(struct ng *b, uint8_t v)
{
	assert_true(b->len < sizeof(b->buf));
	b->buf[b->len++] = v;
}

static void put16(struct ng *b, uint16_t v)
{
	put8(b, (uint8_t)(b->be ? v >> 8 : v));
	put8(b, (uint8_t)(b->be ? v : v >> 8));
}

static void put32(struct ng *b, uint32_t v)
{
	put16(b, (uint16_t)(b->be ? v >> 16 : v));
	put16(b, (uint16_t)(b->be ? v : v >> 16));
}

static void put64(struct ng *b, uint64_t v)
{
	put32(b, (uint32_t)(b->be ? v >> 32 : v));
	put32(b, (uint32_t)(b->be ? v : v >> 32));
}

static void put_bytes(struct ng *b, const void *p, size_t n)
{
	assert_true(b->len + n <= sizeof(b->buf));
	memcpy(b->buf + b->len, p, n);
	b->len += n;
	while (b->len % 4 != 0)
		put8(b, 0);
}

/* Opens a block; block_end() writes its length at both ends. */
static size_t block_begin(struct ng *b, uint32_t type)
{
	size_t at = b->len;

	put32(b, type);
	put32(b, 0);
	return at;
}

static void block_end(struct ng *b, size_t at)
{
	uint32_t len = (uint32_t)(b->len + 4 - at);
	size_t end = b->len;

	put32(b, len);
	b->len = at + 4;
	put32(b, len);
	b->len = end + 4;
}

static void ng_shb(struct ng *b, bool be)
{
	size_t at;

	b->be = be;
	at = block_begin(b, 0x0a0d0d0a);
	put32(b, 0x1a2b3c4d);
	put16(b, 1);
	put16(b, 0);
	put64(b, UINT64_MAX);       /* section length unknown */
	block_end(b, at);
}

/* tsresol 0: no option (microseconds). */
static void ng_idb(struct ng *b, uint16_t link_type, uint32_t snaplen,
		   uint8_t tsresol, int64_t tsoffset)
{
	size_t at = block_begin(b, 1);

	put16(b, link_type);
	put16(b, 0);
	put32(b, snaplen);
	if (tsresol != 0) {
		put16(b, 9);        /* if_tsresol */
		put16(b, 1);
		put_bytes(b, &tsresol, 1);
	}
	if (tsoffset != 0) {
		put16(b, 14);       /* if_tsoffset */
		put16(b, 8);
		put64(b, (uint64_t)tsoffset);
	}
	put16(b, 0);                /* opt_endofopt */
	put16(b, 0);
	block_end(b, at);
}

static void ng_epb(struct ng *b, uint32_t iface, uint64_t ts,
		   const uint8_t *data, uint32_t cap_len, uint32_t wire_len)
{
	size_t at = block_begin(b, 6);

	put32(b, iface);
	put32(b, (uint32_t)(ts >> 32));
	put32(b, (uint32_t)ts);
	put32(b, cap_len);
	put32(b, wire_len);
	put_bytes(b, data, cap_len);
	block_end(b, at);
}

static void ng_spb(struct ng *b, const uint8_t *data, uint32_t stored,
		   uint32_t wire_len)
{
	size_t at = block_begin(b, 3);

	put32(b, wire_len);
	put_bytes(b, data, stored);
	block_end(b, at);
}

static void ng_pb(struct ng *b, uint16_t iface, uint64_t ts,
		  const uint8_t *data, uint32_t cap_len)
{
	size_t at = block_begin(b, 2);

	put16(b, iface);
	put16(b, 0);                /* drops_count */
	put32(b, (uint32_t)(ts >> 32));
	put32(b, (uint32_t)ts);
	put32(b, cap_len);
	put32(b, cap_len);
	put_bytes(b, data, cap_len);
	block_end(b, at);
}

/* An option of 0 is left out. */
static void ng_isb(struct ng *b, uint32_t iface, uint64_t ifdrop,
		   uint64_t osdrop)
{
	size_t at = block_begin(b, 5);

	put32(b, iface);
	put32(b, 0);
	put32(b, 0);
	if (ifdrop != 0) {
		put16(b, 5);        /* isb_ifdrop */
		put16(b, 8);
		put64(b, ifdrop);
	}
	if (osdrop != 0) {
		put16(b, 7);        /* isb_osdrop */
		put16(b, 8);
		put64(b, osdrop);
	}
	put16(b, 0);
	put16(b, 0);
	block_end(b, at);
}

static const char *ng_write(const struct ng *b, const char *name, size_t len)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b->buf, 1, len, f), len);
	fclose(f);
	return path;
}

/* Ethernet, IPv4 192.0.2.1 > 192.0.2.2, UDP 1024 > 53, no payload. */
static const uint8_t eth_udp[42] = {
	0, 0, 0x5e, 0, 0x53, 2, 0, 0, 0x5e, 0, 0x53, 1, 0x08, 0x00,
	0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,
	0x04, 0x00, 0, 53, 0, 8, 0, 0,
};

/* Linux cooked v1, outgoing, then the same IPv4/UDP datagram. */
static const uint8_t sll_udp[44] = {
	0, 4, 0, 1, 0, 6, 0, 0, 0x5e, 0, 0x53, 1, 0, 0, 0x08, 0x00,
	0x45, 0, 0, 28, 0, 2, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,
	0x04, 0x00, 0, 53, 0, 8, 0, 0,
};

static struct capture_source *open_one(const char *path, const char *filter)
{
	const char *paths[1] = {path};
	enum capture_error err;
	char msg[512];
	struct capture_source *src;

	src = capture_source_open(paths, 1, filter, &err, msg, sizeof(msg));
	if (src == NULL)
		fail_msg("open: %s", msg);
	return src;
}

/*
 * Interfaces of three link types and two snaplens, as mergecap writes
 * them (libpcap 1.10 stops at the second): each frame keeps its own
 * link type, and the NFLOG interface's frame is skipped and counted.
 */
static void test_link_type_per_interface(void **state)
{
	struct ng b = {0};
	struct capture_source *src;
	struct capture_frame f;
	const struct capture_input_info *in;

	(void)state;
	ng_shb(&b, false);
	ng_idb(&b, 1, 262144, 0, 0);       /* EN10MB */
	ng_idb(&b, 113, 65535, 0, 0);      /* LINUX_SLL */
	ng_idb(&b, 239, 0, 0, 0);          /* NFLOG: not decoded */
	ng_epb(&b, 0, 1000000, eth_udp, sizeof(eth_udp), sizeof(eth_udp));
	ng_epb(&b, 1, 2000000, sll_udp, sizeof(sll_udp), sizeof(sll_udp));
	ng_epb(&b, 2, 3000000, eth_udp, sizeof(eth_udp), sizeof(eth_udp));
	ng_epb(&b, 0, 4000000, eth_udp, sizeof(eth_udp), sizeof(eth_udp));
	src = open_one(ng_write(&b, "links.pcapng", b.len), NULL);
	assert_int_equal(capture_source_next(src, &f), 1);
	assert_int_equal(f.link_type, LINK_TYPE_ETHERNET);
	assert_int_equal(f.ts.sec, 1);
	assert_int_equal(capture_source_next(src, &f), 1);
	assert_int_equal(f.link_type, LINK_TYPE_LINUX_SLL);
	assert_int_equal(f.cap_len, sizeof(sll_udp));
	assert_int_equal(capture_source_next(src, &f), 1);
	assert_int_equal(f.link_type, LINK_TYPE_ETHERNET);
	assert_int_equal(f.ts.sec, 4);
	assert_int_equal(capture_source_next(src, &f), 0);
	assert_null(capture_source_take_warning(src));
	in = capture_source_input(src, 0);
	assert_int_equal(in->records, 4);
	assert_int_equal(in->frames, 3);
	assert_int_equal(in->interfaces, 3);
	assert_int_equal(in->unsupported_link_records, 1);
	assert_int_equal(in->n_skipped_links, 1);
	assert_int_equal(in->skipped_links[0].dlt, 239);
	assert_int_equal(in->skipped_links[0].records, 1);
	assert_int_equal(in->broken_at_frame, 0);
	capture_source_free(src);
}

/* The filter is compiled for each link type: "udp" finds both frames. */
static void test_filter_per_link_type(void **state)
{
	struct ng b = {0};
	struct capture_source *src;
	struct capture_frame f;
	const char *path;
	const char *paths[1];
	enum capture_error err;
	char msg[512];

	(void)state;
	ng_shb(&b, false);
	ng_idb(&b, 1, 262144, 0, 0);
	ng_idb(&b, 113, 65535, 0, 0);
	ng_epb(&b, 0, 1000000, eth_udp, sizeof(eth_udp), sizeof(eth_udp));
	ng_epb(&b, 1, 2000000, sll_udp, sizeof(sll_udp), sizeof(sll_udp));
	path = ng_write(&b, "filter.pcapng", b.len);
	src = open_one(path, "udp dst port 53");
	assert_int_equal(capture_source_next(src, &f), 1);
	assert_int_equal(f.link_type, LINK_TYPE_ETHERNET);
	assert_int_equal(capture_source_next(src, &f), 1);
	assert_int_equal(f.link_type, LINK_TYPE_LINUX_SLL);
	assert_int_equal(capture_source_next(src, &f), 0);
	capture_source_free(src);
	src = open_one(path, "tcp");
	assert_int_equal(capture_source_next(src, &f), 0);
	assert_int_equal(capture_source_input(src, 0)->records, 2);
	capture_source_free(src);
	/* "ether" means nothing on the cooked interface: refused at open. */
	paths[0] = path;
	assert_null(capture_source_open(paths, 1, "ether src 00:00:5e:00:53:01",
					&err, msg, sizeof(msg)));
	assert_int_equal(err, CAPTURE_ERR_FILTER);
	assert_non_null(strstr(msg, "link type 113"));
}

/*
 * Two sections: a big-endian one with raw IP (LINKTYPE_RAW 101, not
 * DLT_RAW) in nanoseconds, then a little-endian one whose interface 0
 * is Ethernet with times in 2^-20 s and an offset of 100 s.
 */
static void test_sections_orders_and_times(void **state)
{
	struct ng b = {0};
	struct capture_source *src;
	struct capture_frame f;

	(void)state;
	ng_shb(&b, true);
	ng_idb(&b, 101, 65535, 9, 0);
	ng_epb(&b, 0, UINT64_C(1767225600123456789), eth_udp + 14, 28, 28);
	ng_shb(&b, false);
	ng_idb(&b, 1, 65535, 0x80 | 20, 100);
	/* 1767225601.5 s: 1.5 * 2^20 units past 1767225501 s */
	ng_epb(&b, 0, (UINT64_C(1767225501) << 20) + (3u << 19), eth_udp,
	       sizeof(eth_udp), sizeof(eth_udp));
	src = open_one(ng_write(&b, "sections.pcapng", b.len), NULL);
	assert_int_equal(capture_source_next(src, &f), 1);
	assert_int_equal(f.link_type, LINK_TYPE_RAW);
	assert_int_equal(f.ts.sec, 1767225600);
	assert_int_equal(f.ts.nsec, 123456789);
	assert_true(f.has_ts);
	assert_int_equal(capture_source_next(src, &f), 1);
	assert_int_equal(f.link_type, LINK_TYPE_ETHERNET);
	assert_int_equal(f.ts.sec, 1767225602);
	assert_int_equal(f.ts.nsec, 500000000);
	assert_int_equal(capture_source_next(src, &f), 0);
	assert_int_equal(capture_source_input(src, 0)->interfaces, 2);
	capture_source_free(src);
}

/*
 * A simple packet block has no time and keeps what the snaplen let
 * through; an obsolete packet block reads like an enhanced one.
 */
static void test_simple_and_obsolete_blocks(void **state)
{
	struct ng b = {0};
	struct capture_source *src;
	struct capture_frame f;

	(void)state;
	ng_shb(&b, false);
	ng_idb(&b, 1, 30, 0, 0);
	ng_spb(&b, eth_udp, 30, sizeof(eth_udp));
	ng_pb(&b, 0, 7000000, eth_udp, 30);
	src = open_one(ng_write(&b, "spb.pcapng", b.len), NULL);
	assert_int_equal(capture_source_next(src, &f), 1);
	assert_false(f.has_ts);
	assert_int_equal(f.cap_len, 30);
	assert_int_equal(f.wire_len, sizeof(eth_udp));
	assert_int_equal(capture_source_next(src, &f), 1);
	assert_true(f.has_ts);
	assert_int_equal(f.ts.sec, 7);
	assert_int_equal(f.cap_len, 30);
	assert_int_equal(capture_source_next(src, &f), 0);
	capture_source_free(src);
}

/* The latest statistics block of each interface counts, summed. */
static void test_interface_statistics(void **state)
{
	struct ng b = {0};
	struct capture_source *src;
	struct capture_frame f;
	const struct capture_input_info *in;

	(void)state;
	ng_shb(&b, false);
	ng_idb(&b, 1, 65535, 0, 0);
	ng_idb(&b, 1, 65535, 0, 0);
	ng_epb(&b, 0, 1000000, eth_udp, sizeof(eth_udp), sizeof(eth_udp));
	ng_isb(&b, 0, 7, 3);
	ng_isb(&b, 0, 9, 0);
	ng_isb(&b, 1, 0, 4);
	src = open_one(ng_write(&b, "isb.pcapng", b.len), NULL);
	while (capture_source_next(src, &f) == 1)
		;
	in = capture_source_input(src, 0);
	assert_int_equal(in->interfaces_with_stats, 2);
	assert_true(in->has_ifdrop);
	assert_int_equal(in->ifdrop, 9);
	assert_true(in->has_osdrop);
	assert_int_equal(in->osdrop, 4);
	capture_source_free(src);
}

/*
 * Breaks: a block cut short at the end, a trailer that disagrees, a
 * packet on an interface never described.  Each ends the input with a
 * warning naming the record, and says how much of the file is unread.
 */
static void test_breaks(void **state)
{
	struct ng b = {0};
	struct capture_source *src;
	struct capture_frame f;
	const struct capture_input_info *in;
	const char *w;
	size_t good;

	(void)state;
	ng_shb(&b, false);
	ng_idb(&b, 1, 65535, 0, 0);
	ng_epb(&b, 0, 1000000, eth_udp, sizeof(eth_udp), sizeof(eth_udp));
	good = b.len;
	ng_epb(&b, 0, 2000000, eth_udp, sizeof(eth_udp), sizeof(eth_udp));
	src = open_one(ng_write(&b, "cut.pcapng", b.len - 10), NULL);
	assert_int_equal(capture_source_next(src, &f), 1);
	assert_int_equal(capture_source_next(src, &f), 0);
	w = capture_source_take_warning(src);
	assert_non_null(w);
	assert_non_null(strstr(w, "breaks off in packet 2"));
	assert_non_null(strstr(w, "truncated block"));
	capture_source_free(src);

	b.buf[b.len - 4] ^= 0x40;   /* the second block's trailer */
	ng_epb(&b, 0, 3000000, eth_udp, sizeof(eth_udp), sizeof(eth_udp));
	src = open_one(ng_write(&b, "trailer.pcapng", b.len), NULL);
	assert_int_equal(capture_source_next(src, &f), 1);
	assert_int_equal(capture_source_next(src, &f), 0);
	in = capture_source_input(src, 0);
	assert_int_equal(in->broken_at_frame, 2);
	assert_non_null(strstr(in->broken_reason, "trailing length"));
	/* The third block was never read. */
	assert_int_equal(in->unread_bytes, b.len - (good + (b.len - good) / 2));
	capture_source_free(src);

	b.len = good;
	ng_epb(&b, 5, 2000000, eth_udp, sizeof(eth_udp), sizeof(eth_udp));
	src = open_one(ng_write(&b, "iface.pcapng", b.len), NULL);
	assert_int_equal(capture_source_next(src, &f), 1);
	assert_int_equal(capture_source_next(src, &f), 0);
	assert_non_null(strstr(capture_source_input(src, 0)->broken_reason,
			       "interface 5"));
	capture_source_free(src);
}

/* What cannot be opened: the exit code of a classic pcap file alike. */
static void test_open_errors(void **state)
{
	struct ng b = {0};
	const char *paths[1];
	enum capture_error err;
	char msg[512];

	(void)state;
	ng_shb(&b, false);
	paths[0] = ng_write(&b, "noidb.pcapng", b.len);
	assert_null(capture_source_open(paths, 1, NULL, &err, msg, sizeof(msg)));
	assert_int_equal(err, CAPTURE_ERR_FORMAT);
	assert_non_null(strstr(msg, "no interface description block"));

	ng_idb(&b, 239, 0, 0, 0);
	ng_epb(&b, 0, 1000000, eth_udp, sizeof(eth_udp), sizeof(eth_udp));
	paths[0] = ng_write(&b, "nflog.pcapng", b.len);
	assert_null(capture_source_open(paths, 1, NULL, &err, msg, sizeof(msg)));
	assert_int_equal(err, CAPTURE_ERR_LINK_TYPE);
	assert_non_null(strstr(msg, "unsupported link type 239"));

	b.buf[8] = 0x4e;            /* byte-order magic */
	paths[0] = ng_write(&b, "magic.pcapng", b.len);
	assert_null(capture_source_open(paths, 1, NULL, &err, msg, sizeof(msg)));
	assert_int_equal(err, CAPTURE_ERR_FORMAT);
	assert_non_null(strstr(msg, "byte-order magic"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_type_per_interface),
		cmocka_unit_test(test_filter_per_link_type),
		cmocka_unit_test(test_sections_orders_and_times),
		cmocka_unit_test(test_simple_and_obsolete_blocks),
		cmocka_unit_test(test_interface_statistics),
		cmocka_unit_test(test_breaks),
		cmocka_unit_test(test_open_errors),
	};
	return cmocka_run_group_tests_name("pcapng_reader", tests, setup,
					   teardown);
}
