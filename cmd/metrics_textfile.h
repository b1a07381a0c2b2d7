/*
 * --metrics-textfile DIR: a thread that writes each metrics text the
 * exchange publishes to DIR/tcplens.prom for node_exporter's textfile
 * collector, atomically: into a temporary file in DIR (a name not
 * ending in .prom, which the collector skips), then renamed over it, so
 * a reader sees the old file or the new one, never part of one.  No
 * fsync: the file says how things stand now, and the next interval
 * writes it again.
 */
#ifndef TCPLENS_METRICS_TEXTFILE_H
#define TCPLENS_METRICS_TEXTFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "metrics_exchange.h"

/* The file's name in DIR. */
#define METRICS_TEXTFILE_NAME "tcplens.prom"

struct metrics_textfile;

/*
 * Tries DIR now (a temporary file made there and removed), then starts
 * the thread.  NULL when DIR cannot be written (why: one line naming it)
 * or the thread cannot start.
 */
struct metrics_textfile *metrics_textfile_start(const char *dir,
						struct metrics_exchange *x,
						char *why, size_t why_len);
/*
 * After metrics_exchange_close(x): the last text written, the thread
 * joined, w freed.  False when a write failed (why: the first failure).
 */
bool metrics_textfile_stop(struct metrics_textfile *w, char *why,
			   size_t why_len);

#endif
