/* tcplens report: what is wrong in a capture, with evidence and advice. */
#include <stdio.h>
#include <string.h>

#include "cli_options.h"
#include "diagnose.h"
#include "report_html.h"

static const char report_usage[] =
	"Usage: tcplens report [OPTIONS] FILE...\n"
	"       tcplens FILE...\n"
	"What is wrong in the capture: a summary, the capture's quality (one-sided,\n"
	"loss, duplicates, snaplen, edits, offload, what was not analysed), the\n"
	"incident (services and clients affected, time window, ongoing or\n"
	"recovered), the findings by severity, each with its evidence, what is\n"
	"happening, what to do (said once for all subjects of one finding id and\n"
	"severity) and a tshark filter that selects the evidence, each\n"
	"host's sockets at the end, and the connections with the most trouble\n"
	"(alike ones next in rank on one line, with their count).\n"
	"\n"
	"  -F, --format FORMAT     text (default), json, yaml, ndjson (a line per\n"
	"                          finding, then a summary line: for loaders) or\n"
	"                          html (one self-contained page: charts over\n"
	"                          time and the connections' time-sequence graphs)\n"
	"      --color WHEN        auto (default: on a terminal, unless NO_COLOR\n"
	"                          is set), always or never\n"
	"      --top N             connections in the trouble table (default 10)\n"
	"      --html-graphs N     -F html: connections given a time-sequence\n"
	"                          graph, 0 to 100 (default 10)\n"
	"      --sensor NAME       the capture point, written into the document and\n"
	"                          every finding line: letters, digits, . _ : -\n";

static const char report_exit_status[] =
	"Exit status: 0 ok (whatever was found, a capture that could not be\n"
	"analysed included: the report leads with capture_coverage, on which\n"
	"tcplens check fails), 2 usage or invalid configuration, 3 unreadable\n"
	"file, 4 not a capture, 5 unsupported link type, 6 bad filter, 7 output\n"
	"or internal error.\n";

enum { OPT_COLOR = CLI_OPT_FIRST_FREE, OPT_TOP, OPT_SENSOR, OPT_HTML_GRAPHS };

#define REPORT_FORMATS                                                     \
	(OUTPUT_FORMAT_SET(OUTPUT_FORMAT_TEXT) |                           \
	 OUTPUT_FORMAT_SET(OUTPUT_FORMAT_JSON) |                           \
	 OUTPUT_FORMAT_SET(OUTPUT_FORMAT_YAML) |                           \
	 OUTPUT_FORMAT_SET(OUTPUT_FORMAT_NDJSON) |                         \
	 OUTPUT_FORMAT_SET(OUTPUT_FORMAT_HTML))

struct report_opts {
	struct cli_analysis_opts an;
	enum output_format format;
	enum color_mode color;
	long top;
	long html_graphs;
	const char *sensor;     /* NULL: none */
};

static int report_option(void *opts, int ch, const char *arg, int *rc)
{
	struct report_opts *o = opts;

	if (ch == OPT_COLOR) {
		if (!color_mode_parse(arg, &o->color)) {
			return cli_usage("report", rc, "report: --color wants auto, always or never, not '%s'",
				  arg);
		}
	} else if (ch == OPT_SENSOR) {
		if (!cli_sensor_valid(arg)) {
			return cli_usage("report", rc, "report: --sensor wants 1 to %d letters, digits, '.', '_', ':' or '-', not '%s'",
					 CLI_SENSOR_MAX, arg);
		}
		o->sensor = arg;
	} else if (ch == OPT_HTML_GRAPHS) {
		if (!cli_parse_long(arg, 0, 100, &o->html_graphs))
			return cli_usage("report", rc, "report: --html-graphs wants a count, 0 to 100, not '%s'",
					 arg);
	} else if (!cli_parse_long(arg, 0, 1000, &o->top)) { /* --top */
		return cli_usage("report", rc, "report: --top wants a count, 0 to 1000, not '%s'",
			  arg);
	}
	return 0;
}

static const struct option report_longopts[] = {
	{"color", required_argument, NULL, OPT_COLOR},
	{"top", required_argument, NULL, OPT_TOP},
	{"sensor", required_argument, NULL, OPT_SENSOR},
	{"html-graphs", required_argument, NULL, OPT_HTML_GRAPHS},
	{NULL, 0, NULL, 0},
};

static const struct cli_command report_command = {
	.name = "report",
	.usage = report_usage,
	.exit_status = report_exit_status,
	.common = CLI_COMMON_ENGINE,
	.formats = REPORT_FORMATS,
	.options = report_longopts,
	.option = report_option,
};

static int parse_report_opts(int argc, char **argv, struct report_opts *o,
			     int *rc)
{
	int first;

	memset(o, 0, sizeof(*o));
	cli_analysis_defaults(&o->an);
	o->top = 10;
	o->html_graphs = 10;
	first = cli_options_parse(&report_command, argc, argv, &o->an,
				  &o->format, o, rc);
	if (first < 0 || cli_analysis_load_config(&o->an, rc) < 0)
		return -1;
	return first;
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o;
	struct diagnosis d;
	enum doc_format doc;
	int first, rc = CLI_EXIT_OK;

	first = parse_report_opts(argc, argv, &o, &rc);
	if (first < 0)
		return rc;
	if (first >= argc) {
		cli_usage("report", NULL, "report: no capture file given (use '-' for standard input)");
		return CLI_EXIT_USAGE;
	}
	if (o.format == OUTPUT_FORMAT_HTML)
		return report_html_run(&o.an, (size_t)o.top,
				       (size_t)o.html_graphs, o.sensor,
				       &argv[first], argc - first);
	rc = diagnose_run(&o.an, (size_t)o.top, &argv[first], argc - first, &d);
	if (rc == CLI_EXIT_OK) {
		d.view.sensor = o.sensor;
		if (o.format == OUTPUT_FORMAT_NDJSON) {
			if (!diagnosis_render_ndjson(stdout, &d.view)) {
				cli_error("report: cannot write the NDJSON lines");
				rc = CLI_EXIT_INTERNAL;
			}
		} else if (!output_format_doc(o.format, &doc)) {
			diagnosis_render_text(stdout, &d.view, color_wanted(o.color));
		} else if (!diagnosis_render_doc(stdout, &d.view, doc)) {
			cli_error("report: cannot write the %s document",
				  doc == DOC_JSON ? "JSON" : "YAML");
			rc = CLI_EXIT_INTERNAL;
		}
		if (rc == CLI_EXIT_OK)
			rc = cli_finish_output();
	}
	diagnosis_free(&d);
	return rc;
}
