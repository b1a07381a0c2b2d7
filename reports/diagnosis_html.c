#include "diagnosis_html.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "addr_format.h"
#include "finding_commands.h"
#include "host_label.h"
#include "html_escape.h"
#include "incident_summary.h"
#include "mem_stream.h"
#include "quality_report.h"
#include "time_format.h"

#define NS_PER_SEC 1000000000LL
/* Hosts the end-of-capture table lists, as the text report does. */
#define HTML_TABLE_HOSTS 20

/* Colours always come with the state's or rate's name beside them. */
static const struct {
	const char *name, *color;
	int state;
} host_states[HTML_HOST_STATES] = {
	[HTML_ESTABLISHED] = {"ESTABLISHED", "#4e8f3a", TCP_STATE_ESTABLISHED},
	[HTML_SYN_RECV] = {"SYN_RECV", "#c99700", TCP_STATE_SYN_RECV},
	[HTML_CLOSE_WAIT] = {"CLOSE_WAIT", "#c0392b", TCP_STATE_CLOSE_WAIT},
	[HTML_TIME_WAIT] = {"TIME_WAIT", "#7b8a99", TCP_STATE_TIME_WAIT},
};

static const struct {
	const char *name, *color;
} rates[HTML_RATES] = {
	[HTML_RATE_SYN] = {"SYN/s", "#c99700"},
	[HTML_RATE_RST] = {"RST/s", "#c0392b"},
	[HTML_RATE_RETRANS] = {"retransmissions/s", "#2f6db5"},
};

/* No '<' or '&' in here: the page is XML too. */
static const char page_style[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;"
	"max-width:1000px;padding:1em;color:#1d232a;background:#fff}"
	"h1{font-size:1.4em}h2{font-size:1.2em;border-bottom:1px solid #ccd;"
	"margin-top:2em}h3{font-size:1.05em;margin:.2em 0}"
	"pre{background:#f4f5f7;padding:.6em;overflow-x:auto;"
	"font-size:12.5px;white-space:pre-wrap}"
	"code{font-size:12.5px}"
	".finding,.conn{border:1px solid #d5d9e0;border-left-width:6px;"
	"border-radius:4px;padding:.5em .9em;margin:.8em 0}"
	".finding[data-severity=critical]{border-left-color:#c0392b}"
	".finding[data-severity=warning]{border-left-color:#c99700}"
	".finding[data-severity=info]{border-left-color:#2f6db5}"
	".sev{font-weight:bold;text-transform:uppercase}"
	"dl{display:grid;grid-template-columns:7em 1fr;gap:.2em .8em;margin:.4em 0}"
	"dt{color:#5a6470}dd{margin:0;white-space:pre-line}"
	"table{border-collapse:collapse}td,th{padding:.15em .6em;"
	"border-bottom:1px solid #e3e6ea;text-align:left}"
	"td.n{text-align:right;font-variant-numeric:tabular-nums}"
	".swatch{display:inline-block;width:.9em;height:.9em;"
	"vertical-align:-.1em;margin:0 .3em 0 .9em;border:1px solid #555}"
	"svg{max-width:100%;height:auto}"
	".note{color:#5a6470}";

static void esc(FILE *out, const char *s)
{
	html_escape(out, s);
}

static void format_time(int64_t ns, int decimals, char *out, size_t outlen)
{
	struct pkt_time t;

	t.sec = ns / NS_PER_SEC;
	t.nsec = (uint32_t)(ns % NS_PER_SEC);
	if (ns < 0 && t.nsec != 0) {
		t.sec--;
		t.nsec = (uint32_t)(ns % NS_PER_SEC + NS_PER_SEC);
	}
	time_format_iso(out, outlen, t, decimals);
}

/*
 * What a text renderer of the report writes (quality, incident), as
 * preformatted text: one wording for both formats.
 */
static void pre_of(FILE *out, void (*render)(FILE *, const void *),
		   const void *arg)
{
	struct mem_stream m = {0};

	if (!mem_stream_open(&m, _IOFBF))
		return;
	render(m.f, arg);
	if (mem_stream_close(&m) && m.len > 0) {
		fputs("<pre>", out);
		html_escape_n(out, m.buf, m.len);
		fputs("</pre>\n", out);
	}
	mem_stream_free(&m);
}

static void quality_text(FILE *out, const void *arg)
{
	const struct diagnosis_view *v = arg;
	struct quality_changes c = {v->adjusted, v->n_adjusted,
				    v->adjusted_more};

	quality_render_text(out, v->quality, true, &c);
}

static void incident_text(FILE *out, const void *arg)
{
	incident_render_text(out, arg);
}

/* ------------------------------------------------------------ summary */

static void html_summary(FILE *out, const struct diagnosis_view *v)
{
	const struct analyzer_stats *st = v->stats;
	char a[TIME_FORMAT_LEN], b[TIME_FORMAT_LEN];
	size_t by[3] = {0, 0, 0};

	for (size_t i = 0; i < v->n_findings; i++)
		by[v->findings[i].severity]++;
	fputs("<h2 id=\"summary\">Capture</h2>\n<dl>\n<dt>files</dt><dd>", out);
	for (size_t i = 0; i < v->n_inputs; i++) {
		fputs(i > 0 ? " " : "", out);
		esc(out, v->inputs[i]);
	}
	if (v->sensor != NULL) {
		fputs("</dd>\n<dt>sensor</dt><dd>", out);
		esc(out, v->sensor);
	}
	fprintf(out, "</dd>\n<dt>capture</dt><dd>%" PRIu64 " packets", st->packets);
	if (st->packets > 0 && st->first_ts != 0) {
		format_time(st->first_ts, v->ts_decimals, a, sizeof(a));
		format_time(st->last_ts, v->ts_decimals, b, sizeof(b));
		fprintf(out, " from %s to %s (%.3f s)", a, b,
			(double)(st->last_ts - st->first_ts) / NS_PER_SEC);
	}
	fprintf(out, "</dd>\n<dt>traffic</dt><dd>%" PRIu64 " flows (peak %zu "
		"at once); %" PRIu64 " TCP segments, %" PRIu64 " UDP datagrams, %"
		PRIu64 " ICMP messages; %" PRIu64 " packets not analysed</dd>\n",
		st->flows_created, st->peak_flows, st->tcp_segments,
		st->udp_datagrams, st->icmp_messages,
		diagnosis_not_analysed(v));
	fprintf(out, "<dt>findings</dt><dd>%zu critical, %zu warning, %zu info",
		by[SEVERITY_CRITICAL], by[SEVERITY_WARNING], by[SEVERITY_INFO]);
	if (v->suppressed > 0)
		fprintf(out, " (%" PRIu64 " more subjects not listed)",
			v->suppressed);
	fputs("</dd>\n", out);
	if (v->not_tracked > 0)
		fprintf(out, "<dt>warning</dt><dd>the detectors kept their limit "
			"of subjects (engine max_subjects): %" PRIu64 " more were "
			"not tracked, so findings may be missing</dd>\n",
			v->not_tracked);
	fputs("</dl>\n", out);
	if (v->quality != NULL) {
		fputs("<h2 id=\"quality\">Capture quality</h2>\n", out);
		pre_of(out, quality_text, v);
	}
	pre_of(out, incident_text, v);
}

/* ------------------------------------------------------------ findings */

static const struct html_conn *conn_shown(const struct html_extras *x,
					  uint64_t uid)
{
	for (size_t i = 0; i < x->n_conns; i++)
		if (x->conns[i].uid == uid)
			return &x->conns[i];
	return NULL;
}

static const char *finding_kind(const struct finding *f)
{
	for (int i = 0; i < f->n_details; i++)
		if (!f->details[i].is_number &&
		    strcmp(f->details[i].key, "kind") == 0)
			return f->details[i].text;
	return NULL;
}

static void html_evidence(FILE *out, const struct finding *f,
			  const struct html_extras *x)
{
	char uid[FLOW_UID_LEN];

	if (f->n_flows > 0) {
		fprintf(out, "<dt>evidence</dt><dd>%" PRIu64 " flow%s:",
			f->flow_count, f->flow_count == 1 ? "" : "s");
		for (int i = 0; i < f->n_flows; i++) {
			flow_format_uid(f->flows[i], uid);
			if (conn_shown(x, f->flows[i]) != NULL)
				fprintf(out, " <a href=\"#conn-%s\">%s</a>", uid,
					uid);
			else
				fprintf(out, " %s", uid);
		}
		if (f->flow_count > f->n_flows)
			fprintf(out, " (+%" PRIu64 " more)",
				f->flow_count - f->n_flows);
		fputs("</dd>\n", out);
	}
	if (f->n_frames > 0) {
		fputs("<dt>frames</dt><dd>", out);
		for (int i = 0; i < f->n_frames; i++)
			fprintf(out, "%s%" PRIu64, i ? ", " : "", f->frames[i]);
		fputs("</dd>\n", out);
	}
	if (f->n_packets > 0) {
		fputs("<dt>packets</dt><dd><pre>", out);
		for (int i = 0; i < f->n_packets; i++) {
			fprintf(out, "%s#%" PRIu64 " ", i ? "\n" : "",
				f->packet_frames[i]);
			esc(out, f->packets[i]);
		}
		fputs("</pre></dd>\n", out);
	}
}

static void html_finding(FILE *out, const struct diagnosis_view *v,
			 const struct html_extras *x, const struct finding *f,
			 size_t n)
{
	struct finding_context ctx = {v->n_inputs == 1 ? v->inputs[0] : NULL};
	char a[TIME_FORMAT_LEN], b[TIME_FORMAT_LEN];
	char filter[FINDING_FILTER_LEN], read[FINDING_FILTER_LEN];
	char advice[FINDING_ADVICE_LEN];
	const char *kind = finding_kind(f);
	const char *sev = finding_severity_name(f->severity);

	fprintf(out, "<div class=\"finding\" id=\"finding-%zu\" "
		"data-severity=\"%s\">\n<h3><span class=\"sev\">%s</span> "
		"<code>%s</code> ", n, sev, sev, finding_id_name(f->id));
	esc(out, f->subject);
	fputs("</h3>\n<p><b>", out);
	esc(out, finding_title(f->id));
	fputs("</b></p>\n<p>", out);
	esc(out, f->summary);
	format_time(f->first_ts, v->ts_decimals, a, sizeof(a));
	format_time(f->last_ts, v->ts_decimals, b, sizeof(b));
	fprintf(out, "</p>\n<dl>\n<dt>measured</dt><dd>%.15g ", f->value);
	esc(out, f->unit ? f->unit : "");
	fprintf(out, " (threshold %.15g), %s to %s%s</dd>\n", f->threshold, a,
		b, f->ongoing ? ", ongoing at the end" : "");
	html_evidence(out, f, x);
	if (finding_tshark_filter(f, filter, sizeof(filter))[0] != '\0') {
		finding_fill("tshark -r FILE", f, &ctx, read, sizeof(read));
		fputs("<dt>tshark</dt><dd><code>", out);
		esc(out, read);
		fputs(" -Y '", out);
		esc(out, filter);
		fputs("'</code></dd>\n", out);
	}
	fputs("<dt>why</dt><dd>", out);
	esc(out, finding_kind_explanation(f->id, kind));
	fputs("</dd>\n<dt>do</dt><dd>", out);
	esc(out, finding_fill(finding_kind_advice(f->id, kind), f, &ctx,
			      advice, sizeof(advice)));
	fputs("</dd>\n</dl>\n</div>\n", out);
}

static void html_findings(FILE *out, const struct diagnosis_view *v,
			  const struct html_extras *x)
{
	fprintf(out, "<h2 id=\"findings\">Findings (%zu)</h2>\n",
		v->n_findings);
	if (v->n_findings == 0)
		fputs("<p>None.</p>\n", out);
	for (size_t i = 0; i < v->n_findings; i++)
		html_finding(out, v, x, &v->findings[i], i + 1);
}

/* ------------------------------------------------------------ charts */

#define CHART_W 720
#define CHART_LEFT 48
#define CHART_RIGHT 8
#define CHART_TOP 8
#define CHART_BOTTOM 18

struct chart {
	int h;                  /* the whole svg's */
	size_t n;               /* slots */
	double max;             /* the y axis' top */
};

static double chart_x(const struct chart *c, size_t slot)
{
	return CHART_LEFT +
	       (double)slot * (CHART_W - CHART_LEFT - CHART_RIGHT) / (double)c->n;
}

static double chart_y(const struct chart *c, double v)
{
	double plot = c->h - CHART_TOP - CHART_BOTTOM;

	return CHART_TOP + plot - (c->max > 0 ? v / c->max * plot : 0);
}

/* The frame, the y axis' top and the x axis' span. */
static void chart_open(FILE *out, const struct chart *c, const char *label,
		       const struct time_series *s, const char *max_text)
{
	double span = (double)s->n * (double)s->step_ns / NS_PER_SEC;

	fprintf(out, "<svg class=\"chart\" "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
		"font-size=\"11\" font-family=\"sans-serif\"><title>", CHART_W,
		c->h, CHART_W, c->h);
	esc(out, label);
	fprintf(out, "</title><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\""
		" fill=\"#fafbfc\" stroke=\"#ccd\"/>", CHART_LEFT, CHART_TOP,
		CHART_W - CHART_LEFT - CHART_RIGHT,
		c->h - CHART_TOP - CHART_BOTTOM);
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>"
		"<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>"
		"<text x=\"%d\" y=\"%d\">0 s</text>"
		"<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.1f s</text>",
		CHART_LEFT - 4, CHART_TOP + 10, max_text, CHART_LEFT - 4,
		c->h - CHART_BOTTOM, CHART_LEFT, c->h - 4,
		CHART_W - CHART_RIGHT, c->h - 4, span);
}

/*
 * A step band between the running sums below[] and below[] + v(slot):
 * one path, its top left to right and its bottom back.
 */
static void chart_band(FILE *out, const struct chart *c,
		       const struct time_series *s, size_t ch, double scale,
		       double *below, const char *color, const char *name)
{
	fprintf(out, "<path fill=\"%s\" stroke=\"%s\" d=\"M%.1f %.1f", color,
		color, chart_x(c, 0), chart_y(c, below[0]));
	for (size_t i = 0; i < c->n; i++) {
		double top = below[i] + (double)time_series_value(s, i, ch) * scale;

		fprintf(out, "L%.1f %.1fL%.1f %.1f", chart_x(c, i),
			chart_y(c, top), chart_x(c, i + 1), chart_y(c, top));
	}
	for (size_t i = c->n; i-- > 0;)
		fprintf(out, "L%.1f %.1fL%.1f %.1f", chart_x(c, i + 1),
			chart_y(c, below[i]), chart_x(c, i),
			chart_y(c, below[i]));
	fprintf(out, "Z\"><title>%s</title></path>", name);
	for (size_t i = 0; i < c->n; i++)
		below[i] += (double)time_series_value(s, i, ch) * scale;
}

static void html_host_chart(FILE *out, const struct diagnosis_view *v,
			    const struct time_series *s,
			    const struct html_host *h)
{
	char label[HOST_LABEL_LEN], max_text[32];
	struct chart c = {.h = 150, .n = s->n};
	uint64_t peak[HTML_HOST_STATES] = {0};
	double *below = calloc(s->n, sizeof(*below));

	if (below == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		double sum = 0;

		for (int k = 0; k < HTML_HOST_STATES; k++) {
			uint64_t n = time_series_value(s, i, h->first + (size_t)k);

			sum += (double)n;
			peak[k] = n > peak[k] ? n : peak[k];
		}
		c.max = sum > c.max ? sum : c.max;
	}
	host_label_text(h->family, h->addr, h->tunnel, v->tunnels, label,
			sizeof(label));
	fputs("<h3>", out);
	esc(out, label);
	fputs("</h3>\n<p>", out);
	for (int k = 0; k < HTML_HOST_STATES; k++)
		fprintf(out, "<span class=\"swatch\" style=\"background:%s\">"
			"</span>%s peak %" PRIu64, host_states[k].color,
			host_states[k].name, peak[k]);
	fputs("</p>\n", out);
	snprintf(max_text, sizeof(max_text), "%.0f", c.max);
	chart_open(out, &c, label, s, max_text);
	for (int k = 0; k < HTML_HOST_STATES; k++)
		chart_band(out, &c, s, h->first + (size_t)k, 1, below,
			   host_states[k].color, host_states[k].name);
	fputs("</svg>\n", out);
	free(below);
}

static void html_rate_chart(FILE *out, const struct time_series *s, int r)
{
	double per_sec = (double)NS_PER_SEC / (double)s->step_ns;
	struct chart c = {.h = 90, .n = s->n};
	uint64_t total = 0;
	char max_text[32];
	double *below = calloc(s->n, sizeof(*below));

	if (below == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		double v = (double)time_series_value(s, i, (size_t)r) * per_sec;

		total += time_series_value(s, i, (size_t)r);
		c.max = v > c.max ? v : c.max;
	}
	fprintf(out, "<p><span class=\"swatch\" style=\"background:%s\"></span>"
		"%s: peak %.1f, %" PRIu64 " in all</p>\n", rates[r].color,
		rates[r].name, c.max, total);
	snprintf(max_text, sizeof(max_text), "%.4g", c.max);
	chart_open(out, &c, rates[r].name, s, max_text);
	chart_band(out, &c, s, (size_t)r, per_sec, below, rates[r].color,
		   rates[r].name);
	fputs("</svg>\n", out);
	free(below);
}

static void html_over_time(FILE *out, const struct diagnosis_view *v,
			   const struct html_extras *x)
{
	const struct time_series *s = x->states;

	fputs("<h2 id=\"over-time\">Over time</h2>\n", out);
	if (s == NULL || s->n == 0 || x->rates == NULL) {
		fputs("<p class=\"note\">No samples: the capture holds no "
		      "packet.</p>\n", out);
		return;
	}
	fprintf(out, "<p class=\"note\">Sampled every %.3g s of capture time "
		"(%zu points); a socket state is as it stood at the end of "
		"each step, a rate is the step's count over its length.</p>\n",
		(double)s->step_ns / NS_PER_SEC, s->n);
	fputs("<h3>Rates</h3>\n", out);
	for (int r = 0; r < HTML_RATES; r++)
		html_rate_chart(out, x->rates, r);
	fputs("<h3>Sockets per host (as ss -tan would count them)</h3>\n", out);
	if (x->n_hosts == 0)
		fputs("<p class=\"note\">No host held a socket.</p>\n", out);
	for (size_t i = 0; i < x->n_hosts; i++)
		html_host_chart(out, v, s, &x->hosts[i]);
	if (x->hosts_left_out > 0)
		fprintf(out, "<p class=\"note\">%zu more host%s not charted: "
			"those with the most SYN_RECV and CLOSE_WAIT, then the "
			"most sockets, are.</p>\n", x->hosts_left_out,
			x->hosts_left_out == 1 ? "" : "s");
}

/* ------------------------------------------------------------ sockets */

static void html_hosts(FILE *out, const struct diagnosis_view *v)
{
	char host[HOST_LABEL_LEN];
	size_t n = v->n_hosts < HTML_TABLE_HOSTS ? v->n_hosts : HTML_TABLE_HOSTS;

	if (v->n_hosts == 0)
		return;
	fputs("<h2 id=\"sockets\">Sockets at the end of the capture</h2>\n"
	      "<table>\n<tr><th>host</th><th>sockets</th></tr>\n", out);
	for (size_t i = 0; i < n; i++) {
		const struct host_state_row *r = &v->hosts[i];
		const char *sep = "";

		host_label_text(r->family, r->addr, r->tunnel, v->tunnels, host,
				sizeof(host));
		fputs("<tr><td>", out);
		esc(out, host);
		fputs("</td><td>", out);
		for (int s = 0; s < TCP_STATE_COUNT; s++) {
			if (r->count[s] == 0)
				continue;
			fprintf(out, "%s%s %u", sep, tcp_state_name(s),
				r->count[s]);
			sep = ", ";
		}
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
	if (v->n_hosts > n)
		fprintf(out, "<p class=\"note\">%zu more hosts: see -F json or "
			"tcplens states.</p>\n", v->n_hosts - n);
	if (v->hosts_left_out.syn_only_hosts > 0)
		fprintf(out, "<p class=\"note\">%" PRIu32 " hosts left out holding "
			"only SYN_SENT sockets (%" PRIu32 "): sources that sent "
			"SYNs and completed nothing, as spoofed SYN-flood "
			"sources.</p>\n", v->hosts_left_out.syn_only_hosts,
			v->hosts_left_out.syn_only_sockets);
}

/* ------------------------------------------------------------ connections */

/* needle in buf[0, len), or NULL (memmem is GNU's). */
static const char *find_in(const char *buf, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(buf + i, needle, n) == 0)
			return buf + i;
	return NULL;
}

/*
 * The graph as an element of the page: seq_graph writes an <svg>; its
 * class gets "seq-graph", the page's hook.
 */
static void html_graph(FILE *out, const struct html_conn *c)
{
	struct seq_graph_style style = {.standalone = false};
	struct mem_stream m = {0};
	char prefix[FLOW_UID_LEN + 4];
	const char *svg, *end;
	bool ok;

	flow_format_uid(c->uid, prefix + 2);
	memcpy(prefix, "g-", 2);
	strcat(prefix, "-");
	style.id_prefix = prefix;
	if (!mem_stream_open(&m, _IOFBF))
		return;
	ok = seq_graph_write_svg(c->graph, SEQ_GRAPH_TSG,
				 seq_graph_busier_dir(c->graph), &style,
				 m.f) == 0;
	ok &= mem_stream_close(&m);
	svg = ok ? find_in(m.buf, m.len, "<svg") : NULL;
	end = svg != NULL ? memchr(svg, '>', m.len - (size_t)(svg - m.buf)) : NULL;
	if (end == NULL) {
		fputs("<p class=\"note\">The graph could not be drawn.</p>\n", out);
	} else {
		const char *cls = find_in(svg, (size_t)(end - svg), " class=\"");
		size_t head = cls != NULL ? (size_t)(cls - m.buf) + 8
					  : (size_t)(svg - m.buf) + 4;

		/* One class attribute: the hook joins seq_graph's own. */
		fwrite(m.buf, 1, head, out);
		fputs(cls != NULL ? "seq-graph " : " class=\"seq-graph\"", out);
		fwrite(m.buf + head, 1, m.len - head, out);
		fputc('\n', out);
	}
	mem_stream_free(&m);
}

static void html_conn_row(FILE *out, const struct diagnosis_view *v,
			  const struct trouble_row *r)
{
	char a[ADDR_FORMAT_ENDPOINT_LEN], b[ADDR_FORMAT_ENDPOINT_LEN];
	char t[TIME_FORMAT_LEN];
	const char *sep = "";

	addr_format_endpoint(r->family, r->orig, r->orig_port, a, sizeof(a));
	addr_format_endpoint(r->family, r->resp, r->resp_port, b, sizeof(b));
	format_time(r->first_ts, v->ts_decimals, t, sizeof(t));
	fputs(" ", out);
	esc(out, a);
	fputs(" &gt; ", out);
	esc(out, b);
	fputs("</h3>\n<p>", out);
	esc(out, r->conn_state);
	fprintf(out, ", %s/%s at the end, from %s for %.3f s, %u+%u "
		"retransmissions, %.3f s at zero window; ",
		tcp_state_name(r->state[0]), tcp_state_name(r->state[1]), t,
		(double)r->duration_ns / NS_PER_SEC, r->retrans[0],
		r->retrans[1], (double)r->zero_window_ns / NS_PER_SEC);
	for (uint32_t bit = 1; bit <= TROUBLE_CAPTURE_LOSS; bit <<= 1) {
		if (!(r->reasons & bit))
			continue;
		fprintf(out, "%s%s", sep, trouble_reason_name(bit));
		sep = ", ";
	}
	fputs("</p>\n", out);
}

static void html_conns(FILE *out, const struct diagnosis_view *v,
		       const struct html_extras *x)
{
	bool named_only = false;

	if (x->n_conns == 0)
		return;
	fputs("<h2 id=\"connections\">Connections with the most trouble</h2>\n",
	      out);
	if (x->graphs_left_out != NULL) {
		fputs("<p class=\"note\">Time-sequence graphs left out: ", out);
		esc(out, x->graphs_left_out);
		fputs("</p>\n", out);
	} else if (x->graphs_cap == 0) {
		fputs("<p class=\"note\">No time-sequence graph (--html-graphs "
		      "0): tcplens timeline --flow UID -F svg draws one.</p>\n",
		      out);
	} else {
		fprintf(out, "<p class=\"note\">A time-sequence graph for each of "
			"the first %zu (--html-graphs), of the direction that "
			"sent more data; tcplens timeline --flow UID -F svg "
			"draws any other.</p>\n", x->graphs_cap);
	}
	for (size_t i = 0; i < x->n_conns; i++) {
		const struct html_conn *c = &x->conns[i];
		char uid[FLOW_UID_LEN];

		if (c->row == NULL && !named_only) {
			fputs("<h2 id=\"named\">Other connections the findings "
			      "name</h2>\n", out);
			named_only = true;
		}
		flow_format_uid(c->uid, uid);
		fprintf(out, "<div class=\"conn\" id=\"conn-%s\">\n<h3>", uid);
		if (c->row != NULL)
			fprintf(out, "%zu. ", c->rank);
		fprintf(out, "<code>%s</code>", uid);
		if (c->row != NULL)
			html_conn_row(out, v, c->row);
		else
			fputs("</h3>\n", out);
		if (c->graph != NULL)
			html_graph(out, c);
		fputs("</div>\n", out);
	}
}

/* ------------------------------------------------------------ page */

static void html_contents(FILE *out, const struct diagnosis_view *v,
			  const struct html_extras *x)
{
	fputs("<p>", out);
	fputs("<a href=\"#summary\">capture</a> · ", out);
	if (v->quality != NULL)
		fputs("<a href=\"#quality\">quality</a> · ", out);
	fputs("<a href=\"#findings\">findings</a> · "
	      "<a href=\"#over-time\">over time</a>", out);
	if (v->n_hosts > 0)
		fputs(" · <a href=\"#sockets\">sockets</a>", out);
	if (x->n_conns > 0)
		fputs(" · <a href=\"#connections\">connections</a>", out);
	fputs("</p>\n", out);
}

bool diagnosis_render_html(FILE *out, const struct diagnosis_view *v,
			   const struct html_extras *x)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\"/>\n<title>tcplens report: ", out);
	for (size_t i = 0; i < v->n_inputs; i++) {
		fputs(i > 0 ? " " : "", out);
		esc(out, v->inputs[i]);
	}
	fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n"
		"<h1>tcplens report</h1>\n", page_style);
	html_contents(out, v, x);
	html_summary(out, v);
	html_findings(out, v, x);
	html_over_time(out, v, x);
	html_hosts(out, v);
	html_conns(out, v, x);
	fputs("</body>\n</html>\n", out);
	return !ferror(out);
}
