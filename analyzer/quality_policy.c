#include "quality_policy.h"

#include <stdio.h>
#include <string.h>

static void note(struct quality_policy_result *out, const struct finding *f,
		 enum finding_severity to, bool withheld, const char *reason)
{
	struct quality_adjustment *a;

	if (out->n_adjusted == QUALITY_MAX_ADJUSTMENTS) {
		out->n_more++;
		return;
	}
	a = &out->adjusted[out->n_adjusted++];
	a->id = f->id;
	memcpy(a->subject, f->subject, sizeof(a->subject));
	a->from = f->severity;
	a->to = to;
	a->withheld = withheld;
	snprintf(a->reason, sizeof(a->reason), "%s", reason);
}

/*
 * Whether the capture's loss may be what f counts.  Missed bytes are
 * known per connection: when every connection with loss is listed
 * (top_loss) and every flow of f is too, loss elsewhere leaves f alone.
 * Interface drops belong to no connection: they touch every finding.
 */
static bool loss_touches(const struct capture_quality_report *q,
			 const struct finding *f)
{
	if (!q->capture_loss)
		return false;
	if (q->ifdrop > 0 || q->osdrop > 0 || q->flows_with_loss > q->n_top_loss ||
	    f->n_flows == 0 || f->flow_count > f->n_flows)
		return true;
	for (size_t i = 0; i < f->n_flows; i++)
		for (size_t j = 0; j < q->n_top_loss; j++)
			if (f->flows[i] == q->top_loss[j].uid)
				return true;
	return false;
}

/* f's number detail key, or -1 when it has none. */
static double detail_number(const struct finding *f, const char *key)
{
	for (int i = 0; i < f->n_details; i++)
		if (f->details[i].is_number &&
		    strcmp(f->details[i].key, key) == 0)
			return f->details[i].number;
	return -1;
}

/*
 * What the capture cannot support of a finding: its reason, and
 * whether to withhold it (else it goes to info).  NULL: it stands.
 */
static const char *doubt(const struct capture_quality_report *q,
			 const struct finding *f, bool *withhold, char *buf,
			 size_t len)
{
	*withhold = false;
	switch (f->id) {
	case FINDING_RETRANSMIT_BURST:
		/*
		 * Frames captured twice never reach the detectors
		 * (frame_dups.h): they no longer cast doubt on a burst.
		 */
		if (q->time_zero > 0) {
			snprintf(buf, len, "%llu frame%s dated "
				 "1970-01-01T00:00:00Z: the capture's times were "
				 "edited, so no back-off or timeout can be measured",
				 (unsigned long long)q->time_zero,
				 q->time_zero == 1 ? " is" : "s are");
			return buf;
		}
		if (loss_touches(q, f)) {
			snprintf(buf, len, "the capture misses %llu byte%s the "
				 "receivers acknowledged (capture loss): what "
				 "looks lost or resent may be the capture's",
				 (unsigned long long)q->missed_bytes,
				 q->missed_bytes == 1 ? "" : "s");
			return buf;
		}
		return NULL;
	case FINDING_SYN_UNANSWERED:
		if (q->direction != QUALITY_DIRECTION_ONE_SIDED &&
		    q->direction != QUALITY_DIRECTION_PARTLY)
			return NULL;
		*withhold = q->direction == QUALITY_DIRECTION_ONE_SIDED;
		snprintf(buf, len, "%llu of %llu TCP connections show one "
			 "direction only: the answers may travel the way the "
			 "capture does not hold",
			 (unsigned long long)q->one_sided_flows,
			 (unsigned long long)(q->one_sided_flows +
					      q->two_sided_flows));
		return buf;
	case FINDING_CHECKSUM_ERRORS:
		if (q->ipv4_cksum_zeroed + q->transport_cksum_zeroed > 0) {
			snprintf(buf, len, "checksums were zeroed in %llu "
				 "packets: the capture was edited or anonymised",
				 (unsigned long long)(q->ipv4_cksum_zeroed +
						      q->transport_cksum_zeroed));
			return buf;
		}
		if (q->cksum_offloaded + q->ipv4_cksum_offloaded > 0) {
			snprintf(buf, len, "the capture ran on a sending host "
				 "that leaves checksums to its NIC (offload)");
			return buf;
		}
		if (detail_number(f, "acked_connections") > 0 &&
		    detail_number(f, "unconfirmed_connections") == 0) {
			snprintf(buf, len, "the receivers acknowledged the data "
				 "of every bad segment without it being sent "
				 "again: it arrived intact");
			return buf;
		}
		return NULL;
	default:
		return NULL;
	}
}

/*
 * Three passes, most severe first, each taking the findings whose final
 * severity it is in the detectors' order (by first time): the order
 * stays theirs and nothing is sorted.  capture_coverage, about the
 * capture itself, comes first among those of its severity; each change
 * is noted in the pass that decides the finding's place.
 */
void quality_policy_apply(const struct detect_config *cfg,
			  const struct capture_quality_report *q,
			  const struct analyzer_stats *st,
			  const struct finding *in, size_t n,
			  struct quality_policy_result *out)
{
	struct finding coverage;
	bool has_coverage = capture_coverage_judge(cfg, q, st, &coverage);
	char reason[200];
	size_t k = 0;
	bool withhold;

	out->n_adjusted = 0;
	out->n_more = 0;
	for (int sev = SEVERITY_CRITICAL; sev >= SEVERITY_INFO; sev--) {
		if (has_coverage && (int)coverage.severity == sev)
			out->findings[k++] = coverage;
		for (size_t i = 0; i < n; i++) {
			const char *why = in[i].severity > SEVERITY_INFO
					  ? doubt(q, &in[i], &withhold, reason,
						  sizeof(reason))
					  : NULL;
			int final = why != NULL ? SEVERITY_INFO
						: (int)in[i].severity;

			if (why != NULL && withhold) {
				if (sev == SEVERITY_INFO)
					note(out, &in[i], in[i].severity, true, why);
				continue;
			}
			if (final != sev)
				continue;
			out->findings[k] = in[i];
			out->findings[k].severity = (enum finding_severity)final;
			if (why != NULL)
				note(out, &in[i], SEVERITY_INFO, false, why);
			k++;
		}
	}
	out->n_findings = k;
}
