/*
 * What the capture's quality does to findings (analyzer/quality_policy.c
 * and the capture_coverage finding, detect_capture_coverage.c): judged
 * reports and findings written out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "quality_policy.h"
#include "settings.h"

static struct detect_config defaults(void)
{
	struct settings s;

	settings_defaults(&s);
	return s.detect;
}

static struct finding finding(enum finding_id id, enum finding_severity sev,
			      const char *subject)
{
	struct finding f;

	memset(&f, 0, sizeof(f));
	f.id = id;
	f.severity = sev;
	strcpy(f.subject, subject);
	return f;
}

struct run {
	struct finding room[8];
	struct quality_policy_result r;
};

static void apply(struct run *run, const struct detect_config *cfg,
		  const struct capture_quality_report *q,
		  const struct finding *in, size_t n)
{
	struct analyzer_stats st;

	memset(&st, 0, sizeof(st));
	st.first_ts = 1000;
	st.last_ts = 2000;
	memset(&run->r, 0, sizeof(run->r));
	run->r.findings = run->room;
	quality_policy_apply(cfg, q, &st, in, n, &run->r);
}

/*
 * Capture loss on a retransmission warning's own connection makes it
 * info, placed after the warnings that stand; a critical finding is
 * untouched, an info one too.  Loss only on other connections, all of
 * them known, leaves it a warning; loss on more connections than are
 * listed, or interface drops, may be its own.  Duplicated frames are
 * no reason: they never reach the detectors (frame_dups.h).
 */
static void test_retransmissions_on_loss(void **state)
{
	struct detect_config cfg = defaults();
	struct capture_quality_report q;
	struct finding in[4];
	struct run run;

	(void)state;
	memset(&q, 0, sizeof(q));
	q.frames = 100;
	in[0] = finding(FINDING_SYN_FLOOD, SEVERITY_CRITICAL, "192.0.2.2:80");
	in[1] = finding(FINDING_RETRANSMIT_BURST, SEVERITY_WARNING, "192.0.2.2:80");
	in[1].n_flows = 2;
	in[1].flow_count = 2;
	in[1].flows[0] = 0x1111;
	in[1].flows[1] = 0x2222;
	in[2] = finding(FINDING_CONNECTION_REFUSED, SEVERITY_WARNING, "192.0.2.3:81");
	in[3] = finding(FINDING_ABORTIVE_CLOSE, SEVERITY_INFO, "192.0.2.4");
	q.capture_loss = true;
	q.missed_bytes = 1448;
	q.flows_with_loss = 1;
	q.n_top_loss = 1;
	q.top_loss[0].uid = 0x2222;
	q.top_loss[0].missed_bytes = 1448;
	apply(&run, &cfg, &q, in, 4);
	assert_int_equal(run.r.n_findings, 4);
	assert_int_equal(run.r.findings[0].id, FINDING_SYN_FLOOD);
	assert_int_equal(run.r.findings[1].id, FINDING_CONNECTION_REFUSED);
	assert_int_equal(run.r.findings[2].id, FINDING_RETRANSMIT_BURST);
	assert_int_equal(run.r.findings[2].severity, SEVERITY_INFO);
	assert_int_equal(run.r.findings[3].id, FINDING_ABORTIVE_CLOSE);
	assert_int_equal(run.r.n_adjusted, 1);
	assert_int_equal(run.r.adjusted[0].from, SEVERITY_WARNING);
	assert_int_equal(run.r.adjusted[0].to, SEVERITY_INFO);
	assert_false(run.r.adjusted[0].withheld);
	assert_non_null(strstr(run.r.adjusted[0].reason, "1448 bytes"));
	/* The loss on another connection, the only one with loss: stands. */
	q.top_loss[0].uid = 0x3333;
	apply(&run, &cfg, &q, in, 4);
	assert_int_equal(run.r.n_adjusted, 0);
	assert_int_equal(run.r.findings[1].id, FINDING_RETRANSMIT_BURST);
	assert_int_equal(run.r.findings[1].severity, SEVERITY_WARNING);
	/* More connections with loss than listed: it may be its own. */
	q.flows_with_loss = QUALITY_TOP_LOSS + 1;
	apply(&run, &cfg, &q, in, 4);
	assert_int_equal(run.r.findings[2].severity, SEVERITY_INFO);
	/* Interface drops belong to no connection. */
	q.flows_with_loss = 1;
	q.ifdrop = 5;
	q.has_ifdrop = true;
	apply(&run, &cfg, &q, in, 4);
	assert_int_equal(run.r.findings[2].severity, SEVERITY_INFO);
	/* Duplicates alone, without loss: the warning stands. */
	q.capture_loss = false;
	q.missed_bytes = 0;
	q.ifdrop = 0;
	q.has_ifdrop = false;
	q.duplicates = q.tcp_duplicates = 3;
	apply(&run, &cfg, &q, in, 4);
	assert_int_equal(run.r.n_adjusted, 0);
	assert_int_equal(run.r.findings[1].id, FINDING_RETRANSMIT_BURST);
	assert_int_equal(run.r.findings[1].severity, SEVERITY_WARNING);
}

/* syn_unanswered: withheld one-sided, info partly one-sided. */
static void test_syn_unanswered_one_sided(void **state)
{
	struct detect_config cfg = defaults();
	struct capture_quality_report q;
	struct finding in[1];
	struct run run;

	(void)state;
	memset(&q, 0, sizeof(q));
	q.frames = 40;
	q.direction = QUALITY_DIRECTION_ONE_SIDED;
	q.one_sided_flows = 3;
	q.two_sided_flows = 1;
	in[0] = finding(FINDING_SYN_UNANSWERED, SEVERITY_WARNING, "198.51.100.2:443");
	apply(&run, &cfg, &q, in, 1);
	assert_int_equal(run.r.n_findings, 0);
	assert_int_equal(run.r.n_adjusted, 1);
	assert_true(run.r.adjusted[0].withheld);
	assert_string_equal(run.r.adjusted[0].subject, "198.51.100.2:443");
	assert_non_null(strstr(run.r.adjusted[0].reason, "3 of 4 TCP connections"));
	q.direction = QUALITY_DIRECTION_PARTLY;
	apply(&run, &cfg, &q, in, 1);
	assert_int_equal(run.r.n_findings, 1);
	assert_int_equal(run.r.findings[0].severity, SEVERITY_INFO);
}

/* checksum_errors: info on zeroed checksums, and on offload. */
static void test_checksums_edited(void **state)
{
	struct detect_config cfg = defaults();
	struct capture_quality_report q;
	struct finding in[1];
	struct run run;

	(void)state;
	memset(&q, 0, sizeof(q));
	q.frames = 40;
	q.ipv4_cksum_zeroed = 8;
	in[0] = finding(FINDING_CHECKSUM_ERRORS, SEVERITY_WARNING, "77.67.44.206");
	apply(&run, &cfg, &q, in, 1);
	assert_int_equal(run.r.findings[0].severity, SEVERITY_INFO);
	assert_non_null(strstr(run.r.adjusted[0].reason, "zeroed in 8 packets"));
	q.ipv4_cksum_zeroed = 0;
	q.cksum_offloaded = 45;
	apply(&run, &cfg, &q, in, 1);
	assert_int_equal(run.r.findings[0].severity, SEVERITY_INFO);
	assert_non_null(strstr(run.r.adjusted[0].reason, "offload"));
}

/*
 * capture_coverage fires on frames that hide traffic at 10% or more (or
 * a file read in part), first among the warnings; ARP and the like
 * never make it fire, however many; it can be switched off.
 */
static void test_capture_coverage(void **state)
{
	struct detect_config cfg = defaults();
	struct capture_quality_report q;
	struct finding in[1];
	struct run run;

	(void)state;
	memset(&q, 0, sizeof(q));
	q.frames = 10;
	q.not_analysed = q.hidden = 10;
	q.by_reason[QUALITY_UNDECODED_ENCAP] = 10;
	q.n_details = 1;
	q.details[0] = (struct quality_detail){QUALITY_UNDECODED_ENCAP,
		QUALITY_CODE_ETHERTYPE, 0x8864, "PPPoE session", 10, 1};
	in[0] = finding(FINDING_CONNECTION_REFUSED, SEVERITY_WARNING, "192.0.2.3:81");
	apply(&run, &cfg, &q, in, 1);
	assert_int_equal(run.r.n_findings, 2);
	assert_int_equal(run.r.findings[0].id, FINDING_CAPTURE_COVERAGE);
	assert_int_equal(run.r.findings[0].severity, SEVERITY_WARNING);
	assert_string_equal(run.r.findings[0].subject, "capture");
	assert_true(run.r.findings[0].value == 100.0);
	assert_true(run.r.findings[0].threshold == 10.0);
	assert_int_equal(run.r.findings[0].n_frames, 1);
	assert_int_equal(run.r.findings[0].frames[0], 1);
	assert_non_null(strstr(run.r.findings[0].summary,
			       "10 PPPoE session (ethertype 0x8864)"));
	assert_int_equal(run.r.findings[0].first_ts, 1000);
	/* 1 of 20 hidden: 5%, below the share. */
	q.frames = 20;
	q.hidden = 1;
	q.details[0].frames = 1;
	apply(&run, &cfg, &q, NULL, 0);
	assert_int_equal(run.r.n_findings, 0);
	/*
	 * 31 ARP frames, nothing else: nothing hidden, no warning; but not
	 * "findings none" alone about a capture mostly not analysed.
	 */
	memset(&q, 0, sizeof(q));
	q.frames = q.not_analysed = q.by_reason[QUALITY_NON_IP] = 31;
	q.n_details = 1;
	q.details[0] = (struct quality_detail){QUALITY_NON_IP,
		QUALITY_CODE_ETHERTYPE, 0x0806, "ARP", 31, 1};
	apply(&run, &cfg, &q, NULL, 0);
	assert_int_equal(run.r.n_findings, 1);
	assert_int_equal(run.r.findings[0].severity, SEVERITY_INFO);
	assert_non_null(strstr(run.r.findings[0].summary,
			       "31 ARP (ethertype 0x0806) (non_ip)"));
	/* 31 ARP frames beside 40 analysed: nothing to say. */
	q.frames = 71;
	apply(&run, &cfg, &q, NULL, 0);
	assert_int_equal(run.r.n_findings, 0);
	memset(&q, 0, sizeof(q));
	/* Half of the file never read after a break. */
	q.unread_bytes = 5000;
	q.file_bytes = 10000;
	q.broken_inputs = 1;
	apply(&run, &cfg, &q, NULL, 0);
	assert_int_equal(run.r.n_findings, 1);
	assert_true(run.r.findings[0].value == 50.0);
	assert_non_null(strstr(run.r.findings[0].summary, "never read"));
	cfg.det[FINDING_CAPTURE_COVERAGE].enabled = false;
	apply(&run, &cfg, &q, NULL, 0);
	assert_int_equal(run.r.n_findings, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retransmissions_on_loss),
		cmocka_unit_test(test_syn_unanswered_one_sided),
		cmocka_unit_test(test_checksums_edited),
		cmocka_unit_test(test_capture_coverage),
	};
	return cmocka_run_group_tests_name("quality_policy", tests, NULL, NULL);
}
