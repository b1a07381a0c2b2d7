#include "cli_options.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Room for the longest list: the engine's, --format, flows' own, --help. */
enum { MAX_LONGOPTS = 48 };

const char cli_exit_status_help[] =
	"Exit status: 0 ok, 2 usage, 3 unreadable file, 4 not a capture,\n"
	"5 unsupported link type, 6 bad filter, 7 output or internal error.\n";

static const struct option engine_longopts[] = {
	CLI_ANALYSIS_LONGOPTS,
	{NULL, 0, NULL, 0},
};
static const struct option filter_longopts[] = {
	{"filter", required_argument, NULL, 'f'},
	{NULL, 0, NULL, 0},
};
static const struct option format_longopts[] = {
	{"format", required_argument, NULL, 'F'},
	{NULL, 0, NULL, 0},
};
static const struct option help_longopts[] = {
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

int cli_format_option(const char *cmd, const char *arg, unsigned accepted,
		      enum output_format *out, int *rc)
{
	char list[64];

	if (output_format_parse(arg, accepted, out))
		return 0;
	output_format_list(accepted, list, sizeof(list));
	return cli_usage(cmd, rc, "%s: unknown format '%s' (%s)", cmd, arg,
			 list);
}

/* Appends the NULL-name ended list from to the n entries of to. */
static bool add_longopts(struct option *to, size_t *n,
			 const struct option *from)
{
	for (; from->name != NULL; from++) {
		if (*n + 1 >= MAX_LONGOPTS)
			return false;
		to[(*n)++] = *from;
	}
	return true;
}

/* c's long options in their order, NULL-name ended; false: too many. */
static bool build_longopts(const struct cli_command *c,
			   struct option all[MAX_LONGOPTS])
{
	size_t n = 0;
	bool ok = true;

	if (c->common == CLI_COMMON_ENGINE)
		ok = add_longopts(all, &n, engine_longopts);
	else if (c->common == CLI_COMMON_FILTER)
		ok = add_longopts(all, &n, filter_longopts);
	if (ok && c->formats != 0)
		ok = add_longopts(all, &n, format_longopts);
	if (ok && c->options != NULL)
		ok = add_longopts(all, &n, c->options);
	ok = ok && add_longopts(all, &n, help_longopts);
	memset(&all[n], 0, sizeof(all[n]));
	return ok;
}

/* ":f:F:h" with what c has of -f and -F, and its own short options. */
static void build_optstring(const struct cli_command *c, char out[32])
{
	size_t n = 0;

	/* ':' first: a missing value is told from an unknown option. */
	out[n++] = ':';
	if (c->common != CLI_COMMON_NONE) {
		out[n++] = 'f';
		out[n++] = ':';
	}
	if (c->formats != 0) {
		out[n++] = 'F';
		out[n++] = ':';
	}
	out[n++] = 'h';
	out[n] = '\0';
	if (c->short_options != NULL)
		strncat(out, c->short_options, 32 - 1 - n);
}

static int print_help(const struct cli_command *c, int *rc)
{
	fputs(c->usage, stdout);
	if (c->common == CLI_COMMON_ENGINE)
		fputs(cli_analysis_usage, stdout);
	fputs("  -h, --help              show this help\n\n", stdout);
	fputs(c->exit_status, stdout);
	*rc = cli_finish_output();
	return -1;
}

static bool is_own_option(const struct cli_command *c, int ch)
{
	if (c->options == NULL || c->option == NULL)
		return false;
	for (const struct option *o = c->options; o->name != NULL; o++)
		if (o->val == ch && o->flag == NULL)
			return true;
	return false;
}

/*
 * ch if it is a shared option: 1 when handled, 0 when it is none, -1
 * after a usage error (*rc set).
 */
static int common_option(const struct cli_command *c, int ch,
			 const char *arg, struct cli_analysis_opts *an,
			 enum output_format *format, int *rc)
{
	int handled;

	if (ch == 'F' && c->formats != 0)
		return cli_format_option(c->name, arg, c->formats, format, rc) < 0
		       ? -1 : 1;
	if (ch == 'f' && c->common == CLI_COMMON_FILTER) {
		an->filter = arg;
		return 1;
	}
	if (c->common != CLI_COMMON_ENGINE)
		return 0;
	handled = cli_analysis_option(ch, arg, c->name, an);
	if (handled < 0)
		*rc = CLI_EXIT_USAGE;
	return handled;
}

int cli_options_parse(const struct cli_command *c, int argc, char **argv,
		      struct cli_analysis_opts *an, enum output_format *format,
		      void *opts, int *rc)
{
	struct option all[MAX_LONGOPTS];
	char optstring[32];
	int ch;

	if (!build_longopts(c, all)) {
		cli_error("%s: too many options", c->name);
		*rc = CLI_EXIT_INTERNAL;
		return -1;
	}
	build_optstring(c, optstring);
	/* Each error is said once, by cli_option_error(), not by getopt. */
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, optstring, all, NULL)) != -1) {
		int handled;

		if (ch == '?' || ch == ':')
			return cli_option_error(c->name, ch, argv, all, rc);
		if (ch == 'h')
			return print_help(c, rc);
		handled = common_option(c, ch, optarg, an, format, rc);
		if (handled < 0)
			return -1;
		if (handled > 0)
			continue;
		if (!is_own_option(c, ch))
			return cli_usage(c->name, rc, "%s: unexpected option",
					 c->name);
		if (c->option(opts, ch, optarg, rc) < 0)
			return -1;
	}
	return optind;
}
