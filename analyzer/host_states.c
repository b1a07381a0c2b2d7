#include "host_states.h"

#include <stdlib.h>
#include <string.h>

#define NS_PER_SEC 1000000000LL
/* Linux's first SYN-ACK timeout (TCP_TIMEOUT_INIT), doubled per resend. */
#define SYNACK_RTO_NS NS_PER_SEC
/* Resends past which the timeout no longer matters (TCP_RTO_MAX 120 s). */
#define SYNACK_MAX_DOUBLINGS 7

struct host_states {
	/* Listeners seen, in the order they showed, and their exact set. */
	struct host_socket *listeners;
	size_t n_listeners, cap_listeners;
	uint32_t *listener_index;       /* listener + 1 by hash, 0 free */
	size_t listener_mask;
	/* The last table taken, sorted; its rows once asked for. */
	struct host_socket *sockets;
	size_t n_sockets, cap_sockets;
	struct host_state_row *rows;
	size_t n_rows, cap_rows;
	/* host_states_take_counts(): each host's row + 1 by hash, 0 free. */
	uint32_t *row_index;
	size_t row_mask;
	bool rows_valid;
	bool oom;
	/* The table being taken: its time, and what it leaves out. */
	int64_t now;
	struct host_states_summary sum;
};

struct host_states *host_states_new(void)
{
	return calloc(1, sizeof(struct host_states));
}

void host_states_free(struct host_states *hs)
{
	if (hs == NULL)
		return;
	free(hs->listeners);
	free(hs->listener_index);
	free(hs->sockets);
	free(hs->rows);
	free(hs->row_index);
	free(hs);
}

struct host_states_summary host_states_summary(const struct host_states *hs)
{
	return hs->sum;
}

bool host_states_out_of_memory(const struct host_states *hs)
{
	return hs->oom;
}

/* ------------------------------------------------------------- listeners */

static size_t listener_hash(uint8_t family, const uint8_t *addr, uint16_t port,
			    uint16_t tunnel)
{
	uint64_t w[2], h = 0x9e3779b97f4a7c15ULL ^ family ^ ((uint64_t)port << 8) ^
			   ((uint64_t)tunnel << 24);

	memcpy(w, addr, 16);
	h = (h ^ w[0]) * 0xff51afd7ed558ccdULL;
	h = (h ^ (h >> 32) ^ w[1]) * 0xc4ceb9fe1a85ec53ULL;
	return (size_t)(h ^ (h >> 31));
}

static bool same_listener(const struct host_socket *l,
			  const struct host_socket *k)
{
	return l->family == k->family && l->port == k->port &&
	       l->tunnel == k->tunnel && memcmp(l->addr, k->addr, 16) == 0;
}

static bool listener_index_grow(struct host_states *hs)
{
	size_t cap = hs->listener_index ? (hs->listener_mask + 1) * 2 : 64;
	uint32_t *idx = calloc(cap, sizeof(*idx));

	if (idx == NULL)
		return false;
	for (size_t i = 0; i < hs->n_listeners; i++) {
		const struct host_socket *l = &hs->listeners[i];
		size_t s = listener_hash(l->family, l->addr, l->port,
					 l->tunnel) & (cap - 1);

		while (idx[s] != 0)
			s = (s + 1) & (cap - 1);
		idx[s] = (uint32_t)i + 1;
	}
	free(hs->listener_index);
	hs->listener_index = idx;
	hs->listener_mask = cap - 1;
	return true;
}

/* Adds the listener k unless it is known (ss lists each once): true if new. */
static bool listener_add(struct host_states *hs, const struct host_socket *k)
{
	size_t s;

	if ((hs->listener_index == NULL ||
	     (hs->n_listeners + 1) * 4 > (hs->listener_mask + 1) * 3) &&
	    !listener_index_grow(hs))
		goto oom;
	for (s = listener_hash(k->family, k->addr, k->port, k->tunnel) &
		 hs->listener_mask;
	     hs->listener_index[s] != 0; s = (s + 1) & hs->listener_mask)
		if (same_listener(&hs->listeners[hs->listener_index[s] - 1], k))
			return false;
	if (hs->n_listeners == hs->cap_listeners) {
		size_t cap = hs->cap_listeners ? hs->cap_listeners * 2 : 16;
		struct host_socket *p = realloc(hs->listeners, cap * sizeof(*p));

		if (p == NULL)
			goto oom;
		hs->listeners = p;
		hs->cap_listeners = cap;
	}
	hs->listeners[hs->n_listeners] = *k;
	hs->listener_index[s] = (uint32_t)++hs->n_listeners;
	return true;
oom:
	hs->oom = true;
	return false;
}

bool host_states_on_segment(struct host_states *hs, const struct packet *pkt,
			    const struct flow *f,
			    const struct tcp_seg_info *info)
{
	struct host_socket l;

	/*
	 * A SYN-ACK shows a listener: Linux sends one only from a request
	 * socket a listener made (or a SYN cookie, also a listener's).
	 * With RST set it is a refusal (see host_states.h), and in a
	 * simultaneous open the SYN-ACK comes from a connecting socket.
	 */
	if ((pkt->tcp.flags & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST)) !=
		    (TCP_FLAG_SYN | TCP_FLAG_ACK) ||
	    info->dir != FLOW_RESP || (f->u.tcp.flags & TCP_CONN_SIM_OPEN))
		return false;
	memset(&l, 0, sizeof(l));
	l.family = f->key.family;
	l.state = TCP_STATE_LISTEN;
	l.port = flow_port(f, FLOW_RESP);
	l.tunnel = f->key.tunnel;
	memcpy(l.addr, flow_addr(f, FLOW_RESP), 16);
	return listener_add(hs, &l);
}

/* ----------------------------------------------------------------- tables */

static void socket_add(struct host_states *hs, const struct host_socket *s)
{
	if (hs->n_sockets == hs->cap_sockets) {
		size_t cap = hs->cap_sockets ? hs->cap_sockets * 2 : 256;
		struct host_socket *p = realloc(hs->sockets, cap * sizeof(*p));

		if (p == NULL) {
			hs->oom = true;
			return;
		}
		hs->sockets = p;
		hs->cap_sockets = cap;
	}
	hs->sockets[hs->n_sockets++] = *s;
}

/*
 * Whether a SYN_RECV endpoint still holds a request socket at now: its
 * SYN-ACK's timer (1 s, doubled per resend) has not run out since the
 * flow's last packet.  Past it with no resend: a SYN cookie (never
 * resent) or a request whose resends are used up or that the full
 * queue pruned; either way the kernel holds nothing.  The timer fires
 * late by up to a few percent (the timer wheel rounds up: 24 ms at 1 s,
 * 96 ms at 4 s in the lab's syn_flood_cookies), so a request whose
 * resend is due in the capture's last moments may be missed: the
 * count is an estimate, and says so.
 */
int64_t host_states_syn_recv_until(const struct flow *f, int d)
{
	uint32_t resent = f->u.tcp.ep[d].retrans_segs;

	if (resent > SYNACK_MAX_DOUBLINGS)
		resent = SYNACK_MAX_DOUBLINGS;
	return f->last_ts + (SYNACK_RTO_NS << resent);
}

static bool syn_recv_held(const struct flow *f, int d, int64_t now)
{
	return now <= host_states_syn_recv_until(f, d);
}

/*
 * Endpoints that hold a socket: not CLOSED, and not LISTEN (the receiver
 * of an unanswered SYN; a listener that answered is in hs->listeners),
 * nor SYN_RECV without a request socket (syn_recv_held(), counted).
 */
static bool endpoint_socket(struct host_states *hs, const struct flow *f,
			    int d, struct host_socket *s)
{
	uint8_t st = f->u.tcp.ep[d].state;

	if (st == TCP_STATE_CLOSED || st == TCP_STATE_LISTEN ||
	    st >= TCP_STATE_COUNT)
		return false;
	if (st == TCP_STATE_SYN_RECV) {
		hs->sum.syn_recv_seen++;
		if (!syn_recv_held(f, d, hs->now)) {
			hs->sum.syn_recv_gone++;
			return false;
		}
	}
	memset(s, 0, sizeof(*s));
	s->family = f->key.family;
	s->state = st;
	s->port = flow_port(f, d);
	memcpy(s->addr, flow_addr(f, d), 16);
	memcpy(s->peer, flow_addr(f, !d), 16);
	s->peer_port = flow_port(f, !d);
	s->tunnel = f->key.tunnel;
	s->uid = flow_uid(f);
	return true;
}

static void take_flow(void *arg, const struct flow *f)
{
	struct host_states *hs = arg;
	struct host_socket s;

	if (!flow_is_tcp(f))
		return;
	for (int d = 0; d < 2; d++)
		if (endpoint_socket(hs, f, d, &s))
			socket_add(hs, &s);
}

static bool same_host(const struct host_socket *a, const struct host_socket *b)
{
	return a->family == b->family && a->tunnel == b->tunnel &&
	       memcmp(a->addr, b->addr, 16) == 0;
}

static int socket_order(const void *pa, const void *pb)
{
	const struct host_socket *a = pa, *b = pb;
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if ((c = memcmp(a->addr, b->addr, 16)) != 0)
		return c;
	/* Outside any tunnel (0) first, then by tunnel, as they came. */
	if (a->tunnel != b->tunnel)
		return a->tunnel < b->tunnel ? -1 : 1;
	if (a->state != b->state)
		return a->state < b->state ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if ((c = memcmp(a->peer, b->peer, 16)) != 0)
		return c;
	if (a->peer_port != b->peer_port)
		return a->peer_port < b->peer_port ? -1 : 1;
	/* The same 4-tuple twice (other VLANs): the older connection first. */
	return a->uid < b->uid ? -1 : a->uid > b->uid;
}

/* Sockets [i, end) of one host; end returned. */
static size_t host_end(const struct host_socket *s, size_t n, size_t i)
{
	size_t j = i + 1;

	while (j < n && same_host(&s[i], &s[j]))
		j++;
	return j;
}

static bool only_syn_sent(const struct host_socket *s, size_t i, size_t end)
{
	for (; i < end; i++)
		if (s[i].state != TCP_STATE_SYN_SENT)
			return false;
	return true;
}

/* The sorted sockets without those of hosts holding only SYN_SENT. */
static void summarise_syn_only(struct host_states *hs)
{
	struct host_socket *s = hs->sockets;
	size_t n = hs->n_sockets, hosts = 0, kept = 0;

	for (size_t i = 0; i < n; i = host_end(s, n, i))
		hosts += only_syn_sent(s, i, host_end(s, n, i));
	if (hosts < HOST_STATES_SYN_ONLY_HOSTS)
		return;
	for (size_t i = 0, end; i < n; i = end) {
		end = host_end(s, n, i);
		if (only_syn_sent(s, i, end)) {
			hs->sum.syn_only_hosts++;
			hs->sum.syn_only_sockets += (uint32_t)(end - i);
			continue;
		}
		memmove(&s[kept], &s[i], (end - i) * sizeof(*s));
		kept += end - i;
	}
	hs->n_sockets = kept;
}

void host_states_take(struct host_states *hs, struct analyzer *a)
{
	hs->n_sockets = 0;
	hs->rows_valid = false;
	hs->n_rows = 0;
	memset(&hs->sum, 0, sizeof(hs->sum));
	hs->now = analyzer_now(a);
	analyzer_foreach_flow(a, take_flow, hs);
	for (size_t i = 0; i < hs->n_listeners; i++)
		socket_add(hs, &hs->listeners[i]);
	if (hs->n_sockets > 1)
		qsort(hs->sockets, hs->n_sockets, sizeof(hs->sockets[0]),
		      socket_order);
	summarise_syn_only(hs);
}

const struct host_socket *host_states_sockets(struct host_states *hs,
					      size_t *n)
{
	*n = hs->n_sockets;
	return hs->sockets;
}

int host_state_row_order(const void *pa, const void *pb)
{
	const struct host_state_row *a = pa, *b = pb;
	int c;

	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if ((c = memcmp(a->addr, b->addr, 16)) != 0)
		return c;
	return a->tunnel < b->tunnel ? -1 : a->tunnel > b->tunnel;
}

uint64_t host_state_row_trouble(const struct host_state_row *r)
{
	return 4 * (uint64_t)r->count[TCP_STATE_CLOSE_WAIT] +
	       4 * (uint64_t)r->count[TCP_STATE_SYN_RECV] +
	       r->count[TCP_STATE_FIN_WAIT1] + r->count[TCP_STATE_LAST_ACK] +
	       r->count[TCP_STATE_CLOSING];
}

const struct host_state_row *host_states_rows(struct host_states *hs,
					      size_t *n)
{
	if (!hs->rows_valid) {
		size_t hosts = 0;

		free(hs->rows);
		hs->rows = NULL;
		hs->n_rows = hs->cap_rows = 0;
		for (size_t i = 0; i < hs->n_sockets; i++)
			if (i == 0 || !same_host(&hs->sockets[i - 1], &hs->sockets[i]))
				hosts++;
		if (hosts > 0 && (hs->rows = calloc(hosts, sizeof(*hs->rows))) == NULL) {
			hs->oom = true;
			hosts = 0;
		}
		for (size_t i = 0; i < hs->n_sockets && hosts > 0; i++) {
			const struct host_socket *s = &hs->sockets[i];
			struct host_state_row *r;

			if (i == 0 || !same_host(&hs->sockets[i - 1], s)) {
				r = &hs->rows[hs->n_rows++];
				r->family = s->family;
				r->tunnel = s->tunnel;
				memcpy(r->addr, s->addr, 16);
			}
			r = &hs->rows[hs->n_rows - 1];
			r->count[s->state]++;
			r->total++;
		}
		if (hs->n_rows > 1)
			qsort(hs->rows, hs->n_rows, sizeof(hs->rows[0]),
			      host_state_row_order);
		hs->rows_valid = true;
	}
	*n = hs->n_rows;
	return hs->rows;
}

/* ------------------------------------------------------- counts only */

static bool row_index_grow(struct host_states *hs)
{
	size_t cap = hs->row_index ? (hs->row_mask + 1) * 2 : 256;
	uint32_t *idx = calloc(cap, sizeof(*idx));

	if (idx == NULL)
		return false;
	for (size_t i = 0; i < hs->n_rows; i++) {
		const struct host_state_row *r = &hs->rows[i];
		size_t s = listener_hash(r->family, r->addr, 0, r->tunnel) &
			   (cap - 1);

		while (idx[s] != 0)
			s = (s + 1) & (cap - 1);
		idx[s] = (uint32_t)i + 1;
	}
	free(hs->row_index);
	hs->row_index = idx;
	hs->row_mask = cap - 1;
	return true;
}

/* The row of k's host, made on first use; NULL: no memory. */
static struct host_state_row *row_of(struct host_states *hs,
				     const struct host_socket *k)
{
	struct host_state_row *r;
	size_t s;

	if ((hs->row_index == NULL ||
	     (hs->n_rows + 1) * 4 > (hs->row_mask + 1) * 3) &&
	    !row_index_grow(hs))
		return NULL;
	for (s = listener_hash(k->family, k->addr, 0, k->tunnel) & hs->row_mask;
	     hs->row_index[s] != 0; s = (s + 1) & hs->row_mask) {
		r = &hs->rows[hs->row_index[s] - 1];
		if (r->family == k->family && r->tunnel == k->tunnel &&
		    memcmp(r->addr, k->addr, 16) == 0)
			return r;
	}
	if (hs->n_rows == hs->cap_rows) {
		size_t cap = hs->cap_rows ? hs->cap_rows * 2 : 64;
		struct host_state_row *p = realloc(hs->rows, cap * sizeof(*p));

		if (p == NULL)
			return NULL;
		hs->rows = p;
		hs->cap_rows = cap;
	}
	r = &hs->rows[hs->n_rows];
	memset(r, 0, sizeof(*r));
	r->family = k->family;
	r->tunnel = k->tunnel;
	memcpy(r->addr, k->addr, 16);
	hs->row_index[s] = (uint32_t)++hs->n_rows;
	return r;
}

static void count_socket(struct host_states *hs, const struct host_socket *s)
{
	struct host_state_row *r = row_of(hs, s);

	if (r == NULL) {
		hs->oom = true;
		return;
	}
	r->count[s->state]++;
	r->total++;
}

static void count_flow(void *arg, const struct flow *f)
{
	struct host_states *hs = arg;
	struct host_socket s;

	if (!flow_is_tcp(f))
		return;
	for (int d = 0; d < 2; d++) {
		if (!endpoint_socket(hs, f, d, &s))
			continue;
		count_socket(hs, &s);
	}
}

/* The rows without those of hosts holding only SYN_SENT. */
static void summarise_syn_only_rows(struct host_states *hs)
{
	size_t hosts = 0, kept = 0;

	for (size_t i = 0; i < hs->n_rows; i++)
		hosts += hs->rows[i].count[TCP_STATE_SYN_SENT] == hs->rows[i].total;
	if (hosts < HOST_STATES_SYN_ONLY_HOSTS)
		return;
	for (size_t i = 0; i < hs->n_rows; i++) {
		const struct host_state_row *r = &hs->rows[i];

		if (r->count[TCP_STATE_SYN_SENT] == r->total) {
			hs->sum.syn_only_hosts++;
			hs->sum.syn_only_sockets += r->total;
			continue;
		}
		hs->rows[kept++] = *r;
	}
	hs->n_rows = kept;
}

void host_states_take_counts(struct host_states *hs, struct analyzer *a)
{
	hs->n_sockets = 0;
	hs->n_rows = 0;
	memset(&hs->sum, 0, sizeof(hs->sum));
	hs->now = analyzer_now(a);
	if (hs->row_index != NULL)
		memset(hs->row_index, 0,
		       (hs->row_mask + 1) * sizeof(*hs->row_index));
	analyzer_foreach_flow(a, count_flow, hs);
	for (size_t i = 0; i < hs->n_listeners; i++)
		count_socket(hs, &hs->listeners[i]);
	/* The index is rebuilt at the next take: rows move here. */
	summarise_syn_only_rows(hs);
	if (hs->n_rows > 1)
		qsort(hs->rows, hs->n_rows, sizeof(hs->rows[0]), host_state_row_order);
	hs->rows_valid = true;
}
