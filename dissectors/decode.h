/*
 * Entry point of the decode layer and the hand-off between dissectors.
 *
 * Each dissector has the shape
 *     enum decode_status X_decode(struct cursor *c, struct packet *pkt)
 * reads its header through the cursor, fills its part of pkt, marks its
 * protocol in pkt->protos_seen on entry, and hands the rest of the cursor
 * to the next layer through an explicit dispatch on ethertype or protocol.
 * On a truncated, malformed or unsupported layer it returns
 * packet_stop(pkt, PROTO_X, status) and decoding ends there; everything
 * decoded before stays valid.  No dissector allocates or prints.
 */
#ifndef TCPLENS_DECODE_H
#define TCPLENS_DECODE_H

#include <stdint.h>

#include "cursor.h"
#include "packet.h"

/*
 * Decodes one captured frame into *pkt (which it resets first, keeping
 * nothing from a previous packet).  frame_no and ts are the caller's.
 */
enum decode_status decode_packet(struct packet *pkt, enum link_type lt,
				 const uint8_t *data, uint32_t cap_len,
				 uint32_t wire_len);

/*
 * As decode_packet(), but the checksums (TCP, UDP, ICMP, ICMPv6 and the
 * IPv4 header) are only computed when checksums is true: an analysis
 * that does not report them saves their cost (about a fifth of
 * decoding).  They are then CKSUM_NOT_CHECKED.
 */
enum decode_status decode_packet_opt(struct packet *pkt, enum link_type lt,
				     const uint8_t *data, uint32_t cap_len,
				     uint32_t wire_len, bool checksums);

/* Hand-offs (decode.c). */
enum decode_status decode_ethertype(struct cursor *c, struct packet *pkt,
				    uint16_t ethertype);
enum decode_status decode_ip_version(struct cursor *c, struct packet *pkt);
enum decode_status decode_transport(struct cursor *c, struct packet *pkt,
				    uint8_t ip_proto);
/*
 * Ends the cursor at the IP payload's declared end, so link-layer
 * padding past it is never taken for transport bytes.  Each transport
 * dissector does it first: they are also called directly, by reassembly
 * and by tests, on cursors the IP layer did not clamp.
 */
void decode_clamp_to_ip(struct cursor *c, const struct packet *pkt);
/*
 * For a transport dissector whose header ran out (why) at the cursor
 * whole, set at the start of its header: true when that is a first
 * fragment ending inside the header, noted, its bytes left as payload.
 */
bool decode_transport_split(struct cursor *whole, struct packet *pkt,
			    enum decode_status why);

/*
 * Encapsulation (encap.c).  encap_push() records a link-layer framing's
 * layer, encap_push_tunnel() a tunnel's, with the outer IP (and UDP)
 * header the packet holds now; both return NULL, with ENCAP_TOO_DEEP
 * noted, when PACKET_MAX_ENCAPS layers are there already, and the
 * caller stops unsupported.  The encap_decode_*() hand-offs clear the
 * network and transport parts for the inner headers, then decode them:
 * by ethertype (IPv4 and IPv6 only, else unsupported at self), by the IP
 * version nibble, or as an Ethernet frame, or by any ethertype.
 */
struct packet_encap *encap_push(struct packet *pkt, enum encap_kind kind);
struct packet_encap *encap_push_tunnel(struct packet *pkt,
				       enum encap_kind kind);
enum decode_status encap_decode_ip(struct cursor *c, struct packet *pkt,
				   enum proto self, uint16_t ethertype);
enum decode_status encap_decode_ip_by_version(struct cursor *c,
					      struct packet *pkt,
					      enum proto self);
enum decode_status encap_decode_ethernet(struct cursor *c, struct packet *pkt);
/* PPP, its address and control octets optional (GRE: PPTP). */
enum decode_status encap_decode_ppp(struct cursor *c, struct packet *pkt);
/*
 * A UDP tunnel's header that the cursor could not read: truncated by
 * the capture, it is the tunnel's (marked, stopped truncated at self);
 * too short on the wire, it is no tunnel and the datagram stays UDP.
 */
enum decode_status encap_udp_unsure(struct cursor *c, struct packet *pkt,
				    enum proto self);
enum decode_status encap_decode_ethertype(struct cursor *c, struct packet *pkt,
					  uint16_t ethertype);

/* Link layer. */
enum decode_status ethernet_decode(struct cursor *c, struct packet *pkt);
/* The type-or-length field after the MACs or a VLAN tag; at is the
 * layer a bad value is blamed on. */
enum decode_status ethernet_decode_type_length(struct cursor *c,
					       struct packet *pkt,
					       uint16_t type_len, enum proto at);
enum decode_status llc_decode(struct cursor *c, struct packet *pkt);
enum decode_status vlan_decode(struct cursor *c, struct packet *pkt,
			       uint16_t tpid);
enum decode_status sll_decode(struct cursor *c, struct packet *pkt);
enum decode_status sll2_decode(struct cursor *c, struct packet *pkt);
enum decode_status loopback_decode(struct cursor *c, struct packet *pkt,
				   enum link_type lt);
enum decode_status arp_decode(struct cursor *c, struct packet *pkt,
			      bool is_rarp);
enum decode_status ppp_decode(struct cursor *c, struct packet *pkt);
enum decode_status ppp_hdlc_decode(struct cursor *c, struct packet *pkt);
/* PPP's protocol field and what it carries (PPPoE, GRE, the links). */
enum decode_status ppp_decode_protocol(struct cursor *c, struct packet *pkt);
/* The address and control octets when there, then the protocol. */
enum decode_status ppp_decode_framed(struct cursor *c, struct packet *pkt);
enum decode_status chdlc_decode(struct cursor *c, struct packet *pkt);
/* What the radio header (radiotap, PPI) says of the 802.11 frame. */
struct ieee80211_radio {
	bool has_fcs;           /* the frame ends with its 4-byte FCS */
	bool data_pad;          /* the body is 4-aligned after the header */
	bool bad_fcs;           /* the receiver found the FCS wrong */
};
enum decode_status ieee80211_decode(struct cursor *c, struct packet *pkt,
				    const struct ieee80211_radio *radio);
enum decode_status radiotap_decode(struct cursor *c, struct packet *pkt);
enum decode_status ppi_decode(struct cursor *c, struct packet *pkt);

/* Link-layer encapsulations, each behind its ethertype. */
enum decode_status mpls_decode(struct cursor *c, struct packet *pkt);
enum decode_status pppoe_decode(struct cursor *c, struct packet *pkt);
enum decode_status pbb_decode(struct cursor *c, struct packet *pkt);
enum decode_status fabricpath_decode(struct cursor *c, struct packet *pkt);
enum decode_status vntag_decode(struct cursor *c, struct packet *pkt);

/*
 * Tunnels.  GRE and IP in IP behind their IP protocol (never from a
 * fragment: reassembly feeds the whole datagram back); the UDP ones
 * behind their port (udp_decode_tunnel), each returning DECODE_OK with
 * the datagram left as UDP payload when its header does not look like
 * the tunnel's.
 */
enum decode_status gre_decode(struct cursor *c, struct packet *pkt);
/* type: 1, 2 or 3, from the GRE header (gre.c). */
enum decode_status erspan_decode(struct cursor *c, struct packet *pkt,
				 unsigned type);
enum decode_status ipip_decode(struct cursor *c, struct packet *pkt,
			       uint8_t ip_proto);
enum decode_status udp_decode_tunnel(struct cursor *c, struct packet *pkt);
enum decode_status vxlan_decode(struct cursor *c, struct packet *pkt);
enum decode_status geneve_decode(struct cursor *c, struct packet *pkt);
enum decode_status gtpu_decode(struct cursor *c, struct packet *pkt);
enum decode_status teredo_decode(struct cursor *c, struct packet *pkt);
enum decode_status ayiya_decode(struct cursor *c, struct packet *pkt);

/* Network layer. */
enum decode_status ipv4_decode(struct cursor *c, struct packet *pkt);
enum decode_status ipv6_decode(struct cursor *c, struct packet *pkt);
/* An IPv6 extension header that precedes the upper layer? */
bool ipv6_is_extension_header(uint8_t nh);

/* Transport layer. */
enum decode_status icmp_decode(struct cursor *c, struct packet *pkt);
enum decode_status icmpv6_decode(struct cursor *c, struct packet *pkt);
enum decode_status udp_decode(struct cursor *c, struct packet *pkt);
enum decode_status tcp_decode(struct cursor *c, struct packet *pkt);

/* Ethertypes and IP protocol numbers the dispatchers switch on. */
enum {
	ETHERTYPE_IPV4 = 0x0800,
	ETHERTYPE_ARP = 0x0806,
	ETHERTYPE_RARP = 0x8035,
	ETHERTYPE_VLAN = 0x8100,
	ETHERTYPE_QINQ = 0x88a8,
	ETHERTYPE_QINQ_OLD = 0x9100,
	ETHERTYPE_IPV6 = 0x86dd,
	ETHERTYPE_MPLS = 0x8847,
	ETHERTYPE_MPLS_MULTICAST = 0x8848,
	ETHERTYPE_PPPOE_SESSION = 0x8864,
	ETHERTYPE_PBB_ITAG = 0x88e7,
	ETHERTYPE_FABRICPATH = 0x8903,
	ETHERTYPE_VNTAG = 0x8926,
};

/* UDP ports of the tunnels decoded (IANA). */
enum {
	UDP_PORT_GTP_U = 2152,
	UDP_PORT_TEREDO = 3544,
	UDP_PORT_VXLAN = 4789,
	UDP_PORT_AYIYA = 5072,
	UDP_PORT_GENEVE = 6081,
};

enum {
	IPPROTO_NUM_HOPOPTS = 0,
	IPPROTO_NUM_ICMP = 1,
	IPPROTO_NUM_IPIP = 4,
	IPPROTO_NUM_TCP = 6,
	IPPROTO_NUM_UDP = 17,
	IPPROTO_NUM_IPV6 = 41,
	IPPROTO_NUM_ROUTING = 43,
	IPPROTO_NUM_FRAGMENT = 44,
	IPPROTO_NUM_GRE = 47,
	IPPROTO_NUM_ESP = 50,
	IPPROTO_NUM_AH = 51,
	IPPROTO_NUM_ICMPV6 = 58,
	IPPROTO_NUM_NONE = 59,
	IPPROTO_NUM_DSTOPTS = 60,
	IPPROTO_NUM_MOBILITY = 135,
	IPPROTO_NUM_HIP = 139,
	IPPROTO_NUM_SHIM6 = 140,
};

#endif
