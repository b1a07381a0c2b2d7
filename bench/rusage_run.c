/*
 * rusage_run.c - run one command and report its wall time, CPU time and
 * peak RSS, for bench/measure.py.
 *
 * Why not measure straight from Python with os.wait4()?  On Linux, execve()
 * folds the peak RSS of the process image it replaces into the process's
 * ru_maxrss.  A child forked from Python starts as a copy of the ~14 MiB
 * interpreter, so every command measured that way reports at least ~14 MiB,
 * whatever it really uses.  This helper is small: the command it forks and
 * execs inherits well under 1 MiB, so ru_maxrss from wait4() is the
 * command's own peak.
 *
 * Usage: rusage_run RESULT_FILE COMMAND [ARG...]
 * stdin, stdout and stderr are passed through to COMMAND.  On success
 * RESULT_FILE holds one line:
 *     <wall seconds> <user+system CPU seconds> <max RSS KiB> <exit code>
 * where exit code is 128+N if COMMAND was killed by signal N and 127 if it
 * could not be executed.  rusage_run itself exits 0, or 125 on its own
 * errors.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	FILE *out;
	pid_t pid;
	int status, code;

	if (argc < 3) {
		fprintf(stderr, "usage: rusage_run RESULT_FILE COMMAND [ARG...]\n");
		return 125;
	}
	out = fopen(argv[1], "w");
	if (out == NULL) {
		fprintf(stderr, "rusage_run: %s: %s\n", argv[1], strerror(errno));
		return 125;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "rusage_run: fork: %s\n", strerror(errno));
		return 125;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "rusage_run: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "rusage_run: wait4: %s\n", strerror(errno));
			return 125;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (WIFEXITED(status))
		code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		code = 128 + WTERMSIG(status);
	else
		code = 125;
	fprintf(out, "%.6f %.6f %ld %d\n",
	        (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	        tv_s(ru.ru_utime) + tv_s(ru.ru_stime), ru.ru_maxrss, code);
	if (fclose(out) != 0) {
		fprintf(stderr, "rusage_run: %s: %s\n", argv[1], strerror(errno));
		return 125;
	}
	return 0;
}
