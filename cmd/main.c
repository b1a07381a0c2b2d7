/* tcplens: dispatch to a subcommand (one file each under cmd/). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <getopt.h>
#include <sys/wait.h>

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
	"  live       findings as they happen, on an interface or replaying captures\n"
	"  config     the configuration file: print the defaults, show or check it\n"
	"\n"
	"Options:\n"
	"  -h, --help     show this help ('tcplens COMMAND --help' for a command)\n"
	"  -V, --version  show the version\n"
	"\n"
	"Manual: 'tcplens help' opens tcplens(1), 'tcplens help COMMAND' the\n"
	"command's page, tcplens-COMMAND(1), and 'tcplens help diagnostics' the\n"
	"findings' runbook, tcplens-diagnostics(7).\n"
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
	{"live", "tcplens live", cmd_live},
	{"config", "tcplens config", cmd_config},
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The command a word cut short names ("stat", "flow", "state"), or NULL. */
static const struct command *command_cut_short(const char *word)
{
	size_t n = strlen(word);

	for (size_t i = 0; i < N_COMMANDS; i++)
		if (n >= 3 && strncmp(word, commands[i].name, n) == 0)
			return &commands[i];
	return NULL;
}

enum man_page { MAN_PAGE_FOUND, MAN_PAGE_MISSING, MAN_NOT_INSTALLED };

/* Whether man(1) finds the page: `man -w SECTION PAGE`, its output dropped. */
static enum man_page man_finds(const char *section, const char *page)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return MAN_PAGE_MISSING;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execlp("man", "man", "-w", section, page, (char *)NULL);
		_exit(errno == ENOENT ? 127 : 126);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return MAN_PAGE_MISSING;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return MAN_PAGE_FOUND;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return MAN_NOT_INSTALLED;
	return MAN_PAGE_MISSING;
}

/*
 * `tcplens help [COMMAND]` opens the command's manual page, as `git help`
 * does: man(1) replaces this process.  Without man, or when man does not
 * find the page, the command's usage stands in for it (the top-level
 * usage for tcplens(1)), with a line on stderr that the page is not
 * installed; either way the exit status is 0.
 */
static int help(int argc, char **argv)
{
	const char *topic = argc > 2 ? argv[2] : NULL;
	const struct command *cmd = NULL;
	const char *section = "1";
	char page[64] = "tcplens";
	enum man_page found;
	const char *why;
	int rc;

	if (argc > 3) {
		cli_usage(NULL, NULL, "help: one command at most, not '%s' too", argv[3]);
		return CLI_EXIT_USAGE;
	}
	if (topic != NULL && topic[0] == '-') {
		cli_usage(NULL, NULL, "help: unknown option '%s'", topic);
		return CLI_EXIT_USAGE;
	}
	if (topic != NULL && strcmp(topic, "diagnostics") == 0) {
		snprintf(page, sizeof(page), "tcplens-diagnostics");
		section = "7";
	} else if (topic != NULL && strcmp(topic, "help") != 0) {
		for (size_t i = 0; i < N_COMMANDS && cmd == NULL; i++)
			if (strcmp(topic, commands[i].name) == 0)
				cmd = &commands[i];
		if (cmd == NULL) {
			const struct command *near = command_cut_short(topic);

			if (near != NULL)
				cli_usage(NULL, NULL, "help: unknown command '%s' (did you mean %s?)",
					  topic, near->name);
			else
				cli_usage(NULL, NULL, "help: unknown command '%s'", topic);
			return CLI_EXIT_USAGE;
		}
		snprintf(page, sizeof(page), "tcplens-%s", cmd->name);
	}

	found = man_finds(section, page);
	if (found == MAN_PAGE_FOUND) {
		execlp("man", "man", section, page, (char *)NULL);
		found = MAN_NOT_INSTALLED; /* gone since man -w ran */
	}
	why = found == MAN_NOT_INSTALLED ? " (no man command)" : "";
	if (cmd != NULL) {
		/* The command prints its usage for --help and reads nothing. */
		char *help_argv[] = {(char *)cmd->prog, (char *)"--help", NULL};

		rc = cmd->run(2, help_argv);
	} else {
		if (*section == '1')
			fputs(main_usage, stdout);
		rc = cli_finish_output();
	}
	if (rc != CLI_EXIT_OK)
		return rc;
	if (*section != '1')    /* tcplens-diagnostics(7): no usage stands in */
		cli_error("the manual page %s(%s) is not installed%s", page, section, why);
	else
		cli_error("the manual page %s(%s) is not installed%s; shown instead: tcplens%s%s --help",
			  page, section, why, cmd != NULL ? " " : "", cmd != NULL ? cmd->name : "");
	return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
	/* Each command says getopt's errors itself, as one line. */
	opterr = 0;
	if (argc < 2) {
		fputs(main_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(main_usage, stdout);
		return cli_finish_output();
	}
	if (strcmp(argv[1], "help") == 0)
		return help(argc, argv);
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("tcplens %s\n", TCPLENS_VERSION);
		return cli_finish_output();
	}
	for (size_t i = 0; i < N_COMMANDS; i++) {
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
	/* "stat", "flow", "state": a command cut short. */
	if (command_cut_short(argv[1]) != NULL) {
		cli_usage(NULL, NULL, "unknown command '%s' (did you mean %s?)",
			  argv[1], command_cut_short(argv[1])->name);
		return CLI_EXIT_USAGE;
	}
	cli_usage(NULL, NULL, "unknown command '%s'", argv[1]);
	return CLI_EXIT_USAGE;
}
