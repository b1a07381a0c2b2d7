#include "flow_report.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "text_line.h"
#include "tunnel_table.h"

/*
 * A value as text, into a line, without stdio; times as seconds with 6
 * decimals and durations in ms with 3, exactly (no floating point).
 */
static void line_value(struct text_line *l, const struct field_value *v,
		       const char *null_text)
{
	int64_t us;

	switch (v->type) {
	case FIELD_NULL: text_line_str(l, null_text, 0); break;
	case FIELD_STR: text_line_str(l, v->s, 0); break;
	case FIELD_UINT: text_line_u64(l, v->u, 0); break;
	case FIELD_BOOL: text_line_str(l, v->b ? "true" : "false", 0); break;
	case FIELD_TIME:
	case FIELD_SECONDS:
		us = v->ns / 1000;
		if (us < 0) {
			text_line_char(l, '-');
			us = -us;
		}
		text_line_u64(l, (uint64_t)(us / 1000000), 0);
		text_line_char(l, '.');
		text_line_u64_zero(l, (uint64_t)(us % 1000000), 6);
		break;
	case FIELD_MS:
		us = v->ns / 1000;
		text_line_u64(l, (uint64_t)(us / 1000), 0);
		text_line_char(l, '.');
		text_line_u64_zero(l, (uint64_t)(us % 1000), 3);
		break;
	}
}

/* ------------------------------------------------- JSON, NDJSON and YAML */

static void doc_value(struct doc_writer *w, const struct field_value *v)
{
	switch (v->type) {
	case FIELD_NULL: doc_null(w); break;
	case FIELD_STR: doc_string(w, v->s); break;
	case FIELD_UINT: doc_uint(w, v->u); break;
	case FIELD_BOOL: doc_bool(w, v->b); break;
	case FIELD_TIME:
	case FIELD_SECONDS: doc_decimal(w, v->ns / 1000, 6); break;
	case FIELD_MS: doc_decimal(w, v->ns / 1000, 3); break;
	}
}

/* keys: the first n_keys fields' keys prepared for w (json_key_run), or NULL. */
static void doc_keys(struct doc_writer *w, const struct flow_record *rec,
		     const struct json_key_run *keys, size_t n_keys)
{
	for (size_t i = 0; i < flow_record_field_count(); i++) {
		struct field_value v;

		flow_record_field(rec, i, &v);
		if (i < n_keys)
			doc_key_run(w, &keys[i]);
		else
			doc_key(w, flow_record_field_key(i));
		doc_value(w, &v);
	}
}

void flow_report_doc_keys(struct doc_writer *w, const struct flow_record *rec)
{
	doc_keys(w, rec, NULL, 0);
}

static void doc_flow(struct flow_report *r, const struct flow_record *rec)
{
	struct doc_writer *w = &r->doc;

	doc_begin_object(w);
	if (r->sensor != NULL)
		doc_member_string(w, "sensor", r->sensor);
	if (r->format == OUTPUT_FORMAT_YAML) {
		doc_keys(w, rec, NULL, 0);
		doc_end_object(w);
		return;
	}
	/* Where every flow's keys go: the same depth in every flow. */
	if (!r->keys_ready) {
		for (size_t i = 0; i < flow_record_field_count() &&
				   i < FLOW_REPORT_KEYS_MAX; i++)
			doc_key_run_prepare(w, &r->keys[i],
					    flow_record_field_key(i));
		r->keys_ready = true;
	}
	doc_keys(w, rec, r->keys, FLOW_REPORT_KEYS_MAX);
	doc_end_object(w);
}

static void doc_summary(struct doc_writer *w, const struct analyzer_stats *st,
			size_t shown)
{
	doc_key(w, "summary");
	doc_begin_object(w);
	doc_member_uint(w, "flows", st->flows_created);
	doc_member_uint(w, "shown", shown);
	doc_member_uint(w, "evicted", st->flows_evicted);
	doc_member_uint(w, "evicted_no_memory", st->flows_evicted_no_memory);
	doc_member_uint(w, "idle_expired", st->flows_idle);
	doc_member_uint(w, "reused", st->flows_reused);
	doc_member_uint(w, "peak_flows", st->peak_flows);
	doc_member_uint(w, "memory_bytes", st->memory_bytes);
	doc_member_uint(w, "flow_bytes", st->flow_bytes);
	doc_member_uint(w, "index_bytes", st->index_bytes);
	doc_member_uint(w, "tcp_segments", st->tcp_segments);
	doc_member_uint(w, "tcp_unusable", st->tcp_unusable);
	doc_member_uint(w, "udp_datagrams", st->udp_datagrams);
	doc_member_uint(w, "icmp_messages", st->icmp_messages);
	doc_member_uint(w, "icmp_errors_matched", st->icmp_errors_matched);
	doc_member_uint(w, "untracked", st->untracked);
	doc_member_uint(w, "tunnels", st->tunnels);
	doc_member_uint(w, "tunnels_untracked", st->tunnels_untracked);
	doc_end_object(w);
}

/* -------------------------------------------------------------- CSV, Zeek */

static void csv_header(FILE *out, const char *sensor)
{
	if (sensor != NULL)
		fputs("sensor,", out);
	for (size_t i = 0; i < flow_record_field_count(); i++)
		fprintf(out, "%s%s", i ? "," : "", flow_record_field_key(i));
	fputc('\n', out);
}

/*
 * Values never hold a comma or quote except history/addresses: none do.
 * Built as one line and written once (a stdio call per field was most
 * of the cost once the process has threads and stdio locks).
 */
static void csv_flow(FILE *out, const struct flow_record *rec,
		     const char *sensor)
{
	struct text_line l;

	text_line_reset(&l);
	if (sensor != NULL) {
		text_line_str(&l, sensor, 0);
		text_line_char(&l, ',');
	}
	for (size_t i = 0; i < flow_record_field_count(); i++) {
		struct field_value v;

		flow_record_field(rec, i, &v);
		if (i > 0)
			text_line_char(&l, ',');
		line_value(&l, &v, "");
	}
	text_line_write(&l, out);
}

/* Zeek's conn.log columns, with our key for each. */
static const struct {
	const char *zeek, *key, *type;
} zeek_cols[] = {
	{"ts", "ts", "time"}, {"uid", "uid", "string"},
	{"id.orig_h", "orig_h", "addr"}, {"id.orig_p", "orig_p", "port"},
	{"id.resp_h", "resp_h", "addr"}, {"id.resp_p", "resp_p", "port"},
	{"proto", "proto", "enum"}, {"service", NULL, "string"},
	{"duration", "duration", "interval"},
	{"orig_bytes", "orig_bytes", "count"},
	{"resp_bytes", "resp_bytes", "count"},
	{"conn_state", "conn_state", "string"},
	{"local_orig", NULL, "bool"}, {"local_resp", NULL, "bool"},
	{"missed_bytes", "missed_bytes", "count"},
	{"history", "history", "string"},
	{"orig_pkts", "orig_pkts", "count"},
	{"orig_ip_bytes", "orig_ip_bytes", "count"},
	{"resp_pkts", "resp_pkts", "count"},
	{"resp_ip_bytes", "resp_ip_bytes", "count"},
	{"tunnel_parents", "tunnel", "set[string]"},
};

#define N_ZEEK_COLS (sizeof(zeek_cols) / sizeof(zeek_cols[0]))

static void zeek_time(int64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000LL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d-%H-%M-%S", &tm);
}

static void zeek_header(FILE *out, int64_t first_ts)
{
	char when[32];

	zeek_time(first_ts, when, sizeof(when));
	fputs("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
	      "#unset_field\t-\n#path\tconn\n", out);
	fprintf(out, "#open\t%s\n#fields", when);
	for (size_t i = 0; i < N_ZEEK_COLS; i++)
		fprintf(out, "\t%s", zeek_cols[i].zeek);
	fputs("\n#types", out);
	for (size_t i = 0; i < N_ZEEK_COLS; i++)
		fprintf(out, "\t%s", zeek_cols[i].type);
	fputc('\n', out);
}

static bool field_by_key(const struct flow_record *rec, const char *key,
			 struct field_value *v)
{
	for (size_t i = 0; i < flow_record_field_count(); i++) {
		if (strcmp(flow_record_field_key(i), key) == 0) {
			flow_record_field(rec, i, v);
			return true;
		}
	}
	return false;
}

/*
 * A tunnel's own record is no conn.log line: Zeek writes tunnels to
 * tunnel.log, and conn.log's proto has no value for them.  The flows
 * inside keep its uid in tunnel_parents.
 */
static void zeek_flow(FILE *out, const struct flow_record *rec)
{
	struct text_line l;

	if (rec->self_type != NULL)
		return;
	text_line_reset(&l);
	for (size_t i = 0; i < N_ZEEK_COLS; i++) {
		struct field_value v = {.type = FIELD_NULL};

		if (zeek_cols[i].key != NULL)
			field_by_key(rec, zeek_cols[i].key, &v);
		/*
		 * Zeek's conn.log leaves duration and byte counts unset for a
		 * connection of a single instant (set_conn: duration > 0).
		 */
		if (rec->duration == 0 && zeek_cols[i].key != NULL &&
		    (strcmp(zeek_cols[i].key, "duration") == 0 ||
		     strcmp(zeek_cols[i].key, "orig_bytes") == 0 ||
		     strcmp(zeek_cols[i].key, "resp_bytes") == 0))
			v.type = FIELD_NULL;
		if (v.type == FIELD_STR && v.s[0] == '\0')
			v.type = FIELD_NULL;
		if (i > 0)
			text_line_char(&l, '\t');
		line_value(&l, &v, "-");
	}
	text_line_write(&l, out);
}

/* ------------------------------------------------------------------- text */

static void text_header(FILE *out)
{
	fprintf(out, "%-12s %-5s %-44s %-11s %-11s %-6s %8s %10s %5s %s\n",
		"UID", "PROTO", "ORIG -> RESP", "ORIG_STATE", "RESP_STATE",
		"CONN", "PKTS", "BYTES", "RETX", "CLOSE");
}

/* "addr:port", "[v6addr]:port" */
static void endpoint_text(struct text_line *l, const char *h, uint16_t p)
{
	bool v6 = strchr(h, ':') != NULL;

	if (v6)
		text_line_char(l, '[');
	text_line_str(l, h, 0);
	if (v6)
		text_line_char(l, ']');
	text_line_char(l, ':');
	text_line_u64(l, p, 0);
}

static void text_flow(FILE *out, const struct flow_record *rec)
{
	struct text_line l;
	size_t pair_start;

	text_line_reset(&l);
	text_line_str(&l, rec->uid, 13);
	text_line_str(&l, flow_record_proto_name(rec), 6);
	pair_start = l.n;
	endpoint_text(&l, rec->orig_h, rec->orig_p);
	text_line_str(&l, " -> ", 0);
	endpoint_text(&l, rec->resp_h, rec->resp_p);
	do
		text_line_char(&l, ' ');
	while (l.n < pair_start + 45);
	text_line_str(&l, rec->is_tcp ? tcp_state_name(rec->state[0]) : "-", 12);
	text_line_str(&l, rec->is_tcp ? tcp_state_name(rec->state[1]) : "-", 12);
	text_line_str(&l, rec->conn_state, 6);
	text_line_u64(&l, rec->pkts[0] + rec->pkts[1], 9);
	text_line_u64(&l, rec->bytes[0] + rec->bytes[1], 11);
	text_line_u64(&l, (uint64_t)rec->retrans[0] + rec->retrans[1], 6);
	text_line_char(&l, ' ');
	text_line_str(&l, rec->is_tcp ? tcp_close_kind_name(rec->close_kind)
				      : "-", 0);
	/* Only tunnelled flows have more: other lines stay as they were. */
	if (rec->in_tunnel) {
		text_line_str(&l, " in ", 0);
		text_line_str(&l, rec->tunnel_type, 0);
		text_line_char(&l, ' ');
		text_line_str(&l, rec->tunnel_orig_h, 0);
		text_line_char(&l, '-');
		text_line_str(&l, rec->tunnel_resp_h, 0);
		if (rec->has_tunnel_id) {
			text_line_str(&l, " id ", 0);
			text_line_u64(&l, rec->tunnel_id, 0);
		}
	}
	text_line_write(&l, out);
}

/* ---------------------------------------------------------------- driver */

/* json and yaml: { "flows": [ each flow's object ], "summary": ... } */
enum { FLOWS_ARRAY_DEPTH = 2 };

static void report_init(struct flow_report *r, FILE *out,
			enum output_format format, const char *sensor)
{
	enum doc_format doc;

	memset(r, 0, sizeof(*r));
	r->out = out;
	r->format = format;
	r->sensor = sensor;
	/* A YAML emitter that could not be set up writes nothing. */
	if (output_format_doc(format, &doc))
		doc_writer_init(&r->doc, out, doc);
}

void flow_report_rows_begin(struct flow_report *r, FILE *out,
			    enum output_format format, const char *sensor)
{
	report_init(r, out, format, sensor);
	/*
	 * Inside the flows array after an item: every object starts with its
	 * comma and the same indent, wherever it lands in the array.
	 */
	if (format == OUTPUT_FORMAT_JSON)
		doc_writer_resume(&r->doc, FLOWS_ARRAY_DEPTH, true);
}

size_t flow_report_row_lead(const struct flow_report *r)
{
	return r->format == OUTPUT_FORMAT_JSON ? 1 : 0;
}

void flow_report_rows_put(struct flow_report *r, size_t n)
{
	if (r->format == OUTPUT_FORMAT_JSON)
		doc_writer_resume(&r->doc, FLOWS_ARRAY_DEPTH, n > 0);
}

void flow_report_begin(struct flow_report *r, FILE *out,
		       enum output_format format, int64_t first_ts,
		       const char *sensor)
{
	report_init(r, out, format, sensor);
	r->first_ts = first_ts;
	switch (format) {
	case OUTPUT_FORMAT_JSON:
	case OUTPUT_FORMAT_YAML:
		doc_begin_object(&r->doc);
		doc_key(&r->doc, "flows");
		doc_begin_array(&r->doc);
		break;
	case OUTPUT_FORMAT_CSV: csv_header(out, sensor); break;
	case OUTPUT_FORMAT_ZEEK: zeek_header(out, first_ts); break;
	case OUTPUT_FORMAT_TEXT: text_header(out); break;
	case OUTPUT_FORMAT_NDJSON: break;
	case OUTPUT_FORMAT_SVG:         /* not flows' formats */
	case OUTPUT_FORMAT_HTML: break;
	}
}

void flow_report_flow(struct flow_report *r, const struct flow_record *rec)
{
	switch (r->format) {
	case OUTPUT_FORMAT_JSON:
	case OUTPUT_FORMAT_NDJSON:
	case OUTPUT_FORMAT_YAML: doc_flow(r, rec); break;
	case OUTPUT_FORMAT_CSV: csv_flow(r->out, rec, r->sensor); break;
	case OUTPUT_FORMAT_ZEEK: zeek_flow(r->out, rec); break;
	case OUTPUT_FORMAT_TEXT: text_flow(r->out, rec); break;
	case OUTPUT_FORMAT_SVG:
	case OUTPUT_FORMAT_HTML: break;
	}
}

void flow_report_end(struct flow_report *r, const struct analyzer_stats *st,
		     size_t shown)
{
	char when[32];

	switch (r->format) {
	case OUTPUT_FORMAT_JSON:
	case OUTPUT_FORMAT_YAML:
		doc_end_array(&r->doc);
		doc_summary(&r->doc, st, shown);
		doc_end_object(&r->doc);
		doc_writer_finish(&r->doc);
		break;
	case OUTPUT_FORMAT_NDJSON:
		doc_writer_finish(&r->doc);
		break;
	case OUTPUT_FORMAT_ZEEK:
		/* Zeek writes its wall clock; a capture has its last packet. */
		zeek_time(st->last_ts, when, sizeof(when));
		fprintf(r->out, "#close\t%s\n", when);
		break;
	case OUTPUT_FORMAT_TEXT:
		fprintf(r->out, "%zu flows shown of %" PRIu64 " (%" PRIu64
			" evicted at --max-flows, peak %zu tracked at once)\n",
			shown, st->flows_created, st->flows_evicted,
			st->peak_flows);
		/* Never silent: these packets are in no flow shown. */
		if (st->tunnels_untracked > 0)
			fprintf(r->out, "%" PRIu64 " packets not analysed: "
				"their tunnels were past the %u told apart\n",
				st->tunnels_untracked, TUNNEL_TABLE_MAX);
		break;
	case OUTPUT_FORMAT_CSV:
	case OUTPUT_FORMAT_SVG:
	case OUTPUT_FORMAT_HTML: break;
	}
}
