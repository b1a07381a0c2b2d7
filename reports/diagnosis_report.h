/*
 * The diagnosis as `tcplens report` and `tcplens check` print it: the
 * capture summary, the findings with evidence and advice, each host's
 * socket table and the connections that went worst.  Renderers read
 * only this view; nothing here touches packets.
 */
#ifndef TCPLENS_DIAGNOSIS_REPORT_H
#define TCPLENS_DIAGNOSIS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "analyzer.h"
#include "capture_quality.h"
#include "detect.h"
#include "quality_policy.h"
#include "doc_writer.h"
#include "host_states.h"
#include "trouble_rank.h"

struct diagnosis_view {
	const char *const *inputs;
	size_t n_inputs;
	const struct analyzer_stats *stats;
	int ts_decimals;                /* 6 or 9 */
	const struct finding *findings; /* most severe first */
	size_t n_findings;
	uint64_t suppressed;            /* subjects left out (too many) */
	uint64_t not_tracked;           /* subjects past the detectors' cap */
	/*
	 * Findings resolved and folded into counts on a long run, by id
	 * (FINDING_COUNT entries); NULL: none.
	 */
	const struct detect_folded *folded;
	const struct host_state_row *hosts;
	size_t n_hosts;
	/* What the hosts' tunnel ids stand for (analyzer_tunnels()). */
	const struct tunnel_table *tunnels;
	struct host_states_summary hosts_left_out;
	const struct trouble_row *top;
	size_t n_top;
	/* The capture's quality; NULL when not judged. */
	const struct capture_quality_report *quality;
	/* The findings it downgraded or withheld, and why. */
	const struct quality_adjustment *adjusted;
	size_t n_adjusted;
	uint64_t adjusted_more;
	/*
	 * The capture point (--sensor), or NULL: the documents' first key,
	 * and each finding line's (diagnosis_doc_finding_keys()).
	 */
	const char *sensor;
};

/*
 * Frames not analysed: those the analyzer left out, and those never
 * read (pcapng interfaces of link types not decoded), which only the
 * capture quality knows of.  Every renderer's summary says it.
 */
uint64_t diagnosis_not_analysed(const struct diagnosis_view *v);

/* For people: 80 columns; colour is the caller's choice (a terminal). */
void diagnosis_render_text(FILE *out, const struct diagnosis_view *v,
			   bool color);
/* JSON or YAML; false when the document could not be written. */
bool diagnosis_render_doc(FILE *out, const struct diagnosis_view *v,
			  enum doc_format format);
/*
 * NDJSON, a stream for loaders: one {"type":"finding", ...} line per
 * finding (the keys of the document's findings), then one
 * {"type":"summary", ...} line with the document's other keys.  False
 * when it could not be written.
 */
bool diagnosis_render_ndjson(FILE *out, const struct diagnosis_view *v);
/*
 * The keys of diagnosis_render_doc()'s object, written into an object
 * the caller opened (live's final {"type":"report", ...} line).
 */
void diagnosis_doc_keys(struct doc_writer *w, const struct diagnosis_view *v);
/*
 * The keys of one finding as the document lists it, led by the sensor
 * when there is one (live's finding lines, the NDJSON report's); v gives
 * the time decimals and the file tshark is told to read.
 */
void diagnosis_doc_finding_keys(struct doc_writer *w,
				const struct diagnosis_view *v,
				const struct finding *f);
/*
 * One finding as the text report prints it (its header, title, subject
 * with evidence and tshark line, why and do), without colour: the
 * dashboard's detail view.  v gives the time decimals and the file.
 */
void diagnosis_render_finding_text(FILE *out, const struct diagnosis_view *v,
				   const struct finding *f);
/*
 * `check`: one line per finding at min or above, "SEVERITY id subject:
 * summary".  Returns how many were printed.
 */
/* One of those lines. */
void diagnosis_render_line(FILE *out, const struct finding *f, bool color);
size_t diagnosis_render_lines(FILE *out, const struct diagnosis_view *v,
			      enum finding_severity min, bool color);

#endif
