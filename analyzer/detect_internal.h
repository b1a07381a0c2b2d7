/*
 * What the detector files share (analyzer/detect*.c): the per-flow side
 * state, the subject groups findings are built from, and the hooks each
 * detector file gives the dispatcher in detect.c.  Not part of the
 * analyzer's public surface: detect.h is.
 */
#ifndef TCPLENS_DETECT_INTERNAL_H
#define TCPLENS_DETECT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect.h"
#include "settings.h"

/*
 * For what most connections never reach (a retransmission, a zero window,
 * a RST's cause, a finding's group work): kept out of line and out of
 * the hot text, so the per-segment path the compiler lays out is short.
 * Measured: about 8 ms less on the bench capture's 1M segments.
 */
#define DET_COLD __attribute__((cold, noinline))

#define NS_PER_SEC 1000000000LL
#define NS_PER_MS 1000000LL

/* What a group is about.  Keys compare as bytes: always zero them first. */
struct subject_key {
	uint8_t id;             /* enum finding_id */
	uint8_t aux;            /* the detector's own: a cause, a kind */
	uint8_t family;
	uint8_t has_port;       /* 0: the subject is a host */
	uint16_t port;
	uint16_t port2;
	uint8_t addr[16];
	/* A second party where the grouping needs one (the sender). */
	uint8_t addr2[16];
	/*
	 * The tunnel the subject lives in (flow_key's tunnel): the same
	 * address in two tenants' networks is two subjects.
	 */
	uint16_t tunnel;
	uint16_t zero[3];       /* padding, always 0: keys compare as bytes */
};

#define RATE_BUCKETS 10

/* Counts in a sliding window of RATE_BUCKETS buckets. */
struct rate_ring {
	int64_t start;          /* of the newest bucket */
	uint64_t sum;
	uint32_t n[RATE_BUCKETS];
	uint8_t head;
};

/* A set of 32-bit hashes (distinct sources, targets). */
struct hash_set {
	uint32_t *slots;        /* 0 marks a free slot */
	uint32_t mask, count;
};

/*
 * Counts per 32-bit hash; live is how many have a count above 0.  A
 * key and its count share a slot, so that a count costs one cache miss
 * (a SYN flood counts each of 500,000 sources).
 */
struct count_slot {
	uint32_t key;           /* 0 marks a free slot */
	uint32_t count;
};

struct count_map {
	struct count_slot *slots;
	uint32_t mask, used, live;
};

/*
 * Room for a detector's own state in each of its groups: nine words,
 * for the largest need (rst_storm's connections per cause and its peak
 * time).  The detector file declares a struct per finding, next to the
 * code that uses it, and reaches it through DET_GROUP_STATE_ACCESSORS.
 */
#define DET_GROUP_STATE_SIZE 80

union det_group_state {
	uint64_t align_;        /* the detectors' structs hold 64-bit counts */
	unsigned char bytes[DET_GROUP_STATE_SIZE];
};

/*
 * Everything one finding is computed from: what every finding has, and
 * in state what its detector counts (see its file).
 */
struct det_group {
	struct subject_key key;
	uint32_t number;        /* its place among all groups */
	int32_t finding;        /* its place among the fired, or -1 */
	/*
	 * Kept when the slot is reclaimed and made again (group_release()):
	 * how often it was, and by bit generation % 16, whether that
	 * generation's finding was folded into counts (a slot may be made
	 * again several times between two snapshots).  A finding's key
	 * carries the generation, so a new subject in the slot is never
	 * taken for the old one.
	 */
	uint16_t generation;
	uint16_t folded_bits;
	bool in_use;
	int64_t first_ts, last_ts;
	uint64_t count;         /* the value, for most detectors */
	union det_group_state state;
	/*
	 * Findings folded into this one (a port scan's, see group_scanner() in
	 * detect.c), while detectors_findings() describes them.
	 */
	uint32_t folded;
	bool provisional;       /* fired by group_fire_live() only */
	double threshold;       /* what count was measured against */
	/* A sequence of times (SYN retries) of one flow, for the evidence. */
	uint64_t times_uid;
	uint8_t n_times;
	int64_t times[8];
	/* port_scan's attempts in its window (see detect_tcp_open.c). */
	uint64_t *fifo;
	uint32_t fifo_cap, fifo_head, fifo_len;
	struct rate_ring ring;
	struct hash_set set;
	struct count_map counts;
	/*
	 * The one other party (a source) seen so far, so findings about
	 * a scanner's targets can be folded into its port_scan finding.
	 */
	uint8_t party[16];
	bool has_party, parties_mixed;
	/* Evidence. */
	struct client_tally clients;    /* the initiators of its flows */
	uint64_t flow_count;
	uint8_t n_flows, n_frames, n_packets;
	uint64_t flows[FINDING_MAX_FLOWS];
	uint64_t frames[FINDING_MAX_FRAMES];
	uint64_t packet_frames[FINDING_MAX_PACKETS];
	char packets[FINDING_MAX_PACKETS][FINDING_PACKET_LEN];
};

/*
 * Defines of(g) and of_const(g), which give g's state as the detector's
 * own type; the compiler checks that it fits.  All the groups of one
 * finding (of one aux, where a finding has two kinds of group) use the
 * same type, so the state is never read as another.  Used once per type
 * in the detector's file:
 *
 *   DET_GROUP_STATE_ACCESSORS(struct close_wait_state, close_wait_of,
 *                             close_wait_of_const);
 */
#define DET_GROUP_STATE_ACCESSORS(type, of, of_const)                    \
	static inline type *of(struct det_group *g)                      \
	{                                                                \
		return (type *)(void *)g->state.bytes;                   \
	}                                                                \
	static inline const type *of_const(const struct det_group *g)    \
	{                                                                \
		return (const type *)(const void *)g->state.bytes;       \
	}                                                                \
	_Static_assert(sizeof(type) <= DET_GROUP_STATE_SIZE &&            \
		       _Alignof(type) <= _Alignof(union det_group_state), \
		       #type " fits a group's state")

/*
 * Defines of(cfg), which gives finding ID's thresholds (cfg->unit[ID])
 * as its detector's own type; the compiler checks that it fits.  Used
 * once in the detector's file, beside the struct:
 *
 *   DET_SETTINGS_ACCESSORS(struct nagle_settings, FINDING_NAGLE_DELAYED_ACK,
 *                          nagle_settings_of);
 *
 * The call is a constant offset from cfg: a plain load on the hot path.
 */
#define DET_SETTINGS_ACCESSORS(type, ID, of)                              \
	static inline const type *of(const struct detect_config *c)       \
	{                                                                 \
		return (const type *)(const void *)c->unit[ID].bytes;     \
	}                                                                 \
	_Static_assert(sizeof(type) <= DET_SETTINGS_SIZE &&               \
		       _Alignof(type) <= _Alignof(union detector_settings), \
		       #type " fits a detector's settings")

/*
 * A detector's rows (struct setting), in its file: DET_SWITCHES (enabled
 * and severity, named by the finding) first, then one per field of its
 * thresholds' struct, stored at DET_SETTING_AT(ID, type, field).  Its ops
 * table takes them with their count, DET_ROWS(rows).
 */
#define DET_SWITCHES(name, ID)                                            \
	{.section = name, .key = "enabled", .type = SETTING_BOOL,         \
	 .min = 0, .max = 1, .def = 1,                                    \
	 .offset = offsetof(struct settings, detect.det[ID].enabled),     \
	 .doc = "run this detector"},                                     \
	{.section = name, .key = "severity", .type = SETTING_SEVERITY,    \
	 .min = 0, .max = SEVERITY_CRITICAL,                              \
	 .def = SETTING_CATALOG_SEVERITY,                                 \
	 .offset = offsetof(struct settings, detect.det[ID].severity),    \
	 .doc = "severity of its findings"}
#define DET_SETTING_AT(ID, type, field)                                   \
	(offsetof(struct settings, detect.unit[ID]) + offsetof(type, field))
#define DET_ROWS(rows) (sizeof(rows) / sizeof((rows)[0]))

enum det_flow_flag {
	/*
	 * Its attempt is in its source's port_scan group already: as failed
	 * (retried with no answer so far) or, once its SYN-ACK came, as an
	 * open port; its end does not count it again.
	 */
	DF_SCAN_COUNTED = 1u << 0,
	DF_HANDSHAKE_DONE = 1u << 1,    /* both SYNs acknowledged */
	DF_RST_CLASSIFIED = 1u << 2,
	DF_SYN_FLOOD_COUNTED = 1u << 3, /* its attempt is in a syn_flood ring */
	DF_DEAD_PEER = 1u << 4,         /* counted as a dead peer */
	DF_HALF_OPEN = 1u << 5,         /* counted as half-open */
	DF_SYNACK_RETRIED = 1u << 6,
	DF_REFUSED = 1u << 7,
	DF_SYN_PENDING = 1u << 8,       /* waiting to be judged half-open */
	DF_SYNACK_SEEN = 1u << 9,       /* the listener answered its SYN */
	DF_DACK = 1u << 10,             /* dack_ts holds a delayed ACK */
	/* Retried min_retries times with no answer yet: counted live. */
	DF_SYN_WAITING = 1u << 11,
	/* Stuck (stuck_dir), counted live in its retransmit_burst group. */
	DF_STUCK_LIVE = 1u << 12,
	/* Refused by a full accept queue (accept_queue_overflow). */
	DF_AQ_REFUSED = 1u << 13,
	/*
	 * How syn_flood counts a half-open attempt that has not ended yet
	 * (enum flood_open_kind, in these two bits): so that a live finding
	 * states its facts, and its end takes back exactly what was added.
	 */
	DF_FLOOD_OPEN_SHIFT = 14,
	DF_FLOOD_OPEN_MASK = 3u << 14,
};

/*
 * Bits of struct flow's sink_mark: what a flow's end needs without
 * fetching its side state, which by then has long left the cache.
 */
enum det_mark {
	DM_SIDE_WORK = 1u << 0,         /* the side state has work for the end */
	DM_TIME_WAIT_0 = 1u << 1,       /* its originator's TIME_WAIT is counted */
	DM_TIME_WAIT_1 = 1u << 2,       /* its responder's */
	/* Passing states most connections leave again before they end. */
	DM_CLOSE_WAIT = 1u << 3,        /* an endpoint is in CLOSE_WAIT */
	DM_ZERO_WINDOW = 1u << 4,       /* a side advertises a zero window */
	DM_SYN = 1u << 5,               /* its attempt waits, or was half-open */
	/*
	 * What the end of a normal connection is judged on (churn, a scan's
	 * successes), set while the tracker's state is still in the cache.
	 */
	DM_OPENED = 1u << 6,    /* a whole handshake: SYN, SYN-ACK, ACK */
	DM_CLOSED = 1u << 7,    /* closed by FINs or a RST (tcp_conn_close) */
};
#define DM_SIDE_ANY (DM_SIDE_WORK | DM_CLOSE_WAIT | DM_ZERO_WINDOW | DM_SYN)


/*
 * What the detectors remember of one live flow: one cache line, kept in
 * the flow (detectors_flow_storage()), read and written by every segment.
 * Every byte more per flow is paid on every connection, in cache misses
 * on the flow table; what only some connections need (a CLOSE_WAIT, a
 * zero window, retransmissions) is in a struct det_flow_ext, taken from
 * a pool while in use.
 */
struct det_flow {
	uint8_t state[2];       /* both endpoints' states after its last segment */
	uint16_t flags;         /* enum det_flow_flag */
	uint8_t last_data_dir;  /* who sent data last; 2 = nobody yet */
	uint8_t stuck_dir;      /* a run of timeouts, peer silent: 2 none */
	uint8_t cw_dir;         /* the endpoint in CLOSE_WAIT */
	uint8_t dack_dir;       /* the endpoint whose data a delayed ACK acked */
	uint8_t syn_retries;
	uint8_t rst_cause;      /* enum rst_cause + 1 once classified */
	uint8_t retx_run[2];    /* retransmissions in a row, the peer silent */
	uint8_t big_run[2];     /* of them, larger than ever seen ACKed */
	uint8_t ka_run[2];      /* keep-alives in a row, the peer silent */
	uint16_t max_len[2];    /* largest payload sent */
	uint16_t max_len_acked[2]; /* largest payload seen acknowledged */
	uint16_t last_len[2];   /* payload of its latest data segment */
	uint32_t ext;           /* its struct det_flow_ext's number + 1; 0 none */
	uint32_t max_end[2];    /* relative end of the largest segment sent */
	/*
	 * Payload bytes sent per side in the newer half of retransmit_burst's
	 * window (the older half and what was resent are in the extension):
	 * bytes, so a TSO super-frame counts for what it carries.
	 */
	uint32_t segs[2];
	uint32_t syn_check;     /* its pending entry's number (syn_flood) */
	uint8_t peer_dup[2];    /* the side's latest segment was a dup ACK or SACK */
	bool stuck_black_hole;
	uint8_t nagle_events;
	int64_t share_start;    /* of the newer half */
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct det_flow) == 64, "one cache line per flow");

/*
 * The rest of a flow's side state, for the connections that need it.
 * Invariant: a flow with an extension has a DM_SIDE_ANY bit in its
 * sink_mark, so its end finds and frees it.
 */
struct det_flow_ext {
	uint32_t segs_old[2];   /* bytes sent in the older half of the window */
	uint32_t retx[2][2];    /* resent, [side][0 older, 1 newer half] */
	uint16_t zw_probes;
	uint32_t next_free;     /* in the pool's free list */
	int64_t cw_since;       /* when an endpoint entered CLOSE_WAIT, or 0 */
	uint64_t cw_frame;      /* the segment that put it there */
	uint64_t cw_watch;      /* its close-wait watch entry's number + 1 */
	int64_t zw_since[2];    /* zero window advertised since, or 0 */
	uint64_t zw_frame[2];   /* the segment that advertised it first */
	uint32_t zw_watch[2];   /* its zero-window watch entry + 1, or 0 */
	int64_t dack_ts;        /* when that delayed ACK came (DF_DACK) */
	int64_t t_dack;         /* how late it was */
	int64_t dup_ts[2];      /* of the side's latest segment, if peer_dup */
	uint64_t stuck_frame;
	/*
	 * checksum_errors: the side's retransmissions as of its latest data
	 * segment with a bad checksum, + 1 (0: none): one more at the end
	 * means it was sent again, as a receiver that dropped it needs.
	 */
	uint32_t cksum_retx[2];
};

#define DET_HOT_SLOTS (2 * FINDING_COUNT)

/* A group remembered by its parties' addresses (struct detectors). */
struct group_memo {
	uint32_t number;        /* the group's number + 1; 0: none yet */
	uint16_t tunnel;
	uint8_t family;
	uint16_t port;
	uint8_t addr[16], addr2[16];
};

/* A flow in CLOSE_WAIT (close_wait_leak's watch). */
struct close_wait_watch {
	struct det_flow *df;    /* NULL: it left CLOSE_WAIT or ended */
	int64_t since;          /* its idle time in CLOSE_WAIT began */
	uint32_t group;         /* its group's number + 1 once past min_age */
};

/* A side advertising a zero window (zero_window_stall's watch). */
struct zero_window_watch {
	struct det_flow *df;
	uint32_t group;         /* its group's number + 1 once past min_duration */
	uint8_t side;           /* the receiver */
};

/* What a segment did to its connection's setup (detect_handshake.c). */
enum attempt_event {
	ATTEMPT_SYN = 1u << 0,          /* the client's first SYN */
	ATTEMPT_SYN_RETRY = 1u << 1,    /* its SYN sent again */
	ATTEMPT_COMPLETED = 1u << 2,    /* the handshake completed now */
	ATTEMPT_RST_EARLY = 1u << 3,    /* a RST before it completed */
	ATTEMPT_REFUSED = 1u << 4,      /* that RST, the server's: refused */
	/*
	 * The server sent its SYN-ACK again after the client had
	 * acknowledged it: it did not take the client's ACK.
	 */
	ATTEMPT_SYNACK_AGAIN = 1u << 5,
	/*
	 * The listener's SYN-ACK (its first or one sent again) to an attempt
	 * syn_flood counts half-open: what it has heard so far changes.
	 */
	ATTEMPT_SYNACK = 1u << 6,
	/*
	 * The listener's first SYN-ACK to a source that has a port_scan
	 * group: an open port, counted as it is seen.
	 */
	ATTEMPT_SCAN_ANSWER = 1u << 7,
};

/* A connection attempt waiting to be judged half-open (syn_flood). */
struct pending_attempt {
	struct det_flow *df;    /* NULL: settled, skip it */
	uint32_t ms;            /* its start, since pending_base */
};

/*
 * Which segments a unit's on_segment wants (struct detector_ops's
 * segments): most segments of an established connection interest only
 * a few units, and a bit test is cheaper than a call that returns.
 */
enum det_segment {
	/*
	 * A connection attempt's first SYN, its handshake completed, or a
	 * RST before that (d->attempt, see det_handshake_facts()); or the
	 * listener's SYN-ACK to one counted half-open (ATTEMPT_SYNACK) or
	 * to a possible scanner (ATTEMPT_SCAN_ANSWER).
	 */
	SEG_ATTEMPT = 1u << 0,
	SEG_FIN_RST = 1u << 1,
	SEG_RST = 1u << 2,
	/* An endpoint enters or leaves CLOSE_WAIT, or one is in it. */
	SEG_CLOSE_WAIT = 1u << 3,
	SEG_TIME_WAIT = 1u << 4,        /* an endpoint enters or leaves it */
	/* A zero window advertised, probed, or one still open. */
	SEG_ZERO_WINDOW = 1u << 5,
	/* A keep-alive, or the first word after unanswered ones. */
	SEG_KEEPALIVE = 1u << 6,
	/*
	 * Data, data sent again, or the first word to a sender whose peer
	 * had gone silent (retransmit_burst's).
	 */
	SEG_TRANSFER = 1u << 7,
	/*
	 * A pure ACK that timed a segment, or any segment while a delayed
	 * ACK is watched; never a SYN, FIN or RST.
	 */
	SEG_ACK_TIMED = 1u << 8,
	/*
	 * The client's SYN sent again (ATTEMPT_SYN_RETRY), the first
	 * answer to an attempt that retried (syn_unanswered's), or the
	 * server's SYN-ACK sent again after the client's ACK
	 * (ATTEMPT_SYNACK_AGAIN).
	 */
	SEG_SYN_RETRY = 1u << 9,
	SEG_EVERY = 0x3ff,      /* every segment, plain ones included */
};
#define SEG_KINDS 1024          /* values a segment's kind takes */

/*
 * Which packets a unit's on_packet wants (struct detector_ops's
 * packets): nearly every packet is neither kind and is handed to no
 * unit at all.
 */
enum det_packet {
	/* A layer's checksum is wrong (not an offload artefact). */
	PKT_CHECKSUM_BAD = 1u << 0,
	/* The datagram just rebuilt from fragments (on_reassembled). */
	PKT_REASSEMBLED = 1u << 1,
	PKT_EVERY = 0x3,
};

/* A unit's on_packet and the packets it wants, in dispatch order. */
struct det_packet_hook {
	void (*fn)(struct detectors *d, const struct packet *pkt,
		   const struct flow *f);
	uint8_t packets;
};

/* Units a detectors value runs at most (det_units[] in detect.c). */
#define DET_MAX_UNITS 24

/* A unit's on_segment and the segments it wants, in dispatch order. */
struct det_segment_hook {
	void (*fn)(struct detectors *d, const struct packet *pkt,
		   const struct flow *f, const struct tcp_seg_info *info,
		   struct det_flow *df);
	uint16_t segments;
};

struct detectors {
	struct detect_config cfg;
	const struct tunnel_table *tunnels; /* NULL: tunnels not named */
	/*
	 * The units' per-packet hooks, gathered once in det_units[] order
	 * without the units that have none: every packet walks these.
	 */
	struct det_segment_hook seg_hooks[DET_MAX_UNITS];
	struct det_packet_hook packet_hooks[DET_MAX_UNITS];
	/*
	 * The on_flow_end hooks for a flow without work in its side state
	 * ([0]: the units without end_needs_side) and for one with ([1]:
	 * all), each in det_units[] order.
	 */
	void (*flow_end_hooks[2][DET_MAX_UNITS])(struct detectors *d,
						 const struct flow *f,
						 struct det_flow *df);
	uint8_t n_seg_hooks, n_packet_hooks, n_flow_end_hooks[2];
	/*
	 * For each kind of segment (enum det_segment bits), the seg_hooks
	 * that want it, in order: the per-segment dispatch calls those and
	 * tests no other.
	 */
	uint8_t seg_list[SEG_KINDS][DET_MAX_UNITS];
	uint8_t seg_list_len[SEG_KINDS];
	/* Any detector that follows TCP connections is on (else no work). */
	bool tcp_on;
	struct analyzer_config engine;
	struct finding_sink sink;
	/* retransmit_burst's retransmissions by kind (detectors_retransmissions()). */
	uint64_t retx_by_kind[3];
	/* Connections by the cause of their first RST (detectors_resets()). */
	uint64_t rst_by_cause[DETECT_RST_CAUSES];
	int64_t now;
	bool oom;
	/* Flow extensions, in chunks, with a free list (number + 1, 0 end). */
	struct det_flow_ext **ext_chunks;
	size_t n_ext, ext_chunks_cap;
	uint32_t ext_free;
	/*
	 * Groups, in chunks (pointers stay valid), found through a hash.
	 * n_groups is the slots ever made; n_live those in use, the others
	 * are in free_slots (numbers) to be made again.
	 */
	struct det_group **groups;
	size_t n_groups, group_chunks, n_live;
	uint32_t *free_slots;
	size_t n_free;
	uint32_t max_groups;    /* subjects kept at most (max_subjects) */
	uint32_t *index;        /* group number + 1, 0 free */
	uint32_t hot[DET_HOT_SLOTS]; /* the latest found per id (+1, 0 none) */
	uint64_t groups_dropped; /* subjects not tracked: max_groups reached */
	/* Findings resolved and folded into counts (detect_reclaim.c). */
	struct detect_folded folded[FINDING_COUNT];
	uint64_t reclaimed;     /* groups forgotten, folded ones included */
	/*
	 * The store is seven eighths full: reclaim before the next event,
	 * if not tried since reclaim_after (a store of what may not go yet
	 * is looked through once a tick, not once per new subject).
	 */
	bool reclaim_due;
	int64_t reclaim_after;
	size_t index_mask;
	/* Groups that fired, in the order they did. */
	uint32_t *fired;
	size_t n_fired, fired_cap;
	uint32_t fired_per_id[FINDING_COUNT];
	uint64_t suppressed;    /* left out of the last detectors_findings() */
	struct finding *out;    /* detectors_findings() */
	/*
	 * Connection attempts waiting to be judged half-open (syn_flood):
	 * its side state and ms since pending_base, oldest first; df NULL
	 * once the attempt completed or ended (so judging it touches
	 * nothing: most complete within a round trip).
	 * Looked at on every new attempt and every DET_TICK_NS of capture
	 * time, so a flood's finding does not wait for its flows to end;
	 * a listener gets a group only once an attempt to it is half-open.
	 */
	/*
	 * close_wait_leak's watch (detect_close_wait.c): the flows in
	 * CLOSE_WAIT by the time they entered it, so that a sweep counts
	 * those past min_age while they still are, not at their end.
	 */
	struct close_wait_watch *cw_watch;
	size_t cw_cap, cw_head, cw_len;
	size_t cw_judged;       /* entries before it were judged */
	uint64_t cw_base;       /* the number of the entry at index 0 */
	/*
	 * zero_window_stall's watch (detect_zero_window.c): the sides at a
	 * zero window now, in no order, so that a sweep counts a stall past
	 * min_duration while it is still on.
	 */
	struct zero_window_watch *zw_watch;
	size_t zw_cap, zw_len;
	struct pending_attempt *pending;
	size_t pending_cap, pending_head, pending_len;
	uint32_t pending_seq;   /* the head entry's number; entries count on */
	int64_t pending_base;
	/* Sources with a port_scan group, by hash bit: most have none. */
	uint64_t scan_sources[1024];
	int64_t next_tick;
	/*
	 * Short connections per client and service before they earn a
	 * group (short_connection_churn): a client that talks to many
	 * services once each must not fill the detectors' subjects.
	 */
	struct count_map churn_seen;
	struct count_map rst_seen;      /* the same for rst_storm */
	uint64_t seen_restarts; /* either cleared, full (group_earned()) */
	/*
	 * Listeners with an accept_queue_overflow group: until one refuses
	 * an attempt, no flow's end asks for one.
	 */
	uint32_t aq_listeners;
	/*
	 * The latest group of time_wait_accumulation and of
	 * short_connection_churn, for the next connection of the same
	 * parties: a busy pair opens thousands in a row, and matching the
	 * flow's addresses costs less than building the key to look up.
	 */
	struct group_memo tw_memo, churn_memo;
	/*
	 * The sink_mark of the flow whose segment or end is being handed
	 * to the units (struct flow_sink_area); NULL between events.
	 */
	uint8_t *mark;
	/*
	 * The TCP segment whose packet hooks run, as the tracker saw it,
	 * and its flow's side state (its on_packet units see them with
	 * mark); NULL otherwise.
	 */
	const struct tcp_seg_info *side_seg;
	struct det_flow *side;
	/*
	 * The segment being dispatched is its flow's first RST: its enum
	 * rst_cause + 1 (detect_rst_cause.c); 0 otherwise.
	 */
	uint8_t first_rst;
	/* What it did to its connection's setup (enum attempt_event bits). */
	uint8_t attempt;
	/* A datagram just rebuilt from fragments, until its flow is known. */
	const struct packet *pending_whole;
	size_t pending_frags;
};

#define DET_TICK_NS (100 * NS_PER_MS)

/* Data sent again, of any kind (tcp_annot.h). */
#define DET_RETRANSMITTED (TCP_ANNOT_BIT(RETRANSMISSION) |              \
			   TCP_ANNOT_BIT(FAST_RETRANSMISSION) |         \
			   TCP_ANNOT_BIT(SPURIOUS_RETRANSMISSION))
/* Probes, which resend a byte or none on purpose. */
#define DET_PROBES (TCP_ANNOT_BIT(KEEP_ALIVE) |                          \
		    TCP_ANNOT_BIT(ZERO_WINDOW_PROBE))
/*
 * A finding with no event for this long is over, unless its detector
 * says otherwise (struct detector_ops's ongoing).
 */
#define DET_QUIET_NS (60 * NS_PER_SEC)
/* Groups per chunk (struct detectors's groups). */
#define DET_GROUP_CHUNK 256
/*
 * Subjects tracked at most (about 1 KiB each), and by default: a
 * finding's key holds a group's number in its low 16 bits.
 */
#define MAX_GROUPS 65536
/*
 * Once the store nears its bound, a fired finding resolved and quiet
 * this long may be folded into counts; a subject no window bounds (a
 * count over the whole run) that never fired may be forgotten once
 * quiet DET_FORGET_NS.
 */
#define DET_FOLD_QUIET_NS (60 * NS_PER_SEC)
#define DET_FORGET_NS (600 * NS_PER_SEC)

_Static_assert(_Alignof(struct det_flow) <= FLOW_SINK_ALIGN,
	       "the flow's sink storage is aligned enough");

/*
 * The flow marks (enum det_mark) are the cache API with the extensions
 * below: units read a flow's marks with det_marked(), which costs no
 * side-state fetch, and set or clear them on the flow being handed to
 * them with det_mark() and det_unmark().
 */
static inline bool det_marked(const struct flow *f, uint8_t bits)
{
	return (f->sink_mark & bits) != 0;
}

/* Marks the flow being handed to the units (its segment or its end). */
static inline void det_mark(struct detectors *d, uint8_t bits)
{
	*d->mark |= bits;
}

static inline void det_unmark(struct detectors *d, uint8_t bits)
{
	*d->mark &= (uint8_t)~bits;
}

/* Flow extensions per chunk of the pool (their addresses stay valid). */
#define DET_EXT_CHUNK 1024

/* The flow whose storage df is. */
static inline const struct flow *det_flow_owner(const struct det_flow *df)
{
	return (const struct flow *)((const char *)df - FLOW_SINK_OFFSET);
}

/* detect.c: the flow extensions. */
/* df's extension, or NULL. */
struct det_flow_ext *det_ext_of(struct detectors *d, const struct det_flow *df);
/*
 * df's extension, made zeroed if it has none (NULL: no memory).  mark is
 * the sink_mark bit that keeps it found at the flow's end: the caller's
 * own (DM_CLOSE_WAIT, DM_ZERO_WINDOW, set before) or DM_SIDE_WORK.
 */
struct det_flow_ext *det_ext_get(struct detectors *d, struct det_flow *df,
				 uint8_t mark);
/*
 * After a user of the extension let go (and cleared its own mark):
 * frees it when nothing in it is in use, else keeps it found.
 */
void det_ext_settle(struct detectors *d, struct det_flow *df);

/* detect.c: groups, evidence, findings. */
void subject_host(struct subject_key *k, enum finding_id id,
		  const struct flow *f, int dir);
void subject_endpoint(struct subject_key *k, enum finding_id id,
		      const struct flow *f, int dir);
/* The endpoint when it serves (the responder), else its host. */
void subject_of_side(struct subject_key *k, enum finding_id id,
		     const struct flow *f, int dir);
/* The second party: the host of dir. */
void subject_add_party(struct subject_key *k, const struct flow *f, int dir);
/* The group for k, made on first use (NULL: no memory). */
struct det_group *group_get(struct detectors *d, const struct subject_key *k,
			    int64_t now);
/* The group numbered n (struct det_group's number). */
struct det_group *group_by_number(struct detectors *d, uint32_t n);
/*
 * Forgets g: out of the index, the hot slots and the memos, its memory
 * freed and its slot free to be made again with the next generation.
 * Only between events (no hook may hold g), and never for a fired group
 * still in the fired list.
 */
void group_release(struct detectors *d, struct det_group *g, bool folded);
/*
 * The port_scan group a fired g is folded into when listed (its refused
 * or unanswered attempts are the scan's), or NULL.
 */
struct det_group *group_scanner(struct detectors *d,
				const struct det_group *g);
/* What detectors_findings() would list for g, and whether it holds. */
void group_describe(const struct detectors *d, const struct det_group *g,
		    struct finding *out);
bool group_ongoing(const struct detectors *d, const struct det_group *g);
/* Fired live only, and all of that undone since: not listed. */
bool group_withdrawn(const struct det_group *g);
/*
 * detect_reclaim.c: when the store nears max_groups, forgets the groups
 * that can no longer fire and folds the resolved findings quiet longest
 * into counts, until a quarter of the room is free again (or nothing
 * more may go).  Only between events.
 */
void det_reclaim(struct detectors *d);
/*
 * A reclaimable op for a count over the whole run that nothing names but
 * its key: one that never fired goes once quiet DET_FORGET_NS, a fired
 * one whenever its finding may be folded.
 */
bool det_reclaimable_count(const struct det_group *g, int64_t now,
			   const struct detect_config *cfg);
/*
 * The group for k, once seen has counted `after` events for it: before
 * that NULL (the event is only counted), then the group, made, with *n
 * the events it stands for (all counted so far, or 1 afterwards).  For
 * subjects most of which only ever count once or twice.
 */
struct det_group *group_earned(struct detectors *d, struct count_map *seen,
			       const struct subject_key *k, uint32_t after,
			       int64_t now, uint32_t *n);
/* The group for k if it exists. */
struct det_group *group_find(struct detectors *d, const struct subject_key *k);
/* m's group if it is for host a (and b:port, when b is given), or NULL. */
struct det_group *group_memo_match(struct detectors *d,
				   const struct group_memo *m,
				   const struct flow *f, const uint8_t *a,
				   const uint8_t *b, uint16_t port);
/* Remembers g as the group of host a (and b:port) in m. */
void group_memo_keep(struct group_memo *m, const struct det_group *g,
		     const struct flow *f, const uint8_t *a, const uint8_t *b,
		     uint16_t port);
void group_touch(struct det_group *g, int64_t now);
void group_add_flow(struct det_group *g, const struct flow *f);
void group_add_frame(struct det_group *g, uint64_t frame);
/* Notes the source of what g counts (see party). */
void group_note_party(struct det_group *g, const uint8_t addr[16]);
void group_add_packet(struct det_group *g, const struct packet *pkt,
		      const struct flow *f, const struct tcp_seg_info *info);
/* Fires g's finding unless it has (the sink hears of it). */
void group_fire(struct detectors *d, struct det_group *g);
/*
 * Fires g's finding on what is seen live only (a connection still in
 * CLOSE_WAIT, an attempt still retrying): provisional until group_fire()
 * confirms it, withdrawn from the list if its detector's live_pending
 * says all of it was undone.
 */
void group_fire_live(struct detectors *d, struct det_group *g);
/* Adds n at now to a window of width window_ns; returns its sum. */
uint64_t rate_add(struct rate_ring *r, int64_t now, int64_t window_ns,
		  uint32_t n);
/* Takes n back from the bucket that holds time t, if still in the window. */
void rate_sub(struct rate_ring *r, int64_t t, int64_t window_ns, uint32_t n);
/* True when h was not in the set yet (it is now). */
bool hash_set_add(struct hash_set *s, uint32_t h, bool *oom);
uint32_t hash_bytes(const void *p, size_t n);
/*
 * Whether f was still retrying (SYNs, retransmissions) when the capture
 * ended: cut by the end while quiet for less than its next back-off
 * could be (at most all of its time so far, plus the initial RTO).
 */
static inline bool det_retrying_at_end(const struct detectors *d,
				       const struct flow *f)
{
	return f->end_reason == FLOW_END_CAPTURE_END &&
	       d->now - f->last_ts <= f->last_ts - f->first_ts + NS_PER_SEC;
}

/* A hash of the address of f's side dir (sources, targets). */
static inline uint32_t det_addr_hash(const struct flow *f, int dir)
{
	return hash_bytes(flow_addr(f, dir), 16);
}
/* Bit of f's originator in d->scan_sources (port_scan's). */
static inline uint32_t det_scan_bit(const struct flow *f)
{
	return det_addr_hash(f, FLOW_ORIG) % (64 * 1024);
}

/* Whether f's originator may have a port_scan group. */
static inline bool det_scan_source(const struct detectors *d,
				   const struct flow *f)
{
	uint32_t bit = det_scan_bit(f);

	return d->scan_sources[bit / 64] & 1ull << (bit % 64);
}

/*
 * Adds delta (+1 or -1) to h's count, and gives the new count (count may
 * be NULL); false when memory ran out.
 */
bool count_map_add(struct count_map *m, uint32_t h, int delta,
		   uint32_t *count);
/* Keys a map holds at most (16 MiB of slots); past that, new ones wait. */
#define COUNT_MAP_MAX (1u << 21)
/* h's count (0: none). */
uint32_t count_map_get(const struct count_map *m, uint32_t h);
/* Sets h's count to 0, as if never counted. */
void count_map_forget(struct count_map *m, uint32_t h);
void count_map_free(struct count_map *m);
/*
 * Merges (detect_merge.c): into gets from's values too; false when memory
 * ran out.  A ring's buckets are added at their start times, so the
 * merged window is exact to a bucket (a tenth of the window).
 */
void rate_merge(struct rate_ring *into, const struct rate_ring *from,
		int64_t window_ns);
bool hash_set_merge(struct hash_set *into, const struct hash_set *from);
bool count_map_merge(struct count_map *into, const struct count_map *from);

bool det_enabled(const struct detectors *d, enum finding_id id);
int64_t det_now(const struct detectors *d);

/* What a merged group's counts say (struct detector_ops's verdict). */
enum det_verdict {
	DET_QUIET,              /* below its threshold */
	DET_FIRES,              /* a finding */
	DET_FIRES_LIVE,         /* a finding on what is live only */
};

/* How a counter of a group's state merges (struct det_reducer). */
enum det_reduce {
	DET_SUM,                /* counted on both sides */
	DET_MAX,
	DET_MIN_SET,            /* the smaller of those not 0 (0: none yet) */
};

/* One counter, or an array of them, of 64-bit integers in a state. */
struct det_reducer {
	uint8_t offset, n;
	uint8_t how;            /* enum det_reduce */
};

#define DET_REDUCE(type, field, how)                                     \
	{offsetof(type, field), sizeof(((type *)0)->field) / 8, how}

/* An ops table's reducers and their number. */
#define DET_REDUCERS(table)                                              \
	.reducers = (table), .n_reducers = sizeof(table) / sizeof((table)[0])

/* Folds from's counters into into's state, by the table's rules. */
void det_reduce(struct det_group *into, const struct det_group *from,
		const struct det_reducer *table, size_t n);
/*
 * A peak (the most at once) after a merge: the larger of both sides'
 * and of what the merged state counts now; returns which one won
 * (0 into's, 1 from's, 2 now's), for a unit that notes when.
 */
int det_merge_peak(struct det_group *into, const struct det_group *from,
		   uint64_t now_value);

/*
 * One detector unit: the findings it owns and its hooks, all optional.
 * The dispatcher in detect.c calls every unit's hook in the order of
 * det_units[] (a unit may read side state an earlier one set).
 *
 *   on_segment   every TCP segment of a tracked flow, before the side
 *                state's states are updated (df->state is the state
 *                before it); only when some TCP unit is on
 *   on_flow_end  a TCP flow is final; df is NULL when its sink_mark has
 *                no DM_SIDE_ANY bit (nothing waits in the side state),
 *                and then a unit with end_needs_side is not called
 *   on_packet    the TCP, UDP and ICMP packets of a flow it asks for
 *                (packets)
 *   sweep        capture time moved past a tick (DET_TICK_NS): judge
 *                what waits on time alone, without a packet
 *   finish       the capture ended; settle what only all of it tells
 *   describe     fills out's measured part for one of its groups
 *   ongoing      whether a fired group's condition still holds at now
 *                (NULL: while events keep coming, see detect.c)
 *   live_pending whether g counts live what is not settled yet (for
 *                group_fire_live(); NULL: never)
 */
struct detector_ops {
	const char *name;
	enum finding_id ids[4];
	uint8_t n_ids;
	/*
	 * Its rows in the configuration file, section by section in the
	 * order of ids (DET_SWITCHES, then its thresholds' rows).
	 */
	const struct setting *settings;
	size_t n_settings;
	bool tcp;               /* follows TCP connections (side state) */
	/*
	 * The enum det_segment bits of the segments on_segment is called
	 * for (SEG_EVERY: all); a unit with an on_segment must set them.
	 */
	uint16_t segments;
	void (*on_segment)(struct detectors *d, const struct packet *pkt,
			   const struct flow *f,
			   const struct tcp_seg_info *info, struct det_flow *df);
	void (*on_flow_end)(struct detectors *d, const struct flow *f,
			    struct det_flow *df);
	/*
	 * on_flow_end has nothing to do for a flow whose side state has no
	 * work (df NULL), as for most flows: it is not called for those.
	 */
	bool end_needs_side;
	/*
	 * The enum det_packet bits of the packets on_packet is called for;
	 * a unit with an on_packet must set them.
	 */
	uint8_t packets;
	void (*on_packet)(struct detectors *d, const struct packet *pkt,
			  const struct flow *f);
	void (*on_icmp_error)(struct detectors *d, const struct packet *pkt,
			      const struct flow *quoted);
	void (*on_reassembled)(struct detectors *d, const struct packet *whole,
			       size_t fragments);
	void (*sweep)(struct detectors *d);
	void (*finish)(struct detectors *d, const struct defrag_stats *frag);
	void (*describe)(const struct det_group *g, struct finding *out,
			 const struct detect_config *cfg);
	bool (*ongoing)(const struct det_group *g, int64_t now,
			const struct detect_config *cfg);
	/* g counts something live that is not settled yet. */
	bool (*live_pending)(const struct det_group *g);
	/*
	 * Whether g may be forgotten at now (detect_reclaim.c): nothing
	 * still names it (a watch, a pending attempt, a flow's side state)
	 * and its evidence is older than its window, so that a subject made
	 * again counts as this one would have.  NULL: its groups are kept
	 * for the whole run.  forget undoes what the unit keeps of g
	 * outside it (a count before it earned a group); may be NULL.
	 */
	bool (*reclaimable)(const struct det_group *g, int64_t now,
			    const struct detect_config *cfg);
	void (*forget)(struct detectors *d, const struct det_group *g);
	/*
	 * Merging two detectors values that saw different flows of one
	 * capture (detectors_merge(), detect_merge.c), as Zeek's SumStats
	 * merges its reducers.  The common fields are merged first (times,
	 * set, counts, parties, evidence), then count sums unless
	 * count_peaks, then the state's counters by the reducers table
	 * (DET_REDUCERS()), then merge does what is left (a window, whose
	 * width it knows; a peak, which it sets into->count to).  verdict
	 * tells whether the merged group now crosses its threshold (NULL:
	 * never).
	 */
	const struct det_reducer *reducers;
	uint8_t n_reducers;
	bool count_peaks;       /* count is the most at once: merge sets it */
	void (*merge)(struct detectors *d, struct det_group *into,
		      const struct det_group *from);
	enum det_verdict (*verdict)(struct detectors *d,
				    const struct det_group *g);
};

/* The units, one per detector file (detect_tcp_open.c, ...). */
extern const struct detector_ops det_syn_flood_ops;
extern const struct detector_ops det_syn_unanswered_ops;
extern const struct detector_ops det_connection_refused_ops;
extern const struct detector_ops det_port_scan_ops;
extern const struct detector_ops det_close_wait_ops;
extern const struct detector_ops det_time_wait_ops;
extern const struct detector_ops det_churn_ops;
extern const struct detector_ops det_abortive_close_ops;
extern const struct detector_ops det_half_open_ops;
extern const struct detector_ops det_rst_storm_ops;
extern const struct detector_ops det_retransmit_burst_ops;
extern const struct detector_ops det_zero_window_ops;
extern const struct detector_ops det_nagle_ops;
extern const struct detector_ops det_accept_queue_ops;

/*
 * What several detectors read of a segment and its connection, worked
 * out by the dispatcher itself, around the detectors' hooks: the
 * connection setup's events (d->attempt) for a segment of the setup (a
 * SYN or RST, or any before the handshake completed) and a
 * first RST's cause (d->first_rst) before them, the transfer facts
 * (last data, largest segments, silence) after them.
 */
void det_handshake_facts(struct detectors *d, const struct packet *pkt,
			 const struct flow *f, const struct tcp_seg_info *info,
			 struct det_flow *df);
void det_rst_cause(struct detectors *d, const struct packet *pkt,
		   const struct flow *f, const struct tcp_seg_info *info,
		   struct det_flow *df);
void det_transfer_facts(struct detectors *d, const struct packet *pkt,
			const struct flow *f, const struct tcp_seg_info *info,
			struct det_flow *df);
extern const struct detector_ops det_icmp_error_ops;
extern const struct detector_ops det_fragmentation_ops;
extern const struct detector_ops det_checksum_errors_ops;
extern const struct detector_ops det_capture_coverage_ops;

/*
 * The accept_queue_overflow group whose finding explains g's (a
 * syn_unanswered or retransmit_burst finding about the same listener's
 * refused attempts), or NULL: detectors_findings() folds g into it.
 */
const struct det_group *det_accept_queue_explains(struct detectors *d,
						  const struct det_group *g);

/* The unit that owns finding id (NULL: none). */
const struct detector_ops *detect_unit_of(enum finding_id id);

/* A group's has_port when its subject is the whole capture. */
#define SUBJECT_CAPTURE 2

/* Why an endpoint sent its first RST (abortive_close's causes). */
enum rst_cause {
	RST_REFUSED,
	RST_CLOSE_WITH_UNREAD_DATA,
	RST_LINGER_ZERO,
	RST_WRITE_AFTER_CLOSE,
	RST_UNKNOWN_CONNECTION,
	RST_OUT_OF_WINDOW,
	RST_TIMEOUT,
	RST_HANDSHAKE_ABORTED,
	RST_CAUSE_COUNT
};

const char *rst_cause_name(enum rst_cause c);

/* True when g has had no event in the ns before now. */
bool det_quiet_since(const struct det_group *g, int64_t now, int64_t ns);

/* Helpers for describe functions. */
void finding_add_number(struct finding *out, const char *key, double v);
void finding_add_text(struct finding *out, const char *key, const char *v);
/* "1.25 s", "40 ms" */
void format_duration(int64_t ns, char *out, size_t outlen);

#endif
