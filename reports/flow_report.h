/*
 * Renderers of `tcplens flows`: one interface (begin, flow, end) and one
 * format each: text, csv, zeek (conn.log TSV), and json, ndjson and
 * yaml, which go through doc_writer.  They only format what struct
 * flow_record holds.  The structured formats' keys of one flow are also
 * written alone (flow_report_doc_keys), so `live --flows` writes the
 * same keys without a serializer of its own.
 */
#ifndef TCPLENS_FLOW_REPORT_H
#define TCPLENS_FLOW_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "analyzer.h"
#include "doc_writer.h"
#include "flow_record.h"
#include "output_format.h"

/* At least flow_record_field_count() (tests/unit/test_flow_report.c). */
#define FLOW_REPORT_KEYS_MAX 80

struct flow_report {
	FILE *out;
	enum output_format format;
	struct doc_writer doc;  /* json, ndjson, yaml */
	int64_t first_ts;       /* the zeek #open line: the first packet */
	/*
	 * The capture point (--sensor), or NULL: json, ndjson and yaml write
	 * it as each flow's first key, csv as its first column.  Set it
	 * with flow_report_begin() or flow_report_rows_begin().
	 */
	const char *sensor;
	/*
	 * json and ndjson: each field's key prepared, at the first flow, for
	 * where the flows' keys go; the fields past FLOW_REPORT_KEYS_MAX take
	 * doc_key().
	 */
	bool keys_ready;
	struct json_key_run keys[FLOW_REPORT_KEYS_MAX];
};

/*
 * first_ts: the capture's first packet (the zeek #open line); sensor:
 * see struct flow_report (NULL: none).
 */
void flow_report_begin(struct flow_report *r, FILE *out,
		       enum output_format format, int64_t first_ts,
		       const char *sensor);
void flow_report_flow(struct flow_report *r, const struct flow_record *rec);
/*
 * Rows only, no header: for flows rendered elsewhere (flow_render_queue.h,
 * flow_render_batches.h) and put under the header of a report begun
 * with flow_report_begin(): the lines of text, csv, zeek and ndjson,
 * and json's objects of the "flows" array, each starting with the comma
 * that parts it from the one before (flow_report_row_lead()).  Not
 * yaml: its emitter cannot start inside a document.
 */
void flow_report_rows_begin(struct flow_report *r, FILE *out,
			    enum output_format format, const char *sensor);
/*
 * Of a report begun with flow_report_rows_begin(): the bytes at the start
 * of each row that only part it from the row before (json: 1, the
 * comma; 0 otherwise).  The first row under the header goes without.
 */
size_t flow_report_row_lead(const struct flow_report *r);
/*
 * Of a report begun with flow_report_begin(): n rows were put under its
 * header elsewhere (written to its stream between begin and end), so
 * flow_report_end() closes what they are in as holding n.
 */
void flow_report_rows_put(struct flow_report *r, size_t n);
/*
 * One flow's keys, as members of an object the caller opened: what
 * json, ndjson and yaml write inside each flow's object, for a stream
 * that adds keys of its own to the same object (live's flow lines).
 */
void flow_report_doc_keys(struct doc_writer *w, const struct flow_record *rec);
void flow_report_end(struct flow_report *r, const struct analyzer_stats *st,
		     size_t shown);

#endif
