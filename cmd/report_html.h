/*
 * `tcplens report -F html`: the one-shot report's run with what only
 * the page needs, paid by that format alone.
 *
 *   - As the inputs are fed, the engine (with ENGINE_SOCKET_COUNTS) is
 *     sampled at each step of capture time (100 ms, doubled as the
 *     slots fill: time_series.h) for the socket states of up to
 *     REPORT_HTML_TRACKED hosts and the SYN, RST and retransmission
 *     counts; the hosts with the most SYN_RECV and CLOSE_WAIT (then the
 *     most sockets) are charted.
 *   - The connections shown are the trouble ranking's, then those the
 *     findings name; the first graphs of them get a time-sequence graph
 *     from a second run over the same files that hands only their
 *     segments (ladder rows) to seq_graph.  Standard input cannot be read
 *     twice: the page then says why the graphs are left out.
 */
#ifndef TCPLENS_REPORT_HTML_H
#define TCPLENS_REPORT_HTML_H

#include <stddef.h>

#include "cli_analysis.h"

#define REPORT_HTML_TRACKED 32
#define REPORT_HTML_CHARTED 6
#define REPORT_HTML_SLOTS 300
/* Connections the findings name shown beyond the ranking's. */
#define REPORT_HTML_NAMED 20

/* The page onto standard output; a CLI exit status. */
enum cli_exit report_html_run(const struct cli_analysis_opts *o,
			      size_t top_n, size_t graphs, const char *sensor,
			      char **paths, int n_paths);

#endif
