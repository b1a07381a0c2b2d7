/*
 * The status line of `tcplens live -F text` on a terminal: one line on
 * standard error, rewritten in place at each snapshot (a carriage
 * return, the text, then clear to the end of the line): elapsed time,
 * packets and their rate, flows tracked, ongoing findings by severity
 * and the drops.  It is cut to the terminal's width, read at each
 * drawing (TIOCGWINSZ), so it never wraps, and erased before anything
 * else is written to the terminal, so no line ever interleaves with it.
 * Off when standard error is not a terminal, or TERM is unset or
 * "dumb" (no clear to end of line).
 *
 * Written with write(2) on the descriptor, one call per drawing; the
 * caller flushes its own stdio streams on the same terminal before a
 * drawing.
 */
#ifndef TCPLENS_LIVE_STATUS_H
#define TCPLENS_LIVE_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "live_counts.h"

struct live_status {
	int fd;                         /* -1: off */
	bool shown;                     /* a line is on the terminal now */
	struct live_counts last;        /* at the previous drawing: the rate */
};

/* Off unless on (text output) and fd is a terminal that clears lines. */
void live_status_init(struct live_status *st, int fd, bool on);
/*
 * Draws the line over the one shown: c's counts, flows tracked now and
 * the ongoing findings by severity (critical, warning, info).
 */
void live_status_show(struct live_status *st, const struct live_counts *c,
		      uint64_t flows, const uint32_t findings[3]);
/* Erases the line shown, if any; the cursor is left at its start. */
void live_status_clear(struct live_status *st);
/*
 * The line's text for a terminal of columns columns, at most columns - 1
 * characters (the last column is left free: a character there makes
 * some terminals wrap), into out (size bytes).  pps: packets per
 * second.  Returns its length.
 */
size_t live_status_format(char *out, size_t size, const struct live_counts *c,
			  double pps, uint64_t flows,
			  const uint32_t findings[3], size_t columns);

#endif
