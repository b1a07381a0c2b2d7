#include "tcp_refine.h"

#include <string.h>

#include "tcp_annot.h"
#include "tcp_analysis.h"
#include "tcp_seq.h"

#define A(x) TCP_ANNOT_BIT(x)

static bool hole_is_cut(const struct tcp_endpoint *e, int i)
{
	return (e->holes_cut >> i) & 1u;
}

static void hole_set_cut(struct tcp_endpoint *e, int i, bool cut)
{
	unsigned mask = 1u << i;

	e->holes_cut = (e->holes_cut & ~mask) | (cut ? mask : 0u);
}

static void hole_remove(struct tcp_endpoint *e, int i)
{
	memmove(&e->holes[i], &e->holes[i + 1],
		(size_t)(e->hole_count - i - 1) * sizeof(e->holes[0]));
	for (int j = i; j + 1 < e->hole_count; j++)
		hole_set_cut(e, j, hole_is_cut(e, j + 1));
	e->hole_count--;
}

/*
 * [start, end) has no bytes in the capture; cut: because the snapshot
 * length cut them from segments that were seen.  It joins the last hole
 * when it continues it (a capture cut by its snaplen makes one hole of
 * every segment).
 */
static void hole_add(struct tcp_endpoint *e, uint32_t start, uint32_t end,
		     bool cut)
{
	int n = e->hole_count;

	if (n > 0 && e->holes[n - 1].end == start && hole_is_cut(e, n - 1) == cut) {
		e->holes[n - 1].end = end;
		return;
	}
	/*
	 * No room: the gaps already tracked stay (their fill and their ACK
	 * are what they are waiting for); this one goes untracked.
	 */
	if (n >= TCP_MAX_HOLES) {
		e->flags |= TCP_EP_HOLES_OVERFLOW;
		return;
	}
	e->holes[n].start = start;
	e->holes[n].end = end;
	hole_set_cut(e, n, cut);
	e->hole_count = (uint8_t)(n + 1);
}

/* Bytes of [s, e) in sequence space the capture never showed. */
static uint32_t bytes_unseen(const struct tcp_endpoint *ep, uint32_t s,
			     uint32_t e)
{
	uint32_t n = 0;

	for (int i = 0; i < ep->hole_count; i++) {
		if (hole_is_cut(ep, i))
			continue;
		uint32_t a = tcp_seq_max(s, ep->holes[i].start);
		uint32_t b = tcp_seq_before(e, ep->holes[i].end) ? e
								 : ep->holes[i].end;

		if (tcp_seq_before(a, b))
			n += b - a;
	}
	return n;
}

/* [s, e) arrived: the holes it covers are filled. */
static void holes_fill(struct tcp_endpoint *ep, uint32_t s, uint32_t e)
{
	for (int i = 0; i < ep->hole_count;) {
		struct tcp_hole *h = &ep->holes[i];

		if (tcp_seq_before_eq(e, h->start) || tcp_seq_after_eq(s, h->end)) {
			i++;
		} else if (tcp_seq_before_eq(s, h->start) &&
			   tcp_seq_after_eq(e, h->end)) {
			hole_remove(ep, i);
		} else if (tcp_seq_before_eq(s, h->start)) {
			h->start = e;
			i++;
		} else if (tcp_seq_after_eq(e, h->end)) {
			h->end = s;
			i++;
		} else {
			uint32_t old_end = h->end;

			h->end = s;
			hole_add(ep, e, old_end, hole_is_cut(ep, i));
			i++;
		}
	}
}

void tcp_refine_holes_acked(struct tcp_endpoint *ep, uint32_t ack,
			    struct tcp_gaps_acked *out)
{
	for (int i = 0; i < ep->hole_count;) {
		struct tcp_hole *h = &ep->holes[i];
		bool whole = tcp_seq_after_eq(ack, h->end);

		if (whole || tcp_seq_after(ack, h->start)) {
			uint32_t n = (whole ? h->end : ack) - h->start;

			out->bytes += n;
			if (hole_is_cut(ep, i))
				out->cut_bytes += n;
			out->gaps++;
			out->unseen |= !hole_is_cut(ep, i);
		}
		if (whole) {
			hole_remove(ep, i);
			continue;
		}
		if (tcp_seq_after(ack, h->start))
			h->start = ack;
		i++;
	}
}

static void note_sack(struct tcp_endpoint *e, const struct packet_tcp *t)
{
	e->has_sack = (t->opts_present & TCP_OPT_HAS_SACK) && t->sack_count > 0;
	if (e->has_sack) {
		e->sacked.start = t->sack[0].left;
		e->sacked.end = t->sack[0].right;
	}
}

static bool sacked_by(const struct tcp_endpoint *rcv, uint32_t s, uint32_t e)
{
	return rcv->has_sack && tcp_seq_after_eq(s, rcv->sacked.start) &&
	       tcp_seq_before_eq(e, rcv->sacked.end);
}

static uint32_t refine_resend(struct tcp_endpoint *e,
			      const struct tcp_endpoint *p, uint32_t seq,
			      uint32_t end, uint32_t annots, bool in_ooo_time)
{
	uint32_t seen_end = tcp_seq_before(end, e->high_seq) ? end : e->high_seq;
	bool seen_before = bytes_unseen(e, seq, seen_end) < seen_end - seq;
	uint32_t resent = annots & (A(RETRANSMISSION) | A(FAST_RETRANSMISSION) |
				    A(SPURIOUS_RETRANSMISSION));

	if ((annots & A(OUT_OF_ORDER)) && seen_before)
		annots = (annots & ~A(OUT_OF_ORDER)) | A(RETRANSMISSION);
	/*
	 * The first copy the capture shows of bytes a FIN or an ACK already
	 * skipped, within the threshold: overtaken, not resent.  tshark says
	 * retransmission only because it ends where that segment ended.
	 */
	else if (!seen_before && in_ooo_time && resent == A(RETRANSMISSION))
		annots = (annots & ~A(RETRANSMISSION)) | A(OUT_OF_ORDER);
	if ((annots & A(RETRANSMISSION)) && !(annots & A(SPURIOUS_RETRANSMISSION)) &&
	    sacked_by(p, seq, end))
		annots |= A(SPURIOUS_RETRANSMISSION);
	return annots;
}

uint32_t tcp_refine_annotations(struct tcp_endpoint *e,
				const struct tcp_endpoint *p,
				const struct packet_tcp *t, uint32_t seg_len,
				bool payload_cut, uint32_t annots,
				uint32_t first_rtt)
{
	uint32_t end = t->seq + seg_len;

	if (t->flags & TCP_FLAG_ACK)
		note_sack(e, t);
	if ((annots & A(KEEP_ALIVE)) && seg_len == 0 && p->an.window == 0) {
		annots = (annots & ~A(KEEP_ALIVE)) | A(ZERO_WINDOW_PROBE);
		e->an.lastsegmentflags = TCP_SEQ_LAST_ZERO_WINDOW_PROBE;
	}
	if (!(e->flags & TCP_EP_SEQ_VALID))
		return annots;
	/*
	 * The sequence number jumped: the bytes between were sent and the
	 * capture has not shown them.  A FIN or a bare ACK jumps too when
	 * the data before it was missed.
	 */
	if (tcp_seq_after(t->seq, e->high_seq) && !(t->flags & TCP_FLAG_RST))
		hole_add(e, e->high_seq, t->seq, false);
	if (seg_len > 0 && tcp_seq_before(t->seq, e->high_seq)) {
		annots = refine_resend(e, p, t->seq, end, annots,
				       tcp_analysis_within_ooo_time(&e->an,
								    first_rtt));
		if (!payload_cut)
			holes_fill(e, t->seq, end);
	}
	/*
	 * New bytes whose payload the snapshot length cut: seen in sequence
	 * space, missing as data.  Zeek's reassembler never takes such a
	 * segment (TCP_Endpoint::DataSent(): "truncated_tcp_payload"), so
	 * the ACK of its bytes is a content gap, the whole segment.
	 */
	if (payload_cut && !(t->flags & TCP_FLAG_RST) &&
	    tcp_seq_after(end, tcp_seq_max(t->seq, e->high_seq)))
		hole_add(e, tcp_seq_max(t->seq, e->high_seq), end, true);
	return annots;
}
