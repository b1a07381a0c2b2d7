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
}

void ladder_row_of_copy(struct ladder_row *r, const struct packet *pkt,
			const struct flow *f, int dir, uint64_t copy_of)
{
	fill_common(r, pkt, f, dir);
	r->copy_of = copy_of;
}
