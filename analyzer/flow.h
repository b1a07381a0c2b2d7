/*
 * One flow: a TCP connection, a UDP exchange, an ICMP echo session or
 * an ICMP message stream between two endpoints.  Flows live in the flow
 * table's pool; reports read them through this header and never touch
 * packets.
 *
 * Direction 0 is the originator (the sender of the first SYN, or of the
 * first datagram), 1 the responder, as in Zeek's conn.log.
 */
#ifndef TCPLENS_FLOW_H
#define TCPLENS_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "tcp_state.h"
#include "zeek_conn.h"

enum { FLOW_ORIG = 0, FLOW_RESP = 1 };

/*
 * Both directions hash alike: the endpoint with the smaller
 * (address, port) is stored first.
 *
 * tunnel is the id (tunnel_table.h) of the tunnel the flow's packets
 * came through, 0 for none: inner flows of different tunnels with the
 * same 5-tuple are different flows.  A tunnel is itself a flow (as
 * Zeek's tunnel.log has it): proto FLOW_PROTO_TUNNEL, its outer
 * endpoints, ports 0, and tunnel its own id.  A tunnel that does not
 * separate its flows (6to4, Teredo, AYIYA) has no id: its key holds
 * the tunnel it runs in, and both ports flow_tunnel_unnamed_port().
 */
struct flow_key {
	uint8_t addr[2][16];
	uint16_t port[2];
	uint8_t family;         /* 4 or 6 */
	uint8_t proto;          /* IP protocol number, or FLOW_PROTO_TUNNEL */
	uint16_t tunnel;        /* 0: none; keys compare as bytes */
};

/* IP protocol 0 is IPv6's hop-by-hop header: never a flow's. */
#define FLOW_PROTO_TUNNEL 0

/* An unnamed tunnel's ports: its kind and outer IP protocol, never 0. */
static inline uint16_t flow_tunnel_unnamed_port(uint8_t kind,
						uint8_t outer_proto)
{
	return (uint16_t)(kind << 8 | outer_proto);
}

/* Why a flow was finalised. */
enum flow_end_reason {
	FLOW_END_NONE = 0,      /* still in the table */
	FLOW_END_CLOSED,        /* TCP closed and TIME_WAIT over */
	FLOW_END_IDLE,          /* idle timeout (half-open, closing, UDP, ICMP) */
	FLOW_END_EVICTED,       /* --max-flows reached: least recently active */
	FLOW_END_REUSED,        /* a new connection's SYN replaced it */
	FLOW_END_CAPTURE_END,   /* still open when the capture ended */
	FLOW_END_NO_MEMORY,     /* memory ran out: least recently active */
};

/* How a TCP connection ended, as far as the wire tells. */
enum tcp_close_kind {
	TCP_CLOSE_OPEN = 0,     /* still open (or half-closed) */
	TCP_CLOSE_FIN,          /* both FINs */
	TCP_CLOSE_RST,
	TCP_CLOSE_TIMEOUT,      /* went idle half-open or closing */
};

/* RTT samples; their sum is kept beside (keeps the struct 4-aligned). */
struct rtt_stats {
	uint32_t n;
	uint32_t min_us, max_us;
};

/*
 * tshark's per-direction analysis state (tcp_analyze_seq_flow_info_t
 * and tcp_flow_t in packet-tcp.c), kept in its terms: raw sequence
 * numbers, the raw window, and 0 meaning "unset" as tshark has it.
 */
struct tcp_seq_analysis {
	uint32_t nextseq;
	uint32_t maxseqtobeacked;
	uint32_t lastack;
	uint32_t window;        /* raw; 0xffffffff before the first segment */
	uint32_t base_seq;      /* the ISN when its SYN was seen */
	int32_t dupacknum;      /* -1: "ACKed unseen segment" already said */
	/*
	 * nextseqtime, kept as its distance before lastack_ts (4 bytes
	 * instead of 8; saturates at 4.29 s, beyond any threshold it meets).
	 */
	uint32_t nextseq_age_ns;
	int8_t win_scale;       /* -1 unknown, -2 known not to be in use */
	uint8_t lastsegmentflags; /* TCP_SEQ_LAST_* of its previous segment */
	bool is_first_ack;
	bool base_set;
	int64_t lastack_ts;     /* lastacktime: when it last sent a segment */
};

enum tcp_endpoint_flag {
	TCP_EP_SYN_SEEN = 1u << 0,      /* isn is valid */
	TCP_EP_FIN_SEEN = 1u << 1,      /* fin_seq is valid */
	TCP_EP_SEQ_VALID = 1u << 2,     /* high_seq is valid */
	TCP_EP_ACK_VALID = 1u << 3,     /* last_ack is valid */
	TCP_EP_SACK_PERM = 1u << 4,
	TCP_EP_TIMESTAMPS = 1u << 5,
	TCP_EP_WSCALE = 1u << 6,        /* offered a window scale */
	TCP_EP_RST_SENT = 1u << 7,
	TCP_EP_SYN_ACKED = 1u << 8,     /* its SYN was acknowledged */
	TCP_EP_FIN_ACKED = 1u << 9,     /* its FIN was acknowledged */
	TCP_EP_RTT_PROBE = 1u << 10,    /* rtt_probe_* describe a segment */
	TCP_EP_HAS_MSS = 1u << 11,
	TCP_EP_ZERO_WINDOW = 1u << 12,  /* it advertises a zero window now */
	/* It retransmitted or probed and the peer has sent nothing since. */
	TCP_EP_UNANSWERED = 1u << 13,
	TCP_EP_HOLES_OVERFLOW = 1u << 14, /* a gap went untracked */
};

/*
 * Sequence space whose bytes the capture does not hold: skipped by the
 * endpoint's segments as far as the capture shows, or sent in segments
 * whose payload the snapshot length cut (tcp_endpoint.holes_cut).
 */
struct tcp_hole {
	uint32_t start, end;    /* [start, end) */
};

/*
 * One gap per direction is tracked at a time (what keeps a connection
 * under 512 bytes); a second one opening before the first is filled or
 * ACKed sets TCP_EP_HOLES_OVERFLOW, and missed_bytes is then a lower
 * bound (flows reports missed_bytes_exact false).
 */
#define TCP_MAX_HOLES 1
/* holes_cut has a bit per hole in the byte's last free bit. */
_Static_assert(TCP_MAX_HOLES <= 1, "tcp_endpoint.holes_cut needs room");

/*
 * One endpoint of a connection: what it sent and its state.  Laid out
 * so that a connection stays under 512 bytes with its index slot.
 */
struct tcp_endpoint {
	struct tcp_seq_analysis an; /* what it sent, as tshark follows it */
	struct tcp_hole holes[TCP_MAX_HOLES];
	/*
	 * The first SACK block of its latest segment: the most recently
	 * received data it holds beyond its ACK (RFC 2018 section 4).
	 */
	struct tcp_hole sacked;
	uint8_t state;          /* enum tcp_state */
	uint8_t wscale : 4;     /* offered shift (<= 14), with TCP_EP_WSCALE */
	uint8_t hole_count : 2;
	uint8_t has_sack : 1;   /* sacked is valid */
	/*
	 * Bit i: holes[i] holds bytes of segments the capture showed but
	 * whose payload the snapshot length cut (their sequence space was
	 * seen; their bytes, as far as missed_bytes goes, were not).
	 */
	uint8_t holes_cut : TCP_MAX_HOLES;
	uint16_t flags;         /* enum tcp_endpoint_flag */
	uint16_t mss;
	uint16_t seq_wraps;     /* high_seq went past base_seq this often */
	int64_t zero_window_ns; /* total time it advertised zero window */
	uint64_t retrans_bytes;
	uint64_t rtt_sum_us;
	uint32_t fin_seq;       /* sequence number of its FIN */
	uint32_t high_seq;      /* highest seq + len sent, TCP_EP_SEQ_VALID */
	uint32_t rtt_probe_end; /* ACK expected for the timed segment */
	uint32_t retrans_segs;
	/*
	 * When the timed segment was sent: a whole timestamp, so that any
	 * round trip is sampled (satellite links, bufferbloat, up to and
	 * past Linux's 120 s RTO ceiling).
	 */
	int64_t rtt_probe_ts;
	uint32_t max_in_flight; /* bytes it had sent but not seen ACKed */
	struct rtt_stats rtt;   /* its data acknowledged by the peer */
};

enum tcp_conn_flag {
	TCP_CONN_ORIENT_GUESSED = 1u << 0, /* no SYN seen: heuristic */
	TCP_CONN_MIDSTREAM = 1u << 1,      /* first segment had no SYN */
	TCP_CONN_SIM_OPEN = 1u << 2,
	TCP_CONN_SIM_CLOSE = 1u << 3,
	TCP_CONN_CAPTURE_GAP = 1u << 4,    /* data ACKed that was never seen */
	TCP_CONN_REUSED = 1u << 5,         /* started on a TIME_WAIT 4-tuple */
	TCP_CONN_WSCALE_OK = 1u << 6,      /* both offered window scaling */
	TCP_CONN_HAS_SYN = 1u << 7,        /* syn_us is valid */
	TCP_CONN_HAS_SYNACK = 1u << 8,     /* synack_us is valid */
	TCP_CONN_HAS_ACK = 1u << 9,        /* ack_us is valid */
};

struct tcp_conn {
	struct tcp_endpoint ep[2];
	uint16_t flags;         /* enum tcp_conn_flag */
	int8_t fin_first;       /* who sent the first FIN, or -1 */
	int8_t rst_first;       /* who sent the first accepted RST, or -1 */
	bool fins_before_rst;   /* both FINs came before that RST */
	/*
	 * Frames that were copies of earlier ones, counted in the flow's
	 * dir[].pkts (saturates: it lives in padding, keeping a flow under
	 * make bench's 512 bytes per connection).
	 */
	uint16_t duplicates;
	/* Handshake times, µs after the flow's first packet (saturating). */
	uint32_t syn_us;        /* the latest SYN before the first SYN-ACK */
	uint32_t synack_us;     /* first SYN-ACK */
	uint32_t ack_us;        /* the ACK that completed the handshake */
	uint32_t ts_first_rtt;  /* tshark: its out-of-order threshold, ns */
	int64_t ts_mru_syn;     /* tshark: the latest SYN without ACK */
	int64_t tw_since;       /* when an endpoint entered TIME_WAIT */
	/*
	 * ACKed but not in the capture: never seen (capture loss), or cut
	 * by the snapshot length (Zeek's missed_bytes counts both).
	 */
	uint64_t gap_bytes;
	uint64_t cut_bytes;     /* of gap_bytes, those the snapshot length cut */
};

struct udp_flow {
	uint64_t payload[2];    /* UDP payload bytes per direction */
	uint32_t duplicates;    /* as tcp_conn's */
};

struct icmp_flow {
	uint64_t payload[2];    /* ICMP bytes after the 8-byte header */
	uint8_t type, code;     /* of the first message */
	bool echo;
	uint16_t last_req_seq;
	bool req_pending;
	int64_t last_req_ts;
	struct rtt_stats rtt;   /* echo request -> reply */
	uint64_t rtt_sum_us;
	uint32_t unanswered;
};

/* A tunnel's own flow: outer IP payload bytes per direction. */
struct tunnel_flow {
	uint64_t payload[2];
};

struct flow_dir {
	uint64_t pkts;
	uint64_t ip_bytes;      /* IP header and payload, as on the wire */
};

struct flow {
	struct flow_key key;
	uint8_t orig_slot;      /* which key endpoint is the originator */
	uint8_t list;           /* timer list it is on (flow_table.c) */
	uint8_t end_reason;     /* enum flow_end_reason */
	/*
	 * The sink's own bits, zeroed with the flow: the one byte of a flow
	 * a sink may write (struct flow_sink_area), so that what it keeps
	 * beside the flow need not be fetched for flows with nothing in it.
	 */
	uint8_t sink_mark;
	uint32_t table_idx;        /* its index in the flow table */
	uint32_t lru_prev, lru_next;
	int64_t first_ts, last_ts;      /* ns since the epoch */
	uint64_t first_frame, last_frame;
	struct flow_dir dir[2];
	uint16_t icmp_errors;   /* ICMP errors quoting it (saturates) */
	uint8_t last_icmp_type, last_icmp_code;
	struct zeek_conn zeek;
	union {
		struct tcp_conn tcp;
		struct udp_flow udp;
		struct icmp_flow icmp;
		struct tunnel_flow tunnel;
	} u;
};

/*
 * make bench's target is under 512 bytes per tracked connection with
 * its index share (5 to 11 bytes at the index's load): keep it so.
 */
_Static_assert(sizeof(struct flow) <= 490, "a flow must stay small");

/*
 * A sink may ask for storage of its own in every flow (struct
 * analyzer_sink's flow_storage): it lies right behind the flow, in the
 * same allocation, zeroed with it.  Beside the flow, its first touch on
 * a new connection costs no cache miss of its own: the flow's lines are
 * being fetched anyway, and the ones behind them stream in with them.
 */
#define FLOW_SINK_ALIGN 64
#define FLOW_SINK_OFFSET \
	((sizeof(struct flow) + FLOW_SINK_ALIGN - 1) / FLOW_SINK_ALIGN * \
	 FLOW_SINK_ALIGN)

/*
 * What a sink may write in a flow it is told of: the flow's sink_mark and
 * the storage it asked for.  The analyzer hands it over with the flow, so
 * the flow itself stays read-only to every sink.
 */
struct flow_sink_area {
	uint8_t *mark;
	void *storage;          /* NULL when the sink asked for none */
};

/* The area of f: for the analyzer, which owns the flows (and tests). */
static inline struct flow_sink_area flow_sink_area_of(struct flow *f,
						      bool has_storage)
{
	struct flow_sink_area area = {
		.mark = &f->sink_mark,
		.storage = has_storage ? (char *)f + FLOW_SINK_OFFSET : NULL,
	};

	return area;
}

/* The originator's or responder's address/port of a flow. */
static inline const uint8_t *flow_addr(const struct flow *f, int dir)
{
	return f->key.addr[dir == FLOW_ORIG ? f->orig_slot : !f->orig_slot];
}

/* A tunnel has no port: an unnamed one's key ports hold its kind. */
static inline uint16_t flow_port(const struct flow *f, int dir)
{
	if (f->key.proto == FLOW_PROTO_TUNNEL)
		return 0;
	return f->key.port[dir == FLOW_ORIG ? f->orig_slot : !f->orig_slot];
}

static inline bool flow_is_tcp(const struct flow *f)
{
	return f->key.proto == 6;
}

/* Frames of a TCP or UDP flow that were copies of earlier ones. */
static inline uint32_t flow_duplicates(const struct flow *f)
{
	return f->key.proto == 6 ? f->u.tcp.duplicates
	       : f->key.proto == 17 ? f->u.udp.duplicates : 0;
}

static inline bool flow_is_tunnel(const struct flow *f)
{
	return f->key.proto == FLOW_PROTO_TUNNEL;
}

/*
 * The flow's uid: a hash of its key and first time, so it is stable for
 * the same connection in the same capture (and not stored).  A tunnel's
 * own flow hashes its key alone: the uid names the tunnel, which its
 * inner flows refer to (flow_tunnel_uid()), as Zeek's tunnel_parents.
 */
uint64_t flow_uid(const struct flow *f);
/* The uid of the flow of the tunnel id whose endpoints are a and b. */
uint64_t flow_tunnel_uid(uint8_t family, const uint8_t a[16],
			 const uint8_t b[16], uint16_t id);
/* "C" followed by 11 base-62 digits of the uid: 13 bytes with the NUL. */
#define FLOW_UID_LEN 13
void flow_format_uid(uint64_t uid, char out[FLOW_UID_LEN]);

const char *flow_end_reason_name(enum flow_end_reason r);
const char *tcp_close_kind_name(enum tcp_close_kind k);
/* "tcp", "udp", "icmp", "tunnel" */
const char *flow_proto_name(const struct flow *f);

#endif
