/*
 * PPP (RFC 1661): the protocol field, then the datagram.  Reached from
 * PPPoE sessions, from GRE (PPTP, RFC 2637), and as the link types PPP
 * (9) and PPP in HDLC-like framing (50, RFC 1662).
 *
 * The protocol field may be compressed to one octet (RFC 1661 section
 * 6.5): a protocol's first octet is even and its last odd, so an odd
 * first octet is the whole field.  The HDLC address and control octets
 * (0xff 0x03, RFC 1662 section 3.1) may precede it, or be elided
 * (Address-and-Control-Field-Compression).  Only IPv4, IPv6 and MPLS
 * are decoded; the control protocols (LCP, IPCP, CCP ...) and
 * compressed or encrypted datagrams are recognised and left.
 */
#include "decode.h"

enum {
	PPP_ADDRESS = 0xff,
	PPP_CONTROL = 0x03,
	PPP_IPV4 = 0x0021,
	PPP_IPV6 = 0x0057,
	PPP_MPLS_UNICAST = 0x0281,
	PPP_MPLS_MULTICAST = 0x0283,
	/* Cisco PPP with HDLC framing in link type 50 (RFC 1547 4.3.1). */
	CHDLC_UNICAST = 0x0f,
	CHDLC_BROADCAST = 0x8f,
};

static bool ppp_read_protocol(struct cursor *c, uint16_t *protocol)
{
	uint8_t first, second;

	if (!cursor_u8(c, &first))
		return false;
	if (first & 1) {
		*protocol = first;
		return true;
	}
	if (!cursor_u8(c, &second))
		return false;
	*protocol = (uint16_t)(first << 8 | second);
	return true;
}

enum decode_status ppp_decode_protocol(struct cursor *c, struct packet *pkt)
{
	uint16_t protocol;

	packet_mark(pkt, PROTO_PPP);
	if (!ppp_read_protocol(c, &protocol))
		return packet_stop(pkt, PROTO_PPP, cursor_fail(c));
	pkt->link.ppp_protocol = protocol;
	switch (protocol) {
	case PPP_IPV4:
		return encap_decode_ip(c, pkt, PROTO_PPP, ETHERTYPE_IPV4);
	case PPP_IPV6:
		return encap_decode_ip(c, pkt, PROTO_PPP, ETHERTYPE_IPV6);
	case PPP_MPLS_UNICAST:
	case PPP_MPLS_MULTICAST:
		pkt->link.ethertype = ETHERTYPE_MPLS;
		return mpls_decode(c, pkt);
	default:
		return packet_stop(pkt, PROTO_PPP, DECODE_UNSUPPORTED);
	}
}

/* Address and control, when there: PPP's HDLC-like framing. */
static bool ppp_skip_hdlc(struct cursor *c)
{
	uint8_t a, ctl;

	if (cursor_peek_u8(c, 0, &a) && a == PPP_ADDRESS &&
	    cursor_peek_u8(c, 1, &ctl) && ctl == PPP_CONTROL)
		return cursor_skip(c, 2);
	return true;
}

enum decode_status ppp_decode_framed(struct cursor *c, struct packet *pkt)
{
	if (!ppp_skip_hdlc(c)) {
		packet_mark(pkt, PROTO_PPP);
		return packet_stop(pkt, PROTO_PPP, cursor_fail(c));
	}
	return ppp_decode_protocol(c, pkt);
}

enum decode_status ppp_decode(struct cursor *c, struct packet *pkt)
{
	pkt->link.framing = FRAMING_PPP;
	return ppp_decode_framed(c, pkt);
}

/*
 * Link type 50: RFC 1662 framing (0xff first), or Cisco's HDLC framing
 * of PPP (0x0f or 0x8f first), which is Cisco HDLC as link type 104.
 */
enum decode_status ppp_hdlc_decode(struct cursor *c, struct packet *pkt)
{
	uint8_t first;

	if (cursor_peek_u8(c, 0, &first) &&
	    (first == CHDLC_UNICAST || first == CHDLC_BROADCAST))
		return chdlc_decode(c, pkt);
	return ppp_decode(c, pkt);
}
