/*
 * Each host's TCP socket table in counts, as `ss -tan` would sum it:
 * endpoints of live connections by state, and the listeners seen
 * answering a SYN.  Fed with flows (at the end of a capture, or at any
 * moment from analyzer_foreach_flow) and with SYN-ACK segments.
 */
#ifndef TCPLENS_HOST_STATES_H
#define TCPLENS_HOST_STATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcp_conn.h"

struct host_state_row {
	uint8_t family;
	uint8_t addr[16];
	uint32_t count[TCP_STATE_COUNT];
	uint32_t total;         /* sockets, listeners included */
};

struct host_states;

struct host_states *host_states_new(void);
void host_states_free(struct host_states *hs);

/* A SYN-ACK from a listener (its host:port holds a LISTEN socket). */
void host_states_on_segment(struct host_states *hs, const struct packet *pkt,
			    const struct flow *f,
			    const struct tcp_seg_info *info);
/* Counts both endpoints of a live TCP flow, CLOSED ones aside. */
void host_states_add_flow(struct host_states *hs, const struct flow *f);

/*
 * The rows, busiest host first (then by address); valid until the next
 * call.  *n is their number.
 */
const struct host_state_row *host_states_rows(struct host_states *hs,
					      size_t *n);
bool host_states_out_of_memory(const struct host_states *hs);

#endif
