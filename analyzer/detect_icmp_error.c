/*
 * icmp_error: ICMP and ICMPv6 errors about datagrams, grouped by the
 * quoted datagram's destination (host:port when ports were quoted) and
 * the message (type and code in port2): count = errors.
 */
#include "detect_internal.h"

#include <stdio.h>
#include <string.h>

#include "icmp_message.h"

/* Thresholds of icmp_error, in its cfg->unit[] block. */
struct icmp_error_settings {
	uint32_t min_count;
};

DET_SETTINGS_ACCESSORS(struct icmp_error_settings, FINDING_ICMP_ERROR,
		       icmp_error_settings_of);

/* Their rows in the configuration file (settings.h). */
static const struct setting icmp_error_rows[] = {
	DET_SWITCHES("icmp_error", FINDING_ICMP_ERROR),
	{.section = "icmp_error", .key = "min_count",
	 .type = SETTING_COUNT, .min = 1, .max = 1e9, .def = 1,
	 .offset = DET_SETTING_AT(FINDING_ICMP_ERROR,
				  struct icmp_error_settings, min_count),
	 .doc = "ICMP errors of one kind about one host:port"},
};

/* icmp_error's group state. */
struct icmp_error_state {
	uint64_t flows;         /* the known flows the errors hit */
	/*
	 * The smallest next-hop MTU a "fragmentation needed" or "packet
	 * too big" gave (0: none).
	 */
	uint64_t min_mtu;
};

DET_GROUP_STATE_ACCESSORS(struct icmp_error_state, icmp_error_of,
			  icmp_error_of_const);

/* ------------------------------------------------------------ hooks */

static bool icmp_is_frag_needed(const struct packet *pkt)
{
	return pkt->icmp.version == 4 ? pkt->icmp.type == 3 && pkt->icmp.code == 4
				      : pkt->icmp.type == 2;
}

static void icmp_on_error(struct detectors *d, const struct packet *pkt,
			  const struct flow *quoted)
{
	const struct icmp_quoted *q = &pkt->icmp.quoted;
	const struct icmp_error_settings *c = icmp_error_settings_of(&d->cfg);
	struct subject_key k;
	struct det_group *g;
	struct icmp_error_state *s;
	int64_t now = pkt->has_ts ? pkt_time_ns(pkt->ts) : d->now;

	if (!det_enabled(d, FINDING_ICMP_ERROR) || !pkt->icmp.has_quoted)
		return;
	if (now > d->now)
		d->now = now;
	memset(&k, 0, sizeof(k));
	k.id = FINDING_ICMP_ERROR;
	k.aux = pkt->icmp.version;
	k.family = q->dst.family;
	memcpy(k.addr, q->dst.bytes, 16);
	k.has_port = q->has_ports;
	k.port = q->has_ports ? q->dport : 0;
	k.port2 = (uint16_t)(pkt->icmp.type << 8 | pkt->icmp.code);
	/* Known only through the flow it quotes. */
	k.tunnel = quoted != NULL ? quoted->key.tunnel : 0;
	g = group_get(d, &k, d->now);
	if (g == NULL)
		return;
	s = icmp_error_of(g);
	g->count++;
	if (quoted != NULL) {
		uint64_t before = g->flow_count;

		group_add_flow(g, quoted);
		if (g->flow_count != before)
			s->flows++;
	}
	if (icmp_is_frag_needed(pkt) && pkt->icmp.mtu != 0 &&
	    (s->min_mtu == 0 || pkt->icmp.mtu < s->min_mtu))
		s->min_mtu = pkt->icmp.mtu;
	g->threshold = c->min_count;
	group_touch(g, d->now);
	group_add_frame(g, pkt->frame_no);
	if (g->count >= c->min_count)
		group_fire(d, g);
}

/* ------------------------------------------------------------ describe */


static void icmp_describe(const struct det_group *g, struct finding *out,
			  const struct detect_config *cfg)
{
	const struct icmp_error_state *s = icmp_error_of_const(g);
	uint8_t type = (uint8_t)(g->key.port2 >> 8), code = (uint8_t)g->key.port2;
	const char *msg = icmp_message_name(g->key.aux, type, code);

	(void)cfg;
	out->unit = "ICMP errors";
	finding_add_text(out, "message", msg);
	finding_add_number(out, "type", type);
	finding_add_number(out, "code", code);
	finding_add_number(out, "flows", (double)s->flows);
	if (s->min_mtu)
		finding_add_number(out, "mtu", (double)s->min_mtu);
	snprintf(out->summary, sizeof(out->summary),
		 "%.0f %s %s (%s type %u code %u) about datagrams to %s, hitting "
		 "%llu known flow%s%s%.0llu",
		 out->value, g->key.aux == 6 ? "ICMPv6" : "ICMP",
		 out->value == 1 ? "error" : "errors", msg, type, code,
		 out->subject, (unsigned long long)s->flows,
		 s->flows == 1 ? "" : "s", s->min_mtu ? "; next-hop MTU " : "",
		 (unsigned long long)s->min_mtu);
}

/* ------------------------------------------------------------ merge */

static const struct det_reducer icmp_error_reducers[] = {
	DET_REDUCE(struct icmp_error_state, flows, DET_SUM),
	DET_REDUCE(struct icmp_error_state, min_mtu, DET_MIN_SET),
};

static enum det_verdict icmp_verdict(struct detectors *d,
				     const struct det_group *g)
{
	const struct icmp_error_settings *c = icmp_error_settings_of(&d->cfg);

	return g->count >= c->min_count ? DET_FIRES : DET_QUIET;
}

const struct detector_ops det_icmp_error_ops = {
	.name = "icmp_error",
	.ids = {FINDING_ICMP_ERROR},
	.n_ids = 1,
	.settings = icmp_error_rows,
	.n_settings = DET_ROWS(icmp_error_rows),
	.on_icmp_error = icmp_on_error,
	.describe = icmp_describe,
	DET_REDUCERS(icmp_error_reducers),
	.verdict = icmp_verdict,	.reclaimable = det_reclaimable_count,
};
