/*
 * JSON for `tcplens stats --format json`, written through doc_writer
 * as every structured output is.  Every key is always present (zero
 * counts included) so scripts need no existence checks; the keys are
 * documented in tcplens-stats(1) under OUTPUT.
 */
#include "stats_report.h"

#include <stdio.h>

#include "doc_writer.h"
#include "quality_report.h"
#include "time_format.h"

static void write_inputs(struct doc_writer *w, const struct stats_report *r)
{
	doc_key(w, "inputs");
	doc_begin_array(w);
	for (size_t i = 0; i < r->n_inputs; i++) {
		const struct capture_input_info *in = r->inputs[i];

		doc_begin_object(w);
		doc_member_string(w, "file", in->path);
		doc_member_string(w, "format", capture_format_name(in->format));
		doc_member_string(w, "link_type", link_type_name(in->link_type));
		doc_member_uint(w, "dlt", (uint64_t)in->dlt);
		doc_member_uint(w, "snaplen", (uint64_t)in->snaplen);
		doc_member_uint(w, "records", in->records);
		doc_member_uint(w, "frames", in->frames);
		doc_member_uint(w, "bad_timestamps", in->bad_timestamps);
		doc_member_uint(w, "caplen_over_wire", in->caplen_over_wire);
		doc_key(w, "broken_at_frame");
		if (in->broken_at_frame != 0)
			doc_uint(w, in->broken_at_frame);
		else
			doc_null(w);
		doc_key(w, "broken_reason");
		doc_string(w, in->broken_at_frame != 0 ? in->broken_reason : NULL);
		doc_end_object(w);
	}
	doc_end_array(w);
}

static void write_time(struct doc_writer *w, const char *key, bool have,
		       struct pkt_time ts, int decimals)
{
	char buf[TIME_FORMAT_LEN];

	doc_key(w, key);
	if (!have) {
		doc_null(w);
		return;
	}
	time_format_iso(buf, sizeof(buf), ts, decimals);
	doc_string(w, buf);
}

static void write_counter(struct doc_writer *w, const char *key,
			  const struct frame_counter *c)
{
	doc_key(w, key);
	doc_begin_object(w);
	doc_member_uint(w, "frames", c->frames);
	doc_member_uint(w, "bytes", c->bytes);
	doc_end_object(w);
}

static void write_protocols(struct doc_writer *w, const struct proto_stats *st)
{
	doc_key(w, "link_types");
	doc_begin_object(w);
	for (unsigned i = 0; i < LINK_TYPE_COUNT; i++)
		if (st->link_types[i].frames > 0)
			write_counter(w, link_type_name((enum link_type)i),
				      &st->link_types[i]);
	doc_end_object(w);

	doc_key(w, "protocols");
	doc_begin_object(w);
	for (unsigned p = 0; p < PROTO_COUNT; p++)
		write_counter(w, proto_name((enum proto)p), &st->protos[p]);
	doc_end_object(w);

	doc_key(w, "vlan");
	doc_begin_object(w);
	doc_member_uint(w, "tagged_frames", st->protos[PROTO_VLAN].frames);
	doc_member_uint(w, "stacked_frames", st->vlan_stacked);
	doc_end_object(w);

	doc_key(w, "ip_fragments");
	doc_begin_object(w);
	doc_member_uint(w, "frames", st->ip_fragments);
	doc_member_uint(w, "first", st->ip_first_fragments);
	doc_member_uint(w, "non_first", st->ip_fragments - st->ip_first_fragments);
	doc_end_object(w);
}

static void write_unsupported(struct doc_writer *w, const struct proto_stats *st)
{
	char key[16];

	doc_key(w, "not_decoded");
	doc_begin_object(w);
	doc_member_uint(w, "link_payload", st->unsupported_link);
	doc_key(w, "ethertypes");
	doc_begin_object(w);
	for (unsigned i = 0; i < PROTO_STATS_MAX_ETHERTYPES; i++) {
		if (st->unsupported_ethertypes[i].frames == 0)
			continue;
		snprintf(key, sizeof(key), "0x%04x",
			 st->unsupported_ethertypes[i].ethertype);
		doc_member_uint(w, key, st->unsupported_ethertypes[i].frames);
	}
	if (st->unsupported_ethertype_other > 0)
		doc_member_uint(w, "other", st->unsupported_ethertype_other);
	doc_end_object(w);
	doc_key(w, "ip_protocols");
	doc_begin_object(w);
	for (unsigned i = 0; i < 256; i++) {
		if (st->unsupported_ip_proto[i] == 0)
			continue;
		snprintf(key, sizeof(key), "%u", i);
		doc_member_uint(w, key, st->unsupported_ip_proto[i]);
	}
	doc_end_object(w);
	doc_key(w, "payload_of");
	doc_begin_object(w);
	for (unsigned p = 0; p < PROTO_COUNT; p++)
		if (st->unsupported_payload[p] > 0)
			doc_member_uint(w, proto_name((enum proto)p),
					st->unsupported_payload[p]);
	doc_end_object(w);
	doc_key(w, "wlan");
	doc_begin_object(w);
	for (unsigned i = 0; i < WLAN_SKIP_COUNT; i++)
		doc_member_uint(w, wlan_skip_name((enum wlan_skip)i),
				st->wlan_skipped[i]);
	doc_end_object(w);
	doc_end_object(w);
}

static void write_errors(struct doc_writer *w, const struct proto_stats *st)
{
	doc_key(w, "decode_errors");
	doc_begin_object(w);
	doc_member_uint(w, "snaplen_cut_frames", st->snaplen_cut);
	for (unsigned p = 0; p < PROTO_COUNT; p++) {
		doc_key(w, proto_name((enum proto)p));
		doc_begin_object(w);
		doc_member_uint(w, "truncated", st->truncated[p]);
		doc_member_uint(w, "malformed", st->malformed[p]);
		doc_end_object(w);
	}
	doc_end_object(w);

	doc_key(w, "anomalies");
	doc_begin_object(w);
	for (unsigned a = 0; a < PKT_ANOM_COUNT; a++)
		doc_member_uint(w, packet_anomaly_key((enum packet_anomaly)a),
				 st->anomalies[a]);
	doc_end_object(w);
	doc_member_uint(w, "frames_with_anomalies_dropped",
			 st->frames_anomalies_dropped);
}

static void write_cksum_counts(struct doc_writer *w, const uint64_t *c)
{
	doc_begin_object(w);
	doc_member_uint(w, "good", c[CKSUM_GOOD]);
	doc_member_uint(w, "bad", c[CKSUM_BAD]);
	doc_member_uint(w, "bad_offloaded", c[CKSUM_BAD_OFFLOADED]);
	doc_member_uint(w, "unverifiable", c[CKSUM_UNVERIFIABLE]);
	doc_member_uint(w, "absent", c[CKSUM_ABSENT]);
	doc_end_object(w);
}

static void write_reassembly(struct doc_writer *w, const struct stats_report *r)
{
	static const enum proto transports[] = {PROTO_TCP, PROTO_UDP,
						PROTO_ICMP, PROTO_ICMPV6};
	static const enum cksum_proto ctransports[] = {
		CKSUM_PROTO_TCP, CKSUM_PROTO_UDP, CKSUM_PROTO_ICMP,
		CKSUM_PROTO_ICMPV6};
	const struct defrag_stats *d = r->defrag;
	const struct proto_stats *st = r->stats;

	doc_key(w, "ip_reassembly");
	doc_begin_object(w);
	doc_member_uint(w, "fragments", d->fragments);
	doc_member_uint(w, "reassembled", d->reassembled);
	doc_member_uint(w, "incomplete", d->incomplete);
	doc_member_uint(w, "incomplete_missing_bytes", d->incomplete_missing_bytes);
	doc_member_uint(w, "incomplete_at_end", d->incomplete_at_end);
	doc_member_uint(w, "dropped_memory", d->dropped_memory);
	doc_member_uint(w, "not_captured", d->not_captured);
	doc_member_uint(w, "duplicates", d->duplicates);
	doc_member_uint(w, "overlaps_identical", d->overlaps_identical);
	doc_member_uint(w, "overlaps_conflicting", d->overlaps_conflicting);
	doc_member_uint(w, "discarded_overlap", d->discarded_overlap);
	doc_member_uint(w, "oversize", d->oversize);
	doc_member_uint(w, "inconsistent_length", d->inconsistent_length);
	doc_member_uint(w, "tiny_first", d->tiny_first);
	doc_member_uint(w, "memory_peak_bytes", d->memory_peak);
	doc_key(w, "overlap_examples");
	doc_begin_array(w);
	for (uint32_t i = 0; i < d->n_overlap_examples; i++) {
		const struct defrag_overlap *o = &d->overlap_examples[i];

		doc_begin_object(w);
		doc_member_uint(w, "frame", o->frame_no);
		doc_member_uint(w, "first_byte", o->start);
		doc_member_uint(w, "last_byte", o->end - 1);
		doc_member_bool(w, "conflicting", o->conflicting);
		doc_member_bool(w, "discarded", o->discarded);
		doc_end_object(w);
	}
	doc_end_array(w);
	doc_key(w, "transports");
	doc_begin_object(w);
	for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]); i++) {
		doc_key(w, proto_name(transports[i]));
		doc_begin_object(w);
		doc_member_uint(w, "datagrams", st->reassembled[transports[i]].frames);
		doc_member_uint(w, "bytes", st->reassembled[transports[i]].bytes);
		doc_member_uint(w, "payload_bytes",
				 st->reassembled_payload[transports[i]]);
		doc_key(w, "checksums");
		write_cksum_counts(w, st->reassembled_cksum[ctransports[i]]);
		doc_end_object(w);
	}
	doc_end_object(w);
	doc_end_object(w);
}

static void write_checksums(struct doc_writer *w, const struct proto_stats *st)
{
	doc_key(w, "checksums");
	doc_begin_object(w);
	doc_member_bool(w, "verified", st->verify_checksums);
	for (unsigned p = 0; p < CKSUM_PROTO_COUNT; p++) {
		doc_key(w, cksum_proto_name((enum cksum_proto)p));
		write_cksum_counts(w, st->cksum[p]);
	}
	doc_end_object(w);
}

void stats_report_json(FILE *out, const struct stats_report *r)
{
	const struct proto_stats *st = r->stats;
	struct doc_writer w;

	doc_writer_init(&w, out, DOC_JSON);
	doc_begin_object(&w);
	doc_member_string(&w, "tcplens_stats_version", "1");
	write_inputs(&w, r);
	doc_key(&w, "filter");
	doc_string(&w, r->filter);
	doc_member_uint(&w, "frames", st->frames);
	doc_member_uint(&w, "bytes_wire", st->bytes_wire);
	doc_member_uint(&w, "bytes_captured", st->bytes_captured);
	write_time(&w, "first_ts", st->have_ts, st->first_ts, r->ts_decimals);
	write_time(&w, "last_ts", st->have_ts, st->last_ts, r->ts_decimals);
	doc_key(&w, "duration_s");
	doc_decimal(&w, proto_stats_duration_ns(st) /
			     (r->ts_decimals == 6 ? 1000 : 1), r->ts_decimals);
	doc_member_double(&w, "avg_pps", proto_stats_pps(st), 3);
	doc_member_double(&w, "avg_bps", proto_stats_bps(st), 3);
	doc_member_uint(&w, "out_of_order_timestamps", st->out_of_order_ts);
	doc_member_uint(&w, "frames_without_timestamp", st->frames_without_ts);
	quality_render_doc(&w, r->quality, false, NULL);
	write_protocols(&w, st);
	write_unsupported(&w, st);
	write_errors(&w, st);
	write_checksums(&w, st);
	write_reassembly(&w, r);
	doc_end_object(&w);
	doc_writer_finish(&w);
}
