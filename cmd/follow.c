/*
 * tcplens follow: the byte stream of one TCP connection, as the
 * receiving application read it (analyzer/tcp_stream.h has the policy).
 *
 * Only the selected connection's payload is reassembled: the sink picks
 * it when the engine starts it and ignores every other flow, so memory
 * is that of the flow table plus one connection's held data.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr_format.h"
#include "cli_analysis.h"
#include "cli_options.h"
#include "tcp_stream.h"

static const char follow_usage[] =
	"Usage: tcplens follow --flow SEL [OPTIONS] FILE...\n"
	"The byte stream of one TCP connection as the receiving application read\n"
	"it: in sequence order, retransmitted bytes once (the copy Linux reads),\n"
	"bytes the capture missed shown as gaps, overlaps that differ reported.\n"
	"\n"
	"      --flow SEL          the connection: a uid from 'tcplens flows', or\n"
	"                          ADDR:PORT-ADDR:PORT ([V6ADDR]:PORT for IPv6),\n"
	"                          either order; a reused 4-tuple gives the first\n"
	"                          connection, and the others' uids on stderr\n"
	"      --dir DIR           orig (from the originator), resp, or both\n"
	"                          (default)\n"
	"      --as FORMAT         ascii (default) or hex, as tshark's follow; raw\n"
	"                          writes the bytes as they are (needs --dir orig\n"
	"                          or resp; gaps and overlaps go to stderr, the\n"
	"                          first 10 of each listed, the rest counted)\n";

static const char follow_exit_status[] =
	"Exit status: 0 ok, 1 no TCP connection matches SEL, 2 usage,\n"
	"3 unreadable file, 4 not a capture, 5 unsupported link type,\n"
	"6 bad filter, 7 output or internal error.\n";

#define NS_PER_SEC 1000000000LL
/*
 * --as raw lists the first RAW_LISTED gaps of its direction on stderr,
 * and as many differing overlaps; the others are counted in one line at
 * the end.  Ten show where the trouble starts and what it looks like; a
 * capture cut by its snaplen has a gap in every segment, and a line for
 * each buried stderr (300,000 for one transfer).  --as hex shows every
 * one in place.
 */
#define RAW_LISTED 10
/* The separator tshark's follow prints around a stream. */
static const char separator[] =
	"===================================================================\n";

enum follow_as { AS_ASCII, AS_HEX, AS_RAW };
enum { DIR_BOTH = 2 };

enum {
	OPT_FLOW = CLI_OPT_FIRST_FREE,
	OPT_DIR,
	OPT_AS,
};

struct follow_opts {
	struct cli_analysis_opts an;
	const char *flow_text;
	struct flow_selector sel;
	int dir;                /* FLOW_ORIG, FLOW_RESP or DIR_BOTH */
	enum follow_as as;
};

struct follow_ctx {
	const struct follow_opts *o;
	struct flow_pick pick;          /* .found: the flow is followed */
	bool done, oom;
	/*
	 * The flow followed, by uid: a flow's address does not last between
	 * calls (an idle one may be parked, analyzer.h).
	 */
	uint64_t flow_uid;
	char uid_text[FLOW_UID_LEN];
	struct tcp_stream *st[2];
	int64_t last_ts;
	/* --as raw, per direction: gaps and overlaps seen, bytes of those
	 * past the first RAW_LISTED (which were not listed). */
	uint64_t raw_gaps[2], raw_gap_bytes_unlisted[2];
	uint64_t raw_overlaps[2], raw_overlap_bytes_unlisted[2];
	/*
	 * The chunk being gathered: consecutive data of one direction that
	 * became readable at the same moment (a segment and the held data
	 * it released) is printed as one chunk.
	 */
	uint8_t *chunk;
	size_t chunk_len, chunk_cap;
	int chunk_dir;
	uint64_t chunk_off;
	int64_t chunk_ts;
};

/* ---------------------------------------------------------------- options */

static int follow_option(void *opts, int ch, const char *arg, int *rc)
{
	struct follow_opts *o = opts;

	switch (ch) {
	case OPT_FLOW:
		if (!flow_selector_parse(arg, &o->sel)) {
			return cli_usage("follow", rc, "follow: --flow wants a uid (C and 11 letters or digits) or ADDR:PORT-ADDR:PORT, not '%s'",
				  arg);
		}
		o->flow_text = arg;
		return 0;
	case OPT_DIR:
		o->dir = strcmp(arg, "orig") == 0 ? FLOW_ORIG
		       : strcmp(arg, "resp") == 0 ? FLOW_RESP
		       : strcmp(arg, "both") == 0 ? DIR_BOTH : -1;
		if (o->dir < 0) {
			return cli_usage("follow", rc, "follow: --dir wants orig, resp or both, not '%s'", arg);
		}
		return 0;
	case OPT_AS:
		if (strcmp(arg, "ascii") == 0) {
			o->as = AS_ASCII;
		} else if (strcmp(arg, "hex") == 0) {
			o->as = AS_HEX;
		} else if (strcmp(arg, "raw") == 0) {
			o->as = AS_RAW;
		} else {
			return cli_usage("follow", rc, "follow: --as wants ascii, hex or raw, not '%s'", arg);
		}
		return 0;
	}
	return 0;
}

static const struct option follow_longopts[] = {
	{"flow", required_argument, NULL, OPT_FLOW},
	{"dir", required_argument, NULL, OPT_DIR},
	{"as", required_argument, NULL, OPT_AS},
	{NULL, 0, NULL, 0},
};

static const struct cli_command follow_command = {
	.name = "follow",
	.usage = follow_usage,
	.exit_status = follow_exit_status,
	.common = CLI_COMMON_ENGINE,
	.options = follow_longopts,
	.option = follow_option,
};

/* Returns the index of the first file, or -1 with *rc set. */
static int parse_follow_opts(int argc, char **argv, struct follow_opts *o,
			     int *rc)
{
	int first;

	memset(o, 0, sizeof(*o));
	cli_analysis_defaults(&o->an);
	o->dir = DIR_BOTH;
	o->as = AS_ASCII;
	first = cli_options_parse(&follow_command, argc, argv, &o->an, NULL, o,
				  rc);
	if (first < 0)
		return -1;
	if (o->flow_text == NULL) {
		return cli_usage("follow", rc, "follow: which connection? --flow UID or --flow ADDR:PORT-ADDR:PORT");
	}
	if (o->as == AS_RAW && o->dir == DIR_BOTH) {
		return cli_usage("follow", rc, "follow: --as raw needs --dir orig or --dir resp: both directions in one byte stream could not be told apart");
	}
	if (cli_analysis_load_config(&o->an, rc) < 0)
		return -1;
	return first;
}

/* ----------------------------------------------------------------- output */

/* tshark's follow,tcp,ascii: printable ASCII, CR and LF as they are. */
static char ascii_of(uint8_t b)
{
	return (b >= 0x20 && b < 0x7f) || b == '\r' || b == '\n' ? (char)b : '.';
}

static void print_ascii(const uint8_t *p, size_t n)
{
	char buf[4096];

	while (n > 0) {
		size_t k = n < sizeof(buf) ? n : sizeof(buf);

		for (size_t i = 0; i < k; i++)
			buf[i] = ascii_of(p[i]);
		fwrite(buf, 1, k, stdout);
		p += k;
		n -= k;
	}
}

/*
 * One line of tshark's follow,tcp,hex: offset, 16 bytes in hex with a
 * space after the eighth, and the printable ones.
 */
static void print_hex_line(const char *prefix, uint64_t off, const uint8_t *p,
			   size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char line[128];
	int w = snprintf(line, sizeof(line), "%s%08" PRIX64 "  ", prefix, off);
	size_t k = w > 0 ? (size_t)w : 0;

	for (size_t i = 0; i < 16; i++) {
		line[k++] = i < n ? digits[p[i] >> 4] : ' ';
		line[k++] = i < n ? digits[p[i] & 0xf] : ' ';
		line[k++] = ' ';
		if (i == 7)
			line[k++] = ' ';
	}
	line[k++] = ' ';
	for (size_t i = 0; i < n; i++) {
		line[k++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
		if (i == 7)
			line[k++] = ' ';
	}
	/* As tshark: one trailing space dropped, the column's or a byte's. */
	if (line[k - 1] == ' ')
		k--;
	line[k++] = '\n';
	fwrite(line, 1, k, stdout);
}

static const char *dir_prefix(int dir)
{
	/* tshark indents the second node's data. */
	return dir == FLOW_RESP ? "\t" : "";
}

static void print_chunk(const struct follow_ctx *c, int dir, uint64_t off,
			const uint8_t *p, size_t n)
{
	const char *pre = dir_prefix(dir);

	if (c->o->as == AS_ASCII) {
		/* tshark: the length, the bytes, a newline. */
		printf("%s%zu\n", pre, n);
		print_ascii(p, n);
		putchar('\n');
		return;
	}
	for (size_t i = 0; i < n; i += 16)
		print_hex_line(pre, off + i, p + i, n - i < 16 ? n - i : 16);
}

static void flush_chunk(struct follow_ctx *c)
{
	if (c->chunk_len == 0)
		return;
	print_chunk(c, c->chunk_dir, c->chunk_off, c->chunk, c->chunk_len);
	c->chunk_len = 0;
}

static bool chunk_append(struct follow_ctx *c, const uint8_t *p, size_t n)
{
	if (c->chunk_len + n > c->chunk_cap) {
		size_t cap = c->chunk_cap == 0 ? 65536 : c->chunk_cap;
		uint8_t *b;

		while (cap < c->chunk_len + n)
			cap *= 2;
		b = realloc(c->chunk, cap);
		if (b == NULL)
			return false;
		c->chunk = b;
		c->chunk_cap = cap;
	}
	memcpy(c->chunk + c->chunk_len, p, n);
	c->chunk_len += n;
	return true;
}

static const char *dir_name(int dir)
{
	return dir == FLOW_ORIG ? "orig" : "resp";
}

/* -------------------------------------------------------- stream callbacks */

static void on_data(void *arg, int dir, const uint8_t *p, size_t n,
		    uint64_t off, int64_t ts)
{
	struct follow_ctx *c = arg;

	if (c->o->as == AS_RAW) {
		fwrite(p, 1, n, stdout);
		return;
	}
	if (c->chunk_len > 0 &&
	    (dir != c->chunk_dir || ts != c->chunk_ts ||
	     off != c->chunk_off + c->chunk_len))
		flush_chunk(c);
	if (c->chunk_len == 0) {
		c->chunk_dir = dir;
		c->chunk_off = off;
		c->chunk_ts = ts;
	}
	if (!chunk_append(c, p, n)) {
		/* No room to gather: print what there is, then this piece. */
		flush_chunk(c);
		print_chunk(c, dir, off, p, n);
	}
}

static void on_gap(void *arg, int dir, uint64_t off, uint64_t len,
		   enum tcp_stream_gap_reason why)
{
	struct follow_ctx *c = arg;
	const char *what = why == TCP_GAP_HOLD_LIMIT
			   ? "not reassembled: out-of-order data over the hold limit"
			   : "not in the capture";

	if (c->o->as == AS_RAW) {
		if (c->raw_gaps[dir]++ < RAW_LISTED)
			cli_warning("follow: %s: gap of %" PRIu64 " bytes at offset %" PRIu64 ": %s",
				    dir_name(dir), len, off, what);
		else
			c->raw_gap_bytes_unlisted[dir] += len;
		return;
	}
	flush_chunk(c);
	printf("%s[gap of %" PRIu64 " bytes: %s]\n", dir_prefix(dir), len, what);
}

static void on_conflict(void *arg, int dir, uint64_t off, uint64_t len)
{
	struct follow_ctx *c = arg;

	if (c->o->as == AS_RAW) {
		if (c->raw_overlaps[dir]++ < RAW_LISTED)
			cli_warning("follow: %s: overlap at offset %" PRIu64 ", %" PRIu64 " bytes differ: possible injection",
				    dir_name(dir), off, len);
		else
			c->raw_overlap_bytes_unlisted[dir] += len;
		return;
	}
	flush_chunk(c);
	printf("%s[overlap at offset %" PRIu64 ", %" PRIu64 " bytes differ: possible injection]\n",
	       dir_prefix(dir), off, len);
}

/* ---------------------------------------------------------- engine sink */

static void print_header(const struct follow_ctx *c, const struct flow *f)
{
	char ep[2][ADDR_FORMAT_ENDPOINT_LEN];

	addr_format_endpoint(f->key.family, flow_addr(f, FLOW_ORIG),
			     flow_port(f, FLOW_ORIG), ep[0], sizeof(ep[0]));
	addr_format_endpoint(f->key.family, flow_addr(f, FLOW_RESP),
			     flow_port(f, FLOW_RESP), ep[1], sizeof(ep[1]));
	printf("\n%sFollow: tcp,%s\nFlow: %s\nNode 0: %s\nNode 1: %s\n",
	       separator, c->o->as == AS_HEX ? "hex" : "ascii", c->uid_text,
	       ep[0], ep[1]);
}

static void start_following(struct follow_ctx *c, const struct flow *f)
{
	struct tcp_stream_sink sink = {
		.ctx = c,
		.on_data = on_data,
		.on_gap = on_gap,
		.on_conflict = on_conflict,
	};

	c->flow_uid = flow_uid(f);
	flow_format_uid(flow_uid(f), c->uid_text);
	for (int d = 0; d < 2; d++) {
		if (c->o->dir != DIR_BOTH && c->o->dir != d)
			continue;
		c->st[d] = tcp_stream_new(d, NULL, &sink);
		if (c->st[d] == NULL)
			c->oom = true;
	}
	if (c->o->as != AS_RAW)
		print_header(c, f);
}

static void follow_flow_start(void *arg, const struct flow *f,
			      void *storage)
{
	struct follow_ctx *c = arg;

	(void)storage;
	if (flow_pick_on_start(&c->pick, &c->o->sel, f) == FLOW_PICK_FIRST)
		start_following(c, f);
}

static int64_t packet_ns(struct follow_ctx *c, const struct packet *pkt)
{
	if (pkt->has_ts)
		c->last_ts = pkt_time_ns(pkt->ts);
	return c->last_ts;
}

static void follow_segment(void *arg, const struct packet *pkt,
			   const struct flow *f, const struct tcp_seg_info *info,
			   void *storage)
{
	struct follow_ctx *c = arg;
	const struct packet_tcp *t = &pkt->tcp;
	int d = info->dir;
	int64_t ts;
	size_t cap;

	(void)storage;
	if (!c->pick.found || c->done || flow_uid(f) != c->flow_uid)
		return;
	ts = packet_ns(c, pkt);
	/* The ACK first: it tells what the peer had before this segment. */
	if ((t->flags & TCP_FLAG_ACK) && c->st[!d] != NULL)
		tcp_stream_ack(c->st[!d], t->ack, ts);
	/* Data on a RST explains it (RFC 1122 4.2.2.12); it is never read. */
	if (c->st[d] == NULL || (t->flags & TCP_FLAG_RST))
		return;
	cap = pkt->payload.len < info->seg_len ? pkt->payload.len
					       : info->seg_len;
	tcp_stream_segment(c->st[d], t->seq, t->flags, pkt->payload.ptr, cap,
			   info->seg_len, ts);
}

static void follow_flow_end(void *arg, const struct flow *f, void *storage)
{
	struct follow_ctx *c = arg;

	(void)storage;
	if (!c->pick.found || c->done || flow_uid(f) != c->flow_uid)
		return;
	c->done = true;
	for (int d = 0; d < 2; d++)
		if (c->st[d] != NULL)
			tcp_stream_finish(c->st[d], c->last_ts);
	if (c->o->as != AS_RAW) {
		flush_chunk(c);
		fputs(separator, stdout);
	}
}

/* ------------------------------------------------------------- reporting */

static void report_not_found(const struct follow_ctx *c, char **paths,
			     int n)
{
	char files[512];
	size_t k = 0;

	files[0] = '\0';
	for (int i = 0; i < n && k < sizeof(files); i++) {
		int w = snprintf(files + k, sizeof(files) - k, "%s%s",
				 i > 0 ? ", " : "", paths[i]);

		if (w < 0)
			break;
		k += (size_t)w;
	}
	if (c->pick.other_proto != NULL)
		cli_error("follow: no TCP connection matches '%s' in %s (it names a %s flow)",
			  c->o->flow_text, files, c->pick.other_proto);
	else
		cli_error("follow: no TCP connection matches '%s' in %s",
			  c->o->flow_text, files);
}

/* --as raw: the gaps and overlaps past the first RAW_LISTED, counted. */
static void report_raw_unlisted(const struct follow_ctx *c, int d)
{
	uint64_t gaps = c->raw_gaps[d] > RAW_LISTED
			? c->raw_gaps[d] - RAW_LISTED : 0;
	uint64_t overlaps = c->raw_overlaps[d] > RAW_LISTED
			    ? c->raw_overlaps[d] - RAW_LISTED : 0;

	if (gaps > 0)
		cli_warning("follow: %s: %" PRIu64 " more gap%s (%" PRIu64 " bytes) not listed; --as hex shows each in place",
			    dir_name(d), gaps, gaps == 1 ? "" : "s",
			    c->raw_gap_bytes_unlisted[d]);
	if (overlaps > 0)
		cli_warning("follow: %s: %" PRIu64 " more overlap%s (%" PRIu64 " bytes differ) not listed; --as hex shows each in place",
			    dir_name(d), overlaps, overlaps == 1 ? "" : "s",
			    c->raw_overlap_bytes_unlisted[d]);
}

/*
 * Counters worth a word: what the output alone does not tell.  False
 * when memory ran out: the stream shown is then incomplete (exit 7).
 */
static bool report_stream_limits(const struct follow_ctx *c)
{
	bool complete = true;

	for (int d = 0; d < 2; d++) {
		const struct tcp_stream_stats *st;

		if (c->st[d] == NULL)
			continue;
		report_raw_unlisted(c, d);
		st = tcp_stream_get_stats(c->st[d]);
		if (st->hold_overflows > 0)
			cli_warning("follow: %s: out-of-order data went past the 4 MiB hold limit %" PRIu64 " time%s; the holes were given up as gaps",
				    dir_name(d), st->hold_overflows,
				    st->hold_overflows == 1 ? "" : "s");
		if (st->nomem_bytes > 0) {
			cli_error("follow: %s: out of memory: %" PRIu64 " out-of-order bytes were not held; the stream shown is incomplete",
				  dir_name(d), st->nomem_bytes);
			complete = false;
		}
	}
	return complete;
}

static int follow_run(const struct follow_opts *o, char **paths, int n,
		      struct follow_ctx *c)
{
	struct engine_consumer stream = {
		.ctx = c,
		.on_flow_start = follow_flow_start,
		.on_tcp_segment = follow_segment,
		.on_flow_end = follow_flow_end,
	};
	struct engine_config cfg = {
		.analyzer = o->an.cfg,
		.consumers = &stream,
		.n_consumers = 1,
	};
	struct capture_source *src = NULL;
	struct engine *e = engine_new(&cfg);
	int rc;

	if (e == NULL) {
		cli_error("out of memory");
		return CLI_EXIT_INTERNAL;
	}
	rc = cli_engine_run(&o->an, paths, n, e, &src);
	capture_source_free(src);
	engine_free(e);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (c->oom) {
		cli_error("out of memory");
		return CLI_EXIT_INTERNAL;
	}
	if (!c->pick.found) {
		report_not_found(c, paths, n);
		return CLI_EXIT_FINDINGS;
	}
	/* The stream first, then the notes about it, on a terminal too. */
	rc = cli_finish_output();
	flow_pick_warn_later(&c->pick, "follow", o->flow_text, "followed");
	if (!report_stream_limits(c) && rc == CLI_EXIT_OK)
		rc = CLI_EXIT_INTERNAL;
	return rc;
}

int cmd_follow(int argc, char **argv)
{
	struct follow_opts o;
	struct follow_ctx c;
	int first, rc = CLI_EXIT_OK;

	first = parse_follow_opts(argc, argv, &o, &rc);
	if (first < 0)
		return rc;
	if (first >= argc) {
		cli_usage("follow", &rc, "follow: no capture file given (use '-' for standard input)");
		return rc;
	}
	memset(&c, 0, sizeof(c));
	c.o = &o;
	rc = follow_run(&o, &argv[first], argc - first, &c);
	for (int d = 0; d < 2; d++)
		tcp_stream_free(c.st[d]);
	free(c.chunk);
	return rc;
}
