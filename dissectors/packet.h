/*
 * The decoded packet: parsed fields plus views into the captured bytes.
 *
 * Dissectors fill it; nothing in it is allocated, so one struct can be
 * reused for every packet.  Each dissector owns one part (link, arp, ip,
 * ipv4, ipv6, icmp, udp, tcp) and may only write its own part, the payload
 * view and the anomaly list.  Fields are valid only when the protocol's
 * bit is set in protos_seen, and only as far as decoding got (see status).
 *
 * Encapsulated traffic (MPLS, PPPoE, GRE, VXLAN, GTP-U ...) leaves the
 * innermost network and transport layers in ip, ipv4, ipv6, icmp, udp
 * and tcp, as if the frame had carried them alone; each layer it went
 * through on the way is one entry of encaps[], outermost first (struct
 * packet_encap), which is all that is kept of an outer IP or UDP header.
 * Dissectors stay flow-agnostic: the analyzer keys inner flows by these
 * entries.
 */
#ifndef TCPLENS_PACKET_H
#define TCPLENS_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "cursor.h"

/* Our own link-type ids; capture/ maps pcap's DLT numbers onto them. */
enum link_type {
	LINK_TYPE_ETHERNET,
	LINK_TYPE_NULL,      /* BSD loopback, family in host byte order */
	LINK_TYPE_LOOP,      /* OpenBSD loopback, family in network order */
	LINK_TYPE_RAW,       /* raw IP, version from the first nibble */
	LINK_TYPE_IPV4,
	LINK_TYPE_IPV6,
	LINK_TYPE_LINUX_SLL,
	LINK_TYPE_LINUX_SLL2,
	LINK_TYPE_PPP,       /* PPP, optionally with HDLC address/control */
	LINK_TYPE_PPP_HDLC,  /* PPP in HDLC-like framing (RFC 1662) */
	LINK_TYPE_C_HDLC,    /* Cisco HDLC */
	LINK_TYPE_IEEE802_11,
	LINK_TYPE_IEEE802_11_RADIOTAP,
	LINK_TYPE_PPI,       /* per-packet information, then 802.11 */
	LINK_TYPE_COUNT
};

/*
 * Every protocol a dissector recognises.  A frame "contains" a protocol
 * when decoding reached that header, even if the header was then found
 * truncated or malformed (tshark's frame.protocols counts the same way).
 */
enum proto {
	PROTO_ETHERNET,
	PROTO_LLC,
	PROTO_SNAP,
	PROTO_VLAN,
	PROTO_LINUX_SLL,
	PROTO_LINUX_SLL2,
	PROTO_LOOPBACK,
	PROTO_RAW_IP,
	PROTO_PPP,
	PROTO_CHDLC,
	PROTO_RADIOTAP,
	PROTO_PPI,
	PROTO_WLAN,             /* IEEE 802.11 */
	PROTO_VNTAG,
	PROTO_FABRICPATH,
	PROTO_PBB,
	PROTO_PPPOE,            /* the session stage, 0x8864 */
	PROTO_MPLS,
	PROTO_ARP,
	PROTO_RARP,
	PROTO_IPV4,
	PROTO_IPV6,
	PROTO_ICMP,
	PROTO_ICMPV6,
	PROTO_UDP,
	PROTO_TCP,
	PROTO_GRE,
	PROTO_ERSPAN,
	PROTO_VXLAN,
	PROTO_GENEVE,
	PROTO_GTP,              /* GTP-U */
	PROTO_TEREDO,
	PROTO_AYIYA,
	PROTO_COUNT
};

/*
 * Things worth noting that do not stop decoding ("note it and carry on",
 * as Suricata's decoder events).  X(name, proto, "stable.key").
 * The keys appear in output and are documented in the man page.
 */
#define PACKET_ANOMALY_LIST(X)                                               \
	X(VLAN_TOO_DEEP, PROTO_VLAN, "vlan.too_deep")                        \
	X(LLC_UNKNOWN_SAP, PROTO_LLC, "llc.unknown_sap")                     \
	X(ETH_LENGTH_MISMATCH, PROTO_ETHERNET, "eth.length_mismatch")        \
	X(ARP_BAD_LENGTHS, PROTO_ARP, "arp.bad_lengths")                     \
	X(IPV4_BAD_VERSION, PROTO_IPV4, "ipv4.bad_version")                  \
	X(IPV4_BAD_IHL, PROTO_IPV4, "ipv4.bad_ihl")                          \
	X(IPV4_BAD_TOTAL_LENGTH, PROTO_IPV4, "ipv4.bad_total_length")        \
	X(IPV4_TOTAL_LENGTH_OVER_FRAME, PROTO_IPV4, "ipv4.total_length_over_frame") \
	X(IPV4_OPT_BAD_LENGTH, PROTO_IPV4, "ipv4.opt_bad_length")            \
	X(IPV4_RESERVED_FLAG, PROTO_IPV4, "ipv4.reserved_flag")              \
	X(IPV4_DF_AND_FRAGMENT, PROTO_IPV4, "ipv4.df_and_fragment")          \
	X(IPV4_ZERO_TTL, PROTO_IPV4, "ipv4.zero_ttl")                        \
	X(IPV4_TINY_FRAGMENT, PROTO_IPV4, "ipv4.tiny_fragment")              \
	X(IPV6_BAD_VERSION, PROTO_IPV6, "ipv6.bad_version")                  \
	X(IPV6_PAYLOAD_LENGTH_OVER_FRAME, PROTO_IPV6, "ipv6.payload_length_over_frame") \
	X(IPV6_JUMBOGRAM, PROTO_IPV6, "ipv6.jumbogram")                      \
	X(IPV6_EXT_CHAIN_TOO_LONG, PROTO_IPV6, "ipv6.ext_chain_too_long")    \
	X(IPV6_EXT_BAD_LENGTH, PROTO_IPV6, "ipv6.ext_bad_length")            \
	X(IPV6_HOPOPT_NOT_FIRST, PROTO_IPV6, "ipv6.hopopt_not_first")        \
	X(IPV6_ATOMIC_FRAGMENT, PROTO_IPV6, "ipv6.atomic_fragment")          \
	X(IPV6_TINY_FRAGMENT, PROTO_IPV6, "ipv6.tiny_fragment")              \
	X(ICMP_INNER_TRUNCATED, PROTO_ICMP, "icmp.inner_truncated")          \
	X(ICMP_INNER_MALFORMED, PROTO_ICMP, "icmp.inner_malformed")          \
	X(ICMPV6_INNER_TRUNCATED, PROTO_ICMPV6, "icmpv6.inner_truncated")    \
	X(ICMPV6_INNER_MALFORMED, PROTO_ICMPV6, "icmpv6.inner_malformed")    \
	X(UDP_BAD_LENGTH, PROTO_UDP, "udp.bad_length")                       \
	X(UDP_LENGTH_SHORTER_THAN_IP, PROTO_UDP, "udp.length_shorter_than_ip") \
	X(TCP_BAD_DATA_OFFSET, PROTO_TCP, "tcp.bad_data_offset")             \
	X(TCP_OPT_BAD_LENGTH, PROTO_TCP, "tcp.opt_bad_length")               \
	X(TCP_OPT_DUPLICATE, PROTO_TCP, "tcp.opt_duplicate")                 \
	X(TCP_OPT_BAD_VALUE, PROTO_TCP, "tcp.opt_bad_value")                 \
	X(TCP_OPT_TRUNCATED, PROTO_TCP, "tcp.opt_truncated")                 \
	X(TCP_RESERVED_BITS, PROTO_TCP, "tcp.reserved_bits")                 \
	X(TCP_BAD_FLAG_COMBINATION, PROTO_TCP, "tcp.bad_flag_combination")   \
	X(TCP_PORT_ZERO, PROTO_TCP, "tcp.port_zero")                         \
	X(UDP_PORT_ZERO, PROTO_UDP, "udp.port_zero")                         \
	X(ENCAP_TOO_DEEP, PROTO_COUNT, "encap.too_deep")                     \
	X(PPPOE_BAD_HEADER, PROTO_PPPOE, "pppoe.bad_header")                 \
	X(PPPOE_LENGTH_OVER_FRAME, PROTO_PPPOE, "pppoe.length_over_frame")   \
	X(WLAN_BAD_FCS, PROTO_WLAN, "wlan.bad_fcs")                           \
	X(GRE_BAD_VERSION, PROTO_GRE, "gre.bad_version")                     \
	X(GTP_BAD_LENGTH, PROTO_GTP, "gtp.bad_length")                       \
	X(GTP_BAD_EXTENSION, PROTO_GTP, "gtp.bad_extension")

enum packet_anomaly {
#define PACKET_ANOMALY_ENUM(name, proto, key) PKT_ANOM_##name,
	PACKET_ANOMALY_LIST(PACKET_ANOMALY_ENUM)
#undef PACKET_ANOMALY_ENUM
	PKT_ANOM_COUNT
};

#define PACKET_MAX_ANOMALIES 8
#define PACKET_MAX_VLANS 8        /* deeper stacks stop with VLAN_TOO_DEEP */
/*
 * Encapsulation layers decoded at most; a deeper one stops with
 * ENCAP_TOO_DEEP, unsupported.  Real networks nest two or three (MPLS
 * under GRE under VXLAN); the cap also bounds the recursion through
 * nested tunnels, as Suricata's layer limit does.
 */
#define PACKET_MAX_ENCAPS 4
#define PACKET_MAX_IPV6_EXT 16    /* longer chains stop: no loops possible */
#define PACKET_MAX_SACK_BLOCKS 4
#define PACKET_MAX_TFO_COOKIE 16
#define PACKET_MAX_UNKNOWN_TCP_OPTS 8

/* Checksum outcome; computed on every packet, errors only by choice. */
enum cksum_status {
	CKSUM_NOT_CHECKED = 0, /* protocol without one, or layer not reached */
	CKSUM_GOOD,
	CKSUM_BAD,
	/*
	 * Bad, but the field holds just the pseudo-header sum: the packet
	 * was captured on the sending host before the NIC filled it in
	 * (checksum offload, Linux CHECKSUM_PARTIAL).
	 */
	CKSUM_BAD_OFFLOADED,
	CKSUM_UNVERIFIABLE, /* bytes it covers were not all captured */
	CKSUM_ABSENT,       /* UDP over IPv4 with checksum 0 */
};

struct ip_addr {
	uint8_t family; /* 4 or 6; 0 when unset */
	uint8_t bytes[16];
};

/*
 * Encapsulation layers.  A link-layer framing (MPLS, PPPoE, PBB,
 * FabricPath, VN-Tag) sits before the network layer and has no IP
 * endpoints; a tunnel (GRE, VXLAN, ...) is carried by an outer IP header
 * whose endpoints, with the tunnel's own identifier, name the tunnel.
 * Stable: the names (encap_kind_name) are part of the documented output.
 */
enum encap_kind {
	ENCAP_NONE = 0,
	ENCAP_MPLS,
	ENCAP_PPPOE,
	ENCAP_PBB,              /* IEEE 802.1ah provider backbone */
	ENCAP_FABRICPATH,       /* Cisco FabricPath */
	ENCAP_VNTAG,            /* Cisco VN-Tag (802.1Qbh) */
	ENCAP_GRE,
	ENCAP_ERSPAN,           /* GRE carrying mirrored frames */
	ENCAP_VXLAN,
	ENCAP_GENEVE,
	ENCAP_IP_IN_IP,         /* 4in4, 6in4, 4in6, 6in6: by outer_proto */
	ENCAP_GTP_U,
	ENCAP_TEREDO,
	ENCAP_AYIYA,
	ENCAP_KIND_COUNT
};

enum encap_flag {
	ENCAP_HAS_ID = 1u << 0,     /* id is valid */
	ENCAP_HAS_ID2 = 1u << 1,    /* id2 is valid */
	/*
	 * id names the same tunnel in both directions (a VNI, a GRE key, an
	 * ERSPAN session), so inner flows are told apart by it.  Ids each
	 * end picks for what it receives (GTP-U TEIDs, MPLS labels) differ
	 * between a connection's two directions and are only recorded.
	 */
	ENCAP_ID_SHARED = 1u << 2,
	ENCAP_HAS_SEQ = 1u << 3,    /* GRE: a sequence number was present */
};

/*
 * One layer of encapsulation.  For a tunnel, src and dst are the outer
 * IP header's (sport and dport the outer UDP ports, for tunnels over
 * UDP); a link-layer framing leaves them unset (family 0).
 *
 * id and id2 by kind: MPLS the bottom and the top label of the stack
 * (count labels); PPPoE the session id; PBB the I-SID; FabricPath the
 * destination and source switch ids; VN-Tag the destination and source
 * virtual interfaces; GRE the key (Ethernet over GRE, NVGRE: the VSID,
 * and the FlowID in id2) and the sequence number; ERSPAN the
 * session id (version: its type, 1 to 3); VXLAN and Geneve the VNI;
 * GTP-U the TEID.
 */
/* GRE that carries no traffic (gre.c). */
enum gre_control {
	GRE_CONTROL_NONE,
	GRE_CONTROL_KEEPALIVE,      /* Cisco's, sent back to the sender */
	GRE_CONTROL_PPTP_ACK,       /* PPTP's acknowledgement alone */
};

struct packet_encap {
	uint8_t kind;           /* enum encap_kind */
	uint8_t flags;          /* enum encap_flag */
	uint8_t outer_proto;    /* IP protocol carrying it: 4, 17, 41, 47 */
	uint8_t version;        /* GRE version, ERSPAN type */
	uint8_t count;          /* MPLS: labels in the stack */
	/* Outer checksums, enum cksum_status: the IPv4 header's, UDP's. */
	uint8_t outer_ip_cksum, outer_udp_cksum;
	uint16_t sport, dport;
	uint32_t id, id2;
	uint32_t outer_ip_len;  /* outer IP header and payload, on the wire */
	uint16_t outer_hdr_len; /* of it, the IP header with options */
	struct ip_addr src, dst;
};

struct pkt_time {
	int64_t sec;
	uint32_t nsec;
};

enum link_framing {
	FRAMING_NONE,
	FRAMING_ETHERNET_II,
	FRAMING_IEEE8023_LLC,
	FRAMING_IEEE8023_SNAP,
	FRAMING_IEEE8023_RAW,   /* Novell "raw" 802.3: IPX with no LLC */
	FRAMING_LINUX_SLL,
	FRAMING_LINUX_SLL2,
	FRAMING_LOOPBACK,
	FRAMING_RAW_IP,
	FRAMING_PPP,
	FRAMING_CISCO_HDLC,
	FRAMING_IEEE80211,
};

struct packet_link {
	enum link_framing framing;
	uint16_t ethertype;     /* of the network layer, 0 when none */
	bool has_mac_src;       /* Ethernet, and SLL with an Ethernet source */
	bool has_mac_dst;       /* Ethernet only: cooked captures drop it */
	uint8_t mac_src[6];
	uint8_t mac_dst[6];
	uint16_t eth_length;    /* 802.3 length field */
	uint8_t llc_dsap, llc_ssap;
	uint8_t llc_control;    /* first byte of a 2-byte I/S-format control */
	uint32_t snap_oui;
	uint8_t vlan_count;
	struct {
		uint16_t tpid; /* 0x8100, 0x88a8, 0x9100 */
		uint16_t tci;  /* PCP(3) DEI(1) VID(12) */
	} vlans[PACKET_MAX_VLANS];
	uint16_t sll_pkttype;   /* 0 host, 1 broadcast, 2 multicast, 3 other, 4 outgoing */
	uint16_t sll_hatype;
	uint32_t sll_ifindex;   /* SLL2 only */
	uint32_t loopback_family; /* NULL/LOOP: AF_ value, byte order fixed */
	uint16_t ppp_protocol;  /* PPP's protocol field, 0 when none */
	/*
	 * IEEE 802.11: frame control's type (4 when its version is not 0),
	 * subtype and flags octet.
	 */
	uint8_t wlan_type, wlan_subtype, wlan_flags;
	uint8_t wlan_fragment;  /* fragment number (sequence control) */
	bool wlan_amsdu;        /* QoS control: the body is an A-MSDU */
};

struct packet_arp {
	bool is_rarp;
	uint16_t htype, ptype, op;
	uint8_t hlen, plen;
	bool is_ether_ipv4; /* the four addresses below are filled */
	uint8_t sender_mac[6], target_mac[6];
	uint8_t sender_ip[4], target_ip[4];
};

/* What IPv4 and IPv6 have in common; the transport layer reads this. */
struct packet_ip {
	uint8_t version;        /* 4 or 6 */
	struct ip_addr src, dst;
	uint8_t proto;          /* upper-layer protocol (after IPv6 ext headers) */
	uint8_t ttl;            /* TTL or hop limit */
	uint8_t ecn;
	uint8_t dscp;
	bool is_fragment;       /* any fragment, first included */
	bool is_first_fragment; /* offset 0 with more fragments to come */
	uint32_t frag_offset;   /* in bytes */
	uint32_t frag_id;
	bool frag_more;
	/*
	 * IPv6 with a routing header that has segments left: the last
	 * segment, which the upper-layer checksum covers instead of dst
	 * (RFC 8200 section 8.1).
	 */
	bool has_final_dst;
	uint8_t final_dst[16];
	/*
	 * Upper-layer length as the IP header declares it, or taken from
	 * the frame when the header says 0 (IPv4 TSO, IPv6 BIG TCP).
	 */
	uint32_t payload_len;
	struct byte_view header; /* the captured IP header incl. options/ext */
	/*
	 * A fragment's share of the datagram, as captured: the bytes after
	 * the IPv4 header, or after the IPv6 fragment header (the
	 * fragmentable part, RFC 8200 section 4.5).  What reassembly joins.
	 */
	struct byte_view frag_data;
};

struct packet_ipv4 {
	uint8_t ihl;            /* header length in bytes */
	uint8_t tos;
	uint16_t total_len;
	uint16_t id;
	bool flag_reserved, flag_df, flag_mf;
	uint16_t checksum;
	enum cksum_status cksum;
	struct byte_view options;
};

struct packet_ipv6 {
	uint8_t traffic_class;
	uint32_t flow_label;
	uint16_t payload_len;
	uint8_t first_next_header;
	uint8_t ext_count;
	uint8_t ext_types[PACKET_MAX_IPV6_EXT];
	uint32_t ext_len;       /* bytes of extension headers */
	bool has_fragment_header;
	uint8_t frag_next_header; /* what the fragmentable part starts with */
	bool atomic_fragment;   /* fragment header with offset 0 and M=0 */
};

/* The 5-tuple of the datagram an ICMP error quotes. */
struct icmp_quoted {
	uint8_t ip_version;
	struct ip_addr src, dst;
	uint8_t proto;
	bool has_ports;         /* TCP/UDP ports were quoted (4 bytes) */
	uint16_t sport, dport;
	uint32_t tcp_seq;       /* when proto is TCP and transport_len is 8 */
	uint16_t ip_id;         /* IPv4 id of the quoted datagram */
	uint8_t transport_len;  /* transport bytes quoted and read, 0..8 */
	uint8_t icmp_type;      /* quoted ICMP(v6), when transport_len >= 1 */
	uint16_t icmp_id, icmp_seq; /* quoted echo, when transport_len is 8 */
};

struct packet_icmp {
	uint8_t version;        /* 4 = ICMP, 6 = ICMPv6 */
	uint8_t type, code;
	uint16_t checksum;
	enum cksum_status cksum;
	bool is_echo;           /* echo request or reply */
	bool is_error;          /* carries a quoted datagram */
	uint16_t echo_id, echo_seq;
	uint32_t mtu;           /* frag-needed next-hop MTU / packet-too-big */
	bool has_quoted;
	struct icmp_quoted quoted;
};

struct packet_udp {
	bool header_ok;         /* all 8 header bytes were read */
	uint16_t sport, dport;
	uint16_t length;
	uint16_t checksum;
	enum cksum_status cksum;
};

enum tcp_flag {
	TCP_FLAG_FIN = 0x01,
	TCP_FLAG_SYN = 0x02,
	TCP_FLAG_RST = 0x04,
	TCP_FLAG_PSH = 0x08,
	TCP_FLAG_ACK = 0x10,
	TCP_FLAG_URG = 0x20,
	TCP_FLAG_ECE = 0x40,
	TCP_FLAG_CWR = 0x80,
};

enum tcp_opt_present {
	TCP_OPT_HAS_MSS = 1u << 0,
	TCP_OPT_HAS_WSCALE = 1u << 1,
	TCP_OPT_HAS_SACK_PERM = 1u << 2,
	TCP_OPT_HAS_SACK = 1u << 3,
	TCP_OPT_HAS_TIMESTAMP = 1u << 4,
	TCP_OPT_HAS_TFO = 1u << 5,
	TCP_OPT_HAS_MD5 = 1u << 6,
	TCP_OPT_HAS_MPTCP = 1u << 7,
	TCP_OPT_HAS_UNKNOWN = 1u << 8,
	TCP_OPT_HAS_EOL = 1u << 9,
	TCP_OPT_HAS_NOP = 1u << 10,
	TCP_OPT_HAS_USER_TIMEOUT = 1u << 11,
	TCP_OPT_HAS_AO = 1u << 12,
};

struct tcp_sack_block {
	uint32_t left, right;
};

struct packet_tcp {
	/*
	 * The 20-byte fixed header was read: ports, sequence numbers, flags
	 * and window are valid even if the options were then cut short.
	 */
	bool header_ok;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t data_offset;    /* header length in bytes */
	uint8_t flags;          /* enum tcp_flag bits */
	uint8_t reserved;       /* the 4 bits between offset and CWR */
	uint16_t window;        /* raw, unscaled */
	uint16_t urgent;
	uint16_t checksum;
	enum cksum_status cksum;
	uint32_t opts_present;  /* enum tcp_opt_present bits */
	uint16_t mss;
	uint8_t wscale;         /* capped at 14 as Linux does (RFC 7323 2.3) */
	uint8_t sack_count;
	struct tcp_sack_block sack[PACKET_MAX_SACK_BLOCKS];
	uint32_t ts_val, ts_ecr;
	uint8_t tfo_cookie_len; /* 0 with TFO present = cookie request */
	uint8_t tfo_cookie[PACKET_MAX_TFO_COOKIE];
	uint16_t user_timeout;
	uint8_t unknown_count;
	uint8_t unknown_kinds[PACKET_MAX_UNKNOWN_TCP_OPTS];
	struct byte_view options;
};

struct packet {
	uint64_t frame_no;      /* 1-based, across all inputs */
	struct pkt_time ts;
	bool has_ts;            /* false: no time in the file (pcapng SPB) */
	uint32_t cap_len, wire_len;
	enum link_type link_type;
	bool skip_checksums;    /* decode_packet_opt() without any checksum */

	uint64_t protos_seen;   /* 1 << enum proto */
	/* Where decoding stopped: DECODE_OK means it ran to the payload. */
	enum decode_status status;
	enum proto status_proto;
	/*
	 * Decoding stopped at GRE that carries nothing (gre.c): control
	 * traffic, not a payload left undecoded.
	 */
	enum gre_control gre_control;

	struct packet_link link;
	struct packet_arp arp;
	struct packet_ip ip;
	struct packet_ipv4 ipv4;
	struct packet_ipv6 ipv6;
	struct packet_icmp icmp;
	struct packet_udp udp;
	struct packet_tcp tcp;

	/* Transport payload: captured bytes, and its length on the wire. */
	struct byte_view payload;
	uint32_t payload_wire_len;

	uint8_t anomaly_count;
	uint8_t anomalies_dropped; /* more than PACKET_MAX_ANOMALIES */
	uint8_t anomalies[PACKET_MAX_ANOMALIES]; /* enum packet_anomaly */

	/*
	 * The layers of encapsulation, outermost first: only the first
	 * encap_count are valid (packet_reset() leaves the rest as they
	 * were, and encap_push() fills an entry whole).  Keep it last.
	 */
	uint8_t encap_count;
	struct packet_encap encaps[PACKET_MAX_ENCAPS];
};

/*
 * The latest time a capture can carry: just past classic pcap's unsigned
 * 32-bit seconds (2106).  Later pcapng times are held here by the
 * capture source and counted as bad.  Every time stays within
 * +-PKT_TIME_MAX_SEC, so the difference of any two, and a time plus any
 * configured duration, fit in int64 nanoseconds.
 */
#define PKT_TIME_MAX_SEC INT64_C(4300000000)

/* A time as ns since the epoch, held within +-PKT_TIME_MAX_SEC. */
static inline int64_t pkt_time_ns(struct pkt_time t)
{
	if (t.sec >= PKT_TIME_MAX_SEC)
		return PKT_TIME_MAX_SEC * 1000000000;
	if (t.sec <= -PKT_TIME_MAX_SEC)
		return -PKT_TIME_MAX_SEC * 1000000000;
	return t.sec * 1000000000 + (int64_t)t.nsec;
}

/* Resets the fields decode_packet() fills; cheap enough per packet. */
void packet_reset(struct packet *pkt);

_Static_assert(PROTO_COUNT <= 64, "protos_seen has a bit per protocol");

static inline bool packet_has(const struct packet *pkt, enum proto p)
{
	return (pkt->protos_seen & (UINT64_C(1) << p)) != 0;
}

static inline void packet_mark(struct packet *pkt, enum proto p)
{
	pkt->protos_seen |= UINT64_C(1) << p;
}

/* Records where and why decoding stopped; returns the status. */
static inline enum decode_status packet_stop(struct packet *pkt,
					     enum proto p,
					     enum decode_status st)
{
	pkt->status = st;
	pkt->status_proto = p;
	return st;
}

void packet_add_anomaly(struct packet *pkt, enum packet_anomaly a);
bool packet_has_anomaly(const struct packet *pkt, enum packet_anomaly a);

const char *packet_anomaly_key(enum packet_anomaly a);
enum proto packet_anomaly_proto(enum packet_anomaly a);
const char *proto_name(enum proto p);   /* "ipv4", "tcp", ... */
const char *link_type_name(enum link_type lt); /* "EN10MB", ... */
const char *decode_status_name(enum decode_status st);
const char *cksum_status_name(enum cksum_status st);
/* "mpls", "vxlan", ...: the kind alone ("ipip" for any IP in IP). */
const char *encap_kind_name(enum encap_kind k);
/* The layer's name: its kind's, but "6in4", "4in6", "6in6" for IP in IP. */
const char *encap_name(const struct packet_encap *e);
/* The innermost tunnel layer (one with IP endpoints), or NULL. */
const struct packet_encap *packet_innermost_tunnel(const struct packet *pkt);
/*
 * Whether the traffic the frame carries has protocol p: packet_has()
 * for a frame that went through no tunnel, whose protocol bits are its
 * only network and transport layers; past a tunnel the bits hold its
 * outer IPv4/IPv6 and UDP too, and IPv4, IPv6, TCP, UDP, ICMP and ICMPv6
 * are the innermost IP header's (pkt->ip, pkt->tcp ...), or none when
 * the tunnel carried something else (ARP in VXLAN).
 */
bool packet_inner_has(const struct packet *pkt, enum proto p);

#endif
