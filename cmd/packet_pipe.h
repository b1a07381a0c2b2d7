/*
 * Decoded packets handed from one thread to another, in order.
 *
 * The reading thread copies each frame into a batch, decodes it there
 * (so the packet's views point into the copy) and commits it; the
 * analysing thread takes whole batches and gives them back.  Batches
 * travel, not packets: one lock and, at most, one wake-up per batch.
 * One producer and one consumer.
 */
#ifndef TCPLENS_PACKET_PIPE_H
#define TCPLENS_PACKET_PIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "packet.h"

struct packet_pipe;

/*
 * Batches a file's reader keeps ahead of the analysis: enough to ride
 * over its pauses, little enough to stay in cache.
 */
#define PACKET_PIPE_FILE_BATCHES 24
/* The most batches a pipe holds: they are named by 16-bit indices. */
#define PACKET_PIPE_MAX_BATCHES 65536
/*
 * Room for batches of 64 packets each (16 to PACKET_PIPE_MAX_BATCHES).
 * Batches are consumed in the order they were filled, and a freed batch
 * is the next one filled, so a pipe that is rarely more than a batch or
 * two behind only ever touches its lowest batches: the others' memory
 * (their packets, and their frame bytes, allocated as first needed) is
 * never made resident.
 */
struct packet_pipe *packet_pipe_new(size_t batches);
void packet_pipe_free(struct packet_pipe *p);
/*
 * One more than the highest batch index filled so far: how many
 * batches' memory the pipe has touched.
 */
size_t packet_pipe_batches_touched(struct packet_pipe *p);

/*
 * Producer: room for one packet and cap_len bytes of frame, which the
 * caller fills (*data) and decodes into the returned packet before
 * packet_pipe_commit().  NULL when memory ran out.  Blocks while every
 * batch is full.
 */
struct packet *packet_pipe_reserve(struct packet_pipe *p, uint32_t cap_len,
				   uint8_t **data);
/*
 * Producer: packet_pipe_reserve() that never waits: NULL with *full set
 * when every batch is taken (a live capture counts the frame as
 * dropped), NULL with *full false when memory ran out.
 */
struct packet *packet_pipe_try_reserve(struct packet_pipe *p,
				       uint32_t cap_len, uint8_t **data,
				       bool *full);
void packet_pipe_commit(struct packet_pipe *p);
/*
 * Producer: hands on the packets committed so far now, however few,
 * and wakes the consumer for them: a live source's packets must not
 * wait for a batch to fill (a paced replay, a quiet link).
 */
void packet_pipe_flush(struct packet_pipe *p);
/* Producer: no more packets; the consumer gets what is committed. */
void packet_pipe_close(struct packet_pipe *p);

/*
 * What the producer has to say between two packets (a progress update,
 * the warning of an input that broke off): the consumer says it after
 * the packets committed before it, so messages keep their place among
 * those the analysis prints, and only one thread writes to stderr.
 */
struct pipe_note {
	bool is_progress;
	uint64_t frames, done, total;   /* progress: frames read, bytes */
	const char *text;               /* a warning */
};

/* Producer: copies the note; false when memory ran out. */
bool packet_pipe_note(struct packet_pipe *p, const struct pipe_note *note);

/*
 * Consumer: the next batch, *n packets at *pkts and then *n_notes notes,
 * valid until packet_pipe_release(); false once the producer closed and
 * every batch was taken.
 */
bool packet_pipe_take(struct packet_pipe *p, struct packet **pkts, size_t *n,
		      const struct pipe_note **notes, size_t *n_notes);
/*
 * Consumer: packet_pipe_take() that waits no later than deadline (on
 * CLOCK_MONOTONIC; NULL: no limit): 1 with a batch, 0 once the producer
 * closed and every batch was taken, -1 at the deadline with none ready.
 */
int packet_pipe_take_until(struct packet_pipe *p,
			   const struct timespec *deadline,
			   struct packet **pkts, size_t *n,
			   const struct pipe_note **notes, size_t *n_notes);
void packet_pipe_release(struct packet_pipe *p);

#endif
