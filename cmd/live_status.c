#include "live_status.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Where the width cannot be read (a terminal that does not say). */
#define DEFAULT_COLUMNS 80
/* ECMA-48 EL: erase from the cursor to the end of the line. */
#define CLEAR_TO_EOL "\033[K"

void live_status_init(struct live_status *st, int fd, bool on)
{
	const char *term = getenv("TERM");

	memset(st, 0, sizeof(*st));
	st->fd = -1;
	if (on && isatty(fd) && term != NULL && term[0] != '\0' &&
	    strcmp(term, "dumb") != 0)
		st->fd = fd;
}

/* Best effort: a terminal that went away loses its status line only. */
static void write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static size_t terminal_columns(int fd)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return DEFAULT_COLUMNS;
}

/* h:mm:ss, as uptime-like counters show a run's length. */
static void elapsed_text(char *out, size_t size, double seconds)
{
	uint64_t s = seconds > 0 ? (uint64_t)seconds : 0;

	snprintf(out, size, "%" PRIu64 ":%02u:%02u", s / 3600,
		 (unsigned)(s / 60 % 60), (unsigned)(s % 60));
}

/* " 0 kernel": a count the source gives; nothing where it gives none. */
static void drop_text(char *out, size_t size, bool has, uint64_t v,
		      const char *what)
{
	if (has)
		snprintf(out, size, " %" PRIu64 " %s", v, what);
	else
		out[0] = '\0';
}

/*
 * "no findings", or the severities that have some: "1 critical, 3
 * warning" (a short line keeps the drops, at its end, on 80 columns).
 */
static void findings_text(char *out, size_t size, const uint32_t findings[3])
{
	static const char *const names[3] = {"critical", "warning", "info"};
	size_t n = 0;

	out[0] = '\0';
	for (int i = 0; i < 3; i++) {
		int w;

		if (findings[i] == 0 || n >= size)
			continue;
		w = snprintf(out + n, size - n, "%s%" PRIu32 " %s",
			     n > 0 ? ", " : "", findings[i], names[i]);
		if (w > 0)
			n += (size_t)w;
	}
	if (n == 0)
		snprintf(out, size, "no findings");
}

size_t live_status_format(char *out, size_t size, const struct live_counts *c,
			  double pps, uint64_t flows,
			  const uint32_t findings[3], size_t columns)
{
	char when[32], found[64], kernel[32], iface[32];
	size_t n, max = columns > 1 ? columns - 1 : 0;
	int w;

	if (size == 0)
		return 0;
	elapsed_text(when, sizeof(when), c->elapsed);
	findings_text(found, sizeof(found), findings);
	drop_text(kernel, sizeof(kernel), c->has_ps_drop, c->ps_drop, "kernel");
	drop_text(iface, sizeof(iface), c->has_ps_ifdrop, c->ps_ifdrop, "if");
	w = snprintf(out, size,
		     "%s  %" PRIu64 " pkts %.0f/s  %" PRIu64 " flows  %s  "
		     "drops%s%s %" PRIu64 " app",
		     when, c->packets, pps, flows, found, kernel, iface,
		     c->app_drops);
	n = w < 0 ? 0 : (size_t)w < size ? (size_t)w : size - 1;
	if (n > max)
		n = max;
	out[n] = '\0';
	return n;
}

void live_status_show(struct live_status *st, const struct live_counts *c,
		      uint64_t flows, const uint32_t findings[3])
{
	char line[512];
	double dt, pps;
	size_t n;

	if (st->fd < 0)
		return;
	dt = c->elapsed - st->last.elapsed;
	pps = dt > 0 ? (double)(c->packets - st->last.packets) / dt : 0.0;
	st->last = *c;
	/* One write: the carriage return, the text, the clear. */
	line[0] = '\r';
	n = 1 + live_status_format(line + 1, sizeof(line) - 1 - strlen(CLEAR_TO_EOL),
				   c, pps, flows, findings,
				   terminal_columns(st->fd));
	memcpy(line + n, CLEAR_TO_EOL, strlen(CLEAR_TO_EOL));
	n += strlen(CLEAR_TO_EOL);
	write_all(st->fd, line, n);
	st->shown = true;
}

void live_status_clear(struct live_status *st)
{
	static const char clear[] = "\r" CLEAR_TO_EOL;

	if (st->fd < 0 || !st->shown)
		return;
	write_all(st->fd, clear, sizeof(clear) - 1);
	st->shown = false;
}
