#include "flow_report_yaml.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "utf8_text.h"

/*
 * libyaml does the quoting and escaping: strings are always quoted, so
 * an address or a history can never be read back as a number or bool.
 */
static void emit(struct flow_report *r, yaml_event_t *ev)
{
	yaml_emitter_t *em = r->yaml;

	if (em != NULL && !yaml_emitter_emit(em, ev))
		em->error = YAML_WRITER_ERROR;
}

static void scalar(struct flow_report *r, const char *s, bool quoted)
{
	yaml_event_t ev;
	/* libyaml refuses bytes that are not UTF-8: as JSON, U+FFFD. */
	char *repaired = utf8_text_is_valid(s) ? NULL : utf8_text_repair(s);
	const char *text = repaired != NULL ? repaired : s;

	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text,
				     (int)strlen(text), !quoted, quoted,
				     quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
					    : YAML_PLAIN_SCALAR_STYLE);
	emit(r, &ev);
	free(repaired);
}

static void mapping(struct flow_report *r, bool start)
{
	yaml_event_t ev;

	if (start)
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
						    YAML_BLOCK_MAPPING_STYLE);
	else
		yaml_mapping_end_event_initialize(&ev);
	emit(r, &ev);
}

static void member_uint(struct flow_report *r, const char *key, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	scalar(r, key, false);
	scalar(r, buf, false);
}

void flow_report_yaml_begin(struct flow_report *r)
{
	yaml_emitter_t *em = calloc(1, sizeof(*em));
	yaml_event_t ev;

	r->yaml = em;
	if (em == NULL || !yaml_emitter_initialize(em)) {
		free(em);
		r->yaml = NULL;
		return;
	}
	yaml_emitter_set_output_file(em, r->out);
	yaml_emitter_set_unicode(em, 1);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	emit(r, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	emit(r, &ev);
	mapping(r, true);
	scalar(r, "flows", false);
	yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
					     YAML_BLOCK_SEQUENCE_STYLE);
	emit(r, &ev);
}

void flow_report_yaml_flow(struct flow_report *r, const struct flow_record *rec)
{
	mapping(r, true);
	for (size_t i = 0; i < flow_record_field_count(); i++) {
		struct field_value v;
		char buf[64];

		flow_record_field(rec, i, &v);
		scalar(r, flow_record_field_key(i), false);
		flow_report_value_text(&v, buf, sizeof(buf), "null");
		scalar(r, buf, v.type == FIELD_STR);
	}
	mapping(r, false);
}

void flow_report_yaml_end(struct flow_report *r, const struct analyzer_stats *st,
			  size_t shown)
{
	struct flow_summary_item items[FLOW_SUMMARY_ITEMS];
	yaml_event_t ev;

	yaml_sequence_end_event_initialize(&ev);
	emit(r, &ev);
	scalar(r, "summary", false);
	mapping(r, true);
	flow_report_summary(st, shown, items);
	for (size_t i = 0; i < FLOW_SUMMARY_ITEMS; i++)
		member_uint(r, items[i].key, items[i].value);
	mapping(r, false);
	mapping(r, false);
	yaml_document_end_event_initialize(&ev, 1);
	emit(r, &ev);
	yaml_stream_end_event_initialize(&ev);
	emit(r, &ev);
	if (r->yaml != NULL) {
		yaml_emitter_flush(r->yaml);
		yaml_emitter_delete(r->yaml);
		free(r->yaml);
		r->yaml = NULL;
	}
}
