/*
 * `tcplens live`'s export of finished flows and findings (issue 17):
 * --flows-out DIR (rotating NDJSON files, export_files.h) and
 * --clickhouse URL (batched inserts, spill and replay,
 * export_clickhouse.h).  The records are `flows -F ndjson`'s flow lines
 * and `report -F ndjson`'s finding lines, written by the same writers.
 *
 * Which findings: each once, with its final values: those the engine
 * folds away during the run (resolved long ago, kept as counts to bound
 * its store), as they go; the rest at the end, as the final report
 * lists them.  So a replay exports exactly `report -F ndjson`'s
 * findings, and memory stays the engine's own.
 *
 * The engine thread formats each record into a buffer of its own and
 * hands it to the exporter thread through a bounded queue
 * (export_queue.h): no file write, no insert, no server away ever holds
 * the engine.  A record the full queue cannot take is dropped, counted;
 * once the capture is over (live_export_ending()), it waits instead.
 *
 *	x = live_export_start(&cfg, why, len);     NULL: why says
 *	n = live_export_consumer(x, &consumer);    for engine_new
 *	live_export_attach(x, e, &view);
 *	engine thread: live_export_tick(x, e);     at each tick
 *	               live_export_ending(x);      before engine_finish()
 *	               live_export_findings(x, &final_view);   at the end
 *	live_export_stop(x, why, len);   files closed, batches sent or spilled
 */
#ifndef TCPLENS_LIVE_EXPORT_H
#define TCPLENS_LIVE_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diagnosis_report.h"
#include "engine.h"
#include "metrics_prom.h"

struct live_export_config {
	const char *flows_out;          /* --flows-out DIR; NULL: none */
	int64_t rotate_ns;              /* --rotate */
	const char *clickhouse;         /* --clickhouse URL; NULL: none */
	const char *tables[2];          /* flows, findings */
	const char *spill_dir;          /* NULL: the default */
	uint64_t spill_max;             /* bytes */
	const char *sensor;             /* --sensor; NULL: none */
};

struct live_export;

struct live_export *live_export_start(const struct live_export_config *cfg,
				      char *why, size_t why_len);
/* The consumer that exports the flows the engine releases: 0 or 1. */
size_t live_export_consumer(struct live_export *x, struct engine_consumer *c);
/* The engine (its tunnels) and the view finding lines are written with. */
void live_export_attach(struct live_export *x, struct engine *e,
			const struct diagnosis_view *view);
/*
 * The capture is over: from here on the engine thread waits for room in
 * the queue rather than drop a record (engine_finish() releases every
 * flow still open at once).  Call before engine_finish().
 */
void live_export_ending(struct live_export *x);
/* Findings folded since the last tick, exported.  False: out of memory. */
bool live_export_tick(struct live_export *x, struct engine *e);
/* The final report's findings, exported. */
void live_export_findings(struct live_export *x, const struct diagnosis_view *v);
/* Any thread; x may be NULL (all zero). */
void live_export_counts(struct live_export *x, struct metrics_prom_export *out);
/*
 * Everything queued written, files closed, batches sent (waiting for
 * ClickHouse a few seconds at most, then spilled); *last gets the
 * final counts (may be NULL); frees x.  False when a write failed or
 * records were dropped; why (empty when all went) says so, or what is
 * left spilled for the next run.  x may be NULL.
 */
bool live_export_stop(struct live_export *x, struct metrics_prom_export *last,
		      char *why, size_t why_len);

#endif
