/*
 * bench/core_pingpong.c - how far apart the machine's first two CPUs
 * are: two threads pinned to CPUs 0 and 1 bounce a cache line, and the
 * median round trip is printed in ns.  On a VM the answer can change
 * from one minute to the next (the host moves the vCPUs); the threaded
 * analysis commands are slower when it is large.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { ROUNDS = 100000, TRIALS = 5 };

static _Atomic int ball;

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	(void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *other(void *arg)
{
	(void)arg;
	pin(1);
	for (int i = 0; i < ROUNDS * TRIALS; i++) {
		while (atomic_load(&ball) != 1)
			;
		atomic_store(&ball, 0);
	}
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(void)
{
	double ns[TRIALS];
	pthread_t t;

	pin(0);
	if (pthread_create(&t, NULL, other, NULL) != 0)
		return 1;
	for (int k = 0; k < TRIALS; k++) {
		struct timespec a, b;

		clock_gettime(CLOCK_MONOTONIC, &a);
		for (int i = 0; i < ROUNDS; i++) {
			atomic_store(&ball, 1);
			while (atomic_load(&ball) != 0)
				;
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		ns[k] = ((double)(b.tv_sec - a.tv_sec) * 1e9 +
			 (double)(b.tv_nsec - a.tv_nsec)) / ROUNDS;
	}
	pthread_join(t, NULL);
	qsort(ns, TRIALS, sizeof(ns[0]), cmp);
	printf("%.0f\n", ns[TRIALS / 2]);
	return 0;
}
