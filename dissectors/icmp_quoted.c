#include "icmp_quoted.h"

#include "decode.h"

enum {
	QUOTED_IPV4_MIN = 20,
	QUOTED_IPV6_LEN = 40,
	QUOTED_TRANSPORT_LEN = 8, /* what RFC 792 promises */
	QUOTED_FRAG_OFFSET_MASK_V4 = 0x1fff,
	QUOTED_FRAG_OFFSET_MASK_V6 = 0xfff8,
	QUOTED_IPV6_FRAG_LEN = 8,
	ICMP_ECHO_REPLY = 0,
	ICMP_ECHO_REQUEST = 8,
	ICMPV6_ECHO_REQUEST = 128,
	ICMPV6_ECHO_REPLY = 129,
};

/*
 * The fixed IPv4 header, then its options.  The quoted total length is
 * not checked: old BSD stacks quoted it in host order, minus the header.
 */
static enum decode_status quoted_ipv4(struct cursor *c,
				      struct packet_icmp *icmp,
				      bool *has_transport)
{
	struct icmp_quoted *q = &icmp->quoted;
	uint8_t vihl;
	uint16_t frag = 0;

	if (!cursor_peek_u8(c, 0, &vihl))
		return DECODE_TRUNCATED;
	if (vihl >> 4 != 4 || (vihl & 0x0f) * 4 < QUOTED_IPV4_MIN)
		return DECODE_MALFORMED;
	if (!cursor_has(c, QUOTED_IPV4_MIN))
		return DECODE_TRUNCATED;
	/* All 20 bytes are captured: these reads cannot fail. */
	cursor_skip(c, 4); /* version/IHL, TOS, total length */
	cursor_be16(c, &q->ip_id);
	cursor_be16(c, &frag);
	cursor_skip(c, 1); /* TTL */
	cursor_u8(c, &q->proto);
	cursor_skip(c, 2); /* header checksum */
	cursor_copy(c, q->src.bytes, 4);
	cursor_copy(c, q->dst.bytes, 4);
	q->src.family = q->dst.family = 4;
	q->ip_version = 4;
	icmp->has_quoted = true;
	/* A later fragment's first bytes are data, not a transport header. */
	*has_transport = (frag & QUOTED_FRAG_OFFSET_MASK_V4) == 0;
	if (!cursor_skip(c, (size_t)(vihl & 0x0f) * 4 - QUOTED_IPV4_MIN))
		return DECODE_TRUNCATED;
	return DECODE_OK;
}

/* Length of the extension header at c, or 0 when it was not quoted. */
static size_t quoted_ipv6_ext_len(struct cursor *c, uint8_t nh,
				  bool *has_transport)
{
	uint8_t hlen;
	uint16_t frag;

	if (!cursor_peek_u8(c, 1, &hlen))
		return 0;
	switch (nh) {
	case IPPROTO_NUM_FRAGMENT:
		if (!cursor_peek_be16(c, 2, &frag))
			return 0;
		if (frag & QUOTED_FRAG_OFFSET_MASK_V6)
			*has_transport = false;
		return QUOTED_IPV6_FRAG_LEN;
	case IPPROTO_NUM_AH:
		return ((size_t)hlen + 2) * 4; /* RFC 4302 section 2.2 */
	default:
		return ((size_t)hlen + 1) * 8;
	}
}

/* Bounded like the IPv6 dissector's walk, so a quote cannot loop us. */
static enum decode_status quoted_ipv6_walk(struct cursor *c,
					   struct icmp_quoted *q,
					   bool *has_transport)
{
	for (unsigned n = 0; ipv6_is_extension_header(q->proto); n++) {
		uint8_t next;
		size_t len;

		if (n == PACKET_MAX_IPV6_EXT)
			return DECODE_MALFORMED;
		if (!cursor_peek_u8(c, 0, &next))
			return DECODE_TRUNCATED;
		len = quoted_ipv6_ext_len(c, q->proto, has_transport);
		if (len == 0 || !cursor_skip(c, len))
			return DECODE_TRUNCATED;
		q->proto = next;
	}
	return DECODE_OK;
}

static enum decode_status quoted_ipv6(struct cursor *c,
				      struct packet_icmp *icmp,
				      bool *has_transport)
{
	struct icmp_quoted *q = &icmp->quoted;
	uint8_t first;

	if (!cursor_peek_u8(c, 0, &first))
		return DECODE_TRUNCATED;
	if (first >> 4 != 6)
		return DECODE_MALFORMED;
	if (!cursor_has(c, QUOTED_IPV6_LEN))
		return DECODE_TRUNCATED;
	/* All 40 bytes are captured: these reads cannot fail. */
	cursor_skip(c, 6); /* version, class, flow label, payload length */
	cursor_u8(c, &q->proto);
	cursor_skip(c, 1); /* hop limit */
	cursor_copy(c, q->src.bytes, 16);
	cursor_copy(c, q->dst.bytes, 16);
	q->src.family = q->dst.family = 6;
	q->ip_version = 6;
	icmp->has_quoted = true;
	return quoted_ipv6_walk(c, q, has_transport);
}

static bool quoted_is_echo(uint8_t ip_version, uint8_t type)
{
	if (ip_version == 4)
		return type == ICMP_ECHO_REQUEST || type == ICMP_ECHO_REPLY;
	return type == ICMPV6_ECHO_REQUEST || type == ICMPV6_ECHO_REPLY;
}

/* Reads only the bytes that are there; n is at most 8. */
static void quoted_transport_fields(struct cursor *c, struct icmp_quoted *q,
				    size_t n)
{
	uint8_t icmp_proto = q->ip_version == 4 ? IPPROTO_NUM_ICMP
						: IPPROTO_NUM_ICMPV6;

	if ((q->proto == IPPROTO_NUM_TCP || q->proto == IPPROTO_NUM_UDP) &&
	    n >= 4) {
		cursor_peek_be16(c, 0, &q->sport);
		cursor_peek_be16(c, 2, &q->dport);
		q->has_ports = true;
		if (q->proto == IPPROTO_NUM_TCP && n == QUOTED_TRANSPORT_LEN)
			cursor_peek_be32(c, 4, &q->tcp_seq);
	} else if (q->proto == icmp_proto && n >= 1) {
		cursor_peek_u8(c, 0, &q->icmp_type);
		if (quoted_is_echo(q->ip_version, q->icmp_type) &&
		    n == QUOTED_TRANSPORT_LEN) {
			cursor_peek_be16(c, 4, &q->icmp_id);
			cursor_peek_be16(c, 6, &q->icmp_seq);
		}
	}
}

enum decode_status icmp_quoted_decode(struct cursor *c, uint8_t ip_version,
				      struct packet_icmp *icmp)
{
	struct icmp_quoted *q = &icmp->quoted;
	bool has_transport = true;
	enum decode_status st;
	size_t n;

	if (ip_version == 4)
		st = quoted_ipv4(c, icmp, &has_transport);
	else
		st = quoted_ipv6(c, icmp, &has_transport);
	if (st != DECODE_OK)
		return st;
	n = cursor_remaining(c);
	if (n > QUOTED_TRANSPORT_LEN)
		n = QUOTED_TRANSPORT_LEN;
	if (has_transport) {
		q->transport_len = (uint8_t)n;
		quoted_transport_fields(c, q, n);
	}
	return n < QUOTED_TRANSPORT_LEN ? DECODE_TRUNCATED : DECODE_OK;
}

void icmp_quoted_note(struct cursor *body, struct packet *pkt,
		      uint8_t ip_version)
{
	bool v6 = ip_version == 6;

	switch (icmp_quoted_decode(body, ip_version, &pkt->icmp)) {
	case DECODE_TRUNCATED:
		packet_add_anomaly(pkt, v6 ? PKT_ANOM_ICMPV6_INNER_TRUNCATED
					   : PKT_ANOM_ICMP_INNER_TRUNCATED);
		break;
	case DECODE_MALFORMED:
		packet_add_anomaly(pkt, v6 ? PKT_ANOM_ICMPV6_INNER_MALFORMED
					   : PKT_ANOM_ICMP_INNER_MALFORMED);
		break;
	default:
		break;
	}
}
