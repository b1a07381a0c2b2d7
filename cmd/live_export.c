#include "live_export.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "export_clickhouse.h"
#include "export_files.h"
#include "export_queue.h"
#include "flow_record.h"
#include "flow_report.h"

/* How long the end waits for a ClickHouse away before leaving a spill. */
#define STOP_LINGER_NS (5 * 1000000000LL)

struct live_export {
	struct live_export_config cfg;
	struct export_queue *q;
	struct export_files *files;
	struct export_clickhouse *ch;
	struct export_clickhouse_counts ch_counts;
	_Atomic uint64_t files_records;        /* the exporter's, read by metrics */
	pthread_t thread;
	bool started;
	/* The engine thread's: the line being made, the snapshot. */
	FILE *line;
	char *line_buf;
	size_t line_size;
	struct doc_writer w;
	const struct tunnel_table *tunnels;
	struct diagnosis_view view;
	struct engine_snapshot snap;
	char *record;                   /* the exporter thread's */
	bool ending;                    /* the engine thread's: the capture is over */
};

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct timespec realtime_at(int64_t ns)
{
	struct timespec ts = {ns / 1000000000LL, ns % 1000000000LL};

	return ts;
}

/* The exporter thread: records to the sinks, rotation and batches on time. */
static void *exporter(void *arg)
{
	struct live_export *x = arg;
	int64_t next_rotate = INT64_MAX, next_batch = INT64_MAX;

	for (;;) {
		int64_t now = clock_ns(CLOCK_REALTIME);
		int64_t mono = clock_ns(CLOCK_MONOTONIC);
		int64_t due = next_rotate;
		struct timespec deadline;
		enum export_kind kind;
		long len;

		if (next_batch != INT64_MAX && now + (next_batch - mono) < due)
			due = now + (next_batch - mono);
		if (due == INT64_MAX || due > now + 1000000000LL)
			due = now + 1000000000LL;
		deadline = realtime_at(due);
		len = export_queue_pop(x->q, &kind, x->record, EXPORT_RECORD_MAX,
				       &deadline);
		if (len < 0)
			break;
		now = clock_ns(CLOCK_REALTIME);
		mono = clock_ns(CLOCK_MONOTONIC);
		if (len > 0 && x->files != NULL)
			export_files_write(x->files, kind, x->record, (size_t)len,
					   now);
		if (len > 0 && x->ch != NULL)
			export_clickhouse_add(x->ch, kind, x->record, (size_t)len,
					      mono);
		if (x->files != NULL) {
			next_rotate = export_files_rotate(x->files, now);
			x->files_records = export_files_records(x->files);
		}
		if (x->ch != NULL)
			next_batch = export_clickhouse_work(x->ch, mono);
	}
	return NULL;
}

static const char *const default_tables[2] = {"flows", "findings"};

static bool open_sinks(struct live_export *x, char *why, size_t why_len)
{
	const struct live_export_config *cfg = &x->cfg;
	struct export_clickhouse_config ch = {0};
	char spill[4096];

	if (cfg->flows_out != NULL &&
	    (x->files = export_files_open(cfg->flows_out, cfg->sensor,
					  cfg->rotate_ns, why, why_len)) == NULL)
		return false;
	if (cfg->clickhouse == NULL)
		return true;
	ch.url = cfg->clickhouse;
	for (int k = 0; k < EXPORT_KINDS; k++)
		ch.tables[k] = cfg->tables[k] != NULL ? cfg->tables[k]
						       : default_tables[k];
	if (cfg->spill_dir != NULL)
		snprintf(spill, sizeof(spill), "%s", cfg->spill_dir);
	else
		snprintf(spill, sizeof(spill), "/var/tmp/tcplens-spill%s%s",
			 cfg->sensor != NULL ? "-" : "",
			 cfg->sensor != NULL ? cfg->sensor : "");
	ch.spill_dir = spill;
	ch.spill_max = cfg->spill_max;
	ch.sensor = cfg->sensor;
	x->ch = export_clickhouse_open(&ch, &x->ch_counts, why, why_len);
	return x->ch != NULL;
}

struct live_export *live_export_start(const struct live_export_config *cfg,
				      char *why, size_t why_len)
{
	struct live_export *x = calloc(1, sizeof(*x));

	if (x != NULL)
		engine_snapshot_init(&x->snap, SNAPSHOT_FINDINGS);
	if (x == NULL || (x->q = export_queue_new(EXPORT_QUEUE_CAPACITY)) == NULL ||
	    (x->record = malloc(EXPORT_RECORD_MAX)) == NULL ||
	    (x->line = open_memstream(&x->line_buf, &x->line_size)) == NULL ||
	    !doc_writer_init(&x->w, x->line, DOC_NDJSON)) {
		snprintf(why, why_len, "out of memory");
		live_export_stop(x, NULL, NULL, 0);
		return NULL;
	}
	x->cfg = *cfg;
	if (!open_sinks(x, why, why_len)) {
		live_export_stop(x, NULL, NULL, 0);
		return NULL;
	}
	if (pthread_create(&x->thread, NULL, exporter, x) != 0) {
		snprintf(why, why_len, "cannot start the export thread");
		live_export_stop(x, NULL, NULL, 0);
		return NULL;
	}
	x->started = true;
	return x;
}

/* The line made in x->line since the last, handed over (newline cut). */
static void hand_over(struct live_export *x, enum export_kind kind)
{
	long len;

	fflush(x->line);
	len = ftell(x->line);
	while (len > 0 && x->line_buf[len - 1] == '\n')
		len--;
	if (len > 0 && x->ending)
		export_queue_push_wait(x->q, kind, x->line_buf, (size_t)len);
	else if (len > 0)
		export_queue_push(x->q, kind, x->line_buf, (size_t)len);
	fseek(x->line, 0, SEEK_SET);
}

static void flow_record_out(void *ctx, const struct flow *f, void *storage)
{
	struct live_export *x = ctx;
	struct flow_record rec;

	(void)storage;
	flow_record_from_flow(&rec, f, x->tunnels);
	doc_begin_object(&x->w);
	/* First, as `flows -F ndjson --sensor` writes it. */
	if (x->cfg.sensor != NULL)
		doc_member_string(&x->w, "sensor", x->cfg.sensor);
	flow_report_doc_keys(&x->w, &rec);
	doc_end_object(&x->w);
	hand_over(x, EXPORT_FLOW);
}

size_t live_export_consumer(struct live_export *x, struct engine_consumer *c)
{
	memset(c, 0, sizeof(*c));
	if (x == NULL)
		return 0;
	c->ctx = x;
	c->on_flow_end = flow_record_out;
	return 1;
}

void live_export_attach(struct live_export *x, struct engine *e,
			const struct diagnosis_view *view)
{
	if (x == NULL)
		return;
	x->tunnels = analyzer_tunnels(engine_analyzer(e));
	x->view = *view;
}

static void finding_out(struct live_export *x, const struct diagnosis_view *v,
			const struct finding *f)
{
	doc_begin_object(&x->w);
	doc_member_string(&x->w, "type", "finding");
	diagnosis_doc_finding_keys(&x->w, v, f);
	doc_end_object(&x->w);
	hand_over(x, EXPORT_FINDING);
}

void live_export_ending(struct live_export *x)
{
	if (x != NULL)
		x->ending = true;
}

bool live_export_tick(struct live_export *x, struct engine *e)
{
	if (x == NULL)
		return true;
	if (!engine_snapshot_take(e, &x->snap))
		return false;
	for (size_t i = 0; i < x->snap.n_findings; i++)
		if (x->snap.findings[i].change == FINDING_CHANGE_FOLDED)
			finding_out(x, &x->view, &x->snap.findings[i].finding);
	return true;
}

void live_export_findings(struct live_export *x, const struct diagnosis_view *v)
{
	if (x == NULL)
		return;
	for (size_t i = 0; i < v->n_findings; i++)
		finding_out(x, v, &v->findings[i]);
}

void live_export_counts(struct live_export *x, struct metrics_prom_export *out)
{
	memset(out, 0, sizeof(*out));
	if (x == NULL)
		return;
	out->files = x->cfg.flows_out != NULL;
	out->clickhouse = x->cfg.clickhouse != NULL;
	out->records_files = x->files_records;
	out->records_clickhouse = atomic_load(&x->ch_counts.inserted);
	out->dropped_queue = export_queue_dropped(x->q);
	out->dropped_spill = atomic_load(&x->ch_counts.dropped);
	out->spill_bytes = atomic_load(&x->ch_counts.spill_bytes);
	out->insert_failures = atomic_load(&x->ch_counts.failures);
}

bool live_export_stop(struct live_export *x, struct metrics_prom_export *last,
		      char *why, size_t why_len)
{
	char ch_why[512] = "", files_why[512] = "";
	uint64_t dropped;
	bool ok;

	if (x == NULL)
		return true;
	if (x->started) {
		export_queue_close(x->q);
		pthread_join(x->thread, NULL);
	}
	dropped = x->q != NULL ? export_queue_dropped(x->q) : 0;
	ok = export_files_close(x->files, &x->files_records, files_why,
				sizeof(files_why));
	x->files = NULL;
	ok = export_clickhouse_close(x->ch, STOP_LINGER_NS, ch_why,
				     sizeof(ch_why)) && ok;
	x->ch = NULL;
	if (last != NULL && x->q != NULL)
		live_export_counts(x, last);
	if (why != NULL) {
		char queue_why[128] = "";

		if (dropped > 0)
			snprintf(queue_why, sizeof(queue_why),
				 "export: %llu records dropped: the export queue was full",
				 (unsigned long long)dropped);
		snprintf(why, why_len, "%s%s%s%s%s", queue_why,
			 queue_why[0] != '\0' && files_why[0] != '\0' ? "; " : "",
			 files_why,
			 (queue_why[0] != '\0' || files_why[0] != '\0') &&
				 ch_why[0] != '\0' ? "; " : "",
			 ch_why);
	}
	engine_snapshot_free(&x->snap);
	if (x->line != NULL)
		fclose(x->line);
	free(x->line_buf);
	free(x->record);
	export_queue_free(x->q);
	free(x);
	return ok && dropped == 0;
}
