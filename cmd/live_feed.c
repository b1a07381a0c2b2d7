#include "live_feed.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

#define NS_PER_SEC 1000000000LL
/* How long a paced reader sleeps at most before it looks at stop. */
#define PACE_SLICE_NS (50 * 1000000LL)
/*
 * On an interface, the engine's clock trails the wall clock by this
 * much: frames still in the kernel's ring (its 100 ms timeout, a busy
 * moment) are older than now, and must not arrive after the clock
 * passed them.
 */
#define IFACE_LAG_NS (500 * 1000000LL)
/*
 * On an interface, the queue between the capture thread and the engine
 * must ride over the engine thread's pauses (a busy machine's scheduler,
 * a snapshot) as a kernel ring would: 512 batches of 64 frames, half a
 * second at 65,000 frames a second.  A batch costs 55 KiB of packet
 * structs and at least 16 KiB of frame bytes once it is first filled;
 * the pipe refills the batch freed last, so a quiet link touches two or
 * three of them and only a burst makes the rest resident.
 */
#define IFACE_PIPE_BATCHES 512

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
	/* Interface capture: frames the full queue could not take, pcap_stats. */
	atomic_ullong app_drops, ps_drop, ps_ifdrop;
	atomic_bool has_stats, has_ifdrop;
	/* Why the interface's capture ended early; "" when it did not. */
	char failure[512];
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

/* Whether -c or a stop ends the reading before this frame. */
static bool frame_refused(struct live_feed *f)
{
	if (f->out_of_memory || atomic_load(&f->stop))
		return true;
	if (f->cfg.max_packets > 0 && f->frame_no >= f->cfg.max_packets) {
		atomic_store(&f->stop, true);
		return true;
	}
	return false;
}

/* libpcap reuses its buffer: the frame is copied into the queue first. */
static void queue_frame(struct live_feed *f, const struct capture_frame *frame,
			struct packet *pkt, uint8_t *copy)
{
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

/* A file's frame: the reader waits for its moment, and for room. */
static void on_file_frame(void *arg, const struct capture_frame *frame)
{
	struct live_feed *f = arg;
	struct packet *pkt;
	uint8_t *copy;

	if (frame_refused(f))
		return;
	if (f->cfg.speed > 0 && frame->has_ts)
		pace(f, pkt_time_ns(frame->ts));
	if (atomic_load(&f->stop))
		return;
	pkt = packet_pipe_reserve(f->pipe, frame->cap_len, &copy);
	if (pkt == NULL) {
		f->out_of_memory = true;
		return;
	}
	queue_frame(f, frame, pkt, copy);
}

/* An interface's frame: the ring must be drained, so a full queue drops. */
static void on_iface_frame(void *arg, const struct capture_frame *frame)
{
	struct live_feed *f = arg;
	struct packet *pkt;
	uint8_t *copy;
	bool full;

	if (frame_refused(f)) {
		live_capture_refuse_frame(f->cfg.iface);
		return;
	}
	pkt = packet_pipe_try_reserve(f->pipe, frame->cap_len, &copy, &full);
	if (pkt == NULL) {
		if (full)
			atomic_fetch_add(&f->app_drops, 1);
		else
			f->out_of_memory = true;
		return;
	}
	queue_frame(f, frame, pkt, copy);
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

static void note_text(struct live_feed *f, const char *text)
{
	struct pipe_note n = {.text = text};

	if (!f->out_of_memory && !packet_pipe_note(f->pipe, &n))
		f->out_of_memory = true;
}

/* Paced, one frame a call: the pace is kept frame by frame. */
static void read_files(struct live_feed *f)
{
	size_t batch = f->cfg.speed > 0 ? 1 : 256;

	while (!f->out_of_memory && !atomic_load(&f->stop) &&
	       capture_source_run(f->cfg.src, on_file_frame, f, batch) > 0)
		note_warnings(f);
	note_warnings(f);
}

static void take_stats(struct live_feed *f)
{
	struct live_capture_stats st;

	if (!live_capture_stats(f->cfg.iface, &st))
		return;
	atomic_store(&f->ps_drop, st.ps_drop);
	atomic_store(&f->ps_ifdrop, st.ps_ifdrop);
	atomic_store(&f->has_ifdrop, st.has_ifdrop);
	atomic_store(&f->has_stats, true);
}

/*
 * Polls the interface (100 ms at most, so a stop is seen) and hands on
 * what came at once: a quiet link's packets wait for no batch.
 */
static void read_iface(struct live_feed *f)
{
	char msg[512];
	int64_t next_stats = 0;

	while (!f->out_of_memory && !atomic_load(&f->stop)) {
		int n = live_capture_read(f->cfg.iface, 100, on_iface_frame, f,
					  msg, sizeof(msg));

		if (n < 0) {
			snprintf(f->failure, sizeof(f->failure), "%s", msg);
			break;
		}
		if (n > 0)
			packet_pipe_flush(f->pipe);
		if (mono_ns() >= next_stats) {
			take_stats(f);
			next_stats = mono_ns() + NS_PER_SEC / 2;
		}
	}
	live_capture_flush(f->cfg.iface);
	take_stats(f);
}

static void *reader(void *arg)
{
	struct live_feed *f = arg;

	if (f->cfg.iface != NULL)
		read_iface(f);
	else
		read_files(f);
	if (f->out_of_memory)
		note_text(f, "out of memory copying frames; the capture was not read to its end");
	packet_pipe_close(f->pipe);
	return NULL;
}

struct live_feed *live_feed_start(const struct live_feed_config *cfg)
{
	struct live_feed *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->cfg = *cfg;
	f->pipe = packet_pipe_new(cfg->iface != NULL ? IFACE_PIPE_BATCHES
						     : PACKET_PIPE_FILE_BATCHES);
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

	if (f->cfg.iface != NULL) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		*now = (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec - IFACE_LAG_NS;
		return true;
	}
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

const char *live_feed_failure(const struct live_feed *f)
{
	return f->failure[0] != '\0' ? f->failure : NULL;
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
	return atomic_load(&f->app_drops);
}

bool live_feed_drops(struct live_feed *f, uint64_t *ps_drop,
		     uint64_t *ps_ifdrop, bool *has_ifdrop)
{
	if (!atomic_load(&f->has_stats))
		return false;
	*ps_drop = atomic_load(&f->ps_drop);
	*ps_ifdrop = atomic_load(&f->ps_ifdrop);
	*has_ifdrop = atomic_load(&f->has_ifdrop);
	return true;
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
