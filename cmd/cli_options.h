/*
 * What every command's option parsing shares, so that each declares
 * only its own options: one getopt_long loop for all (opterr off, ':'
 * first in the optstring, getopt's errors as one cli_option_error()
 * line), -h/--help printed from the command's parts, -F/--format read
 * against the set of formats the command accepts, and -f/--filter with
 * the engine options of cli_analysis.h where the command has them.
 */
#ifndef TCPLENS_CLI_OPTIONS_H
#define TCPLENS_CLI_OPTIONS_H

#include <getopt.h>

#include "cli_analysis.h"
#include "output_format.h"

/* The exit status paragraph of most commands' --help. */
extern const char cli_exit_status_help[];

/* The shared options a command has besides -h/--help (and -F). */
enum cli_common {
	CLI_COMMON_NONE,        /* its own options only (config) */
	CLI_COMMON_FILTER,      /* -f/--filter (stats) */
	CLI_COMMON_ENGINE,      /* -f and the engine options, CLI_ANALYSIS_LONGOPTS */
};

/*
 * A command's options.  The long options are, in this order (which is
 * the order an ambiguous abbreviation's candidates are named in): the
 * shared ones, --format, the command's own, --help.
 */
struct cli_command {
	const char *name;               /* "flows": messages, 'tcplens flows --help' */
	/*
	 * --help is usage, the engine options' lines (CLI_COMMON_ENGINE),
	 * the -h line, a blank line and exit_status.
	 */
	const char *usage;
	const char *exit_status;
	enum cli_common common;
	unsigned formats;               /* -F's OUTPUT_FORMAT_SET(); 0: no -F */
	const struct option *options;   /* the command's own; NULL-name ended */
	/*
	 * getopt letters of its own short options ("r:c:"), each also the
	 * val of an entry in options; NULL for none.
	 */
	const char *short_options;
	/*
	 * One of the command's own options (ch: its val in options): 0, or
	 * -1 after printing a usage error with *rc set.
	 */
	int (*option)(void *opts, int ch, const char *arg, int *rc);
};

/*
 * Parses argv (argv[0] the command) for c: -f goes to an->filter, the
 * engine options into *an (an may be NULL for CLI_COMMON_NONE), -F into
 * *format (NULL when c->formats is 0), the command's own options to
 * c->option(opts, ...).  Returns the index of the first operand, or -1
 * when the command is over: --help printed (*rc the status of writing
 * it) or a usage error printed (*rc CLI_EXIT_USAGE).
 */
int cli_options_parse(const struct cli_command *c, int argc, char **argv,
		      struct cli_analysis_opts *an, enum output_format *format,
		      void *opts, int *rc);

/*
 * -F arg for cmd, which accepts the formats in accepted (a set of
 * OUTPUT_FORMAT_SET bits): 0 with *out set, or -1 after the usage error
 * "CMD: unknown format 'ARG' (text, json, ...)", *rc set to
 * CLI_EXIT_USAGE.
 */
int cli_format_option(const char *cmd, const char *arg, unsigned accepted,
		      enum output_format *out, int *rc);

#endif
