/*
 * fragmentation groups by the pair of hosts a reassembled datagram went
 * between (aux 0, the lower address first): count = datagrams; and one
 * capture-wide group (aux 1, has_port SUBJECT_CAPTURE) for the anomalies
 * the reassembly counted: count = all of them.
 */
#include "detect_internal.h"

#include <stdio.h>
#include <string.h>

#include "addr_format.h"

/* Thresholds of fragmentation, in its cfg->unit[] block. */
struct fragmentation_settings {
	uint32_t min_datagrams;
};

DET_SETTINGS_ACCESSORS(struct fragmentation_settings, FINDING_FRAGMENTATION,
		       fragmentation_settings_of);

/* Their rows in the configuration file (settings.h). */
static const struct setting fragmentation_rows[] = {
	DET_SWITCHES("fragmentation", FINDING_FRAGMENTATION),
	{.section = "fragmentation", .key = "min_datagrams",
	 .type = SETTING_COUNT, .min = 1, .max = 1e9, .def = 1,
	 .offset = DET_SETTING_AT(FINDING_FRAGMENTATION,
				  struct fragmentation_settings, min_datagrams),
	 .doc = "fragmented datagrams to or from one host"},
};

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
	uint64_t at_end;        /* of them, still open when the capture ended */
	uint64_t tiny_first;    /* tiny first fragments */
	uint64_t malformed;     /* oversize or of inconsistent length */
};

DET_GROUP_STATE_ACCESSORS(struct fragment_anomaly_state, fragment_anomaly_of,
			  fragment_anomaly_of_const);

/* ------------------------------------------------------------ hooks */

static void fragments_on_reassembled(struct detectors *d,
				     const struct packet *whole, size_t fragments)
{
	d->pending_whole = whole;
	d->pending_frags = fragments;
}

DET_COLD
static void fragmented(struct detectors *d, const struct packet *pkt,
		       const struct flow *f, size_t fragments)
{
	const struct fragmentation_settings *c =
		fragmentation_settings_of(&d->cfg);
	const uint8_t *dst = pkt->ip.dst.bytes, *src = pkt->ip.src.bytes;
	bool dst_first = memcmp(dst, src, 16) < 0;
	struct subject_key k;
	struct det_group *g;
	struct fragment_pair_state *s;
	uint32_t size = pkt->ip.payload_len + (uint32_t)pkt->ip.header.len;

	memset(&k, 0, sizeof(k));
	k.id = FINDING_FRAGMENTATION;
	k.family = f->key.family;
	k.tunnel = f->key.tunnel;
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
	g->threshold = c->min_datagrams;
	group_touch(g, d->now);
	group_add_flow(g, f);
	group_add_frame(g, pkt->frame_no);
	if (g->count >= c->min_datagrams)
		group_fire(d, g);
}

/* The datagram rebuilt just before is the one now seen with its flow. */
static void fragments_on_packet(struct detectors *d, const struct packet *pkt,
				const struct flow *f)
{
	if (d->pending_frags != 0 && pkt == d->pending_whole && f != NULL) {
		if (det_enabled(d, FINDING_FRAGMENTATION))
			fragmented(d, pkt, f, d->pending_frags);
		d->pending_frags = 0;
	}
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
	s->at_end = st->incomplete_at_end;
	s->tiny_first = st->tiny_first;
	s->malformed = st->oversize + st->inconsistent_length;
	g->count = overlaps + st->incomplete + st->tiny_first + s->malformed;
	g->threshold = 1;
	for (uint32_t i = 0; i < st->n_overlap_examples; i++)
		group_add_frame(g, st->overlap_examples[i].frame_no);
	group_fire(d, g);
}

static void fragments_finish(struct detectors *d,
			     const struct defrag_stats *frag)
{
	if (frag != NULL && det_enabled(d, FINDING_FRAGMENTATION))
		anomalies(d, frag);
}

/* ------------------------------------------------------------ describe */

/* A group or broadcast address: no host to name (IPv4 224/4 and up). */
static bool addr_is_group(uint8_t family, const uint8_t *a)
{
	return family == 4 ? a[0] >= 224 : a[0] == 0xff;
}

/*
 * A pair's: named after the host that received most of the datagrams,
 * or the sender when those went to a multicast or broadcast address.
 */
static void describe_fragment_pair(const struct det_group *g,
				   struct finding *out)
{
	const struct fragment_pair_state *s = fragment_pair_of_const(g);
	const uint8_t *host = s->to_second > s->to_first ? g->key.addr2
							 : g->key.addr;

	if (addr_is_group(g->key.family, host))
		host = host == g->key.addr ? g->key.addr2 : g->key.addr;
	const uint8_t *peer = host == g->key.addr ? g->key.addr2 : g->key.addr;
	char p[ADDR_FORMAT_LEN];

	addr_format(g->key.family, host, out->subject, sizeof(out->subject));
	addr_format(g->key.family, peer, p, sizeof(p));
	out->unit = "datagrams reassembled";
	finding_add_text(out, "peer", p);
	finding_add_number(out, "datagrams", (double)g->count);
	finding_add_number(out, "fragments", (double)s->fragments);
	finding_add_number(out, "max_size", (double)s->max_size);
	snprintf(out->summary, sizeof(out->summary),
		 "%.0f datagram%s between %s and %s arrived in %llu "
		 "fragments (up to %llu bytes): sent larger than the path "
		 "MTU, by design for NFS over UDP or large DNS answers, a "
		 "risk where fragments are lost or filtered",
		 out->value, out->value == 1 ? "" : "s", out->subject, p,
		 (unsigned long long)s->fragments,
		 (unsigned long long)s->max_size);
}

/*
 * Appends ", N thing(s) rest" to out (the first without the comma) when
 * n > 0: thing takes an "s" unless n is 1.
 */
static size_t add_part(char *out, size_t len, size_t used, uint64_t n,
		       const char *thing, const char *rest)
{
	if (n == 0 || used >= len)
		return used;
	return used + (size_t)snprintf(out + used, len - used, "%s%llu %s%s%s",
				       used > 0 ? ", " : "",
				       (unsigned long long)n, thing,
				       n == 1 ? "" : "s", rest);
}

/*
 * Overlaps, tiny first fragments, malformed ones and datagrams that
 * timed out are a warning; datagrams still open when the capture ended
 * only may have lost their other fragments to the capture's end.
 */
static void describe_fragment_anomalies(const struct det_group *g,
					struct finding *out)
{
	const struct fragment_anomaly_state *s = fragment_anomaly_of_const(g);
	uint64_t timed_out = s->incomplete - s->at_end;
	char parts[sizeof(out->summary) - 32] = "";
	size_t used = 0;

	snprintf(out->subject, sizeof(out->subject), "capture");
	if ((s->overlaps || s->tiny_first || s->malformed || timed_out) &&
	    out->severity < SEVERITY_WARNING)
		out->severity = SEVERITY_WARNING;
	out->unit = "fragment anomalies";
	finding_add_number(out, "overlaps", (double)s->overlaps);
	finding_add_number(out, "overlaps_conflicting",
			   (double)s->overlaps_conflicting);
	finding_add_number(out, "incomplete", (double)s->incomplete);
	finding_add_number(out, "incomplete_at_end", (double)s->at_end);
	finding_add_number(out, "tiny_first", (double)s->tiny_first);
	finding_add_number(out, "malformed", (double)s->malformed);
	used = add_part(parts, sizeof(parts), used,
			s->overlaps - s->overlaps_conflicting,
			"overlapping fragment", " with the same bytes");
	used = add_part(parts, sizeof(parts), used, s->overlaps_conflicting,
			"overlapping fragment", " with conflicting bytes");
	used = add_part(parts, sizeof(parts), used, timed_out, "datagram",
			" never completed within the reassembly timeout");
	used = add_part(parts, sizeof(parts), used, s->at_end, "datagram",
			" still incomplete when the capture ended");
	used = add_part(parts, sizeof(parts), used, s->tiny_first,
			"tiny first fragment", "");
	add_part(parts, sizeof(parts), used, s->malformed,
		 "oversize or inconsistent fragment", "");
	snprintf(out->summary, sizeof(out->summary), "fragment anomalies: %s",
		 parts);
}

static void fragments_describe(const struct det_group *g, struct finding *out,
			       const struct detect_config *cfg)
{
	(void)cfg;
	if (g->key.aux == 0)
		describe_fragment_pair(g, out);
	else
		describe_fragment_anomalies(g, out);
}

/* ------------------------------------------------------------ merge */

static const struct det_reducer fragment_pair_reducers[] = {
	DET_REDUCE(struct fragment_pair_state, fragments, DET_SUM),
	DET_REDUCE(struct fragment_pair_state, max_size, DET_MAX),
	DET_REDUCE(struct fragment_pair_state, to_first, DET_SUM),
	DET_REDUCE(struct fragment_pair_state, to_second, DET_SUM),
};

/*
 * The reassembly's anomalies: each side's own reassembly saw its own
 * fragments (shards split before reassembly split by addresses).
 */
static const struct det_reducer fragment_anomaly_reducers[] = {
	DET_REDUCE(struct fragment_anomaly_state, overlaps, DET_SUM),
	DET_REDUCE(struct fragment_anomaly_state, overlaps_conflicting, DET_SUM),
	DET_REDUCE(struct fragment_anomaly_state, incomplete, DET_SUM),
	DET_REDUCE(struct fragment_anomaly_state, at_end, DET_SUM),
	DET_REDUCE(struct fragment_anomaly_state, tiny_first, DET_SUM),
	DET_REDUCE(struct fragment_anomaly_state, malformed, DET_SUM),
};

static void fragments_merge(struct detectors *d, struct det_group *into,
				const struct det_group *from)
{
	(void)d;
	if (into->key.aux == 1)
		det_reduce(into, from, fragment_anomaly_reducers,
			   sizeof(fragment_anomaly_reducers) /
				   sizeof(fragment_anomaly_reducers[0]));
	else
		det_reduce(into, from, fragment_pair_reducers,
			   sizeof(fragment_pair_reducers) /
				   sizeof(fragment_pair_reducers[0]));
}

static enum det_verdict fragments_verdict(struct detectors *d,
					  const struct det_group *g)
{
	uint32_t min = g->key.aux == 1
		? 1 : fragmentation_settings_of(&d->cfg)->min_datagrams;

	return g->count >= min ? DET_FIRES : DET_QUIET;
}

const struct detector_ops det_fragmentation_ops = {
	.name = "fragmentation",
	.ids = {FINDING_FRAGMENTATION},
	.n_ids = 1,
	.settings = fragmentation_rows,
	.n_settings = DET_ROWS(fragmentation_rows),
	.packets = PKT_REASSEMBLED,
	.on_packet = fragments_on_packet,
	.on_reassembled = fragments_on_reassembled,
	.finish = fragments_finish,
	.describe = fragments_describe,
	.merge = fragments_merge,
	.verdict = fragments_verdict,
};
