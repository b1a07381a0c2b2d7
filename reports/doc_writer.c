#include "doc_writer.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "utf8_text.h"

static void emit(struct doc_writer *w, yaml_event_t *ev)
{
	if (w->yaml != NULL && !yaml_emitter_emit(w->yaml, ev))
		w->failed = true;
}

static void yaml_scalar(struct doc_writer *w, const char *s, bool quoted)
{
	yaml_event_t ev;
	/* libyaml refuses bytes that are not UTF-8: as JSON, U+FFFD. */
	char *repaired = utf8_text_is_valid(s) ? NULL : utf8_text_repair(s);
	const char *text = repaired != NULL ? repaired : s;

	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text,
				     (int)strlen(text), !quoted, quoted,
				     quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
					    : YAML_PLAIN_SCALAR_STYLE);
	emit(w, &ev);
	free(repaired);
}

static bool is_json(const struct doc_writer *w)
{
	return w->format != DOC_YAML;
}

/*
 * After each JSON value: in NDJSON, a value that ends at the top level
 * ends its line, and the next starts a document of its own (no comma).
 */
static void json_value_done(struct doc_writer *w)
{
	if (w->format == DOC_NDJSON && w->json.depth == 0) {
		json_finish(&w->json);
		json_writer_init(&w->json, w->json.out, false);
	}
}

bool doc_writer_init(struct doc_writer *w, FILE *out, enum doc_format format)
{
	yaml_emitter_t *em;
	yaml_event_t ev;

	memset(w, 0, sizeof(*w));
	w->format = format;
	if (is_json(w)) {
		json_writer_init(&w->json, out, format == DOC_JSON);
		return true;
	}
	em = calloc(1, sizeof(*em));
	if (em == NULL || !yaml_emitter_initialize(em)) {
		free(em);
		w->failed = true;
		return false;
	}
	yaml_emitter_set_output_file(em, out);
	yaml_emitter_set_unicode(em, 1);
	yaml_emitter_set_width(em, 80);
	w->yaml = em;
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	emit(w, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	emit(w, &ev);
	return true;
}

bool doc_writer_finish(struct doc_writer *w)
{
	yaml_event_t ev;
	bool ok;

	if (w->format == DOC_JSON)
		json_finish(&w->json);
	if (is_json(w))
		return true;
	if (w->yaml == NULL)
		return false;
	yaml_document_end_event_initialize(&ev, 1);
	emit(w, &ev);
	yaml_stream_end_event_initialize(&ev);
	emit(w, &ev);
	ok = !w->failed && yaml_emitter_flush(w->yaml);
	yaml_emitter_delete(w->yaml);
	free(w->yaml);
	w->yaml = NULL;
	return ok;
}

bool doc_writer_resume(struct doc_writer *w, int depth, bool has_items)
{
	if (!is_json(w))
		return false;
	json_writer_resume(&w->json, depth, has_items);
	return true;
}

void doc_begin_object(struct doc_writer *w)
{
	yaml_event_t ev;

	if (is_json(w)) {
		json_begin_object(&w->json);
		return;
	}
	yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
					    YAML_BLOCK_MAPPING_STYLE);
	emit(w, &ev);
}

void doc_end_object(struct doc_writer *w)
{
	yaml_event_t ev;

	if (is_json(w)) {
		json_end_object(&w->json);
		json_value_done(w);
		return;
	}
	yaml_mapping_end_event_initialize(&ev);
	emit(w, &ev);
}

void doc_begin_array(struct doc_writer *w)
{
	yaml_event_t ev;

	if (is_json(w)) {
		json_begin_array(&w->json);
		return;
	}
	yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
					     YAML_BLOCK_SEQUENCE_STYLE);
	emit(w, &ev);
}

void doc_end_array(struct doc_writer *w)
{
	yaml_event_t ev;

	if (is_json(w)) {
		json_end_array(&w->json);
		json_value_done(w);
		return;
	}
	yaml_sequence_end_event_initialize(&ev);
	emit(w, &ev);
}

void doc_key(struct doc_writer *w, const char *key)
{
	if (is_json(w))
		json_key(&w->json, key);
	else
		yaml_scalar(w, key, false);
}

void doc_key_run_prepare(const struct doc_writer *w, struct json_key_run *k,
			 const char *key)
{
	json_key_run_prepare(k, &w->json, key);
}

void doc_key_run(struct doc_writer *w, const struct json_key_run *k)
{
	if (is_json(w))
		json_key_run(&w->json, k);
	else
		yaml_scalar(w, k->key, false);
}

void doc_string(struct doc_writer *w, const char *s)
{
	if (is_json(w)) {
		json_string(&w->json, s);
		json_value_done(w);
	} else if (s == NULL) {
		yaml_scalar(w, "null", false);
	} else {
		yaml_scalar(w, s, true);
	}
}

void doc_uint(struct doc_writer *w, uint64_t v)
{
	char buf[24];

	if (is_json(w)) {
		json_uint(&w->json, v);
		json_value_done(w);
		return;
	}
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	yaml_scalar(w, buf, false);
}

void doc_int(struct doc_writer *w, int64_t v)
{
	char buf[24];

	if (is_json(w)) {
		json_int(&w->json, v);
		json_value_done(w);
		return;
	}
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	yaml_scalar(w, buf, false);
}

void doc_double(struct doc_writer *w, double v, int decimals)
{
	char buf[64];

	if (is_json(w)) {
		json_double(&w->json, v, decimals);
		json_value_done(w);
		return;
	}
	if (!isfinite(v))
		v = 0;
	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	yaml_scalar(w, buf, false);
}

void doc_decimal(struct doc_writer *w, int64_t units, int decimals)
{
	char buf[40];
	int64_t scale = 1;
	uint64_t a;

	if (is_json(w)) {
		json_decimal(&w->json, units, decimals);
		json_value_done(w);
		return;
	}
	if (decimals > 18)
		decimals = 18;
	for (int i = 0; i < decimals; i++)
		scale *= 10;
	a = units < 0 ? (uint64_t)0 - (uint64_t)units : (uint64_t)units;
	if (decimals == 0)
		snprintf(buf, sizeof(buf), "%s%" PRIu64, units < 0 ? "-" : "", a);
	else
		snprintf(buf, sizeof(buf), "%s%" PRIu64 ".%0*" PRIu64,
			 units < 0 ? "-" : "", a / (uint64_t)scale, decimals,
			 a % (uint64_t)scale);
	yaml_scalar(w, buf, false);
}

void doc_bool(struct doc_writer *w, bool v)
{
	if (is_json(w)) {
		json_bool(&w->json, v);
		json_value_done(w);
	} else {
		yaml_scalar(w, v ? "true" : "false", false);
	}
}

void doc_null(struct doc_writer *w)
{
	if (is_json(w)) {
		json_null(&w->json);
		json_value_done(w);
	} else {
		yaml_scalar(w, "null", false);
	}
}

void doc_member_string(struct doc_writer *w, const char *key, const char *s)
{
	doc_key(w, key);
	doc_string(w, s);
}

void doc_member_uint(struct doc_writer *w, const char *key, uint64_t v)
{
	doc_key(w, key);
	doc_uint(w, v);
}

void doc_member_uint_or_null(struct doc_writer *w, const char *key, bool has,
			     uint64_t v)
{
	doc_key(w, key);
	if (has)
		doc_uint(w, v);
	else
		doc_null(w);
}

void doc_member_double(struct doc_writer *w, const char *key, double v,
		       int decimals)
{
	doc_key(w, key);
	doc_double(w, v, decimals);
}

void doc_member_bool(struct doc_writer *w, const char *key, bool v)
{
	doc_key(w, key);
	doc_bool(w, v);
}
