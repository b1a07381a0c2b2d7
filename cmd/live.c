/*
 * tcplens live: the analysis while the capture runs, findings as they
 * fire, and the final report at the end.  This slice replays capture
 * files (-r) through the live path: a reader thread (live_feed.h) and
 * this, the engine thread, which feeds the engine, moves its clock on a
 * quiet link and writes what changed (live_stream.h).
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture_source.h"
#include "cli_options.h"
#include "diagnose.h"
#include "live_feed.h"
#include "live_stream.h"

#define NS_PER_SEC 1000000000LL
/* The longest the engine thread sleeps: signals and --duration are seen. */
#define WAKE_NS (200 * 1000000LL)

static const char live_usage[] =
	"Usage: tcplens live -r FILE [-r FILE]... [OPTIONS] [FILE...]\n"
	"The analysis while the capture runs: each finding as it fires, moves or\n"
	"clears, and at the end (end of the files, -c, --duration, SIGINT or\n"
	"SIGTERM) the final report, as `tcplens report` prints it, and the\n"
	"capture's counts.  -r replays capture files at their own pace.\n"
	"\n"
	"  -r, --read FILE         replay FILE (more files: -r again, or operands)\n"
	"      --speed X           replay X times the capture's pace (default 1;\n"
	"                          0: as fast as possible)\n"
	"  -F, --format FORMAT     text (default: check's finding lines as they\n"
	"                          fire, then the report) or ndjson (finding, stats,\n"
	"                          report and capture lines)\n"
	"      --interval SEC      seconds between snapshots and stats lines\n"
	"                          (default 1; 0.1 to 3600)\n"
	"  -c, --count N           stop after N packets\n"
	"      --duration SEC      stop after SEC seconds (wall clock)\n"
	"      --fail-on LEVEL     exit 1 when the report has a finding at LEVEL\n"
	"                          (info, warning or critical) or above\n"
	"      --color WHEN        auto (default), always or never\n";

static const char live_exit_status[] =
	"Exit status: 0 ok (without --fail-on, whatever was found), 1 findings\n"
	"at the --fail-on level or above, 2 usage or invalid configuration,\n"
	"3 unreadable file, 4 not a capture, 5 unsupported link type, 6 bad\n"
	"filter, 7 output or internal error.\n";

enum {
	OPT_SPEED = CLI_OPT_FIRST_FREE,
	OPT_INTERVAL,
	OPT_DURATION,
	OPT_FAIL_ON,
	OPT_COLOR,
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
};

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

	switch (ch) {
	case 'r':
		o->reads[o->n_reads++] = (char *)arg;
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
	.short_options = "r:c:",
	.option = live_option,
};

static int parse_live_opts(int argc, char **argv, struct live_opts *o, int *rc)
{
	int first;

	memset(o, 0, sizeof(*o));
	cli_analysis_defaults(&o->an);
	o->speed = 1;
	o->interval_ns = NS_PER_SEC;
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
	if (o->n_reads == 0)
		return cli_usage("live", rc, "live: no capture given (-r FILE; capture on an interface is not built yet)");
	for (int i = first; i < argc; i++)
		o->reads[o->n_reads++] = argv[i];
	return 0;
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
	struct live_counts counts;
	sigset_t stop_signals;
	int64_t start, next_tick;
	int64_t advanced;               /* the engine's clock moved to */
	bool stopping, out_of_memory;
};

static void feed_batch(struct live_run *r, struct packet *pkts, size_t n,
		       const struct pipe_note *notes, size_t n_notes)
{
	for (size_t i = 0; i < n; i++) {
		engine_feed(r->e, &pkts[i]);
		r->counts.packets++;
		r->counts.bytes += pkts[i].wire_len;
	}
	for (size_t i = 0; i < n_notes; i++)
		if (notes[i].text != NULL)
			cli_warning("%s", notes[i].text);
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

static void update_counts(struct live_run *r)
{
	r->counts.received = live_feed_received(r->feed);
	r->counts.app_drops = live_feed_app_drops(r->feed);
	r->counts.elapsed = (double)(mono_ns() - r->start) / NS_PER_SEC;
}

/* SIGINT, SIGTERM (blocked, so only looked for) or --duration. */
static void check_stop(struct live_run *r)
{
	struct timespec zero = {0, 0};

	if (r->stopping)
		return;
	if (sigtimedwait(&r->stop_signals, NULL, &zero) > 0 ||
	    (r->o->duration_ns > 0 && mono_ns() - r->start >= r->o->duration_ns)) {
		r->stopping = true;
		live_feed_stop(r->feed);
	}
}

static void tick_if_due(struct live_run *r)
{
	if (mono_ns() < r->next_tick)
		return;
	update_counts(r);
	if (!live_stream_tick(&r->out, r->e, &r->counts, true))
		r->out_of_memory = true;
	while (r->next_tick <= mono_ns())
		r->next_tick += r->o->interval_ns;
}

/* Until the feed ends: packets in, the clock on, snapshots out. */
static void engine_loop(struct live_run *r)
{
	const struct pipe_note *notes;
	struct packet *pkts;
	size_t n, n_notes;

	r->start = mono_ns();
	r->next_tick = r->start + r->o->interval_ns;
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

/* End of input: the engine finishes, last changes, the report. */
static enum cli_exit finish(struct live_run *r, struct diagnosis *d)
{
	struct quality_source_facts facts;
	enum cli_exit rc;

	cli_warn_input_faults(d->src);
	cli_quality_facts(d->src, &facts);
	engine_set_source_facts(r->e, &facts);
	engine_finish(r->e);
	rc = cli_analysis_memory_check(engine_analyzer(r->e));
	if (rc == CLI_EXIT_OK && r->out_of_memory) {
		cli_error("out of memory taking a snapshot; the findings would be incomplete");
		rc = CLI_EXIT_INTERNAL;
	}
	update_counts(r);
	if (rc == CLI_EXIT_OK &&
	    !live_stream_tick(&r->out, r->e, &r->counts, false)) {
		cli_error("out of memory taking a snapshot; the findings would be incomplete");
		rc = CLI_EXIT_INTERNAL;
	}
	if (rc == CLI_EXIT_OK)
		rc = diagnosis_take_view(d, r->o->reads, r->o->n_reads);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (!live_stream_finish(&r->out, &d->view, &r->counts)) {
		cli_error("live: cannot write the NDJSON lines");
		return CLI_EXIT_INTERNAL;
	}
	rc = cli_finish_output();
	if (rc == CLI_EXIT_OK && r->o->fail_on_given &&
	    failing(&d->view, r->o->fail_on) > 0)
		rc = CLI_EXIT_FINDINGS;
	return rc;
}

static enum cli_exit open_replay(const struct live_opts *o,
				 struct capture_source **src)
{
	char msg[768];
	enum capture_error err;

	*src = capture_source_open((const char *const *)o->reads,
				   (size_t)o->n_reads, o->an.filter, &err, msg,
				   sizeof(msg));
	if (*src != NULL)
		return CLI_EXIT_OK;
	cli_error("%s", msg);
	return cli_capture_exit(err);
}

/*
 * SIGINT and SIGTERM are blocked before the reader starts (it inherits
 * the mask) and looked for with sigtimedwait(): no handler, no global.
 */
static enum cli_exit run(const struct live_opts *o, struct diagnosis *d)
{
	struct live_run r = {.o = o};
	struct live_feed_config fc = {0};
	struct diagnosis_view first = {0};
	enum cli_exit rc;

	sigemptyset(&r.stop_signals);
	sigaddset(&r.stop_signals, SIGINT);
	sigaddset(&r.stop_signals, SIGTERM);
	rc = open_replay(o, &d->src);
	if (rc != CLI_EXIT_OK)
		return rc;
	d->e = r.e = diagnose_engine_new(&o->an, 10);
	if (r.e == NULL)
		return CLI_EXIT_INTERNAL;
	first.inputs = (const char *const *)o->reads;
	first.n_inputs = (size_t)o->n_reads;
	first.ts_decimals = cli_ts_decimals(d->src);
	if (!live_stream_init(&r.out, stdout, o->format,
			      color_wanted(o->color), &first)) {
		cli_error("out of memory");
		return CLI_EXIT_INTERNAL;
	}
	fc.src = d->src;
	fc.speed = o->speed;
	fc.max_packets = (uint64_t)o->count;
	fc.checksums = diagnose_checksums(&o->an);
	pthread_sigmask(SIG_BLOCK, &r.stop_signals, NULL);
	r.feed = live_feed_start(&fc);
	if (r.feed == NULL) {
		live_stream_free(&r.out);
		cli_error("out of memory starting the capture thread");
		return CLI_EXIT_INTERNAL;
	}
	engine_loop(&r);
	rc = finish(&r, d);
	live_feed_free(r.feed);
	live_stream_free(&r.out);
	return rc;
}

int cmd_live(int argc, char **argv)
{
	struct live_opts o;
	struct diagnosis d;
	int rc = CLI_EXIT_OK;

	memset(&d, 0, sizeof(d));
	if (parse_live_opts(argc, argv, &o, &rc) == 0)
		rc = run(&o, &d);
	diagnosis_free(&d);
	free(o.reads);
	return rc;
}
