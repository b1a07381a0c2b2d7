/*
 * A small streaming JSON writer: commas, nesting and string escaping are
 * its job, so renderers only say what to write.  Output is deterministic
 * (keys in call order, fixed number formats).
 */
#ifndef TCPLENS_JSON_WRITER_H
#define TCPLENS_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_WRITER_MAX_DEPTH 32

struct json_writer {
	FILE *out;
	int depth;
	bool pretty;
	bool need_comma[JSON_WRITER_MAX_DEPTH];
	bool after_key;
};

void json_writer_init(struct json_writer *w, FILE *out, bool pretty);
void json_begin_object(struct json_writer *w);
void json_end_object(struct json_writer *w);
void json_begin_array(struct json_writer *w);
void json_end_array(struct json_writer *w);
void json_key(struct json_writer *w, const char *key);
void json_string(struct json_writer *w, const char *s);
void json_uint(struct json_writer *w, uint64_t v);
void json_int(struct json_writer *w, int64_t v);
/* Fixed decimals so output never depends on %g rounding choices. */
void json_double(struct json_writer *w, double v, int decimals);
/* units / 10^decimals, printed exactly: json_decimal(w, 1500, 3) is 1.500. */
void json_decimal(struct json_writer *w, int64_t units, int decimals);
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);
/* Ends the document with a newline. */
void json_finish(struct json_writer *w);

/* Shorthands for "key": value members. */
void json_member_uint(struct json_writer *w, const char *key, uint64_t v);
void json_member_string(struct json_writer *w, const char *key,
			const char *s);
void json_member_double(struct json_writer *w, const char *key, double v,
			int decimals);
void json_member_bool(struct json_writer *w, const char *key, bool v);

#endif
