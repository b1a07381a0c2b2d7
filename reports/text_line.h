/*
 * A line of aligned text built without stdio: for tables of many rows
 * (one per flow, one per segment), where fprintf's format parsing and
 * padding cost more than the analysis that produced the row.
 */
#ifndef TCPLENS_TEXT_LINE_H
#define TCPLENS_TEXT_LINE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Room for the longest row: a CSV flow with every field set, ~930 bytes. */
#define TEXT_LINE_MAX 2048

struct text_line {
	size_t n;
	char buf[TEXT_LINE_MAX];
};

static inline void text_line_reset(struct text_line *l)
{
	l->n = 0;
}

/* s, then spaces up to width (a longer s is kept whole). */
static inline void text_line_str(struct text_line *l, const char *s,
				 size_t width)
{
	size_t len = strlen(s);

	if (len > TEXT_LINE_MAX - 1 - l->n)
		len = TEXT_LINE_MAX - 1 - l->n;
	memcpy(l->buf + l->n, s, len);
	l->n += len;
	while (len++ < width && l->n < TEXT_LINE_MAX - 1)
		l->buf[l->n++] = ' ';
}

static inline void text_line_char(struct text_line *l, char c)
{
	if (l->n < TEXT_LINE_MAX - 1)
		l->buf[l->n++] = c;
}

/* v right-aligned in width (0: as is), padded on the left with pad. */
static inline void text_line_u64_pad(struct text_line *l, uint64_t v,
				     size_t width, char pad)
{
	char d[20];
	size_t k = 0;

	do {
		d[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (width-- > k && l->n < TEXT_LINE_MAX - 1)
		l->buf[l->n++] = pad;
	while (k > 0 && l->n < TEXT_LINE_MAX - 1)
		l->buf[l->n++] = d[--k];
}

/* v right-aligned in width (0: as is). */
static inline void text_line_u64(struct text_line *l, uint64_t v,
				 size_t width)
{
	text_line_u64_pad(l, v, width, ' ');
}

/* v with at least digits digits, zero-padded on the left. */
static inline void text_line_u64_zero(struct text_line *l, uint64_t v,
				      size_t digits)
{
	text_line_u64_pad(l, v, digits, '0');
}

/* Ends the line with a newline and writes it. */
static inline void text_line_write(struct text_line *l, FILE *out)
{
	l->buf[l->n++] = '\n';
	fwrite(l->buf, 1, l->n, out);
	l->n = 0;
}

#endif
