/*
 * PPPoE session stage (RFC 2516, ethertype 0x8864): version and type
 * (0x11), code 0, the session id and the length of the PPP frame that
 * follows.  The length ends the frame: Ethernet pads short ones, and the
 * padding is not PPP's.  A length past the frame is noted and decoding
 * goes on with the bytes there are, as for an 802.3 length.
 */
#include "decode.h"

enum {
	PPPOE_VER_TYPE = 0x11,
	PPPOE_CODE_SESSION = 0x00,
};

enum decode_status pppoe_decode(struct cursor *c, struct packet *pkt)
{
	struct packet_encap *e;
	uint8_t vt, code;
	uint16_t session, len;

	packet_mark(pkt, PROTO_PPPOE);
	if (!cursor_u8(c, &vt) || !cursor_u8(c, &code) ||
	    !cursor_be16(c, &session) || !cursor_be16(c, &len))
		return packet_stop(pkt, PROTO_PPPOE, cursor_fail(c));
	if (vt != PPPOE_VER_TYPE || code != PPPOE_CODE_SESSION) {
		packet_add_anomaly(pkt, PKT_ANOM_PPPOE_BAD_HEADER);
		return packet_stop(pkt, PROTO_PPPOE, DECODE_MALFORMED);
	}
	if (len <= cursor_wire_remaining(c))
		cursor_limit(c, len);
	else
		packet_add_anomaly(pkt, PKT_ANOM_PPPOE_LENGTH_OVER_FRAME);
	e = encap_push(pkt, ENCAP_PPPOE);
	if (e == NULL)
		return packet_stop(pkt, PROTO_PPPOE, DECODE_UNSUPPORTED);
	e->id = session;
	e->flags = ENCAP_HAS_ID;
	return ppp_decode_protocol(c, pkt);
}
