/*
 * The engine's parts, for its own files (engine.c wires them,
 * engine_snapshot.c copies their state out).  Not public: engine.h is.
 */
#ifndef TCPLENS_ENGINE_INTERNAL_H
#define TCPLENS_ENGINE_INTERNAL_H

#include "engine.h"
#include "host_counts.h"
#include "quality_policy.h"

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
};

/* The engine's storage in f, which it must have (engine.own). */
static inline const struct engine_flow_own *
engine_flow_own_of(const struct engine *e, const struct flow *f)
{
	return (const struct engine_flow_own *)
	       ((const char *)f + FLOW_SINK_OFFSET + e->own_at);
}

#endif
