#include "packet_pipe.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Batches of 64 packets (PACKET_PIPE_FILE_BATCHES of them for a file:
 * about 1 MiB).  A sleeping thread is woken
 * once PIPE_WAKE batches are ready for it: a wake-up every eight
 * batches, not every one.  The reader, the faster end, is woken while
 * 16 batches are still queued: on a VM, waking an idle vCPU can take
 * longer than the engine needs for a few batches, and with eight
 * batches woken at half (the first design) the engine ran dry and slept
 * (states 146 -> 127 ms, flows 165 -> 155 ms on the bench capture).
 */
enum {
	PIPE_BATCH_PKTS = 64,
	PIPE_WAKE = 8,
	PIPE_DATA_MIN = 16384,
};

struct pipe_batch {
	size_t n;
	size_t data_used, data_cap;
	uint8_t *data;
	struct pipe_note *notes;        /* texts owned (strdup) */
	size_t n_notes, notes_cap;
	struct packet pkts[PIPE_BATCH_PKTS];
};

/*
 * Filled batches travel in the order they were filled (a FIFO of batch
 * indices), while free ones are reused last freed, first (a stack): a
 * quiet link cycles through two or three batches and never touches the
 * rest, whose packet structs (55 KiB a batch) stay untouched zero pages;
 * a burst can still fill every one.  A ring over all the batches made
 * each one resident within a minute (79 MB at 60 s with 512).
 */
struct packet_pipe {
	pthread_mutex_t lock;
	pthread_cond_t wake_producer, wake_consumer;
	/*
	 * Counts of batches, under lock; the k-th filled is
	 * batches[order[k % N]].
	 */
	uint64_t published, taken, released;
	bool closed;
	bool producer_waiting, consumer_waiting;
	uint16_t *order;                /* N slots: the FIFO */
	uint16_t *free_stack;           /* free batch indices, top last */
	size_t n_free;
	size_t touched;                 /* 1 + the highest index ever used */
	/* The producer's own: the batch it fills, when it has one. */
	struct pipe_batch *cur;
	uint32_t reserved_len;
	size_t n_batches;
	struct pipe_batch batches[];
};

/*
 * The consumer's wait can end at a deadline (packet_pipe_take_until);
 * on the monotonic clock, so that setting the date moves no deadline.
 */
static bool init_consumer_cond(pthread_cond_t *c)
{
	pthread_condattr_t attr;
	bool ok;

	if (pthread_condattr_init(&attr) != 0)
		return false;
	ok = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
	     pthread_cond_init(c, &attr) == 0;
	pthread_condattr_destroy(&attr);
	return ok;
}

struct packet_pipe *packet_pipe_new(size_t batches)
{
	struct packet_pipe *p;

	if (batches < 2 * PIPE_WAKE)
		batches = 2 * PIPE_WAKE;
	if (batches > PACKET_PIPE_MAX_BATCHES)
		batches = PACKET_PIPE_MAX_BATCHES;
	p = calloc(1, sizeof(*p) + batches * sizeof(p->batches[0]));
	if (p == NULL)
		return NULL;
	p->n_batches = batches;
	p->order = calloc(batches, sizeof(p->order[0]));
	p->free_stack = calloc(batches, sizeof(p->free_stack[0]));
	if (p->order == NULL || p->free_stack == NULL)
		goto fail_alloc;
	/* Batch 0 on top: the lowest are used first. */
	for (size_t i = 0; i < batches; i++)
		p->free_stack[i] = (uint16_t)(batches - 1 - i);
	p->n_free = batches;
	if (pthread_mutex_init(&p->lock, NULL) != 0)
		goto fail_alloc;
	if (pthread_cond_init(&p->wake_producer, NULL) != 0)
		goto fail_mutex;
	if (!init_consumer_cond(&p->wake_consumer))
		goto fail_cond;
	return p;
fail_cond:
	pthread_cond_destroy(&p->wake_producer);
fail_mutex:
	pthread_mutex_destroy(&p->lock);
fail_alloc:
	free(p->free_stack);
	free(p->order);
	free(p);
	return NULL;
}

static void clear_notes(struct pipe_batch *b)
{
	for (size_t i = 0; i < b->n_notes; i++)
		free((char *)b->notes[i].text);
	b->n_notes = 0;
}

void packet_pipe_free(struct packet_pipe *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n_batches; i++) {
		free(p->batches[i].data);
		clear_notes(&p->batches[i]);
		free(p->batches[i].notes);
	}
	pthread_cond_destroy(&p->wake_consumer);
	pthread_cond_destroy(&p->wake_producer);
	pthread_mutex_destroy(&p->lock);
	free(p->free_stack);
	free(p->order);
	free(p);
}

size_t packet_pipe_batches_touched(struct packet_pipe *p)
{
	size_t touched;

	pthread_mutex_lock(&p->lock);
	touched = p->touched;
	pthread_mutex_unlock(&p->lock);
	return touched;
}

/* Under lock: wakes the consumer once PIPE_WAKE batches wait for it. */
static void wake_consumer_if_due(struct packet_pipe *p)
{
	if (p->consumer_waiting &&
	    (p->closed || p->published - p->taken >= PIPE_WAKE)) {
		p->consumer_waiting = false;
		pthread_cond_signal(&p->wake_consumer);
	}
}

static void publish(struct packet_pipe *p)
{
	pthread_mutex_lock(&p->lock);
	p->published++;
	wake_consumer_if_due(p);
	pthread_mutex_unlock(&p->lock);
	p->cur = NULL;
}

/* Waits until the next batch is free, and starts it. */
static struct pipe_batch *next_batch(struct packet_pipe *p)
{
	struct pipe_batch *b;
	uint16_t i;

	pthread_mutex_lock(&p->lock);
	while (p->published - p->released >= p->n_batches) {
		p->producer_waiting = true;
		pthread_cond_wait(&p->wake_producer, &p->lock);
	}
	/* A batch not yet released is neither free nor in the FIFO's past. */
	i = p->free_stack[--p->n_free];
	p->order[p->published % p->n_batches] = i;
	if ((size_t)i + 1 > p->touched)
		p->touched = (size_t)i + 1;
	pthread_mutex_unlock(&p->lock);
	b = &p->batches[i];
	b->n = 0;
	b->data_used = 0;
	clear_notes(b);
	p->cur = b;
	return b;
}

static bool data_room(struct pipe_batch *b, uint32_t cap_len)
{
	size_t cap;
	uint8_t *d;

	/* A zero-length first frame still gets a buffer to point into. */
	if (b->data != NULL && b->data_cap - b->data_used >= cap_len)
		return true;
	/* Only an empty batch grows: a full one is published instead. */
	cap = b->data_cap > PIPE_DATA_MIN ? b->data_cap : PIPE_DATA_MIN;
	while (cap < cap_len)
		cap *= 2;
	d = realloc(b->data, cap);
	if (d == NULL)
		return false;
	b->data = d;
	b->data_cap = cap;
	return true;
}

/*
 * Whether next_batch() would find a batch free now, without waiting;
 * the batch being filled is published first when the producer has one.
 */
static bool batch_free(struct packet_pipe *p)
{
	uint64_t after = p->published + (p->cur != NULL ? 1 : 0);
	bool free_now;

	pthread_mutex_lock(&p->lock);
	free_now = after - p->released < p->n_batches;
	pthread_mutex_unlock(&p->lock);
	return free_now;
}

struct packet *packet_pipe_try_reserve(struct packet_pipe *p,
				       uint32_t cap_len, uint8_t **data,
				       bool *full)
{
	struct pipe_batch *b = p->cur;
	bool need_batch = b == NULL ||
		(b->n > 0 && (b->n == PIPE_BATCH_PKTS ||
			      b->data_cap - b->data_used < cap_len));

	/* Publishing the full batch needs a free one to go on with. */
	*full = need_batch && !batch_free(p);
	if (*full)
		return NULL;
	return packet_pipe_reserve(p, cap_len, data);
}

struct packet *packet_pipe_reserve(struct packet_pipe *p, uint32_t cap_len,
				   uint8_t **data)
{
	struct pipe_batch *b = p->cur;

	if (b != NULL && b->n > 0 &&
	    (b->n == PIPE_BATCH_PKTS || b->data_cap - b->data_used < cap_len))
		publish(p);
	if (p->cur == NULL)
		b = next_batch(p);
	if (!data_room(b, cap_len))
		return NULL;
	*data = b->data + b->data_used;
	p->reserved_len = cap_len;
	return &b->pkts[b->n];
}

void packet_pipe_commit(struct packet_pipe *p)
{
	struct pipe_batch *b = p->cur;

	b->data_used += p->reserved_len;
	b->n++;
}

void packet_pipe_flush(struct packet_pipe *p)
{
	if (p->cur != NULL && p->cur->n > 0)
		publish(p);
	pthread_mutex_lock(&p->lock);
	if (p->consumer_waiting && p->published > p->taken) {
		p->consumer_waiting = false;
		pthread_cond_signal(&p->wake_consumer);
	}
	pthread_mutex_unlock(&p->lock);
}

bool packet_pipe_note(struct packet_pipe *p, const struct pipe_note *note)
{
	struct pipe_batch *b = p->cur != NULL ? p->cur : next_batch(p);
	struct pipe_note *n;

	if (b->n_notes == b->notes_cap) {
		size_t cap = b->notes_cap ? b->notes_cap * 2 : 4;

		n = realloc(b->notes, cap * sizeof(*n));
		if (n == NULL)
			return false;
		b->notes = n;
		b->notes_cap = cap;
	}
	n = &b->notes[b->n_notes];
	*n = *note;
	if (note->text != NULL && (n->text = strdup(note->text)) == NULL)
		return false;
	b->n_notes++;
	/* What the reader sends next comes after the note. */
	publish(p);
	return true;
}

void packet_pipe_close(struct packet_pipe *p)
{
	if (p->cur != NULL && p->cur->n > 0)
		publish(p);
	pthread_mutex_lock(&p->lock);
	p->closed = true;
	wake_consumer_if_due(p);
	pthread_mutex_unlock(&p->lock);
}

int packet_pipe_take_until(struct packet_pipe *p,
			   const struct timespec *deadline,
			   struct packet **pkts, size_t *n,
			   const struct pipe_note **notes, size_t *n_notes)
{
	struct pipe_batch *b;

	pthread_mutex_lock(&p->lock);
	while (p->taken == p->published && !p->closed) {
		p->consumer_waiting = true;
		if (deadline == NULL) {
			pthread_cond_wait(&p->wake_consumer, &p->lock);
		} else if (pthread_cond_timedwait(&p->wake_consumer, &p->lock,
						  deadline) == ETIMEDOUT &&
			   p->taken == p->published && !p->closed) {
			p->consumer_waiting = false;
			pthread_mutex_unlock(&p->lock);
			return -1;
		}
	}
	if (p->taken == p->published) {
		pthread_mutex_unlock(&p->lock);
		return 0;
	}
	b = &p->batches[p->order[p->taken++ % p->n_batches]];
	pthread_mutex_unlock(&p->lock);
	*pkts = b->pkts;
	*n = b->n;
	*notes = b->notes;
	*n_notes = b->n_notes;
	return 1;
}

bool packet_pipe_take(struct packet_pipe *p, struct packet **pkts, size_t *n,
		      const struct pipe_note **notes, size_t *n_notes)
{
	return packet_pipe_take_until(p, NULL, pkts, n, notes, n_notes) == 1;
}

void packet_pipe_release(struct packet_pipe *p)
{
	pthread_mutex_lock(&p->lock);
	/* Batches come back in the order they were taken. */
	p->free_stack[p->n_free++] = p->order[p->released % p->n_batches];
	p->released++;
	/* The producer waits for a batch: wake it once PIPE_WAKE are free. */
	if (p->producer_waiting &&
	    p->published - p->released <= p->n_batches - PIPE_WAKE) {
		p->producer_waiting = false;
		pthread_cond_signal(&p->wake_producer);
	}
	pthread_mutex_unlock(&p->lock);
}
