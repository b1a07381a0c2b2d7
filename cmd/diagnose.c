#include "diagnose.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture_source.h"

static void on_flow_start(void *ctx, const struct flow *f)
{
	struct diagnosis *d = ctx;

	detectors_on_flow_start(d->det, f);
}

static void on_tcp_segment(void *ctx, const struct packet *pkt,
			   const struct flow *f,
			   const struct tcp_seg_info *info)
{
	struct diagnosis *d = ctx;

	detectors_on_tcp_segment(d->det, pkt, f, info);
	if (pkt->tcp.flags & TCP_FLAG_SYN)
		host_states_on_segment(d->hosts, pkt, f, info);
}

static void on_datagram(void *ctx, const struct packet *pkt,
			const struct flow *f, int dir)
{
	struct diagnosis *d = ctx;

	detectors_on_datagram(d->det, pkt, f, dir);
}

static void on_icmp_error(void *ctx, const struct packet *pkt,
			  const struct flow *quoted)
{
	struct diagnosis *d = ctx;

	detectors_on_icmp_error(d->det, pkt, quoted);
}

static void on_reassembled(void *ctx, const struct packet *whole,
			   size_t fragments)
{
	struct diagnosis *d = ctx;

	detectors_on_reassembled(d->det, whole, fragments);
}

static void count_host_states(void *ctx, const struct flow *f)
{
	host_states_add_flow(ctx, f);
}

/* The end of the capture: the socket tables as they stand now. */
static void on_capture_end(void *ctx, int64_t now)
{
	struct diagnosis *d = ctx;

	detectors_on_capture_end(d->det, now);
	analyzer_foreach_flow(d->a, count_host_states, d->hosts);
}

static void on_flow_end(void *ctx, const struct flow *f)
{
	struct diagnosis *d = ctx;

	trouble_rank_prefetch(f);
	detectors_on_flow_end(d->det, f);
	trouble_rank_on_flow_end(d->rank, f);
}

enum cli_exit diagnose_run(const struct cli_analysis_opts *o, size_t top_n,
			   char **paths, int n_paths, struct diagnosis *d)
{
	struct analyzer_sink sink = {
		.ctx = d,
		.on_flow_start = on_flow_start,
		.on_tcp_segment = on_tcp_segment,
		.on_datagram = on_datagram,
		.on_icmp_error = on_icmp_error,
		.on_reassembled = on_reassembled,
		.on_capture_end = on_capture_end,
		.on_flow_end = on_flow_end,
	};
	struct cli_analysis_opts an;
	enum cli_exit rc;

	memset(d, 0, sizeof(*d));
	d->det = detectors_new(&o->detect, &o->cfg, NULL);
	d->hosts = host_states_new();
	d->rank = trouble_rank_new(top_n);
	if (d->det != NULL)
		sink.flow_storage = detectors_flow_storage(d->det);
	d->a = analyzer_new(&o->cfg, &sink);
	if (d->det == NULL || d->hosts == NULL || d->rank == NULL || d->a == NULL) {
		cli_error("out of memory");
		return CLI_EXIT_INTERNAL;
	}
	/* Verified only for the detector that reports them: it costs time. */
	an = *o;
	an.checksums = o->detect.det[FINDING_CHECKSUM_ERRORS].enabled;
	rc = cli_analysis_run(&an, paths, n_paths, d->a, &d->src);
	if (rc != CLI_EXIT_OK)
		return rc;
	detectors_finish(d->det, analyzer_get_stats(d->a),
			 analyzer_defrag_stats(d->a));
	if (detectors_out_of_memory(d->det) ||
	    host_states_out_of_memory(d->hosts)) {
		cli_error("out of memory: the findings would be incomplete");
		return CLI_EXIT_INTERNAL;
	}
	d->view.inputs = (const char *const *)paths;
	d->view.n_inputs = (size_t)n_paths;
	d->view.stats = analyzer_get_stats(d->a);
	d->view.ts_decimals = cli_ts_decimals(d->src);
	d->view.findings = detectors_findings(d->det, &d->view.n_findings);
	d->view.suppressed = detectors_suppressed(d->det);
	d->view.not_tracked = detectors_not_tracked(d->det);
	d->view.hosts = host_states_rows(d->hosts, &d->view.n_hosts);
	d->view.top = trouble_rank_rows(d->rank, &d->view.n_top);
	return CLI_EXIT_OK;
}

void diagnosis_free(struct diagnosis *d)
{
	capture_source_free(d->src);
	analyzer_free(d->a);
	detectors_free(d->det);
	host_states_free(d->hosts);
	trouble_rank_free(d->rank);
	memset(d, 0, sizeof(*d));
}

bool color_mode_parse(const char *s, enum color_mode *out)
{
	if (strcmp(s, "auto") == 0)
		*out = COLOR_AUTO;
	else if (strcmp(s, "always") == 0)
		*out = COLOR_ALWAYS;
	else if (strcmp(s, "never") == 0)
		*out = COLOR_NEVER;
	else
		return false;
	return true;
}

bool color_wanted(enum color_mode m)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

	if (m != COLOR_AUTO)
		return m == COLOR_ALWAYS;
	return isatty(STDOUT_FILENO) && (no == NULL || no[0] == '\0') &&
	       (term == NULL || strcmp(term, "dumb") != 0);
}
