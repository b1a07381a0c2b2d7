/*
 * A TCP connection's pictures, drawn as tcptrace and Wireshark's Stevens
 * graph draw them: the time-sequence graph of one direction (data
 * segments as I-bars, the ACK line, the receive window's right edge,
 * SACK blocks, SYN/FIN/RST and the annotation marks, both endpoints'
 * states as a band under the plot), RTT samples over time, and goodput
 * and retransmitted bytes per interval.
 *
 * The model is built from the connection's ladder rows (ladder_row.h),
 * in frame order, as timeline and the HTML report receive them; reports
 * never see packets.  Its memory is bounded whatever the connection's
 * length: long in-order runs merge, and nothing with an annotation, a
 * zero window or a state change is ever merged away.  Rendering is a
 * pure function of the model: the same rows give the same bytes.
 */
#ifndef TCPLENS_SEQ_GRAPH_H
#define TCPLENS_SEQ_GRAPH_H

#include <stdbool.h>
#include <stdio.h>

#include "ladder_row.h"

enum seq_graph_kind {
	SEQ_GRAPH_TSG,          /* time-sequence (Stevens/tcptrace) */
	SEQ_GRAPH_RTT,          /* RTT samples over time */
	SEQ_GRAPH_THROUGHPUT,   /* goodput and retransmitted bytes */
};

struct seq_graph;

struct seq_graph_style {
	/*
	 * true: a standalone SVG document (XML declaration, xmlns); false:
	 * an <svg> element to inline in an HTML page.
	 */
	bool standalone;
	/* Prefix of the element ids, unique within an HTML page; or NULL. */
	const char *id_prefix;
};

/* NULL when memory ran out. */
struct seq_graph *seq_graph_new(void);
void seq_graph_free(struct seq_graph *g);

/* Rows of one connection, in frame order; false: memory ran out. */
bool seq_graph_add(struct seq_graph *g, const struct ladder_row *r);

/* FLOW_ORIG or FLOW_RESP: the direction that sent more payload bytes. */
int seq_graph_busier_dir(const struct seq_graph *g);

/*
 * Writes the graph of kind for the data sent by dir (FLOW_ORIG or
 * FLOW_RESP).  0, or -1 when out reports a write error.
 */
int seq_graph_write_svg(const struct seq_graph *g, enum seq_graph_kind kind,
			int dir, const struct seq_graph_style *style,
			FILE *out);

#endif
