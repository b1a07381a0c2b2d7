/*
 * The eleven RFC 793 connection states, as each endpoint's TCP would
 * hold them.  The names are those of `ss -tan` (with '-' as '_'), so
 * they can be compared with a host's socket table directly.
 */
#ifndef TCPLENS_TCP_STATE_H
#define TCPLENS_TCP_STATE_H

#define TCP_STATE_LIST(X)            \
	X(CLOSED, "CLOSED")          \
	X(LISTEN, "LISTEN")          \
	X(SYN_SENT, "SYN_SENT")      \
	X(SYN_RECV, "SYN_RECV")      \
	X(ESTABLISHED, "ESTABLISHED") \
	X(FIN_WAIT1, "FIN_WAIT1")    \
	X(FIN_WAIT2, "FIN_WAIT2")    \
	X(CLOSE_WAIT, "CLOSE_WAIT")  \
	X(CLOSING, "CLOSING")        \
	X(LAST_ACK, "LAST_ACK")      \
	X(TIME_WAIT, "TIME_WAIT")

enum tcp_state {
#define TCP_STATE_ENUM(name, str) TCP_STATE_##name,
	TCP_STATE_LIST(TCP_STATE_ENUM)
#undef TCP_STATE_ENUM
	TCP_STATE_COUNT
};

const char *tcp_state_name(enum tcp_state s);
/* The state named by s (as tcp_state_name gives it), or -1. */
int tcp_state_from_name(const char *s);

#endif
