/*
 * The incident summary `tcplens report` opens its findings with: the
 * services the findings at warning or above are about (most affected
 * first), the time window they span as offsets from the capture's
 * start, and whether the trouble still held at the capture's end.
 * Derived from the findings and the capture's summary alone; a capture
 * whose coverage finding fired says the summary is limited by it.
 * Nothing here touches packets.
 */
#ifndef TCPLENS_INCIDENT_SUMMARY_H
#define TCPLENS_INCIDENT_SUMMARY_H

#include <stdio.h>

#include "diagnosis_report.h"
#include "doc_writer.h"

/* Services the text names; the documents list them all. */
#define INCIDENT_TEXT_SERVICES 5

/* The "INCIDENT" section's text, heading included. */
void incident_render_text(FILE *out, const struct diagnosis_view *v);
/* "incident": {...}, as a member of the caller's object. */
void incident_render_doc(struct doc_writer *w, const struct diagnosis_view *v);

#endif
