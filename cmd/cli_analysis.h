/*
 * What the analysis commands (flows, states, timeline, follow) share:
 * the engine options, the flow selector, and running the engine over
 * the inputs.
 */
#ifndef TCPLENS_CLI_ANALYSIS_H
#define TCPLENS_CLI_ANALYSIS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "analyzer.h"
#include "cli.h"
#include "config_file.h"
#include "detect_config.h"
#include "engine.h"

/* Option codes of the engine options, above any short option. */
enum {
	CLI_OPT_NO_PROGRESS = 300,
	CLI_OPT_TIME_WAIT,
	CLI_OPT_MAX_FLOWS,
	CLI_OPT_TCP_TIMEOUT,
	CLI_OPT_UDP_TIMEOUT,
	CLI_OPT_ICMP_TIMEOUT,
	CLI_OPT_FRAG_TIMEOUT,
	CLI_OPT_FRAG_MEMORY,
	CLI_OPT_CONFIG,
	CLI_OPT_FIRST_FREE,         /* commands number their own from here */
};

/*
 * The engine options' long options, which cli_options_parse() puts
 * first for a command with CLI_COMMON_ENGINE (no NULL entry at the end).
 */
#define CLI_ANALYSIS_LONGOPTS                                             \
	{"filter", required_argument, NULL, 'f'},                         \
	{"no-progress", no_argument, NULL, CLI_OPT_NO_PROGRESS},          \
	{"time-wait", required_argument, NULL, CLI_OPT_TIME_WAIT},        \
	{"max-flows", required_argument, NULL, CLI_OPT_MAX_FLOWS},        \
	{"tcp-timeout", required_argument, NULL, CLI_OPT_TCP_TIMEOUT},    \
	{"udp-timeout", required_argument, NULL, CLI_OPT_UDP_TIMEOUT},    \
	{"icmp-timeout", required_argument, NULL, CLI_OPT_ICMP_TIMEOUT},  \
	{"frag-timeout", required_argument, NULL, CLI_OPT_FRAG_TIMEOUT},  \
	{"frag-memory", required_argument, NULL, CLI_OPT_FRAG_MEMORY},    \
	{"config", required_argument, NULL, CLI_OPT_CONFIG}

/* Their lines in --help, which cli_options_parse() prints. */
extern const char cli_analysis_usage[];

struct cli_analysis_opts {
	const char *filter;
	bool progress;
	struct analyzer_config cfg;
	struct detect_config detect;
	const char *config;         /* --config FILE; NULL: the search path */
	/* Compute checksums (report, check: the checksum_errors detector). */
	bool checksums;
	unsigned given;             /* engine options on the command line */
};

/* The built-in defaults; no file is read yet. */
void cli_analysis_defaults(struct cli_analysis_opts *o);
/*
 * Handles ch if it is an engine option (or --config): returns 1 when
 * handled, 0 when not an engine option, -1 after printing a usage error
 * for cmd (the caller then exits CLI_EXIT_USAGE).
 */
int cli_analysis_option(int ch, const char *arg, const char *cmd,
			struct cli_analysis_opts *o);
/*
 * Called after the command's option loop: reads the configuration file
 * (--config, else the search path of config_file_locate()) into o->cfg
 * and o->detect, the engine options given on the command line winning
 * whatever their place.  Returns 0, or -1 with the error printed and *rc
 * set (2 invalid, 3 unreadable, 7 no memory).  Reading after the loop
 * lets getopt alone parse the arguments (--conf, --config=FILE, a
 * filter that reads "--config"), and --help work with a broken file.
 */
int cli_analysis_load_config(struct cli_analysis_opts *o, int *rc);

/* The exit status for a configuration that could not be read. */
enum cli_exit cli_config_exit(enum config_status st);

/* --flow UID or ADDR:PORT-ADDR:PORT ([v6]:port for IPv6), either order. */
struct flow_selector {
	bool by_uid;
	char uid[FLOW_UID_LEN];
	struct ip_addr a, b;
	uint16_t pa, pb;
};

bool flow_selector_parse(const char *s, struct flow_selector *sel);
bool flow_selector_match(const struct flow_selector *sel,
			 const struct flow *f);

/*
 * The connection a selector picks (timeline, follow): the first TCP
 * connection it matches.  A 4-tuple may carry several connections one
 * after another (a port reused after TIME_WAIT); each later one is
 * counted once, at its start, and the first FLOW_PICK_NAMED are kept to
 * be named.  Zeroed before the run.
 */
#define FLOW_PICK_NAMED 8

struct flow_pick {
	bool found;
	uint64_t uid;                   /* the connection picked */
	const char *other_proto;        /* the selector matched a UDP/ICMP flow */
	size_t n_later;
	uint64_t later[FLOW_PICK_NAMED];
};

enum flow_pick_verdict {
	FLOW_PICK_NONE,                 /* not the selector's, or not TCP */
	FLOW_PICK_FIRST,                /* the connection picked */
	FLOW_PICK_LATER,                /* a later one on the same 4-tuple */
};

/* From the engine's on_flow_start, for every flow. */
enum flow_pick_verdict flow_pick_on_start(struct flow_pick *p,
					  const struct flow_selector *sel,
					  const struct flow *f);
/*
 * One warning naming the later connections, when there are any: cmd's
 * output shows only the first ("followed", "showed": what cmd did).
 */
void flow_pick_warn_later(const struct flow_pick *p, const char *cmd,
			  const char *sel_text, const char *did);

/* A whole number in [min, max], or false. */
bool cli_parse_long(const char *s, long min, long max, long *out);

/*
 * --sensor NAME, the capture point written into every record: 1 to
 * CLI_SENSOR_MAX bytes of letters, digits, '.', '_', ':' and '-', so it
 * needs no quoting in JSON, CSV, file names or a Prometheus label.
 */
#define CLI_SENSOR_MAX 64
bool cli_sensor_valid(const char *s);

/*
 * The inputs ran until their statistics' end time (pcapng isb_endtime,
 * as tcplens live -w writes it): the engine's clock is moved on to it,
 * so what is judged at the end is judged when the capture stopped, not
 * at its last packet.  Nothing when no end is given or it is earlier.
 */
void cli_engine_to_capture_end(struct engine *e,
			       const struct capture_source *src);

/*
 * Feeds the input files to the engine, then advances it to their end
 * (cli_engine_to_capture_end()), engine_finish() and the memory check
 * (CLI_EXIT_INTERNAL when flows were lost for want of it).
 */
enum cli_exit cli_engine_run(const struct cli_analysis_opts *o,
			     char **paths, int n_paths, struct engine *e,
			     struct capture_source **src_out);

/*
 * cli_engine_run() calling before(ctx, packet) ahead of each packet fed
 * (report -F html samples the engine there, between feeds).
 */
enum cli_exit cli_engine_run_with(const struct cli_analysis_opts *o,
				  char **paths, int n_paths, struct engine *e,
				  cli_packet_fn before, void *ctx,
				  struct capture_source **src_out);

/*
 * CLI_EXIT_INTERNAL, with the message, when the analyzer had to leave
 * packets untracked for want of memory: its answer would be wrong.
 */
enum cli_exit cli_analysis_memory_check(struct analyzer *a);

#endif
