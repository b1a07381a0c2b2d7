/*
 * tshark's TCP sequence analysis (the tcp.analysis.* flags), reproduced
 * from tcp_analyze_sequence_number() in Wireshark 4.0's packet-tcp.c
 * with its order of checks, thresholds and quirks, so that tcplens and
 * tshark flag the same frames.  Where tcplens differs on purpose, the
 * difference is made by the caller (tcp_conn.c) and documented there.
 */
#ifndef TCPLENS_TCP_ANALYSIS_H
#define TCPLENS_TCP_ANALYSIS_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"
#include "packet.h"

enum {
	TCP_SEQ_LAST_KEEP_ALIVE = 1u << 0,
	TCP_SEQ_LAST_ZERO_WINDOW_PROBE = 1u << 1,
};

void tcp_analysis_init(struct tcp_seq_analysis *a);

/* A distance in ns that saturates at 4.29 s instead of wrapping. */
static inline uint32_t tcp_age_add(uint32_t age, int64_t delta)
{
	int64_t sum = (int64_t)age + (delta > 0 ? delta : 0);

	return sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
}

/*
 * tshark 4.0 opens a new conversation for a SYN without ACK whose
 * sequence number differs from the base of that direction.
 */
bool tcp_analysis_is_new_syn(const struct tcp_seq_analysis *fwd,
			     const struct packet_tcp *t);

/*
 * After tcp_analysis_segment() took a segment from fwd that did not
 * advance its sequence: it came within tshark's out-of-order threshold
 * of the highest segment (the time test of the out_of_order check).
 * first_rtt as for tcp_analysis_segment().
 */
bool tcp_analysis_within_ooo_time(const struct tcp_seq_analysis *fwd,
				  uint32_t first_rtt);

/*
 * Analyses one segment sent on fwd (rev is the other direction) and
 * updates both as tshark does; returns enum tcp_annot bits.
 * first_rtt and mru_syn are the conversation's ts_first_rtt (ns,
 * saturating at 4.29 s) and ts_mru_syn.
 */
uint32_t tcp_analysis_segment(struct tcp_seq_analysis *fwd,
			      struct tcp_seq_analysis *rev,
			      uint32_t *first_rtt, int64_t *mru_syn,
			      const struct packet_tcp *t, uint32_t seglen,
			      int64_t now, uint32_t *dup_ack_num);

#endif
