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
#include "trouble_rank.h"

/*
 * What a command adds to the engine.  Every callback may be NULL; flows
 * are read-only and valid during the call only; storage is the
 * consumer's flow_storage bytes in that flow (zeroed with it; NULL when
 * it asked for none).
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
};

struct engine_config {
	struct analyzer_config analyzer;
	struct detect_config detect;
	size_t top_n;               /* connections in the trouble ranking */
	unsigned parts;             /* enum engine_part bits */
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
	struct engine_flow_row *flows;          /* live, oldest first */
	size_t n_flows;
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
	size_t cap_flows, cap_sockets, cap_hosts, cap_findings, cap_top;
};

void engine_snapshot_init(struct engine_snapshot *s, unsigned parts);
/*
 * Takes the engine's state now (between feeds).  False when memory ran
 * out: s then holds the previous take, unchanged.
 */
bool engine_snapshot_take(struct engine *e, struct engine_snapshot *s);
void engine_snapshot_free(struct engine_snapshot *s);

#endif
