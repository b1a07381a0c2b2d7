/*
 * Why a frame was not analysed: the one place that reads what the
 * decoders left undecoded (the link's ethertype, the IP protocol, the
 * UDP port of a tunnel, the payload of a framing or tunnel decoded).
 * When a decoder learns an encapsulation, its frames come out analysed
 * and leave these tables unread.  Past a tunnel, the traffic judged is
 * the innermost (packet_inner_has()).
 */
#include "quality_internal.h"

#include <string.h>

#include "proto_stats.h"

struct code_name {
	uint32_t code;
	const char *name;
	bool encap;                 /* carries traffic of its own */
};

/*
 * Ethertypes the Ethernet decoder hands back undecoded.  Encapsulations
 * first: what they carry is traffic the analysis does not see.  MPLS,
 * PPPoE, PBB, FabricPath, VN-Tag, TEB and ERSPAN are decoded: a frame of
 * theirs is here only when its payload was not (classify_payload()).
 */
static const struct code_name ethertypes[] = {
	{0x8847, "MPLS", true},
	{0x8848, "MPLS multicast", true},
	{0x8864, "PPPoE session", true},
	{0x88e7, "802.1ah PBB", true},
	{0x8903, "Cisco FabricPath", true},
	{0x8926, "VN-Tag", true},
	{0x6558, "transparent Ethernet bridging", true},
	{0x88be, "ERSPAN", true},
	{0x22eb, "ERSPAN type III", true},
	{0x88e5, "MACsec", true},
	{0x0806, "ARP", false},
	{0x8035, "RARP", false},
	{0x8863, "PPPoE discovery", false},
	{0x88cc, "LLDP", false},
	{0x888e, "EAPOL", false},
	{0x0842, "Wake-on-LAN", false},
	{0x8137, "IPX", false},
	{0x8809, "slow protocols (LACP)", false},
	{0x88f7, "PTP", false},
	{0x9000, "Ethernet loopback", false},
};

/*
 * IP protocols other than TCP, UDP, ICMP and ICMPv6.  IP in IP and GRE
 * are decoded: a frame of theirs is here when nested too deep
 * (classify_payload()), or GRE when it carries a protocol not decoded.
 */
static const struct code_name ip_protos[] = {
	{4, "IP in IP", true},
	{41, "IPv6 in IP (6in4)", true},
	{47, "GRE carrying a protocol not decoded", true},
	{97, "EtherIP", true},
	{115, "L2TPv3", true},
	{137, "MPLS in IP", true},
	{2, "IGMP", false},
	{33, "DCCP", false},
	{50, "ESP", false},
	{51, "AH", false},
	{89, "OSPF", false},
	{103, "PIM", false},
	{112, "VRRP", false},
	{132, "SCTP", false},
	{136, "UDP-Lite", false},
};

/*
 * UDP ports of tunnels.  The ones decoded (encap true here: VXLAN,
 * Geneve, GTP-U, Teredo, AYIYA) leave a datagram plain UDP when it is
 * not theirs (no VXLAN I flag ...) or carries no traffic (GTP-U echo);
 * only one whose tunnel header was cut or whose payload is not decoded
 * hides traffic.  Of the others the outer datagram is analysed, not the
 * inside.
 */
static const struct code_name tunnel_ports[] = {
	{4789, "VXLAN", true},
	{6081, "Geneve", true},
	{2152, "GTP-U", true},
	{3544, "Teredo", true},
	{5072, "AYIYA", true},
	{8472, "VXLAN on Linux's default port (flannel)", false},
	{4341, "LISP", false},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const struct code_name *lookup(const struct code_name *t, size_t n,
				      uint32_t code)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return &t[i];
	return NULL;
}

static void set(struct quality_detail *what, enum quality_reason reason,
		enum quality_code_kind kind, uint32_t code, const char *name)
{
	what->reason = reason;
	what->kind = kind;
	what->code = code;
	what->name = name;
	what->frames = 0;
}

/*
 * A header that failed its bounds-checked read, bucketed where decoding
 * stopped: cut by the snaplen when the frame was (as the snaplen count
 * of capture_quality.c judges it), else malformed.  False when decoding
 * did not fail.
 */
static bool classify_failure(const struct packet *pkt,
			     struct quality_detail *what)
{
	enum quality_reason reason = QUALITY_MALFORMED;

	if (pkt->status != DECODE_TRUNCATED && pkt->status != DECODE_MALFORMED)
		return false;
	if (pkt->status == DECODE_TRUNCATED && pkt->cap_len < pkt->wire_len)
		reason = QUALITY_SNAPLEN_CUT;
	set(what, reason, QUALITY_CODE_NONE, 0, proto_name(pkt->status_proto));
	return true;
}

/* 802.11 frames left: the ones without traffic, and the hidden. */
static void classify_wlan(const struct packet *pkt, struct quality_detail *what)
{
	static const struct {
		enum quality_reason reason;
		const char *name;
	} skip[WLAN_SKIP_COUNT] = {
		[WLAN_SKIP_MANAGEMENT] = {QUALITY_NON_IP, "802.11 management"},
		[WLAN_SKIP_CONTROL] = {QUALITY_NON_IP, "802.11 control"},
		[WLAN_SKIP_NO_BODY] = {QUALITY_NON_IP, "802.11 data without a body (Null)"},
		[WLAN_SKIP_PROTECTED] = {QUALITY_UNDECODED_ENCAP, "802.11 encrypted data"},
		[WLAN_SKIP_FRAGMENT] = {QUALITY_UNDECODED_ENCAP, "802.11 fragments"},
		[WLAN_SKIP_AMSDU] = {QUALITY_UNDECODED_ENCAP, "802.11 A-MSDUs"},
		[WLAN_SKIP_OTHER] = {QUALITY_UNDECODED_ENCAP, "802.11 of another version"},
	};
	enum wlan_skip w = wlan_skip_of(&pkt->link);

	set(what, skip[w].reason, QUALITY_CODE_NONE, 0, skip[w].name);
}

/*
 * Framings and tunnels whose every payload not decoded hides traffic:
 * what they carried instead.
 */
static bool classify_undecoded_payload(const struct packet *pkt,
				       struct quality_detail *what)
{
	static const struct {
		enum proto proto;
		const char *name;
	} undecoded[] = {
		{PROTO_MPLS, "MPLS carrying neither IP nor Ethernet"},
		{PROTO_GENEVE, "Geneve carrying neither Ethernet nor IP"},
		{PROTO_GTP, "GTP-U carrying neither IPv4 nor IPv6"},
		{PROTO_PPI, "PPI carrying neither 802.11 nor Ethernet"},
	};

	for (size_t i = 0; i < N_OF(undecoded); i++)
		if (undecoded[i].proto == pkt->status_proto) {
			set(what, QUALITY_UNDECODED_ENCAP, QUALITY_CODE_NONE, 0,
			    undecoded[i].name);
			return true;
		}
	return false;
}

/*
 * A framing or tunnel tcplens decodes whose payload it did not decode:
 * what the payload was.  Control protocols and management frames carry
 * no traffic; the rest hides some.  False when pkt is no such frame.
 */
static bool classify_payload(const struct packet *pkt,
			     struct quality_detail *what)
{
	const struct packet_link *l = &pkt->link;

	if (pkt->status != DECODE_UNSUPPORTED)
		return false;
	if (packet_has_anomaly(pkt, PKT_ANOM_ENCAP_TOO_DEEP)) {
		set(what, QUALITY_UNDECODED_ENCAP, QUALITY_CODE_NONE, 0,
		    "encapsulations nested more than 4 deep");
		return true;
	}
	switch (pkt->status_proto) {
	case PROTO_PPP:
		/* RFC 1661: 0x8000 and up are NCPs and link control. */
		if (l->ppp_protocol >= 0x8000)
			set(what, QUALITY_NON_IP, QUALITY_CODE_NONE, 0,
			    "PPP control (LCP, IPCP, authentication ...)");
		else
			set(what, QUALITY_UNDECODED_ENCAP, QUALITY_CODE_NONE, 0,
			    "PPP carrying neither IP nor MPLS");
		return true;
	case PROTO_CHDLC:
		set(what, QUALITY_NON_IP, QUALITY_CODE_ETHERTYPE, l->ethertype,
		    l->ethertype == 0x8035 ? "Cisco SLARP" : "CDP");
		return true;
	case PROTO_WLAN:
		classify_wlan(pkt, what);
		return true;
	case PROTO_GRE:
		/* Another protocol type is looked up as IP protocol 47. */
		if (pkt->gre_control == GRE_CONTROL_NONE)
			return false;
		set(what, QUALITY_NON_IP, QUALITY_CODE_NONE, 0,
		    pkt->gre_control == GRE_CONTROL_KEEPALIVE
			    ? "GRE keepalive"
			    : "PPTP acknowledgement without payload");
		return true;
	default:
		return classify_undecoded_payload(pkt, what);
	}
}

/* A frame without IPv4 or IPv6: why. */
static void classify_link(const struct packet *pkt, struct quality_detail *what)
{
	const struct code_name *e;

	if (packet_has(pkt, PROTO_ARP) || packet_has(pkt, PROTO_RARP)) {
		bool rarp = packet_has(pkt, PROTO_RARP);

		set(what, QUALITY_NON_IP, QUALITY_CODE_ETHERTYPE,
		    rarp ? 0x8035 : 0x0806, rarp ? "RARP" : "ARP");
		return;
	}
	if (classify_failure(pkt, what) || classify_payload(pkt, what))
		return;
	if (pkt->link.ethertype != 0) {
		e = lookup(ethertypes, N_OF(ethertypes), pkt->link.ethertype);
		set(what, e != NULL && e->encap ? QUALITY_UNDECODED_ENCAP
						: QUALITY_NON_IP,
		    QUALITY_CODE_ETHERTYPE, pkt->link.ethertype,
		    e != NULL ? e->name : NULL);
		return;
	}
	set(what, QUALITY_NON_IP, QUALITY_CODE_NONE, 0,
	    "link payload (LLC, STP, CDP ...)");
}

/*
 * IP carrying none of TCP, UDP, ICMP: a header broken or cut where
 * decoding stopped (IP's, or a tunnel's inside it), else its protocol.
 */
static void classify_ip_other(const struct packet *pkt,
			      struct quality_detail *what)
{
	const struct code_name *p;

	if (classify_failure(pkt, what) || classify_payload(pkt, what))
		return;
	p = lookup(ip_protos, N_OF(ip_protos), pkt->ip.proto);
	set(what, p != NULL && p->encap ? QUALITY_UNDECODED_ENCAP
					: QUALITY_OTHER_IP_PROTOCOL,
	    QUALITY_CODE_IP_PROTO, pkt->ip.proto, p != NULL ? p->name : NULL);
}

/* A tunnel's UDP port, by destination first (VXLAN's source is random). */
static const struct code_name *tunnel_of(const struct packet_udp *u)
{
	const struct code_name *t = lookup(tunnel_ports, N_OF(tunnel_ports),
					   u->dport);

	return t != NULL ? t : lookup(tunnel_ports, N_OF(tunnel_ports), u->sport);
}

static bool udp_tunnel_proto(enum proto p)
{
	return p == PROTO_VXLAN || p == PROTO_GENEVE || p == PROTO_GTP ||
	       p == PROTO_TEREDO || p == PROTO_AYIYA;
}

/*
 * Whether a datagram to a tunnel's port hides traffic: for the tunnels
 * decoded, only when its header was cut or broken, its payload not
 * decoded or nested too deep; GTP-U's signalling and AYIYA's other
 * opcodes carry none.
 */
static bool udp_tunnel_hides(const struct packet *pkt,
			     const struct code_name *t)
{
	if (!t->encap)
		return true;
	if (pkt->status == DECODE_OK || !udp_tunnel_proto(pkt->status_proto))
		return false;
	return pkt->status != DECODE_UNSUPPORTED ||
	       packet_has_anomaly(pkt, PKT_ANOM_ENCAP_TOO_DEEP) ||
	       (pkt->status_proto != PROTO_GTP &&
		pkt->status_proto != PROTO_AYIYA);
}

bool quality_classify(const struct packet *pkt, bool *analysed,
		      struct quality_detail *what)
{
	const struct code_name *t;

	*analysed = false;
	if (!packet_inner_has(pkt, PROTO_IPV4) &&
	    !packet_inner_has(pkt, PROTO_IPV6)) {
		classify_link(pkt, what);
		return true;
	}
	*analysed = true;
	if (pkt->ip.is_fragment)
		return false;
	if (packet_inner_has(pkt, PROTO_TCP)) {
		const struct packet_tcp *tcp = &pkt->tcp;

		if (tcp->header_ok && tcp->data_offset >= 20 &&
		    tcp->data_offset <= pkt->ip.payload_len)
			return false;
	} else if (packet_inner_has(pkt, PROTO_UDP)) {
		if (pkt->udp.header_ok) {
			t = tunnel_of(&pkt->udp);
			if (t == NULL || !udp_tunnel_hides(pkt, t))
				return false;
			set(what, QUALITY_TUNNEL_PAYLOAD, QUALITY_CODE_UDP_PORT,
			    t->code, t->name);
			return true;
		}
	} else if (packet_inner_has(pkt, PROTO_ICMP) ||
		   packet_inner_has(pkt, PROTO_ICMPV6)) {
		if (pkt->status == DECODE_OK || pkt->icmp.is_error ||
		    (pkt->status_proto != PROTO_ICMP &&
		     pkt->status_proto != PROTO_ICMPV6))
			return false;
	} else {
		*analysed = false;
		classify_ip_other(pkt, what);
		return true;
	}
	*analysed = false;
	if (!classify_failure(pkt, what))
		set(what, QUALITY_MALFORMED, QUALITY_CODE_NONE, 0,
		    proto_name(pkt->status_proto));
	return true;
}
