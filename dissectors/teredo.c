/*
 * Teredo (RFC 4380, UDP port 3544): IPv6 in UDP, optionally behind an
 * authentication indicator (0x0001, id and authentication lengths, the
 * id, the value, an 8-byte nonce and a confirmation byte) and an origin
 * indication (0x0000, the obfuscated port and IPv4 address: 8 bytes),
 * in that order (section 5.1.1).  What follows them must be IPv6, or
 * the datagram is not taken for Teredo and stays plain UDP.
 */
#include "decode.h"

enum {
	TEREDO_INDICATOR_AUTH = 0x0001,
	TEREDO_INDICATOR_ORIGIN = 0x0000,
	TEREDO_ORIGIN_LEN = 8,
	TEREDO_AUTH_FIXED = 4 + 8 + 1,  /* indicator, lengths; nonce; conf */
};

/* The offset of the IPv6 header, past any indicators; false if none. */
static bool teredo_ipv6_at(struct cursor *c, size_t *at)
{
	uint16_t ind;
	uint8_t id_len, au_len, first;

	*at = 0;
	if (cursor_peek_be16(c, *at, &ind) && ind == TEREDO_INDICATOR_AUTH) {
		if (!cursor_peek_u8(c, 2, &id_len) ||
		    !cursor_peek_u8(c, 3, &au_len))
			return false;
		*at += TEREDO_AUTH_FIXED + (size_t)id_len + au_len;
	}
	if (cursor_peek_be16(c, *at, &ind) && ind == TEREDO_INDICATOR_ORIGIN)
		*at += TEREDO_ORIGIN_LEN;
	return cursor_peek_u8(c, *at, &first) && first >> 4 == 6;
}

enum decode_status teredo_decode(struct cursor *c, struct packet *pkt)
{
	size_t at;

	if (!teredo_ipv6_at(c, &at))
		return DECODE_OK;
	packet_mark(pkt, PROTO_TEREDO);
	(void)cursor_skip(c, at);
	if (encap_push_tunnel(pkt, ENCAP_TEREDO) == NULL)
		return packet_stop(pkt, PROTO_TEREDO, DECODE_UNSUPPORTED);
	return encap_decode_ip(c, pkt, PROTO_TEREDO, ETHERTYPE_IPV6);
}
