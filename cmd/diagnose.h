/*
 * What report and check share: one run of the engine (analyzer/engine.h)
 * over the inputs, and its results in the form the renderers take.
 */
#ifndef TCPLENS_DIAGNOSE_H
#define TCPLENS_DIAGNOSE_H

#include "cli_analysis.h"
#include "diagnosis_report.h"
#include "engine.h"

struct diagnosis {
	struct engine *e;
	struct capture_source *src;
	struct diagnosis_view view;
};

/*
 * Runs the inputs through the engine and the detectors; on CLI_EXIT_OK
 * d->view holds everything a report shows.  diagnosis_free() in any case.
 */
enum cli_exit diagnose_run(const struct cli_analysis_opts *o, size_t top_n,
			   char **paths, int n_paths, struct diagnosis *d);
void diagnosis_free(struct diagnosis *d);

/* The parts of diagnose_run() that live drives itself: */
/*
 * The engine with every part (ENGINE_ALL), top_n ranked, and the
 * consumers given (live's flow lines; NULL, 0 for none); NULL (said)
 * without memory.  The socket table is taken once, at the end: a run
 * that takes snapshots as it goes (live) asks for ENGINE_SOCKET_COUNTS
 * through diagnose_engine_new_with(), a cost per segment and per flow
 * that a one-shot report must not pay.
 */
struct engine *diagnose_engine_new(const struct cli_analysis_opts *o,
				   size_t top_n,
				   const struct engine_consumer *consumers,
				   size_t n_consumers);
/*
 * diagnose_engine_new() with parts beside ENGINE_ALL (live's
 * ENGINE_SOCKET_COUNTS, the dashboard's ENGINE_FLOW_RTT and
 * ENGINE_HISTORY).
 */
struct engine *diagnose_engine_new_with(const struct cli_analysis_opts *o,
					size_t top_n,
					const struct engine_consumer *consumers,
					size_t n_consumers, unsigned more_parts);
/* Whether frames' checksums are verified: only for checksum_errors. */
bool diagnose_checksums(const struct cli_analysis_opts *o);
/*
 * After engine_finish() of d->e: d->view from its results (d->src, when
 * set, gives the time decimals; 9 without); CLI_EXIT_INTERNAL, said,
 * when memory ran out.
 */
enum cli_exit diagnosis_take_view(struct diagnosis *d, char **paths,
				  int n_paths);

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

/* --color auto|always|never; false for anything else. */
bool color_mode_parse(const char *s, enum color_mode *out);
/*
 * Whether to colour standard output: always, never, or (auto) when it
 * is a terminal, TERM is not "dumb" and NO_COLOR is unset or empty
 * (https://no-color.org).
 */
bool color_wanted(enum color_mode m);

#endif
