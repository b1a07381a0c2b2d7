/*
 * VLAN tags: IEEE 802.1Q (0x8100), 802.1ad service tags (0x88a8) and the
 * pre-standard QinQ 0x9100.  Each tag is TCI(2) then the next type(2).
 *
 * Tags nest through decode_ethertype(), so the depth cap below is what
 * bounds the recursion on a crafted endless stack (Suricata caps its
 * VLAN layers the same way).
 */
#include "decode.h"

enum decode_status vlan_decode(struct cursor *c, struct packet *pkt,
			       uint16_t tpid)
{
	struct packet_link *l = &pkt->link;
	uint16_t tci, type;

	packet_mark(pkt, PROTO_VLAN);
	if (l->vlan_count >= PACKET_MAX_VLANS) {
		packet_add_anomaly(pkt, PKT_ANOM_VLAN_TOO_DEEP);
		return packet_stop(pkt, PROTO_VLAN, DECODE_MALFORMED);
	}
	if (!cursor_be16(c, &tci))
		return packet_stop(pkt, PROTO_VLAN, cursor_fail(c));
	l->vlans[l->vlan_count].tpid = tpid;
	l->vlans[l->vlan_count].tci = tci;
	l->vlan_count++;
	if (!cursor_be16(c, &type))
		return packet_stop(pkt, PROTO_VLAN, cursor_fail(c));
	/*
	 * IEEE 802.1Q 9.5 lets a tag carry an 802.3 length instead of a
	 * type (tagged LLC, e.g. Cisco PVST+ BPDUs): Ethernet's rules apply.
	 */
	return ethernet_decode_type_length(c, pkt, type, PROTO_VLAN);
}
