/*
 * Each host's TCP socket table as `ss -tan` would show it, rebuilt from
 * the wire: the one rule `tcplens states`, `tcplens report` and the
 * dashboard share.  A host holds
 *
 *   - a socket for each endpoint of a live connection, in its state,
 *     unless that state is CLOSED (no socket) or LISTEN (the inferred
 *     responder of a SYN nobody answered: its host has shown no socket);
 *   - one LISTEN socket per address and port that answered a SYN with a
 *     SYN-ACK, RST bit clear, outside a simultaneous open.
 *
 * A SYN|ACK|RST is a refusal, not an answer: no Linux listener sends one
 * (a listener answers a SYN with SYN|ACK, tcp_v4_send_synack(); a port
 * without one with RST|ACK, tcp_v4_send_reset()), and the client's
 * tcp_rcv_synsent_state_process() takes an acceptable one as a RST:
 * connect() fails with ECONNREFUSED and no socket is left on either side
 * (measured on 6.18: see testdata/README.md, tcp-socket-table.pcap).
 *
 * Two things the wire shows that no kernel holds are left out, and
 * counted in struct host_states_summary:
 *
 *   - SYN_RECV whose SYN-ACK the listener never sent again after its
 *     timer (1 s, doubled per resend: Linux's reqsk_timer_handler()) or
 *     stopped resending (tcp_synack_retries used up): a request socket
 *     is resent until it goes, a SYN cookie's SYN-ACK never is and no
 *     socket stands behind it.  What is counted is an estimate: a
 *     SYN-ACK younger than its first timer is counted as held.
 *   - hosts whose only sockets are SYN_SENT, when there are at least
 *     HOST_STATES_SYN_ONLY_HOSTS of them: sources that sent SYNs and
 *     completed nothing still open, as the spoofed sources of a SYN
 *     flood do.  Fewer are listed as any host (a client whose connect
 *     is unanswered).
 *
 * A host is an address in the network of one tunnel (struct flow_key's
 * tunnel, 0 for none): two tenants' 10.0.0.1 are two hosts, each with
 * its own sockets and listeners.
 *
 * Use: host_states_on_segment() from the analyzer's on_tcp_segment for
 * every segment; then host_states_take() whenever a table is wanted; then
 * host_states_sockets() or host_states_rows().  engine.c wires it so for
 * report and check, cmd/states.c for states.
 */
#ifndef TCPLENS_HOST_STATES_H
#define TCPLENS_HOST_STATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer.h"

/* One socket: an endpoint of a live connection, or a listener. */
struct host_socket {
	uint8_t family;
	uint8_t state;          /* enum tcp_state */
	uint16_t port;
	uint8_t addr[16];       /* the host's address */
	uint8_t peer[16];       /* zero for a listener */
	uint16_t peer_port;     /* 0 for a listener */
	uint16_t tunnel;        /* the host's tunnel (flow_key), 0 for none */
	uint64_t uid;           /* the connection's; 0 for a listener */
};

/* One host's sockets in counts. */
struct host_state_row {
	uint8_t family;
	uint16_t tunnel;        /* the host's tunnel (flow_key), 0 for none */
	uint8_t addr[16];
	uint32_t count[TCP_STATE_COUNT];
	uint32_t total;         /* sockets, listeners included */
};

/* Hosts holding only SYN_SENT sockets are summed up from this many on. */
#define HOST_STATES_SYN_ONLY_HOSTS 10

/* What the last table taken left out (see above). */
struct host_states_summary {
	uint32_t syn_only_hosts;    /* hosts with only SYN_SENT sockets */
	uint32_t syn_only_sockets;  /* their sockets */
	uint32_t syn_recv_seen;     /* endpoints the wire shows in SYN_RECV */
	uint32_t syn_recv_gone;     /* of those, estimated to hold no socket */
};

struct host_states;

struct host_states *host_states_new(void);
void host_states_free(struct host_states *hs);

/*
 * Every TCP segment, from analyzer_sink.on_tcp_segment: a SYN-ACK that
 * answers a SYN shows a listener on its sender's address and port, which
 * then stays in every table taken after.  True when that listener is new
 * (host_counts counts it).
 */
bool host_states_on_segment(struct host_states *hs, const struct packet *pkt,
			    const struct flow *f,
			    const struct tcp_seg_info *info);
/*
 * The last moment the SYN_RECV endpoint d of f holds a request socket
 * (see above): the table at a later time leaves it out.
 */
int64_t host_states_syn_recv_until(const struct flow *f, int d);
/* qsort's order of host_states_rows(): most sockets first. */
int host_state_row_order(const void *a, const void *b);
/*
 * How much trouble a host's sockets show, for ranking hosts: sockets
 * that stay when an application or a flood is at fault weigh most
 * (CLOSE_WAIT: the application never closes; SYN_RECV: handshakes not
 * completed), then those stuck closing (FIN_WAIT1, CLOSING, LAST_ACK).
 */
uint64_t host_state_row_trouble(const struct host_state_row *r);

/*
 * The table at the engine's present time (analyzer_now(a)), TIME_WAIT
 * brought up to it; it replaces the one taken before.  The table at a
 * time T is taken after feeding every packet up to T and none after, and
 * analyzer_advance(a, T).  Call it between packets; at the end of input,
 * after analyzer_settle() and before analyzer_finish() ends the flows.
 */
void host_states_take(struct host_states *hs, struct analyzer *a);

/*
 * The same table in counts per host only (host_states_rows()), without
 * keeping each socket (host_states_sockets() gives none): what a report
 * at the end needs, in memory per host rather than per socket.
 */
void host_states_take_counts(struct host_states *hs, struct analyzer *a);
/*
 * The sockets of the last table taken, by host (family, address, tunnel), then
 * state, port, peer address and port; valid until the next take.
 */
const struct host_socket *host_states_sockets(struct host_states *hs,
					      size_t *n);
/*
 * The same in counts per host, the host with most sockets first (then
 * by family, address and tunnel); valid until the next take.
 */
const struct host_state_row *host_states_rows(struct host_states *hs,
					      size_t *n);
/* What the last table taken left out of its hosts and sockets. */
struct host_states_summary host_states_summary(const struct host_states *hs);
/* Memory ran out: the tables taken since are incomplete. */
bool host_states_out_of_memory(const struct host_states *hs);

#endif
