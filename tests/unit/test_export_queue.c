/*
 * The export queue (cmd/export_queue.c): records come out whole and in
 * order across the ring's wrap; a record the full ring cannot take is
 * dropped whole and counted, never waited for; close drains, then -1;
 * at the end of a run, push_wait waits for room instead: nothing lost.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "export_queue.h"

static char buf[EXPORT_RECORD_MAX];

static long pop(struct export_queue *q, enum export_kind *kind)
{
	return export_queue_pop(q, kind, buf, sizeof(buf), NULL);
}

static void order_across_wrap(void **state)
{
	struct export_queue *q = export_queue_new(100);
	enum export_kind kind;
	char line[32];

	(void)state;
	assert_non_null(q);
	/* 8-byte headers and 20-byte lines: the ring wraps mid-record. */
	for (int i = 0; i < 40; i++) {
		snprintf(line, sizeof(line), "{\"n\":%014d}", i);
		assert_true(export_queue_push(q, i % 2 ? EXPORT_FINDING : EXPORT_FLOW,
					      line, strlen(line)));
		assert_int_equal(pop(q, &kind), strlen(line));
		assert_memory_equal(buf, line, strlen(line));
		assert_int_equal(kind, i % 2 ? EXPORT_FINDING : EXPORT_FLOW);
	}
	assert_int_equal(pop(q, &kind), 0);
	assert_int_equal(export_queue_dropped(q), 0);
	export_queue_free(q);
}

static void full_drops_whole(void **state)
{
	struct export_queue *q = export_queue_new(64);
	enum export_kind kind;

	(void)state;
	assert_true(export_queue_push(q, EXPORT_FLOW, "aaaaaaaaaaaaaaaaaaaa", 20));
	assert_true(export_queue_push(q, EXPORT_FLOW, "bbbbbbbbbbbbbbbbbbbb", 20));
	/* 56 of 64 bytes used: 8 + 20 does not fit. */
	assert_false(export_queue_push(q, EXPORT_FLOW, "cccccccccccccccccccc", 20));
	assert_int_equal(export_queue_dropped(q), 1);
	assert_int_equal(pop(q, &kind), 20);
	assert_memory_equal(buf, "aaaaaaaaaaaaaaaaaaaa", 20);
	assert_int_equal(pop(q, &kind), 20);
	assert_memory_equal(buf, "bbbbbbbbbbbbbbbbbbbb", 20);
	assert_true(export_queue_push(q, EXPORT_FLOW, "dd", 2));
	export_queue_close(q);
	assert_false(export_queue_push(q, EXPORT_FLOW, "ee", 2));
	assert_int_equal(pop(q, &kind), 2);
	assert_int_equal(pop(q, &kind), -1);
	assert_int_equal(export_queue_dropped(q), 2);
	export_queue_free(q);
}

static void *consume(void *arg)
{
	struct export_queue *q = arg;
	static char got[EXPORT_RECORD_MAX];
	enum export_kind kind;
	long n, count = 0;
	struct timespec slow = {0, 100000};

	while ((n = export_queue_pop(q, &kind, got, sizeof(got), NULL)) >= 0) {
		if (n == 0) {
			nanosleep(&slow, NULL);
			continue;
		}
		assert_int_equal(strtol(got, NULL, 10), count);
		count++;
	}
	return (void *)count;
}

static void wait_loses_nothing(void **state)
{
	struct export_queue *q = export_queue_new(256);
	pthread_t consumer;
	void *count;
	char line[32];

	(void)state;
	assert_int_equal(pthread_create(&consumer, NULL, consume, q), 0);
	/* 5000 records through a ring of a few: each waits for room. */
	for (int i = 0; i < 5000; i++) {
		int n = snprintf(line, sizeof(line), "%d", i);

		assert_true(export_queue_push_wait(q, EXPORT_FLOW, line, (size_t)n));
	}
	export_queue_close(q);
	pthread_join(consumer, &count);
	assert_int_equal((long)count, 5000);
	assert_int_equal(export_queue_dropped(q), 0);
	export_queue_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(order_across_wrap),
		cmocka_unit_test(full_drops_whole),
		cmocka_unit_test(wait_loses_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
