/*
 * What the capture's quality does to the findings: the one place where
 * it is applied, after the detectors have judged the packets as if the
 * capture were perfect.
 *
 *   capture_coverage    raised when the frames that hide traffic
 *                       (undecoded encapsulations, link types not
 *                       decoded, records never read) reach its share;
 *   retransmit_burst    to info on a capture with frames at time 0
 *                       (edited times: no back-off to measure), or
 *                       with capture loss on its own connections or
 *                       interface drops (what is missing may be the
 *                       capture's); frames captured twice are no
 *                       reason: they never count as retransmissions
 *                       (frame_dups.h);
 *   syn_unanswered      withheld on a one-sided capture (the answers
 *                       travel the way it does not hold), to info on a
 *                       partly one-sided one;
 *   checksum_errors     to info where checksums were zeroed (edited or
 *                       anonymised) or left to the NIC (offload).
 *
 * Each change is listed with its reason, for the report to say.
 */
#ifndef TCPLENS_QUALITY_POLICY_H
#define TCPLENS_QUALITY_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "analyzer.h"
#include "capture_quality.h"
#include "detect.h"

struct quality_adjustment {
	enum finding_id id;
	char subject[FINDING_SUBJECT_LEN];
	enum finding_severity from, to;
	bool withheld;              /* left out of the findings */
	char reason[200];
};

/* Changes listed at most; more are counted (n_more). */
#define QUALITY_MAX_ADJUSTMENTS 32

struct quality_policy_result {
	struct finding *findings;   /* most severe first, as the detectors */
	size_t n_findings;
	struct quality_adjustment adjusted[QUALITY_MAX_ADJUSTMENTS];
	size_t n_adjusted;
	uint64_t n_more;
};

/*
 * in[0..n) as the detectors gave them, judged against q: the result's
 * findings (room for n + 1 in out->findings, which the caller owns) and
 * the changes.
 */
void quality_policy_apply(const struct detect_config *cfg,
			  const struct capture_quality_report *q,
			  const struct analyzer_stats *st,
			  const struct finding *in, size_t n,
			  struct quality_policy_result *out);

/*
 * The capture_coverage finding (detect_capture_coverage.c, which holds
 * its settings): true with *out filled when it fires.
 */
bool capture_coverage_judge(const struct detect_config *cfg,
			    const struct capture_quality_report *q,
			    const struct analyzer_stats *st,
			    struct finding *out);

#endif
