#include "json_writer.h"

#include <inttypes.h>
#include <math.h>

#include "utf8_text.h"

/*
 * Character by character without stdio's lock: once a process has a
 * second thread, every fputc() takes the stream's lock, and JSON is
 * written a few bytes at a time (fputc was 58% of `flows -F json`).  A
 * writer's stream is only ever written by one thread.
 */
static void put_c(FILE *out, char c)
{
	putc_unlocked(c, out);
}

static void put_s(FILE *out, const char *s)
{
	while (*s != '\0')
		putc_unlocked(*s++, out);
}

static void put_n(FILE *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		putc_unlocked(s[i], out);
}

void json_writer_init(struct json_writer *w, FILE *out, bool pretty)
{
	w->out = out;
	w->depth = 0;
	w->pretty = pretty;
	w->need_comma[0] = false;
	w->after_key = false;
}

static void indent(struct json_writer *w)
{
	put_c(w->out, '\n');
	for (int i = 0; i < w->depth; i++)
		put_s(w->out, "  ");
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

/*
 * File names and filter expressions are bytes, not text: a byte that is
 * not well-formed UTF-8 is written as U+FFFD so the document stays valid
 * JSON (RFC 8259 section 8.1).
 */
static void write_escaped(FILE *out, const char *s)
{
	put_c(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		size_t n = utf8_sequence_len(p);

		if (n == 0) {
			put_s(out, "\\ufffd");
			continue;
		}
		if (n > 1) {
			put_n(out, (const char *)p, n);
			p += n - 1;
			continue;
		}
		switch (*p) {
		case '"': put_s(out, "\\\""); break;
		case '\\': put_s(out, "\\\\"); break;
		case '\n': put_s(out, "\\n"); break;
		case '\r': put_s(out, "\\r"); break;
		case '\t': put_s(out, "\\t"); break;
		default:
			if (*p < 0x20) {
				char u[8];

				snprintf(u, sizeof(u), "\\u%04x", *p);
				put_s(out, u);
			}
			else
				put_c(out, *p);
		}
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
	char buf[24];

	before_item(w);
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	put_s(w->out, buf);
}

void json_int(struct json_writer *w, int64_t v)
{
	char buf[24];

	before_item(w);
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	put_s(w->out, buf);
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

	before_item(w);
	/* uint64 holds 19 decimals at most: more could not be exact. */
	if (decimals > 19)
		decimals = 19;
	for (int i = 0; i < decimals; i++)
		scale *= 10;
	mag = units < 0 ? (uint64_t)0 - (uint64_t)units : (uint64_t)units;
	snprintf(buf, sizeof(buf), "%s%" PRIu64, units < 0 ? "-" : "",
		 mag / scale);
	put_s(w->out, buf);
	if (decimals > 0) {
		snprintf(buf, sizeof(buf), ".%0*" PRIu64, decimals, mag % scale);
		put_s(w->out, buf);
	}
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
