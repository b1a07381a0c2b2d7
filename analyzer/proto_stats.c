#include "proto_stats.h"

#include <string.h>

void proto_stats_init(struct proto_stats *st, bool verify_checksums)
{
	memset(st, 0, sizeof(*st));
	st->verify_checksums = verify_checksums;
}

const char *cksum_proto_name(enum cksum_proto p)
{
	static const char *const names[CKSUM_PROTO_COUNT] = {
		[CKSUM_PROTO_IPV4] = "ipv4", [CKSUM_PROTO_TCP] = "tcp",
		[CKSUM_PROTO_UDP] = "udp",   [CKSUM_PROTO_ICMP] = "icmp",
		[CKSUM_PROTO_ICMPV6] = "icmpv6",
	};
	return (unsigned)p < CKSUM_PROTO_COUNT ? names[p] : "unknown";
}

static bool ts_before(struct pkt_time a, struct pkt_time b)
{
	return a.sec != b.sec ? a.sec < b.sec : a.nsec < b.nsec;
}

double proto_stats_pps(const struct proto_stats *st)
{
	double d = (double)proto_stats_duration_ns(st) / 1e9;

	return d > 0 ? (double)st->frames / d : 0.0;
}

double proto_stats_bps(const struct proto_stats *st)
{
	double d = (double)proto_stats_duration_ns(st) / 1e9;

	return d > 0 ? (double)st->bytes_wire * 8.0 / d : 0.0;
}

int64_t proto_stats_duration_ns(const struct proto_stats *st)
{
	if (!st->have_ts)
		return 0;
	int64_t d;

	/*
	 * Integer nanoseconds: a double would print .500230074 for .50023.
	 * Times past what int64 ns hold saturate rather than overflow.
	 */
	if (__builtin_sub_overflow(pkt_time_ns(st->last_ts),
				   pkt_time_ns(st->first_ts), &d))
		return INT64_MAX;
	return d;
}

static void count_time(struct proto_stats *st, const struct packet *pkt)
{
	struct pkt_time ts = pkt->ts;

	if (!pkt->has_ts) {
		st->frames_without_ts++;
		return;
	}
	if (!st->have_ts) {
		st->first_ts = ts;
		st->last_ts = ts;
		st->have_ts = true;
		return;
	}
	/*
	 * Merged inputs come in order, but one file can itself hold frames
	 * out of order (several capture threads); keep the true extremes.
	 */
	if (ts_before(ts, st->last_ts))
		st->out_of_order_ts++;
	else
		st->last_ts = ts;
	if (ts_before(ts, st->first_ts))
		st->first_ts = ts;
}

static void count_unsupported_ethertype(struct proto_stats *st, uint16_t et)
{
	for (unsigned i = 0; i < PROTO_STATS_MAX_ETHERTYPES; i++) {
		if (st->unsupported_ethertypes[i].frames == 0)
			st->unsupported_ethertypes[i].ethertype = et;
		if (st->unsupported_ethertypes[i].ethertype == et) {
			st->unsupported_ethertypes[i].frames++;
			return;
		}
	}
	st->unsupported_ethertype_other++;
}

const char *wlan_skip_name(enum wlan_skip w)
{
	static const char *const names[WLAN_SKIP_COUNT] = {
		[WLAN_SKIP_MANAGEMENT] = "management",
		[WLAN_SKIP_CONTROL] = "control",
		[WLAN_SKIP_NO_BODY] = "no_body",
		[WLAN_SKIP_PROTECTED] = "protected",
		[WLAN_SKIP_FRAGMENT] = "fragment",
		[WLAN_SKIP_AMSDU] = "amsdu",
		[WLAN_SKIP_OTHER] = "other",
	};
	return (unsigned)w < WLAN_SKIP_COUNT ? names[w] : "unknown";
}

/* In the order ieee80211.c tests them (IEEE 802.11-2020 9.2.4.1). */
enum wlan_skip wlan_skip_of(const struct packet_link *l)
{
	if (l->wlan_type == 0)
		return WLAN_SKIP_MANAGEMENT;
	if (l->wlan_type == 1 || l->wlan_type == 3)
		return WLAN_SKIP_CONTROL;
	if (l->wlan_type != 2)
		return WLAN_SKIP_OTHER;
	if (l->wlan_subtype & 0x04)
		return WLAN_SKIP_NO_BODY;
	if (l->wlan_flags & 0x40)
		return WLAN_SKIP_PROTECTED;
	if ((l->wlan_flags & 0x04) || l->wlan_fragment != 0)
		return WLAN_SKIP_FRAGMENT;
	if (l->wlan_amsdu)
		return WLAN_SKIP_AMSDU;
	return WLAN_SKIP_OTHER;
}

/*
 * The link framings and encapsulations whose payload can be what stops
 * decoding (counted in unsupported_payload).  The older link layers
 * (LLC, SLL, loopback ...) count as unsupported_link, as they did.
 */
static bool proto_has_payload_count(enum proto p)
{
	switch (p) {
	case PROTO_PPP:
	case PROTO_CHDLC:
	case PROTO_RADIOTAP:
	case PROTO_PPI:
	case PROTO_WLAN:
	case PROTO_VNTAG:
	case PROTO_FABRICPATH:
	case PROTO_PBB:
	case PROTO_PPPOE:
	case PROTO_MPLS:
	case PROTO_GRE:
	case PROTO_ERSPAN:
	case PROTO_VXLAN:
	case PROTO_GENEVE:
	case PROTO_GTP:
	case PROTO_TEREDO:
	case PROTO_AYIYA:
		return true;
	default:
		return false;
	}
}

/*
 * Where decoding stopped: an encapsulation's payload, an IP protocol
 * (the innermost IP header's: a tunnel's outer one was cleared), an
 * ethertype nothing decodes, or some other link payload.
 */
static void count_unsupported(struct proto_stats *st, const struct packet *pkt)
{
	enum proto at = pkt->status_proto;

	if (proto_has_payload_count(at)) {
		st->unsupported_payload[at]++;
		if (at == PROTO_WLAN)
			st->wlan_skipped[wlan_skip_of(&pkt->link)]++;
	} else if (pkt->ip.version != 0) {
		st->unsupported_ip_proto[pkt->ip.proto]++;
	} else if (at == PROTO_COUNT && pkt->link.ethertype != 0) {
		count_unsupported_ethertype(st, pkt->link.ethertype);
	} else {
		st->unsupported_link++;
	}
}

static void count_checksum(struct proto_stats *st, enum cksum_proto p,
			   enum proto proto, enum cksum_status cs,
			   bool *bad_at, enum proto *bad_proto)
{
	if (cs == CKSUM_NOT_CHECKED || (unsigned)cs >= CKSUM_STATUS_COUNT)
		return;
	st->cksum[p][cs]++;
	if ((cs == CKSUM_BAD || cs == CKSUM_BAD_OFFLOADED) && !*bad_at) {
		*bad_at = true;
		*bad_proto = proto;
	}
}

static void count_checksums(struct proto_stats *st, const struct packet *pkt)
{
	bool bad = false;
	enum proto bad_proto = PROTO_COUNT;

	/* A tunnel's outer headers, outermost first, as a receiver checks. */
	for (unsigned i = 0; i < pkt->encap_count; i++) {
		const struct packet_encap *e = &pkt->encaps[i];

		count_checksum(st, CKSUM_PROTO_IPV4, PROTO_IPV4,
			       (enum cksum_status)e->outer_ip_cksum, &bad,
			       &bad_proto);
		count_checksum(st, CKSUM_PROTO_UDP, PROTO_UDP,
			       (enum cksum_status)e->outer_udp_cksum, &bad,
			       &bad_proto);
	}

	if (packet_has(pkt, PROTO_IPV4))
		count_checksum(st, CKSUM_PROTO_IPV4, PROTO_IPV4,
			       pkt->ipv4.cksum, &bad, &bad_proto);
	if (packet_has(pkt, PROTO_TCP))
		count_checksum(st, CKSUM_PROTO_TCP, PROTO_TCP, pkt->tcp.cksum,
			       &bad, &bad_proto);
	if (packet_has(pkt, PROTO_UDP))
		count_checksum(st, CKSUM_PROTO_UDP, PROTO_UDP, pkt->udp.cksum,
			       &bad, &bad_proto);
	if (packet_has(pkt, PROTO_ICMP))
		count_checksum(st, CKSUM_PROTO_ICMP, PROTO_ICMP,
			       pkt->icmp.cksum, &bad, &bad_proto);
	if (packet_has(pkt, PROTO_ICMPV6))
		count_checksum(st, CKSUM_PROTO_ICMPV6, PROTO_ICMPV6,
			       pkt->icmp.cksum, &bad, &bad_proto);
	/*
	 * With verification on, a bad checksum makes the packet invalid at
	 * that layer, as the receiving host would drop it; counted once per
	 * frame, unless decoding already stopped short (truncated or
	 * malformed) for another reason.
	 */
	if (st->verify_checksums && bad &&
	    (pkt->status == DECODE_OK || pkt->status == DECODE_UNSUPPORTED))
		st->malformed[bad_proto]++;
}

/* Frames per anomaly: a key noted twice in one frame counts once. */
static void count_anomalies(struct proto_stats *st, const struct packet *pkt)
{
	for (unsigned i = 0; i < pkt->anomaly_count; i++) {
		bool seen = false;

		for (unsigned j = 0; j < i && !seen; j++)
			seen = pkt->anomalies[j] == pkt->anomalies[i];
		if (!seen && pkt->anomalies[i] < PKT_ANOM_COUNT)
			st->anomalies[pkt->anomalies[i]]++;
	}
	if (pkt->anomalies_dropped > 0)
		st->frames_anomalies_dropped++;
}

void proto_stats_add(struct proto_stats *st, const struct packet *pkt)
{
	st->frames++;
	st->bytes_captured += pkt->cap_len;
	st->bytes_wire += pkt->wire_len;
	if (pkt->cap_len < pkt->wire_len)
		st->snaplen_cut++;
	count_time(st, pkt);
	if ((unsigned)pkt->link_type < LINK_TYPE_COUNT) {
		st->link_types[pkt->link_type].frames++;
		st->link_types[pkt->link_type].bytes += pkt->wire_len;
	}
	/* Only the few protocols the frame has: this runs for every frame. */
	for (uint64_t bits = pkt->protos_seen; bits != 0; bits &= bits - 1) {
		unsigned p = (unsigned)__builtin_ctzll(bits);

		if (p < PROTO_COUNT) {
			st->protos[p].frames++;
			st->protos[p].bytes += pkt->wire_len;
		}
	}
	if (pkt->link.vlan_count >= 2)
		st->vlan_stacked++;
	if ((packet_has(pkt, PROTO_IPV4) || packet_has(pkt, PROTO_IPV6)) &&
	    pkt->ip.is_fragment) {
		st->ip_fragments++;
		st->ip_first_fragments += pkt->ip.frag_offset == 0;
	}
	switch (pkt->status) {
	case DECODE_OK:
		break;
	case DECODE_TRUNCATED:
		if ((unsigned)pkt->status_proto < PROTO_COUNT)
			st->truncated[pkt->status_proto]++;
		break;
	case DECODE_MALFORMED:
		if ((unsigned)pkt->status_proto < PROTO_COUNT)
			st->malformed[pkt->status_proto]++;
		break;
	case DECODE_UNSUPPORTED:
		count_unsupported(st, pkt);
		break;
	}
	count_anomalies(st, pkt);
	count_checksums(st, pkt);
}

void proto_stats_add_reassembled(struct proto_stats *st,
				 const struct packet *whole)
{
	static const struct {
		enum proto proto;
		enum cksum_proto cproto;
	} transports[] = {
		{PROTO_TCP, CKSUM_PROTO_TCP}, {PROTO_UDP, CKSUM_PROTO_UDP},
		{PROTO_ICMP, CKSUM_PROTO_ICMP}, {PROTO_ICMPV6, CKSUM_PROTO_ICMPV6},
	};

	st->reassembled_datagrams++;
	for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]); i++) {
		enum proto p = transports[i].proto;
		enum cksum_status cs;

		if (!packet_has(whole, p))
			continue;
		st->reassembled[p].frames++;
		st->reassembled[p].bytes += whole->wire_len;
		st->reassembled_payload[p] += whole->ip.payload_len;
		cs = p == PROTO_TCP ? whole->tcp.cksum
		     : p == PROTO_UDP ? whole->udp.cksum : whole->icmp.cksum;
		if ((unsigned)cs < CKSUM_STATUS_COUNT)
			st->reassembled_cksum[transports[i].cproto][cs]++;
	}
}
