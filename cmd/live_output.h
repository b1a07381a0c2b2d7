/*
 * The lines `tcplens live` writes while the capture runs, handed from the
 * engine thread to a writer thread of their own through a buffer of
 * fixed size, so that a reader slower than the capture (a pipe nobody
 * drains, a full disk's retries, a consumer busy elsewhere) never makes
 * the engine wait, and through it the capture.  A line the full buffer
 * cannot take is dropped whole and counted, never half written: a
 * reader always gets valid lines, and the count says what it missed.
 *
 *	o = live_output_open(fd, capacity);
 *	fprintf(live_output_stream(o), ...);    one line, or a few
 *	live_output_commit(o);                  queued whole, or dropped
 *	...
 *	live_output_finish(o);   every queued line written; from here on
 *	                         the stream writes straight to fd (the
 *	                         final report waits for its reader)
 *	live_output_close(o);
 *
 * One thread writes into the stream and commits; the writer thread only
 * writes to fd.  No allocation per line once the longest line so far
 * has been seen.  A write error stops the writing: later lines are
 * dropped, live_output_failed() says so at once and finish() reports it.
 */
#ifndef TCPLENS_LIVE_OUTPUT_H
#define TCPLENS_LIVE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What the buffer holds by default: seconds of a busy link's lines. */
#define LIVE_OUTPUT_CAPACITY (4u << 20)

struct live_output;

/* Starts the writer thread on fd; NULL (errno set) when it could not. */
struct live_output *live_output_open(int fd, size_t capacity);
/* Where the lines are written; each ends at live_output_commit(). */
FILE *live_output_stream(struct live_output *o);
/*
 * What was written to the stream since the last commit, queued for the
 * writer thread, or dropped whole when the buffer has no room for it.
 * False when it was dropped.
 */
bool live_output_commit(struct live_output *o);
/* Lines dropped so far (the buffer was full, or writing had failed). */
uint64_t live_output_dropped(const struct live_output *o);
/*
 * How far into the buffer lines have ever gone, in bytes: what of it is
 * resident.  A reader that keeps up keeps it to a few lines' worth.
 */
size_t live_output_touched(struct live_output *o);
/*
 * Whether a write failed (*error: its errno; EPIPE: the reader is
 * gone).  The writer thread then stops writing, and takes no signal:
 * a reader gone is never SIGPIPE.
 */
bool live_output_failed(struct live_output *o, int *error);
/*
 * Waits for every queued line to be written and stops the writer
 * thread; the stream then writes to fd directly, waiting for the reader.
 * False (errno set) if a write failed.
 */
bool live_output_finish(struct live_output *o);
/* Finishes if not done, closes the stream (not fd) and frees o. */
void live_output_close(struct live_output *o);

#endif
