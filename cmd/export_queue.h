/*
 * The records `tcplens live` exports (finished flows, findings), handed
 * from the engine thread to the exporter thread through a ring of fixed
 * size, so that a slow disk or a ClickHouse away never makes the engine
 * wait: a record the full ring cannot take is dropped whole and counted.
 *
 *	q = export_queue_new(capacity);
 *	engine thread:   export_queue_push(q, kind, line, len);  (no wait)
 *	                 export_queue_push_wait(...);   at the end only
 *	exporter thread: n = export_queue_pop(q, &kind, buf, cap, deadline);
 *	export_queue_close(q);  the popper gets what is left, then -1
 *	export_queue_free(q);
 *
 * One producer, one consumer.  No allocation after export_queue_new().
 */
#ifndef TCPLENS_EXPORT_QUEUE_H
#define TCPLENS_EXPORT_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Which table a record belongs to. */
enum export_kind { EXPORT_FLOW, EXPORT_FINDING, EXPORT_KINDS };

/* Seconds of a busy link's finished flows (a flow line is about 1.5 kB). */
#define EXPORT_QUEUE_CAPACITY (16u << 20)
/* The longest record taken; a longer one is dropped and counted. */
#define EXPORT_RECORD_MAX (64u << 10)

struct export_queue;

struct export_queue *export_queue_new(size_t capacity);
void export_queue_free(struct export_queue *q);
/* A record of len bytes (no newline); false when dropped (no room). */
bool export_queue_push(struct export_queue *q, enum export_kind kind,
		       const char *line, size_t len);
/*
 * The same, waiting for room as long as it takes: for the end of a run,
 * when the capture is over and the flows still open are all released at
 * once.  False only when closed or len is too long.
 */
bool export_queue_push_wait(struct export_queue *q, enum export_kind kind,
			    const char *line, size_t len);
/* Records dropped so far for want of room. */
uint64_t export_queue_dropped(struct export_queue *q);
/*
 * The oldest record into buf (at most cap bytes, EXPORT_RECORD_MAX is
 * enough): its length; 0 when none came before deadline (CLOCK_REALTIME;
 * NULL: do not wait); -1 once closed and empty.
 */
long export_queue_pop(struct export_queue *q, enum export_kind *kind,
		      char *buf, size_t cap, const struct timespec *deadline);
/* No more records: the popper drains what is queued, then gets -1. */
void export_queue_close(struct export_queue *q);

#endif
