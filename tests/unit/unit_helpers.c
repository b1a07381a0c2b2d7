#include "unit_helpers.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "capture_source.h"

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

int64_t unit_each_frame(const char *path, uint64_t skip, uint64_t max,
			void (*fn)(void *ctx, const struct packet *pkt),
			void *ctx)
{
	const char *paths[1] = {path};
	enum capture_error err;
	char msg[256];
	struct capture_source *src =
		capture_source_open(paths, 1, NULL, &err, msg, sizeof(msg));
	struct capture_frame frame;
	struct packet pkt;
	uint64_t n = 0, end = max > UINT64_MAX - skip ? UINT64_MAX : skip + max;
	int64_t last = 0;

	assert_non_null(src);
	while (n < end && capture_source_next(src, &frame) == 1) {
		if (++n <= skip)
			continue;
		decode_packet(&pkt, frame.link_type, frame.data, frame.cap_len,
			      frame.wire_len);
		pkt.frame_no = n;
		pkt.ts = frame.ts;
		pkt.has_ts = frame.has_ts;
		if (frame.has_ts)
			last = pkt_time_ns(frame.ts);
		fn(ctx, &pkt);
	}
	capture_source_free(src);
	return last;
}

static void feed_one(void *ctx, const struct packet *pkt)
{
	engine_feed(ctx, pkt);
}

int64_t unit_feed_frames(struct engine *e, const char *path, uint64_t skip,
			 uint64_t max)
{
	return unit_each_frame(path, skip, max, feed_one, e);
}
