/*
 * syn_unanswered groups by destination host:port: count = connections
 * whose SYN was sent again min_retries times with no TCP answer;
 * times = one connection's SYNs.  Live, an attempt counts as soon as it
 * has retried so often, and is withdrawn if an answer comes.  An answer
 * is anything from the server, or the client's ACK (the SYN-ACK reached
 * it though the capture missed it).  ICMP errors about the attempt are
 * no TCP answer but say why: they are counted and named.
 */
#include "detect_internal.h"

#include <stdio.h>
#include <string.h>

#include "icmp_message.h"

/* Thresholds of syn_unanswered, in its cfg->unit[] block. */
struct syn_unanswered_settings {
	uint32_t min_retries;
};

DET_SETTINGS_ACCESSORS(struct syn_unanswered_settings, FINDING_SYN_UNANSWERED,
		       syn_unanswered_settings_of);

/* Their rows in the configuration file (settings.h). */
static const struct setting syn_unanswered_rows[] = {
	DET_SWITCHES("syn_unanswered", FINDING_SYN_UNANSWERED),
	{.section = "syn_unanswered", .key = "min_retries",
	 .type = SETTING_COUNT, .min = 1, .max = 100, .def = 2,
	 .offset = DET_SETTING_AT(FINDING_SYN_UNANSWERED,
				  struct syn_unanswered_settings, min_retries),
	 .doc = "SYN retransmissions without any answer before a connection "
		"counts"},
};

/* syn_unanswered's group state. */
struct syn_unanswered_state {
	uint64_t syn_retransmissions;   /* in all its connections */
	/*
	 * Attempts retried min_retries times with no answer, still live
	 * (DF_SYN_WAITING), and their retries so far: counted when they
	 * end, or dropped if an answer comes.
	 */
	uint64_t waiting_now;
	uint64_t waiting_retries;
	/* Of the counted, those still retrying when the capture ended. */
	uint64_t retrying_at_end;
	/* Of the counted, those ICMP errors answered, and the last error. */
	uint64_t icmp_answered;
	uint8_t icmp_version, icmp_type, icmp_code;
};

DET_GROUP_STATE_ACCESSORS(struct syn_unanswered_state, syn_unanswered_of,
			  syn_unanswered_of_const);

/* ------------------------------------------------------------ counting */

/* Something answered the attempt: the server, or the client's ACK. */
static bool answered(const struct flow *f)
{
	return f->dir[FLOW_RESP].pkts > 0 || tcp_conn_sent_ack(f, FLOW_ORIG);
}

static struct det_group *unanswered_group(struct detectors *d,
					  const struct flow *f, bool make)
{
	struct subject_key k;

	subject_endpoint(&k, FINDING_SYN_UNANSWERED, f, FLOW_RESP);
	return make ? group_get(d, &k, d->now) : group_find(d, &k);
}

/* Keeps one connection's SYN times for the evidence. */
DET_COLD
static void unanswered_waiting(struct detectors *d, const struct flow *f,
			       struct det_flow *df, struct det_group *g);

DET_COLD
static void unanswered_retry(struct detectors *d, const struct packet *pkt,
			     const struct flow *f,
			     const struct tcp_seg_info *info,
			     struct det_flow *df)
{
	struct det_group *g = unanswered_group(d, f, true);
	uint64_t uid;

	if (g == NULL)
		return;
	uid = flow_uid(f);
	if (g->n_times == 0) {
		g->times_uid = uid;
		g->times[g->n_times++] = f->first_ts;
	}
	if (g->times_uid == uid && g->n_times < 8) {
		g->times[g->n_times++] = d->now;
		group_add_packet(g, pkt, f, info);
	}
	unanswered_waiting(d, f, df, g);
}

DET_COLD
/*
 * The attempt has been retried min_retries times and nothing came back:
 * it counts now, so a live capture need not wait for the flow's end.
 */
static void unanswered_waiting(struct detectors *d, const struct flow *f,
			       struct det_flow *df, struct det_group *g)
{
	struct syn_unanswered_state *s = syn_unanswered_of(g);

	if (df->flags & DF_SYN_WAITING) {
		s->waiting_retries++;
		return;
	}
	if (df->syn_retries <
		syn_unanswered_settings_of(&d->cfg)->min_retries ||
	    !tcp_conn_saw_syn(f, FLOW_ORIG) || tcp_conn_midstream(f))
		return;
	df->flags |= DF_SYN_WAITING;
	s->waiting_now++;
	s->waiting_retries += df->syn_retries;
	g->threshold = 1;
	/* So a port scan already known takes it in (group_scanner()). */
	group_note_party(g, flow_addr(f, FLOW_ORIG));
	group_fire_live(d, g);
}

/* A waiting attempt was answered, or ended: it no longer counts live. */
DET_COLD
static void unanswered_settled(struct detectors *d, const struct flow *f,
			       struct det_flow *df)
{
	struct det_group *g = unanswered_group(d, f, false);
	struct syn_unanswered_state *s;

	df->flags &= (uint16_t)~DF_SYN_WAITING;
	if (g == NULL)
		return;
	s = syn_unanswered_of(g);
	s->waiting_now--;
	s->waiting_retries -= df->syn_retries;
}

static void unanswered_flow_end(struct detectors *d, const struct flow *f,
				struct det_flow *df)
{
	const struct syn_unanswered_settings *c =
		syn_unanswered_settings_of(&d->cfg);
	bool unanswered = !answered(f) &&
			  tcp_conn_saw_syn(f, FLOW_ORIG) &&
			  !tcp_conn_midstream(f) &&
			  df->syn_retries >= c->min_retries;
	struct det_group *g;

	if (df->flags & DF_SYN_WAITING)
		unanswered_settled(d, f, df);
	if (df->syn_retries == 0)
		return;
	g = unanswered_group(d, f, unanswered);
	if (g == NULL)
		return;
	if (!unanswered) {
		/* Answered after all: its retry times are no evidence. */
		if (g->times_uid == flow_uid(f)) {
			g->n_times = 0;
			g->n_packets = 0;
			g->n_frames = 0;
		}
		return;
	}
	g->count++;
	syn_unanswered_of(g)->syn_retransmissions += df->syn_retries;
	if (det_retrying_at_end(d, f))
		syn_unanswered_of(g)->retrying_at_end++;
	if (f->icmp_errors > 0) {
		struct syn_unanswered_state *s = syn_unanswered_of(g);

		s->icmp_answered++;
		s->icmp_version = f->key.family;
		s->icmp_type = f->last_icmp_type;
		s->icmp_code = f->last_icmp_code;
	}
	g->threshold = 1;
	group_note_party(g, flow_addr(f, FLOW_ORIG));
	group_touch(g, f->first_ts);
	group_touch(g, f->last_ts);
	group_add_flow(g, f);
	group_fire(d, g);
}

/* ------------------------------------------------------------ hooks */

static void unanswered_on_segment(struct detectors *d,
				  const struct packet *pkt,
				  const struct flow *f,
				  const struct tcp_seg_info *info,
				  struct det_flow *df)
{
	if ((df->flags & DF_SYN_WAITING) && answered(f))
		unanswered_settled(d, f, df);
	if ((d->attempt & ATTEMPT_SYN_RETRY) && !answered(f) &&
	    det_enabled(d, FINDING_SYN_UNANSWERED))
		unanswered_retry(d, pkt, f, info, df);
}

static void unanswered_on_flow_end(struct detectors *d, const struct flow *f,
				   struct det_flow *df)
{
	if (df != NULL && det_enabled(d, FINDING_SYN_UNANSWERED))
		unanswered_flow_end(d, f, df);
}

/* ------------------------------------------------------------ describe */

static void unanswered_describe(const struct det_group *g,
				struct finding *out,
				const struct detect_config *cfg)
{
	const struct syn_unanswered_state *s = syn_unanswered_of_const(g);
	uint64_t retries = s->syn_retransmissions + s->waiting_retries;
	char times[120] = "";
	size_t used = 0;

	(void)cfg;
	for (int i = 1; i < g->n_times && used < sizeof(times); i++)
		used += (size_t)snprintf(times + used, sizeof(times) - used,
					 "%s+%.1f", i > 1 ? ", " : "",
					 (double)(g->times[i] - g->times[0]) / NS_PER_SEC);
	out->unit = "connections";
	out->value = (double)(g->count + s->waiting_now);
	out->holding = s->waiting_now > 0 || s->retrying_at_end > 0;
	finding_add_number(out, "syn_retransmissions", (double)retries);
	if (g->n_times > 1)
		finding_add_text(out, "retry_times", times);
	snprintf(out->summary, sizeof(out->summary),
		 "%.0f connection attempt%s to %s got no %sanswer%s; the SYN "
		 "was sent %llu more time%s%s%s%s",
		 out->value, out->value == 1 ? "" : "s", out->subject,
		 s->icmp_answered > 0 ? "TCP " : "",
		 s->icmp_answered > 0 ? "" : " at all",
		 (unsigned long long)retries, retries == 1 ? "" : "s",
		 g->n_times > 1 ? " (one connection's retries at " : "",
		 g->n_times > 1 ? times : "", g->n_times > 1 ? " s)" : "");
	if (s->icmp_answered > 0) {
		const char *msg = icmp_message_name(s->icmp_version,
						    s->icmp_type, s->icmp_code);
		size_t len = strlen(out->summary);

		finding_add_number(out, "icmp_answered",
				   (double)s->icmp_answered);
		finding_add_text(out, "icmp_message", msg);
		snprintf(out->summary + len, sizeof(out->summary) - len,
			 "; %llu drew ICMP errors instead (%s): the path "
			 "says why", (unsigned long long)s->icmp_answered, msg);
	}
	if (s->waiting_now > 0) {
		size_t len = strlen(out->summary);

		snprintf(out->summary + len, sizeof(out->summary) - len,
			 "; %llu still retrying",
			 (unsigned long long)s->waiting_now);
	}
}

/* Attempts still retrying, or ones that failed lately. */
static bool unanswered_ongoing(const struct det_group *g, int64_t now,
			       const struct detect_config *cfg)
{
	(void)cfg;
	return syn_unanswered_of_const(g)->waiting_now > 0 ||
	       !det_quiet_since(g, now, DET_QUIET_NS);
}

static bool unanswered_live_pending(const struct det_group *g)
{
	return syn_unanswered_of_const(g)->waiting_now > 0;
}

/* ------------------------------------------------------------ merge */

/* The ICMP error named: either side's, into's first. */
static void unanswered_merge(struct detectors *d, struct det_group *into,
			     const struct det_group *from)
{
	struct syn_unanswered_state *s = syn_unanswered_of(into);
	const struct syn_unanswered_state *o = syn_unanswered_of_const(from);

	(void)d;
	if (s->icmp_version == 0) {
		s->icmp_version = o->icmp_version;
		s->icmp_type = o->icmp_type;
		s->icmp_code = o->icmp_code;
	}
}

static const struct det_reducer unanswered_reducers[] = {
	DET_REDUCE(struct syn_unanswered_state, syn_retransmissions, DET_SUM),
	DET_REDUCE(struct syn_unanswered_state, waiting_now, DET_SUM),
	DET_REDUCE(struct syn_unanswered_state, waiting_retries, DET_SUM),
	DET_REDUCE(struct syn_unanswered_state, retrying_at_end, DET_SUM),
	DET_REDUCE(struct syn_unanswered_state, icmp_answered, DET_SUM),
};

/* Each attempt never answered is a finding's worth; one retrying, live. */
static enum det_verdict unanswered_verdict(struct detectors *d,
					   const struct det_group *g)
{
	(void)d;
	if (g->count > 0)
		return DET_FIRES;
	return syn_unanswered_of_const(g)->waiting_now > 0 ? DET_FIRES_LIVE
							   : DET_QUIET;
}

const struct detector_ops det_syn_unanswered_ops = {
	.name = "syn_unanswered",
	.ids = {FINDING_SYN_UNANSWERED},
	.n_ids = 1,
	.settings = syn_unanswered_rows,
	.n_settings = DET_ROWS(syn_unanswered_rows),
	.tcp = true,
	.segments = SEG_SYN_RETRY,
	.on_segment = unanswered_on_segment,
	.on_flow_end = unanswered_on_flow_end,
	.end_needs_side = true,
	.describe = unanswered_describe,
	.ongoing = unanswered_ongoing,
	.live_pending = unanswered_live_pending,
	DET_REDUCERS(unanswered_reducers),
	.merge = unanswered_merge,
	.verdict = unanswered_verdict,
};
