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
/*
 * Puts w at depth, inside containers begun elsewhere (each holding the
 * one inside it), the innermost already holding an item (has_items: the
 * next one starts with a comma) or not.  For values written apart from
 * the document they belong to and put into it later, and for the
 * document's writer once they are in.
 */
void json_writer_resume(struct json_writer *w, int depth, bool has_items);
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

/*
 * A key written over and over at one depth (a schema's, once per
 * record), prepared as the one run of bytes json_key() would write
 * there after an item: comma, indent, quoted key, colon.  Writing it is
 * then one copy (json_key() scans and escapes the key and writes five
 * pieces: two thirds of `flows -F json`'s rendering were its keys).
 */
#define JSON_KEY_RUN_MAX 48

struct json_key_run {
	const char *key;
	int depth;              /* where it was prepared for; -1: nowhere */
	bool pretty;
	unsigned char len;      /* of text, the comma included */
	char text[JSON_KEY_RUN_MAX + 1];
};

/*
 * Prepares k for writing key (which must outlive k) where w writes keys
 * now: its depth and style.  A key that needs escaping, or does not fit,
 * is prepared for nowhere.
 */
void json_key_run_prepare(struct json_key_run *k, const struct json_writer *w,
			  const char *key);
/*
 * json_key(w, k->key), byte for byte: one copy when w is where k was
 * prepared for, json_key() itself anywhere else.
 */
void json_key_run(struct json_writer *w, const struct json_key_run *k);

/* Shorthands for "key": value members. */
void json_member_uint(struct json_writer *w, const char *key, uint64_t v);
void json_member_string(struct json_writer *w, const char *key,
			const char *s);
void json_member_double(struct json_writer *w, const char *key, double v,
			int decimals);
void json_member_bool(struct json_writer *w, const char *key, bool v);

#endif
