/*
 * Why an endpoint sent its flow's first RST (enum rst_cause), judged once
 * per flow from what the wire showed before it.  Not a detector: the
 * dispatcher calls it for every RST before the detectors run, and
 * abortive_close, half_open and rst_storm read the verdict for the
 * segment at hand in d->first_rst.
 */
#include "detect_internal.h"

/* How soon after its start a listener's reset still means before accept(). */
#define RST_ACCEPT_WINDOW_NS (3 * NS_PER_SEC)

static const char *const cause_names[RST_CAUSE_COUNT] = {
	[RST_REFUSED] = "refused",
	[RST_CLOSE_WITH_UNREAD_DATA] = "close_with_unread_data",
	[RST_LINGER_ZERO] = "linger_zero",
	[RST_WRITE_AFTER_CLOSE] = "write_after_close",
	[RST_UNKNOWN_CONNECTION] = "unknown_connection",
	[RST_OUT_OF_WINDOW] = "out_of_window",
	[RST_TIMEOUT] = "timeout",
	[RST_HANDSHAKE_ABORTED] = "handshake_aborted",
};

const char *rst_cause_name(enum rst_cause c)
{
	return (unsigned)c < RST_CAUSE_COUNT ? cause_names[c] : "unknown";
}

_Static_assert(RST_CAUSE_COUNT == DETECT_RST_CAUSES, "detect.h's count");

void detectors_resets(const struct detectors *d,
		      uint64_t out[DETECT_RST_CAUSES])
{
	for (int c = 0; c < RST_CAUSE_COUNT; c++)
		out[c] = d->rst_by_cause[c];
}

const char *detectors_reset_cause_name(unsigned cause)
{
	return rst_cause_name((enum rst_cause)cause);
}

/*
 * What the wire says about why the endpoint reset.  Linux answers a SYN
 * to a closed port with RST (refused); sends RST|ACK when close() finds
 * unread data, or with SO_LINGER 0, or when it gives up after
 * retransmissions or keep-alives; resets data arriving after its own
 * close(); and answers a segment for no socket at all with a bare RST
 * (no ACK flag) whose sequence number is the segment's ACK.
 */
DET_COLD
static enum rst_cause classify(const struct packet *pkt, const struct flow *f,
			       const struct tcp_seg_info *info,
			       const struct det_flow *df)
{
	int s = info->dir;

	/* One its receiver would not accept ends nothing, whatever came. */
	if (info->annots & TCP_ANNOT_BIT(RST_OUT_OF_WINDOW))
		return RST_OUT_OF_WINDOW;
	if (s == FLOW_RESP && !tcp_conn_saw_synack(f) &&
	    !(df->flags & DF_HANDSHAKE_DONE))
		return RST_REFUSED;
	/*
	 * The client gave up before the handshake completed (a connect
	 * timeout, the losing address of Happy Eyeballs, a SYN scan): its
	 * socket is gone, so the SYN-ACK draws a RST.
	 */
	if (s == FLOW_ORIG && !(df->flags & DF_HANDSHAKE_DONE))
		return RST_HANDSHAKE_ABORTED;
	/*
	 * The listener answered, then reset with a bare RST before the
	 * handshake completed or before its application sent a byte, within
	 * seconds: it knew the connection and dropped it before accept()
	 * (a full accept queue with tcp_abort_on_overflow answers the
	 * final ACK so), which is no peer that forgot it.
	 */
	if (s == FLOW_RESP && !(pkt->tcp.flags & TCP_FLAG_ACK) &&
	    df->max_len[FLOW_RESP] == 0 &&
	    !tcp_conn_saw_fin(f, s) &&
	    (!(df->flags & DF_HANDSHAKE_DONE) ||
	     f->last_ts - f->first_ts < RST_ACCEPT_WINDOW_NS))
		return RST_HANDSHAKE_ABORTED;
	if (tcp_conn_saw_fin(f, s))
		return RST_WRITE_AFTER_CLOSE;
	if (tcp_conn_unanswered(f, s))
		return RST_TIMEOUT;
	if (!(pkt->tcp.flags & TCP_FLAG_ACK))
		return RST_UNKNOWN_CONNECTION;
	/* Data of the peer's not yet acknowledged: it arrived, or was on its way. */
	if (tcp_conn_unacked_by(f, s))
		return RST_CLOSE_WITH_UNREAD_DATA;
	/* The peer's data was the last word, and no answer came. */
	if (df->last_data_dir == !s &&
	    (s == FLOW_RESP || f->dir[s].pkts <= 2 || df->max_len[s] == 0))
		return RST_CLOSE_WITH_UNREAD_DATA;
	return RST_LINGER_ZERO;
}

void det_rst_cause(struct detectors *d, const struct packet *pkt,
		   const struct flow *f, const struct tcp_seg_info *info,
		   struct det_flow *df)
{
	enum rst_cause cause;

	if (!(pkt->tcp.flags & TCP_FLAG_RST) || df->rst_cause != 0)
		return;
	cause = classify(pkt, f, info, df);
	d->rst_by_cause[cause]++;
	df->rst_cause = (uint8_t)(cause + 1);
	d->first_rst = (uint8_t)(cause + 1);
}
