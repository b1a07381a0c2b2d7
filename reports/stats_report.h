/* Renderers for `tcplens stats`: text for a terminal, JSON for programs. */
#ifndef TCPLENS_STATS_REPORT_H
#define TCPLENS_STATS_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "capture_info.h"
#include "capture_quality.h"
#include "ip_defrag.h"
#include "proto_stats.h"

struct stats_report {
	const struct proto_stats *stats;
	const struct defrag_stats *defrag;
	const struct capture_input_info *const *inputs;
	size_t n_inputs;
	int ts_decimals; /* 6 when every input had microsecond stamps */
	const char *filter; /* NULL when none */
	const struct capture_quality_report *quality;
};

void stats_report_text(FILE *out, const struct stats_report *r);
void stats_report_json(FILE *out, const struct stats_report *r);

#endif
