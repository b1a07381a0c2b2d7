/*
 * JSON for `tcplens stats --format json`.  Every key is always present
 * (zero counts included) so scripts need no existence checks; the keys
 * are documented in tcplens(1) under STATS OUTPUT.
 */
#include "stats_report.h"

#include <stdio.h>

#include "json_writer.h"
#include "time_format.h"

static void write_inputs(struct json_writer *w, const struct stats_report *r)
{
	json_key(w, "inputs");
	json_begin_array(w);
	for (size_t i = 0; i < r->n_inputs; i++) {
		const struct capture_input_info *in = r->inputs[i];

		json_begin_object(w);
		json_member_string(w, "file", in->path);
		json_member_string(w, "format", capture_format_name(in->format));
		json_member_string(w, "link_type", link_type_name(in->link_type));
		json_member_uint(w, "dlt", (uint64_t)in->dlt);
		json_member_uint(w, "snaplen", (uint64_t)in->snaplen);
		json_member_uint(w, "records", in->records);
		json_member_uint(w, "frames", in->frames);
		json_member_uint(w, "bad_timestamps", in->bad_timestamps);
		json_member_uint(w, "caplen_over_wire", in->caplen_over_wire);
		json_key(w, "broken_at_frame");
		if (in->broken_at_frame != 0)
			json_uint(w, in->broken_at_frame);
		else
			json_null(w);
		json_key(w, "broken_reason");
		json_string(w, in->broken_at_frame != 0 ? in->broken_reason : NULL);
		json_end_object(w);
	}
	json_end_array(w);
}

static void write_time(struct json_writer *w, const char *key, bool have,
		       struct pkt_time ts, int decimals)
{
	char buf[TIME_FORMAT_LEN];

	json_key(w, key);
	if (!have) {
		json_null(w);
		return;
	}
	time_format_iso(buf, sizeof(buf), ts, decimals);
	json_string(w, buf);
}

static void write_counter(struct json_writer *w, const char *key,
			  const struct frame_counter *c)
{
	json_key(w, key);
	json_begin_object(w);
	json_member_uint(w, "frames", c->frames);
	json_member_uint(w, "bytes", c->bytes);
	json_end_object(w);
}

static void write_protocols(struct json_writer *w, const struct proto_stats *st)
{
	json_key(w, "link_types");
	json_begin_object(w);
	for (unsigned i = 0; i < LINK_TYPE_COUNT; i++)
		if (st->link_types[i].frames > 0)
			write_counter(w, link_type_name((enum link_type)i),
				      &st->link_types[i]);
	json_end_object(w);

	json_key(w, "protocols");
	json_begin_object(w);
	for (unsigned p = 0; p < PROTO_COUNT; p++)
		write_counter(w, proto_name((enum proto)p), &st->protos[p]);
	json_end_object(w);

	json_key(w, "vlan");
	json_begin_object(w);
	json_member_uint(w, "tagged_frames", st->protos[PROTO_VLAN].frames);
	json_member_uint(w, "stacked_frames", st->vlan_stacked);
	json_end_object(w);

	json_key(w, "ip_fragments");
	json_begin_object(w);
	json_member_uint(w, "frames", st->ip_fragments);
	json_member_uint(w, "first", st->ip_first_fragments);
	json_member_uint(w, "non_first", st->ip_fragments - st->ip_first_fragments);
	json_end_object(w);
}

static void write_unsupported(struct json_writer *w, const struct proto_stats *st)
{
	char key[16];

	json_key(w, "not_decoded");
	json_begin_object(w);
	json_member_uint(w, "link_payload", st->unsupported_link);
	json_key(w, "ethertypes");
	json_begin_object(w);
	for (unsigned i = 0; i < PROTO_STATS_MAX_ETHERTYPES; i++) {
		if (st->unsupported_ethertypes[i].frames == 0)
			continue;
		snprintf(key, sizeof(key), "0x%04x",
			 st->unsupported_ethertypes[i].ethertype);
		json_member_uint(w, key, st->unsupported_ethertypes[i].frames);
	}
	if (st->unsupported_ethertype_other > 0)
		json_member_uint(w, "other", st->unsupported_ethertype_other);
	json_end_object(w);
	json_key(w, "ip_protocols");
	json_begin_object(w);
	for (unsigned i = 0; i < 256; i++) {
		if (st->unsupported_ip_proto[i] == 0)
			continue;
		snprintf(key, sizeof(key), "%u", i);
		json_member_uint(w, key, st->unsupported_ip_proto[i]);
	}
	json_end_object(w);
	json_end_object(w);
}

static void write_errors(struct json_writer *w, const struct proto_stats *st)
{
	json_key(w, "decode_errors");
	json_begin_object(w);
	json_member_uint(w, "snaplen_cut_frames", st->snaplen_cut);
	for (unsigned p = 0; p < PROTO_COUNT; p++) {
		json_key(w, proto_name((enum proto)p));
		json_begin_object(w);
		json_member_uint(w, "truncated", st->truncated[p]);
		json_member_uint(w, "malformed", st->malformed[p]);
		json_end_object(w);
	}
	json_end_object(w);

	json_key(w, "anomalies");
	json_begin_object(w);
	for (unsigned a = 0; a < PKT_ANOM_COUNT; a++)
		json_member_uint(w, packet_anomaly_key((enum packet_anomaly)a),
				 st->anomalies[a]);
	json_end_object(w);
	json_member_uint(w, "frames_with_anomalies_dropped",
			 st->frames_anomalies_dropped);
}

static void write_cksum_counts(struct json_writer *w, const uint64_t *c)
{
	json_begin_object(w);
	json_member_uint(w, "good", c[CKSUM_GOOD]);
	json_member_uint(w, "bad", c[CKSUM_BAD]);
	json_member_uint(w, "bad_offloaded", c[CKSUM_BAD_OFFLOADED]);
	json_member_uint(w, "unverifiable", c[CKSUM_UNVERIFIABLE]);
	json_member_uint(w, "absent", c[CKSUM_ABSENT]);
	json_end_object(w);
}

static void write_reassembly(struct json_writer *w, const struct stats_report *r)
{
	static const enum proto transports[] = {PROTO_TCP, PROTO_UDP,
						PROTO_ICMP, PROTO_ICMPV6};
	static const enum cksum_proto ctransports[] = {
		CKSUM_PROTO_TCP, CKSUM_PROTO_UDP, CKSUM_PROTO_ICMP,
		CKSUM_PROTO_ICMPV6};
	const struct defrag_stats *d = r->defrag;
	const struct proto_stats *st = r->stats;

	json_key(w, "ip_reassembly");
	json_begin_object(w);
	json_member_uint(w, "fragments", d->fragments);
	json_member_uint(w, "reassembled", d->reassembled);
	json_member_uint(w, "incomplete", d->incomplete);
	json_member_uint(w, "incomplete_missing_bytes", d->incomplete_missing_bytes);
	json_member_uint(w, "dropped_memory", d->dropped_memory);
	json_member_uint(w, "not_captured", d->not_captured);
	json_member_uint(w, "duplicates", d->duplicates);
	json_member_uint(w, "overlaps_identical", d->overlaps_identical);
	json_member_uint(w, "overlaps_conflicting", d->overlaps_conflicting);
	json_member_uint(w, "discarded_overlap", d->discarded_overlap);
	json_member_uint(w, "oversize", d->oversize);
	json_member_uint(w, "inconsistent_length", d->inconsistent_length);
	json_member_uint(w, "tiny_first", d->tiny_first);
	json_member_uint(w, "memory_peak_bytes", d->memory_peak);
	json_key(w, "overlap_examples");
	json_begin_array(w);
	for (uint32_t i = 0; i < d->n_overlap_examples; i++) {
		const struct defrag_overlap *o = &d->overlap_examples[i];

		json_begin_object(w);
		json_member_uint(w, "frame", o->frame_no);
		json_member_uint(w, "first_byte", o->start);
		json_member_uint(w, "last_byte", o->end - 1);
		json_member_bool(w, "conflicting", o->conflicting);
		json_member_bool(w, "discarded", o->discarded);
		json_end_object(w);
	}
	json_end_array(w);
	json_key(w, "transports");
	json_begin_object(w);
	for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]); i++) {
		json_key(w, proto_name(transports[i]));
		json_begin_object(w);
		json_member_uint(w, "datagrams", st->reassembled[transports[i]].frames);
		json_member_uint(w, "bytes", st->reassembled[transports[i]].bytes);
		json_member_uint(w, "payload_bytes",
				 st->reassembled_payload[transports[i]]);
		json_key(w, "checksums");
		write_cksum_counts(w, st->reassembled_cksum[ctransports[i]]);
		json_end_object(w);
	}
	json_end_object(w);
	json_end_object(w);
}

static void write_checksums(struct json_writer *w, const struct proto_stats *st)
{
	json_key(w, "checksums");
	json_begin_object(w);
	json_member_bool(w, "verified", st->verify_checksums);
	for (unsigned p = 0; p < CKSUM_PROTO_COUNT; p++) {
		json_key(w, cksum_proto_name((enum cksum_proto)p));
		write_cksum_counts(w, st->cksum[p]);
	}
	json_end_object(w);
}

void stats_report_json(FILE *out, const struct stats_report *r)
{
	const struct proto_stats *st = r->stats;
	struct json_writer w;

	json_writer_init(&w, out, true);
	json_begin_object(&w);
	json_member_string(&w, "tcplens_stats_version", "1");
	write_inputs(&w, r);
	json_key(&w, "filter");
	json_string(&w, r->filter);
	json_member_uint(&w, "frames", st->frames);
	json_member_uint(&w, "bytes_wire", st->bytes_wire);
	json_member_uint(&w, "bytes_captured", st->bytes_captured);
	write_time(&w, "first_ts", st->have_ts, st->first_ts, r->ts_decimals);
	write_time(&w, "last_ts", st->have_ts, st->last_ts, r->ts_decimals);
	json_key(&w, "duration_s");
	json_decimal(&w, proto_stats_duration_ns(st) /
			     (r->ts_decimals == 6 ? 1000 : 1), r->ts_decimals);
	json_member_double(&w, "avg_pps", proto_stats_pps(st), 3);
	json_member_double(&w, "avg_bps", proto_stats_bps(st), 3);
	json_member_uint(&w, "out_of_order_timestamps", st->out_of_order_ts);
	json_member_uint(&w, "frames_without_timestamp", st->frames_without_ts);
	write_protocols(&w, st);
	write_unsupported(&w, st);
	write_errors(&w, st);
	write_checksums(&w, st);
	write_reassembly(&w, r);
	json_end_object(&w);
	json_finish(&w);
}
