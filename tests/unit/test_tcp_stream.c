#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tcp_stream.h"

#define FIN 0x01
#define SYN 0x02

#define MAX_EVENTS 16

/* What the reassembler reported, checked for order as it comes. */
struct recorder {
	uint8_t *bytes;         /* delivered bytes, gaps left out */
	size_t len, cap;
	uint64_t expect_off;    /* data and gaps must follow each other */
	int64_t last_ts;
	size_t data_calls;
	size_t n_gaps, n_conflicts;
	struct {
		uint64_t off, len;
		enum tcp_stream_gap_reason why;
	} gaps[MAX_EVENTS];
	struct {
		uint64_t off, len;
	} conflicts[MAX_EVENTS];
};

static void rec_data(void *ctx, int dir, const uint8_t *p, size_t n,
		     uint64_t off, int64_t ts)
{
	struct recorder *r = ctx;

	assert_int_equal(dir, 1);
	assert_true(n > 0);
	assert_int_equal(off, r->expect_off);
	if (r->len + n > r->cap) {
		r->cap = (r->len + n) * 2;
		r->bytes = realloc(r->bytes, r->cap);
		assert_non_null(r->bytes);
	}
	memcpy(r->bytes + r->len, p, n);
	r->len += n;
	r->expect_off += n;
	r->last_ts = ts;
	r->data_calls++;
}

static void rec_gap(void *ctx, int dir, uint64_t off, uint64_t len,
		    enum tcp_stream_gap_reason why)
{
	struct recorder *r = ctx;

	assert_int_equal(dir, 1);
	assert_int_equal(off, r->expect_off);
	assert_true(len > 0);
	assert_true(r->n_gaps < MAX_EVENTS);
	r->gaps[r->n_gaps].off = off;
	r->gaps[r->n_gaps].len = len;
	r->gaps[r->n_gaps].why = why;
	r->n_gaps++;
	r->expect_off += len;
}

static void rec_conflict(void *ctx, int dir, uint64_t off, uint64_t len)
{
	struct recorder *r = ctx;

	assert_int_equal(dir, 1);
	assert_true(r->n_conflicts < MAX_EVENTS);
	r->conflicts[r->n_conflicts].off = off;
	r->conflicts[r->n_conflicts].len = len;
	r->n_conflicts++;
}

/* The byte at stream offset i of the test streams. */
static uint8_t pat(uint64_t i)
{
	return (uint8_t)(i * 31 + 7 + (i >> 8));
}

static uint8_t data_buf[65536];

static const uint8_t *pattern(uint64_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		data_buf[i] = pat(off + i);
	return data_buf;
}

struct fixture {
	struct recorder rec;
	struct tcp_stream *s;
	uint32_t isn;
	int64_t ts;
};

static void fx_init(struct fixture *fx, uint32_t isn,
		    const struct tcp_stream_config *cfg)
{
	struct tcp_stream_sink sink = {
		.ctx = &fx->rec,
		.on_data = rec_data,
		.on_gap = rec_gap,
		.on_conflict = rec_conflict,
	};

	memset(fx, 0, sizeof(*fx));
	fx->isn = isn;
	fx->s = tcp_stream_new(1, cfg, &sink);
	assert_non_null(fx->s);
}

static void fx_free(struct fixture *fx)
{
	tcp_stream_free(fx->s);
	free(fx->rec.bytes);
}

/* Sequence number of stream offset off (after the SYN). */
static uint32_t seq_of(const struct fixture *fx, uint64_t off)
{
	return fx->isn + 1 + (uint32_t)off;
}

static void syn(struct fixture *fx)
{
	tcp_stream_segment(fx->s, fx->isn, SYN, NULL, 0, 0, ++fx->ts);
}

/* len bytes of the pattern at off, all captured. */
static void seg(struct fixture *fx, uint64_t off, size_t len, uint8_t flags)
{
	tcp_stream_segment(fx->s, seq_of(fx, off), flags, pattern(off, len),
			   len, (uint32_t)len, ++fx->ts);
}

static void ack(struct fixture *fx, uint64_t off)
{
	tcp_stream_ack(fx->s, seq_of(fx, off), ++fx->ts);
}

/* The delivered bytes are the pattern from offset from, len of them. */
static void assert_pattern(const struct recorder *r, size_t at, uint64_t from,
			   size_t len)
{
	assert_true(at + len <= r->len);
	for (size_t i = 0; i < len; i++)
		if (r->bytes[at + i] != pat(from + i))
			fail_msg("byte %zu: 0x%02x, want 0x%02x", at + i,
				 r->bytes[at + i], pat(from + i));
}

/* ------------------------------------------------------------------ tests */

static void test_in_order(void **state)
{
	struct fixture fx;
	const struct tcp_stream_stats *st;

	(void)state;
	fx_init(&fx, 1000, NULL);
	syn(&fx);
	seg(&fx, 0, 100, 0);
	seg(&fx, 100, 100, 0);
	seg(&fx, 200, 100, FIN);
	ack(&fx, 301);          /* the FIN's number: no byte, no gap */
	tcp_stream_finish(fx.s, ++fx.ts);
	st = tcp_stream_get_stats(fx.s);
	assert_int_equal(fx.rec.len, 300);
	assert_pattern(&fx.rec, 0, 0, 300);
	assert_int_equal(fx.rec.data_calls, 3);
	assert_int_equal(fx.rec.n_gaps, 0);
	assert_int_equal(fx.rec.n_conflicts, 0);
	assert_int_equal(st->delivered_bytes, 300);
	assert_int_equal(st->peak_held, 0);     /* never copied to hold */
	assert_int_equal(tcp_stream_offset(fx.s), 300);
	fx_free(&fx);
}

static void test_out_of_order(void **state)
{
	struct fixture fx;
	const struct tcp_stream_stats *st;

	(void)state;
	fx_init(&fx, 5, NULL);
	syn(&fx);
	seg(&fx, 200, 100, 0);
	seg(&fx, 100, 100, 0);
	assert_int_equal(fx.rec.len, 0);        /* held behind the hole */
	seg(&fx, 300, 50, 0);
	seg(&fx, 0, 100, 0);
	assert_int_equal(fx.rec.len, 350);
	assert_pattern(&fx.rec, 0, 0, 350);
	assert_int_equal(fx.rec.last_ts, fx.ts); /* read when the hole filled */
	tcp_stream_finish(fx.s, ++fx.ts);
	st = tcp_stream_get_stats(fx.s);
	assert_int_equal(fx.rec.n_gaps, 0);
	assert_int_equal(st->peak_held, 250);
	assert_int_equal(st->overlap_bytes, 0);
	fx_free(&fx);
}

static void test_retransmission_same_bytes(void **state)
{
	struct fixture fx;
	const struct tcp_stream_stats *st;

	(void)state;
	fx_init(&fx, 77, NULL);
	syn(&fx);
	seg(&fx, 0, 100, 0);
	seg(&fx, 100, 100, 0);
	seg(&fx, 0, 100, 0);            /* retransmitted */
	seg(&fx, 50, 200, 0);           /* repacketised: 150 old, 50 new */
	seg(&fx, 400, 100, 0);          /* held */
	seg(&fx, 400, 100, 0);          /* held twice */
	seg(&fx, 250, 200, 0);          /* fills, overlaps the held piece */
	tcp_stream_finish(fx.s, ++fx.ts);
	st = tcp_stream_get_stats(fx.s);
	assert_int_equal(fx.rec.len, 500);
	assert_pattern(&fx.rec, 0, 0, 500);
	assert_int_equal(fx.rec.n_conflicts, 0);
	assert_int_equal(fx.rec.n_gaps, 0);
	assert_int_equal(st->overlap_bytes, 100 + 150 + 100 + 50);
	assert_int_equal(st->unchecked_bytes, 0);
	fx_free(&fx);
}

static void test_overlap_different_bytes(void **state)
{
	struct fixture fx;
	const struct tcp_stream_stats *st;
	uint8_t evil[100];

	(void)state;
	fx_init(&fx, 0xdead, NULL);
	syn(&fx);
	seg(&fx, 0, 100, 0);
	/* A copy of [50, 150) with bytes 60 and 70..72 changed. */
	memcpy(evil, pattern(50, 100), 100);
	evil[10] ^= 0xff;
	evil[20] ^= 1;
	evil[21] ^= 1;
	evil[22] ^= 1;
	tcp_stream_segment(fx.s, seq_of(&fx, 50), 0, evil, 100, 100, ++fx.ts);
	assert_int_equal(fx.rec.n_conflicts, 1);
	assert_int_equal(fx.rec.conflicts[0].off, 60);
	assert_int_equal(fx.rec.conflicts[0].len, 4);
	/* Its new half [100, 150) was taken: it was the first copy there. */
	assert_int_equal(fx.rec.len, 150);
	/* A held piece, then a different copy of it: the first one stays. */
	seg(&fx, 300, 100, 0);
	memcpy(evil, pattern(300, 100), 100);
	evil[99] ^= 0x20;
	tcp_stream_segment(fx.s, seq_of(&fx, 300), 0, evil, 100, 100, ++fx.ts);
	assert_int_equal(fx.rec.n_conflicts, 2);
	assert_int_equal(fx.rec.conflicts[1].off, 399);
	assert_int_equal(fx.rec.conflicts[1].len, 1);
	seg(&fx, 150, 150, 0);
	tcp_stream_finish(fx.s, ++fx.ts);
	st = tcp_stream_get_stats(fx.s);
	assert_int_equal(fx.rec.len, 400);
	assert_pattern(&fx.rec, 0, 0, 60);
	assert_pattern(&fx.rec, 150, 150, 250);   /* held copy won */
	assert_int_equal(st->conflicts, 2);
	assert_int_equal(st->conflict_bytes, 5);
	fx_free(&fx);
}

/* len bytes of the pattern at off with every byte flipped: a forgery. */
static void forged_seg(struct fixture *fx, uint64_t off, size_t len)
{
	uint8_t forged[512];

	assert_true(len <= sizeof(forged));
	memcpy(forged, pattern(off, len), len);
	for (size_t i = 0; i < len; i++)
		forged[i] ^= 0xff;
	tcp_stream_segment(fx->s, seq_of(fx, off), 0, forged, len,
			   (uint32_t)len, ++fx->ts);
}

/* The delivered bytes [at, at + len) are the forgery of offset from. */
static void assert_forged(const struct recorder *r, size_t at, uint64_t from,
			  size_t len)
{
	assert_true(at + len <= r->len);
	for (size_t i = 0; i < len; i++) {
		uint8_t want = (uint8_t)(pat(from + i) ^ 0xffu);
		uint8_t got = r->bytes[at + i];

		if (got != want)
			fail_msg("byte %zu: 0x%02x, want the forged 0x%02x",
				 at + i, got, want);
	}
}

/*
 * A copy held out of order, never acknowledged, then a segment that
 * fills the hole before it and covers it: Linux queues the hole-filling
 * segment and drops (or trims) the held copy (tcp_data_queue(), then
 * tcp_ofo_queue()), so its bytes are read; the difference is reported.
 */
static void test_hole_filling_copy_wins(void **state)
{
	struct fixture fx;

	(void)state;
	fx_init(&fx, 1000, NULL);
	syn(&fx);
	seg(&fx, 0, 100, 0);
	forged_seg(&fx, 200, 100);      /* held: [100, 200) missing */
	seg(&fx, 100, 250, 0);          /* fills the hole, covers the copy */
	assert_int_equal(fx.rec.len, 350);
	assert_pattern(&fx.rec, 0, 0, 350);
	assert_int_equal(fx.rec.n_conflicts, 1);
	assert_int_equal(fx.rec.conflicts[0].off, 200);
	assert_int_equal(fx.rec.conflicts[0].len, 100);
	/* Covering only part of the held copy: the rest of it is read. */
	forged_seg(&fx, 450, 100);
	seg(&fx, 350, 150, 0);
	tcp_stream_finish(fx.s, ++fx.ts);
	assert_int_equal(fx.rec.len, 550);
	assert_pattern(&fx.rec, 350, 350, 150);
	assert_forged(&fx.rec, 500, 500, 50);
	assert_int_equal(tcp_stream_get_stats(fx.s)->overlap_bytes, 100 + 50);
	fx_free(&fx);
}

/*
 * The receiver's ACK passed the held copy before the other came: it
 * read the held copy (the hole before it is a gap, the capture missed
 * it), and the later one is a differing overlap; the first copy stays.
 */
static void test_acked_copy_stays(void **state)
{
	struct fixture fx;

	(void)state;
	fx_init(&fx, 2000, NULL);
	syn(&fx);
	seg(&fx, 0, 100, 0);
	forged_seg(&fx, 200, 100);
	ack(&fx, 300);
	seg(&fx, 100, 250, 0);
	tcp_stream_finish(fx.s, ++fx.ts);
	assert_int_equal(fx.rec.n_gaps, 1);
	assert_int_equal(fx.rec.len, 250);      /* 350 minus the gap */
	assert_forged(&fx.rec, 100, 200, 100);
	assert_pattern(&fx.rec, 200, 300, 50);
	assert_int_equal(fx.rec.n_conflicts, 1);
	fx_free(&fx);
}

/*
 * Two copies both out of order: the one that starts lower in sequence is
 * read where they overlap (Linux's out-of-order queue replaces a copy a
 * new segment starts below); one that starts inside the held copy, or
 * at it without going further, is dropped.
 */
static void test_out_of_order_copies(void **state)
{
	struct fixture fx;

	(void)state;
	fx_init(&fx, 3000, NULL);
	syn(&fx);
	forged_seg(&fx, 200, 100);
	seg(&fx, 150, 200, 0);          /* starts lower: replaces it */
	forged_seg(&fx, 300, 100);      /* starts inside: its overlap dropped */
	forged_seg(&fx, 150, 200);      /* same start, no further: dropped */
	seg(&fx, 0, 150, 0);
	tcp_stream_finish(fx.s, ++fx.ts);
	assert_int_equal(fx.rec.len, 400);
	assert_pattern(&fx.rec, 0, 0, 350);
	assert_forged(&fx.rec, 350, 350, 50);
	assert_int_equal(fx.rec.n_conflicts, 3);
	fx_free(&fx);
}

static void test_gap_never_filled(void **state)
{
	struct fixture fx;
	const struct tcp_stream_stats *st;

	(void)state;
	fx_init(&fx, 42, NULL);
	syn(&fx);
	seg(&fx, 0, 100, 0);
	/* [100, 200) never captured. */
	seg(&fx, 200, 100, 0);
	seg(&fx, 300, 100, 0);
	assert_int_equal(fx.rec.len, 100);
	ack(&fx, 150);          /* the receiver had part of the hole */
	assert_int_equal(fx.rec.n_gaps, 1);
	assert_int_equal(fx.rec.gaps[0].off, 100);
	assert_int_equal(fx.rec.gaps[0].len, 50);
	assert_int_equal(fx.rec.gaps[0].why, TCP_GAP_NOT_CAPTURED);
	ack(&fx, 400);          /* and all of it */
	assert_int_equal(fx.rec.n_gaps, 2);
	assert_int_equal(fx.rec.gaps[1].off, 150);
	assert_int_equal(fx.rec.gaps[1].len, 50);
	assert_int_equal(fx.rec.len, 300);
	assert_pattern(&fx.rec, 100, 200, 200);
	/* The lost segment turns up late: old news, compared with nothing. */
	seg(&fx, 100, 100, 0);
	/* A hole at the end, and a segment cut by the snapshot length. */
	seg(&fx, 500, 100, 0);
	tcp_stream_segment(fx.s, seq_of(&fx, 600), 0, pattern(600, 60), 60, 100,
			   ++fx.ts);
	tcp_stream_finish(fx.s, ++fx.ts);
	st = tcp_stream_get_stats(fx.s);
	assert_int_equal(fx.rec.n_gaps, 4);
	assert_int_equal(fx.rec.gaps[2].off, 400);
	assert_int_equal(fx.rec.gaps[2].len, 100);
	assert_int_equal(fx.rec.gaps[3].off, 660);
	assert_int_equal(fx.rec.gaps[3].len, 40);
	assert_int_equal(fx.rec.len, 300 + 160);
	assert_pattern(&fx.rec, 300, 500, 160);
	assert_int_equal(st->gap_bytes, 240);
	assert_int_equal(st->unchecked_bytes, 100);
	assert_int_equal(tcp_stream_offset(fx.s), 700);
	fx_free(&fx);
}

static void test_wraparound(void **state)
{
	struct fixture fx;

	(void)state;
	/* Offset 0 is 0xffffff39; 2^32 falls at offset 199. */
	fx_init(&fx, 0xffffff38, NULL);
	syn(&fx);
	seg(&fx, 0, 100, 0);
	seg(&fx, 300, 100, 0);          /* past 2^32, held */
	seg(&fx, 150, 100, 0);          /* straddles 2^32 */
	assert_int_equal(fx.rec.len, 100);
	ack(&fx, 400);                  /* ACK number past 2^32 too */
	assert_int_equal(fx.rec.n_gaps, 2);
	assert_int_equal(fx.rec.gaps[0].off, 100);
	assert_int_equal(fx.rec.gaps[0].len, 50);
	assert_int_equal(fx.rec.gaps[1].off, 250);
	assert_int_equal(fx.rec.gaps[1].len, 50);
	seg(&fx, 390, 30, FIN);         /* 10 old, 20 new */
	tcp_stream_ack(fx.s, seq_of(&fx, 421), ++fx.ts);
	tcp_stream_finish(fx.s, ++fx.ts);
	assert_int_equal(fx.rec.n_gaps, 2);
	assert_int_equal(fx.rec.len, 320);
	assert_pattern(&fx.rec, 0, 0, 100);
	assert_pattern(&fx.rec, 100, 150, 100);
	assert_pattern(&fx.rec, 200, 300, 120);
	assert_int_equal(fx.rec.n_conflicts, 0);
	fx_free(&fx);
}

static void test_long_stream_wraps(void **state)
{
	struct fixture fx;

	(void)state;
	/* Starting 16 bytes before 2^32: every later segment has wrapped. */
	fx_init(&fx, 0xfffffff0, NULL);
	syn(&fx);
	for (uint64_t off = 0; off < 200000; off += 1000)
		seg(&fx, off, 1000, 0);
	tcp_stream_finish(fx.s, ++fx.ts);
	assert_int_equal(fx.rec.len, 200000);
	assert_pattern(&fx.rec, 0, 0, 200000);
	fx_free(&fx);
}

static void test_syn_fin_accounting(void **state)
{
	struct fixture fx;
	const struct tcp_stream_stats *st;

	(void)state;
	/* Data on the SYN (TCP Fast Open) starts at ISN+1. */
	fx_init(&fx, 9000, NULL);
	tcp_stream_segment(fx.s, 9000, SYN, pattern(0, 50), 50, 50, ++fx.ts);
	tcp_stream_segment(fx.s, 9000, SYN, pattern(0, 50), 50, 50, ++fx.ts);
	seg(&fx, 50, 50, FIN);
	seg(&fx, 100, 20, 0);           /* after the FIN: never read */
	ack(&fx, 101);
	tcp_stream_finish(fx.s, ++fx.ts);
	st = tcp_stream_get_stats(fx.s);
	assert_int_equal(fx.rec.len, 100);
	assert_pattern(&fx.rec, 0, 0, 100);
	assert_int_equal(fx.rec.n_gaps, 0);
	assert_int_equal(st->after_fin_bytes, 20);
	assert_int_equal(st->overlap_bytes, 50);
	fx_free(&fx);

	/* The FIN not captured, its ACK is: one past the data, no gap. */
	fx_init(&fx, 1, NULL);
	syn(&fx);
	seg(&fx, 0, 10, 0);
	ack(&fx, 11);
	tcp_stream_finish(fx.s, ++fx.ts);
	assert_int_equal(fx.rec.n_gaps, 0);
	fx_free(&fx);

	/* More than one past: bytes were sent that the capture missed. */
	fx_init(&fx, 1, NULL);
	syn(&fx);
	seg(&fx, 0, 10, 0);
	ack(&fx, 15);
	assert_int_equal(fx.rec.n_gaps, 0);     /* nothing proves it yet */
	tcp_stream_finish(fx.s, ++fx.ts);
	assert_int_equal(fx.rec.n_gaps, 1);
	assert_int_equal(fx.rec.gaps[0].off, 10);
	assert_int_equal(fx.rec.gaps[0].len, 5);
	fx_free(&fx);

	/* A FIN after a hole: the bytes before it were sent. */
	fx_init(&fx, 1, NULL);
	syn(&fx);
	seg(&fx, 0, 10, 0);
	tcp_stream_segment(fx.s, seq_of(&fx, 30), FIN, NULL, 0, 0, ++fx.ts);
	ack(&fx, 31);
	assert_int_equal(fx.rec.n_gaps, 1);
	assert_int_equal(fx.rec.gaps[0].off, 10);
	assert_int_equal(fx.rec.gaps[0].len, 20);
	fx_free(&fx);
}

static void test_midstream_start(void **state)
{
	struct fixture fx;

	(void)state;
	/* No SYN: the first byte seen is offset 0. */
	fx_init(&fx, 70000, NULL);
	seg(&fx, 0, 100, 0);
	seg(&fx, 100, 100, 0);
	tcp_stream_finish(fx.s, ++fx.ts);
	assert_int_equal(fx.rec.len, 200);
	assert_pattern(&fx.rec, 0, 0, 200);
	fx_free(&fx);

	/* The peer's ACK came first: it names offset 0. */
	fx_init(&fx, 70000, NULL);
	ack(&fx, 0);
	seg(&fx, 100, 100, 0);
	ack(&fx, 200);
	tcp_stream_finish(fx.s, ++fx.ts);
	assert_int_equal(fx.rec.n_gaps, 1);
	assert_int_equal(fx.rec.gaps[0].off, 0);
	assert_int_equal(fx.rec.gaps[0].len, 100);
	assert_int_equal(fx.rec.len, 100);
	assert_pattern(&fx.rec, 0, 100, 100);
	fx_free(&fx);
}

static void test_keepalive_and_probe(void **state)
{
	struct fixture fx;
	const struct tcp_stream_stats *st;
	uint8_t garbage = 0;

	(void)state;
	fx_init(&fx, 300, NULL);
	syn(&fx);
	seg(&fx, 0, 100, 0);
	/* Keep-alive: one garbage byte at next - 1 (RFC 9293 3.8.4). */
	if (garbage == pat(99))
		garbage++;
	tcp_stream_segment(fx.s, seq_of(&fx, 99), 0, &garbage, 1, 1, ++fx.ts);
	tcp_stream_segment(fx.s, seq_of(&fx, 99), 0, NULL, 0, 0, ++fx.ts);
	/* Zero-window probe with the next byte, then the byte again. */
	seg(&fx, 100, 1, 0);
	seg(&fx, 100, 50, 0);
	tcp_stream_finish(fx.s, ++fx.ts);
	st = tcp_stream_get_stats(fx.s);
	assert_int_equal(fx.rec.n_conflicts, 0);
	assert_int_equal(st->keepalives, 1);
	assert_int_equal(fx.rec.len, 150);
	assert_pattern(&fx.rec, 0, 0, 150);
	fx_free(&fx);
}

static void test_history_limit(void **state)
{
	struct fixture fx;
	struct tcp_stream_config cfg;
	const struct tcp_stream_stats *st;
	uint8_t evil[100];

	(void)state;
	tcp_stream_config_defaults(&cfg);
	cfg.history = 1024;
	fx_init(&fx, 0, &cfg);
	syn(&fx);
	for (uint64_t off = 0; off < 3000; off += 100)
		seg(&fx, off, 100, 0);
	/* 2900 bytes back: beyond the history, not compared. */
	memset(evil, 0x55, sizeof(evil));
	tcp_stream_segment(fx.s, seq_of(&fx, 0), 0, evil, 100, 100, ++fx.ts);
	/* 100 bytes back: compared. */
	tcp_stream_segment(fx.s, seq_of(&fx, 2900), 0, evil, 100, 100, ++fx.ts);
	st = tcp_stream_get_stats(fx.s);
	assert_int_equal(st->unchecked_bytes, 100);
	assert_int_equal(fx.rec.n_conflicts, 1);
	assert_int_equal(fx.rec.conflicts[0].off, 2900);
	fx_free(&fx);
}

static void test_hold_limit(void **state)
{
	struct fixture fx;
	const struct tcp_stream_stats *st;
	const size_t limit = 4u << 20;
	uint64_t off;

	(void)state;
	fx_init(&fx, 1234567, NULL);
	syn(&fx);
	/* [0, 1000) lost; everything after it held up to the limit. */
	for (off = 1000; off + 1000 <= limit; off += 1000)
		seg(&fx, off, 1000, 0);
	seg(&fx, off, (size_t)(limit - off), 0);
	st = tcp_stream_get_stats(fx.s);
	assert_int_equal(fx.rec.len, 0);
	assert_int_equal(st->hold_overflows, 0);
	assert_int_equal(st->peak_held, limit - 1000);
	/* One byte more than fits: the hole is given up. */
	seg(&fx, limit, 1000, 0);
	st = tcp_stream_get_stats(fx.s);
	assert_int_equal(st->hold_overflows, 1);
	assert_int_equal(fx.rec.n_gaps, 1);
	assert_int_equal(fx.rec.gaps[0].off, 0);
	assert_int_equal(fx.rec.gaps[0].len, 1000);
	assert_int_equal(fx.rec.gaps[0].why, TCP_GAP_HOLD_LIMIT);
	assert_int_equal(fx.rec.len, limit);
	assert_pattern(&fx.rec, 0, 1000, limit);
	/* The lost segment arrives after all: too late, not compared. */
	seg(&fx, 0, 1000, 0);
	st = tcp_stream_get_stats(fx.s);
	assert_int_equal(st->unchecked_bytes, 1000);
	assert_int_equal(fx.rec.n_conflicts, 0);
	/*
	 * Far past the window: the holes before it are given up until it
	 * fits at the far end of the window, where it waits in case the
	 * bytes before it still come.
	 */
	off = limit + 1000 + 3 * (uint64_t)limit;
	seg(&fx, off, 10, 0);
	assert_int_equal(fx.rec.n_gaps, 2);
	assert_int_equal(fx.rec.gaps[1].off, limit + 1000);
	assert_int_equal(fx.rec.gaps[1].len, 2 * (uint64_t)limit + 10);
	assert_int_equal(fx.rec.gaps[1].why, TCP_GAP_HOLD_LIMIT);
	assert_int_equal(fx.rec.len, limit);
	tcp_stream_finish(fx.s, ++fx.ts);
	assert_int_equal(fx.rec.n_gaps, 3);
	assert_int_equal(fx.rec.gaps[2].len, limit - 10);
	assert_int_equal(fx.rec.gaps[2].why, TCP_GAP_NOT_CAPTURED);
	assert_int_equal(fx.rec.len, limit + 10);
	assert_pattern(&fx.rec, limit, off, 10);
	fx_free(&fx);
}

static void test_range_limit(void **state)
{
	struct fixture fx;
	const struct tcp_stream_stats *st;
	uint64_t off;

	(void)state;
	fx_init(&fx, 0, NULL);
	syn(&fx);
	/* One byte every other offset: a hole before each. */
	for (off = 2; off <= 2 * TCP_STREAM_MAX_RANGES; off += 2)
		seg(&fx, off, 1, 0);
	st = tcp_stream_get_stats(fx.s);
	assert_int_equal(st->hold_overflows, 0);
	assert_int_equal(fx.rec.len, 0);
	seg(&fx, off, 1, 0);
	st = tcp_stream_get_stats(fx.s);
	assert_int_equal(st->hold_overflows, 1);
	assert_int_equal(fx.rec.n_gaps, 1);
	assert_int_equal(fx.rec.gaps[0].len, 2);
	assert_int_equal(fx.rec.gaps[0].why, TCP_GAP_HOLD_LIMIT);
	assert_int_equal(fx.rec.len, 1);
	/* Filling every hole delivers everything, in order. */
	for (off = 3; off < 2 * TCP_STREAM_MAX_RANGES + 2; off += 2)
		seg(&fx, off, 1, 0);
	assert_int_equal(fx.rec.len, 2 * TCP_STREAM_MAX_RANGES + 1);
	assert_pattern(&fx.rec, 0, 2, fx.rec.len);
	fx_free(&fx);
}

/* Random segments over a known stream: always the same bytes out. */
static void test_shuffled_retransmissions(void **state)
{
	struct fixture fx;
	struct tcp_stream_config cfg;
	uint32_t rng = 12345;
	const uint64_t total = 300000;
	unsigned rounds = 0;

	(void)state;
	tcp_stream_config_defaults(&cfg);
	cfg.max_held = 100000;
	/* 2^32 falls at offset 131071. */
	fx_init(&fx, 0xfffe0000, &cfg);
	syn(&fx);
	while (tcp_stream_offset(fx.s) < total) {
		uint64_t off, len;

		assert_true(++rounds < 1000000);
		rng = rng * 1103515245u + 12345u;
		/* Around the front: some behind it, some ahead. */
		off = tcp_stream_offset(fx.s) + (rng >> 8) % 40000;
		off = off > 20000 ? off - 20000 : 0;
		len = 1 + (rng >> 3) % 3000;
		if (off >= total)
			continue;
		if (off + len > total)
			len = total - off;
		seg(&fx, off, (size_t)len, 0);
	}
	tcp_stream_finish(fx.s, ++fx.ts);
	assert_int_equal(fx.rec.n_conflicts, 0);
	assert_int_equal(fx.rec.n_gaps, 0);
	assert_int_equal(fx.rec.len, total);
	assert_pattern(&fx.rec, 0, 0, total);
	/* It did exercise holding and overlaps. */
	assert_true(tcp_stream_get_stats(fx.s)->peak_held > 10000);
	assert_true(tcp_stream_get_stats(fx.s)->overlap_bytes > total);
	fx_free(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_retransmission_same_bytes),
		cmocka_unit_test(test_overlap_different_bytes),
		cmocka_unit_test(test_hole_filling_copy_wins),
		cmocka_unit_test(test_acked_copy_stays),
		cmocka_unit_test(test_out_of_order_copies),
		cmocka_unit_test(test_gap_never_filled),
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_long_stream_wraps),
		cmocka_unit_test(test_syn_fin_accounting),
		cmocka_unit_test(test_midstream_start),
		cmocka_unit_test(test_keepalive_and_probe),
		cmocka_unit_test(test_history_limit),
		cmocka_unit_test(test_hold_limit),
		cmocka_unit_test(test_range_limit),
		cmocka_unit_test(test_shuffled_retransmissions),
	};
	return cmocka_run_group_tests_name("tcp_stream", tests, NULL, NULL);
}
