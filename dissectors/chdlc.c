/*
 * Cisco HDLC (link type 104, and Cisco's framing of link type 50):
 * address (0x0f unicast, 0x8f broadcast), control (0), then an
 * ethertype.  0x8035 is SLARP here, Cisco's keepalive and address
 * resolution, not Ethernet's RARP; it and CDP (0x2000) are recognised
 * and not decoded.
 */
#include "decode.h"

enum {
	CHDLC_SLARP = 0x8035,
	CHDLC_CDP = 0x2000,
};

enum decode_status chdlc_decode(struct cursor *c, struct packet *pkt)
{
	uint16_t type;

	packet_mark(pkt, PROTO_CHDLC);
	pkt->link.framing = FRAMING_CISCO_HDLC;
	if (!cursor_skip(c, 2) || !cursor_be16(c, &type))
		return packet_stop(pkt, PROTO_CHDLC, cursor_fail(c));
	if (type == CHDLC_SLARP || type == CHDLC_CDP) {
		pkt->link.ethertype = type;
		return packet_stop(pkt, PROTO_CHDLC, DECODE_UNSUPPORTED);
	}
	return decode_ethertype(c, pkt, type);
}
