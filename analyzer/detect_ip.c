/*
 * Detectors below TCP: icmp_error, fragmentation and checksum_errors.
 *
 * icmp_error groups by the quoted datagram's destination (host:port
 * when ports were quoted) and the message (type and code in port2):
 * count = errors; the sender of the first error in addr2.
 * fragmentation groups by the pair of hosts a reassembled datagram went
 * between (aux 0, the lower address first): count = datagrams; and one
 * capture-wide group (aux 1, has_port 2) for the anomalies the
 * reassembly counted: count = all of them.
 * checksum_errors groups by source host: count = bad checksums; a
 * capture-wide group (aux 1, has_port 2) counts the sources.
 * What else each one counts is in its group state below.
 */
#include "detect_internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define SUBJECT_CAPTURE 2       /* has_port value: the whole capture */

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

/* fragmentation's state for a pair of hosts (aux 0). */
struct fragment_pair_state {
	uint64_t fragments;
	uint64_t max_size;      /* the largest datagram reassembled */
	uint64_t to_first;      /* datagrams received by the key's addr */
	uint64_t to_second;     /* by its addr2 */
};

DET_GROUP_STATE_ACCESSORS(struct fragment_pair_state, fragment_pair_of,
			  fragment_pair_of_const);

/* fragmentation's capture-wide state (aux 1): the reassembly's anomalies. */
struct fragment_anomaly_state {
	uint64_t overlaps;
	uint64_t overlaps_conflicting;  /* with different bytes */
	uint64_t incomplete;    /* datagrams never completed */
	uint64_t tiny_first;    /* tiny first fragments */
	uint64_t malformed;     /* oversize or of inconsistent length */
};

DET_GROUP_STATE_ACCESSORS(struct fragment_anomaly_state, fragment_anomaly_of,
			  fragment_anomaly_of_const);

/* checksum_errors' capture-wide state (aux 1). */
struct checksum_total_state {
	uint64_t sources;       /* hosts with bad checksums */
	uint32_t first_host;    /* the first one's group number + 1 */
};

DET_GROUP_STATE_ACCESSORS(struct checksum_total_state, checksum_total_of,
			  checksum_total_of_const);

/* ------------------------------------------------------------ icmp_error */

static bool icmp_is_frag_needed(const struct packet *pkt)
{
	return pkt->icmp.version == 4 ? pkt->icmp.type == 3 && pkt->icmp.code == 4
				      : pkt->icmp.type == 2;
}

static void ip_on_icmp_error(struct detectors *d, const struct packet *pkt,
			     const struct flow *quoted)
{
	const struct icmp_quoted *q = &pkt->icmp.quoted;
	const struct detect_config *c = &d->cfg;
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
	g = group_get(d, &k, d->now);
	if (g == NULL)
		return;
	s = icmp_error_of(g);
	if (g->count == 0)
		memcpy(g->key.addr2, pkt->ip.src.bytes, 16);
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
	g->threshold = c->icmp_error.min_count;
	group_touch(g, d->now);
	group_add_frame(g, pkt->frame_no);
	if (g->count >= c->icmp_error.min_count)
		group_fire(d, g);
}

/* ------------------------------------------------------------ fragments */

static void ip_on_reassembled(struct detectors *d, const struct packet *whole,
			      size_t fragments)
{
	d->pending_whole = whole;
	d->pending_frags = fragments;
}

DET_COLD
static void fragmented(struct detectors *d, const struct packet *pkt,
		       const struct flow *f, size_t fragments)
{
	const struct detect_config *c = &d->cfg;
	const uint8_t *dst = pkt->ip.dst.bytes, *src = pkt->ip.src.bytes;
	bool dst_first = memcmp(dst, src, 16) < 0;
	struct subject_key k;
	struct det_group *g;
	struct fragment_pair_state *s;
	uint32_t size = pkt->ip.payload_len + (uint32_t)pkt->ip.header.len;

	memset(&k, 0, sizeof(k));
	k.id = FINDING_FRAGMENTATION;
	k.family = f->key.family;
	memcpy(k.addr, dst_first ? dst : src, 16);
	memcpy(k.addr2, dst_first ? src : dst, 16);
	g = group_get(d, &k, d->now);
	if (g == NULL)
		return;
	s = fragment_pair_of(g);
	g->count++;
	s->fragments += fragments;
	if (dst_first)
		s->to_first++;
	else
		s->to_second++;
	if (size > s->max_size)
		s->max_size = size;
	g->threshold = c->fragmentation.min_datagrams;
	group_touch(g, d->now);
	group_add_flow(g, f);
	group_add_frame(g, pkt->frame_no);
	if (g->count >= c->fragmentation.min_datagrams)
		group_fire(d, g);
}

/* ------------------------------------------------------------ checksums */

DET_COLD
static void bad_checksum(struct detectors *d, const struct packet *pkt)
{
	const struct detect_config *c = &d->cfg;
	struct subject_key k, all;
	struct det_group *g, *total;
	struct checksum_total_state *s;

	memset(&k, 0, sizeof(k));
	k.id = FINDING_CHECKSUM_ERRORS;
	k.family = pkt->ip.version;
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
	if (g->count++ == 0 && s->sources++ == 0)
		s->first_host = g->number + 1;  /* for later */
	g->threshold = c->checksum_errors.min_count;
	group_touch(g, d->now);
	group_add_frame(g, pkt->frame_no);
	/*
	 * One host's bad checksums alone are most likely its own offloaded
	 * packets seen before the NIC: only report them when asked to, or
	 * once a second host has them too (then the first one as well).
	 */
	if (!c->checksum_errors.verify && s->sources < 2)
		return;
	if (g->count >= c->checksum_errors.min_count)
		group_fire(d, g);
	if (s->first_host != 0) {
		struct det_group *first = group_by_number(d, s->first_host - 1);

		if (first->count >= c->checksum_errors.min_count)
			group_fire(d, first);
	}
}

static bool checksum_bad(const struct packet *pkt)
{
	return pkt->ipv4.cksum == CKSUM_BAD || pkt->tcp.cksum == CKSUM_BAD ||
	       pkt->udp.cksum == CKSUM_BAD || pkt->icmp.cksum == CKSUM_BAD;
}

/* ------------------------------------------------------------ hooks */

static void packet_seen(struct detectors *d, const struct packet *pkt,
			const struct flow *f)
{
	if (d->pending_frags != 0 && pkt == d->pending_whole && f != NULL) {
		if (det_enabled(d, FINDING_FRAGMENTATION))
			fragmented(d, pkt, f, d->pending_frags);
		d->pending_frags = 0;
	}
	if (!pkt->skip_checksums && checksum_bad(pkt) &&
	    det_enabled(d, FINDING_CHECKSUM_ERRORS))
		bad_checksum(d, pkt);
}

static void ip_on_packet(struct detectors *d, const struct packet *pkt,
			 const struct flow *f)
{
	packet_seen(d, pkt, f);
}

static void anomalies(struct detectors *d, const struct defrag_stats *st)
{
	struct subject_key k;
	struct det_group *g;
	struct fragment_anomaly_state *s;
	uint64_t overlaps = st->overlaps_identical + st->overlaps_conflicting;

	if (overlaps + st->incomplete + st->tiny_first + st->oversize +
		    st->inconsistent_length == 0)
		return;
	memset(&k, 0, sizeof(k));
	k.id = FINDING_FRAGMENTATION;
	k.aux = 1;
	k.has_port = SUBJECT_CAPTURE;
	g = group_get(d, &k, d->now);
	if (g == NULL)
		return;
	s = fragment_anomaly_of(g);
	s->overlaps = overlaps;
	s->overlaps_conflicting = st->overlaps_conflicting;
	s->incomplete = st->incomplete;
	s->tiny_first = st->tiny_first;
	s->malformed = st->oversize + st->inconsistent_length;
	g->count = overlaps + st->incomplete + st->tiny_first + s->malformed;
	g->threshold = 1;
	for (uint32_t i = 0; i < st->n_overlap_examples; i++)
		group_add_frame(g, st->overlap_examples[i].frame_no);
	group_fire(d, g);
}

static void ip_finish(struct detectors *d, const struct defrag_stats *frag)
{
	if (frag != NULL && det_enabled(d, FINDING_FRAGMENTATION))
		anomalies(d, frag);
}

/* ------------------------------------------------------------ describe */

static const char *icmp_message(uint8_t version, uint8_t type, uint8_t code)
{
	if (version == 4 && type == 3) {
		static const char *const unreach[] = {
			"network unreachable", "host unreachable",
			"protocol unreachable", "port unreachable",
			"fragmentation needed", "source route failed",
			"destination network unknown", "destination host unknown",
			"source host isolated", "network administratively prohibited",
			"host administratively prohibited",
			"network unreachable for TOS", "host unreachable for TOS",
			"communication administratively prohibited",
			"host precedence violation", "precedence cutoff in effect",
		};

		return code < 16 ? unreach[code] : "destination unreachable";
	}
	if (version == 4)
		return type == 11 ? (code == 0 ? "TTL exceeded in transit"
					       : "fragment reassembly time exceeded")
		       : type == 12 ? "parameter problem" : "ICMP error";
	if (type == 1) {
		static const char *const unreach6[] = {
			"no route to destination",
			"communication administratively prohibited",
			"beyond scope of source address", "address unreachable",
			"port unreachable", "source address failed policy",
			"reject route to destination",
		};

		return code < 7 ? unreach6[code] : "destination unreachable";
	}
	return type == 2 ? "packet too big"
	       : type == 3 ? (code == 0 ? "hop limit exceeded in transit"
					: "fragment reassembly time exceeded")
	       : type == 4 ? "parameter problem" : "ICMPv6 error";
}

static void describe_icmp(const struct det_group *g, struct finding *out)
{
	const struct icmp_error_state *s = icmp_error_of_const(g);
	uint8_t type = (uint8_t)(g->key.port2 >> 8), code = (uint8_t)g->key.port2;
	const char *msg = icmp_message(g->key.aux, type, code);

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

/* A pair's: named after the host that received most of the datagrams. */
static void describe_fragment_pair(const struct det_group *g,
				   struct finding *out)
{
	const struct fragment_pair_state *s = fragment_pair_of_const(g);
	const uint8_t *host = s->to_second > s->to_first ? g->key.addr2
							 : g->key.addr;
	const uint8_t *peer = host == g->key.addr ? g->key.addr2 : g->key.addr;
	char p[INET6_ADDRSTRLEN];

	inet_ntop(g->key.family == 6 ? AF_INET6 : AF_INET, host,
		  out->subject, sizeof(out->subject));
	inet_ntop(g->key.family == 6 ? AF_INET6 : AF_INET, peer, p, sizeof(p));
	out->unit = "datagrams reassembled";
	finding_add_text(out, "peer", p);
	finding_add_number(out, "datagrams", (double)g->count);
	finding_add_number(out, "fragments", (double)s->fragments);
	finding_add_number(out, "max_size", (double)s->max_size);
	snprintf(out->summary, sizeof(out->summary),
		 "%.0f datagram%s between %s and %s arrived in %llu "
		 "fragments (up to %llu bytes): larger than the path MTU",
		 out->value, out->value == 1 ? "" : "s", out->subject, p,
		 (unsigned long long)s->fragments,
		 (unsigned long long)s->max_size);
}

static void describe_fragment_anomalies(const struct det_group *g,
					struct finding *out)
{
	const struct fragment_anomaly_state *s = fragment_anomaly_of_const(g);

	snprintf(out->subject, sizeof(out->subject), "capture");
	if (out->severity < SEVERITY_WARNING)
		out->severity = SEVERITY_WARNING;
	out->unit = "fragment anomalies";
	finding_add_number(out, "overlaps", (double)s->overlaps);
	finding_add_number(out, "overlaps_conflicting",
			   (double)s->overlaps_conflicting);
	finding_add_number(out, "incomplete", (double)s->incomplete);
	finding_add_number(out, "tiny_first", (double)s->tiny_first);
	finding_add_number(out, "malformed", (double)s->malformed);
	snprintf(out->summary, sizeof(out->summary),
		 "fragment anomalies: %llu overlapping fragments (%llu with "
		 "conflicting bytes), %llu datagrams never completed, %llu tiny "
		 "first fragments, %llu oversize or inconsistent",
		 (unsigned long long)s->overlaps,
		 (unsigned long long)s->overlaps_conflicting,
		 (unsigned long long)s->incomplete,
		 (unsigned long long)s->tiny_first,
		 (unsigned long long)s->malformed);
}

static void describe_fragments(const struct det_group *g, struct finding *out)
{
	if (g->key.aux == 0)
		describe_fragment_pair(g, out);
	else
		describe_fragment_anomalies(g, out);
}

static void ip_describe(const struct det_group *g, struct finding *out,
			const struct detect_config *cfg)
{
	(void)cfg;
	switch (g->key.id) {
	case FINDING_ICMP_ERROR:
		describe_icmp(g, out);
		break;
	case FINDING_FRAGMENTATION:
		describe_fragments(g, out);
		break;
	case FINDING_CHECKSUM_ERRORS:
		out->unit = "bad checksums";
		snprintf(out->summary, sizeof(out->summary),
			 "%.0f packets from %s had a wrong checksum (not a "
			 "checksum-offload artefact): corruption on the path or "
			 "a faulty NIC or driver",
			 out->value, out->subject);
		break;
	default:
		break;
	}
}

const struct detector_ops det_ip_ops = {
	.name = "IP and ICMP",
	.ids = {FINDING_ICMP_ERROR, FINDING_FRAGMENTATION,
		FINDING_CHECKSUM_ERRORS},
	.n_ids = 3,
	.on_packet = ip_on_packet,
	.on_icmp_error = ip_on_icmp_error,
	.on_reassembled = ip_on_reassembled,
	.finish = ip_finish,
	.describe = ip_describe,
};
