/*
 * The engine as one value: the analyzer with the detectors, each host's
 * socket table and the trouble ranking attached, wired once here.  Files,
 * live capture, the dashboard and tests drive it alike:
 *
 *	e = engine_new(&cfg);
 *	engine_feed(e, pkt);        each decoded packet, in capture order
 *	engine_advance(e, now);     time passed without packets (live)
 *	engine_snapshot_take(e, &s);    at any moment between calls
 *	engine_finish(e);           end of input
 *	engine_results(e, &r);      what the run found
 *	engine_free(e);
 *
 * A command that needs more than the engine's own parts attaches
 * consumers (struct engine_consumer): each is told of every flow and
 * packet and keeps storage of its own in every flow, as the detectors do.
 *
 * Packets are fed on one thread; nothing here blocks, prints or reads a
 * clock: time comes from the packets (and engine_advance()).  A snapshot
 * is a copy: once taken it may be read on another thread while the
 * engine goes on.
 */
#ifndef TCPLENS_ENGINE_H
#define TCPLENS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer.h"
#include "capture_quality.h"
#include "detect.h"
#include "quality_policy.h"
#include "host_states.h"
#include "ip_defrag.h"
#include "ladder_row.h"
#include "trouble_rank.h"

/*
 * What a command adds to the engine.  Every callback may be NULL; flows
 * are read-only and valid during the call only; storage is the
 * consumer's flow_storage bytes in that flow (zeroed with it; NULL when
 * it asked for none).  Neither address lasts beyond the call: an idle
 * flow may be parked and come back elsewhere (analyzer.h); a flow is
 * told apart by its uid (flow_uid()).
 */
struct engine_consumer {
	void *ctx;
	void (*on_flow_start)(void *ctx, const struct flow *f, void *storage);
	void (*on_tcp_segment)(void *ctx, const struct packet *pkt,
			       const struct flow *f,
			       const struct tcp_seg_info *info, void *storage);
	void (*on_datagram)(void *ctx, const struct packet *pkt,
			    const struct flow *f, int dir, void *storage);
	/* A frame captured twice: see struct analyzer_sink's on_copy. */
	void (*on_copy)(void *ctx, const struct packet *pkt,
			const struct flow *f, int dir, uint64_t copy_of,
			void *storage);
	void (*on_icmp_error)(void *ctx, const struct packet *pkt,
			      const struct flow *quoted);
	/* The flow is final; it is released right after. */
	void (*on_flow_end)(void *ctx, const struct flow *f, void *storage);
	/* A finding crossed its threshold (it goes on being updated). */
	void (*on_finding)(void *ctx, const struct finding *finding);
	size_t flow_storage;
};

#define ENGINE_MAX_CONSUMERS 4

/* The engine's own parts a command wants (struct engine_config). */
enum engine_part {
	ENGINE_DETECTORS = 1u << 0,     /* findings */
	ENGINE_SOCKETS = 1u << 1,       /* each host's socket table */
	ENGINE_RANKING = 1u << 2,       /* the trouble ranking */
	ENGINE_QUALITY = 1u << 3,       /* the capture's quality */
	ENGINE_ALL = ENGINE_DETECTORS | ENGINE_SOCKETS | ENGINE_RANKING |
		     ENGINE_QUALITY,
	/*
	 * With ENGINE_SOCKETS: each host's socket counts kept as flows
	 * change (host_counts.h), for snapshots taken often; a snapshot's
	 * SNAPSHOT_SOCKETS then gives hosts only, no sockets.
	 */
	ENGINE_SOCKET_COUNTS = 1u << 4,
	/*
	 * Not in ENGINE_ALL: what only a live view wants, at a cost.
	 *
	 * ENGINE_FLOW_RTT: each connection's smoothed RTT for the snapshot's
	 * flow rows (engine_flow_row.rtt_ns).  With either part the engine
	 * keeps 16 bytes of its own in every flow, beside the detectors'
	 * storage (the two are rounded up to 64 bytes together).
	 *
	 * ENGINE_HISTORY: a connection's ladder (engine_snapshot_want_ladder())
	 * from three stores, all taken at engine_new(), none per packet:
	 *  - the last history_rows TCP segments of all flows (a ring):
	 *    history_rows * (sizeof(struct ladder_row) + 8 + 1) bytes, 8.1
	 *    MiB at the default 65,536 (about 0.45 s at 150k packets/s);
	 *  - each live connection's first ENGINE_LADDER_FIRST_ROWS rows (its
	 *    handshake), so that a busy ring never takes them: a pool of
	 *    history_conns connections, history_conns * (4 * 120 + 4) bytes,
	 *    7.6 MiB at the default 16,384, a slot given back as its
	 *    connection closes (both ends TIME_WAIT or CLOSED: its flow
	 *    lives on 60 s) or ends, unless watched; a connection begun with
	 *    the pool full gets none (engine_snapshot.ladder_first_refused);
	 *  - every row of the one connection watched (engine_watch_ladder()),
	 *    those the ring held when the watch began and all from then on,
	 *    whatever the rate: watch_rows *
	 *    120 bytes, 7.5 MiB at the default 65,536, the oldest dropped
	 *    past that (counted in the ladder's gap).  Pages of the pool and
	 *    the watch are touched only as rows are written.
	 */
	ENGINE_FLOW_RTT = 1u << 5,
	ENGINE_HISTORY = 1u << 6,
	/*
	 * ENGINE_FLOW_RATE: each flow's bytes/s each way for the snapshot's
	 * flow rows (engine_flow_row.rate), measured by the takes
	 * themselves: 28 bytes of the engine's own in every flow, nothing
	 * per packet.
	 */
	ENGINE_FLOW_RATE = 1u << 7,
};

/* ENGINE_HISTORY's rows when engine_config.history_rows is 0. */
#define ENGINE_HISTORY_ROWS 65536
/* The rows of each connection's beginning kept outside the ring. */
#define ENGINE_LADDER_FIRST_ROWS 4
/* Connections whose first rows are kept, when history_conns is 0. */
#define ENGINE_HISTORY_CONNS 16384
/* Rows of the watched connection kept, when watch_rows is 0. */
#define ENGINE_WATCH_ROWS 65536
/*
 * Ended connections whose row counts ENGINE_HISTORY keeps, for a ladder
 * asked for after its connection ended: 4,096 at the default (16 bytes
 * each), at least 64.
 */
#define ENGINE_HISTORY_ENDED(rows) ((rows) / 16 < 64 ? 64 : (rows) / 16)

struct engine_config {
	struct analyzer_config analyzer;
	struct detect_config detect;
	size_t top_n;               /* connections in the trouble ranking */
	unsigned parts;             /* enum engine_part bits */
	size_t history_rows;        /* ENGINE_HISTORY: 0 = ENGINE_HISTORY_ROWS */
	size_t history_conns;       /* ENGINE_HISTORY: 0 = ENGINE_HISTORY_CONNS */
	size_t watch_rows;          /* ENGINE_HISTORY: 0 = ENGINE_WATCH_ROWS */
	const struct engine_consumer *consumers;
	size_t n_consumers;         /* at most ENGINE_MAX_CONSUMERS */
};

/* Everything the run found; valid until the engine changes or is freed. */
struct engine_results {
	const struct analyzer_stats *stats;
	const struct defrag_stats *defrag;
	const struct finding *findings;
	size_t n_findings;
	uint64_t suppressed;        /* findings past the per-id cap */
	uint64_t not_tracked;       /* flows the detectors could not follow */
	/* By finding id (FINDING_COUNT entries), NULL without detectors. */
	const struct detect_folded *folded;
	const struct host_state_row *hosts;     /* sockets at the end */
	size_t n_hosts;
	struct host_states_summary hosts_left_out;  /* not in hosts */
	const struct trouble_row *top;          /* most trouble first */
	size_t n_top;
	/* NULL without ENGINE_QUALITY */
	const struct capture_quality_report *quality;
	/*
	 * With ENGINE_QUALITY and ENGINE_DETECTORS, findings are those the
	 * capture's quality leaves (quality_policy.h): capture_coverage
	 * added, others downgraded or withheld, each change listed here.
	 */
	const struct quality_adjustment *adjusted;
	size_t n_adjusted;
	uint64_t adjusted_more;     /* changes past the list */
};

struct engine;

/* NULL when memory ran out or the configuration asks too much. */
struct engine *engine_new(const struct engine_config *cfg);
void engine_free(struct engine *e);

void engine_feed(struct engine *e, const struct packet *pkt);
void engine_advance(struct engine *e, int64_t now);
/*
 * End of input: the detectors settle what only the whole capture tells,
 * and each host's sockets are counted as the capture left them, before
 * the flows still open end.
 */
void engine_finish(struct engine *e);

/*
 * What the capture source knew of the frames it never handed on and of
 * its interfaces' drops (ENGINE_QUALITY), once the input is read.
 */
void engine_set_source_facts(struct engine *e,
			     const struct quality_source_facts *facts);

/*
 * After engine_finish(): false when memory ran out somewhere (the
 * results would be incomplete: the caller says so and exits 7).
 */
bool engine_results(struct engine *e, struct engine_results *out);

/*
 * Shards: engines of one configuration fed different flows of one
 * capture (split by flow, as the cores of a multi-core capture would
 * be), each finished or advanced to the same moment.  Folds from's
 * detectors' counts into into's (detectors_merge()), so into's results
 * and snapshots list the findings of the whole capture.  Counters,
 * socket tables and the ranking are each shard's own.  False when
 * memory ran out (into's findings are then incomplete).
 */
bool engine_merge_findings(struct engine *into, const struct engine *from);

/* The analyzer inside, for its counters and memory check. */
struct analyzer *engine_analyzer(struct engine *e);

/* ------------------------------------------------------------ snapshots */

/* One live flow as a snapshot holds it. */
struct engine_flow_row {
	uint64_t uid;
	uint8_t family, proto;
	uint8_t state[2];           /* TCP: orig's and resp's enum tcp_state */
	uint8_t orig[16], resp[16];
	uint16_t orig_port, resp_port;
	int64_t first_ts, last_ts;
	uint64_t pkts[2], bytes[2]; /* orig, resp */
	uint32_t retrans[2];        /* TCP segments sent again */
	/*
	 * TCP, with ENGINE_FLOW_RTT: the smoothed RTT of each direction's
	 * data now, as `ss -i` rtt is: RFC 6298's SRTT (gain 1/8, Linux's
	 * tcp_rtt_estimator()) over the tracker's samples of that
	 * direction's data (one timed segment per round trip, Karn's rule:
	 * a segment sent again is never timed), the first sample taken
	 * whole.  Measured at the capture point: from there to the receiver
	 * and back, so near the sender it is the path's RTT and near the
	 * receiver almost nothing.  0: no sample yet (or no
	 * ENGINE_FLOW_RTT).  `flows` reports the same samples' min, avg and
	 * max (rtt_data_*), not this.
	 */
	int64_t rtt_ns[2];
	/*
	 * With ENGINE_FLOW_RATE: bytes a second each way (IP bytes, as
	 * bytes) over the engine's last rate interval: the time between the
	 * two latest takes that were at least a second of capture time
	 * apart (any take, of any snapshot, moves it).  < 0: not known (the
	 * flow began within that interval, or no interval yet).
	 */
	double rate[2];
	/*
	 * Zeek's conn_state of the connection as it stands: what `flows`
	 * would print were the flow to end now (same function, same input:
	 * Zeek's conn_state depends only on what was seen, never on how the
	 * flow ended).  So a live connection is "so far": S1 while open, SF
	 * once both FINs are seen.  NUL-terminated ("OTH", "RSTO", ...).
	 */
	char conn_state[8];
};

/*
 * Cumulative counts since the engine started (the display takes rates
 * by difference between two snapshots; an exporter gives them as
 * counters), of TCP segments the tracker followed: a frame the capture
 * holds twice (a copy) counts once.  Counted while the engine runs any
 * part that reads segments (ENGINE_DETECTORS, _SOCKETS, _QUALITY,
 * _HISTORY); all zero with none.
 */
struct engine_rate_counts {
	uint64_t syn;               /* SYN without ACK, each sent again too */
	uint64_t syn_ack;           /* SYN with ACK, each sent again too */
	uint64_t rst;               /* RST, in the window or not */
	/*
	 * Data or FIN sent again, by kind as the retransmit_burst finding
	 * tells them (tcplens-diagnostics(7)): spurious (the receiver had it
	 * all: tshark's spurious_retransmission), fast (asked for by a
	 * duplicate ACK or SACK within 200 ms, tshark's fast_retransmission,
	 * or sent too soon after both sides' latest segments to be a
	 * timeout), else timeout.  With ENGINE_DETECTORS and that finding
	 * enabled; keep-alives, zero-window probes and SYNs are not counted.
	 */
	uint64_t retrans_timeout, retrans_fast, retrans_spurious;
	/*
	 * Every segment the tracker marks as sent again (tshark's
	 * retransmission, fast_retransmission or spurious_retransmission:
	 * SYNs and FINs included, keep-alives never): the sum over
	 * connections of `flows`' orig_retrans + resp_retrans.
	 */
	uint64_t retrans;
	/*
	 * With ENGINE_DETECTORS: TCP connections reset, by why their first
	 * RST was sent (detectors_resets(), detectors_reset_cause_name()).
	 */
	uint64_t resets[DETECT_RST_CAUSES];
	/* TCP connections the tracker began following (SYN or midstream). */
	uint64_t new_conns;
	/*
	 * Time endpoints spent advertising a zero window, summed over
	 * endpoints (two at zero for 1 s count 2 s): the sum of `flows`'
	 * orig_zero_window_ms + resp_zero_window_ms, counted as it accrues,
	 * at each packet of the connection after the window closed.
	 */
	uint64_t zero_window_ns;
	/*
	 * NOW, not cumulative: live TCP connections with an endpoint in
	 * SYN_SENT or SYN_RECV as the tracker holds them at the take (each
	 * connection once): handshakes begun and not completed, a SYN flood's
	 * victims among them.
	 */
	uint64_t half_open;
};

/* How a finding changed since the snapshot taken before into the same s. */
enum finding_change {
	FINDING_CHANGE_NEW,         /* not in the previous snapshot */
	FINDING_CHANGE_UPDATED,     /* its measures moved */
	FINDING_CHANGE_SAME,
	FINDING_CHANGE_RESOLVED,    /* its condition stopped holding */
	/*
	 * Seen live only, then all of it undone (an attempt answered after
	 * all): listed this once, as last taken, and gone from the next.
	 */
	FINDING_CHANGE_WITHDRAWN,
	/*
	 * Resolved before, and since folded into the detectors' counts to
	 * keep the store bounded (detectors_folded()): listed this once, as
	 * last taken, and gone from the next; never resolved or withdrawn
	 * again.
	 */
	FINDING_CHANGE_FOLDED,
};

struct engine_finding {
	struct finding finding;
	enum finding_change change;
};

/*
 * Which live flows a snapshot lists (SNAPSHOT_FLOWS): every one, oldest
 * first, unless engine_snapshot_want_flows() asked for a page: then the
 * first limit in the order a display sorts them by, among those keep
 * accepts.  The take keeps them in a bounded heap as it walks the flows,
 * so a take costs the engine a row per flow listed, not a copy of every
 * flow it tracks (a SYN flood's hundreds of thousands).
 *
 * keep and order run on the engine's thread during the take, on the
 * row the take filled for a flow: they read that row and ctx only, and
 * not its uid or conn_state (filled only for the rows listed: most flows
 * a page passes over need neither).
 */
struct engine_flow_query {
	size_t limit;               /* 0: every flow, oldest first */
	/* false: not listed, nor counted in n_flows_matched; NULL: all */
	bool (*keep)(const void *ctx, const struct engine_flow_row *r);
	/*
	 * The row's place, highest first (equal ones by uid, lowest
	 * first); at is the take's capture time.  NULL: oldest first.
	 */
	double (*order)(const void *ctx, const struct engine_flow_row *r,
			int64_t at);
	const void *ctx;            /* valid for every take into s */
};

/* What a snapshot copies (struct engine_snapshot's parts). */
enum engine_snapshot_part {
	SNAPSHOT_FLOWS = 1u << 0,
	SNAPSHOT_SOCKETS = 1u << 1,
	SNAPSHOT_FINDINGS = 1u << 2,
	SNAPSHOT_RANKING = 1u << 3,     /* live flows are ranked with the ended */
	SNAPSHOT_ALL = 0xf,
};

/*
 * The engine's state at one moment, in memory of its own.  Set it up
 * once with engine_snapshot_init(), take into it as often as wanted: each
 * take replaces the last, reusing its memory, and marks each finding's
 * change against it.  Counters are always taken; the lists in parts
 * (those of the engine's parts that run), the others are left empty.
 */
struct engine_snapshot {
	unsigned parts;             /* enum engine_snapshot_part bits */
	int64_t at;                 /* capture time, ns since the epoch */
	bool finished;              /* taken after engine_finish() */
	struct analyzer_stats counters;
	struct defrag_stats defrag;
	uint64_t suppressed, not_tracked;
	uint64_t folded;            /* findings folded into counts so far */
	uint32_t findings_by_severity[3];       /* ongoing ones */
	struct engine_rate_counts rates;
	/*
	 * Live flows: every one, oldest first, or the first query.limit in
	 * the query's order; n_flows_matched counts all the query's keep
	 * accepted (every live flow without keep), listed or not.
	 */
	struct engine_flow_row *flows;
	size_t n_flows;
	size_t n_flows_matched;
	struct engine_flow_query query;
	/*
	 * Each host's, by host; counted in hosts only after engine_finish()
	 * or with ENGINE_SOCKET_COUNTS (hosts_not_counted: sockets of hosts
	 * past its bound).
	 */
	struct host_socket *sockets;
	size_t n_sockets;
	struct host_state_row *hosts;           /* most sockets first */
	size_t n_hosts;
	struct host_states_summary hosts_left_out;  /* of sockets and hosts */
	uint64_t hosts_not_counted;
	struct engine_finding *findings;        /* most severe first */
	size_t n_findings;
	struct trouble_row *top;                /* live and ended, worst first */
	size_t n_top;
	/*
	 * With ENGINE_HISTORY and engine_snapshot_want_ladder(): that
	 * connection's segments, oldest first (even once it ended): its
	 * first rows (up to ENGINE_LADDER_FIRST_ROWS, until it closed, or
	 * if it was watched as it closed), then its newest ones, from the watch
	 * or the ring, whichever holds more.  ladder_not_kept of its
	 * segments fall between the two, before ladder[ladder_gap_at]
	 * (ladder_gap_at 0: before the first row shown).  That count is
	 * exact while the connection is live, watched, or among the last
	 * ENGINE_HISTORY_ENDED(history_rows) connections that ended; for
	 * one that ended before those, ENGINE_LADDER_UNKNOWN once the ring
	 * has wrapped (0 before).
	 */
	uint64_t ladder_uid;                    /* 0: no ladder wanted */
	bool ladder_live;                       /* its connection is live */
	struct ladder_row *ladder;
	size_t n_ladder;
	size_t ladder_gap_at;
	uint64_t ladder_not_kept;
	/* Connections begun with the first rows' pool full, since the start. */
	uint64_t ladder_first_refused;
	size_t cap_flows, cap_sockets, cap_hosts, cap_findings, cap_top;
	size_t cap_ladder;
};

void engine_snapshot_init(struct engine_snapshot *s, unsigned parts);
/*
 * Takes the engine's state now (between feeds).  False when memory ran
 * out: s then holds parts of this take and parts of the one before, not
 * to be shown or exported (a later take into it may succeed).
 */
bool engine_snapshot_take(struct engine *e, struct engine_snapshot *s);
#define ENGINE_LADDER_UNKNOWN UINT64_MAX
/*
 * Each take from now copies connection uid's ladder (0: none); the take
 * also watches it (engine_watch_ladder()) if it is not yet.
 */
void engine_snapshot_want_ladder(struct engine_snapshot *s, uint64_t uid);
/* Each take from now lists the flows q asks for (NULL: all, oldest first). */
void engine_snapshot_want_flows(struct engine_snapshot *s,
				const struct engine_flow_query *q);
/*
 * ENGINE_HISTORY: from now on keep every row of connection uid (0: none),
 * with those the ring holds of it now, so that its ladder loses nothing
 * while a person reads it: the live dashboard calls it as soon as the
 * display asks, before the next take.  One connection at a time: another
 * uid ends the last watch (and a take wanting another ladder starts one).
 */
void engine_watch_ladder(struct engine *e, uint64_t uid);
void engine_snapshot_free(struct engine_snapshot *s);

#endif
