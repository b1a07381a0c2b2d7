#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diagnosis_report.h"

#define SEC 1000000000LL
#define T0 (1700000000LL * SEC)

static const char *const inputs[] = {"x.pcap"};

/* A finding as the detectors would give it: id, severity, subject, times. */
static struct finding make_finding(enum finding_id id,
				   enum finding_severity sev,
				   const char *subject, int64_t from,
				   int64_t to, bool holding)
{
	struct finding f;

	memset(&f, 0, sizeof(f));
	f.id = id;
	f.severity = sev;
	f.ongoing = holding;
	f.holding = holding;
	snprintf(f.subject, sizeof(f.subject), "%s", subject);
	snprintf(f.summary, sizeof(f.summary), "summary of %s", subject);
	f.first_ts = T0 + from;
	f.last_ts = T0 + to;
	f.value = 1;
	f.threshold = 1;
	f.unit = "attempts";
	return f;
}

static char *render_text(const struct finding *f, size_t n,
			 const struct trouble_row *top, size_t n_top)
{
	struct analyzer_stats st;
	struct diagnosis_view v;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	memset(&st, 0, sizeof(st));
	st.packets = 100;
	st.first_ts = T0;
	st.last_ts = T0 + 80 * SEC;
	memset(&v, 0, sizeof(v));
	v.inputs = inputs;
	v.n_inputs = 1;
	v.stats = &st;
	v.ts_decimals = 6;
	v.findings = f;
	v.n_findings = n;
	v.top = top;
	v.n_top = n_top;
	diagnosis_render_text(out, &v, false);
	fclose(out);
	return buf;
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(text, needle); p != NULL;
	     p = strstr(p + 1, needle))
		n++;
	return n;
}

/*
 * Two subjects of one id at one severity share one why and do; a third
 * downgraded to info is a group of its own, after the warnings.
 */
static void test_why_and_do_once_per_group(void **state)
{
	struct finding f[3];
	char *text;

	(void)state;
	f[0] = make_finding(FINDING_CONNECTION_REFUSED, SEVERITY_WARNING,
			    "192.0.2.2:8099", 1 * SEC, 2 * SEC, false);
	f[1] = make_finding(FINDING_CONNECTION_REFUSED, SEVERITY_WARNING,
			    "[2001:db8::2]:8099", 3 * SEC, 4 * SEC, false);
	f[2] = make_finding(FINDING_CONNECTION_REFUSED, SEVERITY_INFO,
			    "192.0.2.3:25", 5 * SEC, 6 * SEC, false);
	text = render_text(f, 3, NULL, 0);
	assert_int_equal(count(text, "why  "), 2);
	assert_int_equal(count(text, "do  "), 2);
	assert_int_equal(count(text, finding_title(FINDING_CONNECTION_REFUSED)),
			 2);
	assert_non_null(strstr(text, "WARNING  connection_refused  2 subjects\n"));
	assert_non_null(strstr(text, "  - 192.0.2.2:8099\n"
				     "    summary of 192.0.2.2:8099\n"));
	assert_non_null(strstr(text, "  - [2001:db8::2]:8099\n"));
	assert_non_null(strstr(text, "INFO     connection_refused  192.0.2.3:25\n"));
	assert_true(strstr(text, "WARNING  connection_refused") <
		    strstr(text, "INFO     connection_refused"));
	free(text);
}

/* Subjects of one group need not be next to each other in the list. */
static void test_group_gathers_interleaved_subjects(void **state)
{
	struct finding f[3];
	char *text;

	(void)state;
	f[0] = make_finding(FINDING_CONNECTION_REFUSED, SEVERITY_WARNING,
			    "192.0.2.2:8099", 1 * SEC, 2 * SEC, false);
	f[1] = make_finding(FINDING_SYN_UNANSWERED, SEVERITY_WARNING,
			    "192.0.2.9:443", 2 * SEC, 3 * SEC, false);
	f[2] = make_finding(FINDING_CONNECTION_REFUSED, SEVERITY_WARNING,
			    "192.0.2.4:8099", 3 * SEC, 4 * SEC, false);
	text = render_text(f, 3, NULL, 0);
	assert_int_equal(count(text, "WARNING  connection_refused"), 1);
	assert_true(strstr(text, "  - 192.0.2.4:8099") <
		    strstr(text, "WARNING  syn_unanswered"));
	free(text);
}

/* A group's do names a value only when all its subjects give the same. */
static void test_group_advice_fills_common_values(void **state)
{
	struct finding f[2];
	char *text;

	(void)state;
	f[0] = make_finding(FINDING_CONNECTION_REFUSED, SEVERITY_WARNING,
			    "192.0.2.2:8099", 1 * SEC, 2 * SEC, false);
	f[0].place.family = 4;
	f[0].place.has_port = true;
	f[0].place.port = 8099;
	memcpy(f[0].place.addr, (const uint8_t[]){192, 0, 2, 2}, 4);
	text = render_text(f, 1, NULL, 0);
	assert_non_null(strstr(text, "'sport = :8099'"));
	free(text);
	f[1] = f[0];
	snprintf(f[1].subject, sizeof(f[1].subject), "192.0.2.2:8100");
	f[1].place.port = 8100;
	text = render_text(f, 2, NULL, 0);
	assert_non_null(strstr(text, "'sport = :PORT'"));
	assert_null(strstr(text, "'sport = :8099'"));
	free(text);
}

/* A ranked connection from 192.0.2.<client>:<port> to 192.0.2.2:80. */
static struct trouble_row make_row(uint64_t uid, uint8_t client,
				   uint16_t port, const char *state,
				   int64_t duration_ns)
{
	struct trouble_row r;

	memset(&r, 0, sizeof(r));
	r.uid = uid;
	r.family = 4;
	memcpy(r.orig, (const uint8_t[]){192, 0, 2, client}, 4);
	memcpy(r.resp, (const uint8_t[]){192, 0, 2, 2}, 4);
	r.orig_port = port;
	r.resp_port = 80;
	snprintf(r.conn_state, sizeof(r.conn_state), "%s", state);
	r.reasons = TROUBLE_UNANSWERED;
	r.duration_ns = duration_ns;
	r.score = 1000 - uid;
	return r;
}

/*
 * Consecutive connections alike but for uid, client and duration are
 * one entry with their ranks and count; one that differs breaks the run
 * and keeps its rank.
 */
static void test_trouble_list_groups_alike_rows(void **state)
{
	struct trouble_row top[6];
	char *text;

	(void)state;
	top[0] = make_row(1, 1, 40001, "S0", 1000000);
	top[1] = make_row(2, 1, 40002, "S0", 3000000);
	top[2] = make_row(3, 1, 40003, "S0", 2000000);
	top[3] = make_row(4, 1, 40004, "REJ", 0);
	top[4] = make_row(5, 7, 40005, "S0", 0);
	top[5] = make_row(6, 8, 40006, "S0", 0);
	text = render_text(NULL, 0, top, 6);
	assert_non_null(strstr(text, "  1-3. 3 connections like "));
	assert_non_null(strstr(text, "  192.0.2.1:* > 192.0.2.2:80\n"
				     "      S0, CLOSED/CLOSED at the end, 0.001 to "
				     "0.003 s, 0+0 retransmissions each;"));
	assert_non_null(strstr(text, "   4. "));
	assert_non_null(strstr(text, "192.0.2.1:40004 > 192.0.2.2:80\n"));
	assert_non_null(strstr(text, "  5-6. 2 connections like "));
	assert_non_null(strstr(text, "  2 clients > 192.0.2.2:80\n"));
	assert_int_equal(count(text, "connections like"), 2);
	free(text);
}

static char *incident_of(const struct finding *f, size_t n)
{
	char *text = render_text(f, n, NULL, 0);
	char *start = strstr(text, "\nINCIDENT\n");
	char *end;

	assert_non_null(start);
	end = strstr(start + 1, "\n\n");
	if (end != NULL)
		end[1] = '\0';
	memmove(text, start + 1, strlen(start + 1) + 1);
	return text;
}

/*
 * Services most affected first (worst severity, then most findings),
 * capped; the window as offsets of the 80 s capture; info not counted.
 */
static void test_incident_services_and_window(void **state)
{
	struct finding f[9];
	char *text;

	(void)state;
	f[0] = make_finding(FINDING_SYN_FLOOD, SEVERITY_CRITICAL,
			    "192.0.2.9:443", 30 * SEC, 40 * SEC, false);
	for (int i = 1; i < 7; i++) {
		char subject[32];

		snprintf(subject, sizeof(subject), "192.0.2.%d:80", i);
		f[i] = make_finding(FINDING_CONNECTION_REFUSED,
				    SEVERITY_WARNING, subject,
				    12 * SEC + i * SEC / 10, 20 * SEC, false);
	}
	f[7] = make_finding(FINDING_RST_STORM, SEVERITY_WARNING,
			    "192.0.2.6:80", 73 * SEC, 73 * SEC, false);
	f[8] = make_finding(FINDING_CHECKSUM_ERRORS, SEVERITY_INFO,
			    "192.0.2.200", 1 * SEC, 79 * SEC, true);
	text = incident_of(f, 9);
	assert_string_equal(text,
		"INCIDENT\n"
		"  affected  192.0.2.9:443 (syn_flood), 192.0.2.6:80 "
		"(connection_refused and 1\n"
		"            more), 192.0.2.1:80 (connection_refused), "
		"192.0.2.2:80\n"
		"            (connection_refused), 192.0.2.3:80 "
		"(connection_refused) and 2 more\n"
		"  window    +12.1 s to +73.0 s of 80.0 s\n"
		"  state     recovered: nothing for the last 7.0 s of the "
		"capture\n");
	free(text);
}

/*
 * Connections held in a finding's state at the end make it ongoing;
 * events until the end (a detector's ongoing by recency) cannot tell.
 */
static void test_incident_state(void **state)
{
	struct finding f[2];
	char *text;

	(void)state;
	f[0] = make_finding(FINDING_HALF_OPEN, SEVERITY_WARNING,
			    "192.0.2.2:22", 1 * SEC, 2 * SEC, false);
	f[1] = make_finding(FINDING_SYN_FLOOD, SEVERITY_CRITICAL,
			    "192.0.2.2:80", 1 * SEC, 50 * SEC, true);
	text = incident_of(f, 2);
	assert_non_null(strstr(text, "still ongoing at the capture's end: 1 of "
				     "2 findings, as"));
	free(text);
	f[1] = make_finding(FINDING_CLOSE_WAIT_LEAK, SEVERITY_WARNING,
			    "192.0.2.2:80", 1 * SEC, 80 * SEC - SEC / 2, false);
	text = incident_of(f, 2);
	assert_non_null(strstr(text, "seen until the capture's end (0.500 s "
				     "before it)"));
	free(text);
	f[1].ongoing = true;    /* recent events, nothing held */
	text = incident_of(f, 2);
	assert_null(strstr(text, "still ongoing"));
	assert_non_null(strstr(text, "seen until the capture's end"));
	free(text);
}

/* Clients of all the services' findings, once each; one is named. */
static void test_incident_clients(void **state)
{
	struct finding f[3];
	uint8_t a[16] = {192, 0, 2, 1}, b[16] = {192, 0, 2, 7};
	char *text;

	(void)state;
	f[0] = make_finding(FINDING_CONNECTION_REFUSED, SEVERITY_WARNING,
			    "192.0.2.2:80", 1 * SEC, 2 * SEC, false);
	f[1] = make_finding(FINDING_SYN_UNANSWERED, SEVERITY_WARNING,
			    "192.0.2.3:80", 1 * SEC, 2 * SEC, false);
	f[2] = make_finding(FINDING_CHECKSUM_ERRORS, SEVERITY_INFO,
			    "192.0.2.200", 1 * SEC, 2 * SEC, false);
	client_tally_add(&f[0].clients, a, 4, 0);
	client_tally_add(&f[1].clients, a, 4, 0);
	client_tally_add(&f[2].clients, b, 4, 0);       /* info: not counted */
	text = incident_of(f, 3);
	assert_non_null(strstr(text, "  clients   1: 192.0.2.1\n"));
	free(text);
	client_tally_add(&f[1].clients, b, 4, 0);
	client_tally_add(&f[1].clients, a, 4, 3);       /* another tunnel's */
	text = incident_of(f, 3);
	assert_non_null(strstr(text, "  clients   3\n"));
	free(text);
}

/* Nothing at warning: one line; poor coverage says the line is limited. */
static void test_incident_nothing(void **state)
{
	struct finding f[2];
	char *text;

	(void)state;
	f[0] = make_finding(FINDING_CHECKSUM_ERRORS, SEVERITY_INFO,
			    "192.0.2.200", 1 * SEC, 79 * SEC, true);
	text = incident_of(f, 1);
	assert_string_equal(text, "INCIDENT\n  nothing at warning or above\n");
	free(text);
	f[1] = make_finding(FINDING_CAPTURE_COVERAGE, SEVERITY_INFO,
			    "capture", 0, 80 * SEC, false);
	text = incident_of(f, 2);
	assert_non_null(strstr(text, "nothing at warning or above, but much of "
				     "the capture"));
	assert_non_null(strstr(text, "limited by it\n"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_why_and_do_once_per_group),
		cmocka_unit_test(test_group_gathers_interleaved_subjects),
		cmocka_unit_test(test_group_advice_fills_common_values),
		cmocka_unit_test(test_trouble_list_groups_alike_rows),
		cmocka_unit_test(test_incident_services_and_window),
		cmocka_unit_test(test_incident_state),
		cmocka_unit_test(test_incident_clients),
		cmocka_unit_test(test_incident_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
