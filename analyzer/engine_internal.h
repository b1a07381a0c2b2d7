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
	bool finished;
};

#endif
