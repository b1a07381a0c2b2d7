#include "incident_summary.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "addr_format.h"
#include "text_wrap.h"

#define NS_PER_SEC 1000000000LL
/*
 * A quiet end shorter than Linux's initial retransmission timeout (1 s)
 * cannot show recovery: the next retry would not have come yet.
 */
#define INCIDENT_RECOVERED_QUIET_NS NS_PER_SEC

enum incident_state { INCIDENT_ONGOING, INCIDENT_RECOVERED, INCIDENT_UNKNOWN };

static const char *const incident_state_names[] = {
	[INCIDENT_ONGOING] = "ongoing",
	[INCIDENT_RECOVERED] = "recovered",
	[INCIDENT_UNKNOWN] = "unknown",
};

/* One affected subject: its findings at warning or above, summed. */
struct incident_service {
	const struct finding *first;    /* its first finding in the list */
	enum finding_severity worst;
	size_t findings;
	uint64_t flows;
};

struct incident {
	size_t findings;                /* at warning or above */
	int64_t first_ts, last_ts;
	size_t ongoing;                 /* of those, holding at the end */
	const struct finding *ongoing_example;
	/* capture_coverage fired: much of the capture was not analysed. */
	bool coverage_limited;
	struct client_tally clients;    /* of the services' findings */
	struct incident_service *services; /* most affected first */
	size_t n_services;
};

static bool incident_counts(const struct finding *f)
{
	return f->severity >= SEVERITY_WARNING;
}

/* The whole capture is no service: capture_coverage speaks of it. */
static bool incident_names_service(const struct finding *f)
{
	return incident_counts(f) && f->id != FINDING_CAPTURE_COVERAGE;
}

/* Worst first, then most findings, most flows, earliest. */
static int incident_service_order(const void *pa, const void *pb)
{
	const struct incident_service *a = pa, *b = pb;

	if (a->worst != b->worst)
		return a->worst > b->worst ? -1 : 1;
	if (a->findings != b->findings)
		return a->findings > b->findings ? -1 : 1;
	if (a->flows != b->flows)
		return a->flows > b->flows ? -1 : 1;
	if (a->first->first_ts != b->first->first_ts)
		return a->first->first_ts < b->first->first_ts ? -1 : 1;
	return strcmp(a->first->subject, b->first->subject);
}

static void incident_add_service(struct incident *in, const struct finding *f)
{
	struct incident_service *s = NULL;

	for (size_t i = 0; i < in->n_services && s == NULL; i++)
		if (strcmp(in->services[i].first->subject, f->subject) == 0)
			s = &in->services[i];
	if (s == NULL) {
		s = &in->services[in->n_services++];
		s->first = f;
		s->worst = f->severity;
		s->findings = 0;
		s->flows = 0;
	}
	if (f->severity > s->worst)
		s->worst = f->severity;
	s->findings++;
	s->flows += f->flow_count;
}

/* false when memory ran out; incident_free() in any case. */
static bool incident_build(const struct diagnosis_view *v,
			   struct incident *in)
{
	memset(in, 0, sizeof(*in));
	in->services = calloc(v->n_findings + 1, sizeof(*in->services));
	if (in->services == NULL)
		return false;
	for (size_t i = 0; i < v->n_findings; i++) {
		const struct finding *f = &v->findings[i];

		if (f->id == FINDING_CAPTURE_COVERAGE)
			in->coverage_limited = true;
		if (!incident_counts(f))
			continue;
		if (in->findings == 0 || f->first_ts < in->first_ts)
			in->first_ts = f->first_ts;
		if (in->findings == 0 || f->last_ts > in->last_ts)
			in->last_ts = f->last_ts;
		in->findings++;
		if (f->holding && in->ongoing++ == 0)
			in->ongoing_example = f;
		if (!incident_names_service(f))
			continue;
		incident_add_service(in, f);
		client_tally_join(&in->clients, &f->clients);
	}
	if (in->n_services > 1)
		qsort(in->services, in->n_services, sizeof(*in->services),
		      incident_service_order);
	return true;
}

static void incident_free(struct incident *in)
{
	free(in->services);
	in->services = NULL;
}

/*
 * Ongoing when connections were still held in a finding's state at the
 * end (events in the last seconds alone do not tell whether it goes
 * on); recovered when nothing was seen for a while before the end.
 */
static enum incident_state incident_state_of(const struct diagnosis_view *v,
					     const struct incident *in)
{
	if (in->ongoing > 0)
		return INCIDENT_ONGOING;
	if (v->stats->last_ts - in->last_ts >= INCIDENT_RECOVERED_QUIET_NS)
		return INCIDENT_RECOVERED;
	return INCIDENT_UNKNOWN;
}

/* Seconds since the capture's first packet. */
static double incident_offset(const struct diagnosis_view *v, int64_t ts)
{
	return (double)(ts - v->stats->first_ts) / NS_PER_SEC;
}

/* ------------------------------------------------------------ text */

static void incident_text_services(FILE *out, const struct incident *in)
{
	char line[1200];
	size_t used = 0, shown = in->n_services;

	if (shown > INCIDENT_TEXT_SERVICES)
		shown = INCIDENT_TEXT_SERVICES;
	line[0] = '\0';
	for (size_t i = 0; i < shown && used < sizeof(line); i++) {
		const struct incident_service *s = &in->services[i];

		used += (size_t)snprintf(line + used, sizeof(line) - used,
					 "%s%s (%s", i ? ", " : "",
					 s->first->subject,
					 finding_id_name(s->first->id));
		if (s->findings > 1 && used < sizeof(line))
			used += (size_t)snprintf(line + used,
						 sizeof(line) - used,
						 " and %zu more", s->findings - 1);
		if (used < sizeof(line))
			used += (size_t)snprintf(line + used,
						 sizeof(line) - used, ")");
	}
	if (in->n_services > shown && used < sizeof(line))
		snprintf(line + used, sizeof(line) - used, " and %zu more",
			 in->n_services - shown);
	fprintf(out, "  affected  ");
	text_wrap(out, line, 12, 12);
}

/* "1: 192.0.2.1", "40", "about 3000" or "more than 3194". */
static void incident_clients_words(const struct client_tally *t, char *out,
				   size_t len)
{
	uint64_t n = client_tally_count(t);
	char addr[ADDR_FORMAT_LEN];

	if (client_tally_saturated(t))
		snprintf(out, len, "more than %" PRIu64, n);
	else if (!client_tally_exact(t))
		snprintf(out, len, "about %" PRIu64, n);
	else if (n == 1) {
		addr_format(t->family, t->first, addr, sizeof(addr));
		snprintf(out, len, "1: %s", addr);
	} else
		snprintf(out, len, "%" PRIu64, n);
}

static void incident_text_clients(FILE *out, const struct incident *in)
{
	char line[80];

	if (client_tally_count(&in->clients) == 0)
		return;
	incident_clients_words(&in->clients, line, sizeof(line));
	fprintf(out, "  clients   ");
	text_wrap(out, line, 12, 12);
}

static void incident_text_window(FILE *out, const struct diagnosis_view *v,
				 const struct incident *in)
{
	char line[200];

	double length = incident_offset(v, v->stats->last_ts);
	/* Tenths tell minutes apart; a short capture needs milliseconds. */
	int dec = length >= 10 ? 1 : 3;

	snprintf(line, sizeof(line), "+%.*f s to +%.*f s of %.*f s", dec,
		 incident_offset(v, in->first_ts), dec,
		 incident_offset(v, in->last_ts), dec, length);
	fprintf(out, "  window    ");
	text_wrap(out, line, 12, 12);
}

static void incident_text_state(FILE *out, const struct diagnosis_view *v,
				const struct incident *in)
{
	char line[400];
	double quiet = (double)(v->stats->last_ts - in->last_ts) / NS_PER_SEC;

	switch (incident_state_of(v, in)) {
	case INCIDENT_ONGOING:
		snprintf(line, sizeof(line), "still ongoing at the capture's "
			 "end: %zu of %zu findings, as %s %s", in->ongoing,
			 in->findings, finding_id_name(in->ongoing_example->id),
			 in->ongoing_example->subject);
		break;
	case INCIDENT_RECOVERED:
		snprintf(line, sizeof(line), "recovered: nothing for the last "
			 "%.1f s of the capture", quiet);
		break;
	default:
		snprintf(line, sizeof(line), "seen until the capture's end "
			 "(%.3f s before it): whether it recovered is not known",
			 quiet);
		break;
	}
	fprintf(out, "  state     ");
	text_wrap(out, line, 12, 12);
}

void incident_render_text(FILE *out, const struct diagnosis_view *v)
{
	struct incident in;

	fprintf(out, "\nINCIDENT\n");
	if (!incident_build(v, &in)) {
		fprintf(out, "  not summarised: out of memory\n");
		return;
	}
	if (in.findings == 0) {
		fprintf(out, "  ");
		text_wrap(out, in.coverage_limited ?
			  "nothing at warning or above, but much of the capture "
			  "was not analysed (capture_coverage): the summary is "
			  "limited by it" :
			  "nothing at warning or above", 2, 2);
		incident_free(&in);
		return;
	}
	if (in.n_services > 0)
		incident_text_services(out, &in);
	incident_text_clients(out, &in);
	incident_text_window(out, v, &in);
	incident_text_state(out, v, &in);
	if (in.coverage_limited) {
		fprintf(out, "  limited   ");
		text_wrap(out, "much of the capture was not analysed "
			  "(capture_coverage): there may be more", 12, 12);
	}
	incident_free(&in);
}

/* ------------------------------------------------------------ JSON, YAML */

static void incident_doc_offset(struct doc_writer *w, const char *key,
				const struct diagnosis_view *v, int64_t ts,
				bool known)
{
	doc_key(w, key);
	if (known)
		doc_decimal(w, (ts - v->stats->first_ts) / 1000, 6);
	else
		doc_null(w);
}

static void incident_doc_services(struct doc_writer *w,
				  const struct incident *in)
{
	doc_key(w, "services");
	doc_begin_array(w);
	for (size_t i = 0; i < in->n_services; i++) {
		const struct incident_service *s = &in->services[i];

		doc_begin_object(w);
		doc_member_string(w, "subject", s->first->subject);
		doc_member_string(w, "severity", finding_severity_name(s->worst));
		doc_member_string(w, "first_id", finding_id_name(s->first->id));
		doc_member_uint(w, "findings", s->findings);
		doc_member_uint(w, "flows", s->flows);
		doc_end_object(w);
	}
	doc_end_array(w);
}

/*
 * clients: the estimate; clients_exact: whether it is a count;
 * client: the one client when there is exactly one, else null.
 */
static void incident_doc_clients(struct doc_writer *w,
				 const struct incident *in, bool ok)
{
	uint64_t n = ok ? client_tally_count(&in->clients) : 0;
	bool exact = !ok || client_tally_exact(&in->clients);
	char addr[ADDR_FORMAT_LEN];

	doc_member_uint(w, "clients", n);
	doc_member_bool(w, "clients_exact", exact);
	doc_key(w, "client");
	if (n == 1 && exact) {
		addr_format(in->clients.family, in->clients.first, addr,
			    sizeof(addr));
		doc_string(w, addr);
	} else {
		doc_null(w);
	}
}

void incident_render_doc(struct doc_writer *w, const struct diagnosis_view *v)
{
	struct incident in;
	bool ok = incident_build(v, &in);
	bool any = ok && in.findings > 0;

	doc_key(w, "incident");
	doc_begin_object(w);
	doc_member_uint(w, "findings", ok ? in.findings : 0);
	incident_doc_services(w, &in);
	incident_doc_clients(w, &in, ok);
	incident_doc_offset(w, "first_offset", v, in.first_ts, any);
	incident_doc_offset(w, "last_offset", v, in.last_ts, any);
	incident_doc_offset(w, "capture_length", v, v->stats->last_ts,
			    v->stats->packets > 0);
	doc_key(w, "state");
	if (any)
		doc_string(w, incident_state_names[incident_state_of(v, &in)]);
	else
		doc_null(w);
	doc_member_uint(w, "ongoing", ok ? in.ongoing : 0);
	doc_member_bool(w, "coverage_limited", ok && in.coverage_limited);
	doc_end_object(w);
	incident_free(&in);
}
