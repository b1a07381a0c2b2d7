/*
 * Cisco FabricPath (MAC-in-MAC, ethertype 0x8903, Wireshark's "cfp"):
 * the outer addresses are hierarchical MACs, end node id, U/L, I/G,
 * OOO/DL, a 12-bit switch id, an 8-bit sub-switch id and a 16-bit local
 * id; after the ethertype come FTag(10) and TTL(6), then the customer's
 * Ethernet frame.  A group (multicast) outer destination is an ordinary
 * MAC and names no switch.
 */
#include "decode.h"

enum {
	FP_FTAG_TTL_LEN = 2,
	FP_SWITCH_SHIFT = 24,       /* within the 48-bit address */
	FP_SWITCH_MASK = 0x0fff,
	FP_GROUP_BIT = 0x01,        /* of the address's first octet */
};

static uint32_t fabricpath_switch_id(const uint8_t mac[6])
{
	uint64_t v = 0;

	for (int i = 0; i < 6; i++)
		v = v << 8 | mac[i];
	return (uint32_t)(v >> FP_SWITCH_SHIFT) & FP_SWITCH_MASK;
}

enum decode_status fabricpath_decode(struct cursor *c, struct packet *pkt)
{
	const struct packet_link *l = &pkt->link;
	struct packet_encap *e;

	packet_mark(pkt, PROTO_FABRICPATH);
	if (!cursor_skip(c, FP_FTAG_TTL_LEN))
		return packet_stop(pkt, PROTO_FABRICPATH, cursor_fail(c));
	e = encap_push(pkt, ENCAP_FABRICPATH);
	if (e == NULL)
		return packet_stop(pkt, PROTO_FABRICPATH, DECODE_UNSUPPORTED);
	if (l->has_mac_src) {
		e->id2 = fabricpath_switch_id(l->mac_src);
		e->flags |= ENCAP_HAS_ID2;
	}
	if (l->has_mac_dst && !(l->mac_dst[0] & FP_GROUP_BIT)) {
		e->id = fabricpath_switch_id(l->mac_dst);
		e->flags |= ENCAP_HAS_ID;
	}
	return encap_decode_ethernet(c, pkt);
}
