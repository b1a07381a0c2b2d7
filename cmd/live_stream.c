#include "live_stream.h"

#include <inttypes.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "addr_format.h"
#include "cli.h"
#include "flow_record.h"
#include "flow_report.h"
#include "host_label.h"
#include "tcp_state.h"

bool live_stream_init(struct live_stream *s, FILE *out,
		      enum output_format format, bool color, bool flows,
		      int status_fd, const struct diagnosis_view *view)
{
	bool ndjson = format == OUTPUT_FORMAT_NDJSON;

	memset(s, 0, sizeof(*s));
	/*
	 * A terminal is a person reading: its lines go out at once, in
	 * order with the status line.  Anything else gets the lines
	 * through a buffer so that a slow reader never holds the engine.
	 */
	if (!isatty(fileno(out))) {
		s->queue = live_output_open(fileno(out), LIVE_OUTPUT_CAPACITY);
		if (s->queue == NULL)
			return false;
		out = live_output_stream(s->queue);
	}
	s->out = out;
	s->format = format;
	s->color = color;
	s->flows = flows && ndjson;
	s->view = *view;
	live_status_init(&s->status, status_fd, !ndjson);
	engine_snapshot_init(&s->snap, SNAPSHOT_FINDINGS | SNAPSHOT_SOCKETS);
	return !ndjson || doc_writer_init(&s->w, out, DOC_NDJSON);
}

/* A line (or a finding's lines, in text) is whole: out it goes. */
static void line_end(struct live_stream *s)
{
	if (s->queue != NULL)
		live_output_commit(s->queue);
}

/* Lines dropped so far because the reader was slower than the capture. */
static uint64_t lines_dropped(const struct live_stream *s)
{
	return s->queue != NULL ? live_output_dropped(s->queue) : 0;
}

/*
 * A flow released by the engine, valid during the call only: its
 * record is computed on the stack and written at once, nothing kept.
 */
static void flow_line(void *ctx, const struct flow *f, void *storage)
{
	struct live_stream *s = ctx;
	struct flow_record rec;

	(void)storage;
	flow_record_from_flow(&rec, f, s->tunnels);
	doc_begin_object(&s->w);
	doc_member_string(&s->w, "type", "flow");
	if (s->view.sensor != NULL)
		doc_member_string(&s->w, "sensor", s->view.sensor);
	flow_report_doc_keys(&s->w, &rec);
	doc_end_object(&s->w);
	line_end(s);
}

size_t live_stream_consumer(struct live_stream *s, struct engine_consumer *c)
{
	memset(c, 0, sizeof(*c));
	if (!s->flows)
		return 0;
	c->ctx = s;
	c->on_flow_end = flow_line;
	return 1;
}

void live_stream_report_only(struct live_stream *s)
{
	s->report_only = true;
}

void live_stream_attach(struct live_stream *s, struct engine *e)
{
	s->tunnels = analyzer_tunnels(engine_analyzer(e));
}

bool live_stream_broken(struct live_stream *s, int *error)
{
	return s->queue != NULL && live_output_failed(s->queue, error);
}

void live_stream_quiet(struct live_stream *s)
{
	live_status_clear(&s->status);
}

static const char *change_name(enum finding_change c)
{
	switch (c) {
	case FINDING_CHANGE_NEW: return "new";
	case FINDING_CHANGE_UPDATED: return "update";
	case FINDING_CHANGE_RESOLVED: return "resolved";
	case FINDING_CHANGE_WITHDRAWN: return "withdrawn";
	case FINDING_CHANGE_FOLDED: return "folded";
	case FINDING_CHANGE_SAME: break;
	}
	return NULL;
}

/*
 * Text: a finding's line when it fires, and one when it clears or is
 * taken back, so a person who read the first is not left believing it
 * still holds.  Updates are not written: a growing storm would bury
 * the other lines (NDJSON has them).
 */
static void finding_text(struct live_stream *s, const struct engine_finding *ef)
{
	const char *word;

	switch (ef->change) {
	case FINDING_CHANGE_NEW:
		diagnosis_render_line(s->out, &ef->finding, s->color);
		line_end(s);
		return;
	case FINDING_CHANGE_RESOLVED: word = "RESOLVED"; break;
	case FINDING_CHANGE_WITHDRAWN: word = "WITHDRAWN"; break;
	default: return;
	}
	fprintf(s->out, "%s%s%s %s %s: %s\n", s->color ? "\033[2m" : "", word,
		s->color ? "\033[0m" : "", finding_id_name(ef->finding.id),
		ef->finding.subject, ef->finding.summary);
	line_end(s);
}

static void finding_line(struct live_stream *s, const struct engine_finding *ef)
{
	if (s->format != OUTPUT_FORMAT_NDJSON) {
		finding_text(s, ef);
		return;
	}
	doc_begin_object(&s->w);
	doc_member_string(&s->w, "type", "finding");
	doc_member_string(&s->w, "state", change_name(ef->change));
	diagnosis_doc_finding_keys(&s->w, &s->view, &ef->finding);
	doc_end_object(&s->w);
	line_end(s);
}

static double per_second(uint64_t now, uint64_t before, double dt)
{
	return dt > 0 ? (double)(now - before) / dt : 0.0;
}

/* Each host as the socket tables name it: inside a tunnel, with it. */
static void stats_hosts(struct doc_writer *w, const struct engine_snapshot *snap,
			const struct tunnel_table *tunnels)
{
	doc_key(w, "hosts");
	doc_begin_array(w);
	for (size_t i = 0; i < snap->n_hosts; i++) {
		const struct host_state_row *r = &snap->hosts[i];

		doc_begin_object(w);
		host_label_doc(w, r->family, r->addr, r->tunnel, tunnels);
		doc_key(w, "states");
		doc_begin_object(w);
		for (int st = 0; st < TCP_STATE_COUNT; st++)
			if (r->count[st] > 0)
				doc_member_uint(w, tcp_state_name(st), r->count[st]);
		doc_end_object(w);
		doc_end_object(w);
	}
	doc_end_array(w);
}

static void stats_line(struct live_stream *s, struct engine *e,
		       const struct live_counts *c)
{
	struct doc_writer *w = &s->w;
	double dt = c->elapsed - s->last.elapsed;
	uint64_t flows = analyzer_flow_count(engine_analyzer(e));
	struct rusage ru;

	doc_begin_object(w);
	doc_member_string(w, "type", "stats");
	doc_key(w, "ts");
	doc_decimal(w, s->snap.at, 9);
	doc_member_double(w, "elapsed", c->elapsed, 3);
	doc_member_uint(w, "packets", c->packets);
	doc_member_uint(w, "bytes", c->bytes);
	doc_member_double(w, "packets_per_s",
			  per_second(c->packets, s->last.packets, dt), 1);
	doc_member_double(w, "bytes_per_s",
			  per_second(c->bytes, s->last.bytes, dt), 1);
	doc_member_uint(w, "received", c->received);
	doc_member_uint_or_null(w, "ps_drop", c->has_ps_drop, c->ps_drop);
	doc_member_uint_or_null(w, "ps_ifdrop", c->has_ps_ifdrop, c->ps_ifdrop);
	doc_member_uint(w, "app_drops", c->app_drops);
	doc_member_uint(w, "lines_dropped", lines_dropped(s));
	doc_member_uint(w, "flows", flows);
	doc_member_uint(w, "flow_table_bytes", s->snap.counters.memory_bytes);
	doc_key(w, "max_rss_kib");
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		doc_uint(w, (uint64_t)ru.ru_maxrss);
	else
		doc_null(w);
	doc_key(w, "findings");
	doc_begin_object(w);
	doc_member_uint(w, "critical", s->snap.findings_by_severity[SEVERITY_CRITICAL]);
	doc_member_uint(w, "warning", s->snap.findings_by_severity[SEVERITY_WARNING]);
	doc_member_uint(w, "info", s->snap.findings_by_severity[SEVERITY_INFO]);
	doc_member_uint(w, "folded", s->snap.folded);
	doc_end_object(w);
	stats_hosts(w, &s->snap, analyzer_tunnels(engine_analyzer(e)));
	/* Only past the bound: a host row that could not be made is said. */
	if (s->snap.hosts_not_counted > 0)
		doc_member_uint(w, "sockets_not_counted",
				s->snap.hosts_not_counted);
	doc_end_object(w);
	line_end(s);
	s->last = *c;
}

/* Text on a terminal: the line redrawn, after the lines just flushed. */
static void status_line(struct live_stream *s, struct engine *e,
			const struct live_counts *c)
{
	const uint32_t *by = s->snap.findings_by_severity;
	uint32_t findings[3] = {by[SEVERITY_CRITICAL], by[SEVERITY_WARNING],
				by[SEVERITY_INFO]};

	live_status_show(&s->status, c,
			 analyzer_flow_count(engine_analyzer(e)), findings);
}

bool live_stream_tick(struct live_stream *s, struct engine *e,
		      const struct live_counts *c, bool with_stats)
{
	if (!engine_snapshot_take(e, &s->snap))
		return false;
	for (size_t i = 0; i < s->snap.n_findings; i++) {
		if (s->snap.findings[i].change == FINDING_CHANGE_SAME ||
		    s->report_only)
			continue;
		live_status_clear(&s->status);
		finding_line(s, &s->snap.findings[i]);
	}
	if (with_stats && s->format == OUTPUT_FORMAT_NDJSON)
		stats_line(s, e, c);
	if (s->queue == NULL)
		fflush(s->out);
	if (!with_stats)
		live_status_clear(&s->status);
	else
		status_line(s, e, c);
	return true;
}

static void counts_line(struct live_stream *s, const struct live_counts *c)
{
	struct doc_writer *w = &s->w;

	doc_begin_object(w);
	doc_member_string(w, "type", "capture");
	doc_member_uint(w, "received", c->received);
	doc_member_uint_or_null(w, "ps_drop", c->has_ps_drop, c->ps_drop);
	doc_member_uint_or_null(w, "ps_ifdrop", c->has_ps_ifdrop, c->ps_ifdrop);
	doc_member_uint(w, "app_drops", c->app_drops);
	doc_member_uint(w, "lines_dropped", lines_dropped(s));
	doc_end_object(w);
}

/* "0 packets dropped by kernel", or "...: not known" where none is given. */
static void drops_text(const char *what, bool has, uint64_t v)
{
	if (has)
		fprintf(stderr, "%" PRIu64 " packets dropped by %s\n", v, what);
	else
		fprintf(stderr, "packets dropped by %s: not known\n", what);
}

/*
 * One count a line, in tcpdump's words at its end ("N packets
 * captured", "N packets dropped by kernel"): each fits 80 columns.
 */
static void counts_text(const struct live_stream *s,
			const struct live_counts *c)
{
	fprintf(stderr, "%" PRIu64 " packets received\n", c->received);
	drops_text("kernel", c->has_ps_drop, c->ps_drop);
	drops_text("interface", c->has_ps_ifdrop, c->ps_ifdrop);
	fprintf(stderr, "%" PRIu64 " packets dropped by tcplens (queue full)\n",
		c->app_drops);
	if (lines_dropped(s) > 0)
		fprintf(stderr, "%" PRIu64 " output lines dropped (reader too slow)\n",
			lines_dropped(s));
}

bool live_stream_finish(struct live_stream *s, const struct diagnosis_view *v,
			const struct live_counts *c)
{
	live_status_clear(&s->status);
	/* The run is over: the report waits for its reader, whole. */
	if (s->queue != NULL && !live_output_finish(s->queue))
		return false;
	if (s->format != OUTPUT_FORMAT_NDJSON) {
		diagnosis_render_text(s->out, v, s->color);
		fflush(s->out);
		counts_text(s, c);
		return true;
	}
	doc_begin_object(&s->w);
	doc_member_string(&s->w, "type", "report");
	diagnosis_doc_keys(&s->w, v);
	doc_end_object(&s->w);
	counts_line(s, c);
	return doc_writer_finish(&s->w) && fflush(s->out) == 0;
}

void live_stream_free(struct live_stream *s)
{
	live_output_close(s->queue);
	s->queue = NULL;
	engine_snapshot_free(&s->snap);
}
