/*
 * Frames captured more than once: the same IP datagram again within
 * FRAME_DUP_WINDOW_NS, as `tcpdump -i any`, a SPAN of both directions of
 * a router or a merge of overlapping captures give.  The analyzer asks
 * once per frame, before anything else sees it: a copy is no
 * retransmission and no new datagram, so it advances nothing (the TCP
 * tracker, reassembly, Zeek's history), and the capture's quality
 * counts it.  frame_dups.c says what counts as the same datagram.
 *
 * Fixed size, allocated once; nothing per packet.  Libc only.
 */
#ifndef TCPLENS_FRAME_DUPS_H
#define TCPLENS_FRAME_DUPS_H

#include <stdint.h>

#include "packet.h"

/* Frames this close with the same decoded bytes are one frame twice. */
#define FRAME_DUP_WINDOW_NS 1000000

struct frame_dups;

struct frame_dups *frame_dups_new(void);
void frame_dups_free(struct frame_dups *d);

/*
 * The earlier frame pkt repeats within the window (its number), or 0;
 * pkt is then remembered.  Decoded fields are compared, never the link
 * header, TTL or checksums, which alone differ in a frame seen on two
 * interfaces (-i any) or before and after a router.  A TCP segment
 * whose peer spoke since its first copy is a retransmission, not a
 * copy.  Bare ACKs and RSTs and IPv6 from :: are never copies.  Every
 * frame is to be passed, in capture order.
 */
uint64_t frame_dups_check(struct frame_dups *d, const struct packet *pkt);

#endif
