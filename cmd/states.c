/* tcplens states: each host's socket table as the wire shows it. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr_format.h"
#include "cli_analysis.h"
#include "cli_options.h"
#include "doc_writer.h"
#include "engine.h"
#include "host_label.h"
#include "time_format.h"

static const char states_usage[] =
	"Usage: tcplens states [OPTIONS] FILE...\n"
	"The TCP socket table each host would show (as `ss -tan`), rebuilt from\n"
	"the wire at the end of the capture or at a given time: per host, the\n"
	"count of connections in each state and the connections themselves.\n"
	"SYN_RECV is an estimate (a SYN-ACK not resent in time holds no socket:\n"
	"a SYN cookie); ten or more hosts holding only SYN_SENT sockets (SYN\n"
	"flood sources) are summed up in one line.  The same address in two\n"
	"tunnels (two tenants' VXLAN VNIs or GRE keys) is two hosts, each named\n"
	"with its tunnel.\n"
	"\n"
	"      --at TIME           the table at TIME: ISO 8601 UTC\n"
	"                          (2026-01-01T00:00:05.25Z), seconds since the\n"
	"                          epoch, or +SECONDS from the first packet\n"
	"  -F, --format FORMAT     text (default) or json\n";

#define NS_PER_SEC 1000000000LL

enum { OPT_AT = CLI_OPT_FIRST_FREE };

enum at_kind { AT_END, AT_ABSOLUTE, AT_RELATIVE };

#define STATES_FORMATS                                                     \
	(OUTPUT_FORMAT_SET(OUTPUT_FORMAT_TEXT) |                           \
	 OUTPUT_FORMAT_SET(OUTPUT_FORMAT_JSON))

struct states_opts {
	struct cli_analysis_opts an;
	enum output_format format;
	enum at_kind at_kind;
	int64_t at_ns;
};

struct states_ctx {
	struct engine *e;
	struct states_opts *o;
	int64_t first_ts;
	bool have_first;
	bool stopped;           /* a packet after --at was seen */
};

/* ISO 8601 UTC, epoch seconds, or +seconds; decimals up to ns. */
static bool parse_at(const char *s, struct states_opts *o)
{
	int y, mo, d, h, mi, sec, used = 0;
	const char *frac;
	int64_t whole, nsec = 0;
	char *end;

	if (s[0] == '+') {
		o->at_kind = AT_RELATIVE;
		s++;
	} else {
		o->at_kind = AT_ABSOLUTE;
	}
	if (o->at_kind == AT_ABSOLUTE &&
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
		   &used) == 6) {
		struct tm tm = {0};

		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_sec = sec;
		whole = (int64_t)timegm(&tm);
		frac = s + used;
	} else {
		if (s[0] < '0' || s[0] > '9')
			return false;
		errno = 0;
		whole = strtoll(s, &end, 10);
		if (errno != 0)
			return false;
		frac = end;
	}
	/* Times int64 nanoseconds can hold (until 2262). */
	if (whole > INT64_MAX / NS_PER_SEC - 1 || whole < -(INT64_MAX / NS_PER_SEC - 1))
		return false;
	if (*frac == '.') {
		int64_t scale = NS_PER_SEC / 10;

		for (frac++; *frac >= '0' && *frac <= '9'; frac++, scale /= 10)
			nsec += (*frac - '0') * scale;
	}
	if (o->at_kind == AT_ABSOLUTE && used > 0 && *frac == 'Z')
		frac++;
	if (*frac != '\0')
		return false;
	o->at_ns = whole * NS_PER_SEC + nsec;
	return true;
}

static int states_option(void *opts, int ch, const char *arg, int *rc)
{
	(void)ch; /* --at, the only one */
	if (!parse_at(arg, opts))
		return cli_usage("states", rc, "states: --at wants 2026-01-01T00:00:05Z, epoch seconds or +SECONDS, not '%s'", arg);
	return 0;
}

static const struct option states_longopts[] = {
	{"at", required_argument, NULL, OPT_AT},
	{NULL, 0, NULL, 0},
};

static const struct cli_command states_command = {
	.name = "states",
	.usage = states_usage,
	.exit_status = cli_exit_status_help,
	.common = CLI_COMMON_ENGINE,
	.formats = STATES_FORMATS,
	.options = states_longopts,
	.option = states_option,
};

static int parse_states_opts(int argc, char **argv, struct states_opts *o,
			     int *rc)
{
	int first;

	memset(o, 0, sizeof(*o));
	cli_analysis_defaults(&o->an);
	first = cli_options_parse(&states_command, argc, argv, &o->an,
				  &o->format, o, rc);
	if (first < 0 || cli_analysis_load_config(&o->an, rc) < 0)
		return -1;
	return first;
}

static void states_on_packet(void *arg, const struct packet *pkt)
{
	struct states_ctx *ctx = arg;
	int64_t t = pkt_time_ns(pkt->ts);

	if (ctx->stopped)
		return;
	if (pkt->has_ts && !ctx->have_first) {
		ctx->have_first = true;
		ctx->first_ts = t;
		if (ctx->o->at_kind == AT_RELATIVE) {
			if (__builtin_add_overflow(ctx->o->at_ns, t, &ctx->o->at_ns))
				ctx->o->at_ns = INT64_MAX;
			ctx->o->at_kind = AT_ABSOLUTE;
		}
	}
	if (ctx->o->at_kind == AT_ABSOLUTE && pkt->has_ts && t > ctx->o->at_ns) {
		ctx->stopped = true;
		return;
	}
	engine_feed(ctx->e, pkt);
}

/* A socket's end: a listener's peer has no port yet, "*" as ss shows. */
static void endpoint_text(char *buf, size_t len, const uint8_t *addr,
			  int family, uint16_t port, bool any_port)
{
	addr_format_endpoint(family, addr, any_port ? ADDR_FORMAT_ANY_PORT : port,
			     buf, len);
}

static bool same_host(const struct host_socket *a, const struct host_socket *b)
{
	return a->family == b->family && a->tunnel == b->tunnel &&
	       memcmp(a->addr, b->addr, 16) == 0;
}

static void print_host_doc(struct doc_writer *w,
			    const struct host_socket *rows, size_t n,
			    const struct tunnel_table *tunnels)
{
	uint64_t counts[TCP_STATE_COUNT] = {0};
	char buf[ADDR_FORMAT_ENDPOINT_LEN];

	for (size_t i = 0; i < n; i++)
		counts[rows[i].state]++;
	doc_begin_object(w);
	host_label_doc(w, rows[0].family, rows[0].addr, rows[0].tunnel,
		       tunnels);
	doc_key(w, "states");
	doc_begin_object(w);
	for (int s = 0; s < TCP_STATE_COUNT; s++)
		if (counts[s])
			doc_member_uint(w, tcp_state_name((enum tcp_state)s), counts[s]);
	doc_end_object(w);
	doc_key(w, "sockets");
	doc_begin_array(w);
	for (size_t i = 0; i < n; i++) {
		const struct host_socket *r = &rows[i];

		doc_begin_object(w);
		doc_member_string(w, "state", tcp_state_name(r->state));
		endpoint_text(buf, sizeof(buf), r->addr, r->family, r->port, false);
		doc_member_string(w, "local", buf);
		endpoint_text(buf, sizeof(buf), r->peer, r->family, r->peer_port,
			      r->uid == 0);
		doc_member_string(w, "peer", buf);
		if (r->uid != 0) {
			char uid[FLOW_UID_LEN];

			flow_format_uid(r->uid, uid);
			doc_member_string(w, "uid", uid);
		} else {
			doc_key(w, "uid");
			doc_null(w);
		}
		doc_end_object(w);
	}
	doc_end_array(w);
	doc_end_object(w);
}

static void print_host_text(const struct host_socket *rows, size_t n,
			    const struct tunnel_table *tunnels)
{
	uint64_t counts[TCP_STATE_COUNT] = {0};
	char h[HOST_LABEL_LEN], local[ADDR_FORMAT_ENDPOINT_LEN];
	char peer[ADDR_FORMAT_ENDPOINT_LEN];
	bool first = true;

	for (size_t i = 0; i < n; i++)
		counts[rows[i].state]++;
	host_label_text(rows[0].family, rows[0].addr, rows[0].tunnel, tunnels,
			h, sizeof(h));
	printf("%s:", h);
	for (int s = 0; s < TCP_STATE_COUNT; s++) {
		if (counts[s]) {
			printf("%s %s %" PRIu64, first ? "" : ",",
			       tcp_state_name((enum tcp_state)s), counts[s]);
			first = false;
		}
	}
	printf("\n  %-12s %-47s %-47s %s\n", "State", "Local", "Peer", "uid");
	for (size_t i = 0; i < n; i++) {
		const struct host_socket *r = &rows[i];
		char uid[FLOW_UID_LEN] = "-";

		endpoint_text(local, sizeof(local), r->addr, r->family, r->port, false);
		endpoint_text(peer, sizeof(peer), r->peer, r->family, r->peer_port,
			      r->uid == 0);
		if (r->uid != 0)
			flow_format_uid(r->uid, uid);
		printf("  %-12s %-47s %-47s %s\n", tcp_state_name(r->state), local,
		       peer, uid);
	}
}

/* What the table leaves out, after it (host_states.h says why). */
static void print_left_out_text(const struct host_states_summary *l)
{
	if (l->syn_only_hosts > 0)
		printf("%" PRIu32 " hosts left out holding only SYN_SENT sockets "
		       "(%" PRIu32 "): sources that sent SYNs and completed "
		       "nothing, as spoofed SYN-flood sources\n",
		       l->syn_only_hosts, l->syn_only_sockets);
	if (l->syn_recv_gone > 0)
		printf("SYN_RECV is an estimate: %" PRIu32 " of the %" PRIu32
		       " the wire shows are left out, their SYN-ACK not sent "
		       "again when its timer (1 s, doubled per resend) ran out: "
		       "SYN cookies, or requests given up\n",
		       l->syn_recv_gone, l->syn_recv_seen);
}

static void print_left_out_doc(struct doc_writer *w,
			       const struct host_states_summary *l)
{
	doc_key(w, "left_out");
	doc_begin_object(w);
	doc_member_uint(w, "syn_only_hosts", l->syn_only_hosts);
	doc_member_uint(w, "syn_only_sockets", l->syn_only_sockets);
	doc_member_uint(w, "syn_recv_seen", l->syn_recv_seen);
	doc_member_uint(w, "syn_recv_not_held", l->syn_recv_gone);
	doc_end_object(w);
}

/* The sockets come sorted by host (host_states_sockets). */
static void print_table(const struct states_opts *o,
			const struct host_socket *rows, size_t n, int64_t at,
			const struct host_states_summary *left_out,
			const struct tunnel_table *tunnels)
{
	struct doc_writer w;
	char ts[TIME_FORMAT_LEN];
	struct pkt_time pt = {at / NS_PER_SEC, (uint32_t)(at % NS_PER_SEC)};

	time_format_iso(ts, sizeof(ts), pt, 9);
	if (o->format == OUTPUT_FORMAT_JSON) {
		doc_writer_init(&w, stdout, DOC_JSON);
		doc_begin_object(&w);
		doc_member_string(&w, "at", ts);
		doc_key(&w, "hosts");
		doc_begin_array(&w);
	} else {
		printf("TCP sockets as the wire shows them at %s\n", ts);
	}
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;

		while (j < n && same_host(&rows[i], &rows[j]))
			j++;
		if (o->format == OUTPUT_FORMAT_JSON)
			print_host_doc(&w, &rows[i], j - i, tunnels);
		else
			print_host_text(&rows[i], j - i, tunnels);
		i = j;
	}
	if (o->format == OUTPUT_FORMAT_JSON) {
		doc_end_array(&w);
		print_left_out_doc(&w, left_out);
		doc_end_object(&w);
		doc_writer_finish(&w);
	} else {
		print_left_out_text(left_out);
	}
}

/* at moves on to the inputs' end time when they give a later one. */
static void capture_end_after(const struct capture_source *src, int64_t *at)
{
	int64_t end;

	if (cli_capture_end(src, &end) && end > *at)
		*at = end;
}

int cmd_states(int argc, char **argv)
{
	struct states_opts o;
	struct states_ctx ctx = {0};
	struct engine_config cfg = {0};
	struct engine_snapshot snap;
	struct capture_source *src = NULL;
	struct cli_input in;
	int64_t at;
	int first, rc = CLI_EXIT_OK;

	first = parse_states_opts(argc, argv, &o, &rc);
	if (first < 0)
		return rc;
	if (first >= argc) {
		cli_usage("states", &rc, "states: no capture file given (use '-' for standard input)");
		return rc;
	}
	ctx.o = &o;
	cfg.analyzer = o.an.cfg;
	cfg.parts = ENGINE_SOCKETS;
	engine_snapshot_init(&snap, SNAPSHOT_SOCKETS);
	ctx.e = engine_new(&cfg);
	if (ctx.e == NULL) {
		cli_error("out of memory");
		rc = CLI_EXIT_INTERNAL;
		goto out;
	}
	in.paths = (const char *const *)&argv[first];
	in.n_paths = (size_t)(argc - first);
	in.filter = o.an.filter;
	in.progress = o.an.progress;
	in.checksums = false;
	in.pipelined = true;
	rc = cli_run_inputs(&in, states_on_packet, &ctx, &src);
	if (rc == CLI_EXIT_OK)
		rc = cli_analysis_memory_check(engine_analyzer(ctx.e));
	if (rc == CLI_EXIT_OK) {
		/*
		 * The packets up to --at were fed, none after: the table then.
		 * Without --at, the capture's end, which a pcapng file's
		 * statistics may put after its last packet.
		 */
		at = o.at_kind == AT_ABSOLUTE ? o.at_ns
					      : analyzer_now(engine_analyzer(ctx.e));
		if (o.at_kind == AT_END)
			capture_end_after(src, &at);
		engine_advance(ctx.e, at);
		if (!engine_snapshot_take(ctx.e, &snap)) {
			cli_error("out of memory");
			rc = CLI_EXIT_INTERNAL;
		} else {
			print_table(&o, snap.sockets, snap.n_sockets, at,
				    &snap.hosts_left_out,
				    analyzer_tunnels(engine_analyzer(ctx.e)));
			rc = cli_finish_output();
		}
	}
out:
	capture_source_free(src);
	engine_free(ctx.e);
	engine_snapshot_free(&snap);
	return rc;
}
