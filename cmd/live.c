/*
 * tcplens live: the analysis while the capture runs, findings as they
 * fire, and the final report at the end.  This slice replays capture
 * files (-r) through the live path: a reader thread (live_feed.h) and
 * this, the engine thread, which feeds the engine, moves its clock on a
 * quiet link and writes what changed (live_stream.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "capture_source.h"
#include "cli_options.h"
#include "diagnose.h"
#include "live_capture.h"
#include "live_dash.h"
#include "live_dash_term.h"
#include "live_feed.h"
#include "export_clickhouse.h"
#include "live_export.h"
#include "live_metrics.h"
#include "live_stream.h"
#include "metrics_http.h"
#include "metrics_prom.h"
#include "privilege_drop.h"

#define NS_PER_SEC 1000000000LL
/* The longest the engine thread sleeps: signals and --duration are seen. */
#define WAKE_NS (200 * 1000000LL)
/* The dashboard's snapshots: 4 a second at most. */
#define DASH_TICK_NS (250 * 1000000LL)
/* Warnings the dashboard holds until curses is left. */
#define HELD_NOTES 8

static const char live_usage[] =
	"Usage: tcplens live -i IFACE [OPTIONS]\n"
	"       tcplens live -r FILE [-r FILE]... [OPTIONS] [FILE...]\n"
	"       tcplens live -D\n"
	"The analysis while the capture runs: each finding as it fires, moves or\n"
	"clears, and at the end (end of the files, -c, --duration, SIGINT or\n"
	"SIGTERM) the final report, as `tcplens report` prints it, and the\n"
	"capture's counts.  -r replays capture files at their own pace.\n"
	"\n"
	"  -i, --interface IFACE   capture on IFACE ('any': every interface)\n"
	"  -s, --snapshot-length N bytes kept of each frame (default 262144)\n"
	"  -B, --buffer-size KIB   the kernel's capture buffer (default 32768)\n"
	"  -p, --no-promiscuous-mode  do not put the interface in promiscuous mode\n"
	"      --immediate         hand each packet over at once (gives up the\n"
	"                          ring's batching, which keeps up at high rates)\n"
	"  -w, --write FILE        write every captured frame to FILE (pcapng,\n"
	"                          with the capture's end and drops)\n"
	"  -Z, --relinquish-privileges USER  started as root, become USER (default\n"
	"                          nobody) once the interface is open\n"
	"  -D, --list-interfaces   list the interfaces, as tcpdump -D, and exit\n"
	"  -r, --read FILE         replay FILE (more files: -r again, or operands)\n"
	"      --speed X           replay X times the capture's pace (default 1;\n"
	"                          0: as fast as possible)\n"
	"  -F, --format FORMAT     text (default: check's finding lines as they\n"
	"                          fire, a RESOLVED or WITHDRAWN line when one\n"
	"                          clears or is taken back, then the report; a\n"
	"                          status line on a terminal's stderr) or ndjson\n"
	"                          (finding, stats, report and capture lines)\n"
	"      --no-tui            these lines even when stdout is a terminal, where\n"
	"                          -F text otherwise opens the dashboard (q quits,\n"
	"                          ? lists its keys)\n"
	"      --flows             (ndjson) a flow line as each flow ends, with\n"
	"                          `flows -F json`'s keys\n"
	"      --sensor NAME       the capture point, in every flow and finding line\n"
	"                          (ndjson, --flows-out, --clickhouse) and the report,\n"
	"                          and in export file names: letters, digits, . _ : -\n"
	"      --interval SEC      seconds between snapshots, stats lines and\n"
	"                          status lines (default 1; 0.1 to 3600)\n"
	"  -c, --count N           stop after N packets\n"
	"      --duration SEC      stop after SEC seconds (wall clock)\n"
	"      --fail-on LEVEL     exit 1 when the report has a finding at LEVEL\n"
	"                          (info, warning or critical) or above\n"
	"      --color WHEN        auto (default), always or never\n"
	"      --metrics-textfile DIR  every --interval, the metrics (Prometheus'\n"
	"                          text format) to DIR/tcplens.prom, replaced\n"
	"                          atomically, for node_exporter's textfile collector\n"
	"      --metrics-listen [ADDR:]PORT  serve the same metrics over HTTP at\n"
	"                          /metrics (ADDR default 127.0.0.1; [::1]:PORT)\n"
	"      --metrics-max-hosts N  host labels in the metrics at most, the most\n"
	"                          troubled (default 50; 0 to 1000); the others\n"
	"                          are summed as host=\"other\"\n"
	"      --flows-out DIR     finished flows and findings as NDJSON files in DIR\n"
	"                          (flows-SENSOR-TIME.ndjson, findings-...), one\n"
	"                          each per --rotate interval, renamed into place\n"
	"                          when closed\n"
	"      --rotate SEC        --flows-out's interval (default 60; 1 to 86400)\n"
	"      --clickhouse URL    insert the same records into ClickHouse over HTTP\n"
	"                          (http://HOST:8123/?database=DB), batched\n"
	"      --clickhouse-tables FLOWS,FINDINGS  the tables (default flows,findings)\n"
	"      --spill-dir DIR     batches ClickHouse could not take wait here\n"
	"                          (default /var/tmp/tcplens-spill[-SENSOR])\n"
	"      --spill-max MIB     the spill directory's cap (default 256); past it\n"
	"                          records are dropped and counted\n";

static const char live_exit_status[] =
	"Exit status: 0 ok (without --fail-on, whatever was found), 1 findings\n"
	"at the --fail-on level or above, 2 usage or invalid configuration,\n"
	"3 unreadable file, an interface that cannot be captured on (no\n"
	"permission, no such interface, down), a -w file not writable, a\n"
	"--metrics-textfile directory not writable, a --metrics-listen address\n"
	"that cannot be bound (a port in use), a --flows-out or --spill-dir\n"
	"directory not writable, or an\n"
	"interface that went down or away during the capture (after the report\n"
	"of what was captured), 4 not a capture, 5 unsupported link type, 6 bad\n"
	"filter, 7 output or internal error (also: exported records dropped).\n";

enum {
	OPT_SPEED = CLI_OPT_FIRST_FREE,
	OPT_INTERVAL,
	OPT_DURATION,
	OPT_FAIL_ON,
	OPT_COLOR,
	OPT_IMMEDIATE,
	OPT_FLOWS,
	OPT_NO_TUI,
	OPT_METRICS_TEXTFILE,
	OPT_METRICS_MAX_HOSTS,
	OPT_METRICS_LISTEN,
	OPT_SENSOR,
	OPT_FLOWS_OUT,
	OPT_ROTATE,
	OPT_CLICKHOUSE,
	OPT_CLICKHOUSE_TABLES,
	OPT_SPILL_DIR,
	OPT_SPILL_MAX,
};

#define LIVE_FORMATS                                                       \
	(OUTPUT_FORMAT_SET(OUTPUT_FORMAT_TEXT) |                           \
	 OUTPUT_FORMAT_SET(OUTPUT_FORMAT_NDJSON))

struct live_opts {
	struct cli_analysis_opts an;
	enum output_format format;
	char **reads;                   /* -r FILEs, then the operands */
	int n_reads;
	double speed;
	int64_t interval_ns;
	int64_t duration_ns;            /* 0: none */
	long count;                     /* 0: none */
	bool fail_on_given;
	enum finding_severity fail_on;
	enum color_mode color;
	struct live_capture_config iface;   /* iface.iface NULL: replay */
	bool list;                          /* -D */
	const char *user;                   /* -Z; NULL: nobody */
	bool flows;                         /* --flows */
	/* --no-tui: these lines on a terminal too (the dashboard's default) */
	bool no_tui;
	bool dashboard;                     /* decided once the options are read */
	struct live_metrics_config metrics; /* --metrics-* */
	const char *sensor;                 /* --sensor; NULL: none */
	struct live_export_config export;   /* --flows-out, --clickhouse */
	char tables[2][128];                /* --clickhouse-tables */
	bool rotate_given, spill_max_given;
};

/* FLOWS,FINDINGS: two table names ([A-Za-z0-9_.] each, db.table allowed). */
static bool parse_tables(const char *arg, char tables[2][128])
{
	const char *comma = strchr(arg, ',');
	size_t n[2];

	if (comma == NULL)
		return false;
	n[0] = (size_t)(comma - arg);
	n[1] = strlen(comma + 1);
	for (int t = 0; t < 2; t++) {
		const char *p = t == 0 ? arg : comma + 1;

		if (n[t] == 0 || n[t] >= 128 || strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.") < n[t])
			return false;
		memcpy(tables[t], p, n[t]);
		tables[t][n[t]] = '\0';
	}
	return true;
}

/* Seconds as a decimal number in [min, max]. */
static bool parse_seconds(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < min ||
	    v > max)
		return false;
	*out = v;
	return true;
}

static int live_option(void *opts, int ch, const char *arg, int *rc)
{
	struct live_opts *o = opts;
	double v;
	long n;

	switch (ch) {
	case 'r':
		o->reads[o->n_reads++] = (char *)arg;
		return 0;
	case 'i':
		o->iface.iface = arg;
		return 0;
	case 's':
		if (!cli_parse_long(arg, 1, 262144, &n))
			return cli_usage("live", rc, "live: -s wants bytes, 1 to 262144, not '%s'", arg);
		o->iface.snaplen = (int)n;
		return 0;
	case 'B':
		if (!cli_parse_long(arg, 1, 4194304, &n))
			return cli_usage("live", rc, "live: -B wants KiB, 1 to 4194304, not '%s'", arg);
		o->iface.buffer_kib = (int)n;
		return 0;
	case 'p':
		o->iface.no_promisc = true;
		return 0;
	case OPT_IMMEDIATE:
		o->iface.immediate = true;
		return 0;
	case OPT_FLOWS:
		o->flows = true;
		return 0;
	case OPT_NO_TUI:
		o->no_tui = true;
		return 0;
	case OPT_METRICS_TEXTFILE:
		o->metrics.textfile_dir = arg;
		return 0;
	case OPT_METRICS_LISTEN:
		if (!metrics_http_spec_valid(arg))
			return cli_usage("live", rc, "live: --metrics-listen wants [ADDR:]PORT (PORT 1 to 65535, [ADDR] for IPv6), not '%s'", arg);
		o->metrics.listen = arg;
		return 0;
	case OPT_METRICS_MAX_HOSTS:
		if (!cli_parse_long(arg, 0, METRICS_PROM_MAX_HOSTS_LIMIT, &n))
			return cli_usage("live", rc, "live: --metrics-max-hosts wants a count, 0 to %d, not '%s'",
					 METRICS_PROM_MAX_HOSTS_LIMIT, arg);
		o->metrics.max_hosts = (size_t)n;
		return 0;
	case OPT_SENSOR:
		if (!cli_sensor_valid(arg))
			return cli_usage("live", rc, "live: --sensor wants 1 to %d letters, digits, '.', '_', ':' or '-', not '%s'",
					 CLI_SENSOR_MAX, arg);
		o->sensor = arg;
		return 0;
	case OPT_FLOWS_OUT:
		o->export.flows_out = arg;
		return 0;
	case OPT_ROTATE:
		if (!cli_parse_long(arg, 1, 86400, &n))
			return cli_usage("live", rc, "live: --rotate wants seconds, 1 to 86400, not '%s'", arg);
		o->export.rotate_ns = n * NS_PER_SEC;
		o->rotate_given = true;
		return 0;
	case OPT_CLICKHOUSE:
		if (strncmp(arg, "http://", 7) != 0 && strncmp(arg, "https://", 8) != 0)
			return cli_usage("live", rc, "live: --clickhouse wants an http:// or https:// URL, not '%s'", arg);
		o->export.clickhouse = arg;
		return 0;
	case OPT_CLICKHOUSE_TABLES:
		if (!parse_tables(arg, o->tables))
			return cli_usage("live", rc, "live: --clickhouse-tables wants FLOWS,FINDINGS (letters, digits, _ and .), not '%s'", arg);
		o->export.tables[0] = o->tables[0];
		o->export.tables[1] = o->tables[1];
		return 0;
	case OPT_SPILL_DIR:
		o->export.spill_dir = arg;
		return 0;
	case OPT_SPILL_MAX:
		if (!parse_seconds(arg, 0.001, 1048576, &v))
			return cli_usage("live", rc, "live: --spill-max wants MiB, 0.001 to 1048576, not '%s'", arg);
		o->export.spill_max = (uint64_t)(v * 1048576);
		o->spill_max_given = true;
		return 0;
	case 'w':
		o->iface.write_path = arg;
		return 0;
	case 'D':
		o->list = true;
		return 0;
	case 'Z':
		o->user = arg;
		return 0;
	case 'c':
		if (!cli_parse_long(arg, 1, 2000000000, &o->count))
			return cli_usage("live", rc, "live: -c wants a count, 1 to 2000000000, not '%s'", arg);
		return 0;
	case OPT_SPEED:
		if (!parse_seconds(arg, 0, 1000000, &o->speed))
			return cli_usage("live", rc, "live: --speed wants a factor, 0 to 1000000, not '%s'", arg);
		return 0;
	case OPT_INTERVAL:
		if (!parse_seconds(arg, 0.1, 3600, &v))
			return cli_usage("live", rc, "live: --interval wants seconds, 0.1 to 3600, not '%s'", arg);
		o->interval_ns = (int64_t)(v * NS_PER_SEC);
		return 0;
	case OPT_DURATION:
		if (!parse_seconds(arg, 0.001, 31536000, &v))
			return cli_usage("live", rc, "live: --duration wants seconds, 0.001 to 31536000, not '%s'", arg);
		o->duration_ns = (int64_t)(v * NS_PER_SEC);
		return 0;
	case OPT_FAIL_ON:
		if (!finding_severity_parse(arg, &o->fail_on))
			return cli_usage("live", rc, "live: --fail-on wants info, warning or critical, not '%s'", arg);
		o->fail_on_given = true;
		return 0;
	default: /* --color */
		if (!color_mode_parse(arg, &o->color))
			return cli_usage("live", rc, "live: --color wants auto, always or never, not '%s'", arg);
		return 0;
	}
}

static const struct option live_longopts[] = {
	{"interface", required_argument, NULL, 'i'},
	{"snapshot-length", required_argument, NULL, 's'},
	{"buffer-size", required_argument, NULL, 'B'},
	{"no-promiscuous-mode", no_argument, NULL, 'p'},
	{"immediate", no_argument, NULL, OPT_IMMEDIATE},
	{"flows", no_argument, NULL, OPT_FLOWS},
	{"no-tui", no_argument, NULL, OPT_NO_TUI},
	{"metrics-textfile", required_argument, NULL, OPT_METRICS_TEXTFILE},
	{"metrics-max-hosts", required_argument, NULL, OPT_METRICS_MAX_HOSTS},
	{"metrics-listen", required_argument, NULL, OPT_METRICS_LISTEN},
	{"sensor", required_argument, NULL, OPT_SENSOR},
	{"flows-out", required_argument, NULL, OPT_FLOWS_OUT},
	{"rotate", required_argument, NULL, OPT_ROTATE},
	{"clickhouse", required_argument, NULL, OPT_CLICKHOUSE},
	{"clickhouse-tables", required_argument, NULL, OPT_CLICKHOUSE_TABLES},
	{"spill-dir", required_argument, NULL, OPT_SPILL_DIR},
	{"spill-max", required_argument, NULL, OPT_SPILL_MAX},
	{"list-interfaces", no_argument, NULL, 'D'},
	{"relinquish-privileges", required_argument, NULL, 'Z'},
	{"write", required_argument, NULL, 'w'},
	{"read", required_argument, NULL, 'r'},
	{"speed", required_argument, NULL, OPT_SPEED},
	{"interval", required_argument, NULL, OPT_INTERVAL},
	{"count", required_argument, NULL, 'c'},
	{"duration", required_argument, NULL, OPT_DURATION},
	{"fail-on", required_argument, NULL, OPT_FAIL_ON},
	{"color", required_argument, NULL, OPT_COLOR},
	{NULL, 0, NULL, 0},
};

static const struct cli_command live_command = {
	.name = "live",
	.usage = live_usage,
	.exit_status = live_exit_status,
	.common = CLI_COMMON_ENGINE,
	.formats = LIVE_FORMATS,
	.options = live_longopts,
	.short_options = "r:c:i:s:B:pw:DZ:",
	.option = live_option,
};

static int parse_live_opts(int argc, char **argv, struct live_opts *o, int *rc)
{
	int first;

	memset(o, 0, sizeof(*o));
	cli_analysis_defaults(&o->an);
	o->speed = 1;
	o->interval_ns = NS_PER_SEC;
	o->metrics.max_hosts = METRICS_PROM_MAX_HOSTS;
	o->export.rotate_ns = 60 * NS_PER_SEC;
	o->export.spill_max = EXPORT_SPILL_MAX_DEFAULT_BYTES;
	o->reads = calloc((size_t)argc + 1, sizeof(*o->reads));
	if (o->reads == NULL) {
		cli_error("out of memory");
		*rc = CLI_EXIT_INTERNAL;
		return -1;
	}
	first = cli_options_parse(&live_command, argc, argv, &o->an, &o->format,
				  o, rc);
	if (first < 0 || cli_analysis_load_config(&o->an, rc) < 0)
		return -1;
	if (o->list)
		return 0;
	o->metrics.interval_ns = o->interval_ns;
	o->export.sensor = o->sensor;
	if (o->export.clickhouse == NULL &&
	    (o->export.spill_dir != NULL || o->tables[0][0] != '\0' ||
	     o->spill_max_given))
		return cli_usage("live", rc, "live: --spill-dir, --spill-max and --clickhouse-tables go with --clickhouse");
	if (o->export.flows_out == NULL && o->rotate_given)
		return cli_usage("live", rc, "live: --rotate goes with --flows-out");
	/*
	 * Text is for a person watching findings: a line per connection
	 * (thousands a second on a busy link, wider than 80 columns) would
	 * bury them, and text has no key to tell a flow that ended from one
	 * still open at the end.
	 */
	if (o->flows && o->format != OUTPUT_FORMAT_NDJSON)
		return cli_usage("live", rc, "live: --flows writes NDJSON flow lines: add -F ndjson");
	if (o->iface.iface != NULL) {
		if (o->n_reads > 0 || first < argc)
			return cli_usage("live", rc, "live: -i and capture files (-r) do not go together");
		/* Standard output carries the lines: frames there would garble both. */
		if (o->iface.write_path != NULL && strcmp(o->iface.write_path, "-") == 0)
			return cli_usage("live", rc, "live: -w - would mix frames with the lines on standard output: give a file (or a FIFO)");
		o->iface.filter = o->an.filter;
		return 0;
	}
	if (o->user != NULL)
		return cli_usage("live", rc, "live: -Z is for capture on an interface (-i)");
	if (o->iface.write_path != NULL || o->iface.snaplen != 0 ||
	    o->iface.buffer_kib != 0 || o->iface.no_promisc ||
	    o->iface.immediate)
		return cli_usage("live", rc, "live: -w, -s, -B, -p and --immediate are for capture on an interface (-i)");
	if (o->n_reads == 0)
		return cli_usage("live", rc, "live: no capture given (-i IFACE or -r FILE)");
	for (int i = first; i < argc; i++)
		o->reads[o->n_reads++] = argv[i];
	return 0;
}

/*
 * The dashboard: text for a person at a terminal, unless --no-tui; a
 * terminal that cannot hold it gets the lines, and a line saying why.
 */
static void choose_output(struct live_opts *o)
{
	char why[128];

	o->dashboard = !o->no_tui && o->format == OUTPUT_FORMAT_TEXT &&
		       isatty(STDOUT_FILENO);
	if (o->dashboard && !isatty(STDIN_FILENO)) {
		/* Keys come from standard input: without them, no q. */
		cli_warning("live: no dashboard: standard input is not a terminal; writing the --no-tui lines");
		o->dashboard = false;
	}
	if (o->dashboard && !dash_term_usable(why, sizeof(why))) {
		cli_warning("live: no dashboard: %s; writing the --no-tui lines",
			    why);
		o->dashboard = false;
	}
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static struct timespec at_ns(int64_t ns)
{
	struct timespec ts = {ns / NS_PER_SEC, ns % NS_PER_SEC};

	return ts;
}

/* One run: the engine thread's state. */
struct live_run {
	const struct live_opts *o;
	struct engine *e;
	struct live_feed *feed;
	struct live_stream out;
	struct live_capture *cap;       /* -i; NULL in replay */
	const char *const *inputs;      /* what the report names: files, -w */
	int n_inputs;
	int ts_decimals;
	struct live_counts counts;
	sigset_t stop_signals;
	sigset_t suspend_signal;        /* SIGTSTP, blocked with the dashboard */
	int64_t start, next_tick;
	int64_t advanced;               /* the engine's clock moved to */
	bool stopping, out_of_memory;
	/* For the -w file's end: what the final report judged with. */
	bool has_end;
	struct live_capture_end end;
	/* The dashboard: NULL without; what it draws from. */
	struct live_dash *dash;
	struct snapshot_exchange *x;
	struct live_metrics *metrics;   /* NULL without --metrics-* */
	struct live_export *export;     /* NULL without --flows-out, --clickhouse */
	struct metrics_prom_export export_counts;   /* at the last tick, or the end */
	bool exporting;                 /* export set up, in the metrics till the end */
	char held[HELD_NOTES][256];
	int n_held;
	uint64_t held_more;
};

/* A warning during the dashboard: said once curses is left. */
static void hold_note(struct live_run *r, const char *text)
{
	if (r->n_held == HELD_NOTES) {
		r->held_more++;
		return;
	}
	snprintf(r->held[r->n_held++], sizeof(r->held[0]), "%s", text);
}

static void say_held(struct live_run *r)
{
	for (int i = 0; i < r->n_held; i++)
		cli_warning("%s", r->held[i]);
	if (r->held_more > 0)
		cli_warning("%" PRIu64 " more warnings like these", r->held_more);
	r->n_held = 0;
	r->held_more = 0;
}

/* Snapshots: every --interval, or 4 a second for the dashboard. */
static int64_t tick_ns(const struct live_run *r)
{
	return r->dash != NULL ? DASH_TICK_NS : r->o->interval_ns;
}

static void feed_batch(struct live_run *r, struct packet *pkts, size_t n,
		       const struct pipe_note *notes, size_t n_notes)
{
	/*
	 * The ladder the display opened is watched from this batch on, not
	 * from the next tick's take: at 150k packets/s the shared history
	 * holds well under a second.
	 */
	if (r->dash != NULL)
		engine_watch_ladder(r->e, snapshot_exchange_ladder_wanted(r->x));
	for (size_t i = 0; i < n; i++) {
		engine_feed(r->e, &pkts[i]);
		r->counts.packets++;
		r->counts.bytes += pkts[i].wire_len;
	}
	for (size_t i = 0; i < n_notes; i++) {
		if (notes[i].text == NULL)
			continue;
		if (r->dash != NULL) {
			hold_note(r, notes[i].text);
			continue;
		}
		live_stream_quiet(&r->out);
		cli_warning("%s", notes[i].text);
	}
	live_feed_release(r->feed);
}

/*
 * The queue is empty: the engine's clock moves to the pace's time, so
 * timers run on a quiet link.  The queue is looked at once more after
 * the clock was read: a packet queued before it must be fed first.
 */
static void advance_quiet(struct live_run *r)
{
	struct timespec past = {0, 0};
	const struct pipe_note *notes;
	struct packet *pkts;
	size_t n, n_notes;
	int64_t now;

	if (!live_feed_clock(r->feed, &now))
		return;
	if (live_feed_take(r->feed, &past, &pkts, &n, &notes, &n_notes) == 1) {
		feed_batch(r, pkts, n, notes, n_notes);
		return;
	}
	if (now > r->advanced) {
		engine_advance(r->e, now);
		r->advanced = now;
	}
}

/* The process's peak resident memory in bytes; 0 when not known. */
static uint64_t peak_rss(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_maxrss > 0
		? (uint64_t)ru.ru_maxrss * 1024 : 0;
}

static void update_counts(struct live_run *r)
{
	r->counts.received = live_feed_received(r->feed);
	r->counts.app_drops = live_feed_app_drops(r->feed);
	r->counts.has_ps_drop = live_feed_drops(r->feed, &r->counts.ps_drop,
						&r->counts.ps_ifdrop,
						&r->counts.has_ps_ifdrop);
	r->counts.has_ps_ifdrop &= r->counts.has_ps_drop;
	r->counts.elapsed = (double)(mono_ns() - r->start) / NS_PER_SEC;
	r->counts.peak_rss = peak_rss();
}

/*
 * SIGINT, SIGTERM (blocked, so only looked for), --duration, or the
 * output's reader gone (a closed pipe, a full disk).
 */
static void check_stop(struct live_run *r)
{
	struct timespec zero = {0, 0};
	int error;

	if (r->stopping)
		return;
	if (sigtimedwait(&r->stop_signals, NULL, &zero) > 0 ||
	    (r->o->duration_ns > 0 && mono_ns() - r->start >= r->o->duration_ns) ||
	    live_stream_broken(&r->out, &error) ||
	    live_dash_quit_requested(r->dash)) {
		r->stopping = true;
		live_feed_stop(r->feed);
	}
}

/* The interface's drops so far, from pcap_stats (none in replay). */
static void iface_facts(const struct live_run *r,
			struct quality_source_facts *facts)
{
	memset(facts, 0, sizeof(*facts));
	if (!r->counts.has_ps_drop)
		return;
	facts->interfaces_with_stats = 1;
	facts->has_osdrop = true;
	facts->osdrop = r->counts.ps_drop;
	facts->has_ifdrop = r->counts.has_ps_ifdrop;
	facts->ifdrop = r->counts.has_ps_ifdrop ? r->counts.ps_ifdrop : 0;
}

/*
 * A snapshot for the dashboard, unless the last one is still unread (a
 * paused display): the take would be thrown away.
 */
static void dash_publish(struct live_run *r, bool ended)
{
	struct live_frame *f;

	if (snapshot_exchange_pending(r->x) && !ended)
		return;
	f = snapshot_exchange_back(r->x);
	if (!engine_snapshot_take(r->e, &f->snap)) {
		r->out_of_memory = true;
		return;
	}
	f->counts = r->counts;
	f->flows = analyzer_flow_count(engine_analyzer(r->e));
	f->ended = ended;
	snapshot_exchange_publish(r->x);
}

static void tick_if_due(struct live_run *r)
{
	struct quality_source_facts facts;

	if (mono_ns() < r->next_tick)
		return;
	update_counts(r);
	/* The findings are judged against the drops so far, as at the end. */
	if (r->o->iface.iface != NULL) {
		iface_facts(r, &facts);
		engine_set_source_facts(r->e, &facts);
	}
	if (r->dash != NULL)
		dash_publish(r, false);
	else if (!live_stream_tick(&r->out, r->e, &r->counts, true))
		r->out_of_memory = true;
	if (!live_export_tick(r->export, r->e))
		r->out_of_memory = true;
	live_export_counts(r->export, &r->export_counts);
	if (!live_metrics_tick(r->metrics, r->e, &r->counts,
			       r->exporting ? &r->export_counts : NULL, false))
		r->out_of_memory = true;
	while (r->next_tick <= mono_ns())
		r->next_tick += tick_ns(r);
}

/*
 * The replay is over but the person may still be reading the
 * dashboard: the last frame stays up until q, SIGINT or SIGTERM, taken
 * again only when a connection's ladder is asked for.
 */
static void hold_for_dash(struct live_run *r)
{
	struct timespec wait = {0, WAKE_NS};
	unsigned wants;

	/*
	 * An interface that failed ends the run at once, as without the
	 * dashboard: the line saying why and the report must not wait
	 * behind a screen that only says the input ended.
	 */
	if (r->dash == NULL || r->stopping || live_feed_failure(r->feed) != NULL)
		return;
	update_counts(r);
	wants = snapshot_exchange_wants(r->x);
	dash_publish(r, true);
	/* A ladder opened or rows scrolled to after the end: a new frame. */
	while (!live_dash_quit_requested(r->dash) &&
	       sigtimedwait(&r->stop_signals, NULL, &wait) < 0) {
		unsigned now = snapshot_exchange_wants(r->x);

		if (now != wants && !snapshot_exchange_pending(r->x)) {
			wants = now;
			dash_publish(r, true);
		}
	}
}

/* Until the feed ends: packets in, the clock on, snapshots out. */
static void engine_loop(struct live_run *r)
{
	const struct pipe_note *notes;
	struct packet *pkts;
	size_t n, n_notes;

	r->start = mono_ns();
	r->next_tick = r->start + tick_ns(r);
	r->advanced = INT64_MIN;
	for (;;) {
		int64_t wake = mono_ns() + WAKE_NS;
		struct timespec deadline = at_ns(wake < r->next_tick ? wake
							: r->next_tick);
		int got = live_feed_take(r->feed, &deadline, &pkts, &n, &notes,
					 &n_notes);

		if (got == 0)
			break;
		if (got == 1)
			feed_batch(r, pkts, n, notes, n_notes);
		else
			advance_quiet(r);
		check_stop(r);
		if (!r->out_of_memory)
			tick_if_due(r);
	}
}

static size_t failing(const struct diagnosis_view *v, enum finding_severity min)
{
	size_t n = 0;

	for (size_t i = 0; i < v->n_findings; i++)
		n += v->findings[i].severity >= min;
	return n;
}

/*
 * What the capture quality must know of the source: the files' faults
 * (as report reads them), or the interface's drops from pcap_stats.
 */
static void source_facts(const struct live_run *r, const struct diagnosis *d,
			 struct quality_source_facts *facts)
{
	if (d->src != NULL) {
		cli_warn_input_faults(d->src);
		cli_quality_facts(d->src, facts);
		return;
	}
	iface_facts(r, facts);
}

/*
 * The -w file ends where the engine's clock stands now (the last packet,
 * or later along a quiet link) with the drops source_facts() gave, so
 * report of the file judges what this run judged.
 */
static void note_end(struct live_run *r)
{
	int64_t now = analyzer_now(engine_analyzer(r->e));

	if (now <= 0)
		return;
	r->end.end.sec = now / NS_PER_SEC;
	r->end.end.nsec = (uint32_t)(now % NS_PER_SEC);
	r->end.received = r->counts.received;
	r->end.has_drops = r->counts.has_ps_drop;
	r->end.ps_drop = r->counts.ps_drop;
	r->end.has_ifdrop = r->counts.has_ps_ifdrop;
	r->end.ps_ifdrop = r->counts.ps_ifdrop;
	r->has_end = true;
}

/*
 * The findings folded since the last tick, then the final report's:
 * each finding is exported once, with its final values.
 */
static void export_findings(struct live_run *r, const struct diagnosis_view *v)
{
	if (r->export == NULL)
		return;
	if (!live_export_tick(r->export, r->e))
		cli_warning("live: out of memory: the findings folded last were not exported");
	live_export_findings(r->export, v);
}

/*
 * End of input: the engine finishes, last changes, the report.  A
 * capture the interface ended (down, gone) still gets the report of
 * what it captured, then exits 3 whatever --fail-on says: the report
 * may be missing what followed.
 */
static enum cli_exit finish(struct live_run *r, struct diagnosis *d)
{
	const char *failure = live_feed_failure(r->feed);
	struct quality_source_facts facts;
	enum cli_exit rc;

	/* Nothing said from here on shares the terminal with the status. */
	live_stream_quiet(&r->out);
	if (failure != NULL)
		cli_error("%s", failure);
	update_counts(r);
	source_facts(r, d, &facts);
	engine_set_source_facts(r->e, &facts);
	if (d->src != NULL)
		cli_engine_to_capture_end(r->e, d->src);
	else
		note_end(r);
	/* No capture to hold up any more: every flow still open is exported. */
	live_export_ending(r->export);
	engine_finish(r->e);
	rc = cli_analysis_memory_check(engine_analyzer(r->e));
	if (rc == CLI_EXIT_OK && r->out_of_memory) {
		cli_error("out of memory taking a snapshot; the findings would be incomplete");
		rc = CLI_EXIT_INTERNAL;
	}
	if (rc == CLI_EXIT_OK &&
	    !live_stream_tick(&r->out, r->e, &r->counts, false)) {
		cli_error("out of memory taking a snapshot; the findings would be incomplete");
		rc = CLI_EXIT_INTERNAL;
	}
	if (rc == CLI_EXIT_OK)
		rc = diagnosis_take_view(d, (char **)r->inputs, r->n_inputs);
	if (rc != CLI_EXIT_OK)
		return rc;
	d->view.ts_decimals = r->ts_decimals;
	d->view.sensor = r->o->sensor;
	export_findings(r, &d->view);
	if (!live_stream_finish(&r->out, &d->view, &r->counts)) {
		/* The reader went away (| head): it had what it wanted. */
		if (errno == EPIPE)
			return CLI_EXIT_OK;
		cli_error("live: cannot write the output: %s", strerror(errno));
		return CLI_EXIT_INTERNAL;
	}
	rc = cli_finish_output();
	if (rc == CLI_EXIT_OK && failure != NULL)
		return CLI_EXIT_INPUT;
	if (rc == CLI_EXIT_OK && r->o->fail_on_given &&
	    failing(&d->view, r->o->fail_on) > 0)
		rc = CLI_EXIT_FINDINGS;
	return rc;
}

static enum cli_exit open_replay(struct live_run *r, struct diagnosis *d)
{
	const struct live_opts *o = r->o;
	char msg[768];
	enum capture_error err;

	d->src = capture_source_open((const char *const *)o->reads,
				     (size_t)o->n_reads, o->an.filter, &err,
				     msg, sizeof(msg));
	if (d->src == NULL) {
		cli_error("%s", msg);
		return cli_capture_exit(err);
	}
	r->inputs = (const char *const *)o->reads;
	r->n_inputs = o->n_reads;
	r->ts_decimals = cli_ts_decimals(d->src);
	return CLI_EXIT_OK;
}

static enum cli_exit iface_exit(enum live_capture_error err)
{
	switch (err) {
	case LIVE_CAPTURE_FILTER: return CLI_EXIT_FILTER;
	case LIVE_CAPTURE_LINK_TYPE: return CLI_EXIT_LINK_TYPE;
	default: return CLI_EXIT_INPUT;
	}
}

/*
 * The report of an interface names the -w file, so that its tshark
 * lines read the frames the findings point at; without -w, no file.
 */
static enum cli_exit open_iface(struct live_run *r)
{
	char msg[768], warning[512];
	enum live_capture_error err;

	r->cap = live_capture_open(&r->o->iface, &err, msg, sizeof(msg),
				   warning, sizeof(warning));
	if (r->cap == NULL) {
		cli_error("%s", msg);
		return iface_exit(err);
	}
	if (warning[0] != '\0')
		cli_warning("%s", warning);
	/* Before the first packet is read, as tcpdump does. */
	if (!privilege_drop(r->o->user, msg, sizeof(msg))) {
		cli_error("%s", msg);
		live_capture_close(r->cap);
		r->cap = NULL;
		return CLI_EXIT_USAGE;
	}
	r->inputs = (const char *const *)&r->o->iface.write_path;
	r->n_inputs = r->o->iface.write_path != NULL ? 1 : 0;
	r->ts_decimals = live_capture_nanosecond(r->cap) ? 9 : 6;
	return CLI_EXIT_OK;
}

static bool start_feed(struct live_run *r, const struct diagnosis *d)
{
	struct live_feed_config fc = {0};

	fc.src = d->src;
	fc.iface = r->cap;
	fc.speed = r->o->speed;
	fc.max_packets = (uint64_t)r->o->count;
	fc.checksums = diagnose_checksums(&r->o->an);
	r->feed = live_feed_start(&fc);
	return r->feed != NULL;
}

/* Enter on a finding: its text as the report prints it. */
static char *finding_text(void *ctx, const struct finding *f)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (out == NULL)
		return NULL;
	diagnosis_render_finding_text(out, ctx, f);
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/*
 * The display thread, with the stop signals already blocked (it
 * inherits the mask); when it cannot start, the lines instead.
 */
static void start_dash(struct live_run *r, const struct diagnosis_view *view,
		       char *source, size_t len)
{
	const struct live_opts *o = r->o;
	struct dash_info info = {0};
	size_t at = 0;
	char why[192];
	const char *codeset;

	for (int i = 0; i < r->n_inputs && at + 1 < len; i++)
		at += (size_t)snprintf(source + at, len - at, "%s%s",
				       i > 0 ? " " : "", r->inputs[i]);
	if (o->iface.iface != NULL)
		snprintf(source, len, "%s", o->iface.iface);
	/* Only the characters: numbers keep the C locale's point. */
	setlocale(LC_CTYPE, "");
	codeset = nl_langinfo(CODESET);
	info.source = source;
	info.filter = o->an.filter;
	info.utf8 = codeset != NULL && strcmp(codeset, "UTF-8") == 0;
	info.rtt = true;
	info.finding_text = finding_text;
	info.ctx = (void *)view;
	r->x = snapshot_exchange_new(SNAPSHOT_FLOWS | SNAPSHOT_SOCKETS |
				     SNAPSHOT_FINDINGS);
	/* Ctrl-Z is the display thread's (live_dash.h), the feed's too. */
	pthread_sigmask(SIG_BLOCK, &r->suspend_signal, NULL);
	if (r->x != NULL)
		r->dash = live_dash_start(&info, color_wanted(o->color), r->x,
					  why, sizeof(why));
	else
		snprintf(why, sizeof(why), "out of memory");
	if (r->dash != NULL) {
		live_stream_report_only(&r->out);
		return;
	}
	pthread_sigmask(SIG_UNBLOCK, &r->suspend_signal, NULL);
	cli_warning("live: no dashboard: %s; writing the --no-tui lines", why);
	snapshot_exchange_free(r->x);
	r->x = NULL;
}

/*
 * The metrics outputs, opened before the first packet so that a
 * directory that cannot be written is said at once.  Their threads
 * inherit the blocked stop signals, and SIGTSTP blocked too: Ctrl-Z is
 * for the display thread (or, without it, the engine thread).
 */
static enum cli_exit start_metrics(struct live_run *r)
{
	sigset_t before;
	char why[512];

	if (r->o->metrics.textfile_dir == NULL && r->o->metrics.listen == NULL)
		return CLI_EXIT_OK;
	pthread_sigmask(SIG_BLOCK, &r->suspend_signal, &before);
	r->metrics = live_metrics_start(&r->o->metrics, why, sizeof(why));
	pthread_sigmask(SIG_SETMASK, &before, NULL);
	if (r->metrics != NULL)
		return CLI_EXIT_OK;
	cli_error("live: %s", why);
	return strcmp(why, "out of memory") == 0 ? CLI_EXIT_INTERNAL
						  : CLI_EXIT_INPUT;
}

/*
 * The export's sinks, opened before the first packet so that a
 * directory that cannot be written is said at once; its thread, as the
 * metrics', takes no stop signal and no Ctrl-Z.
 */
static enum cli_exit start_export(struct live_run *r)
{
	sigset_t before;
	char why[512];
	sigset_t blocked = r->stop_signals;

	if (r->o->export.flows_out == NULL && r->o->export.clickhouse == NULL)
		return CLI_EXIT_OK;
	/*
	 * Started before the engine thread blocks them for itself; SIGPIPE
	 * too: a TLS write to a server gone is an error, not the end.
	 */
	sigaddset(&blocked, SIGTSTP);
	sigaddset(&blocked, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &blocked, &before);
	r->export = live_export_start(&r->o->export, why, sizeof(why));
	pthread_sigmask(SIG_SETMASK, &before, NULL);
	if (r->export != NULL) {
		r->exporting = true;
		return CLI_EXIT_OK;
	}
	cli_error("live: %s", why);
	return strcmp(why, "out of memory") == 0 ? CLI_EXIT_INTERNAL
						  : CLI_EXIT_INPUT;
}

/*
 * Everything exported written, sent or spilled, before the final
 * metrics, which then count it all.
 */
static enum cli_exit stop_export(struct live_run *r, enum cli_exit rc)
{
	char why[1024];

	if (r->export == NULL)
		return rc;
	if (!live_export_stop(r->export, &r->export_counts, why, sizeof(why))) {
		cli_error("live: %s", why);
		if (rc == CLI_EXIT_OK || rc == CLI_EXIT_FINDINGS)
			rc = CLI_EXIT_INTERNAL;
	} else if (why[0] != '\0') {
		/* Spilled, not lost: the next run sends it. */
		cli_warning("live: %s", why);
	}
	r->export = NULL;
	return rc;
}

/* The final metrics, written before the threads stop. */
static enum cli_exit stop_metrics(struct live_run *r, enum cli_exit rc)
{
	char why[512];

	if (r->metrics == NULL)
		return rc;
	if (!live_metrics_tick(r->metrics, r->e, &r->counts,
			       r->exporting ? &r->export_counts : NULL, true))
		cli_warning("live: out of memory formatting the final metrics");
	if (!live_metrics_stop(r->metrics, why, sizeof(why))) {
		cli_error("live: %s", why);
		if (rc == CLI_EXIT_OK || rc == CLI_EXIT_FINDINGS)
			rc = CLI_EXIT_INTERNAL;
	}
	r->metrics = NULL;
	return rc;
}

/*
 * Curses left, then the warnings it held; the report follows, and
 * Ctrl-Z stops the process again as it would any other.
 */
static void stop_dash(struct live_run *r)
{
	live_dash_stop(r->dash);
	r->dash = NULL;
	pthread_sigmask(SIG_UNBLOCK, &r->suspend_signal, NULL);
	say_held(r);
}

/*
 * SIGINT and SIGTERM are blocked before the reader starts (it inherits
 * the mask) and looked for with sigtimedwait(): no handler, no global.
 */
static enum cli_exit run(const struct live_opts *o, struct diagnosis *d)
{
	struct live_run r = {.o = o};
	struct diagnosis_view first = {0};
	char source[512];
	struct engine_consumer consumers[2];
	size_t n_consumers;
	enum cli_exit rc;
	int werr;

	sigemptyset(&r.stop_signals);
	sigaddset(&r.stop_signals, SIGINT);
	sigaddset(&r.stop_signals, SIGTERM);
	sigemptyset(&r.suspend_signal);
	sigaddset(&r.suspend_signal, SIGTSTP);
	rc = o->iface.iface != NULL ? open_iface(&r) : open_replay(&r, d);
	if (rc != CLI_EXIT_OK)
		return rc;
	first.inputs = r.inputs;
	first.n_inputs = (size_t)r.n_inputs;
	first.ts_decimals = r.ts_decimals;
	first.sensor = o->sensor;
	if (!live_stream_init(&r.out, stdout, o->format, color_wanted(o->color),
			      o->flows,
			      o->an.progress && !o->dashboard ? STDERR_FILENO
							       : -1,
			      &first)) {
		live_capture_close(r.cap);
		cli_error("out of memory");
		return CLI_EXIT_INTERNAL;
	}
	n_consumers = live_stream_consumer(&r.out, &consumers[0]);
	rc = start_export(&r);
	if (rc != CLI_EXIT_OK) {
		live_stream_free(&r.out);
		live_capture_close(r.cap);
		return rc;
	}
	n_consumers += live_export_consumer(r.export, &consumers[n_consumers]);
	/*
	 * Socket counts kept as flows change: every interval's snapshot
	 * takes them without a walk.  The dashboard's RTT column and
	 * ladders: a cost only it pays.
	 */
	d->e = r.e = diagnose_engine_new_with(
		&o->an, 10, consumers, n_consumers,
		ENGINE_SOCKET_COUNTS |
			(o->dashboard ? ENGINE_FLOW_RTT | ENGINE_HISTORY |
						ENGINE_FLOW_RATE : 0u));
	if (r.e == NULL) {
		live_export_stop(r.export, NULL, NULL, 0);
		live_stream_free(&r.out);
		live_capture_close(r.cap);
		return CLI_EXIT_INTERNAL;
	}
	live_stream_attach(&r.out, r.e);
	live_export_attach(r.export, r.e, &first);
	pthread_sigmask(SIG_BLOCK, &r.stop_signals, NULL);
	rc = start_metrics(&r);
	if (rc != CLI_EXIT_OK) {
		live_export_stop(r.export, NULL, NULL, 0);
		live_stream_free(&r.out);
		live_capture_close(r.cap);
		return rc;
	}
	if (o->dashboard)
		start_dash(&r, &first, source, sizeof(source));
	if (!start_feed(&r, d)) {
		stop_dash(&r);
		snapshot_exchange_free(r.x);
		stop_metrics(&r, CLI_EXIT_INTERNAL);
		live_export_stop(r.export, NULL, NULL, 0);
		live_stream_free(&r.out);
		live_capture_close(r.cap);
		cli_error("out of memory starting the capture thread");
		return CLI_EXIT_INTERNAL;
	}
	engine_loop(&r);
	hold_for_dash(&r);
	stop_dash(&r);
	snapshot_exchange_free(r.x);
	rc = stop_metrics(&r, stop_export(&r, finish(&r, d)));
	live_feed_free(r.feed);
	/* After the reader's end: the -w file is flushed and closed valid. */
	if (r.has_end)
		live_capture_set_end(r.cap, &r.end);
	werr = live_capture_close(r.cap);
	live_stream_free(&r.out);
	if (werr != 0) {
		cli_error("live: %s: writing the capture failed (%s); the file is cut short",
			  o->iface.write_path, strerror(werr));
		if (rc == CLI_EXIT_OK || rc == CLI_EXIT_FINDINGS)
			rc = CLI_EXIT_INTERNAL;
	}
	return rc;
}

static enum cli_exit list_interfaces(void)
{
	char msg[512];

	if (!live_capture_list(stdout, msg, sizeof(msg))) {
		cli_error("%s", msg);
		return CLI_EXIT_INPUT;
	}
	return cli_finish_output();
}

int cmd_live(int argc, char **argv)
{
	struct live_opts o;
	struct diagnosis d;
	int rc = CLI_EXIT_OK;

	memset(&d, 0, sizeof(d));
	if (parse_live_opts(argc, argv, &o, &rc) == 0) {
		if (!o.list)
			choose_output(&o);
		rc = o.list ? list_interfaces() : run(&o, &d);
	}
	diagnosis_free(&d);
	free(o.reads);
	return rc;
}
