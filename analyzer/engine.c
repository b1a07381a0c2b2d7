#include "engine.h"

#include <stdlib.h>

struct engine {
	struct analyzer *a;
	struct detectors *det;
	struct host_states *hosts;
	struct trouble_rank *rank;
	bool finished;
};

/* ------------------------------------------------- the analyzer's sink */

static void on_flow_start(void *ctx, const struct flow *f)
{
	struct engine *e = ctx;

	detectors_on_flow_start(e->det, f);
}

static void on_tcp_segment(void *ctx, const struct packet *pkt,
			   const struct flow *f,
			   const struct tcp_seg_info *info)
{
	struct engine *e = ctx;

	detectors_on_tcp_segment(e->det, pkt, f, info);
	host_states_on_segment(e->hosts, pkt, f, info);
}

static void on_datagram(void *ctx, const struct packet *pkt,
			const struct flow *f, int dir)
{
	struct engine *e = ctx;

	detectors_on_datagram(e->det, pkt, f, dir);
}

static void on_icmp_error(void *ctx, const struct packet *pkt,
			  const struct flow *quoted)
{
	struct engine *e = ctx;

	detectors_on_icmp_error(e->det, pkt, quoted);
}

static void on_reassembled(void *ctx, const struct packet *whole,
			   size_t fragments)
{
	struct engine *e = ctx;

	detectors_on_reassembled(e->det, whole, fragments);
}

static void on_time(void *ctx, int64_t now)
{
	struct engine *e = ctx;

	detectors_advance(e->det, now);
}

static void on_flow_end(void *ctx, const struct flow *f)
{
	struct engine *e = ctx;

	/* The ranking reads the flow after the detectors: start the load. */
	trouble_rank_prefetch(f);
	detectors_on_flow_end(e->det, f);
	trouble_rank_on_flow_end(e->rank, f);
}

/* ----------------------------------------------------------- the engine */

struct engine *engine_new(const struct engine_config *cfg)
{
	struct engine *e = calloc(1, sizeof(*e));
	struct analyzer_sink sink = {
		.on_flow_start = on_flow_start,
		.on_tcp_segment = on_tcp_segment,
		.on_datagram = on_datagram,
		.on_icmp_error = on_icmp_error,
		.on_reassembled = on_reassembled,
		.on_time = on_time,
		.on_flow_end = on_flow_end,
	};

	if (e == NULL)
		return NULL;
	sink.ctx = e;
	e->det = detectors_new(&cfg->detect, &cfg->analyzer, NULL);
	e->hosts = host_states_new();
	e->rank = trouble_rank_new(cfg->top_n);
	if (e->det != NULL)
		sink.flow_storage = detectors_flow_storage(e->det);
	if (e->det != NULL && e->hosts != NULL && e->rank != NULL)
		e->a = analyzer_new(&cfg->analyzer, &sink);
	if (e->a == NULL) {
		engine_free(e);
		return NULL;
	}
	return e;
}

void engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	analyzer_free(e->a);
	detectors_free(e->det);
	host_states_free(e->hosts);
	trouble_rank_free(e->rank);
	free(e);
}

void engine_feed(struct engine *e, const struct packet *pkt)
{
	analyzer_feed(e->a, pkt);
}

void engine_advance(struct engine *e, int64_t now)
{
	analyzer_advance(e->a, now);
}

void engine_finish(struct engine *e)
{
	if (e->finished)
		return;
	e->finished = true;
	analyzer_settle(e->a);
	detectors_on_capture_end(e->det, analyzer_now(e->a));
	host_states_take(e->hosts, e->a);
	analyzer_finish(e->a);
	detectors_finish(e->det, analyzer_get_stats(e->a),
			 analyzer_defrag_stats(e->a));
}

bool engine_results(struct engine *e, struct engine_results *out)
{
	out->stats = analyzer_get_stats(e->a);
	out->defrag = analyzer_defrag_stats(e->a);
	out->findings = detectors_findings(e->det, &out->n_findings);
	out->suppressed = detectors_suppressed(e->det);
	out->not_tracked = detectors_not_tracked(e->det);
	out->hosts = host_states_rows(e->hosts, &out->n_hosts);
	out->top = trouble_rank_rows(e->rank, &out->n_top);
	return !detectors_out_of_memory(e->det) &&
	       !host_states_out_of_memory(e->hosts);
}

struct analyzer *engine_analyzer(struct engine *e)
{
	return e->a;
}
