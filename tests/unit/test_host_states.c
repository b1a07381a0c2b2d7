/*
 * The socket-table rule (host_states.c), driven through the real engine:
 * segments are built as bytes, fed to an analyzer whose sink hands them
 * to host_states_on_segment(), and the table is taken as `states` and
 * `report` take it.  Where a case has a kernel truth it is given: what
 * `ss -tan` showed in the lab's namespaces (Linux 6.18) after the same
 * exchange.
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
#include "host_states.h"
#include "unit_packets.h"

#define SYN TCP_FLAG_SYN
#define ACK TCP_FLAG_ACK
#define FIN TCP_FLAG_FIN
#define RST TCP_FLAG_RST

#define CLI "192.0.2.10"
#define SRV "198.51.100.20"
#define CLI6 "2001:db8::10"
#define SRV6 "2001:db8::20"
#define CISN 0x10000000u
#define SISN 0x5e000000u

struct run {
	struct analyzer *a;
	struct host_states *hs;
	struct unit_wire w;
};

static void on_segment(void *ctx, const struct packet *pkt,
		       const struct flow *f, const struct tcp_seg_info *info,
		       struct flow_sink_area area)
{
	struct run *r = ctx;

	(void)area;
	host_states_on_segment(r->hs, pkt, f, info);
}

static int run_setup(void **state)
{
	struct run *r = calloc(1, sizeof(*r));
	struct analyzer_config cfg;
	struct analyzer_sink sink = {0};

	if (r == NULL)
		return -1;
	analyzer_config_defaults(&cfg);
	sink.ctx = r;
	sink.on_tcp_segment = on_segment;
	r->hs = host_states_new();
	r->a = analyzer_new(&cfg, &sink);
	if (r->hs == NULL || r->a == NULL)
		return -1;
	r->w = unit_wire_into(r->a);
	*state = r;
	return 0;
}

static int run_teardown(void **state)
{
	struct run *r = *state;

	analyzer_free(r->a);
	host_states_free(r->hs);
	free(r);
	return 0;
}

static void seg(struct run *r, int64_t t, const char *src, uint16_t sport,
		const char *dst, uint16_t dport, uint8_t flags, uint32_t seq,
		uint32_t ack)
{
	unit_feed_tcp(&r->w, t, src, sport, dst, dport, flags, seq, ack,
		      65160, 0);
}

/* Client port cport to server port sport: SYN, SYN-ACK, ACK from t. */
static void handshake(struct run *r, int64_t t, const char *cli,
		      uint16_t cport, const char *srv, uint16_t sport)
{
	seg(r, t, cli, cport, srv, sport, SYN, CISN, 0);
	seg(r, t + MS(20), srv, sport, cli, cport, SYN | ACK, SISN, CISN + 1);
	seg(r, t + MS(21), cli, cport, srv, sport, ACK, CISN + 1, SISN + 1);
}

static void addr_of(const char *text, uint8_t *family, uint8_t bytes[16])
{
	memset(bytes, 0, 16);
	*family = strchr(text, ':') != NULL ? 6 : 4;
	assert_int_equal(inet_pton(*family == 6 ? AF_INET6 : AF_INET, text,
				   bytes), 1);
}

/* The host's sockets in state st in the last table taken. */
static size_t count(struct run *r, const char *host, enum tcp_state st)
{
	const struct host_socket *s;
	uint8_t family, addr[16];
	size_t n, k = 0;

	addr_of(host, &family, addr);
	s = host_states_sockets(r->hs, &n);
	for (size_t i = 0; i < n; i++)
		if (s[i].family == family && memcmp(s[i].addr, addr, 16) == 0 &&
		    s[i].state == st)
			k++;
	return k;
}

static size_t n_sockets(struct run *r)
{
	size_t n;

	host_states_sockets(r->hs, &n);
	return n;
}

static void take(struct run *r)
{
	host_states_take(r->hs, r->a);
	assert_false(host_states_out_of_memory(r->hs));
}

/* ------------------------------------------------------------- listeners */

/*
 * SYN, then SYN|ACK|RST acknowledging it.  Kernel (lab, 6.18): the
 * client's connect() fails at once with ECONNREFUSED (TcpAttemptFails
 * 1), and ss -tan shows no socket on either host.  No listener: the
 * segment is a refusal.
 */
static void test_syn_ack_rst_is_a_refusal(void **state)
{
	struct run *r = *state;

	seg(r, 0, CLI, 40000, SRV, 81, SYN, CISN, 0);
	seg(r, MS(20), SRV, 81, CLI, 40000, SYN | ACK | RST, SISN, CISN + 1);
	take(r);
	assert_int_equal(n_sockets(r), 0);
	assert_int_equal(count(r, SRV, TCP_STATE_LISTEN), 0);
}

/*
 * The same with ACK = ISN, which SYN_SENT does not accept.  Kernel: the
 * segment is dropped, the SYN resent 10 ms later; ss -tan: the client
 * SYN_SENT, nothing on the server.
 */
static void test_syn_ack_rst_bad_ack_is_ignored(void **state)
{
	struct run *r = *state;

	seg(r, 0, CLI, 40001, SRV, 82, SYN, CISN, 0);
	seg(r, MS(20), SRV, 82, CLI, 40001, SYN | ACK | RST, SISN, CISN);
	take(r);
	assert_int_equal(n_sockets(r), 1);
	assert_int_equal(count(r, CLI, TCP_STATE_SYN_SENT), 1);
	assert_int_equal(count(r, SRV, TCP_STATE_LISTEN), 0);
}

/* SYN|RST without ACK: ignored in SYN_SENT (kernel: the same as above). */
static void test_syn_rst_without_ack(void **state)
{
	struct run *r = *state;

	seg(r, 0, CLI, 40002, SRV, 83, SYN, CISN, 0);
	seg(r, MS(20), SRV, 83, CLI, 40002, SYN | RST, SISN, 0);
	take(r);
	assert_int_equal(n_sockets(r), 1);
	assert_int_equal(count(r, CLI, TCP_STATE_SYN_SENT), 1);
}

static void test_syn_ack_shows_listener(void **state)
{
	struct run *r = *state;
	const struct host_socket *s;
	uint8_t family, addr[16], zero[16] = {0};
	size_t n;

	handshake(r, 0, CLI, 40003, SRV, 80);
	take(r);
	assert_int_equal(count(r, CLI, TCP_STATE_ESTABLISHED), 1);
	assert_int_equal(count(r, SRV, TCP_STATE_ESTABLISHED), 1);
	assert_int_equal(count(r, SRV, TCP_STATE_LISTEN), 1);
	assert_int_equal(n_sockets(r), 3);
	/* By host, then state: the client's, the server's LISTEN, ESTABLISHED. */
	s = host_states_sockets(r->hs, &n);
	addr_of(SRV, &family, addr);
	assert_int_equal(s[1].state, TCP_STATE_LISTEN);
	assert_memory_equal(s[1].addr, addr, 16);
	assert_int_equal(s[1].port, 80);
	assert_memory_equal(s[1].peer, zero, 16);
	assert_int_equal(s[1].peer_port, 0);
	assert_int_equal(s[1].uid, 0);
	assert_int_equal(s[2].state, TCP_STATE_ESTABLISHED);
	assert_int_equal(s[2].peer_port, 40003);
	assert_true(s[2].uid != 0);
}

/*
 * Listeners on 8080 and 8081 of one host are two sockets (ss -tan lists
 * one LISTEN line per bound port).  The report's copy of the rule hashed
 * host:port with the low bit forced on and counted them as one.
 */
static void test_listeners_on_adjacent_ports(void **state)
{
	struct run *r = *state;

	handshake(r, 0, CLI, 40004, SRV, 8080);
	handshake(r, SEC(1), CLI, 40005, SRV, 8081);
	take(r);
	assert_int_equal(count(r, SRV, TCP_STATE_LISTEN), 2);
}

/* Many connections to one port, and a resent SYN-ACK: one listener. */
static void test_listener_counted_once(void **state)
{
	struct run *r = *state;

	handshake(r, 0, CLI, 40006, SRV, 80);
	seg(r, SEC(1), CLI, 40007, SRV, 80, SYN, CISN, 0);
	seg(r, SEC(1) + MS(20), SRV, 80, CLI, 40007, SYN | ACK, SISN, CISN + 1);
	seg(r, SEC(2), SRV, 80, CLI, 40007, SYN | ACK, SISN, CISN + 1);
	take(r);
	assert_int_equal(count(r, SRV, TCP_STATE_LISTEN), 1);
	assert_int_equal(count(r, SRV, TCP_STATE_SYN_RECV), 1);
	assert_int_equal(count(r, SRV, TCP_STATE_ESTABLISHED), 1);
}

/* An address and port are one listener per family. */
static void test_listener_ipv6(void **state)
{
	struct run *r = *state;

	handshake(r, 0, CLI6, 40008, SRV6, 80);
	handshake(r, SEC(1), CLI, 40008, SRV, 80);
	take(r);
	assert_int_equal(count(r, SRV6, TCP_STATE_LISTEN), 1);
	assert_int_equal(count(r, SRV, TCP_STATE_LISTEN), 1);
	assert_int_equal(n_sockets(r), 6);
}

/*
 * Simultaneous open: both SYN-ACKs come from connecting sockets.  Kernel
 * (lab simultaneous_open): no LISTEN on either side.
 */
static void test_simultaneous_open_no_listener(void **state)
{
	struct run *r = *state;

	seg(r, 0, CLI, 40009, SRV, 40010, SYN, CISN, 0);
	seg(r, MS(1), SRV, 40010, CLI, 40009, SYN, SISN, 0);
	seg(r, MS(2), CLI, 40009, SRV, 40010, SYN | ACK, CISN, SISN + 1);
	seg(r, MS(3), SRV, 40010, CLI, 40009, SYN | ACK, SISN, CISN + 1);
	take(r);
	assert_int_equal(count(r, CLI, TCP_STATE_LISTEN), 0);
	assert_int_equal(count(r, SRV, TCP_STATE_LISTEN), 0);
}

/*
 * An unanswered SYN: its receiver is LISTEN in the tracker (the inferred
 * responder) but has shown no socket.  Kernel (lab syn_dropped): the
 * server's ss -tan is empty.
 */
static void test_unanswered_syn(void **state)
{
	struct run *r = *state;

	seg(r, 0, CLI, 40011, SRV, 8004, SYN, CISN, 0);
	take(r);
	assert_int_equal(n_sockets(r), 1);
	assert_int_equal(count(r, CLI, TCP_STATE_SYN_SENT), 1);
}

/* ------------------------------------------------------------ over time */

/*
 * The table at a time: TIME_WAIT lasts 60 s of capture time, a later
 * table replaces an earlier one, and a listener stays once shown.
 */
static void test_time_wait_expires(void **state)
{
	struct run *r = *state;

	handshake(r, 0, CLI, 40012, SRV, 80);
	seg(r, MS(100), CLI, 40012, SRV, 80, FIN | ACK, CISN + 1, SISN + 1);
	seg(r, MS(120), SRV, 80, CLI, 40012, FIN | ACK, SISN + 1, CISN + 2);
	seg(r, MS(121), CLI, 40012, SRV, 80, ACK, CISN + 2, SISN + 2);
	take(r);
	assert_int_equal(count(r, CLI, TCP_STATE_TIME_WAIT), 1);
	assert_int_equal(count(r, SRV, TCP_STATE_LISTEN), 1);
	assert_int_equal(n_sockets(r), 2);
	analyzer_advance(r->a, EPOCH_NS + SEC(59));
	take(r);
	assert_int_equal(count(r, CLI, TCP_STATE_TIME_WAIT), 1);
	assert_int_equal(n_sockets(r), 2);
	analyzer_advance(r->a, EPOCH_NS + SEC(61));
	take(r);
	assert_int_equal(count(r, CLI, TCP_STATE_TIME_WAIT), 0);
	assert_int_equal(count(r, SRV, TCP_STATE_LISTEN), 1);
	assert_int_equal(n_sockets(r), 1);
}

/* A listener shows from its SYN-ACK on, not before (states --at). */
static void test_listener_from_its_syn_ack(void **state)
{
	struct run *r = *state;

	seg(r, 0, CLI, 40013, SRV, 80, SYN, CISN, 0);
	take(r);
	assert_int_equal(count(r, SRV, TCP_STATE_LISTEN), 0);
	seg(r, SEC(1), SRV, 80, CLI, 40013, SYN | ACK, SISN, CISN + 1);
	take(r);
	assert_int_equal(count(r, SRV, TCP_STATE_LISTEN), 1);
	assert_int_equal(count(r, SRV, TCP_STATE_SYN_RECV), 1);
}

/* ------------------------------------------------------------- the rows */

/* report's counts: per host, busiest first, then by family and address. */
static void test_rows(void **state)
{
	struct run *r = *state;
	const struct host_state_row *rows;
	uint8_t family, addr[16];
	size_t n;

	handshake(r, 0, CLI, 40014, SRV, 80);
	handshake(r, SEC(1), CLI, 40015, SRV, 80);
	handshake(r, SEC(2), CLI6, 40016, SRV6, 443);
	seg(r, SEC(3), SRV6, 443, CLI6, 40016, RST | ACK, SISN + 1, CISN + 1);
	take(r);
	rows = host_states_rows(r->hs, &n);
	assert_false(host_states_out_of_memory(r->hs));
	assert_int_equal(n, 3);
	addr_of(SRV, &family, addr);
	assert_int_equal(rows[0].family, 4);
	assert_memory_equal(rows[0].addr, addr, 16);
	assert_int_equal(rows[0].total, 3);
	assert_int_equal(rows[0].count[TCP_STATE_LISTEN], 1);
	assert_int_equal(rows[0].count[TCP_STATE_ESTABLISHED], 2);
	addr_of(CLI, &family, addr);
	assert_memory_equal(rows[1].addr, addr, 16);
	assert_int_equal(rows[1].total, 2);
	/* The reset connection is gone; its listener stays. */
	addr_of(SRV6, &family, addr);
	assert_int_equal(rows[2].family, 6);
	assert_memory_equal(rows[2].addr, addr, 16);
	assert_int_equal(rows[2].total, 1);
	assert_int_equal(rows[2].count[TCP_STATE_LISTEN], 1);
}

static void test_empty(void **state)
{
	struct run *r = *state;
	size_t n = 1;

	take(r);
	assert_int_equal(n_sockets(r), 0);
	host_states_rows(r->hs, &n);
	assert_int_equal(n, 0);
	host_states_free(NULL);
}

/*
 * Counting per host without keeping the sockets gives the rows the full
 * table gives, on 300 hosts (so the index grows) in several states.
 */
static void test_counts_only_rows(void **state)
{
	struct run *r = *state;
	struct host_state_row *full;
	const struct host_state_row *rows;
	size_t n, n_counts;
	char cli[32];

	for (int i = 0; i < 300; i++) {
		snprintf(cli, sizeof(cli), "10.0.%d.%d", i / 200, i % 200 + 1);
		handshake(r, MS(40 * i), cli, (uint16_t)(40000 + i), "192.0.2.2",
			  (uint16_t)(80 + i % 3));
		if (i % 4 == 0)
			seg(r, MS(40 * i) + MS(30), cli, (uint16_t)(40000 + i),
			    "192.0.2.2", (uint16_t)(80 + i % 3), FIN | ACK,
			    CISN + 1, SISN + 1);
	}
	take(r);
	rows = host_states_rows(r->hs, &n);
	assert_true(n > 300);
	full = malloc(n * sizeof(*full));
	assert_non_null(full);
	memcpy(full, rows, n * sizeof(*full));
	host_states_take_counts(r->hs, r->a);
	assert_false(host_states_out_of_memory(r->hs));
	assert_int_equal(n_sockets(r), 0);
	rows = host_states_rows(r->hs, &n_counts);
	assert_int_equal(n_counts, n);
	assert_memory_equal(rows, full, n * sizeof(*full));
	/* And back: a full take after a counted one. */
	take(r);
	rows = host_states_rows(r->hs, &n_counts);
	assert_int_equal(n_counts, n);
	assert_memory_equal(rows, full, n * sizeof(*full));
	free(full);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, run_setup, run_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_syn_ack_rst_is_a_refusal),
		T(test_syn_ack_rst_bad_ack_is_ignored),
		T(test_syn_rst_without_ack),
		T(test_syn_ack_shows_listener),
		T(test_listeners_on_adjacent_ports),
		T(test_listener_counted_once),
		T(test_listener_ipv6),
		T(test_simultaneous_open_no_listener),
		T(test_unanswered_syn),
		T(test_time_wait_expires),
		T(test_listener_from_its_syn_ack),
		T(test_rows),
		T(test_empty),
		T(test_counts_only_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
