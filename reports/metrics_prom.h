/*
 * `tcplens live`'s metrics in Prometheus' text exposition format
 * (version 0.0.4): one pure function from a snapshot and the capture's
 * counts to text in the caller's buffer, which both outputs (the
 * --metrics-textfile file and the --metrics-listen endpoint) serve.
 * Names follow Prometheus' conventions: the tcplens_ prefix, base
 * units, _total on counters, HELP and TYPE before each family.
 *
 * Label values are bounded: at most max_hosts hosts get a host label,
 * the most troubled (host_state_row_trouble()), and the sockets of all
 * the others are summed under host="other"; finding ids and severities
 * are fixed sets.
 *
 * Use: metrics_prom_tally_add() with every snapshot taken for metrics
 * (the findings counter counts what it saw listed), then
 * metrics_prom_format().  Nothing here allocates, blocks or reads a
 * clock.
 */
#ifndef TCPLENS_METRICS_PROM_H
#define TCPLENS_METRICS_PROM_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "live_counts.h"
#include "tunnel_table.h"

/* --metrics-max-hosts: the default, and the most a run may ask for. */
#define METRICS_PROM_MAX_HOSTS 50
#define METRICS_PROM_MAX_HOSTS_LIMIT 1000

/* The HTTP Content-Type of the format. */
#define METRICS_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/*
 * Findings listed so far, by id and the severity they were first
 * listed with: a counter never goes down, so a finding withdrawn or
 * folded later stays counted.  A finding listed and gone between two
 * snapshots is never seen, so never counted.
 */
struct metrics_prom_tally {
	uint64_t listed[FINDING_COUNT][3];
};

/* Counts s's findings new since the previous take into s. */
void metrics_prom_tally_add(struct metrics_prom_tally *t,
			    const struct engine_snapshot *s);

/*
 * live's export of flows and findings (--flows-out, --clickhouse): what
 * reached each sink, and what was dropped, by why.
 */
struct metrics_prom_export {
	bool files, clickhouse;         /* the sinks in use; neither: none */
	uint64_t records_files;         /* in files closed */
	uint64_t records_clickhouse;    /* rows the server took */
	uint64_t dropped_queue;         /* the export queue was full */
	uint64_t dropped_spill;         /* the spill directory was full */
	uint64_t spill_bytes;           /* batches waiting on disk */
	uint64_t insert_failures;       /* requests to ClickHouse that failed */
};

struct metrics_prom_input {
	/* With SNAPSHOT_SOCKETS and SNAPSHOT_FINDINGS. */
	const struct engine_snapshot *snap;
	const struct live_counts *counts;
	uint64_t flows;                         /* tracked now */
	const struct metrics_prom_tally *tally;
	const struct tunnel_table *tunnels;     /* names hosts' tunnels; may be NULL */
	size_t max_hosts;                       /* <= METRICS_PROM_MAX_HOSTS_LIMIT */
	const struct metrics_prom_export *export;       /* NULL: none */
};

/*
 * value as a label value is written between its quotes (\\, \" and \n
 * escaped) into out as snprintf() writes; returns its whole length.
 */
size_t metrics_prom_label_value(char *out, size_t cap, const char *value);

/*
 * The text into buf as snprintf() writes (NUL-terminated when cap > 0,
 * cut short when it does not fit); returns its whole length, so a
 * return >= cap asks for a larger buffer.
 */
size_t metrics_prom_format(char *buf, size_t cap,
			   const struct metrics_prom_input *in);

#endif
