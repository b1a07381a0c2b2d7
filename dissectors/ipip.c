/*
 * IP in IP: IPv4 in IPv4 (protocol 4, RFC 2003), IPv6 in IPv4 (41, RFC
 * 4213's 6in4 and 6to4), IPv4 and IPv6 in IPv6 (RFC 2473).  No header of
 * its own: the inner datagram follows the outer one, which names the
 * tunnel by its endpoints.
 */
#include "decode.h"

enum decode_status ipip_decode(struct cursor *c, struct packet *pkt,
			       uint8_t ip_proto)
{
	enum proto self = pkt->ip.version == 6 ? PROTO_IPV6 : PROTO_IPV4;

	decode_clamp_to_ip(c, pkt);
	if (encap_push_tunnel(pkt, ENCAP_IP_IN_IP) == NULL)
		return packet_stop(pkt, self, DECODE_UNSUPPORTED);
	return encap_decode_ip(c, pkt, self,
			       ip_proto == IPPROTO_NUM_IPIP ? ETHERTYPE_IPV4
							    : ETHERTYPE_IPV6);
}
