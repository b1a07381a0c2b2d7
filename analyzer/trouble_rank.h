/*
 * The connections that went worst, for a report's closing table: each
 * TCP connection gets a trouble score when it ends (retransmissions,
 * resets, refusal, silence, zero-window time, a close never finished)
 * and the highest few are kept.  A connection whose originator sent
 * only SYNs though a SYN-ACK answered (a SYN flood's spoofed source, a
 * scanner) is never ranked: the findings count those.
 */
#ifndef TCPLENS_TROUBLE_RANK_H
#define TCPLENS_TROUBLE_RANK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

enum trouble_reason {
	TROUBLE_RETRANSMISSIONS = 1u << 0,
	TROUBLE_RESET = 1u << 1,
	TROUBLE_REFUSED = 1u << 2,
	TROUBLE_UNANSWERED = 1u << 3,   /* SYN never answered */
	TROUBLE_ZERO_WINDOW = 1u << 4,
	TROUBLE_CLOSE_WAIT = 1u << 5,   /* an endpoint still in CLOSE_WAIT */
	TROUBLE_CAPTURE_LOSS = 1u << 6, /* not the connection's fault; shown */
};

struct trouble_row {
	uint64_t uid;
	uint8_t family;
	uint8_t orig[16], resp[16];
	uint16_t orig_port, resp_port;
	char conn_state[8];
	uint8_t state[2];               /* orig's, resp's at the end */
	uint32_t retrans[2];            /* segments */
	int64_t first_ts, duration_ns;
	int64_t zero_window_ns;         /* both sides */
	uint32_t reasons;               /* enum trouble_reason */
	uint64_t score;
	bool live;                      /* still open (a snapshot's row) */
};

struct trouble_rank;

/* Keeps the top_n worst (at most 1000). */
struct trouble_rank *trouble_rank_new(size_t top_n);
void trouble_rank_free(struct trouble_rank *tr);
void trouble_rank_on_flow_end(struct trouble_rank *tr, const struct flow *f);
/*
 * For a snapshot's ranking of live and ended connections together:
 * empties tr, then takes rows already ranked and live flows as they are.
 */
void trouble_rank_clear(struct trouble_rank *tr);
void trouble_rank_add_row(struct trouble_rank *tr,
			  const struct trouble_row *row);
void trouble_rank_add_live(struct trouble_rank *tr, const struct flow *f);
/*
 * Starts fetching what trouble_rank_on_flow_end() reads of f: call it
 * first thing at a flow's end, and do the rest of the flow's end before.
 */
void trouble_rank_prefetch(const struct flow *f);
/* Worst first; valid until the next call. */
const struct trouble_row *trouble_rank_rows(struct trouble_rank *tr, size_t *n);
/* "retransmissions", "reset", ... for reason bit r. */
const char *trouble_reason_name(enum trouble_reason r);

#endif
