#include "diagnosis_report.h"

#include <inttypes.h>
#include <string.h>

#include "addr_format.h"
#include "finding_commands.h"
#include "host_label.h"
#include "incident_summary.h"
#include "quality_report.h"
#include "text_wrap.h"
#include "time_format.h"

/* Hosts the text lists, busiest first; the documents list them all. */
#define TEXT_HOSTS 20
#define NS_PER_SEC 1000000000LL

static const char *const severity_color[] = {
	[SEVERITY_INFO] = "\033[36m",
	[SEVERITY_WARNING] = "\033[33m",
	[SEVERITY_CRITICAL] = "\033[1;31m",
};
static const char color_reset[] = "\033[0m";

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

static void upper(const char *s, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < outlen; i++)
		out[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	out[i] = '\0';
}

uint64_t diagnosis_not_analysed(const struct diagnosis_view *v)
{
	const struct analyzer_stats *st = v->stats;
	uint64_t n = st->untracked + st->tcp_unusable;

	if (v->quality != NULL)
		n += v->quality->by_reason[QUALITY_UNSUPPORTED_LINK] +
		     v->quality->by_reason[QUALITY_UNFILTERED];
	return n;
}

/*
 * "folded  N earlier connection_refused findings resolved and folded
 * (N warning)": what a long run let go of to stay bounded.
 */
static void text_folded(FILE *out, const struct diagnosis_view *v)
{
	static const enum finding_severity order[] = {
		SEVERITY_CRITICAL, SEVERITY_WARNING, SEVERITY_INFO,
	};
	char line[300];

	for (int id = 0; v->folded != NULL && id < FINDING_COUNT; id++) {
		const struct detect_folded *c = &v->folded[id];
		size_t len;
		const char *sep = " (";

		if (c->count == 0)
			continue;
		len = (size_t)snprintf(line, sizeof(line), "%" PRIu64
				       " earlier %s finding%s resolved and "
				       "folded", c->count,
				       finding_id_name((enum finding_id)id),
				       c->count == 1 ? "" : "s");
		for (size_t i = 0; i < 3 && len < sizeof(line); i++) {
			if (c->by_severity[order[i]] == 0)
				continue;
			len += (size_t)snprintf(line + len, sizeof(line) - len,
						"%s%" PRIu64 " %s", sep,
						c->by_severity[order[i]],
						finding_severity_name(order[i]));
			sep = ", ";
		}
		if (len < sizeof(line) && *sep == ',')
			snprintf(line + len, sizeof(line) - len, ")");
		fprintf(out, "  folded    ");
		text_wrap(out, line, 12, 12);
	}
}

/* ------------------------------------------------------------ text */

static void text_summary(FILE *out, const struct diagnosis_view *v)
{
	const struct analyzer_stats *st = v->stats;
	char a[TIME_FORMAT_LEN], b[TIME_FORMAT_LEN], line[400];
	size_t by[3] = {0, 0, 0};

	for (size_t i = 0; i < v->n_findings; i++)
		by[v->findings[i].severity]++;
	fprintf(out, "tcplens report:");
	for (size_t i = 0; i < v->n_inputs; i++)
		fprintf(out, " %s", v->inputs[i]);
	fputc('\n', out);
	if (st->packets > 0 && st->first_ts != 0) {
		format_time(st->first_ts, v->ts_decimals, a, sizeof(a));
		format_time(st->last_ts, v->ts_decimals, b, sizeof(b));
		snprintf(line, sizeof(line), "%" PRIu64 " packets from %s to %s "
			 "(%.3f s)", st->packets, a, b,
			 (double)(st->last_ts - st->first_ts) / NS_PER_SEC);
	} else {
		snprintf(line, sizeof(line), "%" PRIu64 " packets", st->packets);
	}
	fprintf(out, "  capture   ");
	text_wrap(out, line, 12, 12);
	snprintf(line, sizeof(line), "%" PRIu64 " flows (peak %zu at once); "
		 "%" PRIu64 " TCP segments, %" PRIu64 " UDP datagrams, %" PRIu64
		 " ICMP messages; %" PRIu64 " packets not analysed",
		 st->flows_created, st->peak_flows, st->tcp_segments,
		 st->udp_datagrams, st->icmp_messages,
		 diagnosis_not_analysed(v));
	fprintf(out, "            ");
	text_wrap(out, line, 12, 12);
	if (v->n_findings == 0)
		snprintf(line, sizeof(line), "none");
	else
		snprintf(line, sizeof(line), "%zu critical, %zu warning, %zu info",
			 by[SEVERITY_CRITICAL], by[SEVERITY_WARNING],
			 by[SEVERITY_INFO]);
	fprintf(out, "  findings  %s", line);
	if (v->suppressed > 0)
		fprintf(out, " (%" PRIu64 " more subjects not listed)",
			v->suppressed);
	fputc('\n', out);
	if (v->not_tracked > 0) {
		snprintf(line, sizeof(line), "the detectors kept their limit of "
			 "subjects (engine max_subjects): %" PRIu64 " more were "
			 "not tracked, so findings may be missing",
			 v->not_tracked);
		fprintf(out, "  warning   ");
		text_wrap(out, line, 12, 12);
	}
	text_folded(out, v);
}

/* Its details' "kind", which may have paragraphs of its own; NULL none. */
static const char *finding_kind(const struct finding *f)
{
	for (int i = 0; i < f->n_details; i++)
		if (!f->details[i].is_number &&
		    strcmp(f->details[i].key, "kind") == 0)
			return f->details[i].text;
	return NULL;
}

static void text_evidence(FILE *out, const struct finding *f)
{
	char line[600], uid[FLOW_UID_LEN];
	size_t used = 0;

	if (f->n_flows > 0) {
		used = (size_t)snprintf(line, sizeof(line), "%" PRIu64 " flow%s:",
					f->flow_count, f->flow_count == 1 ? "" : "s");
		for (int i = 0; i < f->n_flows && used < sizeof(line); i++) {
			flow_format_uid(f->flows[i], uid);
			used += (size_t)snprintf(line + used, sizeof(line) - used,
						 " %s", uid);
		}
		if (f->flow_count > f->n_flows && used < sizeof(line))
			snprintf(line + used, sizeof(line) - used, " (+%" PRIu64
				 " more)", f->flow_count - f->n_flows);
		fprintf(out, "    evidence  ");
		text_wrap(out, line, 14, 14);
	}
	if (f->n_frames > 0) {
		used = (size_t)snprintf(line, sizeof(line), "frames");
		for (int i = 0; i < f->n_frames && used < sizeof(line); i++)
			used += (size_t)snprintf(line + used, sizeof(line) - used,
						 "%s %" PRIu64, i ? "," : "",
						 f->frames[i]);
		fprintf(out, "%s", f->n_flows > 0 ? "              " : "    evidence  ");
		text_wrap(out, line, 14, 14);
	}
	for (int i = 0; i < f->n_packets; i++) {
		snprintf(line, sizeof(line), "#%" PRIu64 " %s", f->packet_frames[i],
			 f->packets[i]);
		fprintf(out, "              ");
		text_wrap(out, line, 14, 16);
	}
}

/*
 * The id and subject after the severity (8 columns); a subject in a
 * tunnel that would pass 80 columns has its tunnel on a line of its own.
 */
static void text_subject_line(FILE *out, const struct finding *f)
{
	const char *id = finding_id_name(f->id);
	const char *in = strstr(f->subject, " in ");

	if (in == NULL || 8 + 1 + strlen(id) + 2 + strlen(f->subject) <= 80) {
		fprintf(out, " %s  %s\n", id, f->subject);
		return;
	}
	fprintf(out, " %s  %.*s\n", id, (int)(in - f->subject), f->subject);
	fprintf(out, "  %s\n", in + 1);
}

/* Past this, "tshark -r FILE" takes a line of its own. */
#define TSHARK_READ_MAX 48

/* The capture file a command can name: the only input, if one. */
static struct finding_context context_of(const struct diagnosis_view *v)
{
	struct finding_context c = {v->n_inputs == 1 ? v->inputs[0] : NULL};

	return c;
}

/*
 * "tshark -r FILE -Y '...'": the command that shows f's evidence.  It
 * wraps only inside the quotes (a filter reads line breaks as spaces),
 * or after a backslash when the file's name is long, so that it still
 * pastes into a shell as one command.
 */
static void text_tshark(FILE *out, const struct finding *f,
			const struct finding_context *ctx)
{
	char filter[FINDING_FILTER_LEN], cmd[2 * FINDING_FILTER_LEN + 8];
	char read[FINDING_FILTER_LEN];

	if (finding_tshark_filter(f, filter, sizeof(filter))[0] == '\0')
		return;
	finding_fill("tshark -r FILE", f, ctx, read, sizeof(read));
	fprintf(out, "    tshark    ");
	if (strlen(read) > TSHARK_READ_MAX) {
		fprintf(out, "%s \\\n              ", read);
		read[0] = '\0';
	} else {
		strcat(read, " ");
	}
	snprintf(cmd, sizeof(cmd), "%s-Y '%s'", read, filter);
	text_wrap(out, cmd, 14, 14);
}

static const char *finding_why(const struct finding *f)
{
	return finding_kind_explanation(f->id, finding_kind(f));
}

static const char *finding_do(const struct finding *f)
{
	return finding_kind_advice(f->id, finding_kind(f));
}

/*
 * Findings print in groups whose why and do are the same text: one per
 * severity (a subject a capture's quality downgraded reads under its
 * new severity), id, and kind with paragraphs of its own.
 */
static bool finding_same_group(const struct finding *a,
			       const struct finding *b)
{
	return a->severity == b->severity && a->id == b->id &&
	       strcmp(finding_why(a), finding_why(b)) == 0 &&
	       strcmp(finding_do(a), finding_do(b)) == 0;
}

/* What one subject measured: its summary, numbers, evidence, tshark. */
static void text_subject(FILE *out, const struct finding *f, int decimals,
			 const struct finding_context *ctx, int indent)
{
	char a[TIME_FORMAT_LEN], b[TIME_FORMAT_LEN], line[400];

	fprintf(out, "%*s", indent, "");
	text_wrap(out, f->summary, indent, indent);
	format_time(f->first_ts, decimals, a, sizeof(a));
	format_time(f->last_ts, decimals, b, sizeof(b));
	snprintf(line, sizeof(line), "%.15g %s (threshold %.15g), %s to %s",
		 f->value, f->unit ? f->unit : "", f->threshold, a, b);
	fprintf(out, "    measured  ");
	text_wrap(out, line, 14, 14);
	text_evidence(out, f);
	text_tshark(out, f, ctx);
}

/*
 * The group's do, filled with its subjects' values only when every
 * subject gives the same command; otherwise the placeholders stay words.
 */
static const char *text_group_advice(const struct finding *f, size_t n,
				     const struct finding_context *ctx,
				     char *out, size_t outlen)
{
	char other[FINDING_ADVICE_LEN];

	finding_fill(finding_do(f), f, ctx, out, outlen);
	for (size_t i = 1; i < n; i++) {
		if (!finding_same_group(&f[0], &f[i]))
			continue;
		finding_fill(finding_do(&f[i]), &f[i], ctx, other,
			     sizeof(other));
		if (strcmp(out, other) != 0)
			return finding_fill(finding_do(f), NULL, ctx, out,
					    outlen);
	}
	return out;
}

/*
 * One group: its header, title, why and do once, and each subject
 * under it; a group of one subject keeps the subject on the header.
 */
static void text_group(FILE *out, const struct finding *f, size_t n,
		       int decimals, const struct finding_context *ctx,
		       bool color)
{
	char sev[16], advice[FINDING_ADVICE_LEN];
	size_t members = 0;

	for (size_t i = 0; i < n; i++)
		members += finding_same_group(&f[0], &f[i]);
	upper(finding_severity_name(f->severity), sev, sizeof(sev));
	fputc('\n', out);
	if (color)
		fprintf(out, "%s%-8s%s", severity_color[f->severity], sev,
			color_reset);
	else
		fprintf(out, "%-8s", sev);
	if (members == 1)
		text_subject_line(out, f);
	else
		fprintf(out, " %s  %zu subjects\n", finding_id_name(f->id),
			members);
	fprintf(out, "  ");
	text_wrap(out, finding_title(f->id), 2, 2);
	for (size_t i = 0; i < n; i++) {
		if (!finding_same_group(&f[0], &f[i]))
			continue;
		if (members > 1)
			fprintf(out, "  - %s\n", f[i].subject);
		text_subject(out, &f[i], decimals, ctx, members > 1 ? 4 : 2);
	}
	/* Under several subjects, level with them: it is for them all. */
	fprintf(out, members > 1 ? "  why         " : "    why       ");
	text_wrap(out, finding_why(f), 14, 14);
	fprintf(out, members > 1 ? "  do          " : "    do        ");
	text_wrap(out, text_group_advice(f, n, ctx, advice, sizeof(advice)),
		  14, 14);
}

/* Groups in the order of their first finding (most severe first). */
static void text_findings(FILE *out, const struct diagnosis_view *v,
			  const struct finding_context *ctx, bool color)
{
	for (size_t i = 0; i < v->n_findings; i++) {
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = finding_same_group(&v->findings[j],
						  &v->findings[i]);
		if (!seen)
			text_group(out, &v->findings[i], v->n_findings - i,
				   v->ts_decimals, ctx, color);
	}
}

/* What the socket table leaves out (host_states.h says why). */
static void text_hosts_left_out(FILE *out, const struct host_states_summary *l)
{
	char line[400];

	if (l->syn_only_hosts > 0) {
		snprintf(line, sizeof(line), "%" PRIu32 " hosts left out holding "
			 "only SYN_SENT sockets (%" PRIu32 "): sources that sent "
			 "SYNs and completed nothing, as spoofed SYN-flood sources",
			 l->syn_only_hosts, l->syn_only_sockets);
		fputs("  ", out);
		text_wrap(out, line, 2, 2);
	}
	if (l->syn_recv_gone > 0) {
		snprintf(line, sizeof(line), "SYN_RECV is an estimate: %" PRIu32
			 " of the %" PRIu32 " the wire shows are left out, their "
			 "SYN-ACK not sent again when its timer (1 s, doubled per "
			 "resend) ran out: SYN cookies, or requests given up",
			 l->syn_recv_gone, l->syn_recv_seen);
		fputs("  ", out);
		text_wrap(out, line, 2, 2);
	}
}

static void text_hosts(FILE *out, const struct diagnosis_view *v)
{
	char host[HOST_LABEL_LEN], line[600];

	if (v->n_hosts == 0 && v->hosts_left_out.syn_only_hosts == 0 &&
	    v->hosts_left_out.syn_recv_gone == 0)
		return;
	fprintf(out, "\nSOCKETS AT THE END OF THE CAPTURE (each host, as ss -tan "
		"would count them)\n");
	for (size_t i = 0; i < v->n_hosts; i++) {
		const struct host_state_row *r = &v->hosts[i];
		size_t used = 0;

		if (i == TEXT_HOSTS) {
			uint64_t rest = 0;

			for (size_t j = i; j < v->n_hosts; j++)
				rest += v->hosts[j].total;
			fprintf(out, "  (%zu more hosts with %" PRIu64 " sockets: "
				"see -F json or tcplens states)\n",
				v->n_hosts - i, rest);
			break;
		}

		host_label_text(r->family, r->addr, r->tunnel, v->tunnels, host,
				sizeof(host));
		line[0] = '\0';
		for (int s = 0; s < TCP_STATE_COUNT && used < sizeof(line); s++)
			if (r->count[s] > 0)
				used += (size_t)snprintf(line + used, sizeof(line) - used,
							 "%s%s %u", used ? ", " : "",
							 tcp_state_name(s), r->count[s]);
		/* A host in a tunnel: its name on a line, its states below. */
		if (r->tunnel != 0) {
			fputs("  ", out);
			text_wrap(out, host, 2, 4);
			host[0] = '\0';
		}
		fprintf(out, "  %-24s ", host);
		text_wrap(out, line, 27, 27);
	}
	text_hosts_left_out(out, &v->hosts_left_out);
}

static void reasons_text(uint32_t reasons, char *out, size_t outlen)
{
	size_t used = 0;

	out[0] = '\0';
	for (uint32_t bit = 1; bit <= TROUBLE_CAPTURE_LOSS && used < outlen;
	     bit <<= 1)
		if (reasons & bit)
			used += (size_t)snprintf(out + used, outlen - used, "%s%s",
						 used ? ", " : "",
						 trouble_reason_name(bit));
}

static size_t trouble_addr_len(const struct trouble_row *r)
{
	return r->family == 6 ? 16 : 4;
}

/*
 * Whether two ranked connections read alike but for their uid, client
 * and duration: a SYN flood's (spoofed sources) or a client's many
 * attempts at one service, one entry.
 */
static bool trouble_rows_alike(const struct trouble_row *a,
			       const struct trouble_row *b)
{
	return a->family == b->family &&
	       memcmp(a->resp, b->resp, trouble_addr_len(a)) == 0 &&
	       a->resp_port == b->resp_port &&
	       strcmp(a->conn_state, b->conn_state) == 0 &&
	       a->state[0] == b->state[0] && a->state[1] == b->state[1] &&
	       a->retrans[0] == b->retrans[0] &&
	       a->retrans[1] == b->retrans[1] && a->reasons == b->reasons;
}

/* The distinct client addresses of n rows. */
static size_t trouble_clients(const struct trouble_row *r, size_t n)
{
	size_t distinct = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < i && memcmp(r[j].orig, r[i].orig,
				       trouble_addr_len(&r[i])) != 0)
			j++;
		distinct += j == i;
	}
	return distinct;
}

/* Ranks first to first + n - 1, alike: one entry, durations a range. */
static void text_top_entry(FILE *out, const struct trouble_row *r,
			   size_t first, size_t n)
{
	char uid[FLOW_UID_LEN], a[ADDR_FORMAT_ENDPOINT_LEN];
	char b[ADDR_FORMAT_ENDPOINT_LEN], why[160], dur[64], line[400];
	int64_t lo = r[0].duration_ns, hi = r[0].duration_ns;
	size_t clients;

	for (size_t i = 1; i < n; i++) {
		lo = r[i].duration_ns < lo ? r[i].duration_ns : lo;
		hi = r[i].duration_ns > hi ? r[i].duration_ns : hi;
	}
	flow_format_uid(r->uid, uid);
	addr_format_endpoint(r->family, r->orig,
			     n > 1 ? ADDR_FORMAT_ANY_PORT : r->orig_port, a,
			     sizeof(a));
	clients = trouble_clients(r, n);
	if (clients > 1)
		snprintf(a, sizeof(a), "%zu clients", clients);
	addr_format_endpoint(r->family, r->resp, r->resp_port, b, sizeof(b));
	if (n == 1) {
		fprintf(out, "  %2zu. %s  %s > %s\n", first, uid, a, b);
	} else {
		snprintf(line, sizeof(line), "%zu-%zu. %zu connections like "
			 "%s  %s > %s", first, first + n - 1, n, uid, a, b);
		fprintf(out, "  ");
		text_wrap(out, line, 2, 6);
	}
	snprintf(dur, sizeof(dur), "%.3f", (double)lo / NS_PER_SEC);
	if (hi != lo)
		snprintf(dur + strlen(dur), sizeof(dur) - strlen(dur),
			 " to %.3f", (double)hi / NS_PER_SEC);
	reasons_text(r->reasons, why, sizeof(why));
	snprintf(line, sizeof(line), "%s, %s/%s at the end, %s s, "
		 "%u+%u retransmissions%s; %s",
		 r->conn_state, tcp_state_name(r->state[0]),
		 tcp_state_name(r->state[1]), dur, r->retrans[0],
		 r->retrans[1], n > 1 ? " each" : "", why);
	fprintf(out, "      ");
	text_wrap(out, line, 6, 6);
}

static void text_top(FILE *out, const struct diagnosis_view *v)
{
	size_t n;

	if (v->n_top == 0)
		return;
	fprintf(out, "\nCONNECTIONS WITH THE MOST TROUBLE\n");
	for (size_t i = 0; i < v->n_top; i += n) {
		for (n = 1; i + n < v->n_top &&
			    trouble_rows_alike(&v->top[i], &v->top[i + n]); n++)
			;
		text_top_entry(out, &v->top[i], i + 1, n);
	}
}

void diagnosis_render_text(FILE *out, const struct diagnosis_view *v,
			   bool color)
{
	struct finding_context ctx = context_of(v);

	text_summary(out, v);
	if (v->quality != NULL) {
		struct quality_changes c = {v->adjusted, v->n_adjusted,
					    v->adjusted_more};

		fprintf(out, "\nCAPTURE QUALITY\n");
		quality_render_text(out, v->quality, true, &c);
	}
	incident_render_text(out, v);
	text_findings(out, v, &ctx, color);
	text_hosts(out, v);
	text_top(out, v);
}

void diagnosis_render_finding_text(FILE *out, const struct diagnosis_view *v,
				   const struct finding *f)
{
	struct finding_context ctx = context_of(v);

	text_group(out, f, 1, v->ts_decimals, &ctx, false);
}

void diagnosis_render_line(FILE *out, const struct finding *f, bool color)
{
	char sev[16];

	upper(finding_severity_name(f->severity), sev, sizeof(sev));
	if (color)
		fprintf(out, "%s%s%s", severity_color[f->severity], sev,
			color_reset);
	else
		fputs(sev, out);
	fprintf(out, " %s %s: %s\n", finding_id_name(f->id), f->subject,
		f->summary);
}

size_t diagnosis_render_lines(FILE *out, const struct diagnosis_view *v,
			      enum finding_severity min, bool color)
{
	size_t n = 0;

	for (size_t i = 0; i < v->n_findings; i++) {
		if (v->findings[i].severity < min)
			continue;
		diagnosis_render_line(out, &v->findings[i], color);
		n++;
	}
	return n;
}

/* ------------------------------------------------------------ JSON, YAML */

static void doc_time(struct doc_writer *w, int64_t ns, int decimals)
{
	if (decimals == 9)
		doc_decimal(w, ns, 9);
	else
		doc_decimal(w, ns / 1000, 6);
}

/* The same time as whole nanoseconds, for loaders that want integers. */
static void doc_time_ns(struct doc_writer *w, const char *key, int64_t ns)
{
	doc_member_uint_or_null(w, key, ns >= 0, ns >= 0 ? (uint64_t)ns : 0);
}

static void doc_capture(struct doc_writer *w, const struct diagnosis_view *v)
{
	const struct analyzer_stats *st = v->stats;

	doc_key(w, "capture");
	doc_begin_object(w);
	doc_key(w, "inputs");
	doc_begin_array(w);
	for (size_t i = 0; i < v->n_inputs; i++)
		doc_string(w, v->inputs[i]);
	doc_end_array(w);
	doc_member_uint(w, "packets", st->packets);
	doc_key(w, "first_ts");
	if (st->packets > 0)
		doc_time(w, st->first_ts, v->ts_decimals);
	else
		doc_null(w);
	doc_key(w, "last_ts");
	if (st->packets > 0)
		doc_time(w, st->last_ts, v->ts_decimals);
	else
		doc_null(w);
	doc_member_uint(w, "flows", st->flows_created);
	doc_member_uint(w, "peak_flows", st->peak_flows);
	doc_member_uint(w, "tcp_segments", st->tcp_segments);
	doc_member_uint(w, "udp_datagrams", st->udp_datagrams);
	doc_member_uint(w, "icmp_messages", st->icmp_messages);
	doc_member_uint(w, "not_analysed", diagnosis_not_analysed(v));
	doc_end_object(w);
}

static void doc_evidence(struct doc_writer *w, const struct finding *f)
{
	char uid[FLOW_UID_LEN];

	doc_key(w, "evidence");
	doc_begin_object(w);
	doc_member_uint(w, "flow_count", f->flow_count);
	doc_key(w, "flows");
	doc_begin_array(w);
	for (int i = 0; i < f->n_flows; i++) {
		flow_format_uid(f->flows[i], uid);
		doc_string(w, uid);
	}
	doc_end_array(w);
	doc_key(w, "frames");
	doc_begin_array(w);
	for (int i = 0; i < f->n_frames; i++)
		doc_uint(w, f->frames[i]);
	doc_end_array(w);
	doc_key(w, "packets");
	doc_begin_array(w);
	for (int i = 0; i < f->n_packets; i++) {
		doc_begin_object(w);
		doc_member_uint(w, "frame", f->packet_frames[i]);
		doc_member_string(w, "summary", f->packets[i]);
		doc_end_object(w);
	}
	doc_end_array(w);
	doc_end_object(w);
}

/* Whole numbers print as integers, others with 6 decimals. */
static void doc_number(struct doc_writer *w, double v)
{
	if (v == (double)(int64_t)v && v > -9e15 && v < 9e15)
		doc_int(w, (int64_t)v);
	else
		doc_double(w, v, 6);
}

static void doc_finding_keys(struct doc_writer *w, const struct finding *f,
			     int decimals, const struct finding_context *ctx)
{
	char advice[FINDING_ADVICE_LEN], filter[FINDING_FILTER_LEN];

	doc_member_string(w, "id", finding_id_name(f->id));
	doc_member_string(w, "severity", finding_severity_name(f->severity));
	doc_member_string(w, "subject", f->subject);
	doc_member_bool(w, "ongoing", f->ongoing);
	doc_member_bool(w, "holding", f->holding);
	doc_key(w, "first_ts");
	doc_time(w, f->first_ts, decimals);
	doc_time_ns(w, "first_ts_ns", f->first_ts);
	doc_key(w, "last_ts");
	doc_time(w, f->last_ts, decimals);
	doc_time_ns(w, "last_ts_ns", f->last_ts);
	doc_key(w, "value");
	doc_number(w, f->value);
	doc_key(w, "threshold");
	doc_number(w, f->threshold);
	doc_member_string(w, "unit", f->unit ? f->unit : "");
	doc_member_string(w, "title", finding_title(f->id));
	doc_member_string(w, "summary", f->summary);
	doc_key(w, "details");
	doc_begin_object(w);
	for (int i = 0; i < f->n_details; i++) {
		doc_key(w, f->details[i].key);
		if (f->details[i].is_number)
			doc_number(w, f->details[i].number);
		else
			doc_string(w, f->details[i].text);
	}
	doc_end_object(w);
	doc_evidence(w, f);
	doc_member_string(w, "explanation",
			  finding_why(f));
	doc_member_string(w, "advice",
			  finding_fill(finding_do(f), f, ctx, advice,
				       sizeof(advice)));
	doc_member_string(w, "tshark_filter",
			  finding_tshark_filter(f, filter, sizeof(filter)));
}

static void doc_finding(struct doc_writer *w, const struct finding *f,
			int decimals, const struct finding_context *ctx)
{
	doc_begin_object(w);
	doc_finding_keys(w, f, decimals, ctx);
	doc_end_object(w);
}

void diagnosis_doc_finding_keys(struct doc_writer *w,
				const struct diagnosis_view *v,
				const struct finding *f)
{
	struct finding_context ctx = context_of(v);

	if (v->sensor != NULL)
		doc_member_string(w, "sensor", v->sensor);
	doc_finding_keys(w, f, v->ts_decimals, &ctx);
}

static void doc_hosts(struct doc_writer *w, const struct diagnosis_view *v)
{
	doc_key(w, "hosts");
	doc_begin_array(w);
	for (size_t i = 0; i < v->n_hosts; i++) {
		const struct host_state_row *r = &v->hosts[i];

		doc_begin_object(w);
		host_label_doc(w, r->family, r->addr, r->tunnel, v->tunnels);
		doc_key(w, "states");
		doc_begin_object(w);
		for (int s = 0; s < TCP_STATE_COUNT; s++)
			if (r->count[s] > 0)
				doc_member_uint(w, tcp_state_name(s), r->count[s]);
		doc_end_object(w);
		doc_end_object(w);
	}
	doc_end_array(w);
	doc_key(w, "hosts_left_out");
	doc_begin_object(w);
	doc_member_uint(w, "syn_only_hosts", v->hosts_left_out.syn_only_hosts);
	doc_member_uint(w, "syn_only_sockets", v->hosts_left_out.syn_only_sockets);
	doc_member_uint(w, "syn_recv_seen", v->hosts_left_out.syn_recv_seen);
	doc_member_uint(w, "syn_recv_not_held", v->hosts_left_out.syn_recv_gone);
	doc_end_object(w);
}

static void doc_top(struct doc_writer *w, const struct diagnosis_view *v)
{
	char uid[FLOW_UID_LEN], host[ADDR_FORMAT_LEN];

	doc_key(w, "top_connections");
	doc_begin_array(w);
	for (size_t i = 0; i < v->n_top; i++) {
		const struct trouble_row *r = &v->top[i];

		flow_format_uid(r->uid, uid);
		doc_begin_object(w);
		doc_member_string(w, "uid", uid);
		addr_format(r->family, r->orig, host, sizeof(host));
		doc_member_string(w, "orig_h", host);
		doc_member_uint(w, "orig_p", r->orig_port);
		addr_format(r->family, r->resp, host, sizeof(host));
		doc_member_string(w, "resp_h", host);
		doc_member_uint(w, "resp_p", r->resp_port);
		doc_key(w, "ts");
		doc_time(w, r->first_ts, v->ts_decimals);
		doc_key(w, "duration");
		doc_decimal(w, r->duration_ns / 1000, 6);
		doc_member_string(w, "conn_state", r->conn_state);
		doc_member_string(w, "orig_state", tcp_state_name(r->state[0]));
		doc_member_string(w, "resp_state", tcp_state_name(r->state[1]));
		doc_member_uint(w, "orig_retrans", r->retrans[0]);
		doc_member_uint(w, "resp_retrans", r->retrans[1]);
		doc_key(w, "zero_window");
		doc_decimal(w, r->zero_window_ns / 1000, 6);
		doc_member_uint(w, "score", r->score);
		doc_key(w, "reasons");
		doc_begin_array(w);
		for (uint32_t bit = 1; bit <= TROUBLE_CAPTURE_LOSS; bit <<= 1)
			if (r->reasons & bit)
				doc_string(w, trouble_reason_name(bit));
		doc_end_array(w);
		doc_end_object(w);
	}
	doc_end_array(w);
}

/*
 * "folded_findings": [{"id", "count", "critical", "warning", "info",
 * "first_ts", "last_ts"}], only when a long run folded some.
 */
static void doc_folded(struct doc_writer *w, const struct diagnosis_view *v)
{
	bool any = false;

	for (int id = 0; v->folded != NULL && id < FINDING_COUNT; id++)
		any |= v->folded[id].count > 0;
	if (!any)
		return;
	doc_key(w, "folded_findings");
	doc_begin_array(w);
	for (int id = 0; id < FINDING_COUNT; id++) {
		const struct detect_folded *c = &v->folded[id];

		if (c->count == 0)
			continue;
		doc_begin_object(w);
		doc_member_string(w, "id", finding_id_name((enum finding_id)id));
		doc_member_uint(w, "count", c->count);
		doc_member_uint(w, "critical", c->by_severity[SEVERITY_CRITICAL]);
		doc_member_uint(w, "warning", c->by_severity[SEVERITY_WARNING]);
		doc_member_uint(w, "info", c->by_severity[SEVERITY_INFO]);
		doc_key(w, "first_ts");
		doc_time(w, c->first_ts, v->ts_decimals);
		doc_key(w, "last_ts");
		doc_time(w, c->last_ts, v->ts_decimals);
		doc_end_object(w);
	}
	doc_end_array(w);
}

/* The report's keys; with_findings false: all but the findings list. */
static void doc_report_keys(struct doc_writer *w,
			    const struct diagnosis_view *v, bool with_findings)
{
	struct finding_context ctx = context_of(v);
	size_t by[3] = {0, 0, 0};

	for (size_t i = 0; i < v->n_findings; i++)
		by[v->findings[i].severity]++;
	if (v->sensor != NULL)
		doc_member_string(w, "sensor", v->sensor);
	doc_capture(w, v);
	if (v->quality != NULL) {
		struct quality_changes c = {v->adjusted, v->n_adjusted,
					    v->adjusted_more};

		quality_render_doc(w, v->quality, true, &c);
	}
	incident_render_doc(w, v);
	doc_key(w, "summary");
	doc_begin_object(w);
	doc_member_uint(w, "critical", by[SEVERITY_CRITICAL]);
	doc_member_uint(w, "warning", by[SEVERITY_WARNING]);
	doc_member_uint(w, "info", by[SEVERITY_INFO]);
	doc_member_uint(w, "not_listed", v->suppressed);
	doc_member_uint(w, "not_tracked", v->not_tracked);
	doc_end_object(w);
	doc_folded(w, v);
	if (with_findings) {
		doc_key(w, "findings");
		doc_begin_array(w);
		for (size_t i = 0; i < v->n_findings; i++)
			doc_finding(w, &v->findings[i], v->ts_decimals, &ctx);
		doc_end_array(w);
	}
	doc_hosts(w, v);
	doc_top(w, v);
}

void diagnosis_doc_keys(struct doc_writer *w, const struct diagnosis_view *v)
{
	doc_report_keys(w, v, true);
}

bool diagnosis_render_ndjson(FILE *out, const struct diagnosis_view *v)
{
	struct doc_writer w;

	if (!doc_writer_init(&w, out, DOC_NDJSON))
		return false;
	for (size_t i = 0; i < v->n_findings; i++) {
		doc_begin_object(&w);
		doc_member_string(&w, "type", "finding");
		diagnosis_doc_finding_keys(&w, v, &v->findings[i]);
		doc_end_object(&w);
	}
	doc_begin_object(&w);
	doc_member_string(&w, "type", "summary");
	doc_report_keys(&w, v, false);
	doc_end_object(&w);
	return doc_writer_finish(&w);
}

bool diagnosis_render_doc(FILE *out, const struct diagnosis_view *v,
			  enum doc_format format)
{
	struct doc_writer w;

	if (!doc_writer_init(&w, out, format))
		return false;
	doc_begin_object(&w);
	diagnosis_doc_keys(&w, v);
	doc_end_object(&w);
	return doc_writer_finish(&w);
}
