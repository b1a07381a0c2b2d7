/*
 * checksum_errors groups by source host: count = bad checksums; a
 * capture-wide group (aux 1, has_port SUBJECT_CAPTURE) counts the
 * sources, since one host alone is most likely its own checksum offload.
 */
#include "detect_internal.h"

#include <stdio.h>
#include <string.h>

/* checksum_errors' capture-wide state (aux 1). */
struct checksum_total_state {
	uint64_t sources;       /* hosts with bad checksums */
	uint32_t first_host;    /* the first one's group number + 1 */
};

DET_GROUP_STATE_ACCESSORS(struct checksum_total_state, checksum_total_of,
			  checksum_total_of_const);

/* ------------------------------------------------------------ hooks */

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

static void checksums_on_packet(struct detectors *d, const struct packet *pkt,
				const struct flow *f)
{
	(void)f;
	if (!pkt->skip_checksums && checksum_bad(pkt) &&
	    det_enabled(d, FINDING_CHECKSUM_ERRORS))
		bad_checksum(d, pkt);
}

/* ------------------------------------------------------------ describe */

static void checksums_describe(const struct det_group *g, struct finding *out,
			       const struct detect_config *cfg)
{
	(void)g;
	(void)cfg;
	out->unit = "bad checksums";
	snprintf(out->summary, sizeof(out->summary),
		 "%.0f packets from %s had a wrong checksum (not a "
		 "checksum-offload artefact): corruption on the path or "
		 "a faulty NIC or driver",
		 out->value, out->subject);
}

const struct detector_ops det_checksum_errors_ops = {
	.name = "checksum_errors",
	.ids = {FINDING_CHECKSUM_ERRORS},
	.n_ids = 1,
	.on_packet = checksums_on_packet,
	.describe = checksums_describe,
};
