/* tcplens config: print the default configuration, show or check a file. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_analysis.h"
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
	"                          /etc/tcplens/config.yaml\n"
	"  -h, --help              show this help\n"
	"\n"
	"Exit status: 0 ok, 2 usage or invalid configuration, 3 unreadable file,\n"
	"7 output error.\n";

enum config_action { ACTION_NONE, ACTION_DEFAULTS, ACTION_SHOW, ACTION_CHECK };

enum { OPT_DEFAULTS = 1000, OPT_SHOW, OPT_CHECK, OPT_CONFIG };

/* The action asked for, or ACTION_NONE after a usage error or --help. */
static enum config_action parse_config_opts(int argc, char **argv,
					    const char **path, int *rc)
{
	static const struct option longopts[] = {
		{"defaults", no_argument, NULL, OPT_DEFAULTS},
		{"show", no_argument, NULL, OPT_SHOW},
		{"check", no_argument, NULL, OPT_CHECK},
		{"config", required_argument, NULL, OPT_CONFIG},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	enum config_action action = ACTION_NONE;
	int ch;

	*path = NULL;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		enum config_action a = ACTION_NONE;

		if (ch == '?' || ch == ':') {
			cli_option_error("config", ch, argv, longopts, rc);
			return ACTION_NONE;
		}
		switch (ch) {
		case OPT_DEFAULTS: a = ACTION_DEFAULTS; break;
		case OPT_SHOW: a = ACTION_SHOW; break;
		case OPT_CHECK: a = ACTION_CHECK; break;
		case OPT_CONFIG:
			*path = optarg;
			continue;
		case 'h':
			fputs(config_usage, stdout);
			*rc = cli_finish_output();
			return ACTION_NONE;
		default:
			cli_usage("config", rc, "config: unexpected option");
			return ACTION_NONE;
		}
		if (action != ACTION_NONE && action != a) {
			cli_usage("config", rc, "config: give one of --defaults, --show and --check");
			return ACTION_NONE;
		}
		action = a;
	}
	if (optind < argc) {
		cli_usage("config", rc, "config: unexpected argument '%s' (the file goes with --config)",
			  argv[optind]);
		return ACTION_NONE;
	}
	if (action == ACTION_NONE) {
		cli_usage("config", rc, "config: what to do? --defaults, --show or --check");
	} else if (action == ACTION_DEFAULTS && *path != NULL) {
		cli_usage("config", rc, "config: --defaults reads no file; --config goes with --show or --check");
		action = ACTION_NONE;
	}
	return action;
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
