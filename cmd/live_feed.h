/*
 * The capture side of `tcplens live`: a thread that reads frames,
 * decodes them and queues them for the engine thread (packet_pipe.h).
 *
 * From an interface (live_capture.h) the reader polls the ring and
 * hands what came on at once; it never waits for the engine: a frame
 * the full queue cannot take is dropped and counted (app drops).
 * Replaying capture files (-r), it keeps the capture's own pace times
 * speed, or goes as fast as the engine takes them (speed 0); a file can
 * wait, so a full queue makes the reader wait, never drop.
 *
 * Threads: live_feed_start() and the take/release/clock/stop calls are
 * the engine thread's; the reader is the feed's own.
 */
#ifndef TCPLENS_LIVE_FEED_H
#define TCPLENS_LIVE_FEED_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "capture_source.h"
#include "live_capture.h"
#include "packet_pipe.h"

struct live_feed_config {
	struct capture_source *src;     /* files: opened; stays the caller's */
	struct live_capture *iface;     /* or an interface, likewise */
	double speed;                   /* 0: as fast as possible */
	uint64_t max_packets;           /* -c; 0: no limit */
	bool checksums;                 /* verify transport checksums */
};

struct live_feed;

/* Starts the reader; NULL (nothing said) when no memory or thread. */
struct live_feed *live_feed_start(const struct live_feed_config *cfg);
/*
 * The next batch of decoded packets, as packet_pipe_take_until(): 1,
 * 0 once the reader ended and all was taken, -1 at the deadline.
 */
int live_feed_take(struct live_feed *f, const struct timespec *deadline,
		   struct packet **pkts, size_t *n,
		   const struct pipe_note **notes, size_t *n_notes);
void live_feed_release(struct live_feed *f);
/*
 * The packet time the engine may be advanced to now, the queue being
 * empty (live_feed_take() just gave -1).  Replay: the pace's packet
 * time at this wall-clock moment, but never past the next packet not
 * yet queued; false when there is none (not paced, or no packet read
 * yet).  Interface: the wall clock, half a second behind.
 */
bool live_feed_clock(struct live_feed *f, int64_t *now);
/*
 * Once live_feed_take() gave 0: why the interface's capture ended
 * before it was asked to (went down or away, a libpcap error), one line
 * naming the interface; NULL when it did not.
 */
const char *live_feed_failure(const struct live_feed *f);
/* Reading stops at the next frame (a signal, --duration). */
void live_feed_stop(struct live_feed *f);
/* Frames handed on, and frames the queue could not take (0: replay). */
uint64_t live_feed_received(struct live_feed *f);
uint64_t live_feed_app_drops(struct live_feed *f);
/*
 * An interface's pcap_stats drops, as last read (every 0.5 s, and at
 * the end); false when there are none (replay, or none yet).
 */
bool live_feed_drops(struct live_feed *f, uint64_t *ps_drop,
		     uint64_t *ps_ifdrop, bool *has_ifdrop);
/* Stops the reader, drops what it queued, joins it and frees. */
void live_feed_free(struct live_feed *f);

#endif
