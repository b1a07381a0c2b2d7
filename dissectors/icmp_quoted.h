/*
 * The datagram an ICMP or ICMPv6 error quotes (RFC 792, RFC 1812 section
 * 4.3.2.3, RFC 4443 section 2.4(c)): its IP header and at least the first
 * 8 bytes of its transport header, which is how an error is tied to the
 * flow it concerns.
 */
#ifndef TCPLENS_ICMP_QUOTED_H
#define TCPLENS_ICMP_QUOTED_H

#include <stdint.h>

#include "cursor.h"
#include "packet.h"

/*
 * Parses the quoted datagram at c (the ICMP body) into icmp->quoted,
 * setting icmp->has_quoted once the quoted IP header's addresses were
 * read.  ip_version is 4 for ICMP, 6 for ICMPv6.  Returns DECODE_OK when
 * the IP header and 8 transport bytes were all there, DECODE_TRUNCATED
 * when the quote stops short (normal: RFC 792 asks for only 8 bytes, and
 * the snaplen may cut more), DECODE_MALFORMED when the quoted header is
 * invalid.  When an IPv6 quote stops inside its extension headers,
 * quoted.proto is the last next-header value reached.  Touches nothing
 * of pkt outside icmp.
 */
enum decode_status icmp_quoted_decode(struct cursor *c, uint8_t ip_version,
				      struct packet_icmp *icmp);

/*
 * Decodes the quoted datagram of an ICMP(v6) error in body and notes a
 * short or invalid quote as an anomaly of pkt: a short quote is the
 * norm, not an error of the ICMP message, so the layer stays OK.
 */
void icmp_quoted_note(struct cursor *body, struct packet *pkt,
		      uint8_t ip_version);

#endif
