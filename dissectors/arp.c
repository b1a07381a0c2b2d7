/*
 * ARP (RFC 826) and RARP (RFC 903), which share one packet format:
 * htype(2) ptype(2) hlen(1) plen(1) op(2), then sender hardware and
 * protocol addresses and target hardware and protocol addresses, sized
 * by hlen and plen.  The addresses are filled only for the Ethernet/IPv4
 * case; other combinations are walked over by their declared lengths.
 * Nothing follows ARP: what a frame holds past it is link padding.
 */
#include "decode.h"

enum {
	ARP_HTYPE_ETHERNET = 1,
	ARP_HTYPE_IEEE802 = 6,  /* RFC 1042: Token Ring and other 802 LANs */
	ARP_ETH_ADDR_LEN = 6,
	ARP_IPV4_ADDR_LEN = 4,
};

static bool arp_read_fixed(struct cursor *c, struct packet_arp *a)
{
	return cursor_be16(c, &a->htype) && cursor_be16(c, &a->ptype) &&
	       cursor_u8(c, &a->hlen) && cursor_u8(c, &a->plen) &&
	       cursor_be16(c, &a->op);
}

/* Lengths that cannot be right for the declared types (or for any). */
static bool arp_lengths_bad(const struct packet_arp *a)
{
	if (a->hlen == 0 || a->plen == 0)
		return true;
	if ((a->htype == ARP_HTYPE_ETHERNET || a->htype == ARP_HTYPE_IEEE802) &&
	    a->hlen != ARP_ETH_ADDR_LEN)
		return true;
	return a->ptype == ETHERTYPE_IPV4 && a->plen != ARP_IPV4_ADDR_LEN;
}

static bool arp_is_ether_ipv4(const struct packet_arp *a)
{
	return a->htype == ARP_HTYPE_ETHERNET && a->ptype == ETHERTYPE_IPV4 &&
	       a->hlen == ARP_ETH_ADDR_LEN && a->plen == ARP_IPV4_ADDR_LEN;
}

static bool arp_read_ether_ipv4(struct cursor *c, struct packet_arp *a)
{
	return cursor_copy(c, a->sender_mac, ARP_ETH_ADDR_LEN) &&
	       cursor_copy(c, a->sender_ip, ARP_IPV4_ADDR_LEN) &&
	       cursor_copy(c, a->target_mac, ARP_ETH_ADDR_LEN) &&
	       cursor_copy(c, a->target_ip, ARP_IPV4_ADDR_LEN);
}

enum decode_status arp_decode(struct cursor *c, struct packet *pkt,
			      bool is_rarp)
{
	enum proto self = is_rarp ? PROTO_RARP : PROTO_ARP;
	struct packet_arp *a = &pkt->arp;

	packet_mark(pkt, self);
	a->is_rarp = is_rarp;
	if (!arp_read_fixed(c, a))
		return packet_stop(pkt, self, cursor_fail(c));
	if (arp_is_ether_ipv4(a)) {
		if (!arp_read_ether_ipv4(c, a))
			return packet_stop(pkt, self, cursor_fail(c));
		a->is_ether_ipv4 = true;
		return DECODE_OK;
	}
	if (arp_lengths_bad(a))
		packet_add_anomaly(pkt, PKT_ANOM_ARP_BAD_LENGTHS);
	/* The four addresses still have to be there, whatever their size. */
	if (!cursor_skip(c, 2 * ((size_t)a->hlen + a->plen)))
		return packet_stop(pkt, self, cursor_fail(c));
	return DECODE_OK;
}
