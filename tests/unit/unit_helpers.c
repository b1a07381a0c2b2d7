#include "unit_helpers.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

enum decode_status unit_decode_exact(struct packet *pkt, enum link_type lt,
				     const uint8_t *frame, size_t cap_len,
				     size_t wire_len)
{
	/* malloc(0) may return NULL; keep at least one byte allocated. */
	uint8_t *copy = malloc(cap_len > 0 ? cap_len : 1);
	enum decode_status st;

	assert_non_null(copy);
	if (cap_len > 0)
		memcpy(copy, frame, cap_len);
	st = decode_packet(pkt, lt, copy, (uint32_t)cap_len, (uint32_t)wire_len);
	free(copy);
	return st;
}

enum decode_status unit_decode(struct packet *pkt, enum link_type lt,
			       const uint8_t *frame, size_t len)
{
	return unit_decode_exact(pkt, lt, frame, len, len);
}

void unit_sweep_truncations(enum link_type lt, const uint8_t *frame,
			    size_t len, size_t hdr_end)
{
	struct packet pkt;

	for (size_t cut = 0; cut < len; cut++) {
		enum decode_status st;

		st = unit_decode_exact(&pkt, lt, frame, cut, len);
		assert_int_not_equal(st, DECODE_MALFORMED);
		if (cut < hdr_end)
			assert_int_not_equal(st, DECODE_OK);
		st = unit_decode_exact(&pkt, lt, frame, cut, cut);
		assert_int_not_equal(st, DECODE_TRUNCATED);
		if (cut < hdr_end)
			assert_int_not_equal(st, DECODE_OK);
	}
}

void unit_transport_ip(struct packet *pkt, uint8_t version, uint8_t proto,
		       const uint8_t *src, const uint8_t *dst,
		       uint32_t payload_len)
{
	size_t alen = version == 4 ? 4 : 16;

	packet_reset(pkt);
	pkt->ip.version = version;
	pkt->ip.src.family = pkt->ip.dst.family = version;
	memcpy(pkt->ip.src.bytes, src, alen);
	memcpy(pkt->ip.dst.bytes, dst, alen);
	pkt->ip.proto = proto;
	pkt->ip.payload_len = payload_len;
}
