#include "capture_quality.h"

#include <stdlib.h>
#include <string.h>

#include "quality_internal.h"
#include "tcp_annot.h"

#define NS_PER_SEC 1000000000LL
/* Times this far from the frame before were edited or merged in. */
#define TIME_JUMP_NS (86400 * NS_PER_SEC)
/* Larger IP packets than Ethernet's MTU were never on such a wire. */
#define WIRE_MTU 1500

/*
 * Senders with a zeroed IPv4 header checksum: whether each also left
 * TCP/UDP sums to the NIC decides between offload and editing, at the
 * end, when all its packets are known.
 */
#define QUALITY_CKSUM_HOSTS 32

struct cksum_host {
	struct ip_addr addr;
	uint64_t zeroed_good;       /* zeroed beside a correct TCP sum */
	uint64_t zeroed_other;
	bool offloads;              /* it left a TCP/UDP sum to the NIC */
};

struct capture_quality {
	struct capture_quality_report r;        /* as fed */
	struct capture_quality_report judged;   /* with the source's facts */
	struct quality_source_facts src;
	bool have_prev_ts;
	int64_t prev_ts;
	struct cksum_host hosts[QUALITY_CKSUM_HOSTS];
	size_t n_hosts, last_host;
	uint64_t zeroed_unplaced;   /* senders past the table: offload */
};

struct capture_quality *capture_quality_new(void)
{
	return calloc(1, sizeof(struct capture_quality));
}

void capture_quality_free(struct capture_quality *q)
{
	free(q);
}

const char *quality_reason_key(enum quality_reason r)
{
	static const char *const keys[QUALITY_REASON_COUNT] = {
		[QUALITY_UNSUPPORTED_LINK] = "unsupported_link_type",
		[QUALITY_UNDECODED_ENCAP] = "undecoded_encapsulation",
		[QUALITY_TUNNEL_PAYLOAD] = "tunnel_payload",
		[QUALITY_NON_IP] = "non_ip",
		[QUALITY_OTHER_IP_PROTOCOL] = "other_ip_protocol",
		[QUALITY_MALFORMED] = "malformed",
		[QUALITY_UNFILTERED] = "unfiltered",
		[QUALITY_TUNNEL_TABLE_FULL] = "tunnel_table_full",
		[QUALITY_SNAPLEN_CUT] = "snaplen_cut",
	};
	return (unsigned)r < QUALITY_REASON_COUNT ? keys[r] : "unknown";
}

const char *quality_direction_key(enum quality_direction d)
{
	switch (d) {
	case QUALITY_DIRECTION_NO_TCP: return "no_tcp";
	case QUALITY_DIRECTION_TWO_SIDED: return "two_sided";
	case QUALITY_DIRECTION_PARTLY: return "partly_one_sided";
	case QUALITY_DIRECTION_ONE_SIDED: return "one_sided";
	}
	return "unknown";
}

bool quality_reason_hides(enum quality_reason r)
{
	return r == QUALITY_UNSUPPORTED_LINK || r == QUALITY_UNDECODED_ENCAP ||
	       r == QUALITY_TUNNEL_PAYLOAD || r == QUALITY_UNFILTERED ||
	       r == QUALITY_TUNNEL_TABLE_FULL;
}

/* ---------------------------------------------------------------- coverage */

/* n more frames of what; kept by kind while the table has room. */
static void note_detail(struct capture_quality_report *r,
			const struct quality_detail *what, uint64_t n)
{
	for (size_t i = 0; i < r->n_details; i++) {
		struct quality_detail *d = &r->details[i];

		if (d->reason == what->reason && d->kind == what->kind &&
		    d->code == what->code &&
		    (d->kind != QUALITY_CODE_NONE || d->name == what->name)) {
			d->frames += n;
			return;
		}
	}
	if (r->n_details < QUALITY_MAX_DETAILS) {
		r->details[r->n_details] = *what;
		r->details[r->n_details++].frames = n;
	}
}

static void note_reason(struct capture_quality_report *r,
			const struct quality_detail *what, bool analysed,
			uint64_t n)
{
	r->by_reason[what->reason] += n;
	if (!analysed)
		r->not_analysed += n;
	note_detail(r, what, n);
}

/* ------------------------------------------------------- edits, offload */

static bool addr_unspecified(const struct ip_addr *a)
{
	uint64_t w[2];

	memcpy(w, a->bytes, sizeof(w));
	return (w[0] | w[1]) == 0;
}

static bool addr_group(const struct ip_addr *a)
{
	if (a->family == 6)
		return a->bytes[0] == 0xff;
	return (a->bytes[0] & 0xf0) == 0xe0 ||
	       (a->bytes[0] & a->bytes[1] & a->bytes[2] & a->bytes[3]) == 0xff;
}

/*
 * No stack sends from a group address, nor a TCP segment to one or
 * from or to an unspecified address; a datagram to 0.0.0.0 or :: goes
 * nowhere.  DHCP's 0.0.0.0 source and DAD's :: are fine.
 */
static bool addresses_impossible(const struct packet *pkt)
{
	const struct packet_ip *ip = &pkt->ip;

	if (addr_group(&ip->src) || addr_unspecified(&ip->dst))
		return true;
	return packet_inner_has(pkt, PROTO_TCP) &&
	       (addr_unspecified(&ip->src) || addr_group(&ip->dst));
}

static bool port_zero(const struct packet *pkt)
{
	if (packet_inner_has(pkt, PROTO_TCP) && pkt->tcp.header_ok)
		return pkt->tcp.sport == 0 || pkt->tcp.dport == 0;
	if (packet_inner_has(pkt, PROTO_UDP) && pkt->udp.header_ok)
		return pkt->udp.sport == 0 || pkt->udp.dport == 0;
	return false;
}

static enum cksum_status transport_cksum(const struct packet *pkt)
{
	if (packet_inner_has(pkt, PROTO_TCP))
		return pkt->tcp.cksum;
	if (packet_inner_has(pkt, PROTO_UDP))
		return pkt->udp.cksum;
	return CKSUM_NOT_CHECKED;
}

/*
 * The sender's row, or NULL when the table is full.  The last row found
 * is tried first: a capture on a sending host offloads on nearly every
 * packet it sends.
 */
static struct cksum_host *cksum_host(struct capture_quality *q,
				     const struct ip_addr *a)
{
	struct cksum_host *h = &q->hosts[q->last_host];

	if (q->n_hosts > 0 && memcmp(&h->addr, a, sizeof(*a)) == 0)
		return h;
	for (size_t i = 0; i < q->n_hosts; i++)
		if (memcmp(&q->hosts[i].addr, a, sizeof(*a)) == 0) {
			q->last_host = i;
			return &q->hosts[i];
		}
	if (q->n_hosts == QUALITY_CKSUM_HOSTS)
		return NULL;
	memset(&q->hosts[q->n_hosts], 0, sizeof(q->hosts[0]));
	q->hosts[q->n_hosts].addr = *a;
	q->last_host = q->n_hosts;
	return &q->hosts[q->n_hosts++];
}

/*
 * A zeroed IPv4 header checksum is offload when its sender also leaves
 * TCP/UDP sums to the NIC (Windows offloads both, yet sums some
 * segments itself); from a sender that never does, beside a correct
 * TCP sum, it was zeroed afterwards (edited or anonymised).  Beside a
 * correct UDP sum it proves nothing: DHCP clients sum their UDP in user
 * space and leave the IP header to the NIC (Pcap++'s raw_ip.pcap holds
 * such a Discover twice, before and after the NIC filled it in).
 */
static void note_checksums(struct capture_quality *q, const struct packet *pkt)
{
	enum cksum_status ts = transport_cksum(pkt);
	struct cksum_host *h;

	if (packet_inner_has(pkt, PROTO_IPV4) && pkt->ipv4.cksum == CKSUM_BAD &&
	    pkt->ipv4.checksum == 0) {
		h = cksum_host(q, &pkt->ip.src);
		if (h == NULL)
			q->zeroed_unplaced++;
		else if (ts == CKSUM_GOOD && packet_inner_has(pkt, PROTO_TCP))
			h->zeroed_good++;
		else
			h->zeroed_other++;
	}
	if (packet_inner_has(pkt, PROTO_TCP) && pkt->tcp.cksum == CKSUM_BAD &&
	    pkt->tcp.checksum == 0)
		q->r.transport_cksum_zeroed++;
	if (ts == CKSUM_BAD_OFFLOADED) {
		q->r.cksum_offloaded++;
		h = cksum_host(q, &pkt->ip.src);
		if (h != NULL)
			h->offloads = true;
	}
}

/* Each sender's zeroed IPv4 checksums, as offload or as edits. */
static void judge_zeroed(const struct capture_quality *q,
			 struct capture_quality_report *r)
{
	r->ipv4_cksum_offloaded += q->zeroed_unplaced;
	for (size_t i = 0; i < q->n_hosts; i++) {
		const struct cksum_host *h = &q->hosts[i];

		if (h->offloads) {
			r->ipv4_cksum_offloaded += h->zeroed_good + h->zeroed_other;
		} else {
			r->ipv4_cksum_zeroed += h->zeroed_good;
			r->ipv4_cksum_offloaded += h->zeroed_other;
		}
	}
}

static void note_ip(struct capture_quality *q, const struct packet *pkt)
{
	struct capture_quality_report *r = &q->r;

	note_checksums(q, pkt);
	if (pkt->ip.ttl == 0)
		r->ttl_zero++;
	if (addresses_impossible(pkt))
		r->impossible_addresses++;
	if (port_zero(pkt))
		r->port_zero++;
	if (pkt->ip.header.len + pkt->ip.payload_len > WIRE_MTU)
		r->super_frames++;
}

static void note_time(struct capture_quality *q, const struct packet *pkt)
{
	int64_t t, gap;

	if (!pkt->has_ts)
		return;
	if (pkt->ts.sec == 0 && pkt->ts.nsec == 0)
		q->r.time_zero++;
	t = pkt_time_ns(pkt->ts);
	gap = t - q->prev_ts;
	if (q->have_prev_ts && (gap >= TIME_JUMP_NS || gap <= -TIME_JUMP_NS))
		q->r.time_jumps++;
	q->prev_ts = t;
	q->have_prev_ts = true;
}

static void note_duplicate(struct capture_quality *q, const struct packet *pkt,
			   uint64_t of)
{
	struct capture_quality_report *r = &q->r;

	if (of == 0)
		return;
	r->duplicates++;
	if (packet_inner_has(pkt, PROTO_TCP))
		r->tcp_duplicates++;
	if (r->n_dup_examples < QUALITY_MAX_EXAMPLES) {
		r->dup_frames[r->n_dup_examples] = pkt->frame_no;
		r->dup_of[r->n_dup_examples++] = of;
	}
}

static void note_frame(struct capture_quality *q, const struct packet *pkt,
		       uint64_t copy_of, bool tunnel_refused)
{
	struct capture_quality_report *r = &q->r;
	struct quality_detail what;
	bool analysed, noted;

	r->frames++;
	if (pkt->cap_len < pkt->wire_len) {
		r->snaplen_cut++;
		r->bytes_not_captured += pkt->wire_len - pkt->cap_len;
	}
	note_time(q, pkt);
	noted = quality_classify(pkt, &analysed, &what);
	if (tunnel_refused) {
		what.reason = QUALITY_TUNNEL_TABLE_FULL;
		what.kind = QUALITY_CODE_NONE;
		what.code = 0;
		what.name = "in tunnels past the tunnel table's limit";
		analysed = false;
		noted = true;
	}
	if (noted) {
		what.first_frame = pkt->frame_no;
		note_reason(r, &what, analysed, 1);
	}
	r->analysed += analysed;
	if (packet_inner_has(pkt, PROTO_IPV4) ||
	    packet_inner_has(pkt, PROTO_IPV6)) {
		note_ip(q, pkt);
		note_duplicate(q, pkt, copy_of);
	}
}

void capture_quality_on_packet(struct capture_quality *q,
			       const struct packet *pkt, uint64_t copy_of)
{
	note_frame(q, pkt, copy_of, false);
}

void capture_quality_on_untracked_tunnel(struct capture_quality *q,
					 const struct packet *pkt,
					 uint64_t copy_of)
{
	note_frame(q, pkt, copy_of, true);
}

/* ---------------------------------------------------- direction and loss */

void capture_quality_on_segment(struct capture_quality *q,
				const struct tcp_seg_info *info)
{
	if (info->annots & TCP_ANNOT_BIT(ACK_LOST_SEGMENT))
		q->r.acked_unseen_segments++;
}

/* The connections that lost most, most first. */
static void keep_top_loss(struct capture_quality_report *r, uint64_t uid,
			  uint64_t missed)
{
	size_t i = r->n_top_loss;

	if (i == QUALITY_TOP_LOSS) {
		if (missed <= r->top_loss[i - 1].missed_bytes)
			return;
		i--;
	} else {
		r->n_top_loss++;
	}
	while (i > 0 && r->top_loss[i - 1].missed_bytes < missed) {
		r->top_loss[i] = r->top_loss[i - 1];
		i--;
	}
	r->top_loss[i].uid = uid;
	r->top_loss[i].missed_bytes = missed;
}

/*
 * A connection shows one direction when only one side's packets are
 * in the capture and that side acknowledged something (the SYN-ACK or
 * data it must have received); a SYN never answered or a lone RST
 * proves nothing.
 */
void capture_quality_on_flow_end(struct capture_quality *q,
				 const struct flow *f)
{
	struct capture_quality_report *r = &q->r;
	const struct tcp_conn *c;
	uint64_t lost;
	int only;

	if (!flow_is_tcp(f))
		return;
	c = &f->u.tcp;
	r->tcp_flows++;
	if (f->dir[0].pkts > 0 && f->dir[1].pkts > 0) {
		r->two_sided_flows++;
	} else {
		only = f->dir[0].pkts > 0 ? 0 : 1;
		if (c->ep[only].flags & TCP_EP_ACK_VALID)
			r->one_sided_flows++;
	}
	lost = tcp_conn_bytes_lost(f);
	if (lost > 0) {
		r->flows_with_loss++;
		r->missed_bytes += lost;
		keep_top_loss(r, flow_uid(f), lost);
	}
}

/* ---------------------------------------------------------------- source */

void capture_quality_set_source(struct capture_quality *q,
				const struct quality_source_facts *facts)
{
	q->src = *facts;
}

static void judge_source(const struct quality_source_facts *s,
			 struct capture_quality_report *r)
{
	struct quality_detail what = {0};
	uint64_t listed = 0;

	what.reason = QUALITY_UNSUPPORTED_LINK;
	what.kind = QUALITY_CODE_DLT;
	for (size_t i = 0; i < s->n_links && i < QUALITY_MAX_LINKS; i++) {
		what.code = (uint32_t)s->links[i].dlt;
		what.name = s->links[i].name;
		note_reason(r, &what, false, s->links[i].records);
		listed += s->links[i].records;
	}
	if (s->unsupported_link_records > listed) {
		what.code = 0;
		what.kind = QUALITY_CODE_NONE;
		what.name = "other link types";
		note_reason(r, &what, false, s->unsupported_link_records - listed);
	}
	if (s->unfiltered_records > 0) {
		what.reason = QUALITY_UNFILTERED;
		what.kind = QUALITY_CODE_NONE;
		what.code = 0;
		what.name = "the filter does not compile for their link type";
		note_reason(r, &what, false, s->unfiltered_records);
	}
	r->frames += s->unsupported_link_records + s->unfiltered_records;
	r->broken_inputs = s->broken_inputs;
	r->unread_bytes = s->unread_bytes;
	r->file_bytes = s->file_bytes;
	r->interfaces_with_stats = s->interfaces_with_stats;
	r->has_ifdrop = s->has_ifdrop;
	r->has_osdrop = s->has_osdrop;
	r->ifdrop = s->ifdrop;
	r->osdrop = s->osdrop;
}

static enum quality_direction judge_direction(const struct capture_quality_report *r)
{
	uint64_t judged = r->two_sided_flows + r->one_sided_flows;

	if (judged == 0)
		return QUALITY_DIRECTION_NO_TCP;
	if (r->one_sided_flows == 0)
		return QUALITY_DIRECTION_TWO_SIDED;
	return r->one_sided_flows * 2 > judged ? QUALITY_DIRECTION_ONE_SIDED
					       : QUALITY_DIRECTION_PARTLY;
}

const struct capture_quality_report *
capture_quality_report(struct capture_quality *q)
{
	struct capture_quality_report *r = &q->judged;

	*r = q->r;
	judge_source(&q->src, r);
	judge_zeroed(q, r);
	r->direction = judge_direction(r);
	r->capture_loss = r->missed_bytes > 0 || r->ifdrop > 0 || r->osdrop > 0;
	for (int i = 0; i < QUALITY_REASON_COUNT; i++)
		if (quality_reason_hides((enum quality_reason)i))
			r->hidden += r->by_reason[i];
	return r;
}
