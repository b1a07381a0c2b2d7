/*
 * What a segment did to its connection's setup, for the detectors of
 * connection attempts (syn_flood, syn_unanswered, connection_refused,
 * port_scan): the side state's handshake flags and marks, and the
 * segment's events in d->attempt.  Not a detector: the dispatcher calls
 * it first, for every segment of connection setup (a SYN or RST, or any
 * before the handshake completed), and hands the segments with an event
 * to the detectors as SEG_ATTEMPT, SEG_SYN_RETRY (a SYN, or a SYN-ACK,
 * sent again) or (a refusal) SEG_RST.
 */
#include "detect_internal.h"

static bool is_syn(const struct packet *pkt)
{
	return (pkt->tcp.flags & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST)) ==
	       TCP_FLAG_SYN;
}

static bool is_synack(const struct packet *pkt)
{
	return (pkt->tcp.flags & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST)) ==
	       (TCP_FLAG_SYN | TCP_FLAG_ACK);
}

/* The client's SYN: its first, or one sent again. */
static void syn_seen(struct detectors *d, const struct tcp_seg_info *info,
		     struct det_flow *df)
{
	if (!(info->annots & TCP_ANNOT_BIT(RETRANSMISSION))) {
		d->attempt = ATTEMPT_SYN;
		return;
	}
	det_mark(d, DM_SIDE_WORK);
	if (df->syn_retries < UINT8_MAX)
		df->syn_retries++;
	d->attempt = ATTEMPT_SYN_RETRY;
}

/* A RST before the handshake completed; from the server, a refusal. */
static void early_rst(struct detectors *d, const struct flow *f,
		      const struct tcp_seg_info *info, struct det_flow *df)
{
	d->attempt |= ATTEMPT_RST_EARLY;
	if (info->dir == FLOW_RESP && !tcp_conn_saw_synack(f) &&
	    tcp_conn_saw_syn(f, FLOW_ORIG) && !(df->flags & DF_REFUSED)) {
		df->flags |= DF_REFUSED;
		det_mark(d, DM_SIDE_WORK);
		d->attempt |= ATTEMPT_REFUSED;
	}
}

void det_handshake_facts(struct detectors *d, const struct packet *pkt,
			 const struct flow *f, const struct tcp_seg_info *info,
			 struct det_flow *df)
{
	uint8_t fl = pkt->tcp.flags;

	if (!(fl & (TCP_FLAG_SYN | TCP_FLAG_RST)) &&
	    (df->flags & DF_HANDSHAKE_DONE))
		return;
	if (is_syn(pkt) && info->dir == FLOW_ORIG) {
		syn_seen(d, info, df);
		return;
	}
	if (is_synack(pkt) && info->dir == FLOW_RESP) {
		if (!(df->flags & DF_SYNACK_SEEN) && det_scan_source(d, f))
			d->attempt |= ATTEMPT_SCAN_ANSWER;
		df->flags |= DF_SYNACK_SEEN;
		if (info->annots & TCP_ANNOT_BIT(RETRANSMISSION))
			df->flags |= DF_SYNACK_RETRIED;
		if (df->flags & DF_SYN_FLOOD_COUNTED)
			d->attempt |= ATTEMPT_SYNACK;
		/* The client had acknowledged it: its ACK was not taken. */
		if ((info->annots & TCP_ANNOT_BIT(RETRANSMISSION)) &&
		    (df->flags & DF_HANDSHAKE_DONE))
			d->attempt |= ATTEMPT_SYNACK_AGAIN;
	}
	if (!(df->flags & DF_HANDSHAKE_DONE) && tcp_conn_saw_handshake_ack(f) &&
	    tcp_conn_syn_acked(f, FLOW_RESP)) {
		df->flags |= DF_HANDSHAKE_DONE;
		d->attempt |= ATTEMPT_COMPLETED;
		if (!tcp_conn_midstream(f) && !tcp_conn_simultaneous_open(f) &&
		    tcp_conn_saw_syn(f, FLOW_ORIG) &&
		    !(df->flags & DF_REFUSED))
			det_mark(d, DM_OPENED);
	}
	/*
	 * A RST the client's TCP would not accept (in SYN_SENT, one that
	 * does not acknowledge the SYN) ends nothing: acceptability first.
	 */
	if ((fl & TCP_FLAG_RST) && !(df->flags & DF_HANDSHAKE_DONE) &&
	    !(info->annots & TCP_ANNOT_BIT(RST_OUT_OF_WINDOW)))
		early_rst(d, f, info, df);
}
