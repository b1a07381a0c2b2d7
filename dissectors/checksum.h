/*
 * Internet checksum (RFC 1071) over captured views, with the IPv4 and IPv6
 * pseudo-headers (RFC 768, RFC 793, RFC 8200 section 8.1).
 */
#ifndef TCPLENS_CHECKSUM_H
#define TCPLENS_CHECKSUM_H

#include <stdbool.h>
#include <stdint.h>

#include "cursor.h"
#include "packet.h"

/*
 * Adds a view to a running one's-complement sum.  The running sum is
 * opaque (native-order words, see checksum.c): only checksum_fold() makes
 * it a value.  Each view is summed as if it started at an even offset.
 */
uint64_t checksum_add(uint64_t sum, struct byte_view v);
/* The 16-bit sum in network order (as cursor_be16 reads a field), not
 * complemented: 0xffff for data that includes a correct checksum. */
uint16_t checksum_fold(uint64_t sum);
/* Sum of the pseudo-header for the upper-layer protocol over ip. */
uint64_t checksum_pseudo_header(const struct packet_ip *ip, uint8_t proto,
				uint32_t upper_len);
/*
 * Verifies a transport checksum: segment is the whole transport header
 * plus payload as captured, upper_len its length on the wire, field the
 * checksum as sent.  with_pseudo is false for ICMPv4.
 */
enum cksum_status checksum_verify_transport(const struct packet_ip *ip,
					    uint8_t proto,
					    struct byte_view segment,
					    uint32_t upper_len, uint16_t field,
					    bool with_pseudo);

#endif
