/* TEMPORARY during parallel development: weak fallbacks overridden by the
 * real dissectors.  Deleted once every dissector has landed. */
#include "decode.h"
#include "checksum.h"
#define WEAK __attribute__((weak))
#define STUB(name, proto) \
	WEAK enum decode_status name(struct cursor *c, struct packet *pkt) \
	{ (void)c; packet_mark(pkt, proto); return packet_stop(pkt, proto, DECODE_UNSUPPORTED); }
STUB(ethernet_decode, PROTO_ETHERNET)
STUB(llc_decode, PROTO_LLC)
STUB(sll_decode, PROTO_LINUX_SLL)
STUB(sll2_decode, PROTO_LINUX_SLL2)
STUB(ipv4_decode, PROTO_IPV4)
STUB(ipv6_decode, PROTO_IPV6)
STUB(icmp_decode, PROTO_ICMP)
STUB(icmpv6_decode, PROTO_ICMPV6)
STUB(udp_decode, PROTO_UDP)
STUB(tcp_decode, PROTO_TCP)
WEAK enum decode_status vlan_decode(struct cursor *c, struct packet *pkt, uint16_t t)
{ (void)c; (void)t; return packet_stop(pkt, PROTO_VLAN, DECODE_UNSUPPORTED); }
WEAK enum decode_status loopback_decode(struct cursor *c, struct packet *pkt, enum link_type lt)
{ (void)c; (void)lt; return packet_stop(pkt, PROTO_LOOPBACK, DECODE_UNSUPPORTED); }
WEAK enum decode_status arp_decode(struct cursor *c, struct packet *pkt, bool r)
{ (void)c; (void)r; return packet_stop(pkt, PROTO_ARP, DECODE_UNSUPPORTED); }
WEAK uint64_t checksum_add(uint64_t sum, struct byte_view v) { (void)v; return sum; }
WEAK uint16_t checksum_fold(uint64_t sum) { return (uint16_t)sum; }
WEAK uint64_t checksum_pseudo_header(const struct packet_ip *ip, uint8_t proto, uint32_t len)
{ (void)ip; (void)proto; (void)len; return 0; }
WEAK enum cksum_status checksum_verify_transport(const struct packet_ip *ip, uint8_t proto,
	struct byte_view s, uint32_t l, uint16_t f, bool w)
{ (void)ip; (void)proto; (void)s; (void)l; (void)f; (void)w; return CKSUM_NOT_CHECKED; }
