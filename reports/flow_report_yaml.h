/* The YAML renderer of `tcplens flows` (libyaml's emitter). */
#ifndef TCPLENS_FLOW_REPORT_YAML_H
#define TCPLENS_FLOW_REPORT_YAML_H

#include "flow_report.h"

void flow_report_yaml_begin(struct flow_report *r);
void flow_report_yaml_flow(struct flow_report *r, const struct flow_record *rec);
void flow_report_yaml_end(struct flow_report *r, const struct analyzer_stats *st,
			  size_t shown);

#endif
