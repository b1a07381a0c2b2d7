#include "tcp_analysis.h"

#include "tcp_annot.h"
#include "tcp_seq.h"

/* packet-tcp.c: out-of-order when no handshake RTT is known yet. */
#define OOO_THRESHOLD_NS 3000000LL
/* packet-tcp.c: a fast retransmission follows the dup ACKs within 20 ms. */
#define FAST_RETRANS_NS 20000000LL

#define F_SYN TCP_FLAG_SYN
#define F_FIN TCP_FLAG_FIN
#define F_RST TCP_FLAG_RST
#define F_ACK TCP_FLAG_ACK
#define A(x) TCP_ANNOT_BIT(x)

void tcp_analysis_init(struct tcp_seq_analysis *a)
{
	*a = (struct tcp_seq_analysis){0};
	a->window = 0xffffffffu;        /* init_tcp_conversation_data() */
	a->win_scale = -1;
}

bool tcp_analysis_is_new_syn(const struct tcp_seq_analysis *fwd,
			     const struct packet_tcp *t)
{
	return (t->flags & (F_SYN | F_ACK)) == F_SYN && fwd->base_set &&
	       t->seq != fwd->base_seq;
}

/* dissect_tcp(): a flow's base is set from its first segment. */
static void set_bases(struct tcp_seq_analysis *fwd,
		      struct tcp_seq_analysis *rev, const struct packet_tcp *t)
{
	if (!fwd->base_set) {
		fwd->base_seq = (t->flags & F_SYN) ? t->seq : t->seq - 1;
		fwd->base_set = true;
	}
	if (!rev->base_set && (t->flags & F_ACK)) {
		rev->base_seq = t->ack - 1;
		rev->base_set = true;
	}
}

/* The out-of-order threshold: the handshake's round trip once known. */
static int64_t ooo_threshold(uint32_t first_rtt)
{
	return first_rtt != 0 ? (int64_t)first_rtt : OOO_THRESHOLD_NS;
}

bool tcp_analysis_within_ooo_time(const struct tcp_seq_analysis *fwd,
				  uint32_t first_rtt)
{
	/*
	 * update_forward() left the segment's distance from the highest one
	 * (nextseqtime) in nextseq_age_ns, as check_resend() computed it.
	 */
	return (int64_t)fwd->nextseq_age_ns < ooo_threshold(first_rtt);
}

/* Steps 3.1 to 3.9: the checks on what this direction sent. */
static uint32_t check_forward(struct tcp_seq_analysis *fwd,
			      const struct tcp_seq_analysis *rev,
			      const struct packet_tcp *t, uint32_t seglen,
			      uint32_t *dup_ack_num)
{
	const uint8_t sfr = F_SYN | F_FIN | F_RST;
	uint32_t window = t->window, fl = 0;
	int shift;

	if (seglen == 1 && t->seq == fwd->nextseq && rev->window == 0) {
		return A(ZERO_WINDOW_PROBE);
	}
	if (window == 0 && (t->flags & sfr) == 0)
		fl |= A(ZERO_WINDOW);
	if (fwd->nextseq && tcp_seq_after(t->seq, fwd->nextseq) &&
	    (t->flags & F_RST) == 0)
		fl |= A(LOST_SEGMENT);
	if (seglen <= 1 && t->seq == fwd->nextseq - 1 && (t->flags & sfr) == 0)
		fl |= A(KEEP_ALIVE);
	if (seglen == 0 && window != 0 && window != fwd->window &&
	    t->seq == fwd->nextseq && t->ack == fwd->lastack &&
	    (t->flags & sfr) == 0)
		fl |= A(WINDOW_UPDATE);
	shift = rev->is_first_ack || rev->win_scale == -2 ? 0 : rev->win_scale;
	if (seglen > 0 && rev->win_scale != -1 &&
	    t->seq + seglen == rev->lastack + (rev->window << shift) &&
	    (t->flags & sfr) == 0)
		fl |= A(WINDOW_FULL);
	if (seglen == 0 && window != 0 && window == fwd->window &&
	    t->seq == fwd->nextseq && t->ack == fwd->lastack &&
	    (rev->lastsegmentflags & TCP_SEQ_LAST_KEEP_ALIVE) &&
	    (t->flags & sfr) == 0) {
		return fl | A(KEEP_ALIVE_ACK);
	}
	if (seglen == 0 && window == 0 && window == fwd->window &&
	    t->seq == fwd->nextseq && t->ack == fwd->lastack &&
	    (rev->lastsegmentflags & TCP_SEQ_LAST_ZERO_WINDOW_PROBE) &&
	    (t->flags & sfr) == 0) {
		return fl | A(ZERO_WINDOW_PROBE_ACK);
	}
	if (seglen == 0 && window != 0 && window == fwd->window &&
	    t->seq == fwd->nextseq && t->ack == fwd->lastack &&
	    (t->flags & sfr) == 0) {
		fwd->dupacknum = fwd->dupacknum == -1 ? 1 : fwd->dupacknum + 1;
		*dup_ack_num = (uint32_t)fwd->dupacknum;
		fl |= A(DUPLICATE_ACK);
	}
	return fl;
}

/* Step 3.11: the peer's data ACKed but never seen. */
static uint32_t check_acked_unseen(struct tcp_seq_analysis *rev,
				   const struct packet_tcp *t)
{
	if (!rev->maxseqtobeacked || !tcp_seq_after(t->ack, rev->maxseqtobeacked) ||
	    (t->flags & F_ACK) == 0)
		return 0;
	if (tcp_seq_before(rev->maxseqtobeacked, rev->nextseq)) {
		rev->maxseqtobeacked = rev->nextseq;
		return A(ACK_LOST_SEGMENT);
	}
	/* tshark latches "already reported" in the peer's dup-ACK count. */
	{
		uint32_t fl = rev->dupacknum == 0 ? A(ACK_LOST_SEGMENT) : 0;

		rev->dupacknum = -1;
		return fl;
	}
}

/* Step 3.12: retransmission, spurious, fast retransmission, out of order. */
static uint32_t check_resend(const struct tcp_seq_analysis *fwd,
			     const struct tcp_seq_analysis *rev,
			     const struct packet_tcp *t, uint32_t seglen,
			     int64_t now, uint32_t first_rtt, uint32_t fl)
{
	uint32_t syn_fin = (t->flags & (F_SYN | F_FIN)) ? 1 : 0;
	int64_t thres = ooo_threshold(first_rtt);
	bool not_advanced;

	if (seglen == 0 && !syn_fin)
		return 0;
	not_advanced = fwd->nextseq && tcp_seq_before(t->seq, fwd->nextseq);
	if (fl & A(KEEP_ALIVE))
		return 0;
	if (seglen > 1 && fwd->nextseq - 1 == t->seq)
		not_advanced = false; /* after a zero-window probe */
	if (seglen > 0 && rev->lastack &&
	    tcp_seq_before_eq(t->seq + seglen, rev->lastack))
		return A(SPURIOUS_RETRANSMISSION) | A(RETRANSMISSION);
	/* tcp.fastrt_supersedes_ooo (default TRUE): fast first. */
	if (not_advanced && rev->dupacknum >= 2 && rev->lastack == t->seq &&
	    now - rev->lastack_ts < FAST_RETRANS_NS)
		return A(FAST_RETRANSMISSION) | A(RETRANSMISSION);
	/*
	 * A segment that ends where the highest one ended is that one sent
	 * again, never out of order: a SYN, SYN-ACK or FIN resent within the
	 * threshold too (tshark 4.0 calls them retransmissions).
	 */
	if (not_advanced &&
	    now - fwd->lastack_ts + (int64_t)fwd->nextseq_age_ns < thres &&
	    fwd->nextseq != t->seq + seglen + syn_fin)
		return A(OUT_OF_ORDER);
	return not_advanced ? A(RETRANSMISSION) : 0;
}

/* Step 3.13: what tshark remembers of this segment. */
static void update_forward(struct tcp_seq_analysis *fwd,
			   const struct packet_tcp *t, uint32_t seglen,
			   int64_t now, uint32_t fl)
{
	/*
	 * tshark adds the SYN/FIN only while fewer than 1000 segments are
	 * unacknowledged; tcplens keeps no such list and always adds it.
	 */
	uint32_t syn_fin = (t->flags & (F_SYN | F_FIN)) ? 1 : 0;
	uint32_t nextseq = t->seq + seglen + syn_fin;
	bool zwp = (fl & A(ZERO_WINDOW_PROBE)) != 0;

	if ((tcp_seq_after(nextseq, fwd->nextseq) || !fwd->nextseq) && !zwp) {
		fwd->nextseq = nextseq;
		fwd->nextseq_age_ns = 0;
	} else {
		fwd->nextseq_age_ns = tcp_age_add(fwd->nextseq_age_ns,
					      now - fwd->lastack_ts);
	}
	if ((t->seq == fwd->maxseqtobeacked || !fwd->maxseqtobeacked) && !zwp)
		fwd->maxseqtobeacked = fwd->nextseq;
	fwd->window = t->window;
	fwd->lastack = t->ack;
	fwd->lastack_ts = now;
	fwd->lastsegmentflags =
		(uint8_t)(((fl & A(KEEP_ALIVE)) ? TCP_SEQ_LAST_KEEP_ALIVE : 0) |
			  (zwp ? TCP_SEQ_LAST_ZERO_WINDOW_PROBE : 0));
}

/* After the analysis: window scale, is_first_ack, the first RTT. */
static void after_segment(struct tcp_seq_analysis *fwd,
			  struct tcp_seq_analysis *rev,
			  uint32_t *first_rtt, int64_t *mru_syn,
			  const struct packet_tcp *t, int64_t now)
{
	if (t->opts_present & TCP_OPT_HAS_WSCALE)
		fwd->win_scale = (int8_t)t->wscale;
	if (t->flags & F_SYN) {
		/* verify_tcp_window_scaling() */
		if (fwd->win_scale == -1) {
			fwd->win_scale = -2;
			rev->win_scale = -2;
		} else if ((t->flags & F_ACK) && rev->win_scale == -2) {
			fwd->win_scale = -2;
		}
		fwd->is_first_ack = true;
	} else if (t->flags & F_ACK) {
		fwd->is_first_ack = false;
	}
	if ((t->flags & (F_SYN | F_ACK)) == F_SYN)
		*mru_syn = now;
	if ((t->flags & (F_SYN | F_ACK)) == F_ACK && *mru_syn != 0 &&
	    *first_rtt == 0)
		*first_rtt = (uint32_t)(now - *mru_syn > UINT32_MAX
						? UINT32_MAX : now - *mru_syn);
}

uint32_t tcp_analysis_segment(struct tcp_seq_analysis *fwd,
			      struct tcp_seq_analysis *rev,
			      uint32_t *first_rtt, int64_t *mru_syn,
			      const struct packet_tcp *t, uint32_t seglen,
			      int64_t now, uint32_t *dup_ack_num)
{
	uint32_t fl = 0;

	/* A SYN-ACK with a new ISN: tshark flags it, same conversation. */
	if ((t->flags & (F_SYN | F_ACK)) == (F_SYN | F_ACK) && fwd->base_set &&
	    t->seq != fwd->base_seq) {
		fwd->base_seq = t->seq;
		fl |= A(REUSED_PORTS);
	}
	set_bases(fwd, rev, t);
	*dup_ack_num = 0;
	fl |= check_forward(fwd, rev, t, seglen, dup_ack_num);
	if (t->ack != fwd->lastack)
		fwd->dupacknum = 0;
	fl |= check_acked_unseen(rev, t);
	fl |= check_resend(fwd, rev, t, seglen, now, *first_rtt, fl);
	update_forward(fwd, t, seglen, now, fl);
	after_segment(fwd, rev, first_rtt, mru_syn, t, now);
	return fl;
}
