/*
 * GRE (RFC 2784 with RFC 2890's key and sequence number; version 1 is
 * PPTP's enhanced GRE, RFC 2637).  Flags and version, the protocol type
 * (an ethertype), then optional checksum+reserved (C), key (K), sequence
 * number (S) and, in version 1, acknowledgement number (A).
 *
 * The tunnel is recorded with the outer IP header's endpoints and the
 * key: a key names the same tunnel both ways (RFC 2890 section 2.1), so
 * inner flows are told apart by it.  PPTP's key field holds the payload
 * length and the peer's call id instead, which differ by direction.
 * ERSPAN's mirrored frames (0x88be, 0x22eb) are handed to erspan.c.
 * The deprecated routing fields of RFC 1701 (R) are not decoded.
 *
 * A Cisco GRE keepalive is a GRE packet whose payload is the IPv4 GRE
 * packet the peer is to send back: protocol type 0 and nothing after
 * the header, addressed to the keepalive's sender.  tshark calls it
 * "possible GRE keepalive" and decodes nothing inside; it is marked
 * (pkt->gre_keepalive) so the coverage counts it as control, not as
 * traffic hidden.  So is PPTP's acknowledgement without payload (RFC
 * 2637 section 4.1: the A flag and no S flag, payload length 0).
 */
#include "decode.h"

#include <string.h>

enum {
	GRE_FLAG_C = 0x8000,
	GRE_FLAG_R = 0x4000,
	GRE_FLAG_K = 0x2000,
	GRE_FLAG_S = 0x1000,
	GRE_FLAG_A = 0x0080,            /* version 1 */
	GRE_VERSION_MASK = 0x0007,
	GRE_PROTO_TEB = 0x6558,         /* transparent Ethernet bridging */
	GRE_PROTO_PPP = 0x880b,
	GRE_PROTO_ERSPAN_II = 0x88be,   /* type I without, II with sequence */
	GRE_PROTO_ERSPAN_III = 0x22eb,
	GRE_PPTP_CALL_MASK = 0xffff,
	GRE_NVGRE_VSID_SHIFT = 8,
	GRE_NVGRE_FLOWID_MASK = 0xff,
};

struct gre_header {
	uint16_t flags, proto;
	uint32_t key, seq;
};

static bool gre_read(struct cursor *c, struct gre_header *h)
{
	uint32_t ack;

	if (!cursor_be16(c, &h->flags) || !cursor_be16(c, &h->proto))
		return false;
	if ((h->flags & GRE_FLAG_C) && !cursor_skip(c, 4))
		return false;
	if ((h->flags & GRE_FLAG_K) && !cursor_be32(c, &h->key))
		return false;
	if ((h->flags & GRE_FLAG_S) && !cursor_be32(c, &h->seq))
		return false;
	if ((h->flags & GRE_VERSION_MASK) == 1 && (h->flags & GRE_FLAG_A))
		return cursor_be32(c, &ack);
	return true;
}

/*
 * NVGRE (RFC 7637 section 3.2) splits Ethernet's key: the 24-bit VSID
 * names the virtual network both ways, the 8-bit FlowID is entropy
 * each end picks per flow, so it names nothing and is only recorded.
 */
static void gre_record(struct packet_encap *e, const struct gre_header *h)
{
	unsigned version = h->flags & GRE_VERSION_MASK;
	bool nvgre = version == 0 && h->proto == GRE_PROTO_TEB;

	e->version = (uint8_t)version;
	if (h->flags & GRE_FLAG_K) {
		e->flags |= ENCAP_HAS_ID;
		e->id = version == 1 ? (h->key & GRE_PPTP_CALL_MASK)
		      : nvgre ? h->key >> GRE_NVGRE_VSID_SHIFT : h->key;
		if (version == 0)
			e->flags |= ENCAP_ID_SHARED;
		if (nvgre) {
			e->flags |= ENCAP_HAS_ID2;
			e->id2 = h->key & GRE_NVGRE_FLOWID_MASK;
		}
	}
	if (h->flags & GRE_FLAG_S) {
		e->flags &= (uint8_t)~ENCAP_HAS_ID2;
		e->flags |= ENCAP_HAS_SEQ;
		e->id2 = h->seq;
	}
}

/*
 * The inner GRE of a keepalive (h read, c past it): version 0, protocol
 * type 0, no payload on the wire, in IPv4 carried by GRE and addressed
 * back to the outer packet's source, the router that sent it.
 */
static bool gre_is_keepalive(const struct cursor *c, const struct packet *pkt,
			     const struct gre_header *h)
{
	const struct packet_encap *e;

	if ((h->flags & GRE_VERSION_MASK) != 0 || h->proto != 0 ||
	    cursor_wire_remaining(c) != 0 || pkt->ip.version != 4 ||
	    pkt->encap_count == 0)
		return false;
	e = &pkt->encaps[pkt->encap_count - 1];
	return e->kind == ENCAP_GRE && e->src.family == 4 &&
	       memcmp(e->src.bytes, pkt->ip.dst.bytes, 4) == 0;
}

/* PPTP's acknowledgement alone: no sequence number, nothing after. */
static bool gre_is_pptp_ack(const struct cursor *c, const struct gre_header *h)
{
	return (h->flags & GRE_VERSION_MASK) == 1 && (h->flags & GRE_FLAG_A) &&
	       !(h->flags & GRE_FLAG_S) && cursor_wire_remaining(c) == 0;
}

/* The payloads decoded; the tunnel is entered only for them. */
static bool gre_decodes(uint16_t proto)
{
	switch (proto) {
	case ETHERTYPE_IPV4:
	case ETHERTYPE_IPV6:
	case GRE_PROTO_TEB:
	case GRE_PROTO_PPP:
	case ETHERTYPE_MPLS:
	case ETHERTYPE_MPLS_MULTICAST:
		return true;
	default:
		return false;
	}
}

static enum decode_status gre_payload(struct cursor *c, struct packet *pkt,
				      uint16_t proto)
{
	switch (proto) {
	case GRE_PROTO_TEB:
		return encap_decode_ethernet(c, pkt);
	case GRE_PROTO_PPP:
		return encap_decode_ppp(c, pkt);
	case ETHERTYPE_MPLS:
	case ETHERTYPE_MPLS_MULTICAST:
		return encap_decode_ethertype(c, pkt, proto);
	default:
		return encap_decode_ip(c, pkt, PROTO_GRE, proto);
	}
}

enum decode_status gre_decode(struct cursor *c, struct packet *pkt)
{
	struct gre_header h = {0};
	struct packet_encap *e;

	packet_mark(pkt, PROTO_GRE);
	decode_clamp_to_ip(c, pkt);
	if (!gre_read(c, &h))
		return packet_stop(pkt, PROTO_GRE, cursor_fail(c));
	if ((h.flags & GRE_VERSION_MASK) > 1) {
		packet_add_anomaly(pkt, PKT_ANOM_GRE_BAD_VERSION);
		return packet_stop(pkt, PROTO_GRE, DECODE_MALFORMED);
	}
	if (h.flags & GRE_FLAG_R)
		return packet_stop(pkt, PROTO_GRE, DECODE_UNSUPPORTED);
	if (!gre_decodes(h.proto) && h.proto != GRE_PROTO_ERSPAN_II &&
	    h.proto != GRE_PROTO_ERSPAN_III) {
		if (gre_is_keepalive(c, pkt, &h))
			pkt->gre_control = GRE_CONTROL_KEEPALIVE;
		return packet_stop(pkt, PROTO_GRE, DECODE_UNSUPPORTED);
	}
	if (gre_is_pptp_ack(c, &h)) {
		pkt->gre_control = GRE_CONTROL_PPTP_ACK;
		return packet_stop(pkt, PROTO_GRE, DECODE_UNSUPPORTED);
	}
	if (h.proto == GRE_PROTO_ERSPAN_II || h.proto == GRE_PROTO_ERSPAN_III)
		return erspan_decode(c, pkt, h.proto == GRE_PROTO_ERSPAN_III
						     ? 3
						     : (h.flags & GRE_FLAG_S) ? 2 : 1);
	e = encap_push_tunnel(pkt, ENCAP_GRE);
	if (e == NULL)
		return packet_stop(pkt, PROTO_GRE, DECODE_UNSUPPORTED);
	gre_record(e, &h);
	return gre_payload(c, pkt, h.proto);
}
