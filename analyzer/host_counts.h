/*
 * Each host's TCP sockets counted by state, kept as connections change
 * rather than counted again from every flow: a table taken four times a
 * second costs the hosts, not the flows (host_states_take_counts() walks
 * every flow: 5 to 27 ms at 10,000 to 30,000 flows).
 *
 * The counts are host_states' rule, exactly: host_states_take_counts()
 * at the same moment gives the same rows and summary (a unit test holds
 * the two together on the lab's captures).  Each flow keeps, in its
 * sink storage, what each endpoint is counted as; every segment and a
 * flow's end set the counts right.  What changes with no packet, a
 * TIME_WAIT that runs out (tcp_conn_advance()) and a SYN_RECV whose
 * SYN-ACK timer passes (host_states_syn_recv_until()), is queued by the
 * time it falls due and settled when a table is taken.
 *
 * At most max_hosts hosts are counted; the sockets of hosts past that
 * are counted in sockets_not_counted, never silently dropped.
 *
 * Use: host_counts_on_segment() for every TCP segment after the tracker
 * (with the listener of host_states_on_segment() when it is new),
 * host_counts_on_flow_end() as each flow ends; host_counts_take() at a
 * moment between packets, then host_counts_rows().
 */
#ifndef TCPLENS_HOST_COUNTS_H
#define TCPLENS_HOST_COUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "host_states.h"
#include "tcp_conn.h"

/* Hosts counted by default: about 5 MiB of rows and index. */
#define HOST_COUNTS_MAX_HOSTS 65536

struct host_counts;

struct host_counts *host_counts_new(const struct tcp_config *tcp,
				    size_t max_hosts);
void host_counts_free(struct host_counts *hc);
/* Bytes host_counts keeps in each flow's sink storage (zeroed). */
size_t host_counts_flow_storage(void);

/*
 * A TCP segment of f, after the tracker, at now: storage is f's
 * host_counts_flow_storage() bytes.
 */
void host_counts_on_segment(struct host_counts *hc, const struct flow *f,
			    void *storage, int64_t now);
/* A listener host_states did not know before (its LISTEN socket). */
void host_counts_add_listener(struct host_counts *hc, uint8_t family,
			      const uint8_t addr[16], uint16_t tunnel);
/*
 * Whether a flow with this storage may be parked (struct analyzer_sink's
 * may_park): not while a due moment of its counts holds its address.
 */
bool host_counts_may_park(const void *storage);
/* f ends: its endpoints leave the counts. */
void host_counts_on_flow_end(struct host_counts *hc, const struct flow *f,
			     void *storage);

/*
 * The table at now (no earlier than the last segment's time): the rows
 * host_states_take_counts() would give, in its order, and its summary.
 * False when memory ran out: the rows are then incomplete.
 */
bool host_counts_take(struct host_counts *hc, int64_t now);
const struct host_state_row *host_counts_rows(const struct host_counts *hc,
					      size_t *n);
struct host_states_summary host_counts_summary(const struct host_counts *hc);
/* Sockets of hosts past max_hosts, now: in no row. */
uint64_t host_counts_not_counted(const struct host_counts *hc);

#endif
