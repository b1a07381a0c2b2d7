/*
 * The connection pictures (reports/seq_graph*.c) from synthetic ladder
 * rows: merging never loses a mark, a million segments stay a few MB of
 * SVG, the busier direction, the state band's changes, SACK blocks made
 * relative as rel_ack is, same rows same bytes, and write errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mem_stream.h"
#include "seq_graph.h"
#include "tcp_annot.h"
#include "tcp_state.h"

#define MSS 1448u

/* Rows of a synthetic connection on a clock of its own. */
struct conn {
	struct seq_graph *g;
	uint64_t frame;
	int64_t now_ns;
	uint32_t seq[2];        /* next relative seq per side */
	uint8_t state[2];
};

static void conn_init(struct conn *c)
{
	memset(c, 0, sizeof(*c));
	c->g = seq_graph_new();
	assert_non_null(c->g);
	c->now_ns = 1000000000LL;
	c->state[0] = c->state[1] = TCP_STATE_ESTABLISHED;
}

/* A row from dir after step_ns: len bytes, flags, annotations. */
static struct ladder_row *row(struct conn *c, struct ladder_row *r, int dir,
			      uint32_t len, uint8_t flags, uint32_t annots,
			      int64_t step_ns)
{
	memset(r, 0, sizeof(*r));
	c->now_ns += step_ns;
	r->uid = 42;
	r->frame = ++c->frame;
	r->ts.sec = c->now_ns / 1000000000LL;
	r->ts.nsec = (uint32_t)(c->now_ns % 1000000000LL);
	r->dir = (uint8_t)dir;
	r->flags = flags;
	r->annots = annots;
	r->seg_len = len;
	r->rel_seq = c->seq[dir];
	r->rel_ack = c->seq[!dir];
	r->window = 65535;
	r->state[0] = c->state[0];
	r->state[1] = c->state[1];
	return r;
}

static void send_data(struct conn *c, int dir, uint32_t annots)
{
	struct ladder_row r;

	row(c, &r, dir, MSS, TCP_FLAG_ACK, annots, 10000);
	if (annots & (TCP_ANNOT_BIT(RETRANSMISSION) |
		      TCP_ANNOT_BIT(ZERO_WINDOW_PROBE)))
		r.rel_seq = c->seq[dir] >= MSS ? c->seq[dir] - MSS : 0;
	else
		c->seq[dir] += MSS;
	assert_true(seq_graph_add(c->g, &r));
}

static void send_ack(struct conn *c, int dir, uint64_t window,
		     uint32_t annots, uint32_t dup_ack_num)
{
	struct ladder_row r;

	row(c, &r, dir, 0, TCP_FLAG_ACK, annots, 10000);
	r.window = window;
	r.dup_ack_num = dup_ack_num;
	assert_true(seq_graph_add(c->g, &r));
}

/* The graph as a string (freed by the caller). */
static char *render(const struct seq_graph *g, enum seq_graph_kind kind,
		    int dir, size_t *len)
{
	struct mem_stream m = {0};
	struct seq_graph_style style = {.standalone = true};
	char *s;

	assert_true(mem_stream_open(&m, _IOFBF));
	assert_int_equal(seq_graph_write_svg(g, kind, dir, &style, m.f), 0);
	assert_true(mem_stream_close(&m));
	s = malloc(m.len + 1);
	assert_non_null(s);
	memcpy(s, m.buf, m.len);
	s[m.len] = '\0';
	*len = m.len;
	mem_stream_free(&m);
	return s;
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/*
 * 200,000 segments, one in a thousand resent, a zero-window stall with
 * probes and a third duplicate ACK: everything merges but those.
 */
static void test_merging_keeps_marks(void **state)
{
	struct conn c;
	size_t len;
	char *svg;

	(void)state;
	conn_init(&c);
	for (int i = 1; i <= 200000; i++) {
		send_data(&c, FLOW_ORIG,
			  i % 1000 == 0 ? TCP_ANNOT_BIT(RETRANSMISSION) : 0);
		if (i % 2 == 0)
			send_ack(&c, FLOW_RESP, 65535, 0, 0);
		if (i == 100500) {
			send_ack(&c, FLOW_RESP, 0, TCP_ANNOT_BIT(ZERO_WINDOW), 0);
			send_data(&c, FLOW_ORIG,
				  TCP_ANNOT_BIT(ZERO_WINDOW_PROBE));
			send_data(&c, FLOW_ORIG,
				  TCP_ANNOT_BIT(ZERO_WINDOW_PROBE));
			send_ack(&c, FLOW_RESP, 65535,
				 TCP_ANNOT_BIT(WINDOW_UPDATE), 0);
		}
		if (i == 150000)
			for (uint32_t d = 1; d <= 5; d++)
				send_ack(&c, FLOW_RESP, 65535,
					 TCP_ANNOT_BIT(DUPLICATE_ACK), d);
	}
	svg = render(c.g, SEQ_GRAPH_TSG, FLOW_ORIG, &len);
	assert_int_equal(count(svg, "class=\"mark retrans\""), 200);
	assert_int_equal(count(svg, "class=\"mark probe\""), 2);
	assert_int_equal(count(svg, "class=\"mark dup-ack-3\""), 1);
	assert_int_equal(count(svg, "class=\"mark zero-window\""), 1);
	assert_int_equal(count(svg, "data-reopened=\"1\""), 1);
	/* Merged: far fewer runs than segments. */
	assert_true(count(svg, "class=\"data-run\"") < 5000);
	free(svg);
	seq_graph_free(c.g);
}

/* A million in-order segments and their ACKs: a few MB at most. */
static void test_million_segments_bounded(void **state)
{
	static const enum seq_graph_kind kinds[] = {
		SEQ_GRAPH_TSG, SEQ_GRAPH_RTT, SEQ_GRAPH_THROUGHPUT,
	};
	struct conn c;

	(void)state;
	conn_init(&c);
	for (int i = 0; i < 1000000; i++) {
		struct ladder_row r;

		send_data(&c, FLOW_ORIG, 0);
		row(&c, &r, FLOW_RESP, 0, TCP_FLAG_ACK, 0, 5000);
		r.ack_rtt_ns = 200000 + (i % 97) * 1000;
		assert_true(seq_graph_add(c.g, &r));
	}
	for (size_t k = 0; k < 3; k++) {
		size_t len;
		char *svg = render(c.g, kinds[k], FLOW_ORIG, &len);

		assert_true(len > 2000);
		assert_true(len < 3 * 1024 * 1024);
		assert_non_null(strstr(svg, "</svg>"));
		free(svg);
	}
	seq_graph_free(c.g);
}

static void test_busier_dir(void **state)
{
	struct conn c;

	(void)state;
	conn_init(&c);
	assert_int_equal(seq_graph_busier_dir(c.g), FLOW_ORIG);
	send_data(&c, FLOW_ORIG, 0);
	send_data(&c, FLOW_RESP, 0);
	send_data(&c, FLOW_RESP, 0);
	assert_int_equal(seq_graph_busier_dir(c.g), FLOW_RESP);
	send_data(&c, FLOW_ORIG, 0);
	send_data(&c, FLOW_ORIG, 0);
	assert_int_equal(seq_graph_busier_dir(c.g), FLOW_ORIG);
	seq_graph_free(c.g);
}

/* Each endpoint's change once, at the time of the row that made it. */
static void test_state_band(void **state)
{
	struct conn c;
	size_t len;
	char *svg;

	(void)state;
	conn_init(&c);
	c.state[0] = TCP_STATE_SYN_SENT;
	c.state[1] = TCP_STATE_CLOSED;
	send_ack(&c, FLOW_ORIG, 65535, 0, 0);           /* frame n at */
	c.state[1] = TCP_STATE_SYN_RECV;
	send_ack(&c, FLOW_RESP, 65535, 0, 0);           /* (n - 1) * 10 us */
	c.state[0] = c.state[1] = TCP_STATE_ESTABLISHED;
	send_ack(&c, FLOW_ORIG, 65535, 0, 0);
	for (int i = 0; i < 50; i++)
		send_data(&c, FLOW_ORIG, 0);
	c.state[0] = TCP_STATE_FIN_WAIT1;
	send_ack(&c, FLOW_ORIG, 65535, 0, 0);
	c.state[1] = TCP_STATE_CLOSE_WAIT;
	send_ack(&c, FLOW_RESP, 65535, 0, 0);
	svg = render(c.g, SEQ_GRAPH_TSG, FLOW_ORIG, &len);
	assert_int_equal(count(svg, "class=\"state-change\""), 7);
	assert_non_null(strstr(svg, "data-side=\"orig\" data-t=\"0.000000\" "
				    "data-frame=\"1\" data-state=\"SYN_SENT\""));
	assert_non_null(strstr(svg, "data-side=\"resp\" data-t=\"0.000010\" "
				    "data-frame=\"2\" data-state=\"SYN_RECV\""));
	assert_non_null(strstr(svg, "data-side=\"orig\" data-t=\"0.000020\" "
				    "data-frame=\"3\" data-state=\"ESTABLISHED\""));
	assert_non_null(strstr(svg, "data-side=\"orig\" data-t=\"0.000530\" "
				    "data-frame=\"54\" data-state=\"FIN_WAIT1\""));
	assert_non_null(strstr(svg, "data-side=\"resp\" data-t=\"0.000540\" "
				    "data-frame=\"55\" data-state=\"CLOSE_WAIT\""));
	free(svg);
	seq_graph_free(c.g);
}

/* SACK edges shift by the peer's ISN, as the ACK number does. */
static void test_sack_relative(void **state)
{
	struct packet pkt;
	struct flow f;
	struct tcp_seg_info info;
	struct ladder_row r;

	(void)state;
	memset(&pkt, 0, sizeof(pkt));
	memset(&f, 0, sizeof(f));
	memset(&info, 0, sizeof(info));
	pkt.tcp.flags = TCP_FLAG_ACK;
	pkt.tcp.ack = 0xfffff000u + 3000;       /* wraps past zero */
	pkt.tcp.sack_count = 2;
	pkt.tcp.sack[0] = (struct tcp_sack_block){0xfffff000u + 5000,
						  0xfffff000u + 7000};
	pkt.tcp.sack[1] = (struct tcp_sack_block){0xfffff000u + 9000,
						  0xfffff000u + 9500};
	info.dir = FLOW_RESP;
	info.rel_ack = 3001;    /* base: the ISN + 1 is rel 1 */
	ladder_row_of_segment(&r, &pkt, &f, &info);
	assert_int_equal(r.sack_count, 2);
	assert_int_equal(r.rel_sack[0].left, 5001);
	assert_int_equal(r.rel_sack[0].right, 7001);
	assert_int_equal(r.rel_sack[1].left, 9001);
	assert_int_equal(r.rel_sack[1].right, 9501);
	pkt.tcp.flags = 0;      /* no ACK: no base, no blocks */
	ladder_row_of_segment(&r, &pkt, &f, &info);
	assert_int_equal(r.rel_sack[0].left, 0);
	assert_int_equal(r.rel_sack[0].right, 0);
}

/* The same rows give the same bytes; a full disk is an error. */
static void test_deterministic_and_errors(void **state)
{
	struct seq_graph_style style = {.standalone = false,
					.id_prefix = "f1-"};
	struct conn a, b;
	size_t la, lb;
	char *sa, *sb;
	FILE *full;

	(void)state;
	conn_init(&a);
	conn_init(&b);
	for (int i = 0; i < 5000; i++) {
		uint32_t an = i % 97 == 0 ? TCP_ANNOT_BIT(OUT_OF_ORDER) : 0;

		send_data(&a, FLOW_RESP, an);
		send_data(&b, FLOW_RESP, an);
	}
	sa = render(a.g, SEQ_GRAPH_TSG, FLOW_RESP, &la);
	sb = render(b.g, SEQ_GRAPH_TSG, FLOW_RESP, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(sa, sb, la);
	assert_int_equal(count(sa, "class=\"mark ooo\""), 52);
	assert_int_equal(strncmp(sa, "<?xml", 5), 0);
	free(sa);
	free(sb);
	full = fopen("/dev/full", "w");
	if (full != NULL) {
		assert_int_equal(seq_graph_write_svg(a.g, SEQ_GRAPH_TSG,
						     FLOW_RESP, &style, full),
				 -1);
		fclose(full);
	}
	seq_graph_free(a.g);
	seq_graph_free(b.g);
}

/* Inline: no XML declaration, ids under the prefix given. */
static void test_inline_style(void **state)
{
	struct seq_graph_style style = {.standalone = false,
					.id_prefix = "C1abc-"};
	struct mem_stream m = {0};
	struct conn c;
	char *svg;

	(void)state;
	conn_init(&c);
	send_data(&c, FLOW_ORIG, 0);
	assert_true(mem_stream_open(&m, _IOFBF));
	assert_int_equal(seq_graph_write_svg(c.g, SEQ_GRAPH_TSG, FLOW_ORIG,
					     &style, m.f), 0);
	assert_true(mem_stream_close(&m));
	svg = malloc(m.len + 1);
	assert_non_null(svg);
	memcpy(svg, m.buf, m.len);
	svg[m.len] = '\0';
	assert_int_equal(strncmp(svg, "<svg ", 5), 0);
	assert_non_null(strstr(svg, "id=\"C1abc-plot\""));
	assert_non_null(strstr(svg, "url(#C1abc-plot)"));
	assert_null(strstr(svg, "id=\"sg-"));
	free(svg);
	mem_stream_free(&m);
	seq_graph_free(c.g);
}

/*
 * An RST far outside the window (a wild sequence number) is drawn on
 * the plot's edge, not hundreds of millions of pixels off it: every
 * mark's coordinates stay within the picture.
 */
static void test_wild_mark_on_the_edge(void **state)
{
	struct conn c;
	struct ladder_row r;
	char *svg, *p, *end;
	size_t len;

	(void)state;
	conn_init(&c);
	for (int i = 0; i < 10; i++) {
		send_data(&c, FLOW_ORIG, 0);
		send_ack(&c, FLOW_RESP, 65535, 0, 0);
	}
	row(&c, &r, FLOW_ORIG, 0, TCP_FLAG_RST | TCP_FLAG_ACK,
	    TCP_ANNOT_BIT(RST_OUT_OF_WINDOW), 10000);
	r.rel_seq = 536871592u;
	assert_true(seq_graph_add(c.g, &r));
	svg = render(c.g, SEQ_GRAPH_TSG, FLOW_ORIG, &len);
	p = strstr(svg, "class=\"mark rst\"");
	assert_non_null(p);
	end = strstr(p, "</g>");
	assert_non_null(end);
	*end = '\0';
	assert_non_null(strstr(p, "rst_out_of_window"));
	assert_null(strstr(p, " -"));
	assert_null(strstr(p, "y=\"-"));
	free(svg);
	seq_graph_free(c.g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merging_keeps_marks),
		cmocka_unit_test(test_million_segments_bounded),
		cmocka_unit_test(test_busier_dir),
		cmocka_unit_test(test_state_band),
		cmocka_unit_test(test_sack_relative),
		cmocka_unit_test(test_deterministic_and_errors),
		cmocka_unit_test(test_inline_style),
		cmocka_unit_test(test_wild_mark_on_the_edge),
	};
	return cmocka_run_group_tests_name("seq_graph", tests, NULL, NULL);
}
