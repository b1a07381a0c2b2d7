/*
 * checksum_errors groups by source host: count = bad checksums; a
 * capture-wide group (aux 1, has_port SUBJECT_CAPTURE) counts the
 * sources, since one host alone is most likely its own checksum offload.
 *
 * A frame damaged on the wire fails its FCS and is dropped by the
 * receiving NIC before any capture sees it, so a bad checksum in a
 * capture is most often the capture's: offload, or a trace edited after
 * it was taken.  Each host's bad sums are sorted by the mark that tells:
 * zeroed fields (an editor or anonymiser cleared them), and transport
 * sums that differ from the pseudo-header sum by one constant, frame
 * after frame (offload whose addresses were rewritten afterwards: the
 * constant is the difference of the old and new addresses' sums).
 *
 * The receiver tells too: a TCP segment whose data it acknowledged
 * without the sender sending it again arrived intact (a receiver drops a
 * segment whose sum is wrong), so its bad sum is the capture's.  Each
 * connection that carried bad-sum data is judged once it ends.
 */
#include "detect_internal.h"

#include "checksum.h"
#include "decode.h"

#include <stdio.h>
#include <string.h>

/* Thresholds of checksum_errors, in its cfg->unit[] block. */
struct checksum_settings {
	bool verify;
	uint32_t min_count;
};

DET_SETTINGS_ACCESSORS(struct checksum_settings, FINDING_CHECKSUM_ERRORS,
		       checksum_settings_of);

/* Their rows in the configuration file (settings.h). */
static const struct setting checksum_rows[] = {
	DET_SWITCHES("checksum_errors", FINDING_CHECKSUM_ERRORS),
	{.section = "checksum_errors", .key = "verify",
	 .type = SETTING_BOOL, .min = 0, .max = 1, .def = 0,
	 .offset = DET_SETTING_AT(FINDING_CHECKSUM_ERRORS,
				  struct checksum_settings, verify),
	 .doc = "report bad checksums from a single host too (otherwise only "
		"once two hosts or more have them: one alone is most likely "
		"its own checksum offload)"},
	{.section = "checksum_errors", .key = "min_count",
	 .type = SETTING_COUNT, .min = 1, .max = 1e9, .def = 1,
	 .offset = DET_SETTING_AT(FINDING_CHECKSUM_ERRORS,
				  struct checksum_settings, min_count),
	 .doc = "bad checksums from one host"},
};

/* A host's bad checksums, by what explains them. */
struct checksum_host_state {
	uint64_t zeroed;        /* a bad field that reads 0x0000 */
	uint64_t transport;     /* bad TCP or UDP sums, not zeroed */
	/*
	 * The first bad transport sum's distance from the pseudo-header
	 * sum, both ways (a stack stores the sum or its complement), and
	 * how many bad sums since kept the same distance.
	 */
	uint64_t same_minus, same_plus;
	uint16_t minus, plus;
	/*
	 * Connections whose bad-sum data the receiver acknowledged without
	 * a resend, and those where it was sent again or not all
	 * acknowledged by the end.
	 */
	uint32_t conns_acked, conns_unconfirmed;
};

DET_GROUP_STATE_ACCESSORS(struct checksum_host_state, checksum_host_of,
			  checksum_host_of_const);

/* checksum_errors' capture-wide state (aux 1). */
struct checksum_total_state {
	uint64_t sources;       /* hosts with bad checksums */
	uint32_t first_host;    /* the first one's group number + 1 */
};

DET_GROUP_STATE_ACCESSORS(struct checksum_total_state, checksum_total_of,
			  checksum_total_of_const);

/* ------------------------------------------------------------ hooks */

/* a - b and a + b in one's-complement arithmetic, folded. */
static uint16_t ones_add(uint16_t a, uint16_t b)
{
	uint32_t x = (uint32_t)a + b;

	return (uint16_t)((x & 0xffffu) + (x >> 16));
}

/* The bad transport sum's field, its upper-layer length and protocol. */
static bool bad_transport(const struct packet *pkt, uint16_t *field,
			  uint32_t *len, uint8_t *proto)
{
	if (pkt->tcp.cksum == CKSUM_BAD) {
		*field = pkt->tcp.checksum;
		*len = pkt->ip.payload_len;
		*proto = IPPROTO_NUM_TCP;
		return true;
	}
	if (pkt->udp.cksum == CKSUM_BAD) {
		*field = pkt->udp.checksum;
		*len = pkt->udp.length;
		*proto = IPPROTO_NUM_UDP;
		return true;
	}
	return false;
}

/* Sorts one bad packet of the host's into what explains it. */
static void classify(struct checksum_host_state *h, const struct packet *pkt)
{
	uint16_t field, partial, minus, plus;
	uint32_t len;
	uint8_t proto;

	if ((pkt->ipv4.cksum == CKSUM_BAD && pkt->ipv4.checksum == 0) ||
	    (pkt->tcp.cksum == CKSUM_BAD && pkt->tcp.checksum == 0) ||
	    (pkt->udp.cksum == CKSUM_BAD && pkt->udp.checksum == 0)) {
		h->zeroed++;
		return;
	}
	if (!bad_transport(pkt, &field, &len, &proto))
		return;
	partial = checksum_fold(checksum_pseudo_header(&pkt->ip, proto, len));
	minus = ones_add(field, (uint16_t)~partial);
	plus = ones_add(field, partial);
	if (h->transport++ == 0) {
		h->minus = minus;
		h->plus = plus;
	}
	h->same_minus += minus == h->minus;
	h->same_plus += plus == h->plus;
}

/* Every bad sum of the host's kept one distance: offload, rewritten. */
static bool offload_rewritten(const struct checksum_host_state *h)
{
	return h->transport >= 2 &&
	       (h->same_minus == h->transport || h->same_plus == h->transport);
}

DET_COLD
static void bad_checksum(struct detectors *d, const struct packet *pkt,
			 const struct flow *f)
{
	const struct checksum_settings *c = checksum_settings_of(&d->cfg);
	struct subject_key k, all;
	struct det_group *g, *total;
	struct checksum_total_state *s;

	memset(&k, 0, sizeof(k));
	k.id = FINDING_CHECKSUM_ERRORS;
	k.family = pkt->ip.version;
	k.tunnel = f->key.tunnel;
	memcpy(k.addr, pkt->ip.src.bytes, 16);
	g = group_get(d, &k, d->now);
	memset(&all, 0, sizeof(all));
	all.id = FINDING_CHECKSUM_ERRORS;
	all.has_port = SUBJECT_CAPTURE;
	all.aux = 1;
	total = group_get(d, &all, d->now);
	if (g == NULL || total == NULL)
		return;
	s = checksum_total_of(total);
	classify(checksum_host_of(g), pkt);
	if (g->count++ == 0 && s->sources++ == 0)
		s->first_host = g->number + 1;  /* for later */
	g->threshold = c->min_count;
	group_touch(g, d->now);
	group_add_frame(g, pkt->frame_no);
	/*
	 * One host's bad checksums alone are most likely its own offloaded
	 * packets seen before the NIC: only report them when asked to, or
	 * once a second host has them too (then the first one as well).
	 */
	if (!c->verify && s->sources < 2)
		return;
	if (g->count >= c->min_count)
		group_fire(d, g);
	if (s->first_host != 0) {
		struct det_group *first = group_by_number(d, s->first_host - 1);

		if (first->count >= c->min_count)
			group_fire(d, first);
	}
}

/*
 * A zeroed IPv4 header sum beside a TCP or UDP sum left to the NIC, and
 * nothing else bad: the sender offloads both (Windows does), as
 * capture_quality judges it too.
 */
static bool ipv4_sum_offloaded(const struct packet *pkt)
{
	return pkt->ipv4.cksum == CKSUM_BAD && pkt->ipv4.checksum == 0 &&
	       (pkt->tcp.cksum == CKSUM_BAD_OFFLOADED ||
		pkt->udp.cksum == CKSUM_BAD_OFFLOADED) &&
	       pkt->tcp.cksum != CKSUM_BAD && pkt->udp.cksum != CKSUM_BAD;
}

/*
 * A TCP segment with data and a bad sum: remember how many times its
 * sender had resent so far, to tell at the end whether it sent again.
 */
static void watch_segment(struct detectors *d, const struct flow *f)
{
	const struct tcp_seg_info *info = d->side_seg;
	struct det_flow_ext *e;

	if (d->side == NULL || info == NULL || info->seg_len == 0)
		return;
	e = det_ext_get(d, d->side, DM_SIDE_WORK);
	if (e != NULL)
		e->cksum_retx[info->dir] =
			tcp_conn_retrans_segs(f, info->dir) + 1;
}

/* Only a packet with a bad checksum comes here (PKT_CHECKSUM_BAD). */
static void checksums_on_packet(struct detectors *d, const struct packet *pkt,
				const struct flow *f)
{
	if (!det_enabled(d, FINDING_CHECKSUM_ERRORS) || ipv4_sum_offloaded(pkt))
		return;
	bad_checksum(d, pkt, f);
	watch_segment(d, f);
}

/* The receiver's verdict on dir's bad-sum data, in dir's host group. */
static void judge_connection(struct detectors *d, const struct flow *f,
			     int dir, uint32_t retx_then)
{
	struct subject_key k;
	struct det_group *g;
	struct checksum_host_state *h;

	memset(&k, 0, sizeof(k));
	k.id = FINDING_CHECKSUM_ERRORS;
	k.family = f->key.family;
	k.tunnel = f->key.tunnel;
	memcpy(k.addr, flow_addr(f, dir), 16);
	g = group_find(d, &k);
	if (g == NULL)
		return;
	h = checksum_host_of(g);
	if (tcp_conn_retrans_segs(f, dir) + 1 == retx_then &&
	    tcp_conn_all_acked_by(f, !dir))
		h->conns_acked++;
	else
		h->conns_unconfirmed++;
}

static void checksums_flow_end(struct detectors *d, const struct flow *f,
			       struct det_flow *df)
{
	struct det_flow_ext *e = det_ext_of(d, df);

	if (e == NULL)
		return;
	for (int dir = 0; dir < 2; dir++)
		if (e->cksum_retx[dir] != 0) {
			judge_connection(d, f, dir, e->cksum_retx[dir]);
			e->cksum_retx[dir] = 0;
		}
}

/* ------------------------------------------------------------ describe */

static void checksums_describe(const struct det_group *g, struct finding *out,
			       const struct detect_config *cfg)
{
	const struct checksum_host_state *h = checksum_host_of_const(g);
	const char *why;

	(void)cfg;
	out->unit = "bad checksums";
	finding_add_number(out, "zeroed", (double)h->zeroed);
	finding_add_number(out, "offload_rewritten",
			   offload_rewritten(h) ? (double)h->transport : 0);
	finding_add_number(out, "acked_connections", (double)h->conns_acked);
	finding_add_number(out, "unconfirmed_connections",
			   (double)h->conns_unconfirmed);
	if (h->zeroed == (uint64_t)g->count)
		why = "every one zeroed: the trace was edited or anonymised "
		      "after capture";
	else if (offload_rewritten(h) &&
		 h->zeroed + h->transport == (uint64_t)g->count)
		why = "each differs from the pseudo-header sum by one constant: "
		      "checksum offload in a trace whose addresses were "
		      "rewritten afterwards";
	else if (h->conns_unconfirmed > 0 && h->conns_acked == 0)
		why = "the sender sent that data again or it was never all "
		      "acknowledged, as when a receiver drops a bad segment: "
		      "check the receiver's nstat TcpInCsumErrors before "
		      "blaming the capture";
	else if (h->conns_acked > 0 && h->conns_unconfirmed == 0)
		why = "the receivers acknowledged their data without it being "
		      "sent again: it arrived intact, and the sums are the "
		      "capture's (offload, or a trace edited after capture)";
	else
		why = "most likely the capture's (offload on a virtual or "
		      "tunnel interface, or a trace edited after capture); a "
		      "receiver whose counters (nstat TcpInCsumErrors, "
		      "UdpInCsumErrors) stay at 0 never saw them";
	snprintf(out->summary, sizeof(out->summary),
		 "%.0f packet%s from %s had a wrong checksum (%llu zeroed); %s",
		 out->value, out->value == 1 ? "" : "s", out->subject,
		 (unsigned long long)h->zeroed, why);
}

/* ------------------------------------------------------------ merge */

/* The capture-wide group's key. */
static void checksum_total_key(struct subject_key *all)
{
	memset(all, 0, sizeof(*all));
	all->id = FINDING_CHECKSUM_ERRORS;
	all->has_port = SUBJECT_CAPTURE;
	all->aux = 1;
}

static enum det_verdict checksums_verdict(struct detectors *d,
					  const struct det_group *g)
{
	const struct checksum_settings *c = checksum_settings_of(&d->cfg);
	struct subject_key all;
	const struct det_group *total;
	uint64_t sources = 0;

	if (g->key.aux == 1 || g->count < c->min_count)
		return DET_QUIET;
	checksum_total_key(&all);
	total = group_find(d, &all);
	if (total != NULL)
		sources = checksum_total_of_const(total)->sources;
	return c->verify || sources >= 2 ? DET_FIRES : DET_QUIET;
}

/*
 * A host's sums seen by two engines: the distances stay one constant
 * only if both saw the same.
 */
static void host_merge(struct checksum_host_state *into,
		       const struct checksum_host_state *from)
{
	into->zeroed += from->zeroed;
	into->conns_acked += from->conns_acked;
	into->conns_unconfirmed += from->conns_unconfirmed;
	if (from->transport == 0)
		return;
	if (into->transport == 0) {
		into->minus = from->minus;
		into->plus = from->plus;
	}
	into->same_minus += from->minus == into->minus ? from->same_minus : 0;
	into->same_plus += from->plus == into->plus ? from->same_plus : 0;
	into->transport += from->transport;
}

/*
 * The capture-wide group counts hosts: a host both sides saw counts
 * once, so it is counted as a host's group is merged, not summed.
 */
static void checksums_merge(struct detectors *d, struct det_group *into,
			    const struct det_group *from)
{
	struct subject_key all;
	struct det_group *total, *first = NULL;
	struct checksum_total_state *s;

	if (into->key.aux == 1)
		return;
	host_merge(checksum_host_of(into), checksum_host_of_const(from));
	checksum_total_key(&all);
	/* New to into: its count is from's alone (counts sum first). */
	if (into->count == from->count && from->count > 0 &&
	    (total = group_get(d, &all, d->now)) != NULL) {
		s = checksum_total_of(total);
		if (s->sources++ == 0)
			s->first_host = into->number + 1;
		else if (s->sources == 2)
			first = group_by_number(d, s->first_host - 1);
	}
	/* A second host: the first one's are no offload artefact either. */
	if (first != NULL && first != into &&
	    checksums_verdict(d, first) == DET_FIRES)
		group_fire(d, first);
}

const struct detector_ops det_checksum_errors_ops = {
	.name = "checksum_errors",
	.ids = {FINDING_CHECKSUM_ERRORS},
	.n_ids = 1,
	.settings = checksum_rows,
	.n_settings = DET_ROWS(checksum_rows),
	.packets = PKT_CHECKSUM_BAD,
	.on_packet = checksums_on_packet,
	.on_flow_end = checksums_flow_end,
	.end_needs_side = true,
	.describe = checksums_describe,
	.merge = checksums_merge,
	.verdict = checksums_verdict,
};
