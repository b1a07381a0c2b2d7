/*
 * The engine as one value: the analyzer with the detectors, each host's
 * socket table and the trouble ranking attached, wired once here.  Files,
 * live capture, the dashboard and tests drive it alike:
 *
 *	e = engine_new(&cfg);
 *	engine_feed(e, pkt);        each decoded packet, in capture order
 *	engine_advance(e, now);     time passed without packets (live)
 *	engine_finish(e);           end of input
 *	engine_results(e, &r);      what the run found
 *	engine_free(e);
 *
 * Packets are fed on one thread; nothing here blocks, prints or reads a
 * clock: time comes from the packets (and engine_advance()).
 */
#ifndef TCPLENS_ENGINE_H
#define TCPLENS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer.h"
#include "detect.h"
#include "host_states.h"
#include "ip_defrag.h"
#include "trouble_rank.h"

struct engine_config {
	struct analyzer_config analyzer;
	struct detect_config detect;
	size_t top_n;               /* connections in the trouble ranking */
};

/* Everything the run found; valid until the engine changes or is freed. */
struct engine_results {
	const struct analyzer_stats *stats;
	const struct defrag_stats *defrag;
	const struct finding *findings;
	size_t n_findings;
	uint64_t suppressed;        /* findings past the per-id cap */
	uint64_t not_tracked;       /* flows the detectors could not follow */
	const struct host_state_row *hosts;     /* sockets at the end */
	size_t n_hosts;
	const struct trouble_row *top;          /* most trouble first */
	size_t n_top;
};

struct engine;

/* NULL when memory ran out. */
struct engine *engine_new(const struct engine_config *cfg);
void engine_free(struct engine *e);

void engine_feed(struct engine *e, const struct packet *pkt);
void engine_advance(struct engine *e, int64_t now);
/*
 * End of input: the detectors settle what only the whole capture tells,
 * and each host's sockets are counted as the capture left them, before
 * the flows still open end.
 */
void engine_finish(struct engine *e);

/*
 * After engine_finish(): false when memory ran out somewhere (the
 * results would be incomplete: the caller says so and exits 7).
 */
bool engine_results(struct engine *e, struct engine_results *out);

/* The analyzer inside, for its counters and memory check. */
struct analyzer *engine_analyzer(struct engine *e);

#endif
