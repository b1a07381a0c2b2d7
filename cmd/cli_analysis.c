#include "cli_analysis.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

#define NS_PER_SEC 1000000000LL

/* Which engine options the command line gave (struct cli_analysis_opts.given). */
enum {
	GIVEN_TIME_WAIT = 1u << 0,
	GIVEN_MAX_FLOWS = 1u << 1,
	GIVEN_TCP_TIMEOUT = 1u << 2,
	GIVEN_UDP_TIMEOUT = 1u << 3,
	GIVEN_ICMP_TIMEOUT = 1u << 4,
	GIVEN_FRAG_TIMEOUT = 1u << 5,
	GIVEN_FRAG_MEMORY = 1u << 6,
};

const char cli_analysis_usage[] =
	"  -f, --filter EXPR       only frames matching the BPF expression\n"
	"      --time-wait SEC     TIME_WAIT length, 2MSL (default 60, as Linux)\n"
	"      --max-flows N       flows tracked at once (default 1000000); the\n"
	"                          least recently active is evicted and counted\n"
	"      --tcp-timeout SEC   idle timeout of half-open and closing TCP\n"
	"                          connections (default 300)\n"
	"      --udp-timeout SEC   idle timeout of UDP flows (default 60)\n"
	"      --icmp-timeout SEC  idle timeout of ICMP flows (default 60)\n"
	"      --frag-timeout SEC  drop unfinished IP datagrams after SEC seconds\n"
	"      --frag-memory MIB   buffer at most MIB MiB of fragments (default 64)\n"
	"      --config FILE       read the engine and detector settings from FILE\n"
	"                          (default: the first found of $TCPLENS_CONFIG,\n"
	"                          ~/.config/tcplens/config.yaml and\n"
	"                          /etc/tcplens/config.yaml; see tcplens(1))\n"
	"      --no-progress       no progress indicator on standard error\n";

bool cli_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool cli_sensor_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CLI_SENSOR_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == ':' || c == '-'))
			return false;
	}
	return true;
}

void cli_analysis_defaults(struct cli_analysis_opts *o)
{
	struct settings s;

	o->filter = NULL;
	o->progress = true;
	o->config = NULL;
	o->given = 0;
	o->checksums = false;
	settings_defaults(&s);
	o->cfg = s.engine;
	o->detect = s.detect;
}

static int bad_value(const char *cmd, const char *opt, const char *want,
		     const char *arg)
{
	return cli_usage(cmd, NULL, "%s: --%s wants %s, not '%s'", cmd, opt,
			 want, arg);
}

int cli_analysis_option(int ch, const char *arg, const char *cmd,
			struct cli_analysis_opts *o)
{
	long v;

	switch (ch) {
	case 'f':
		o->filter = arg;
		return 1;
	case CLI_OPT_NO_PROGRESS:
		o->progress = false;
		return 1;
	case CLI_OPT_CONFIG:
		o->config = arg;
		return 1;
	case CLI_OPT_TIME_WAIT:
		if (!cli_parse_long(arg, 1, 86400, &v))
			return bad_value(cmd, "time-wait", "seconds, 1 to 86400", arg);
		o->cfg.tcp.time_wait_ns = v * NS_PER_SEC;
		o->given |= GIVEN_TIME_WAIT;
		return 1;
	case CLI_OPT_MAX_FLOWS:
		if (!cli_parse_long(arg, 1, 100000000, &v))
			return bad_value(cmd, "max-flows", "a count, 1 to 100000000", arg);
		o->cfg.max_flows = (uint32_t)v;
		o->given |= GIVEN_MAX_FLOWS;
		return 1;
	case CLI_OPT_TCP_TIMEOUT:
	case CLI_OPT_UDP_TIMEOUT:
	case CLI_OPT_ICMP_TIMEOUT:
		if (!cli_parse_long(arg, 1, 86400 * 7, &v))
			return bad_value(cmd, ch == CLI_OPT_TCP_TIMEOUT ? "tcp-timeout"
					 : ch == CLI_OPT_UDP_TIMEOUT ? "udp-timeout"
					 : "icmp-timeout",
					 "seconds, 1 to 604800", arg);
		if (ch == CLI_OPT_TCP_TIMEOUT) {
			o->cfg.tcp_idle_ns = v * NS_PER_SEC;
			o->given |= GIVEN_TCP_TIMEOUT;
		} else if (ch == CLI_OPT_UDP_TIMEOUT) {
			o->cfg.udp_idle_ns = v * NS_PER_SEC;
			o->given |= GIVEN_UDP_TIMEOUT;
		} else {
			o->cfg.icmp_idle_ns = v * NS_PER_SEC;
			o->given |= GIVEN_ICMP_TIMEOUT;
		}
		return 1;
	case CLI_OPT_FRAG_TIMEOUT:
		if (!cli_parse_long(arg, 1, 86400, &v))
			return bad_value(cmd, "frag-timeout", "seconds, 1 to 86400", arg);
		o->cfg.defrag.timeout_v4_ns = v * NS_PER_SEC;
		o->cfg.defrag.timeout_v6_ns = v * NS_PER_SEC;
		o->given |= GIVEN_FRAG_TIMEOUT;
		return 1;
	case CLI_OPT_FRAG_MEMORY:
		if (!cli_parse_long(arg, 1, 65536, &v))
			return bad_value(cmd, "frag-memory", "MiB, 1 to 65536", arg);
		o->cfg.defrag.memory_cap = (size_t)v << 20;
		o->given |= GIVEN_FRAG_MEMORY;
		return 1;
	default:
		return 0;
	}
}

enum cli_exit cli_config_exit(enum config_status st)
{
	switch (st) {
	case CONFIG_OK: return CLI_EXIT_OK;
	case CONFIG_INVALID: return CLI_EXIT_USAGE;
	case CONFIG_UNREADABLE: return CLI_EXIT_INPUT;
	case CONFIG_NO_MEMORY: return CLI_EXIT_INTERNAL;
	}
	return CLI_EXIT_INTERNAL;
}

int cli_analysis_load_config(struct cli_analysis_opts *o, int *rc)
{
	char used[CONFIG_PATH_MAX], err[1024];
	const struct analyzer_config cl = o->cfg;
	struct analyzer_config *c;
	struct settings s;
	enum config_status st;

	st = config_file_read(o->config, &s, used, sizeof(used), err,
			      sizeof(err));
	if (st != CONFIG_OK) {
		cli_error("%s", err);
		*rc = cli_config_exit(st);
		return -1;
	}
	/* The command line wins over the file. */
	c = &s.engine;
	if (o->given & GIVEN_TIME_WAIT)
		c->tcp.time_wait_ns = cl.tcp.time_wait_ns;
	if (o->given & GIVEN_MAX_FLOWS)
		c->max_flows = cl.max_flows;
	if (o->given & GIVEN_TCP_TIMEOUT)
		c->tcp_idle_ns = cl.tcp_idle_ns;
	if (o->given & GIVEN_UDP_TIMEOUT)
		c->udp_idle_ns = cl.udp_idle_ns;
	if (o->given & GIVEN_ICMP_TIMEOUT)
		c->icmp_idle_ns = cl.icmp_idle_ns;
	if (o->given & GIVEN_FRAG_TIMEOUT) {
		c->defrag.timeout_v4_ns = cl.defrag.timeout_v4_ns;
		c->defrag.timeout_v6_ns = cl.defrag.timeout_v6_ns;
	}
	if (o->given & GIVEN_FRAG_MEMORY)
		c->defrag.memory_cap = cl.defrag.memory_cap;
	o->cfg = *c;
	o->detect = s.detect;
	return 0;
}

/* "ADDR:PORT" or "[V6ADDR]:PORT" (a bare V6ADDR.PORT is not accepted). */
static bool parse_endpoint(const char *s, size_t len, struct ip_addr *a,
			   uint16_t *port)
{
	char buf[80];
	const char *colon;
	long p;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (close == NULL || close[1] != ':')
			return false;
		*close = '\0';
		if (inet_pton(AF_INET6, buf + 1, a->bytes) != 1)
			return false;
		a->family = 6;
		colon = close + 1;
	} else {
		char *c = strrchr(buf, ':');

		if (c == NULL)
			return false;
		*c = '\0';
		memset(a->bytes, 0, sizeof(a->bytes));
		if (inet_pton(AF_INET, buf, a->bytes) != 1)
			return false;
		a->family = 4;
		colon = c;
	}
	if (!cli_parse_long(colon + 1, 0, 65535, &p))
		return false;
	*port = (uint16_t)p;
	return true;
}

bool flow_selector_parse(const char *s, struct flow_selector *sel)
{
	const char *dash;

	memset(sel, 0, sizeof(*sel));
	if (s[0] == 'C' && strlen(s) == FLOW_UID_LEN - 1 &&
	    strspn(s, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "abcdefghijklmnopqrstuvwxyz") == FLOW_UID_LEN - 1) {
		sel->by_uid = true;
		memcpy(sel->uid, s, FLOW_UID_LEN);
		return true;
	}
	/* The dash between endpoints follows a port: the last ":digits-". */
	for (dash = strchr(s, '-'); dash != NULL; dash = strchr(dash + 1, '-'))
		if (parse_endpoint(s, (size_t)(dash - s), &sel->a, &sel->pa) &&
		    parse_endpoint(dash + 1, strlen(dash + 1), &sel->b, &sel->pb))
			return sel->a.family == sel->b.family;
	return false;
}

static bool endpoint_is(const struct flow *f, int dir, const struct ip_addr *a,
			uint16_t port)
{
	size_t alen = a->family == 4 ? 4 : 16;

	return f->key.family == a->family && flow_port(f, dir) == port &&
	       memcmp(flow_addr(f, dir), a->bytes, alen) == 0;
}

bool flow_selector_match(const struct flow_selector *sel,
			 const struct flow *f)
{
	if (sel->by_uid) {
		char uid[FLOW_UID_LEN];

		flow_format_uid(flow_uid(f), uid);
		return strcmp(uid, sel->uid) == 0;
	}
	return (endpoint_is(f, FLOW_ORIG, &sel->a, sel->pa) &&
		endpoint_is(f, FLOW_RESP, &sel->b, sel->pb)) ||
	       (endpoint_is(f, FLOW_ORIG, &sel->b, sel->pb) &&
		endpoint_is(f, FLOW_RESP, &sel->a, sel->pa));
}

/*
 * At the flow's start, not at each segment: a later connection counts
 * once however many segments it has, and a flow starts exactly once.
 */
enum flow_pick_verdict flow_pick_on_start(struct flow_pick *p,
					  const struct flow_selector *sel,
					  const struct flow *f)
{
	if (!flow_selector_match(sel, f))
		return FLOW_PICK_NONE;
	if (!flow_is_tcp(f)) {
		p->other_proto = flow_proto_name(f);
		return FLOW_PICK_NONE;
	}
	if (!p->found) {
		p->found = true;
		p->uid = flow_uid(f);
		return FLOW_PICK_FIRST;
	}
	if (p->n_later < FLOW_PICK_NAMED)
		p->later[p->n_later] = flow_uid(f);
	p->n_later++;
	return FLOW_PICK_LATER;
}

void flow_pick_warn_later(const struct flow_pick *p, const char *cmd,
			  const char *sel_text, const char *did)
{
	char list[FLOW_PICK_NAMED * (FLOW_UID_LEN + 2) + 32];
	char first[FLOW_UID_LEN];
	size_t k = 0, named = p->n_later < FLOW_PICK_NAMED ? p->n_later
							   : FLOW_PICK_NAMED;

	if (p->n_later == 0)
		return;
	list[0] = '\0';
	for (size_t i = 0; i < named && k < sizeof(list); i++) {
		char uid[FLOW_UID_LEN];
		int w;

		flow_format_uid(p->later[i], uid);
		w = snprintf(list + k, sizeof(list) - k, "%s%s",
			     i > 0 ? ", " : "", uid);
		if (w > 0)
			k += (size_t)w;
	}
	if (p->n_later > named && k < sizeof(list))
		snprintf(list + k, sizeof(list) - k, " and %zu more",
			 p->n_later - named);
	flow_format_uid(p->uid, first);
	cli_warning("%s: '%s' matches %zu later connection%s on the same 4-tuple (%s); %s the first, %s; pick another with --flow UID",
		    cmd, sel_text, p->n_later, p->n_later == 1 ? "" : "s",
		    list, did, first);
}

static void feed_engine(void *ctx, const struct packet *pkt)
{
	engine_feed(ctx, pkt);
}

/* The input files through fn(ctx, packet), as the options say. */
static enum cli_exit run_inputs(const struct cli_analysis_opts *o,
				char **paths, int n_paths, cli_packet_fn fn,
				void *ctx, struct capture_source **src_out)
{
	struct cli_input in;

	in.paths = (const char *const *)paths;
	in.n_paths = (size_t)n_paths;
	in.filter = o->filter;
	in.progress = o->progress;
	/* Only the checksum_errors detector (report, check) asks for them. */
	in.checksums = o->checksums;
	in.pipelined = true;
	return cli_run_inputs(&in, fn, ctx, src_out);
}

void cli_engine_to_capture_end(struct engine *e,
			       const struct capture_source *src)
{
	int64_t end;

	if (cli_capture_end(src, &end) &&
	    end > analyzer_now(engine_analyzer(e)))
		engine_advance(e, end);
}

struct hooked_feed {
	struct engine *e;
	cli_packet_fn before;
	void *ctx;
};

static void feed_engine_hooked(void *arg, const struct packet *pkt)
{
	struct hooked_feed *h = arg;

	h->before(h->ctx, pkt);
	engine_feed(h->e, pkt);
}

enum cli_exit cli_engine_run(const struct cli_analysis_opts *o,
			     char **paths, int n_paths, struct engine *e,
			     struct capture_source **src_out)
{
	return cli_engine_run_with(o, paths, n_paths, e, NULL, NULL, src_out);
}

enum cli_exit cli_engine_run_with(const struct cli_analysis_opts *o,
				  char **paths, int n_paths, struct engine *e,
				  cli_packet_fn before, void *ctx,
				  struct capture_source **src_out)
{
	struct hooked_feed h = {e, before, ctx};
	enum cli_exit rc = before != NULL
		? run_inputs(o, paths, n_paths, feed_engine_hooked, &h, src_out)
		: run_inputs(o, paths, n_paths, feed_engine, e, src_out);

	struct quality_source_facts facts;

	if (rc == CLI_EXIT_OK) {
		cli_quality_facts(*src_out, &facts);
		engine_set_source_facts(e, &facts);
		cli_engine_to_capture_end(e, *src_out);
		engine_finish(e);
		rc = cli_analysis_memory_check(engine_analyzer(e));
	}
	return rc;
}

enum cli_exit cli_analysis_memory_check(struct analyzer *a)
{
	const struct analyzer_stats *st = analyzer_get_stats(a);

	if (st->no_memory == 0 && st->flows_evicted_no_memory == 0)
		return CLI_EXIT_OK;
	if (st->flows_evicted_no_memory > 0 && st->no_memory > 0)
		cli_error("out of memory: %" PRIu64 " flows were ended early to make room (not --max-flows) and %" PRIu64 " packets could not be tracked; the results are incomplete",
			  st->flows_evicted_no_memory, st->no_memory);
	else if (st->flows_evicted_no_memory > 0)
		cli_error("out of memory: %" PRIu64 " flows were ended early to make room (not --max-flows); the results are incomplete",
			  st->flows_evicted_no_memory);
	else
		cli_error("out of memory: %" PRIu64 " packets could not be tracked; the results are incomplete",
			  st->no_memory);
	return CLI_EXIT_INTERNAL;
}
