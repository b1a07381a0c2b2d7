/* A ladder row from a segment or a copy: what timeline and history keep. */
#include "ladder_row.h"

#include <string.h>

static void fill_common(struct ladder_row *r, const struct packet *pkt,
			const struct flow *f, int dir)
{
	const struct packet_tcp *t = &pkt->tcp;

	memset(r, 0, sizeof(*r));
	r->uid = flow_uid(f);
	r->frame = pkt->frame_no;
	r->ts = pkt->ts;
	r->dir = (uint8_t)dir;
	r->flags = t->flags;
	r->opts_present = (uint8_t)(t->opts_present & 0xff);
	r->mss = t->mss;
	r->wscale = t->wscale;
	r->sack_count = t->sack_count;
}

/*
 * The peer's ISN base is what rel_ack was made relative to (rel_ack =
 * ack - base), so the blocks shift by the same amount.  Without an ACK
 * there is no base, and a SACK block means nothing: they stay zero.
 */
static void relative_sack(struct ladder_row *r, const struct packet_tcp *t)
{
	uint32_t base = t->ack - r->rel_ack;
	uint8_t n = t->sack_count < PACKET_MAX_SACK_BLOCKS
			    ? t->sack_count : PACKET_MAX_SACK_BLOCKS;

	if (!(t->flags & TCP_FLAG_ACK))
		return;
	for (uint8_t i = 0; i < n; i++) {
		r->rel_sack[i].left = t->sack[i].left - base;
		r->rel_sack[i].right = t->sack[i].right - base;
	}
}

void ladder_row_of_segment(struct ladder_row *r, const struct packet *pkt,
			   const struct flow *f,
			   const struct tcp_seg_info *info)
{
	fill_common(r, pkt, f, info->dir);
	r->window = info->window;
	r->ack_rtt_ns = info->ack_rtt_ns;
	r->rel_seq = info->rel_seq;
	r->rel_ack = info->rel_ack;
	r->seg_len = info->seg_len;
	r->annots = info->annots;
	r->dup_ack_num = info->dup_ack_num;
	r->state[0] = info->state[0];
	r->state[1] = info->state[1];
	relative_sack(r, &pkt->tcp);
}

void ladder_row_of_copy(struct ladder_row *r, const struct packet *pkt,
			const struct flow *f, int dir, uint64_t copy_of)
{
	fill_common(r, pkt, f, dir);
	r->copy_of = copy_of;
}
