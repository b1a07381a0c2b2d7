/* Shared helpers for the cmocka unit tests. */
#ifndef TCPLENS_UNIT_HELPERS_H
#define TCPLENS_UNIT_HELPERS_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "engine.h"

/*
 * Decodes frame[0..cut) for every cut below len, twice: once as a
 * snaplen-truncated capture (wire length = len), where no layer may be
 * reported malformed, and once as a frame that really was that short
 * (wire length = cut), where no layer may be reported truncated.  Both
 * must never report DECODE_OK for a cut inside the headers ending at
 * hdr_end (pass 0 to skip that check).  Runs under ASan in `make test`,
 * so any read past the cut is caught.
 */
void unit_sweep_truncations(enum link_type lt, const uint8_t *frame,
			    size_t len, size_t hdr_end);

/* Decodes a whole frame (wire length = captured length). */
enum decode_status unit_decode(struct packet *pkt, enum link_type lt,
			       const uint8_t *frame, size_t len);

/*
 * Copies frame into a heap buffer of exactly len bytes so ASan catches
 * any over-read, decodes, frees.  The copy is gone on return: the views
 * in *pkt (payload, header, options) must not be read afterwards; to
 * compare their bytes, decode the caller's own buffer with decode_packet.
 * unit_decode() has the same lifetime.
 */
enum decode_status unit_decode_exact(struct packet *pkt, enum link_type lt,
				     const uint8_t *frame, size_t cap_len,
				     size_t wire_len);

/*
 * Fills pkt->ip as an IP dissector leaves it for a transport decoder
 * called directly: version 4 or 6, the upper-layer protocol and length,
 * and the addresses (4 or 16 bytes each).  The rest of pkt is reset.
 */
void unit_transport_ip(struct packet *pkt, uint8_t version, uint8_t proto,
		       const uint8_t *src, const uint8_t *dst,
		       uint32_t payload_len);

/*
 * Hands frames skip + 1 to skip + max of path (numbered as in the file;
 * UINT64_MAX for all), decoded, to fn; returns the time of the last.
 * Fails the test when path cannot be opened.
 */
int64_t unit_each_frame(const char *path, uint64_t skip, uint64_t max,
			void (*fn)(void *ctx, const struct packet *pkt),
			void *ctx);
/* The same frames fed to e; the time of the last. */
int64_t unit_feed_frames(struct engine *e, const char *path, uint64_t skip,
			 uint64_t max);

#endif
