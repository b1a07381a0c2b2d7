/*
 * One writer for the structured formats: a renderer says what to write
 * (objects, arrays, keys, values) once, and it comes out as JSON, as
 * NDJSON or as YAML.  JSON goes through json_writer, indented, as one
 * document; NDJSON is compact JSON with each top-level value a document
 * on a line of its own; YAML goes through libyaml's emitter, with every
 * string quoted so nothing reads back as a number or bool.  Every
 * structured output of every command is written through here.
 */
#ifndef TCPLENS_DOC_WRITER_H
#define TCPLENS_DOC_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json_writer.h"

enum doc_format { DOC_JSON, DOC_NDJSON, DOC_YAML };

struct doc_writer {
	enum doc_format format;
	struct json_writer json;
	void *yaml;             /* yaml_emitter_t */
	bool failed;
};

/*
 * False when the YAML emitter could not be set up (no memory): the
 * writer then writes nothing, and doc_writer_finish() says false.
 */
bool doc_writer_init(struct doc_writer *w, FILE *out, enum doc_format format);
/*
 * Ends the document (JSON: its newline; NDJSON: nothing, each line was
 * ended with its value); false when anything could not be emitted.
 */
bool doc_writer_finish(struct doc_writer *w);
/*
 * JSON and NDJSON: json_writer_resume() (values written apart from their
 * document, put into it later).  False for YAML, whose emitter has no
 * such state.
 */
bool doc_writer_resume(struct doc_writer *w, int depth, bool has_items);

void doc_begin_object(struct doc_writer *w);
void doc_end_object(struct doc_writer *w);
void doc_begin_array(struct doc_writer *w);
void doc_end_array(struct doc_writer *w);
void doc_key(struct doc_writer *w, const char *key);
/*
 * A key written over and over (json_writer.h's json_key_run): prepared
 * where w writes keys now, then written as doc_key(w, key) would write
 * it, in one copy in JSON and NDJSON.
 */
void doc_key_run_prepare(const struct doc_writer *w, struct json_key_run *k,
			 const char *key);
void doc_key_run(struct doc_writer *w, const struct json_key_run *k);
/* s NULL: null. */
void doc_string(struct doc_writer *w, const char *s);
void doc_uint(struct doc_writer *w, uint64_t v);
void doc_int(struct doc_writer *w, int64_t v);
/* v with a fixed number of decimals. */
void doc_double(struct doc_writer *w, double v, int decimals);
/* units / 10^decimals, exactly. */
void doc_decimal(struct doc_writer *w, int64_t units, int decimals);
void doc_bool(struct doc_writer *w, bool v);
void doc_null(struct doc_writer *w);

/* "key": value shorthands. */
void doc_member_string(struct doc_writer *w, const char *key, const char *s);
void doc_member_uint(struct doc_writer *w, const char *key, uint64_t v);
/* v when has, else null: a count the input may not give. */
void doc_member_uint_or_null(struct doc_writer *w, const char *key, bool has,
			     uint64_t v);
void doc_member_double(struct doc_writer *w, const char *key, double v,
		       int decimals);
void doc_member_bool(struct doc_writer *w, const char *key, bool v);

#endif
