#include "export_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_SEC 1000000000LL

static const char *const kind_prefix[EXPORT_KINDS] = {"flows", "findings"};

struct open_file {
	FILE *out;                      /* NULL: none open */
	char tmp[4096];
	int64_t interval;               /* its start, ns since the epoch */
	uint64_t records;
};

struct export_files {
	char *dir;
	char *sensor;                   /* NULL: none */
	int64_t rotate_ns;
	struct open_file open[EXPORT_KINDS];
	uint64_t records;               /* in closed files */
	uint64_t failures;
	char first_failure[4200];
};

static void failed(struct export_files *f, const char *what)
{
	if (f->failures++ == 0)
		snprintf(f->first_failure, sizeof(f->first_failure), "%s: %s",
			 what, strerror(errno));
}

bool export_dir_writable(const char *dir, const char *option, char *why,
			 size_t why_len)
{
	char probe[4096];
	int fd;

	snprintf(probe, sizeof(probe), "%s/.tcplens-probe.XXXXXX", dir);
	fd = mkstemp(probe);
	if (fd < 0) {
		snprintf(why, why_len, "%s: cannot write in '%s': %s", option,
			 dir, strerror(errno));
		return false;
	}
	close(fd);
	unlink(probe);
	return true;
}

struct export_files *export_files_open(const char *dir, const char *sensor,
				       int64_t rotate_ns, char *why,
				       size_t why_len)
{
	struct export_files *f;

	if (!export_dir_writable(dir, "--flows-out", why, why_len))
		return NULL;
	f = calloc(1, sizeof(*f));
	if (f == NULL || (f->dir = strdup(dir)) == NULL ||
	    (sensor != NULL && (f->sensor = strdup(sensor)) == NULL)) {
		if (f != NULL)
			free(f->dir);
		free(f);
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	f->rotate_ns = rotate_ns;
	return f;
}

/* NAME for kind's file of the interval starting at start, suffix n > 1. */
static void file_name(const struct export_files *f, enum export_kind kind,
		      int64_t start, int n, char *name, size_t len)
{
	time_t sec = (time_t)(start / NS_PER_SEC);
	struct tm tm;
	char when[32], seq[16] = "";

	gmtime_r(&sec, &tm);
	strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	if (n > 1)
		snprintf(seq, sizeof(seq), "-%d", n);
	snprintf(name, len, "%s%s%s-%s%s.ndjson", kind_prefix[kind],
		 f->sensor != NULL ? "-" : "", f->sensor != NULL ? f->sensor : "",
		 when, seq);
}

static void open_interval(struct export_files *f, enum export_kind kind,
			  int64_t start)
{
	struct open_file *o = &f->open[kind];
	char name[512];
	int fd;

	file_name(f, kind, start, 1, name, sizeof(name));
	snprintf(o->tmp, sizeof(o->tmp), "%s/.%s.tmp", f->dir, name);
	fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || (o->out = fdopen(fd, "w")) == NULL) {
		failed(f, o->tmp);
		if (fd >= 0)
			close(fd);
		return;
	}
	o->interval = start;
	o->records = 0;
}

/*
 * The file renamed into place under the first name not taken: link()
 * fails rather than replace a file of an earlier run.
 */
static void close_file(struct export_files *f, enum export_kind kind)
{
	struct open_file *o = &f->open[kind];
	char name[512], path[4096];
	bool ok;

	if (o->out == NULL)
		return;
	ok = fflush(o->out) == 0 && fsync(fileno(o->out)) == 0;
	ok = fclose(o->out) == 0 && ok;
	o->out = NULL;
	if (!ok) {
		failed(f, o->tmp);
		unlink(o->tmp);
		return;
	}
	for (int n = 1;; n++) {
		file_name(f, kind, o->interval, n, name, sizeof(name));
		snprintf(path, sizeof(path), "%s/%s", f->dir, name);
		if (link(o->tmp, path) == 0)
			break;
		if (errno != EEXIST || n == 1000) {
			failed(f, path);
			unlink(o->tmp);
			return;
		}
	}
	unlink(o->tmp);
	f->records += o->records;
}

static int64_t interval_of(const struct export_files *f, int64_t now_ns)
{
	return now_ns - now_ns % f->rotate_ns;
}

void export_files_write(struct export_files *f, enum export_kind kind,
			const char *line, size_t len, int64_t now_ns)
{
	struct open_file *o = &f->open[kind];
	int64_t start = interval_of(f, now_ns);

	if (o->out != NULL && o->interval != start)
		close_file(f, kind);
	if (o->out == NULL)
		open_interval(f, kind, start);
	if (o->out == NULL)
		return;
	if (fwrite(line, 1, len, o->out) != len || putc('\n', o->out) == EOF)
		failed(f, o->tmp);
	else
		o->records++;
}

int64_t export_files_rotate(struct export_files *f, int64_t now_ns)
{
	int64_t start = interval_of(f, now_ns);

	for (int k = 0; k < EXPORT_KINDS; k++)
		if (f->open[k].out != NULL && f->open[k].interval != start)
			close_file(f, (enum export_kind)k);
	return start + f->rotate_ns;
}

uint64_t export_files_records(const struct export_files *f)
{
	return f->records;
}

bool export_files_close(struct export_files *f, _Atomic uint64_t *records,
			char *why, size_t why_len)
{
	bool ok;

	if (f == NULL)
		return true;
	for (int k = 0; k < EXPORT_KINDS; k++)
		close_file(f, (enum export_kind)k);
	*records = f->records;
	ok = f->failures == 0;
	if (!ok)
		snprintf(why, why_len, "--flows-out: %llu writes failed; the first: %s",
			 (unsigned long long)f->failures, f->first_failure);
	free(f->dir);
	free(f->sensor);
	free(f);
	return ok;
}
