/*
 * The TCP connection tracker: both endpoints' RFC 793 states, the
 * per-segment analysis (tshark's tcp.analysis flags), and the
 * per-connection measurements of struct tcp_conn.
 *
 * How states are derived from the wire is documented in tcplens-states(1),
 * "CONNECTION STATES": a send transition happens when the capture shows
 * the segment; receipt of a SYN or FIN only once the receiver shows it
 * (an ACK covering it); receipt of an ACK, or of an acceptable RST from
 * a peer that has been answering, is assumed.
 */
#ifndef TCPLENS_TCP_CONN_H
#define TCPLENS_TCP_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"
#include "packet.h"
#include "tcp_annot.h"
#include "tcp_seq.h"
#include "tcp_state.h"

struct tcp_config {
	int64_t time_wait_ns;   /* 2MSL: 60 s as Linux's TCP_TIMEWAIT_LEN */
};

/* What the tracker says about one segment. */
struct tcp_seg_info {
	uint8_t dir;            /* FLOW_ORIG or FLOW_RESP: who sent it */
	uint8_t state[2];       /* both endpoints' states after it */
	int8_t win_shift;       /* applied to window, -1 not known yet */
	uint32_t annots;        /* 1u << enum tcp_annot */
	uint32_t dup_ack_num;   /* with TCP_ANNOT_DUPLICATE_ACK */
	uint32_t rel_seq, rel_ack; /* relative to each side's ISN */
	uint32_t seg_len;       /* payload bytes on the wire */
	uint64_t window;        /* advertised window in bytes (scaled) */
	int64_t ack_rtt_ns;     /* RTT sample this ACK gave, 0 if none */
	/*
	 * Time since the sender's previous segment (meaningful on a segment
	 * sent again, never the sender's first), and since the peer's latest
	 * (the connection's first segment when the peer sent none): a
	 * retransmission sooner than the minimum RTO after both cannot be a
	 * timeout.
	 */
	int64_t sender_quiet_ns, peer_quiet_ns;
	/*
	 * Content gaps in the peer's data this ACK passed (Zeek's Gap()
	 * calls): holes, or parts of holes, it acknowledged, and data
	 * acknowledged beyond anything seen.  Their bytes are missed_bytes.
	 */
	uint8_t peer_gaps;
	uint64_t in_flight;     /* sender's unacknowledged bytes after it */
	/*
	 * Zero-window time this segment added, each endpoint's (FLOW_ORIG,
	 * FLOW_RESP): the time since the flow's previous packet for an
	 * endpoint that advertised a zero window then (its zero_window_ns
	 * grew by as much).
	 */
	int64_t zero_window_ns[2];
};

/* Starts a connection on its first segment, sent by dir. */
void tcp_conn_init(struct flow *f, const struct packet *pkt, int dir,
		   bool orient_guessed);
/*
 * Feeds one segment sent by dir; fills *info.  The caller has run
 * tcp_conn_advance() to now (it needs the timers first, to tell a reused
 * 4-tuple).
 */
void tcp_conn_on_segment(struct flow *f, const struct packet *pkt,
			 uint32_t seg_len, int dir, int64_t now,
			 struct tcp_seg_info *info);
/* Moves TIME_WAIT endpoints to CLOSED once 2MSL has passed at now. */
void tcp_conn_advance(struct flow *f, const struct tcp_config *cfg,
		      int64_t now);
/*
 * The moment from which tcp_conn_advance() closes f's TIME_WAIT
 * endpoints; INT64_MAX while none has entered TIME_WAIT.
 */
int64_t tcp_conn_time_wait_end(const struct flow *f,
			       const struct tcp_config *cfg);
/*
 * True when a SYN without ACK from dir starts a new connection on this
 * 4-tuple: its ISN is not the one dir sent before, or the old connection
 * was reset or closed both ways (TIME_WAIT included: port reuse).
 */
bool tcp_conn_is_new_attempt(const struct flow *f, const struct packet *pkt,
			     int dir);
/*
 * A new SYN arrived on this 4-tuple: an endpoint still in TIME_WAIT is
 * replaced (Linux accepts such a SYN and kills the TIME_WAIT socket,
 * tcp_timewait_state_process() -> TCP_TW_SYN).  True when one was.
 */
bool tcp_conn_reuse_time_wait(struct flow *f);
/* The direction of the first segment given only the ports (no SYN). */
int tcp_conn_guess_orig(uint16_t sport, uint16_t dport);
/* True when both endpoints are CLOSED or in TIME_WAIT. */
bool tcp_conn_is_closed(const struct flow *f);
/* Settles close_kind when the flow is finalised. */
void tcp_conn_finish(struct flow *f, enum flow_end_reason why);

/*
 * How the connection ended so far: RST when an accepted RST came before
 * FINs both ways (its sender is the initiator), FIN when both FINs were
 * seen (the first FIN's sender), TIMEOUT when it went idle half-open or
 * closing, else OPEN (*initiator: the FIN sender of a half-close, or -1).
 */
enum tcp_close_kind tcp_conn_close(const struct flow *f, int *initiator);

/*
 * Payload bytes from sequence numbers, as Zeek's orig_bytes: the span
 * from the first data byte to the highest sent, so retransmissions count
 * once and bytes the capture missed count too (see missed_bytes).
 */
uint64_t tcp_conn_bytes(const struct flow *f, int dir);

/*
 * Questions about a TCP flow's connection, as of its latest segment, for
 * code outside the tracker (the detectors): the tracker's endpoint flags
 * and fields stay its own.  Inline, because the detectors ask on every
 * segment: each compiles to the loads of the fields it reads.
 */

/* dir's state, as its TCP would hold it. */
static inline enum tcp_state tcp_conn_state(const struct flow *f, int dir)
{
	return (enum tcp_state)f->u.tcp.ep[dir].state;
}

/* The capture missed the first SYN: it began with another segment. */
static inline bool tcp_conn_midstream(const struct flow *f)
{
	return (f->u.tcp.flags & TCP_CONN_MIDSTREAM) != 0;
}

/* Both ends sent a SYN before either saw the other's (RFC 9293 3.5). */
static inline bool tcp_conn_simultaneous_open(const struct flow *f)
{
	return (f->u.tcp.flags & TCP_CONN_SIM_OPEN) != 0;
}

/* dir sent a SYN (its ISN is known). */
static inline bool tcp_conn_saw_syn(const struct flow *f, int dir)
{
	return (f->u.tcp.ep[dir].flags & TCP_EP_SYN_SEEN) != 0;
}

/* A SYN-ACK was seen. */
static inline bool tcp_conn_saw_synack(const struct flow *f)
{
	return (f->u.tcp.flags & TCP_CONN_HAS_SYNACK) != 0;
}

/* The originator acknowledged the responder's SYN: the handshake's ACK. */
static inline bool tcp_conn_saw_handshake_ack(const struct flow *f)
{
	return (f->u.tcp.flags & TCP_CONN_HAS_ACK) != 0;
}

/* When the handshake's ACK was seen; valid if tcp_conn_saw_handshake_ack(). */
static inline int64_t tcp_conn_handshake_ack_ts(const struct flow *f)
{
	return f->first_ts + (int64_t)f->u.tcp.ack_us * 1000;
}

/* dir's peer acknowledged dir's SYN. */
static inline bool tcp_conn_syn_acked(const struct flow *f, int dir)
{
	return (f->u.tcp.ep[dir].flags & TCP_EP_SYN_ACKED) != 0;
}

/*
 * dir acknowledged something: it heard from its peer (a client's ACK
 * after its SYN proves a SYN-ACK reached it, captured or not).
 */
static inline bool tcp_conn_sent_ack(const struct flow *f, int dir)
{
	return (f->u.tcp.ep[dir].flags & TCP_EP_ACK_VALID) != 0;
}

/*
 * The peer acknowledged data the capture never showed at all (capture
 * loss), not only payload the snapshot length cut.
 */
static inline bool tcp_conn_capture_lost(const struct flow *f)
{
	return (f->u.tcp.flags & TCP_CONN_CAPTURE_GAP) != 0;
}

/*
 * Bytes the receivers acknowledged that the capture never showed at all:
 * capture loss, without the payload the snapshot length cut.
 */
static inline uint64_t tcp_conn_bytes_lost(const struct flow *f)
{
	return f->u.tcp.gap_bytes - f->u.tcp.cut_bytes;
}

/* dir sent a FIN. */
static inline bool tcp_conn_saw_fin(const struct flow *f, int dir)
{
	return (f->u.tcp.ep[dir].flags & TCP_EP_FIN_SEEN) != 0;
}

/* dir retransmitted or probed, and its peer has sent nothing since. */
static inline bool tcp_conn_unanswered(const struct flow *f, int dir)
{
	return (f->u.tcp.ep[dir].flags & TCP_EP_UNANSWERED) != 0;
}

/* Segments dir sent again. */
static inline uint32_t tcp_conn_retrans_segs(const struct flow *f, int dir)
{
	return f->u.tcp.ep[dir].retrans_segs;
}

/*
 * dir's peer has sent data that dir has not acknowledged.  False when
 * either is not known yet (what the peer sent, or dir's ACK).
 */
static inline bool tcp_conn_unacked_by(const struct flow *f, int dir)
{
	const struct tcp_endpoint *e = &f->u.tcp.ep[dir];
	const struct tcp_endpoint *p = &f->u.tcp.ep[!dir];

	return (p->flags & TCP_EP_SEQ_VALID) && (e->flags & TCP_EP_ACK_VALID) &&
	       tcp_seq_after(p->high_seq, e->an.lastack);
}

/*
 * dir has acknowledged all its peer sent.  False, as above, when either
 * is not known yet.
 */
static inline bool tcp_conn_all_acked_by(const struct flow *f, int dir)
{
	const struct tcp_endpoint *e = &f->u.tcp.ep[dir];
	const struct tcp_endpoint *p = &f->u.tcp.ep[!dir];

	return (p->flags & TCP_EP_SEQ_VALID) && (e->flags & TCP_EP_ACK_VALID) &&
	       tcp_seq_after_eq(e->an.lastack, p->high_seq);
}

/*
 * The payload of a full-sized segment from dir: the MSS its peer
 * announced (else 536, RFC 9293 3.7.1's default for IPv4, taken for
 * IPv6 too), no more than its own (its MTU bounds what it sends), less
 * the 12 bytes the timestamp option takes in every segment once both
 * offered it (Linux's mss_cache: 1448 on a 1500-byte MTU).
 */
static inline uint32_t tcp_conn_send_mss(const struct flow *f, int dir)
{
	const struct tcp_endpoint *e = &f->u.tcp.ep[dir];
	const struct tcp_endpoint *p = &f->u.tcp.ep[!dir];
	uint32_t mss = (p->flags & TCP_EP_HAS_MSS) ? p->mss : 536;

	if ((e->flags & TCP_EP_HAS_MSS) && e->mss < mss)
		mss = e->mss;
	if ((e->flags & p->flags & TCP_EP_TIMESTAMPS) && mss > 12)
		mss -= 12;
	return mss;
}

/* Round-trip samples of dir's data (its peer's ACKs timed). */
static inline uint32_t tcp_conn_rtt_samples(const struct flow *f, int dir)
{
	return f->u.tcp.ep[dir].rtt.n;
}

/* The shortest of them, in ns (0 with no sample). */
static inline int64_t tcp_conn_rtt_min_ns(const struct flow *f, int dir)
{
	return (int64_t)f->u.tcp.ep[dir].rtt.min_us * 1000;
}

/*
 * The handshake's round trip from the capture point through one side
 * (ns, 0 when unknown): SYN to SYN-ACK goes through the responder,
 * SYN-ACK to ACK through the originator.  Captured at the client, the
 * first is the whole path and the second almost nothing.
 */
static inline int64_t tcp_conn_handshake_leg_ns(const struct flow *f,
						int via)
{
	const struct tcp_conn *c = &f->u.tcp;

	if (via == FLOW_RESP)
		return (c->flags & TCP_CONN_HAS_SYN) &&
		       (c->flags & TCP_CONN_HAS_SYNACK) &&
		       c->synack_us > c->syn_us
		       ? (int64_t)(c->synack_us - c->syn_us) * 1000 : 0;
	return (c->flags & TCP_CONN_HAS_SYNACK) &&
	       (c->flags & TCP_CONN_HAS_ACK) && c->ack_us > c->synack_us
	       ? (int64_t)(c->ack_us - c->synack_us) * 1000 : 0;
}

#endif
