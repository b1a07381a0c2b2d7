/*
 * IPv6 (RFC 8200) and its extension-header chain.
 *
 * As for IPv4, the cursor is clamped to the declared length (40 bytes
 * plus Payload Length) so link padding is never payload.  The chain walk
 * cannot loop: every extension header consumes at least 8 bytes of the
 * declared payload.  A chain longer than PACKET_MAX_IPV6_EXT headers is
 * noted (no real stack sends one; RFC 8200 section 4.1 allows each header
 * once, destination options twice) but still walked to its end, as
 * Wireshark and Linux do, so the upper layer is still found.
 */
#include "decode.h"

enum {
	IPV6_HLEN = 40,
	IPV6_ADDR_LEN = 16,
	IPV6_FRAG_HLEN = 8,
	IPV6_EXT_MIN = 2,        /* next header and length octets */
	IPV6_OPT_PAD1 = 0,
	IPV6_OPT_JUMBO = 0xc2,   /* RFC 2675 section 2 */
	IPV6_OPT_JUMBO_LEN = 4,
	IPV6_FRAG_MORE = 0x0001,
	IPV6_OFFSET_UNIT = 8,
};

/* State of the extension-header walk. */
struct ipv6_walk {
	uint8_t nh;        /* next header still to be decoded */
	size_t left;       /* declared bytes after the headers walked so far */
	bool over_frame;   /* the declared length is past the frame's end */
};

static enum decode_status ipv6_stop(struct packet *pkt, enum decode_status st)
{
	return packet_stop(pkt, PROTO_IPV6, st);
}

static enum decode_status ipv6_malformed(struct packet *pkt,
					 enum packet_anomaly a)
{
	packet_add_anomaly(pkt, a);
	return ipv6_stop(pkt, DECODE_MALFORMED);
}

/* Once per packet: a long chain must not fill the anomaly array. */
static void ipv6_note(struct packet *pkt, enum packet_anomaly a)
{
	if (!packet_has_anomaly(pkt, a))
		packet_add_anomaly(pkt, a);
}

static void ipv6_set_traffic(struct packet *pkt, uint32_t vtf)
{
	pkt->ipv6.traffic_class = (uint8_t)(vtf >> 20);
	pkt->ipv6.flow_label = vtf & 0x000fffff;
	/* RFC 2474, RFC 3168: the same split as the IPv4 TOS octet. */
	pkt->ip.dscp = pkt->ipv6.traffic_class >> 2;
	pkt->ip.ecn = pkt->ipv6.traffic_class & 0x03;
}

static enum decode_status ipv6_read_fixed(struct cursor *c,
					  struct packet *pkt)
{
	struct packet_ip *ip = &pkt->ip;
	struct packet_ipv6 *v6 = &pkt->ipv6;
	uint8_t first;
	uint32_t vtf;

	if (!cursor_peek_u8(c, 0, &first))
		return ipv6_stop(pkt, cursor_fail(c));
	if (first >> 4 != 6)
		return ipv6_malformed(pkt, PKT_ANOM_IPV6_BAD_VERSION);
	if (!cursor_has(c, IPV6_HLEN) || !cursor_be32(c, &vtf) ||
	    !cursor_be16(c, &v6->payload_len) ||
	    !cursor_u8(c, &v6->first_next_header) || !cursor_u8(c, &ip->ttl) ||
	    !cursor_copy(c, ip->src.bytes, IPV6_ADDR_LEN) ||
	    !cursor_copy(c, ip->dst.bytes, IPV6_ADDR_LEN))
		return ipv6_stop(pkt, cursor_fail(c));
	ipv6_set_traffic(pkt, vtf);
	ip->version = 6;
	ip->src.family = 6;
	ip->dst.family = 6;
	return DECODE_OK;
}

/*
 * RFC 2675 section 2: with Payload Length 0, a Jumbo Payload option in
 * the Hop-by-Hop header (at the cursor) holds the length of everything
 * after the base header.  Peeks only: the walk reads the header later.
 */
static bool ipv6_find_jumbo(struct cursor *c, uint32_t *out)
{
	uint8_t hlen, type, olen;
	size_t off = IPV6_EXT_MIN;
	size_t end;

	if (!cursor_peek_u8(c, 1, &hlen))
		return false;
	end = ((size_t)hlen + 1) * 8;
	while (off < end && cursor_peek_u8(c, off, &type)) {
		if (type == IPV6_OPT_PAD1) {
			off++;
			continue;
		}
		if (!cursor_peek_u8(c, off + 1, &olen))
			return false;
		if (type == IPV6_OPT_JUMBO && olen == IPV6_OPT_JUMBO_LEN &&
		    off + 2 + IPV6_OPT_JUMBO_LEN <= end)
			return cursor_peek_be32(c, off + 2, out);
		off += 2 + (size_t)olen;
	}
	return false;
}

/*
 * The declared length of everything after the base header.
 *
 * Payload Length 0 with bytes after the header: a jumbogram when the
 * Hop-by-Hop header carries a Jumbo Payload option (flagged: real links
 * never carry one), else a Linux BIG TCP / GSO packet captured before
 * segmentation, whose length only the frame knows (tcpdump does the
 * same).  After No Next Header those bytes are link padding instead.
 *
 * A length past the frame's end is flagged and the packet ends malformed
 * after the rest is decoded from what is there: Linux drops it
 * (ip6_rcv_core, IPSTATS_MIB_INTRUNCATEDPKTS), Wireshark and tcpdump show
 * what is there.  The same policy as IPv4 (ipv4.c).
 */
static void ipv6_payload_extent(struct cursor *c, struct packet *pkt,
				struct ipv6_walk *w)
{
	size_t wire = cursor_wire_remaining(c);
	size_t len = pkt->ipv6.payload_len;
	uint8_t nh = pkt->ipv6.first_next_header;
	uint32_t jumbo;

	if (len == 0 && wire > 0 && nh != IPPROTO_NUM_NONE) {
		len = wire;
		if (nh == IPPROTO_NUM_HOPOPTS && ipv6_find_jumbo(c, &jumbo)) {
			packet_add_anomaly(pkt, PKT_ANOM_IPV6_JUMBOGRAM);
			len = jumbo;
		}
	}
	w->over_frame = len > wire;
	if (w->over_frame)
		packet_add_anomaly(pkt,
				   PKT_ANOM_IPV6_PAYLOAD_LENGTH_OVER_FRAME);
	(void)cursor_limit(c, len); /* a no-op when over the frame */
	w->left = len;
	w->nh = nh;
}

/*
 * Headers the walk steps over (RFC 8200 section 4.1 and the IANA list);
 * anything else, ESP and No Next Header included, ends the chain.
 */
bool ipv6_is_extension_header(uint8_t nh)
{
	switch (nh) {
	case IPPROTO_NUM_HOPOPTS:
	case IPPROTO_NUM_ROUTING:
	case IPPROTO_NUM_FRAGMENT:
	case IPPROTO_NUM_AH:
	case IPPROTO_NUM_DSTOPTS:
	case IPPROTO_NUM_MOBILITY:
	case IPPROTO_NUM_HIP:
	case IPPROTO_NUM_SHIM6:
		return true;
	default:
		return false;
	}
}

/* Steps over one extension header of len bytes whose next header is nh. */
static enum decode_status ipv6_ext_consume(struct cursor *c,
					   struct packet *pkt,
					   struct ipv6_walk *w, uint8_t nh,
					   size_t len)
{
	struct packet_ipv6 *v6 = &pkt->ipv6;

	if (len > w->left)
		return ipv6_malformed(pkt, PKT_ANOM_IPV6_EXT_BAD_LENGTH);
	if (!cursor_skip(c, len))
		return ipv6_stop(pkt, cursor_fail(c));
	if (v6->ext_count < PACKET_MAX_IPV6_EXT)
		v6->ext_types[v6->ext_count] = w->nh;
	else if (v6->ext_count == PACKET_MAX_IPV6_EXT)
		packet_add_anomaly(pkt, PKT_ANOM_IPV6_EXT_CHAIN_TOO_LONG);
	if (v6->ext_count < UINT8_MAX)
		v6->ext_count++;
	v6->ext_len += (uint32_t)len;
	w->left -= len;
	w->nh = nh;
	return DECODE_OK;
}

/*
 * RFC 8200 section 4.5, RFC 6946: offset 0 with M clear is an atomic
 * fragment, a whole packet that needs no reassembly (Linux and RFC 6946
 * section 4 process it at once); only the others are fragments.
 */
static void ipv6_set_fragment(struct packet *pkt, uint16_t offmf,
			      uint32_t id)
{
	struct packet_ip *ip = &pkt->ip;
	uint32_t offset = (uint32_t)(offmf >> 3) * IPV6_OFFSET_UNIT;
	bool more = (offmf & IPV6_FRAG_MORE) != 0;

	pkt->ipv6.has_fragment_header = true;
	ip->frag_id = id;
	if (offset == 0 && !more) {
		pkt->ipv6.atomic_fragment = true;
		ipv6_note(pkt, PKT_ANOM_IPV6_ATOMIC_FRAGMENT);
		return;
	}
	ip->is_fragment = true;
	ip->is_first_fragment = offset == 0;
	ip->frag_offset = offset;
	ip->frag_more = more;
}

/* RFC 8200 section 4.5: next header, reserved, offset/M, 32-bit id. */
static enum decode_status ipv6_ext_fragment(struct cursor *c,
					    struct packet *pkt,
					    struct ipv6_walk *w)
{
	enum decode_status st;
	uint8_t nh;
	uint16_t offmf;
	uint32_t id;

	if (w->left < IPV6_FRAG_HLEN)
		return ipv6_malformed(pkt, PKT_ANOM_IPV6_EXT_BAD_LENGTH);
	if (!cursor_peek_u8(c, 0, &nh) || !cursor_peek_be16(c, 2, &offmf) ||
	    !cursor_peek_be32(c, 4, &id))
		return ipv6_stop(pkt, cursor_fail(c));
	ipv6_set_fragment(pkt, offmf, id);
	pkt->ipv6.frag_next_header = nh;
	st = ipv6_ext_consume(c, pkt, w, nh, IPV6_FRAG_HLEN);
	if (st == DECODE_OK && pkt->ip.is_fragment) {
		struct cursor rest = *c;

		/* Limited to the payload the header declares. */
		cursor_limit(&rest, w->left);
		pkt->ip.frag_data = cursor_rest_view(&rest);
	}
	return st;
}

/*
 * RFC 8200 section 8.1: with segments left, the transport checksum uses
 * the final destination.  Type 0 (RFC 2460, deprecated but still on the
 * wire) lists it last; type 2 (Mobile IPv6, RFC 6275) carries only it;
 * the SRH (type 4, RFC 8754) lists segments in reverse, so it is first.
 * All three start their addresses 8 bytes in.  Type 3 (RPL) compresses
 * them and is not resolved.  Bytes not captured leave dst in use.
 */
static void ipv6_routing_final_dst(const struct cursor *c, struct packet *pkt,
				   uint8_t hlen)
{
	struct cursor r = *c;
	uint8_t type, left;
	size_t addrs = hlen / 2, at;

	if (!cursor_peek_u8(&r, 2, &type) || !cursor_peek_u8(&r, 3, &left) ||
	    left == 0 || addrs == 0)
		return;
	if (type == 0)
		at = 8 + (addrs - 1) * IPV6_ADDR_LEN;
	else if (type == 2 || type == 4)
		at = 8;
	else
		return;
	if (cursor_skip(&r, at) &&
	    cursor_copy(&r, pkt->ip.final_dst, IPV6_ADDR_LEN))
		pkt->ip.has_final_dst = true;
}

/*
 * Every other extension header starts with next header and a length:
 * in 8-octet units not counting the first (RFC 8200 section 4.3; also
 * Mobility RFC 6275, HIP RFC 7401, Shim6 RFC 5533), but for AH in 4-octet
 * units minus 2 (RFC 4302 section 2.2).
 */
static enum decode_status ipv6_ext_generic(struct cursor *c,
					   struct packet *pkt,
					   struct ipv6_walk *w)
{
	uint8_t nh, hlen;
	size_t len;

	if (w->left < IPV6_EXT_MIN)
		return ipv6_malformed(pkt, PKT_ANOM_IPV6_EXT_BAD_LENGTH);
	if (!cursor_peek_u8(c, 0, &nh) || !cursor_peek_u8(c, 1, &hlen))
		return ipv6_stop(pkt, cursor_fail(c));
	if (w->nh == IPPROTO_NUM_AH)
		len = ((size_t)hlen + 2) * 4;
	else
		len = ((size_t)hlen + 1) * 8;
	if (w->nh == IPPROTO_NUM_ROUTING && len <= w->left)
		ipv6_routing_final_dst(c, pkt, hlen);
	return ipv6_ext_consume(c, pkt, w, nh, len);
}

static bool ipv6_non_first_fragment(const struct packet *pkt)
{
	return pkt->ip.is_fragment && pkt->ip.frag_offset != 0;
}

static enum decode_status ipv6_walk_ext(struct cursor *c, struct packet *pkt,
					struct ipv6_walk *w)
{
	enum decode_status st;

	/* After a non-first fragment come data bytes, not headers. */
	while (ipv6_is_extension_header(w->nh) && !ipv6_non_first_fragment(pkt)) {
		/* RFC 8200 section 4.1: Hop-by-Hop only right after the base
		 * header.  Linux drops it elsewhere; Wireshark flags it and
		 * goes on, and so do we. */
		if (w->nh == IPPROTO_NUM_HOPOPTS && pkt->ipv6.ext_count != 0)
			ipv6_note(pkt, PKT_ANOM_IPV6_HOPOPT_NOT_FIRST);
		if (w->nh == IPPROTO_NUM_FRAGMENT)
			st = ipv6_ext_fragment(c, pkt, w);
		else
			st = ipv6_ext_generic(c, pkt, w);
		if (st != DECODE_OK)
			return st;
	}
	return DECODE_OK;
}

/*
 * The upper layer.  ESP (RFC 4303) is encrypted: like IPv4's protocol 50
 * it reaches decode_transport, which leaves it as unsupported payload.
 * No Next Header (RFC 8200 section 4.7): whatever follows is ignored.
 */
static enum decode_status ipv6_upper(struct cursor *c, struct packet *pkt,
				     const struct ipv6_walk *w)
{
	pkt->ip.proto = w->nh;
	pkt->ip.payload_len = (uint32_t)w->left;
	if (w->nh == IPPROTO_NUM_NONE && !ipv6_non_first_fragment(pkt))
		return ipv6_stop(pkt, DECODE_OK);
	return decode_transport(c, pkt, w->nh);
}

enum decode_status ipv6_decode(struct cursor *c, struct packet *pkt)
{
	struct cursor start = *c; /* re-read for the whole-header view */
	struct ipv6_walk w;
	enum decode_status st;

	packet_mark(pkt, PROTO_IPV6);
	st = ipv6_read_fixed(c, pkt);
	if (st != DECODE_OK)
		return st;
	ipv6_payload_extent(c, pkt, &w);
	st = ipv6_walk_ext(c, pkt, &w);
	/* Bytes already read, so the view cannot fail. */
	(void)cursor_view(&start, IPV6_HLEN + (size_t)pkt->ipv6.ext_len,
			  &pkt->ip.header);
	if (st == DECODE_OK)
		st = ipv6_upper(c, pkt, &w);
	return w.over_frame ? ipv6_stop(pkt, DECODE_MALFORMED) : st;
}
