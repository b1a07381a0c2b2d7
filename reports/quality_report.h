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

/*
 * The section's text, under the caller's heading.  flows false: the command tracked no connection
 * (stats), so direction and capture loss are not judged.
 */
void quality_render_text(FILE *out, const struct capture_quality_report *q,
			 bool flows);
/* "capture_quality": {...}, as a member of the caller's object. */
void quality_render_doc(struct doc_writer *w,
			const struct capture_quality_report *q, bool flows);

/* Each aspect's verdict, as both formats give it ("one_sided" ...). */
const char *quality_loss_verdict(const struct capture_quality_report *q);
const char *quality_coverage_verdict(const struct capture_quality_report *q);

#endif
