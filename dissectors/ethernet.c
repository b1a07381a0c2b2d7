/*
 * Ethernet (DLT_EN10MB): Ethernet II and IEEE 802.3 length frames.
 *
 * The 2 bytes after the MAC addresses are a type or a length (IEEE
 * 802.3-2018 clause 3.2.6): 0x0600 and above is an ethertype (Ethernet
 * II), 1500 and below the length of the MAC client data (802.3), and the
 * values between are neither.  An 802.3 frame's payload ends where its
 * length says: the rest is padding to the 64-byte minimum and is never
 * decoded as payload (tcpdump and Wireshark both trim to the length).
 */
#include "decode.h"

enum {
	ETH_ADDR_LEN = 6,
	ETH_MAX_LENGTH = 1500,  /* largest 802.3 length field */
	ETH_MIN_TYPE = 0x0600,  /* smallest ethertype */
	/*
	 * Novell's "raw" 802.3 puts IPX straight after the length; IPX's
	 * checksum field, always 0xFFFF, sits where the LLC SAPs would.
	 * tcpdump (print-ether.c) tells the two apart the same way.
	 */
	ETH_NOVELL_RAW_MARK = 0xffff,
};

static bool ethernet_read_header(struct cursor *c, struct packet_link *l,
				 uint16_t *type_len)
{
	if (!cursor_copy(c, l->mac_dst, ETH_ADDR_LEN) ||
	    !cursor_copy(c, l->mac_src, ETH_ADDR_LEN))
		return false;
	l->has_mac_src = true;
	l->has_mac_dst = true;
	return cursor_be16(c, type_len);
}

/*
 * Clamp to the declared length so padding is not payload.  A length past
 * the frame is noted, and decoding goes on with the bytes there are:
 * what is missing then fails as malformed at the layer that needs it.
 */
static void ethernet_clamp_to_length(struct cursor *c, struct packet *pkt)
{
	if (pkt->link.eth_length <= cursor_wire_remaining(c))
		cursor_limit(c, pkt->link.eth_length);
	else
		packet_add_anomaly(pkt, PKT_ANOM_ETH_LENGTH_MISMATCH);
}

/*
 * framing moves from Ethernet II to 802.3 only on an Ethernet link: under
 * a cooked (SLL) capture a tagged 802.3 frame keeps its SLL framing.
 */
static enum decode_status ethernet_decode_8023(struct cursor *c,
					       struct packet *pkt,
					       uint16_t length, enum proto at)
{
	bool on_ethernet = at == PROTO_ETHERNET ||
			   pkt->link.framing == FRAMING_ETHERNET_II;
	uint16_t mark;

	pkt->link.eth_length = length;
	ethernet_clamp_to_length(c, pkt);
	if (!cursor_peek_be16(c, 0, &mark))
		return packet_stop(pkt, at, cursor_fail(c));
	if (mark == ETH_NOVELL_RAW_MARK) {
		if (on_ethernet)
			pkt->link.framing = FRAMING_IEEE8023_RAW;
		return packet_stop(pkt, at, DECODE_UNSUPPORTED);
	}
	if (on_ethernet)
		pkt->link.framing = FRAMING_IEEE8023_LLC;
	return llc_decode(c, pkt);
}

enum decode_status ethernet_decode_type_length(struct cursor *c,
					       struct packet *pkt,
					       uint16_t type_len, enum proto at)
{
	if (type_len >= ETH_MIN_TYPE) {
		if (at == PROTO_ETHERNET)
			pkt->link.framing = FRAMING_ETHERNET_II;
		return decode_ethertype(c, pkt, type_len);
	}
	if (type_len <= ETH_MAX_LENGTH)
		return ethernet_decode_8023(c, pkt, type_len, at);
	/* 1501..1535: neither a length nor a type (IEEE 802.3 3.2.6). */
	return packet_stop(pkt, at, DECODE_MALFORMED);
}

enum decode_status ethernet_decode(struct cursor *c, struct packet *pkt)
{
	uint16_t type_len;

	packet_mark(pkt, PROTO_ETHERNET);
	if (!ethernet_read_header(c, &pkt->link, &type_len))
		return packet_stop(pkt, PROTO_ETHERNET, cursor_fail(c));
	return ethernet_decode_type_length(c, pkt, type_len, PROTO_ETHERNET);
}
