#include "host_states.h"

#include <stdlib.h>
#include <string.h>

struct host_states {
	struct host_state_row *rows;
	size_t n, cap;
	uint32_t *index;        /* row + 1 by address hash, 0 free */
	size_t index_mask;
	/* Listeners seen, as 64-bit hashes of host:port (0 free). */
	uint64_t *listeners;
	size_t listeners_mask, n_listeners;
	bool oom;
};

struct host_states *host_states_new(void)
{
	return calloc(1, sizeof(struct host_states));
}

void host_states_free(struct host_states *hs)
{
	if (hs == NULL)
		return;
	free(hs->rows);
	free(hs->index);
	free(hs->listeners);
	free(hs);
}

bool host_states_out_of_memory(const struct host_states *hs)
{
	return hs->oom;
}

static size_t addr_hash(uint8_t family, const uint8_t *addr)
{
	uint64_t w[2], h = 0x9e3779b97f4a7c15ULL ^ family;

	memcpy(w, addr, 16);
	h = (h ^ w[0]) * 0xff51afd7ed558ccdULL;
	h = (h ^ (h >> 32) ^ w[1]) * 0xc4ceb9fe1a85ec53ULL;
	return (size_t)(h ^ (h >> 31));
}

static bool index_rebuild(struct host_states *hs, size_t cap)
{
	uint32_t *idx = calloc(cap, sizeof(*idx));

	if (idx == NULL)
		return false;
	for (size_t i = 0; i < hs->n; i++) {
		size_t s = addr_hash(hs->rows[i].family, hs->rows[i].addr) & (cap - 1);

		while (idx[s] != 0)
			s = (s + 1) & (cap - 1);
		idx[s] = (uint32_t)i + 1;
	}
	free(hs->index);
	hs->index = idx;
	hs->index_mask = cap - 1;
	return true;
}

static struct host_state_row *row_for(struct host_states *hs, uint8_t family,
				      const uint8_t *addr)
{
	size_t s;

	if (hs->index == NULL && !index_rebuild(hs, 64))
		goto oom;
	for (s = addr_hash(family, addr) & hs->index_mask; hs->index[s] != 0;
	     s = (s + 1) & hs->index_mask) {
		struct host_state_row *r = &hs->rows[hs->index[s] - 1];

		if (r->family == family && memcmp(r->addr, addr, 16) == 0)
			return r;
	}
	if (hs->n == hs->cap) {
		size_t cap = hs->cap ? hs->cap * 2 : 16;
		struct host_state_row *p = realloc(hs->rows, cap * sizeof(*p));

		if (p == NULL)
			goto oom;
		hs->rows = p;
		hs->cap = cap;
	}
	memset(&hs->rows[hs->n], 0, sizeof(hs->rows[0]));
	hs->rows[hs->n].family = family;
	memcpy(hs->rows[hs->n].addr, addr, 16);
	hs->n++;
	if (hs->n * 4 > (hs->index_mask + 1) * 3) {
		if (!index_rebuild(hs, (hs->index_mask + 1) * 2))
			goto oom;
	} else {
		hs->index[s] = (uint32_t)hs->n;
	}
	return &hs->rows[hs->n - 1];
oom:
	hs->oom = true;
	return NULL;
}

/* True when the listener was not known yet (it is now). */
static bool listener_add(struct host_states *hs, uint64_t h)
{
	size_t s;

	h |= 1;
	if (hs->listeners == NULL ||
	    (hs->n_listeners + 1) * 4 > (hs->listeners_mask + 1) * 3) {
		size_t cap = hs->listeners ? (hs->listeners_mask + 1) * 2 : 64;
		uint64_t *p = calloc(cap, sizeof(*p));

		if (p == NULL) {
			hs->oom = true;
			return false;
		}
		for (size_t i = 0; hs->listeners && i <= hs->listeners_mask; i++) {
			uint64_t v = hs->listeners[i];

			if (v == 0)
				continue;
			for (s = v & (cap - 1); p[s] != 0; s = (s + 1) & (cap - 1))
				;
			p[s] = v;
		}
		free(hs->listeners);
		hs->listeners = p;
		hs->listeners_mask = cap - 1;
	}
	for (s = h & hs->listeners_mask; hs->listeners[s] != 0;
	     s = (s + 1) & hs->listeners_mask)
		if (hs->listeners[s] == h)
			return false;
	hs->listeners[s] = h;
	hs->n_listeners++;
	return true;
}

void host_states_on_segment(struct host_states *hs, const struct packet *pkt,
			    const struct flow *f,
			    const struct tcp_seg_info *info)
{
	const uint8_t *addr = flow_addr(f, FLOW_RESP);
	uint16_t port = flow_port(f, FLOW_RESP);
	struct host_state_row *r;
	uint64_t h;

	if ((pkt->tcp.flags & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST)) !=
		    (TCP_FLAG_SYN | TCP_FLAG_ACK) ||
	    info->dir != FLOW_RESP || (f->u.tcp.flags & TCP_CONN_SIM_OPEN))
		return;
	h = (uint64_t)addr_hash(f->key.family, addr) * 0x9e3779b97f4a7c15ULL ^ port;
	if (!listener_add(hs, h))
		return;
	r = row_for(hs, f->key.family, addr);
	if (r != NULL) {
		r->count[TCP_STATE_LISTEN]++;
		r->total++;
	}
}

void host_states_add_flow(struct host_states *hs, const struct flow *f)
{
	if (!flow_is_tcp(f))
		return;
	for (int dir = 0; dir < 2; dir++) {
		uint8_t s = f->u.tcp.ep[dir].state;
		struct host_state_row *r;

		if (s == TCP_STATE_CLOSED || s == TCP_STATE_LISTEN ||
		    s >= TCP_STATE_COUNT)
			continue;
		r = row_for(hs, f->key.family, flow_addr(f, dir));
		if (r != NULL) {
			r->count[s]++;
			r->total++;
		}
	}
}

static int row_order(const void *pa, const void *pb)
{
	const struct host_state_row *a = pa, *b = pb;

	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr, b->addr, 16);
}

const struct host_state_row *host_states_rows(struct host_states *hs,
					      size_t *n)
{
	if (hs->n > 1)
		qsort(hs->rows, hs->n, sizeof(hs->rows[0]), row_order);
	/* Sorting moved the rows: the index is rebuilt when next needed. */
	free(hs->index);
	hs->index = NULL;
	*n = hs->n;
	return hs->rows;
}
