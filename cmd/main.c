/* tcplens: dispatch to a subcommand (one file each under cmd/). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <getopt.h>

#include "cli.h"

static const char main_usage[] =
	"Usage: tcplens COMMAND [OPTIONS] FILE...\n"
	"       tcplens FILE...   (the same as tcplens report FILE...)\n"
	"Packet-capture analyzer and TCP diagnostics for pcap and pcapng files.\n"
	"\n"
	"Commands:\n"
	"  report     what is wrong: findings with evidence and advice, host states\n"
	"  check      the findings one per line; exit 1 when any reach --fail-on\n"
	"  stats      protocol hierarchy, frame and byte counts, decode problems\n"
	"  flows      one record per connection: states, conn_state, retransmissions\n"
	"  states     each host's TCP socket table (as ss -tan) from the wire\n"
	"  timeline   the ladder of one connection's segments, with both states\n"
	"  follow     one connection's byte stream, reassembled, gaps shown\n"
	"  config     the configuration file: print the defaults, show or check it\n"
	"\n"
	"Options:\n"
	"  -h, --help     show this help ('tcplens COMMAND --help' for a command)\n"
	"  -V, --version  show the version\n"
	"\n"
	"Exit status: 0 ok, 1 findings (check) or no matching connection\n"
	"(timeline, follow), 2 usage, 3 unreadable file,\n"
	"4 not a capture, 5 unsupported link type, 6 bad filter,\n"
	"7 output error or out of memory (results incomplete).  See tcplens(1).\n";

struct command {
	const char *name;
	const char *prog; /* getopt prefixes its messages with argv[0] */
	int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
	{"report", "tcplens report", cmd_report},
	{"check", "tcplens check", cmd_check},
	{"stats", "tcplens stats", cmd_stats},
	{"flows", "tcplens flows", cmd_flows},
	{"states", "tcplens states", cmd_states},
	{"timeline", "tcplens timeline", cmd_timeline},
	{"follow", "tcplens follow", cmd_follow},
	{"config", "tcplens config", cmd_config},
};

int main(int argc, char **argv)
{
	/* Each command says getopt's errors itself, as one line. */
	opterr = 0;
	if (argc < 2) {
		fputs(main_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(main_usage, stdout);
		return cli_finish_output();
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("tcplens %s\n", TCPLENS_VERSION);
		return cli_finish_output();
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		/* getopt only reads argv[0]; it never writes through it. */
		argv[1] = (char *)commands[i].prog;
		return commands[i].run(argc - 1, argv + 1);
	}
	/*
	 * `tcplens FILE...`: a capture where a command would be is a report.
	 * What is not a command name is a file name when it exists or looks
	 * like one (a '/' or a '.'): `tcplens missing.pcap` is then a missing
	 * file (exit 3), and only a bare word stays an unknown command.
	 */
	if (argv[1][0] != '-' &&
	    (access(argv[1], F_OK) == 0 || strpbrk(argv[1], "/.") != NULL)) {
		argv[0] = (char *)"tcplens report";
		return cmd_report(argc, argv);
	}
	if (argv[1][0] == '-') {
		cli_usage(NULL, NULL, "unknown option '%s' (options go after the command)",
			  argv[1]);
		return CLI_EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		size_t n = strlen(argv[1]);

		/* "stat", "flow", "state": a command cut short. */
		if (n >= 3 && strncmp(argv[1], commands[i].name, n) == 0) {
			cli_usage(NULL, NULL, "unknown command '%s' (did you mean %s?)",
				  argv[1], commands[i].name);
			return CLI_EXIT_USAGE;
		}
	}
	cli_usage(NULL, NULL, "unknown command '%s'", argv[1]);
	return CLI_EXIT_USAGE;
}
