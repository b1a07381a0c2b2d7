/*
 * ERSPAN, Cisco's encapsulated remote port mirroring, over GRE
 * (draft-foschiano-erspan).  Type I (GRE protocol 0x88be, no GRE
 * sequence number) has no header of its own; type II (0x88be with a
 * sequence number) an 8-byte one, version 1, VLAN, CoS, encapsulation
 * type, truncation bit, 10-bit session id, index; type III (0x22eb) a
 * 12-byte one, version 2, the session id in the same place, a timestamp,
 * SGT and flags, then an 8-byte platform-specific subheader when its O
 * bit is set.  The mirrored Ethernet frame follows.
 *
 * The session id names the mirror session, the same for every frame
 * of it: inner flows of different sessions are kept apart by it.
 */
#include "decode.h"

#include <string.h>

enum {
	ERSPAN_II_LEN = 8,
	ERSPAN_III_LEN = 12,
	ERSPAN_III_SUBHEADER_LEN = 8,
	ERSPAN_III_O_BIT = 0x0001,      /* last bit of the header */
	ERSPAN_SESSION_MASK = 0x03ff,
};

static bool erspan_read(struct cursor *c, unsigned type,
			struct packet_encap *e)
{
	uint16_t ver_vlan, cos_session, flags;

	if (type == 1)
		return true;
	if (!cursor_be16(c, &ver_vlan) || !cursor_be16(c, &cos_session))
		return false;
	e->id = cos_session & ERSPAN_SESSION_MASK;
	e->flags |= ENCAP_HAS_ID | ENCAP_ID_SHARED;
	if (type == 2)
		return cursor_skip(c, ERSPAN_II_LEN - 4);
	if (!cursor_skip(c, 6) || !cursor_be16(c, &flags))
		return false;
	return !(flags & ERSPAN_III_O_BIT) ||
	       cursor_skip(c, ERSPAN_III_SUBHEADER_LEN);
}

enum decode_status erspan_decode(struct cursor *c, struct packet *pkt,
				 unsigned type)
{
	struct packet_encap hdr, *e;

	packet_mark(pkt, PROTO_ERSPAN);
	/* Entered once its header is read (encap.c: an entry, no outer). */
	memset(&hdr, 0, sizeof(hdr));
	if (!erspan_read(c, type, &hdr))
		return packet_stop(pkt, PROTO_ERSPAN, cursor_fail(c));
	e = encap_push_tunnel(pkt, ENCAP_ERSPAN);
	if (e == NULL)
		return packet_stop(pkt, PROTO_ERSPAN, DECODE_UNSUPPORTED);
	e->version = (uint8_t)type;
	e->id = hdr.id;
	e->flags |= hdr.flags;
	return encap_decode_ethernet(c, pkt);
}
