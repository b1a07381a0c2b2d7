/* UDP (RFC 768); the checksum rules of RFC 8200 section 8.1 over IPv6. */
#include "decode.h"

#include "checksum.h"

enum { UDP_HDR_LEN = 8 };

static bool udp_read_header(struct cursor *c, struct packet_udp *u)
{
	return cursor_be16(c, &u->sport) && cursor_be16(c, &u->dport) &&
	       cursor_be16(c, &u->length) && cursor_be16(c, &u->checksum);
}

/*
 * Zero means "no checksum" over IPv4 (RFC 768).  Over IPv6 the checksum
 * is mandatory (RFC 8200 section 8.1), so zero is wrong; the tunnel
 * exception of RFC 6935/6936 needs per-port configuration we do not have.
 */
static enum cksum_status udp_checksum(const struct packet *pkt,
				      struct byte_view datagram)
{
	const struct packet_udp *u = &pkt->udp;

	if (pkt->skip_checksums)
		return CKSUM_NOT_CHECKED;
	if (u->checksum == 0)
		return pkt->ip.version == 6 ? CKSUM_BAD : CKSUM_ABSENT;
	return checksum_verify_transport(&pkt->ip, IPPROTO_NUM_UDP, datagram,
					 u->length, u->checksum, true);
}

enum decode_status udp_decode(struct cursor *c, struct packet *pkt)
{
	struct packet_udp *u = &pkt->udp;
	struct cursor whole, payload;

	packet_mark(pkt, PROTO_UDP);
	decode_clamp_to_ip(c, pkt);
	whole = *c;
	if (!udp_read_header(c, u))
		return decode_transport_split(&whole, pkt, cursor_fail(c))
			       ? DECODE_OK
			       : packet_stop(pkt, PROTO_UDP, cursor_fail(c));
	u->header_ok = true;
	if (u->sport == 0 || u->dport == 0)
		packet_add_anomaly(pkt, PKT_ANOM_UDP_PORT_ZERO);
	/*
	 * A first fragment holds only part of the datagram the UDP length
	 * covers: the length can be checked against the IP payload only
	 * once the datagram is reassembled.
	 */
	if (pkt->ip.is_fragment) {
		u->cksum = CKSUM_UNVERIFIABLE;
		if (u->length < UDP_HDR_LEN) {
			packet_add_anomaly(pkt, PKT_ANOM_UDP_BAD_LENGTH);
			return packet_stop(pkt, PROTO_UDP, DECODE_MALFORMED);
		}
		pkt->payload_wire_len = (uint32_t)cursor_wire_remaining(c);
		pkt->payload = cursor_rest_view(c);
		return DECODE_OK;
	}
	if (u->length < UDP_HDR_LEN || u->length > pkt->ip.payload_len) {
		packet_add_anomaly(pkt, PKT_ANOM_UDP_BAD_LENGTH);
		return packet_stop(pkt, PROTO_UDP, DECODE_MALFORMED);
	}
	/*
	 * Bytes past the UDP length are not UDP's (Wireshark and Linux's
	 * udp_rcv() both trim to it); the IP layer declared more.
	 */
	if (u->length < pkt->ip.payload_len)
		packet_add_anomaly(pkt, PKT_ANOM_UDP_LENGTH_SHORTER_THAN_IP);
	cursor_limit(&whole, u->length);
	cursor_limit(c, (size_t)u->length - UDP_HDR_LEN);
	u->cksum = udp_checksum(pkt, cursor_rest_view(&whole));
	pkt->payload_wire_len = (uint32_t)cursor_wire_remaining(c);
	payload = *c;
	pkt->payload = cursor_rest_view(&payload);
	return udp_decode_tunnel(c, pkt);
}
