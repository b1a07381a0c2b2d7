#define _GNU_SOURCE     /* fopencookie */
#include "live_output.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct live_output {
	int fd;
	FILE *stream;
	/* The line being written, until its commit (producer only). */
	char *line;
	size_t line_len, line_cap;
	uint64_t dropped;               /* producer only */
	bool direct;                    /* after finish: straight to fd */

	/* The ring: [tail, tail + used) modulo cap, shared, under lock. */
	pthread_mutex_t lock;
	pthread_cond_t more;
	char *ring;
	size_t cap, tail, used;
	size_t touched;                 /* bytes of the ring ever written */
	bool stopping, failed;
	int error;                      /* errno of the failed write */
	pthread_t writer;
	bool started;
};

/* All of buf to fd; false (errno set) on an error. */
static bool write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/* The writer thread: the ring's bytes to fd, as they come, in order. */
static void *writer_main(void *arg)
{
	struct live_output *o = arg;

	pthread_mutex_lock(&o->lock);
	for (;;) {
		size_t chunk;
		bool ok;

		while (o->used == 0 && !o->stopping)
			pthread_cond_wait(&o->more, &o->lock);
		if (o->used == 0)
			break;
		chunk = o->cap - o->tail < o->used ? o->cap - o->tail : o->used;
		pthread_mutex_unlock(&o->lock);
		/* The bytes from tail on are the producer's no more. */
		ok = write_all(o->fd, o->ring + o->tail, chunk);
		pthread_mutex_lock(&o->lock);
		if (!ok) {
			o->failed = true;
			o->error = errno;
			o->used = 0;
		} else {
			o->tail = (o->tail + chunk) % o->cap;
			o->used -= chunk;
			/*
			 * Drained: the next line goes at the front, so a reader
			 * that keeps up only ever touches the ring's first pages
			 * (the rest stays unresident until a burst needs it).
			 */
			if (o->used == 0)
				o->tail = 0;
		}
		if (o->failed)
			break;
	}
	pthread_mutex_unlock(&o->lock);
	return NULL;
}

/* stdio's flushes: into the line being written, or to fd after finish. */
static ssize_t stream_write(void *cookie, const char *buf, size_t len)
{
	struct live_output *o = cookie;

	if (o->direct)
		return write_all(o->fd, buf, len) ? (ssize_t)len : -1;
	if (o->line_len + len > o->line_cap) {
		size_t cap = o->line_cap ? o->line_cap : 4096;
		char *grown;

		while (cap < o->line_len + len)
			cap *= 2;
		grown = realloc(o->line, cap);
		if (grown == NULL)
			return -1;
		o->line = grown;
		o->line_cap = cap;
	}
	memcpy(o->line + o->line_len, buf, len);
	o->line_len += len;
	return (ssize_t)len;
}

/*
 * The writer takes no signal: SIGINT and SIGTERM are the engine
 * thread's to wait for, and a reader gone is EPIPE from write(), which
 * live_output_failed() tells, not SIGPIPE killing the process before
 * the capture file is closed.
 */
static int start_writer(struct live_output *o)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&o->writer, NULL, writer_main, o);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

struct live_output *live_output_open(int fd, size_t capacity)
{
	cookie_io_functions_t io = {.write = stream_write};
	struct live_output *o = calloc(1, sizeof(*o));
	int err;

	if (o == NULL)
		return NULL;
	o->fd = fd;
	o->cap = capacity;
	o->ring = malloc(capacity);
	pthread_mutex_init(&o->lock, NULL);
	pthread_cond_init(&o->more, NULL);
	if (o->ring != NULL)
		o->stream = fopencookie(o, "w", io);
	if (o->stream == NULL) {
		live_output_close(o);
		errno = ENOMEM;
		return NULL;
	}
	err = start_writer(o);
	if (err != 0) {
		live_output_close(o);
		errno = err;
		return NULL;
	}
	o->started = true;
	return o;
}

FILE *live_output_stream(struct live_output *o)
{
	return o->stream;
}

/* The line into the ring at head; the caller holds the lock and room. */
static void ring_put(struct live_output *o, const char *buf, size_t len)
{
	size_t head = (o->tail + o->used) % o->cap;
	size_t first = o->cap - head < len ? o->cap - head : len;

	memcpy(o->ring + head, buf, first);
	memcpy(o->ring, buf + first, len - first);
	o->used += len;
	if (first < len)
		o->touched = o->cap;
	else if (head + len > o->touched)
		o->touched = head + len;
}

bool live_output_commit(struct live_output *o)
{
	bool queued;

	if (o->direct)
		return fflush(o->stream) == 0;
	if (fflush(o->stream) != 0) {
		o->line_len = 0;
		o->dropped++;
		return false;
	}
	if (o->line_len == 0)
		return true;
	pthread_mutex_lock(&o->lock);
	queued = !o->failed && o->cap - o->used >= o->line_len;
	if (queued) {
		ring_put(o, o->line, o->line_len);
		pthread_cond_signal(&o->more);
	}
	pthread_mutex_unlock(&o->lock);
	o->line_len = 0;
	if (!queued)
		o->dropped++;
	return queued;
}

uint64_t live_output_dropped(const struct live_output *o)
{
	return o->dropped;
}

size_t live_output_touched(struct live_output *o)
{
	size_t touched;

	pthread_mutex_lock(&o->lock);
	touched = o->touched;
	pthread_mutex_unlock(&o->lock);
	return touched;
}

bool live_output_failed(struct live_output *o, int *error)
{
	bool failed;

	pthread_mutex_lock(&o->lock);
	failed = o->failed;
	*error = o->error;
	pthread_mutex_unlock(&o->lock);
	return failed;
}

bool live_output_finish(struct live_output *o)
{
	bool failed;

	if (o->direct)
		return true;
	live_output_commit(o);
	pthread_mutex_lock(&o->lock);
	o->stopping = true;
	pthread_cond_signal(&o->more);
	pthread_mutex_unlock(&o->lock);
	if (o->started)
		pthread_join(o->writer, NULL);
	o->started = false;
	o->direct = true;
	failed = o->failed;
	if (failed)
		errno = o->error;
	return !failed;
}

void live_output_close(struct live_output *o)
{
	if (o == NULL)
		return;
	if (o->stream != NULL) {
		live_output_finish(o);
		fclose(o->stream);
	}
	pthread_cond_destroy(&o->more);
	pthread_mutex_destroy(&o->lock);
	free(o->ring);
	free(o->line);
	free(o);
}
