#include "flow_report_ordered.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "flow_record.h"

/*
 * Blocks of 1024 flows: the helper renders the odd ones into memory
 * while this thread writes the even ones, so at most two rendered
 * blocks (a few hundred KiB even as ndjson) are held at once.
 */
enum { BLOCK_FLOWS = 1024, PARALLEL_MIN = 4 * BLOCK_FLOWS };

static void render(struct flow_report *rep, const struct flow *const *flows,
		   size_t from, size_t to)
{
	struct flow_record r;

	for (size_t i = from; i < to; i++) {
		flow_record_from_flow(&r, flows[i]);
		flow_report_flow(rep, &r);
	}
}

struct rendered {
	char *text;             /* NULL: rendering failed, do it again */
	size_t len;
	bool ready;
};

struct helper {
	struct flow_report rep; /* as the caller's, writing to memory */
	const struct flow *const *flows;
	size_t n;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct rendered slot[2];
};

static size_t block_end(size_t b, size_t n)
{
	return (b + 1) * BLOCK_FLOWS < n ? (b + 1) * BLOCK_FLOWS : n;
}

static void *helper_main(void *arg)
{
	struct helper *h = arg;

	for (size_t b = 1, j = 0; b * BLOCK_FLOWS < h->n; b += 2, j++) {
		struct rendered *s = &h->slot[j % 2];
		char *text = NULL;
		size_t len = 0;
		FILE *mem;

		pthread_mutex_lock(&h->lock);
		while (s->ready)
			pthread_cond_wait(&h->cond, &h->lock);
		pthread_mutex_unlock(&h->lock);
		mem = open_memstream(&text, &len);
		if (mem != NULL) {
			h->rep.out = mem;
			render(&h->rep, h->flows, b * BLOCK_FLOWS,
			       block_end(b, h->n));
			if (fclose(mem) != 0) {
				free(text);
				text = NULL;
			}
		}
		pthread_mutex_lock(&h->lock);
		s->text = text;
		s->len = len;
		s->ready = true;
		pthread_cond_broadcast(&h->cond);
		pthread_mutex_unlock(&h->lock);
	}
	return NULL;
}

static bool line_format(enum flow_format f)
{
	return f == FLOW_FORMAT_TEXT || f == FLOW_FORMAT_CSV ||
	       f == FLOW_FORMAT_ZEEK || f == FLOW_FORMAT_NDJSON;
}

/* Takes the helper's rendering of odd block b and writes it. */
static void write_helper_block(struct helper *h, struct flow_report *rep,
			       size_t b)
{
	struct rendered *s = &h->slot[(b / 2) % 2];
	char *text;
	size_t len;

	pthread_mutex_lock(&h->lock);
	while (!s->ready)
		pthread_cond_wait(&h->cond, &h->lock);
	text = s->text;
	len = s->len;
	s->ready = false;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	if (text != NULL)
		fwrite(text, 1, len, rep->out);
	else
		render(rep, h->flows, b * BLOCK_FLOWS, block_end(b, h->n));
	free(text);
}

void flow_report_flows(struct flow_report *rep,
		       const struct flow *const *flows, size_t n)
{
	struct helper h = {0};
	pthread_t thread;

	if (!line_format(rep->format) || n < PARALLEL_MIN) {
		render(rep, flows, 0, n);
		return;
	}
	h.rep = *rep;
	h.flows = flows;
	h.n = n;
	if (pthread_mutex_init(&h.lock, NULL) != 0) {
		render(rep, flows, 0, n);
		return;
	}
	if (pthread_cond_init(&h.cond, NULL) != 0) {
		pthread_mutex_destroy(&h.lock);
		render(rep, flows, 0, n);
		return;
	}
	if (pthread_create(&thread, NULL, helper_main, &h) != 0) {
		render(rep, flows, 0, n);
	} else {
		for (size_t b = 0; b * BLOCK_FLOWS < n; b++) {
			if (b % 2 == 0)
				render(rep, flows, b * BLOCK_FLOWS,
				       block_end(b, n));
			else
				write_helper_block(&h, rep, b);
		}
		pthread_join(thread, NULL);
	}
	pthread_cond_destroy(&h.cond);
	pthread_mutex_destroy(&h.lock);
}
