/*
 * The analysis engine: create one with a configuration, feed it decoded
 * packets in capture order, and it keeps the flow table, tracks every
 * TCP connection and reports through the sink as things happen.  Files,
 * live capture and tests drive it the same way; all its timers run on
 * packet timestamps.
 */
#ifndef TCPLENS_ANALYZER_H
#define TCPLENS_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "ip_defrag.h"
#include "packet.h"
#include "tcp_conn.h"
#include "tunnel_table.h"

struct analyzer_config {
	struct tcp_config tcp;
	uint32_t max_flows;         /* 1,000,000 */
	int64_t tcp_idle_ns;        /* half-open and closing: 300 s */
	int64_t closed_linger_ns;   /* both sides closed: 5 s for strays */
	int64_t udp_idle_ns;        /* 60 s */
	int64_t icmp_idle_ns;       /* 60 s */
	/*
	 * Half-open connections idle this long are parked (flow_table.h)
	 * when the sink lets them go (its may_park); 0: never.  1.5 s.
	 */
	int64_t park_after_ns;
	struct defrag_config defrag;
	/*
	 * Subjects the detectors keep at most (detect.h); 0: 65,536, the
	 * most.  Read by the detectors, set with the engine's keys.
	 */
	uint32_t max_subjects;
};

/*
 * What the engine reports.  Every callback may be NULL.  Flows passed
 * are valid only during the call, and read-only: what a sink may write
 * of a flow comes with it as its struct flow_sink_area.
 */
struct analyzer_sink {
	void *ctx;
	void (*on_flow_start)(void *ctx, const struct flow *f,
			      struct flow_sink_area area);
	/* Every TCP segment, after the tracker has seen it. */
	void (*on_tcp_segment)(void *ctx, const struct packet *pkt,
			       const struct flow *f,
			       const struct tcp_seg_info *info,
			       struct flow_sink_area area);
	/*
	 * A frame the capture holds twice (frame_dups.h) of a TCP or UDP
	 * flow: copy_of is its first copy's frame number.  It changes
	 * nothing; this only tells whoever lists frames.
	 */
	void (*on_copy)(void *ctx, const struct packet *pkt,
			const struct flow *f, int dir, uint64_t copy_of,
			struct flow_sink_area area);
	/* Every UDP or ICMP packet of a flow. */
	void (*on_datagram)(void *ctx, const struct packet *pkt,
			    const struct flow *f, int dir,
			    struct flow_sink_area area);
	/*
	 * Every ICMP or ICMPv6 error; quoted is the flow whose datagram it
	 * quotes, or NULL when none is known.
	 */
	void (*on_icmp_error)(void *ctx, const struct packet *pkt,
			      const struct flow *quoted);
	/* A datagram rebuilt from fragments, before it is analysed. */
	void (*on_reassembled)(void *ctx, const struct packet *whole,
			       size_t fragments);
	/* analyzer_advance(): time moved on to now without a packet. */
	void (*on_time)(void *ctx, int64_t now);
	/* analyzer_finish(): the capture ended at now; flows end next. */
	void (*on_capture_end)(void *ctx, int64_t now);
	/* The flow is final; it is released right after. */
	void (*on_flow_end)(void *ctx, const struct flow *f,
			    struct flow_sink_area area);
	/*
	 * Whether idle flow f may be parked: its slot freed, and brought
	 * back at another address when a packet, a timer or a walk needs
	 * it.  False while the sink keeps an address of the flow or of its
	 * storage beyond a call.  NULL: nothing is ever parked.
	 */
	bool (*may_park)(void *ctx, const struct flow *f,
			 struct flow_sink_area area);
	/*
	 * Bytes of storage the sink keeps in every flow, zeroed with it:
	 * the area's storage, the sink's to write.  0: none.
	 */
	size_t flow_storage;
};

struct analyzer_stats {
	uint64_t packets;           /* fed */
	uint64_t tcp_segments;      /* tracked */
	uint64_t udp_datagrams;
	uint64_t icmp_messages;
	uint64_t untracked;         /* no IP, other protocols, or not decodable */
	uint64_t tcp_unusable;      /* TCP header cut or invalid */
	uint64_t no_timestamp;      /* frames without a time: previous used */
	/* copies of an earlier frame, analysed no further (frame_dups.h) */
	uint64_t duplicates;
	int64_t first_ts, last_ts;  /* first and latest packet time, ns */
	uint64_t flows_created;
	uint64_t flows_evicted;     /* --max-flows reached */
	/* Ended early because memory ran out: the results are incomplete. */
	uint64_t flows_evicted_no_memory;
	uint64_t flows_idle;        /* idle timeout */
	uint64_t flows_closed;      /* TCP closed, TIME_WAIT over */
	uint64_t flows_reused;      /* a new SYN on a finished 4-tuple */
	uint64_t flows_parked;      /* times an idle flow was parked */
	uint64_t tunnels;           /* tunnels named (tunnel_table.h) */
	/* Packets of tunnels past the table's limit: not tracked. */
	uint64_t tunnels_untracked;
	uint64_t icmp_errors_matched;   /* quoting a known flow */
	uint64_t icmp_errors_unmatched;
	/* Packets not tracked: no memory for a new flow (an error to report). */
	uint64_t no_memory;
	size_t peak_flows;
	size_t memory_bytes;        /* flow table and index at the end */
	size_t flow_bytes;          /* one tracked flow, with its sink storage */
	size_t index_bytes;         /* the hash index: 4 bytes a slot */
};

void analyzer_config_defaults(struct analyzer_config *cfg);
struct analyzer *analyzer_new(const struct analyzer_config *cfg,
			      const struct analyzer_sink *sink);
void analyzer_free(struct analyzer *a);

/*
 * Returns the earlier frame pkt is a copy of (frame_dups.h), or 0.  A
 * copy is counted in its flow (packets, bytes, duplicates) and
 * analysed no further: no retransmission, no tracker step, no sink call.
 */
uint64_t analyzer_feed(struct analyzer *a, const struct packet *pkt);
/* Runs the timers up to now without a packet (live capture). */
void analyzer_advance(struct analyzer *a, int64_t now);
/*
 * End of input, first half: incomplete fragments are given up and the
 * flows whose timeout has passed end; the others stay, to be read as the
 * capture left them (analyzer_foreach_flow).  Idempotent.
 */
void analyzer_settle(struct analyzer *a);
/*
 * End of input: analyzer_settle(), on_capture_end, then every flow still
 * in the table is finalised.
 */
void analyzer_finish(struct analyzer *a);

/* The time of the latest packet, ns since the epoch. */
int64_t analyzer_now(const struct analyzer *a);
/* Every live flow (for states, the dashboard); TIME_WAIT brought up to now. */
void analyzer_foreach_flow(struct analyzer *a,
			   void (*fn)(void *ctx, const struct flow *f),
			   void *ctx);
const struct analyzer_stats *analyzer_get_stats(struct analyzer *a);
/* The flows in the table now. */
size_t analyzer_flow_count(const struct analyzer *a);
/* The tunnels named so far: what a flow's key.tunnel stands for. */
const struct tunnel_table *analyzer_tunnels(const struct analyzer *a);
/* Fragment reassembly's counts and anomalies. */
const struct defrag_stats *analyzer_defrag_stats(const struct analyzer *a);

#endif
