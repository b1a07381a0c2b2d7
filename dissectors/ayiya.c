/*
 * AYIYA, "Anything In Anything" (draft-massar-v6ops-ayiya, UDP port
 * 5072): identity length and type, signature length and hash method,
 * authentication method and opcode (one nibble each), the next header
 * (an IP protocol number), a 32-bit epoch time, then the identity
 * (2^length bytes) and the signature (length x 4 bytes).  Opcode 1
 * forwards the payload: IPv6 (41) or IPv4 (4).  Another opcode or next
 * header is AYIYA not carrying IP; a header that does not fit is not
 * taken for AYIYA.
 */
#include "decode.h"

enum {
	AYIYA_FIXED_LEN = 8,
	AYIYA_OPCODE_FORWARD = 1,
};

enum decode_status ayiya_decode(struct cursor *c, struct packet *pkt)
{
	uint8_t id, sig, op, next;
	size_t hlen;

	if (!cursor_peek_u8(c, 0, &id) || !cursor_peek_u8(c, 1, &sig) ||
	    !cursor_peek_u8(c, 2, &op) || !cursor_peek_u8(c, 3, &next))
		return DECODE_OK;
	hlen = AYIYA_FIXED_LEN + ((size_t)1 << (id >> 4)) + (size_t)(sig >> 4) * 4;
	if (hlen > cursor_wire_remaining(c))
		return DECODE_OK;
	packet_mark(pkt, PROTO_AYIYA);
	if (!cursor_skip(c, hlen))
		return packet_stop(pkt, PROTO_AYIYA, cursor_fail(c));
	if ((op & 0x0f) != AYIYA_OPCODE_FORWARD ||
	    (next != IPPROTO_NUM_IPV6 && next != IPPROTO_NUM_IPIP))
		return packet_stop(pkt, PROTO_AYIYA, DECODE_UNSUPPORTED);
	if (encap_push_tunnel(pkt, ENCAP_AYIYA) == NULL)
		return packet_stop(pkt, PROTO_AYIYA, DECODE_UNSUPPORTED);
	return encap_decode_ip(c, pkt, PROTO_AYIYA,
			       next == IPPROTO_NUM_IPV6 ? ETHERTYPE_IPV6
							: ETHERTYPE_IPV4);
}
