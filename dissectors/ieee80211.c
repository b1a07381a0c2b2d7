/*
 * IEEE 802.11 data frames (link type 105, and behind radiotap or PPI).
 *
 * Frame control (little-endian) gives the type, subtype and flags; a
 * data frame's header is 24 bytes, 30 with the fourth address (both DS
 * bits set, a wireless distribution system), 2 more for QoS data (the
 * QoS control field, subtype bit 3) and 4 more with an HT control field
 * (QoS data with the Order flag, 802.11n).  The body starts with LLC and
 * SNAP, handed to llc.c.  What cannot be decoded is recognised and left:
 * management, control and extension frames, data frames without a body
 * (Null, QoS Null, CF-Ack ...), protected (encrypted) bodies, fragments
 * (not reassembled), and A-MSDUs, whose several subframes one decoded
 * packet cannot hold.
 */
#include "decode.h"

#include <string.h>

enum {
	WLAN_TYPE_DATA = 2,
	WLAN_TYPE_OTHER_VERSION = 4,    /* not a type: the version is not 0 */
	WLAN_SUBTYPE_QOS = 0x08,
	WLAN_SUBTYPE_NO_BODY = 0x04,
	WLAN_FLAG_TO_DS = 0x01,
	WLAN_FLAG_FROM_DS = 0x02,
	WLAN_FLAG_MORE_FRAGS = 0x04,
	WLAN_FLAG_PROTECTED = 0x40,
	WLAN_FLAG_ORDER = 0x80,
	WLAN_FRAG_NUMBER_MASK = 0x000f,
	WLAN_QOS_AMSDU = 0x0080,
	WLAN_ADDR_LEN = 6,
	WLAN_HT_CONTROL_LEN = 4,
	WLAN_FCS_LEN = 4,
};

/* The body's source and destination, by the DS bits (802.11 9.3.2.1). */
static void ieee80211_set_macs(struct packet_link *l, uint8_t flags,
			       const uint8_t addr[4][WLAN_ADDR_LEN])
{
	bool to_ds = flags & WLAN_FLAG_TO_DS, from_ds = flags & WLAN_FLAG_FROM_DS;

	memcpy(l->mac_dst, addr[to_ds ? 2 : 0], WLAN_ADDR_LEN);
	memcpy(l->mac_src, addr[from_ds ? (to_ds ? 3 : 2) : 1], WLAN_ADDR_LEN);
	l->has_mac_dst = true;
	l->has_mac_src = true;
}

static bool ieee80211_read_addrs(struct cursor *c, uint8_t flags,
				 uint8_t addr[4][WLAN_ADDR_LEN],
				 uint16_t *seq_ctl)
{
	bool four = (flags & (WLAN_FLAG_TO_DS | WLAN_FLAG_FROM_DS)) ==
		    (WLAN_FLAG_TO_DS | WLAN_FLAG_FROM_DS);

	return cursor_skip(c, 2) && /* duration/id */
	       cursor_copy(c, addr[0], WLAN_ADDR_LEN) &&
	       cursor_copy(c, addr[1], WLAN_ADDR_LEN) &&
	       cursor_copy(c, addr[2], WLAN_ADDR_LEN) &&
	       cursor_le16(c, seq_ctl) &&
	       (!four || cursor_copy(c, addr[3], WLAN_ADDR_LEN));
}

/* QoS control (is the body an A-MSDU?) and HT control. */
static bool ieee80211_read_qos(struct cursor *c, struct packet_link *l)
{
	uint16_t qos;

	if (!(l->wlan_subtype & WLAN_SUBTYPE_QOS))
		return true;
	if (!cursor_le16(c, &qos))
		return false;
	l->wlan_amsdu = (qos & WLAN_QOS_AMSDU) != 0;
	return !(l->wlan_flags & WLAN_FLAG_ORDER) ||
	       cursor_skip(c, WLAN_HT_CONTROL_LEN);
}

/* Radiotap's data-pad flag: the body starts 4-aligned from the frame. */
static bool ieee80211_skip_pad(struct cursor *c, size_t start, bool pad)
{
	size_t hlen = cursor_offset(c) - start;

	return !pad || hlen % 4 == 0 || cursor_skip(c, 4 - hlen % 4);
}

static enum decode_status ieee80211_body(struct cursor *c, struct packet *pkt)
{
	const struct packet_link *l = &pkt->link;

	if ((l->wlan_subtype & WLAN_SUBTYPE_NO_BODY) ||
	    (l->wlan_flags & (WLAN_FLAG_PROTECTED | WLAN_FLAG_MORE_FRAGS)) ||
	    l->wlan_fragment != 0 || l->wlan_amsdu)
		return packet_stop(pkt, PROTO_WLAN, DECODE_UNSUPPORTED);
	return llc_decode(c, pkt);
}

enum decode_status ieee80211_decode(struct cursor *c, struct packet *pkt,
				    const struct ieee80211_radio *radio)
{
	struct packet_link *l = &pkt->link;
	uint8_t fc0, addr[4][WLAN_ADDR_LEN];
	size_t start = cursor_offset(c);
	uint16_t seq_ctl = 0;

	packet_mark(pkt, PROTO_WLAN);
	l->framing = FRAMING_IEEE80211;
	if (radio->bad_fcs) {
		packet_add_anomaly(pkt, PKT_ANOM_WLAN_BAD_FCS);
		return packet_stop(pkt, PROTO_WLAN, DECODE_MALFORMED);
	}
	/* The FCS ends the frame on the wire: never body bytes. */
	if (radio->has_fcs)
		cursor_limit(c, cursor_wire_remaining(c) < WLAN_FCS_LEN
					? 0
					: cursor_wire_remaining(c) - WLAN_FCS_LEN);
	if (!cursor_u8(c, &fc0) || !cursor_u8(c, &l->wlan_flags))
		return packet_stop(pkt, PROTO_WLAN, cursor_fail(c));
	l->wlan_subtype = fc0 >> 4;
	/* Version 0 is the only one whose header this is (1 is 802.11ah's). */
	l->wlan_type = (fc0 & 0x03) == 0 ? (fc0 >> 2) & 0x03
					   : WLAN_TYPE_OTHER_VERSION;
	if (l->wlan_type != WLAN_TYPE_DATA)
		return packet_stop(pkt, PROTO_WLAN, DECODE_UNSUPPORTED);
	if (!ieee80211_read_addrs(c, l->wlan_flags, addr, &seq_ctl))
		return packet_stop(pkt, PROTO_WLAN, cursor_fail(c));
	l->wlan_fragment = seq_ctl & WLAN_FRAG_NUMBER_MASK;
	ieee80211_set_macs(l, l->wlan_flags, addr);
	if (!ieee80211_read_qos(c, l) ||
	    !ieee80211_skip_pad(c, start, radio->data_pad))
		return packet_stop(pkt, PROTO_WLAN, cursor_fail(c));
	return ieee80211_body(c, pkt);
}
