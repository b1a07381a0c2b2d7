/*
 * GTP-U, GTPv1 user plane (3GPP TS 29.281, UDP port 2152): flags
 * (version 1, protocol type 1, E, S, PN), message type, length (of
 * what follows the 8 mandatory bytes), TEID; with any of E, S or PN the
 * sequence number, N-PDU number and next extension header type follow,
 * then extension headers, each length (in 4-byte units) and its last
 * byte the next type, until type 0.  A G-PDU (type 255) carries a user
 * datagram, IPv4 or IPv6 by its first nibble; echo, error indication
 * and end marker messages are recognised and not decoded.
 *
 * The TEID is chosen by the receiving end for each direction of a
 * bearer (29.281 section 5.1), so it is recorded, not used to tell
 * tunnels apart.
 */
#include "decode.h"

enum {
	GTP_VERSION_1 = 0x20,
	GTP_VERSION_MASK = 0xe0,
	GTP_PT = 0x10,
	GTP_FLAGS_ESPN = 0x07,
	GTP_FLAG_E = 0x04,
	GTP_MANDATORY_LEN = 8,
	GTP_OPTIONAL_LEN = 4,
	GTP_MSG_GPDU = 255,
};

/*
 * Extension headers; at most as many as the length allows.  A length
 * of 0 is invalid (29.281 section 5.2.1) and would never advance.
 */
static enum decode_status gtpu_skip_extensions(struct cursor *c,
					       struct packet *pkt,
					       uint8_t next)
{
	uint8_t units;

	while (next != 0) {
		if (!cursor_u8(c, &units))
			return cursor_fail(c);
		if (units == 0) {
			packet_add_anomaly(pkt, PKT_ANOM_GTP_BAD_EXTENSION);
			return DECODE_MALFORMED;
		}
		if (!cursor_skip(c, (size_t)units * 4 - 2) ||
		    !cursor_u8(c, &next))
			return cursor_fail(c);
	}
	return DECODE_OK;
}


enum decode_status gtpu_decode(struct cursor *c, struct packet *pkt)
{
	struct packet_encap *e;
	enum decode_status st;
	uint8_t flags, type, next = 0;
	uint16_t len;
	uint32_t teid;

	if (!cursor_peek_u8(c, 0, &flags))
		return encap_udp_unsure(c, pkt, PROTO_GTP);
	/* GTPv1 (GTP' and GTPv2-C use other versions or ports). */
	if ((flags & (GTP_VERSION_MASK | GTP_PT)) != (GTP_VERSION_1 | GTP_PT))
		return DECODE_OK;
	packet_mark(pkt, PROTO_GTP);
	if (!cursor_skip(c, 1) || !cursor_u8(c, &type) ||
	    !cursor_be16(c, &len) || !cursor_be32(c, &teid))
		return packet_stop(pkt, PROTO_GTP, cursor_fail(c));
	if (!cursor_limit(c, len)) {
		packet_add_anomaly(pkt, PKT_ANOM_GTP_BAD_LENGTH);
		return packet_stop(pkt, PROTO_GTP, DECODE_MALFORMED);
	}
	if ((flags & GTP_FLAGS_ESPN) &&
	    (!cursor_skip(c, GTP_OPTIONAL_LEN - 1) || !cursor_u8(c, &next)))
		return packet_stop(pkt, PROTO_GTP, cursor_fail(c));
	if ((flags & GTP_FLAG_E) &&
	    (st = gtpu_skip_extensions(c, pkt, next)) != DECODE_OK)
		return packet_stop(pkt, PROTO_GTP, st);
	/* Path management and signalling stay with the outer UDP. */
	if (type != GTP_MSG_GPDU)
		return packet_stop(pkt, PROTO_GTP, DECODE_UNSUPPORTED);
	e = encap_push_tunnel(pkt, ENCAP_GTP_U);
	if (e == NULL)
		return packet_stop(pkt, PROTO_GTP, DECODE_UNSUPPORTED);
	e->id = teid;
	e->flags = ENCAP_HAS_ID;
	return encap_decode_ip_by_version(c, pkt, PROTO_GTP);
}
