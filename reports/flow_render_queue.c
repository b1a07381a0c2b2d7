#define _GNU_SOURCE /* SCHED_IDLE */
#include "flow_render_queue.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "flow_record.h"

/*
 * Flows on their way to the helper: 512 of them, 256 KiB, reused all
 * run long.  When the helper falls behind and the ring is full, the
 * engine's thread renders the flow itself rather than wait.
 */
enum { RING = 512, WAKE_AT = RING / 4 };

/* Where a rendered line is, and what it sorts by. */
struct line_ref {
	uint64_t sort;
	int64_t ts;
	uint64_t first_frame;
	uint64_t seq;
	size_t off;
	uint32_t len;
	uint32_t renderer;
};

/* One per rendering thread: lines go to its own memory stream. */
struct renderer {
	FILE *mem;
	char *buf;
	size_t size;
	struct flow_report rep;
	struct line_ref *refs;
	size_t n, cap;
	bool failed;
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
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	/* head: written by the pusher, tail: by the helper. */
	_Atomic uint64_t head, tail;
	atomic_bool helper_waiting;
	bool stop;              /* under lock */
	struct queued ring[RING];
};

bool flow_render_queue_supports(enum flow_format format)
{
	return format == FLOW_FORMAT_TEXT || format == FLOW_FORMAT_CSV ||
	       format == FLOW_FORMAT_ZEEK || format == FLOW_FORMAT_NDJSON;
}

static void renderer_init(struct renderer *r, enum flow_format format)
{
	memset(r, 0, sizeof(*r));
	r->mem = open_memstream(&r->buf, &r->size);
	r->failed = r->mem == NULL;
	if (r->mem != NULL)
		flow_report_rows_begin(&r->rep, r->mem, format);
}

static void render(struct renderer *r, const struct flow *f, uint64_t sort,
		   uint64_t seq, uint32_t id)
{
	struct flow_record rec;
	struct line_ref *ref;
	long before, after;

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
	flow_record_from_flow(&rec, f);
	before = ftell(r->mem);
	flow_report_flow(&r->rep, &rec);
	after = ftell(r->mem);
	if (before < 0 || after < before || ferror(r->mem)) {
		r->failed = true;
		return;
	}
	ref = &r->refs[r->n++];
	ref->sort = sort;
	ref->ts = f->first_ts;
	ref->first_frame = f->first_frame;
	ref->seq = seq;
	ref->off = (size_t)before;
	ref->len = (uint32_t)(after - before);
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

struct flow_render_queue *flow_render_queue_new(enum flow_format format)
{
	struct flow_render_queue *q = calloc(1, sizeof(*q));
	struct sched_param idle = {0};

	if (q == NULL)
		return NULL;
	renderer_init(&q->own, format);
	renderer_init(&q->helper, format);
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
	q->have_thread = pthread_create(&q->thread, NULL, helper_main, q) == 0;
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

static int compare_refs(const void *pa, const void *pb)
{
	const struct line_ref *a = pa, *b = pb;

	if (a->sort != b->sort)
		return a->sort > b->sort ? -1 : 1;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->first_frame != b->first_frame)
		return a->first_frame < b->first_frame ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Closes the stream so that buf and size hold every line. */
static void renderer_close(struct renderer *r)
{
	if (r->mem != NULL && fclose(r->mem) != 0)
		r->failed = true;
	r->mem = NULL;
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

long long flow_render_queue_write(struct flow_render_queue *q, FILE *out)
{
	struct line_ref *all;
	const char *bufs[2];
	size_t n;

	stop_helper(q);
	renderer_close(&q->own);
	renderer_close(&q->helper);
	if (q->own.failed || q->helper.failed)
		return -1;
	n = q->own.n + q->helper.n;
	all = malloc((n ? n : 1) * sizeof(*all));
	if (all == NULL)
		return -1;
	if (q->own.n > 0)
		memcpy(all, q->own.refs, q->own.n * sizeof(*all));
	if (q->helper.n > 0)
		memcpy(all + q->own.n, q->helper.refs,
		       q->helper.n * sizeof(*all));
	qsort(all, n, sizeof(*all), compare_refs);
	bufs[0] = q->own.buf;
	bufs[1] = q->helper.buf;
	for (size_t i = 0; i < n; i++)
		fwrite(bufs[all[i].renderer] + all[i].off, 1, all[i].len, out);
	free(all);
	return (long long)n;
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
	renderer_close(&q->own);
	renderer_close(&q->helper);
	free(q->own.buf);
	free(q->helper.buf);
	free(q->own.refs);
	free(q->helper.refs);
	free(q);
}
