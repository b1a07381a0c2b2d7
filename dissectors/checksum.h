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

/* One's-complement sum of a view, not folded or complemented. */
uint64_t checksum_add(uint64_t sum, struct byte_view v);
/* Folds a running sum to 16 bits (not complemented). */
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
