/*
 * capture_coverage: the frames that hide traffic from every other
 * finding (quality_reason_hides(): an encapsulation not decoded, a
 * pcapng interface of a link type not decoded, records the filter could
 * not be compiled for) or the bytes of a file never read after a break,
 * as a share of the capture.  Not a detector of packets: the capture
 * quality counts, quality_policy.c asks this file at the end, and this
 * file holds the finding's settings.
 *
 * ARP, STP, IGMP and other traffic that is not TCP, UDP or ICMP hides
 * nothing a person needs: the 31 public captures surveyed for issue 14
 * made only of such frames (unit tests of ARP, STP, VRRP ...) would
 * all warn under a plain "10% not analysed" rule.  Yet a report that
 * says "findings none" about a capture it mostly did not analyse reads
 * as "nothing wrong": when most frames were not analysed for any
 * reason, an info finding says so and names the biggest kind.
 */
#include "detect_internal.h"

#include <stdio.h>
#include <string.h>

#include "quality_policy.h"

/* Thresholds of capture_coverage, in its cfg->unit[] block. */
struct coverage_settings {
	double min_share;
};

DET_SETTINGS_ACCESSORS(struct coverage_settings, FINDING_CAPTURE_COVERAGE,
		       coverage_settings_of);

static const struct setting coverage_rows[] = {
	DET_SWITCHES("capture_coverage", FINDING_CAPTURE_COVERAGE),
	{.section = "capture_coverage", .key = "min_share",
	 .type = SETTING_SHARE, .min = 0, .max = 1, .def = 0.1,
	 .offset = DET_SETTING_AT(FINDING_CAPTURE_COVERAGE,
				  struct coverage_settings, min_share),
	 .doc = "share of the frames hiding traffic (or of a file's bytes "
		"never read) at which it fires"},
};

const struct detector_ops det_capture_coverage_ops = {
	.name = "capture_coverage",
	.ids = {FINDING_CAPTURE_COVERAGE},
	.n_ids = 1,
	.settings = coverage_rows,
	.n_settings = DET_ROWS(coverage_rows),
};

static double share(uint64_t part, uint64_t whole)
{
	return whole > 0 ? (double)part / (double)whole : 0.0;
}

static void detail_number(struct finding *f, const char *key, double v)
{
	struct finding_detail *d = &f->details[f->n_details++];

	d->key = key;
	d->is_number = true;
	d->number = v;
}

/*
 * "10 PPPoE session (ethertype 0x8864)": the biggest kind of frames not
 * analysed, of those that hide traffic only when hiding.
 */
static const struct quality_detail *biggest(
	const struct capture_quality_report *q, bool hiding)
{
	const struct quality_detail *best = NULL;

	for (size_t i = 0; i < q->n_details; i++)
		if ((!hiding || quality_reason_hides(q->details[i].reason)) &&
		    (best == NULL || q->details[i].frames > best->frames))
			best = &q->details[i];
	return best;
}

static void name_of(const struct quality_detail *d, char *out, size_t len)
{
	const char *name = d->name != NULL ? d->name : "unknown";

	switch (d->kind) {
	case QUALITY_CODE_ETHERTYPE:
		snprintf(out, len, "%s (ethertype 0x%04x)", name, (unsigned)d->code);
		break;
	case QUALITY_CODE_IP_PROTO:
		snprintf(out, len, "%s (IP protocol %u)", name, (unsigned)d->code);
		break;
	case QUALITY_CODE_UDP_PORT:
		snprintf(out, len, "%s (UDP port %u)", name, (unsigned)d->code);
		break;
	case QUALITY_CODE_DLT:
		snprintf(out, len, "link type %u (%s)", (unsigned)d->code, name);
		break;
	case QUALITY_CODE_NONE:
		snprintf(out, len, "%s", name);
		break;
	}
}

/* The first frame of each hiding kind, as evidence to look at. */
static void evidence(const struct capture_quality_report *q, struct finding *f)
{
	for (size_t i = 0; i < q->n_details && f->n_frames < FINDING_MAX_FRAMES; i++)
		if (quality_reason_hides(q->details[i].reason) &&
		    q->details[i].first_frame != 0)
			f->frames[f->n_frames++] = q->details[i].first_frame;
}

static void describe(const struct capture_quality_report *q,
		     const struct quality_detail *big, double hidden,
		     double unread, struct finding *f)
{
	char what[120] = "frames of kinds past the list";
	uint64_t most = q->hidden;
	size_t n = 0;

	if (big != NULL) {
		name_of(big, what, sizeof(what));
		most = big->frames;
	}
	if (q->hidden > 0)
		n += (size_t)snprintf(f->summary + n, sizeof(f->summary) - n,
			"%llu of %llu frames (%.0f%%) hide traffic tcplens does "
			"not decode, most of them %llu %s",
			(unsigned long long)q->hidden,
			(unsigned long long)q->frames, hidden * 100,
			(unsigned long long)most, what);
	if (q->unread_bytes > 0 && n < sizeof(f->summary))
		snprintf(f->summary + n, sizeof(f->summary) - n,
			 "%s%llu of %llu bytes (%.0f%%) of the file%s were never "
			 "read: the capture breaks off", n > 0 ? "; " : "",
			 (unsigned long long)q->unread_bytes,
			 (unsigned long long)q->file_bytes, unread * 100,
			 q->broken_inputs > 1 ? "s" : "");
	if (big != NULL) {
		struct finding_detail *d = &f->details[f->n_details++];

		d->key = "hidden_by";
		d->is_number = false;
		snprintf(d->text, sizeof(d->text), "%.*s",
			 (int)sizeof(d->text) - 1, what);
	}
}

static void start(struct finding *out, const struct analyzer_stats *st)
{
	memset(out, 0, sizeof(*out));
	out->id = FINDING_CAPTURE_COVERAGE;
	out->key = FINDING_KEY_CAPTURE;
	snprintf(out->subject, sizeof(out->subject), "capture");
	out->first_ts = st->first_ts;
	out->last_ts = st->last_ts;
}

/*
 * Most frames not analysed, none of them hiding traffic (ARP, STP,
 * other IP protocols, malformed headers): info, so that the report
 * never says "findings none" alone about them.
 */
static void describe_unanalysed(const struct capture_quality_report *q,
				struct finding *out)
{
	const struct quality_detail *big = biggest(q, false);
	char what[120] = "frames of kinds past the list";

	if (big != NULL)
		name_of(big, what, sizeof(what));
	out->severity = SEVERITY_INFO;
	out->value = share(q->not_analysed, q->frames) * 100;
	out->threshold = 50;
	out->unit = "% of the capture not analysed";
	snprintf(out->summary, sizeof(out->summary),
		 "%llu of %llu frames (%.0f%%) were not analysed, most of them "
		 "%llu %s (%s): they carry no TCP, UDP or ICMP traffic tcplens "
		 "could read, and no finding covers them",
		 (unsigned long long)q->not_analysed,
		 (unsigned long long)q->frames, out->value,
		 (unsigned long long)(big != NULL ? big->frames : q->not_analysed),
		 what, big != NULL ? quality_reason_key(big->reason) : "other");
}

bool capture_coverage_judge(const struct detect_config *cfg,
			    const struct capture_quality_report *q,
			    const struct analyzer_stats *st,
			    struct finding *out)
{
	double min = coverage_settings_of(cfg)->min_share;
	double hidden = share(q->hidden, q->frames);
	double unread = share(q->unread_bytes, q->file_bytes);
	double worst = hidden > unread ? hidden : unread;

	if (!cfg->det[FINDING_CAPTURE_COVERAGE].enabled)
		return false;
	if ((q->hidden == 0 && q->unread_bytes == 0) || worst < min) {
		if (q->frames == 0 || q->not_analysed * 2 <= q->frames)
			return false;
		start(out, st);
		describe_unanalysed(q, out);
	} else {
		start(out, st);
		out->severity = cfg->det[FINDING_CAPTURE_COVERAGE].severity;
		out->value = worst * 100;
		out->threshold = min * 100;
		out->unit = "% of the capture hidden";
		describe(q, biggest(q, true), hidden, unread, out);
	}
	detail_number(out, "frames", (double)q->frames);
	detail_number(out, "hidden_frames", (double)q->hidden);
	detail_number(out, "unread_bytes", (double)q->unread_bytes);
	evidence(q, out);
	return true;
}
