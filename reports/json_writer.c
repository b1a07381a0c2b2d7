#include "json_writer.h"

#include <inttypes.h>
#include <math.h>

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
	fputc('\n', w->out);
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->out);
}

/* Separator and indentation before any value or key. */
static void before_item(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->need_comma[w->depth])
		fputc(',', w->out);
	if (w->pretty && w->depth > 0)
		indent(w);
	w->need_comma[w->depth] = true;
}

static void open_container(struct json_writer *w, char c)
{
	before_item(w);
	fputc(c, w->out);
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
	fputc(c, w->out);
}

void json_begin_object(struct json_writer *w) { open_container(w, '{'); }
void json_end_object(struct json_writer *w) { close_container(w, '}'); }
void json_begin_array(struct json_writer *w) { open_container(w, '['); }
void json_end_array(struct json_writer *w) { close_container(w, ']'); }

static void write_escaped(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void json_key(struct json_writer *w, const char *key)
{
	before_item(w);
	write_escaped(w->out, key);
	fputs(w->pretty ? ": " : ":", w->out);
	w->after_key = true;
}

void json_string(struct json_writer *w, const char *s)
{
	before_item(w);
	if (s == NULL)
		fputs("null", w->out);
	else
		write_escaped(w->out, s);
}

void json_uint(struct json_writer *w, uint64_t v)
{
	before_item(w);
	fprintf(w->out, "%" PRIu64, v);
}

void json_int(struct json_writer *w, int64_t v)
{
	before_item(w);
	fprintf(w->out, "%" PRId64, v);
}

void json_double(struct json_writer *w, double v, int decimals)
{
	before_item(w);
	if (!isfinite(v))
		fputs("null", w->out);
	else
		fprintf(w->out, "%.*f", decimals, v);
}

void json_decimal(struct json_writer *w, int64_t units, int decimals)
{
	uint64_t scale = 1, mag;

	before_item(w);
	for (int i = 0; i < decimals; i++)
		scale *= 10;
	mag = units < 0 ? (uint64_t)0 - (uint64_t)units : (uint64_t)units;
	fprintf(w->out, "%s%" PRIu64, units < 0 ? "-" : "", mag / scale);
	if (decimals > 0)
		fprintf(w->out, ".%0*" PRIu64, decimals, mag % scale);
}

void json_bool(struct json_writer *w, bool v)
{
	before_item(w);
	fputs(v ? "true" : "false", w->out);
}

void json_null(struct json_writer *w)
{
	before_item(w);
	fputs("null", w->out);
}

void json_finish(struct json_writer *w)
{
	fputc('\n', w->out);
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
