/*
 * What every command's option parsing shares: -F/--format, read the
 * same way by every command that has it.
 */
#ifndef TCPLENS_CLI_OPTIONS_H
#define TCPLENS_CLI_OPTIONS_H

#include "output_format.h"

/*
 * -F arg for cmd, which accepts the formats in accepted (a set of
 * OUTPUT_FORMAT_SET bits): 0 with *out set, or -1 after the usage error
 * "CMD: unknown format 'ARG' (text, json, ...)", *rc set to
 * CLI_EXIT_USAGE.
 */
int cli_format_option(const char *cmd, const char *arg, unsigned accepted,
		      enum output_format *out, int *rc);

#endif
