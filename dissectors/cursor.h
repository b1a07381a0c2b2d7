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

/*
 * The accessors are inline (as tcpdump's GET_ macros are): they run for
 * every field of every packet, and a call per bounds check cost more
 * than the decoding itself.
 *
 * cursor_has()            n more captured bytes?  (sets fail when not)
 * cursor_u8/be16/be32/le16/le32/copy/skip   read and advance
 * cursor_view(n)          a view of the next n captured bytes, advance
 * cursor_rest_view()      a view of everything captured from here
 * cursor_peek_*(rel)      read at an offset from here, without moving
 *                         (u8, be16, be32, le16, le32)
 * cursor_sub(n)           a new cursor over the next n bytes (a header's
 *                         declared length); false, with fail MALFORMED,
 *                         when n is more than the wire had, after still
 *                         filling *sub with what there is
 * cursor_limit(n)         limit this cursor to the next n bytes (drops
 *                         trailer and padding); false, with fail
 *                         MALFORMED, when n is more than the wire had, so
 *                         a caller may report the bad declared length
 */

#include <string.h>

static inline void cursor_init(struct cursor *c, const uint8_t *data, size_t cap_len,
		 size_t wire_len)
{
	c->base = data;
	c->cap_len = data == NULL ? 0 : cap_len;
	c->wire_len = wire_len < c->cap_len ? c->cap_len : wire_len;
	c->off = 0;
	c->fail = DECODE_OK;
}

static inline void cursor_init_view(struct cursor *c, struct byte_view v)
{
	cursor_init(c, v.ptr, v.len, v.len);
}

static inline size_t cursor_offset(const struct cursor *c)
{
	return c->off;
}

static inline size_t cursor_remaining(const struct cursor *c)
{
	return c->cap_len - c->off;
}

static inline size_t cursor_wire_remaining(const struct cursor *c)
{
	return c->wire_len - c->off;
}

static inline enum decode_status cursor_fail(const struct cursor *c)
{
	return c->fail;
}

/* Bytes [off+rel, off+rel+n) readable?  Records why not. */
static inline bool cursor_check(struct cursor *c, size_t rel, size_t n)
{
	size_t have = c->cap_len - c->off;

	if (rel <= have && n <= have - rel)
		return true;
	have = c->wire_len - c->off;
	if (rel <= have && n <= have - rel)
		c->fail = DECODE_TRUNCATED;
	else
		c->fail = DECODE_MALFORMED;
	return false;
}

static inline bool cursor_has(struct cursor *c, size_t n)
{
	return cursor_check(c, 0, n);
}

static inline bool cursor_u8(struct cursor *c, uint8_t *out)
{
	if (!cursor_check(c, 0, 1))
		return false;
	*out = c->base[c->off];
	c->off += 1;
	return true;
}

static inline bool cursor_peek_u8(struct cursor *c, size_t rel, uint8_t *out)
{
	if (!cursor_check(c, rel, 1))
		return false;
	*out = c->base[c->off + rel];
	return true;
}

static inline bool cursor_peek_be16(struct cursor *c, size_t rel, uint16_t *out)
{
	const uint8_t *p;

	if (!cursor_check(c, rel, 2))
		return false;
	p = c->base + c->off + rel;
	*out = (uint16_t)((unsigned)p[0] << 8 | p[1]);
	return true;
}

static inline bool cursor_peek_be32(struct cursor *c, size_t rel, uint32_t *out)
{
	const uint8_t *p;

	if (!cursor_check(c, rel, 4))
		return false;
	p = c->base + c->off + rel;
	*out = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
	return true;
}

static inline bool cursor_peek_le16(struct cursor *c, size_t rel, uint16_t *out)
{
	const uint8_t *p;

	if (!cursor_check(c, rel, 2))
		return false;
	p = c->base + c->off + rel;
	*out = (uint16_t)((unsigned)p[1] << 8 | p[0]);
	return true;
}

static inline bool cursor_peek_le32(struct cursor *c, size_t rel, uint32_t *out)
{
	const uint8_t *p;

	if (!cursor_check(c, rel, 4))
		return false;
	p = c->base + c->off + rel;
	*out = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | p[0];
	return true;
}

static inline bool cursor_be16(struct cursor *c, uint16_t *out)
{
	if (!cursor_peek_be16(c, 0, out))
		return false;
	c->off += 2;
	return true;
}

static inline bool cursor_be32(struct cursor *c, uint32_t *out)
{
	if (!cursor_peek_be32(c, 0, out))
		return false;
	c->off += 4;
	return true;
}

static inline bool cursor_le16(struct cursor *c, uint16_t *out)
{
	const uint8_t *p;

	if (!cursor_check(c, 0, 2))
		return false;
	p = c->base + c->off;
	*out = (uint16_t)((unsigned)p[1] << 8 | p[0]);
	c->off += 2;
	return true;
}

static inline bool cursor_le32(struct cursor *c, uint32_t *out)
{
	const uint8_t *p;

	if (!cursor_check(c, 0, 4))
		return false;
	p = c->base + c->off;
	*out = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | p[0];
	c->off += 4;
	return true;
}

/* Always inlined: the sizes are constants (addresses), so memcpy becomes
 * one or two moves; as a call it showed up in profiles. */
__attribute__((always_inline))
static inline bool cursor_copy(struct cursor *c, void *dst, size_t n)
{
	if (!cursor_check(c, 0, n))
		return false;
	if (n > 0)
		memcpy(dst, c->base + c->off, n);
	c->off += n;
	return true;
}

static inline bool cursor_skip(struct cursor *c, size_t n)
{
	if (!cursor_check(c, 0, n))
		return false;
	c->off += n;
	return true;
}

static inline bool cursor_view(struct cursor *c, size_t n, struct byte_view *out)
{
	if (!cursor_check(c, 0, n))
		return false;
	out->ptr = c->base + c->off;
	out->len = n;
	c->off += n;
	return true;
}

static inline struct byte_view cursor_rest_view(struct cursor *c)
{
	struct byte_view v;

	v.len = c->cap_len - c->off;
	v.ptr = v.len > 0 ? c->base + c->off : NULL;
	c->off = c->cap_len;
	return v;
}

static inline bool cursor_sub(const struct cursor *c, size_t n, struct cursor *sub)
{
	size_t cap = c->cap_len - c->off;
	size_t wire = c->wire_len - c->off;
	bool fits = n <= wire;

	sub->base = cap > 0 ? c->base + c->off : NULL;
	sub->cap_len = n < cap ? n : cap;
	sub->wire_len = n < wire ? n : wire;
	sub->off = 0;
	sub->fail = fits ? DECODE_OK : DECODE_MALFORMED;
	return fits;
}

static inline bool cursor_limit(struct cursor *c, size_t n)
{
	size_t cap = c->cap_len - c->off;
	size_t wire = c->wire_len - c->off;
	bool fits = n <= wire;

	if (n < cap)
		c->cap_len = c->off + n;
	if (n < wire)
		c->wire_len = c->off + n;
	if (!fits)
		c->fail = DECODE_MALFORMED;
	return fits;
}

#endif
