/*
 * What `tcplens live` writes while the capture runs, from the engine's
 * snapshots (engine.h): each finding that fired, moved or cleared since
 * the last one, and (NDJSON) a stats line per interval; then the final
 * report through report's own renderers and the capture's counts.
 * Renders only what the engine and the feed counted; reads no packet.
 */
#ifndef TCPLENS_LIVE_STREAM_H
#define TCPLENS_LIVE_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "diagnosis_report.h"
#include "engine.h"
#include "output_format.h"

/* What the feed counted, for the stats lines and the final counts. */
struct live_counts {
	uint64_t packets, bytes;        /* taken by the engine, wire bytes */
	uint64_t received;              /* read from the source */
	uint64_t app_drops;             /* the queue was full */
	/* Kernel and interface drops; has_* false where not meaningful. */
	bool has_ps_drop, has_ps_ifdrop;
	uint64_t ps_drop, ps_ifdrop;
	double elapsed;                 /* wall-clock seconds since the start */
};

struct live_stream {
	FILE *out;
	enum output_format format;      /* text or ndjson */
	bool color;
	struct doc_writer w;            /* ndjson */
	struct engine_snapshot snap;
	/* The inputs and time decimals finding lines are written with. */
	struct diagnosis_view view;
	struct live_counts last;        /* at the previous stats line */
};

/* False (nothing said) when the writer could not be set up. */
bool live_stream_init(struct live_stream *s, FILE *out,
		      enum output_format format, bool color,
		      const struct diagnosis_view *view);
/*
 * A snapshot of e: each finding's change as a line (text: new ones
 * only), then (ndjson, with_stats) a stats line.  False when memory ran
 * out for the snapshot.
 */
bool live_stream_tick(struct live_stream *s, struct engine *e,
		      const struct live_counts *c, bool with_stats);
/*
 * The final report as `tcplens report` prints it (ndjson: one line,
 * {"type":"report", ...report -F json's keys}), then the capture's
 * counts (ndjson: a "capture" line; text: one line on stderr).  False
 * when the document could not be written.
 */
bool live_stream_finish(struct live_stream *s, const struct diagnosis_view *v,
			const struct live_counts *c);
void live_stream_free(struct live_stream *s);

#endif
