/*
 * libFuzzer entry point over the whole decode path, the statistics and
 * the analysis engine (flows, TCP tracking, output records, detectors
 * and their findings) it feeds.  One input holds several packets, so
 * later stateful layers (fragment reassembly, flows, detector groups)
 * are fuzzed across packets too:
 *
 *   input  := packet*
 *   packet := link_type:u8 cap_len:u16be wire:u8 bytes[cap_len]
 *
 * wire below 0x80 is added to cap_len to give the wire length (a snaplen
 * cut); from 0x80 its low 7 bits are taken off instead, since libpcap
 * does deliver records captured longer than they were on the wire.
 *
 * Each packet is copied into an exact-size heap buffer, so ASan reports
 * any read past the captured end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "decode.h"
#include "detect.h"
#include "settings.h"
#include "flow_record.h"
#include "ip_defrag.h"
#include "proto_stats.h"

/*
 * Every flow is turned into its output record and every field read; the
 * detectors see everything the engine reports.
 */
static void fuzz_on_flow_end(void *ctx, const struct flow *f,
			     struct flow_sink_area area)
{
	struct flow_record r;
	struct field_value v;

	flow_record_from_flow(&r, f, NULL);
	for (size_t i = 0; i < flow_record_field_count(); i++)
		flow_record_field(&r, i, &v);
	detectors_on_flow_end(ctx, f, area);
}

/* Low thresholds, so every detector fires on small inputs. */
static struct detectors *fuzz_detectors(const struct analyzer_config *engine)
{
	static const struct {
		const char *section, *key;
		double v;
	} low[] = {
		{"syn_flood", "min_half_open", 2},
		{"time_wait_accumulation", "min_connections", 1},
		{"rst_storm", "min_rsts", 2},
		{"retransmit_burst", "min_retransmissions", 1},
		{"retransmit_burst", "min_share", 0},
		{"port_scan", "min_targets", 2},
		{"nagle_delayed_ack", "min_events", 1},
		{"short_connection_churn", "min_connections", 2},
		{"checksum_errors", "verify", 1},
	};
	struct settings s;

	settings_defaults(&s);
	for (size_t i = 0; i < sizeof(low) / sizeof(low[0]); i++) {
		const struct setting *e = settings_find(low[i].section,
							low[i].key);

		if (e == NULL || !settings_set(&s, e, low[i].v))
			abort();        /* the harness is out of date */
	}
	return detectors_new(&s.detect, engine, NULL);
}

/* The engine, small enough that eviction and every timer are reached. */
static struct analyzer *fuzz_analyzer(struct detectors **det)
{
	static struct analyzer *a;
	static struct detectors *d;
	struct analyzer_config cfg;
	struct analyzer_sink sink;

	if (a != NULL) {
		*det = d;
		return a;
	}
	analyzer_config_defaults(&cfg);
	cfg.max_flows = 16;
	cfg.tcp.time_wait_ns = 3000000000LL;
	cfg.tcp_idle_ns = 5000000000LL;
	cfg.udp_idle_ns = 2000000000LL;
	cfg.icmp_idle_ns = 2000000000LL;
	cfg.defrag.memory_cap = 64 << 10;
	d = fuzz_detectors(&cfg);
	if (d == NULL)
		return NULL;
	sink = detectors_sink(d);
	sink.on_flow_end = fuzz_on_flow_end;
	a = analyzer_new(&cfg, &sink);
	*det = d;
	return a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct proto_stats st;
	static struct defrag *defrag;
	static struct packet whole;
	struct packet pkt;
	struct detectors *det = NULL;
	struct analyzer *an = fuzz_analyzer(&det);
	size_t off = 0;

	proto_stats_init(&st, (size & 1) != 0);
	if (defrag == NULL) {
		struct defrag_config cfg;

		/* Small, so the memory cap and eviction are reached too. */
		defrag_config_defaults(&cfg);
		cfg.memory_cap = 64 << 10;
		defrag = defrag_new(&cfg);
		if (defrag == NULL)
			return 0;
	}
	while (size - off >= 4) {
		enum link_type lt = (enum link_type)(data[off] % LINK_TYPE_COUNT);
		size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
		uint8_t wire = data[off + 3];
		uint32_t wire_len;
		uint8_t *copy;

		off += 4;
		if (len > size - off)
			len = size - off;
		copy = malloc(len > 0 ? len : 1);
		if (copy == NULL)
			return 0;
		if (len > 0)
			memcpy(copy, data + off, len);
		if (wire < 0x80)
			wire_len = (uint32_t)len + wire;
		else
			wire_len = (uint32_t)len > (wire & 0x7fu)
					   ? (uint32_t)len - (wire & 0x7fu) : 0;
		decode_packet(&pkt, lt, copy, (uint32_t)len, wire_len);
		pkt.frame_no++;
		pkt.ts.sec = (int64_t)off;
		pkt.ts.nsec = (uint32_t)wire * 3906250u; /* up to ~1 s */
		pkt.has_ts = (len & 1) == 0;
		proto_stats_add(&st, &pkt);
		if (an != NULL)
			analyzer_feed(an, &pkt);
		/* Fragments of several packets in one input are reassembled. */
		if (packet_has(&pkt, PROTO_IPV4) || packet_has(&pkt, PROTO_IPV6))
			if (pkt.ip.is_fragment &&
			    defrag_add(defrag, &pkt, &whole) == DEFRAG_COMPLETE)
				proto_stats_add(&st, &whole);
		free(copy);
		off += len;
	}
	defrag_flush(defrag, 0);
	if (an != NULL) {
		size_t n;

		analyzer_finish(an);
		detectors_finish(det, analyzer_get_stats(an),
				 analyzer_defrag_stats(an));
		detectors_findings(det, &n);
	}
	return 0;
}
