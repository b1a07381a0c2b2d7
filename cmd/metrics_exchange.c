#include "metrics_exchange.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct metrics_exchange {
	pthread_mutex_t lock;
	pthread_cond_t published;
	struct metrics_text *latest;
	uint64_t generation;            /* texts published */
	bool closed;
};

struct metrics_text *metrics_text_new(size_t len)
{
	struct metrics_text *t = malloc(sizeof(*t) + len + 1);

	if (t == NULL)
		return NULL;
	atomic_init(&t->refs, 1);
	t->len = len;
	t->text[len] = '\0';
	return t;
}

void metrics_text_unref(struct metrics_text *t)
{
	if (t != NULL && atomic_fetch_sub(&t->refs, 1) == 1)
		free(t);
}

struct metrics_exchange *metrics_exchange_new(void)
{
	struct metrics_exchange *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return NULL;
	if (pthread_mutex_init(&x->lock, NULL) != 0) {
		free(x);
		return NULL;
	}
	if (pthread_cond_init(&x->published, NULL) != 0) {
		pthread_mutex_destroy(&x->lock);
		free(x);
		return NULL;
	}
	return x;
}

void metrics_exchange_free(struct metrics_exchange *x)
{
	if (x == NULL)
		return;
	metrics_text_unref(x->latest);
	pthread_cond_destroy(&x->published);
	pthread_mutex_destroy(&x->lock);
	free(x);
}

void metrics_exchange_publish(struct metrics_exchange *x,
			      struct metrics_text *t)
{
	struct metrics_text *old;

	pthread_mutex_lock(&x->lock);
	old = x->latest;
	x->latest = t;
	x->generation++;
	pthread_cond_signal(&x->published);
	pthread_mutex_unlock(&x->lock);
	/* Outside the lock: the last reference frees it. */
	metrics_text_unref(old);
}

struct metrics_text *metrics_exchange_latest(struct metrics_exchange *x)
{
	struct metrics_text *t;

	pthread_mutex_lock(&x->lock);
	t = x->latest;
	if (t != NULL)
		atomic_fetch_add(&t->refs, 1);
	pthread_mutex_unlock(&x->lock);
	return t;
}

struct metrics_text *metrics_exchange_wait(struct metrics_exchange *x,
					   uint64_t *seen)
{
	struct metrics_text *t = NULL;

	pthread_mutex_lock(&x->lock);
	while (x->generation == *seen && !x->closed)
		pthread_cond_wait(&x->published, &x->lock);
	if (x->generation != *seen && x->latest != NULL) {
		t = x->latest;
		atomic_fetch_add(&t->refs, 1);
		*seen = x->generation;
	}
	pthread_mutex_unlock(&x->lock);
	return t;
}

void metrics_exchange_close(struct metrics_exchange *x)
{
	pthread_mutex_lock(&x->lock);
	x->closed = true;
	pthread_cond_broadcast(&x->published);
	pthread_mutex_unlock(&x->lock);
}
