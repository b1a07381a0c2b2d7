/*
 * BSD loopback: LINKTYPE_NULL and OpenBSD's LINKTYPE_LOOP.  A 4-byte
 * address family precedes the IP packet.
 *
 * NULL writes the family in the byte order of the host that captured,
 * which need not be ours; LOOP writes it in network order.  Families are
 * small numbers, so a value with any of its upper 16 bits set was read
 * in the wrong order and is swapped back: tcpdump's print-null.c does
 * this for both link types, and so do we.
 */
#include "decode.h"

enum {
	/* AF_INET is 2 everywhere; AF_INET6 is not. */
	LOOP_AF_INET = 2,
	LOOP_AF_INET6_LINUX = 10,
	LOOP_AF_INET6_BSD = 24,     /* NetBSD, OpenBSD, BSD/OS */
	LOOP_AF_INET6_FREEBSD = 28, /* FreeBSD, DragonFly BSD */
	LOOP_AF_INET6_DARWIN = 30,  /* macOS, iOS */
};

static uint32_t loopback_swap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) |
	       (v << 24);
}

static bool loopback_read_family(struct cursor *c, enum link_type lt,
				 uint32_t *family)
{
	bool ok = lt == LINK_TYPE_LOOP ? cursor_be32(c, family)
				       : cursor_le32(c, family);

	if (ok && (*family & 0xffff0000u) != 0)
		*family = loopback_swap32(*family);
	return ok;
}

static uint16_t loopback_family_ethertype(uint32_t family)
{
	switch (family) {
	case LOOP_AF_INET:
		return ETHERTYPE_IPV4;
	case LOOP_AF_INET6_LINUX:
	case LOOP_AF_INET6_BSD:
	case LOOP_AF_INET6_FREEBSD:
	case LOOP_AF_INET6_DARWIN:
		return ETHERTYPE_IPV6;
	default:
		return 0;
	}
}

enum decode_status loopback_decode(struct cursor *c, struct packet *pkt,
				   enum link_type lt)
{
	uint16_t ethertype;

	packet_mark(pkt, PROTO_LOOPBACK);
	pkt->link.framing = FRAMING_LOOPBACK;
	if (!loopback_read_family(c, lt, &pkt->link.loopback_family))
		return packet_stop(pkt, PROTO_LOOPBACK, cursor_fail(c));
	ethertype = loopback_family_ethertype(pkt->link.loopback_family);
	if (ethertype == 0)
		return packet_stop(pkt, PROTO_LOOPBACK, DECODE_UNSUPPORTED);
	return decode_ethertype(c, pkt, ethertype);
}
