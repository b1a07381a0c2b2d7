/*
 * IEEE 802.1ah provider backbone bridging (PBB, MAC-in-MAC): after the
 * backbone addresses and B-tag, the I-tag (ethertype 0x88e7) holds
 * PCP(3) DEI(1) UCA(1) reserved(3) and the 24-bit service instance id
 * (I-SID); the customer's whole Ethernet frame follows.
 */
#include "decode.h"

enum { PBB_ISID_MASK = 0x00ffffff };

enum decode_status pbb_decode(struct cursor *c, struct packet *pkt)
{
	struct packet_encap *e;
	uint32_t itag;

	packet_mark(pkt, PROTO_PBB);
	if (!cursor_be32(c, &itag))
		return packet_stop(pkt, PROTO_PBB, cursor_fail(c));
	e = encap_push(pkt, ENCAP_PBB);
	if (e == NULL)
		return packet_stop(pkt, PROTO_PBB, DECODE_UNSUPPORTED);
	e->id = itag & PBB_ISID_MASK;
	e->flags = ENCAP_HAS_ID;
	return encap_decode_ethernet(c, pkt);
}
