#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <cmocka.h>

#include "packet_pipe.h"

/*
 * The pipe between a capture's reader and the engine: packets come out
 * in the order they went in, whichever batches carried them, and a pipe
 * that is never far behind touches only its lowest batches (a live
 * interface's pipe has 512, 55 KiB of packet structs each).
 */

enum { BATCH = 64, LIVE_BATCHES = 512 };

/* Producer: one packet whose frame is a byte of its number. */
static bool put(struct packet_pipe *p, uint64_t no, bool wait)
{
	uint8_t *data;
	struct packet *pkt;
	bool full = false;

	pkt = wait ? packet_pipe_reserve(p, 1, &data)
		   : packet_pipe_try_reserve(p, 1, &data, &full);
	if (pkt == NULL) {
		assert_true(full);
		return false;
	}
	memset(pkt, 0, sizeof(*pkt));
	pkt->frame_no = no;
	pkt->cap_len = 1;
	pkt->payload.ptr = data;
	pkt->payload.len = 1;
	data[0] = (uint8_t)no;
	packet_pipe_commit(p);
	return true;
}

/* Consumer: takes every batch ready, checks each packet is the next. */
static void take_ready(struct packet_pipe *p, uint64_t *next)
{
	struct timespec now;
	struct packet *pkts;
	size_t n, n_notes;
	const struct pipe_note *notes;

	clock_gettime(CLOCK_MONOTONIC, &now);
	while (packet_pipe_take_until(p, &now, &pkts, &n, &notes,
				      &n_notes) == 1) {
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(pkts[i].frame_no, *next);
			assert_int_equal(pkts[i].payload.ptr[0], (uint8_t)*next);
			(*next)++;
		}
		packet_pipe_release(p);
	}
}

/* A packet at a time, each handed on at once: a quiet live link. */
static void test_quiet_link_touches_lowest(void **state)
{
	struct packet_pipe *p = packet_pipe_new(LIVE_BATCHES);
	uint64_t next = 1;

	(void)state;
	assert_non_null(p);
	for (uint64_t no = 1; no <= 10000; no++) {
		assert_true(put(p, no, false));
		packet_pipe_flush(p);
		take_ready(p, &next);
	}
	assert_int_equal(next, 10001);
	/* The batch being filled and the one just handed on: two. */
	assert_true(packet_pipe_batches_touched(p) <= 2);
	packet_pipe_free(p);
}

/*
 * A burst fills every batch (the reader never waits: try_reserve says
 * full), then the engine catches up: nothing lost or reordered, and
 * after it a quiet stretch reuses the batches freed last.
 */
static void test_burst_uses_all_in_order(void **state)
{
	struct packet_pipe *p = packet_pipe_new(LIVE_BATCHES);
	uint64_t no = 1, next = 1;

	(void)state;
	assert_non_null(p);
	while (put(p, no, false))
		no++;
	assert_int_equal(no - 1, (uint64_t)LIVE_BATCHES * BATCH);
	assert_int_equal(packet_pipe_batches_touched(p), LIVE_BATCHES);
	packet_pipe_flush(p);
	take_ready(p, &next);
	assert_int_equal(next, no);
	for (int k = 0; k < 1000; k++, no++) {
		assert_true(put(p, no, false));
		packet_pipe_flush(p);
		take_ready(p, &next);
	}
	assert_int_equal(next, no);
	packet_pipe_free(p);
}

/*
 * The engine a few batches behind, by turns: freed batches are filled
 * again out of index order, yet taken in the order they were filled.
 */
static void test_reuse_keeps_fifo_order(void **state)
{
	struct packet_pipe *p = packet_pipe_new(LIVE_BATCHES);
	uint64_t no = 1, next = 1;
	struct packet *pkts;
	size_t n, n_notes;
	const struct pipe_note *notes;

	(void)state;
	assert_non_null(p);
	for (int round = 0; round < 200; round++) {
		int fill = 1 + (round * 7) % 13;
		int drain = 2 + (round * 5) % 13;

		for (int i = 0; i < fill * BATCH; i++)
			assert_true(put(p, no++, false));
		for (int i = 0; i < drain &&
		     packet_pipe_take_until(p, &(struct timespec){0},
					    &pkts, &n, &notes, &n_notes) == 1;
		     i++) {
			for (size_t j = 0; j < n; j++)
				assert_int_equal(pkts[j].frame_no, next++);
			packet_pipe_release(p);
		}
	}
	packet_pipe_close(p);
	while (packet_pipe_take(p, &pkts, &n, &notes, &n_notes)) {
		for (size_t j = 0; j < n; j++)
			assert_int_equal(pkts[j].frame_no, next++);
		packet_pipe_release(p);
	}
	assert_int_equal(next, no);
	/* Never more than about 30 batches behind: the rest never used. */
	assert_true(packet_pipe_batches_touched(p) < 64);
	packet_pipe_free(p);
}

struct threaded {
	struct packet_pipe *p;
	uint64_t count;
};

static void *produce(void *arg)
{
	struct threaded *t = arg;
	struct pipe_note note = {.text = "between"};

	for (uint64_t no = 1; no <= t->count; no++) {
		put(t->p, no, true);
		if (no % 1000 == 0) {
			note.frames = no;
			packet_pipe_note(t->p, &note);
		}
		if (no % 97 == 0)
			packet_pipe_flush(t->p);
	}
	packet_pipe_close(t->p);
	return NULL;
}

/* Two threads, a small pipe that fills: every packet and note in order. */
static void test_threads_in_order(void **state)
{
	struct threaded t = {.p = packet_pipe_new(16), .count = 300000};
	pthread_t th;
	struct packet *pkts;
	size_t n, n_notes;
	const struct pipe_note *notes;
	uint64_t next = 1;

	(void)state;
	assert_non_null(t.p);
	assert_int_equal(pthread_create(&th, NULL, produce, &t), 0);
	while (packet_pipe_take(t.p, &pkts, &n, &notes, &n_notes)) {
		for (size_t j = 0; j < n; j++) {
			assert_int_equal(pkts[j].frame_no, next);
			assert_int_equal(pkts[j].payload.ptr[0], (uint8_t)next);
			next++;
		}
		/* A note follows the packets committed before it. */
		for (size_t j = 0; j < n_notes; j++)
			assert_int_equal(notes[j].frames, next - 1);
		packet_pipe_release(t.p);
	}
	pthread_join(th, NULL);
	assert_int_equal(next, t.count + 1);
	assert_true(packet_pipe_batches_touched(t.p) <= 16);
	packet_pipe_free(t.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quiet_link_touches_lowest),
		cmocka_unit_test(test_burst_uses_all_in_order),
		cmocka_unit_test(test_reuse_keeps_fifo_order),
		cmocka_unit_test(test_threads_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
