/*
 * Where tcplens's segment annotations differ from tshark's on purpose.
 * tshark judges a resent segment only by time and the highest sequence
 * number; tcplens also remembers which sequence ranges the capture
 * never showed (holes) and what the receiver SACKed, so that:
 *  - data seen before and sent again is a retransmission, even when it
 *    comes within tshark's out-of-order threshold (the kernel counts it
 *    in TcpRetransSegs; RACK resends within a few ms on fast paths);
 *  - the first copy of data a FIN or a bare ACK skipped, within that
 *    threshold, is out of order (tshark: a retransmission of the FIN);
 *  - a retransmission of data the receiver already SACKed is spurious;
 *  - a Linux zero-window probe (no data, one below the next sequence
 *    number, sent to a zero window) is a zero-window probe, not the
 *    keep-alive tshark calls it, and its answer a probe ACK;
 *  - a hole the receiver ACKs without it ever being filled was lost by
 *    the capture, not the network: counted as missed bytes, and so are
 *    bytes the snapshot length cut from the segments that carried them.
 * tests/crosscheck/tcp_analysis_check.py lists each case.
 */
#ifndef TCPLENS_TCP_REFINE_H
#define TCPLENS_TCP_REFINE_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"
#include "packet.h"

/*
 * e sent the segment, p is its peer; returns the refined annotations.
 * payload_cut: the snapshot length cut its payload (fewer than seg_len
 * bytes captured).  first_rtt: the connection's tshark out-of-order
 * threshold (ns, 0 before the handshake's round trip is known).
 */
uint32_t tcp_refine_annotations(struct tcp_endpoint *e,
				const struct tcp_endpoint *p,
				const struct packet_tcp *t, uint32_t seg_len,
				bool payload_cut, uint32_t annots,
				uint32_t first_rtt);

/* What an ACK passed in the holes of its receiver's data. */
struct tcp_gaps_acked {
	uint32_t gaps;          /* holes or parts of holes: Zeek's Gap() calls */
	uint64_t bytes;         /* their bytes: missed_bytes */
	uint64_t cut_bytes;     /* of those, cut by the snapshot length */
	bool unseen;            /* some were never seen at all (not cut) */
};

/*
 * ep's peer acknowledged up to ack: the bytes of ep's holes below it
 * reached the peer though the capture does not hold them.  Adds them,
 * and the content gaps they make (one per hole, or part of one, the ACK
 * passed: the calls of Zeek's Gap(), which its history letters G and g
 * count), to *out.
 */
void tcp_refine_holes_acked(struct tcp_endpoint *ep, uint32_t ack,
			    struct tcp_gaps_acked *out);

#endif
