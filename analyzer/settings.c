#include "settings.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_SEC 1000000000LL
/* A share's finest step is 1 / SHARE_STEPS: 15 decimals. */
#define SHARE_STEPS 1e15
#define ENGINE(field) offsetof(struct settings, engine.field)
#define DETECT(field) offsetof(struct settings, detect.field)

/* A severity row's default: the one the finding catalog gives it. */
#define SETTING_CATALOG_SEVERITY (-1)

/* Each detector's enabled and severity entries. */
#define SWITCHES(name, ID)                                                  \
	{name, "enabled", SETTING_BOOL, 0, 1,                               \
	 DETECT(det[ID].enabled), "run this detector", 1},                  \
	{name, "severity", SETTING_SEVERITY, 0, SEVERITY_CRITICAL,          \
	 DETECT(det[ID].severity), "severity of its findings",              \
	 SETTING_CATALOG_SEVERITY}

static const struct setting table[] = {
	{"engine", "time_wait", SETTING_SECONDS, 1, 86400, ENGINE(tcp.time_wait_ns),
	 "TIME_WAIT length, 2MSL (Linux: a fixed 60 s)", 60},
	{"engine", "tcp_timeout", SETTING_SECONDS, 1, 604800, ENGINE(tcp_idle_ns),
	 "idle timeout of half-open and closing TCP connections", 300},
	{"engine", "udp_timeout", SETTING_SECONDS, 1, 604800, ENGINE(udp_idle_ns),
	 "idle timeout of UDP flows", 60},
	{"engine", "icmp_timeout", SETTING_SECONDS, 1, 604800, ENGINE(icmp_idle_ns),
	 "idle timeout of ICMP flows", 60},
	{"engine", "frag_timeout_ipv4", SETTING_SECONDS, 1, 86400,
	 ENGINE(defrag.timeout_v4_ns),
	 "drop unfinished IPv4 datagrams after this long (Linux ipfrag_time: 30)", 30},
	{"engine", "frag_timeout_ipv6", SETTING_SECONDS, 1, 86400,
	 ENGINE(defrag.timeout_v6_ns),
	 "drop unfinished IPv6 datagrams after this long (Linux: 60)", 60},
	{"engine", "frag_memory", SETTING_MIB, 1, 65536, ENGINE(defrag.memory_cap),
	 "MiB of fragments buffered at most", 64},
	{"engine", "max_flows", SETTING_COUNT, 1, 100000000, ENGINE(max_flows),
	 "flows tracked at once; the least recently active is evicted", 1000000},

	SWITCHES("syn_flood", FINDING_SYN_FLOOD),
	{"syn_flood", "window", SETTING_SECONDS, 1, 3600,
	 DETECT(syn_flood.window_ns), "sliding window the attempts are counted in", 10},
	{"syn_flood", "min_half_open", SETTING_COUNT, 1, 1e9,
	 DETECT(syn_flood.min_half_open),
	 "half-open attempts toward one listener within the window", 100},
	{"syn_flood", "min_sources", SETTING_COUNT, 1, 1e9,
	 DETECT(syn_flood.min_sources),
	 "or distinct sources, when the listener answered none of them", 10},

	SWITCHES("syn_unanswered", FINDING_SYN_UNANSWERED),
	{"syn_unanswered", "min_retries", SETTING_COUNT, 1, 100,
	 DETECT(syn_unanswered.min_retries),
	 "SYN retransmissions without any answer before a connection counts", 2},

	SWITCHES("connection_refused", FINDING_CONNECTION_REFUSED),
	{"connection_refused", "min_attempts", SETTING_COUNT, 1, 1e9,
	 DETECT(connection_refused.min_attempts),
	 "refused attempts toward one host:port", 1},

	SWITCHES("close_wait_leak", FINDING_CLOSE_WAIT_LEAK),
	{"close_wait_leak", "min_age", SETTING_SECONDS, 0.001, 86400,
	 DETECT(close_wait_leak.min_age_ns),
	 "time in CLOSE_WAIT (or until the capture ends) that counts as a leak", 1},
	{"close_wait_leak", "min_connections", SETTING_COUNT, 1, 1e9,
	 DETECT(close_wait_leak.min_connections),
	 "leaking connections on one host:port", 1},

	SWITCHES("time_wait_accumulation", FINDING_TIME_WAIT_ACCUMULATION),
	{"time_wait_accumulation", "min_connections", SETTING_COUNT, 1, 1e9,
	 DETECT(time_wait_accumulation.min_connections),
	 "TIME_WAIT connections held at once by one host", 20},
	{"time_wait_accumulation", "port_range_low", SETTING_COUNT, 1, 65535,
	 DETECT(time_wait_accumulation.port_range_low),
	 "first ephemeral port (net.ipv4.ip_local_port_range)", 32768},
	{"time_wait_accumulation", "port_range_high", SETTING_COUNT, 1, 65535,
	 DETECT(time_wait_accumulation.port_range_high),
	 "last ephemeral port", 60999},
	{"time_wait_accumulation", "port_share", SETTING_SHARE, 0.001, 1,
	 DETECT(time_wait_accumulation.port_share),
	 "share of the port range held toward one destination: warning", 0.5},

	SWITCHES("rst_storm", FINDING_RST_STORM),
	{"rst_storm", "window", SETTING_SECONDS, 1, 3600,
	 DETECT(rst_storm.window_ns), "sliding window the RSTs are counted in", 10},
	{"rst_storm", "min_rsts", SETTING_COUNT, 1, 1e9, DETECT(rst_storm.min_rsts),
	 "connections reset (first RST) on one server host:port within the window", 100},

	SWITCHES("abortive_close", FINDING_ABORTIVE_CLOSE),
	{"abortive_close", "min_count", SETTING_COUNT, 1, 1e9,
	 DETECT(abortive_close.min_count),
	 "RSTs of one cause from one host or host:port", 1},

	SWITCHES("retransmit_burst", FINDING_RETRANSMIT_BURST),
	{"retransmit_burst", "window", SETTING_SECONDS, 1, 3600,
	 DETECT(retransmit_burst.window_ns),
	 "sliding window the retransmissions are counted in", 10},
	{"retransmit_burst", "min_retransmissions", SETTING_COUNT, 1, 1e9,
	 DETECT(retransmit_burst.min_retransmissions),
	 "retransmitted segments from one sender toward one host:port in the window", 10},
	{"retransmit_burst", "min_share", SETTING_SHARE, 0, 1,
	 DETECT(retransmit_burst.min_share),
	 "and at least this share of a connection's bytes resent in the window", 0.01},
	{"retransmit_burst", "dead_peer_retries", SETTING_COUNT, 1, 100,
	 DETECT(retransmit_burst.dead_peer_retries),
	 "timeout retransmissions in a row with no answer: a dead peer", 3},
	{"retransmit_burst", "black_hole_size", SETTING_COUNT, 68, 65535,
	 DETECT(retransmit_burst.black_hole_size),
	 "payload bytes from which unanswered retransmissions suggest an MTU black hole", 1200},

	SWITCHES("zero_window_stall", FINDING_ZERO_WINDOW_STALL),
	{"zero_window_stall", "min_duration", SETTING_SECONDS, 0.001, 86400,
	 DETECT(zero_window_stall.min_duration_ns),
	 "time a receiver advertises a zero window", 1},

	SWITCHES("half_open", FINDING_HALF_OPEN),
	{"half_open", "min_probes", SETTING_COUNT, 1, 100,
	 DETECT(half_open.min_probes),
	 "keep-alive probes in a row with no answer", 3},

	SWITCHES("port_scan", FINDING_PORT_SCAN),
	{"port_scan", "window", SETTING_SECONDS, 1, 86400,
	 DETECT(port_scan.window_ns), "sliding window the targets are counted in", 60},
	{"port_scan", "min_targets", SETTING_COUNT, 2, 1e9,
	 DETECT(port_scan.min_targets),
	 "distinct host:ports one source tries within the window", 50},
	{"port_scan", "min_failed_share", SETTING_SHARE, 0, 1,
	 DETECT(port_scan.min_failed_share),
	 "share of those attempts refused or unanswered", 0.8},

	SWITCHES("icmp_error", FINDING_ICMP_ERROR),
	{"icmp_error", "min_count", SETTING_COUNT, 1, 1e9,
	 DETECT(icmp_error.min_count),
	 "ICMP errors of one kind about one host:port", 1},

	SWITCHES("fragmentation", FINDING_FRAGMENTATION),
	{"fragmentation", "min_datagrams", SETTING_COUNT, 1, 1e9,
	 DETECT(fragmentation.min_datagrams),
	 "fragmented datagrams to or from one host", 1},

	SWITCHES("nagle_delayed_ack", FINDING_NAGLE_DELAYED_ACK),
	{"nagle_delayed_ack", "min_delay", SETTING_SECONDS, 0.001, 10,
	 DETECT(nagle_delayed_ack.min_delay_ns),
	 "shortest ACK delay that counts (Linux delays ACKs 40 ms at least)", 0.03},
	{"nagle_delayed_ack", "max_delay", SETTING_SECONDS, 0.001, 10,
	 DETECT(nagle_delayed_ack.max_delay_ns),
	 "longest ACK delay that counts (Linux: 200 ms, others up to 500 ms)", 0.6},
	{"nagle_delayed_ack", "min_events", SETTING_COUNT, 1, 1e9,
	 DETECT(nagle_delayed_ack.min_events),
	 "segments held back until a delayed ACK, toward one host:port", 3},

	SWITCHES("checksum_errors", FINDING_CHECKSUM_ERRORS),
	{"checksum_errors", "verify", SETTING_BOOL, 0, 1,
	 DETECT(checksum_errors.verify),
	 "report bad checksums from a single host too (otherwise only once two hosts or more have them: one alone is most likely its own checksum offload)", 0},
	{"checksum_errors", "min_count", SETTING_COUNT, 1, 1e9,
	 DETECT(checksum_errors.min_count),
	 "bad checksums from one host", 1},

	SWITCHES("short_connection_churn", FINDING_SHORT_CONNECTION_CHURN),
	{"short_connection_churn", "window", SETTING_SECONDS, 1, 86400,
	 DETECT(short_connection_churn.window_ns),
	 "sliding window the connections are counted in", 60},
	{"short_connection_churn", "min_connections", SETTING_COUNT, 2, 1e9,
	 DETECT(short_connection_churn.min_connections),
	 "short connections from one host to one host:port within the window", 100},
	{"short_connection_churn", "max_duration", SETTING_SECONDS, 0.001, 3600,
	 DETECT(short_connection_churn.max_duration_ns),
	 "a connection this short (handshake to close) counts", 1},
};

/* Pairs whose first value may not exceed the second. */
static const struct {
	const char *section, *low, *high;
} ordered[] = {
	{"time_wait_accumulation", "port_range_low", "port_range_high"},
	{"nagle_delayed_ack", "min_delay", "max_delay"},
};

size_t settings_count(void)
{
	return sizeof(table) / sizeof(table[0]);
}

const struct setting *settings_at(size_t i)
{
	return i < settings_count() ? &table[i] : NULL;
}

size_t settings_index(const struct setting *e)
{
	return (size_t)(e - table);
}

const struct setting *settings_find(const char *section, const char *key)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].section, section) == 0 &&
		    strcmp(table[i].key, key) == 0)
			return &table[i];
	return NULL;
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
	for (size_t i = 0; i < sizeof(ordered) / sizeof(ordered[0]); i++) {
		const struct setting *l = settings_find(ordered[i].section,
							ordered[i].low);
		const struct setting *h = settings_find(ordered[i].section,
							ordered[i].high);

		if (settings_get(s, l) > settings_get(s, h)) {
			*low = l;
			*high = h;
			return false;
		}
	}
	return true;
}

/* Every detector's setting at its row's default. */
static void detect_defaults(struct settings *s)
{
	memset(&s->detect, 0, sizeof(s->detect));
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct setting *e = &table[i];
		enum finding_id id;

		if (strcmp(e->section, "engine") == 0)
			continue;
		if (e->type == SETTING_SEVERITY && e->def < 0 &&
		    finding_id_parse(e->section, &id))
			settings_set(s, e, finding_default_severity(id));
		else
			settings_set(s, e, e->def);
	}
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
