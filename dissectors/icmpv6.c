/* ICMPv6 (RFC 4443): echo, and the errors that quote a datagram. */
#include "decode.h"

#include "checksum.h"
#include "icmp_quoted.h"

enum {
	ICMPV6_DEST_UNREACH = 1,
	ICMPV6_PACKET_TOO_BIG = 2,
	ICMPV6_TIME_EXCEEDED = 3,
	ICMPV6_PARAM_PROBLEM = 4,
	ICMPV6_ECHO_REQUEST = 128,
	ICMPV6_ECHO_REPLY = 129,
};

static bool icmpv6_read_type(struct cursor *c, struct packet_icmp *m)
{
	return cursor_u8(c, &m->type) && cursor_u8(c, &m->code) &&
	       cursor_be16(c, &m->checksum);
}

/* Bytes 4..7 of the header mean something different for each type. */
static void icmpv6_read_rest(struct packet_icmp *m, uint32_t rest)
{
	switch (m->type) {
	case ICMPV6_ECHO_REQUEST:
	case ICMPV6_ECHO_REPLY:
		m->is_echo = true;
		m->echo_id = (uint16_t)(rest >> 16);
		m->echo_seq = (uint16_t)rest;
		break;
	case ICMPV6_PACKET_TOO_BIG:
		m->is_error = true;
		m->mtu = rest; /* RFC 4443 section 3.2: all 32 bits */
		break;
	case ICMPV6_DEST_UNREACH:
	case ICMPV6_TIME_EXCEEDED:
	case ICMPV6_PARAM_PROBLEM:
		m->is_error = true;
		break;
	default:
		break; /* informational: NDP, MLD, ... */
	}
}

enum decode_status icmpv6_decode(struct cursor *c, struct packet *pkt)
{
	struct packet_icmp *m = &pkt->icmp;
	struct cursor whole, body;
	uint32_t rest;

	packet_mark(pkt, PROTO_ICMPV6);
	m->version = 6;
	decode_clamp_to_ip(c, pkt);
	whole = *c;
	if (!icmpv6_read_type(c, m))
		return decode_transport_split(&whole, pkt, cursor_fail(c))
			       ? DECODE_OK
			       : packet_stop(pkt, PROTO_ICMPV6, cursor_fail(c));
	/* Unlike ICMPv4, covered by the pseudo-header (RFC 4443 2.3). */
	if (!pkt->skip_checksums)
		m->cksum = checksum_verify_transport(&pkt->ip, IPPROTO_NUM_ICMPV6,
						     cursor_rest_view(&whole),
						     pkt->ip.payload_len,
						     m->checksum, true);
	if (!cursor_be32(c, &rest))
		return decode_transport_split(&whole, pkt, cursor_fail(c))
			       ? DECODE_OK
			       : packet_stop(pkt, PROTO_ICMPV6, cursor_fail(c));
	icmpv6_read_rest(m, rest);
	body = *c;
	pkt->payload_wire_len = (uint32_t)cursor_wire_remaining(c);
	pkt->payload = cursor_rest_view(c);
	if (m->is_error)
		icmp_quoted_note(&body, pkt, 6);
	return DECODE_OK;
}
