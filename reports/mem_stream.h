/*
 * A stdio stream into a growing buffer of ours (fopencookie).
 * open_memstream() was used first, but glibc's drops bytes silently when
 * its buffer cannot grow and frees it when the final shrink fails; here
 * a failed growth is an error stdio reports.  A stream emptied and
 * written again keeps its buffer: its pages are touched once.
 */
#ifndef TCPLENS_MEM_STREAM_H
#define TCPLENS_MEM_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct mem_stream {
	FILE *f;                /* NULL: not open */
	/* What was written, as far as f was flushed: buf[0, len). */
	char *buf;
	size_t len, cap;
	bool failed;            /* the buffer could not grow: bytes were lost */
};

/*
 * Opens m (which must not move while open) with stdio's buffering mode
 * (_IOFBF: 8 KiB, written to buf at each fflush() or when full; _IONBF:
 * straight to buf); false when memory ran out.  To empty it: fflush(),
 * take buf[0, len), set len to 0.
 */
bool mem_stream_open(struct mem_stream *m, int mode);
/* Flushes and closes the stream; false when bytes were lost. */
bool mem_stream_close(struct mem_stream *m);
/* Closes the stream if open and frees the buffer. */
void mem_stream_free(struct mem_stream *m);

#endif
