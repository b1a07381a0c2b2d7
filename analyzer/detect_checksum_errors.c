/*
 * checksum_errors groups by source host: count = bad checksums; a
 * capture-wide group (aux 1, has_port SUBJECT_CAPTURE) counts the
 * sources, since one host alone is most likely its own checksum offload.
 */
#include "detect_internal.h"

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
	const struct checksum_settings *c = checksum_settings_of(&d->cfg);
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

/* Only a packet with a bad checksum comes here (PKT_CHECKSUM_BAD). */
static void checksums_on_packet(struct detectors *d, const struct packet *pkt,
				const struct flow *f)
{
	(void)f;
	if (det_enabled(d, FINDING_CHECKSUM_ERRORS))
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
	.describe = checksums_describe,
	.merge = checksums_merge,
	.verdict = checksums_verdict,
};
