/* ICMP for IPv4 (RFC 792; RFC 1191 section 4 for the frag-needed MTU). */
#include "decode.h"

#include "checksum.h"
#include "icmp_quoted.h"

enum {
	ICMP_ECHO_REPLY = 0,
	ICMP_DEST_UNREACH = 3,
	ICMP_SOURCE_QUENCH = 4,
	ICMP_REDIRECT = 5,
	ICMP_ECHO_REQUEST = 8,
	ICMP_TIME_EXCEEDED = 11,
	ICMP_PARAM_PROBLEM = 12,
	ICMP_CODE_FRAG_NEEDED = 4,
};

static bool icmp_read_type(struct cursor *c, struct packet_icmp *m)
{
	return cursor_u8(c, &m->type) && cursor_u8(c, &m->code) &&
	       cursor_be16(c, &m->checksum);
}

/* Bytes 4..7 of the header mean something different for each type. */
static void icmp_read_rest(struct packet_icmp *m, uint32_t rest)
{
	switch (m->type) {
	case ICMP_ECHO_REQUEST:
	case ICMP_ECHO_REPLY:
		m->is_echo = true;
		m->echo_id = (uint16_t)(rest >> 16);
		m->echo_seq = (uint16_t)rest;
		break;
	case ICMP_DEST_UNREACH:
		m->is_error = true;
		/* RFC 1191: next-hop MTU in the low 16 bits, 0 from old routers. */
		if (m->code == ICMP_CODE_FRAG_NEEDED)
			m->mtu = rest & 0xffffu;
		break;
	case ICMP_SOURCE_QUENCH:
	case ICMP_REDIRECT:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAM_PROBLEM:
		m->is_error = true;
		break;
	default:
		break;
	}
}

enum decode_status icmp_decode(struct cursor *c, struct packet *pkt)
{
	struct packet_icmp *m = &pkt->icmp;
	struct cursor whole, body;
	uint32_t rest;

	packet_mark(pkt, PROTO_ICMP);
	m->version = 4;
	decode_clamp_to_ip(c, pkt);
	whole = *c;
	if (!icmp_read_type(c, m))
		return decode_transport_split(&whole, pkt, cursor_fail(c))
			       ? DECODE_OK
			       : packet_stop(pkt, PROTO_ICMP, cursor_fail(c));
	/* ICMPv4 has no pseudo-header (RFC 792). */
	if (!pkt->skip_checksums)
		m->cksum = checksum_verify_transport(&pkt->ip, IPPROTO_NUM_ICMP,
						     cursor_rest_view(&whole),
						     pkt->ip.payload_len,
						     m->checksum, false);
	if (!cursor_be32(c, &rest))
		return decode_transport_split(&whole, pkt, cursor_fail(c))
			       ? DECODE_OK
			       : packet_stop(pkt, PROTO_ICMP, cursor_fail(c));
	icmp_read_rest(m, rest);
	body = *c;
	pkt->payload_wire_len = (uint32_t)cursor_wire_remaining(c);
	pkt->payload = cursor_rest_view(c);
	if (m->is_error)
		icmp_quoted_note(&body, pkt, 4);
	return DECODE_OK;
}
