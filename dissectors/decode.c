#include "decode.h"

enum decode_status decode_packet(struct packet *pkt, enum link_type lt,
				 const uint8_t *data, uint32_t cap_len,
				 uint32_t wire_len)
{
	return decode_packet_opt(pkt, lt, data, cap_len, wire_len, true);
}

enum decode_status decode_packet_opt(struct packet *pkt, enum link_type lt,
				     const uint8_t *data, uint32_t cap_len,
				     uint32_t wire_len, bool checksums)
{
	struct cursor c;

	packet_reset(pkt);
	pkt->skip_checksums = !checksums;
	pkt->link_type = lt;
	pkt->cap_len = cap_len;
	pkt->wire_len = wire_len;
	cursor_init(&c, data, cap_len, wire_len);

	switch (lt) {
	case LINK_TYPE_ETHERNET:
		return ethernet_decode(&c, pkt);
	case LINK_TYPE_NULL:
	case LINK_TYPE_LOOP:
		return loopback_decode(&c, pkt, lt);
	case LINK_TYPE_LINUX_SLL:
		return sll_decode(&c, pkt);
	case LINK_TYPE_LINUX_SLL2:
		return sll2_decode(&c, pkt);
	case LINK_TYPE_RAW:
		packet_mark(pkt, PROTO_RAW_IP);
		pkt->link.framing = FRAMING_RAW_IP;
		return decode_ip_version(&c, pkt);
	case LINK_TYPE_IPV4:
		packet_mark(pkt, PROTO_RAW_IP);
		pkt->link.framing = FRAMING_RAW_IP;
		pkt->link.ethertype = ETHERTYPE_IPV4;
		return ipv4_decode(&c, pkt);
	case LINK_TYPE_IPV6:
		packet_mark(pkt, PROTO_RAW_IP);
		pkt->link.framing = FRAMING_RAW_IP;
		pkt->link.ethertype = ETHERTYPE_IPV6;
		return ipv6_decode(&c, pkt);
	case LINK_TYPE_PPP:
		return ppp_decode(&c, pkt);
	case LINK_TYPE_PPP_HDLC:
		return ppp_hdlc_decode(&c, pkt);
	case LINK_TYPE_C_HDLC:
		return chdlc_decode(&c, pkt);
	case LINK_TYPE_IEEE802_11: {
		/* Link type 105 carries no FCS (pcap-linktype(7)). */
		static const struct ieee80211_radio plain = {0};

		return ieee80211_decode(&c, pkt, &plain);
	}
	case LINK_TYPE_IEEE802_11_RADIOTAP:
		return radiotap_decode(&c, pkt);
	case LINK_TYPE_PPI:
		return ppi_decode(&c, pkt);
	case LINK_TYPE_COUNT:
		break;
	}
	return packet_stop(pkt, PROTO_COUNT, DECODE_UNSUPPORTED);
}

enum decode_status decode_ethertype(struct cursor *c, struct packet *pkt,
				    uint16_t ethertype)
{
	/* A tag is not a network layer: the inner type is set past it. */
	if (ethertype != ETHERTYPE_VLAN && ethertype != ETHERTYPE_QINQ &&
	    ethertype != ETHERTYPE_QINQ_OLD)
		pkt->link.ethertype = ethertype;
	switch (ethertype) {
	case ETHERTYPE_IPV4:
		return ipv4_decode(c, pkt);
	case ETHERTYPE_IPV6:
		return ipv6_decode(c, pkt);
	case ETHERTYPE_ARP:
		return arp_decode(c, pkt, false);
	case ETHERTYPE_RARP:
		return arp_decode(c, pkt, true);
	case ETHERTYPE_VLAN:
	case ETHERTYPE_QINQ:
	case ETHERTYPE_QINQ_OLD:
		return vlan_decode(c, pkt, ethertype);
	case ETHERTYPE_MPLS:
	case ETHERTYPE_MPLS_MULTICAST:
		return mpls_decode(c, pkt);
	case ETHERTYPE_PPPOE_SESSION:
		return pppoe_decode(c, pkt);
	case ETHERTYPE_PBB_ITAG:
		return pbb_decode(c, pkt);
	case ETHERTYPE_FABRICPATH:
		return fabricpath_decode(c, pkt);
	case ETHERTYPE_VNTAG:
		return vntag_decode(c, pkt);
	default:
		return packet_stop(pkt, PROTO_COUNT, DECODE_UNSUPPORTED);
	}
}

/* Raw IP links (and loopback) say nothing of the version: read the nibble. */
enum decode_status decode_ip_version(struct cursor *c, struct packet *pkt)
{
	uint8_t first;

	if (!cursor_peek_u8(c, 0, &first))
		return packet_stop(pkt, PROTO_RAW_IP, cursor_fail(c));
	switch (first >> 4) {
	case 4:
		pkt->link.ethertype = ETHERTYPE_IPV4;
		return ipv4_decode(c, pkt);
	case 6:
		pkt->link.ethertype = ETHERTYPE_IPV6;
		return ipv6_decode(c, pkt);
	default:
		return packet_stop(pkt, PROTO_RAW_IP, DECODE_UNSUPPORTED);
	}
}

enum decode_status decode_transport(struct cursor *c, struct packet *pkt,
				    uint8_t ip_proto)
{
	/*
	 * A non-first fragment carries no transport header.  Its bytes are
	 * left as payload; reassembly (a later layer) feeds the whole
	 * datagram back through here.
	 */
	if (pkt->ip.is_fragment && pkt->ip.frag_offset != 0) {
		pkt->payload = cursor_rest_view(c);
		pkt->payload_wire_len = (uint32_t)pkt->ip.payload_len;
		return DECODE_OK;
	}
	switch (ip_proto) {
	case IPPROTO_NUM_TCP:
		return tcp_decode(c, pkt);
	case IPPROTO_NUM_GRE:
	case IPPROTO_NUM_IPIP:
	case IPPROTO_NUM_IPV6:
		/*
		 * A tunnel is entered once its datagram is whole: reassembly
		 * decodes it again.  Its first fragment is only a fragment.
		 */
		if (pkt->ip.is_fragment) {
			pkt->payload = cursor_rest_view(c);
			pkt->payload_wire_len = (uint32_t)pkt->ip.payload_len;
			return DECODE_OK;
		}
		return ip_proto == IPPROTO_NUM_GRE ? gre_decode(c, pkt)
						   : ipip_decode(c, pkt, ip_proto);
	case IPPROTO_NUM_UDP:
		return udp_decode(c, pkt);
	case IPPROTO_NUM_ICMP:
		return icmp_decode(c, pkt);
	case IPPROTO_NUM_ICMPV6:
		return icmpv6_decode(c, pkt);
	default:
		pkt->payload = cursor_rest_view(c);
		pkt->payload_wire_len = (uint32_t)pkt->ip.payload_len;
		return packet_stop(pkt, PROTO_COUNT, DECODE_UNSUPPORTED);
	}
}

/*
 * By port, as Wireshark registers them: VXLAN and Geneve by the
 * destination only (the source port is the sender's flow hash), the
 * others by either.
 */
enum decode_status udp_decode_tunnel(struct cursor *c, struct packet *pkt)
{
	uint16_t sp = pkt->udp.sport, dp = pkt->udp.dport;

	if (dp == UDP_PORT_VXLAN)
		return vxlan_decode(c, pkt);
	if (dp == UDP_PORT_GENEVE)
		return geneve_decode(c, pkt);
	if (sp == UDP_PORT_GTP_U || dp == UDP_PORT_GTP_U)
		return gtpu_decode(c, pkt);
	if (sp == UDP_PORT_TEREDO || dp == UDP_PORT_TEREDO)
		return teredo_decode(c, pkt);
	if (sp == UDP_PORT_AYIYA || dp == UDP_PORT_AYIYA)
		return ayiya_decode(c, pkt);
	return DECODE_OK;
}

/*
 * A transport header that runs past the end of a first fragment (RFC
 * 1858's tiny fragment) is incomplete, not malformed: its rest comes in
 * the next fragment, and the reassembled datagram decodes whole.  tshark
 * likewise calls it unreassembled rather than malformed.  A snaplen cut
 * (DECODE_TRUNCATED) stays what it is.
 */
bool decode_transport_split(struct cursor *whole, struct packet *pkt,
			    enum decode_status why)
{
	if (!pkt->ip.is_fragment || why != DECODE_MALFORMED)
		return false;
	packet_add_anomaly(pkt, pkt->ip.version == 6
					? PKT_ANOM_IPV6_TINY_FRAGMENT
					: PKT_ANOM_IPV4_TINY_FRAGMENT);
	pkt->payload_wire_len = (uint32_t)cursor_wire_remaining(whole);
	pkt->payload = cursor_rest_view(whole);
	return true;
}

void decode_clamp_to_ip(struct cursor *c, const struct packet *pkt)
{
	if (cursor_wire_remaining(c) > pkt->ip.payload_len)
		cursor_limit(c, pkt->ip.payload_len);
}
