#include "metrics_textfile.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct metrics_textfile {
	pthread_t thread;
	struct metrics_exchange *x;
	char *dir;
	uint64_t failures;
	char first_failure[256];
};

/* DIR/.tcplens.prom.XXXXXX, opened; -1 with errno when it cannot be. */
static int temp_file(const char *dir, char *path, size_t len)
{
	int fd;

	if ((size_t)snprintf(path, len, "%s/." METRICS_TEXTFILE_NAME ".XXXXXX",
			     dir) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkstemp(path);
	/* mkstemp's 0600 would hide it from a node_exporter of another user. */
	if (fd >= 0)
		fchmod(fd, 0644);
	return fd;
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static bool replace_file(struct metrics_textfile *w,
			 const struct metrics_text *t)
{
	char tmp[4096], path[4096];
	int fd = temp_file(w->dir, tmp, sizeof(tmp));
	int error;
	bool ok;

	if (fd < 0)
		return false;
	ok = write_all(fd, t->text, t->len);
	ok = close(fd) == 0 && ok;
	snprintf(path, sizeof(path), "%s/" METRICS_TEXTFILE_NAME, w->dir);
	if (ok && rename(tmp, path) == 0)
		return true;
	error = errno;
	unlink(tmp);
	errno = error;
	return false;
}

static void *writer(void *arg)
{
	struct metrics_textfile *w = arg;
	struct metrics_text *t;
	uint64_t seen = 0;

	while ((t = metrics_exchange_wait(w->x, &seen)) != NULL) {
		if (!replace_file(w, t) && w->failures++ == 0)
			snprintf(w->first_failure, sizeof(w->first_failure),
				 "%s/" METRICS_TEXTFILE_NAME ": %s", w->dir,
				 strerror(errno));
		metrics_text_unref(t);
	}
	return NULL;
}

struct metrics_textfile *metrics_textfile_start(const char *dir,
						struct metrics_exchange *x,
						char *why, size_t why_len)
{
	struct metrics_textfile *w;
	char tmp[4096];
	int fd = temp_file(dir, tmp, sizeof(tmp));

	if (fd < 0) {
		snprintf(why, why_len, "--metrics-textfile: cannot write in '%s': %s",
			 dir, strerror(errno));
		return NULL;
	}
	close(fd);
	unlink(tmp);
	w = calloc(1, sizeof(*w));
	if (w == NULL || (w->dir = strdup(dir)) == NULL) {
		free(w);
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	w->x = x;
	if (pthread_create(&w->thread, NULL, writer, w) != 0) {
		free(w->dir);
		free(w);
		snprintf(why, why_len, "cannot start the metrics thread");
		return NULL;
	}
	return w;
}

bool metrics_textfile_stop(struct metrics_textfile *w, char *why,
			   size_t why_len)
{
	bool ok;

	if (w == NULL)
		return true;
	pthread_join(w->thread, NULL);
	ok = w->failures == 0;
	if (!ok)
		snprintf(why, why_len, "--metrics-textfile: %llu writes failed; the first: %s",
			 (unsigned long long)w->failures, w->first_failure);
	free(w->dir);
	free(w);
	return ok;
}
