/*
 * IPv4 (RFC 791).
 *
 * Three lengths are kept apart, as tcpdump does: what was captured, what
 * the frame had on the wire, and what the header declares (total length).
 * The cursor is clamped to the declared length so link-layer padding
 * (Ethernet pads frames to 60 bytes) is never taken for payload.
 */
#include "decode.h"

#include "checksum.h"

enum {
	IPV4_MIN_HLEN = 20,
	IPV4_ADDR_LEN = 4,
	IPV4_OPT_EOL = 0,
	IPV4_OPT_NOP = 1,
	IPV4_FLAG_RESERVED = 0x8000,
	IPV4_FLAG_DF = 0x4000,
	IPV4_FLAG_MF = 0x2000,
	IPV4_OFFSET_MASK = 0x1fff,
	IPV4_OFFSET_UNIT = 8, /* fragment offset counts 8-octet blocks */
};

static enum decode_status ipv4_stop(struct packet *pkt, enum decode_status st)
{
	return packet_stop(pkt, PROTO_IPV4, st);
}

static enum decode_status ipv4_malformed(struct packet *pkt,
					 enum packet_anomaly a)
{
	packet_add_anomaly(pkt, a);
	return ipv4_stop(pkt, DECODE_MALFORMED);
}

/* Version and IHL, both in the first byte, before anything is trusted. */
static enum decode_status ipv4_check_first_byte(struct cursor *c,
						struct packet *pkt)
{
	uint8_t vihl;

	if (!cursor_peek_u8(c, 0, &vihl))
		return ipv4_stop(pkt, cursor_fail(c));
	if (vihl >> 4 != 4)
		return ipv4_malformed(pkt, PKT_ANOM_IPV4_BAD_VERSION);
	pkt->ipv4.ihl = (uint8_t)((vihl & 0x0f) * 4);
	if (pkt->ipv4.ihl < IPV4_MIN_HLEN)
		return ipv4_malformed(pkt, PKT_ANOM_IPV4_BAD_IHL);
	return DECODE_OK;
}

/*
 * The datagram's length on the wire, from the total length field.
 *
 * Total length 0 with bytes after the header: a TSO/GSO super-packet
 * captured on the sending host before the NIC split it.  Wireshark says
 * "reported as 0, presumed to be because of TCP segmentation offload";
 * Linux itself does the same (iph_totlen() returns skb->len for GSO TCP
 * with tot_len 0, which IPv4 BIG TCP sends past 64 KiB).  The length is
 * taken from the frame and nothing is flagged.
 *
 * Total length beyond what the frame had on the wire: flagged, and the
 * datagram is reported malformed, but only after the rest has been
 * decoded from the bytes that are there.  Linux drops such a datagram
 * (ip_rcv_core, SKB_DROP_REASON_PKT_TOO_SMALL), so the receiver never saw
 * it and an analyzer must not count it as delivered; Wireshark and
 * tcpdump ("truncated-ip - N bytes missing") still show its transport
 * header, which is worth having for flow attribution.
 */
static enum decode_status ipv4_datagram_len(struct cursor *c,
					    struct packet *pkt, size_t *len,
					    bool *over_frame)
{
	size_t hlen = pkt->ipv4.ihl;
	size_t wire = cursor_wire_remaining(c);

	*len = 0;
	*over_frame = false;
	if (!cursor_peek_be16(c, 2, &pkt->ipv4.total_len))
		return ipv4_stop(pkt, cursor_fail(c));
	*len = pkt->ipv4.total_len;
	if (*len == 0 && wire > hlen) {
		*len = wire;
		return DECODE_OK;
	}
	if (*len < hlen)
		return ipv4_malformed(pkt, PKT_ANOM_IPV4_BAD_TOTAL_LENGTH);
	if (*len > wire) {
		packet_add_anomaly(pkt, PKT_ANOM_IPV4_TOTAL_LENGTH_OVER_FRAME);
		*over_frame = true;
	}
	return DECODE_OK;
}

/* The 20 fixed bytes; hdr is known to hold at least that many. */
static bool ipv4_read_fixed(struct cursor *h, struct packet *pkt,
			    uint16_t *frag)
{
	struct packet_ipv4 *v4 = &pkt->ipv4;
	struct packet_ip *ip = &pkt->ip;
	uint8_t vihl;

	return cursor_u8(h, &vihl) && cursor_u8(h, &v4->tos) &&
	       cursor_be16(h, &v4->total_len) && cursor_be16(h, &v4->id) &&
	       cursor_be16(h, frag) && cursor_u8(h, &ip->ttl) &&
	       cursor_u8(h, &ip->proto) && cursor_be16(h, &v4->checksum) &&
	       cursor_copy(h, ip->src.bytes, IPV4_ADDR_LEN) &&
	       cursor_copy(h, ip->dst.bytes, IPV4_ADDR_LEN);
}

/*
 * RFC 791 section 3.1: an option is either a lone type octet (EOL, NOP)
 * or type, length (counting type and length octets), data.  Linux
 * (ip_options_compile) rejects a length below 2 or one running past the
 * header; we note it and stop walking, as Suricata and Wireshark do,
 * since the rest of the datagram is still readable.
 */
static void ipv4_walk_options(struct byte_view opts, struct packet *pkt)
{
	struct cursor oc;
	uint8_t type, len;

	cursor_init_view(&oc, opts);
	while (cursor_u8(&oc, &type)) {
		if (type == IPV4_OPT_EOL)
			return; /* what follows is padding */
		if (type == IPV4_OPT_NOP)
			continue;
		if (!cursor_u8(&oc, &len) || len < 2 ||
		    !cursor_skip(&oc, (size_t)len - 2)) {
			packet_add_anomaly(pkt, PKT_ANOM_IPV4_OPT_BAD_LENGTH);
			return;
		}
	}
}

static void ipv4_set_fragment(struct packet *pkt, uint16_t frag)
{
	struct packet_ipv4 *v4 = &pkt->ipv4;
	struct packet_ip *ip = &pkt->ip;
	uint32_t offset = (uint32_t)(frag & IPV4_OFFSET_MASK) *
			  IPV4_OFFSET_UNIT;

	v4->flag_reserved = (frag & IPV4_FLAG_RESERVED) != 0;
	v4->flag_df = (frag & IPV4_FLAG_DF) != 0;
	v4->flag_mf = (frag & IPV4_FLAG_MF) != 0;
	ip->frag_offset = offset;
	ip->frag_more = v4->flag_mf;
	ip->frag_id = v4->id;
	ip->is_fragment = v4->flag_mf || offset != 0;
	ip->is_first_fragment = v4->flag_mf && offset == 0;
	/* RFC 791: the reserved ("evil", RFC 3514) bit must be zero. */
	if (v4->flag_reserved)
		packet_add_anomaly(pkt, PKT_ANOM_IPV4_RESERVED_FLAG);
	/* A datagram that may not be fragmented, yet is a fragment. */
	if (v4->flag_df && ip->is_fragment)
		packet_add_anomaly(pkt, PKT_ANOM_IPV4_DF_AND_FRAGMENT);
}

/*
 * RFC 1071: summed with its checksum field, a correct header gives all
 * ones.  Linux always fills the IPv4 header checksum in software
 * (ip_send_check), so unlike TCP/UDP a bad one is never offload.
 */
static enum cksum_status ipv4_header_cksum(struct byte_view hdr)
{
	return checksum_fold(checksum_add(0, hdr)) == 0xffff ? CKSUM_GOOD
							     : CKSUM_BAD;
}

/* Fills pkt from the captured header view; reads cannot fail. */
static enum decode_status ipv4_parse_header(struct byte_view hdr,
					    struct packet *pkt, size_t len)
{
	struct packet_ip *ip = &pkt->ip;
	struct cursor h;
	uint16_t frag;

	cursor_init_view(&h, hdr);
	if (!ipv4_read_fixed(&h, pkt, &frag))
		return ipv4_stop(pkt, cursor_fail(&h));
	pkt->ipv4.options = cursor_rest_view(&h);
	ip->version = 4;
	ip->src.family = 4;
	ip->dst.family = 4;
	ip->dscp = pkt->ipv4.tos >> 2;
	ip->ecn = pkt->ipv4.tos & 0x03;
	ip->payload_len = (uint32_t)(len - hdr.len);
	ip->header = hdr;
	ipv4_walk_options(pkt->ipv4.options, pkt);
	ipv4_set_fragment(pkt, frag);
	if (ip->ttl == 0)
		packet_add_anomaly(pkt, PKT_ANOM_IPV4_ZERO_TTL);
	if (!pkt->skip_checksums)
		pkt->ipv4.cksum = ipv4_header_cksum(hdr);
	return DECODE_OK;
}

enum decode_status ipv4_decode(struct cursor *c, struct packet *pkt)
{
	struct byte_view hdr;
	enum decode_status st;
	size_t len;
	bool over_frame;

	packet_mark(pkt, PROTO_IPV4);
	st = ipv4_check_first_byte(c, pkt);
	if (st != DECODE_OK)
		return st;
	st = ipv4_datagram_len(c, pkt, &len, &over_frame);
	if (st != DECODE_OK)
		return st;
	/* Drops link padding; a no-op when the datagram is over the frame. */
	(void)cursor_limit(c, len);
	if (!cursor_view(c, pkt->ipv4.ihl, &hdr))
		return ipv4_stop(pkt, over_frame ? DECODE_MALFORMED
						 : cursor_fail(c));
	st = ipv4_parse_header(hdr, pkt, len);
	if (st != DECODE_OK)
		return st;
	if (pkt->ip.is_fragment) {
		struct cursor rest = *c;

		pkt->ip.frag_data = cursor_rest_view(&rest);
	}
	st = decode_transport(c, pkt, pkt->ip.proto);
	return over_frame ? ipv4_stop(pkt, DECODE_MALFORMED) : st;
}
