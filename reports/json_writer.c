#include "json_writer.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "utf8_text.h"

/*
 * Without stdio's lock: once a process has a second thread, every
 * fputc() takes the stream's lock, and JSON is written a few bytes at a
 * time (fputc was 58% of `flows -F json`).  A writer's stream is only
 * ever written by one thread.
 */
static void put_c(FILE *out, char c)
{
	putc_unlocked(c, out);
}

/*
 * A run of bytes is copied straight into the stream's buffer when it
 * fits, as glibc's putc_unlocked() does for one byte (the fields are in
 * its public <stdio.h> for that macro): on the bench capture a call to
 * fwrite per key and value, or putc per byte, was half of `flows -F
 * json`.  A line-buffered or unbuffered stream keeps no room there
 * (_IO_write_end == _IO_write_ptr), so it still goes through fwrite.
 */
static void put_n(FILE *out, const char *s, size_t n)
{
#ifdef __GLIBC__
	if ((size_t)(out->_IO_write_end - out->_IO_write_ptr) >= n) {
		memcpy(out->_IO_write_ptr, s, n);
		out->_IO_write_ptr += n;
		return;
	}
#endif
	fwrite_unlocked(s, 1, n, out);
}

static void put_s(FILE *out, const char *s)
{
	put_n(out, s, strlen(s));
}

/*
 * Decimal digits of v, ending at end (exclusive), at least min_digits of
 * them (zeros in front); returns where they start.  snprintf() took a
 * tenth of `flows -F json` for the three dozen numbers of each flow.
 */
static char *digits_before(char *end, uint64_t v, int min_digits)
{
	char *p = end;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
		min_digits--;
	} while (v != 0 || min_digits > 0);
	return p;
}

static void put_uint(FILE *out, uint64_t v)
{
	char buf[24];
	char *start = digits_before(buf + sizeof(buf), v, 1);

	put_n(out, start, (size_t)(buf + sizeof(buf) - start));
}

void json_writer_init(struct json_writer *w, FILE *out, bool pretty)
{
	w->out = out;
	w->depth = 0;
	w->pretty = pretty;
	w->need_comma[0] = false;
	w->after_key = false;
}

void json_writer_resume(struct json_writer *w, int depth, bool has_items)
{
	if (depth < 0)
		depth = 0;
	if (depth > JSON_WRITER_MAX_DEPTH - 1)
		depth = JSON_WRITER_MAX_DEPTH - 1;
	for (int i = 0; i < depth; i++)
		w->need_comma[i] = true;
	w->need_comma[depth] = has_items;
	w->depth = depth;
	w->after_key = false;
}

static void indent(struct json_writer *w)
{
	/* A newline and two spaces for each of JSON_WRITER_MAX_DEPTH levels. */
	static const char spaces[] = "\n                                "
				     "                                ";

	_Static_assert(sizeof(spaces) == 2 + 2 * JSON_WRITER_MAX_DEPTH,
		       "an indent for every depth");
	put_n(w->out, spaces, 1 + 2 * (size_t)w->depth);
}

/* Separator and indentation before any value or key. */
static void before_item(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->need_comma[w->depth])
		put_c(w->out, ',');
	if (w->pretty && w->depth > 0)
		indent(w);
	w->need_comma[w->depth] = true;
}

static void open_container(struct json_writer *w, char c)
{
	before_item(w);
	put_c(w->out, c);
	if (w->depth < JSON_WRITER_MAX_DEPTH - 1)
		w->depth++;
	w->need_comma[w->depth] = false;
}

static void close_container(struct json_writer *w, char c)
{
	bool had_items = w->need_comma[w->depth];

	if (w->depth > 0)
		w->depth--;
	if (w->pretty && had_items)
		indent(w);
	put_c(w->out, c);
}

void json_begin_object(struct json_writer *w) { open_container(w, '{'); }
void json_end_object(struct json_writer *w) { close_container(w, '}'); }
void json_begin_array(struct json_writer *w) { open_container(w, '['); }
void json_end_array(struct json_writer *w) { close_container(w, ']'); }

/* Bytes a JSON string holds as they are: printable ASCII but quote and backslash. */
static const unsigned char plain_byte[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x10 */
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x20 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x30 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x40 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,  /* 0x50 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x60 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,  /* 0x70 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x80 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x90 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0xa0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0xb0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0xc0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0xd0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0xe0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0xf0 */
};

/* A table, not comparisons: every key and string goes through it. */
static bool is_plain(unsigned char c)
{
	return plain_byte[c] != 0;
}

/*
 * File names and filter expressions are bytes, not text: a byte that is
 * not well-formed UTF-8 is written as U+FFFD so the document stays valid
 * JSON (RFC 8259 section 8.1).
 */
static void write_escaped(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	put_c(out, '"');
	while (*p != '\0') {
		const unsigned char *run = p;
		size_t n;

		while (is_plain(*p))
			p++;
		if (p != run)
			put_n(out, (const char *)run, (size_t)(p - run));
		if (*p == '\0')
			break;
		n = utf8_sequence_len(p);
		if (n == 0) {
			put_s(out, "\\ufffd");
			p++;
			continue;
		}
		if (n > 1) {
			put_n(out, (const char *)p, n);
			p += n;
			continue;
		}
		switch (*p) {
		case '"': put_s(out, "\\\""); break;
		case '\\': put_s(out, "\\\\"); break;
		case '\n': put_s(out, "\\n"); break;
		case '\r': put_s(out, "\\r"); break;
		case '\t': put_s(out, "\\t"); break;
		default: {
			char u[8];

			/* Control bytes are escaped; DEL may stand as it is. */
			if (*p < 0x20) {
				snprintf(u, sizeof(u), "\\u%04x", *p);
				put_s(out, u);
			} else {
				put_c(out, (char)*p);
			}
		}
		}
		p++;
	}
	put_c(out, '"');
}

void json_key(struct json_writer *w, const char *key)
{
	before_item(w);
	write_escaped(w->out, key);
	put_s(w->out, w->pretty ? ": " : ":");
	w->after_key = true;
}

void json_key_run_prepare(struct json_key_run *k, const struct json_writer *w,
			  const char *key)
{
	size_t n = strlen(key);
	size_t indent_len = w->pretty && w->depth > 0 ? 1 + 2 * (size_t)w->depth : 0;
	const char *colon = w->pretty ? ": " : ":";
	char *p = k->text;

	memset(k, 0, sizeof(*k));
	k->key = key;
	k->depth = -1;
	k->pretty = w->pretty;
	for (size_t i = 0; i < n; i++)
		if (!is_plain((unsigned char)key[i]))
			return;
	if (1 + indent_len + 2 + n + strlen(colon) > JSON_KEY_RUN_MAX)
		return;
	*p++ = ',';
	if (indent_len > 0) {
		*p++ = '\n';
		memset(p, ' ', indent_len - 1);
		p += indent_len - 1;
	}
	*p++ = '"';
	memcpy(p, key, n);
	p += n;
	*p++ = '"';
	memcpy(p, colon, strlen(colon));
	p += strlen(colon);
	k->len = (unsigned char)(p - k->text);
	k->depth = w->depth;
}

/*
 * n bytes of a run held in a buffer of at least JSON_KEY_RUN_MAX bytes
 * from s: when the stream's buffer has that much room, a copy of a fixed
 * size, which the compiler makes a few moves (put_n's memcpy of a
 * variable size is a call).
 */
static void put_run(FILE *out, const char *s, size_t n)
{
#ifdef __GLIBC__
	if (out->_IO_write_end - out->_IO_write_ptr >= JSON_KEY_RUN_MAX) {
		memcpy(out->_IO_write_ptr, s, JSON_KEY_RUN_MAX);
		out->_IO_write_ptr += n;
		return;
	}
#endif
	put_n(out, s, n);
}

void json_key_run(struct json_writer *w, const struct json_key_run *k)
{
	size_t skip;

	if (k->depth != w->depth || k->pretty != w->pretty || w->after_key) {
		json_key(w, k->key);
		return;
	}
	/* The first item of its object goes without the comma. */
	skip = w->need_comma[w->depth] ? 0 : 1;
	put_run(w->out, k->text + skip, k->len - skip);
	w->need_comma[w->depth] = true;
	w->after_key = true;
}

void json_string(struct json_writer *w, const char *s)
{
	before_item(w);
	if (s == NULL)
		put_s(w->out, "null");
	else
		write_escaped(w->out, s);
}

void json_uint(struct json_writer *w, uint64_t v)
{
	before_item(w);
	put_uint(w->out, v);
}

void json_int(struct json_writer *w, int64_t v)
{
	before_item(w);
	if (v < 0)
		put_c(w->out, '-');
	put_uint(w->out, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
}

void json_double(struct json_writer *w, double v, int decimals)
{
	char buf[512];

	before_item(w);
	if (!isfinite(v)) {
		put_s(w->out, "null");
	} else {
		snprintf(buf, sizeof(buf), "%.*f", decimals, v);
		put_s(w->out, buf);
	}
}

void json_decimal(struct json_writer *w, int64_t units, int decimals)
{
	uint64_t scale = 1, mag;
	char buf[48];
	char *end = buf + sizeof(buf), *start;

	before_item(w);
	/* uint64 holds 19 decimals at most: more could not be exact. */
	if (decimals > 19)
		decimals = 19;
	for (int i = 0; i < decimals; i++)
		scale *= 10;
	mag = units < 0 ? (uint64_t)0 - (uint64_t)units : (uint64_t)units;
	start = end;
	if (decimals > 0) {
		start = digits_before(end, mag % scale, decimals);
		*--start = '.';
	}
	start = digits_before(start, mag / scale, 1);
	if (units < 0)
		*--start = '-';
	put_n(w->out, start, (size_t)(end - start));
}

void json_bool(struct json_writer *w, bool v)
{
	before_item(w);
	put_s(w->out, v ? "true" : "false");
}

void json_null(struct json_writer *w)
{
	before_item(w);
	put_s(w->out, "null");
}

void json_finish(struct json_writer *w)
{
	put_c(w->out, '\n');
}

void json_member_uint(struct json_writer *w, const char *key, uint64_t v)
{
	json_key(w, key);
	json_uint(w, v);
}

void json_member_string(struct json_writer *w, const char *key,
			const char *s)
{
	json_key(w, key);
	json_string(w, s);
}

void json_member_double(struct json_writer *w, const char *key, double v,
			int decimals)
{
	json_key(w, key);
	json_double(w, v, decimals);
}

void json_member_bool(struct json_writer *w, const char *key, bool v)
{
	json_key(w, key);
	json_bool(w, v);
}
