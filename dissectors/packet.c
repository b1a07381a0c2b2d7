#include "packet.h"

#include <stddef.h>
#include <string.h>

#include "decode.h"

void packet_reset(struct packet *pkt)
{
	/*
	 * The struct up to the encapsulation entries is ~600 bytes;
	 * clearing it keeps stale fields of a previous packet from leaking
	 * into this one.  The entries (another ~250) are not cleared: only
	 * the first encap_count are read, and each is filled whole.
	 */
	memset(pkt, 0, offsetof(struct packet, encaps));
}

void packet_add_anomaly(struct packet *pkt, enum packet_anomaly a)
{
	if (pkt->anomaly_count < PACKET_MAX_ANOMALIES)
		pkt->anomalies[pkt->anomaly_count++] = (uint8_t)a;
	else if (pkt->anomalies_dropped < UINT8_MAX)
		pkt->anomalies_dropped++;
}

bool packet_has_anomaly(const struct packet *pkt, enum packet_anomaly a)
{
	for (unsigned i = 0; i < pkt->anomaly_count; i++)
		if (pkt->anomalies[i] == a)
			return true;
	return false;
}

static const char *const anomaly_keys[PKT_ANOM_COUNT] = {
#define PACKET_ANOMALY_KEY(name, proto, key) [PKT_ANOM_##name] = key,
	PACKET_ANOMALY_LIST(PACKET_ANOMALY_KEY)
#undef PACKET_ANOMALY_KEY
};

static const enum proto anomaly_protos[PKT_ANOM_COUNT] = {
#define PACKET_ANOMALY_PROTO(name, proto, key) [PKT_ANOM_##name] = proto,
	PACKET_ANOMALY_LIST(PACKET_ANOMALY_PROTO)
#undef PACKET_ANOMALY_PROTO
};

const char *packet_anomaly_key(enum packet_anomaly a)
{
	return (unsigned)a < PKT_ANOM_COUNT ? anomaly_keys[a] : "unknown";
}

enum proto packet_anomaly_proto(enum packet_anomaly a)
{
	return (unsigned)a < PKT_ANOM_COUNT ? anomaly_protos[a] : PROTO_COUNT;
}

const char *proto_name(enum proto p)
{
	static const char *const names[PROTO_COUNT] = {
		[PROTO_ETHERNET] = "eth",      [PROTO_LLC] = "llc",
		[PROTO_SNAP] = "snap",         [PROTO_VLAN] = "vlan",
		[PROTO_LINUX_SLL] = "sll",     [PROTO_LINUX_SLL2] = "sll2",
		[PROTO_LOOPBACK] = "loopback", [PROTO_RAW_IP] = "raw",
		[PROTO_PPP] = "ppp",           [PROTO_CHDLC] = "chdlc",
		[PROTO_RADIOTAP] = "radiotap", [PROTO_PPI] = "ppi",
		[PROTO_WLAN] = "wlan",         [PROTO_VNTAG] = "vntag",
		[PROTO_FABRICPATH] = "fabricpath", [PROTO_PBB] = "pbb",
		[PROTO_PPPOE] = "pppoe",       [PROTO_MPLS] = "mpls",
		[PROTO_ARP] = "arp",           [PROTO_RARP] = "rarp",
		[PROTO_IPV4] = "ipv4",         [PROTO_IPV6] = "ipv6",
		[PROTO_ICMP] = "icmp",         [PROTO_ICMPV6] = "icmpv6",
		[PROTO_UDP] = "udp",           [PROTO_TCP] = "tcp",
		[PROTO_GRE] = "gre",           [PROTO_ERSPAN] = "erspan",
		[PROTO_VXLAN] = "vxlan",       [PROTO_GENEVE] = "geneve",
		[PROTO_GTP] = "gtp",           [PROTO_TEREDO] = "teredo",
		[PROTO_AYIYA] = "ayiya",
	};
	return (unsigned)p < PROTO_COUNT ? names[p] : "unknown";
}

const char *link_type_name(enum link_type lt)
{
	/* libpcap's names (pcap_datalink_val_to_name) for familiarity. */
	static const char *const names[LINK_TYPE_COUNT] = {
		[LINK_TYPE_ETHERNET] = "EN10MB",
		[LINK_TYPE_NULL] = "NULL",
		[LINK_TYPE_LOOP] = "LOOP",
		[LINK_TYPE_RAW] = "RAW",
		[LINK_TYPE_IPV4] = "IPV4",
		[LINK_TYPE_IPV6] = "IPV6",
		[LINK_TYPE_LINUX_SLL] = "LINUX_SLL",
		[LINK_TYPE_LINUX_SLL2] = "LINUX_SLL2",
		[LINK_TYPE_PPP] = "PPP",
		[LINK_TYPE_PPP_HDLC] = "PPP_SERIAL",
		[LINK_TYPE_C_HDLC] = "C_HDLC",
		[LINK_TYPE_IEEE802_11] = "IEEE802_11",
		[LINK_TYPE_IEEE802_11_RADIOTAP] = "IEEE802_11_RADIO",
		[LINK_TYPE_PPI] = "PPI",
	};
	return (unsigned)lt < LINK_TYPE_COUNT ? names[lt] : "unknown";
}

const char *decode_status_name(enum decode_status st)
{
	switch (st) {
	case DECODE_OK: return "ok";
	case DECODE_TRUNCATED: return "truncated";
	case DECODE_MALFORMED: return "malformed";
	case DECODE_UNSUPPORTED: return "unsupported";
	}
	return "unknown";
}

const char *encap_kind_name(enum encap_kind k)
{
	static const char *const names[ENCAP_KIND_COUNT] = {
		[ENCAP_NONE] = "none",         [ENCAP_MPLS] = "mpls",
		[ENCAP_PPPOE] = "pppoe",       [ENCAP_PBB] = "pbb",
		[ENCAP_FABRICPATH] = "fabricpath",
		[ENCAP_VNTAG] = "vntag",       [ENCAP_GRE] = "gre",
		[ENCAP_ERSPAN] = "erspan",     [ENCAP_VXLAN] = "vxlan",
		[ENCAP_GENEVE] = "geneve",     [ENCAP_IP_IN_IP] = "ipip",
		[ENCAP_GTP_U] = "gtpu",        [ENCAP_TEREDO] = "teredo",
		[ENCAP_AYIYA] = "ayiya",
	};
	return (unsigned)k < ENCAP_KIND_COUNT ? names[k] : "unknown";
}

/* RFC 2003 (IPv4 in IPv4, protocol 4), RFC 4213 (IPv6 in IPv4, 41). */
const char *encap_name(const struct packet_encap *e)
{
	bool v6_outer = e->src.family == 6, v6_inner = e->outer_proto == 41;

	if (e->kind != ENCAP_IP_IN_IP)
		return encap_kind_name((enum encap_kind)e->kind);
	if (v6_outer)
		return v6_inner ? "6in6" : "4in6";
	return v6_inner ? "6in4" : "ipip";
}

const struct packet_encap *packet_innermost_tunnel(const struct packet *pkt)
{
	for (unsigned i = pkt->encap_count; i > 0; i--)
		if (pkt->encaps[i - 1].src.family != 0)
			return &pkt->encaps[i - 1];
	return NULL;
}

bool packet_inner_has(const struct packet *pkt, enum proto p)
{
	const struct packet_ip *ip = &pkt->ip;

	if (!packet_has(pkt, p) || packet_innermost_tunnel(pkt) == NULL)
		return packet_has(pkt, p);
	switch (p) {
	case PROTO_IPV4:
		return ip->version == 4;
	case PROTO_IPV6:
		return ip->version == 6;
	case PROTO_TCP:
		return ip->version != 0 && ip->proto == IPPROTO_NUM_TCP;
	case PROTO_UDP:
		return ip->version != 0 && ip->proto == IPPROTO_NUM_UDP;
	case PROTO_ICMP:
		return ip->version != 0 && ip->proto == IPPROTO_NUM_ICMP;
	case PROTO_ICMPV6:
		return ip->version != 0 && ip->proto == IPPROTO_NUM_ICMPV6;
	default:
		return true;
	}
}

const char *cksum_status_name(enum cksum_status st)
{
	switch (st) {
	case CKSUM_NOT_CHECKED: return "not_checked";
	case CKSUM_GOOD: return "good";
	case CKSUM_BAD: return "bad";
	case CKSUM_BAD_OFFLOADED: return "bad_offloaded";
	case CKSUM_UNVERIFIABLE: return "unverifiable";
	case CKSUM_ABSENT: return "absent";
	}
	return "unknown";
}
