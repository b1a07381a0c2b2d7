/*
 * Protocol hierarchy counters: what `tcplens stats` reports.  A value you
 * create and feed decoded packets to, like every analyzer part.
 */
#ifndef TCPLENS_PROTO_STATS_H
#define TCPLENS_PROTO_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "packet.h"

struct frame_counter {
	uint64_t frames;
	uint64_t bytes; /* on the wire */
};

/* Protocols whose checksum is computed. */
enum cksum_proto {
	CKSUM_PROTO_IPV4,
	CKSUM_PROTO_TCP,
	CKSUM_PROTO_UDP,
	CKSUM_PROTO_ICMP,
	CKSUM_PROTO_ICMPV6,
	CKSUM_PROTO_COUNT
};

#define PROTO_STATS_MAX_ETHERTYPES 16

/* Why an 802.11 frame's body was not decoded. */
enum wlan_skip {
	WLAN_SKIP_MANAGEMENT,
	WLAN_SKIP_CONTROL,      /* and extension frames */
	WLAN_SKIP_NO_BODY,      /* Null, QoS Null, CF-Ack ... */
	WLAN_SKIP_PROTECTED,    /* encrypted */
	WLAN_SKIP_FRAGMENT,
	WLAN_SKIP_AMSDU,
	WLAN_SKIP_OTHER,        /* another protocol version */
	WLAN_SKIP_COUNT
};

const char *wlan_skip_name(enum wlan_skip w);
/* Why ieee80211.c left the body of the 802.11 frame l is the link of. */
enum wlan_skip wlan_skip_of(const struct packet_link *l);
#define CKSUM_STATUS_COUNT (CKSUM_ABSENT + 1)

struct proto_stats {
	bool verify_checksums;   /* bad checksums count as malformed */

	uint64_t frames;
	uint64_t bytes_captured;
	uint64_t bytes_wire;
	bool have_ts;
	struct pkt_time first_ts, last_ts;
	uint64_t out_of_order_ts; /* a frame earlier than the one before */
	/*
	 * Frames without a timestamp (pcapng simple packet blocks) are kept
	 * out of first/last/duration, as tshark leaves their time empty.
	 */
	uint64_t frames_without_ts;

	struct frame_counter link_types[LINK_TYPE_COUNT];
	struct frame_counter protos[PROTO_COUNT];
	uint64_t vlan_stacked;    /* frames with two or more tags */
	uint64_t ip_fragments, ip_first_fragments;

	/* Where decoding stopped short: [proto][truncated, malformed]. */
	uint64_t truncated[PROTO_COUNT];
	uint64_t malformed[PROTO_COUNT];
	uint64_t snaplen_cut;     /* frames with cap_len < wire_len */

	/* Frames whose payload is a protocol tcplens does not decode. */
	uint64_t unsupported_link;      /* e.g. STP over LLC, netlink */
	uint64_t unsupported_ip_proto[256];
	struct {
		uint16_t ethertype;
		uint64_t frames;
	} unsupported_ethertypes[PROTO_STATS_MAX_ETHERTYPES];
	uint64_t unsupported_ethertype_other; /* beyond the table */
	/*
	 * Frames whose decoding stopped at a link framing or encapsulation
	 * tcplens decodes, because what it carried is not decoded (a PPP
	 * control protocol, an MPLS payload that is neither IP nor an
	 * Ethernet pseudowire, a GRE protocol, a GTP message other than
	 * user data, a tunnel nested deeper than PACKET_MAX_ENCAPS ...),
	 * by that protocol.  IEEE 802.11's also by why (wlan_skipped).
	 */
	uint64_t unsupported_payload[PROTO_COUNT];
	uint64_t wlan_skipped[WLAN_SKIP_COUNT];

	/*
	 * Datagrams reassembled from fragments, by their transport protocol
	 * (bytes: the datagram's IP length), and their transport checksums,
	 * which a single fragment could not verify.
	 */
	struct frame_counter reassembled[PROTO_COUNT];
	uint64_t reassembled_payload[PROTO_COUNT]; /* IP payload bytes */
	uint64_t reassembled_datagrams;
	uint64_t reassembled_cksum[CKSUM_PROTO_COUNT][CKSUM_STATUS_COUNT];

	uint64_t anomalies[PKT_ANOM_COUNT]; /* frames in which each was noted */
	/* Frames with more anomalies than a packet can hold (some unseen). */
	uint64_t frames_anomalies_dropped;
	uint64_t cksum[CKSUM_PROTO_COUNT][CKSUM_STATUS_COUNT];
};

void proto_stats_init(struct proto_stats *st, bool verify_checksums);
void proto_stats_add(struct proto_stats *st, const struct packet *pkt);
/* Counts a datagram reassembled from fragments (see ip_defrag.h). */
void proto_stats_add_reassembled(struct proto_stats *st,
				 const struct packet *whole);

const char *cksum_proto_name(enum cksum_proto p);
/* Nanoseconds between first and last frame; 0 with fewer than two. */
int64_t proto_stats_duration_ns(const struct proto_stats *st);
/* Frames per second and wire bits per second over that duration. */
double proto_stats_pps(const struct proto_stats *st);
double proto_stats_bps(const struct proto_stats *st);

#endif
