/*
 * One direction of a TCP connection put back together: the bytes in the
 * order the receiving application read them, from the segments a
 * capture shows in whatever order, copies and pieces they came in.
 *
 * Policy (tcplens-follow(1)):
 *
 * - Sequence space.  Stream offset 0 is the byte after the SYN (ISN+1);
 *   when the SYN was not captured, the first byte the capture shows:
 *   the first segment of this direction, or the peer's first ACK if
 *   that came earlier (it names the next byte the receiver wants).  SYN
 *   and FIN take one sequence number each and carry no byte (RFC 9293
 *   section 3.4); data on a SYN (TCP Fast Open) starts at ISN+1.  Every
 *   comparison goes through tcp_seq.h, so a stream may wrap past 2^32;
 *   offsets are 64-bit.
 *
 * - The copy the receiver read, as Linux picks it.  A byte delivered in
 *   order keeps its first copy: tcp_data_queue() trims the retransmitted
 *   overlap away.  A byte held out of order was never acknowledged (the
 *   peer's ACK past it delivers it, the receiver having read that copy):
 *   a segment that fills the hole before it and covers it is queued
 *   whole, and the held copy dropped or trimmed (tcp_ofo_queue()), so the
 *   later copy is read.  Between two out-of-order copies, the one whose
 *   segment starts lower wins, the one at the same number only if it
 *   goes further, as tcp_data_queue_ofo() keeps them (held pieces that
 *   touch are merged: the piece's start stands for the first of them).
 *   An overlap whose bytes differ is reported (on_conflict) as a
 *   possible injection: retransmissions of TCP carry the same bytes, so
 *   a difference means someone else wrote into the stream (or a copy
 *   was corrupted).  Delivered bytes are kept for this comparison
 *   up to `history` bytes back; older overlaps are counted unchecked.
 *   A one-byte segment just before the next expected byte is a
 *   keep-alive (RFC 9293 section 3.8.4 allows one garbage octet) and is
 *   never compared.
 *
 * - Out-of-order data is held until the hole before it is filled, at
 *   most `max_held` bytes past the next expected byte.  4 MiB by default:
 *   out-of-order data is bounded by the receive window, and a Linux
 *   receiver with the default tcp_rmem maximum (6 MiB of buffer, of
 *   which about half to two thirds is offered as window) lets no more
 *   than that be in flight; for the one flow followed it costs little.
 *   Data that
 *   would go past the limit, or more than TCP_STREAM_MAX_RANGES pieces,
 *   make the earliest holes given up as gaps (reason HOLD_LIMIT) and
 *   are counted.
 *
 * - Holes become gaps, never joined silently: when the peer has
 *   acknowledged past a hole, the receiver had those bytes and the
 *   capture missed them (reason NOT_CAPTURED); the same when the stream
 *   ends with a hole in it, or with bytes cut by the snapshot length.
 *   An ACK alone (no later data) only proves bytes up to the highest
 *   byte seen; at the end, an ACK exactly one past everything seen is
 *   taken for the ACK of an uncaptured FIN, anything more is a gap.
 *
 * Callbacks run from inside tcp_stream_segment(), tcp_stream_ack() and
 * tcp_stream_finish(); the bytes passed are valid only during the call.
 * In-order data is passed straight from the caller's buffer; only held
 * data is copied, into buffers that grow by doubling up to the limits.
 */
#ifndef TCPLENS_TCP_STREAM_H
#define TCPLENS_TCP_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Held pieces (holes between them) per direction: 64 KiB of bookkeeping. */
#define TCP_STREAM_MAX_RANGES 4096

struct tcp_stream_config {
	size_t max_held;        /* out-of-order bytes ahead: 4 MiB */
	size_t history;         /* delivered bytes kept for comparison: 1 MiB */
};

enum tcp_stream_gap_reason {
	TCP_GAP_NOT_CAPTURED,   /* the peer had them, or the stream ended */
	TCP_GAP_HOLD_LIMIT,     /* given up to stay under max_held */
};

struct tcp_stream_sink {
	void *ctx;
	/* The next len bytes of the stream; ts_ns of the segment that made
	 * them readable. */
	void (*on_data)(void *ctx, int dir, const uint8_t *bytes, size_t len,
			uint64_t stream_offset, int64_t ts_ns);
	void (*on_gap)(void *ctx, int dir, uint64_t offset, uint64_t len,
		       enum tcp_stream_gap_reason why);
	/* In one overlap, len bytes differ from the first copy, the first
	 * of them at offset. */
	void (*on_conflict)(void *ctx, int dir, uint64_t offset, uint64_t len);
};

struct tcp_stream_stats {
	uint64_t delivered_bytes;
	uint64_t gaps, gap_bytes;
	uint64_t overlap_bytes;         /* seen again (retransmissions) */
	uint64_t conflicts, conflict_bytes;
	uint64_t unchecked_bytes;       /* overlap older than the history */
	uint64_t keepalives;
	uint64_t before_start_bytes;    /* before offset 0 */
	uint64_t after_fin_bytes;       /* past the FIN: never delivered */
	uint64_t hold_overflows;        /* holes given up for the limits */
	uint64_t nomem_bytes;           /* not held: out of memory */
	size_t peak_held;               /* held bytes, at most */
};

struct tcp_stream;

void tcp_stream_config_defaults(struct tcp_stream_config *cfg);
/* dir is passed back to the callbacks.  NULL when out of memory. */
struct tcp_stream *tcp_stream_new(int dir, const struct tcp_stream_config *cfg,
				  const struct tcp_stream_sink *sink);
void tcp_stream_free(struct tcp_stream *s);

/*
 * A segment of this direction: flags is the TCP header's flags byte
 * (only SYN 0x02 and FIN 0x01 are looked at), data the cap_len captured
 * payload bytes of wire_len on the wire (a shorter capture leaves a
 * hole).
 */
void tcp_stream_segment(struct tcp_stream *s, uint32_t seq, uint8_t flags,
			const uint8_t *data, size_t cap_len, uint32_t wire_len,
			int64_t ts_ns);
/* The peer acknowledged up to ack (a segment of the peer with ACK set). */
void tcp_stream_ack(struct tcp_stream *s, uint32_t ack, int64_t ts_ns);
/* The connection is over: what is still held is delivered, holes are gaps. */
void tcp_stream_finish(struct tcp_stream *s, int64_t ts_ns);

/* Offset of the next byte to deliver (everything before is settled). */
uint64_t tcp_stream_offset(const struct tcp_stream *s);
const struct tcp_stream_stats *tcp_stream_get_stats(const struct tcp_stream *s);

#endif
