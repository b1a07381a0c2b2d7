#include "engine_internal.h"

#include <stdlib.h>
#include <string.h>

/* Consumers' storage in a flow starts at a multiple of this. */
#define CONSUMER_ALIGN 16

/* Consumer i's storage in a flow's sink area. */
static void *consumer_storage(const struct engine *e, size_t i,
			      struct flow_sink_area area)
{
	if (e->consumers[i].flow_storage == 0)
		return NULL;
	return (char *)area.storage + e->consumer_at[i];
}

/* The engine's own storage in a flow's sink area (e->own). */
static struct engine_flow_own *own_storage(const struct engine *e,
					   struct flow_sink_area area)
{
	return (struct engine_flow_own *)((char *)area.storage + e->own_at);
}

/* ------------------------------------------------- the analyzer's sink */

static void count_rates(struct engine_rate_counts *r, const struct packet *pkt,
			const struct tcp_seg_info *info)
{
	uint8_t fl = pkt->tcp.flags;

	if (fl & TCP_FLAG_SYN) {
		if (fl & TCP_FLAG_ACK)
			r->syn_ack++;
		else
			r->syn++;
	}
	if (fl & TCP_FLAG_RST)
		r->rst++;
	/* As tcp_conn.c's retrans_segs: any of the three marks. */
	if (info->annots & (TCP_ANNOT_BIT(RETRANSMISSION) |
			    TCP_ANNOT_BIT(FAST_RETRANSMISSION) |
			    TCP_ANNOT_BIT(SPURIOUS_RETRANSMISSION)))
		r->retrans++;
	r->zero_window_ns += (uint64_t)(info->zero_window_ns[0] +
					info->zero_window_ns[1]);
}

/* The history ring's next row, the oldest overwritten once it is full. */
static struct ladder_row *history_slot(struct engine *e)
{
	struct ladder_row *r = &e->history[e->history_next];

	if (++e->history_next == e->history_cap)
		e->history_next = 0;
	e->history_total++;
	return r;
}

/* A free slot for a connection's first rows, + 1; 0 when none is. */
static uint32_t first_slot_take(struct engine *e)
{
	if (e->n_first_free == 0) {
		e->first_refused++;
		return 0;
	}
	return e->first_free[--e->n_first_free] + 1;
}

/*
 * Both ends closed (TIME_WAIT or CLOSED after the segment; a copy tells
 * no state): the connection is over but its flow lives on through
 * TIME_WAIT, 60 s, and at 10,000 connections/s those would hold every
 * slot while new connections got none.
 */
static bool conn_closed(const struct ladder_row *r)
{
	if (r->copy_of != 0)
		return false;
	for (int d = 0; d < 2; d++)
		if (r->state[d] != TCP_STATE_TIME_WAIT &&
		    r->state[d] != TCP_STATE_CLOSED)
			return false;
	return true;
}

/* The connection's first rows' slot back to the pool (the watch's copy). */
static void first_slot_give(struct engine *e, uint64_t uid,
			    struct engine_flow_own *own)
{
	struct engine_ladder_watch *w = &e->watch;
	const struct ladder_row *first =
		&e->first_rows[(size_t)(own->first_slot - 1) *
			       ENGINE_LADDER_FIRST_ROWS];

	if (w->uid != 0 && w->uid == uid) {
		w->n_first = own->ladder_rows < ENGINE_LADDER_FIRST_ROWS
			     ? own->ladder_rows : ENGINE_LADDER_FIRST_ROWS;
		for (uint32_t i = 0; i < w->n_first; i++)
			w->first[i] = first[i];
	}
	e->first_free[e->n_first_free++] = own->first_slot - 1;
	own->first_slot = 0;
}

static void watch_keep(struct engine_ladder_watch *w,
		       const struct ladder_row *r)
{
	w->rows[w->next] = *r;
	if (++w->next == w->cap)
		w->next = 0;
	w->written++;
}

/*
 * The row just written into the ring: indexed by its uid, and copied
 * where the ring's wrap must not take it (own: its connection's).
 */
static void history_written(struct engine *e, const struct ladder_row *r,
			    struct engine_flow_own *own)
{
	e->history_uid[r - e->history] = r->uid;
	if (own->ladder_rows == 0)
		own->first_slot = first_slot_take(e);
	if (own->first_slot != 0 && own->ladder_rows < ENGINE_LADDER_FIRST_ROWS)
		e->first_rows[(size_t)(own->first_slot - 1) *
			      ENGINE_LADDER_FIRST_ROWS + own->ladder_rows] = *r;
	if (r->uid == e->watch.uid)
		watch_keep(&e->watch, r);
	own->ladder_rows++;
	if (own->first_slot != 0 && conn_closed(r))
		first_slot_give(e, r->uid, own);
}

/*
 * The connection ended: the watch keeps what the ladder still needs of
 * it, and its first rows' slot goes back to the pool.
 */
static void history_ended(struct engine *e, const struct flow *f,
			  struct engine_flow_own *own)
{
	struct engine_ladder_watch *w = &e->watch;
	uint64_t uid = flow_uid(f);

	if (w->uid != 0 && w->uid == uid) {
		w->ended = true;
		w->conn_rows = own->ladder_rows;
	}
	if (own->first_slot != 0)
		first_slot_give(e, uid, own);
}

void engine_watch_ladder(struct engine *e, uint64_t uid)
{
	struct engine_ladder_watch *w = &e->watch;
	bool full = e->history_total >= e->history_cap;
	size_t n = full ? e->history_cap : (size_t)e->history_total;
	size_t j = full ? e->history_next : 0;

	if (e->history == NULL || uid == w->uid)
		return;
	w->uid = uid;
	w->next = 0;
	w->written = 0;
	w->ended = false;
	w->conn_rows = 0;
	w->n_first = 0;
	if (uid == 0)
		return;
	/* Its rows the ring holds now: the ring's wrap must not take them. */
	for (size_t i = 0; i < n; i++, j = j + 1 == e->history_cap ? 0 : j + 1)
		if (e->history_uid[j] == uid)
			watch_keep(w, &e->history[j]);
}

/* RFC 6298's SRTT, in µs as the tracker's samples (saturating). */
static uint32_t smoothed(uint32_t srtt_us, int64_t sample_ns)
{
	int64_t us = sample_ns / 1000;

	if (us > UINT32_MAX)
		us = UINT32_MAX;
	if (us < 1)
		us = 1;         /* 0 means no sample */
	if (srtt_us == 0)
		return (uint32_t)us;
	return (uint32_t)(srtt_us + (us - (int64_t)srtt_us) / 8);
}

static void keep_own(struct engine *e, const struct packet *pkt,
		     const struct flow *f, const struct tcp_seg_info *info,
		     struct engine_flow_own *own)
{
	/* An ACK's sample times the data its peer sent. */
	if (info->ack_rtt_ns > 0 && (e->parts & ENGINE_FLOW_RTT))
		own->srtt_us[!info->dir] = smoothed(own->srtt_us[!info->dir],
						    info->ack_rtt_ns);
	if (e->history != NULL) {
		struct ladder_row *r = history_slot(e);

		ladder_row_of_segment(r, pkt, f, info);
		history_written(e, r, own);
	}
}

static void on_flow_start(void *ctx, const struct flow *f,
			  struct flow_sink_area area)
{
	struct engine *e = ctx;

	if (flow_is_tcp(f))
		e->rates.new_conns++;
	if (e->det != NULL)
		detectors_on_flow_start(e->det, f, area);
	for (size_t i = 0; i < e->n_consumers; i++)
		if (e->consumers[i].on_flow_start != NULL)
			e->consumers[i].on_flow_start(
				e->consumers[i].ctx, f,
				consumer_storage(e, i, area));
}

static void on_tcp_segment(void *ctx, const struct packet *pkt,
			   const struct flow *f,
			   const struct tcp_seg_info *info,
			   struct flow_sink_area area)
{
	struct engine *e = ctx;

	count_rates(&e->rates, pkt, info);
	if (e->parts & (ENGINE_FLOW_RTT | ENGINE_HISTORY))
		keep_own(e, pkt, f, info, own_storage(e, area));
	if (e->det != NULL)
		detectors_on_tcp_segment(e->det, pkt, f, info, area);
	if (e->hosts != NULL && host_states_on_segment(e->hosts, pkt, f, info) &&
	    e->counts != NULL)
		host_counts_add_listener(e->counts, f->key.family,
					 flow_addr(f, FLOW_RESP), f->key.tunnel);
	if (e->counts != NULL)
		host_counts_on_segment(e->counts, f,
				       (char *)area.storage + e->counts_at,
				       analyzer_now(e->a));
	if (e->quality != NULL)
		capture_quality_on_segment(e->quality, info);
	for (size_t i = 0; i < e->n_consumers; i++)
		if (e->consumers[i].on_tcp_segment != NULL)
			e->consumers[i].on_tcp_segment(
				e->consumers[i].ctx, pkt, f, info,
				consumer_storage(e, i, area));
}

static void on_datagram(void *ctx, const struct packet *pkt,
			const struct flow *f, int dir,
			struct flow_sink_area area)
{
	struct engine *e = ctx;

	if (e->det != NULL)
		detectors_on_datagram(e->det, pkt, f, dir);
	for (size_t i = 0; i < e->n_consumers; i++)
		if (e->consumers[i].on_datagram != NULL)
			e->consumers[i].on_datagram(
				e->consumers[i].ctx, pkt, f, dir,
				consumer_storage(e, i, area));
}

static void on_copy(void *ctx, const struct packet *pkt, const struct flow *f,
		    int dir, uint64_t copy_of, struct flow_sink_area area)
{
	struct engine *e = ctx;

	if (e->history != NULL && flow_is_tcp(f)) {
		struct ladder_row *r = history_slot(e);

		ladder_row_of_copy(r, pkt, f, dir, copy_of);
		history_written(e, r, own_storage(e, area));
	}
	for (size_t i = 0; i < e->n_consumers; i++)
		if (e->consumers[i].on_copy != NULL)
			e->consumers[i].on_copy(e->consumers[i].ctx, pkt, f,
						dir, copy_of,
						consumer_storage(e, i, area));
}

static void on_icmp_error(void *ctx, const struct packet *pkt,
			  const struct flow *quoted)
{
	struct engine *e = ctx;

	if (e->det != NULL)
		detectors_on_icmp_error(e->det, pkt, quoted);
	for (size_t i = 0; i < e->n_consumers; i++)
		if (e->consumers[i].on_icmp_error != NULL)
			e->consumers[i].on_icmp_error(e->consumers[i].ctx, pkt,
						      quoted);
}

static void on_reassembled(void *ctx, const struct packet *whole,
			   size_t fragments)
{
	struct engine *e = ctx;

	if (e->det != NULL)
		detectors_on_reassembled(e->det, whole, fragments);
}

static void on_time(void *ctx, int64_t now)
{
	struct engine *e = ctx;

	if (e->det != NULL)
		detectors_advance(e->det, now);
}

static void on_flow_end(void *ctx, const struct flow *f,
			struct flow_sink_area area)
{
	struct engine *e = ctx;

	if (e->history != NULL && flow_is_tcp(f)) {
		struct engine_ended_rows *x = &e->ended[e->ended_next];

		x->uid = flow_uid(f);
		x->rows = own_storage(e, area)->ladder_rows;
		e->ended_next = (e->ended_next + 1) % e->ended_cap;
		history_ended(e, f, own_storage(e, area));
	}
	/* The ranking reads the flow after the detectors: start the load. */
	if (e->rank != NULL)
		trouble_rank_prefetch(f);
	if (e->det != NULL)
		detectors_on_flow_end(e->det, f, area);
	if (e->rank != NULL)
		trouble_rank_on_flow_end(e->rank, f);
	if (e->quality != NULL)
		capture_quality_on_flow_end(e->quality, f);
	if (e->counts != NULL)
		host_counts_on_flow_end(e->counts, f,
					(char *)area.storage + e->counts_at);
	for (size_t i = 0; i < e->n_consumers; i++)
		if (e->consumers[i].on_flow_end != NULL)
			e->consumers[i].on_flow_end(
				e->consumers[i].ctx, f,
				consumer_storage(e, i, area));
}

static void on_finding(void *ctx, const struct finding *finding)
{
	struct engine *e = ctx;

	for (size_t i = 0; i < e->n_consumers; i++)
		if (e->consumers[i].on_finding != NULL)
			e->consumers[i].on_finding(e->consumers[i].ctx, finding);
}

/* ----------------------------------------------------------- the engine */

/*
 * The detectors' side state first (it wants the area's 64-byte
 * alignment), then the socket counts', the engine's own, then each
 * consumer's; the total, or 0 when none asked.
 */
static size_t lay_out_storage(struct engine *e)
{
	size_t at = e->det != NULL ? detectors_flow_storage(e->det) : 0;

	if (e->counts != NULL) {
		at = (at + CONSUMER_ALIGN - 1) / CONSUMER_ALIGN * CONSUMER_ALIGN;
		e->counts_at = at;
		at += host_counts_flow_storage();
	}
	if (e->own) {
		at = (at + CONSUMER_ALIGN - 1) / CONSUMER_ALIGN * CONSUMER_ALIGN;
		e->own_at = at;
		at += sizeof(struct engine_flow_own);
	}
	for (size_t i = 0; i < e->n_consumers; i++) {
		size_t want = e->consumers[i].flow_storage;

		at = (at + CONSUMER_ALIGN - 1) / CONSUMER_ALIGN * CONSUMER_ALIGN;
		e->consumer_at[i] = at;
		at += want;
	}
	return at;
}

/* ENGINE_HISTORY's stores beside the ring: the first rows, the watch. */
static bool make_ladder_keeps(struct engine *e, const struct engine_config *cfg)
{
	e->first_cap = cfg->history_conns ? cfg->history_conns
					  : ENGINE_HISTORY_CONNS;
	if (e->first_cap > UINT32_MAX - 1)
		return false;
	e->first_rows = calloc(e->first_cap * ENGINE_LADDER_FIRST_ROWS,
			       sizeof(*e->first_rows));
	e->first_free = calloc(e->first_cap, sizeof(*e->first_free));
	e->watch.cap = cfg->watch_rows ? cfg->watch_rows : ENGINE_WATCH_ROWS;
	e->watch.rows = calloc(e->watch.cap, sizeof(*e->watch.rows));
	if (e->first_rows == NULL || e->first_free == NULL ||
	    e->watch.rows == NULL)
		return false;
	/* Slot 0 on top, so the first connections fill the pool in order. */
	for (size_t i = 0; i < e->first_cap; i++)
		e->first_free[i] = (uint32_t)(e->first_cap - 1 - i);
	e->n_first_free = e->first_cap;
	return true;
}

static bool make_parts(struct engine *e, const struct engine_config *cfg)
{
	struct finding_sink fs = {.ctx = e, .on_finding = on_finding};

	if (cfg->parts & ENGINE_DETECTORS) {
		e->det = detectors_new(&cfg->detect, &cfg->analyzer, &fs);
		if (e->det == NULL)
			return false;
	}
	if (cfg->parts & ENGINE_SOCKETS) {
		e->hosts = host_states_new();
		if (e->hosts == NULL)
			return false;
	}
	if ((cfg->parts & ENGINE_SOCKET_COUNTS) && e->hosts != NULL) {
		e->counts = host_counts_new(&cfg->analyzer.tcp,
					    HOST_COUNTS_MAX_HOSTS);
		if (e->counts == NULL)
			return false;
	}
	if (cfg->parts & ENGINE_RANKING) {
		e->rank = trouble_rank_new(cfg->top_n);
		if (e->rank == NULL)
			return false;
	}
	if (cfg->parts & ENGINE_QUALITY) {
		e->quality = capture_quality_new();
		if (e->quality == NULL)
			return false;
	}
	if (cfg->parts & ENGINE_HISTORY) {
		e->history_cap = cfg->history_rows ? cfg->history_rows
						   : ENGINE_HISTORY_ROWS;
		e->history = calloc(e->history_cap, sizeof(*e->history));
		e->history_uid = calloc(e->history_cap,
					sizeof(*e->history_uid));
		e->ended_cap = ENGINE_HISTORY_ENDED(e->history_cap);
		e->ended = calloc(e->ended_cap, sizeof(*e->ended));
		if (e->history == NULL || e->history_uid == NULL ||
		    e->ended == NULL || !make_ladder_keeps(e, cfg))
			return false;
	}
	e->own = (cfg->parts &
		  (ENGINE_FLOW_RTT | ENGINE_HISTORY | ENGINE_FLOW_RATE)) != 0;
	return true;
}

/*
 * Parts that keep a flow's address between packets say when they no
 * longer do; consumers never keep one (engine.h).
 */
static bool on_may_park(void *ctx, const struct flow *f,
			struct flow_sink_area area)
{
	struct engine *e = ctx;

	if (e->det != NULL && !detectors_may_park(e->det, f, area))
		return false;
	return e->counts == NULL ||
	       host_counts_may_park((char *)area.storage + e->counts_at);
}

/*
 * The analyzer's hooks that some part or consumer listens to; the others
 * are left NULL, so the analyzer skips their calls (flows, which only
 * keeps each flow at its end, is told of no packet).
 */
static struct analyzer_sink engine_sink(struct engine *e)
{
	bool det = e->det != NULL, quality = e->quality != NULL;
	bool own = (e->parts & (ENGINE_FLOW_RTT | ENGINE_HISTORY)) != 0;
	bool segment = det || e->hosts != NULL || quality || own,
	     start = segment, datagram = det, icmp = det,
	     end = det || e->rank != NULL || quality || e->counts != NULL ||
		   e->history != NULL,
	     copy = e->history != NULL;
	struct analyzer_sink sink = {.ctx = e, .may_park = on_may_park};

	for (size_t i = 0; i < e->n_consumers; i++) {
		const struct engine_consumer *c = &e->consumers[i];

		start |= c->on_flow_start != NULL;
		segment |= c->on_tcp_segment != NULL;
		datagram |= c->on_datagram != NULL;
		icmp |= c->on_icmp_error != NULL;
		end |= c->on_flow_end != NULL;
		copy |= c->on_copy != NULL;
	}
	sink.on_copy = copy ? on_copy : NULL;
	sink.on_flow_start = start ? on_flow_start : NULL;
	sink.on_tcp_segment = segment ? on_tcp_segment : NULL;
	sink.on_datagram = datagram ? on_datagram : NULL;
	sink.on_icmp_error = icmp ? on_icmp_error : NULL;
	sink.on_reassembled = det ? on_reassembled : NULL;
	sink.on_time = det ? on_time : NULL;
	sink.on_flow_end = end ? on_flow_end : NULL;
	return sink;
}

struct engine *engine_new(const struct engine_config *cfg)
{
	struct engine *e;
	struct analyzer_sink sink;

	if (cfg->n_consumers > ENGINE_MAX_CONSUMERS)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->top_n = cfg->top_n;
	e->parts = cfg->parts;
	e->cfg_detect = cfg->detect;
	e->n_consumers = cfg->n_consumers;
	if (cfg->n_consumers > 0)
		memcpy(e->consumers, cfg->consumers,
		       cfg->n_consumers * sizeof(*cfg->consumers));
	if (make_parts(e, cfg)) {
		sink = engine_sink(e);
		sink.flow_storage = lay_out_storage(e);
		e->a = analyzer_new(&cfg->analyzer, &sink);
		if (e->a != NULL && e->det != NULL)
			detectors_set_tunnels(e->det, analyzer_tunnels(e->a));
	}
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
	host_counts_free(e->counts);
	trouble_rank_free(e->rank);
	trouble_rank_free(e->snap_rank);
	free(e->page_keys);
	capture_quality_free(e->quality);
	free(e->history);
	free(e->history_uid);
	free(e->ended);
	free(e->first_rows);
	free(e->first_free);
	free(e->watch.rows);
	if (e->policy != NULL)
		free(e->policy->findings);
	free(e->policy);
	if (e->snap_policy != NULL)
		free(e->snap_policy->findings);
	free(e->snap_policy);
	free(e);
}

void engine_feed(struct engine *e, const struct packet *pkt)
{
	const struct analyzer_stats *st = analyzer_get_stats(e->a);
	uint64_t refused = st->tunnels_untracked;
	uint64_t copy_of = analyzer_feed(e->a, pkt);

	if (e->quality == NULL)
		return;
	if (st->tunnels_untracked != refused)
		capture_quality_on_untracked_tunnel(e->quality, pkt, copy_of);
	else
		capture_quality_on_packet(e->quality, pkt, copy_of);
}

void engine_set_source_facts(struct engine *e,
			     const struct quality_source_facts *facts)
{
	if (e->quality != NULL)
		capture_quality_set_source(e->quality, facts);
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
	if (e->det != NULL)
		detectors_on_capture_end(e->det, analyzer_now(e->a));
	if (e->hosts != NULL)
		host_states_take_counts(e->hosts, e->a);
	analyzer_finish(e->a);
	if (e->det != NULL)
		detectors_finish(e->det, analyzer_get_stats(e->a),
				 analyzer_defrag_stats(e->a));
}

/* The findings as the capture's quality leaves them, into out. */
static bool apply_quality(struct engine *e, struct engine_results *out)
{
	struct finding *room;

	if (e->policy == NULL && (e->policy = calloc(1, sizeof(*e->policy))) == NULL)
		return false;
	room = realloc(e->policy->findings,
		       (out->n_findings + 1) * sizeof(*room));
	if (room == NULL)
		return false;
	e->policy->findings = room;
	quality_policy_apply(&e->cfg_detect, out->quality, out->stats,
			     out->findings, out->n_findings, e->policy);
	out->findings = e->policy->findings;
	out->n_findings = e->policy->n_findings;
	out->adjusted = e->policy->adjusted;
	out->n_adjusted = e->policy->n_adjusted;
	out->adjusted_more = e->policy->n_more;
	return true;
}

bool engine_results(struct engine *e, struct engine_results *out)
{
	memset(out, 0, sizeof(*out));
	out->stats = analyzer_get_stats(e->a);
	out->defrag = analyzer_defrag_stats(e->a);
	if (e->det != NULL) {
		out->findings = detectors_findings(e->det, &out->n_findings);
		out->suppressed = detectors_suppressed(e->det);
		out->not_tracked = detectors_not_tracked(e->det);
		out->folded = detectors_folded(e->det);
	}
	if (e->hosts != NULL) {
		out->hosts = host_states_rows(e->hosts, &out->n_hosts);
		out->hosts_left_out = host_states_summary(e->hosts);
	}
	if (e->rank != NULL)
		out->top = trouble_rank_rows(e->rank, &out->n_top);
	if (e->quality != NULL)
		out->quality = capture_quality_report(e->quality);
	if (e->quality != NULL && e->det != NULL && !apply_quality(e, out))
		return false;
	return !(e->det != NULL && detectors_out_of_memory(e->det)) &&
	       !(e->hosts != NULL && host_states_out_of_memory(e->hosts));
}

struct analyzer *engine_analyzer(struct engine *e)
{
	return e->a;
}

bool engine_merge_findings(struct engine *into, const struct engine *from)
{
	if (into->det == NULL || from->det == NULL)
		return true;
	return detectors_merge(into->det, from->det);
}
