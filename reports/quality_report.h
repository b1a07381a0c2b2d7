/*
 * The capture-quality section (analyzer/capture_quality.h) as `report`
 * and `stats` print it: first, before anything the capture could
 * mislead.  Text: one labelled paragraph per aspect; JSON and YAML: the
 * "capture_quality" object, every key always present.  Renders only
 * the judged report; nothing here touches packets.
 */
#ifndef TCPLENS_QUALITY_REPORT_H
#define TCPLENS_QUALITY_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "capture_quality.h"
#include "doc_writer.h"
#include "quality_policy.h"

/* The findings the quality changed (report only). */
struct quality_changes {
	const struct quality_adjustment *list;
	size_t n;
	uint64_t more;              /* past the list */
};

/*
 * The section's text, under the caller's heading.  flows false: the
 * command tracked no connection (stats), so direction and capture loss
 * are not judged.  changes NULL: no findings to speak of (stats).
 */
void quality_render_text(FILE *out, const struct capture_quality_report *q,
			 bool flows, const struct quality_changes *changes);
/*
 * "capture_quality": {...}, as a member of the caller's object; with
 * changes (report), its "adjusted" list.
 */
void quality_render_doc(struct doc_writer *w,
			const struct capture_quality_report *q, bool flows,
			const struct quality_changes *changes);

/* Each aspect's verdict, as both formats give it ("one_sided" ...). */
const char *quality_loss_verdict(const struct capture_quality_report *q);
const char *quality_coverage_verdict(const struct capture_quality_report *q);

#endif
