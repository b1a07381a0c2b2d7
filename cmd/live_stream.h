/*
 * What `tcplens live` writes while the capture runs, from the engine's
 * snapshots (engine.h): each finding that fired, moved or cleared since
 * the last one, and a stats line per interval (NDJSON) or the status
 * line on a terminal (text, live_status.h); with --flows (NDJSON), a
 * flow line as the engine releases each flow, with `flows -F json`'s
 * keys; then the final report through report's own renderers and the
 * capture's counts.  Renders only what the engine and the feed counted;
 * reads no packet.
 *
 * Lines are made on the engine thread.  To a terminal they are written
 * at once (a person reads them, in order with the status line).  To
 * anything else they go through live_output.h's buffer and writer
 * thread, so a reader slower than the capture never makes the engine
 * wait: a line the full buffer cannot take is dropped whole and counted
 * (lines_dropped).  The final report waits for its reader.
 */
#ifndef TCPLENS_LIVE_STREAM_H
#define TCPLENS_LIVE_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "diagnosis_report.h"
#include "engine.h"
#include "live_counts.h"
#include "live_output.h"
#include "live_status.h"
#include "output_format.h"

struct live_stream {
	FILE *out;
	struct live_output *queue;      /* NULL: out is a terminal */
	enum output_format format;      /* text or ndjson */
	bool color;
	struct doc_writer w;            /* ndjson */
	bool flows;                     /* --flows: a line per ended flow */
	const struct tunnel_table *tunnels;     /* what flow lines name */
	struct live_status status;      /* text, on a terminal */
	struct engine_snapshot snap;
	/* The inputs and time decimals finding lines are written with. */
	struct diagnosis_view view;
	struct live_counts last;        /* at the previous stats line */
	/* The dashboard shows the findings: no lines, the report alone. */
	bool report_only;
};

/*
 * False (nothing said) when the writer could not be set up.  flows:
 * NDJSON only; status_fd: where text mode's status line goes, when it
 * is a terminal (standard error).
 */
bool live_stream_init(struct live_stream *s, FILE *out,
		      enum output_format format, bool color, bool flows,
		      int status_fd, const struct diagnosis_view *view);
/*
 * The consumer (engine.h) that writes the flow lines: on_flow_end, as
 * the engine releases each flow (closed and lingered, idle, evicted,
 * reused, or still open when engine_finish() ends it: "end":
 * "capture_end").  Returns 0 (none to attach) without flows, else 1.
 */
size_t live_stream_consumer(struct live_stream *s, struct engine_consumer *c);
/*
 * The dashboard (live_dash.h) shows what changed: no finding lines
 * from here on, only the final report and counts at the end.
 */
void live_stream_report_only(struct live_stream *s);
/* The engine whose flows the lines describe (its tunnel table). */
void live_stream_attach(struct live_stream *s, struct engine *e);
/*
 * Whether the lines can no longer be written (*error: errno; EPIPE:
 * the reader went away): the run should end.
 */
bool live_stream_broken(struct live_stream *s, int *error);
/* Erases the status line: before a warning on standard error. */
void live_stream_quiet(struct live_stream *s);
/*
 * A snapshot of e: each finding's change as a line (text: new ones
 * only), then, with_stats, a stats line (ndjson) or the status line
 * redrawn (text); without, the status line stays erased (the end).
 * False when memory ran out for the snapshot.
 */
bool live_stream_tick(struct live_stream *s, struct engine *e,
		      const struct live_counts *c, bool with_stats);
/*
 * The final report as `tcplens report` prints it (ndjson: one line,
 * {"type":"report", ...report -F json's keys}), then the capture's
 * counts (ndjson: a "capture" line; text: on stderr, one count a line,
 * as tcpdump ends).  False when the document could not be written.
 */
bool live_stream_finish(struct live_stream *s, const struct diagnosis_view *v,
			const struct live_counts *c);
void live_stream_free(struct live_stream *s);

#endif
