/*
 * Linux cooked captures: LINKTYPE_LINUX_SLL (v1, 16 bytes) and
 * LINKTYPE_LINUX_SLL2 (v2, 20 bytes), as libpcap writes them for
 * "any" and for devices without a usable link header (pcap/sll.h).
 *
 * The protocol field is not always an ethertype (tcpdump's
 * LINKTYPE_LINUX_SLL page, and print-sll.c): for a netlink device it is
 * the netlink protocol; for radiotap and Frame Relay devices it means
 * nothing; and values up to 1500 are Linux's ETH_P_* pseudo-types for
 * frames that had no ethertype (ETH_P_802_3, ETH_P_802_2, ETH_P_CAN...).
 */
#include "decode.h"

#include <string.h>

enum {
	SLL_ADDR_FIELD_LEN = 8,
	SLL_ETH_ADDR_LEN = 6,
	/* if_arp.h hardware types that change the protocol field's meaning. */
	SLL_ARPHRD_ETHER = 1,
	SLL_ARPHRD_FRAD = 770,
	SLL_ARPHRD_IEEE80211_RADIOTAP = 803,
	SLL_ARPHRD_NETLINK = 824,
	/* if_ether.h pseudo-types; 1500 is tcpdump's MAX_ETHERNET_LENGTH_VAL. */
	SLL_P_802_3 = 0x0001,   /* Novell raw 802.3, IPX with no LLC */
	SLL_P_802_2 = 0x0004,   /* starts with an 802.2 LLC header */
	SLL_P_MAX_PSEUDO = 1500,
};

/* The address field holds the sender's link address, padded to 8. */
static void sll_set_mac(struct packet_link *l, uint16_t halen,
			const uint8_t addr[SLL_ADDR_FIELD_LEN])
{
	if (l->sll_hatype != SLL_ARPHRD_ETHER || halen != SLL_ETH_ADDR_LEN)
		return;
	memcpy(l->mac_src, addr, SLL_ETH_ADDR_LEN);
	l->has_mac_src = true;
}

static enum decode_status sll_dispatch(struct cursor *c, struct packet *pkt,
				       enum proto self, uint16_t protocol)
{
	switch (pkt->link.sll_hatype) {
	case SLL_ARPHRD_NETLINK:
	case SLL_ARPHRD_IEEE80211_RADIOTAP:
	case SLL_ARPHRD_FRAD:
		return packet_stop(pkt, self, DECODE_UNSUPPORTED);
	default:
		break;
	}
	if (protocol > SLL_P_MAX_PSEUDO)
		return decode_ethertype(c, pkt, protocol);
	if (protocol == SLL_P_802_2)
		return llc_decode(c, pkt);
	/* SLL_P_802_3 (IPX), CAN, and the rest: recognised, not decoded. */
	return packet_stop(pkt, self, DECODE_UNSUPPORTED);
}

/* pkttype(2) hatype(2) halen(2) addr(8) protocol(2), big-endian. */
enum decode_status sll_decode(struct cursor *c, struct packet *pkt)
{
	struct packet_link *l = &pkt->link;
	uint8_t addr[SLL_ADDR_FIELD_LEN];
	uint16_t halen, protocol;

	packet_mark(pkt, PROTO_LINUX_SLL);
	l->framing = FRAMING_LINUX_SLL;
	if (!cursor_be16(c, &l->sll_pkttype) ||
	    !cursor_be16(c, &l->sll_hatype) || !cursor_be16(c, &halen) ||
	    !cursor_copy(c, addr, sizeof(addr)) ||
	    !cursor_be16(c, &protocol))
		return packet_stop(pkt, PROTO_LINUX_SLL, cursor_fail(c));
	sll_set_mac(l, halen, addr);
	return sll_dispatch(c, pkt, PROTO_LINUX_SLL, protocol);
}

static bool sll2_read_header(struct cursor *c, struct packet_link *l,
			     uint16_t *protocol, uint8_t addr[SLL_ADDR_FIELD_LEN])
{
	uint8_t pkttype, halen;

	if (!cursor_be16(c, protocol) || !cursor_skip(c, 2) ||
	    !cursor_be32(c, &l->sll_ifindex) ||
	    !cursor_be16(c, &l->sll_hatype) || !cursor_u8(c, &pkttype))
		return false;
	l->sll_pkttype = pkttype;
	if (!cursor_u8(c, &halen) ||
	    !cursor_copy(c, addr, SLL_ADDR_FIELD_LEN))
		return false;
	sll_set_mac(l, halen, addr);
	return true;
}

/*
 * protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1) halen(1)
 * addr(8): the protocol moved first, and the interface index was added.
 */
enum decode_status sll2_decode(struct cursor *c, struct packet *pkt)
{
	uint8_t addr[SLL_ADDR_FIELD_LEN];
	uint16_t protocol;

	packet_mark(pkt, PROTO_LINUX_SLL2);
	pkt->link.framing = FRAMING_LINUX_SLL2;
	if (!sll2_read_header(c, &pkt->link, &protocol, addr))
		return packet_stop(pkt, PROTO_LINUX_SLL2, cursor_fail(c));
	return sll_dispatch(c, pkt, PROTO_LINUX_SLL2, protocol);
}
