/* tcplens flows: one record per flow (connection, UDP exchange, ICMP). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunk_supply.h"
#include "cli_analysis.h"
#include "cli_options.h"
#include "flow_order.h"
#include "flow_record.h"
#include "flow_report.h"
#include "flow_render_batches.h"
#include "flow_render_queue.h"

static const char flows_usage[] =
	"Usage: tcplens flows [OPTIONS] FILE...\n"
	"One record per flow: every TCP connection with both endpoints' final\n"
	"states, Zeek's conn_state and history, retransmissions and RTT; UDP\n"
	"and ICMP flows too; flows inside a tunnel name it, and each tunnel\n"
	"is a record of its own (as Zeek's tunnel.log; not in -F zeek).\n"
	"\n"
	"  -F, --format FORMAT     text (default), json, ndjson, csv, yaml, zeek\n"
	"      --host ADDR         only flows with ADDR at either end\n"
	"      --port N            only flows with port N at either end\n"
	"      --proto PROTO       only tcp, udp or icmp flows\n"
	"      --state NAME        only flows whose conn_state is NAME (SF, REJ...)\n"
	"                          or with an endpoint in RFC 793 state NAME\n"
	"      --sort KEY          start (default), duration, bytes, pkts, retrans;\n"
	"                          none prints each flow as it ends, keeping no\n"
	"                          records: memory follows the live connections\n"
	"                          (the default with -F ndjson, as Zeek writes\n"
	"                          conn.log; --sort start keeps start order)\n"
	"      --sensor NAME       the capture point, written into every record\n"
	"                          (json, ndjson, yaml, csv): letters, digits, . _ : -\n";

/* Every format there is: -F's list in the help above. */
#define FLOWS_FORMATS                                                      \
	(OUTPUT_FORMAT_SET(OUTPUT_FORMAT_TEXT) |                           \
	 OUTPUT_FORMAT_SET(OUTPUT_FORMAT_JSON) |                           \
	 OUTPUT_FORMAT_SET(OUTPUT_FORMAT_NDJSON) |                         \
	 OUTPUT_FORMAT_SET(OUTPUT_FORMAT_CSV) |                            \
	 OUTPUT_FORMAT_SET(OUTPUT_FORMAT_YAML) |                           \
	 OUTPUT_FORMAT_SET(OUTPUT_FORMAT_ZEEK))

enum flows_sort { SORT_START, SORT_DURATION, SORT_BYTES, SORT_PKTS, SORT_RETRANS, SORT_NONE };

enum {
	OPT_HOST = CLI_OPT_FIRST_FREE,
	OPT_PORT,
	OPT_PROTO,
	OPT_STATE,
	OPT_SORT,
	OPT_SENSOR,
};

struct flows_opts {
	struct cli_analysis_opts an;
	enum output_format format;
	bool has_host;
	struct ip_addr host;
	long port;              /* -1: any */
	int proto;              /* 0: any */
	const char *state;
	enum flows_sort sort;
	bool sort_given;
	const char *sensor;     /* NULL: none */
};

/*
 * json and yaml: a flow kept for the end, and the value it sorts by
 * (the one-line formats keep their rendered line instead, in the
 * render queue; a json object would be four times the flow).
 */
struct flow_entry {
	uint64_t sort;
	struct flow flow;
};

/*
 * Kept flows, in 2 MiB chunks that are never moved, their pages touched
 * beforehand by a helper thread (chunk_supply.h): keeping 100,000 flows
 * touches 50 MB, and the faults are then not on the engine's thread.
 * (Huge pages were tried: on the bench machine their first faults after
 * another large process freed its memory took up to 100 ms.)
 */
enum { FLOW_CHUNK_BYTES = 2u << 20,
       FLOW_CHUNK_ENTRIES = FLOW_CHUNK_BYTES / sizeof(struct flow_entry) };

struct flows_ctx {
	const struct flows_opts *o;
	struct flow_entry **chunks;
	size_t n, cap, n_chunks;
	struct chunk_supply *supply; /* NULL: malloc() */
	/* One-line formats, sorted: lines rendered as flows end. */
	struct flow_render_queue *queue;
	bool oom;
	struct flow_report rep;     /* --sort none: printed as flows end */
	bool streaming;
	struct analyzer *a;
};

static bool parse_host(const char *s, struct ip_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->bytes) == 1) {
		a->family = 4;
		return true;
	}
	if (inet_pton(AF_INET6, s, a->bytes) == 1) {
		a->family = 6;
		return true;
	}
	return false;
}

static bool parse_sort(const char *s, enum flows_sort *out)
{
	static const char *const names[] = {"start", "duration", "bytes",
					    "pkts", "retrans", "none"};

	for (int i = 0; i < 6; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum flows_sort)i;
			return true;
		}
	}
	return false;
}

static int flows_option(void *opts, int ch, const char *arg, int *rc)
{
	struct flows_opts *o = opts;
	long v;

	switch (ch) {
	case OPT_HOST:
		if (!parse_host(arg, &o->host)) {
			return cli_usage("flows", rc, "flows: --host wants an IPv4 or IPv6 address, not '%s'", arg);
		}
		o->has_host = true;
		return 0;
	case OPT_PORT:
		if (!cli_parse_long(arg, 0, 65535, &v)) {
			return cli_usage("flows", rc, "flows: --port wants 0 to 65535, not '%s'", arg);
		}
		o->port = v;
		return 0;
	case OPT_PROTO:
		o->proto = strcmp(arg, "tcp") == 0 ? 6 : strcmp(arg, "udp") == 0 ? 17
			 : strcmp(arg, "icmp") == 0 ? 1 : -1;
		if (o->proto < 0) {
			return cli_usage("flows", rc, "flows: --proto wants tcp, udp or icmp, not '%s'", arg);
		}
		return 0;
	case OPT_STATE:
		o->state = arg;
		return 0;
	case OPT_SORT:
		if (!parse_sort(arg, &o->sort)) {
			return cli_usage("flows", rc, "flows: --sort wants start, duration, bytes, pkts, retrans or none, not '%s'", arg);
		}
		o->sort_given = true;
		return 0;
	case OPT_SENSOR:
		if (!cli_sensor_valid(arg)) {
			return cli_usage("flows", rc, "flows: --sensor wants 1 to %d letters, digits, '.', '_', ':' or '-', not '%s'",
					 CLI_SENSOR_MAX, arg);
		}
		o->sensor = arg;
		return 0;
	}
	return 0;
}

static bool is_conn_state(const char *s)
{
	static const char *const names[] = {
		"S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR", "RSTOS0",
		"RSTRH", "SH", "SHR", "OTH",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return true;
	return false;
}

static const struct option flows_longopts[] = {
	{"host", required_argument, NULL, OPT_HOST},
	{"port", required_argument, NULL, OPT_PORT},
	{"proto", required_argument, NULL, OPT_PROTO},
	{"state", required_argument, NULL, OPT_STATE},
	{"sort", required_argument, NULL, OPT_SORT},
	{"sensor", required_argument, NULL, OPT_SENSOR},
	{NULL, 0, NULL, 0},
};

static const struct cli_command flows_command = {
	.name = "flows",
	.usage = flows_usage,
	.exit_status = cli_exit_status_help,
	.common = CLI_COMMON_ENGINE,
	.formats = FLOWS_FORMATS,
	.options = flows_longopts,
	.option = flows_option,
};

static int parse_flows_opts(int argc, char **argv, struct flows_opts *o,
			    int *rc)
{
	int first;

	memset(o, 0, sizeof(*o));
	cli_analysis_defaults(&o->an);
	o->port = -1;
	first = cli_options_parse(&flows_command, argc, argv, &o->an,
				  &o->format, o, rc);
	if (first < 0)
		return -1;
	/* NDJSON is for streams: records as they become final. */
	if (o->format == OUTPUT_FORMAT_NDJSON && !o->sort_given)
		o->sort = SORT_NONE;
	if (o->state != NULL && tcp_state_from_name(o->state) < 0 &&
	    !is_conn_state(o->state)) {
		return cli_usage("flows", rc, "flows: --state wants a conn_state (SF, S0, REJ...) or a TCP state (ESTABLISHED, CLOSE_WAIT...), not '%s'",
			  o->state);
	}
	if (cli_analysis_load_config(&o->an, rc) < 0)
		return -1;
	return first;
}

static bool host_matches(const struct flows_opts *o, const struct flow *f)
{
	size_t alen = o->host.family == 4 ? 4 : 16;

	return f->key.family == o->host.family &&
	       (memcmp(f->key.addr[0], o->host.bytes, alen) == 0 ||
		memcmp(f->key.addr[1], o->host.bytes, alen) == 0);
}

static bool record_matches(const struct flows_opts *o,
			   const struct flow_record *r, const struct flow *f)
{
	if (o->has_host && !host_matches(o, f))
		return false;
	/* ICMP "ports" are its type and code, never a port number. */
	if (o->port >= 0 && (r->proto == 1 || r->proto == 58 ||
			     (r->orig_p != o->port && r->resp_p != o->port)))
		return false;
	if (o->proto != 0 && (o->proto == 1 ? (r->proto != 1 && r->proto != 58)
					    : r->proto != o->proto))
		return false;
	if (o->state != NULL) {
		int s = tcp_state_from_name(o->state);

		if (s >= 0)
			return r->is_tcp && (r->state[0] == s || r->state[1] == s);
		return strcmp(r->conn_state, o->state) == 0;
	}
	return true;
}

/* Larger first for the metrics; 0 for all when sorting by start. */
static uint64_t sort_value(enum flows_sort key, const struct flow_record *r)
{
	switch (key) {
	case SORT_DURATION: return (uint64_t)r->duration;
	case SORT_BYTES: return r->bytes[0] + r->bytes[1];
	case SORT_PKTS: return r->pkts[0] + r->pkts[1];
	case SORT_RETRANS: return (uint64_t)r->retrans[0] + r->retrans[1];
	default: return 0;
	}
}

static struct flow_entry *entry_at(const struct flows_ctx *ctx, size_t i)
{
	return &ctx->chunks[i / FLOW_CHUNK_ENTRIES][i % FLOW_CHUNK_ENTRIES];
}

static bool add_chunk(struct flows_ctx *ctx)
{
	struct flow_entry **chunks;
	void *c;

	chunks = realloc(ctx->chunks, (ctx->n_chunks + 1) * sizeof(*chunks));
	if (chunks == NULL)
		return false;
	ctx->chunks = chunks;
	c = ctx->supply != NULL ? chunk_supply_take(ctx->supply)
				: malloc(FLOW_CHUNK_BYTES);
	if (c == NULL)
		return false;
	ctx->chunks[ctx->n_chunks++] = c;
	ctx->cap += FLOW_CHUNK_ENTRIES;
	return true;
}

static void free_chunks(struct flows_ctx *ctx)
{
	for (size_t i = 0; i < ctx->n_chunks; i++)
		free(ctx->chunks[i]);
	free(ctx->chunks);
}

/* Whether keeping f needs its record now: to filter or sort by it. */
static bool needs_record(const struct flows_opts *o)
{
	return o->port >= 0 || o->proto != 0 || o->state != NULL ||
	       o->sort != SORT_START;
}

static void flows_on_end(void *arg, const struct flow *f, void *storage)
{
	struct flows_ctx *ctx = arg;
	struct flow_record r;
	struct flow_entry *e;
	uint64_t sort = 0;

	(void)storage;
	if (ctx->streaming || needs_record(ctx->o)) {
		flow_record_from_flow(&r, f, analyzer_tunnels(ctx->a));
		if (!record_matches(ctx->o, &r, f))
			return;
		sort = sort_value(ctx->o->sort, &r);
	} else if (ctx->o->has_host && !host_matches(ctx->o, f)) {
		return;
	}
	if (ctx->streaming) {
		if (ctx->n++ == 0)
			flow_report_begin(&ctx->rep, stdout, ctx->o->format,
					  analyzer_get_stats(ctx->a)->first_ts,
					  ctx->o->sensor);
		flow_report_flow(&ctx->rep, &r);
		return;
	}
	if (ctx->queue != NULL) {
		if (!flow_render_queue_push(ctx->queue, f, sort))
			ctx->oom = true;
		return;
	}
	if (ctx->n == ctx->cap && !add_chunk(ctx)) {
		ctx->oom = true;
		return;
	}
	e = entry_at(ctx, ctx->n++);
	e->sort = sort;
	e->flow = *f;
}

/* The kept flows in order, for flow_render_batches(). */
struct sorted_flows {
	const struct flows_ctx *ctx;
	const size_t *order;
};

static const struct flow *sorted_flow_at(const void *arg, size_t i)
{
	const struct sorted_flows *s = arg;

	return &entry_at(s->ctx, s->order[i])->flow;
}

/*
 * json: the kept flows rendered on two threads into buffers of their
 * own and written in large writes (flow_render_batches.h).
 */
static bool print_batches(struct flows_ctx *ctx, struct flow_report *rep,
			  const size_t *order)
{
	struct sorted_flows sorted = {ctx, order};
	struct flow_render_source src = {sorted_flow_at, &sorted, ctx->n};

	if (!flow_render_batches(&src, rep->format, analyzer_tunnels(ctx->a),
				 ctx->o->sensor, stdout))
		return false;
	flow_report_rows_put(rep, ctx->n);
	return true;
}

/*
 * Prints the kept flows in order; false with errno set when memory ran
 * out (ENOMEM) or writing failed.
 */
static bool print_sorted(struct flows_ctx *ctx, struct flow_report *rep,
			 enum output_format format)
{
	struct flow_order_key *keys = malloc((ctx->n ? ctx->n : 1) * sizeof(*keys));
	size_t *order;

	if (keys == NULL) {
		errno = ENOMEM;
		return false;
	}
	for (size_t i = 0; i < ctx->n; i++) {
		const struct flow_entry *e = entry_at(ctx, i);

		keys[i].sort = e->sort;
		keys[i].ts = e->flow.first_ts;
		keys[i].first_frame = e->flow.first_frame;
	}
	order = flow_order_sort(keys, ctx->n, sizeof(*keys));
	free(keys);
	if (order == NULL) {
		errno = ENOMEM;
		return false;
	}
	flow_report_begin(rep, stdout, format,
			  analyzer_get_stats(ctx->a)->first_ts, ctx->o->sensor);
	if (format == OUTPUT_FORMAT_JSON) {
		bool ok = print_batches(ctx, rep, order);

		free(order);
		return ok;
	}
	for (size_t i = 0; i < ctx->n; i++) {
		struct flow_record r;

		flow_record_from_flow(&r, &entry_at(ctx, order[i])->flow,
				      analyzer_tunnels(ctx->a));
		flow_report_flow(rep, &r);
	}
	free(order);
	return true;
}

int cmd_flows(int argc, char **argv)
{
	struct flows_opts o;
	struct flows_ctx ctx = {0};
	struct capture_source *src = NULL;
	struct flow_report rep;
	struct engine_config cfg = {0};
	struct engine_consumer keep = {0};
	struct engine *e;
	struct analyzer *a;
	int first, rc = CLI_EXIT_OK;

	first = parse_flows_opts(argc, argv, &o, &rc);
	if (first < 0)
		return rc;
	if (first >= argc) {
		cli_usage("flows", NULL, "flows: no capture file given (use '-' for standard input)");
		return CLI_EXIT_USAGE;
	}
	ctx.o = &o;
	ctx.streaming = o.sort == SORT_NONE;
	keep.ctx = &ctx;
	keep.on_flow_end = flows_on_end;
	cfg.analyzer = o.an.cfg;
	cfg.consumers = &keep;
	cfg.n_consumers = 1;
	e = engine_new(&cfg);
	if (e == NULL) {
		cli_error("out of memory");
		return CLI_EXIT_INTERNAL;
	}
	a = engine_analyzer(e);
	ctx.a = a;
	if (!ctx.streaming && flow_render_queue_supports(o.format)) {
		ctx.queue = flow_render_queue_new(o.format,
						  analyzer_tunnels(a), o.sensor);
		if (ctx.queue == NULL) {
			engine_free(e);
			cli_error("out of memory");
			return CLI_EXIT_INTERNAL;
		}
	} else if (!ctx.streaming) {
		ctx.supply = chunk_supply_start(FLOW_CHUNK_BYTES);
	}
	rc = cli_engine_run(&o.an, &argv[first], argc - first, e, &src);
	chunk_supply_stop(ctx.supply);
	ctx.supply = NULL;
	if (rc == CLI_EXIT_OK && ctx.oom) {
		cli_error("out of memory keeping flow records");
		rc = CLI_EXIT_INTERNAL;
	}
	if (rc == CLI_EXIT_OK && ctx.streaming) {
		if (ctx.n == 0)
			flow_report_begin(&ctx.rep, stdout, o.format,
					  analyzer_get_stats(a)->first_ts, o.sensor);
		flow_report_end(&ctx.rep, analyzer_get_stats(a), ctx.n);
		rc = cli_finish_output();
	} else if (rc == CLI_EXIT_OK && ctx.queue != NULL) {
		long long shown = flow_render_queue_finish(ctx.queue);

		if (shown < 0) {
			cli_error("out of memory keeping flow records");
			rc = CLI_EXIT_INTERNAL;
		} else {
			flow_report_begin(&rep, stdout, o.format,
					  analyzer_get_stats(a)->first_ts, o.sensor);
			if (!flow_render_queue_write(ctx.queue, stdout)) {
				cli_error("cannot write output: %s",
					  strerror(errno));
				rc = CLI_EXIT_INTERNAL;
			} else {
				flow_report_end(&rep, analyzer_get_stats(a),
						(size_t)shown);
				rc = cli_finish_output();
			}
		}
	} else if (rc == CLI_EXIT_OK) {
		if (!print_sorted(&ctx, &rep, o.format)) {
			if (errno == ENOMEM)
				cli_error("out of memory sorting flow records");
			else
				cli_error("cannot write output: %s",
					  strerror(errno));
			rc = CLI_EXIT_INTERNAL;
		} else {
			flow_report_end(&rep, analyzer_get_stats(a), ctx.n);
			rc = cli_finish_output();
		}
	}
	capture_source_free(src);
	engine_free(e);
	free_chunks(&ctx);
	flow_render_queue_free(ctx.queue);
	return rc;
}
