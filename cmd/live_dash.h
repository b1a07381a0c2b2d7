/*
 * The live dashboard's display thread: it owns curses (live_dash_term.h)
 * from start to stop, takes the newest snapshot from the exchange when
 * it wants one, and redraws at most 4 times a second; keys are read with
 * a 250 ms timeout.  The engine thread never waits for it: it publishes
 * into the exchange and asks live_dash_quit_requested() when it looks
 * for its stop signals.
 *
 * Signals: the caller blocks SIGINT, SIGTERM and SIGTSTP on every
 * thread before live_dash_start() (threads inherit the mask).  The
 * display thread takes SIGTSTP (Ctrl-Z) itself: curses is left, the
 * process stops, and fg redraws.  A fatal signal (SIGSEGV, SIGBUS,
 * SIGFPE, SIGILL, SIGABRT, SIGQUIT) on any thread gives the terminal
 * back before the process dies of it (live_dash_term.h).
 *
 *	d = live_dash_start(&info, color, x, why, len);   NULL: not started
 *	... live_dash_quit_requested(d) ...
 *	live_dash_stop(d);   curses ended (endwin), the thread joined
 */
#ifndef TCPLENS_LIVE_DASH_H
#define TCPLENS_LIVE_DASH_H

#include <stdbool.h>
#include <stddef.h>

#include "dashboard.h"
#include "snapshot_exchange.h"

struct live_dash;

/*
 * The display thread started on standard output, with the signal mask
 * of the caller; NULL with why (one line) when it could not start.
 */
struct live_dash *live_dash_start(const struct dash_info *info, bool color,
				  struct snapshot_exchange *x, char *why,
				  size_t len);
/* Whether the person asked to quit (q). */
bool live_dash_quit_requested(struct live_dash *d);
/* Ends the display: curses left, the terminal restored; NULL is fine. */
void live_dash_stop(struct live_dash *d);

#endif
