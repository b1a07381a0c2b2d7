#include "live_feed.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

#define NS_PER_SEC 1000000000LL
/* How long a paced reader sleeps at most before it looks at stop. */
#define PACE_SLICE_NS (50 * 1000000LL)

struct live_feed {
	struct live_feed_config cfg;
	struct packet_pipe *pipe;
	pthread_t thread;
	atomic_bool stop;
	/* The reader's own. */
	uint64_t frame_no;
	bool out_of_memory;
	/* Set by the reader, read by the engine thread (live_feed_clock). */
	atomic_bool paced;              /* t0 and w0 are set */
	atomic_llong t0, w0;            /* first packet time, its wall time */
	atomic_llong horizon;           /* every packet before it is queued */
	atomic_ullong received;
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/*
 * Waits until the frame's moment at the pace.  What is queued goes to
 * the engine first, and the horizon says that nothing before ts is
 * left to come, so the engine may advance its clock meanwhile.
 */
static void pace(struct live_feed *f, int64_t ts)
{
	int64_t target, now;

	if (!atomic_load(&f->paced)) {
		atomic_store(&f->t0, ts);
		atomic_store(&f->w0, mono_ns());
		atomic_store(&f->horizon, ts);
		atomic_store(&f->paced, true);
		return;
	}
	target = atomic_load(&f->w0) +
		 (int64_t)((double)(ts - atomic_load(&f->t0)) / f->cfg.speed);
	now = mono_ns();
	if (target <= now)
		return;
	packet_pipe_flush(f->pipe);
	atomic_store(&f->horizon, ts);
	while (target > now && !atomic_load(&f->stop)) {
		int64_t wait = target - now < PACE_SLICE_NS ? target - now
							    : PACE_SLICE_NS;
		struct timespec d = {wait / NS_PER_SEC, wait % NS_PER_SEC};

		nanosleep(&d, NULL);
		now = mono_ns();
	}
}

/* libpcap reuses its buffer: the frame is copied into the queue first. */
static void on_frame(void *arg, const struct capture_frame *frame)
{
	struct live_feed *f = arg;
	struct packet *pkt;
	uint8_t *copy;

	if (f->out_of_memory || atomic_load(&f->stop))
		return;
	if (f->cfg.max_packets > 0 && f->frame_no >= f->cfg.max_packets) {
		atomic_store(&f->stop, true);
		return;
	}
	if (f->cfg.speed > 0 && frame->has_ts)
		pace(f, pkt_time_ns(frame->ts));
	if (atomic_load(&f->stop))
		return;
	pkt = packet_pipe_reserve(f->pipe, frame->cap_len, &copy);
	if (pkt == NULL) {
		f->out_of_memory = true;
		return;
	}
	if (frame->cap_len > 0)
		memcpy(copy, frame->data, frame->cap_len);
	decode_packet_opt(pkt, frame->link_type, copy, frame->cap_len,
			  frame->wire_len, f->cfg.checksums);
	pkt->frame_no = ++f->frame_no;
	pkt->ts = frame->ts;
	pkt->has_ts = frame->has_ts;
	packet_pipe_commit(f->pipe);
	atomic_store(&f->received, f->frame_no);
}

static void note_warnings(struct live_feed *f)
{
	const char *warning;

	while ((warning = capture_source_take_warning(f->cfg.src)) != NULL) {
		struct pipe_note n = {.text = warning};

		if (!f->out_of_memory && !packet_pipe_note(f->pipe, &n))
			f->out_of_memory = true;
	}
}

/* Paced, one frame a call: the pace is kept frame by frame. */
static void *reader(void *arg)
{
	struct live_feed *f = arg;
	size_t batch = f->cfg.speed > 0 ? 1 : 256;

	while (!f->out_of_memory && !atomic_load(&f->stop) &&
	       capture_source_run(f->cfg.src, on_frame, f, batch) > 0)
		note_warnings(f);
	note_warnings(f);
	if (f->out_of_memory) {
		struct pipe_note n = {.text = "out of memory copying frames; the capture was not read to its end"};

		packet_pipe_note(f->pipe, &n);
	}
	packet_pipe_close(f->pipe);
	return NULL;
}

struct live_feed *live_feed_start(const struct live_feed_config *cfg)
{
	struct live_feed *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->cfg = *cfg;
	f->pipe = packet_pipe_new();
	if (f->pipe == NULL) {
		free(f);
		return NULL;
	}
	if (pthread_create(&f->thread, NULL, reader, f) != 0) {
		packet_pipe_free(f->pipe);
		free(f);
		return NULL;
	}
	return f;
}

int live_feed_take(struct live_feed *f, const struct timespec *deadline,
		   struct packet **pkts, size_t *n,
		   const struct pipe_note **notes, size_t *n_notes)
{
	return packet_pipe_take_until(f->pipe, deadline, pkts, n, notes,
				      n_notes);
}

void live_feed_release(struct live_feed *f)
{
	packet_pipe_release(f->pipe);
}

bool live_feed_clock(struct live_feed *f, int64_t *now)
{
	int64_t horizon, at;

	if (f->cfg.speed <= 0 || !atomic_load(&f->paced))
		return false;
	/* Loaded before the caller looks at the queue once more. */
	horizon = atomic_load(&f->horizon);
	at = atomic_load(&f->t0) +
	     (int64_t)((double)(mono_ns() - atomic_load(&f->w0)) *
		       f->cfg.speed);
	*now = at < horizon ? at : horizon;
	return true;
}

void live_feed_stop(struct live_feed *f)
{
	atomic_store(&f->stop, true);
}

uint64_t live_feed_received(struct live_feed *f)
{
	return atomic_load(&f->received);
}

uint64_t live_feed_app_drops(struct live_feed *f)
{
	(void)f;
	return 0;
}

void live_feed_free(struct live_feed *f)
{
	struct packet *pkts;
	const struct pipe_note *notes;
	size_t n, n_notes;

	if (f == NULL)
		return;
	/* A reader waiting for room must see stop: what is left is dropped. */
	live_feed_stop(f);
	while (packet_pipe_take(f->pipe, &pkts, &n, &notes, &n_notes))
		packet_pipe_release(f->pipe);
	pthread_join(f->thread, NULL);
	packet_pipe_free(f->pipe);
	free(f);
}
