/*
 * `tcplens flows -F json`, sorted: the flows kept until the end are
 * rendered there, in order, batch by batch on two threads at once (the
 * calling one and a helper), each into buffers it uses over and over,
 * and written in order in large writes.
 *
 * Why not as the one-line formats, rendered as flows end and kept as
 * text (flow_render_queue.h): a json object is four times the size of
 * the flow it comes from, and on a virtual machine the fresh pages that
 * would hold the text cost more than rendering it.
 */
#ifndef TCPLENS_FLOW_RENDER_BATCHES_H
#define TCPLENS_FLOW_RENDER_BATCHES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "flow.h"
#include "flow_report.h"

/* The flows, in order: flow_at is called from both threads at once. */
struct flow_render_source {
	const struct flow *(*flow_at)(const void *ctx, size_t i);
	const void *ctx;
	size_t n;
};

/*
 * Writes src's flows to out as rows of format (flow_report_rows_begin():
 * not yaml), with tunnels and sensor as struct flow_report takes them,
 * the first without its flow_report_row_lead(): flushing out first,
 * then to its file descriptor (through stdio if it has none).  Put under
 * a header the caller wrote, and followed by flow_report_rows_put().
 * False with errno set when memory ran out or writing failed.
 */
bool flow_render_batches(const struct flow_render_source *src,
			 enum output_format format,
			 const struct tunnel_table *tunnels, const char *sensor,
			 FILE *out);

#endif
