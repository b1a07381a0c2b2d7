/*
 * `tcplens flows` sorted, in a one-line-per-flow format: each flow is
 * rendered as it ends, by a helper thread that runs only on a core that
 * would otherwise idle, and kept as its text line until the end, when
 * the lines are written in order.  The engine's thread only copies the
 * ended flow; the text kept is a fifth of the flow's size.
 */
#ifndef TCPLENS_FLOW_RENDER_QUEUE_H
#define TCPLENS_FLOW_RENDER_QUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "flow.h"
#include "flow_report.h"

struct flow_render_queue;

/* Whether format has one line per flow (text, csv, zeek, ndjson). */
bool flow_render_queue_supports(enum output_format format);

/* NULL when memory ran out; without a helper thread it renders inline. */
/*
 * tunnels: what the flows' tunnel ids stand for; its entries never
 * change, so the helper thread reads them as it renders.  sensor: each
 * line's capture point (struct flow_report), or NULL; it must outlive
 * the queue.
 */
struct flow_render_queue *flow_render_queue_new(enum output_format format,
						const struct tunnel_table *tunnels,
						const char *sensor);

/*
 * Queues f (copied) with the value it sorts by; the lines come out in
 * flow_order.h's order, ties in the order queued.  False when memory
 * ran out (the flow is lost).
 */
bool flow_render_queue_push(struct flow_render_queue *q, const struct flow *f,
			    uint64_t sort);

/*
 * Waits for every queued flow and puts the lines in order; returns the
 * number of lines, or -1 when memory ran out on the way (checked before
 * anything is written).
 */
long long flow_render_queue_finish(struct flow_render_queue *q);
/*
 * After flow_render_queue_finish(): writes the lines to out in order
 * (flushing out first, then to its file descriptor); false with errno
 * set when writing failed.
 */
bool flow_render_queue_write(const struct flow_render_queue *q, FILE *out);

void flow_render_queue_free(struct flow_render_queue *q);

#endif
