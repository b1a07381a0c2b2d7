/* tcplens timeline: the ladder of one TCP connection's segments. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr_format.h"
#include "cli_analysis.h"
#include "cli_options.h"
#include "doc_writer.h"
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
	"  -F, --format FORMAT     text (default), json or ndjson\n";

static const char timeline_exit_status[] =
	"Exit status: 0 ok, 1 no connection matches --flow, 2 usage,\n"
	"3 unreadable file, 4 not a capture, 5 unsupported link type,\n"
	"6 bad filter, 7 output or internal error.\n";

#define TIMELINE_FORMATS                                                   \
	(OUTPUT_FORMAT_SET(OUTPUT_FORMAT_TEXT) |                           \
	 OUTPUT_FORMAT_SET(OUTPUT_FORMAT_JSON) |                           \
	 OUTPUT_FORMAT_SET(OUTPUT_FORMAT_NDJSON))

enum { OPT_FLOW = CLI_OPT_FIRST_FREE, OPT_ALL };

struct timeline_opts {
	struct cli_analysis_opts an;
	enum output_format format;
	bool all;
	bool has_sel;
	const char *sel_text;
	struct flow_selector sel;
};

struct timeline_ctx {
	const struct timeline_opts *o;
	struct doc_writer doc;  /* json and ndjson */
	struct flow_pick pick;  /* --flow: the connection shown */
	uint64_t shown;
};

static int timeline_option(void *opts, int ch, const char *arg, int *rc)
{
	struct timeline_opts *o = opts;

	if (ch == OPT_ALL) {
		o->all = true;
		return 0;
	}
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
	cli_analysis_defaults(&o->an);
	first = cli_options_parse(&timeline_command, argc, argv, &o->an,
				  &o->format, o, rc);
	if (first < 0)
		return -1;
	if (o->all == o->has_sel) {
		return cli_usage("timeline", rc, "timeline: give exactly one of --flow SEL and --all");
	}
	if (cli_analysis_load_config(&o->an, rc) < 0)
		return -1;
	return first;
}

static void flags_text(uint8_t f, char out[9])
{
	static const char letters[] = "FSRPAUEC";
	int n = 0;

	for (int i = 0; i < 8; i++)
		if (f & (1u << i))
			out[n++] = letters[i];
	out[n] = '\0';
}

static void options_text(const struct packet_tcp *t, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (t->opts_present & TCP_OPT_HAS_MSS)
		n += (size_t)snprintf(buf + n, len - n, "mss=%u ", t->mss);
	if (n < len && (t->opts_present & TCP_OPT_HAS_WSCALE))
		n += (size_t)snprintf(buf + n, len - n, "ws=%u ", t->wscale);
	if (n < len && (t->opts_present & TCP_OPT_HAS_SACK_PERM))
		n += (size_t)snprintf(buf + n, len - n, "sackOK ");
	if (n < len && (t->opts_present & TCP_OPT_HAS_SACK))
		n += (size_t)snprintf(buf + n, len - n, "sack=%u ", t->sack_count);
	if (n < len && (t->opts_present & TCP_OPT_HAS_TIMESTAMP))
		n += (size_t)snprintf(buf + n, len - n, "ts ");
	if (n > 0 && n <= len)
		buf[n - 1] = '\0';
}

static void annots_text(const struct tcp_seg_info *info, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < TCP_ANNOT_COUNT && n < len; i++) {
		if (!(info->annots & (1u << i)))
			continue;
		if (i == TCP_ANNOT_DUPLICATE_ACK)
			n += (size_t)snprintf(buf + n, len - n, "%sduplicate_ack#%u",
					      n ? "," : "", info->dup_ack_num);
		else
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "",
					      tcp_annot_key((enum tcp_annot)i));
	}
}

static void emit_text(const struct packet *pkt, const struct flow *f,
		      const struct tcp_seg_info *info, bool with_uid)
{
	char ts[TIME_FORMAT_LEN], fl[9], opts[64], ann[200], uid[FLOW_UID_LEN];

	time_format_iso(ts, sizeof(ts), pkt->ts, 6);
	flags_text(pkt->tcp.flags, fl);
	options_text(&pkt->tcp, opts, sizeof(opts));
	annots_text(info, ann, sizeof(ann));
	flow_format_uid(flow_uid(f), uid);
	if (with_uid)
		printf("%s ", uid);
	printf("%6" PRIu64 " %s %s %-6s seq=%-10u ack=%-10u len=%-5u win=%-7" PRIu64
	       " %-11s %-11s %s%s%s\n",
	       pkt->frame_no, ts, info->dir == FLOW_ORIG ? "-->" : "<--", fl,
	       info->rel_seq, info->rel_ack, info->seg_len, info->window,
	       tcp_state_name(info->state[0]), tcp_state_name(info->state[1]),
	       opts, opts[0] && ann[0] ? " " : "", ann);
}

static void emit_doc(struct doc_writer *w, const struct packet *pkt,
		      const struct flow *f, const struct tcp_seg_info *info)
{
	char ts[TIME_FORMAT_LEN], fl[9], uid[FLOW_UID_LEN];
	char h[ADDR_FORMAT_LEN];

	time_format_iso(ts, sizeof(ts), pkt->ts, 9);
	flags_text(pkt->tcp.flags, fl);
	flow_format_uid(flow_uid(f), uid);
	doc_begin_object(w);
	doc_member_uint(w, "frame", pkt->frame_no);
	doc_member_string(w, "ts", ts);
	doc_member_string(w, "uid", uid);
	addr_format(f->key.family, flow_addr(f, FLOW_ORIG), h, sizeof(h));
	doc_member_string(w, "orig_h", h);
	doc_member_uint(w, "orig_p", flow_port(f, FLOW_ORIG));
	addr_format(f->key.family, flow_addr(f, FLOW_RESP), h, sizeof(h));
	doc_member_string(w, "resp_h", h);
	doc_member_uint(w, "resp_p", flow_port(f, FLOW_RESP));
	doc_member_string(w, "dir", info->dir == FLOW_ORIG ? "orig" : "resp");
	doc_member_string(w, "flags", fl);
	doc_member_uint(w, "seq", info->rel_seq);
	doc_member_uint(w, "ack", info->rel_ack);
	doc_member_uint(w, "len", info->seg_len);
	doc_member_uint(w, "win", info->window);
	doc_member_string(w, "orig_state", tcp_state_name(info->state[0]));
	doc_member_string(w, "resp_state", tcp_state_name(info->state[1]));
	doc_key(w, "annotations");
	doc_begin_array(w);
	for (int i = 0; i < TCP_ANNOT_COUNT; i++)
		if (info->annots & (1u << i))
			doc_string(w, tcp_annot_key((enum tcp_annot)i));
	doc_end_array(w);
	if (info->annots & TCP_ANNOT_BIT(DUPLICATE_ACK))
		doc_member_uint(w, "dup_ack", info->dup_ack_num);
	if (info->ack_rtt_ns > 0) {
		doc_key(w, "ack_rtt_ms");
		doc_decimal(w, info->ack_rtt_ns / 1000, 3);
	}
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

	(void)storage;
	if (!ctx->o->all &&
	    !(ctx->pick.found && flow_uid(f) == ctx->pick.uid))
		return;
	ctx->shown++;
	if (ctx->o->format == OUTPUT_FORMAT_TEXT)
		emit_text(pkt, f, info, ctx->o->all);
	else
		emit_doc(&ctx->doc, pkt, f, info);
}

/*
 * A frame the capture holds again gets a line of its own, so that no
 * frame number is missing from the list; it is no segment on the wire
 * and changes no state.
 */
static void emit_copy_text(const struct packet *pkt, const struct flow *f,
			   int dir, uint64_t copy_of, bool with_uid)
{
	char ts[TIME_FORMAT_LEN], fl[9], uid[FLOW_UID_LEN];

	time_format_iso(ts, sizeof(ts), pkt->ts, 6);
	flags_text(pkt->tcp.flags, fl);
	flow_format_uid(flow_uid(f), uid);
	if (with_uid)
		printf("%s ", uid);
	printf("%6" PRIu64 " %s %s %-6s copy of frame %" PRIu64
	       " (the same frame captured again)\n",
	       pkt->frame_no, ts, dir == FLOW_ORIG ? "-->" : "<--", fl,
	       copy_of);
}

static void emit_copy_doc(struct doc_writer *w, const struct packet *pkt,
			  const struct flow *f, int dir, uint64_t copy_of)
{
	char ts[TIME_FORMAT_LEN], fl[9], uid[FLOW_UID_LEN];

	time_format_iso(ts, sizeof(ts), pkt->ts, 9);
	flags_text(pkt->tcp.flags, fl);
	flow_format_uid(flow_uid(f), uid);
	doc_begin_object(w);
	doc_member_uint(w, "frame", pkt->frame_no);
	doc_member_string(w, "ts", ts);
	doc_member_string(w, "uid", uid);
	doc_member_string(w, "dir", dir == FLOW_ORIG ? "orig" : "resp");
	doc_member_string(w, "flags", fl);
	doc_member_uint(w, "copy_of", copy_of);
	doc_end_object(w);
}

static void timeline_on_copy(void *arg, const struct packet *pkt,
			     const struct flow *f, int dir, uint64_t copy_of,
			     void *storage)
{
	struct timeline_ctx *ctx = arg;

	(void)storage;
	if (f->key.proto != 6 ||
	    (!ctx->o->all &&
	     !(ctx->pick.found && flow_uid(f) == ctx->pick.uid)))
		return;
	if (ctx->o->format == OUTPUT_FORMAT_TEXT)
		emit_copy_text(pkt, f, dir, copy_of, ctx->o->all);
	else
		emit_copy_doc(&ctx->doc, pkt, f, dir, copy_of);
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
	e = engine_new(&cfg);
	if (e == NULL) {
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
	if (o.format != OUTPUT_FORMAT_TEXT)
		doc_writer_finish(&ctx.doc);
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
	return rc;
}
