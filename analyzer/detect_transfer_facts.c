/*
 * What the transfer detectors (and the RST causes) read of a connection's
 * past, brought up to date after every segment, once the detectors have
 * seen it: who sent data last and how much, the largest segments sent and
 * acknowledged, the peer's duplicate ACKs, the runs of silence.  Not a
 * detector: the dispatcher calls it for every segment after them all.
 */
#include "detect_internal.h"

#include "tcp_seq.h"

void det_transfer_facts(struct detectors *d, const struct packet *pkt,
			const struct flow *f, const struct tcp_seg_info *info,
			struct det_flow *df)
{
	int s = info->dir, p = !s;

	df->peer_dup[s] = (info->annots & TCP_ANNOT_BIT(DUPLICATE_ACK)) ||
			  pkt->tcp.sack_count > 0;
	if (df->peer_dup[s]) {
		struct det_flow_ext *e = det_ext_get(d, df, DM_SIDE_WORK);

		if (e != NULL)
			e->dup_ts[s] = d->now;
		else
			df->peer_dup[s] = 0;
	}
	/* Anything from s answers the peer: its silent runs end. */
	df->retx_run[p] = 0;
	if (info->seg_len > 0) {
		uint16_t len = info->seg_len > UINT16_MAX ? UINT16_MAX
							  : (uint16_t)info->seg_len;

		df->last_data_dir = (uint8_t)s;
		df->last_len[s] = len;
		if (len > df->max_len[s]) {
			df->max_len[s] = len;
			df->max_end[s] = info->rel_seq + info->seg_len;
		}
	}
	/* s acknowledged the peer's largest segment: that size gets through. */
	if ((pkt->tcp.flags & TCP_FLAG_ACK) && df->max_len[p] > df->max_len_acked[p] &&
	    tcp_seq_after_eq(info->rel_ack, df->max_end[p]))
		df->max_len_acked[p] = df->max_len[p];
	/*
	 * s has acknowledged all the peer sent: no run of big ones is stuck.
	 * Asked of the tracker only while the peer has such a run (rarely).
	 */
	if (df->big_run[p] != 0 && tcp_conn_all_acked_by(f, s))
		df->big_run[p] = 0;
}
