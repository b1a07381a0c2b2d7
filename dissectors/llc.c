/*
 * IEEE 802.2 LLC, and SNAP (IEEE 802-2014 clause 10) on top of it.
 *
 * Reached from an 802.3 length frame and from a Linux cooked capture
 * whose protocol field says 802.2 (ETH_P_802_2).  Only SNAP carrying an
 * ethertype (RFC 1042) and IP on the DoD IP SAP are decoded further;
 * every other SAP is recognised and the frame ends there as unsupported.
 */
#include "decode.h"

enum {
	/* Low bit of the DSAP is individual/group, of the SSAP command/response. */
	LLC_SAP_ADDR_MASK = 0xfe,
	/*
	 * Control field: U-format PDUs have both low bits set and a 1-byte
	 * control; I- and S-format have a 2-byte one (IEEE 802.2 5.2).
	 */
	LLC_CTRL_U_MASK = 0x03,
	LLC_CTRL_U_FORMAT = 0x03,
	LLC_CTRL_UI = 0x03,     /* unnumbered information */
	/* RFC 1042: SNAP OUI 0 means the PID is an ethertype. */
	SNAP_OUI_ENCAP = 0x000000,
	/* IEEE 802.1H bridge tunnel: also an ethertype, used for AARP/IPX. */
	SNAP_OUI_8021H = 0x0000f8,
};

/* SAPs as tcpdump's llc.h names them. */
enum llc_sap {
	LLC_SAP_NULL = 0x00,
	LLC_SAP_8021B = 0x02,
	LLC_SAP_SNA = 0x04,
	LLC_SAP_IP = 0x06,
	LLC_SAP_PROWAY_NM = 0x0e,
	LLC_SAP_STP = 0x42,     /* IEEE 802.1D spanning tree */
	LLC_SAP_RS511 = 0x4e,
	LLC_SAP_ISO8208 = 0x7e,
	LLC_SAP_PROWAY = 0x8e,
	LLC_SAP_SNAP = 0xaa,
	LLC_SAP_IPX = 0xe0,
	LLC_SAP_NETBIOS = 0xf0,
	LLC_SAP_ISO_NS = 0xfe,  /* OSI network layer; 0xff global maps here */
};

static bool llc_sap_known(uint8_t sap)
{
	switch ((enum llc_sap)(sap & LLC_SAP_ADDR_MASK)) {
	case LLC_SAP_NULL:
	case LLC_SAP_8021B:
	case LLC_SAP_SNA:
	case LLC_SAP_IP:
	case LLC_SAP_PROWAY_NM:
	case LLC_SAP_STP:
	case LLC_SAP_RS511:
	case LLC_SAP_ISO8208:
	case LLC_SAP_PROWAY:
	case LLC_SAP_SNAP:
	case LLC_SAP_IPX:
	case LLC_SAP_NETBIOS:
	case LLC_SAP_ISO_NS:
		return true;
	}
	return false;
}

static bool llc_read_header(struct cursor *c, struct packet_link *l)
{
	if (!cursor_u8(c, &l->llc_dsap) || !cursor_u8(c, &l->llc_ssap) ||
	    !cursor_u8(c, &l->llc_control))
		return false;
	/* Only the first control byte is kept; the second is N(R)/P-F. */
	if ((l->llc_control & LLC_CTRL_U_MASK) != LLC_CTRL_U_FORMAT)
		return cursor_skip(c, 1);
	return true;
}

/* Both SAPs equal to sap and a UI control: the header RFC 1042 uses. */
static bool llc_is_ui_between(const struct packet_link *l, uint8_t sap)
{
	return (l->llc_dsap & LLC_SAP_ADDR_MASK) == sap &&
	       (l->llc_ssap & LLC_SAP_ADDR_MASK) == sap &&
	       l->llc_control == LLC_CTRL_UI;
}

static enum decode_status snap_decode(struct cursor *c, struct packet *pkt)
{
	uint8_t oui_hi;
	uint16_t oui_lo, pid;

	packet_mark(pkt, PROTO_SNAP);
	/* Under Linux cooked framing, the outer framing stays what it is. */
	if (pkt->link.framing == FRAMING_IEEE8023_LLC)
		pkt->link.framing = FRAMING_IEEE8023_SNAP;
	if (!cursor_u8(c, &oui_hi) || !cursor_be16(c, &oui_lo))
		return packet_stop(pkt, PROTO_SNAP, cursor_fail(c));
	pkt->link.snap_oui = (uint32_t)oui_hi << 16 | oui_lo;
	if (!cursor_be16(c, &pid))
		return packet_stop(pkt, PROTO_SNAP, cursor_fail(c));
	switch (pkt->link.snap_oui) {
	case SNAP_OUI_ENCAP:
	case SNAP_OUI_8021H:
		return decode_ethertype(c, pkt, pid);
	default:
		/* Vendor protocols (Cisco CDP/PVST+, Apple, ...): not ours. */
		return packet_stop(pkt, PROTO_SNAP, DECODE_UNSUPPORTED);
	}
}

enum decode_status llc_decode(struct cursor *c, struct packet *pkt)
{
	packet_mark(pkt, PROTO_LLC);
	if (!llc_read_header(c, &pkt->link))
		return packet_stop(pkt, PROTO_LLC, cursor_fail(c));
	if (llc_is_ui_between(&pkt->link, LLC_SAP_SNAP))
		return snap_decode(c, pkt);
	/* IP directly on the DoD IP SAP, as tcpdump's llc_print accepts. */
	if (llc_is_ui_between(&pkt->link, LLC_SAP_IP))
		return decode_ethertype(c, pkt, ETHERTYPE_IPV4);
	if (!llc_sap_known(pkt->link.llc_dsap))
		packet_add_anomaly(pkt, PKT_ANOM_LLC_UNKNOWN_SAP);
	return packet_stop(pkt, PROTO_LLC, DECODE_UNSUPPORTED);
}
