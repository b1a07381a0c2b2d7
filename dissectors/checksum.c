#include "checksum.h"

#include <stdbool.h>
#include <string.h>

/*
 * RFC 1071 section 2(B): the one's-complement sum does not depend on byte
 * order.  Running sums are kept as native-order words, with no fold or
 * swap until the end: checksum_fold() folds once and swaps once, giving
 * the same value as summing big-endian 16-bit words, which compares
 * directly with a checksum field read by cursor_be16().  Per-view folds
 * and a byte loop over the addresses cost more than the summing itself.
 */

static bool checksum_host_is_little_endian(void)
{
	const uint16_t one = 1;
	uint8_t first;

	memcpy(&first, &one, 1); /* folded to a constant by the compiler */
	return first == 1;
}

/* memcpy loads work at any alignment and compile to a single move. */
static uint64_t checksum_load64(const uint8_t *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/*
 * One's-complement addition of 64-bit words: the carry out of the top
 * is added back in at once (end-around carry), as Linux's do_csum does.
 * Compilers turn it into add + adc: half the work of splitting each word
 * into 32-bit halves, and no length limit.
 */
static uint64_t checksum_add64(uint64_t acc, uint64_t w)
{
	uint64_t r = acc + w;

	return r + (r < w);
}

static uint64_t checksum_sum_native(const uint8_t *p, size_t len)
{
	uint64_t acc = 0, acc2 = 0;
	size_t i = 0;

	/*
	 * Two accumulators: each add-with-carry waits on the one before, so
	 * two independent chains run twice as fast.  One's-complement sums
	 * add up in any order, so they are simply combined afterwards.
	 */
	for (; len - i >= 32; i += 32) {
		acc = checksum_add64(acc, checksum_load64(p + i));
		acc2 = checksum_add64(acc2, checksum_load64(p + i + 8));
		acc = checksum_add64(acc, checksum_load64(p + i + 16));
		acc2 = checksum_add64(acc2, checksum_load64(p + i + 24));
	}
	acc = checksum_add64(acc, acc2);
	for (; len - i >= 8; i += 8)
		acc = checksum_add64(acc, checksum_load64(p + i));
	/*
	 * The last 0..7 bytes as fixed-size loads: assembling them in a
	 * stack word byte by byte and reloading it as 64 bits stalls on
	 * store forwarding, which made this tail the hottest spot of the
	 * whole decode path.  Adding a 32-bit word equals adding its two
	 * 16-bit halves modulo 0xffff.
	 */
	if (len - i >= 4) {
		uint32_t w;

		memcpy(&w, p + i, sizeof(w));
		acc = checksum_add64(acc, w);
		i += 4;
	}
	if (len - i >= 2) {
		uint16_t w;

		memcpy(&w, p + i, sizeof(w));
		acc = checksum_add64(acc, w);
		i += 2;
	}
	/* An odd final byte is the high half of a zero-padded word (RFC 1071). */
	if (i < len)
		acc = checksum_add64(acc, checksum_host_is_little_endian()
						  ? (uint64_t)p[i]
						  : (uint64_t)p[i] << 8);
	return acc;
}

uint16_t checksum_fold(uint64_t sum)
{
	uint16_t folded;

	/*
	 * End-around carry, branch-free: 64 to 33 bits, to 17, to 16 plus
	 * at most one carry, which the last step absorbs.
	 */
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	folded = (uint16_t)sum;
	if (checksum_host_is_little_endian())
		folded = (uint16_t)(folded << 8 | folded >> 8);
	return folded;
}

/*
 * Each view is summed as if it started on an even offset of the
 * checksummed data, which holds for the pseudo-header fields and for a
 * transport segment.
 */
uint64_t checksum_add(uint64_t sum, struct byte_view v)
{
	if (v.ptr == NULL || v.len == 0)
		return sum;
	return checksum_add64(sum, checksum_sum_native(v.ptr, v.len));
}

/*
 * The 8 bytes length(32, big-endian), 0, 0, 0, proto as one native word,
 * computed rather than stored byte by byte and reloaded: that reload
 * cannot be forwarded from the byte stores and stalled every packet.
 */
static uint64_t checksum_pseudo_tail(uint32_t upper_len, uint8_t proto)
{
	if (checksum_host_is_little_endian())
		return (uint64_t)__builtin_bswap32(upper_len) |
		       (uint64_t)proto << 56;
	return (uint64_t)upper_len << 32 | proto;
}

/*
 * IPv4 (RFC 9293 section 3.1, RFC 768): src, dst, zero, protocol, 16-bit
 * length.  IPv6 (RFC 8200 section 8.1): src, dst, 32-bit length, three
 * zero bytes, next header.  As 16-bit words both reduce to the addresses
 * plus the length's halves plus the protocol, so IPv6's 8-byte tail
 * serves both (an IPv4 length has no upper half).
 */
uint64_t checksum_pseudo_header(const struct packet_ip *ip, uint8_t proto,
				uint32_t upper_len)
{
	const uint8_t *dst = ip->has_final_dst ? ip->final_dst : ip->dst.bytes;
	uint64_t sum = checksum_pseudo_tail(upper_len, proto);
	uint32_t s4, d4;

	switch (ip->version) {
	case 4:
		memcpy(&s4, ip->src.bytes, sizeof(s4));
		memcpy(&d4, dst, sizeof(d4));
		return checksum_add64(checksum_add64(sum, s4), d4);
	case 6:
		sum = checksum_add64(sum, checksum_load64(ip->src.bytes));
		sum = checksum_add64(sum, checksum_load64(ip->src.bytes + 8));
		sum = checksum_add64(sum, checksum_load64(dst));
		return checksum_add64(sum, checksum_load64(dst + 8));
	default:
		return 0;
	}
}

enum cksum_status checksum_verify_transport(const struct packet_ip *ip,
					    uint8_t proto,
					    struct byte_view segment,
					    uint32_t upper_len, uint16_t field,
					    bool with_pseudo)
{
	uint64_t pseudo = 0;
	uint16_t partial, complement;

	/* A fragment holds only part of the datagram the checksum covers. */
	if (ip->is_fragment || segment.len < upper_len)
		return CKSUM_UNVERIFIABLE;
	segment.len = upper_len; /* never sum link-layer padding */
	if (with_pseudo)
		pseudo = checksum_pseudo_header(ip, proto, upper_len);
	if (checksum_fold(checksum_add(pseudo, segment)) == 0xffff)
		return CKSUM_GOOD;
	if (!with_pseudo)
		return CKSUM_BAD;
	/*
	 * Linux CHECKSUM_PARTIAL (tcp_v4_send_check, udp4_hwcsum) leaves
	 * ~csum_tcpudp_magic(saddr, daddr, len, proto, 0) in the field for
	 * the NIC to finish: the folded pseudo-header sum, not complemented.
	 * Other stacks store its complement, so both count as offloaded.
	 */
	partial = checksum_fold(pseudo);
	complement = (uint16_t)(0xffffu - partial);
	if (field == partial || field == complement)
		return CKSUM_BAD_OFFLOADED;
	return CKSUM_BAD;
}
