/*
 * The parts of capture_quality.c in files of their own: why a frame was
 * not analysed (quality_coverage.c, the one place that reads what the
 * decoders left undecoded), and the duplicate finder
 * (quality_duplicates.c).  Not public: capture_quality.h is.
 */
#ifndef TCPLENS_QUALITY_INTERNAL_H
#define TCPLENS_QUALITY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "capture_quality.h"

/*
 * Whether the analyzer leaves pkt out (analyzer.c's process_ip() and
 * analyzer_feed() decide alike), and if so why and what it was.  A UDP
 * datagram to a tunnel's port is analysed, as its outer flow, yet comes
 * back with QUALITY_TUNNEL_PAYLOAD: *analysed tells the two apart.
 * Returns false for a frame analysed whole.  A fragment is neither: its
 * datagram counts once reassembled (*analysed true, false returned).
 */
bool quality_classify(const struct packet *pkt, bool *analysed,
		      struct quality_detail *what);

/*
 * The frames seen in the last QUALITY_DUP_WINDOW_NS, by hash.  Small on
 * purpose: a copy comes within a few frames of its original, and a
 * table that stays in the first-level cache keeps the lookup off the
 * per-packet cost (a 4096-slot table missed it on most packets: 17% of
 * `tcplens stats` on the bench capture).  A collision only loses a
 * detection.
 */
#define QUALITY_DUP_SLOTS 256

struct quality_dup_slot {
	uint64_t hash;
	int64_t ts;
	uint64_t frame;
};

struct quality_dups {
	struct quality_dup_slot slot[QUALITY_DUP_SLOTS];
	/* each TCP direction's latest frame, by a hash of its 4-tuple */
	uint64_t last_frame[QUALITY_DUP_SLOTS];
};

/*
 * The earlier frame pkt repeats within the window (its number), or 0;
 * pkt is then remembered.  Decoded fields are compared, never the link
 * header, TTL or checksums, which alone differ in a frame seen on two
 * interfaces (-i any) or before and after a router.  A TCP segment
 * whose peer spoke since its first copy is a retransmission, not a
 * copy.  Bare ACKs and RSTs and IPv6 from :: are never copies (see
 * quality_duplicates.c).
 */
uint64_t quality_dups_check(struct quality_dups *d, const struct packet *pkt);

#endif
