/*
 * Cisco VN-Tag (ethertype 0x8926, pre-standard IEEE 802.1Qbh): a 4-byte
 * tag, direction(1) pointer(1) destination vif(14), looped(1)
 * reserved(1) version(2) source vif(12), then the frame's own type or
 * length, as after a VLAN tag.
 */
#include "decode.h"

enum {
	VNTAG_DST_VIF_MASK = 0x3fff,
	VNTAG_SRC_VIF_MASK = 0x0fff,
};

enum decode_status vntag_decode(struct cursor *c, struct packet *pkt)
{
	struct packet_encap *e;
	uint16_t dst, src, type;

	packet_mark(pkt, PROTO_VNTAG);
	if (!cursor_be16(c, &dst) || !cursor_be16(c, &src) ||
	    !cursor_be16(c, &type))
		return packet_stop(pkt, PROTO_VNTAG, cursor_fail(c));
	e = encap_push(pkt, ENCAP_VNTAG);
	if (e == NULL)
		return packet_stop(pkt, PROTO_VNTAG, DECODE_UNSUPPORTED);
	e->id = dst & VNTAG_DST_VIF_MASK;
	e->id2 = src & VNTAG_SRC_VIF_MASK;
	e->flags = ENCAP_HAS_ID | ENCAP_HAS_ID2;
	return ethernet_decode_type_length(c, pkt, type, PROTO_VNTAG);
}
