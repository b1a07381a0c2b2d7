/*
 * `tcplens live`'s metrics outputs (issue 17): --metrics-textfile DIR,
 * DIR/tcplens.prom replaced atomically for node_exporter's textfile
 * collector, and --metrics-listen [ADDR:]PORT, an HTTP /metrics.  Both
 * serve the text reports/metrics_prom.h formats.
 *
 * The engine thread takes a snapshot of its own and formats it at its
 * tick (every --interval), into a buffer of its own, and hands it over
 * with a mutex held only to swap a pointer.  The buffers are immutable
 * once handed over and counted by reference: the metrics thread writing
 * the file and the HTTP server's thread each hold the one they are
 * sending, so no file write, slow scraper or closed socket ever holds
 * the engine, and neither ever reads the engine.
 *
 *	m = live_metrics_start(&cfg, why, len);   NULL: why says (one line)
 *	engine thread:  live_metrics_tick(m, e, &counts, ex, false);  at each tick
 *	                live_metrics_tick(m, e, &counts, ex, true);   at the end
 *	                (ex: the export's counts, NULL without one)
 *	live_metrics_stop(m);       the last text written, threads joined
 */
#ifndef TCPLENS_LIVE_METRICS_H
#define TCPLENS_LIVE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "live_counts.h"
#include "metrics_prom.h"

struct live_metrics_config {
	const char *textfile_dir;       /* NULL: no file */
	const char *listen;             /* "[ADDR:]PORT"; NULL: no HTTP */
	size_t max_hosts;               /* host labels at most */
	int64_t interval_ns;            /* between two formattings */
};

struct live_metrics;

/*
 * The outputs cfg asks for, opened now: the directory written to once
 * (a temporary file made and removed), the port bound.  NULL when one
 * cannot be (why: a line naming it and saying why) or memory ran out
 * (why: "out of memory").
 */
struct live_metrics *live_metrics_start(const struct live_metrics_config *cfg,
					char *why, size_t why_len);
/*
 * Engine thread, between feeds: when the interval has passed since the
 * last (or final), a snapshot of e formatted and handed to the outputs.
 * False when memory ran out (nothing handed over).  m may be NULL.
 */
bool live_metrics_tick(struct live_metrics *m, struct engine *e,
		       const struct live_counts *c,
		       const struct metrics_prom_export *export, bool final);
/*
 * Stops the HTTP server, writes the last text handed over, joins the
 * threads and frees m; false when a file write failed during the run
 * (why: the first failure).  m may be NULL.
 */
bool live_metrics_stop(struct live_metrics *m, char *why, size_t why_len);

#endif
