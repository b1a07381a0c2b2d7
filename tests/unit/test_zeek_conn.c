#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "zeek_conn.h"

/* Where the tests unpack histories (the tests run one at a time). */
static char hbuf[ZEEK_HISTORY_MAX + 1];

/*
 * Expected histories and states are derived from Zeek's source
 * (TCPSessionAdapter::Process() and its helpers, conn/main.zeek's
 * conn_state()); the comments name the rule each case exercises.
 */

enum {
	FIN = ZEEK_TH_FIN, SYN = ZEEK_TH_SYN, RST = ZEEK_TH_RST,
	PSH = ZEEK_TH_PSH, ACK = ZEEK_TH_ACK
};

static const bool ORIG = true, RESP = false;

/* A conversation: each side's next sequence number and payload bytes. */
struct sim {
	struct zeek_conn zc;
	uint32_t nxt[2];        /* [0] caller's originator, [1] responder */
	uint64_t bytes[2];
};

struct seg_opts {
	uint32_t window;
	bool bad_checksum;
	uint8_t peer_gaps;
};

static void sim_init(struct sim *s)
{
	memset(s, 0, sizeof(*s));
	zeek_conn_init(&s->zc);
	s->nxt[0] = 1000;
	s->nxt[1] = 500000;
}

static int side(bool from_orig)
{
	return from_orig ? 0 : 1;
}

/* One segment at an explicit sequence number. */
static void put_x(struct sim *s, bool o, uint8_t fl, uint32_t seq,
		  uint32_t len, const struct seg_opts *x)
{
	struct zeek_segment z;

	memset(&z, 0, sizeof(z));
	z.from_orig = o;
	z.flags = fl;
	z.seq = seq;
	z.ack = (fl & ACK) ? s->nxt[side(!o)] : 0;
	z.payload_len = len;
	z.window = x != NULL ? x->window : 65535;
	if (x != NULL) {
		z.bad_checksum = x->bad_checksum;
		z.peer_gaps = x->peer_gaps;
	}
	zeek_tcp_on_segment(&s->zc, &z);
}

static void put(struct sim *s, bool o, uint8_t fl, uint32_t seq, uint32_t len)
{
	put_x(s, o, fl, seq, len, NULL);
}

/* The next segment in sequence from one side. */
static void tx_x(struct sim *s, bool o, uint8_t fl, uint32_t len,
		 const struct seg_opts *x)
{
	int d = side(o);

	put_x(s, o, fl, s->nxt[d], len, x);
	if (fl & RST)
		return;
	s->nxt[d] += len + ((fl & SYN) ? 1 : 0) + ((fl & FIN) ? 1 : 0);
	s->bytes[d] += len;
}

static void tx(struct sim *s, bool o, uint8_t fl, uint32_t len)
{
	tx_x(s, o, fl, len, NULL);
}

static void handshake(struct sim *s)
{
	tx(s, ORIG, SYN, 0);
	tx(s, RESP, SYN | ACK, 0);
	tx(s, ORIG, ACK, 0);
}

static void expect(const struct sim *s, const char *history,
		   const char *conn_state, enum zeek_tcp_state os,
		   enum zeek_tcp_state rs)
{
	assert_string_equal(zeek_conn_history(&s->zc, hbuf), history);
	assert_string_equal(zeek_tcp_conn_state(&s->zc, s->bytes[0],
						s->bytes[1]), conn_state);
	assert_string_equal(zeek_tcp_state_name(s->zc.state[0]),
			    zeek_tcp_state_name(os));
	assert_string_equal(zeek_tcp_state_name(s->zc.state[1]),
			    zeek_tcp_state_name(rs));
}

static int count_char(const char *h, char c)
{
	int n = 0;

	for (; *h != '\0'; h++)
		n += *h == c;
	return n;
}

/* ------------------------------------------------------------ conn_state */

/*
 * SYN, SYN-ACK, ACK, data, data, FIN, FIN-ACK, ACK.  The server's data
 * carries payload, so it is 'd', not 'a': no 'a' at all.  The last ACK
 * repeats 'A' (once per side).  Both sides CLOSED: SF.
 */
static void test_sf_eight_packets(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	handshake(&s);
	tx(&s, ORIG, PSH | ACK, 100);
	tx(&s, RESP, PSH | ACK, 200);
	tx(&s, ORIG, FIN | ACK, 0);
	tx(&s, RESP, FIN | ACK, 0);
	tx(&s, ORIG, ACK, 0);
	expect(&s, "ShADdFf", "SF", ZEEK_TCP_CLOSED, ZEEK_TCP_CLOSED);
	assert_false(zeek_conn_roles_swapped(&s.zc));
}

/* A typical HTTP exchange: the server ACKs the request first ('a'). */
static void test_sf_http(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	handshake(&s);
	tx(&s, ORIG, PSH | ACK, 120);
	tx(&s, RESP, ACK, 0);
	tx(&s, RESP, PSH | ACK, 1400);
	tx(&s, ORIG, ACK, 0);
	tx(&s, RESP, FIN | ACK, 0);
	tx(&s, ORIG, FIN | ACK, 0);
	tx(&s, RESP, ACK, 0);
	expect(&s, "ShADadfF", "SF", ZEEK_TCP_CLOSED, ZEEK_TCP_CLOSED);
}

/* A retransmitted SYN at the same seq adds no second 'S'. */
static void test_s0(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	tx(&s, ORIG, SYN, 0);
	put(&s, ORIG, SYN, 1000, 0);
	put(&s, ORIG, SYN, 1000, 0);
	expect(&s, "S", "S0", ZEEK_TCP_SYN_SENT, ZEEK_TCP_INACTIVE);
}

/* SYN answered by RST-ACK from a closed port (seq 0): REJ. */
static void test_rej(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	tx(&s, ORIG, SYN, 0);
	put(&s, RESP, RST | ACK, 0, 0);
	expect(&s, "Sr", "REJ", ZEEK_TCP_SYN_SENT, ZEEK_TCP_RESET);
}

static void test_s1(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	handshake(&s);
	tx(&s, ORIG, PSH | ACK, 10);
	expect(&s, "ShAD", "S1", ZEEK_TCP_ESTABLISHED, ZEEK_TCP_ESTABLISHED);
}

static void test_s2_s3(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	handshake(&s);
	tx(&s, ORIG, FIN | ACK, 0);
	expect(&s, "ShAF", "S2", ZEEK_TCP_CLOSED, ZEEK_TCP_ESTABLISHED);

	sim_init(&s);
	handshake(&s);
	tx(&s, RESP, FIN | ACK, 0);
	expect(&s, "ShAf", "S3", ZEEK_TCP_ESTABLISHED, ZEEK_TCP_CLOSED);
}

static void test_rsto_rstr(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	handshake(&s);
	tx(&s, ORIG, PSH | ACK, 10);
	tx(&s, ORIG, RST | ACK, 0);
	expect(&s, "ShADR", "RSTO", ZEEK_TCP_RESET, ZEEK_TCP_ESTABLISHED);

	sim_init(&s);
	handshake(&s);
	tx(&s, ORIG, PSH | ACK, 10);
	tx(&s, RESP, RST, 0);
	expect(&s, "ShADr", "RSTR", ZEEK_TCP_ESTABLISHED, ZEEK_TCP_RESET);
}

/*
 * RSTOS0: the originator resets, the responder is inactive, and the
 * history matches ^?S[^HAFGIQ]*R.* -- lower case letters do not stop it,
 * an upper case 'A' does (then OTH).
 */
static void test_rstos0(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	tx(&s, ORIG, SYN, 0);
	tx(&s, ORIG, RST, 0);
	expect(&s, "SR", "RSTOS0", ZEEK_TCP_RESET, ZEEK_TCP_INACTIVE);

	/* The responder ACKs the SYN without answering: stays INACTIVE. */
	sim_init(&s);
	tx(&s, ORIG, SYN, 0);
	tx(&s, RESP, ACK, 0);
	tx(&s, ORIG, RST, 0);
	expect(&s, "SaR", "RSTOS0", ZEEK_TCP_RESET, ZEEK_TCP_INACTIVE);

	sim_init(&s);
	tx(&s, ORIG, SYN, 0);
	tx(&s, ORIG, ACK, 0);
	tx(&s, ORIG, RST, 0);
	expect(&s, "SAR", "OTH", ZEEK_TCP_RESET, ZEEK_TCP_INACTIVE);
}

/*
 * SYN-ACK seen first from a server: the caller flips before feeding it,
 * as Zeek's NewConn() does; the SYN-ACK makes the responder ESTABLISHED
 * (UpdateInactiveState(), "unsolicited_SYN_response").
 */
static void test_rstrh_shr(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	zeek_conn_flip(&s.zc);
	tx(&s, RESP, SYN | ACK, 0);
	tx(&s, RESP, RST, 0);
	expect(&s, "^hr", "RSTRH", ZEEK_TCP_INACTIVE, ZEEK_TCP_RESET);

	sim_init(&s);
	zeek_conn_flip(&s.zc);
	tx(&s, RESP, SYN | ACK, 0);
	tx(&s, RESP, FIN | ACK, 0);
	expect(&s, "^hf", "SHR", ZEEK_TCP_INACTIVE, ZEEK_TCP_CLOSED);
}

static void test_sh(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	tx(&s, ORIG, SYN, 0);
	tx(&s, ORIG, FIN, 0);
	expect(&s, "SF", "SH", ZEEK_TCP_CLOSED, ZEEK_TCP_INACTIVE);
}

/* No SYN on either side: both PARTIAL, OTH. */
static void test_oth_midstream(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	tx(&s, ORIG, PSH | ACK, 100);
	tx(&s, RESP, PSH | ACK, 50);
	tx(&s, ORIG, ACK, 0);
	expect(&s, "DdA", "OTH", ZEEK_TCP_PARTIAL, ZEEK_TCP_PARTIAL);

	/*
	 * Then the originator resets (twice, same seq: one 'R'): a PARTIAL
	 * responder counts as inactive, and without 'S' it is not RSTOS0.
	 */
	tx(&s, ORIG, RST, 0);
	tx(&s, ORIG, RST, 0);
	expect(&s, "DdAR", "OTH", ZEEK_TCP_RESET, ZEEK_TCP_PARTIAL);
}

/* Both sides reset: REJ when neither sent payload, else RSTR. */
static void test_both_reset(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	tx(&s, ORIG, RST, 0);
	tx(&s, RESP, RST, 0);
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "Rr");
	assert_string_equal(zeek_tcp_conn_state(&s.zc, 0, 0), "REJ");
	assert_string_equal(zeek_tcp_conn_state(&s.zc, 10, 0), "RSTR");
	/* Alone, an originator RST midstream: OTH. */
	sim_init(&s);
	tx(&s, ORIG, RST, 0);
	expect(&s, "R", "OTH", ZEEK_TCP_RESET, ZEEK_TCP_INACTIVE);
}

/* ---------------------------------------------------------- state machine */

/* A pure ACK after the responder's SYN-ACK establishes (missed SYN). */
static void test_missed_syn_establishes(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	zeek_conn_flip(&s.zc);
	tx(&s, RESP, SYN | ACK, 0);
	tx(&s, ORIG, ACK, 0);
	expect(&s, "^hA", "S1", ZEEK_TCP_ESTABLISHED, ZEEK_TCP_ESTABLISHED);
}

/*
 * SYN-ACK from the caller's originator, then the SYN from the other
 * side: Zeek flips the roles itself (SYN/SYN-ACK reversal) and both
 * sides are ESTABLISHED.  Letters already there keep their case; later
 * packets follow the new roles.
 */
static void test_syn_synack_reversal(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	tx(&s, ORIG, SYN | ACK, 0);
	assert_int_equal(s.zc.state[0], ZEEK_TCP_SYN_ACK_SENT);
	tx(&s, RESP, SYN, 0);
	assert_true(zeek_conn_roles_swapped(&s.zc));
	tx(&s, ORIG, ACK, 0);          /* now Zeek's responder: 'a' */
	tx(&s, RESP, PSH | ACK, 30);   /* Zeek's originator: 'D' */
	expect(&s, "Hs^aD", "S1", ZEEK_TCP_ESTABLISHED, ZEEK_TCP_ESTABLISHED);
	/* Zeek's originator (caller's responder) closes: S2. */
	tx(&s, RESP, FIN | ACK, 0);
	assert_int_equal(s.zc.state[0], ZEEK_TCP_CLOSED);
	assert_string_equal(zeek_tcp_conn_state(&s.zc, 0, 30), "S2");
}

/*
 * A flip after packets (Connection::FlipRoles()) only appends '^': the
 * side that sent 'D' is now the responder, and its next data adds 'd'
 * because Zeek's seen-bits are not swapped either.
 */
static void test_flip_after_packets(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	tx(&s, ORIG, PSH | ACK, 10);
	zeek_conn_flip(&s.zc);
	assert_int_equal(s.zc.state[0], ZEEK_TCP_INACTIVE);
	assert_int_equal(s.zc.state[1], ZEEK_TCP_PARTIAL);
	put(&s, RESP, PSH | ACK, 1010, 10);
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "D^d");
	assert_false(zeek_conn_roles_swapped(&s.zc));
}

/* The responder ACKs a SYN before answering it: stays INACTIVE. */
static void test_eccentric_ack(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	tx(&s, ORIG, SYN, 0);
	tx(&s, RESP, ACK, 0);
	expect(&s, "Sa", "S0", ZEEK_TCP_SYN_SENT, ZEEK_TCP_INACTIVE);
}

/* A SYN (no ACK) after a one-sided partial start: back to SYN_SENT. */
static void test_syn_after_partial(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	tx(&s, ORIG, PSH | ACK, 10);
	tx(&s, ORIG, SYN, 0);
	expect(&s, "DS", "S0", ZEEK_TCP_SYN_SENT, ZEEK_TCP_INACTIVE);
}

/*
 * FIN, RST, then the peer's FIN: UpdateEstablishedState() turns the
 * first side's RESET (after CLOSED) back into CLOSED: SF.
 */
static void test_fin_rst_then_peer_fin(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	handshake(&s);
	tx(&s, ORIG, FIN | ACK, 0);
	tx(&s, ORIG, RST, 0);
	assert_int_equal(s.zc.state[0], ZEEK_TCP_RESET);
	tx(&s, RESP, FIN | ACK, 0);
	expect(&s, "ShAFRf", "SF", ZEEK_TCP_CLOSED, ZEEK_TCP_CLOSED);
}

/* A RST after a complete FIN exchange leaves both CLOSED. */
static void test_rst_after_both_fins(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	handshake(&s);
	tx(&s, ORIG, FIN | ACK, 0);
	tx(&s, RESP, FIN | ACK, 0);
	tx(&s, ORIG, RST, 0);
	expect(&s, "ShAFfR", "SF", ZEEK_TCP_CLOSED, ZEEK_TCP_CLOSED);
}

/* ---------------------------------------------------------------- letters */

/* SYN+FIN is 'Q', FIN+RST 'I', each once per side. */
static void test_multi_flag(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	put(&s, ORIG, SYN | FIN, 1000, 0);
	put(&s, ORIG, SYN | FIN, 1000, 0);
	expect(&s, "Q", "SH", ZEEK_TCP_CLOSED, ZEEK_TCP_INACTIVE);
	put(&s, RESP, FIN | RST | ACK, 7, 0);
	put(&s, RESP, FIN | RST | ACK, 9, 0);
	expect(&s, "Qi", "RSTR", ZEEK_TCP_CLOSED, ZEEK_TCP_RESET);
	/* SYN+RST is 'Q' too; the responder has none yet. */
	put(&s, RESP, SYN | RST, 9, 0);
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "Qiq");
}

/* R and F repeat only at a different sequence number. */
static void test_repeated_rst_fin(void **state)
{
	struct sim s;
	uint32_t x;

	(void)state;
	sim_init(&s);
	handshake(&s);
	x = s.nxt[0];
	put(&s, ORIG, RST | ACK, x, 0);
	put(&s, ORIG, RST, x, 0);
	put(&s, ORIG, RST, x + 1, 0);
	expect(&s, "ShARR", "RSTO", ZEEK_TCP_RESET, ZEEK_TCP_ESTABLISHED);

	sim_init(&s);
	handshake(&s);
	x = s.nxt[0];
	put(&s, ORIG, FIN | ACK, x, 0);
	put(&s, ORIG, FIN | ACK, x, 0);      /* retransmitted: same end */
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "ShAF");
	put(&s, ORIG, FIN | ACK, x + 5, 0);  /* ends elsewhere */
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "ShAFF");
}

/*
 * A SYN after close repeats 'S' at a new seq (Zeek's IsReuse() would
 * normally start a new connection there), not at the old one.
 */
static void test_syn_after_close(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	handshake(&s);
	tx(&s, ORIG, FIN | ACK, 0);
	tx(&s, RESP, FIN | ACK, 0);
	put(&s, ORIG, SYN, 1000, 0);
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "ShAFf");
	put(&s, ORIG, SYN, 777777, 0);
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "ShAFfS");
}

/* Retransmitted payload: 'T' at the 1st, 10th, 100th, 1000th, 10000th. */
static void test_retransmissions_scaled(void **state)
{
	struct sim s;
	uint32_t x;

	(void)state;
	sim_init(&s);
	handshake(&s);
	x = s.nxt[0];
	tx(&s, ORIG, PSH | ACK, 100);
	put(&s, ORIG, PSH | ACK, x, 100);
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "ShADT");
	for (int i = 2; i <= 9; i++)
		put(&s, ORIG, PSH | ACK, x, 100);
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "ShADT");
	put(&s, ORIG, PSH | ACK, x, 100);    /* the 10th */
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "ShADTT");
	for (int i = 11; i <= 100; i++)
		put(&s, ORIG, PSH | ACK, x, 100);
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "ShADTTT");
	for (int i = 101; i <= 10000; i++)
		put(&s, ORIG, PSH | ACK, x, 100);
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "ShADTTTTT");
	/* The responder's count is its own, in lower case. */
	tx(&s, RESP, PSH | ACK, 10);
	put(&s, RESP, PSH | ACK, s.nxt[1] - 10, 10);
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "ShADTTTTTdt");
}

/*
 * Zeek's 't' is "payload not beyond the highest seq sent": a keep-alive
 * (one old byte) and a segment overtaken by the next one count too; a
 * zero-length keep-alive does not.
 */
static void test_keepalive_and_reordering_are_t(void **state)
{
	struct sim s;
	uint32_t x;

	(void)state;
	sim_init(&s);
	handshake(&s);
	tx(&s, ORIG, PSH | ACK, 100);
	x = s.nxt[0];
	put(&s, ORIG, ACK, x - 1, 0);
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "ShAD");
	put(&s, ORIG, ACK, x - 1, 1);
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "ShADT");

	sim_init(&s);
	handshake(&s);
	x = s.nxt[0];
	put(&s, ORIG, PSH | ACK, x + 100, 100);
	put(&s, ORIG, PSH | ACK, x, 100);
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "ShADT");
}

/*
 * update_last_seq() runs before the state machine and a RST's payload is
 * not sequence space: a RST carrying payload at the current seq is a
 * "retransmission".  After the RST, data still gives 'd' but never 't'.
 */
static void test_rst_with_payload(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s);
	handshake(&s);
	tx(&s, RESP, RST | ACK, 20);
	tx(&s, RESP, PSH | ACK, 20);
	put(&s, RESP, PSH | ACK, s.nxt[1], 20);
	expect(&s, "ShArtd", "RSTR", ZEEK_TCP_ESTABLISHED, ZEEK_TCP_RESET);
}

/*
 * Zero windows: 'w' at the 1st and 10th; not with a RST, and not once
 * the peer has sent its FIN.
 */
static void test_zero_window(void **state)
{
	const struct seg_opts zero = { .window = 0 };
	struct sim s;

	(void)state;
	sim_init(&s);
	handshake(&s);
	for (int i = 0; i < 10; i++)
		tx_x(&s, RESP, ACK, 0, &zero);
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "ShAaww");
	tx_x(&s, ORIG, RST | ACK, 0, &zero);
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "ShAawwR");

	sim_init(&s);
	handshake(&s);
	tx(&s, ORIG, FIN | ACK, 0);
	for (int i = 0; i < 100; i++)
		tx_x(&s, RESP, ACK, 0, &zero);
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "ShAFa");
}

/*
 * Gaps count only while both sides are established (or closed after
 * being established): not in a partial connection.  An ACK's gaps put
 * the letter on the peer, as the reassembler does, once per gap: at the
 * 1st, 10th, 100th ... of a side, whether one ACK passed them or many.
 */
static void test_gaps(void **state)
{
	const struct seg_opts one = { .window = 65535, .peer_gaps = 1 };
	const struct seg_opts two = { .window = 65535, .peer_gaps = 2 };
	const struct seg_opts seven = { .window = 65535, .peer_gaps = 7 };
	struct sim s;

	(void)state;
	sim_init(&s);
	handshake(&s);
	tx(&s, ORIG, PSH | ACK, 100);
	tx_x(&s, RESP, ACK, 0, &one);
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "ShADaG");
	tx(&s, ORIG, FIN | ACK, 0);
	tx(&s, RESP, PSH | ACK, 10);
	tx_x(&s, ORIG, ACK, 0, &one);
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "ShADaGFdg");
	/* The 2nd to 9th gap of the originator add nothing, the 10th a G. */
	tx_x(&s, RESP, ACK, 0, &seven);
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "ShADaGFdg");
	tx_x(&s, RESP, ACK, 0, &two);
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "ShADaGFdgG");

	sim_init(&s);
	tx(&s, ORIG, PSH | ACK, 100);
	tx_x(&s, RESP, ACK, 0, &one);
	assert_string_equal(zeek_conn_history(&s.zc, hbuf), "Da");
}

/* A bad checksum: 'C', and the packet is otherwise ignored. */
static void test_bad_checksum(void **state)
{
	const struct seg_opts bad = { .window = 65535, .bad_checksum = true };
	struct sim s;

	(void)state;
	sim_init(&s);
	put_x(&s, ORIG, SYN, 1000, 0, &bad);
	expect(&s, "C", "OTH", ZEEK_TCP_INACTIVE, ZEEK_TCP_INACTIVE);
	tx(&s, ORIG, SYN, 0);
	put_x(&s, RESP, SYN | ACK, 500000, 0, &bad);
	expect(&s, "CSc", "S0", ZEEK_TCP_SYN_SENT, ZEEK_TCP_INACTIVE);
}

/* The history stops at ZEEK_HISTORY_MAX letters and says so. */
static void test_truncation(void **state)
{
	struct sim s;
	uint32_t x;

	(void)state;
	sim_init(&s);
	handshake(&s);
	x = s.nxt[0];
	/* The handshake wrote three letters ("ShA"). */
	for (uint32_t i = 0; i < ZEEK_HISTORY_MAX - 3; i++)
		put(&s, ORIG, RST, x + i, 0);
	assert_int_equal(strlen(zeek_conn_history(&s.zc, hbuf)), ZEEK_HISTORY_MAX);
	assert_int_equal(count_char(zeek_conn_history(&s.zc, hbuf), 'R'),
			 ZEEK_HISTORY_MAX - 3);
	assert_false(zeek_conn_history_truncated(&s.zc));
	put(&s, ORIG, RST, x + 100, 0);
	assert_int_equal(strlen(zeek_conn_history(&s.zc, hbuf)), ZEEK_HISTORY_MAX);
	assert_true(zeek_conn_history_truncated(&s.zc));
}

/* -------------------------------------------------------------- UDP, ICMP */

static void test_udp(void **state)
{
	struct zeek_conn zc;

	(void)state;
	zeek_conn_init(&zc);
	assert_string_equal(zeek_udp_conn_state(&zc), "OTH");
	assert_string_equal(zeek_conn_history(&zc, hbuf), "");
	zeek_udp_on_packet(&zc, true, 0);      /* empty datagrams count */
	zeek_udp_on_packet(&zc, true, 40);
	assert_string_equal(zeek_udp_conn_state(&zc), "S0");
	zeek_udp_on_packet(&zc, false, 80);
	assert_string_equal(zeek_udp_conn_state(&zc), "SF");
	assert_string_equal(zeek_conn_history(&zc, hbuf), "Dd");

	/* A reply seen alone, flipped first as Zeek's NewConn() does. */
	zeek_conn_init(&zc);
	zeek_conn_flip(&zc);
	zeek_udp_on_packet(&zc, false, 80);
	assert_string_equal(zeek_conn_history(&zc, hbuf), "^d");
	assert_string_equal(zeek_udp_conn_state(&zc), "SHR");

	/* Bad checksums: 'C' at 1 and 10, the side stays inactive. */
	zeek_conn_init(&zc);
	for (int i = 0; i < 10; i++)
		zeek_udp_on_bad_checksum(&zc, true);
	assert_string_equal(zeek_conn_history(&zc, hbuf), "CC");
	assert_string_equal(zeek_udp_conn_state(&zc), "OTH");
}

static void test_icmp(void **state)
{
	struct zeek_conn zc;

	(void)state;
	zeek_conn_init(&zc);
	zeek_icmp_on_packet(&zc, true);
	zeek_icmp_on_packet(&zc, false);
	assert_string_equal(zeek_conn_history(&zc, hbuf), "");
	assert_string_equal(zeek_udp_conn_state(&zc), "OTH");
}

/* ------------------------------------------------------------------ misc */

static void test_names_and_size(void **state)
{
	(void)state;
	assert_string_equal(zeek_tcp_state_name(ZEEK_TCP_INACTIVE), "INACTIVE");
	assert_string_equal(zeek_tcp_state_name(ZEEK_TCP_SYN_SENT), "SYN_SENT");
	assert_string_equal(zeek_tcp_state_name(ZEEK_TCP_SYN_ACK_SENT),
			    "SYN_ACK_SENT");
	assert_string_equal(zeek_tcp_state_name(ZEEK_TCP_PARTIAL), "PARTIAL");
	assert_string_equal(zeek_tcp_state_name(ZEEK_TCP_ESTABLISHED),
			    "ESTABLISHED");
	assert_string_equal(zeek_tcp_state_name(ZEEK_TCP_CLOSED), "CLOSED");
	assert_string_equal(zeek_tcp_state_name(ZEEK_TCP_RESET), "RESET");
	assert_string_equal(zeek_tcp_state_name((enum zeek_tcp_state)7), "?");
	assert_true(sizeof(struct zeek_conn) <= 52);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sf_eight_packets),
		cmocka_unit_test(test_sf_http),
		cmocka_unit_test(test_s0),
		cmocka_unit_test(test_rej),
		cmocka_unit_test(test_s1),
		cmocka_unit_test(test_s2_s3),
		cmocka_unit_test(test_rsto_rstr),
		cmocka_unit_test(test_rstos0),
		cmocka_unit_test(test_rstrh_shr),
		cmocka_unit_test(test_sh),
		cmocka_unit_test(test_oth_midstream),
		cmocka_unit_test(test_both_reset),
		cmocka_unit_test(test_missed_syn_establishes),
		cmocka_unit_test(test_syn_synack_reversal),
		cmocka_unit_test(test_flip_after_packets),
		cmocka_unit_test(test_eccentric_ack),
		cmocka_unit_test(test_syn_after_partial),
		cmocka_unit_test(test_fin_rst_then_peer_fin),
		cmocka_unit_test(test_rst_after_both_fins),
		cmocka_unit_test(test_multi_flag),
		cmocka_unit_test(test_repeated_rst_fin),
		cmocka_unit_test(test_syn_after_close),
		cmocka_unit_test(test_retransmissions_scaled),
		cmocka_unit_test(test_keepalive_and_reordering_are_t),
		cmocka_unit_test(test_rst_with_payload),
		cmocka_unit_test(test_zero_window),
		cmocka_unit_test(test_gaps),
		cmocka_unit_test(test_bad_checksum),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_icmp),
		cmocka_unit_test(test_names_and_size),
	};
	return cmocka_run_group_tests_name("zeek_conn", tests, NULL, NULL);
}
