/*
 * PPI, the per-packet information header (link type 192, CACE
 * Technologies' specification 1.0): version(1) flags(1) length(2) and
 * the link type of what follows (4), little-endian, then fields of
 * type(2) length(2) data.  The 802.11-Common field (type 2) carries, 8
 * bytes in, flags: bit 0 an FCS ends the frame, bit 2 it was bad.  The
 * frame itself starts at length: 802.11 (105) or Ethernet (1).
 */
#include "decode.h"

enum {
	PPI_FIXED_LEN = 8,
	PPI_FIELD_HDR_LEN = 4,
	PPI_FIELD_80211_COMMON = 2,
	PPI_COMMON_FLAGS_AT = 8,
	PPI_COMMON_FCS = 0x0001,
	PPI_COMMON_BAD_FCS = 0x0004,
	PPI_DLT_EN10MB = 1,
	PPI_DLT_IEEE802_11 = 105,
};

/* Walks the fields of the header h for the 802.11-Common flags. */
static void ppi_radio(struct cursor *h, struct ieee80211_radio *radio)
{
	uint16_t type, len, flags;

	while (cursor_le16(h, &type) && cursor_le16(h, &len)) {
		if (type == PPI_FIELD_80211_COMMON &&
		    len >= PPI_COMMON_FLAGS_AT + 2 &&
		    cursor_peek_le16(h, PPI_COMMON_FLAGS_AT, &flags)) {
			radio->has_fcs = (flags & PPI_COMMON_FCS) != 0;
			radio->bad_fcs = (flags & PPI_COMMON_BAD_FCS) != 0;
			return;
		}
		if (!cursor_skip(h, len))
			return;
	}
}

enum decode_status ppi_decode(struct cursor *c, struct packet *pkt)
{
	struct ieee80211_radio radio = {0};
	struct cursor h;
	uint8_t version;
	uint16_t len;
	uint32_t dlt;

	packet_mark(pkt, PROTO_PPI);
	if (!cursor_u8(c, &version) || !cursor_skip(c, 1) ||
	    !cursor_le16(c, &len) || !cursor_le32(c, &dlt))
		return packet_stop(pkt, PROTO_PPI, cursor_fail(c));
	if (version != 0 || len < PPI_FIXED_LEN)
		return packet_stop(pkt, PROTO_PPI, DECODE_MALFORMED);
	(void)cursor_sub(c, len - PPI_FIXED_LEN, &h);
	if (!cursor_skip(c, len - PPI_FIXED_LEN))
		return packet_stop(pkt, PROTO_PPI, cursor_fail(c));
	ppi_radio(&h, &radio);
	switch (dlt) {
	case PPI_DLT_IEEE802_11:
		return ieee80211_decode(c, pkt, &radio);
	case PPI_DLT_EN10MB:
		return ethernet_decode(c, pkt);
	default:
		return packet_stop(pkt, PROTO_PPI, DECODE_UNSUPPORTED);
	}
}
