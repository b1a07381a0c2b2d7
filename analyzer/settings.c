#include "settings.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"

#define NS_PER_SEC 1000000000LL
/* A share's finest step is 1 / SHARE_STEPS: 15 decimals. */
#define SHARE_STEPS 1e15
#define ENGINE(field) offsetof(struct settings, engine.field)

/* The engine's rows; each detector's are in its own file. */
static const struct setting engine_rows[] = {
	{.section = "engine", .key = "time_wait",
	 .type = SETTING_SECONDS, .min = 1, .max = 86400, .def = 60,
	 .offset = ENGINE(tcp.time_wait_ns),
	 .doc = "TIME_WAIT length, 2MSL (Linux: a fixed 60 s)"},
	{.section = "engine", .key = "tcp_timeout",
	 .type = SETTING_SECONDS, .min = 1, .max = 604800, .def = 300,
	 .offset = ENGINE(tcp_idle_ns),
	 .doc = "idle timeout of half-open and closing TCP connections"},
	{.section = "engine", .key = "udp_timeout",
	 .type = SETTING_SECONDS, .min = 1, .max = 604800, .def = 60,
	 .offset = ENGINE(udp_idle_ns),
	 .doc = "idle timeout of UDP flows"},
	{.section = "engine", .key = "icmp_timeout",
	 .type = SETTING_SECONDS, .min = 1, .max = 604800, .def = 60,
	 .offset = ENGINE(icmp_idle_ns),
	 .doc = "idle timeout of ICMP flows"},
	{.section = "engine", .key = "frag_timeout_ipv4",
	 .type = SETTING_SECONDS, .min = 1, .max = 86400, .def = 30,
	 .offset = ENGINE(defrag.timeout_v4_ns),
	 .doc = "drop unfinished IPv4 datagrams after this long (Linux "
		"ipfrag_time: 30)"},
	{.section = "engine", .key = "frag_timeout_ipv6",
	 .type = SETTING_SECONDS, .min = 1, .max = 86400, .def = 60,
	 .offset = ENGINE(defrag.timeout_v6_ns),
	 .doc = "drop unfinished IPv6 datagrams after this long (Linux: 60)"},
	{.section = "engine", .key = "frag_memory",
	 .type = SETTING_MIB, .min = 1, .max = 65536, .def = 64,
	 .offset = ENGINE(defrag.memory_cap),
	 .doc = "MiB of fragments buffered at most"},
	{.section = "engine", .key = "max_flows",
	 .type = SETTING_COUNT, .min = 1, .max = 100000000, .def = 1000000,
	 .offset = ENGINE(max_flows),
	 .doc = "flows tracked at once; the least recently active is evicted"},
	{.section = "engine", .key = "max_subjects",
	 .type = SETTING_COUNT, .min = 64, .max = 65536, .def = 65536,
	 .offset = ENGINE(max_subjects),
	 .doc = "subjects the detectors keep; resolved ones fold into counts"},
};
#define N_ENGINE (sizeof(engine_rows) / sizeof(engine_rows[0]))

/*
 * The rows by block, in the order they are listed: block 0 is the
 * engine's, block 1 + id finding id's detector's (none at a detector's
 * later findings).
 */
#define N_BLOCKS (1 + FINDING_COUNT)

static const struct setting *block(int b, size_t *n)
{
	if (b == 0) {
		*n = N_ENGINE;
		return engine_rows;
	}
	return detectors_settings_rows((enum finding_id)(b - 1), n);
}

size_t settings_count(void)
{
	size_t total = 0, n;

	for (int b = 0; b < N_BLOCKS; b++) {
		block(b, &n);
		total += n;
	}
	return total;
}

const struct setting *settings_at(size_t i)
{
	for (int b = 0; b < N_BLOCKS; b++) {
		size_t n;
		const struct setting *rows = block(b, &n);

		if (i < n)
			return &rows[i];
		i -= n;
	}
	return NULL;
}

size_t settings_index(const struct setting *e)
{
	size_t base = 0;

	for (int b = 0; b < N_BLOCKS; b++) {
		size_t n;
		const struct setting *rows = block(b, &n);

		for (size_t i = 0; i < n; i++)
			if (e == &rows[i])
				return base + i;
		base += n;
	}
	return base;
}

/* The row section.key among n rows, or NULL. */
static const struct setting *find_in(const struct setting *rows, size_t n,
				     const char *section, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].section, section) == 0 &&
		    strcmp(rows[i].key, key) == 0)
			return &rows[i];
	return NULL;
}

const struct setting *settings_find(const char *section, const char *key)
{
	const struct setting *e = NULL;

	for (int b = 0; e == NULL && b < N_BLOCKS; b++) {
		size_t n;
		const struct setting *rows = block(b, &n);

		e = find_in(rows, n, section, key);
	}
	return e;
}

bool settings_section_exists(const char *section)
{
	enum finding_id id;

	return strcmp(section, "engine") == 0 || finding_id_parse(section, &id);
}

bool settings_check_order(const struct settings *s,
			  const struct setting **low,
			  const struct setting **high)
{
	for (int b = 0; b < N_BLOCKS; b++) {
		size_t n;
		const struct setting *rows = block(b, &n);

		for (size_t i = 0; i < n; i++) {
			const struct setting *l = &rows[i], *h;

			if (l->not_above == NULL)
				continue;
			/* A section's rows are all in one block. */
			h = find_in(rows, n, l->section, l->not_above);
			if (h != NULL && settings_get(s, l) > settings_get(s, h)) {
				*low = l;
				*high = h;
				return false;
			}
		}
	}
	return true;
}

/* Every detector's setting at its row's default. */
static void detect_defaults(struct settings *s)
{
	memset(&s->detect, 0, sizeof(s->detect));
	for (int b = 1; b < N_BLOCKS; b++) {
		size_t n;
		const struct setting *rows = block(b, &n);

		for (size_t i = 0; i < n; i++) {
			const struct setting *e = &rows[i];
			enum finding_id id;

			if (e->type == SETTING_SEVERITY &&
			    e->def == SETTING_CATALOG_SEVERITY &&
			    finding_id_parse(e->section, &id))
				settings_set(s, e, finding_default_severity(id));
			else
				settings_set(s, e, e->def);
		}
	}
}

size_t settings_field_size(const struct setting *e)
{
	switch (e->type) {
	case SETTING_BOOL: return sizeof(bool);
	case SETTING_SEVERITY: return sizeof(uint8_t);
	case SETTING_COUNT: return sizeof(uint32_t);
	case SETTING_SECONDS: return sizeof(int64_t);
	case SETTING_SHARE: return sizeof(double);
	case SETTING_MIB: return sizeof(size_t);
	}
	return 0;
}

void settings_defaults(struct settings *s)
{
	analyzer_config_defaults(&s->engine);
	detect_defaults(s);
}

double settings_get(const struct settings *s, const struct setting *e)
{
	const char *p = (const char *)s + e->offset;
	int64_t ns;
	uint32_t u;
	size_t z;
	double d;

	switch (e->type) {
	case SETTING_BOOL:
		return *(const bool *)p ? 1 : 0;
	case SETTING_SEVERITY:
		return *(const uint8_t *)p;
	case SETTING_COUNT:
		memcpy(&u, p, sizeof(u));
		return u;
	case SETTING_SECONDS:
		memcpy(&ns, p, sizeof(ns));
		return (double)ns / NS_PER_SEC;
	case SETTING_SHARE:
		memcpy(&d, p, sizeof(d));
		return d;
	case SETTING_MIB:
		memcpy(&z, p, sizeof(z));
		return (double)(z >> 20);
	}
	return 0;
}

bool settings_set(struct settings *s, const struct setting *e, double v)
{
	char *p = (char *)s + e->offset;

	if (!(v >= e->min && v <= e->max))
		return false;
	switch (e->type) {
	case SETTING_BOOL:
		*(bool *)p = v != 0;
		return true;
	case SETTING_SEVERITY:
		*(uint8_t *)p = (uint8_t)v;
		return true;
	case SETTING_COUNT: {
		uint32_t u = (uint32_t)v;

		if ((double)u != v)
			return false;
		memcpy(p, &u, sizeof(u));
		return true;
	}
	case SETTING_SECONDS: {
		/* Nanoseconds are the finest a capture's time can be. */
		int64_t ns = (int64_t)llround(v * NS_PER_SEC);

		memcpy(p, &ns, sizeof(ns));
		return true;
	}
	case SETTING_SHARE: {
		/*
		 * A share is a whole number of 1e-15 (15 decimals, DBL_DIG):
		 * every such value prints back to its own digits, which the
		 * file reads to the same double.  k / 1e15 is the double
		 * nearest k * 1e-15, so v on that grid gives v back.
		 */
		double k = nearbyint(v * SHARE_STEPS);

		if (k / SHARE_STEPS != v)
			return false;
		if (v == 0)
			v = 0;          /* -0 is stored, and printed, as 0 */
		memcpy(p, &v, sizeof(v));
		return true;
	}
	case SETTING_MIB: {
		size_t z;

		if (v != floor(v))
			return false;
		z = (size_t)v << 20;
		memcpy(p, &z, sizeof(z));
		return true;
	}
	}
	return false;
}

/*
 * v in plain decimal notation, with the fewest significant digits that
 * strtod reads back to v itself ("0.00001", "0.1", "1000000000").  Never
 * "1e-05", as %g would print it: YAML 1.1 reads that as a string, so
 * another tool reading the file would not see a number.
 */
static void format_decimal(double v, char *out, size_t outlen)
{
	char sci[40], digits[24], buf[400];
	const char *p = sci;
	int prec, nd = 0, point;
	size_t n = 0;

	if (!isfinite(v)) {             /* no setting's range lets one in */
		snprintf(out, outlen, "%g", v);
		return;
	}
	/* 17 significant digits tell any two doubles apart. */
	for (prec = 1; prec <= 17; prec++) {
		snprintf(sci, sizeof(sci), "%.*e", prec - 1, v);
		if (strtod(sci, NULL) == v)
			break;
	}
	/* sci is "-D.DDDe-XX": its digits, then where the point goes. */
	if (*p == '-') {
		buf[n++] = '-';
		p++;
	}
	for (; *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	point = (int)strtol(p + 1, NULL, 10) + 1;
	if (point <= 0) {
		buf[n++] = '0';
		buf[n++] = '.';
		for (; point < 0; point++)
			buf[n++] = '0';
		memcpy(buf + n, digits, (size_t)nd);
		n += (size_t)nd;
	} else {
		for (int i = 0; i < nd || i < point; i++) {
			if (i == point)
				buf[n++] = '.';
			buf[n++] = i < nd ? digits[i] : '0';
		}
	}
	buf[n] = '\0';
	snprintf(out, outlen, "%s", buf);
}

/* Nanoseconds as seconds, exactly: "60", "0.03", "1.000000001". */
static void format_seconds(int64_t ns, char *out, size_t outlen)
{
	uint64_t m = ns < 0 ? 0 - (uint64_t)ns : (uint64_t)ns;
	uint64_t whole = m / NS_PER_SEC, frac = m % NS_PER_SEC;
	char f[16];
	int fl;

	if (frac == 0) {
		snprintf(out, outlen, "%s%llu", ns < 0 ? "-" : "",
			 (unsigned long long)whole);
		return;
	}
	fl = snprintf(f, sizeof(f), "%09llu", (unsigned long long)frac);
	while (fl > 0 && f[fl - 1] == '0')
		f[--fl] = '\0';
	snprintf(out, outlen, "%s%llu.%s", ns < 0 ? "-" : "",
		 (unsigned long long)whole, f);
}

void settings_format(const struct settings *s, const struct setting *e,
		     char *out, size_t outlen)
{
	double v = settings_get(s, e);

	switch (e->type) {
	case SETTING_BOOL:
		snprintf(out, outlen, "%s", v != 0 ? "true" : "false");
		break;
	case SETTING_SEVERITY:
		snprintf(out, outlen, "%s", finding_severity_name((int)v));
		break;
	case SETTING_COUNT:
	case SETTING_MIB:
		snprintf(out, outlen, "%.0f", v);
		break;
	case SETTING_SECONDS: {
		int64_t ns;

		/* From the nanoseconds: a double's division could round. */
		memcpy(&ns, (const char *)s + e->offset, sizeof(ns));
		format_seconds(ns, out, outlen);
		break;
	}
	case SETTING_SHARE:
		format_decimal(v, out, outlen);
		break;
	}
}

void settings_format_range(const struct setting *e, char *out,
			   size_t outlen)
{
	char lo[32], hi[32];

	format_decimal(e->min, lo, sizeof(lo));
	format_decimal(e->max, hi, sizeof(hi));
	switch (e->type) {
	case SETTING_BOOL:
		snprintf(out, outlen, "true or false");
		break;
	case SETTING_SEVERITY:
		snprintf(out, outlen, "info, warning or critical");
		break;
	case SETTING_COUNT:
	case SETTING_SHARE:
		snprintf(out, outlen, "%s to %s", lo, hi);
		break;
	case SETTING_SECONDS:
		snprintf(out, outlen, "%s to %s seconds", lo, hi);
		break;
	case SETTING_MIB:
		snprintf(out, outlen, "%s to %s MiB", lo, hi);
		break;
	}
}
