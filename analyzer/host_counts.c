#include "host_counts.h"

#include <stdlib.h>
#include <string.h>

/*
 * What an endpoint is counted as: nothing, a socket in a state (the
 * state + 1), or a SYN_RECV holding no request socket (counted in the
 * summary, in no row).
 */
enum { CODE_NONE = 0, CODE_SYN_RECV_GONE = TCP_STATE_COUNT + 1 };

/* In each flow's sink storage. */
struct flow_counted {
	uint8_t code[2];
	uint8_t past_bound;     /* bit d: endpoint d is in not_counted */
	uint8_t live;           /* counted since its first segment */
	int64_t due;            /* its next change with no packet; 0: none */
};

/* A moment a flow's counts change with no packet. */
struct due_entry {
	int64_t due;
	const struct flow *f;
	struct flow_counted *fc;
	uint64_t uid;           /* f's, so a slot reused by another is told */
};

struct host_counts {
	struct tcp_config tcp;
	size_t max_hosts;
	/* A row per host holding a socket; rows + 1 by hash, 0 free. */
	struct host_state_row *rows;
	size_t n_rows, cap_rows;
	uint32_t *index;
	size_t mask;
	/* Due moments, a min-heap. */
	struct due_entry *heap;
	size_t n_heap, cap_heap;
	uint32_t syn_recv_seen, syn_recv_gone;
	uint64_t not_counted;
	bool oom;
	/* The last table taken. */
	struct host_state_row *out;
	size_t n_out, cap_out;
	struct host_states_summary sum;
};

struct host_counts *host_counts_new(const struct tcp_config *tcp,
				    size_t max_hosts)
{
	struct host_counts *hc = calloc(1, sizeof(*hc));

	if (hc == NULL)
		return NULL;
	hc->tcp = *tcp;
	hc->max_hosts = max_hosts > 0 ? max_hosts : 1;
	return hc;
}

void host_counts_free(struct host_counts *hc)
{
	if (hc == NULL)
		return;
	free(hc->rows);
	free(hc->index);
	free(hc->heap);
	free(hc->out);
	free(hc);
}

size_t host_counts_flow_storage(void)
{
	return sizeof(struct flow_counted);
}

bool host_counts_may_park(const void *storage)
{
	const struct flow_counted *fc = storage;

	return fc->due == 0;
}

/* ------------------------------------------------------------ the rows */

static size_t host_hash(uint8_t family, const uint8_t *addr, uint16_t tunnel)
{
	uint64_t w[2], h;

	memcpy(w, addr, 16);
	h = (w[0] ^ ((uint64_t)family << 56) ^ tunnel) * 0x9e3779b97f4a7c15ULL;
	h = (h ^ (h >> 29) ^ w[1]) * 0xbf58476d1ce4e5b9ULL;
	return (size_t)(h ^ (h >> 32));
}

static size_t row_home(const struct host_counts *hc,
		       const struct host_state_row *r)
{
	return host_hash(r->family, r->addr, r->tunnel) & hc->mask;
}

static bool index_grow(struct host_counts *hc)
{
	size_t cap = hc->index != NULL ? (hc->mask + 1) * 2 : 256;
	uint32_t *idx = calloc(cap, sizeof(*idx));

	if (idx == NULL)
		return false;
	free(hc->index);
	hc->index = idx;
	hc->mask = cap - 1;
	for (size_t i = 0; i < hc->n_rows; i++) {
		size_t s = row_home(hc, &hc->rows[i]);

		while (idx[s] != 0)
			s = (s + 1) & hc->mask;
		idx[s] = (uint32_t)i + 1;
	}
	return true;
}

/* The index slot of the host's row, or the free slot that ends its probe. */
static size_t slot_of(const struct host_counts *hc, uint8_t family,
		      const uint8_t *addr, uint16_t tunnel)
{
	size_t s = host_hash(family, addr, tunnel) & hc->mask;

	for (; hc->index[s] != 0; s = (s + 1) & hc->mask) {
		const struct host_state_row *r = &hc->rows[hc->index[s] - 1];

		if (r->family == family && r->tunnel == tunnel &&
		    memcmp(r->addr, addr, 16) == 0)
			break;
	}
	return s;
}

/* The host's row, made when new; NULL past max_hosts or without memory. */
static struct host_state_row *row_get(struct host_counts *hc, uint8_t family,
				      const uint8_t *addr, uint16_t tunnel)
{
	struct host_state_row *r;
	size_t s;

	if (hc->index == NULL && !index_grow(hc))
		goto oom;
	s = slot_of(hc, family, addr, tunnel);
	if (hc->index[s] != 0)
		return &hc->rows[hc->index[s] - 1];
	if (hc->n_rows >= hc->max_hosts)
		return NULL;
	if ((hc->n_rows + 1) * 4 > (hc->mask + 1) * 3) {
		if (!index_grow(hc))
			goto oom;
		s = slot_of(hc, family, addr, tunnel);
	}
	if (hc->n_rows == hc->cap_rows) {
		size_t cap = hc->cap_rows ? hc->cap_rows * 2 : 64;
		struct host_state_row *p = realloc(hc->rows, cap * sizeof(*p));

		if (p == NULL)
			goto oom;
		hc->rows = p;
		hc->cap_rows = cap;
	}
	r = &hc->rows[hc->n_rows];
	memset(r, 0, sizeof(*r));
	r->family = family;
	r->tunnel = tunnel;
	memcpy(r->addr, addr, 16);
	hc->index[s] = (uint32_t)++hc->n_rows;
	return r;
oom:
	hc->oom = true;
	return NULL;
}

/* Empties index slot s, moving up the entries probed past it. */
static void index_delete(struct host_counts *hc, size_t s)
{
	size_t hole = s;

	for (size_t j = (s + 1) & hc->mask; hc->index[j] != 0;
	     j = (j + 1) & hc->mask) {
		size_t home = row_home(hc, &hc->rows[hc->index[j] - 1]);
		/* Entry j stays when its home lies in (hole, j], cyclically. */
		bool stays = hole <= j ? hole < home && home <= j
				       : hole < home || home <= j;

		if (!stays) {
			hc->index[hole] = hc->index[j];
			hole = j;
		}
	}
	hc->index[hole] = 0;
}

/* A host with no socket left goes: rows are the hosts holding sockets. */
static void row_delete(struct host_counts *hc, size_t s)
{
	size_t at = hc->index[s] - 1, last = hc->n_rows - 1;

	index_delete(hc, s);
	if (at != last) {
		const struct host_state_row *m = &hc->rows[last];
		size_t t = slot_of(hc, m->family, m->addr, m->tunnel);

		hc->index[t] = (uint32_t)at + 1;
		hc->rows[at] = *m;
	}
	hc->n_rows--;
}

/* -------------------------------------------------------- the counting */

static void endpoint_host(const struct flow *f, int d, uint8_t *family,
			  const uint8_t **addr, uint16_t *tunnel)
{
	*family = f->key.family;
	*addr = flow_addr(f, d);
	*tunnel = f->key.tunnel;
}

static void count_add(struct host_counts *hc, const struct flow *f, int d,
		      struct flow_counted *fc, uint8_t code)
{
	struct host_state_row *r;
	const uint8_t *addr;
	uint8_t family;
	uint16_t tunnel;

	if (code == CODE_NONE)
		return;
	if (code == CODE_SYN_RECV_GONE || code == TCP_STATE_SYN_RECV + 1)
		hc->syn_recv_seen++;
	if (code == CODE_SYN_RECV_GONE) {
		hc->syn_recv_gone++;
		return;
	}
	endpoint_host(f, d, &family, &addr, &tunnel);
	r = row_get(hc, family, addr, tunnel);
	if (r == NULL) {
		fc->past_bound |= (uint8_t)(1u << d);
		hc->not_counted++;
		return;
	}
	r->count[code - 1]++;
	r->total++;
}

static void count_remove(struct host_counts *hc, const struct flow *f, int d,
			 struct flow_counted *fc, uint8_t code)
{
	struct host_state_row *r;
	const uint8_t *addr;
	uint8_t family;
	uint16_t tunnel;
	size_t s;

	if (code == CODE_NONE)
		return;
	if (code == CODE_SYN_RECV_GONE || code == TCP_STATE_SYN_RECV + 1)
		hc->syn_recv_seen--;
	if (code == CODE_SYN_RECV_GONE) {
		hc->syn_recv_gone--;
		return;
	}
	if (fc->past_bound & (1u << d)) {
		fc->past_bound &= (uint8_t)~(1u << d);
		hc->not_counted--;
		return;
	}
	endpoint_host(f, d, &family, &addr, &tunnel);
	s = slot_of(hc, family, addr, tunnel);
	if (hc->index[s] == 0)
		return;         /* counted in no row: cannot happen */
	r = &hc->rows[hc->index[s] - 1];
	r->count[code - 1]--;
	if (--r->total == 0)
		row_delete(hc, s);
}

/*
 * Endpoint d as host_states counts it at now (TIME_WAIT brought up to
 * now as tcp_conn_advance() does); *due is lowered to the moment that
 * would next change with no packet.
 */
static uint8_t endpoint_code(const struct host_counts *hc,
			     const struct flow *f, int d, int64_t now,
			     int64_t *due)
{
	uint8_t st = f->u.tcp.ep[d].state;

	if (st == TCP_STATE_TIME_WAIT) {
		int64_t end = tcp_conn_time_wait_end(f, &hc->tcp);

		if (now >= end)
			st = TCP_STATE_CLOSED;
		else if (end < *due)
			*due = end;
	}
	if (st == TCP_STATE_CLOSED || st == TCP_STATE_LISTEN ||
	    st >= TCP_STATE_COUNT)
		return CODE_NONE;
	if (st == TCP_STATE_SYN_RECV) {
		int64_t until = host_states_syn_recv_until(f, d);

		if (now > until)
			return CODE_SYN_RECV_GONE;
		if (until < *due - 1)
			*due = until + 1;
	}
	return (uint8_t)(st + 1);
}

static void due_push(struct host_counts *hc, const struct due_entry *e)
{
	size_t i;

	if (hc->n_heap == hc->cap_heap) {
		size_t cap = hc->cap_heap ? hc->cap_heap * 2 : 256;
		struct due_entry *p = realloc(hc->heap, cap * sizeof(*p));

		if (p == NULL) {
			hc->oom = true;
			return;
		}
		hc->heap = p;
		hc->cap_heap = cap;
	}
	for (i = hc->n_heap++; i > 0 && hc->heap[(i - 1) / 2].due > e->due;
	     i = (i - 1) / 2)
		hc->heap[i] = hc->heap[(i - 1) / 2];
	hc->heap[i] = *e;
}

static struct due_entry due_pop(struct host_counts *hc)
{
	struct due_entry top = hc->heap[0], last = hc->heap[--hc->n_heap];
	size_t i = 0, n = hc->n_heap;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && hc->heap[c + 1].due < hc->heap[c].due)
			c++;
		if (hc->heap[c].due >= last.due)
			break;
		hc->heap[i] = hc->heap[c];
		i = c;
	}
	if (n > 0)
		hc->heap[i] = last;
	return top;
}

/* Sets f's counts right for now, and queues its next due moment. */
static void resync(struct host_counts *hc, const struct flow *f,
		   struct flow_counted *fc, int64_t now)
{
	int64_t due = INT64_MAX;

	for (int d = 0; d < 2; d++) {
		uint8_t code = endpoint_code(hc, f, d, now, &due);

		if (code == fc->code[d])
			continue;
		count_remove(hc, f, d, fc, fc->code[d]);
		count_add(hc, f, d, fc, code);
		fc->code[d] = code;
	}
	if (due == INT64_MAX) {
		fc->due = 0;
		return;
	}
	if (due != fc->due) {
		struct due_entry e = {due, f, fc, flow_uid(f)};

		due_push(hc, &e);
	}
	fc->due = due;
}

/* Settles every flow whose counts changed by now with no packet. */
static void settle_due(struct host_counts *hc, int64_t now)
{
	while (hc->n_heap > 0 && hc->heap[0].due <= now) {
		struct due_entry e = due_pop(hc);

		/* Settled since, ended, or its slot now holds another flow. */
		if (!e.fc->live || e.fc->due != e.due ||
		    flow_uid(e.f) != e.uid)
			continue;
		resync(hc, e.f, e.fc, now);
	}
}

void host_counts_on_segment(struct host_counts *hc, const struct flow *f,
			    void *storage, int64_t now)
{
	struct flow_counted *fc = storage;

	settle_due(hc, now);
	fc->live = 1;
	resync(hc, f, fc, now);
}

void host_counts_add_listener(struct host_counts *hc, uint8_t family,
			      const uint8_t addr[16], uint16_t tunnel)
{
	struct host_state_row *r = row_get(hc, family, addr, tunnel);

	if (r == NULL) {
		hc->not_counted++;
		return;
	}
	r->count[TCP_STATE_LISTEN]++;
	r->total++;
}

void host_counts_on_flow_end(struct host_counts *hc, const struct flow *f,
			     void *storage)
{
	struct flow_counted *fc = storage;

	if (!fc->live)
		return;
	for (int d = 0; d < 2; d++)
		count_remove(hc, f, d, fc, fc->code[d]);
	memset(fc, 0, sizeof(*fc));
}

/* ----------------------------------------------------------- the table */

static bool only_syn_sent(const struct host_state_row *r)
{
	return r->count[TCP_STATE_SYN_SENT] == r->total;
}

bool host_counts_take(struct host_counts *hc, int64_t now)
{
	size_t syn_only = 0;

	settle_due(hc, now);
	memset(&hc->sum, 0, sizeof(hc->sum));
	hc->sum.syn_recv_seen = hc->syn_recv_seen;
	hc->sum.syn_recv_gone = hc->syn_recv_gone;
	hc->n_out = 0;
	if (hc->n_rows > hc->cap_out) {
		struct host_state_row *p =
			realloc(hc->out, hc->n_rows * sizeof(*p));

		if (p == NULL) {
			hc->oom = true;
			return false;
		}
		hc->out = p;
		hc->cap_out = hc->n_rows;
	}
	for (size_t i = 0; i < hc->n_rows; i++)
		syn_only += only_syn_sent(&hc->rows[i]);
	for (size_t i = 0; i < hc->n_rows; i++) {
		const struct host_state_row *r = &hc->rows[i];

		/* As host_states: sources of SYNs alone, summed up. */
		if (syn_only >= HOST_STATES_SYN_ONLY_HOSTS && only_syn_sent(r)) {
			hc->sum.syn_only_hosts++;
			hc->sum.syn_only_sockets += r->total;
			continue;
		}
		hc->out[hc->n_out++] = *r;
	}
	if (hc->n_out > 1)
		qsort(hc->out, hc->n_out, sizeof(hc->out[0]),
		      host_state_row_order);
	return !hc->oom;
}

const struct host_state_row *host_counts_rows(const struct host_counts *hc,
					      size_t *n)
{
	*n = hc->n_out;
	return hc->out;
}

struct host_states_summary host_counts_summary(const struct host_counts *hc)
{
	return hc->sum;
}

uint64_t host_counts_not_counted(const struct host_counts *hc)
{
	return hc->not_counted;
}
