/*
 * The live dashboard's screen, without a terminal: a display model
 * (struct dash_model) merges the engine's snapshots as they come, keeps
 * the history the sparklines draw (60 s per host and per rate) and the
 * findings feed, and dash_render() lays it out as rows of UTF-8 text, each
 * with one attribute, for a terminal of cols x rows.  The curses side
 * (cmd/live_dash_term.c) only copies the rows to the screen; everything
 * here can be unit-tested as plain strings.
 *
 *	m = dash_model_new(&info);
 *	dash_ui_init(&ui);
 *	dash_model_update(m, snap, counts, flows, ended);  each fresh frame
 *	dash_render(m, &ui, cols, rows, screen);   at each redraw
 *	dash_key(m, &ui, key, ch);                 each key
 *	dash_model_free(m);
 *
 * Nothing here blocks, reads a clock or the process, or touches
 * packets: time is the snapshots' (capture time), and the wall clock
 * and the process's memory come in the caller's struct live_counts.
 *
 * Panels: the header (source, filter, elapsed, packets/s, bits/s, flows,
 * memory, drops), the rates strip, sockets per host, connections and the
 * findings feed; full-screen views: help, a finding's detail, and the
 * too-small line.  Every column, key and the trouble order are in
 * man/tcplens.1 (DASHBOARD).
 */
#ifndef TCPLENS_DASHBOARD_H
#define TCPLENS_DASHBOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "live_counts.h"

/* The smallest terminal the panels fit. */
#define DASH_MIN_COLS 80
#define DASH_MIN_ROWS 24
/* Past these the screen is drawn at this size (top left). */
#define DASH_MAX_COLS 320
#define DASH_MAX_ROWS 160
/* A row's bytes: every cell may be a 3-byte block character. */
#define DASH_ROW_BYTES (DASH_MAX_COLS * 3 + 1)
/* Seconds of history a sparkline spans. */
#define DASH_HISTORY 60
/* The filter's longest text. */
#define DASH_FILTER_LEN 64

/* How a row is drawn; the terminal side maps each to its look. */
enum dash_attr {
	DASH_ATTR_NORMAL,
	DASH_ATTR_TITLE,                /* a panel's title bar */
	DASH_ATTR_TITLE_FOCUS,          /* the focused panel's */
	DASH_ATTR_HEAD,                 /* column headings */
	DASH_ATTR_SELECTED,             /* the focused panel's cursor row */
	DASH_ATTR_CRITICAL,
	DASH_ATTR_WARNING,
	DASH_ATTR_INFO,
	DASH_ATTR_DIM,                  /* a resolved finding */
	DASH_ATTR_ALERT,                /* drops are not zero */
	DASH_ATTR_COUNT
};

struct dash_row {
	enum dash_attr attr;
	char text[DASH_ROW_BYTES];      /* at most cols cells, no newline */
};

struct dash_screen {
	int cols, rows;
	struct dash_row row[DASH_MAX_ROWS];
};

enum dash_panel { DASH_HOSTS, DASH_CONNS, DASH_FINDINGS, DASH_PANEL_COUNT };

/* The connections' sort orders, as s cycles them. */
enum dash_sort {
	DASH_SORT_BYTES,                /* both ways, most first */
	DASH_SORT_RATE,                 /* both ways, fastest first */
	DASH_SORT_RETRANS,              /* most first */
	DASH_SORT_RTT,                  /* slowest first */
	DASH_SORT_AGE,                  /* oldest first */
	DASH_SORT_STATE,                /* originator's state, then responder's */
	DASH_SORT_COUNT
};

enum dash_view { DASH_VIEW_PANELS, DASH_VIEW_HELP, DASH_VIEW_DETAIL,
		 DASH_VIEW_LADDER };

/* What a person did to the screen: the display thread's, nothing shared. */
struct dash_ui {
	enum dash_view view;
	enum dash_panel focus;
	enum dash_sort sort;
	bool paused;
	bool editing;                   /* typing the filter after / */
	char filter[DASH_FILTER_LEN];
	size_t sel[DASH_PANEL_COUNT];   /* cursor row of each panel's list */
	size_t top[DASH_PANEL_COUNT];   /* its first row shown */
	size_t detail_top;              /* the detail view's first line */
	size_t detail_left;             /* its first column (Left, Right) */
	uint32_t detail_key;            /* the finding shown in detail */
	uint64_t ladder_uid;            /* the connection whose ladder shows */
	bool quit;
	int page;                       /* rows a page key moves: the last drawn */
};

/* The keys the dashboard knows, as the terminal side reads them. */
enum dash_key {
	DASH_KEY_NONE, DASH_KEY_QUIT, DASH_KEY_PAUSE, DASH_KEY_TAB,
	DASH_KEY_BACKTAB, DASH_KEY_UP, DASH_KEY_DOWN, DASH_KEY_PGUP,
	DASH_KEY_PGDN, DASH_KEY_HOME, DASH_KEY_END, DASH_KEY_SORT,
	DASH_KEY_SORT_BACK, DASH_KEY_FILTER, DASH_KEY_ESC, DASH_KEY_ENTER,
	DASH_KEY_HELP, DASH_KEY_BACKSPACE, DASH_KEY_CHAR, DASH_KEY_LEFT,
	DASH_KEY_RIGHT,
};

/* What the header names: fixed for the run. */
struct dash_info {
	const char *source;             /* "eth0" or the files' names */
	const char *filter;             /* NULL: none */
	bool utf8;                      /* block sparklines, else ASCII */
	bool rtt;                       /* the flows carry RTTs (sort by RTT) */
	/*
	 * A finding's detail as `tcplens report` prints it (lines, '\n'
	 * ended, into a buffer the callee allocates with malloc); NULL:
	 * the summary alone.
	 */
	char *(*finding_text)(void *ctx, const struct finding *f);
	void *ctx;
};

struct dash_model;

/*
 * The connections the display wants listed: the engine keeps, of its
 * live flows, the first limit that dash_conn_keep() accepts in
 * dash_conn_order()'s order (engine_flow_query, with ctx this query),
 * so a frame costs it the rows shown, not one per flow tracked.  Both
 * are pure functions of the row and the query: the display sorts and
 * filters the rows it holds by them too, at once on a key.
 */
struct dash_conn_query {
	enum dash_sort sort;
	char filter[DASH_FILTER_LEN];
};

bool dash_conn_keep(const void *query, const struct engine_flow_row *r);
double dash_conn_order(const void *query, const struct engine_flow_row *r,
		       int64_t at);
/* What ui shows now, and how many rows the engine should list for it. */
void dash_conns_want(const struct dash_ui *ui, struct dash_conn_query *q,
		     size_t *limit);

struct dash_model *dash_model_new(const struct dash_info *info);
void dash_model_free(struct dash_model *m);
/*
 * A fresh frame: counts and flows as the feed and analyzer gave them
 * with snap, ended once the input is over.  False when memory ran out
 * (the model keeps its last state).
 */
bool dash_model_update(struct dash_model *m, const struct engine_snapshot *snap,
		       const struct live_counts *counts, uint64_t flows,
		       bool ended);
/* The screen for cols x rows (clamped to DASH_MAX_*). */
void dash_render(struct dash_model *m, struct dash_ui *ui, int cols, int rows,
		 struct dash_screen *out);
/*
 * A key; ch is the character typed (0 for none): typing the filter
 * takes it whatever key it also is.
 */
void dash_key(struct dash_model *m, struct dash_ui *ui, enum dash_key key,
	      int ch);
void dash_ui_init(struct dash_ui *ui);

/* A row's width in cells (UTF-8 characters; every one used is 1 wide). */
size_t dash_cells(const char *s);

#endif
