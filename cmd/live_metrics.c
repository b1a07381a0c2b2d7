#include "live_metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics_exchange.h"
#include "metrics_http.h"
#include "metrics_prom.h"
#include "metrics_textfile.h"

struct live_metrics {
	struct live_metrics_config cfg;
	struct metrics_exchange *x;
	struct metrics_textfile *textfile;
	struct metrics_http *http;
	/* The engine thread's own: its snapshot, tally and format buffer. */
	struct engine_snapshot snap;
	struct metrics_prom_tally tally;
	char *buf;
	size_t cap;
	int64_t next_due;               /* monotonic ns; 0: at the first tick */
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct live_metrics *live_metrics_start(const struct live_metrics_config *cfg,
					char *why, size_t why_len)
{
	struct live_metrics *m = calloc(1, sizeof(*m));

	if (m == NULL || (m->x = metrics_exchange_new()) == NULL) {
		free(m);
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	m->cfg = *cfg;
	engine_snapshot_init(&m->snap, SNAPSHOT_SOCKETS | SNAPSHOT_FINDINGS);
	if (cfg->textfile_dir != NULL &&
	    (m->textfile = metrics_textfile_start(cfg->textfile_dir, m->x, why,
						  why_len)) == NULL) {
		live_metrics_stop(m, NULL, 0);
		return NULL;
	}
	if (cfg->listen != NULL &&
	    (m->http = metrics_http_start(cfg->listen, m->x, why, why_len)) ==
		    NULL) {
		live_metrics_stop(m, NULL, 0);
		return NULL;
	}
	return m;
}

/* The text into m's buffer, grown until it fits; its length, or 0. */
static size_t format(struct live_metrics *m, const struct metrics_prom_input *in)
{
	for (;;) {
		size_t len = metrics_prom_format(m->buf, m->cap, in);
		char *bigger;

		if (len < m->cap)
			return len;
		bigger = realloc(m->buf, len + 1);
		if (bigger == NULL)
			return 0;
		m->buf = bigger;
		m->cap = len + 1;
	}
}

bool live_metrics_tick(struct live_metrics *m, struct engine *e,
		       const struct live_counts *c,
		       const struct metrics_prom_export *export, bool final)
{
	struct metrics_prom_input in;
	struct metrics_text *t;
	int64_t now;
	size_t len;

	if (m == NULL)
		return true;
	now = mono_ns();
	if (!final && now < m->next_due)
		return true;
	m->next_due = now + m->cfg.interval_ns;
	if (!engine_snapshot_take(e, &m->snap))
		return false;
	metrics_prom_tally_add(&m->tally, &m->snap);
	in = (struct metrics_prom_input){
		.snap = &m->snap,
		.counts = c,
		.flows = analyzer_flow_count(engine_analyzer(e)),
		.tally = &m->tally,
		.tunnels = analyzer_tunnels(engine_analyzer(e)),
		.max_hosts = m->cfg.max_hosts,
		.export = export,
	};
	len = format(m, &in);
	if (len == 0 || (t = metrics_text_new(len)) == NULL)
		return false;
	memcpy(t->text, m->buf, len);
	metrics_exchange_publish(m->x, t);
	return true;
}

bool live_metrics_stop(struct live_metrics *m, char *why, size_t why_len)
{
	bool ok;

	if (m == NULL)
		return true;
	metrics_http_stop(m->http);
	metrics_exchange_close(m->x);
	ok = metrics_textfile_stop(m->textfile, why, why_len);
	metrics_exchange_free(m->x);
	engine_snapshot_free(&m->snap);
	free(m->buf);
	free(m);
	return ok;
}
