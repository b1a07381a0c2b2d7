/*
 * Entering an encapsulation: the record of the layer (struct
 * packet_encap) and the hand-off to what it carries.
 *
 * A tunnel's outer IP and UDP headers are read by ipv4.c, ipv6.c and
 * udp.c as any other; what identifies the tunnel (endpoints, ports, the
 * outer checksums) is copied into its entry here, and the network and
 * transport parts of the packet are cleared for the inner headers to
 * fill, so everything after the decode layer sees the innermost traffic
 * as if it had travelled alone.  Link-layer framings (MPLS, PPPoE ...)
 * only add their entry: nothing network-level has been decoded yet.
 *
 * A tunnel's entry is pushed only when its payload is about to be
 * decoded: an entry always means the outer headers were cleared, so
 * nothing (a checksum, a flow) is counted for both the entry and the
 * packet's own fields.
 *
 * The depth cap (PACKET_MAX_ENCAPS) bounds the recursion through nested
 * tunnels: the dissectors call back into ipv4_decode/ethernet_decode.
 */
#include "decode.h"

#include <string.h>

struct packet_encap *encap_push(struct packet *pkt, enum encap_kind kind)
{
	struct packet_encap *e;

	if (pkt->encap_count >= PACKET_MAX_ENCAPS) {
		packet_add_anomaly(pkt, PKT_ANOM_ENCAP_TOO_DEEP);
		return NULL;
	}
	e = &pkt->encaps[pkt->encap_count++];
	memset(e, 0, sizeof(*e));
	e->kind = (uint8_t)kind;
	return e;
}

/* What the outer IP header contributes to a tunnel's entry. */
static void encap_take_outer_ip(struct packet_encap *e,
				const struct packet *pkt)
{
	e->src = pkt->ip.src;
	e->dst = pkt->ip.dst;
	e->outer_proto = pkt->ip.proto;
	e->outer_ip_len = (uint32_t)pkt->ip.header.len + pkt->ip.payload_len;
	e->outer_hdr_len = (uint16_t)pkt->ip.header.len;
	if (pkt->ip.version == 4)
		e->outer_ip_cksum = (uint8_t)pkt->ipv4.cksum;
	if (pkt->ip.proto == IPPROTO_NUM_UDP) {
		e->sport = pkt->udp.sport;
		e->dport = pkt->udp.dport;
		e->outer_udp_cksum = (uint8_t)pkt->udp.cksum;
	}
}

/*
 * Clears what the inner headers fill.  The link part stays: an inner
 * Ethernet header overwrites its addresses and type, and its tags are
 * added to the outer ones (what stats counts as tagged frames).
 */
static void encap_clear_inner(struct packet *pkt)
{
	memset(&pkt->ip, 0, sizeof(pkt->ip));
	memset(&pkt->ipv4, 0, sizeof(pkt->ipv4));
	memset(&pkt->ipv6, 0, sizeof(pkt->ipv6));
	memset(&pkt->icmp, 0, sizeof(pkt->icmp));
	memset(&pkt->udp, 0, sizeof(pkt->udp));
	memset(&pkt->tcp, 0, sizeof(pkt->tcp));
	pkt->payload.ptr = NULL;
	pkt->payload.len = 0;
	pkt->payload_wire_len = 0;
}

struct packet_encap *encap_push_tunnel(struct packet *pkt,
				       enum encap_kind kind)
{
	struct packet_encap *e = encap_push(pkt, kind);

	if (e != NULL)
		encap_take_outer_ip(e, pkt);
	return e;
}

enum decode_status encap_decode_ip(struct cursor *c, struct packet *pkt,
				   enum proto self, uint16_t ethertype)
{
	encap_clear_inner(pkt);
	switch (ethertype) {
	case ETHERTYPE_IPV4:
		pkt->link.ethertype = ETHERTYPE_IPV4;
		return ipv4_decode(c, pkt);
	case ETHERTYPE_IPV6:
		pkt->link.ethertype = ETHERTYPE_IPV6;
		return ipv6_decode(c, pkt);
	default:
		return packet_stop(pkt, self, DECODE_UNSUPPORTED);
	}
}

/* As tcpdump's MPLS and GTP printers guess: IP says its version first. */
enum decode_status encap_decode_ip_by_version(struct cursor *c,
					      struct packet *pkt,
					      enum proto self)
{
	uint8_t first;

	/* The entry is pushed: the outer headers go, whatever follows. */
	encap_clear_inner(pkt);
	if (!cursor_peek_u8(c, 0, &first))
		return packet_stop(pkt, self, cursor_fail(c));
	switch (first >> 4) {
	case 4:
		return encap_decode_ip(c, pkt, self, ETHERTYPE_IPV4);
	case 6:
		return encap_decode_ip(c, pkt, self, ETHERTYPE_IPV6);
	default:
		return packet_stop(pkt, self, DECODE_UNSUPPORTED);
	}
}

enum decode_status encap_udp_unsure(struct cursor *c, struct packet *pkt,
				    enum proto self)
{
	if (cursor_fail(c) != DECODE_TRUNCATED)
		return DECODE_OK;
	packet_mark(pkt, self);
	return packet_stop(pkt, self, DECODE_TRUNCATED);
}

enum decode_status encap_decode_ppp(struct cursor *c, struct packet *pkt)
{
	encap_clear_inner(pkt);
	return ppp_decode_framed(c, pkt);
}

enum decode_status encap_decode_ethernet(struct cursor *c, struct packet *pkt)
{
	encap_clear_inner(pkt);
	return ethernet_decode(c, pkt);
}

enum decode_status encap_decode_ethertype(struct cursor *c, struct packet *pkt,
					  uint16_t ethertype)
{
	encap_clear_inner(pkt);
	return decode_ethertype(c, pkt, ethertype);
}
