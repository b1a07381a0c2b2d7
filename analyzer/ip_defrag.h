/*
 * IPv4 and IPv6 fragment reassembly, as the receiving Linux host does it.
 *
 * Fragments are keyed by (src, dst, protocol, id) for IPv4 and (src, dst,
 * id) for IPv6, accepted in any order; received byte ranges are tracked
 * (RFC 815's holes, as a sorted list of what is there) up to 65535 bytes.
 * Overlaps follow Linux since 4.19, which applies RFC 5722 to IPv4 too
 * (inet_frag_queue_insert()):
 *
 *   - a fragment wholly inside a run of bytes already received is a
 *     duplicate: ignored, the data first received stays;
 *   - any other overlap discards the whole datagram;
 *   - a last fragment whose end contradicts what is known, or data past
 *     a known end, discards the whole datagram (ip_frag_queue()'s
 *     "corrupted" cases), counted as inconsistent and not incomplete.
 *
 * A duplicate with the same bytes is counted as a duplicate, and so is
 * a fragment of a datagram completed under a second before (the copies
 * a capture on both sides of a router, or on -i any, holds), so that
 * neither shows as an overlap or a datagram that never completed.  Every
 * other overlap is counted, as identical or conflicting bytes.  A
 * datagram not completed within the timeout (capture time: 30 s for
 * IPv4 as net.ipv4.ipfrag_time, 60 s for IPv6 as ip6frag_time) is
 * counted incomplete with the bytes it was missing.  Buffered memory is
 * capped; past the cap the oldest datagrams go first, counted, so a
 * flood of random ids cannot grow it.
 *
 * A value you create and feed decoded fragments to; no global state.
 * An IPv6 datagram is rebuilt with its base header only: extension
 * headers before the fragment header are not carried over.
 */
#ifndef TCPLENS_IP_DEFRAG_H
#define TCPLENS_IP_DEFRAG_H

#include <stddef.h>
#include <stdint.h>

#include "packet.h"

#define DEFRAG_MAX_DATAGRAM 65535u

struct defrag_config {
	int64_t timeout_v4_ns;   /* default 30 s */
	int64_t timeout_v6_ns;   /* default 60 s */
	size_t memory_cap;       /* bytes buffered at most; default 64 MiB */
};

#define DEFRAG_MAX_OVERLAP_EXAMPLES 8

/* One overlap, for the evidence: which frame, which bytes. */
struct defrag_overlap {
	uint64_t frame_no;
	uint32_t start, end;     /* in the datagram's fragmentable part */
	bool conflicting;        /* the overlapping bytes differed */
	bool discarded;          /* a partial overlap: datagram dropped */
};

struct defrag_stats {
	uint64_t fragments;          /* fragments fed */
	uint64_t reassembled;        /* datagrams completed */
	uint64_t incomplete;         /* timed out or still open at the end */
	/*
	 * Of them, still open when the capture ended, within the timeout:
	 * their other fragments may only be missing from the capture.
	 */
	uint64_t incomplete_at_end;
	uint64_t incomplete_missing_bytes; /* at least (an unseen end) */
	uint64_t dropped_memory;     /* datagrams evicted under the cap */
	uint64_t not_captured;       /* fragments cut by the snaplen */
	/* Wholly inside received data, or of a datagram just completed. */
	uint64_t duplicates;
	uint64_t overlaps_identical; /* overlapping bytes were equal */
	uint64_t overlaps_conflicting;
	uint64_t discarded_overlap;  /* datagrams dropped for an overlap */
	uint64_t oversize;           /* would exceed 65535 bytes */
	uint64_t inconsistent_length;
	uint64_t tiny_first;         /* first fragment shorter than the
				      * transport header it starts */
	size_t memory_in_use;
	size_t memory_peak;
	/* The first overlaps seen (DEFRAG_MAX_OVERLAP_EXAMPLES at most). */
	struct defrag_overlap overlap_examples[DEFRAG_MAX_OVERLAP_EXAMPLES];
	uint32_t n_overlap_examples;
};

enum defrag_result {
	DEFRAG_HELD,        /* kept; the datagram is not complete yet */
	DEFRAG_COMPLETE,    /* *whole holds the reassembled datagram */
	DEFRAG_DROPPED,     /* ignored or discarded (see the stats) */
};

struct defrag;

void defrag_config_defaults(struct defrag_config *cfg);
struct defrag *defrag_new(const struct defrag_config *cfg);
void defrag_free(struct defrag *d);

/*
 * Feeds one decoded fragment (pkt->ip.is_fragment).  On DEFRAG_COMPLETE
 * *whole is the datagram decoded from its IP header on (link type IPV4
 * or IPV6), attributed to this frame (frame_no, ts); its views point
 * into d and stay valid until the next call.  Datagrams past their
 * timeout at this frame's time are ended first.
 */
enum defrag_result defrag_add(struct defrag *d, const struct packet *pkt,
			      struct packet *whole);

/* Ends datagrams older than their timeout at capture time now. */
void defrag_expire(struct defrag *d, struct pkt_time now);
void defrag_expire_ns(struct defrag *d, int64_t now_ns);
/*
 * The end of the capture at end_ns: datagrams past their timeout by then
 * end as timed out, the others as still open (incomplete_at_end).
 */
void defrag_flush(struct defrag *d, int64_t end_ns);

const struct defrag_stats *defrag_get_stats(const struct defrag *d);

/*
 * The frame numbers of every fragment of the datagram last completed,
 * in arrival order (duplicates ignored), valid until the next call.
 */
const uint64_t *defrag_completed_frames(const struct defrag *d, size_t *n);

#endif
