/*
 * Zeek's conn.log view of one connection: the TCP endpoint states, the
 * history letters and conn_state, reproduced from Zeek's source (newest
 * versions read: src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc
 * and TCP.cc, src/analyzer/protocol/tcp/TCP_Endpoint.{h,cc},
 * src/session/Session.{h,cc}, src/Conn.cc, the UDP and ICMP packet
 * analyzers, scripts/base/protocols/conn/main.zeek).  zeek_conn.c cites
 * the function behind each rule.
 *
 * A value that lives in every flow: no allocation, no global state, and
 * 64 bytes.  Zeek keeps ~200 bytes per connection for this; fitting in 64
 * costs a few approximations, all listed in zeek_conn.c (notably: the
 * c/g/w letters stop at their 1000th occurrence and t at its 10000th,
 * and repeated S/H/F/R letters compare the low 13 bits of the sequence
 * number where Zeek compares all of it).
 *
 * History letters (upper case: originator, lower case: responder):
 *
 *   S  SYN without ACK        once, again only for a SYN at another seq
 *   H  SYN+ACK                  sent after the endpoint closed or reset
 *   F  FIN (without SYN/RST)  once, again for a FIN ending elsewhere
 *   R  RST (without SYN/FIN)  once, again for a RST at another seq
 *   I  FIN+RST                once
 *   Q  SYN+FIN or SYN+RST     once
 *   D  payload, no SYN/FIN/RST  once (UDP: any datagram, even empty)
 *   A  pure ACK: no SYN/FIN/RST, no payload, ACK set  once
 *   C  bad checksum (packet then ignored)   at 1, 10, 100, 1000
 *   G  content gap                          at 1, 10, 100, 1000
 *   W  zero window (not on/after RST, not after the peer's FIN)  same
 *   T  payload not past the highest seq this side sent: retransmission,
 *      keep-alive or out-of-order arrival   at 1, 10, ..., 10000
 *   ^  roles flipped
 *
 * ICMP has no history letters in Zeek and its conn_state is always OTH.
 *
 * Orientation: from_orig, the sizes given to zeek_tcp_conn_state() and
 * zeek_conn_flip() follow the caller's view.  Zeek flips a connection on
 * its own when a SYN answers a SYN-ACK (the SYN/SYN-ACK reversal of
 * UpdateInactiveState()); zeek_conn_roles_swapped() then says Zeek's
 * originator is the caller's responder, and state[0] is Zeek's.
 */
#ifndef TCPLENS_ZEEK_CONN_H
#define TCPLENS_ZEEK_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Zeek's EndpointState (TCP_Endpoint.h), same values. */
enum zeek_tcp_state {
	ZEEK_TCP_INACTIVE,     /* nothing seen from this side */
	ZEEK_TCP_SYN_SENT,     /* SYN seen, no answer */
	ZEEK_TCP_SYN_ACK_SENT, /* originator sent SYN-ACK, no SYN seen */
	ZEEK_TCP_PARTIAL,      /* data seen without a SYN */
	ZEEK_TCP_ESTABLISHED,
	ZEEK_TCP_CLOSED,       /* FIN seen */
	ZEEK_TCP_RESET         /* RST seen */
};

/* UDP and ICMP endpoints: Zeek's UDP_INACTIVE / UDP_ACTIVE. */
enum { ZEEK_UDP_INACTIVE = 0, ZEEK_UDP_ACTIVE = 1 };

/* Longer histories are cut; zeek_conn_history_truncated() tells. */
#define ZEEK_HISTORY_MAX 24

struct zeek_conn {
	uint8_t state[2];      /* [0] Zeek's originator, [1] its responder */
	/*
	 * Private, bit-packed per-endpoint bookkeeping (previous state,
	 * last SYN/FIN/RST seqs, c/g/t/w counters, flags); zeek_conn.c
	 * has the layout.
	 */
	uint8_t packed[22];
	uint32_t last_seq[2];  /* Zeek's TCP_Endpoint::last_seq */
	/*
	 * Which letters the history holds (bit = index in the alphabet of
	 * zeek_conn.c) and, in the top 5 bits, how many: the per-packet
	 * "seen before?" tests then cost one AND instead of a scan.
	 */
	uint32_t seen;
	/*
	 * The history letters, 5 bits each (the alphabet has fewer than 32
	 * letters): 24 letters in 15 bytes instead of 25.
	 */
	uint8_t history[(ZEEK_HISTORY_MAX * 5 + 7) / 8];
};

/* TCP flags byte bits, as on the wire. */
enum {
	ZEEK_TH_FIN = 0x01, ZEEK_TH_SYN = 0x02, ZEEK_TH_RST = 0x04,
	ZEEK_TH_PSH = 0x08, ZEEK_TH_ACK = 0x10, ZEEK_TH_URG = 0x20
};

struct zeek_segment {
	bool from_orig;        /* the originator sent it, as the caller sees */
	uint8_t flags;         /* ZEEK_TH_* */
	uint32_t seq, ack;     /* absolute */
	uint32_t payload_len;  /* TCP payload bytes on the wire */
	uint32_t window;       /* raw window field */
	bool bad_checksum;     /* only when checksum verification is enabled */
	/*
	 * Not used: 't' follows Zeek's own rule (see zeek_conn.c), which
	 * also counts keep-alives and out-of-order segments.
	 */
	bool retransmission;
	/*
	 * Content gaps this segment's ACK passed in the peer's data: holes
	 * (or parts of holes) and data acknowledged beyond anything seen.
	 * Zeek's reassembler finds them exactly this way, one Gap() each
	 * (peer->AckReceived() in TCPSessionAdapter::Process(), then
	 * TCP_Reassembler::Undelivered()), and each counts towards the
	 * peer's G/g letter.
	 */
	uint8_t peer_gaps;
};

void zeek_conn_init(struct zeek_conn *zc);

void zeek_tcp_on_segment(struct zeek_conn *zc, const struct zeek_segment *seg);

/*
 * One valid UDP datagram: 'D'/'d' once per side whatever its length, and
 * the side becomes UDP_ACTIVE.  Not for ICMP (see below).
 */
void zeek_udp_on_packet(struct zeek_conn *zc, bool from_orig,
			uint32_t payload_len);
/* A UDP datagram failing its checksum: 'C'/'c' (scaled), else ignored. */
void zeek_udp_on_bad_checksum(struct zeek_conn *zc, bool from_orig);
/*
 * One valid ICMP message: the side becomes active, no history letter.
 * Messages with a bad checksum are dropped by Zeek without a trace.
 */
void zeek_icmp_on_packet(struct zeek_conn *zc, bool from_orig);

/*
 * The caller now takes the other side as originator: Zeek's
 * Connection::FlipRoles().  The endpoints swap and '^' is appended; the
 * letters already recorded keep their case, as in Zeek.  Zeek flips a new
 * connection (likely_server_ports heuristic) before processing its first
 * packet: call this before feeding the first packet to get its "^h...".
 */
void zeek_conn_flip(struct zeek_conn *zc);

/* Zeek swapped the roles itself; the caller's orig is Zeek's responder. */
bool zeek_conn_roles_swapped(const struct zeek_conn *zc);

/*
 * conn_state of scripts/base/protocols/conn/main.zeek.  orig_size and
 * resp_size: payload bytes as Zeek counts them (sequence-based), in the
 * caller's orientation; only their being zero matters (REJ).
 */
const char *zeek_tcp_conn_state(const struct zeek_conn *zc, uint64_t orig_size,
				uint64_t resp_size);
/* UDP: SF, S0, SHR or OTH; ICMP (zeek_icmp_on_packet): always OTH. */
const char *zeek_udp_conn_state(const struct zeek_conn *zc);

/* NUL-terminated, "" when empty (Zeek then logs "-"). */
/* The history into buf, which it returns ("" when empty). */
const char *zeek_conn_history(const struct zeek_conn *zc,
			      char buf[ZEEK_HISTORY_MAX + 1]);
/* Letters were dropped because the history was full. */
bool zeek_conn_history_truncated(const struct zeek_conn *zc);

/* "INACTIVE", "SYN_SENT", ... "RESET"; "?" for other values. */
const char *zeek_tcp_state_name(enum zeek_tcp_state s);

#endif
