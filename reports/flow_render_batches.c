#include "flow_render_batches.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "flow_record.h"
#include "mem_stream.h"

/*
 * 512 flows: about 1 MiB of json, one write.  The helper renders every
 * other batch into one of two slots, so it can render one ahead while
 * the calling thread renders and writes its own.
 */
enum { BATCH_FLOWS = 512, SLOTS = 2 };

enum slot_state { SLOT_FREE, SLOT_READY, SLOT_FAILED };

/* Rows rendered into a buffer of its own, used over and over. */
struct batch_out {
	struct mem_stream mem;
	struct flow_report rep;
};

struct batches {
	const struct flow_render_source *src;
	const struct tunnel_table *tunnels;
	size_t n_batches;
	struct batch_out own;
	/* The helper's: batch k (odd) goes to slot[(k / 2) % SLOTS]. */
	struct batch_out slot[SLOTS];
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum slot_state state[SLOTS];   /* under lock */
	bool stop;                      /* under lock */
};

static bool batch_out_open(struct batch_out *b, enum output_format format,
			   const char *sensor)
{
	if (!mem_stream_open(&b->mem, _IOFBF))
		return false;
	flow_report_rows_begin(&b->rep, b->mem.f, format, sensor);
	return true;
}

/* Renders batch k into b, after what b holds; false when memory ran out. */
static bool render_batch(const struct batches *bt, struct batch_out *b,
			 size_t k)
{
	const struct flow_render_source *src = bt->src;
	size_t end = (k + 1) * BATCH_FLOWS < src->n ? (k + 1) * BATCH_FLOWS
						     : src->n;

	for (size_t i = k * BATCH_FLOWS; i < end; i++) {
		struct flow_record rec;

		flow_record_from_flow(&rec, src->flow_at(src->ctx, i),
				      bt->tunnels);
		flow_report_flow(&b->rep, &rec);
	}
	return fflush(b->mem.f) == 0 && !b->mem.failed;
}

static void *helper_main(void *arg)
{
	struct batches *bt = arg;

	for (size_t k = 1; k < bt->n_batches; k += 2) {
		size_t s = (k / 2) % SLOTS;
		bool stop, ok;

		pthread_mutex_lock(&bt->lock);
		while (bt->state[s] != SLOT_FREE && !bt->stop)
			pthread_cond_wait(&bt->cond, &bt->lock);
		stop = bt->stop;
		pthread_mutex_unlock(&bt->lock);
		if (stop)
			break;
		ok = render_batch(bt, &bt->slot[s], k);
		pthread_mutex_lock(&bt->lock);
		bt->state[s] = ok ? SLOT_READY : SLOT_FAILED;
		pthread_cond_broadcast(&bt->cond);
		pthread_mutex_unlock(&bt->lock);
		if (!ok)
			break;
	}
	return NULL;
}

/* All of data to fd, across short writes; false with errno set. */
static bool write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		data += w;
		len -= (size_t)w;
	}
	return true;
}

/* b's bytes, from skip on, to out; then b is empty. */
static bool put_out(FILE *out, int fd, struct batch_out *b, size_t skip)
{
	const char *data = b->mem.buf + (skip < b->mem.len ? skip : b->mem.len);
	size_t len = b->mem.len - (size_t)(data - b->mem.buf);
	bool ok;

	if (fd >= 0)
		ok = write_all(fd, data, len);
	else
		ok = fwrite(data, 1, len, out) == len;
	b->mem.len = 0;
	return ok;
}

/* Waits for the helper's batch k; false when it could not render it. */
static bool take_helper_batch(struct batches *bt, size_t k)
{
	size_t s = (k / 2) % SLOTS;
	enum slot_state st;

	pthread_mutex_lock(&bt->lock);
	while (bt->state[s] == SLOT_FREE)
		pthread_cond_wait(&bt->cond, &bt->lock);
	st = bt->state[s];
	pthread_mutex_unlock(&bt->lock);
	return st == SLOT_READY;
}

static void give_back_slot(struct batches *bt, size_t k)
{
	pthread_mutex_lock(&bt->lock);
	bt->state[(k / 2) % SLOTS] = SLOT_FREE;
	pthread_cond_broadcast(&bt->cond);
	pthread_mutex_unlock(&bt->lock);
}

/* The batches in order: ours rendered here, the odd ones by the helper. */
static bool write_batches(struct batches *bt, bool helped, FILE *out, int fd)
{
	size_t lead = flow_report_row_lead(&bt->own.rep);

	for (size_t k = 0; k < bt->n_batches; k++) {
		bool ours = !helped || k % 2 == 0;
		struct batch_out *b = ours ? &bt->own : &bt->slot[(k / 2) % SLOTS];

		if (ours ? !render_batch(bt, b, k) : !take_helper_batch(bt, k)) {
			errno = ENOMEM;
			return false;
		}
		if (!put_out(out, fd, b, k == 0 ? lead : 0))
			return false;
		if (!ours)
			give_back_slot(bt, k);
	}
	return true;
}

static void stop_helper(struct batches *bt, pthread_t thread)
{
	pthread_mutex_lock(&bt->lock);
	bt->stop = true;
	pthread_cond_broadcast(&bt->cond);
	pthread_mutex_unlock(&bt->lock);
	pthread_join(thread, NULL);
}

/* The helper and its slots; false when it cannot be had. */
static bool start_helper(struct batches *bt, enum output_format format,
			 const char *sensor, pthread_t *thread)
{
	for (int s = 0; s < SLOTS; s++)
		if (!batch_out_open(&bt->slot[s], format, sensor))
			return false;
	if (pthread_mutex_init(&bt->lock, NULL) != 0)
		return false;
	if (pthread_cond_init(&bt->cond, NULL) != 0) {
		pthread_mutex_destroy(&bt->lock);
		return false;
	}
	if (pthread_create(thread, NULL, helper_main, bt) != 0) {
		pthread_cond_destroy(&bt->cond);
		pthread_mutex_destroy(&bt->lock);
		return false;
	}
	return true;
}

bool flow_render_batches(const struct flow_render_source *src,
			 enum output_format format,
			 const struct tunnel_table *tunnels, const char *sensor,
			 FILE *out)
{
	struct batches bt;
	pthread_t thread;
	bool helped = false, ok = false;
	int fd = fileno(out), saved;

	memset(&bt, 0, sizeof(bt));
	bt.src = src;
	bt.tunnels = tunnels;
	bt.n_batches = (src->n + BATCH_FLOWS - 1) / BATCH_FLOWS;
	if (!batch_out_open(&bt.own, format, sensor)) {
		errno = ENOMEM;
		goto done;
	}
	/* Without a helper, this thread renders every batch. */
	if (bt.n_batches > 1)
		helped = start_helper(&bt, format, sensor, &thread);
	if (fd >= 0 && fflush(out) != 0)
		goto done;
	ok = write_batches(&bt, helped, out, fd);
done:
	saved = errno;
	if (helped) {
		stop_helper(&bt, thread);
		pthread_cond_destroy(&bt.cond);
		pthread_mutex_destroy(&bt.lock);
	}
	mem_stream_free(&bt.own.mem);
	for (int s = 0; s < SLOTS; s++)
		mem_stream_free(&bt.slot[s].mem);
	errno = saved;
	return ok;
}
