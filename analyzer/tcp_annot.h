/*
 * Per-segment annotations.  The first fifteen have tshark's meanings and
 * its field names (tcp.analysis.<name>); the differences we make on
 * purpose are listed in tcplens-timeline(1) and checked by
 * tests/crosscheck/tcp_analysis_check.py.  X(NAME, "key").
 */
#ifndef TCPLENS_TCP_ANNOT_H
#define TCPLENS_TCP_ANNOT_H

#include <stdint.h>

#define TCP_ANNOT_LIST(X)                                         \
	X(RETRANSMISSION, "retransmission")                       \
	X(FAST_RETRANSMISSION, "fast_retransmission")             \
	X(SPURIOUS_RETRANSMISSION, "spurious_retransmission")     \
	X(OUT_OF_ORDER, "out_of_order")                           \
	X(LOST_SEGMENT, "lost_segment")                           \
	X(ACK_LOST_SEGMENT, "ack_lost_segment")                   \
	X(DUPLICATE_ACK, "duplicate_ack")                         \
	X(ZERO_WINDOW, "zero_window")                             \
	X(ZERO_WINDOW_PROBE, "zero_window_probe")                 \
	X(ZERO_WINDOW_PROBE_ACK, "zero_window_probe_ack")         \
	X(WINDOW_FULL, "window_full")                             \
	X(WINDOW_UPDATE, "window_update")                         \
	X(KEEP_ALIVE, "keep_alive")                               \
	X(KEEP_ALIVE_ACK, "keep_alive_ack")                       \
	X(REUSED_PORTS, "reused_ports")                           \
	X(RST_OUT_OF_WINDOW, "rst_out_of_window")

enum tcp_annot {
#define TCP_ANNOT_ENUM(name, key) TCP_ANNOT_##name,
	TCP_ANNOT_LIST(TCP_ANNOT_ENUM)
#undef TCP_ANNOT_ENUM
	TCP_ANNOT_COUNT
};

#define TCP_ANNOT_BIT(a) (1u << TCP_ANNOT_##a)

const char *tcp_annot_key(enum tcp_annot a);

#endif
