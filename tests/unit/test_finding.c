#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "finding.h"

/* The ids issue 6 names, in its order: the documented output. */
static const char *const expected_ids[] = {
	"syn_flood", "syn_unanswered", "connection_refused",
	"close_wait_leak", "time_wait_accumulation", "rst_storm",
	"abortive_close", "retransmit_burst", "zero_window_stall",
	"half_open", "port_scan", "icmp_error", "fragmentation",
	"nagle_delayed_ack", "checksum_errors", "short_connection_churn",
	"accept_queue_overflow",
	"capture_coverage",
};

static void test_ids_and_names(void **state)
{
	(void)state;
	assert_int_equal(sizeof(expected_ids) / sizeof(expected_ids[0]),
			 FINDING_COUNT);
	for (int i = 0; i < FINDING_COUNT; i++) {
		enum finding_id id;

		assert_string_equal(finding_id_name((enum finding_id)i),
				    expected_ids[i]);
		assert_true(finding_id_parse(expected_ids[i], &id));
		assert_int_equal(id, i);
	}
	assert_null(finding_id_name(FINDING_COUNT));
	assert_null(finding_advice(FINDING_COUNT));
	{
		enum finding_id id;

		assert_false(finding_id_parse("syn-flood", &id));
		assert_false(finding_id_parse("", &id));
	}
}

static void test_severities(void **state)
{
	static const char *const names[] = {"info", "warning", "critical"};

	(void)state;
	for (int i = 0; i < 3; i++) {
		enum finding_severity s;

		assert_string_equal(finding_severity_name((enum finding_severity)i),
				    names[i]);
		assert_true(finding_severity_parse(names[i], &s));
		assert_int_equal(s, i);
	}
	{
		enum finding_severity s;

		assert_false(finding_severity_parse("error", &s));
	}
	assert_int_equal(finding_default_severity(FINDING_SYN_FLOOD),
			 SEVERITY_CRITICAL);
}

static void test_every_text_present(void **state)
{
	(void)state;
	for (int i = 0; i < FINDING_COUNT; i++) {
		enum finding_id id = (enum finding_id)i;

		assert_non_null(finding_title(id));
		/* A title goes on one report line beside the id. */
		assert_true(strlen(finding_title(id)) > 10);
		assert_true(strlen(finding_title(id)) <= 72);
		assert_true(strlen(finding_explanation(id)) > 100);
		assert_true(strlen(finding_advice(id)) > 100);
	}
}

/* Does text hold needle? */
static int has(const char *text, const char *needle)
{
	return strstr(text, needle) != NULL;
}

/*
 * Advice the seeds gave and current Linux refutes (LINUX-TCP-FACTS):
 * none of it may come back.
 */
static void test_no_harmful_advice(void **state)
{
	static const char *const never[] = {
		"tcp_tw_recycle=1", "tcp_sack=0", "tcp_timestamps=0",
		"tcp_window_scaling=0", "tcp_syncookies=0", "tcp_dsack=0",
		"tcp_fin_timeout shortens",
	};

	(void)state;
	for (int i = 0; i < FINDING_COUNT; i++) {
		const char *texts[2] = {
			finding_explanation((enum finding_id)i),
			finding_advice((enum finding_id)i),
		};

		for (int t = 0; t < 2; t++) {
			for (size_t k = 0; k < sizeof(never) / sizeof(never[0]); k++)
				assert_false(has(texts[t], never[k]));
			/* Named only to say it is gone. */
			if (has(texts[t], "tcp_tw_recycle"))
				assert_true(has(texts[t], "removed in Linux 4.12"));
			/* Named in TIME_WAIT advice only to say what it is not. */
			if (i == FINDING_TIME_WAIT_ACCUMULATION && t == 1)
				assert_true(has(texts[t], "tcp_fin_timeout does not shorten TIME_WAIT"));
		}
	}
}

/*
 * Dated numbers the advice once gave (issue 14 item 10,
 * LINUX-TCP-FACTS): the SYN schedule is linear first on current kernels,
 * tcp_max_syn_backlog's default depends on memory, and a dead peer is no
 * packet loss.
 */
static void test_advice_is_current(void **state)
{
	static const char *const dated[] = {
		"tcp_max_syn_backlog, 2048", "tcp_max_syn_backlog (2048",
		"backlog, 128", "backlog, 256", "backlog, 1024",
		"retried it with exponential back-off",
		"takes about 127 s to fail;",
	};
	const char *why = finding_kind_explanation(FINDING_RETRANSMIT_BURST,
						   "dead_peer");
	const char *todo = finding_kind_advice(FINDING_RETRANSMIT_BURST,
					       "dead_peer");

	(void)state;
	for (int i = 0; i < FINDING_COUNT; i++)
		for (size_t k = 0; k < sizeof(dated) / sizeof(dated[0]); k++) {
			assert_false(has(finding_explanation((enum finding_id)i),
					 dated[k]));
			assert_false(has(finding_advice((enum finding_id)i),
					 dated[k]));
		}
	assert_true(has(finding_explanation(FINDING_SYN_UNANSWERED),
			"1, 2, 3, 4 and 5 s"));
	assert_true(has(finding_explanation(FINDING_SYN_FLOOD),
			"depends on the host's memory"));
	assert_false(has(why, "loss"));
	assert_false(has(todo, "loss"));
	assert_false(has(todo, "ethtool"));
	/* Other kinds keep the id's paragraphs. */
	assert_string_equal(finding_kind_advice(FINDING_RETRANSMIT_BURST,
						"fast"),
			    finding_advice(FINDING_RETRANSMIT_BURST));
	assert_string_equal(finding_kind_advice(FINDING_RETRANSMIT_BURST, NULL),
			    finding_advice(FINDING_RETRANSMIT_BURST));
}

/* What the issue asks each piece of advice to name. */
static void test_advice_names_the_knobs(void **state)
{
	static const struct {
		enum finding_id id;
		const char *needle;
	} must[] = {
		{FINDING_SYN_FLOOD, "net.ipv4.tcp_syncookies=1"},
		{FINDING_SYN_FLOOD, "net.ipv4.tcp_max_syn_backlog"},
		{FINDING_SYN_FLOOD, "net.ipv4.tcp_synack_retries"},
		{FINDING_SYN_FLOOD, "net.core.somaxconn"},
		{FINDING_SYN_FLOOD, "listen() backlog"},
		{FINDING_SYN_UNANSWERED, "net.ipv4.tcp_syn_retries"},
		{FINDING_CLOSE_WAIT_LEAK, "ss -tan state close-wait"},
		{FINDING_CLOSE_WAIT_LEAK, "close"},
		{FINDING_TIME_WAIT_ACCUMULATION, "net.ipv4.tcp_tw_reuse=1"},
		{FINDING_TIME_WAIT_ACCUMULATION, "net.ipv4.ip_local_port_range"},
		{FINDING_TIME_WAIT_ACCUMULATION, "SO_LINGER"},
		{FINDING_TIME_WAIT_ACCUMULATION, "keep-alive"},
		{FINDING_RETRANSMIT_BURST, "TCP_USER_TIMEOUT"},
		{FINDING_RETRANSMIT_BURST, "net.ipv4.tcp_mtu_probing=1"},
		{FINDING_NAGLE_DELAYED_ACK, "TCP_NODELAY"},
		{FINDING_ZERO_WINDOW_STALL, "ss -tmi"},
		{FINDING_HALF_OPEN, "TCP_KEEPIDLE"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++) {
		if (!has(finding_advice(must[i].id), must[i].needle))
			fail_msg("%s advice does not name %s",
				 finding_id_name(must[i].id), must[i].needle);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_and_names),
		cmocka_unit_test(test_severities),
		cmocka_unit_test(test_every_text_present),
		cmocka_unit_test(test_no_harmful_advice),
		cmocka_unit_test(test_advice_names_the_knobs),
		cmocka_unit_test(test_advice_is_current),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
