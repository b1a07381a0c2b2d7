/*
 * VXLAN (RFC 7348, UDP destination port 4789): flags (the I bit, 0x08,
 * says the VNI is valid), 24 reserved bits, the 24-bit VNI and 8 more
 * reserved bits, then an Ethernet frame.  A header without the I bit
 * is not taken for VXLAN (another protocol on the port): the datagram
 * stays plain UDP.  The VNI names the tenant network: inner flows of
 * different VNIs are never merged.
 */
#include "decode.h"

enum {
	VXLAN_HDR_LEN = 8,
	VXLAN_FLAG_I = 0x08,
};

enum decode_status vxlan_decode(struct cursor *c, struct packet *pkt)
{
	struct packet_encap *e;
	uint8_t flags;
	uint32_t vni;

	if (!cursor_peek_u8(c, 0, &flags))
		return encap_udp_unsure(c, pkt, PROTO_VXLAN);
	if (!(flags & VXLAN_FLAG_I))
		return DECODE_OK;
	packet_mark(pkt, PROTO_VXLAN);
	if (!cursor_peek_be32(c, 4, &vni) || !cursor_skip(c, VXLAN_HDR_LEN))
		return packet_stop(pkt, PROTO_VXLAN, cursor_fail(c));
	e = encap_push_tunnel(pkt, ENCAP_VXLAN);
	if (e == NULL)
		return packet_stop(pkt, PROTO_VXLAN, DECODE_UNSUPPORTED);
	e->id = vni >> 8;
	e->flags = ENCAP_HAS_ID | ENCAP_ID_SHARED;
	return encap_decode_ethernet(c, pkt);
}
