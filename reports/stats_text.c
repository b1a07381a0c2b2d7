/*
 * Text for `tcplens stats`: aligned for a terminal, empty sections left
 * out.  Programs should read --format json instead.
 */
#include "stats_report.h"

#include <inttypes.h>
#include <stdio.h>

#include "quality_report.h"
#include "time_format.h"

static double percent(uint64_t part, uint64_t whole)
{
	return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

static void write_rate(FILE *out, double bps)
{
	static const char *const units[] = {"bit/s", "kbit/s", "Mbit/s",
					    "Gbit/s"};
	unsigned u = 0;

	while (bps >= 1000.0 && u < 3) {
		bps /= 1000.0;
		u++;
	}
	fprintf(out, "%.2f %s", bps, units[u]);
}

static void write_inputs(FILE *out, const struct stats_report *r)
{
	for (size_t i = 0; i < r->n_inputs; i++) {
		const struct capture_input_info *in = r->inputs[i];

		fprintf(out, "  %-15s%s (%s, %s, %" PRIu64 " frames)\n",
			i == 0 ? "input" : "", in->path,
			capture_format_name(in->format),
			link_type_name(in->link_type), in->frames);
		if (in->frames != in->records)
			fprintf(out, "  %-15s  %" PRIu64 " of %" PRIu64
				" records matched the filter\n", "", in->frames,
				in->records);
		if (in->bad_timestamps > 0)
			fprintf(out, "  %-15s  %" PRIu64 " records had a corrupt time"
				" (a fraction of 1 s or more, or past 2106): not used\n", "",
				in->bad_timestamps);
		if (in->caplen_over_wire > 0)
			fprintf(out, "  %-15s  %" PRIu64 " records captured longer than"
				" their wire length (wire length raised)\n", "",
				in->caplen_over_wire);
		if (in->broken_at_frame != 0)
			fprintf(out, "  %-15s  breaks off in packet %" PRIu64 ": %s\n",
				"", in->broken_at_frame, in->broken_reason);
	}
	if (r->filter != NULL)
		fprintf(out, "  %-15s%s\n", "filter", r->filter);
}

static void write_duration(FILE *out, int64_t ns, int decimals)
{
	int64_t scale = decimals == 6 ? 1000000 : 1000000000;
	int64_t units = decimals == 6 ? ns / 1000 : ns;

	fprintf(out, "  %-15s%" PRId64 ".%0*" PRId64 " s\n", "duration",
		units / scale, decimals, units % scale);
}

static void write_summary(FILE *out, const struct stats_report *r)
{
	const struct proto_stats *st = r->stats;
	char first[TIME_FORMAT_LEN], last[TIME_FORMAT_LEN];

	fputs("Capture\n", out);
	write_inputs(out, r);
	fprintf(out, "  %-15s%" PRIu64 "\n", "frames", st->frames);
	fprintf(out, "  %-15s%" PRIu64 " on the wire, %" PRIu64 " captured\n",
		"bytes", st->bytes_wire, st->bytes_captured);
	if (!st->have_ts) {
		if (st->frames_without_ts > 0)
			fprintf(out, "  %-15s%" PRIu64 " frames (pcapng simple packet blocks, corrupt times)\n",
				"no timestamp", st->frames_without_ts);
		return;
	}
	time_format_iso(first, sizeof(first), st->first_ts, r->ts_decimals);
	time_format_iso(last, sizeof(last), st->last_ts, r->ts_decimals);
	fprintf(out, "  %-15s%s\n", "first packet", first);
	fprintf(out, "  %-15s%s\n", "last packet", last);
	write_duration(out, proto_stats_duration_ns(st), r->ts_decimals);
	fprintf(out, "  %-15s%.2f packets/s, ", "average rate",
		proto_stats_pps(st));
	write_rate(out, proto_stats_bps(st));
	fputc('\n', out);
	if (st->frames_without_ts > 0)
		fprintf(out, "  %-15s%" PRIu64 " frames (pcapng simple packet blocks, corrupt times)\n",
			"no timestamp", st->frames_without_ts);
	if (st->out_of_order_ts > 0)
		fprintf(out, "  %-15s%" PRIu64 " frames earlier than the one before\n",
			"out of order", st->out_of_order_ts);
}

static void write_row(FILE *out, const char *name,
		      const struct frame_counter *c, uint64_t total)
{
	fprintf(out, "  %-22s%10" PRIu64 " %12" PRIu64 " %8.1f\n", name,
		c->frames, c->bytes, percent(c->frames, total));
}

static void write_protocols(FILE *out, const struct proto_stats *st)
{
	char name[40];

	fprintf(out, "\n%-24s%10s %12s %8s\n", "Protocols", "frames", "bytes",
		"%frames");
	for (unsigned i = 0; i < LINK_TYPE_COUNT; i++) {
		if (st->link_types[i].frames == 0)
			continue;
		snprintf(name, sizeof(name), "link %s",
			 link_type_name((enum link_type)i));
		write_row(out, name, &st->link_types[i], st->frames);
	}
	for (unsigned p = 0; p < PROTO_COUNT; p++)
		if (st->protos[p].frames > 0)
			write_row(out, proto_name((enum proto)p), &st->protos[p],
				  st->frames);
	if (st->vlan_stacked > 0)
		fprintf(out, "  %-22s%10" PRIu64 "\n", "vlan stacked (QinQ)",
			st->vlan_stacked);
	if (st->ip_fragments > 0)
		fprintf(out, "  %-22s%10" PRIu64 "  (%" PRIu64 " first, %" PRIu64
			" non-first)\n", "ip fragments", st->ip_fragments,
			st->ip_first_fragments,
			st->ip_fragments - st->ip_first_fragments);
}

static void write_not_decoded(FILE *out, const struct proto_stats *st)
{
	bool header = false;
	char name[40];

#define NOT_DECODED_HEADER()                                         \
	do {                                                         \
		if (!header)                                         \
			fprintf(out, "\n%-24s%10s\n", "Not decoded", \
				"frames");                          \
		header = true;                                       \
	} while (0)

	for (unsigned i = 0; i < PROTO_STATS_MAX_ETHERTYPES; i++) {
		if (st->unsupported_ethertypes[i].frames == 0)
			continue;
		NOT_DECODED_HEADER();
		snprintf(name, sizeof(name), "ethertype 0x%04x",
			 st->unsupported_ethertypes[i].ethertype);
		fprintf(out, "  %-22s%10" PRIu64 "\n", name,
			st->unsupported_ethertypes[i].frames);
	}
	if (st->unsupported_ethertype_other > 0) {
		NOT_DECODED_HEADER();
		fprintf(out, "  %-22s%10" PRIu64 "\n", "other ethertypes",
			st->unsupported_ethertype_other);
	}
	for (unsigned i = 0; i < 256; i++) {
		if (st->unsupported_ip_proto[i] == 0)
			continue;
		NOT_DECODED_HEADER();
		snprintf(name, sizeof(name), "ip protocol %u", i);
		fprintf(out, "  %-22s%10" PRIu64 "\n", name,
			st->unsupported_ip_proto[i]);
	}
	for (unsigned p = 0; p < PROTO_COUNT; p++) {
		if (st->unsupported_payload[p] == 0)
			continue;
		NOT_DECODED_HEADER();
		snprintf(name, sizeof(name), "payload of %s",
			 proto_name((enum proto)p));
		fprintf(out, "  %-22s%10" PRIu64 "\n", name,
			st->unsupported_payload[p]);
	}
	for (unsigned i = 0; i < WLAN_SKIP_COUNT; i++) {
		if (st->wlan_skipped[i] == 0)
			continue;
		snprintf(name, sizeof(name), "wlan %s",
			 wlan_skip_name((enum wlan_skip)i));
		fprintf(out, "    %-20s%10" PRIu64 "\n", name,
			st->wlan_skipped[i]);
	}
	if (st->unsupported_link > 0) {
		NOT_DECODED_HEADER();
		fprintf(out, "  %-22s%10" PRIu64 "\n", "other link payload",
			st->unsupported_link);
	}
#undef NOT_DECODED_HEADER
}

static void write_errors(FILE *out, const struct proto_stats *st)
{
	bool any = st->snaplen_cut > 0;

	for (unsigned p = 0; p < PROTO_COUNT; p++)
		any = any || st->truncated[p] > 0 || st->malformed[p] > 0;
	if (!any)
		return;
	fprintf(out, "\n%-24s%10s %12s\n", "Decode problems", "truncated",
		"malformed");
	for (unsigned p = 0; p < PROTO_COUNT; p++)
		if (st->truncated[p] > 0 || st->malformed[p] > 0)
			fprintf(out, "  %-22s%10" PRIu64 " %12" PRIu64 "\n",
				proto_name((enum proto)p), st->truncated[p],
				st->malformed[p]);
	if (st->snaplen_cut > 0)
		fprintf(out, "  %" PRIu64 " frames were cut by the capture's snaplen\n",
			st->snaplen_cut);
}

static void write_anomalies(FILE *out, const struct proto_stats *st)
{
	bool header = false;

	for (unsigned a = 0; a < PKT_ANOM_COUNT; a++) {
		if (st->anomalies[a] == 0)
			continue;
		if (!header)
			fprintf(out, "\n%-34s%10s\n", "Anomalies", "frames");
		header = true;
		fprintf(out, "  %-32s%10" PRIu64 "\n",
			packet_anomaly_key((enum packet_anomaly)a),
			st->anomalies[a]);
	}
	if (st->frames_anomalies_dropped > 0)
		fprintf(out, "  %" PRIu64 " frames had more than %d anomalies;"
			" the rest were not recorded\n",
			st->frames_anomalies_dropped, PACKET_MAX_ANOMALIES);
}

static void write_checksums(FILE *out, const struct proto_stats *st)
{
	bool any = false;

	for (unsigned p = 0; p < CKSUM_PROTO_COUNT; p++)
		for (unsigned s = 0; s < CKSUM_STATUS_COUNT; s++)
			any = any || st->cksum[p][s] > 0;
	if (!any)
		return;
	fprintf(out, "\nChecksums (%s)\n",
		st->verify_checksums
			? "verified: bad ones count as malformed"
			: "not treated as errors; --verify-checksums to verify");
	fprintf(out, "  %-10s%10s %8s %10s %13s %8s\n", "", "good", "bad",
		"offloaded", "unverifiable", "absent");
	for (unsigned p = 0; p < CKSUM_PROTO_COUNT; p++) {
		const uint64_t *c = st->cksum[p];

		if (c[CKSUM_GOOD] + c[CKSUM_BAD] + c[CKSUM_BAD_OFFLOADED] +
		    c[CKSUM_UNVERIFIABLE] + c[CKSUM_ABSENT] == 0)
			continue;
		fprintf(out, "  %-10s%10" PRIu64 " %8" PRIu64 " %10" PRIu64
			" %13" PRIu64 " %8" PRIu64 "\n",
			cksum_proto_name((enum cksum_proto)p), c[CKSUM_GOOD],
			c[CKSUM_BAD], c[CKSUM_BAD_OFFLOADED],
			c[CKSUM_UNVERIFIABLE], c[CKSUM_ABSENT]);
	}
}

static void write_reassembly(FILE *out, const struct stats_report *r)
{
	const struct defrag_stats *d = r->defrag;
	const struct proto_stats *st = r->stats;
	static const enum proto transports[] = {PROTO_TCP, PROTO_UDP,
						PROTO_ICMP, PROTO_ICMPV6};

	if (d->fragments == 0)
		return;
	fprintf(out, "\nIP reassembly (as Linux does it)\n");
	fprintf(out, "  %-26s%10" PRIu64 "\n", "fragments", d->fragments);
	fprintf(out, "  %-26s%10" PRIu64 "\n", "datagrams reassembled",
		d->reassembled);
	for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]); i++) {
		const struct frame_counter *c = &st->reassembled[transports[i]];

		if (c->frames > 0)
			fprintf(out, "    %-24s%10" PRIu64 " %12" PRIu64 " bytes\n",
				proto_name(transports[i]), c->frames, c->bytes);
	}
	if (d->incomplete > 0)
		fprintf(out, "  %-26s%10" PRIu64 "  (at least %" PRIu64
			" bytes missing)\n", "incomplete", d->incomplete,
			d->incomplete_missing_bytes);
	if (d->incomplete_at_end > 0)
		fprintf(out, "    %-24s%10" PRIu64 "\n",
			"open at capture end", d->incomplete_at_end);
#define REASSEMBLY_ROW(label, v)                                              \
	do {                                                                  \
		if ((v) > 0)                                                  \
			fprintf(out, "  %-26s%10" PRIu64 "\n", label,         \
				(uint64_t)(v));                               \
	} while (0)
	REASSEMBLY_ROW("duplicates ignored", d->duplicates);
	REASSEMBLY_ROW("overlaps, same bytes", d->overlaps_identical);
	REASSEMBLY_ROW("overlaps, different bytes", d->overlaps_conflicting);
	REASSEMBLY_ROW("discarded for overlap", d->discarded_overlap);
	REASSEMBLY_ROW("over 65535 bytes", d->oversize);
	REASSEMBLY_ROW("inconsistent length", d->inconsistent_length);
	REASSEMBLY_ROW("tiny first fragment", d->tiny_first);
	REASSEMBLY_ROW("cut by the snaplen", d->not_captured);
	REASSEMBLY_ROW("dropped for memory", d->dropped_memory);
#undef REASSEMBLY_ROW
	for (uint32_t i = 0; i < d->n_overlap_examples; i++) {
		const struct defrag_overlap *o = &d->overlap_examples[i];

		fprintf(out, "  overlap in frame %" PRIu64 ": bytes %u-%u, %s%s\n",
			o->frame_no, o->start, o->end - 1,
			o->conflicting ? "different data" : "same data",
			o->discarded ? ", datagram discarded" : ", ignored");
	}
}

void stats_report_text(FILE *out, const struct stats_report *r)
{
	write_summary(out, r);
	fputs("\nCapture quality\n", out);
	quality_render_text(out, r->quality, false, NULL);
	write_protocols(out, r->stats);
	write_not_decoded(out, r->stats);
	write_errors(out, r->stats);
	write_anomalies(out, r->stats);
	write_checksums(out, r->stats);
	write_reassembly(out, r);
}
