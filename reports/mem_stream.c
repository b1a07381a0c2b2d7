#define _GNU_SOURCE /* fopencookie */
#include "mem_stream.h"

#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

static ssize_t mem_stream_write(void *cookie, const char *data, size_t size)
{
	struct mem_stream *m = cookie;

	if (size > m->cap - m->len) {
		size_t cap = m->cap ? m->cap : 65536;
		char *p;

		while (cap - m->len < size)
			cap *= 2;
		p = realloc(m->buf, cap);
		if (p == NULL) {
			m->failed = true;
			return 0; /* stdio's error */
		}
		m->buf = p;
		m->cap = cap;
	}
	memcpy(m->buf + m->len, data, size);
	m->len += size;
	return (ssize_t)size;
}

bool mem_stream_open(struct mem_stream *m, int mode)
{
	cookie_io_functions_t io = {.write = mem_stream_write};

	memset(m, 0, sizeof(*m));
	m->f = fopencookie(m, "w", io);
	if (m->f == NULL)
		return false;
	if (setvbuf(m->f, NULL, mode, 8192) != 0) {
		fclose(m->f);
		m->f = NULL;
		return false;
	}
	return true;
}

bool mem_stream_close(struct mem_stream *m)
{
	bool ok = true;

	if (m->f != NULL && fclose(m->f) != 0)
		ok = false;
	m->f = NULL;
	return ok && !m->failed;
}

void mem_stream_free(struct mem_stream *m)
{
	mem_stream_close(m);
	free(m->buf);
	m->buf = NULL;
	m->len = m->cap = 0;
}
