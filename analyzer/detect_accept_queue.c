/*
 * accept_queue_overflow groups by listener (host:port), made at its first
 * refusal: an attempt whose SYN it left unanswered and that was sent
 * again, one whose final ACK it did not take (its SYN-ACK sent again
 * after the client's ACK), or one it reset right after the handshake
 * (net.ipv4.tcp_abort_on_overflow=1).  count = attempts refused.  The
 * connections it completed are counted as they end: those completed
 * before the first refusal and never answered are what filled the queue,
 * and tell its size.  Silence alone is no overflow: a listener that
 * never completed a handshake (a dead host, a firewall) stays
 * syn_unanswered.
 */
#include "detect_internal.h"

#include <stdio.h>
#include <string.h>

/* Thresholds of accept_queue_overflow, in its cfg->unit[] block. */
struct accept_queue_settings {
	uint32_t min_refused;
};

DET_SETTINGS_ACCESSORS(struct accept_queue_settings,
		       FINDING_ACCEPT_QUEUE_OVERFLOW, accept_queue_settings_of);

/* Their rows in the configuration file (settings.h). */
static const struct setting accept_queue_rows[] = {
	DET_SWITCHES("accept_queue_overflow", FINDING_ACCEPT_QUEUE_OVERFLOW),
	{.section = "accept_queue_overflow", .key = "min_refused",
	 .type = SETTING_COUNT, .min = 1, .max = 1e9, .def = 3,
	 .offset = DET_SETTING_AT(FINDING_ACCEPT_QUEUE_OVERFLOW,
				  struct accept_queue_settings, min_refused),
	 .doc = "attempts a listener refused (SYN or final ACK dropped, or "
		"reset) while connections it had completed waited unanswered"},
};

/* How the listener refused an attempt. */
enum aq_refusal {
	AQ_SYN_DROPPED,         /* the SYN went unanswered and was sent again */
	AQ_ACK_DROPPED,         /* the SYN-ACK sent again after the client's ACK */
	AQ_RESET,               /* a RST answered the handshake's last step */
	AQ_REFUSALS
};

/* accept_queue_overflow's group state. */
struct accept_queue_state {
	uint64_t refused[AQ_REFUSALS];
	int64_t first_refusal;  /* when the listener first refused */
	/* Counted as the listener's completed connections end: */
	uint64_t completed;     /* completed before the first refusal */
	uint64_t queued;        /* of those, never answered */
	uint64_t waiting;       /* never answered, in all */
};

DET_GROUP_STATE_ACCESSORS(struct accept_queue_state, accept_queue_of,
			  accept_queue_of_const);

/* ------------------------------------------------------------ counting */

static struct det_group *aq_group(struct detectors *d, const struct flow *f,
				  bool make)
{
	struct subject_key k;

	subject_endpoint(&k, FINDING_ACCEPT_QUEUE_OVERFLOW, f, FLOW_RESP);
	return make ? group_get(d, &k, d->now) : group_find(d, &k);
}

/*
 * When the client's ACK completed the handshake on the wire (the
 * tracker's handshake time), else when the flow was last seen.
 */
static int64_t aq_handshake_done_at(const struct flow *f)
{
	return tcp_conn_saw_handshake_ack(f)
		? tcp_conn_handshake_ack_ts(f) : f->last_ts;
}

static uint64_t aq_refused_total(const struct accept_queue_state *s)
{
	return s->refused[AQ_SYN_DROPPED] + s->refused[AQ_ACK_DROPPED] +
	       s->refused[AQ_RESET];
}

/* Refusals enough, and connections that waited unanswered before them. */
static bool aq_fires(const struct accept_queue_settings *c,
		     const struct det_group *g)
{
	const struct accept_queue_state *s = accept_queue_of_const(g);

	return aq_refused_total(s) >= c->min_refused && s->queued > 0;
}

static void aq_judge(struct detectors *d, struct det_group *g)
{
	if (g->finding < 0 &&
	    aq_fires(accept_queue_settings_of(&d->cfg), g))
		group_fire(d, g);
}

DET_COLD
static void aq_refused(struct detectors *d, const struct packet *pkt,
		       const struct flow *f, const struct tcp_seg_info *info,
		       struct det_flow *df, enum aq_refusal why)
{
	struct det_group *g;
	struct accept_queue_state *s;
	/* A dropped SYN when it was sent, a refused ACK when it came. */
	int64_t at = why == AQ_SYN_DROPPED ? f->first_ts
					   : aq_handshake_done_at(f);

	if (df->flags & DF_AQ_REFUSED)
		return;
	g = aq_group(d, f, true);
	if (g == NULL)
		return;
	s = accept_queue_of(g);
	if (s->first_refusal == 0)
		d->aq_listeners++;
	/* Its end must see the flag: it is no completed connection. */
	df->flags |= DF_AQ_REFUSED;
	det_mark(d, DM_SIDE_WORK);
	s->refused[why]++;
	if (s->first_refusal == 0 || at < s->first_refusal)
		s->first_refusal = at;
	g->count++;
	g->threshold = accept_queue_settings_of(&d->cfg)->min_refused;
	group_touch(g, at);
	group_touch(g, d->now);
	group_add_flow(g, f);
	group_add_packet(g, pkt, f, info);
	aq_judge(d, g);
}

/*
 * The listener answered the connection: it sent data, a FIN or a RST,
 * so an application had accepted it.
 */
static bool aq_answered(const struct flow *f)
{
	int initiator;

	return tcp_conn_bytes(f, FLOW_RESP) > 0 ||
	       tcp_conn_saw_fin(f, FLOW_RESP) ||
	       (tcp_conn_close(f, &initiator) == TCP_CLOSE_RST &&
		initiator == FLOW_RESP);
}

/* A connection of a listener that refused some ended. */
DET_COLD
static void aq_completed(struct detectors *d, const struct flow *f)
{
	struct det_group *g = aq_group(d, f, false);
	struct accept_queue_state *s;
	bool answered;

	if (g == NULL)
		return;
	s = accept_queue_of(g);
	answered = aq_answered(f);
	if (!answered)
		s->waiting++;
	if (aq_handshake_done_at(f) < s->first_refusal) {
		s->completed++;
		if (!answered) {
			s->queued++;
			group_add_frame(g, f->first_frame);
		}
	}
	aq_judge(d, g);
}

/* ------------------------------------------------------------ hooks */

/*
 * The listener's own RST for a connection whose handshake the client
 * completed, the listener having sent nothing but its SYN-ACK: no ACK
 * flag (Linux answers so for a request it has no socket for) and the
 * sequence number right after its SYN.
 */
static bool aq_reset_after_handshake(const struct packet *pkt,
				     const struct flow *f,
				     const struct tcp_seg_info *info,
				     const struct det_flow *df)
{
	return info->dir == FLOW_RESP && (df->flags & DF_HANDSHAKE_DONE) &&
	       !(pkt->tcp.flags & TCP_FLAG_ACK) && info->rel_seq == 1 &&
	       tcp_conn_bytes(f, FLOW_RESP) == 0;
}

static void aq_on_segment(struct detectors *d, const struct packet *pkt,
			  const struct flow *f, const struct tcp_seg_info *info,
			  struct det_flow *df)
{
	if (!det_enabled(d, FINDING_ACCEPT_QUEUE_OVERFLOW) ||
	    tcp_conn_midstream(f))
		return;
	if ((d->attempt & ATTEMPT_SYN_RETRY) && f->dir[FLOW_RESP].pkts == 0)
		aq_refused(d, pkt, f, info, df, AQ_SYN_DROPPED);
	else if (d->attempt & ATTEMPT_SYNACK_AGAIN)
		aq_refused(d, pkt, f, info, df, AQ_ACK_DROPPED);
	else if ((pkt->tcp.flags & TCP_FLAG_RST) &&
		 aq_reset_after_handshake(pkt, f, info, df))
		aq_refused(d, pkt, f, info, df, AQ_RESET);
}

static void aq_on_flow_end(struct detectors *d, const struct flow *f,
			   struct det_flow *df)
{
	/* Most captures: no listener refused anything, nothing to ask. */
	if (d->aq_listeners == 0 || !det_marked(f, DM_OPENED) ||
	    (df != NULL && (df->flags & DF_AQ_REFUSED)) ||
	    !det_enabled(d, FINDING_ACCEPT_QUEUE_OVERFLOW))
		return;
	aq_completed(d, f);
}

/* ------------------------------------------------------------ folding */

/* Each of g's evidence flows is one into refused. */
static bool aq_flows_refused(const struct det_group *into,
			     const struct det_group *g)
{
	if (g->n_flows == 0 || g->flow_count > g->n_flows)
		return false;
	for (int i = 0; i < g->n_flows; i++) {
		bool found = false;

		for (int j = 0; j < into->n_flows && !found; j++)
			found = into->flows[j] == g->flows[i];
		if (!found)
			return false;
	}
	return true;
}

/*
 * syn_unanswered about the listener's dropped SYNs, and a retransmit_burst
 * whose every connection is one whose handshake it did not take (the
 * clients resending their request), tell the same story less well.
 */
const struct det_group *det_accept_queue_explains(struct detectors *d,
						  const struct det_group *g)
{
	struct subject_key k;
	const struct det_group *aq;

	if ((g->key.id != FINDING_SYN_UNANSWERED &&
	     g->key.id != FINDING_RETRANSMIT_BURST) || !g->key.has_port)
		return NULL;
	memset(&k, 0, sizeof(k));
	k.id = FINDING_ACCEPT_QUEUE_OVERFLOW;
	k.family = g->key.family;
	k.has_port = 1;
	k.port = g->key.port;
	k.tunnel = g->key.tunnel;
	memcpy(k.addr, g->key.addr, sizeof(k.addr));
	aq = group_find(d, &k);
	if (aq == NULL || aq->finding < 0)
		return NULL;
	if (g->key.id == FINDING_RETRANSMIT_BURST &&
	    !aq_flows_refused(aq, g))
		return NULL;
	return aq;
}

/* ------------------------------------------------------------ describe */

static void aq_describe(const struct det_group *g, struct finding *out,
			const struct detect_config *cfg)
{
	const struct accept_queue_state *s = accept_queue_of_const(g);
	uint64_t silent = s->refused[AQ_SYN_DROPPED] + s->refused[AQ_ACK_DROPPED];
	char backlog[64] = "";

	(void)cfg;
	out->unit = "attempts refused";
	finding_add_number(out, "completed", (double)s->completed);
	finding_add_number(out, "syns_dropped",
			   (double)s->refused[AQ_SYN_DROPPED]);
	finding_add_number(out, "acks_dropped",
			   (double)s->refused[AQ_ACK_DROPPED]);
	finding_add_number(out, "resets", (double)s->refused[AQ_RESET]);
	if (s->queued > 0) {
		finding_add_number(out, "inferred_backlog",
				   (double)(s->queued - 1));
		snprintf(backlog, sizeof(backlog), " (an inferred backlog of %llu)",
			 (unsigned long long)(s->queued - 1));
	}
	finding_add_number(out, "waiting_unread", (double)s->waiting);
	snprintf(out->summary, sizeof(out->summary),
		 "%s completed %llu handshake%s and left %llu unanswered%s, then "
		 "refused %.0f attempt%s: %llu by silence (%llu SYN%s dropped, "
		 "%llu final ACK%s dropped), %llu with a RST; %llu connection%s "
		 "waiting unread",
		 out->subject, (unsigned long long)s->completed,
		 s->completed == 1 ? "" : "s", (unsigned long long)s->queued,
		 backlog, out->value, out->value == 1 ? "" : "s",
		 (unsigned long long)silent,
		 (unsigned long long)s->refused[AQ_SYN_DROPPED],
		 s->refused[AQ_SYN_DROPPED] == 1 ? "" : "s",
		 (unsigned long long)s->refused[AQ_ACK_DROPPED],
		 s->refused[AQ_ACK_DROPPED] == 1 ? "" : "s",
		 (unsigned long long)s->refused[AQ_RESET],
		 (unsigned long long)s->waiting, s->waiting == 1 ? "" : "s");
}

/* ------------------------------------------------------------ merge */

static const struct det_reducer aq_reducers[] = {
	DET_REDUCE(struct accept_queue_state, refused, DET_SUM),
	DET_REDUCE(struct accept_queue_state, first_refusal, DET_MIN_SET),
	DET_REDUCE(struct accept_queue_state, completed, DET_SUM),
	DET_REDUCE(struct accept_queue_state, queued, DET_SUM),
	DET_REDUCE(struct accept_queue_state, waiting, DET_SUM),
};

static enum det_verdict aq_verdict(struct detectors *d,
				   const struct det_group *g)
{
	return aq_fires(accept_queue_settings_of(&d->cfg), g) ? DET_FIRES
							      : DET_QUIET;
}

const struct detector_ops det_accept_queue_ops = {
	.name = "accept_queue_overflow",
	.ids = {FINDING_ACCEPT_QUEUE_OVERFLOW},
	.n_ids = 1,
	.settings = accept_queue_rows,
	.n_settings = DET_ROWS(accept_queue_rows),
	.tcp = true,
	.segments = SEG_SYN_RETRY | SEG_RST,
	.on_segment = aq_on_segment,
	.on_flow_end = aq_on_flow_end,
	.describe = aq_describe,
	DET_REDUCERS(aq_reducers),
	.verdict = aq_verdict,
};
