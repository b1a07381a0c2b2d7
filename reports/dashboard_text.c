/* The dashboard's row writers: cells, numbers, sparklines. */
#include "dashboard_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void dash_history_push(struct dash_history *h, uint32_t v)
{
	h->v[h->at] = v;
	h->at = (h->at + 1) % DASH_HISTORY;
}

uint32_t dash_history_get(const struct dash_history *h, unsigned i)
{
	return h->v[(h->at + i) % DASH_HISTORY];
}

static const char *const spark_utf8[8] = {
	"\u2581", "\u2582", "\u2583", "\u2584",
	"\u2585", "\u2586", "\u2587", "\u2588",
};
/* Eight steps of ink in ASCII; nothing at all for zero. */
static const char spark_ascii[] = "_.:-=+*#";

void dash_sparkline(const struct dash_history *h, size_t width, bool utf8,
		    char *out, size_t outlen)
{
	uint32_t cell[DASH_HISTORY], top = 0;
	size_t len = 0;

	out[0] = '\0';
	if (width == 0 || outlen < 4)
		return;
	if (width > DASH_HISTORY)
		width = DASH_HISTORY;
	for (size_t c = 0; c < width; c++) {
		/* Oldest on the left; each second in exactly one cell. */
		size_t lo = c * DASH_HISTORY / width;
		size_t hi = (c + 1) * DASH_HISTORY / width;

		cell[c] = 0;
		for (size_t i = lo; i < hi; i++) {
			uint32_t v = dash_history_get(h, (unsigned)i);

			if (v > cell[c])
				cell[c] = v;
		}
		if (cell[c] > top)
			top = cell[c];
	}
	for (size_t c = 0; c < width && len + 4 <= outlen; c++) {
		int step = top == 0 ? -1 : (int)((uint64_t)cell[c] * 7 / top);

		if (cell[c] == 0) {
			out[len++] = ' ';
		} else if (utf8) {
			memcpy(out + len, spark_utf8[step], 3);
			len += 3;
		} else {
			out[len++] = spark_ascii[step];
		}
	}
	out[len] = '\0';
}

size_t dash_cells(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* The bytes of s's first cells cells. */
static size_t cells_bytes(const char *s, size_t cells)
{
	size_t i = 0, n = 0;

	while (s[i] != '\0') {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (n == cells)
				break;
			n++;
		}
		i++;
	}
	return i;
}

void dash_cell(char *row, size_t rowlen, const char *s, size_t width,
	       bool right)
{
	size_t len = strlen(row), cells = dash_cells(s), bytes, pad;

	if (cells > width)
		cells = width;
	bytes = cells_bytes(s, cells);
	pad = width - cells;
	if (len + bytes + pad + 1 > rowlen)
		return;
	if (right) {
		memset(row + len, ' ', pad);
		len += pad;
	}
	memcpy(row + len, s, bytes);
	len += bytes;
	if (!right) {
		memset(row + len, ' ', pad);
		len += pad;
	}
	row[len] = '\0';
}

void dash_elide_middle(char *s, size_t width)
{
	size_t len = strlen(s), head, tail;

	if (len <= width || width < 5)
		return;
	head = (width - 1) / 2;
	tail = width - 1 - head;
	s[head] = '~';
	memmove(s + head + 1, s + len - tail, tail + 1);
}

void dash_shift(char *row, size_t cells)
{
	size_t skip = cells_bytes(row, cells);

	memmove(row, row + skip, strlen(row + skip) + 1);
}

void dash_fit(char *row, size_t cols)
{
	row[cells_bytes(row, cols)] = '\0';
}

void dash_si(double v, char *out, size_t outlen)
{
	static const char unit[] = " kMGTP";
	int u = 0;

	while (v >= 9999.5 && u < 5) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(out, outlen, "%.0f", v);
	else
		snprintf(out, outlen, v < 99.95 ? "%.1f%c" : "%.0f%c", v,
			 unit[u]);
}

void dash_count(int64_t v, size_t width, bool sign, char *out,
		size_t outlen)
{
	double mag = v < 0 ? -(double)v : (double)v;
	const char *s = v < 0 ? "-" : sign ? "+" : "";
	static const char unit[] = "kMGTPE";
	int u = -1;

	snprintf(out, outlen, sign ? "%+lld" : "%lld", (long long)v);
	if (strlen(out) <= width)
		return;
	/* Too wide: thousands, with a decimal only when it fits. */
	while (mag >= 999.5 && u < 5) {
		mag /= 1000;
		u++;
	}
	if (u < 0)
		return;         /* under a thousand: no shorter form */
	snprintf(out, outlen, "%s%.1f%c", s, mag, unit[u]);
	if (strlen(out) > width)
		snprintf(out, outlen, "%s%.0f%c", s, mag, unit[u]);
}

void dash_age(double s, char *out, size_t outlen)
{
	long t = s < 0 ? 0 : (long)s;

	if (t < 100)
		snprintf(out, outlen, "%lds", t);
	else if (t < 3600)
		snprintf(out, outlen, "%ldm%02ld", t / 60, t % 60);
	else if (t < 100 * 3600)
		snprintf(out, outlen, "%ldh%02ld", t / 3600, t % 3600 / 60);
	else if (t < 100 * 86400)
		snprintf(out, outlen, "%ldd%02ld", t / 86400, t % 86400 / 3600);
	else
		snprintf(out, outlen, "%ldd", t / 86400);
}

void dash_clock(int64_t ns, char *out, size_t outlen)
{
	long s = (long)((ns / 1000000000LL) % 86400);

	snprintf(out, outlen, "%02ld:%02ld:%02ld", s / 3600, s / 60 % 60,
		 s % 60);
}

bool dash_match(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (n == 0)
		return true;
	for (; *hay != '\0'; hay++) {
		size_t i = 0;

		while (i < n && hay[i] != '\0' &&
		       tolower((unsigned char)hay[i]) ==
			       tolower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return true;
	}
	return false;
}

const char *dash_state_short(int state)
{
	static const char *const names[TCP_STATE_COUNT] = {
		"CLOSD", "LISTN", "SYN_S", "SYN_R", "ESTAB", "FIN_1",
		"FIN_2", "CL_WT", "CLSNG", "LSTAK", "TM_WT",
	};

	return state >= 0 && state < TCP_STATE_COUNT ? names[state] : "?";
}

struct dash_row *dash_area_row(struct dash_area *a, int i)
{
	struct dash_row *r = &a->out->row[a->first + i];

	r->attr = DASH_ATTR_NORMAL;
	r->text[0] = '\0';
	return r;
}

void dash_title(struct dash_area *a, int i, const char *title,
		const char *hint)
{
	struct dash_row *r = dash_area_row(a, i);
	size_t used;

	snprintf(r->text, sizeof(r->text), " %s ", title);
	used = dash_cells(r->text);
	if (hint != NULL && hint[0] != '\0' &&
	    used + dash_cells(hint) + 3 <= (size_t)a->cols) {
		dash_cell(r->text, sizeof(r->text), "",
			  (size_t)a->cols - used - dash_cells(hint) - 1, false);
		dash_cell(r->text, sizeof(r->text), hint, dash_cells(hint),
			  false);
	}
	/* A title wider than the screen is cut, never padded past it. */
	dash_fit(r->text, (size_t)a->cols);
	dash_cell(r->text, sizeof(r->text), "",
		  (size_t)a->cols - dash_cells(r->text), false);
	r->attr = a->focus ? DASH_ATTR_TITLE_FOCUS : DASH_ATTR_TITLE;
}
