/*
 * Capture quality: what the capture itself lets the analysis see, judged
 * before any finding is believed.  Fed like every analyzer part (each
 * decoded packet, each TCP segment's annotations, each flow at its end,
 * and at the end what the capture source knew), it says:
 *
 *   direction   whether most TCP connections show one direction only
 *               (a SPAN of one direction, asymmetric routing);
 *   loss        bytes the receivers acknowledged that the capture never
 *               held (capture loss), per connection and in all, and the
 *               pcapng interface statistics' drop counts;
 *   duplicates  frames captured twice within QUALITY_DUP_WINDOW_NS
 *               (-i any, a SPAN of both directions of a router);
 *   snaplen     frames cut by the snapshot length;
 *   edits       signs of editing or anonymisation: zeroed checksums,
 *               TTL 0, impossible addresses, port 0, times of 0 or
 *               jumping by days;
 *   offload     checksums left to the NIC, frames above 1514 bytes
 *               (TSO/GRO, loopback or jumbo MTUs);
 *   coverage    the frames not analysed, and why; the frames that hide
 *               traffic (an encapsulation not decoded, an interface of a
 *               link type not decoded, frames never read) apart from
 *               those that hide nothing (ARP, STP, IGMP ...).
 *
 * Nothing here allocates per packet.  Duplicates are found once per
 * frame, by the analyzer (frame_dups.h), which leaves them out of its
 * analysis; this module is told which frame each repeats.  Libc only.
 */
#ifndef TCPLENS_CAPTURE_QUALITY_H
#define TCPLENS_CAPTURE_QUALITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "frame_dups.h"
#include "packet.h"
#include "tcp_conn.h"

/* Frames this close with the same decoded bytes are one frame twice. */
#define QUALITY_DUP_WINDOW_NS FRAME_DUP_WINDOW_NS

/* Why a frame was not analysed (or, for a tunnel, not all of it). */
enum quality_reason {
	/* pcapng records on an interface of a link type not decoded */
	QUALITY_UNSUPPORTED_LINK,
	/* an encapsulation not decoded: MPLS, PPPoE session, GRE, 6in4 ... */
	QUALITY_UNDECODED_ENCAP,
	/* analysed as outer UDP; the tunnel's inner traffic is not decoded */
	QUALITY_TUNNEL_PAYLOAD,
	/* ARP, STP and other LLC, PPPoE discovery, other ethertypes */
	QUALITY_NON_IP,
	/* IGMP, SCTP, OSPF, VRRP, ESP ...: IP that is not TCP, UDP or ICMP */
	QUALITY_OTHER_IP_PROTOCOL,
	/* headers invalid, or cut short on the wire */
	QUALITY_MALFORMED,
	/* records skipped because the filter does not compile for them */
	QUALITY_UNFILTERED,
	/* in a tunnel past the tunnel table's limit (tunnel_table.h) */
	QUALITY_TUNNEL_TABLE_FULL,
	/* a header cut by the snapshot length where decoding stopped */
	QUALITY_SNAPLEN_CUT,
	QUALITY_REASON_COUNT
};

/* What a coverage detail's code is. */
enum quality_code_kind {
	QUALITY_CODE_NONE,          /* link payload without an ethertype */
	QUALITY_CODE_ETHERTYPE,
	QUALITY_CODE_IP_PROTO,
	QUALITY_CODE_UDP_PORT,
	QUALITY_CODE_DLT,
};

/* One kind of frame not (fully) analysed: "MPLS (ethertype 0x8847)". */
struct quality_detail {
	enum quality_reason reason;
	enum quality_code_kind kind;
	uint32_t code;
	const char *name;           /* "MPLS", "IGMP", "NFLOG" ...; NULL unknown */
	uint64_t frames;
	uint64_t first_frame;       /* its first frame's number; 0 unread */
};

/*
 * What the capture source knew, in plain C (filled by the command from
 * capture/capture_info.h): frames it never handed on, and the pcapng
 * interface statistics.
 */
#define QUALITY_MAX_LINKS 4
struct quality_source_facts {
	uint64_t unsupported_link_records;
	struct {
		int dlt;
		const char *name;       /* libpcap's name, static */
		uint64_t records;
	} links[QUALITY_MAX_LINKS];
	size_t n_links;
	uint64_t unfiltered_records;
	/* Inputs that broke off, and the bytes of regular files unread. */
	uint32_t broken_inputs;
	uint64_t unread_bytes, file_bytes;
	uint32_t interfaces_with_stats;
	bool has_ifdrop, has_osdrop;
	uint64_t ifdrop, osdrop;
};

enum quality_direction {
	QUALITY_DIRECTION_NO_TCP,   /* no TCP connection to judge by */
	QUALITY_DIRECTION_TWO_SIDED,
	QUALITY_DIRECTION_PARTLY,   /* some connections one-sided */
	QUALITY_DIRECTION_ONE_SIDED, /* most of them */
};

#define QUALITY_TOP_LOSS 5
#define QUALITY_MAX_DETAILS 12
#define QUALITY_MAX_EXAMPLES 4

struct quality_flow_loss {
	uint64_t uid;
	uint64_t missed_bytes;
};

/* The judgement, as the reports show it. */
struct capture_quality_report {
	uint64_t frames;            /* read, and records skipped unread */

	enum quality_direction direction;
	uint64_t tcp_flows;
	uint64_t two_sided_flows;   /* packets both ways */
	/* packets one way only, the sender acknowledging what was not seen */
	uint64_t one_sided_flows;

	bool capture_loss;          /* missed bytes or interface drops */
	uint64_t missed_bytes;
	uint64_t flows_with_loss;
	uint64_t acked_unseen_segments;
	struct quality_flow_loss top_loss[QUALITY_TOP_LOSS];
	size_t n_top_loss;
	uint32_t interfaces_with_stats;
	bool has_ifdrop, has_osdrop;
	uint64_t ifdrop, osdrop;

	uint64_t duplicates;        /* frames that repeat an earlier one */
	uint64_t tcp_duplicates;
	uint64_t dup_frames[QUALITY_MAX_EXAMPLES];  /* the copies */
	uint64_t dup_of[QUALITY_MAX_EXAMPLES];      /* the frames they copy */
	size_t n_dup_examples;

	uint64_t snaplen_cut;
	uint64_t bytes_not_captured;

	/* 0x0000 beside a correct TCP sum, from a sender never offloading */
	uint64_t ipv4_cksum_zeroed;
	uint64_t transport_cksum_zeroed; /* TCP 0x0000 where it is wrong */
	uint64_t ttl_zero;
	uint64_t impossible_addresses;
	uint64_t port_zero;
	uint64_t time_zero;         /* 1970-01-01T00:00:00Z exactly */
	uint64_t time_jumps;        /* a day or more from the frame before */

	uint64_t cksum_offloaded;   /* TCP/UDP sums left to the NIC */
	uint64_t ipv4_cksum_offloaded; /* 0x0000 from such a sender */
	uint64_t super_frames;      /* IP packets above 1500 bytes */

	uint64_t analysed;
	uint64_t not_analysed;      /* frames, the unread ones included */
	uint64_t by_reason[QUALITY_REASON_COUNT];
	/* frames whose traffic is hidden: encapsulations, link types, unread */
	uint64_t hidden;
	uint32_t broken_inputs;
	uint64_t unread_bytes, file_bytes;
	struct quality_detail details[QUALITY_MAX_DETAILS];
	size_t n_details;
};

struct capture_quality;

struct capture_quality *capture_quality_new(void);
void capture_quality_free(struct capture_quality *q);

/*
 * Every frame as decoded, in capture order, with the earlier frame it
 * repeats (frame_dups_check(); 0: none).
 */
void capture_quality_on_packet(struct capture_quality *q,
			       const struct packet *pkt, uint64_t copy_of);
/*
 * Instead of capture_quality_on_packet(): a frame the analyzer could
 * not follow into its tunnel, the tunnel table being full.  Not
 * analysed, and it may hide anything.
 */
void capture_quality_on_untracked_tunnel(struct capture_quality *q,
					 const struct packet *pkt,
					 uint64_t copy_of);
/* Every TCP segment after the tracker saw it. */
void capture_quality_on_segment(struct capture_quality *q,
				const struct tcp_seg_info *info);
/* Every flow at its end. */
void capture_quality_on_flow_end(struct capture_quality *q,
				 const struct flow *f);
/* What the capture source knew, once it is done. */
void capture_quality_set_source(struct capture_quality *q,
				const struct quality_source_facts *facts);

/*
 * The judgement as things stand; valid until q changes.  Frames fed
 * minus the analysed ones are the analyzer's untracked and unusable
 * ones (analyzer_stats): the two classify alike.
 */
const struct capture_quality_report *
capture_quality_report(struct capture_quality *q);

/* "unsupported_link_type", "undecoded_encapsulation" ... (stable keys) */
const char *quality_reason_key(enum quality_reason r);
/* "two_sided", "one_sided" ... (stable keys) */
const char *quality_direction_key(enum quality_direction d);
/*
 * Whether frames of this reason can hide traffic a person needs to see
 * (encapsulations, link types, unread); ARP, STP, IGMP and the like
 * hide nothing.
 */
bool quality_reason_hides(enum quality_reason r);

#endif
