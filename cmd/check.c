/* tcplens check: findings one per line, the exit status says if any matter. */
#include <stdio.h>
#include <string.h>

#include "cli_options.h"
#include "diagnose.h"

static const char check_usage[] =
	"Usage: tcplens check [OPTIONS] FILE...\n"
	"The findings of `tcplens report`, one per line (SEVERITY id subject:\n"
	"summary), for runbooks and CI: the exit status says whether any reached\n"
	"the level given.\n"
	"\n"
	"      --fail-on LEVEL     info, warning (default) or critical\n"
	"      --color WHEN        auto (default), always or never\n";

static const char check_exit_status[] =
	"Exit status: 0 no finding at the level, 1 findings at the level or\n"
	"above (a capture that could not be analysed is one: capture_coverage,\n"
	"a warning), 2 usage or invalid configuration, 3 unreadable file, 4 not\n"
	"a capture, 5 unsupported link type, 6 bad filter, 7 output or internal\n"
	"error.\n";

enum { OPT_FAIL_ON = CLI_OPT_FIRST_FREE, OPT_COLOR };

struct check_opts {
	struct cli_analysis_opts an;
	enum finding_severity fail_on;
	enum color_mode color;
};

static int check_option(void *opts, int ch, const char *arg, int *rc)
{
	struct check_opts *o = opts;

	if (ch == OPT_FAIL_ON) {
		if (!finding_severity_parse(arg, &o->fail_on)) {
			return cli_usage("check", rc, "check: --fail-on wants info, warning or critical, not '%s'",
				  arg);
		}
	} else if (!color_mode_parse(arg, &o->color)) { /* --color */
		return cli_usage("check", rc, "check: --color wants auto, always or never, not '%s'",
			  arg);
	}
	return 0;
}

static const struct option check_longopts[] = {
	{"fail-on", required_argument, NULL, OPT_FAIL_ON},
	{"color", required_argument, NULL, OPT_COLOR},
	{NULL, 0, NULL, 0},
};

static const struct cli_command check_command = {
	.name = "check",
	.usage = check_usage,
	.exit_status = check_exit_status,
	.common = CLI_COMMON_ENGINE,
	.options = check_longopts,
	.option = check_option,
};

static int parse_check_opts(int argc, char **argv, struct check_opts *o,
			    int *rc)
{
	int first;

	memset(o, 0, sizeof(*o));
	cli_analysis_defaults(&o->an);
	o->fail_on = SEVERITY_WARNING;
	first = cli_options_parse(&check_command, argc, argv, &o->an, NULL, o,
				  rc);
	if (first < 0 || cli_analysis_load_config(&o->an, rc) < 0)
		return -1;
	return first;
}

int cmd_check(int argc, char **argv)
{
	struct check_opts o;
	struct diagnosis d;
	int first, rc = CLI_EXIT_OK;
	size_t failing = 0;

	first = parse_check_opts(argc, argv, &o, &rc);
	if (first < 0)
		return rc;
	if (first >= argc) {
		cli_usage("check", NULL, "check: no capture file given (use '-' for standard input)");
		return CLI_EXIT_USAGE;
	}
	rc = diagnose_run(&o.an, 0, &argv[first], argc - first, &d);
	if (rc == CLI_EXIT_OK) {
		diagnosis_render_lines(stdout, &d.view, SEVERITY_INFO,
				       color_wanted(o.color));
		for (size_t i = 0; i < d.view.n_findings; i++)
			if (d.view.findings[i].severity >= o.fail_on)
				failing++;
		rc = cli_finish_output();
		if (rc == CLI_EXIT_OK && failing > 0)
			rc = CLI_EXIT_FINDINGS;
	}
	diagnosis_free(&d);
	return rc;
}
