#include "cursor.h"

#include <string.h>

void cursor_init(struct cursor *c, const uint8_t *data, size_t cap_len,
		 size_t wire_len)
{
	c->base = data;
	c->cap_len = data == NULL ? 0 : cap_len;
	c->wire_len = wire_len < c->cap_len ? c->cap_len : wire_len;
	c->off = 0;
	c->fail = DECODE_OK;
}

void cursor_init_view(struct cursor *c, struct byte_view v)
{
	cursor_init(c, v.ptr, v.len, v.len);
}

size_t cursor_offset(const struct cursor *c)
{
	return c->off;
}

size_t cursor_remaining(const struct cursor *c)
{
	return c->cap_len - c->off;
}

size_t cursor_wire_remaining(const struct cursor *c)
{
	return c->wire_len - c->off;
}

enum decode_status cursor_fail(const struct cursor *c)
{
	return c->fail;
}

/* Bytes [off+rel, off+rel+n) readable?  Records why not. */
static bool cursor_check(struct cursor *c, size_t rel, size_t n)
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

bool cursor_has(struct cursor *c, size_t n)
{
	return cursor_check(c, 0, n);
}

bool cursor_u8(struct cursor *c, uint8_t *out)
{
	if (!cursor_check(c, 0, 1))
		return false;
	*out = c->base[c->off];
	c->off += 1;
	return true;
}

bool cursor_peek_u8(struct cursor *c, size_t rel, uint8_t *out)
{
	if (!cursor_check(c, rel, 1))
		return false;
	*out = c->base[c->off + rel];
	return true;
}

bool cursor_peek_be16(struct cursor *c, size_t rel, uint16_t *out)
{
	const uint8_t *p;

	if (!cursor_check(c, rel, 2))
		return false;
	p = c->base + c->off + rel;
	*out = (uint16_t)((unsigned)p[0] << 8 | p[1]);
	return true;
}

bool cursor_peek_be32(struct cursor *c, size_t rel, uint32_t *out)
{
	const uint8_t *p;

	if (!cursor_check(c, rel, 4))
		return false;
	p = c->base + c->off + rel;
	*out = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
	return true;
}

bool cursor_be16(struct cursor *c, uint16_t *out)
{
	if (!cursor_peek_be16(c, 0, out))
		return false;
	c->off += 2;
	return true;
}

bool cursor_be32(struct cursor *c, uint32_t *out)
{
	if (!cursor_peek_be32(c, 0, out))
		return false;
	c->off += 4;
	return true;
}

bool cursor_le16(struct cursor *c, uint16_t *out)
{
	const uint8_t *p;

	if (!cursor_check(c, 0, 2))
		return false;
	p = c->base + c->off;
	*out = (uint16_t)((unsigned)p[1] << 8 | p[0]);
	c->off += 2;
	return true;
}

bool cursor_le32(struct cursor *c, uint32_t *out)
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

bool cursor_copy(struct cursor *c, void *dst, size_t n)
{
	if (!cursor_check(c, 0, n))
		return false;
	if (n > 0)
		memcpy(dst, c->base + c->off, n);
	c->off += n;
	return true;
}

bool cursor_skip(struct cursor *c, size_t n)
{
	if (!cursor_check(c, 0, n))
		return false;
	c->off += n;
	return true;
}

bool cursor_view(struct cursor *c, size_t n, struct byte_view *out)
{
	if (!cursor_check(c, 0, n))
		return false;
	out->ptr = c->base + c->off;
	out->len = n;
	c->off += n;
	return true;
}

struct byte_view cursor_rest_view(struct cursor *c)
{
	struct byte_view v;

	v.len = c->cap_len - c->off;
	v.ptr = v.len > 0 ? c->base + c->off : NULL;
	c->off = c->cap_len;
	return v;
}

bool cursor_sub(const struct cursor *c, size_t n, struct cursor *sub)
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

bool cursor_limit(struct cursor *c, size_t n)
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
