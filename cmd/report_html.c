#include "report_html.h"

#include <stdlib.h>
#include <string.h>

#include "capture_source.h"
#include "diagnose.h"
#include "diagnosis_html.h"

#define NS_PER_SEC 1000000000LL
/*
 * The first step: a lab capture of a few seconds still gets tens of
 * points; an hour-long one has doubled it to 16 s or more.
 */
#define FIRST_STEP_NS (NS_PER_SEC / 10)
/* Rows of a snapshot's host list looked at per sample, busiest first. */
#define SAMPLE_HOST_ROWS 256

static const int charted_state[HTML_HOST_STATES] = {
	[HTML_ESTABLISHED] = TCP_STATE_ESTABLISHED,
	[HTML_SYN_RECV] = TCP_STATE_SYN_RECV,
	[HTML_CLOSE_WAIT] = TCP_STATE_CLOSE_WAIT,
	[HTML_TIME_WAIT] = TCP_STATE_TIME_WAIT,
};

struct sampler {
	struct engine *e;
	struct engine_snapshot snap;
	struct time_series states, rates;
	struct html_host hosts[REPORT_HTML_TRACKED];
	uint64_t peak_trouble[REPORT_HTML_TRACKED];  /* SYN_RECV + CLOSE_WAIT */
	uint64_t peak_total[REPORT_HTML_TRACKED];
	size_t n_hosts;
	size_t most_hosts;              /* in one snapshot */
	struct engine_rate_counts last;
	bool timed;                     /* a packet with a time was seen */
	int64_t last_t;
	bool failed;                    /* memory ran out */
};

static bool same_host(const struct html_host *h,
		      const struct host_state_row *r)
{
	return h->family == r->family && h->tunnel == r->tunnel &&
	       memcmp(h->addr, r->addr, sizeof(h->addr)) == 0;
}

/* The tracked host of r, tracked now if there is room; -1 otherwise. */
static int tracked_host(struct sampler *s, const struct host_state_row *r)
{
	for (size_t i = 0; i < s->n_hosts; i++)
		if (same_host(&s->hosts[i], r))
			return (int)i;
	if (s->n_hosts == REPORT_HTML_TRACKED)
		return -1;
	s->hosts[s->n_hosts].family = r->family;
	s->hosts[s->n_hosts].tunnel = r->tunnel;
	memcpy(s->hosts[s->n_hosts].addr, r->addr, sizeof(r->addr));
	s->hosts[s->n_hosts].first = s->n_hosts * HTML_HOST_STATES;
	return (int)s->n_hosts++;
}

/* The engine as it stands, into the slot of time t. */
static void sample(struct sampler *s, int64_t t)
{
	uint32_t counts[REPORT_HTML_TRACKED][HTML_HOST_STATES];
	const struct engine_rate_counts *now = &s->snap.rates;
	size_t rows;

	if (s->failed || !engine_snapshot_take(s->e, &s->snap)) {
		s->failed = true;
		return;
	}
	/* Both start, and run, alike: their slots are the same times. */
	time_series_extend(&s->states, t);
	time_series_extend(&s->rates, t);
	memset(counts, 0, sizeof(counts));
	rows = s->snap.n_hosts < SAMPLE_HOST_ROWS ? s->snap.n_hosts
						  : SAMPLE_HOST_ROWS;
	s->most_hosts = s->snap.n_hosts > s->most_hosts ? s->snap.n_hosts
							: s->most_hosts;
	for (size_t i = 0; i < rows; i++) {
		int h = tracked_host(s, &s->snap.hosts[i]);

		for (int k = 0; h >= 0 && k < HTML_HOST_STATES; k++)
			counts[h][k] = s->snap.hosts[i].count[charted_state[k]];
	}
	for (size_t h = 0; h < s->n_hosts; h++) {
		uint64_t trouble = (uint64_t)counts[h][HTML_SYN_RECV] +
				   counts[h][HTML_CLOSE_WAIT], total = 0;

		for (int k = 0; k < HTML_HOST_STATES; k++) {
			time_series_set(&s->states, t, s->hosts[h].first +
					(size_t)k, counts[h][k]);
			total += counts[h][k];
		}
		if (trouble > s->peak_trouble[h])
			s->peak_trouble[h] = trouble;
		if (total > s->peak_total[h])
			s->peak_total[h] = total;
	}
	time_series_add(&s->rates, t, HTML_RATE_SYN, now->syn - s->last.syn);
	time_series_add(&s->rates, t, HTML_RATE_RST, now->rst - s->last.rst);
	time_series_add(&s->rates, t, HTML_RATE_RETRANS,
			now->retrans - s->last.retrans);
	s->last = *now;
}

/*
 * Before each packet: when it opens a new step, the engine as the
 * last step left it goes into that step's slot.
 */
static void sample_before(void *arg, const struct packet *pkt)
{
	struct sampler *s = arg;
	int64_t t;

	if (!pkt->has_ts)
		return;
	t = pkt_time_ns(pkt->ts);
	if (!s->timed) {
		s->timed = true;
		s->last_t = t;
		sample(s, t);   /* the series start at the first packet */
		return;
	}
	if (t <= s->last_t)
		return;
	if (time_series_index(&s->states, t) !=
	    time_series_index(&s->states, s->last_t))
		sample(s, s->last_t);
	s->last_t = t;
}

/* Whether tracked host i charts before j: more trouble, more sockets. */
static bool charts_before(const struct sampler *s, size_t i, size_t j)
{
	if (s->peak_trouble[i] != s->peak_trouble[j])
		return s->peak_trouble[i] > s->peak_trouble[j];
	if (s->peak_total[i] != s->peak_total[j])
		return s->peak_total[i] > s->peak_total[j];
	return i < j;
}

/* The hosts charted, most trouble first, into out; their count. */
static size_t charted_hosts(struct sampler *s, struct html_host *out)
{
	size_t order[REPORT_HTML_TRACKED], n = 0;

	for (size_t i = 0; i < s->n_hosts; i++) {
		size_t at = n++;

		if (s->peak_total[i] == 0) {
			n--;
			continue;
		}
		/* Insertion: at most REPORT_HTML_TRACKED hosts. */
		for (; at > 0 && charts_before(s, i, order[at - 1]); at--)
			order[at] = order[at - 1];
		order[at] = i;
	}
	if (n > REPORT_HTML_CHARTED)
		n = REPORT_HTML_CHARTED;
	for (size_t i = 0; i < n; i++)
		out[i] = s->hosts[order[i]];
	return n;
}

/* ------------------------------------------------------------ graphs */

struct grapher {
	struct html_conn *conns;
	struct seq_graph **graphs;
	size_t n;                       /* the first n conns are drawn */
	size_t *rows;
	bool failed;
};

static void graph_row(struct grapher *g, const struct ladder_row *r)
{
	for (size_t i = 0; i < g->n; i++) {
		if (g->conns[i].uid != r->uid || g->graphs[i] == NULL)
			continue;
		if (!seq_graph_add(g->graphs[i], r))
			g->failed = true;
		g->rows[i]++;
		return;
	}
}

static void graph_on_segment(void *arg, const struct packet *pkt,
			     const struct flow *f,
			     const struct tcp_seg_info *info, void *storage)
{
	struct grapher *g = arg;
	struct ladder_row r;
	uint64_t uid = flow_uid(f);

	(void)storage;
	for (size_t i = 0; i < g->n; i++) {
		if (g->conns[i].uid == uid) {
			ladder_row_of_segment(&r, pkt, f, info);
			graph_row(g, &r);
			return;
		}
	}
}

static void graph_on_copy(void *arg, const struct packet *pkt,
			  const struct flow *f, int dir, uint64_t copy_of,
			  void *storage)
{
	struct grapher *g = arg;
	struct ladder_row r;
	uint64_t uid = flow_uid(f);

	(void)storage;
	if (f->key.proto != 6)
		return;
	for (size_t i = 0; i < g->n; i++) {
		if (g->conns[i].uid == uid) {
			ladder_row_of_copy(&r, pkt, f, dir, copy_of);
			graph_row(g, &r);
			return;
		}
	}
}

/*
 * The second run: the first n conns' segments into a graph each; a
 * connection no segment came for (not TCP) gets none.
 */
static enum cli_exit draw_graphs(const struct cli_analysis_opts *o,
				 char **paths, int n_paths,
				 struct html_conn *conns, size_t n,
				 struct seq_graph **graphs)
{
	struct grapher g = {conns, graphs, n, NULL, false};
	struct engine_consumer rows = {0};
	struct engine_config cfg = {0};
	struct cli_analysis_opts an = *o;
	struct capture_source *src = NULL;
	struct engine *e;
	enum cli_exit rc;

	g.rows = calloc(n ? n : 1, sizeof(*g.rows));
	for (size_t i = 0; i < n && g.rows != NULL; i++)
		if ((graphs[i] = seq_graph_new()) == NULL)
			g.failed = true;
	rows.ctx = &g;
	rows.on_tcp_segment = graph_on_segment;
	rows.on_copy = graph_on_copy;
	cfg.analyzer = o->cfg;
	cfg.consumers = &rows;
	cfg.n_consumers = 1;
	e = g.rows != NULL && !g.failed ? engine_new(&cfg) : NULL;
	if (e == NULL) {
		free(g.rows);
		cli_error("out of memory");
		return CLI_EXIT_INTERNAL;
	}
	an.checksums = false;
	an.progress = false;
	rc = cli_engine_run(&an, paths, n_paths, e, &src);
	if (rc == CLI_EXIT_OK && g.failed) {
		cli_error("out of memory: the connections' graphs");
		rc = CLI_EXIT_INTERNAL;
	}
	for (size_t i = 0; i < n; i++)
		conns[i].graph = g.rows[i] > 0 ? graphs[i] : NULL;
	capture_source_free(src);
	engine_free(e);
	free(g.rows);
	return rc;
}

static bool conn_listed(const struct html_conn *c, size_t n, uint64_t uid)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].uid == uid)
			return true;
	return false;
}

/* The ranking's connections, then those the findings name (bounded). */
static size_t pick_conns(const struct diagnosis_view *v, struct html_conn *c)
{
	size_t n = 0, named = 0;

	for (size_t i = 0; i < v->n_top; i++) {
		c[n].uid = v->top[i].uid;
		c[n].row = &v->top[i];
		c[n].rank = i + 1;
		n++;
	}
	for (size_t i = 0; i < v->n_findings && named < REPORT_HTML_NAMED; i++) {
		const struct finding *f = &v->findings[i];

		for (int j = 0; j < f->n_flows && named < REPORT_HTML_NAMED; j++) {
			if (conn_listed(c, n, f->flows[j]))
				continue;
			c[n].uid = f->flows[j];
			n++;
			named++;
		}
	}
	return n;
}

static bool from_stdin(char **paths, int n_paths)
{
	for (int i = 0; i < n_paths; i++)
		if (strcmp(paths[i], "-") == 0)
			return true;
	return false;
}

/* The sampled run: d->view as report's, s's series filled. */
static enum cli_exit sampled_run(const struct cli_analysis_opts *o,
				 size_t top_n, char **paths, int n_paths,
				 struct diagnosis *d, struct sampler *s)
{
	struct cli_analysis_opts an = *o;
	enum cli_exit rc;

	d->e = diagnose_engine_new_with(o, top_n, NULL, 0,
					ENGINE_SOCKET_COUNTS);
	if (d->e == NULL)
		return CLI_EXIT_INTERNAL;
	s->e = d->e;
	engine_snapshot_init(&s->snap, SNAPSHOT_SOCKETS);
	if (!time_series_init(&s->states, TIME_SERIES_GAUGE,
			      REPORT_HTML_TRACKED * HTML_HOST_STATES,
			      REPORT_HTML_SLOTS, FIRST_STEP_NS) ||
	    !time_series_init(&s->rates, TIME_SERIES_COUNT, HTML_RATES,
			      REPORT_HTML_SLOTS, FIRST_STEP_NS)) {
		cli_error("out of memory");
		return CLI_EXIT_INTERNAL;
	}
	an.checksums = diagnose_checksums(o);
	rc = cli_engine_run_with(&an, paths, n_paths, d->e, sample_before, s,
				 &d->src);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (s->timed)
		sample(s, s->last_t);   /* the end, as engine_finish() left it */
	if (s->failed) {
		cli_error("out of memory: the samples over time");
		return CLI_EXIT_INTERNAL;
	}
	time_series_fill_forward(&s->states);
	return diagnosis_take_view(d, paths, n_paths);
}

enum cli_exit report_html_run(const struct cli_analysis_opts *o,
			      size_t top_n, size_t graphs, const char *sensor,
			      char **paths, int n_paths)
{
	struct sampler *s = calloc(1, sizeof(*s));
	struct html_host charted[REPORT_HTML_CHARTED];
	struct html_conn *conns = NULL;
	struct seq_graph **drawn = NULL;
	struct html_extras x = {0};
	struct diagnosis d;
	enum cli_exit rc;

	memset(&d, 0, sizeof(d));
	if (s == NULL) {
		cli_error("out of memory");
		return CLI_EXIT_INTERNAL;
	}
	rc = sampled_run(o, top_n, paths, n_paths, &d, s);
	if (rc == CLI_EXIT_OK) {
		d.view.sensor = sensor;
		conns = calloc(d.view.n_top + REPORT_HTML_NAMED, sizeof(*conns));
		drawn = calloc(graphs ? graphs : 1, sizeof(*drawn));
		if (conns == NULL || drawn == NULL) {
			cli_error("out of memory");
			rc = CLI_EXIT_INTERNAL;
		}
	}
	if (rc == CLI_EXIT_OK) {
		x.states = s->timed ? &s->states : NULL;
		x.rates = s->timed ? &s->rates : NULL;
		x.n_hosts = charted_hosts(s, charted);
		x.hosts = charted;
		x.hosts_left_out = (s->most_hosts > s->n_hosts ? s->most_hosts
							       : s->n_hosts) -
				   x.n_hosts;
		x.conns = conns;
		x.n_conns = pick_conns(&d.view, conns);
		x.graphs_cap = graphs;
		if (from_stdin(paths, n_paths))
			x.graphs_left_out = "the capture came from standard "
					    "input, which cannot be read a "
					    "second time for the connections' "
					    "segments: give report the file";
		else if (graphs > 0 && x.n_conns > 0)
			rc = draw_graphs(o, paths, n_paths, conns,
					 graphs < x.n_conns ? graphs : x.n_conns,
					 drawn);
	}
	if (rc == CLI_EXIT_OK && !diagnosis_render_html(stdout, &d.view, &x)) {
		cli_error("report: cannot write the HTML page");
		rc = CLI_EXIT_INTERNAL;
	}
	if (rc == CLI_EXIT_OK)
		rc = cli_finish_output();
	for (size_t i = 0; drawn != NULL && i < graphs; i++)
		seq_graph_free(drawn[i]);
	free(drawn);
	free(conns);
	engine_snapshot_free(&s->snap);
	time_series_free(&s->states);
	time_series_free(&s->rates);
	free(s);
	diagnosis_free(&d);
	return rc;
}
