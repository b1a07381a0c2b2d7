#include "quality_report.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "text_wrap.h"

/* A paragraph built piece by piece. */
struct para {
	char b[1200];
	size_t n;
};

static void say(struct para *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say(struct para *p, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (p->n >= sizeof(p->b))
		return;
	va_start(ap, fmt);
	k = vsnprintf(p->b + p->n, sizeof(p->b) - p->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		p->n += (size_t)k;
	if (p->n >= sizeof(p->b))
		p->n = sizeof(p->b) - 1;
}

static void put(FILE *out, const char *label, struct para *p)
{
	fprintf(out, "  %-12s", label);
	text_wrap(out, p->b, 14, 14);
	p->n = 0;
	p->b[0] = '\0';
}

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* "MPLS (ethertype 0x8847)", "IGMP (IP protocol 2)", "VXLAN (UDP 4789)" */
static void detail_name(const struct quality_detail *d, char *out, size_t len)
{
	const char *name = d->name != NULL ? d->name : "unknown";

	switch (d->kind) {
	case QUALITY_CODE_ETHERTYPE:
		snprintf(out, len, "%s (ethertype 0x%04x)", name, (unsigned)d->code);
		break;
	case QUALITY_CODE_IP_PROTO:
		snprintf(out, len, "%s (IP protocol %u)", name, (unsigned)d->code);
		break;
	case QUALITY_CODE_UDP_PORT:
		snprintf(out, len, "%s (UDP port %u)", name, (unsigned)d->code);
		break;
	case QUALITY_CODE_DLT:
		snprintf(out, len, "link type %u (%s)", (unsigned)d->code, name);
		break;
	case QUALITY_CODE_NONE:
		snprintf(out, len, "%s", name);
		break;
	}
}

const char *quality_loss_verdict(const struct capture_quality_report *q)
{
	return q->capture_loss ? "capture_loss" : "none_seen";
}

const char *quality_coverage_verdict(const struct capture_quality_report *q)
{
	if (q->hidden > 0 || q->unread_bytes > 0)
		return "hidden";
	return q->not_analysed > 0 ? "partial" : "complete";
}

/* ------------------------------------------------------------------ text */

static void text_direction(FILE *out, const struct capture_quality_report *q)
{
	struct para p = {.n = 0};
	uint64_t judged = q->two_sided_flows + q->one_sided_flows;

	switch (q->direction) {
	case QUALITY_DIRECTION_NO_TCP:
		say(&p, "not judged: no TCP connection with packets both ways "
		    "or an acknowledgement");
		break;
	case QUALITY_DIRECTION_TWO_SIDED:
		say(&p, "two-sided: %" PRIu64 " of %" PRIu64 " TCP connection%s "
		    "show both directions", judged, judged, plural(judged));
		break;
	case QUALITY_DIRECTION_PARTLY:
	case QUALITY_DIRECTION_ONE_SIDED:
		say(&p, "%s: %" PRIu64 " of %" PRIu64 " TCP connection%s with "
		    "packets one way only, acknowledging packets the capture "
		    "does not hold (a SPAN or tap of one direction, asymmetric "
		    "routing, a filter)",
		    q->direction == QUALITY_DIRECTION_ONE_SIDED ? "one-sided"
								: "partly one-sided",
		    q->one_sided_flows, judged, plural(judged));
		break;
	}
	put(out, "direction", &p);
}

static void text_drops(struct para *p, const struct capture_quality_report *q)
{
	if (!q->has_ifdrop && !q->has_osdrop) {
		say(p, "; %s", q->interfaces_with_stats > 0
		    ? "the interface statistics count no drops"
		    : "no interface statistics in the file");
		return;
	}
	say(p, "; the interface statistics count");
	if (q->has_ifdrop)
		say(p, " %" PRIu64 " packet%s dropped by the interface", q->ifdrop,
		    plural(q->ifdrop));
	if (q->has_osdrop)
		say(p, "%s %" PRIu64 " by the capturing OS",
		    q->has_ifdrop ? " and" : "", q->osdrop);
}

static void text_loss(FILE *out, const struct capture_quality_report *q,
		      bool flows)
{
	struct para p = {.n = 0};
	char uid[FLOW_UID_LEN];

	if (!flows) {
		say(&p, "bytes the capture missed are judged by tcplens report, "
		    "which follows the connections");
	} else if (q->missed_bytes == 0) {
		say(&p, "none seen: no byte a receiver acknowledged is missing");
	} else {
		say(&p, "capture loss: %" PRIu64 " byte%s acknowledged by their "
		    "receivers are not in the capture, in %" PRIu64 " of %" PRIu64
		    " TCP connection%s (%" PRIu64 " segment%s ACKed unseen); most:",
		    q->missed_bytes, plural(q->missed_bytes), q->flows_with_loss,
		    q->tcp_flows, plural(q->tcp_flows), q->acked_unseen_segments,
		    plural(q->acked_unseen_segments));
		for (size_t i = 0; i < q->n_top_loss; i++) {
			flow_format_uid(q->top_loss[i].uid, uid);
			say(&p, "%s %s %" PRIu64, i ? "," : "", uid,
			    q->top_loss[i].missed_bytes);
		}
	}
	text_drops(&p, q);
	put(out, "loss", &p);
}

static void text_duplicates(FILE *out, const struct capture_quality_report *q)
{
	struct para p = {.n = 0};

	if (q->duplicates == 0) {
		say(&p, "none");
	} else {
		say(&p, "%" PRIu64 " frame%s (%" PRIu64 " TCP) repeating one "
		    "captured at most %d ms before (-i any, a SPAN of both "
		    "directions): frames", q->duplicates, plural(q->duplicates),
		    q->tcp_duplicates, QUALITY_DUP_WINDOW_NS / 1000000);
		for (size_t i = 0; i < q->n_dup_examples; i++)
			say(&p, "%s %" PRIu64 " (of %" PRIu64 ")", i ? "," : "",
			    q->dup_frames[i], q->dup_of[i]);
	}
	put(out, "duplicates", &p);
}

static void text_snaplen(FILE *out, const struct capture_quality_report *q)
{
	struct para p = {.n = 0};

	if (q->snaplen_cut == 0)
		say(&p, "no frame cut");
	else
		say(&p, "%" PRIu64 " frame%s cut by the snapshot length, "
		    "%" PRIu64 " byte%s not captured", q->snaplen_cut,
		    plural(q->snaplen_cut), q->bytes_not_captured,
		    plural(q->bytes_not_captured));
	put(out, "snaplen", &p);
}

struct count_label {
	uint64_t n;
	const char *one, *many;
};

/* "a, b and c"; false when every count is 0. */
static bool list_counts(struct para *p, const struct count_label *c, size_t n)
{
	size_t shown = 0, total = 0;

	for (size_t i = 0; i < n; i++)
		total += c[i].n > 0;
	for (size_t i = 0; i < n; i++) {
		if (c[i].n == 0)
			continue;
		say(p, "%s%" PRIu64 " %s", shown == 0 ? ""
			: shown + 1 == total ? " and " : ", ", c[i].n,
		    c[i].n == 1 ? c[i].one : c[i].many);
		shown++;
	}
	return shown > 0;
}

static void text_edits(FILE *out, const struct capture_quality_report *q)
{
	const struct count_label c[] = {
		{q->ipv4_cksum_zeroed, "IPv4 checksum zeroed by a sender that "
		 "sums TCP itself", "IPv4 checksums zeroed by senders that sum "
		 "TCP themselves"},
		{q->transport_cksum_zeroed, "TCP checksum zeroed",
		 "TCP checksums zeroed"},
		{q->ttl_zero, "packet with TTL 0", "packets with TTL 0"},
		{q->impossible_addresses, "packet with an impossible address",
		 "packets with impossible addresses"},
		{q->port_zero, "packet to or from port 0",
		 "packets to or from port 0"},
		{q->time_zero, "frame dated 1970-01-01T00:00:00Z",
		 "frames dated 1970-01-01T00:00:00Z"},
		{q->time_jumps, "jump of a day or more in time",
		 "jumps of a day or more in time"},
	};
	struct para p = {.n = 0};

	if (list_counts(&p, c, sizeof(c) / sizeof(c[0])))
		say(&p, ": signs of an edited, anonymised or merged capture");
	else
		say(&p, "none seen");
	put(out, "edits", &p);
}

static void text_offload(FILE *out, const struct capture_quality_report *q)
{
	struct para p = {.n = 0};
	const struct count_label c[] = {
		{q->cksum_offloaded, "TCP/UDP checksum left to the NIC",
		 "TCP/UDP checksums left to the NIC"},
		{q->ipv4_cksum_offloaded, "IPv4 header checksum left at 0",
		 "IPv4 header checksums left at 0"},
		{q->super_frames, "IP packet above 1500 bytes",
		 "IP packets above 1500 bytes"},
	};

	if (list_counts(&p, c, sizeof(c) / sizeof(c[0])))
		say(&p, ": captured on the sending or receiving host before "
		    "the NIC (checksum offload, TSO/GRO), or a loopback or "
		    "jumbo MTU; not errors on the wire");
	else
		say(&p, "none seen");
	put(out, "offload", &p);
}

static void text_coverage(FILE *out, const struct capture_quality_report *q)
{
	struct para p = {.n = 0};
	char name[120];

	say(&p, "%" PRIu64 " of %" PRIu64 " frame%s analysed", q->analysed,
	    q->frames, plural(q->frames));
	if (q->not_analysed > 0 || q->by_reason[QUALITY_TUNNEL_PAYLOAD] > 0)
		say(&p, "; not analysed or not all of it:");
	for (size_t i = 0; i < q->n_details; i++) {
		const struct quality_detail *d = &q->details[i];

		detail_name(d, name, sizeof(name));
		say(&p, "%s %" PRIu64 " %s [%s]", i ? "," : "", d->frames, name,
		    quality_reason_key(d->reason));
	}
	if (q->unread_bytes > 0)
		say(&p, "; %" PRIu64 " byte%s of %" PRIu64 " never read after a "
		    "break", q->unread_bytes, plural(q->unread_bytes),
		    q->file_bytes);
	if (q->hidden > 0)
		say(&p, "; %" PRIu64 " frame%s traffic tcplens cannot see",
		    q->hidden, q->hidden == 1 ? " hides" : "s hide");
	put(out, "coverage", &p);
}

static void text_changes(FILE *out, const struct quality_changes *c)
{
	struct para p = {.n = 0};

	if (c->n == 0) {
		say(&p, "none downgraded or withheld");
		put(out, "findings", &p);
		return;
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct quality_adjustment *a = &c->list[i];

		say(&p, "%s %s %s", finding_id_name(a->id), a->subject,
		    a->withheld ? "withheld" : "downgraded");
		if (!a->withheld)
			say(&p, " from %s to %s", finding_severity_name(a->from),
			    finding_severity_name(a->to));
		say(&p, ": %s", a->reason);
		put(out, i == 0 ? "findings" : "", &p);
	}
	if (c->more > 0) {
		say(&p, "and %llu more findings changed alike",
		    (unsigned long long)c->more);
		put(out, "", &p);
	}
}

void quality_render_text(FILE *out, const struct capture_quality_report *q,
			 bool flows, const struct quality_changes *changes)
{
	if (flows)
		text_direction(out, q);
	text_loss(out, q, flows);
	text_duplicates(out, q);
	text_snaplen(out, q);
	text_edits(out, q);
	text_offload(out, q);
	text_coverage(out, q);
	if (changes != NULL)
		text_changes(out, changes);
}

/* ------------------------------------------------------------ JSON, YAML */

static void doc_direction(struct doc_writer *w,
			  const struct capture_quality_report *q)
{
	doc_key(w, "direction");
	doc_begin_object(w);
	doc_member_string(w, "verdict", quality_direction_key(q->direction));
	doc_member_uint(w, "tcp_flows", q->tcp_flows);
	doc_member_uint(w, "two_sided_flows", q->two_sided_flows);
	doc_member_uint(w, "one_sided_flows", q->one_sided_flows);
	doc_end_object(w);
}

/*
 * Without flows (stats) the connections' missed bytes are null: only
 * the interface statistics are known.
 */
static void doc_loss(struct doc_writer *w, const struct capture_quality_report *q,
		     bool flows)
{
	char uid[FLOW_UID_LEN];

	doc_key(w, "loss");
	doc_begin_object(w);
	doc_member_string(w, "verdict", quality_loss_verdict(q));
	doc_member_uint_or_null(w, "missed_bytes", flows, q->missed_bytes);
	doc_member_uint_or_null(w, "flows_with_missed_bytes", flows, q->flows_with_loss);
	doc_member_uint_or_null(w, "acked_unseen_segments", flows, q->acked_unseen_segments);
	doc_key(w, "top_flows");
	doc_begin_array(w);
	for (size_t i = 0; flows && i < q->n_top_loss; i++) {
		flow_format_uid(q->top_loss[i].uid, uid);
		doc_begin_object(w);
		doc_member_string(w, "uid", uid);
		doc_member_uint(w, "missed_bytes", q->top_loss[i].missed_bytes);
		doc_end_object(w);
	}
	doc_end_array(w);
	doc_member_uint(w, "interfaces_with_stats", q->interfaces_with_stats);
	doc_member_uint_or_null(w, "ifdrop", q->has_ifdrop, q->ifdrop);
	doc_member_uint_or_null(w, "osdrop", q->has_osdrop, q->osdrop);
	doc_end_object(w);
}

static void doc_duplicates(struct doc_writer *w,
			   const struct capture_quality_report *q)
{
	doc_key(w, "duplicates");
	doc_begin_object(w);
	doc_member_string(w, "verdict", q->duplicates > 0 ? "duplicates" : "none");
	doc_member_uint(w, "frames", q->duplicates);
	doc_member_uint(w, "tcp_frames", q->tcp_duplicates);
	doc_member_uint(w, "window_us", QUALITY_DUP_WINDOW_NS / 1000);
	doc_key(w, "examples");
	doc_begin_array(w);
	for (size_t i = 0; i < q->n_dup_examples; i++) {
		doc_begin_object(w);
		doc_member_uint(w, "frame", q->dup_frames[i]);
		doc_member_uint(w, "copy_of", q->dup_of[i]);
		doc_end_object(w);
	}
	doc_end_array(w);
	doc_end_object(w);
}

static void doc_simple(struct doc_writer *w, const struct capture_quality_report *q)
{
	bool edited = q->ipv4_cksum_zeroed + q->transport_cksum_zeroed +
		      q->ttl_zero + q->impossible_addresses + q->port_zero +
		      q->time_zero + q->time_jumps > 0;
	bool offload = q->cksum_offloaded + q->ipv4_cksum_offloaded +
		       q->super_frames > 0;

	doc_key(w, "snaplen");
	doc_begin_object(w);
	doc_member_string(w, "verdict", q->snaplen_cut > 0 ? "cut" : "full");
	doc_member_uint(w, "frames_cut", q->snaplen_cut);
	doc_member_uint(w, "bytes_not_captured", q->bytes_not_captured);
	doc_end_object(w);
	doc_key(w, "edits");
	doc_begin_object(w);
	doc_member_string(w, "verdict", edited ? "edited" : "none_seen");
	doc_member_uint(w, "ipv4_checksum_zeroed", q->ipv4_cksum_zeroed);
	doc_member_uint(w, "tcp_checksum_zeroed", q->transport_cksum_zeroed);
	doc_member_uint(w, "ttl_zero", q->ttl_zero);
	doc_member_uint(w, "impossible_addresses", q->impossible_addresses);
	doc_member_uint(w, "port_zero", q->port_zero);
	doc_member_uint(w, "time_zero", q->time_zero);
	doc_member_uint(w, "time_jumps", q->time_jumps);
	doc_end_object(w);
	doc_key(w, "offload");
	doc_begin_object(w);
	doc_member_string(w, "verdict", offload ? "offload" : "none_seen");
	doc_member_uint(w, "checksum_offloaded", q->cksum_offloaded);
	doc_member_uint(w, "ipv4_checksum_offloaded", q->ipv4_cksum_offloaded);
	doc_member_uint(w, "super_frames", q->super_frames);
	doc_end_object(w);
}

static const char *code_kind_key(enum quality_code_kind k)
{
	switch (k) {
	case QUALITY_CODE_ETHERTYPE: return "ethertype";
	case QUALITY_CODE_IP_PROTO: return "ip_protocol";
	case QUALITY_CODE_UDP_PORT: return "udp_port";
	case QUALITY_CODE_DLT: return "link_type";
	case QUALITY_CODE_NONE: break;
	}
	return NULL;
}

static void doc_coverage(struct doc_writer *w,
			 const struct capture_quality_report *q)
{
	doc_key(w, "coverage");
	doc_begin_object(w);
	doc_member_string(w, "verdict", quality_coverage_verdict(q));
	doc_member_uint(w, "frames", q->frames);
	doc_member_uint(w, "analysed", q->analysed);
	doc_member_uint(w, "not_analysed", q->not_analysed);
	doc_member_uint(w, "hidden", q->hidden);
	doc_key(w, "reasons");
	doc_begin_object(w);
	for (int r = 0; r < QUALITY_REASON_COUNT; r++)
		doc_member_uint(w, quality_reason_key((enum quality_reason)r),
				q->by_reason[r]);
	doc_end_object(w);
	doc_key(w, "details");
	doc_begin_array(w);
	for (size_t i = 0; i < q->n_details; i++) {
		const struct quality_detail *d = &q->details[i];

		doc_begin_object(w);
		doc_member_string(w, "reason", quality_reason_key(d->reason));
		doc_member_string(w, "kind", code_kind_key(d->kind));
		doc_member_uint_or_null(w, "code", d->kind != QUALITY_CODE_NONE, d->code);
		doc_member_string(w, "name", d->name);
		doc_member_uint(w, "frames", d->frames);
		doc_end_object(w);
	}
	doc_end_array(w);
	doc_member_uint(w, "broken_inputs", q->broken_inputs);
	doc_member_uint(w, "unread_bytes", q->unread_bytes);
	doc_end_object(w);
}

static void doc_changes(struct doc_writer *w, const struct quality_changes *c)
{
	doc_key(w, "adjusted");
	doc_begin_array(w);
	for (size_t i = 0; i < c->n; i++) {
		const struct quality_adjustment *a = &c->list[i];

		doc_begin_object(w);
		doc_member_string(w, "id", finding_id_name(a->id));
		doc_member_string(w, "subject", a->subject);
		doc_member_string(w, "from", finding_severity_name(a->from));
		doc_member_string(w, "to", a->withheld
				  ? "withheld" : finding_severity_name(a->to));
		doc_member_string(w, "reason", a->reason);
		doc_end_object(w);
	}
	doc_end_array(w);
	doc_member_uint(w, "adjusted_not_listed", c->more);
}

void quality_render_doc(struct doc_writer *w,
			const struct capture_quality_report *q, bool flows,
			const struct quality_changes *changes)
{
	doc_key(w, "capture_quality");
	doc_begin_object(w);
	if (flows)
		doc_direction(w, q);
	doc_loss(w, q, flows);
	doc_duplicates(w, q);
	doc_simple(w, q);
	doc_coverage(w, q);
	if (changes != NULL)
		doc_changes(w, changes);
	doc_end_object(w);
}
