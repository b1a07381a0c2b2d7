/*
 * MPLS (RFC 3032): a stack of 4-byte label entries, label(20) TC(3)
 * S(1) TTL(8), the last with S (bottom of stack) set.
 *
 * Nothing in the stack says what it carries; as tcpdump's mpls_print
 * and Wireshark guess: the explicit-null labels say IPv4 (0) or IPv6
 * (2), else the first nibble does: 4 and 6 are IP, 0 the pseudowire
 * control word (RFC 4385) in front of an Ethernet frame (RFC 4448).
 * Anything else (OSI, a G-ACh message, a pseudowire without a control
 * word) is recognised and left undecoded.  The stack is walked in a
 * loop, not recursion: its length is bounded by the frame.
 */
#include "decode.h"

enum {
	MPLS_LABEL_SHIFT = 12,
	MPLS_BOTTOM = 0x100,
	MPLS_LABEL_IPV4_NULL = 0,
	MPLS_LABEL_IPV6_NULL = 2,
	MPLS_PW_CW_LEN = 4,
	MPLS_PW_CW_NIBBLE = 0,
};

static enum decode_status mpls_payload(struct cursor *c, struct packet *pkt,
				       uint32_t bottom)
{
	uint8_t first;

	if (bottom == MPLS_LABEL_IPV4_NULL)
		return encap_decode_ip(c, pkt, PROTO_MPLS, ETHERTYPE_IPV4);
	if (bottom == MPLS_LABEL_IPV6_NULL)
		return encap_decode_ip(c, pkt, PROTO_MPLS, ETHERTYPE_IPV6);
	if (!cursor_peek_u8(c, 0, &first))
		return packet_stop(pkt, PROTO_MPLS, cursor_fail(c));
	if (first >> 4 == MPLS_PW_CW_NIBBLE) {
		if (!cursor_skip(c, MPLS_PW_CW_LEN))
			return packet_stop(pkt, PROTO_MPLS, cursor_fail(c));
		return encap_decode_ethernet(c, pkt);
	}
	return encap_decode_ip_by_version(c, pkt, PROTO_MPLS);
}

enum decode_status mpls_decode(struct cursor *c, struct packet *pkt)
{
	struct packet_encap *e;
	uint32_t entry;
	unsigned n = 0;

	packet_mark(pkt, PROTO_MPLS);
	e = encap_push(pkt, ENCAP_MPLS);
	if (e == NULL)
		return packet_stop(pkt, PROTO_MPLS, DECODE_UNSUPPORTED);
	do {
		if (!cursor_be32(c, &entry))
			return packet_stop(pkt, PROTO_MPLS, cursor_fail(c));
		if (n == 0)
			e->id2 = entry >> MPLS_LABEL_SHIFT;
		n++;
	} while (!(entry & MPLS_BOTTOM));
	e->id = entry >> MPLS_LABEL_SHIFT;
	e->count = n > UINT8_MAX ? UINT8_MAX : (uint8_t)n;
	e->flags = ENCAP_HAS_ID | ENCAP_HAS_ID2;
	return mpls_payload(c, pkt, e->id);
}
