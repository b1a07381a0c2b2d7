/*
 * live --clickhouse URL: the exported records inserted over ClickHouse's
 * HTTP interface (INSERT INTO TABLE FORMAT JSONEachRow), in batches of
 * EXPORT_BATCH_ROWS rows or EXPORT_BATCH_NS of age, whichever comes
 * first, one batch per table (flows, findings).
 *
 * Nothing is lost while the server is away, and nothing is inserted
 * twice when it goes away mid-insert:
 * - a batch that cannot be sent is spilled to the spill directory, as
 *   the body it would have sent, under a name that sorts by when it was
 *   made; later batches follow it there, so they are replayed in order
 *   once the server answers again (after a back-off that doubles from
 *   EXPORT_RETRY_MIN_NS to EXPORT_RETRY_MAX_NS).  Batches a previous run
 *   left there are replayed first.  Only when the spill directory would
 *   pass its cap are a batch's records dropped, and counted.
 * - every row carries "batch":"ID/ROW", ID naming the batch (sensor,
 *   process, start time, sequence) and ROW its row.  Before a batch is
 *   sent a second time (its first insert failed, perhaps after the
 *   server had stored it, or part of it on some shards of a Distributed
 *   table), the rows of that batch already stored are asked for, and
 *   only the others are sent.  Inserts ask for insert_distributed_sync,
 *   so a Distributed table answers only once the shards have the rows.
 * Used by the exporter thread only; sends block that thread, never the
 * engine (export_queue.h).
 */
#ifndef TCPLENS_EXPORT_CLICKHOUSE_H
#define TCPLENS_EXPORT_CLICKHOUSE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "export_queue.h"

#define EXPORT_BATCH_ROWS 10000
#define EXPORT_BATCH_BYTES (8u << 20)
#define EXPORT_BATCH_NS (1000 * 1000000LL)
#define EXPORT_RETRY_MIN_NS (500 * 1000000LL)
#define EXPORT_RETRY_MAX_NS (30 * 1000000000LL)
#define EXPORT_SPILL_MAX_DEFAULT_BYTES (256ull << 20)

struct export_clickhouse_config {
	const char *url;                /* http://HOST:PORT/[?database=DB] */
	const char *tables[EXPORT_KINDS];       /* flows, findings */
	const char *spill_dir;
	uint64_t spill_max;             /* bytes */
	const char *sensor;             /* NULL: none */
};

/* Counts the metrics read from another thread. */
struct export_clickhouse_counts {
	atomic_uint_fast64_t inserted;          /* rows the server took */
	atomic_uint_fast64_t dropped;           /* rows the spill had no room for */
	atomic_uint_fast64_t spill_bytes;       /* in the spill directory now */
	atomic_uint_fast64_t failures;          /* inserts that failed */
};

struct export_clickhouse;

/*
 * The spill directory made if missing and checked writable, the
 * batches an earlier run left there counted; NULL with why set when it
 * cannot be, or memory ran out.  The server is not asked anything yet:
 * a sensor starts while its ClickHouse is away.
 */
struct export_clickhouse *export_clickhouse_open(
	const struct export_clickhouse_config *cfg,
	struct export_clickhouse_counts *counts, char *why, size_t why_len);
/* A record (a line without its newline) into its table's batch. */
void export_clickhouse_add(struct export_clickhouse *c, enum export_kind kind,
			   const char *line, size_t len, int64_t now_mono);
/*
 * Batches due by now_mono sealed and sent (or spilled), spilled ones
 * replayed once the back-off allows; when it wants to be called next.
 */
int64_t export_clickhouse_work(struct export_clickhouse *c, int64_t now_mono);
/*
 * The open batches sealed and one more attempt to send everything, for
 * at most linger_ns; what is not sent stays spilled for the next run.
 * Frees c.  why says what is left spilled or was dropped (empty: all
 * sent); false when records were dropped.  c may be NULL.
 */
bool export_clickhouse_close(struct export_clickhouse *c, int64_t linger_ns,
			     char *why, size_t why_len);

#endif
