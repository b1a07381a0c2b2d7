/*
 * The dashboard's terminal: the one file that calls curses (ncursesw).
 * It draws a struct dash_screen and reads keys with a timeout; the
 * display thread (live_dash.h) is its only user.
 */
#ifndef TCPLENS_LIVE_DASH_TERM_H
#define TCPLENS_LIVE_DASH_TERM_H

#include <stdbool.h>
#include <stddef.h>

#include "dashboard.h"

/*
 * Whether the terminal on standard output can hold the dashboard: TERM
 * set, not "dumb", with a terminfo entry that can place the cursor.
 * When not, why (one line) into why.
 */
bool dash_term_usable(char *why, size_t len);

struct dash_term;

/*
 * Curses started on standard output; NULL (why said) when it could not.
 * Until dash_term_close(), a fatal signal (SIGSEGV, SIGBUS, SIGFPE,
 * SIGILL, SIGABRT, SIGQUIT) first puts the terminal back as it was
 * (its modes, the normal screen, the cursor), then acts as before;
 * curses' own SIGINT, SIGTERM and SIGTSTP handlers are not kept.
 */
struct dash_term *dash_term_open(bool color, char *why, size_t len);
/*
 * The next key, waiting at most timeout_ms (DASH_KEY_NONE when none);
 * *ch: the character typed, 0 for none; *resized: the screen must be
 * drawn whole (SIGWINCH, or back from Ctrl-Z).  A pending SIGTSTP,
 * blocked by the caller, suspends here: curses left, the process
 * stopped until SIGCONT.
 */
enum dash_key dash_term_key(struct dash_term *t, int timeout_ms, int *ch,
			    bool *resized);
void dash_term_size(struct dash_term *t, int *cols, int *rows);
/* The screen drawn in one update (wnoutrefresh, doupdate). */
void dash_term_draw(struct dash_term *t, const struct dash_screen *s);
/* Curses ended (endwin), the terminal as it was; NULL is fine. */
void dash_term_close(struct dash_term *t);

#endif
