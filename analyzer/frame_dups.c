/*
 * Frames captured more than once: the same IP datagram within
 * FRAME_DUP_WINDOW_NS.  `tcpdump -i any` sees a forwarded or bridged
 * packet on each interface it crosses, a SPAN of both directions of a
 * router sees it going in and out, some merges hold it twice: each copy
 * comes within microseconds (9 to 210 us in the public captures
 * surveyed for issue 14, often the same timestamp).  A retransmission
 * is never that close to its original on a real path (the minimum RTO
 * is 200 ms; a fast retransmission waits for three duplicate ACKs), and
 * over IPv4 it carries a new IP id.
 *
 * What is compared is the datagram as decoded, from the IP header on,
 * without the link header, the TTL or hop limit and the checksums,
 * which a second interface, a router or checksum offload change: a
 * hash of the fields and the first payload bytes, looked up in a fixed
 * table (a collision only loses a detection).
 *
 * A TCP segment sent again the same (IPv6 has no IP id, and Linux's
 * timestamps tick once a millisecond) is a retransmission when its
 * peer spoke in between, as a fast or RACK retransmission answers the
 * peer's duplicate ACKs (216 us apart in the lab's bulk_loss_v6): the
 * last frame of each direction is kept, by a hash of its 4-tuple, and
 * a segment whose peer sent something after its first copy is no
 * duplicate.
 *
 * Two kinds of datagram are the same bytes by design and are left out:
 * a TCP segment with neither data nor SYN or FIN (duplicate ACKs
 * without SACK are identical over IPv6, which has no IP id: the lab's
 * bulk_loss_v6 sends four within 6 us; a host answers each segment
 * for a closed connection with the same RST), and IPv6 from the
 * unspecified address (MLD reports and DAD, which hosts starting
 * together send alike).
 */
#include "frame_dups.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "tunnel_identity.h"

/*
 * The frames seen in the last FRAME_DUP_WINDOW_NS, by hash.  Small on
 * purpose: a copy comes within a few frames of its original, and a
 * table that stays in the first-level cache keeps the lookup off the
 * per-packet cost (a 4096-slot table missed it on most packets: 17% of
 * `tcplens stats` on the bench capture).  A collision only loses a
 * detection.
 */
#define DUP_SLOTS 256

struct dup_slot {
	uint64_t hash;
	int64_t ts;
	uint64_t frame;
};

struct frame_dups {
	struct dup_slot slot[DUP_SLOTS];
	/* each TCP direction's latest frame, by a hash of its 4-tuple */
	uint64_t last_frame[DUP_SLOTS];
};

struct frame_dups *frame_dups_new(void)
{
	return calloc(1, sizeof(struct frame_dups));
}

void frame_dups_free(struct frame_dups *d)
{
	free(d);
}

/* Payload bytes hashed: enough to tell apart segments of one stream. */
#define DUP_PAYLOAD_BYTES 16

/*
 * The hash is a sum of each field's word times an odd constant of its
 * own, finished by one mix: the products do not wait for each other (a
 * chain of mixes cost 10% of `tcplens stats`), and two datagrams that
 * differ in one word never sum alike.
 */
#define K(n) UINT64_C(n)

static uint64_t finish(uint64_t h)
{
	h ^= h >> 32;
	h *= K(0x9e3779b97f4a7c15);
	return h ^ (h >> 29);
}

/* The first bytes of a view, read through a cursor, and its length. */
static uint64_t sum_view(struct byte_view v)
{
	uint64_t w[DUP_PAYLOAD_BYTES / 8] = {0, 0};
	struct cursor c;
	size_t n;

	cursor_init_view(&c, v);
	n = cursor_remaining(&c) < sizeof(w) ? cursor_remaining(&c) : sizeof(w);
	cursor_copy(&c, w, n);
	return w[0] * K(0xc2b2ae3d27d4eb4f) + w[1] * K(0x165667b19e3779f9) +
	       (uint64_t)v.len * K(0x27d4eb2f165667c5);
}

/* An address in one word: both halves of IPv6 folded together. */
static uint64_t fold_addr(const struct ip_addr *a)
{
	uint64_t w[2];

	memcpy(w, a->bytes, sizeof(w));
	return w[0] ^ (w[1] * K(0xff51afd7ed558ccd));
}

static uint64_t sum_ip(const struct packet *pkt, uint64_t src, uint64_t dst)
{
	const struct packet_ip *ip = &pkt->ip;
	uint64_t id = ip->version == 4
		? (uint64_t)pkt->ipv4.id << 1 | ip->frag_more
		: (uint64_t)pkt->ipv6.flow_label << 40 |
		  (uint64_t)pkt->ipv6.ext_len << 8 |
		  (uint64_t)pkt->ipv6.ext_count << 1 | ip->frag_more |
		  UINT64_C(1) << 63;

	return src * K(0x87c37b91114253d5) + dst * K(0x4cf5ad432745937f) +
	       ((uint64_t)ip->payload_len << 32 | ip->frag_offset << 8 |
		ip->proto) * K(0x52dce729da3ed4c9) +
	       id * K(0x38495ab5f1c3a2e1);
}

/*
 * The tunnels a datagram came through, as one word the same both ways
 * (tunnel_identity.h's rule, the flow keys' too): the same inner
 * datagram in another tunnel is another flow's (two tenants' VNIs, or
 * -i any on a VTEP, which holds each packet on the underlay and on the
 * VXLAN device), no copy to leave out of its own.  0 for none.
 */
static uint64_t sum_tunnels(const struct packet *pkt)
{
	return tunnel_path_hash(pkt->encaps, pkt->encap_count);
}

/* A TCP direction's slot: src and dst as given (not sorted). */
static uint64_t hash_direction(uint64_t src, uint64_t dst, uint16_t sport,
			       uint16_t dport)
{
	return finish(src * K(0x87c37b91114253d5) + dst * K(0x4cf5ad432745937f) +
		      ((uint64_t)sport << 16 | dport));
}

static uint64_t sum_transport(const struct packet *pkt)
{
	uint64_t h = 0;

	if (pkt->ip.is_fragment && pkt->ip.frag_offset != 0)
		return sum_view(pkt->payload);
	if (packet_inner_has(pkt, PROTO_TCP)) {
		const struct packet_tcp *t = &pkt->tcp;

		h = ((uint64_t)t->sport << 48 | (uint64_t)t->dport << 32 |
		     t->seq) * K(0x9fb21c651e98df25) +
		    ((uint64_t)t->ack << 32 | (uint64_t)t->flags << 16 |
		     t->window) * K(0xd6e8feb86659fd93) +
		    ((uint64_t)t->ts_val << 32 | t->ts_ecr) * K(0xa0761d6478bd642f);
		for (uint8_t i = 0; i < t->sack_count && i < PACKET_MAX_SACK_BLOCKS; i++)
			h += ((uint64_t)t->sack[i].left << 32 | t->sack[i].right) *
			     K(0xe7037ed1a0b428db) * (2u * i + 1);
	} else if (packet_inner_has(pkt, PROTO_UDP)) {
		h = ((uint64_t)pkt->udp.sport << 32 |
		     (uint64_t)pkt->udp.dport << 16 | pkt->udp.length) *
		    K(0x8ebc6af09c88c6e3);
	} else if (packet_inner_has(pkt, PROTO_ICMP) ||
		   packet_inner_has(pkt, PROTO_ICMPV6)) {
		h = ((uint64_t)pkt->icmp.type << 40 |
		     (uint64_t)pkt->icmp.code << 32 |
		     (uint64_t)pkt->icmp.echo_id << 16 | pkt->icmp.echo_seq) *
		    K(0x589965cc75374cc3);
	}
	return h + sum_view(pkt->payload);
}

/* Whether a copy of pkt could be told from a second datagram alike. */
static bool dup_comparable(const struct packet *pkt)
{
	static const uint8_t unspecified[16];

	if (pkt->status == DECODE_MALFORMED)
		return false;
	if (pkt->ip.version == 6 &&
	    memcmp(pkt->ip.src.bytes, unspecified, sizeof(unspecified)) == 0)
		return false;
	if (packet_inner_has(pkt, PROTO_TCP) && !pkt->ip.is_fragment &&
	    pkt->payload_wire_len == 0 &&
	    !(pkt->tcp.flags & (TCP_FLAG_SYN | TCP_FLAG_FIN)))
		return false;
	return true;
}

/*
 * Notes pkt's TCP direction as the latest to speak; returns the frame
 * its peer last spoke in (0: not known).
 */
static uint64_t direction_turn(struct frame_dups *d, const struct packet *pkt,
			       uint64_t src, uint64_t dst)
{
	const struct packet_tcp *t = &pkt->tcp;
	uint64_t mine = hash_direction(src, dst, t->sport, t->dport);
	uint64_t peer = hash_direction(dst, src, t->dport, t->sport);

	d->last_frame[mine & (DUP_SLOTS - 1)] = pkt->frame_no;
	return d->last_frame[peer & (DUP_SLOTS - 1)];
}

uint64_t frame_dups_check(struct frame_dups *d, const struct packet *pkt)
{
	struct dup_slot *s;
	uint64_t h, src, dst, tun, peer_spoke = 0;
	int64_t ts;

	if (!pkt->has_ts || (!packet_inner_has(pkt, PROTO_IPV4) &&
			     !packet_inner_has(pkt, PROTO_IPV6)))
		return 0;
	tun = sum_tunnels(pkt);
	src = fold_addr(&pkt->ip.src) ^ tun;
	dst = fold_addr(&pkt->ip.dst) ^ tun;
	if (packet_inner_has(pkt, PROTO_TCP) && pkt->tcp.header_ok)
		peer_spoke = direction_turn(d, pkt, src, dst);
	if (!dup_comparable(pkt))
		return 0;
	ts = pkt_time_ns(pkt->ts);
	h = finish(sum_ip(pkt, src, dst) + sum_transport(pkt));
	s = &d->slot[h & (DUP_SLOTS - 1)];
	/* The first copy stays: a third within the window repeats it too. */
	if (s->frame != 0 && s->hash == h && ts >= s->ts &&
	    ts - s->ts <= FRAME_DUP_WINDOW_NS && peer_spoke < s->frame)
		return s->frame;
	s->hash = h;
	s->ts = ts;
	s->frame = pkt->frame_no;
	return 0;
}
