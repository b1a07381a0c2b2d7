/*
 * One line of a TCP connection's ladder, as `tcplens timeline` prints it
 * and the live dashboard shows it: a segment with what the tracker said
 * of it, or a copy of an earlier frame.  Fixed size and self-contained
 * (no pointer), so that the engine's history ring (ENGINE_HISTORY) holds
 * rows and a snapshot copies them; reports/ladder_text.h renders one.
 */
#ifndef TCPLENS_LADDER_ROW_H
#define TCPLENS_LADDER_ROW_H

#include <stdint.h>

#include "flow.h"
#include "packet.h"
#include "tcp_conn.h"

struct ladder_row {
	uint64_t uid;           /* the connection's */
	uint64_t frame;         /* 1-based frame number */
	struct pkt_time ts;
	uint64_t copy_of;       /* 0: a segment; else the frame it copies */
	uint64_t window;        /* advertised, in bytes (scaled) */
	int64_t ack_rtt_ns;     /* RTT sample this ACK gave, 0 if none */
	uint32_t rel_seq, rel_ack;  /* relative to each side's ISN */
	uint32_t seg_len;       /* payload bytes on the wire */
	uint32_t annots;        /* 1u << enum tcp_annot */
	uint32_t dup_ack_num;   /* with TCP_ANNOT_DUPLICATE_ACK */
	uint16_t mss;           /* the options shown: */
	uint8_t opts_present;   /* enum tcp_opt_present bits, the low 8 */
	uint8_t wscale, sack_count;
	uint8_t dir;            /* FLOW_ORIG or FLOW_RESP: who sent it */
	uint8_t flags;          /* TCP flags byte */
	uint8_t state[2];       /* orig's and resp's enum tcp_state after it */
	/*
	 * A segment's first sack_count SACK blocks (at most
	 * PACKET_MAX_SACK_BLOCKS; zero without ACK, and in a copy's row),
	 * [left, right) relative to the data sender's ISN as rel_ack is:
	 * the time-sequence graph draws them against that side's numbers.
	 */
	struct tcp_sack_block rel_sack[PACKET_MAX_SACK_BLOCKS];
};

/* A segment, from what the tracker told of it (info). */
void ladder_row_of_segment(struct ladder_row *r, const struct packet *pkt,
			   const struct flow *f,
			   const struct tcp_seg_info *info);
/* A frame captured again: copy_of's copy, sent by dir; no state change. */
void ladder_row_of_copy(struct ladder_row *r, const struct packet *pkt,
			const struct flow *f, int dir, uint64_t copy_of);

#endif
