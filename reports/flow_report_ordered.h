/*
 * Flows kept until the end (`tcplens flows` sorted), rendered in a given
 * order: each is turned into its record here rather than as it ended,
 * so that two threads can share the work.
 */
#ifndef TCPLENS_FLOW_REPORT_ORDERED_H
#define TCPLENS_FLOW_REPORT_ORDERED_H

#include <stddef.h>

#include "flow.h"
#include "flow_report.h"

/*
 * Renders flows[0..n) through rep (begun, not ended).  Formats of one
 * line per flow are shared with a second thread that renders every
 * other block into memory; the output is the same as one thread's.
 */
void flow_report_flows(struct flow_report *rep,
		       const struct flow *const *flows, size_t n);

#endif
