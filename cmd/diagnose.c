#include "diagnose.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture_source.h"

struct engine *diagnose_engine_new(const struct cli_analysis_opts *o,
				   size_t top_n,
				   const struct engine_consumer *consumers,
				   size_t n_consumers)
{
	return diagnose_engine_new_with(o, top_n, consumers, n_consumers, 0);
}

struct engine *diagnose_engine_new_with(const struct cli_analysis_opts *o,
					size_t top_n,
					const struct engine_consumer *consumers,
					size_t n_consumers, unsigned more_parts)
{
	struct engine_config cfg = {.parts = ENGINE_ALL | more_parts};
	struct engine *e;

	cfg.analyzer = o->cfg;
	cfg.detect = o->detect;
	cfg.top_n = top_n;
	cfg.consumers = consumers;
	cfg.n_consumers = n_consumers;
	e = engine_new(&cfg);
	if (e == NULL)
		cli_error("out of memory");
	return e;
}

bool diagnose_checksums(const struct cli_analysis_opts *o)
{
	/* Verified only for the detector that reports them: it costs time. */
	return o->detect.det[FINDING_CHECKSUM_ERRORS].enabled;
}

enum cli_exit diagnosis_take_view(struct diagnosis *d, char **paths,
				  int n_paths)
{
	struct engine_results r;

	if (!engine_results(d->e, &r)) {
		cli_error("out of memory: the findings would be incomplete");
		return CLI_EXIT_INTERNAL;
	}
	d->view.inputs = (const char *const *)paths;
	d->view.n_inputs = (size_t)n_paths;
	d->view.stats = r.stats;
	/* An interface (live -i) has no source: live sets its own. */
	d->view.ts_decimals = d->src != NULL ? cli_ts_decimals(d->src) : 9;
	d->view.findings = r.findings;
	d->view.n_findings = r.n_findings;
	d->view.suppressed = r.suppressed;
	d->view.not_tracked = r.not_tracked;
	d->view.folded = r.folded;
	d->view.hosts = r.hosts;
	d->view.n_hosts = r.n_hosts;
	d->view.tunnels = analyzer_tunnels(engine_analyzer(d->e));
	d->view.hosts_left_out = r.hosts_left_out;
	d->view.top = r.top;
	d->view.n_top = r.n_top;
	d->view.quality = r.quality;
	d->view.adjusted = r.adjusted;
	d->view.n_adjusted = r.n_adjusted;
	d->view.adjusted_more = r.adjusted_more;
	return CLI_EXIT_OK;
}

enum cli_exit diagnose_run(const struct cli_analysis_opts *o, size_t top_n,
			   char **paths, int n_paths, struct diagnosis *d)
{
	struct cli_analysis_opts an;
	enum cli_exit rc;

	memset(d, 0, sizeof(*d));
	d->e = diagnose_engine_new(o, top_n, NULL, 0);
	if (d->e == NULL)
		return CLI_EXIT_INTERNAL;
	an = *o;
	an.checksums = diagnose_checksums(o);
	rc = cli_engine_run(&an, paths, n_paths, d->e, &d->src);
	if (rc != CLI_EXIT_OK)
		return rc;
	return diagnosis_take_view(d, paths, n_paths);
}

void diagnosis_free(struct diagnosis *d)
{
	capture_source_free(d->src);
	engine_free(d->e);
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
