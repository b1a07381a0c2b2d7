/* tcplens timeline: the ladder of one TCP connection's segments. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr_format.h"
#include "cli_analysis.h"
#include "cli_options.h"
#include "doc_writer.h"
#include "ladder_text.h"
#include "seq_graph.h"
#include "tcp_annot.h"
#include "time_format.h"

static const char timeline_usage[] =
	"Usage: tcplens timeline [OPTIONS] FILE... --flow UID|ADDR:PORT-ADDR:PORT\n"
	"       tcplens timeline [OPTIONS] FILE... --all\n"
	"A ladder of a TCP connection's segments: time, direction, flags,\n"
	"relative seq/ack, length, window, options, both endpoints' states after\n"
	"each segment, and tshark-style annotations.\n"
	"\n"
	"      --flow SEL          the connection: its uid, or both endpoints\n"
	"                          (ADDR:PORT-ADDR:PORT, [V6ADDR]:PORT for IPv6)\n"
	"      --all               every TCP segment of every connection\n"
	"  -F, --format FORMAT     text (default), json, ndjson, or svg (with --flow:\n"
	"                          a picture of the connection)\n"
	"      --graph KIND        with -F svg: tsg (default: the time-sequence\n"
	"                          graph), rtt (RTT samples over time) or\n"
	"                          throughput (goodput and retransmitted bytes)\n"
	"      --dir DIR           with -F svg: the data of orig or resp (default:\n"
	"                          the direction that sent more payload)\n";

static const char timeline_exit_status[] =
	"Exit status: 0 ok, 1 no connection matches --flow, 2 usage,\n"
	"3 unreadable file, 4 not a capture, 5 unsupported link type,\n"
	"6 bad filter, 7 output or internal error.\n";

#define TIMELINE_FORMATS                                                   \
	(OUTPUT_FORMAT_SET(OUTPUT_FORMAT_TEXT) |                           \
	 OUTPUT_FORMAT_SET(OUTPUT_FORMAT_JSON) |                           \
	 OUTPUT_FORMAT_SET(OUTPUT_FORMAT_NDJSON) |                         \
	 OUTPUT_FORMAT_SET(OUTPUT_FORMAT_SVG))

enum { OPT_FLOW = CLI_OPT_FIRST_FREE, OPT_ALL, OPT_GRAPH, OPT_DIR };

/* --dir not given: the busier direction. */
#define DIR_BUSIER (-1)

struct timeline_opts {
	struct cli_analysis_opts an;
	enum output_format format;
	bool all;
	bool has_sel;
	const char *sel_text;
	struct flow_selector sel;
	bool has_graph;         /* --graph or --dir given */
	enum seq_graph_kind graph;
	int dir;                /* FLOW_ORIG, FLOW_RESP or DIR_BUSIER */
};

struct timeline_ctx {
	const struct timeline_opts *o;
	struct doc_writer doc;  /* json and ndjson */
	struct flow_pick pick;  /* --flow: the connection shown */
	uint64_t shown;
	struct seq_graph *graph; /* svg */
	bool graph_failed;      /* memory ran out */
};

static int graph_option(struct timeline_opts *o, int ch, const char *arg,
			int *rc)
{
	o->has_graph = true;
	if (ch == OPT_DIR) {
		if (strcmp(arg, "orig") == 0)
			o->dir = FLOW_ORIG;
		else if (strcmp(arg, "resp") == 0)
			o->dir = FLOW_RESP;
		else
			return cli_usage("timeline", rc, "timeline: --dir wants orig or resp, not '%s'", arg);
		return 0;
	}
	if (strcmp(arg, "tsg") == 0)
		o->graph = SEQ_GRAPH_TSG;
	else if (strcmp(arg, "rtt") == 0)
		o->graph = SEQ_GRAPH_RTT;
	else if (strcmp(arg, "throughput") == 0)
		o->graph = SEQ_GRAPH_THROUGHPUT;
	else
		return cli_usage("timeline", rc, "timeline: --graph wants tsg, rtt or throughput, not '%s'", arg);
	return 0;
}

static int timeline_option(void *opts, int ch, const char *arg, int *rc)
{
	struct timeline_opts *o = opts;

	if (ch == OPT_ALL) {
		o->all = true;
		return 0;
	}
	if (ch == OPT_GRAPH || ch == OPT_DIR)
		return graph_option(o, ch, arg, rc);
	if (!flow_selector_parse(arg, &o->sel)) {
		return cli_usage("timeline", rc, "timeline: --flow wants a uid (C and 11 letters or digits) or ADDR:PORT-ADDR:PORT, not '%s'", arg);
	}
	o->has_sel = true;
	o->sel_text = arg;
	return 0;
}

static const struct option timeline_longopts[] = {
	{"flow", required_argument, NULL, OPT_FLOW},
	{"all", no_argument, NULL, OPT_ALL},
	{"graph", required_argument, NULL, OPT_GRAPH},
	{"dir", required_argument, NULL, OPT_DIR},
	{NULL, 0, NULL, 0},
};

static const struct cli_command timeline_command = {
	.name = "timeline",
	.usage = timeline_usage,
	.exit_status = timeline_exit_status,
	.common = CLI_COMMON_ENGINE,
	.formats = TIMELINE_FORMATS,
	.options = timeline_longopts,
	.option = timeline_option,
};

static int parse_timeline_opts(int argc, char **argv, struct timeline_opts *o,
			       int *rc)
{
	int first;

	memset(o, 0, sizeof(*o));
	o->dir = DIR_BUSIER;
	cli_analysis_defaults(&o->an);
	first = cli_options_parse(&timeline_command, argc, argv, &o->an,
				  &o->format, o, rc);
	if (first < 0)
		return -1;
	if (o->all == o->has_sel) {
		return cli_usage("timeline", rc, "timeline: give exactly one of --flow SEL and --all");
	}
	if (o->format == OUTPUT_FORMAT_SVG && o->all)
		return cli_usage("timeline", rc, "timeline: -F svg draws one connection: give --flow SEL, not --all");
	if (o->has_graph && o->format != OUTPUT_FORMAT_SVG)
		return cli_usage("timeline", rc, "timeline: --graph and --dir go with -F svg");
	if (cli_analysis_load_config(&o->an, rc) < 0)
		return -1;
	return first;
}

static void emit_text(const struct ladder_row *r, bool with_uid)
{
	char line[LADDER_TEXT_LEN];

	ladder_text_format(r, with_uid, line, sizeof(line));
	printf("%s\n", line);
}

static void emit_doc_head(struct doc_writer *w, const struct ladder_row *r)
{
	char ts[TIME_FORMAT_LEN], fl[9], uid[FLOW_UID_LEN];

	time_format_iso(ts, sizeof(ts), r->ts, 9);
	ladder_flags_text(r->flags, fl);
	flow_format_uid(r->uid, uid);
	doc_begin_object(w);
	doc_member_uint(w, "frame", r->frame);
	doc_member_string(w, "ts", ts);
	doc_member_string(w, "uid", uid);
}

static void emit_doc(struct doc_writer *w, const struct ladder_row *r,
		     const struct flow *f)
{
	char fl[9], h[ADDR_FORMAT_LEN];

	emit_doc_head(w, r);
	ladder_flags_text(r->flags, fl);
	addr_format(f->key.family, flow_addr(f, FLOW_ORIG), h, sizeof(h));
	doc_member_string(w, "orig_h", h);
	doc_member_uint(w, "orig_p", flow_port(f, FLOW_ORIG));
	addr_format(f->key.family, flow_addr(f, FLOW_RESP), h, sizeof(h));
	doc_member_string(w, "resp_h", h);
	doc_member_uint(w, "resp_p", flow_port(f, FLOW_RESP));
	doc_member_string(w, "dir", r->dir == FLOW_ORIG ? "orig" : "resp");
	doc_member_string(w, "flags", fl);
	doc_member_uint(w, "seq", r->rel_seq);
	doc_member_uint(w, "ack", r->rel_ack);
	doc_member_uint(w, "len", r->seg_len);
	doc_member_uint(w, "win", r->window);
	doc_member_string(w, "orig_state", tcp_state_name(r->state[0]));
	doc_member_string(w, "resp_state", tcp_state_name(r->state[1]));
	doc_key(w, "annotations");
	doc_begin_array(w);
	for (int i = 0; i < TCP_ANNOT_COUNT; i++)
		if (r->annots & (1u << i))
			doc_string(w, tcp_annot_key((enum tcp_annot)i));
	doc_end_array(w);
	if (r->annots & TCP_ANNOT_BIT(DUPLICATE_ACK))
		doc_member_uint(w, "dup_ack", r->dup_ack_num);
	if (r->ack_rtt_ns > 0) {
		doc_key(w, "ack_rtt_ms");
		doc_decimal(w, r->ack_rtt_ns / 1000, 3);
	}
	doc_end_object(w);
}

/*
 * A frame the capture holds again gets a line of its own, so that no
 * frame number is missing from the list; it is no segment on the wire
 * and changes no state.
 */
static void emit_copy_doc(struct doc_writer *w, const struct ladder_row *r)
{
	char fl[9];

	emit_doc_head(w, r);
	ladder_flags_text(r->flags, fl);
	doc_member_string(w, "dir", r->dir == FLOW_ORIG ? "orig" : "resp");
	doc_member_string(w, "flags", fl);
	doc_member_uint(w, "copy_of", r->copy_of);
	doc_end_object(w);
}

static void timeline_flow_start(void *arg, const struct flow *f,
				void *storage)
{
	struct timeline_ctx *ctx = arg;

	(void)storage;
	flow_pick_on_start(&ctx->pick, &ctx->o->sel, f);
}

static void timeline_on_segment(void *arg, const struct packet *pkt,
				const struct flow *f,
				const struct tcp_seg_info *info, void *storage)
{
	struct timeline_ctx *ctx = arg;
	struct ladder_row r;

	(void)storage;
	if (!ctx->o->all &&
	    !(ctx->pick.found && flow_uid(f) == ctx->pick.uid))
		return;
	ctx->shown++;
	ladder_row_of_segment(&r, pkt, f, info);
	if (ctx->graph != NULL) {
		if (!ctx->graph_failed && !seq_graph_add(ctx->graph, &r))
			ctx->graph_failed = true;
		return;
	}
	if (ctx->o->format == OUTPUT_FORMAT_TEXT)
		emit_text(&r, ctx->o->all);
	else
		emit_doc(&ctx->doc, &r, f);
}

static void timeline_on_copy(void *arg, const struct packet *pkt,
			     const struct flow *f, int dir, uint64_t copy_of,
			     void *storage)
{
	struct timeline_ctx *ctx = arg;
	struct ladder_row r;

	(void)storage;
	if (f->key.proto != 6 || ctx->graph != NULL ||
	    (!ctx->o->all &&
	     !(ctx->pick.found && flow_uid(f) == ctx->pick.uid)))
		return;
	ladder_row_of_copy(&r, pkt, f, dir, copy_of);
	if (ctx->o->format == OUTPUT_FORMAT_TEXT)
		emit_text(&r, ctx->o->all);
	else
		emit_copy_doc(&ctx->doc, &r);
}

/* The picture of the connection picked, when one was. */
static int write_graph(struct timeline_ctx *ctx)
{
	const struct seq_graph_style style = {.standalone = true};
	int dir = ctx->o->dir;

	if (ctx->graph_failed) {
		cli_error("timeline: out of memory drawing the graph");
		return CLI_EXIT_INTERNAL;
	}
	if (!ctx->pick.found)
		return CLI_EXIT_OK;
	if (dir == DIR_BUSIER)
		dir = seq_graph_busier_dir(ctx->graph);
	seq_graph_write_svg(ctx->graph, ctx->o->graph, dir, &style, stdout);
	return CLI_EXIT_OK;     /* a write error: cli_finish_output() */
}

int cmd_timeline(int argc, char **argv)
{
	struct timeline_opts o;
	struct timeline_ctx ctx = {0};
	struct engine_consumer shown = {0};
	struct engine_config cfg = {0};
	struct capture_source *src = NULL;
	struct engine *e;
	enum doc_format doc;
	int first, rc = CLI_EXIT_OK;

	first = parse_timeline_opts(argc, argv, &o, &rc);
	if (first < 0)
		return rc;
	if (first >= argc) {
		cli_usage("timeline", &rc, "timeline: no capture file given (use '-' for standard input)");
		return rc;
	}
	ctx.o = &o;
	shown.ctx = &ctx;
	if (!o.all)
		shown.on_flow_start = timeline_flow_start;
	shown.on_tcp_segment = timeline_on_segment;
	shown.on_copy = timeline_on_copy;
	cfg.analyzer = o.an.cfg;
	cfg.consumers = &shown;
	cfg.n_consumers = 1;
	if (o.format == OUTPUT_FORMAT_SVG) {
		ctx.graph = seq_graph_new();
		if (ctx.graph == NULL) {
			cli_error("out of memory");
			return CLI_EXIT_INTERNAL;
		}
	}
	e = engine_new(&cfg);
	if (e == NULL) {
		seq_graph_free(ctx.graph);
		cli_error("out of memory");
		return CLI_EXIT_INTERNAL;
	}
	if (output_format_doc(o.format, &doc))
		doc_writer_init(&ctx.doc, stdout, doc);
	if (o.format == OUTPUT_FORMAT_JSON) {
		doc_begin_object(&ctx.doc);
		doc_key(&ctx.doc, "segments");
		doc_begin_array(&ctx.doc);
	}
	rc = cli_engine_run(&o.an, &argv[first], argc - first, e, &src);
	if (o.format == OUTPUT_FORMAT_JSON) {
		doc_end_array(&ctx.doc);
		doc_end_object(&ctx.doc);
	}
	if (output_format_doc(o.format, &doc))
		doc_writer_finish(&ctx.doc);
	if (rc == CLI_EXIT_OK && ctx.graph != NULL)
		rc = write_graph(&ctx);
	if (rc == CLI_EXIT_OK)
		rc = cli_finish_output();
	if (rc == CLI_EXIT_OK && !o.all && !ctx.pick.found) {
		cli_error("timeline: no TCP connection matches '%s'", o.sel_text);
		rc = CLI_EXIT_FINDINGS;
	}
	if (rc == CLI_EXIT_OK)
		flow_pick_warn_later(&ctx.pick, "timeline", o.sel_text, "showed");
	capture_source_free(src);
	engine_free(e);
	seq_graph_free(ctx.graph);
	return rc;
}
