/*
 * Bounds-checked reader over captured packet bytes.
 *
 * Every read of packet data in tcplens goes through a cursor.  A cursor
 * knows two ends: the captured end (bytes we actually have) and the wire
 * end (bytes that existed on the wire in this view, which may be more when
 * the capture used a snaplen).  When a read fails, the cursor records why:
 * DECODE_TRUNCATED when the bytes existed on the wire but were not
 * captured, DECODE_MALFORMED when they never existed (the packet, or the
 * length a header declared, is too short).  This is Wireshark's split
 * between "packet size limited during capture" and "malformed packet".
 *
 * The checks compare lengths, never pointers, so no pointer past the end
 * of the buffer is ever formed (tcpdump's ND_TTEST does the same).
 */
#ifndef TCPLENS_CURSOR_H
#define TCPLENS_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum decode_status {
	DECODE_OK = 0,
	DECODE_TRUNCATED,   /* cut short by the capture's snaplen */
	DECODE_MALFORMED,   /* invalid, or shorter than it must be on the wire */
	DECODE_UNSUPPORTED, /* valid, but a protocol tcplens does not decode */
};

/* A read-only window onto captured bytes; len bytes at ptr are readable. */
struct byte_view {
	const uint8_t *ptr;
	size_t len;
};

struct cursor {
	const uint8_t *base;
	size_t cap_len;  /* bytes present at base */
	size_t wire_len; /* bytes this view had on the wire; >= cap_len */
	size_t off;      /* next byte to read, <= cap_len */
	enum decode_status fail; /* reason of the last failed read */
};

void cursor_init(struct cursor *c, const uint8_t *data, size_t cap_len,
		 size_t wire_len);
void cursor_init_view(struct cursor *c, struct byte_view v);

size_t cursor_offset(const struct cursor *c);
size_t cursor_remaining(const struct cursor *c);      /* captured */
size_t cursor_wire_remaining(const struct cursor *c); /* on the wire */
bool cursor_has(struct cursor *c, size_t n); /* sets fail when false */
enum decode_status cursor_fail(const struct cursor *c);

bool cursor_u8(struct cursor *c, uint8_t *out);
bool cursor_be16(struct cursor *c, uint16_t *out);
bool cursor_be32(struct cursor *c, uint32_t *out);
bool cursor_le16(struct cursor *c, uint16_t *out);
bool cursor_le32(struct cursor *c, uint32_t *out);
bool cursor_copy(struct cursor *c, void *dst, size_t n);
bool cursor_skip(struct cursor *c, size_t n);
/* A view of the next n captured bytes; advances past them. */
bool cursor_view(struct cursor *c, size_t n, struct byte_view *out);
/* A view of everything captured from here to the end; advances to it. */
struct byte_view cursor_rest_view(struct cursor *c);

/* Reads at an offset relative to the current position, without moving. */
bool cursor_peek_u8(struct cursor *c, size_t rel, uint8_t *out);
bool cursor_peek_be16(struct cursor *c, size_t rel, uint16_t *out);
bool cursor_peek_be32(struct cursor *c, size_t rel, uint32_t *out);

/*
 * A new cursor over the next n bytes (for a header's declared length).
 * The sub-cursor's wire and captured ends are clamped to what the parent
 * has; returns false (with fail = DECODE_MALFORMED) when n is more than the
 * parent had on the wire, after still filling *sub with what there is.
 */
bool cursor_sub(const struct cursor *c, size_t n, struct cursor *sub);
/*
 * Limits this cursor's ends to the next n bytes (drops trailer/padding).
 * When n is more than the wire had, returns false and leaves fail set to
 * DECODE_MALFORMED, so a caller may report the bad declared length with
 * cursor_fail() even though no read failed.
 */
bool cursor_limit(struct cursor *c, size_t n);

#endif
