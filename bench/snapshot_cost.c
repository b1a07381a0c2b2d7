/*
 * snapshot_cost - what one live snapshot costs the engine thread.
 *
 *	snapshot_cost CAPTURE walk|counts|dashboard [SNAPSHOTS]
 *
 * Feeds CAPTURE to an engine with every part (and, with "counts", the
 * socket counts kept as flows change: ENGINE_SOCKET_COUNTS), then takes
 * SNAPSHOTS (20) snapshots of findings and sockets as tcplens live's
 * stats line does, 250 ms of capture time apart (engine_advance), and
 * prints the flows, hosts and the median and largest time of one take.
 * "dashboard" takes what the dashboard's frames take: the parts live
 * runs with a dashboard, and the page of connections its first screen
 * asks for (dash_conns_want()), sorted by bytes.
 * `make bench-snapshot` builds it into build/.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture_source.h"
#include "dashboard.h"
#include "decode.h"
#include "engine.h"
#include "settings.h"

static int64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int64_t feed(struct engine *e, const char *path)
{
	const char *paths[1] = {path};
	enum capture_error err;
	char msg[256];
	struct capture_source *src =
		capture_source_open(paths, 1, NULL, &err, msg, sizeof(msg));
	struct capture_frame frame;
	struct packet pkt;
	uint64_t n = 0;
	int64_t last = 0;

	if (src == NULL) {
		fprintf(stderr, "snapshot_cost: %s: %s\n", path, msg);
		exit(3);
	}
	while (capture_source_next(src, &frame) == 1) {
		decode_packet(&pkt, frame.link_type, frame.data, frame.cap_len,
			      frame.wire_len);
		pkt.frame_no = ++n;
		pkt.ts = frame.ts;
		pkt.has_ts = frame.has_ts;
		if (frame.has_ts)
			last = pkt_time_ns(frame.ts);
		engine_feed(e, &pkt);
	}
	capture_source_free(src);
	return last;
}

int main(int argc, char **argv)
{
	struct settings s;
	struct engine_config cfg = {.parts = ENGINE_ALL, .top_n = 10};
	struct engine_snapshot snap;
	struct dash_ui ui;
	struct dash_conn_query conns;
	struct engine_flow_query query = {.keep = dash_conn_keep,
					  .order = dash_conn_order,
					  .ctx = &conns};
	struct engine *e;
	int64_t now, *took;
	int n = argc > 3 ? atoi(argv[3]) : 20;

	bool dashboard = argc > 2 && strcmp(argv[2], "dashboard") == 0;

	if (argc < 3 || n < 1 ||
	    (strcmp(argv[2], "walk") != 0 && strcmp(argv[2], "counts") != 0 &&
	     !dashboard)) {
		fprintf(stderr, "usage: snapshot_cost CAPTURE walk|counts|dashboard [N]\n");
		return 2;
	}
	settings_defaults(&s);
	cfg.analyzer = s.engine;
	cfg.detect = s.detect;
	if (strcmp(argv[2], "counts") == 0)
		cfg.parts |= ENGINE_SOCKET_COUNTS;
	if (dashboard)
		cfg.parts |= ENGINE_SOCKET_COUNTS | ENGINE_FLOW_RTT |
			     ENGINE_HISTORY | ENGINE_FLOW_RATE;
	e = engine_new(&cfg);
	took = calloc((size_t)n, sizeof(*took));
	if (e == NULL || took == NULL)
		return 7;
	now = feed(e, argv[1]);
	engine_snapshot_init(&snap, SNAPSHOT_FINDINGS | SNAPSHOT_SOCKETS |
				    (dashboard ? SNAPSHOT_FLOWS : 0));
	dash_ui_init(&ui);
	dash_conns_want(&ui, &conns, &query.limit);
	if (dashboard)
		engine_snapshot_want_flows(&snap, &query);
	for (int i = 0; i < n; i++) {
		int64_t t0;

		now += 250000000LL;
		engine_advance(e, now);
		t0 = mono_ns();
		if (!engine_snapshot_take(e, &snap))
			return 7;
		took[i] = mono_ns() - t0;
	}
	qsort(took, (size_t)n, sizeof(*took), by_value);
	printf("%s %s: %zu flows, %zu hosts, %zu sockets listed; "
	       "%zu flow rows; snapshot median %.3f ms, max %.3f ms (%d)\n",
	       argv[1], argv[2],
	       analyzer_flow_count(engine_analyzer(e)), snap.n_hosts,
	       snap.n_sockets, snap.n_flows, (double)took[n / 2] / 1e6,
	       (double)took[n - 1] / 1e6, n);
	engine_snapshot_free(&snap);
	engine_free(e);
	free(took);
	return 0;
}
