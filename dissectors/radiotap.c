/*
 * Radiotap (link type 127): a little-endian header, version(1) pad(1)
 * length(2) and a chain of 32-bit present words (bit 31: another word
 * follows), then the fields the words announce, each aligned to its own
 * size from the header's start.  Only the first two matter here: TSFT
 * (bit 0, 8 bytes) to step over, and Flags (bit 1, 1 byte), which says
 * whether the 802.11 frame ends with its FCS (0x10), is padded to 4
 * bytes after its header (0x20), or failed the FCS check (0x40).  The
 * 802.11 frame starts at length.
 */
#include "decode.h"

enum {
	RADIOTAP_FIXED_LEN = 8,
	RADIOTAP_PRESENT_TSFT = 1u << 0,
	RADIOTAP_PRESENT_FLAGS = 1u << 1,
	RADIOTAP_PRESENT_EXT = 1u << 31,
	RADIOTAP_FLAG_FCS = 0x10,
	RADIOTAP_FLAG_DATA_PAD = 0x20,
	RADIOTAP_FLAG_BAD_FCS = 0x40,
};

/* The Flags field from the header h (its whole captured length). */
static bool radiotap_flags(struct cursor *h, uint32_t present, uint8_t *flags)
{
	uint32_t word = present;
	size_t off = 4;

	*flags = 0;
	while (word & RADIOTAP_PRESENT_EXT) {
		off += 4;
		if (!cursor_peek_le32(h, off, &word))
			return false;
	}
	off += 4;
	if (present & RADIOTAP_PRESENT_TSFT)
		off = (off + 7) / 8 * 8 + 8;
	if (!(present & RADIOTAP_PRESENT_FLAGS))
		return true;
	return cursor_peek_u8(h, off, flags);
}

enum decode_status radiotap_decode(struct cursor *c, struct packet *pkt)
{
	struct ieee80211_radio radio = {0};
	struct cursor start = *c, h;
	uint8_t version, flags;
	uint16_t len;
	uint32_t present;

	packet_mark(pkt, PROTO_RADIOTAP);
	if (!cursor_u8(c, &version) || !cursor_skip(c, 1) ||
	    !cursor_le16(c, &len) || !cursor_le32(c, &present))
		return packet_stop(pkt, PROTO_RADIOTAP, cursor_fail(c));
	if (version != 0 || len < RADIOTAP_FIXED_LEN)
		return packet_stop(pkt, PROTO_RADIOTAP, DECODE_MALFORMED);
	if (!cursor_skip(c, len - RADIOTAP_FIXED_LEN))
		return packet_stop(pkt, PROTO_RADIOTAP, cursor_fail(c));
	/* The header is all captured: a field past it is malformed. */
	(void)cursor_sub(&start, len, &h);
	if (!radiotap_flags(&h, present, &flags))
		return packet_stop(pkt, PROTO_RADIOTAP, cursor_fail(&h));
	radio.has_fcs = (flags & RADIOTAP_FLAG_FCS) != 0;
	radio.data_pad = (flags & RADIOTAP_FLAG_DATA_PAD) != 0;
	radio.bad_fcs = (flags & RADIOTAP_FLAG_BAD_FCS) != 0;
	return ieee80211_decode(c, pkt, &radio);
}
