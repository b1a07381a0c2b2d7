#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>
#include <cmocka.h>

#include "live_output.h"

/*
 * live's line buffer: lines reach the reader whole and in order, a
 * reader that keeps up keeps the buffer's resident part to a few lines,
 * and a reader that stalls costs dropped lines, never a wait.
 */

enum { LINES = 10000, LINE = 100, CAP = 4 << 20 };

struct reader {
	int fd;
	size_t bytes;
	bool in_order;
};

/* Reads lines "NNNNN xxx...\n" to the end, checking their numbers. */
static void *read_lines(void *arg)
{
	struct reader *r = arg;
	char buf[8192], line[LINE + 1];
	size_t at = 0;
	unsigned long want = 0;
	ssize_t n;

	r->in_order = true;
	while ((n = read(r->fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (at < LINE)
				line[at++] = buf[i];
			if (buf[i] != '\n')
				continue;
			line[at] = '\0';
			if (strtoul(line, NULL, 10) != want++ || at != LINE)
				r->in_order = false;
			at = 0;
		}
		r->bytes += (size_t)n;
	}
	return NULL;
}

static void put_line(struct live_output *o, unsigned long no)
{
	FILE *s = live_output_stream(o);

	fprintf(s, "%05lu %0*d\n", no, LINE - 7, 0);
	assert_true(live_output_commit(o));
}

static void test_reader_that_keeps_up_touches_little(void **state)
{
	int fds[2];
	struct reader r = {0};
	pthread_t t;
	struct live_output *o;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	r.fd = fds[0];
	assert_int_equal(pthread_create(&t, NULL, read_lines, &r), 0);
	o = live_output_open(fds[1], CAP);
	assert_non_null(o);
	for (unsigned long i = 0; i < LINES; i++) {
		put_line(o, i);
		/* A reader keeping up: the line is gone before the next. */
		if (i % 100 == 99)
			usleep(2000);
	}
	assert_true(live_output_finish(o));
	/* 1 MB went through; a ring used end to end would have touched it. */
	assert_true(live_output_touched(o) < 256 * 1024);
	assert_int_equal(live_output_dropped(o), 0);
	live_output_close(o);
	close(fds[1]);
	pthread_join(t, NULL);
	close(fds[0]);
	assert_int_equal(r.bytes, (size_t)LINES * LINE);
	assert_true(r.in_order);
}

static void test_stalled_reader_drops_whole_lines(void **state)
{
	int fds[2];
	struct live_output *o;
	unsigned long queued = 0, dropped;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	o = live_output_open(fds[1], 16 * 1024);
	assert_non_null(o);
	/* Nobody reads: the pipe (64 KiB) and the buffer fill, then drops. */
	for (unsigned long i = 0; i < 2000; i++) {
		fprintf(live_output_stream(o), "%05lu %0*d\n", i, LINE - 7, 0);
		queued += live_output_commit(o);
	}
	dropped = (unsigned long)live_output_dropped(o);
	assert_int_equal(queued + dropped, 2000);
	assert_true(dropped > 0);
	assert_true(live_output_touched(o) <= 16 * 1024);
	close(fds[0]);          /* the reader goes: the writer stops */
	live_output_close(o);
	close(fds[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_that_keeps_up_touches_little),
		cmocka_unit_test(test_stalled_reader_drops_whole_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
