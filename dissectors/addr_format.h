/*
 * IP addresses and endpoints as text, the one way every layer writes
 * them: IPv4 dotted quad, IPv6 compressed as RFC 5952 says (inet_ntop),
 * and an endpoint as "v4:port" or "[v6]:port" (RFC 3986 section 3.2.2's
 * brackets, as ss and tshark print them).  Numeric only: no name is
 * ever resolved.  Lives beside the dissectors so that analyzer/,
 * reports/ and cmd/ may all include it.
 */
#ifndef TCPLENS_ADDR_FORMAT_H
#define TCPLENS_ADDR_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* Room for any address and its '\0' (INET6_ADDRSTRLEN). */
#define ADDR_FORMAT_LEN 46
/* Room for "[" address "]:" port and its '\0'. */
#define ADDR_FORMAT_ENDPOINT_LEN (ADDR_FORMAT_LEN + 8)
/* The port of an endpoint that has none yet (a listener's peer): "*". */
#define ADDR_FORMAT_ANY_PORT (-1)

/*
 * addr (4 bytes for family 4, 16 for family 6) as text into out, always
 * '\0'-terminated when outlen > 0.  "?" for another family, or when out
 * is too small for the address.
 */
void addr_format(int family, const uint8_t *addr, char *out, size_t outlen);

/*
 * "v4:port" or "[v6]:port"; a port of ADDR_FORMAT_ANY_PORT is written
 * "*", as ss writes a listener's peer.  Truncated to fit outlen.
 */
void addr_format_endpoint(int family, const uint8_t *addr, int port,
			  char *out, size_t outlen);

#endif
