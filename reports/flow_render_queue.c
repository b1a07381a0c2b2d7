#define _GNU_SOURCE /* SCHED_IDLE */
#include "flow_render_queue.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "flow_order.h"
#include "flow_record.h"
#include "mem_stream.h"

/*
 * Flows on their way to the helper: 512 of them, 256 KiB, reused all
 * run long.  When the helper falls behind and the ring is full, the
 * engine's thread renders the flow itself rather than wait.
 */
enum { RING = 512, WAKE_AT = RING / 4 };

/* Where a rendered line is, and what it sorts by. */
struct line_ref {
	struct flow_order_key key;
	uint64_t seq;
	size_t off;
	uint32_t len;
	uint32_t renderer;
};

/* One per rendering thread: lines go to its own buffer. */
struct renderer {
	struct mem_stream out;  /* flushed: out.len is exact after each line */
	bool buffered;
	struct flow_report rep;
	struct line_ref *refs;
	size_t n, cap;
	bool failed;
	const struct tunnel_table *tunnels;
};

struct queued {
	struct flow flow;
	uint64_t sort, seq;
};

struct flow_render_queue {
	struct renderer own;    /* the pushing thread's */
	struct renderer helper;
	uint64_t pushed;
	bool sync_ready;        /* lock and wake initialised */
	bool have_thread;
	bool helper_started;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	/* head: written by the pusher, tail: by the helper. */
	_Atomic uint64_t head, tail;
	atomic_bool helper_waiting;
	bool stop;              /* under lock */
	/* After flow_render_queue_finish(): the lines in order. */
	struct line_ref *all;
	size_t *order;          /* indices into all */
	size_t n_lines;
	struct queued ring[RING];
};

bool flow_render_queue_supports(enum output_format format)
{
	return format == OUTPUT_FORMAT_TEXT || format == OUTPUT_FORMAT_CSV ||
	       format == OUTPUT_FORMAT_ZEEK || format == OUTPUT_FORMAT_NDJSON;
}

static bool renderer_init(struct renderer *r, enum output_format format,
			  const struct tunnel_table *tunnels, const char *sensor)
{
	memset(r, 0, sizeof(*r));
	r->tunnels = tunnels;
	/*
	 * A text line is one fwrite(): unbuffered, it goes straight to the
	 * buffer.  The other formats write field by field: buffered, and
	 * flushed after each flow (both measured on the bench capture).
	 */
	r->buffered = format != OUTPUT_FORMAT_TEXT;
	if (!mem_stream_open(&r->out, r->buffered ? _IOFBF : _IONBF)) {
		r->failed = true;
		return false;
	}
	flow_report_rows_begin(&r->rep, r->out.f, format, sensor);
	return true;
}

static void render(struct renderer *r, const struct flow *f, uint64_t sort,
		   uint64_t seq, uint32_t id)
{
	struct flow_record rec;
	struct line_ref *ref;
	size_t before;

	if (r->failed)
		return;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 4096;
		struct line_ref *p = realloc(r->refs, cap * sizeof(*p));

		if (p == NULL) {
			r->failed = true;
			return;
		}
		r->refs = p;
		r->cap = cap;
	}
	flow_record_from_flow(&rec, f, r->tunnels);
	before = r->out.len;
	flow_report_flow(&r->rep, &rec);
	if (r->buffered)
		fflush(r->out.f);
	if (r->out.failed || ferror(r->out.f) || r->out.len - before > UINT32_MAX) {
		r->failed = true;
		return;
	}
	ref = &r->refs[r->n++];
	ref->key.sort = sort;
	ref->key.ts = f->first_ts;
	ref->key.first_frame = f->first_frame;
	ref->seq = seq;
	ref->off = before;
	ref->len = (uint32_t)(r->out.len - before);
	ref->renderer = id;
}

static void *helper_main(void *arg)
{
	struct flow_render_queue *q = arg;
	uint64_t tail = atomic_load(&q->tail);

	for (;;) {
		uint64_t head = atomic_load_explicit(&q->head,
						     memory_order_acquire);

		if (head == tail) {
			bool stop;

			pthread_mutex_lock(&q->lock);
			atomic_store(&q->helper_waiting, true);
			head = atomic_load(&q->head);
			if (head == tail && !q->stop)
				pthread_cond_wait(&q->wake, &q->lock);
			atomic_store(&q->helper_waiting, false);
			stop = q->stop;
			pthread_mutex_unlock(&q->lock);
			if (stop && atomic_load(&q->head) == tail)
				break;
			continue;
		}
		for (; tail != head; tail++) {
			const struct queued *e = &q->ring[tail % RING];

			render(&q->helper, &e->flow, e->sort, e->seq, 1);
		}
		atomic_store_explicit(&q->tail, tail, memory_order_release);
	}
	return NULL;
}

struct flow_render_queue *flow_render_queue_new(enum output_format format,
						const struct tunnel_table *tunnels,
						const char *sensor)
{
	struct flow_render_queue *q = calloc(1, sizeof(*q));
	struct sched_param idle = {0};

	if (q == NULL)
		return NULL;
	if (!renderer_init(&q->own, format, tunnels, sensor)) {
		flow_render_queue_free(q);
		return NULL;
	}
	if (pthread_mutex_init(&q->lock, NULL) != 0) {
		flow_render_queue_free(q);
		return NULL;
	}
	if (pthread_cond_init(&q->wake, NULL) != 0) {
		pthread_mutex_destroy(&q->lock);
		flow_render_queue_free(q);
		return NULL;
	}
	q->sync_ready = true;
	/* Without the helper's stream, the pushing thread renders alone. */
	q->have_thread = renderer_init(&q->helper, format, tunnels, sensor) &&
			 pthread_create(&q->thread, NULL, helper_main, q) == 0;
	q->helper_started = q->have_thread;
	/*
	 * The helper must never take a core from the reader or the engine:
	 * it runs on what they leave idle.  Without SCHED_IDLE it still
	 * works, only with less benefit.
	 */
	if (q->have_thread)
		(void)pthread_setschedparam(q->thread, SCHED_IDLE, &idle);
	return q;
}

bool flow_render_queue_push(struct flow_render_queue *q, const struct flow *f,
			    uint64_t sort)
{
	uint64_t seq = q->pushed++;
	uint64_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
	uint64_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);
	struct queued *e;

	if (!q->have_thread || head - tail == RING) {
		render(&q->own, f, sort, seq, 0);
		return !q->own.failed;
	}
	/* The helper's failures are seen when the lines are written. */
	e = &q->ring[head % RING];
	e->flow = *f;
	e->sort = sort;
	e->seq = seq;
	atomic_store(&q->head, head + 1);
	if (atomic_load(&q->helper_waiting) && head + 1 - tail >= WAKE_AT) {
		pthread_mutex_lock(&q->lock);
		pthread_cond_signal(&q->wake);
		pthread_mutex_unlock(&q->lock);
	}
	return !q->own.failed;
}

/* Both renderers' lines, in the order pushed. */
static struct line_ref *merge_by_seq(const struct renderer *x,
				     const struct renderer *y)
{
	size_t n = x->n + y->n, i = 0, j = 0;
	struct line_ref *all = malloc((n ? n : 1) * sizeof(*all));

	if (all == NULL)
		return NULL;
	for (size_t k = 0; k < n; k++) {
		if (j == y->n || (i < x->n && x->refs[i].seq < y->refs[j].seq))
			all[k] = x->refs[i++];
		else
			all[k] = y->refs[j++];
	}
	return all;
}

static void renderer_close(struct renderer *r)
{
	if (r->out.f != NULL && !mem_stream_close(&r->out))
		r->failed = true;
}

/* Lets the helper render what is queued, then waits for it to end. */
static void stop_helper(struct flow_render_queue *q)
{
	if (!q->have_thread)
		return;
	pthread_mutex_lock(&q->lock);
	q->stop = true;
	pthread_cond_signal(&q->wake);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	q->have_thread = false;
}

long long flow_render_queue_finish(struct flow_render_queue *q)
{
	size_t n;

	stop_helper(q);
	renderer_close(&q->own);
	renderer_close(&q->helper);
	/* A helper that never started was given nothing to lose. */
	if (q->own.failed || (q->helper_started && q->helper.failed))
		return -1;
	n = q->own.n + q->helper.n;
	/* In the order pushed: the order's ties go by the index. */
	q->all = merge_by_seq(&q->own, &q->helper);
	q->order = q->all != NULL ? flow_order_sort(&q->all[0].key, n,
						     sizeof(q->all[0]))
				  : NULL;
	if (q->order == NULL)
		return -1;
	q->n_lines = n;
	return (long long)n;
}

/* Writes all of iov[0..n), across short writes; false with errno set. */
static bool write_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return true;
}

#if defined(IOV_MAX) && IOV_MAX < 1024
enum { IOV_BATCH = IOV_MAX };
#else
enum { IOV_BATCH = 1024 };
#endif

/*
 * Straight from the line buffers to the file with writev(): copying
 * 100,000 lines into stdio's buffer first took 6 ms, most of it cache
 * misses on lines stored in the order flows ended.
 */
bool flow_render_queue_write(const struct flow_render_queue *q, FILE *out)
{
	char *bufs[2] = {q->own.out.buf, q->helper.out.buf};
	struct iovec iov[IOV_BATCH];
	int n = 0, fd = fileno(out);

	if (fd < 0) { /* a memory stream: no descriptor to write to */
		for (size_t i = 0; i < q->n_lines; i++) {
			const struct line_ref *r = &q->all[q->order[i]];

			fwrite(bufs[r->renderer] + r->off, 1, r->len, out);
		}
		return ferror(out) == 0;
	}
	if (fflush(out) != 0)
		return false;
	for (size_t i = 0; i < q->n_lines; i++) {
		const struct line_ref *r = &q->all[q->order[i]];
		char *line = bufs[r->renderer] + r->off;

		/* Lines that follow each other in a buffer go as one. */
		if (n > 0 && (char *)iov[n - 1].iov_base + iov[n - 1].iov_len == line) {
			iov[n - 1].iov_len += r->len;
			continue;
		}
		if (n == IOV_BATCH) {
			if (!write_all(fd, iov, n))
				return false;
			n = 0;
		}
		iov[n].iov_base = line;
		iov[n].iov_len = r->len;
		n++;
	}
	return n == 0 || write_all(fd, iov, n);
}

void flow_render_queue_free(struct flow_render_queue *q)
{
	if (q == NULL)
		return;
	stop_helper(q);
	if (q->sync_ready) {
		pthread_cond_destroy(&q->wake);
		pthread_mutex_destroy(&q->lock);
	}
	mem_stream_free(&q->own.out);
	mem_stream_free(&q->helper.out);
	free(q->all);
	free(q->order);
	free(q->own.refs);
	free(q->helper.refs);
	free(q);
}
