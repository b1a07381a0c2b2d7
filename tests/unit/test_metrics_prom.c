/*
 * The Prometheus text of `tcplens live` (reports/metrics_prom.c) from a
 * snapshot made by hand: the whole text exactly, label values escaped,
 * the hosts past --metrics-max-hosts and SYN-only hosts (a flood's
 * spoofed sources) summed under host="other", and a buffer too small.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "metrics_prom.h"
#include "tcp_state.h"

struct fixture {
	struct engine_snapshot snap;
	struct host_state_row hosts[4];
	struct engine_finding findings[2];
	struct live_counts counts;
	struct metrics_prom_tally tally;
	struct metrics_prom_input in;
	char text[65536];
};

static void host(struct host_state_row *r, const char *addr, int state,
		 uint32_t n)
{
	memset(r, 0, sizeof(*r));
	r->family = 4;
	inet_pton(AF_INET, addr, r->addr);
	r->count[state] = n;
	r->total = n;
}

static void finding(struct engine_finding *ef, enum finding_id id,
		    enum finding_severity sev, bool ongoing)
{
	memset(ef, 0, sizeof(*ef));
	ef->finding.id = id;
	ef->finding.severity = sev;
	ef->finding.ongoing = ongoing;
	ef->change = FINDING_CHANGE_NEW;
}

static struct fixture *fixture_new(void)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct engine_snapshot *s = &fx->snap;

	assert_non_null(fx);
	/* Most sockets first, as a snapshot lists them. */
	host(&fx->hosts[0], "192.0.2.2", TCP_STATE_CLOSE_WAIT, 40);
	fx->hosts[0].count[TCP_STATE_LISTEN] = 1;
	fx->hosts[0].total = 41;
	host(&fx->hosts[1], "192.0.2.1", TCP_STATE_ESTABLISHED, 5);
	host(&fx->hosts[2], "198.51.100.7", TCP_STATE_SYN_SENT, 3);
	host(&fx->hosts[3], "192.0.2.3", TCP_STATE_FIN_WAIT1, 2);
	s->parts = SNAPSHOT_SOCKETS | SNAPSHOT_FINDINGS;
	s->hosts = fx->hosts;
	s->n_hosts = 4;
	finding(&fx->findings[0], FINDING_CLOSE_WAIT_LEAK, SEVERITY_WARNING,
		true);
	finding(&fx->findings[1], FINDING_SYN_FLOOD, SEVERITY_CRITICAL, false);
	s->findings = fx->findings;
	s->n_findings = 2;
	s->counters.flows_created = 90;
	s->counters.flows_evicted = 4;
	s->rates = (struct engine_rate_counts){
		.syn = 60, .syn_ack = 50, .rst = 7, .retrans_timeout = 3,
		.retrans_fast = 2, .retrans_spurious = 1, .retrans = 9,
		.new_conns = 60, .half_open = 10,
		.zero_window_ns = 2500000001,
		.resets = {[0] = 2, [2] = 1}};
	fx->counts = (struct live_counts){.packets = 99, .bytes = 12345,
					  .received = 100, .app_drops = 1};
	metrics_prom_tally_add(&fx->tally, s);
	fx->in = (struct metrics_prom_input){
		.snap = s, .counts = &fx->counts, .flows = 45,
		.tally = &fx->tally, .max_hosts = 2};
	return fx;
}

static size_t format(struct fixture *fx)
{
	size_t len = metrics_prom_format(fx->text, sizeof(fx->text), &fx->in);

	assert_true(len < sizeof(fx->text));
	assert_int_equal(strlen(fx->text), len);
	return len;
}

static const char expected[] =
	"# HELP tcplens_capture_received_packets_total Packets read from the capture source.\n"
	"# TYPE tcplens_capture_received_packets_total counter\n"
	"tcplens_capture_received_packets_total 100\n"
	"# HELP tcplens_capture_analyzed_packets_total Packets the analysis took.\n"
	"# TYPE tcplens_capture_analyzed_packets_total counter\n"
	"tcplens_capture_analyzed_packets_total 99\n"
	"# HELP tcplens_capture_analyzed_bytes_total Wire bytes of the packets the analysis took.\n"
	"# TYPE tcplens_capture_analyzed_bytes_total counter\n"
	"tcplens_capture_analyzed_bytes_total 12345\n"
	"# HELP tcplens_capture_queue_dropped_packets_total Packets tcplens could not take: its queue was full.\n"
	"# TYPE tcplens_capture_queue_dropped_packets_total counter\n"
	"tcplens_capture_queue_dropped_packets_total 1\n"
	"# HELP tcplens_flows Flows tracked now.\n"
	"# TYPE tcplens_flows gauge\n"
	"tcplens_flows 45\n"
	"# HELP tcplens_flows_created_total Flows tracked since the start.\n"
	"# TYPE tcplens_flows_created_total counter\n"
	"tcplens_flows_created_total 90\n"
	"# HELP tcplens_flows_evicted_total Flows ended early: the flow table was full (max_flows) or memory ran out.\n"
	"# TYPE tcplens_flows_evicted_total counter\n"
	"tcplens_flows_evicted_total{reason=\"max_flows\"} 4\n"
	"tcplens_flows_evicted_total{reason=\"out_of_memory\"} 0\n"
	"# HELP tcplens_tcp_syn_segments_total TCP SYN segments without ACK, each one sent again too.\n"
	"# TYPE tcplens_tcp_syn_segments_total counter\n"
	"tcplens_tcp_syn_segments_total 60\n"
	"# HELP tcplens_tcp_syn_ack_segments_total TCP SYN-ACK segments, each one sent again too.\n"
	"# TYPE tcplens_tcp_syn_ack_segments_total counter\n"
	"tcplens_tcp_syn_ack_segments_total 50\n"
	"# HELP tcplens_tcp_rst_segments_total TCP RST segments.\n"
	"# TYPE tcplens_tcp_rst_segments_total counter\n"
	"tcplens_tcp_rst_segments_total 7\n"
	"# HELP tcplens_tcp_retransmissions_total TCP data or FIN segments sent again, by kind (tcplens-diagnostics(7), retransmit_burst).\n"
	"# TYPE tcplens_tcp_retransmissions_total counter\n"
	"tcplens_tcp_retransmissions_total{kind=\"timeout\"} 3\n"
	"tcplens_tcp_retransmissions_total{kind=\"fast\"} 2\n"
	"tcplens_tcp_retransmissions_total{kind=\"spurious\"} 1\n"
	"# HELP tcplens_tcp_resets_total TCP connections reset, by why their first RST was sent (tcplens-diagnostics(7), abortive_close).\n"
	"# TYPE tcplens_tcp_resets_total counter\n"
	"tcplens_tcp_resets_total{cause=\"refused\"} 2\n"
	"tcplens_tcp_resets_total{cause=\"close_with_unread_data\"} 0\n"
	"tcplens_tcp_resets_total{cause=\"linger_zero\"} 1\n"
	"tcplens_tcp_resets_total{cause=\"write_after_close\"} 0\n"
	"tcplens_tcp_resets_total{cause=\"unknown_connection\"} 0\n"
	"tcplens_tcp_resets_total{cause=\"out_of_window\"} 0\n"
	"tcplens_tcp_resets_total{cause=\"timeout\"} 0\n"
	"tcplens_tcp_resets_total{cause=\"handshake_aborted\"} 0\n"
	"# HELP tcplens_tcp_connections_total TCP connections the tracker began following.\n"
	"# TYPE tcplens_tcp_connections_total counter\n"
	"tcplens_tcp_connections_total 60\n"
	"# HELP tcplens_tcp_zero_window_seconds_total Time TCP endpoints advertised a zero window, summed over endpoints.\n"
	"# TYPE tcplens_tcp_zero_window_seconds_total counter\n"
	"tcplens_tcp_zero_window_seconds_total 2.500000001\n"
	"# HELP tcplens_tcp_half_open_connections TCP connections with an endpoint in SYN_SENT or SYN_RECV now.\n"
	"# TYPE tcplens_tcp_half_open_connections gauge\n"
	"tcplens_tcp_half_open_connections 10\n"
	"# HELP tcplens_tcp_sockets TCP sockets each host holds as the wire shows them (tcplens states), by state; the hosts past --metrics-max-hosts summed as host=\"other\".\n"
	"# TYPE tcplens_tcp_sockets gauge\n"
#define STATES(h, est, ss, sr, fw1, cw, li)                                   \
	"tcplens_tcp_sockets{host=\"" h "\",state=\"established\"} " est "\n"  \
	"tcplens_tcp_sockets{host=\"" h "\",state=\"syn_sent\"} " ss "\n"      \
	"tcplens_tcp_sockets{host=\"" h "\",state=\"syn_recv\"} " sr "\n"      \
	"tcplens_tcp_sockets{host=\"" h "\",state=\"fin_wait1\"} " fw1 "\n"    \
	"tcplens_tcp_sockets{host=\"" h "\",state=\"fin_wait2\"} 0\n"          \
	"tcplens_tcp_sockets{host=\"" h "\",state=\"time_wait\"} 0\n"          \
	"tcplens_tcp_sockets{host=\"" h "\",state=\"close\"} 0\n"              \
	"tcplens_tcp_sockets{host=\"" h "\",state=\"close_wait\"} " cw "\n"    \
	"tcplens_tcp_sockets{host=\"" h "\",state=\"last_ack\"} 0\n"           \
	"tcplens_tcp_sockets{host=\"" h "\",state=\"listen\"} " li "\n"        \
	"tcplens_tcp_sockets{host=\"" h "\",state=\"closing\"} 0\n"
	/* Most trouble first: CLOSE_WAIT, then FIN_WAIT1. */
	STATES("192.0.2.2", "0", "0", "0", "0", "40", "1")
	STATES("192.0.2.3", "0", "0", "0", "2", "0", "0")
	/* 192.0.2.1 past the two, 198.51.100.7 never a label. */
	STATES("other", "5", "3", "0", "0", "0", "0")
	"# HELP tcplens_findings_active Findings whose condition holds now, by id and severity.\n"
	"# TYPE tcplens_findings_active gauge\n"
	"tcplens_findings_active{id=\"syn_flood\",severity=\"critical\"} 0\n"
	"tcplens_findings_active{id=\"close_wait_leak\",severity=\"warning\"} 1\n"
	"# HELP tcplens_findings_total Findings listed since the start, by id and the severity first listed with.\n"
	"# TYPE tcplens_findings_total counter\n"
	"tcplens_findings_total{id=\"syn_flood\",severity=\"critical\"} 1\n"
	"tcplens_findings_total{id=\"close_wait_leak\",severity=\"warning\"} 1\n";

static void whole_text(void **state)
{
	struct fixture *fx = fixture_new();

	(void)state;
	format(fx);
	assert_string_equal(fx->text, expected);
	free(fx);
}

/* Kernel and interface drops only where the source counts them. */
static void drops_when_known(void **state)
{
	struct fixture *fx = fixture_new();

	(void)state;
	fx->counts.has_ps_drop = fx->counts.has_ps_ifdrop = true;
	fx->counts.ps_drop = 17;
	fx->counts.ps_ifdrop = 2;
	format(fx);
	assert_non_null(strstr(fx->text, "\ntcplens_capture_kernel_dropped_packets_total 17\n"));
	assert_non_null(strstr(fx->text, "\ntcplens_capture_interface_dropped_packets_total 2\n"));
	free(fx);
}

static void label_values_escaped(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(metrics_prom_label_value(out, sizeof(out), "a\\b\"c\nd"), 10);
	assert_string_equal(out, "a\\\\b\\\"c\\nd");
	assert_int_equal(metrics_prom_label_value(out, 4, "\"\"\""), 6);
	assert_string_equal(out, "\\\"\\");
}

/*
 * Every host within the bound gets its label and no "other"; none with
 * a bound of 0; a thousand spoofed-looking SYN-only hosts add no label.
 */
static void other_bucket(void **state)
{
	struct fixture *fx = fixture_new();
	struct host_state_row *many = calloc(1003, sizeof(*many));
	char ip[64];

	(void)state;
	assert_non_null(many);
	fx->in.max_hosts = 3;
	format(fx);
	assert_non_null(strstr(fx->text, "{host=\"192.0.2.1\",state=\"established\"} 5\n"));
	assert_null(strstr(fx->text, "host=\"198.51.100.7\""));
	/* The SYN-only host is summed: "other" is there for it alone. */
	assert_non_null(strstr(fx->text, "{host=\"other\",state=\"syn_sent\"} 3\n"));
	assert_non_null(strstr(fx->text, "{host=\"other\",state=\"established\"} 0\n"));

	fx->in.max_hosts = 0;
	format(fx);
	assert_null(strstr(fx->text, "host=\"192."));
	assert_non_null(strstr(fx->text, "{host=\"other\",state=\"close_wait\"} 40\n"));
	assert_non_null(strstr(fx->text, "{host=\"other\",state=\"established\"} 5\n"));

	memcpy(many, fx->hosts, 3 * sizeof(*many));
	for (int i = 3; i < 1003; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.1", i / 256, i % 256);
		host(&many[i], ip, TCP_STATE_SYN_SENT, 1);
	}
	fx->snap.hosts = many;
	fx->snap.n_hosts = 1003;
	fx->in.max_hosts = METRICS_PROM_MAX_HOSTS;
	format(fx);
	assert_null(strstr(fx->text, "host=\"10."));
	assert_non_null(strstr(fx->text, "{host=\"other\",state=\"syn_sent\"} 1003\n"));
	free(many);
	free(fx);
}

/* The bound keeps the most troubled, whatever order the rows come in. */
static void most_troubled_kept(void **state)
{
	struct fixture *fx = fixture_new();
	struct host_state_row *many = calloc(200, sizeof(*many));
	char ip[64];

	(void)state;
	assert_non_null(many);
	for (int i = 0; i < 200; i++) {
		snprintf(ip, sizeof(ip), "10.0.%d.1", i);
		/* Host i holds i CLOSE_WAIT sockets and 300 - i established. */
		host(&many[i], ip, TCP_STATE_ESTABLISHED, 300 - (uint32_t)i);
		many[i].count[TCP_STATE_CLOSE_WAIT] = (uint32_t)i;
		many[i].total = 300;
	}
	fx->snap.hosts = many;
	fx->snap.n_hosts = 200;
	fx->in.max_hosts = 50;
	format(fx);
	for (int i = 0; i < 200; i++) {
		snprintf(ip, sizeof(ip), "{host=\"10.0.%d.1\",state=\"close_wait\"}", i);
		if (i >= 150)
			assert_non_null(strstr(fx->text, ip));
		else
			assert_null(strstr(fx->text, ip));
	}
	/* In rank order: 199 first. */
	assert_true(strstr(fx->text, "10.0.199.1") < strstr(fx->text, "10.0.150.1"));
	free(many);
	free(fx);
}

/* A counter never goes down: a withdrawn finding stays counted. */
static void tally_counts_new_only(void **state)
{
	struct fixture *fx = fixture_new();

	(void)state;
	fx->findings[0].change = FINDING_CHANGE_SAME;
	fx->findings[1].change = FINDING_CHANGE_WITHDRAWN;
	metrics_prom_tally_add(&fx->tally, &fx->snap);
	assert_int_equal(fx->tally.listed[FINDING_CLOSE_WAIT_LEAK][SEVERITY_WARNING], 1);
	assert_int_equal(fx->tally.listed[FINDING_SYN_FLOOD][SEVERITY_CRITICAL], 1);
	fx->snap.n_findings = 0;
	format(fx);
	assert_non_null(strstr(fx->text, "tcplens_findings_total{id=\"syn_flood\",severity=\"critical\"} 1\n"));
	assert_non_null(strstr(fx->text, "tcplens_findings_active{id=\"syn_flood\",severity=\"critical\"} 0\n"));
	free(fx);
}

/* Too small: cut, terminated, and the length needed returned. */
static void buffer_too_small(void **state)
{
	struct fixture *fx = fixture_new();
	char small[100];
	size_t len;

	(void)state;
	len = metrics_prom_format(small, sizeof(small), &fx->in);
	assert_int_equal(len, strlen(expected));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, expected, sizeof(small) - 1);
	assert_int_equal(metrics_prom_format(NULL, 0, &fx->in), len);
	free(fx);
}

/* The export's series only with an export, each sink only when in use. */
static void export_series(void **state)
{
	struct fixture *fx = fixture_new();
	struct metrics_prom_export ex = {
		.clickhouse = true, .records_clickhouse = 1200,
		.dropped_queue = 3, .dropped_spill = 40, .spill_bytes = 65536,
		.insert_failures = 5};

	(void)state;
	format(fx);
	assert_null(strstr(fx->text, "tcplens_export_"));
	fx->in.export = &ex;
	format(fx);
	assert_non_null(strstr(fx->text,
		"tcplens_export_records_total{sink=\"clickhouse\"} 1200\n"));
	assert_null(strstr(fx->text, "sink=\"files\""));
	assert_non_null(strstr(fx->text,
		"tcplens_export_dropped_records_total{reason=\"queue_full\"} 3\n"
		"tcplens_export_dropped_records_total{reason=\"spill_full\"} 40\n"));
	assert_non_null(strstr(fx->text, "\ntcplens_export_spill_bytes 65536\n"));
	assert_non_null(strstr(fx->text,
		"\ntcplens_export_insert_failures_total 5\n"));
	ex = (struct metrics_prom_export){.files = true, .records_files = 7};
	format(fx);
	assert_non_null(strstr(fx->text,
		"tcplens_export_records_total{sink=\"files\"} 7\n"));
	assert_null(strstr(fx->text, "tcplens_export_spill_bytes"));
	free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whole_text),
		cmocka_unit_test(drops_when_known),
		cmocka_unit_test(label_values_escaped),
		cmocka_unit_test(other_bucket),
		cmocka_unit_test(most_troubled_kept),
		cmocka_unit_test(tally_counts_new_only),
		cmocka_unit_test(buffer_too_small),
		cmocka_unit_test(export_series),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
