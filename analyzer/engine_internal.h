/*
 * The engine's parts, for its own files (engine.c wires them,
 * engine_snapshot.c copies their state out).  Not public: engine.h is.
 */
#ifndef TCPLENS_ENGINE_INTERNAL_H
#define TCPLENS_ENGINE_INTERNAL_H

#include "engine.h"
#include "host_counts.h"
#include "quality_policy.h"

/* Every row of one connection from the moment it is watched. */
struct engine_ladder_watch {
	uint64_t uid;                   /* 0: none */
	struct ladder_row *rows;        /* a ring of cap, next overwritten */
	size_t cap, next;
	uint64_t written;               /* rows kept since the watch began */
	/* Once the connection ended: all the rows it wrote. */
	bool ended;
	uint64_t conn_rows;
	/* Its first rows, once it closed or ended and gave back its slot. */
	struct ladder_row first[ENGINE_LADDER_FIRST_ROWS];
	uint32_t n_first;
};

struct engine {
	struct analyzer *a;
	struct detectors *det;          /* NULL without ENGINE_DETECTORS */
	struct host_states *hosts;      /* NULL without ENGINE_SOCKETS */
	struct host_counts *counts;     /* NULL without ENGINE_SOCKET_COUNTS */
	size_t counts_at;               /* its place in the sink storage */
	struct trouble_rank *rank;      /* NULL without ENGINE_RANKING */
	struct capture_quality *quality; /* NULL without ENGINE_QUALITY */
	/* The findings as the capture's quality leaves them (results). */
	struct quality_policy_result *policy;
	/* The same for each snapshot, as the capture's quality is so far. */
	struct quality_policy_result *snap_policy;
	struct detect_config cfg_detect;
	/* A snapshot's ranking of live and ended connections, once needed. */
	struct trouble_rank *snap_rank;
	/* A paged take's heap keys, beside its rows (engine_flow_query). */
	double *page_keys;
	size_t cap_page_keys;
	/*
	 * ENGINE_FLOW_RATE: the rate interval's end (capture time) and its
	 * number; a flow whose rate_interval is rate_interval began before
	 * it and holds its rate over it.
	 */
	int64_t rate_base_at;
	uint32_t rate_interval;
	size_t top_n;
	struct engine_consumer consumers[ENGINE_MAX_CONSUMERS];
	size_t consumer_at[ENGINE_MAX_CONSUMERS];   /* in the sink storage */
	size_t n_consumers;
	unsigned parts;                 /* enum engine_part bits */
	/* The engine's own storage in a flow, with FLOW_RTT or HISTORY. */
	bool own;
	size_t own_at;                  /* in the sink storage */
	struct engine_rate_counts rates;    /* half_open set at each take */
	/*
	 * ENGINE_HISTORY: the last history_cap segments, next overwritten,
	 * and beside them their uids alone: a take looks for one
	 * connection's rows in 8 bytes a row instead of a row's 88.
	 */
	struct ladder_row *history;
	uint64_t *history_uid;
	size_t history_cap, history_next;
	uint64_t history_total;         /* rows ever written */
	/* The rows each of the last connections to end wrote, next replaced. */
	struct engine_ended_rows *ended;
	size_t ended_cap, ended_next;
	/*
	 * Each live connection's first rows: slot k's are first_rows[k *
	 * ENGINE_LADDER_FIRST_ROWS ...]; the free slots are a stack.
	 */
	struct ladder_row *first_rows;
	uint32_t *first_free;
	size_t first_cap, n_first_free;
	uint64_t first_refused;         /* connections begun with none free */
	struct engine_ladder_watch watch;
	bool finished;
};

struct engine_ended_rows {
	uint64_t uid;                   /* 0: unused */
	uint64_t rows;
};

/* What the engine keeps of its own in every flow (engine.own). */
struct engine_flow_own {
	uint32_t srtt_us[2];            /* ENGINE_FLOW_RTT: 0 no sample */
	uint32_t ladder_rows;           /* ENGINE_HISTORY: rows it wrote */
	uint32_t first_slot;            /* its first rows' slot + 1, 0: none */
	/* ENGINE_FLOW_RATE: as of the interval's end (engine.rate_*). */
	uint32_t rate_interval;
	uint64_t base_bytes[2];         /* ip_bytes each way then */
	float rate[2];                  /* bytes/s over the interval */
};

/* The engine's storage in f, which it must have (engine.own). */
static inline const struct engine_flow_own *
engine_flow_own_of(const struct engine *e, const struct flow *f)
{
	return (const struct engine_flow_own *)
	       ((const char *)f + FLOW_SINK_OFFSET + e->own_at);
}

/*
 * The same, to write: a take measures rates into it between feeds (the
 * storage is the engine's, the flow only holds it).
 */
static inline struct engine_flow_own *
engine_flow_own_to_write(const struct engine *e, const struct flow *f)
{
	return (struct engine_flow_own *)
	       ((char *)(uintptr_t)f + FLOW_SINK_OFFSET + e->own_at);
}

#endif
