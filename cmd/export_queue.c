#include "export_queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* A record in the ring: this header, then len bytes, wrapping as bytes. */
struct record_header {
	uint32_t len;
	uint32_t kind;
};

struct export_queue {
	pthread_mutex_t lock;
	pthread_cond_t more, room;
	char *ring;
	size_t cap, tail, used;         /* [tail, tail + used) modulo cap */
	uint64_t dropped;
	bool closed;
};

struct export_queue *export_queue_new(size_t capacity)
{
	struct export_queue *q = calloc(1, sizeof(*q));

	if (q == NULL || (q->ring = malloc(capacity)) == NULL) {
		free(q);
		return NULL;
	}
	q->cap = capacity;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->more, NULL);
	pthread_cond_init(&q->room, NULL);
	return q;
}

void export_queue_free(struct export_queue *q)
{
	if (q == NULL)
		return;
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->more);
	pthread_cond_destroy(&q->room);
	free(q->ring);
	free(q);
}

/* n bytes in at offset at (modulo cap). */
static void ring_put(struct export_queue *q, size_t at, const void *p, size_t n)
{
	size_t first = q->cap - at < n ? q->cap - at : n;

	memcpy(q->ring + at, p, first);
	memcpy(q->ring, (const char *)p + first, n - first);
}

static void ring_get(struct export_queue *q, size_t at, void *p, size_t n)
{
	size_t first = q->cap - at < n ? q->cap - at : n;

	memcpy(p, q->ring + at, first);
	memcpy((char *)p + first, q->ring, n - first);
}

/* Under the lock, with room: the record in, the popper woken. */
static void put_record(struct export_queue *q, enum export_kind kind,
		       const char *line, size_t len)
{
	struct record_header h = {(uint32_t)len, (uint32_t)kind};
	size_t head = (q->tail + q->used) % q->cap;

	ring_put(q, head, &h, sizeof(h));
	ring_put(q, (head + sizeof(h)) % q->cap, line, len);
	q->used += sizeof(h) + len;
	pthread_cond_signal(&q->more);
}

bool export_queue_push(struct export_queue *q, enum export_kind kind,
		       const char *line, size_t len)
{
	bool ok;

	pthread_mutex_lock(&q->lock);
	ok = len <= EXPORT_RECORD_MAX && !q->closed &&
	     q->cap - q->used >= sizeof(struct record_header) + len;
	if (ok)
		put_record(q, kind, line, len);
	else
		q->dropped++;
	pthread_mutex_unlock(&q->lock);
	return ok;
}

bool export_queue_push_wait(struct export_queue *q, enum export_kind kind,
			    const char *line, size_t len)
{
	size_t need = sizeof(struct record_header) + len;
	bool ok;

	pthread_mutex_lock(&q->lock);
	while (!q->closed && need <= q->cap && q->cap - q->used < need)
		pthread_cond_wait(&q->room, &q->lock);
	ok = len <= EXPORT_RECORD_MAX && !q->closed && need <= q->cap;
	if (ok)
		put_record(q, kind, line, len);
	else
		q->dropped++;
	pthread_mutex_unlock(&q->lock);
	return ok;
}

uint64_t export_queue_dropped(struct export_queue *q)
{
	uint64_t n;

	pthread_mutex_lock(&q->lock);
	n = q->dropped;
	pthread_mutex_unlock(&q->lock);
	return n;
}

long export_queue_pop(struct export_queue *q, enum export_kind *kind,
		      char *buf, size_t cap, const struct timespec *deadline)
{
	struct record_header h;
	long got;

	pthread_mutex_lock(&q->lock);
	while (q->used == 0 && !q->closed && deadline != NULL &&
	       pthread_cond_timedwait(&q->more, &q->lock, deadline) != ETIMEDOUT)
		;
	if (q->used == 0) {
		got = q->closed ? -1 : 0;
		pthread_mutex_unlock(&q->lock);
		return got;
	}
	ring_get(q, q->tail, &h, sizeof(h));
	/* Copied under the lock: a record is small, the producer never waits long. */
	if (h.len <= cap)
		ring_get(q, (q->tail + sizeof(h)) % q->cap, buf, h.len);
	q->tail = (q->tail + sizeof(h) + h.len) % q->cap;
	q->used -= sizeof(h) + h.len;
	pthread_cond_signal(&q->room);
	pthread_mutex_unlock(&q->lock);
	*kind = (enum export_kind)h.kind;
	/* cap is at least EXPORT_RECORD_MAX by contract; a longer never came in. */
	return h.len <= cap ? (long)h.len : 0;
}

void export_queue_close(struct export_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	pthread_cond_broadcast(&q->more);
	pthread_mutex_unlock(&q->lock);
}
