/*
 * What tcplens diagnoses: the finding ids, their severities, and for
 * each the runbook text every report shows with it — what is happening
 * and why, and what to do.  The detectors (issue 6) fill in the
 * measured part of a finding; this is the part that does not change.
 *
 * Advice rests on current Linux defaults (see ../shared/LINUX-TCP-FACTS):
 * sysctls are named so a reader can check their own host, and nothing
 * harmful or gone (tcp_tw_recycle, turning SACK or timestamps off) is
 * ever suggested.
 */
#ifndef TCPLENS_FINDING_H
#define TCPLENS_FINDING_H

#include <stdbool.h>
#include <stddef.h>

/* Stable: the names are part of the documented output. */
enum finding_id {
	FINDING_SYN_FLOOD,
	FINDING_SYN_UNANSWERED,
	FINDING_CONNECTION_REFUSED,
	FINDING_CLOSE_WAIT_LEAK,
	FINDING_TIME_WAIT_ACCUMULATION,
	FINDING_RST_STORM,
	FINDING_ABORTIVE_CLOSE,
	FINDING_RETRANSMIT_BURST,
	FINDING_ZERO_WINDOW_STALL,
	FINDING_HALF_OPEN,
	FINDING_PORT_SCAN,
	FINDING_ICMP_ERROR,
	FINDING_FRAGMENTATION,
	FINDING_NAGLE_DELAYED_ACK,
	FINDING_CHECKSUM_ERRORS,
	FINDING_SHORT_CONNECTION_CHURN,
	FINDING_ACCEPT_QUEUE_OVERFLOW,
	FINDING_CAPTURE_COVERAGE,
	FINDING_COUNT
};

enum finding_severity {
	SEVERITY_INFO,
	SEVERITY_WARNING,
	SEVERITY_CRITICAL,
};

/* "syn_flood", ...; NULL for an id out of range. */
const char *finding_id_name(enum finding_id id);
/* The id named name; false when there is none. */
bool finding_id_parse(const char *name, enum finding_id *out);

/* "info", "warning", "critical". */
const char *finding_severity_name(enum finding_severity s);
bool finding_severity_parse(const char *name, enum finding_severity *out);

/* The severity a finding has unless the configuration says otherwise. */
enum finding_severity finding_default_severity(enum finding_id id);
/* One line: what the finding is about. */
const char *finding_title(enum finding_id id);
/* One paragraph: what is happening and its likely causes. */
const char *finding_explanation(enum finding_id id);
/* One paragraph: what to change and what to check next. */
const char *finding_advice(enum finding_id id);
/*
 * The same paragraphs for a finding of one kind (its details' "kind", or
 * NULL): a kind whose cause is another has its own (a dead peer is no
 * packet loss); any other kind gets its id's.
 */
const char *finding_kind_explanation(enum finding_id id, const char *kind);
const char *finding_kind_advice(enum finding_id id, const char *kind);

#endif
