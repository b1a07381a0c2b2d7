/*
 * The detectors: fed by the engine (through detectors_sink(), or by a
 * sink that forwards to the detectors_on_* functions), they group what
 * they see by subject and turn it into findings once a threshold is
 * crossed.  A finding fires as soon as it is known (the finding sink
 * hears of it then, for live use) and keeps being updated until the end;
 * detectors_findings() gives every finding as it stands.
 *
 * All of it runs on the thread that feeds the analyzer.
 */
#ifndef TCPLENS_DETECT_H
#define TCPLENS_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer.h"
#include "client_tally.h"
#include "detect_config.h"
#include "finding.h"
#include "tunnel_table.h"

#define FINDING_SUBJECT_LEN 160
#define FINDING_SUMMARY_LEN 512
#define FINDING_MAX_DETAILS 8
#define FINDING_MAX_FLOWS 8
#define FINDING_MAX_FRAMES 8
#define FINDING_MAX_PACKETS 3
#define FINDING_PACKET_LEN 192

/* A measured fact beside the value: "sources": 300, "kind": "fast". */
struct finding_detail {
	const char *key;
	bool is_number;
	double number;
	char text[96];
};

/*
 * The subject as values a command can take (finding_commands.h fills the
 * advice's placeholders and the tshark filter from them).
 */
struct finding_place {
	uint8_t family;         /* 4 or 6; 0: the subject is no host */
	bool has_port;
	/* The grouping's second party: the client, the sender (by id). */
	bool has_party;
	uint16_t port;
	uint8_t addr[16];
	uint8_t party[16];
	/*
	 * The tunnel the subject lives in (its VNI, key or outer
	 * endpoints), when in_tunnel: a filter on the inner addresses
	 * alone would select another tenant's same addresses too.
	 */
	bool in_tunnel;
	struct tunnel_info tunnel;
};

/* The key of the finding about the capture itself (capture_coverage). */
#define FINDING_KEY_CAPTURE UINT32_MAX

struct finding {
	enum finding_id id;
	enum finding_severity severity;
	/*
	 * Its subject's number (low 16 bits) and that slot's generation:
	 * the same finding keeps it while d lives, and a subject made again
	 * after its group was reclaimed gets another (FINDING_KEY_CAPTURE:
	 * the capture itself, capture_coverage; no group's key is that).
	 */
	uint32_t key;
	/*
	 * Whether its condition still held at the latest capture time the
	 * detectors saw (its detector's rule; for most, events in the last
	 * DET_QUIET_NS or the detector's window).
	 */
	bool ongoing;
	/*
	 * Whether connections were still held in the finding's state at
	 * that time (CLOSE_WAIT, TIME_WAIT, SYN retries, retransmissions
	 * to a silent peer): a measure of state, where ongoing may only
	 * mean recent events.  Set by the detectors that can tell.
	 */
	bool holding;
	/* "192.0.2.2:8005", "[2001:db8::2]:443", "192.0.2.1" or a flow uid. */
	char subject[FINDING_SUBJECT_LEN];
	struct finding_place place;
	int64_t first_ts, last_ts;      /* ns since the epoch */
	double value, threshold;
	const char *unit;               /* what value counts */
	char summary[FINDING_SUMMARY_LEN];
	struct finding_detail details[FINDING_MAX_DETAILS];
	uint8_t n_details;
	/* Evidence: the first flows and frames, a few packets as text. */
	uint8_t n_flows, n_frames, n_packets;
	uint64_t flow_count;            /* flows involved in all */
	struct client_tally clients;    /* the initiators of those flows */
	uint64_t flows[FINDING_MAX_FLOWS];      /* uids */
	uint64_t frames[FINDING_MAX_FRAMES];
	uint64_t packet_frames[FINDING_MAX_PACKETS];
	char packets[FINDING_MAX_PACKETS][FINDING_PACKET_LEN];
};

/*
 * Findings of one id resolved and folded into counts on a long run, so
 * that the store stays bounded (detectors_folded()): how many, by the
 * severity they were listed with, and the times they spanned.
 */
struct detect_folded {
	uint64_t count;
	uint64_t by_severity[3];        /* enum finding_severity */
	int64_t first_ts, last_ts;      /* earliest first, latest last */
};

struct finding_sink {
	void *ctx;
	/* A finding crossed its threshold (it is updated until the end). */
	void (*on_finding)(void *ctx, const struct finding *f);
};

struct detectors;

/* NULL when memory ran out.  sink may be NULL. */
struct detectors *detectors_new(const struct detect_config *cfg,
				const struct analyzer_config *engine,
				const struct finding_sink *sink);
void detectors_free(struct detectors *d);
/*
 * What the flows' tunnel ids stand for, to name a subject's tunnel in
 * its findings (analyzer_tunnels()); without it they are not named.
 */
void detectors_set_tunnels(struct detectors *d, const struct tunnel_table *t);

struct setting;

/*
 * The configuration rows (settings.h) of finding id's detector, as its
 * own file gives them: its switches, then its thresholds.  A detector
 * that owns several findings gives all its rows at the first of them
 * and none at the others.  settings.c lists them, in catalog order.
 */
const struct setting *detectors_settings_rows(enum finding_id id, size_t *n);

/* An analyzer sink whose callbacks feed d. */
struct analyzer_sink detectors_sink(struct detectors *d);
/*
 * The per-flow storage d keeps in the analyzer's flows: a sink that
 * forwards to the detectors_on_* functions must ask for this much
 * (struct analyzer_sink's flow_storage).
 */
size_t detectors_flow_storage(const struct detectors *d);

/*
 * The per-flow hooks take the flow's struct flow_sink_area as the
 * analyzer handed it over, with storage detectors_flow_storage() bytes.
 */
void detectors_on_flow_start(struct detectors *d, const struct flow *f,
			     struct flow_sink_area area);
void detectors_on_tcp_segment(struct detectors *d, const struct packet *pkt,
			      const struct flow *f,
			      const struct tcp_seg_info *info,
			      struct flow_sink_area area);
void detectors_on_datagram(struct detectors *d, const struct packet *pkt,
			   const struct flow *f, int dir);
void detectors_on_icmp_error(struct detectors *d, const struct packet *pkt,
			     const struct flow *quoted);
void detectors_on_reassembled(struct detectors *d, const struct packet *whole,
			      size_t fragments);
/* Capture time reached now without a packet (live capture, idle). */
void detectors_advance(struct detectors *d, int64_t now);
void detectors_on_capture_end(struct detectors *d, int64_t now);
void detectors_on_flow_end(struct detectors *d, const struct flow *f,
			   struct flow_sink_area area);
/*
 * Whether idle flow f may be parked (struct analyzer_sink's may_park):
 * not while a watch or syn_flood's queue of attempts holds its address.
 */
bool detectors_may_park(const struct detectors *d, const struct flow *f,
			struct flow_sink_area area);

/*
 * After analyzer_finish(): settles what only the whole capture tells
 * (fragment anomalies from the engine's counts).
 */
void detectors_finish(struct detectors *d, const struct analyzer_stats *st,
		      const struct defrag_stats *frag);

/*
 * Folds from's counts into into's, for detectors values that saw
 * different flows of one capture (shards split by flow): each subject's
 * counters, sets and windows are merged and judged against the
 * thresholds again, as one value fed every flow would have (peaks within
 * a window as of the merge; see detect_merge.c).  Both have the same
 * configuration; from is unchanged.  False when memory ran out (into
 * is then incomplete, as detectors_out_of_memory() also says).
 */
bool detectors_merge(struct detectors *into, const struct detectors *from);

/*
 * Every finding, most severe first, then by first time; valid until the
 * next call or detectors_free().
 */
const struct finding *detectors_findings(struct detectors *d, size_t *n);
/* Subjects past the cap on findings of one id, which were not listed. */
uint64_t detectors_suppressed(const struct detectors *d);
/* True when a detector could not keep state for want of memory. */
bool detectors_out_of_memory(const struct detectors *d);
/*
 * Subjects not tracked because the detectors already kept as many as
 * they may (the engine's max_subjects, 65,536 by default) and none could
 * be forgotten: what they would have found is missing.
 */
uint64_t detectors_not_tracked(const struct detectors *d);
/*
 * The data and FIN retransmissions retransmit_burst saw so far, by its
 * kind: out[0] timeout, out[1] fast, out[2] spurious (see its doc in
 * tcplens-diagnostics(7)); zeros while that finding is disabled.
 */
void detectors_retransmissions(const struct detectors *d, uint64_t out[3]);
/*
 * Connections reset so far, by why their first RST was sent
 * (abortive_close's causes, tcplens-diagnostics(7)): each connection
 * once, whichever detectors are enabled.
 */
#define DETECT_RST_CAUSES 8
void detectors_resets(const struct detectors *d,
		      uint64_t out[DETECT_RST_CAUSES]);
/* "refused", "linger_zero", ...: cause's name, as the findings give it. */
const char *detectors_reset_cause_name(unsigned cause);
/*
 * On a long run the detectors keep at most max_subjects subjects: near
 * the bound they forget the subjects that can no longer make a finding,
 * then fold the findings resolved longest ago into counts, by finding id
 * (FINDING_COUNT entries; count 0: none folded).  Ongoing findings are
 * never folded.
 */
const struct detect_folded *detectors_folded(const struct detectors *d);
uint64_t detectors_folded_total(const struct detectors *d);
/*
 * Whether the finding keyed key, listed before, has since been folded
 * into counts (so a live consumer is told it was folded, not withdrawn).
 */
bool detectors_finding_folded(const struct detectors *d, uint32_t key);

#endif
