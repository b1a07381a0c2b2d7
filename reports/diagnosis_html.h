/*
 * The diagnosis as one self-contained HTML page (`tcplens report -F
 * html`): the capture summary and its quality, the incident, each
 * finding with its evidence, explanation and advice, each charted
 * host's socket states over time (stacked: ESTABLISHED, SYN_RECV,
 * CLOSE_WAIT, TIME_WAIT), the rates over time (SYN/s, RST/s,
 * retransmissions/s), the sockets at the end, and the connections with
 * the most trouble, each with its time-sequence graph (seq_graph.h)
 * inline.  CSS and SVG are inline and nothing is fetched: the page opens
 * offline.  Every string from the capture is escaped (html_escape.h);
 * the markup is well-formed XML as well as HTML5.
 *
 * Hooks that scripts and tests rely on (tcplens-report(1)):
 *   - each finding: an element class="finding" id="finding-N", N from 1
 *     in the findings' order (most severe first), one per finding;
 *   - each connection shown: an element id="conn-UID";
 *   - each inline graph: <svg class="seq-graph">;
 *   - a finding's flows that are shown link to them: <a href="#conn-UID">.
 *
 * Renders only what it is given; nothing here touches packets.
 */
#ifndef TCPLENS_DIAGNOSIS_HTML_H
#define TCPLENS_DIAGNOSIS_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diagnosis_report.h"
#include "seq_graph.h"
#include "time_series.h"

/* The states charted per host, their channels in this order. */
enum html_host_state {
	HTML_ESTABLISHED,
	HTML_SYN_RECV,
	HTML_CLOSE_WAIT,
	HTML_TIME_WAIT,
	HTML_HOST_STATES,
};

/* The rates charted, the channels of html_extras.rates. */
enum html_rate { HTML_RATE_SYN, HTML_RATE_RST, HTML_RATE_RETRANS, HTML_RATES };

/* A host charted: its states at channel first + enum html_host_state. */
struct html_host {
	uint8_t family;
	uint16_t tunnel;
	uint8_t addr[16];
	size_t first;
};

/* A connection shown: its ranking row (NULL: a finding names it only). */
struct html_conn {
	uint64_t uid;
	const struct trouble_row *row;
	size_t rank;                    /* 1-based, with row */
	const struct seq_graph *graph;  /* NULL: not drawn */
};

struct html_extras {
	/* Gauges sampled over the capture; NULL: not sampled. */
	const struct time_series *states;
	const struct html_host *hosts;
	size_t n_hosts;
	size_t hosts_left_out;          /* hosts sampled and not charted */
	/* Counts per slot, enum html_rate; NULL: not sampled. */
	const struct time_series *rates;
	const struct html_conn *conns;
	size_t n_conns;
	/* Why no graph is drawn at all (standard input); NULL: drawn. */
	const char *graphs_left_out;
	size_t graphs_cap;              /* --html-graphs */
};

/* The page onto out; false when out reports a write error. */
bool diagnosis_render_html(FILE *out, const struct diagnosis_view *v,
			   const struct html_extras *x);

#endif
