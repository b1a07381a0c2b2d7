/*
 * What `tcplens live` counted of its capture, as the engine thread last
 * read it from the feed (live_feed.h): what the stats lines, the status
 * line and the final counts show.  Plain numbers, no behaviour.
 */
#ifndef TCPLENS_LIVE_COUNTS_H
#define TCPLENS_LIVE_COUNTS_H

#include <stdbool.h>
#include <stdint.h>

struct live_counts {
	uint64_t packets, bytes;        /* taken by the engine, wire bytes */
	uint64_t received;              /* read from the source */
	uint64_t app_drops;             /* the queue was full */
	/* Kernel and interface drops; has_* false where not meaningful. */
	bool has_ps_drop, has_ps_ifdrop;
	uint64_t ps_drop, ps_ifdrop;
	double elapsed;                 /* wall-clock seconds since the start */
	uint64_t peak_rss;              /* the process's peak, bytes; 0: unknown */
};

#endif
