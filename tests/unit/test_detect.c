/*
 * The detectors, driven through the real engine: packets are built as
 * bytes (unit_packets.c), decoded, fed to an analyzer whose sink is the
 * detectors', and the findings are read back at the end.  Every case
 * checks the id, subject, severity, value and details it expects, and
 * that nothing else fired; the negative cases check that nothing did.
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

#include "analyzer.h"
#include "detect.h"
/* White-box: the flow extensions' pool (test_flow_extension_*). */
#include "detect_internal.h"
#include "settings.h"
#include "unit_packets.h"

#define SYN TCP_FLAG_SYN
#define ACK TCP_FLAG_ACK
#define FIN TCP_FLAG_FIN
#define RST TCP_FLAG_RST
#define PSH TCP_FLAG_PSH

#define assert_num(got, want) assert_float_equal((got), (want), 1e-3)

/* ------------------------------------------------------------ the run */

/* One engine with its detectors, made by each test's setup. */
struct run {
	struct settings s;      /* defaults; a test may change them first */
	struct detectors *det;
	struct analyzer *a;
	struct unit_wire w;
	const struct finding *f;
	size_t n;
};

/* Sets section.key (in the file's unit: seconds, a count, 0/1). */
static void run_set(struct run *r, const char *section, const char *key,
		    double v)
{
	const struct setting *e = settings_find(section, key);

	assert_non_null(e);
	assert_true(settings_set(&r->s, e, v));
}

static int run_setup(void **state)
{
	struct run *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return -1;
	settings_defaults(&r->s);
	*state = r;
	return 0;
}

static int run_teardown(void **state)
{
	struct run *r = *state;

	analyzer_free(r->a);
	detectors_free(r->det);
	free(r);
	return 0;
}

/* Starts the engine with the settings as the test left them. */
static struct unit_wire *run_start(struct run *r)
{
	struct analyzer_sink sink;

	r->det = detectors_new(&r->s.detect, &r->s.engine, NULL);
	assert_non_null(r->det);
	sink = detectors_sink(r->det);
	r->a = analyzer_new(&r->s.engine, &sink);
	assert_non_null(r->a);
	r->w = unit_wire_into(r->a);
	return &r->w;
}

/* End of capture, as the CLI ends it; the findings go to r->f. */
static void run_end(struct run *r)
{
	analyzer_finish(r->a);
	detectors_finish(r->det, analyzer_get_stats(r->a),
			 analyzer_defrag_stats(r->a));
	assert_false(detectors_out_of_memory(r->det));
	r->f = detectors_findings(r->det, &r->n);
}

/* What fired (the first 12), on stderr, when a test is about to fail. */
static void dump_findings(const struct run *r)
{
	fprintf(stderr, "findings (%zu):\n", r->n);
	for (size_t i = 0; i < r->n && i < 12; i++) {
		const struct finding *f = &r->f[i];

		fprintf(stderr, "  %s %s %s value %g:",
			finding_severity_name(f->severity),
			finding_id_name(f->id), f->subject, f->value);
		for (int j = 0; j < f->n_details; j++)
			fprintf(stderr, " %s=%s", f->details[j].key,
				f->details[j].text);
		fputc('\n', stderr);
	}
}

static void expect_count(const struct run *r, size_t n)
{
	if (r->n != n)
		dump_findings(r);
	assert_int_equal(r->n, n);
}

static size_t count_of(const struct run *r, enum finding_id id)
{
	size_t k = 0;

	for (size_t i = 0; i < r->n; i++)
		k += r->f[i].id == id;
	return k;
}

static const struct finding *find(const struct run *r, enum finding_id id,
				  const char *subject)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->f[i].id == id && strcmp(r->f[i].subject, subject) == 0)
			return &r->f[i];
	return NULL;
}

/* The finding of id on subject, which must be there. */
static const struct finding *expect_finding(const struct run *r,
					    enum finding_id id,
					    const char *subject)
{
	const struct finding *f = find(r, id, subject);

	if (f == NULL) {
		fprintf(stderr, "no %s on %s\n", finding_id_name(id), subject);
		dump_findings(r);
	}
	assert_non_null(f);
	return f;
}

static const struct finding_detail *detail_of(const struct finding *f,
					      const char *key)
{
	for (int i = 0; i < f->n_details; i++)
		if (strcmp(f->details[i].key, key) == 0)
			return &f->details[i];
	fprintf(stderr, "%s on %s has no detail %s\n", finding_id_name(f->id),
		f->subject, key);
	fail();
	return NULL;
}

static double detail_number(const struct finding *f, const char *key)
{
	const struct finding_detail *d = detail_of(f, key);

	assert_true(d->is_number);
	return d->number;
}

static const char *detail_text(const struct finding *f, const char *key)
{
	const struct finding_detail *d = detail_of(f, key);

	assert_false(d->is_number);
	return d->text;
}

/* ------------------------------------------------------------ connections */

enum { CLI = 0, SRV = 1 };

/* One TCP connection's two ends and their next sequence numbers. */
struct conn {
	struct unit_wire *w;
	char addr[2][INET6_ADDRSTRLEN];
	uint16_t port[2];
	uint32_t nxt[2];
	uint16_t win[2];
	const struct unit_tcp_opts *syn_opts; /* on SYN and SYN-ACK */
};

/* MSS 1460 and SACK permitted, as Linux offers them. */
static const struct unit_tcp_opts linux_syn = {
	.mss = 1460, .sack_perm = true,
};

static void conn_init(struct conn *c, struct unit_wire *w, const char *cli,
		      uint16_t cport, const char *srv, uint16_t sport)
{
	memset(c, 0, sizeof(*c));
	c->w = w;
	snprintf(c->addr[CLI], sizeof(c->addr[CLI]), "%s", cli);
	snprintf(c->addr[SRV], sizeof(c->addr[SRV]), "%s", srv);
	c->port[CLI] = cport;
	c->port[SRV] = sport;
	/* A different ISN per client port, far from wrapping. */
	c->nxt[CLI] = 0x10000000u + (uint32_t)cport * 4096u;
	c->nxt[SRV] = 0x60000000u + (uint32_t)cport * 4096u;
	c->win[CLI] = c->win[SRV] = 65535;
	c->syn_opts = &linux_syn;
}

/* A segment from side with the numbers given (ack only with ACK). */
static void conn_seg(struct conn *c, int side, int64_t t, uint8_t flags,
		     uint32_t seq, uint32_t ack, uint32_t len,
		     const struct unit_tcp_opts *opts)
{
	struct unit_tcp seg = {
		.src = c->addr[side], .dst = c->addr[!side],
		.sport = c->port[side], .dport = c->port[!side],
		.flags = flags, .seq = seq,
		.ack = (flags & ACK) ? ack : 0,
		.win = c->win[side], .payload_len = len, .opts = opts,
	};

	unit_wire_tcp(c->w, t, &seg);
}

/*
 * The next segment from side: at its next sequence number, acknowledging
 * all the peer sent.  Returns its sequence number.
 */
static uint32_t conn_send(struct conn *c, int side, int64_t t, uint8_t flags,
			  uint32_t len)
{
	uint32_t seq = c->nxt[side];

	conn_seg(c, side, t, flags, seq, c->nxt[!side], len,
		 (flags & SYN) ? c->syn_opts : NULL);
	c->nxt[side] += len + ((flags & (SYN | FIN)) ? 1 : 0);
	return seq;
}

/* SYN at t, the SYN-ACK synack_after it, the ACK ack_after that. */
static void conn_open(struct conn *c, int64_t t, int64_t synack_after,
		      int64_t ack_after)
{
	conn_send(c, CLI, t, SYN, 0);
	conn_send(c, SRV, t + synack_after, SYN | ACK, 0);
	conn_send(c, CLI, t + synack_after + ack_after, ACK, 0);
}

/* A request and its response, 1 and 2 ms after t, and the client's ACK. */
static void conn_exchange(struct conn *c, int64_t t)
{
	conn_send(c, CLI, t + MS(1), PSH | ACK, 100);
	conn_send(c, SRV, t + MS(2), PSH | ACK, 300);
	conn_send(c, CLI, t + MS(2) + US(50), ACK, 0);
}

/*
 * One attempt from src:sport to dst:dport at t, refused with RST|ACK
 * (sequence 0, as Linux answers a SYN to a closed port).
 */
static void feed_refused(struct unit_wire *w, const char *src,
			 uint16_t sport, const char *dst, uint16_t dport,
			 int64_t t)
{
	struct conn c;

	conn_init(&c, w, src, sport, dst, dport);
	conn_send(&c, CLI, t, SYN, 0);
	conn_seg(&c, SRV, t + US(100), RST | ACK, 0, c.nxt[CLI], 0, NULL);
}

/* ------------------------------------------------------------ syn_flood */

/*
 * Each of sources hosts sends one SYN, 13 ms apart (150 within 2 s);
 * the listener answers every one, and none completes.
 */
static void feed_half_open_sources(struct unit_wire *w, int sources)
{
	for (int i = 0; i < sources; i++) {
		char src[32];
		struct conn c;

		snprintf(src, sizeof(src), "10.1.%d.%d", i / 100, i % 100 + 1);
		conn_init(&c, w, src, 40000, "10.0.0.1", 80);
		conn_send(&c, CLI, MS(13) * i, SYN, 0);
		conn_send(&c, SRV, MS(13) * i + US(300), SYN | ACK, 0);
	}
}

static void test_syn_flood_half_open_from_150_sources(void **state)
{
	struct run *r = *state;
	const struct finding *f;

	feed_half_open_sources(run_start(r), 150);
	/* The capture goes on past the flood: every attempt is a second old. */
	analyzer_advance(r->a, EPOCH_NS + SEC(4));
	run_end(r);
	expect_count(r, 1);
	f = expect_finding(r, FINDING_SYN_FLOOD, "10.0.0.1:80");
	assert_int_equal(f->severity, SEVERITY_CRITICAL);
	assert_num(f->value, 150);
	assert_num(f->threshold, 100);
	assert_num(detail_number(f, "sources"), 150);
	assert_num(detail_number(f, "syns_unanswered"), 0);
	assert_num(detail_number(f, "synacks_never_retried"), 150);
	assert_string_equal(detail_text(f, "syncookies"), "likely");
}

/* What a live consumer (the dashboard) hears, and when. */
struct heard {
	int calls;
	enum finding_id id;
	char subject[FINDING_SUBJECT_LEN];
	uint64_t packets_then;  /* packets the engine had been fed */
	struct analyzer *a;
};

static void hear(void *ctx, const struct finding *f)
{
	struct heard *h = ctx;

	if (h->calls++ == 0) {
		h->id = f->id;
		snprintf(h->subject, sizeof(h->subject), "%s", f->subject);
		h->packets_then = analyzer_get_stats(h->a)->packets;
	}
}

/* An engine whose detectors tell h of every finding as it fires. */
static struct unit_wire *run_start_heard(struct run *r, struct heard *h)
{
	struct finding_sink fs = {.ctx = h, .on_finding = hear};
	struct analyzer_sink sink;

	r->det = detectors_new(&r->s.detect, &r->s.engine, &fs);
	assert_non_null(r->det);
	sink = detectors_sink(r->det);
	r->a = analyzer_new(&r->s.engine, &sink);
	assert_non_null(r->a);
	h->a = r->a;
	r->w = unit_wire_into(r->a);
	return &r->w;
}

/*
 * A finding reaches the finding sink as it fires, while packets are still
 * coming, not at the end: a flood of 250 half-open attempts over 3.2 s is
 * known half-open a second after each began, so it fires during the feed,
 * and only once.
 */
static void test_findings_fire_while_the_capture_is_read(void **state)
{
	struct run *r = *state;
	struct heard h = {0};
	uint64_t fed;

	feed_half_open_sources(run_start_heard(r, &h), 250);
	fed = analyzer_get_stats(r->a)->packets;
	assert_int_equal(h.calls, 1);
	assert_int_equal(h.id, FINDING_SYN_FLOOD);
	assert_string_equal(h.subject, "10.0.0.1:80");
	assert_true(h.packets_then < fed);
	run_end(r);
	assert_int_equal(h.calls, 1);
	expect_count(r, 1);
}

/*
 * Once the flood stops, time alone judges the attempts still waiting: a
 * packet of another connection later on, or analyzer_advance() in live
 * capture, fires it without waiting for the flows to end.
 */
static void test_syn_flood_fires_on_time_after_the_flood_stops(void **state)
{
	struct run *r = *state;
	struct heard h = {0};
	struct unit_wire *w = run_start_heard(r, &h);

	feed_half_open_sources(w, 150);
	assert_int_equal(h.calls, 0);
	analyzer_advance(r->a, EPOCH_NS + SEC(4));
	assert_int_equal(h.calls, 1);
	assert_int_equal(h.id, FINDING_SYN_FLOOD);
	run_end(r);
	assert_int_equal(h.calls, 1);
	expect_count(r, 1);
	assert_num(expect_finding(r, FINDING_SYN_FLOOD, "10.0.0.1:80")->value, 150);
}

/*
 * While a flood's attempts are still half-open, its finding states what
 * the packets so far show (a live snapshot takes it then), and the end
 * counts each attempt once.  120 sources, one SYN each within 0.6 s; the
 * first 20 answered at once, 10 of those sent again later.
 */
static void test_syn_flood_facts_while_attempts_are_open(void **state)
{
	struct run *r = *state;
	struct unit_wire *w = run_start(r);
	struct conn c[120];
	const struct finding *f;

	for (int i = 0; i < 120; i++) {
		char src[32];

		snprintf(src, sizeof(src), "10.1.%d.%d", i / 100, i % 100 + 1);
		conn_init(&c[i], w, src, 40000, "10.0.0.1", 80);
		conn_send(&c[i], CLI, MS(5) * i, SYN, 0);
		if (i < 20)
			conn_send(&c[i], SRV, MS(5) * i + US(300), SYN | ACK, 0);
	}
	analyzer_advance(r->a, EPOCH_NS + SEC(2));
	r->f = detectors_findings(r->det, &r->n);
	f = expect_finding(r, FINDING_SYN_FLOOD, "10.0.0.1:80");
	assert_num(detail_number(f, "sources"), 120);
	assert_num(detail_number(f, "syns_unanswered"), 100);
	assert_num(detail_number(f, "synack_retransmissions"), 0);
	/* Answered a second ago: too recent to call never retried. */
	assert_num(detail_number(f, "synacks_never_retried"), 0);
	assert_string_equal(detail_text(f, "syncookies"), "not seen");
	assert_non_null(strstr(f->summary, "from 120 distinct sources; "
			       "100 have had no SYN-ACK so far, 0 SYN-ACKs"));

	/* 10 SYN-ACKs sent again, a late one to #50, #60 completes. */
	for (int i = 0; i < 10; i++)
		conn_seg(&c[i], SRV, SEC(2) + MS(i), SYN | ACK,
			 c[i].nxt[SRV] - 1, c[i].nxt[CLI], 0, &linux_syn);
	conn_send(&c[50], SRV, SEC(2) + MS(50), SYN | ACK, 0);
	conn_send(&c[60], SRV, SEC(2) + MS(60), SYN | ACK, 0);
	conn_send(&c[60], CLI, SEC(2) + MS(61), ACK, 0);
	r->f = detectors_findings(r->det, &r->n);
	f = expect_finding(r, FINDING_SYN_FLOOD, "10.0.0.1:80");
	assert_num(detail_number(f, "sources"), 119);
	assert_num(detail_number(f, "syns_unanswered"), 98);
	assert_num(detail_number(f, "synack_retransmissions"), 10);
	assert_non_null(strstr(f->summary, "98 have had no SYN-ACK so far, "
			       "10 SYN-ACKs were retransmitted"));

	/* At the end, the same attempts, counted once, in the final words. */
	run_end(r);
	f = expect_finding(r, FINDING_SYN_FLOOD, "10.0.0.1:80");
	assert_num(detail_number(f, "sources"), 119);
	assert_num(detail_number(f, "syns_unanswered"), 98);
	assert_num(detail_number(f, "synack_retransmissions"), 10);
	assert_num(detail_number(f, "synacks_never_retried"), 11);
	assert_string_equal(detail_text(f, "syncookies"), "not seen");
	assert_non_null(strstr(f->summary, "98 never got a SYN-ACK, 10 "));
}

static void test_syn_flood_not_for_busy_listener_completing_handshakes(void **state)
{
	struct run *r = *state;
	struct unit_wire *w = run_start(r);

	/* 1000 handshakes within 1 s, each done in 200 µs. */
	for (int i = 0; i < 1000; i++) {
		char src[32];
		struct conn c;

		snprintf(src, sizeof(src), "10.2.%d.%d", i / 200, i % 200 + 1);
		conn_init(&c, w, src, 40000, "10.0.0.1", 80);
		conn_open(&c, MS(1) * i, US(100), US(100));
	}
	run_end(r);
	expect_count(r, 0);
}

static void test_syn_flood_not_for_slow_handshakes_in_flight(void **state)
{
	enum { N = 1000 };
	struct run *r = *state;
	struct unit_wire *w = run_start(r);
	struct conn *c = calloc(N, sizeof(*c));

	/*
	 * One attempt a millisecond for 1 s on a 400 ms path (SYN-ACK 200 ms
	 * after the SYN, ACK 200 ms later): some 400 are in flight at any
	 * time, but each completes before it is a second old.  Tick k sends
	 * the SYN of attempt k, the SYN-ACK of k - 200 and the ACK of k - 400.
	 */
	assert_non_null(c);
	for (int i = 0; i < N; i++) {
		char src[32];

		snprintf(src, sizeof(src), "10.3.%d.%d", i / 200, i % 200 + 1);
		conn_init(&c[i], w, src, 40000, "10.0.0.1", 80);
	}
	for (int k = 0; k < N + 400; k++) {
		if (k < N)
			conn_send(&c[k], CLI, MS(k), SYN, 0);
		if (k >= 200 && k - 200 < N)
			conn_send(&c[k - 200], SRV, MS(k) + US(10), SYN | ACK, 0);
		if (k >= 400)
			conn_send(&c[k - 400], CLI, MS(k) + US(20), ACK, 0);
	}
	free(c);
	run_end(r);
	expect_count(r, 0);
}

static void test_syn_flood_min_half_open_from_config(void **state)
{
	struct run *r = *state;

	run_set(r, "syn_flood", "min_half_open", 200);
	feed_half_open_sources(run_start(r), 150);
	run_end(r);
	expect_count(r, 0);
}

/* ------------------------------------------------------------ syn_unanswered */

static void test_syn_unanswered_after_three_retries(void **state)
{
	struct run *r = *state;
	const struct finding *f;
	struct conn c;
	uint32_t isn;

	conn_init(&c, run_start(r), "10.0.0.2", 40000, "10.0.0.1", 80);
	isn = conn_send(&c, CLI, 0, SYN, 0);
	for (int k = 1; k <= 3; k++)
		conn_seg(&c, CLI, SEC(k), SYN, isn, 0, 0, &linux_syn);
	run_end(r);
	expect_count(r, 1);
	f = expect_finding(r, FINDING_SYN_UNANSWERED, "10.0.0.1:80");
	assert_int_equal(f->severity, SEVERITY_WARNING);
	assert_num(f->value, 1);
	assert_num(detail_number(f, "syn_retransmissions"), 3);
	assert_string_equal(detail_text(f, "retry_times"), "+1.0, +2.0, +3.0");
	assert_int_equal(f->n_packets, 3);
}

static void test_syn_unanswered_not_when_answered_after_two_retries(void **state)
{
	struct run *r = *state;
	struct conn c;
	uint32_t isn;

	conn_init(&c, run_start(r), "10.0.0.2", 40000, "10.0.0.1", 80);
	isn = conn_send(&c, CLI, 0, SYN, 0);
	conn_seg(&c, CLI, SEC(1), SYN, isn, 0, 0, &linux_syn);
	conn_seg(&c, CLI, SEC(3), SYN, isn, 0, 0, &linux_syn);
	conn_send(&c, SRV, SEC(3) + US(100), SYN | ACK, 0);
	conn_send(&c, CLI, SEC(3) + US(200), ACK, 0);
	run_end(r);
	expect_count(r, 0);
}

/* ------------------------------------------------------- accept_queue_overflow */

/*
 * n clients of 10.0.0.1:80 (ports from 41000), 10 ms apart from t0, each
 * completing its handshake and sending a request the listener ACKs and
 * never answers: a listener whose application does not accept.
 */
static void feed_queued(struct unit_wire *w, int n, int64_t t0)
{
	for (int i = 0; i < n; i++) {
		struct conn c;
		int64_t t = t0 + MS(10) * i;

		conn_init(&c, w, "10.0.0.2", (uint16_t)(41000 + i), "10.0.0.1", 80);
		conn_open(&c, t, US(100), US(100));
		conn_send(&c, CLI, t + MS(1), PSH | ACK, 100);
		conn_send(&c, SRV, t + MS(1) + US(50), ACK, 0);
	}
}

/*
 * n clients (ports from 42000), 10 ms apart from t0, whose SYN is never
 * answered: sent again at 1, 2, 3, 4 and 5 s, as Linux 6.5+ retries.
 */
static void feed_syns_dropped(struct unit_wire *w, int n, int64_t t0)
{
	struct conn c[32];
	uint32_t isn[32];

	assert_true(n <= 32);
	for (int k = 0; k <= 5; k++) {
		for (int i = 0; i < n; i++) {
			int64_t t = t0 + MS(10) * i + SEC(k);

			if (k == 0) {
				conn_init(&c[i], w, "10.0.0.2",
					  (uint16_t)(42000 + i), "10.0.0.1", 80);
				isn[i] = conn_send(&c[i], CLI, t, SYN, 0);
			} else {
				conn_seg(&c[i], CLI, t, SYN, isn[i], 0, 0,
					 &linux_syn);
			}
		}
	}
}

/*
 * Three clients (ports from 43000) get their SYN-ACK at t0, before the
 * queue fills (the caller fills it next); gated_refused() then sends
 * their requests, the handshake's ACK, when it is full.
 */
struct gated {
	struct conn c[3];
	uint32_t cli_isn[3], srv_isn[3], req[3];
};

static void gated_open(struct gated *g, struct unit_wire *w, int64_t t0)
{
	for (int i = 0; i < 3; i++) {
		conn_init(&g->c[i], w, "10.0.0.2", (uint16_t)(43000 + i),
			  "10.0.0.1", 80);
		g->cli_isn[i] = conn_send(&g->c[i], CLI, t0 + US(100) * i, SYN, 0);
		g->srv_isn[i] = conn_send(&g->c[i], SRV, t0 + US(100) * i + US(50),
					  SYN | ACK, 0);
	}
}

/*
 * The requests arrive at ack_at (200 ms) into the full queue.  Reset:
 * the listener answers each with a bare RST.  Else it ignores them and
 * sends its SYN-ACK again 1 s after the first, the client ACKs that,
 * and resends its request at 0.6, 1.4, 3.0 and 6.2 s.
 */
static void gated_refused(struct gated *g, int64_t ack_at, bool reset)
{
	static const int64_t resend_ms[] = {600, 1400, 3000, 6200};

	for (int i = 0; i < 3; i++) {
		g->req[i] = conn_send(&g->c[i], CLI, ack_at + US(100) * i,
				      PSH | ACK, 100);
		if (reset)
			conn_seg(&g->c[i], SRV, ack_at + US(100) * i + US(30),
				 RST, g->srv_isn[i] + 1, 0, 0, NULL);
	}
	for (size_t k = 0; !reset && k < 4; k++) {
		for (int i = 0; k == 1 && i < 3; i++) {
			int64_t t = SEC(1) + US(100) * i;

			conn_seg(&g->c[i], SRV, t, SYN | ACK, g->srv_isn[i],
				 g->cli_isn[i] + 1, 0, &linux_syn);
			conn_seg(&g->c[i], CLI, t + US(20), ACK,
				 g->req[i] + 100, g->srv_isn[i] + 1, 0, NULL);
		}
		for (int i = 0; i < 3; i++)
			conn_seg(&g->c[i], CLI, MS(resend_ms[k]) + US(100) * i,
				 PSH | ACK, g->req[i], g->srv_isn[i] + 1, 100,
				 NULL);
	}
}

static void test_accept_queue_syns_dropped(void **state)
{
	struct run *r = *state;
	const struct finding *f;
	struct unit_wire *w = run_start(r);

	feed_queued(w, 5, 0);
	feed_syns_dropped(w, 25, MS(100));
	run_end(r);
	f = expect_finding(r, FINDING_ACCEPT_QUEUE_OVERFLOW, "10.0.0.1:80");
	assert_int_equal(f->severity, SEVERITY_WARNING);
	assert_num(f->value, 25);
	assert_num(detail_number(f, "completed"), 5);
	assert_num(detail_number(f, "syns_dropped"), 25);
	assert_num(detail_number(f, "acks_dropped"), 0);
	assert_num(detail_number(f, "resets"), 0);
	assert_num(detail_number(f, "inferred_backlog"), 4);
	assert_num(detail_number(f, "waiting_unread"), 5);
	/* It replaces syn_unanswered for the listener: nothing else fires. */
	assert_int_equal(count_of(r, FINDING_SYN_UNANSWERED), 0);
	expect_count(r, 1);
	/* Evidence: the first dropped SYNs sent again. */
	assert_int_equal(f->n_packets, 3);
	assert_non_null(strstr(f->packets[0], "10.0.0.2:42000 > 10.0.0.1:80 [S]"));
}

static void test_accept_queue_final_acks_dropped(void **state)
{
	struct run *r = *state;
	const struct finding *f;
	struct unit_wire *w = run_start(r);

	struct gated g;

	gated_open(&g, w, 0);
	feed_queued(w, 5, MS(1));
	gated_refused(&g, MS(200), false);
	run_end(r);
	f = expect_finding(r, FINDING_ACCEPT_QUEUE_OVERFLOW, "10.0.0.1:80");
	assert_num(f->value, 3);
	assert_num(detail_number(f, "acks_dropped"), 3);
	assert_num(detail_number(f, "completed"), 5);
	assert_num(detail_number(f, "inferred_backlog"), 4);
	/* The clients' resent requests are its symptom, not a burst of loss. */
	assert_int_equal(count_of(r, FINDING_RETRANSMIT_BURST), 0);
	expect_count(r, 1);
}

static void test_accept_queue_abort_on_overflow(void **state)
{
	struct run *r = *state;
	const struct finding *f;
	struct unit_wire *w = run_start(r);

	struct gated g;

	gated_open(&g, w, 0);
	feed_queued(w, 5, MS(1));
	gated_refused(&g, MS(200), true);
	run_end(r);
	f = expect_finding(r, FINDING_ACCEPT_QUEUE_OVERFLOW, "10.0.0.1:80");
	assert_num(detail_number(f, "resets"), 3);
	assert_num(detail_number(f, "inferred_backlog"), 4);
	/* The listener knew the connections: it refused them, forgot none. */
	assert_int_equal(count_of(r, FINDING_HALF_OPEN), 0);
	f = expect_finding(r, FINDING_ABORTIVE_CLOSE, "10.0.0.1:80");
	assert_string_equal(detail_text(f, "cause"), "handshake_aborted");
	expect_count(r, 2);
}

/* A dead host or a firewall: nothing ever answered, so no queue to blame. */
static void test_accept_queue_not_for_a_dead_host(void **state)
{
	struct run *r = *state;

	feed_syns_dropped(run_start(r), 25, 0);
	run_end(r);
	assert_int_equal(count_of(r, FINDING_ACCEPT_QUEUE_OVERFLOW), 0);
	assert_num(expect_finding(r, FINDING_SYN_UNANSWERED, "10.0.0.1:80")->value,
		   25);
	expect_count(r, 1);
}

/*
 * A listener that answered every request it took, then fell silent (a
 * firewall rule, a host gone): no connection waited in a queue.
 */
static void test_accept_queue_not_when_every_request_was_answered(void **state)
{
	struct run *r = *state;
	struct unit_wire *w = run_start(r);

	for (int i = 0; i < 5; i++) {
		struct conn c;

		conn_init(&c, w, "10.0.0.2", (uint16_t)(41000 + i), "10.0.0.1", 80);
		conn_open(&c, MS(10) * i, US(100), US(100));
		conn_exchange(&c, MS(10) * i);
	}
	feed_syns_dropped(w, 25, MS(100));
	run_end(r);
	assert_int_equal(count_of(r, FINDING_ACCEPT_QUEUE_OVERFLOW), 0);
	expect_finding(r, FINDING_SYN_UNANSWERED, "10.0.0.1:80");
}

static void test_accept_queue_min_refused(void **state)
{
	struct run *r = *state;
	struct unit_wire *w;

	run_set(r, "accept_queue_overflow", "min_refused", 3);
	w = run_start(r);
	feed_queued(w, 5, 0);
	feed_syns_dropped(w, 2, MS(100));
	run_end(r);
	/* Two refusals are below it: the generic finding stays. */
	assert_int_equal(count_of(r, FINDING_ACCEPT_QUEUE_OVERFLOW), 0);
	expect_finding(r, FINDING_SYN_UNANSWERED, "10.0.0.1:80");
}

/* ------------------------------------------------------------ refused */

/* A connection from src:sport to 10.0.0.1:179 at t, completed. */
static void feed_accepted(struct unit_wire *w, uint16_t sport, int64_t t)
{
	struct conn c;

	conn_init(&c, w, "10.0.0.2", sport, "10.0.0.1", 179);
	conn_open(&c, t, US(100), US(100));
	conn_exchange(&c, t);
}

/*
 * A BGP peer retries every few seconds until its neighbour listens: the
 * refusals are over once it accepts, a transient condition (info).
 */
static void test_connection_refused_then_accepted_is_info(void **state)
{
	struct run *r = *state;
	struct unit_wire *w = run_start(r);
	const struct finding *f;

	for (int i = 0; i < 3; i++)
		feed_refused(w, "10.0.0.2", (uint16_t)(40000 + i), "10.0.0.1",
			     179, MS(5000) * i);
	feed_accepted(w, 40010, MS(15000));
	run_end(r);
	f = expect_finding(r, FINDING_CONNECTION_REFUSED, "10.0.0.1:179");
	assert_int_equal(f->severity, SEVERITY_INFO);
	assert_num(f->value, 3);
	assert_num(detail_number(f, "accepted_after"), 1);
	assert_non_null(strstr(f->summary, "starting or restarting"));
}

/* Refused again after it accepted: not over, a warning. */
static void test_connection_refused_after_accepting_stays(void **state)
{
	struct run *r = *state;
	struct unit_wire *w = run_start(r);
	const struct finding *f;

	feed_refused(w, "10.0.0.2", 40000, "10.0.0.1", 179, 0);
	feed_accepted(w, 40010, MS(1000));
	feed_refused(w, "10.0.0.2", 40001, "10.0.0.1", 179, MS(2000));
	run_end(r);
	f = expect_finding(r, FINDING_CONNECTION_REFUSED, "10.0.0.1:179");
	assert_int_equal(f->severity, SEVERITY_WARNING);
	assert_num(f->value, 2);
	assert_null(strstr(f->summary, "starting"));
}

static void test_connection_refused_not_also_abortive(void **state)
{
	struct run *r = *state;
	const struct finding *f;

	feed_refused(run_start(r), "10.0.0.2", 40000, "10.0.0.1", 80, 0);
	run_end(r);
	expect_count(r, 1);
	f = expect_finding(r, FINDING_CONNECTION_REFUSED, "10.0.0.1:80");
	assert_ptr_equal(f, &r->f[0]);  /* the warning first */
	assert_int_equal(f->severity, SEVERITY_WARNING);
	assert_num(f->value, 1);
	assert_num(detail_number(f, "sources"), 1);
	/* Evidence: the RST, frame 2. */
	assert_int_equal(f->n_packets, 1);
	assert_int_equal(f->packet_frames[0], 2);
	assert_non_null(strstr(f->packets[0], "10.0.0.1:80 > 10.0.0.2:40000 [R.]"));
	/* The same RST is no abortive_close too (issue 14 item 14). */
	assert_int_equal(count_of(r, FINDING_ABORTIVE_CLOSE), 0);
}

/* ------------------------------------------------------------ port_scan */

/*
 * 10.0.0.66 tries ports first_port.. of 10.0.0.1 from one source port,
 * as nmap does, one every spacing from t0; every one is refused.
 */
static void feed_scan(struct unit_wire *w, int64_t t0, int first_port,
		      int ports, int64_t spacing)
{
	for (int i = 0; i < ports; i++)
		feed_refused(w, "10.0.0.66", 45000, "10.0.0.1",
			     (uint16_t)(first_port + i), t0 + spacing * i);
}

static void test_port_scan_folds_the_refused_ports(void **state)
{
	struct run *r = *state;
	const struct finding *f;

	feed_scan(run_start(r), 0, 1000, 60, MS(10));
	run_end(r);
	/* One finding: the 60 refused ones folded in. */
	expect_count(r, 1);
	f = expect_finding(r, FINDING_PORT_SCAN, "10.0.0.66");
	assert_int_equal(f->severity, SEVERITY_WARNING);
	assert_num(f->value, 60);
	assert_num(detail_number(f, "targets"), 60);
	assert_num(detail_number(f, "attempts"), 60);
	assert_num(detail_number(f, "failed"), 60);
	assert_num(detail_number(f, "folded_findings"), 60);
	assert_int_equal(count_of(r, FINDING_CONNECTION_REFUSED), 0);
	assert_int_equal(count_of(r, FINDING_ABORTIVE_CLOSE), 0);
}

static void test_port_scan_not_for_ten_refused_ports(void **state)
{
	struct run *r = *state;

	feed_scan(run_start(r), 0, 1000, 10, MS(10));
	run_end(r);
	expect_count(r, 10);
	assert_int_equal(count_of(r, FINDING_PORT_SCAN), 0);
	assert_int_equal(count_of(r, FINDING_CONNECTION_REFUSED), 10);
	assert_int_equal(count_of(r, FINDING_ABORTIVE_CLOSE), 0);
	expect_finding(r, FINDING_CONNECTION_REFUSED, "10.0.0.1:1000");
	expect_finding(r, FINDING_CONNECTION_REFUSED, "10.0.0.1:1009");
}

/*
 * port_scan.window slides: one port is tried at 0 s and 50 more between
 * 50 s and 69.6 s, 50 targets within 20 s.  Tumbling windows begun at
 * the first attempt would split them 27 and 24 and miss the scan (and
 * list 51 connection_refused findings instead).
 */
static void test_port_scan_window_slides(void **state)
{
	struct run *r = *state;
	struct unit_wire *w = run_start(r);
	const struct finding *f;

	feed_scan(w, 0, 999, 1, 0);
	feed_scan(w, SEC(50), 1000, 50, MS(400));
	run_end(r);
	f = expect_finding(r, FINDING_PORT_SCAN, "10.0.0.66");
	assert_true(f->value >= 50);
}

/* ------------------------------------------------------------ rst_storm */

static void test_rst_storm_from_120_refused_attempts(void **state)
{
	struct run *r = *state;
	struct unit_wire *w = run_start(r);
	const struct finding *f;

	for (int i = 0; i < 120; i++)
		feed_refused(w, "10.0.0.2", (uint16_t)(40000 + i), "10.0.0.1", 80,
			     MS(50) * i);
	run_end(r);
	/* One port tried: no scan; the refusals are not also abortive. */
	expect_count(r, 2);
	f = expect_finding(r, FINDING_RST_STORM, "10.0.0.1:80");
	assert_int_equal(f->severity, SEVERITY_WARNING);
	assert_num(f->value, 120);
	assert_num(detail_number(f, "refused"), 120);
	f = expect_finding(r, FINDING_CONNECTION_REFUSED, "10.0.0.1:80");
	assert_num(f->value, 120);
	assert_num(detail_number(f, "sources"), 1);
	assert_int_equal(count_of(r, FINDING_ABORTIVE_CLOSE), 0);
}

static void test_rst_storm_not_for_99_refused_attempts(void **state)
{
	struct run *r = *state;
	struct unit_wire *w = run_start(r);

	for (int i = 0; i < 99; i++)
		feed_refused(w, "10.0.0.2", (uint16_t)(40000 + i), "10.0.0.1", 80,
			     MS(50) * i);
	run_end(r);
	expect_count(r, 1);
	assert_int_equal(count_of(r, FINDING_RST_STORM), 0);
}

/* ------------------------------------------------------------ close_wait_leak */

/*
 * The client closes at 20 ms and the server ACKs its FIN; the server
 * sends its own FIN server_fin_after that (never when negative).  An
 * unrelated datagram 2 s after the ACK keeps the capture going.
 */
static void feed_close_wait(struct unit_wire *w, int64_t server_fin_after)
{
	struct conn c;

	conn_init(&c, w, "10.0.0.2", 40000, "10.0.0.1", 80);
	conn_open(&c, 0, US(100), US(100));
	conn_exchange(&c, MS(5));
	conn_send(&c, CLI, MS(20), FIN | ACK, 0);
	conn_send(&c, SRV, MS(21), ACK, 0);
	if (server_fin_after >= 0) {
		conn_send(&c, SRV, MS(21) + server_fin_after, FIN | ACK, 0);
		conn_send(&c, CLI, MS(21) + server_fin_after + US(100), ACK, 0);
	}
	unit_feed_udp(w, MS(21) + SEC(2), "10.9.0.1", 5000, "10.9.0.2", 5001, 10);
}

static void test_close_wait_leak_on_the_server(void **state)
{
	struct run *r = *state;
	const struct finding *f;

	feed_close_wait(run_start(r), -1);
	run_end(r);
	expect_count(r, 1);
	f = expect_finding(r, FINDING_CLOSE_WAIT_LEAK, "10.0.0.1:80");
	assert_int_equal(f->severity, SEVERITY_WARNING);
	assert_num(f->value, 1);
	assert_num(detail_number(f, "still_in_close_wait"), 1);
	assert_num(detail_number(f, "closed_late"), 0);
	assert_num(detail_number(f, "max_age_s"), 2);
}

static void test_close_wait_leak_not_when_server_closes_100ms_later(void **state)
{
	struct run *r = *state;

	feed_close_wait(run_start(r), MS(100));
	run_end(r);
	expect_count(r, 0);
}

/*
 * The server closes 1.5 s after the client's FIN: past min_age, but it
 * closed: a slow close (as an HTTP server finishing its response after
 * the client's half-close), info, and said so.
 */
static void test_close_wait_slow_close_is_info(void **state)
{
	struct run *r = *state;
	const struct finding *f;

	feed_close_wait(run_start(r), MS(1500));
	run_end(r);
	expect_count(r, 1);
	f = expect_finding(r, FINDING_CLOSE_WAIT_LEAK, "10.0.0.1:80");
	assert_int_equal(f->severity, SEVERITY_INFO);
	assert_num(detail_number(f, "closed_late"), 1);
	assert_num(detail_number(f, "still_in_close_wait"), 0);
	assert_non_null(strstr(f->summary, "a slow close, not a leak"));
}

/* Twelve at once idle in CLOSE_WAIT for 1.5 s: a warning though all closed. */
static void test_close_wait_many_at_once_is_a_warning(void **state)
{
	struct run *r = *state;
	struct unit_wire *w = run_start(r);
	struct conn c[12];
	const struct finding *f;

	for (int i = 0; i < 12; i++) {
		conn_init(&c[i], w, "10.0.0.2", (uint16_t)(40000 + i), "10.0.0.1",
			  80);
		conn_open(&c[i], MS(10) * i, US(100), US(100));
	}
	for (int i = 0; i < 12; i++) {
		conn_send(&c[i], CLI, MS(200) + MS(2) * i, FIN | ACK, 0);
		conn_send(&c[i], SRV, MS(201) + MS(2) * i, ACK, 0);
	}
	for (int i = 0; i < 12; i++) {
		conn_send(&c[i], SRV, MS(1700) + MS(2) * i, FIN | ACK, 0);
		conn_send(&c[i], CLI, MS(1701) + MS(2) * i, ACK, 0);
	}
	run_end(r);
	f = expect_finding(r, FINDING_CLOSE_WAIT_LEAK, "10.0.0.1:80");
	assert_int_equal(f->severity, SEVERITY_WARNING);
	assert_num(f->value, 12);
	assert_num(detail_number(f, "most_at_once"), 12);
}

static void test_close_wait_leak_min_age_from_config(void **state)
{
	struct run *r = *state;

	run_set(r, "close_wait_leak", "min_age", 5);
	feed_close_wait(run_start(r), -1);
	run_end(r);
	expect_count(r, 0);
}

static void test_close_wait_leak_disabled(void **state)
{
	struct run *r = *state;

	r->s.detect.det[FINDING_CLOSE_WAIT_LEAK].enabled = false;
	feed_close_wait(run_start(r), -1);
	run_end(r);
	expect_count(r, 0);
}

static void test_close_wait_leak_severity_override(void **state)
{
	struct run *r = *state;
	const struct finding *f;

	r->s.detect.det[FINDING_CLOSE_WAIT_LEAK].severity = SEVERITY_CRITICAL;
	feed_close_wait(run_start(r), -1);
	run_end(r);
	expect_count(r, 1);
	f = expect_finding(r, FINDING_CLOSE_WAIT_LEAK, "10.0.0.1:80");
	assert_int_equal(f->severity, SEVERITY_CRITICAL);
}

/* ------------------------------------------------------------ flow extensions */

/* Extensions made and not in the pool's free list. */
static size_t extensions_in_use(struct detectors *d)
{
	size_t free_n = 0;

	for (uint32_t n = d->ext_free; n != 0;
	     n = d->ext_chunks[(n - 1) / DET_EXT_CHUNK]
				  [(n - 1) % DET_EXT_CHUNK].next_free)
		free_n++;
	return d->n_ext - free_n;
}

/*
 * A connection's CLOSE_WAIT takes an extension and gives it back when it
 * ends: a thousand connections in a row, each through a millisecond of
 * CLOSE_WAIT (the client ACKs the server's FIN, then closes), share one,
 * and none is left when the flows end.
 */
static void test_flow_extension_back_after_close_wait(void **state)
{
	struct run *r = *state;
	struct unit_wire *w = run_start(r);

	for (int i = 0; i < 1000; i++) {
		int64_t t = MS(10) * i;
		struct conn c;

		conn_init(&c, w, "10.0.0.2", (uint16_t)(40000 + i), "10.0.0.1", 80);
		conn_open(&c, t, US(100), US(100));
		conn_exchange(&c, t);
		conn_send(&c, SRV, t + MS(3), FIN | ACK, 0);
		conn_send(&c, CLI, t + MS(3) + US(100), ACK, 0);
		conn_send(&c, CLI, t + MS(4), FIN | ACK, 0);
		conn_send(&c, SRV, t + MS(5), ACK, 0);
	}
	assert_true(r->det->n_ext >= 1);
	assert_true(r->det->n_ext <= 2);
	run_end(r);
	assert_int_equal(extensions_in_use(r->det), 0);
}

/* Still in CLOSE_WAIT at its end: the flow's end frees it. */
static void test_flow_extension_freed_at_flow_end(void **state)
{
	struct run *r = *state;

	feed_close_wait(run_start(r), -1);
	assert_int_equal(extensions_in_use(r->det), 1);
	run_end(r);
	assert_int_equal(extensions_in_use(r->det), 0);
	expect_finding(r, FINDING_CLOSE_WAIT_LEAK, "10.0.0.1:80");
}

/* ------------------------------------------------------------ time_wait, churn */

/*
 * n complete connections from 10.0.0.2 to 10.0.0.1:80, one every
 * spacing: handshake, request, response, then the closes, the server's
 * FIN first when server_first.
 */
static void feed_short_connections(struct unit_wire *w, int n,
				   int64_t spacing, bool server_first)
{
	int closer = server_first ? SRV : CLI;

	for (int i = 0; i < n; i++) {
		int64_t t = spacing * i;
		struct conn c;

		conn_init(&c, w, "10.0.0.2", (uint16_t)(40000 + i), "10.0.0.1", 80);
		conn_open(&c, t, US(100), US(100));
		conn_exchange(&c, t);
		conn_send(&c, closer, t + MS(3), FIN | ACK, 0);
		conn_send(&c, !closer, t + MS(4), FIN | ACK, 0);
		conn_send(&c, closer, t + MS(5), ACK, 0);
	}
}

/*
 * A server closing first (keep-alive timeouts, HTTP/1.0) holds TIME_WAIT
 * at little cost: info, as configured, not raised.
 */
static void test_time_wait_on_server_closing_first_is_info(void **state)
{
	struct run *r = *state;
	const struct finding *f;

	feed_short_connections(run_start(r), 25, MS(50), true);
	run_end(r);
	expect_count(r, 1);
	f = expect_finding(r, FINDING_TIME_WAIT_ACCUMULATION, "10.0.0.1");
	assert_int_equal(f->severity, SEVERITY_INFO);
	assert_num(f->value, 25);
	assert_string_equal(detail_text(f, "closes_first"), "server");
	assert_num(detail_number(f, "as_server"), 25);
	assert_num(detail_number(f, "as_client"), 0);
}

/* A client holding most of its ports toward one service: warning. */
static void test_time_wait_warning_when_ports_run_short(void **state)
{
	struct run *r = *state;
	const struct finding *f;

	/* 100 ports of 32768-32967: a share of 0.5 at 100. */
	run_set(r, "time_wait_accumulation", "port_range_high", 32967);
	feed_short_connections(run_start(r), 100, MS(5), false);
	run_end(r);
	f = expect_finding(r, FINDING_TIME_WAIT_ACCUMULATION, "10.0.0.2");
	assert_int_equal(f->severity, SEVERITY_WARNING);
	assert_string_equal(detail_text(f, "top_destination"), "10.0.0.1:80");
	assert_num(detail_number(f, "top_destination_count"), 100);
}

static void test_time_wait_on_client_closing_first_is_info(void **state)
{
	struct run *r = *state;
	const struct finding *f;

	feed_short_connections(run_start(r), 25, MS(50), false);
	run_end(r);
	expect_count(r, 1);
	f = expect_finding(r, FINDING_TIME_WAIT_ACCUMULATION, "10.0.0.2");
	assert_int_equal(f->severity, SEVERITY_INFO);
	assert_num(f->value, 25);
	assert_string_equal(detail_text(f, "closes_first"), "client");
	assert_num(detail_number(f, "as_client"), 25);
	assert_string_equal(detail_text(f, "top_destination"), "10.0.0.1:80");
	assert_num(detail_number(f, "top_destination_count"), 25);
}

static void test_time_wait_not_for_ten_connections(void **state)
{
	struct run *r = *state;

	feed_short_connections(run_start(r), 10, MS(50), true);
	run_end(r);
	expect_count(r, 0);
}

static void test_short_connection_churn_120_in_10s(void **state)
{
	struct run *r = *state;
	const struct finding *f;

	feed_short_connections(run_start(r), 120, MS(80), false);
	run_end(r);
	/* The client's 120 TIME_WAITs are a finding of their own. */
	expect_count(r, 2);
	expect_finding(r, FINDING_TIME_WAIT_ACCUMULATION, "10.0.0.2");
	f = expect_finding(r, FINDING_SHORT_CONNECTION_CHURN, "10.0.0.1:80");
	assert_int_equal(f->severity, SEVERITY_INFO);
	assert_num(f->value, 120);
	assert_string_equal(detail_text(f, "client"), "10.0.0.2");
	assert_num(detail_number(f, "connections"), 120);
	assert_num(detail_number(f, "mean_duration_ms"), 5);
}

static void test_short_connection_churn_not_for_50(void **state)
{
	struct run *r = *state;

	feed_short_connections(run_start(r), 50, MS(80), false);
	run_end(r);
	assert_int_equal(count_of(r, FINDING_SHORT_CONNECTION_CHURN), 0);
	expect_count(r, 1);
	expect_finding(r, FINDING_TIME_WAIT_ACCUMULATION, "10.0.0.2");
}

/* ------------------------------------------------------------ retransmit_burst */

/* Timeout back-off after the first send: 0.2, 0.6, 1.4 and 3 s. */
static const int64_t backoff[] = {MS(200), MS(600), MS(1400), MS(3000)};

static void test_retransmit_burst_dead_peer(void **state)
{
	struct run *r = *state;
	const struct finding *f;
	struct conn c;
	uint32_t seq;

	conn_init(&c, run_start(r), "10.0.0.2", 40000, "10.0.0.1", 80);
	conn_open(&c, 0, US(100), US(100));
	seq = conn_send(&c, CLI, MS(10), PSH | ACK, 100);
	for (int k = 0; k < 4; k++)
		conn_seg(&c, CLI, MS(10) + backoff[k], PSH | ACK, seq,
			 c.nxt[SRV], 100, NULL);
	run_end(r);
	expect_count(r, 1);
	f = expect_finding(r, FINDING_RETRANSMIT_BURST, "10.0.0.1:80");
	assert_int_equal(f->severity, SEVERITY_WARNING);
	assert_num(f->value, 4);
	assert_string_equal(detail_text(f, "kind"), "dead_peer");
	assert_string_equal(detail_text(f, "sender"), "10.0.0.2");
	assert_num(detail_number(f, "timeout"), 4);
	assert_num(detail_number(f, "stuck_connections"), 1);
}

static void test_retransmit_burst_mtu_black_hole(void **state)
{
	struct run *r = *state;
	const struct finding *f;
	struct conn c;
	uint32_t seq;

	conn_init(&c, run_start(r), "10.0.0.2", 40000, "10.0.0.1", 80);
	conn_open(&c, 0, US(100), US(100));
	/* Small segments get through and are acknowledged... */
	conn_send(&c, CLI, MS(10), PSH | ACK, 100);
	conn_send(&c, SRV, MS(11), ACK, 0);
	conn_send(&c, CLI, MS(20), PSH | ACK, 100);
	conn_send(&c, SRV, MS(21), ACK, 0);
	/* ...a full-sized one never does. */
	seq = conn_send(&c, CLI, MS(30), ACK, 1448);
	for (int k = 0; k < 4; k++)
		conn_seg(&c, CLI, MS(30) + backoff[k], ACK, seq, c.nxt[SRV],
			 1448, NULL);
	run_end(r);
	expect_count(r, 1);
	f = expect_finding(r, FINDING_RETRANSMIT_BURST, "10.0.0.1:80");
	assert_int_equal(f->severity, SEVERITY_WARNING);
	assert_string_equal(detail_text(f, "kind"), "mtu_black_hole");
	assert_string_equal(detail_text(f, "sender"), "10.0.0.2");
	assert_num(detail_number(f, "stuck_connections"), 1);
}

/*
 * A download from 10.0.0.1:80 whose 1448-byte segments the client ACKs
 * one by one.  After a lost segment the client ACKs the hole with a SACK
 * block for what came after it (duplicate ACKs), and after dupacks of
 * them the server resends the lost segment, which the client ACKs with
 * everything after it.  One SACK is enough for Linux (RACK); tshark
 * calls a resend fast only after two duplicate ACKs.
 */
struct bulk {
	struct conn c;
	int dupacks;
	int since_loss;         /* segments since the lost one; -1: none lost */
	uint32_t hole;          /* the lost segment's sequence number */
	int losses;
};

static void bulk_open(struct bulk *b, struct unit_wire *w, int dupacks)
{
	memset(b, 0, sizeof(*b));
	b->dupacks = dupacks;
	b->since_loss = -1;
	conn_init(&b->c, w, "10.0.0.2", 40000, "10.0.0.1", 80);
	conn_open(&b->c, 0, US(100), US(100));
	conn_send(&b->c, CLI, MS(5), PSH | ACK, 100);
}

/* The next segment at t, lost when lose is (and no loss is pending). */
static void bulk_segment(struct bulk *b, int64_t t, bool lose)
{
	struct conn *c = &b->c;
	uint32_t seq = conn_send(c, SRV, t, ACK, 1448);
	struct unit_tcp_opts sack = {.n_sack = 1};

	if (b->since_loss < 0 && lose) {
		b->since_loss = 0;
		b->hole = seq;
		b->losses++;
		return;
	}
	if (b->since_loss < 0) {
		conn_send(c, CLI, t + US(100), ACK, 0);
		return;
	}
	sack.sack[0].left = b->hole + 1448;
	sack.sack[0].right = c->nxt[SRV];
	conn_seg(c, CLI, t + US(100), ACK, c->nxt[CLI], b->hole, 0, &sack);
	if (++b->since_loss == b->dupacks) {
		conn_seg(c, SRV, t + US(200), ACK, b->hole, c->nxt[CLI], 1448, NULL);
		conn_send(c, CLI, t + US(300), ACK, 0);
		b->since_loss = -1;
	}
}

/*
 * n_segs segments 1 ms apart; segment 10 of each period is lost, up to
 * max_losses.
 */
static void feed_bulk_with_losses(struct unit_wire *w, int n_segs,
				  int period, int max_losses, int dupacks)
{
	struct bulk b;

	bulk_open(&b, w, dupacks);
	for (int i = 0; i < n_segs; i++)
		bulk_segment(&b, MS(10) + MS(1) * i,
			     i % period == 10 && b.losses < max_losses);
}

/* Recovery on the first SACK: fast by the SACK, not by tshark's rule. */
static void test_retransmit_burst_fast_after_sack(void **state)
{
	struct run *r = *state;
	const struct finding *f;

	feed_bulk_with_losses(run_start(r), 600, 30, 20, 1);
	run_end(r);
	expect_count(r, 1);
	f = expect_finding(r, FINDING_RETRANSMIT_BURST, "10.0.0.1:80");
	assert_int_equal(f->severity, SEVERITY_WARNING);
	assert_num(f->value, 20);
	assert_string_equal(detail_text(f, "kind"), "fast");
	assert_string_equal(detail_text(f, "sender"), "10.0.0.1");
	assert_num(detail_number(f, "fast"), 20);
	assert_num(detail_number(f, "timeout"), 0);
	assert_num(detail_number(f, "spurious"), 0);
}

static void test_retransmit_burst_fast_after_three_dupacks(void **state)
{
	struct run *r = *state;
	const struct finding *f;

	feed_bulk_with_losses(run_start(r), 600, 30, 20, 3);
	run_end(r);
	expect_count(r, 1);
	f = expect_finding(r, FINDING_RETRANSMIT_BURST, "10.0.0.1:80");
	assert_num(f->value, 20);
	assert_string_equal(detail_text(f, "kind"), "fast");
	assert_num(detail_number(f, "fast"), 20);
}

static void test_retransmit_burst_not_for_3_in_1000(void **state)
{
	struct run *r = *state;

	feed_bulk_with_losses(run_start(r), 1000, 300, 3, 3);
	run_end(r);
	expect_count(r, 0);
}

static void test_retransmit_burst_not_for_9_in_150(void **state)
{
	struct run *r = *state;

	/* A high share (6%), but fewer than min_retransmissions (10). */
	feed_bulk_with_losses(run_start(r), 150, 15, 9, 3);
	run_end(r);
	expect_count(r, 0);
}

static void test_retransmit_burst_not_below_one_percent(void **state)
{
	struct run *r = *state;

	/* 12 retransmissions, but under 1% of the connection's segments. */
	feed_bulk_with_losses(run_start(r), 1500, 120, 12, 3);
	run_end(r);
	expect_count(r, 0);
}

/*
 * retransmit_burst.min_share is a share of what was sent in the window:
 * 10000 clean segments (10 s) come first; 20 s later 300 segments, 10 ms
 * apart, lose 20: 6% of the window, 0.2% of the whole connection.  A
 * share over the connection's life would let a long-lived connection
 * never show a burst of loss.
 */
static void test_retransmit_burst_share_is_within_the_window(void **state)
{
	struct run *r = *state;
	const struct finding *f;
	struct bulk b;

	bulk_open(&b, run_start(r), 3);
	for (int i = 0; i < 10000; i++)
		bulk_segment(&b, MS(10) + MS(1) * i, false);
	for (int i = 0; i < 300; i++)
		bulk_segment(&b, SEC(30) + MS(10) * i, i % 15 == 5);
	assert_int_equal(b.losses, 20);
	run_end(r);
	f = expect_finding(r, FINDING_RETRANSMIT_BURST, "10.0.0.1:80");
	assert_num(f->value, 20);
	assert_string_equal(detail_text(f, "kind"), "fast");
}

/* ------------------------------------------------------------ zero_window_stall */

/*
 * The client uploads; the server's application stops reading and its
 * window stays 0 for stall, while the client probes every 200 ms as
 * Linux does (one byte below what it sent, no data), then opens.
 */
static void feed_zero_window(struct unit_wire *w, int64_t stall)
{
	struct conn c;
	int64_t t0 = MS(11), t;

	conn_init(&c, w, "10.0.0.2", 40000, "10.0.0.1", 80);
	conn_open(&c, 0, US(100), US(100));
	for (int k = 0; k < 4; k++)
		conn_send(&c, CLI, MS(10) + US(100) * k, ACK, 1448);
	c.win[SRV] = 0;
	conn_send(&c, SRV, t0, ACK, 0);
	for (t = t0 + MS(200); t < t0 + stall; t += MS(600)) {
		conn_seg(&c, CLI, t, ACK, c.nxt[CLI] - 1, c.nxt[SRV], 0, NULL);
		conn_send(&c, SRV, t + US(100), ACK, 0);
	}
	c.win[SRV] = 65535;
	conn_send(&c, SRV, t0 + stall, ACK, 0);
	conn_send(&c, CLI, t0 + stall + US(100), ACK, 1448);
	conn_send(&c, SRV, t0 + stall + US(200), ACK, 0);
}

static void test_zero_window_stall_two_seconds(void **state)
{
	struct run *r = *state;
	const struct finding *f;

	feed_zero_window(run_start(r), SEC(2));
	run_end(r);
	expect_count(r, 1);
	f = expect_finding(r, FINDING_ZERO_WINDOW_STALL, "10.0.0.1:80");
	assert_int_equal(f->severity, SEVERITY_WARNING);
	/* The value is seconds, as the threshold (1 s) is; one stall. */
	assert_num(f->value, 2);
	assert_true(f->value >= f->threshold);
	assert_num(detail_number(f, "stalls"), 1);
	/* Evidence: where it closed and where it opened; the service. */
	assert_int_equal(f->n_frames, 2);
	assert_string_equal(detail_text(f, "receiver"), "10.0.0.1:80");
	assert_string_equal(detail_text(f, "service"), "10.0.0.1:80");
	assert_num(detail_number(f, "longest_s"), 2);
	/* Probes at +0.2, +0.8 and +1.4 s. */
	assert_num(detail_number(f, "probes"), 3);
}

static void test_zero_window_stall_not_for_300ms(void **state)
{
	struct run *r = *state;

	feed_zero_window(run_start(r), MS(300));
	run_end(r);
	expect_count(r, 0);
}

/* ------------------------------------------------------------ abortive_close */

static void test_abortive_close_unknown_connection_is_half_open(void **state)
{
	struct run *r = *state;
	const struct finding *f;
	struct conn c;

	conn_init(&c, run_start(r), "10.0.0.2", 40000, "10.0.0.1", 80);
	conn_open(&c, 0, US(100), US(100));
	conn_exchange(&c, MS(5));
	/*
	 * The server restarted and forgot the connection: the client's next
	 * request gets a bare RST carrying that request's ACK number.
	 */
	conn_send(&c, CLI, SEC(30), PSH | ACK, 100);
	conn_seg(&c, SRV, SEC(30) + US(100), RST, c.nxt[SRV], 0, 0, NULL);
	run_end(r);
	expect_count(r, 2);
	f = expect_finding(r, FINDING_ABORTIVE_CLOSE, "10.0.0.1:80");
	assert_int_equal(f->severity, SEVERITY_INFO);
	assert_string_equal(detail_text(f, "cause"), "unknown_connection");
	f = expect_finding(r, FINDING_HALF_OPEN, "10.0.0.1:80");
	assert_int_equal(f->severity, SEVERITY_WARNING);
	assert_num(f->value, 1);
	assert_num(detail_number(f, "rst_unknown_connection"), 1);
	assert_num(detail_number(f, "keepalives_unanswered"), 0);
}

static void test_abortive_close_write_after_close(void **state)
{
	struct run *r = *state;
	const struct finding *f;
	struct conn c;

	conn_init(&c, run_start(r), "10.0.0.2", 40000, "10.0.0.1", 80);
	conn_open(&c, 0, US(100), US(100));
	conn_exchange(&c, MS(5));
	conn_send(&c, SRV, MS(10), FIN | ACK, 0);
	/* The client writes after the server's close: Linux resets. */
	conn_send(&c, CLI, MS(11), PSH | ACK, 100);
	conn_seg(&c, SRV, MS(11) + US(100), RST, c.nxt[SRV], 0, 0, NULL);
	run_end(r);
	expect_count(r, 1);
	f = expect_finding(r, FINDING_ABORTIVE_CLOSE, "10.0.0.1:80");
	assert_string_equal(detail_text(f, "cause"), "write_after_close");
	assert_num(f->value, 1);
}

static void test_abortive_close_with_unread_data(void **state)
{
	struct run *r = *state;
	const struct finding *f;
	struct conn c;

	conn_init(&c, run_start(r), "10.0.0.2", 40000, "10.0.0.1", 80);
	conn_open(&c, 0, US(100), US(100));
	conn_send(&c, CLI, MS(10), PSH | ACK, 100);
	/* The server closes without reading the request: RST|ACK. */
	conn_send(&c, SRV, MS(15), RST | ACK, 0);
	run_end(r);
	expect_count(r, 1);
	f = expect_finding(r, FINDING_ABORTIVE_CLOSE, "10.0.0.1:80");
	assert_string_equal(detail_text(f, "cause"), "close_with_unread_data");
	assert_num(f->value, 1);
	/* SO_LINGER 0 looks the same on the wire: the summary says both. */
	assert_non_null(strstr(f->summary,
			       "a close with unread data or SO_LINGER 0"));
}

/*
 * The listener completes the handshake, then answers the client's first
 * segment with a bare RST: a full accept queue with tcp_abort_on_overflow
 * does so.  It knew the connection: no half-open peer.
 */
static void test_listener_reset_after_its_synack_is_no_half_open(void **state)
{
	struct run *r = *state;
	const struct finding *f;
	struct conn c;

	conn_init(&c, run_start(r), "10.0.0.2", 40000, "10.0.0.1", 80);
	conn_open(&c, 0, US(100), US(100));
	conn_send(&c, CLI, US(300), PSH | ACK, 100);
	conn_seg(&c, SRV, US(400), RST, c.nxt[SRV], 0, 0, NULL);
	run_end(r);
	assert_int_equal(count_of(r, FINDING_HALF_OPEN), 0);
	f = expect_finding(r, FINDING_ABORTIVE_CLOSE, "10.0.0.1:80");
	assert_string_equal(detail_text(f, "cause"), "handshake_aborted");
}

/*
 * A RST|ACK that does not acknowledge the SYN, then the connection
 * completes and carries data: Linux drops such a RST in SYN_SENT, so
 * nothing was refused (acceptability comes first).
 */
static void test_unacceptable_rst_is_no_refusal(void **state)
{
	struct run *r = *state;
	const struct finding *f;
	struct conn c;
	uint32_t isn;

	conn_init(&c, run_start(r), "10.0.0.2", 40000, "10.0.0.1", 80);
	isn = c.nxt[CLI];
	conn_send(&c, CLI, 0, SYN, 0);
	conn_seg(&c, SRV, US(100), RST | ACK, 0, isn + 7, 0, NULL);
	conn_seg(&c, SRV, MS(1), SYN | ACK, c.nxt[SRV], c.nxt[CLI], 0, NULL);
	c.nxt[SRV]++;
	conn_send(&c, CLI, MS(1) + US(100), ACK, 0);
	conn_exchange(&c, MS(2));
	run_end(r);
	assert_int_equal(count_of(r, FINDING_CONNECTION_REFUSED), 0);
	f = expect_finding(r, FINDING_ABORTIVE_CLOSE, "10.0.0.1:80");
	assert_string_equal(detail_text(f, "cause"), "out_of_window");
}

/* ------------------------------------------------------------ half_open */

/*
 * An idle connection whose client sends three keep-alives, 1 s apart, as
 * Linux does (sequence one below what it sent, no data); the server
 * ACKs each when answer is true.
 */
static void feed_keepalives(struct unit_wire *w, bool answer)
{
	struct conn c;

	conn_init(&c, w, "10.0.0.2", 40000, "10.0.0.1", 80);
	conn_open(&c, 0, US(100), US(100));
	conn_exchange(&c, MS(5));
	for (int k = 0; k < 3; k++) {
		conn_seg(&c, CLI, SEC(60 + k), ACK, c.nxt[CLI] - 1, c.nxt[SRV], 0,
			 NULL);
		if (answer)
			conn_send(&c, SRV, SEC(60 + k) + US(100), ACK, 0);
	}
}

static void test_half_open_after_unanswered_keepalives(void **state)
{
	struct run *r = *state;
	const struct finding *f;

	feed_keepalives(run_start(r), false);
	run_end(r);
	expect_count(r, 1);
	f = expect_finding(r, FINDING_HALF_OPEN, "10.0.0.1:80");
	assert_int_equal(f->severity, SEVERITY_WARNING);
	assert_num(f->value, 1);
	assert_num(detail_number(f, "keepalives_unanswered"), 1);
	assert_num(detail_number(f, "rst_unknown_connection"), 0);
}

static void test_half_open_not_when_keepalives_answered(void **state)
{
	struct run *r = *state;

	feed_keepalives(run_start(r), true);
	run_end(r);
	expect_count(r, 0);
}

/* ------------------------------------------------------------ nagle_delayed_ack */

/*
 * Four requests written in two parts: the header (100 bytes) goes at
 * once, the ACK for it comes ack_after later, the body (50 bytes, held
 * back by Nagle until then) 50 µs after that ACK; the response comes
 * rtt after the body and the client ACKs it at once.  The handshake's
 * SYN-ACK comes synack_after the SYN, its ACK ack_leg after that.
 */
static void feed_write_write_read(struct unit_wire *w, int64_t synack_after,
				  int64_t ack_leg, int64_t ack_after,
				  int64_t rtt)
{
	struct conn c;

	conn_init(&c, w, "10.0.0.2", 40000, "10.0.0.1", 80);
	conn_open(&c, 0, synack_after, ack_leg);
	for (int i = 1; i <= 4; i++) {
		int64_t t = SEC(i);

		conn_send(&c, CLI, t, PSH | ACK, 100);
		conn_send(&c, SRV, t + ack_after, ACK, 0);
		conn_send(&c, CLI, t + ack_after + US(50), PSH | ACK, 50);
		conn_send(&c, SRV, t + ack_after + US(50) + rtt, PSH | ACK, 200);
		conn_send(&c, CLI, t + ack_after + US(100) + rtt, ACK, 0);
	}
}

static void test_nagle_delayed_ack_on_a_fast_path(void **state)
{
	struct run *r = *state;
	const struct finding *f;

	/* A 50 µs round trip; the server delays its ACKs 40 ms. */
	feed_write_write_read(run_start(r), US(25), US(25), MS(40), US(50));
	run_end(r);
	expect_count(r, 1);
	f = expect_finding(r, FINDING_NAGLE_DELAYED_ACK, "10.0.0.1:80");
	assert_int_equal(f->severity, SEVERITY_INFO);
	assert_num(f->value, 4);
	assert_num(detail_number(f, "connections"), 1);
	assert_num(detail_number(f, "mean_delay_ms"), 40);
}

static void test_nagle_not_on_a_40ms_path_captured_midway(void **state)
{
	struct run *r = *state;

	/* Every ACK takes the 40 ms round trip; the capture is halfway. */
	feed_write_write_read(run_start(r), MS(20), MS(20), MS(40), MS(40));
	run_end(r);
	expect_count(r, 0);
}

/*
 * The same 40 ms path captured on the client: the SYN-ACK comes 40 ms
 * after the SYN but the client's ACK 50 µs after the SYN-ACK.  Taking
 * the smaller handshake leg as the round trip (50 µs) would read every
 * 40 ms ACK as delayed; the round trip is taken through the ACKing peer
 * (SYN to SYN-ACK for the client's data).
 */
static void test_nagle_not_on_a_40ms_path_captured_at_the_client(void **state)
{
	struct run *r = *state;

	feed_write_write_read(run_start(r), MS(40), US(50), MS(40), MS(40));
	run_end(r);
	expect_count(r, 0);
}

/* Linux's SYN options with timestamps: every segment carries 12 bytes. */
static const struct unit_tcp_opts linux_syn_ts = {
	.mss = 1460, .sack_perm = true, .has_ts = true, .ts_val = 1,
};

/*
 * A bulk sender with timestamps: 1448 bytes is a full segment (1460 less
 * the option), so one ACKed late and the next sent at once is no Nagle
 * hold-back: the survey's false findings on public captures.
 */
static void test_nagle_not_on_full_segments_with_timestamps(void **state)
{
	struct run *r = *state;
	struct conn c;

	conn_init(&c, run_start(r), "10.0.0.2", 40000, "10.0.0.1", 80);
	c.syn_opts = &linux_syn_ts;
	conn_open(&c, 0, US(25), US(25));
	for (int i = 1; i <= 4; i++) {
		int64_t t = SEC(i);

		conn_send(&c, CLI, t, ACK, 1448);
		conn_send(&c, SRV, t + MS(40), ACK, 0);
		conn_send(&c, CLI, t + MS(40) + US(50), ACK, 1448);
		conn_send(&c, SRV, t + MS(41), ACK, 0);
	}
	run_end(r);
	assert_int_equal(count_of(r, FINDING_NAGLE_DELAYED_ACK), 0);
}

/*
 * The server answers right after its late ACK: the client's next small
 * segment replies to that, it was not waiting for the ACK.
 */
static void test_nagle_not_when_the_peer_spoke_in_between(void **state)
{
	struct run *r = *state;
	struct conn c;

	conn_init(&c, run_start(r), "10.0.0.2", 40000, "10.0.0.1", 80);
	conn_open(&c, 0, US(25), US(25));
	for (int i = 1; i <= 4; i++) {
		int64_t t = SEC(i);

		conn_send(&c, CLI, t, PSH | ACK, 100);
		conn_send(&c, SRV, t + MS(40), ACK, 0);
		conn_send(&c, SRV, t + MS(40) + US(10), PSH | ACK, 200);
		conn_send(&c, CLI, t + MS(40) + US(50), PSH | ACK, 50);
		conn_send(&c, SRV, t + MS(41), ACK, 0);
	}
	run_end(r);
	assert_int_equal(count_of(r, FINDING_NAGLE_DELAYED_ACK), 0);
}

/* ------------------------------------------------------------ icmp_error */

/* 10.0.0.1's port unreachable about the datagram 10.0.0.2:40000 > :53. */
static void feed_port_unreachable(struct unit_wire *w, int64_t t)
{
	uint8_t dgram[128], icmp[8 + 28], frame[128];
	size_t n;

	/* Type 3 code 3, then the datagram's IPv4 header and 8 bytes. */
	n = unit_udp_build(dgram, sizeof(dgram), "10.0.0.2", 40000, "10.0.0.1",
			   53, 30);
	assert_true(n >= 28);
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = 3;
	icmp[1] = 3;
	memcpy(icmp + 8, dgram, 28);
	n = unit_ip_build(frame, sizeof(frame), "10.0.0.1", "10.0.0.2", 1, icmp,
			  sizeof(icmp), 2);
	unit_wire_feed(w, t, LINK_TYPE_IPV4, frame, n);
}

static void test_icmp_port_unreachable_for_udp(void **state)
{
	struct run *r = *state;
	struct unit_wire *w = run_start(r);
	const struct finding *f;

	unit_feed_udp(w, 0, "10.0.0.2", 40000, "10.0.0.1", 53, 30);
	feed_port_unreachable(w, US(200));
	run_end(r);
	expect_count(r, 1);
	f = expect_finding(r, FINDING_ICMP_ERROR, "10.0.0.1:53");
	assert_int_equal(f->severity, SEVERITY_INFO);
	assert_num(f->value, 1);
	assert_string_equal(detail_text(f, "message"), "port unreachable");
	assert_num(detail_number(f, "type"), 3);
	assert_num(detail_number(f, "code"), 3);
	assert_num(detail_number(f, "flows"), 1);
}

/*
 * Errors of one kind about one destination are one finding that counts
 * them (a group's key must not change once made, or each error after
 * the first made a finding of its own).
 */
static void test_icmp_errors_about_one_subject_are_one_finding(void **state)
{
	struct run *r = *state;
	struct unit_wire *w = run_start(r);
	const struct finding *f;

	unit_feed_udp(w, 0, "10.0.0.2", 40000, "10.0.0.1", 53, 30);
	feed_port_unreachable(w, US(200));
	feed_port_unreachable(w, MS(10));
	feed_port_unreachable(w, MS(20));
	run_end(r);
	expect_count(r, 1);
	f = expect_finding(r, FINDING_ICMP_ERROR, "10.0.0.1:53");
	assert_num(f->value, 3);
	assert_num(detail_number(f, "flows"), 1);
}

/*
 * One error captured twice (tcpdump -i any, a merge) is one error: the
 * copy is a duplicate of the capture and adds nothing to the finding.
 */
static void test_icmp_error_copy_counts_once(void **state)
{
	struct run *r = *state;
	struct unit_wire *w = run_start(r);
	const struct finding *f;

	unit_feed_udp(w, 0, "10.0.0.2", 40000, "10.0.0.1", 53, 30);
	feed_port_unreachable(w, US(200));
	feed_port_unreachable(w, US(200));
	run_end(r);
	f = expect_finding(r, FINDING_ICMP_ERROR, "10.0.0.1:53");
	assert_num(f->value, 1);
	assert_int_equal(analyzer_get_stats(r->a)->duplicates, 1);
}

/* ------------------------------------------------------------ syn_unanswered */

/*
 * A capture of the client's side only (a SPAN of one direction): its
 * SYN twice, then its ACK and data, which prove the SYN-ACK came.
 */
static void test_syn_unanswered_not_when_the_client_acks(void **state)
{
	struct run *r = *state;
	struct unit_wire *w = run_start(r);

	unit_feed_tcp(w, 0, "10.0.0.2", 40000, "10.0.0.1", 80, SYN, 1000, 0,
		      65160, 0);
	unit_feed_tcp(w, SEC(1), "10.0.0.2", 40000, "10.0.0.1", 80, SYN, 1000,
		      0, 65160, 0);
	unit_feed_tcp(w, SEC(3), "10.0.0.2", 40000, "10.0.0.1", 80, SYN, 1000,
		      0, 65160, 0);
	unit_feed_tcp(w, SEC(3) + MS(1), "10.0.0.2", 40000, "10.0.0.1", 80,
		      ACK, 1001, 5001, 502, 0);
	unit_feed_tcp(w, SEC(3) + MS(2), "10.0.0.2", 40000, "10.0.0.1", 80,
		      PSH | ACK, 1001, 5001, 502, 100);
	run_end(r);
	assert_int_equal(count_of(r, FINDING_SYN_UNANSWERED), 0);
}

/* Router 10.0.0.254's host unreachable about a SYN of 10.0.0.2:40000. */
static void feed_host_unreachable(struct unit_wire *w, int64_t t)
{
	struct unit_tcp syn = {
		.src = "10.0.0.2", .dst = "10.0.0.1", .sport = 40000,
		.dport = 80, .flags = SYN, .seq = 1000, .win = 65160,
	};
	uint8_t quoted[64], icmp[8 + 28], frame[128];
	size_t n = unit_tcp_build(quoted, sizeof(quoted), &syn);

	assert_true(n >= 28);
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = 3;
	icmp[1] = 1;
	memcpy(icmp + 8, quoted, 28);
	n = unit_ip_build(frame, sizeof(frame), "10.0.0.254", "10.0.0.2", 1,
			  icmp, sizeof(icmp), 2);
	unit_wire_feed(w, t, LINK_TYPE_IPV4, frame, n);
}

/* Each SYN drew a host unreachable: no TCP answer, and the path says why. */
static void test_syn_unanswered_names_the_icmp_answer(void **state)
{
	struct run *r = *state;
	struct unit_wire *w = run_start(r);
	const struct finding *f;

	for (int i = 0; i < 3; i++) {
		unit_feed_tcp(w, SEC(i * i), "10.0.0.2", 40000, "10.0.0.1", 80,
			      SYN, 1000, 0, 65160, 0);
		feed_host_unreachable(w, SEC(i * i) + MS(3));
	}
	run_end(r);
	f = expect_finding(r, FINDING_SYN_UNANSWERED, "10.0.0.1:80");
	assert_num(detail_number(f, "icmp_answered"), 1);
	assert_string_equal(detail_text(f, "icmp_message"), "host unreachable");
	assert_non_null(strstr(f->summary, "got no TCP answer"));
	assert_non_null(strstr(f->summary, "drew ICMP errors instead "
				       "(host unreachable)"));
}

/* ------------------------------------------------------------ fragmentation */

/* The first 1480 bytes of a 3000-byte UDP datagram, IPv4 id 77. */
static void feed_first_fragment(struct unit_wire *w, int64_t t)
{
	uint8_t frame[UNIT_FRAME_MAX];
	uint32_t sum = 0;

	unit_udp_build(frame, sizeof(frame), "10.0.0.2", 5000, "10.0.0.1", 53,
		       3000);
	frame[2] = (20 + 1480) >> 8;
	frame[3] = (uint8_t)(20 + 1480);
	frame[4] = 0;
	frame[5] = 77;
	frame[6] = 0x20;        /* more fragments, offset 0 */
	frame[7] = 0;
	frame[10] = frame[11] = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)frame[i] << 8 | frame[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	frame[10] = (uint8_t)(~sum >> 8);
	frame[11] = (uint8_t)~sum;
	unit_wire_feed(w, t, LINK_TYPE_IPV4, frame, 20 + 1480);
}

/*
 * A datagram whose first fragment is the last thing in the capture may
 * only have lost the rest to the capture's end: info, and said so.
 */
static void test_fragments_open_at_the_end_are_info(void **state)
{
	struct run *r = *state;
	const struct finding *f;

	feed_first_fragment(run_start(r), 0);
	run_end(r);
	f = expect_finding(r, FINDING_FRAGMENTATION, "capture");
	assert_int_equal(f->severity, SEVERITY_INFO);
	assert_num(detail_number(f, "incomplete"), 1);
	assert_num(detail_number(f, "incomplete_at_end"), 1);
	assert_non_null(strstr(f->summary, "still incomplete when the capture "
				       "ended"));
}

/* One that the reassembly timeout (30 s) ended is a warning. */
static void test_fragments_timed_out_are_a_warning(void **state)
{
	struct run *r = *state;
	struct unit_wire *w = run_start(r);
	const struct finding *f;

	feed_first_fragment(w, 0);
	unit_feed_udp(w, SEC(31), "10.0.0.2", 5001, "10.0.0.1", 53, 40);
	run_end(r);
	f = expect_finding(r, FINDING_FRAGMENTATION, "capture");
	assert_int_equal(f->severity, SEVERITY_WARNING);
	assert_num(detail_number(f, "incomplete_at_end"), 0);
	assert_non_null(strstr(f->summary, "within the reassembly timeout"));
}

/* ------------------------------------------------------------ checksum_errors */

/* A UDP datagram from src whose checksum was damaged on the way. */
static void feed_bad_checksum(struct unit_wire *w, int64_t t, const char *src)
{
	uint8_t frame[128];
	size_t n = unit_udp_build(frame, sizeof(frame), src, 5000, "10.0.0.1",
				  53, 20);

	frame[20 + 6] ^= 0x5a;
	unit_wire_feed(w, t, LINK_TYPE_IPV4, frame, n);
}

static void test_checksum_errors_not_from_one_host_alone(void **state)
{
	struct run *r = *state;
	struct unit_wire *w = run_start(r);

	/* Likely its own offloaded packets, captured before the NIC. */
	feed_bad_checksum(w, 0, "10.0.0.7");
	feed_bad_checksum(w, MS(1), "10.0.0.7");
	run_end(r);
	expect_count(r, 0);
}

static void test_checksum_errors_from_one_host_when_verifying(void **state)
{
	struct run *r = *state;
	const struct finding *f;

	run_set(r, "checksum_errors", "verify", 1);
	feed_bad_checksum(run_start(r), 0, "10.0.0.7");
	run_end(r);
	expect_count(r, 1);
	f = expect_finding(r, FINDING_CHECKSUM_ERRORS, "10.0.0.7");
	/* A damaged frame fails its FCS before any capture: info. */
	assert_int_equal(f->severity, SEVERITY_INFO);
	assert_num(f->value, 1);
	assert_num(detail_number(f, "zeroed"), 0);
	assert_non_null(strstr(f->summary, "most likely the capture's"));
}

/* Big-endian 16-bit words of p summed, one's complement, folded. */
static uint16_t words_sum(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * A datagram of len payload bytes from src, sent with checksum offload
 * from 10.9.9.9 (the field holds the pseudo-header sum of the original
 * addresses), its source then rewritten to src with the IPv4 header sum
 * fixed and the UDP one not: what an anonymiser does to such a trace.
 */
static void feed_offloaded_rewritten(struct unit_wire *w, int64_t t,
				     const char *src, uint32_t len)
{
	static const uint8_t orig[4] = {10, 9, 9, 9};
	uint8_t frame[256], pseudo[12] = {0};
	size_t n = unit_udp_build(frame, sizeof(frame), "10.9.9.9", 5000,
				  "10.0.0.1", 53, len);
	uint16_t partial;

	memcpy(pseudo, orig, 4);
	memcpy(pseudo + 4, frame + 16, 4);
	pseudo[9] = 17;
	pseudo[10] = (uint8_t)((8 + len) >> 8);
	pseudo[11] = (uint8_t)(8 + len);
	partial = words_sum(0, pseudo, sizeof(pseudo));
	frame[20 + 6] = (uint8_t)(partial >> 8);
	frame[20 + 7] = (uint8_t)partial;
	assert_int_equal(inet_pton(AF_INET, src, frame + 12), 1);
	frame[10] = frame[11] = 0;
	partial = (uint16_t)~words_sum(0, frame, 20);
	frame[10] = (uint8_t)(partial >> 8);
	frame[11] = (uint8_t)partial;
	unit_wire_feed(w, t, LINK_TYPE_IPV4, frame, n);
}

/*
 * Sums all off from the pseudo-header's by one constant, whatever the
 * length and payload: offload in a trace rewritten afterwards.
 */
static void test_checksum_errors_offload_rewritten(void **state)
{
	struct run *r = *state;
	struct unit_wire *w;
	const struct finding *f;

	run_set(r, "checksum_errors", "verify", 1);
	w = run_start(r);
	feed_offloaded_rewritten(w, 0, "192.0.2.7", 20);
	feed_offloaded_rewritten(w, MS(1), "192.0.2.7", 100);
	feed_offloaded_rewritten(w, MS(2), "192.0.2.7", 7);
	run_end(r);
	f = expect_finding(r, FINDING_CHECKSUM_ERRORS, "192.0.2.7");
	assert_int_equal(f->severity, SEVERITY_INFO);
	assert_num(f->value, 3);
	assert_num(detail_number(f, "offload_rewritten"), 3);
	assert_non_null(strstr(f->summary, "rewritten afterwards"));
}

/* Damaged sums keep no constant distance: no offload is claimed. */
static void test_checksum_errors_damage_is_no_offload(void **state)
{
	struct run *r = *state;
	struct unit_wire *w;
	const struct finding *f;

	run_set(r, "checksum_errors", "verify", 1);
	w = run_start(r);
	feed_bad_checksum(w, 0, "10.0.0.7");
	feed_offloaded_rewritten(w, MS(1), "10.0.0.7", 30);
	run_end(r);
	f = expect_finding(r, FINDING_CHECKSUM_ERRORS, "10.0.0.7");
	assert_num(detail_number(f, "offload_rewritten"), 0);
}

/* IPv4 header sums zeroed beside correct UDP sums: an edited trace. */
static void test_checksum_errors_zeroed_is_an_edit(void **state)
{
	struct run *r = *state;
	struct unit_wire *w;
	const struct finding *f;
	uint8_t frame[128];
	size_t n;

	run_set(r, "checksum_errors", "verify", 1);
	w = run_start(r);
	/* Three queries from three ports: the same one thrice is a copy. */
	for (int i = 0; i < 3; i++) {
		n = unit_udp_build(frame, sizeof(frame), "192.0.2.9",
				   (uint16_t)(5000 + i), "10.0.0.1", 53, 20);
		frame[10] = frame[11] = 0;
		unit_wire_feed(w, MS(i), LINK_TYPE_IPV4, frame, n);
	}
	run_end(r);
	f = expect_finding(r, FINDING_CHECKSUM_ERRORS, "192.0.2.9");
	assert_num(detail_number(f, "zeroed"), 3);
	assert_non_null(strstr(f->summary, "edited or anonymised"));
}

/*
 * Once bad checksums come from a second host, both hosts are reported:
 * the first one's count crossed min_count while one host alone did not
 * count, and it must not wait for another bad packet of its own.
 */
static void test_checksum_errors_from_two_hosts_reports_both(void **state)
{
	struct run *r = *state;
	struct unit_wire *w = run_start(r);

	feed_bad_checksum(w, 0, "10.0.0.7");
	feed_bad_checksum(w, MS(1), "10.0.0.8");
	run_end(r);
	expect_finding(r, FINDING_CHECKSUM_ERRORS, "10.0.0.8");
	expect_finding(r, FINDING_CHECKSUM_ERRORS, "10.0.0.7");
	expect_count(r, 2);
}

/* ------------------------------------------------------------ IPv6 */

static void test_ipv6_subject_is_bracketed(void **state)
{
	struct run *r = *state;
	const struct finding *f;

	feed_refused(run_start(r), "2001:db8::2", 40000, "2001:db8::1", 443, 0);
	run_end(r);
	expect_count(r, 1);
	f = expect_finding(r, FINDING_CONNECTION_REFUSED, "[2001:db8::1]:443");
	assert_int_equal(f->severity, SEVERITY_WARNING);
	assert_non_null(strstr(f->packets[0],
			       "[2001:db8::1]:443 > [2001:db8::2]:40000 [R.]"));
}

/* ------------------------------------------------------------ robustness */

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * Random bytes, every cut of a SYN with options (as the capture cut it
 * and as really that short), and SYNs with random bytes flipped, all
 * through the same path; then a refused connection must still be found.
 */
static void test_garbage_and_truncated_headers_do_not_crash(void **state)
{
	static const enum link_type lts[] = {
		LINK_TYPE_IPV4, LINK_TYPE_IPV6, LINK_TYPE_RAW,
	};
	struct run *r = *state;
	struct unit_wire *w = run_start(r);
	struct unit_tcp syn = {
		.src = "10.0.0.5", .dst = "10.0.0.6", .sport = 40000,
		.dport = 80, .flags = SYN, .seq = 1000, .win = 65535,
		.opts = &linux_syn,
	};
	uint8_t buf[256], frame[256];
	uint32_t seed = 0x2545f491u;
	int64_t t = 0;
	size_t n;

	for (int i = 0; i < 200; i++, t += US(10)) {
		size_t len = xorshift(&seed) % sizeof(buf);

		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)xorshift(&seed);
		/* Half of them start as an IPv4 or IPv6 header would. */
		if (len > 0 && i % 2 == 0)
			buf[0] = (uint8_t)(i % 4 == 0 ? 0x45 : 0x60);
		unit_wire_feed(w, t, lts[i % 3], buf, len);
	}
	n = unit_tcp_build(frame, sizeof(frame), &syn);
	for (size_t cut = 0; cut < n; cut++, t += US(10)) {
		unit_wire_feed_cut(w, t, LINK_TYPE_IPV4, frame, cut, n);
		unit_wire_feed(w, t, LINK_TYPE_IPV4, frame, cut);
	}
	for (int i = 0; i < 200; i++, t += US(10)) {
		memcpy(buf, frame, n);
		for (int k = 0; k < 3; k++)
			buf[xorshift(&seed) % n] = (uint8_t)xorshift(&seed);
		unit_wire_feed(w, t, LINK_TYPE_IPV4, buf, n);
	}
	assert_int_equal(analyzer_get_stats(r->a)->packets, 200 + 2 * n + 200);
	assert_true(analyzer_get_stats(r->a)->tcp_unusable > 0);
	feed_refused(w, "10.7.0.2", 40000, "10.7.0.1", 80, t + MS(1));
	run_end(r);
	expect_finding(r, FINDING_CONNECTION_REFUSED, "10.7.0.1:80");
}

/* ------------------------------------------------------------ main */

#define T(fn) cmocka_unit_test_setup_teardown(fn, run_setup, run_teardown)

/* ------------------------------------------------------------ review cases */

/*
 * A busy healthy listener (2000 new connections a second, 50 ms round
 * trip) whose capture stops mid-handshake: the attempts the end cuts
 * short were only in flight.
 */
static void test_syn_flood_not_when_the_capture_cuts_handshakes(void **state)
{
	struct run *r = *state;
	struct unit_wire *w = run_start(r);
	static struct conn c[3000];

	/*
	 * In time order: attempt i's SYN at 0.5 ms * i, its SYN-ACK 25 ms
	 * and its ACK 50 ms later; the capture ends at 1.5 s.
	 */
	for (int64_t t = 0; t < MS(1500); t += US(500)) {
		int i = (int)(t / US(500));
		char src[32];

		snprintf(src, sizeof(src), "10.2.%d.%d", i / 250, i % 250 + 1);
		conn_init(&c[i], w, src, 40000, "10.0.0.1", 443);
		if (i >= 100)
			conn_send(&c[i - 100], CLI, t, ACK, 0);
		conn_send(&c[i], CLI, t, SYN, 0);
		if (i >= 50)
			conn_send(&c[i - 50], SRV, t + US(1), SYN | ACK, 0);
	}
	run_end(r);
	assert_int_equal(count_of(r, FINDING_SYN_FLOOD), 0);
}

/*
 * One client retrying a backend that is down (no SYN-ACK, one source) is
 * syn_unanswered, not a flood.
 */
static void test_syn_flood_not_for_one_client_and_a_dead_backend(void **state)
{
	struct run *r = *state;
	struct unit_wire *w = run_start(r);
	static struct conn c[150];

	/* Attempt i at 100 ms * i, retried 1 s and 3 s later, in time order. */
	for (int64_t t = 0; t < MS(100) * 150 + SEC(3); t += MS(100)) {
		int i = (int)(t / MS(100));

		if (i >= 30)
			conn_seg(&c[i - 30], CLI, t, SYN, c[i - 30].nxt[CLI], 0, 0,
				 &linux_syn);
		if (i >= 10 && i - 10 < 150)
			conn_seg(&c[i - 10], CLI, t + US(1), SYN,
				 c[i - 10].nxt[CLI], 0, 0, &linux_syn);
		if (i < 150) {
			conn_init(&c[i], w, "10.0.0.2", (uint16_t)(40000 + i),
				  "10.0.0.9", 5432);
			conn_seg(&c[i], CLI, t + US(2), SYN, c[i].nxt[CLI], 0, 0,
				 &linux_syn);
		}
	}
	analyzer_advance(r->a, EPOCH_NS + SEC(30));
	run_end(r);
	assert_int_equal(count_of(r, FINDING_SYN_FLOOD), 0);
	assert_num(expect_finding(r, FINDING_SYN_UNANSWERED, "10.0.0.9:5432")->value,
		   150);
}

/*
 * A client that gave up before the SYN-ACK (a connect timeout, Happy
 * Eyeballs) answers it with a bare RST: an aborted handshake, not a
 * half-open connection.
 */
static void test_rst_to_a_syn_ack_is_handshake_aborted(void **state)
{
	struct run *r = *state;
	const struct finding *f;
	struct conn c;
	uint32_t ack;

	conn_init(&c, run_start(r), "10.0.0.2", 40000, "10.0.0.1", 443);
	conn_send(&c, CLI, 0, SYN, 0);
	conn_send(&c, SRV, MS(300), SYN | ACK, 0);
	ack = c.nxt[SRV];
	conn_seg(&c, CLI, MS(301), RST, c.nxt[CLI], ack, 0, NULL);
	run_end(r);
	assert_int_equal(count_of(r, FINDING_HALF_OPEN), 0);
	f = expect_finding(r, FINDING_ABORTIVE_CLOSE, "10.0.0.2");
	assert_string_equal(detail_text(f, "cause"), "handshake_aborted");
}

/*
 * One aborted download: after the client's RST, every server segment in
 * flight draws another RST.  One connection reset is no storm.
 */
static void test_rst_storm_counts_connections_not_segments(void **state)
{
	struct run *r = *state;
	struct conn c;
	uint32_t rst_seq;

	conn_init(&c, run_start(r), "10.0.0.2", 40000, "10.0.0.1", 80);
	conn_open(&c, 0, US(100), US(100));
	conn_send(&c, CLI, MS(1), PSH | ACK, 100);
	for (int i = 0; i < 20; i++)
		conn_send(&c, SRV, MS(2) + US(10) * i, ACK, 1448);
	rst_seq = c.nxt[CLI];
	conn_seg(&c, CLI, MS(3), RST | ACK, rst_seq, c.nxt[SRV], 0, NULL);
	for (int i = 0; i < 150; i++) {
		conn_send(&c, SRV, MS(4) + US(10) * i, ACK, 1448);
		conn_seg(&c, CLI, MS(4) + US(10) * i + US(5), RST, rst_seq, 0, 0,
			 NULL);
	}
	run_end(r);
	assert_int_equal(count_of(r, FINDING_RST_STORM), 0);
}

/*
 * The peer dies in the middle of a bulk transfer whose full-size
 * segments it had been acknowledging: a dead peer, not an MTU black hole.
 */
static void test_dead_peer_mid_bulk_is_not_a_black_hole(void **state)
{
	struct run *r = *state;
	const struct finding *f;
	struct conn c;
	uint32_t seq = 0;

	conn_init(&c, run_start(r), "10.0.0.2", 40000, "10.0.0.1", 80);
	conn_open(&c, 0, US(100), US(100));
	for (int i = 0; i < 200; i++) {
		conn_send(&c, CLI, MS(1) + US(100) * i, ACK, 1448);
		/* Delayed ACKs: every second segment, never all of them. */
		if (i % 2 == 1)
			conn_seg(&c, SRV, MS(1) + US(100) * i + US(50), ACK,
				 c.nxt[SRV], c.nxt[CLI] - 1448, 0, NULL);
	}
	seq = conn_send(&c, CLI, MS(30), ACK, 1448);
	for (int k = 0; k < 4; k++)
		conn_seg(&c, CLI, MS(30) + backoff[k], ACK, seq, c.nxt[SRV], 1448,
			 NULL);
	run_end(r);
	f = expect_finding(r, FINDING_RETRANSMIT_BURST, "10.0.0.1:80");
	assert_string_equal(detail_text(f, "kind"), "dead_peer");
}

/*
 * The data was delivered and acknowledged; only the client's FIN goes
 * unanswered, sent again with back-off: the close, not a dead peer.
 */
static void test_unanswered_fin_is_no_dead_peer(void **state)
{
	struct run *r = *state;
	struct conn c;
	uint32_t seq;

	conn_init(&c, run_start(r), "10.0.0.2", 40000, "10.0.0.1", 80);
	conn_open(&c, 0, US(100), US(100));
	conn_send(&c, CLI, MS(10), PSH | ACK, 100);
	conn_send(&c, SRV, MS(11), PSH | ACK, 3000);
	conn_send(&c, CLI, MS(12), ACK, 0);
	seq = conn_send(&c, CLI, MS(20), FIN | ACK, 0);
	for (int k = 0; k < 4; k++)
		conn_seg(&c, CLI, MS(20) + backoff[k], FIN | ACK, seq,
			 c.nxt[SRV], 0, NULL);
	run_end(r);
	assert_int_equal(count_of(r, FINDING_RETRANSMIT_BURST), 0);
}

/*
 * An outage of a few seconds that the connection survives: the peer
 * answers after the fourth timeout.  No dead peer.
 */
static void test_outage_survived_is_no_dead_peer(void **state)
{
	struct run *r = *state;
	struct conn c;
	uint32_t seq;

	conn_init(&c, run_start(r), "10.0.0.2", 40000, "10.0.0.1", 80);
	conn_open(&c, 0, US(100), US(100));
	seq = conn_send(&c, CLI, MS(10), PSH | ACK, 100);
	for (int k = 0; k < 4; k++)
		conn_seg(&c, CLI, MS(10) + backoff[k], PSH | ACK, seq,
			 c.nxt[SRV], 100, NULL);
	conn_send(&c, SRV, MS(10) + backoff[3] + MS(1), ACK, 0);
	conn_send(&c, SRV, SEC(4), PSH | ACK, 300);
	conn_send(&c, CLI, SEC(4) + MS(1), FIN | ACK, 0);
	conn_send(&c, SRV, SEC(4) + MS(2), FIN | ACK, 0);
	conn_send(&c, CLI, SEC(4) + MS(3), ACK, 0);
	run_end(r);
	assert_int_equal(count_of(r, FINDING_RETRANSMIT_BURST), 0);
}

/*
 * A half-close at work: the client shut down its sending side and the
 * server streams for 3 s before closing.  CLOSE_WAIT, but no leak.
 */
static void test_close_wait_not_while_the_server_still_sends(void **state)
{
	struct run *r = *state;
	struct conn c;

	conn_init(&c, run_start(r), "10.0.0.2", 40000, "10.0.0.1", 873);
	conn_open(&c, 0, US(100), US(100));
	conn_send(&c, CLI, MS(1), PSH | ACK, 100);
	conn_send(&c, CLI, MS(2), FIN | ACK, 0);
	for (int i = 0; i < 300; i++) {
		conn_send(&c, SRV, MS(3) + MS(10) * i, ACK, 1000);
		conn_send(&c, CLI, MS(3) + MS(10) * i + US(50), ACK, 0);
	}
	conn_send(&c, SRV, SEC(3) + MS(10), FIN | ACK, 0);
	conn_send(&c, CLI, SEC(3) + MS(11), ACK, 0);
	analyzer_advance(r->a, EPOCH_NS + SEC(6));
	run_end(r);
	assert_int_equal(count_of(r, FINDING_CLOSE_WAIT_LEAK), 0);
}

/*
 * A sender captured before TSO splits its data: 8,000-byte frames (as
 * large as the test frames go), and a dozen 100-byte retransmissions:
 * 0.08% of the bytes is no burst, though it is 6% of the frames.
 */
static void test_retransmit_share_is_in_bytes_under_tso(void **state)
{
	struct run *r = *state;
	struct conn c;
	uint32_t first;

	conn_init(&c, run_start(r), "10.0.0.2", 40000, "10.0.0.1", 80);
	conn_open(&c, 0, US(100), US(100));
	first = c.nxt[CLI];
	for (int i = 0; i < 200; i++) {
		conn_send(&c, CLI, MS(1) + MS(2) * i, ACK, 8000);
		if (i % 16 == 5)
			conn_seg(&c, CLI, MS(1) + MS(2) * i + US(500), ACK,
				 first + 8000u * (uint32_t)(i - 1), c.nxt[SRV],
				 100, NULL);
		conn_send(&c, SRV, MS(1) + MS(2) * i + US(900), ACK, 0);
	}
	run_end(r);
	assert_int_equal(count_of(r, FINDING_RETRANSMIT_BURST), 0);
}

/* ------------------------------------------------------------ merging */

/*
 * The reducers merge as if one had counted everything: a window's
 * events split in two rings, sets and count maps by halves.
 */
static void test_reducers_merge(void **state)
{
	struct rate_ring whole = {0}, odd = {0}, even = {0};
	struct hash_set all = {0}, a = {0}, b = {0};
	struct count_map m_all = {0}, m_a = {0}, m_b = {0};
	int64_t win = SEC(10);
	bool oom = false;

	(void)state;
	for (int i = 0; i < 40; i++) {
		int64_t t = EPOCH_NS + MS(250) * i;

		rate_add(&whole, t, win, 1);
		rate_add(i % 2 ? &odd : &even, t, win, 1);
	}
	rate_merge(&odd, &even, win);
	assert_int_equal(odd.sum, 40);
	assert_int_equal(odd.sum, whole.sum);
	/* Later events push the merged window on as they do the whole's. */
	assert_int_equal(rate_add(&odd, EPOCH_NS + SEC(14), win, 1),
			 rate_add(&whole, EPOCH_NS + SEC(14), win, 1));
	for (uint32_t h = 1; h <= 300; h++) {
		hash_set_add(&all, h * 2654435761u, &oom);
		hash_set_add(h % 3 ? &a : &b, h * 2654435761u, &oom);
		/* A source seen on both sides counts once. */
		if (h % 5 == 0)
			hash_set_add(&b, h * 2654435761u, &oom);
		count_map_add(&m_all, h % 7 + 1, 1, NULL);
		count_map_add(h % 2 ? &m_a : &m_b, h % 7 + 1, 1, NULL);
	}
	assert_true(hash_set_merge(&a, &b));
	assert_int_equal(a.count, all.count);
	assert_true(count_map_merge(&m_a, &m_b));
	assert_int_equal(m_a.live, m_all.live);
	for (uint32_t k = 1; k <= 7; k++)
		assert_int_equal(count_map_get(&m_a, k), count_map_get(&m_all, k));
	assert_false(oom);
	free(all.slots);
	free(a.slots);
	free(b.slots);
	count_map_free(&m_all);
	count_map_free(&m_a);
	count_map_free(&m_b);
}

/* ------------------------------------------------------------ the store */

/* The connection_refused subject of server i, as feed_refused_servers. */
static void refused_key(struct subject_key *k, uint32_t i)
{
	memset(k, 0, sizeof(*k));
	k->id = FINDING_CONNECTION_REFUSED;
	k->family = 4;
	k->has_port = 1;
	k->port = (uint16_t)(i % 60000 + 1);
	k->addr[0] = 10;
	k->addr[1] = (uint8_t)(i / 60000);
	k->addr[2] = (uint8_t)(i >> 8);
	k->addr[3] = (uint8_t)i;
}

/*
 * Removal from the group index (backward shift): 3000 groups in a
 * 4096-slot index leave long probe runs; with every third released,
 * every other one is still found, the released are not, and made
 * again each is found in a slot of a new generation.
 */
static void test_group_index_release_and_make_again(void **state)
{
	struct run *r = *state;
	struct subject_key k;
	uint32_t old_gen[3000];

	run_start(r);
	for (uint32_t i = 0; i < 3000; i++) {
		refused_key(&k, i);
		assert_non_null(group_get(r->det, &k, 0));
	}
	for (uint32_t i = 0; i < 3000; i += 3) {
		struct det_group *g;

		refused_key(&k, i);
		g = group_find(r->det, &k);
		assert_non_null(g);
		old_gen[i] = g->generation;
		group_release(r->det, g, false);
	}
	for (uint32_t i = 0; i < 3000; i++) {
		refused_key(&k, i);
		if (i % 3 == 0) {
			assert_null(group_find(r->det, &k));
		} else {
			struct det_group *g = group_find(r->det, &k);

			assert_non_null(g);
			assert_memory_equal(&g->key, &k, sizeof(k));
		}
	}
	assert_int_equal(r->det->n_live, 2000);
	for (uint32_t i = 0; i < 3000; i += 3) {
		struct det_group *g;

		refused_key(&k, i);
		g = group_get(r->det, &k, 0);
		assert_non_null(g);
		assert_true(g->in_use);
		assert_ptr_equal(group_find(r->det, &k), g);
		assert_int_equal(g->generation, old_gen[i] + 1);
	}
	assert_int_equal(r->det->n_live, 3000);
	assert_int_equal(r->det->n_groups, 3000);   /* the slots reused */
	for (uint32_t i = 0; i < 3000; i++) {
		refused_key(&k, i);
		assert_non_null(group_find(r->det, &k));
	}
}

/* Refused attempts to server i, one every step from t0 on. */
static void feed_refused_servers(struct run *r, uint32_t from, uint32_t to,
				 int64_t t0, int64_t step, size_t *most)
{
	for (uint32_t i = from; i < to; i++) {
		char src[32], dst[32];

		/* Each from a client of its own: no port scan. */
		snprintf(src, sizeof(src), "172.%u.%u.%u", 16 + i / 65536,
			 (i >> 8) & 0xff, i & 0xff);
		snprintf(dst, sizeof(dst), "10.%u.%u.%u", i / 60000,
			 (i >> 8) & 0xff, i & 0xff);
		feed_refused(&r->w, src, (uint16_t)(1024 + i % 60000),
			     dst, (uint16_t)(i % 60000 + 1),
			     t0 + step * (int64_t)(i - from));
		if (r->det->n_live > *most)
			*most = r->det->n_live;
	}
}

/*
 * Issue 15: 200,000 refused ports over 11 hours of capture time with a
 * store of 1,024 subjects (each refusal holds its subject and its
 * client's port_scan subject for a minute: 600 at a time).  The store never holds more, no subject goes
 * untracked, the last refusal still fires, and the resolved findings
 * folded into counts add up with those listed to every refusal.
 */
static void test_store_bounded_over_200k_refused_ports(void **state)
{
	struct run *r = *state;
	const struct detect_folded *folded;
	struct subject_key k;
	struct det_group *g;
	uint64_t listed;
	size_t most = 0;

	run_set(r, "engine", "max_subjects", 1024);
	run_start(r);
	feed_refused_servers(r, 0, 200000, 0, MS(200), &most);
	run_end(r);
	assert_true(most <= 1024);
	assert_true(r->det->n_groups <= 1024);
	assert_int_equal(detectors_not_tracked(r->det), 0);
	folded = detectors_folded(r->det);
	listed = count_of(r, FINDING_CONNECTION_REFUSED);
	assert_true(folded[FINDING_CONNECTION_REFUSED].count > 190000);
	assert_int_equal(folded[FINDING_CONNECTION_REFUSED].count + listed +
			 detectors_suppressed(r->det), 200000);
	assert_int_equal(detectors_folded_total(r->det),
			 folded[FINDING_CONNECTION_REFUSED].count);
	assert_int_equal(folded[FINDING_CONNECTION_REFUSED]
			 .by_severity[SEVERITY_WARNING],
			 folded[FINDING_CONNECTION_REFUSED].count);
	assert_int_equal(folded[FINDING_CONNECTION_REFUSED].first_ts,
			 EPOCH_NS + US(100));
	/* The newest refusal fired: its subject holds a finding. */
	refused_key(&k, 199999);
	g = group_find(r->det, &k);
	assert_non_null(g);
	assert_true(g->finding >= 0);
}

/*
 * A subject folded away and refused again makes a finding of its own,
 * counted from 1 under a new key; the subjects that can no longer fire
 * (refused under min_attempts, quiet ten minutes) go first, uncounted.
 */
static void test_store_subject_made_again_after_folding(void **state)
{
	struct run *r = *state;
	const struct finding *f;
	size_t most = 0;

	run_set(r, "engine", "max_subjects", 64);
	run_start(r);
	feed_refused(&r->w, "192.0.2.1", 999, "10.9.9.9", 443, 0);
	feed_refused_servers(r, 0, 200, MS(1000), MS(3000), &most);
	feed_refused(&r->w, "192.0.2.1", 998, "10.9.9.9", 443, MS(700000));
	run_end(r);
	assert_true(most <= 64);
	assert_int_equal(detectors_not_tracked(r->det), 0);
	f = expect_finding(r, FINDING_CONNECTION_REFUSED, "10.9.9.9:443");
	assert_num(f->value, 1);
	assert_int_equal(f->first_ts, EPOCH_NS + MS(700000) + US(100));
	assert_true(detectors_folded(r->det)[FINDING_CONNECTION_REFUSED].count > 0);
}

/*
 * Issue 15, with connection churn: 5,000 clients over 83 minutes, one a
 * second, each opening and closing n short connections to 10.0.0.1:80
 * (every hundredth 30, the others 12): each client's TIME_WAIT group
 * and its short_connection_churn group go once nothing is held and
 * their window has passed, with a store of 256 subjects; the 50
 * clients of 30 each fire time_wait_accumulation, all still counted.
 */
static void test_store_bounded_with_connection_churn(void **state)
{
	struct run *r = *state;
	const struct detect_folded *folded;
	size_t most = 0;
	uint64_t tw;

	run_set(r, "engine", "max_subjects", 256);
	run_start(r);
	for (int i = 0; i < 5000; i++) {
		int n = i % 100 == 0 ? 30 : 12;
		char cli[32];

		snprintf(cli, sizeof(cli), "172.16.%d.%d", i / 250, i % 250 + 1);
		for (int j = 0; j < n; j++) {
			int64_t t = MS(1000) * i + MS(10) * j;
			struct conn c;

			conn_init(&c, &r->w, cli, (uint16_t)(40000 + j),
				  "10.0.0.1", 80);
			conn_open(&c, t, US(100), US(100));
			conn_exchange(&c, t);
			conn_send(&c, CLI, t + MS(3), FIN | ACK, 0);
			conn_send(&c, SRV, t + MS(4), FIN | ACK, 0);
			conn_send(&c, CLI, t + MS(5), ACK, 0);
		}
		if (r->det->n_live > most)
			most = r->det->n_live;
	}
	run_end(r);
	assert_true(most <= 256);
	assert_true(r->det->n_groups <= 256);
	assert_int_equal(detectors_not_tracked(r->det), 0);
	folded = detectors_folded(r->det);
	tw = folded[FINDING_TIME_WAIT_ACCUMULATION].count;
	/* Forgetting the others made room enough: nothing had to fold. */
	assert_true(r->det->reclaimed >= 9000);
	assert_int_equal(tw + count_of(r, FINDING_TIME_WAIT_ACCUMULATION), 50);
	assert_int_equal(folded[FINDING_TIME_WAIT_ACCUMULATION]
			 .by_severity[SEVERITY_INFO], tw);
}

/*
 * A subject counted before it earns a group (rst_storm's and churn's
 * seen maps) still earns one after COUNT_MAP_MAX others were counted
 * once each: the full map starts afresh instead of counting no new one.
 */
static void test_group_earned_after_a_full_seen_map(void **state)
{
	struct run *r = *state;
	struct subject_key k;
	struct det_group *g = NULL;
	uint32_t n;

	run_start(r);
	/* Until full: a few of the 32-bit hashes collide. */
	for (uint32_t i = 0; r->det->rst_seen.live < COUNT_MAP_MAX; i++) {
		assert_true(i < COUNT_MAP_MAX + 100000);
		refused_key(&k, i);
		k.id = FINDING_RST_STORM;
		k.port2 = (uint16_t)(i >> 16);
		assert_null(group_earned(r->det, &r->det->rst_seen, &k, 10, 0, &n));
	}
	refused_key(&k, 7);
	k.id = FINDING_RST_STORM;
	k.port2 = 0xffff;
	for (int i = 0; i < 10 && g == NULL; i++)
		g = group_earned(r->det, &r->det->rst_seen, &k, 10, 0, &n);
	assert_non_null(g);
	assert_int_equal(n, 10);
	assert_int_equal(r->det->seen_restarts, 1);
}

/*
 * Shards merged (detectors_merge()): the findings each folded on its
 * own are counted once in the merged detectors, times spanning both.
 */
static void test_store_folded_counts_merge(void **state)
{
	struct run *r = *state;
	struct run other;
	const struct detect_folded *a, *b;
	struct detect_folded before_a, before_b;
	size_t most = 0;

	run_set(r, "engine", "max_subjects", 64);
	other = *r;
	run_start(r);
	feed_refused_servers(r, 0, 200, 0, MS(3000), &most);
	run_end(r);
	run_start(&other);
	feed_refused_servers(&other, 1000, 1200, MS(700000), MS(3000), &most);
	run_end(&other);
	a = detectors_folded(r->det);
	b = detectors_folded(other.det);
	before_a = a[FINDING_CONNECTION_REFUSED];
	before_b = b[FINDING_CONNECTION_REFUSED];
	assert_true(before_a.count > 0 && before_b.count > 0);
	assert_true(detectors_merge(r->det, other.det));
	assert_int_equal(a[FINDING_CONNECTION_REFUSED].count,
			 before_a.count + before_b.count);
	assert_int_equal(a[FINDING_CONNECTION_REFUSED].first_ts,
			 before_a.first_ts);
	assert_int_equal(a[FINDING_CONNECTION_REFUSED].last_ts,
			 before_b.last_ts);
	analyzer_free(other.a);
	detectors_free(other.det);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_reducers_merge),
		T(test_syn_flood_half_open_from_150_sources),
		T(test_findings_fire_while_the_capture_is_read),
		T(test_syn_flood_not_when_the_capture_cuts_handshakes),
		T(test_syn_flood_not_for_one_client_and_a_dead_backend),
		T(test_rst_to_a_syn_ack_is_handshake_aborted),
		T(test_rst_storm_counts_connections_not_segments),
		T(test_dead_peer_mid_bulk_is_not_a_black_hole),
		T(test_outage_survived_is_no_dead_peer),
		T(test_unanswered_fin_is_no_dead_peer),
		T(test_close_wait_not_while_the_server_still_sends),
		T(test_retransmit_share_is_in_bytes_under_tso),
		T(test_syn_flood_fires_on_time_after_the_flood_stops),
		T(test_syn_flood_facts_while_attempts_are_open),
		T(test_syn_flood_not_for_busy_listener_completing_handshakes),
		T(test_syn_flood_not_for_slow_handshakes_in_flight),
		T(test_syn_flood_min_half_open_from_config),
		T(test_syn_unanswered_after_three_retries),
		T(test_syn_unanswered_not_when_answered_after_two_retries),
		T(test_accept_queue_syns_dropped),
		T(test_accept_queue_final_acks_dropped),
		T(test_accept_queue_abort_on_overflow),
		T(test_accept_queue_not_for_a_dead_host),
		T(test_accept_queue_not_when_every_request_was_answered),
		T(test_accept_queue_min_refused),
		T(test_connection_refused_then_accepted_is_info),
		T(test_connection_refused_after_accepting_stays),
		T(test_connection_refused_not_also_abortive),
		T(test_port_scan_folds_the_refused_ports),
		T(test_port_scan_not_for_ten_refused_ports),
		T(test_port_scan_window_slides),
		T(test_rst_storm_from_120_refused_attempts),
		T(test_rst_storm_not_for_99_refused_attempts),
		T(test_close_wait_leak_on_the_server),
		T(test_close_wait_leak_not_when_server_closes_100ms_later),
		T(test_close_wait_slow_close_is_info),
		T(test_close_wait_many_at_once_is_a_warning),
		T(test_close_wait_leak_min_age_from_config),
		T(test_close_wait_leak_disabled),
		T(test_close_wait_leak_severity_override),
		T(test_flow_extension_back_after_close_wait),
		T(test_flow_extension_freed_at_flow_end),
		T(test_time_wait_on_server_closing_first_is_info),
		T(test_time_wait_warning_when_ports_run_short),
		T(test_time_wait_on_client_closing_first_is_info),
		T(test_time_wait_not_for_ten_connections),
		T(test_short_connection_churn_120_in_10s),
		T(test_short_connection_churn_not_for_50),
		T(test_retransmit_burst_dead_peer),
		T(test_retransmit_burst_mtu_black_hole),
		T(test_retransmit_burst_fast_after_sack),
		T(test_retransmit_burst_fast_after_three_dupacks),
		T(test_retransmit_burst_not_for_3_in_1000),
		T(test_retransmit_burst_not_for_9_in_150),
		T(test_retransmit_burst_not_below_one_percent),
		T(test_retransmit_burst_share_is_within_the_window),
		T(test_zero_window_stall_two_seconds),
		T(test_zero_window_stall_not_for_300ms),
		T(test_abortive_close_unknown_connection_is_half_open),
		T(test_abortive_close_write_after_close),
		T(test_abortive_close_with_unread_data),
		T(test_listener_reset_after_its_synack_is_no_half_open),
		T(test_unacceptable_rst_is_no_refusal),
		T(test_half_open_after_unanswered_keepalives),
		T(test_half_open_not_when_keepalives_answered),
		T(test_nagle_delayed_ack_on_a_fast_path),
		T(test_nagle_not_on_a_40ms_path_captured_midway),
		T(test_nagle_not_on_full_segments_with_timestamps),
		T(test_nagle_not_when_the_peer_spoke_in_between),
		T(test_nagle_not_on_a_40ms_path_captured_at_the_client),
		T(test_syn_unanswered_not_when_the_client_acks),
		T(test_syn_unanswered_names_the_icmp_answer),
		T(test_fragments_open_at_the_end_are_info),
		T(test_fragments_timed_out_are_a_warning),
		T(test_icmp_port_unreachable_for_udp),
		T(test_icmp_errors_about_one_subject_are_one_finding),
		T(test_icmp_error_copy_counts_once),
		T(test_checksum_errors_not_from_one_host_alone),
		T(test_checksum_errors_from_one_host_when_verifying),
		T(test_checksum_errors_offload_rewritten),
		T(test_checksum_errors_damage_is_no_offload),
		T(test_checksum_errors_zeroed_is_an_edit),
		T(test_checksum_errors_from_two_hosts_reports_both),
		T(test_ipv6_subject_is_bracketed),
		T(test_garbage_and_truncated_headers_do_not_crash),
		T(test_group_index_release_and_make_again),
		T(test_store_bounded_over_200k_refused_ports),
		T(test_store_subject_made_again_after_folding),
		T(test_store_bounded_with_connection_churn),
		T(test_group_earned_after_a_full_seen_map),
		T(test_store_folded_counts_merge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
