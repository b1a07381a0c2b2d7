/*
 * What the dashboard's files share (dashboard.h is the public surface):
 * the display model and the row writers each panel uses.
 */
#ifndef TCPLENS_DASHBOARD_INTERNAL_H
#define TCPLENS_DASHBOARD_INTERNAL_H

#include "dashboard.h"
#include "ladder_row.h"
#include "tcp_state.h"

/*
 * Hosts followed with their history; when more are present, those with
 * the most trouble (hosts_untracked counts the others).
 */
#define DASH_MAX_HOSTS 512

/* The states whose history a host keeps (its sparklines). */
enum dash_spark { DASH_SPARK_SYN_RECV, DASH_SPARK_CLOSE_WAIT,
		  DASH_SPARK_TIME_WAIT, DASH_SPARK_COUNT };

/* One second's sample per slot, the newest at (at + DASH_HISTORY - 1). */
struct dash_history {
	uint32_t v[DASH_HISTORY];
	unsigned at;                    /* the oldest sample's slot */
};

struct dash_host {
	uint8_t family;
	uint16_t tunnel;
	uint8_t addr[16];
	char label[48];
	uint32_t count[TCP_STATE_COUNT];
	uint32_t total;
	int64_t delta;                  /* total's change over the last second */
	uint32_t last_total;            /* at the last second's sample */
	uint64_t trouble;
	bool present;                   /* in the last snapshot */
	unsigned quiet;                 /* seconds absent with no history */
	struct dash_history hist[DASH_SPARK_COUNT];
};

/* A snapshot's host the table does not hold yet. */
struct host_candidate {
	uint64_t trouble;
	size_t row;                     /* in the snapshot's hosts */
};

/* A connection as the last snapshot listed it (rates in its row). */
struct dash_conn {
	struct engine_flow_row row;
};

struct dash_finding {
	struct finding f;
	uint64_t seq;                   /* order first seen: newest first */
	unsigned updates;               /* times value, flows or ongoing moved */
};

/*
 * The rates strip's series and the header's (bits): each per second of
 * capture time over the last full second (dashboard_model.c).
 */
enum dash_rate {
	DASH_RATE_SYN, DASH_RATE_SYN_ACK, DASH_RATE_RST, DASH_RATE_RETRANS,
	DASH_RATE_NEW_CONNS, DASH_RATE_HALF_OPEN, DASH_RATE_PACKETS,
	DASH_RATE_BITS, DASH_RATE_COUNT
};

struct dash_model {
	struct dash_info info;
	/* The last frame's counters. */
	struct live_counts counts;
	uint64_t flows;
	bool ended, have_frame;
	/* The last frame could not be taken: the screen shows an older one. */
	bool out_of_memory;
	int64_t at;                     /* the snapshot's capture time */
	struct analyzer_stats stats;
	uint32_t by_severity[3];
	uint64_t folded;

	struct dash_host hosts[DASH_MAX_HOSTS];
	size_t n_hosts;
	uint64_t hosts_untracked;       /* snapshot hosts past the table */
	/* What the snapshot's hosts leave out (host_states.h, host_counts.h). */
	struct host_states_summary hosts_left_out;
	uint64_t sockets_not_counted;
	struct host_candidate *candidates;      /* hosts new to the table */
	size_t cap_candidates;

	/*
	 * The last snapshot's flows: the first the engine found for the
	 * query it was given (conns_query, when known), of conns_matched.
	 */
	struct dash_conn *conns;
	size_t n_conns, cap_conns;
	size_t conns_matched;
	bool conns_query_known;
	struct dash_conn_query conns_query;
	bool have_rtt;                  /* the snapshot carries RTTs */

	struct dash_finding *findings;
	size_t n_findings, cap_findings;
	uint64_t next_seq;

	/* The second's samples: history of the strip and of the hosts. */
	int64_t sample_at;              /* capture time of the last sample */
	uint64_t rate_cum[DASH_RATE_COUNT];
	bool rate_known[DASH_RATE_COUNT];
	double rate_now[DASH_RATE_COUNT];
	struct dash_history rate_hist[DASH_RATE_COUNT];

	/* Each panel's rows after the filter and sort: indexes. */
	size_t *order;
	size_t cap_order;
	char *detail;                   /* the finding's text, for the view */
	/*
	 * The ladder the last snapshot copied (its uid; 0: none), and the
	 * segments not kept before ladder[ladder_gap_at].
	 */
	uint64_t ladder_uid, ladder_not_kept;
	struct ladder_row *ladder;
	size_t n_ladder, cap_ladder, ladder_gap_at;
	bool ladder_live;               /* the snapshot found it live */
	/*
	 * The connection as listed when Enter opened its ladder: its
	 * endpoints for the title once it is off the page (a page holds only
	 * the rows shown).
	 */
	struct engine_flow_row ladder_flow;
};

/* ---- dashboard_rates.c: what the snapshot tells of each rate */
void dash_rates_read(const struct engine_snapshot *s,
		     const struct live_counts *c,
		     uint64_t cum[DASH_RATE_COUNT], bool known[DASH_RATE_COUNT]);
/* Whether the rate is a count now (half-open), not a cumulative one. */
bool dash_rate_is_gauge(enum dash_rate r);
const char *dash_rate_label(enum dash_rate r);

/* ---- dashboard_text.c: rows */
void dash_history_push(struct dash_history *h, uint32_t v);
uint32_t dash_history_get(const struct dash_history *h, unsigned i);
/*
 * A sparkline of width cells over the history (oldest left), each cell
 * the highest of the seconds it covers, scaled to the highest shown.
 */
void dash_sparkline(const struct dash_history *h, size_t width, bool utf8,
		    char *out, size_t outlen);
/* Appends s to row, padded or cut to exactly width cells (left/right). */
void dash_cell(char *row, size_t rowlen, const char *s, size_t width,
	       bool right);
/*
 * An ASCII name wider than width (an endpoint, a host) loses its middle,
 * marked "~", never its two ends: the port and the address's ends are
 * what tell hosts apart.  Names of width or less, or widths under 5,
 * are left alone.
 */
void dash_elide_middle(char *s, size_t width);
/* Drops row's first cells cells (a view scrolled right). */
void dash_shift(char *row, size_t cells);
/* Cuts row to at most cols cells. */
void dash_fit(char *row, size_t cols);
/* 1234 -> "1234", 12345 -> "12.3k", ... in at most 6 characters. */
void dash_si(double v, char *out, size_t outlen);
/* Seconds as "12s", "3m04", "2h05", "4d07" in at most 5 characters. */
void dash_age(double seconds, char *out, size_t outlen);
/*
 * v in at most width characters (sign: always signed): exact when it
 * fits, else in thousands ("12.3k", "124k"), never cut to its left digits.
 */
void dash_count(int64_t v, size_t width, bool sign, char *out,
		size_t outlen);
/* A capture time as "HH:MM:SS", UTC. */
void dash_clock(int64_t ns, char *out, size_t outlen);
/* Whether hay holds needle, ignoring case; an empty needle matches. */
bool dash_match(const char *hay, const char *needle);
/* Short state names that fit 5 cells ("ESTAB", "CL_WT"). */
const char *dash_state_short(int state);

/* ---- the panels: each writes rows [first, first + n) of out */
struct dash_area {
	struct dash_screen *out;
	int first, n, cols;
	bool focus;
};
void dash_header_render(const struct dash_model *m, const struct dash_ui *ui,
			struct dash_area *a);
void dash_rates_render(const struct dash_model *m, struct dash_area *a);
void dash_hosts_render(struct dash_model *m, struct dash_ui *ui,
		       struct dash_area *a);
void dash_conns_render(struct dash_model *m, struct dash_ui *ui,
		       struct dash_area *a);
void dash_findings_render(struct dash_model *m, struct dash_ui *ui,
			  struct dash_area *a);
void dash_help_render(struct dash_area *a);
void dash_detail_render(struct dash_model *m, struct dash_ui *ui,
			struct dash_area *a);

/* Enter on the connections: the selected one's ladder; false: none. */
bool dash_conns_open(struct dash_model *m, struct dash_ui *ui);
void dash_ladder_render(struct dash_model *m, struct dash_ui *ui,
			struct dash_area *a);
/* The ladder view's lines: its rows, and the gap's line among them. */
size_t dash_ladder_lines(const struct dash_model *m);

/* Enter on the feed: the selected finding's detail; false: none. */
bool dash_findings_open(struct dash_model *m, struct dash_ui *ui);

/* Rows of each panel's list that the filter leaves, in its order. */
size_t dash_hosts_list(struct dash_model *m, const struct dash_ui *ui,
		       size_t *order);
size_t dash_conns_list(struct dash_model *m, const struct dash_ui *ui,
		       size_t *order);
size_t dash_findings_list(struct dash_model *m, const struct dash_ui *ui,
			  size_t *order);
/* The list's length for panel p (after the filter). */
size_t dash_list_len(struct dash_model *m, const struct dash_ui *ui,
		     enum dash_panel p);
/* Room for an order of n indexes; false when memory ran out. */
bool dash_order_room(struct dash_model *m, size_t n);

/* A row of the area: its text and attribute set, width a->cols. */
struct dash_row *dash_area_row(struct dash_area *a, int i);
/* A panel's title bar: "─ Title ─── hint" in row i. */
void dash_title(struct dash_area *a, int i, const char *title,
		const char *hint);

#endif
