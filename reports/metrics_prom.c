#include "metrics_prom.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "finding.h"
#include "host_label.h"
#include "tcp_state.h"

/* What has been written, and the whole length it would take. */
struct text {
	char *buf;
	size_t cap, len;
};

__attribute__((format(printf, 2, 3)))
static void put(struct text *t, const char *fmt, ...)
{
	size_t room = t->len < t->cap ? t->cap - t->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room > 0 ? t->buf + t->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n;
}

/* A label value as the format quotes it: \\, \" and \n escaped. */
static void put_label_value(struct text *t, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\')
			put(t, "\\\\");
		else if (*v == '"')
			put(t, "\\\"");
		else if (*v == '\n')
			put(t, "\\n");
		else
			put(t, "%c", *v);
	}
}

size_t metrics_prom_label_value(char *out, size_t cap, const char *value)
{
	struct text t = {out, cap, 0};

	if (cap > 0)
		out[0] = '\0';
	put_label_value(&t, value);
	return t.len;
}

static void family(struct text *t, const char *name, const char *type,
		   const char *help)
{
	put(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void single(struct text *t, const char *name, const char *type,
		   const char *help, uint64_t v)
{
	family(t, name, type, help);
	put(t, "%s %" PRIu64 "\n", name, v);
}

static void capture_metrics(struct text *t, const struct live_counts *c)
{
	single(t, "tcplens_capture_received_packets_total", "counter",
	       "Packets read from the capture source.", c->received);
	single(t, "tcplens_capture_analyzed_packets_total", "counter",
	       "Packets the analysis took.", c->packets);
	single(t, "tcplens_capture_analyzed_bytes_total", "counter",
	       "Wire bytes of the packets the analysis took.", c->bytes);
	/* Absent where the source has no such count (a replay). */
	if (c->has_ps_drop)
		single(t, "tcplens_capture_kernel_dropped_packets_total",
		       "counter", "Packets the kernel dropped (pcap ps_drop).",
		       c->ps_drop);
	if (c->has_ps_ifdrop)
		single(t, "tcplens_capture_interface_dropped_packets_total",
		       "counter",
		       "Packets the interface dropped (pcap ps_ifdrop).",
		       c->ps_ifdrop);
	single(t, "tcplens_capture_queue_dropped_packets_total", "counter",
	       "Packets tcplens could not take: its queue was full.",
	       c->app_drops);
}

static void flow_metrics(struct text *t, const struct metrics_prom_input *in)
{
	const struct analyzer_stats *st = &in->snap->counters;

	single(t, "tcplens_flows", "gauge", "Flows tracked now.", in->flows);
	single(t, "tcplens_flows_created_total", "counter",
	       "Flows tracked since the start.", st->flows_created);
	family(t, "tcplens_flows_evicted_total", "counter",
	       "Flows ended early: the flow table was full (max_flows) or memory ran out.");
	put(t, "tcplens_flows_evicted_total{reason=\"max_flows\"} %" PRIu64 "\n",
	    st->flows_evicted);
	put(t, "tcplens_flows_evicted_total{reason=\"out_of_memory\"} %" PRIu64
	    "\n", st->flows_evicted_no_memory);
}

static void tcp_metrics(struct text *t, const struct engine_rate_counts *r)
{
	single(t, "tcplens_tcp_syn_segments_total", "counter",
	       "TCP SYN segments without ACK, each one sent again too.", r->syn);
	single(t, "tcplens_tcp_syn_ack_segments_total", "counter",
	       "TCP SYN-ACK segments, each one sent again too.", r->syn_ack);
	single(t, "tcplens_tcp_rst_segments_total", "counter",
	       "TCP RST segments.", r->rst);
	family(t, "tcplens_tcp_retransmissions_total", "counter",
	       "TCP data or FIN segments sent again, by kind (tcplens-diagnostics(7), retransmit_burst).");
	put(t, "tcplens_tcp_retransmissions_total{kind=\"timeout\"} %" PRIu64 "\n",
	    r->retrans_timeout);
	put(t, "tcplens_tcp_retransmissions_total{kind=\"fast\"} %" PRIu64 "\n",
	    r->retrans_fast);
	put(t, "tcplens_tcp_retransmissions_total{kind=\"spurious\"} %" PRIu64
	    "\n", r->retrans_spurious);
	family(t, "tcplens_tcp_resets_total", "counter",
	       "TCP connections reset, by why their first RST was sent (tcplens-diagnostics(7), abortive_close).");
	for (unsigned k = 0; k < DETECT_RST_CAUSES; k++)
		put(t, "tcplens_tcp_resets_total{cause=\"%s\"} %" PRIu64 "\n",
		    detectors_reset_cause_name(k), r->resets[k]);
	single(t, "tcplens_tcp_connections_total", "counter",
	       "TCP connections the tracker began following.", r->new_conns);
	family(t, "tcplens_tcp_zero_window_seconds_total", "counter",
	       "Time TCP endpoints advertised a zero window, summed over endpoints.");
	put(t, "tcplens_tcp_zero_window_seconds_total %" PRIu64 ".%09" PRIu64
	    "\n", r->zero_window_ns / 1000000000u,
	    r->zero_window_ns % 1000000000u);
	single(t, "tcplens_tcp_half_open_connections", "gauge",
	       "TCP connections with an endpoint in SYN_SENT or SYN_RECV now.",
	       r->half_open);
}

/* node_exporter's node_tcp_connection_states values, by enum tcp_state. */
static const struct {
	int state;
	const char *name;
} state_labels[] = {
	{TCP_STATE_ESTABLISHED, "established"},
	{TCP_STATE_SYN_SENT, "syn_sent"},
	{TCP_STATE_SYN_RECV, "syn_recv"},
	{TCP_STATE_FIN_WAIT1, "fin_wait1"},
	{TCP_STATE_FIN_WAIT2, "fin_wait2"},
	{TCP_STATE_TIME_WAIT, "time_wait"},
	{TCP_STATE_CLOSED, "close"},
	{TCP_STATE_CLOSE_WAIT, "close_wait"},
	{TCP_STATE_LAST_ACK, "last_ack"},
	{TCP_STATE_LISTEN, "listen"},
	{TCP_STATE_CLOSING, "closing"},
};
#define N_STATE_LABELS (sizeof(state_labels) / sizeof(state_labels[0]))

static void host_sockets(struct text *t, const char *label,
			 const uint32_t *count)
{
	for (size_t k = 0; k < N_STATE_LABELS; k++) {
		put(t, "tcplens_tcp_sockets{host=\"");
		put_label_value(t, label);
		put(t, "\",state=\"%s\"} %" PRIu32 "\n", state_labels[k].name,
		    count[state_labels[k].state]);
	}
}

/* Whether host a comes before host b: more trouble, more sockets, listed first. */
static bool ranks_before(const struct host_state_row *hosts, size_t a,
			 size_t b)
{
	uint64_t ta = host_state_row_trouble(&hosts[a]);
	uint64_t tb = host_state_row_trouble(&hosts[b]);

	if (ta != tb)
		return ta > tb;
	if (hosts[a].total != hosts[b].total)
		return hosts[a].total > hosts[b].total;
	return a < b;
}

/*
 * A host may be a label only once it has a socket in a state other than
 * SYN_SENT: it has sent more than SYNs.  The spoofed sources of a SYN
 * flood send SYNs and nothing else (their addresses answer a SYN-ACK
 * with a RST, which ends the flow, or not at all), so their sockets are
 * all SYN_SENT, and however few or many they are, none is ever a label:
 * each would be a series Prometheus keeps for hours.  A real client
 * whose connects all go unanswered is summed under "other" with them.
 */
static bool may_be_label(const struct host_state_row *r)
{
	return r->total > r->count[TCP_STATE_SYN_SENT];
}

/*
 * The most troubled max hosts, in rank order, into picked: kept sorted
 * as the hosts are walked, so a host that ranks below the last kept
 * costs one comparison.
 */
static size_t pick_hosts(const struct host_state_row *hosts, size_t n,
			 size_t max, size_t *picked)
{
	size_t n_picked = 0;

	for (size_t i = 0; i < n; i++) {
		size_t at;

		if (!may_be_label(&hosts[i]))
			continue;
		if (n_picked == max &&
		    (max == 0 || !ranks_before(hosts, i, picked[max - 1])))
			continue;
		at = n_picked < max ? n_picked++ : max - 1;
		while (at > 0 && ranks_before(hosts, i, picked[at - 1])) {
			picked[at] = picked[at - 1];
			at--;
		}
		picked[at] = i;
	}
	return n_picked;
}

static void socket_metrics(struct text *t, const struct metrics_prom_input *in)
{
	const struct engine_snapshot *s = in->snap;
	size_t picked[METRICS_PROM_MAX_HOSTS_LIMIT];
	size_t max = in->max_hosts < METRICS_PROM_MAX_HOSTS_LIMIT
			     ? in->max_hosts
			     : METRICS_PROM_MAX_HOSTS_LIMIT;
	size_t n = pick_hosts(s->hosts, s->n_hosts, max, picked);
	uint32_t other[TCP_STATE_COUNT] = {0};
	char label[HOST_LABEL_LEN];

	family(t, "tcplens_tcp_sockets", "gauge",
	       "TCP sockets each host holds as the wire shows them (tcplens states), by state; the hosts past --metrics-max-hosts summed as host=\"other\".");
	for (size_t k = 0; k < n; k++) {
		const struct host_state_row *r = &s->hosts[picked[k]];

		host_label_text(r->family, r->addr, r->tunnel, in->tunnels,
				label, sizeof(label));
		host_sockets(t, label, r->count);
	}
	if (s->n_hosts == n)
		return;
	for (size_t i = 0; i < s->n_hosts; i++)
		for (int st = 0; st < TCP_STATE_COUNT; st++)
			other[st] += s->hosts[i].count[st];
	for (size_t k = 0; k < n; k++)
		for (int st = 0; st < TCP_STATE_COUNT; st++)
			other[st] -= s->hosts[picked[k]].count[st];
	host_sockets(t, "other", other);
}

void metrics_prom_tally_add(struct metrics_prom_tally *t,
			    const struct engine_snapshot *s)
{
	for (size_t i = 0; i < s->n_findings; i++) {
		const struct finding *f = &s->findings[i].finding;

		if (s->findings[i].change == FINDING_CHANGE_NEW &&
		    (unsigned)f->id < FINDING_COUNT &&
		    (unsigned)f->severity < 3)
			t->listed[f->id][f->severity]++;
	}
}

/*
 * A series for every id and severity listed so far, so that a finding
 * that clears reads 0 active rather than vanishing.
 */
static void finding_metrics(struct text *t, const struct metrics_prom_input *in)
{
	uint64_t active[FINDING_COUNT][3] = {{0}};
	const struct engine_snapshot *s = in->snap;

	for (size_t i = 0; i < s->n_findings; i++) {
		const struct finding *f = &s->findings[i].finding;

		if (f->ongoing && (unsigned)f->id < FINDING_COUNT &&
		    (unsigned)f->severity < 3)
			active[f->id][f->severity]++;
	}
	for (int pass = 0; pass < 2; pass++) {
		const char *name = pass == 0 ? "tcplens_findings_active"
					     : "tcplens_findings_total";

		if (pass == 0)
			family(t, name, "gauge",
			       "Findings whose condition holds now, by id and severity.");
		else
			family(t, name, "counter",
			       "Findings listed since the start, by id and the severity first listed with.");
		for (int id = 0; id < FINDING_COUNT; id++)
			for (int sev = 2; sev >= 0; sev--) {
				const uint64_t *listed = in->tally->listed[id];

				if (listed[sev] == 0 && active[id][sev] == 0)
					continue;
				put(t, "%s{id=\"%s\",severity=\"%s\"} %" PRIu64
				    "\n", name, finding_id_name(id),
				    finding_severity_name(sev),
				    pass == 0 ? active[id][sev] : listed[sev]);
			}
	}
}

/* Only with an export: a run without one has no such series. */
static void export_metrics(struct text *t, const struct metrics_prom_export *x)
{
	const char *name;

	if (x == NULL || (!x->files && !x->clickhouse))
		return;
	name = "tcplens_export_records_total";
	family(t, name, "counter",
	       "Flow and finding records exported, by sink (files: in closed files; clickhouse: rows the server took).");
	if (x->files)
		put(t, "%s{sink=\"files\"} %" PRIu64 "\n", name, x->records_files);
	if (x->clickhouse)
		put(t, "%s{sink=\"clickhouse\"} %" PRIu64 "\n", name,
		    x->records_clickhouse);
	name = "tcplens_export_dropped_records_total";
	family(t, name, "counter",
	       "Records not exported: the export queue was full, or the spill directory was.");
	put(t, "%s{reason=\"queue_full\"} %" PRIu64 "\n", name, x->dropped_queue);
	put(t, "%s{reason=\"spill_full\"} %" PRIu64 "\n", name, x->dropped_spill);
	if (!x->clickhouse)
		return;
	single(t, "tcplens_export_spill_bytes", "gauge",
	       "Bytes of batches spilled to disk, waiting for ClickHouse.",
	       x->spill_bytes);
	single(t, "tcplens_export_insert_failures_total", "counter",
	       "Requests to ClickHouse that failed (retried later).",
	       x->insert_failures);
}

size_t metrics_prom_format(char *buf, size_t cap,
			   const struct metrics_prom_input *in)
{
	struct text t = {buf, cap, 0};

	if (cap > 0)
		buf[0] = '\0';
	capture_metrics(&t, in->counts);
	flow_metrics(&t, in);
	tcp_metrics(&t, &in->snap->rates);
	socket_metrics(&t, in);
	finding_metrics(&t, in);
	export_metrics(&t, in->export);
	return t.len;
}
