#include "trouble_rank.h"

#include <stdlib.h>
#include <string.h>

#include "tcp_conn.h"

#define MAX_TOP 1000

struct trouble_rank {
	struct trouble_row *rows;   /* unordered; rows[worst] is the minimum */
	size_t n, cap;
	size_t min;                 /* index of the lowest score kept */
};

struct trouble_rank *trouble_rank_new(size_t top_n)
{
	struct trouble_rank *tr = calloc(1, sizeof(*tr));

	if (tr == NULL)
		return NULL;
	tr->cap = top_n > MAX_TOP ? MAX_TOP : top_n;
	tr->rows = calloc(tr->cap ? tr->cap : 1, sizeof(*tr->rows));
	if (tr->rows == NULL) {
		free(tr);
		return NULL;
	}
	return tr;
}

void trouble_rank_free(struct trouble_rank *tr)
{
	if (tr == NULL)
		return;
	free(tr->rows);
	free(tr);
}

const char *trouble_reason_name(enum trouble_reason r)
{
	switch (r) {
	case TROUBLE_RETRANSMISSIONS: return "retransmissions";
	case TROUBLE_RESET: return "reset";
	case TROUBLE_REFUSED: return "refused";
	case TROUBLE_UNANSWERED: return "unanswered";
	case TROUBLE_ZERO_WINDOW: return "zero_window";
	case TROUBLE_CLOSE_WAIT: return "close_wait";
	case TROUBLE_CAPTURE_LOSS: return "capture_loss";
	}
	return "unknown";
}

/*
 * Weights: a reset, a refusal or a leak counts like ten lost segments;
 * zero-window time by the tenth of a second.  Crude on purpose: the
 * table only orders what the findings already explain.
 */
static uint64_t score_of(const struct flow *f, uint32_t *reasons)
{
	const struct tcp_conn *t = &f->u.tcp;
	uint64_t retx = (uint64_t)t->ep[0].retrans_segs + t->ep[1].retrans_segs;
	int64_t zw = t->ep[0].zero_window_ns + t->ep[1].zero_window_ns;
	uint64_t score = retx;

	*reasons = 0;
	if (retx > 0)
		*reasons |= TROUBLE_RETRANSMISSIONS;
	if ((t->ep[0].flags | t->ep[1].flags) & TCP_EP_RST_SENT) {
		bool refused = !(t->flags & TCP_CONN_HAS_SYNACK) &&
			       (t->ep[FLOW_RESP].flags & TCP_EP_RST_SENT);

		*reasons |= refused ? TROUBLE_REFUSED : TROUBLE_RESET;
		score += 10;
	}
	if (f->dir[FLOW_RESP].pkts == 0 && (t->ep[FLOW_ORIG].flags & TCP_EP_SYN_SEEN)) {
		*reasons |= TROUBLE_UNANSWERED;
		score += 10;
	}
	if (zw > 0) {
		*reasons |= TROUBLE_ZERO_WINDOW;
		score += (uint64_t)(zw / 100000000) + 1;
	}
	if (t->ep[0].state == TCP_STATE_CLOSE_WAIT ||
	    t->ep[1].state == TCP_STATE_CLOSE_WAIT) {
		*reasons |= TROUBLE_CLOSE_WAIT;
		score += 10;
	}
	if (tcp_conn_capture_lost(f))
		*reasons |= TROUBLE_CAPTURE_LOSS;
	return score;
}

/*
 * A flow ends long after its last packet (five seconds of capture after
 * its close), and the tracker's counters score_of() reads, on four cache
 * lines, have left the cache by then.  Fetched while the detectors do
 * their part of the flow's end, they cost one overlapped miss instead of
 * misses in a row: about 10 ms of report on the bench capture's 100,000
 * connections.
 */
void trouble_rank_prefetch(const struct flow *f)
{
	const struct tcp_conn *t = &f->u.tcp;

	if (!flow_is_tcp(f))
		return;
	__builtin_prefetch(&t->ep[0].zero_window_ns);
	__builtin_prefetch(&t->ep[0].retrans_segs);
	__builtin_prefetch(&t->ep[1].zero_window_ns);
	__builtin_prefetch(&t->ep[1].retrans_segs);
	__builtin_prefetch(&t->flags);
}

static void fill_row(struct trouble_row *r, const struct flow *f,
		     uint64_t score, uint32_t reasons)
{
	const struct tcp_conn *t = &f->u.tcp;
	const char *cs = zeek_tcp_conn_state(&f->zeek, tcp_conn_bytes(f, 0),
					     tcp_conn_bytes(f, 1));

	memset(r, 0, sizeof(*r));
	r->uid = flow_uid(f);
	r->family = f->key.family;
	memcpy(r->orig, flow_addr(f, FLOW_ORIG), 16);
	memcpy(r->resp, flow_addr(f, FLOW_RESP), 16);
	r->orig_port = flow_port(f, FLOW_ORIG);
	r->resp_port = flow_port(f, FLOW_RESP);
	strncpy(r->conn_state, cs, sizeof(r->conn_state) - 1);
	r->state[0] = t->ep[0].state;
	r->state[1] = t->ep[1].state;
	r->retrans[0] = t->ep[0].retrans_segs;
	r->retrans[1] = t->ep[1].retrans_segs;
	r->first_ts = f->first_ts;
	r->duration_ns = f->last_ts - f->first_ts;
	r->zero_window_ns = t->ep[0].zero_window_ns + t->ep[1].zero_window_ns;
	r->reasons = reasons;
	r->score = score;
}

static void find_min(struct trouble_rank *tr)
{
	tr->min = 0;
	for (size_t i = 1; i < tr->n; i++)
		if (tr->rows[i].score < tr->rows[tr->min].score)
			tr->min = i;
}

/* The row to write a connection of this score into, or NULL. */
static struct trouble_row *slot_for(struct trouble_rank *tr, uint64_t score)
{
	if (tr->n < tr->cap)
		return &tr->rows[tr->n++];
	if (tr->cap > 0 && score > tr->rows[tr->min].score)
		return &tr->rows[tr->min];
	return NULL;
}

/*
 * A connection whose originator sent SYNs (maybe a RST) and never an
 * ACK, though the responder answered with a SYN-ACK: a spoofed source
 * of a SYN flood, or a scanner.  Thousands of them would fill the
 * ranking with the SYN-ACKs the listener resent; the syn_flood and
 * port_scan findings speak for them.
 */
static bool syn_only_source(const struct flow *f)
{
	const struct tcp_conn *t = &f->u.tcp;

	return (t->flags & TCP_CONN_HAS_SYNACK) &&
	       (t->ep[FLOW_ORIG].flags & TCP_EP_SYN_SEEN) &&
	       !(t->ep[FLOW_ORIG].flags & TCP_EP_ACK_VALID);
}

static void add_flow(struct trouble_rank *tr, const struct flow *f,
		     bool live)
{
	struct trouble_row *r;
	uint32_t reasons;
	uint64_t score;

	if (!flow_is_tcp(f) || tr->cap == 0 || syn_only_source(f))
		return;
	score = score_of(f, &reasons);
	if (score == 0 || (r = slot_for(tr, score)) == NULL)
		return;
	fill_row(r, f, score, reasons);
	r->live = live;
	find_min(tr);
}

void trouble_rank_on_flow_end(struct trouble_rank *tr, const struct flow *f)
{
	add_flow(tr, f, false);
}

void trouble_rank_add_live(struct trouble_rank *tr, const struct flow *f)
{
	add_flow(tr, f, true);
}

void trouble_rank_clear(struct trouble_rank *tr)
{
	tr->n = 0;
	tr->min = 0;
}

void trouble_rank_add_row(struct trouble_rank *tr,
			  const struct trouble_row *row)
{
	struct trouble_row *r = slot_for(tr, row->score);

	if (r == NULL)
		return;
	*r = *row;
	find_min(tr);
}

static int row_order(const void *pa, const void *pb)
{
	const struct trouble_row *a = pa, *b = pb;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->first_ts != b->first_ts)
		return a->first_ts < b->first_ts ? -1 : 1;
	return a->uid < b->uid ? -1 : a->uid > b->uid;
}

const struct trouble_row *trouble_rank_rows(struct trouble_rank *tr, size_t *n)
{
	if (tr->n > 1)
		qsort(tr->rows, tr->n, sizeof(tr->rows[0]), row_order);
	find_min(tr);
	*n = tr->n;
	return tr->rows;
}
