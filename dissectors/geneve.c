/*
 * Geneve (RFC 8926, UDP destination port 6081): version (2 bits, 0),
 * options length (6 bits, in 4-byte words), O and C flags, the protocol
 * type (an ethertype: 0x6558 Ethernet, or IPv4/IPv6), the 24-bit VNI,
 * then the options, skipped.  A version other than 0 is not taken for
 * Geneve: the datagram stays plain UDP.
 */
#include "decode.h"

enum {
	GENEVE_FIXED_LEN = 8,
	GENEVE_PROTO_ETHERNET = 0x6558,
};

enum decode_status geneve_decode(struct cursor *c, struct packet *pkt)
{
	struct packet_encap *e;
	uint8_t ver_optlen;
	uint16_t proto;
	uint32_t vni;

	if (!cursor_peek_u8(c, 0, &ver_optlen))
		return encap_udp_unsure(c, pkt, PROTO_GENEVE);
	if (ver_optlen >> 6 != 0)
		return DECODE_OK;
	packet_mark(pkt, PROTO_GENEVE);
	if (!cursor_peek_be16(c, 2, &proto) || !cursor_peek_be32(c, 4, &vni) ||
	    !cursor_skip(c, GENEVE_FIXED_LEN + (size_t)(ver_optlen & 0x3f) * 4))
		return packet_stop(pkt, PROTO_GENEVE, cursor_fail(c));
	e = encap_push_tunnel(pkt, ENCAP_GENEVE);
	if (e == NULL)
		return packet_stop(pkt, PROTO_GENEVE, DECODE_UNSUPPORTED);
	e->id = vni >> 8;
	e->flags = ENCAP_HAS_ID | ENCAP_ID_SHARED;
	if (proto == GENEVE_PROTO_ETHERNET)
		return encap_decode_ethernet(c, pkt);
	return encap_decode_ip(c, pkt, PROTO_GENEVE, proto);
}
