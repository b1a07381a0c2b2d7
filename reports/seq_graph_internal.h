/*
 * The model behind seq_graph.h, shared by the model (seq_graph.c) and
 * the renderers (seq_graph_svg.c, seq_graph_plots.c, seq_graph_axis.c).
 *
 * Everything is kept per direction, since the graph's direction is
 * chosen when it is drawn.  Two kinds of store:
 *  - series of a fixed capacity (SG_SERIES_CAP entries) that merge while
 *    adding: plain data segments (in-order runs), the ACK line and the
 *    window's edge, SACK blocks, RTT samples, bytes per time bucket.
 *    When one fills, its merge quantum doubles and neighbours closer in
 *    time than the quantum merge, so memory stays fixed whatever the
 *    connection's length;
 *  - what is never merged away: the marks (retransmissions, out-of-order
 *    segments, window probes, third duplicate ACKs, SYN/FIN/RST), the
 *    zero-window periods and the state changes.  They grow with what
 *    went wrong, not with the connection's length.
 * Times are ns since the connection's first segment.
 */
#ifndef TCPLENS_SEQ_GRAPH_INTERNAL_H
#define TCPLENS_SEQ_GRAPH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "seq_graph.h"

/* Entries of each merging series: a few hundred kB of SVG at most. */
#define SG_SERIES_CAP 4096
/* Fine buckets of bytes sent over time; rendering groups them. */
#define SG_BUCKETS 1024
/* The fine buckets' first width: they double as the span grows. */
#define SG_BUCKET_NS_MIN 1000

/* In-order data segments, from t0 to t1, covering [lo, hi). */
struct sg_bar {
	int64_t t0, t1;
	uint32_t lo, hi;
	uint32_t segs;
};

/* The ACK line and the window's right edge from time t on. */
struct sg_step {
	int64_t t;
	uint32_t ack;
	uint64_t edge;          /* ack + scaled window */
};

/* SACK blocks an ACK reported (merged: their union), at t. */
struct sg_sack {
	int64_t t;
	uint32_t left, right;
};

/* RTT samples from t0 to t1, their least and greatest. */
struct sg_rtt {
	int64_t t0, t1;
	int64_t lo_ns, hi_ns;
	uint32_t samples;
};

/* Bytes of one direction in a fine bucket. */
struct sg_bytes {
	uint64_t good, retrans;
};

/* A segment that is never merged away, with what its <title> tells. */
struct sg_mark {
	int64_t t;
	uint64_t frame;
	uint64_t window;
	uint32_t seq, ack, len;
	uint32_t annots;
	uint32_t dup_ack_num;
	uint8_t dir, flags;
};

/* A zero window advertised by side, from t0 until it reopened at t1. */
struct sg_zero_window {
	int64_t t0, t1;
	uint64_t frame0, frame1;
	uint8_t side;
	bool reopened;          /* false: still zero at the last segment */
};

/* Both endpoints' states from t on (after frame). */
struct sg_state_change {
	int64_t t;
	uint64_t frame;
	uint8_t state[2];
};

/* A series that merges while adding: n entries, merged within quantum. */
struct sg_bars { struct sg_bar e[SG_SERIES_CAP]; size_t n; int64_t quantum; };
struct sg_steps { struct sg_step e[SG_SERIES_CAP]; size_t n; int64_t quantum; };
struct sg_sacks { struct sg_sack e[SG_SERIES_CAP]; size_t n; int64_t quantum; };
struct sg_rtts { struct sg_rtt e[SG_SERIES_CAP]; size_t n; int64_t quantum; };

struct sg_side {
	struct sg_bars data;    /* plain segments this side sent */
	struct sg_steps acks;   /* this side's ACKs: the peer's graph */
	struct sg_sacks sacks;  /* this side's SACK blocks */
	struct sg_rtts rtts;    /* RTTs of this side's ACKs */
	struct sg_bytes bytes[SG_BUCKETS];
	uint64_t payload;       /* bytes sent, for the busier direction */
	uint64_t max_seq_end;   /* highest rel_seq + len sent */
	bool zero_open;         /* a zero-window period of this side is open */
	size_t zero_index;      /* ... its index in zero_windows */
};

/* A growing array of never-merged items. */
struct sg_marks { struct sg_mark *e; size_t n, cap; };
struct sg_zero_windows { struct sg_zero_window *e; size_t n, cap; };
struct sg_states { struct sg_state_change *e; size_t n, cap; };

struct seq_graph {
	bool started;
	int64_t origin_ns;      /* the first segment's time */
	int64_t last_t;         /* the latest segment's, relative */
	uint64_t uid;
	int64_t bucket_ns;      /* width of the fine buckets */
	struct sg_side side[2];
	struct sg_marks marks;
	struct sg_zero_windows zero_windows;
	struct sg_states states;
};

/* The annotations drawn as R. */
#define SG_RETRANS_ANNOTS                                          \
	(TCP_ANNOT_BIT(RETRANSMISSION) |                           \
	 TCP_ANNOT_BIT(FAST_RETRANSMISSION) |                      \
	 TCP_ANNOT_BIT(SPURIOUS_RETRANSMISSION))

/* ---- rendering helpers (seq_graph_axis.c) ---- */

/* The plot's frame in SVG user units. */
#define SG_WIDTH 1100
#define SG_PLOT_X0 90
#define SG_PLOT_X1 880
#define SG_PLOT_Y0 50
#define SG_PLOT_Y1 470
/* The time-sequence graph's height: the state band under the plot. */
#define SG_TSG_HEIGHT 600
/* RTT and throughput: no band. */
#define SG_PLAIN_HEIGHT 520

/* A linear map from data values to the plot. */
struct sg_scale {
	double lo, hi;          /* data range */
	double p0, p1;          /* pixel range: p0 at lo */
};

double sg_map(const struct sg_scale *s, double v);

/* What a graph's frame names. */
struct sg_frame {
	const struct seq_graph_style *style;
	const char *prefix;     /* of ids: style's or "sg-" */
	const char *graph;      /* "tsg", "rtt", "throughput": data-graph */
	int dir;                /* the data's sender: data-dir */
	int height;
	const char *title;
	const char *x_label, *y_label;
	struct sg_scale x, y;   /* x in seconds */
	bool y_bytes;           /* y ticks with k/M suffixes */
};

/* <svg ...> opening, title, clip path, axes with ticks and labels. */
void sg_frame_open(FILE *out, const struct sg_frame *fr);
/* A legend entry at row i: swatch colour, letter (or NULL), text. */
void sg_legend_entry(FILE *out, int i, const char *colour,
		     const char *letter, const char *text);
void sg_frame_close(FILE *out);
/* Seconds of a relative ns time, as data-t and titles print them. */
double sg_seconds(int64_t ns);
/* A tick step of 1, 2 or 5 times a power of ten, about range/n. */
double sg_nice_step(double range, int n);

/*
 * Both endpoints' states as two rows under the plot (seq_graph_states.c),
 * each change a line with its time; x maps seconds.
 */
void sg_state_band(const struct seq_graph *g, const struct sg_scale *x,
		   FILE *out);

/* ---- the graphs ---- */
void sg_write_tsg(const struct seq_graph *g, int dir,
		  const struct seq_graph_style *style, FILE *out);
void sg_write_rtt(const struct seq_graph *g, int dir,
		  const struct seq_graph_style *style, FILE *out);
void sg_write_throughput(const struct seq_graph *g, int dir,
			 const struct seq_graph_style *style, FILE *out);

#endif
