/* tcplens stats: the protocol hierarchy of one or more captures. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_analysis.h"
#include "cli_options.h"
#include "frame_dups.h"
#include "ip_defrag.h"
#include "proto_stats.h"
#include "stats_report.h"

static const char stats_usage[] =
	"Usage: tcplens stats [OPTIONS] FILE...\n"
	"Protocol hierarchy of pcap/pcapng captures ('-' reads standard input);\n"
	"several files are merged in timestamp order.\n"
	"\n"
	"  -f, --filter EXPR       only frames matching the BPF expression\n"
	"  -F, --format FORMAT     text (default) or json\n"
	"      --verify-checksums  count frames with a bad checksum as malformed\n"
	"      --frag-timeout SEC  drop unfinished IP datagrams after SEC seconds\n"
	"                          of capture time (default 30 IPv4, 60 IPv6)\n"
	"      --frag-memory MIB   buffer at most MIB MiB of fragments (default 64)\n"
	"      --no-progress       no progress indicator on standard error\n";

#define STATS_FORMATS                                                      \
	(OUTPUT_FORMAT_SET(OUTPUT_FORMAT_TEXT) |                           \
	 OUTPUT_FORMAT_SET(OUTPUT_FORMAT_JSON))

/*
 * -f, --no-progress and the --frag-* options are the engine options of
 * the analysis commands (the rest of the engine does not run here).
 */
struct stats_opts {
	struct cli_analysis_opts an;
	enum output_format format;
	bool verify_checksums;
};

enum { OPT_VERIFY_CHECKSUMS = CLI_OPT_FIRST_FREE };

static int stats_option(void *opts, int ch, const char *arg, int *rc)
{
	struct stats_opts *o = opts;

	if (ch == OPT_VERIFY_CHECKSUMS) {
		o->verify_checksums = true;
		return 0;
	}
	if (cli_analysis_option(ch, arg, "stats", &o->an) < 0) {
		*rc = CLI_EXIT_USAGE;
		return -1;
	}
	return 0;
}

static const struct option stats_longopts[] = {
	{"verify-checksums", no_argument, NULL, OPT_VERIFY_CHECKSUMS},
	{"no-progress", no_argument, NULL, CLI_OPT_NO_PROGRESS},
	{"frag-timeout", required_argument, NULL, CLI_OPT_FRAG_TIMEOUT},
	{"frag-memory", required_argument, NULL, CLI_OPT_FRAG_MEMORY},
	{NULL, 0, NULL, 0},
};

static const struct cli_command stats_command = {
	.name = "stats",
	.usage = stats_usage,
	.exit_status = cli_exit_status_help,
	.common = CLI_COMMON_FILTER,
	.formats = STATS_FORMATS,
	.options = stats_longopts,
	.option = stats_option,
};

/*
 * Returns the index of the first file argument, or -1 with *exit_code set
 * when the command is already over (--help, or a usage error).
 */
static int parse_stats_opts(int argc, char **argv, struct stats_opts *o,
			    int *exit_code)
{
	memset(o, 0, sizeof(*o));
	cli_analysis_defaults(&o->an);
	return cli_options_parse(&stats_command, argc, argv, &o->an,
				 &o->format, o, exit_code);
}

/* What the per-packet callback feeds: the counters and reassembly. */
struct stats_ctx {
	struct proto_stats st;
	struct defrag *defrag;
	struct capture_quality *quality;
	struct frame_dups *dups;
	struct packet whole;
	int64_t last_ns;        /* the latest packet time: the capture's end */
};

static void stats_on_packet(void *arg, const struct packet *pkt)
{
	struct stats_ctx *ctx = arg;

	proto_stats_add(&ctx->st, pkt);
	if (pkt->has_ts && pkt_time_ns(pkt->ts) > ctx->last_ns)
		ctx->last_ns = pkt_time_ns(pkt->ts);
	capture_quality_on_packet(ctx->quality, pkt,
				  frame_dups_check(ctx->dups, pkt));
	/* The reassembled datagram belongs to the frame that completed it. */
	if ((packet_has(pkt, PROTO_IPV4) || packet_has(pkt, PROTO_IPV6)) &&
	    pkt->ip.is_fragment &&
	    defrag_add(ctx->defrag, pkt, &ctx->whole) == DEFRAG_COMPLETE)
		proto_stats_add_reassembled(&ctx->st, &ctx->whole);
}

static int stats_render(const struct stats_opts *o,
			struct stats_ctx *ctx,
			const struct capture_source *src)
{
	const struct capture_input_info *inputs[256];
	size_t n = capture_source_input_count(src);
	const struct capture_input_info **list = inputs;
	struct stats_report r;
	struct quality_source_facts facts;
	int rc;

	if (n > sizeof(inputs) / sizeof(inputs[0])) {
		list = calloc(n, sizeof(*list));
		if (list == NULL) {
			cli_error("out of memory");
			return CLI_EXIT_INTERNAL;
		}
	}
	for (size_t i = 0; i < n; i++)
		list[i] = capture_source_input(src, i);
	r.stats = &ctx->st;
	r.defrag = defrag_get_stats(ctx->defrag);
	r.inputs = list;
	r.n_inputs = n;
	r.ts_decimals = cli_ts_decimals(src);
	r.filter = o->an.filter;
	cli_quality_facts(src, &facts);
	capture_quality_set_source(ctx->quality, &facts);
	r.quality = capture_quality_report(ctx->quality);
	if (o->format == OUTPUT_FORMAT_JSON)
		stats_report_json(stdout, &r);
	else
		stats_report_text(stdout, &r);
	rc = cli_finish_output();
	if (list != inputs)
		free(list);
	return rc;
}

int cmd_stats(int argc, char **argv)
{
	struct stats_opts o;
	struct cli_input in;
	struct capture_source *src;
	struct stats_ctx *ctx;
	int first, rc = CLI_EXIT_OK;

	first = parse_stats_opts(argc, argv, &o, &rc);
	if (first < 0)
		return rc;
	if (first >= argc) {
		cli_usage("stats", NULL, "stats: no capture file given (use '-' for standard input)");
		return CLI_EXIT_USAGE;
	}
	/* ~60 KiB of counters: keep them off the stack. */
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL || (ctx->defrag = defrag_new(&o.an.cfg.defrag)) == NULL ||
	    (ctx->quality = capture_quality_new()) == NULL ||
	    (ctx->dups = frame_dups_new()) == NULL) {
		if (ctx != NULL) {
			defrag_free(ctx->defrag);
			capture_quality_free(ctx->quality);
		}
		free(ctx);
		cli_error("out of memory");
		return CLI_EXIT_INTERNAL;
	}
	proto_stats_init(&ctx->st, o.verify_checksums);
	in.paths = (const char *const *)&argv[first];
	in.n_paths = (size_t)(argc - first);
	in.filter = o.an.filter;
	in.progress = o.an.progress;
	in.checksums = true;
	in.pipelined = false;
	rc = cli_run_inputs(&in, stats_on_packet, ctx, &src);
	/* Datagrams still open at the end of the capture never completed. */
	defrag_flush(ctx->defrag, ctx->last_ns);
	if (rc == CLI_EXIT_OK)
		rc = stats_render(&o, ctx, src);
	capture_source_free(src);
	defrag_free(ctx->defrag);
	capture_quality_free(ctx->quality);
	frame_dups_free(ctx->dups);
	free(ctx);
	return rc;
}
