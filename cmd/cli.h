/*
 * What the subcommands share: exit codes, the input loop that turns
 * capture files into decoded packets, and messages.
 */
#ifndef TCPLENS_CLI_H
#define TCPLENS_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "capture_quality.h"
#include "capture_source.h"
#include "packet.h"

#define TCPLENS_VERSION "0.1.0"

/* Documented in tcplens(1), EXIT STATUS; stable for runbooks. */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FINDINGS = 1,      /* `check`: findings at the level asked */
	CLI_EXIT_USAGE = 2,
	CLI_EXIT_INPUT = 3,         /* file missing, unreadable, a directory */
	CLI_EXIT_NOT_CAPTURE = 4,
	CLI_EXIT_LINK_TYPE = 5,
	CLI_EXIT_FILTER = 6,
	CLI_EXIT_INTERNAL = 7,      /* output could not be written, no memory */
};

typedef void (*cli_packet_fn)(void *ctx, const struct packet *pkt);

struct cli_input {
	const char *const *paths;
	size_t n_paths;
	const char *filter;         /* NULL for none */
	bool progress;              /* allowed; shown only on a terminal */
	/* Compute transport checksums (stats); analyses that do not report
	 * them go without. */
	bool checksums;
	/*
	 * Read and decode on a second thread (analyses: the engine is the
	 * other half of the work) when every input is a regular file;
	 * stats, which is all decoding, does not.
	 */
	bool pipelined;
};

/*
 * Opens the inputs, decodes every frame and hands it to fn.  Returns an
 * exit code; on success *src_out holds the source (for its input info),
 * to be freed by the caller.
 */
enum cli_exit cli_run_inputs(const struct cli_input *in, cli_packet_fn fn,
			     void *ctx, struct capture_source **src_out);

/* The exit status of a capture that could not be opened. */
enum cli_exit cli_capture_exit(enum capture_error err);
/*
 * Said once per input, after its frames: records of link types not
 * decoded or not filtered, and times that could not be used.
 */
void cli_warn_input_faults(const struct capture_source *src);

/*
 * What the inputs' info says the capture quality must know: the frames
 * never handed on (pcapng interfaces of link types not decoded, records
 * the filter could not be compiled for, the rest of a file after a
 * break) and the pcapng interface drop counts, summed over the inputs.
 * The one place that reads those counters.
 */
void cli_quality_facts(const struct capture_source *src,
		       struct quality_source_facts *out);

/* Decimals for printing timestamps: 6 when all inputs are microsecond. */
/*
 * The latest end the inputs' statistics give (pcapng isb_endtime), in
 * ns since the epoch; false when none does.  The capture ran until then:
 * the engine is advanced to it before it finishes.
 */
bool cli_capture_end(const struct capture_source *src, int64_t *end_ns);
int cli_ts_decimals(const struct capture_source *src);

/* "tcplens: " + message on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * A usage error as one line: "tcplens: MESSAGE; try 'tcplens CMD --help'"
 * (CMD NULL: 'tcplens --help').  Sets *rc to CLI_EXIT_USAGE unless rc
 * is NULL; returns -1.
 */
int cli_usage(const char *cmd, int *rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct option;
/*
 * getopt_long's error (ch '?' or ':'; opterr is 0 and optstring starts
 * with ':') as one cli_usage() line: an unknown or ambiguous option, a
 * missing value, a value given to an option that takes none.
 */
int cli_option_error(const char *cmd, int ch, char *const argv[],
		     const struct option *longopts, int *rc);
/* Flushes stdout; reports a write error as CLI_EXIT_INTERNAL. */
enum cli_exit cli_finish_output(void);

/* Subcommands. */
int cmd_stats(int argc, char **argv);
int cmd_follow(int argc, char **argv);
int cmd_flows(int argc, char **argv);
int cmd_states(int argc, char **argv);
int cmd_timeline(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_live(int argc, char **argv);

#endif
