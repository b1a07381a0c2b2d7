/*
 * The output view of one flow: every documented key of `tcplens flows`,
 * computed once from the engine's struct flow, so the renderers (text,
 * JSON, CSV, YAML, Zeek) only format.  The field table is the single
 * list of keys, in output order; tcplens-flows(1) documents each one.
 */
#ifndef TCPLENS_FLOW_RECORD_H
#define TCPLENS_FLOW_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include <stddef.h>

#include "addr_format.h"
#include "flow.h"
#include "tunnel_table.h"

enum field_type {
	FIELD_NULL,     /* not applicable / unknown: JSON null, Zeek '-' */
	FIELD_STR,
	FIELD_UINT,
	FIELD_BOOL,
	FIELD_TIME,     /* ns since the epoch: seconds with decimals */
	FIELD_SECONDS,  /* a duration in ns: seconds with decimals */
	FIELD_MS,       /* a duration in ns: milliseconds, 3 decimals */
};

struct field_value {
	enum field_type type;
	const char *s;
	uint64_t u;
	int64_t ns;
	bool b;
};

struct flow_record {
	char uid[FLOW_UID_LEN];
	char orig_h[ADDR_FORMAT_LEN], resp_h[ADDR_FORMAT_LEN];
	uint16_t orig_p, resp_p;
	uint8_t proto;          /* IP protocol number */
	bool is_tcp;
	int64_t ts, duration;
	uint64_t pkts[2], bytes[2], ip_bytes[2];
	uint64_t missed_bytes;
	bool missed_exact;      /* no gap went untracked */
	char conn_state[8];
	char history[ZEEK_HISTORY_MAX + 1];
	bool history_truncated; /* letters past ZEEK_HISTORY_MAX dropped */
	uint8_t state[2];       /* enum tcp_state, TCP only */
	uint8_t close_kind;
	int8_t close_initiator;
	uint32_t retrans[2];
	uint64_t retrans_bytes[2];
	int64_t rtt_ns;         /* handshake (SYN to ACK) or ICMP echo avg; <0 none */
	int64_t handshake_rtt_ns[2]; /* capture point to that side and back */
	struct rtt_stats data_rtt[2];
	uint64_t data_rtt_sum_us[2];
	bool has_mss[2], has_wscale[2], sack_perm[2], timestamps[2], syn_seen[2];
	uint16_t mss[2];
	uint8_t wscale[2];
	bool wscale_used;
	uint32_t max_in_flight[2];
	int64_t zero_window_ns[2];
	uint32_t icmp_errors;
	uint32_t duplicates;    /* frames that were copies of earlier ones */
	uint64_t first_frame, last_frame;
	uint8_t end_reason;
	const char *orientation;
	bool sim_open, sim_close, reused;
	/*
	 * The tunnel the flow came through (for a tunnel's own flow, the
	 * one it runs in): its uid, type, outer endpoints and shared id.
	 */
	bool in_tunnel;
	char tunnel_uid[FLOW_UID_LEN];
	const char *tunnel_type;
	char tunnel_orig_h[ADDR_FORMAT_LEN], tunnel_resp_h[ADDR_FORMAT_LEN];
	bool has_tunnel_id;
	uint32_t tunnel_id;
	/* A tunnel's own flow: its type (the proto), the id naming it. */
	const char *self_type;
	bool has_encap_id;
	uint32_t encap_id;
};

/*
 * tunnels: what the flow keys' tunnel ids stand for (analyzer_tunnels());
 * NULL leaves the tunnel fields null.
 */
void flow_record_from_flow(struct flow_record *r, const struct flow *f,
			   const struct tunnel_table *tunnels);

/*
 * What names a tunnel (a flow key's tunnel id) in every output that
 * names one: the uid of the tunnel's own flow, its type, its outer
 * endpoints and the id it shares both ways (VNI, key, session), as the
 * flows' keys tunnel, tunnel_type, tunnel_orig_h, tunnel_resp_h and
 * tunnel_id.
 */
struct tunnel_names {
	char uid[FLOW_UID_LEN];
	const char *type;
	char orig_h[ADDR_FORMAT_LEN], resp_h[ADDR_FORMAT_LEN];
	bool has_id;
	uint32_t id;
};

/* False for 0 (no tunnel), an id never given out or tunnels NULL. */
bool tunnel_names_of(struct tunnel_names *n,
		     const struct tunnel_table *tunnels, uint16_t id);
/* "vxlan 203.0.113.10-203.0.113.20 id 300", as flows' text shows it. */
void tunnel_names_format(const struct tunnel_names *n, char *out,
			 size_t outlen);

/* "tcp", "udp", "icmp", or a tunnel's own flow's type ("vxlan" ...). */
const char *flow_record_proto_name(const struct flow_record *r);
/*
 * Zeek's conn_state of f as it stands (the record's conn_state once f
 * ends): for a live flow, what it would be were it to end now.
 */
void flow_record_conn_state(const struct flow *f, char out[8]);

/* The fields, in output order. */
size_t flow_record_field_count(void);
const char *flow_record_field_key(size_t i);
/* Zeek conn.log-only output uses these; NULL when not a conn.log field. */
void flow_record_field(const struct flow_record *r, size_t i,
		       struct field_value *v);

#endif
