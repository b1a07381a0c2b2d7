#include "snapshot_exchange.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct snapshot_exchange {
	pthread_mutex_t lock;
	struct live_frame frames[3];
	struct live_frame *back, *ready, *front;
	bool fresh;                     /* ready was published, not taken */
	_Atomic uint64_t ladder_uid;    /* the display's want */
	/* The display's connections, under lock; limit 0: not asked yet. */
	struct dash_conn_query conns_query;
	size_t conns_limit;
	/* Bumped by every change of the display's wants. */
	atomic_uint wants;
};

struct snapshot_exchange *snapshot_exchange_new(unsigned parts)
{
	struct snapshot_exchange *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return NULL;
	if (pthread_mutex_init(&x->lock, NULL) != 0) {
		free(x);
		return NULL;
	}
	for (int i = 0; i < 3; i++)
		engine_snapshot_init(&x->frames[i].snap, parts);
	x->back = &x->frames[0];
	x->ready = &x->frames[1];
	x->front = &x->frames[2];
	return x;
}

void snapshot_exchange_free(struct snapshot_exchange *x)
{
	if (x == NULL)
		return;
	for (int i = 0; i < 3; i++)
		engine_snapshot_free(&x->frames[i].snap);
	pthread_mutex_destroy(&x->lock);
	free(x);
}

struct live_frame *snapshot_exchange_back(struct snapshot_exchange *x)
{
	struct live_frame *f = x->back;
	struct engine_flow_query q = {.keep = dash_conn_keep,
				      .order = dash_conn_order,
				      .ctx = &f->conns_query};

	engine_snapshot_want_ladder(&f->snap, atomic_load(&x->ladder_uid));
	pthread_mutex_lock(&x->lock);
	f->conns_query = x->conns_query;
	q.limit = x->conns_limit;
	pthread_mutex_unlock(&x->lock);
	engine_snapshot_want_flows(&f->snap, q.limit > 0 ? &q : NULL);
	return f;
}

void snapshot_exchange_want_conns(struct snapshot_exchange *x,
				  const struct dash_conn_query *q,
				  size_t limit)
{
	bool changed;

	pthread_mutex_lock(&x->lock);
	changed = x->conns_limit != limit ||
		  memcmp(&x->conns_query, q, sizeof(*q)) != 0;
	x->conns_query = *q;
	x->conns_limit = limit;
	pthread_mutex_unlock(&x->lock);
	if (changed)
		atomic_fetch_add(&x->wants, 1);
}

void snapshot_exchange_want_ladder(struct snapshot_exchange *x, uint64_t uid)
{
	if (atomic_exchange(&x->ladder_uid, uid) != uid)
		atomic_fetch_add(&x->wants, 1);
}

uint64_t snapshot_exchange_ladder_wanted(struct snapshot_exchange *x)
{
	return atomic_load(&x->ladder_uid);
}

unsigned snapshot_exchange_wants(struct snapshot_exchange *x)
{
	return atomic_load(&x->wants);
}

void snapshot_exchange_publish(struct snapshot_exchange *x)
{
	struct live_frame *t;

	pthread_mutex_lock(&x->lock);
	t = x->ready;
	x->ready = x->back;
	x->back = t;
	x->fresh = true;
	pthread_mutex_unlock(&x->lock);
}

bool snapshot_exchange_pending(struct snapshot_exchange *x)
{
	bool fresh;

	pthread_mutex_lock(&x->lock);
	fresh = x->fresh;
	pthread_mutex_unlock(&x->lock);
	return fresh;
}

const struct live_frame *snapshot_exchange_fresh(struct snapshot_exchange *x)
{
	struct live_frame *t;

	pthread_mutex_lock(&x->lock);
	if (!x->fresh) {
		pthread_mutex_unlock(&x->lock);
		return NULL;
	}
	t = x->front;
	x->front = x->ready;
	x->ready = t;
	x->fresh = false;
	pthread_mutex_unlock(&x->lock);
	return x->front;
}
