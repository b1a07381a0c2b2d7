/*
 * Connections: each live flow with both endpoints and both states, its
 * age, bytes and rate each way, retransmissions, RTT and Zeek's
 * conn_state so far; sorted by the key s cycles.  Columns that do not
 * fit go, the least needed first (conn_state, RTT, rates, then age,
 * then retransmissions), and the endpoints take what is left.
 */
#include "dashboard_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr_format.h"

#define NS_PER_SEC 1e9

enum col { C_ORIG, C_RESP, C_STATES, C_AGE, C_BYTES_OUT, C_BYTES_IN,
	   C_RATE_OUT, C_RATE_IN, C_RETR, C_RTT, C_CONN, C_COUNT };

struct col_spec {
	const char *head;
	size_t width;
	int drop;                       /* 0: kept; else higher goes first */
	bool right;
};

static const struct col_spec cols[C_COUNT] = {
	[C_ORIG] = {"ORIGINATOR", 21, 0, false},
	[C_RESP] = {"RESPONDER", 21, 0, false},
	[C_STATES] = {"STATES", 11, 0, false},
	[C_AGE] = {"AGE", 5, 2, true},
	[C_BYTES_OUT] = {"B_OUT", 6, 0, true},
	[C_BYTES_IN] = {"B_IN", 6, 0, true},
	[C_RATE_OUT] = {"R_OUT", 6, 3, true},
	[C_RATE_IN] = {"R_IN", 6, 3, true},
	[C_RETR] = {"RETR", 4, 1, true},
	[C_RTT] = {"RTT", 7, 4, true},
	[C_CONN] = {"CONN", 6, 5, false},
};

/* Which columns show at cols, and the endpoints' width. */
static size_t layout(int width, bool on[C_COUNT])
{
	size_t used = 0, extra;

	for (int c = 0; c < C_COUNT; c++) {
		on[c] = true;
		used += cols[c].width + (c > 0);
	}
	for (int level = 5; level > 0 && used > (size_t)width; level--)
		for (int c = 0; c < C_COUNT; c++)
			if (on[c] && cols[c].drop == level) {
				on[c] = false;
				used -= cols[c].width + 1;
			}
	/* What is left widens the endpoints, up to an IPv6 one's 47. */
	extra = used < (size_t)width ? ((size_t)width - used) / 2 : 0;
	return cols[C_ORIG].width + (extra > 26 ? 26 : extra);
}

static void endpoints(const struct engine_flow_row *r, char *orig,
		      char *resp, size_t len)
{
	addr_format_endpoint(r->family, r->orig, r->orig_port, orig, len);
	addr_format_endpoint(r->family, r->resp, r->resp_port, resp, len);
}

static void states_text(const struct engine_flow_row *r, char *out,
			size_t len)
{
	if (r->proto == 6)
		snprintf(out, len, "%s/%s", dash_state_short(r->state[0]),
			 dash_state_short(r->state[1]));
	else
		snprintf(out, len, "%s", r->proto == 17 ? "udp" : "icmp");
}

bool dash_conn_keep(const void *query, const struct engine_flow_row *r)
{
	const char *filter = ((const struct dash_conn_query *)query)->filter;
	char orig[64], resp[64];

	if (filter[0] == '\0')
		return true;
	endpoints(r, orig, resp, sizeof(orig));
	if (dash_match(orig, filter) || dash_match(resp, filter))
		return true;
	return r->proto == 6 &&
	       (dash_match(tcp_state_name(r->state[0]), filter) ||
		dash_match(tcp_state_name(r->state[1]), filter) ||
		dash_match(dash_state_short(r->state[0]), filter) ||
		dash_match(dash_state_short(r->state[1]), filter));
}

struct keyed {
	double key;
	uint64_t uid;
	size_t i;
};

/* Highest key first; the uid keeps equal keys in one order. */
static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? 1 : -1;
	return (x->uid > y->uid) - (x->uid < y->uid);
}

/*
 * The larger direction's smoothed RTT: near one end of the path the
 * other end's data times the whole round trip, its own almost none.
 */
static int64_t rtt_of(const struct engine_flow_row *r)
{
	return r->rtt_ns[0] > r->rtt_ns[1] ? r->rtt_ns[0] : r->rtt_ns[1];
}

static void rtt_text(int64_t ns, char *out, size_t len)
{
	if (ns <= 0)
		snprintf(out, len, "-");
	else if (ns < 10000000)
		snprintf(out, len, "%.2fms", (double)ns / 1e6);
	else if (ns < 1000000000)
		snprintf(out, len, "%.0fms", (double)ns / 1e6);
	else
		snprintf(out, len, "%.1fs", (double)ns / 1e9);
}

static double rate_sum(const struct engine_flow_row *r)
{
	return (r->rate[0] > 0 ? r->rate[0] : 0) +
	       (r->rate[1] > 0 ? r->rate[1] : 0);
}

double dash_conn_order(const void *query, const struct engine_flow_row *r,
		       int64_t at)
{
	switch (((const struct dash_conn_query *)query)->sort) {
	case DASH_SORT_BYTES:
		return (double)(r->bytes[0] + r->bytes[1]);
	case DASH_SORT_RATE:
		return rate_sum(r);
	case DASH_SORT_RETRANS:
		return (double)r->retrans[0] + r->retrans[1];
	case DASH_SORT_AGE:
		return (double)(at - r->first_ts);
	case DASH_SORT_STATE:
		/* Lowest state first, as `ss` lists them; UDP and ICMP last. */
		if (r->proto != 6)
			return -1e18;
		return -(double)(r->state[0] * 16 + r->state[1]);
	case DASH_SORT_RTT:
		return (double)rtt_of(r);
	case DASH_SORT_COUNT:
		break;
	}
	return 0;
}

/*
 * Two screens past the cursor: the rows a page key or two may reach
 * before the next frame brings more.
 */
void dash_conns_want(const struct dash_ui *ui, struct dash_conn_query *q,
		     size_t *limit)
{
	size_t far = ui->sel[DASH_CONNS] > ui->top[DASH_CONNS]
		     ? ui->sel[DASH_CONNS] : ui->top[DASH_CONNS];

	memset(q, 0, sizeof(*q));
	q->sort = ui->sort;
	memcpy(q->filter, ui->filter, sizeof(q->filter));
	q->filter[sizeof(q->filter) - 1] = '\0';
	*limit = far + 2 * DASH_MAX_ROWS;
}

/* The query ui shows the rows by. */
static struct dash_conn_query query_of(const struct dash_ui *ui)
{
	struct dash_conn_query q;
	size_t limit;

	dash_conns_want(ui, &q, &limit);
	return q;
}

/*
 * Whether the engine listed the last frame's rows for what ui shows:
 * then its count of matches holds, beyond the rows the frame carries.
 */
static bool frame_is_for(const struct dash_model *m,
			 const struct dash_conn_query *q)
{
	return m->conns_query_known && m->conns_query.sort == q->sort &&
	       strcmp(m->conns_query.filter, q->filter) == 0;
}

size_t dash_conns_list(struct dash_model *m, const struct dash_ui *ui,
		       size_t *order)
{
	struct dash_conn_query q = query_of(ui);
	struct keyed *k;
	size_t n = 0;

	if (order == NULL) {
		for (size_t i = 0; i < m->n_conns; i++)
			n += dash_conn_keep(&q, &m->conns[i].row);
		/* Rows past those held come with the next frame. */
		if (!ui->paused && frame_is_for(m, &q) && m->conns_matched > n)
			n = m->conns_matched;
		return n;
	}
	k = malloc((m->n_conns + 1) * sizeof(*k));
	if (k == NULL)
		return 0;
	for (size_t i = 0; i < m->n_conns; i++) {
		if (!dash_conn_keep(&q, &m->conns[i].row))
			continue;
		k[n].key = dash_conn_order(&q, &m->conns[i].row, m->at);
		k[n].uid = m->conns[i].row.uid;
		k[n].i = i;
		n++;
	}
	qsort(k, n, sizeof(*k), keyed_cmp);
	for (size_t j = 0; j < n; j++)
		order[j] = k[j].i;
	free(k);
	return n;
}

static const char *sort_name(enum dash_sort s)
{
	static const char *const names[DASH_SORT_COUNT] = {
		"bytes", "rate", "retransmissions", "RTT", "age", "state",
	};

	return names[s];
}

static void put(char *t, size_t len, enum col c, const bool on[C_COUNT],
		const char *s, size_t ep_w)
{
	size_t w = c == C_ORIG || c == C_RESP ? ep_w : cols[c].width;

	if (!on[c])
		return;
	if (c > 0)
		dash_cell(t, len, " ", 1, false);
	dash_cell(t, len, s, w, cols[c].right);
}

static void rate_text(double v, char *out, size_t len)
{
	if (v < 0)
		snprintf(out, len, "-");
	else
		dash_si(v, out, len);
}

static void conn_row(const struct dash_model *m, const struct dash_conn *c,
		     struct dash_row *r, const bool on[C_COUNT], size_t ep_w)
{
	const struct engine_flow_row *f = &c->row;
	char orig[64], resp[64], v[32];
	size_t len = sizeof(r->text);

	endpoints(f, orig, resp, sizeof(orig));
	dash_elide_middle(orig, ep_w);
	dash_elide_middle(resp, ep_w);
	put(r->text, len, C_ORIG, on, orig, ep_w);
	put(r->text, len, C_RESP, on, resp, ep_w);
	states_text(f, v, sizeof(v));
	put(r->text, len, C_STATES, on, v, ep_w);
	dash_age((double)(m->at - f->first_ts) / NS_PER_SEC, v, sizeof(v));
	put(r->text, len, C_AGE, on, v, ep_w);
	dash_si((double)f->bytes[0], v, sizeof(v));
	put(r->text, len, C_BYTES_OUT, on, v, ep_w);
	dash_si((double)f->bytes[1], v, sizeof(v));
	put(r->text, len, C_BYTES_IN, on, v, ep_w);
	rate_text(f->rate[0], v, sizeof(v));
	put(r->text, len, C_RATE_OUT, on, v, ep_w);
	rate_text(f->rate[1], v, sizeof(v));
	put(r->text, len, C_RATE_IN, on, v, ep_w);
	dash_count((int64_t)f->retrans[0] + f->retrans[1], cols[C_RETR].width,
		   false, v, sizeof(v));
	put(r->text, len, C_RETR, on, v, ep_w);
	rtt_text(f->proto == 6 ? rtt_of(f) : 0, v, sizeof(v));
	put(r->text, len, C_RTT, on, v, ep_w);
	put(r->text, len, C_CONN, on, f->conn_state[0] != '\0' ? f->conn_state
								  : "-", ep_w);
}

void dash_conns_render(struct dash_model *m, struct dash_ui *ui,
		       struct dash_area *a)
{
	bool on[C_COUNT];
	size_t ep_w = layout(a->cols, on), n;
	struct dash_row *h;
	char hint[96];

	if (!dash_order_room(m, m->n_conns))
		return;
	/* Held rows in order; the title counts all the engine matched. */
	n = dash_conns_list(m, ui, m->order);
	snprintf(hint, sizeof(hint), "%zu, by %s (s/S)",
		 dash_conns_list(m, ui, NULL), sort_name(ui->sort));
	dash_title(a, 0, "Connections", hint);
	if (a->n < 2)
		return;
	h = dash_area_row(a, 1);
	for (int c = 0; c < C_COUNT; c++)
		put(h->text, sizeof(h->text), (enum col)c, on, cols[c].head,
		    ep_w);
	dash_fit(h->text, (size_t)a->cols);
	h->attr = DASH_ATTR_HEAD;
	for (int i = 0; i < a->n - 2; i++) {
		size_t at = ui->top[DASH_CONNS] + (size_t)i;
		struct dash_row *r = dash_area_row(a, 2 + i);

		if (at >= n)
			continue;
		conn_row(m, &m->conns[m->order[at]], r, on, ep_w);
		dash_fit(r->text, (size_t)a->cols);
		if (a->focus && at == ui->sel[DASH_CONNS])
			r->attr = DASH_ATTR_SELECTED;
	}
}

/* Enter on a connection: its ladder, kept by uid (it may end). */
bool dash_conns_open(struct dash_model *m, struct dash_ui *ui)
{
	size_t n;

	if (!dash_order_room(m, m->n_conns))
		return false;
	n = dash_conns_list(m, ui, m->order);
	/* Only TCP has a ladder. */
	if (ui->sel[DASH_CONNS] >= n ||
	    m->conns[m->order[ui->sel[DASH_CONNS]]].row.proto != 6)
		return false;
	m->ladder_flow = m->conns[m->order[ui->sel[DASH_CONNS]]].row;
	ui->ladder_uid = m->ladder_flow.uid;
	ui->detail_top = 0;
	ui->detail_left = 0;
	return true;
}
