/* tcplens config: print the default configuration, show or check a file. */
#include <stdio.h>
#include <string.h>

#include "cli_analysis.h"
#include "cli_options.h"
#include "config_file.h"
#include "config_write.h"

static const char config_usage[] =
	"Usage: tcplens config --defaults\n"
	"       tcplens config --show [--config FILE]\n"
	"       tcplens config --check [--config FILE]\n"
	"The configuration file (YAML): the engine's timeouts and memory caps,\n"
	"and each detector's switches and thresholds.\n"
	"\n"
	"      --defaults          print the default configuration with every key,\n"
	"                          commented: a file to start from\n"
	"      --show              print the configuration in effect: the file\n"
	"                          read, merged over the defaults\n"
	"      --check             check the file; print 'FILE: ok'\n"
	"      --config FILE       the file to show or check; without it, the\n"
	"                          first found of $TCPLENS_CONFIG,\n"
	"                          $XDG_CONFIG_HOME/tcplens/config.yaml\n"
	"                          (~/.config/tcplens/config.yaml) and\n"
	"                          /etc/tcplens/config.yaml\n";

static const char config_exit_status[] =
	"Exit status: 0 ok, 2 usage or invalid configuration, 3 unreadable file,\n"
	"7 output error.\n";

enum config_action { ACTION_NONE, ACTION_DEFAULTS, ACTION_SHOW, ACTION_CHECK };

enum { OPT_DEFAULTS = 1000, OPT_SHOW, OPT_CHECK, OPT_CONFIG };

struct config_opts {
	enum config_action action;
	const char *path;       /* --config FILE */
};

static int config_option(void *opts, int ch, const char *arg, int *rc)
{
	struct config_opts *o = opts;
	enum config_action a;

	if (ch == OPT_CONFIG) {
		o->path = arg;
		return 0;
	}
	a = ch == OPT_DEFAULTS ? ACTION_DEFAULTS
	  : ch == OPT_SHOW ? ACTION_SHOW : ACTION_CHECK;
	if (o->action != ACTION_NONE && o->action != a)
		return cli_usage("config", rc, "config: give one of --defaults, --show and --check");
	o->action = a;
	return 0;
}

static const struct option config_longopts[] = {
	{"defaults", no_argument, NULL, OPT_DEFAULTS},
	{"show", no_argument, NULL, OPT_SHOW},
	{"check", no_argument, NULL, OPT_CHECK},
	{"config", required_argument, NULL, OPT_CONFIG},
	{NULL, 0, NULL, 0},
};

static const struct cli_command config_command = {
	.name = "config",
	.usage = config_usage,
	.exit_status = config_exit_status,
	.common = CLI_COMMON_NONE,
	.options = config_longopts,
	.option = config_option,
};

/* The action asked for, or ACTION_NONE after a usage error or --help. */
static enum config_action parse_config_opts(int argc, char **argv,
					    const char **path, int *rc)
{
	struct config_opts o = {ACTION_NONE, NULL};
	int first = cli_options_parse(&config_command, argc, argv, NULL, NULL,
				      &o, rc);

	*path = o.path;
	if (first < 0)
		return ACTION_NONE;
	if (first < argc) {
		cli_usage("config", rc, "config: unexpected argument '%s' (the file goes with --config)",
			  argv[first]);
		return ACTION_NONE;
	}
	if (o.action == ACTION_NONE) {
		cli_usage("config", rc, "config: what to do? --defaults, --show or --check");
	} else if (o.action == ACTION_DEFAULTS && o.path != NULL) {
		cli_usage("config", rc, "config: --defaults reads no file; --config goes with --show or --check");
		return ACTION_NONE;
	}
	return o.action;
}

int cmd_config(int argc, char **argv)
{
	char used[CONFIG_PATH_MAX], err[1024], line[CONFIG_PATH_MAX + 64];
	struct settings s;
	const char *path;
	enum config_status st;
	int rc = CLI_EXIT_OK;
	enum config_action action = parse_config_opts(argc, argv, &path, &rc);

	if (action == ACTION_NONE)
		return rc;
	if (action == ACTION_DEFAULTS) {
		settings_defaults(&s);
		config_write(stdout, &s, NULL);
		return cli_finish_output();
	}
	st = config_file_read(path, &s, used, sizeof(used), err, sizeof(err));
	if (st != CONFIG_OK) {
		cli_error("%s", err);
		return cli_config_exit(st);
	}
	if (action == ACTION_CHECK) {
		if (used[0] == '\0')
			printf("no configuration file found; the defaults apply\n");
		else
			printf("%s: ok\n", used);
		return cli_finish_output();
	}
	if (used[0] == '\0')
		snprintf(line, sizeof(line), "No configuration file found; defaults.");
	else
		snprintf(line, sizeof(line), "Read from %s, over the defaults.", used);
	config_write(stdout, &s, line);
	return cli_finish_output();
}
