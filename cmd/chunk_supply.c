#include "chunk_supply.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

enum { SUPPLY_AHEAD = 2, PAGE = 4096 };

struct chunk_supply {
	size_t chunk_bytes;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	void *ready[SUPPLY_AHEAD];
	int n_ready;
	bool wanted;            /* a chunk was taken: start supplying */
	bool stop;
};

static void *supply_main(void *arg)
{
	struct chunk_supply *s = arg;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		unsigned char *c;

		while (!s->stop && (!s->wanted || s->n_ready == SUPPLY_AHEAD))
			pthread_cond_wait(&s->cond, &s->lock);
		if (s->stop)
			break;
		pthread_mutex_unlock(&s->lock);
		c = malloc(s->chunk_bytes);
		for (size_t i = 0; c != NULL && i < s->chunk_bytes; i += PAGE)
			c[i] = 0;
		pthread_mutex_lock(&s->lock);
		if (c == NULL)
			break;
		s->ready[s->n_ready++] = c;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

struct chunk_supply *chunk_supply_start(size_t chunk_bytes)
{
	struct chunk_supply *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->chunk_bytes = chunk_bytes;
	if (pthread_mutex_init(&s->lock, NULL) != 0)
		goto fail_free;
	if (pthread_cond_init(&s->cond, NULL) != 0)
		goto fail_mutex;
	if (pthread_create(&s->thread, NULL, supply_main, s) != 0)
		goto fail_cond;
	return s;
fail_cond:
	pthread_cond_destroy(&s->cond);
fail_mutex:
	pthread_mutex_destroy(&s->lock);
fail_free:
	free(s);
	return NULL;
}

void *chunk_supply_take(struct chunk_supply *s)
{
	void *c = NULL;

	pthread_mutex_lock(&s->lock);
	if (s->n_ready > 0) {
		c = s->ready[0];
		for (int i = 1; i < s->n_ready; i++)
			s->ready[i - 1] = s->ready[i];
		s->n_ready--;
	}
	s->wanted = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return c != NULL ? c : malloc(s->chunk_bytes);
}

void chunk_supply_stop(struct chunk_supply *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	for (int i = 0; i < s->n_ready; i++)
		free(s->ready[i]);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
