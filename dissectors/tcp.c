/*
 * TCP header and options (RFC 9293 section 3.1, IANA "TCP Option Kind
 * Numbers").  Bad options are anomalies, not errors: like Linux's
 * tcp_parse_options() and Suricata, we note them and keep decoding, and
 * only a data offset that cannot be true makes the segment malformed.
 */
#include "decode.h"

#include "checksum.h"

enum {
	TCP_HDR_MIN = 20,
	TCP_WSCALE_MAX = 14,     /* RFC 7323 section 2.3 */
	TCP_TFO_EXP_MAGIC = 0xf989, /* RFC 7413 section 4.1.1, RFC 6994 */
	TCP_TFO_COOKIE_MIN = 4,  /* RFC 7413 section 4.1.1 */
};

/* Option kinds tcplens decodes. */
enum {
	TCPOPT_EOL = 0,
	TCPOPT_NOP = 1,
	TCPOPT_MSS = 2,
	TCPOPT_WSCALE = 3,
	TCPOPT_SACK_PERM = 4,
	TCPOPT_SACK = 5,
	TCPOPT_TIMESTAMP = 8,
	TCPOPT_MD5 = 19,           /* RFC 2385 */
	TCPOPT_USER_TIMEOUT = 28,  /* RFC 5482 */
	TCPOPT_AO = 29,            /* RFC 5925 */
	TCPOPT_MPTCP = 30,         /* RFC 8684 */
	TCPOPT_FASTOPEN = 34,      /* RFC 7413 */
	TCPOPT_EXP1 = 253,         /* RFC 4727, shared through RFC 6994 */
	TCPOPT_EXP2 = 254,
	/* NOP, NOP, kind 8, length 10 as one big-endian word. */
	TCPOPT_ALIGNED_TS_LEAD = 0x0101080a,
};

/* Fixed lengths (kind and length bytes included). */
enum {
	TCPOLEN_MSS = 4,
	TCPOLEN_WSCALE = 3,
	TCPOLEN_SACK_PERM = 2,
	TCPOLEN_SACK_BLOCK = 8,
	TCPOLEN_TIMESTAMP = 10,
	TCPOLEN_ALIGNED_TS = 12,   /* NOP, NOP, timestamps */
	TCPOLEN_MD5 = 18,
	TCPOLEN_USER_TIMEOUT = 4,
	TCPOLEN_AO_MIN = 4,        /* kind, length, KeyID, RNextKeyID */
	TCPOLEN_MPTCP_MIN = 3,     /* MP_PRIO, the shortest subtype */
	TCPOLEN_FASTOPEN_MAX = 2 + PACKET_MAX_TFO_COOKIE,
	TCPOLEN_EXP_MIN = 4,       /* kind, length, 16-bit ExID */
};

static bool tcp_read_fixed(struct cursor *c, struct packet_tcp *t)
{
	uint8_t offset_reserved;

	if (!cursor_be16(c, &t->sport) || !cursor_be16(c, &t->dport) ||
	    !cursor_be32(c, &t->seq) || !cursor_be32(c, &t->ack) ||
	    !cursor_u8(c, &offset_reserved))
		return false;
	t->data_offset = (uint8_t)((offset_reserved >> 4) * 4);
	/* The lowest of these bits is AccECN's AE flag (RFC 9768). */
	t->reserved = offset_reserved & 0x0f;
	return cursor_u8(c, &t->flags) && cursor_be16(c, &t->window) &&
	       cursor_be16(c, &t->checksum) && cursor_be16(c, &t->urgent);
}

/*
 * Combinations no TCP stack sends, only scanners and fingerprinting
 * tools (nmap's NULL, FIN and Xmas scans): SYN with FIN or RST, none of
 * the six classic flags, and FIN without ACK (which covers Xmas,
 * FIN+URG+PSH).  Every FIN a real stack sends acknowledges something.
 */
static bool tcp_flags_impossible(uint8_t f)
{
	if ((f & TCP_FLAG_SYN) && (f & (TCP_FLAG_FIN | TCP_FLAG_RST)))
		return true;
	if ((f & 0x3f) == 0)
		return true;
	return (f & TCP_FLAG_FIN) && !(f & TCP_FLAG_ACK);
}

static void tcp_check_fields(struct packet *pkt)
{
	const struct packet_tcp *t = &pkt->tcp;

	if (t->sport == 0 || t->dport == 0)
		packet_add_anomaly(pkt, PKT_ANOM_TCP_PORT_ZERO);
	if (t->reserved != 0)
		packet_add_anomaly(pkt, PKT_ANOM_TCP_RESERVED_BITS);
	if (tcp_flags_impossible(t->flags))
		packet_add_anomaly(pkt, PKT_ANOM_TCP_BAD_FLAG_COMBINATION);
}

static bool tcp_opt_len_is(struct packet *pkt, uint8_t len, uint8_t want)
{
	if (len == want)
		return true;
	packet_add_anomaly(pkt, PKT_ANOM_TCP_OPT_BAD_LENGTH);
	return false;
}

/*
 * RFC 9293 section 3.2 allows each of these once per segment.  Linux
 * keeps the last copy (tcp_parse_options() overwrites), and so do we.
 */
static void tcp_opt_mark_once(struct packet *pkt, uint32_t bit)
{
	if (pkt->tcp.opts_present & bit)
		packet_add_anomaly(pkt, PKT_ANOM_TCP_OPT_DUPLICATE);
	pkt->tcp.opts_present |= bit;
}

static void tcp_opt_sack(struct cursor *body, struct packet *pkt,
			 uint8_t len)
{
	struct packet_tcp *t = &pkt->tcp;
	unsigned blocks = (unsigned)(len - 2) / TCPOLEN_SACK_BLOCK;

	if (blocks == 0 || (len - 2) % TCPOLEN_SACK_BLOCK != 0) {
		packet_add_anomaly(pkt, PKT_ANOM_TCP_OPT_BAD_LENGTH);
		return;
	}
	t->opts_present |= TCP_OPT_HAS_SACK;
	for (unsigned i = 0; i < blocks && t->sack_count < PACKET_MAX_SACK_BLOCKS;
	     i++) {
		struct tcp_sack_block *b = &t->sack[t->sack_count++];

		cursor_be32(body, &b->left);
		cursor_be32(body, &b->right);
	}
}

static void tcp_opt_fastopen(struct cursor *body, struct packet *pkt,
			     size_t cookie_len)
{
	struct packet_tcp *t = &pkt->tcp;

	if (cookie_len > PACKET_MAX_TFO_COOKIE) {
		packet_add_anomaly(pkt, PKT_ANOM_TCP_OPT_BAD_LENGTH);
		return;
	}
	t->opts_present |= TCP_OPT_HAS_TFO;
	t->tfo_cookie_len = (uint8_t)cookie_len;
	cursor_copy(body, t->tfo_cookie, cookie_len);
	/*
	 * A cookie is 4..16 bytes and even; Linux ignores any other
	 * (tcp_parse_fastopen_option), so the client gets no fast open.
	 */
	if (cookie_len != 0 &&
	    (cookie_len < TCP_TFO_COOKIE_MIN || cookie_len % 2 != 0))
		packet_add_anomaly(pkt, PKT_ANOM_TCP_OPT_BAD_VALUE);
}

static void tcp_opt_unknown(struct packet *pkt, uint8_t kind)
{
	struct packet_tcp *t = &pkt->tcp;

	t->opts_present |= TCP_OPT_HAS_UNKNOWN;
	if (t->unknown_count < PACKET_MAX_UNKNOWN_TCP_OPTS)
		t->unknown_kinds[t->unknown_count++] = kind;
}

/* RFC 6994 shared experimental options: the ExID says whose it is. */
static void tcp_opt_experimental(struct cursor *body, struct packet *pkt,
				 uint8_t kind, uint8_t len)
{
	uint16_t exid = 0;

	if (len >= TCPOLEN_EXP_MIN && cursor_be16(body, &exid) &&
	    exid == TCP_TFO_EXP_MAGIC)
		tcp_opt_fastopen(body, pkt, (size_t)len - TCPOLEN_EXP_MIN);
	else
		tcp_opt_unknown(pkt, kind);
}

static void tcp_opt_wscale(struct cursor *body, struct packet *pkt)
{
	uint8_t shift = 0;

	tcp_opt_mark_once(pkt, TCP_OPT_HAS_WSCALE);
	if (!cursor_u8(body, &shift))
		return;
	/* RFC 7323 section 2.3: log it, use 14 (Linux does the same). */
	if (shift > TCP_WSCALE_MAX) {
		packet_add_anomaly(pkt, PKT_ANOM_TCP_OPT_BAD_VALUE);
		shift = TCP_WSCALE_MAX;
	}
	pkt->tcp.wscale = shift;
}

/* One option whose body (len - 2 bytes) is entirely captured. */
static void tcp_opt_one(struct cursor *body, struct packet *pkt,
			uint8_t kind, uint8_t len)
{
	struct packet_tcp *t = &pkt->tcp;

	switch (kind) {
	case TCPOPT_MSS:
		if (tcp_opt_len_is(pkt, len, TCPOLEN_MSS)) {
			tcp_opt_mark_once(pkt, TCP_OPT_HAS_MSS);
			cursor_be16(body, &t->mss);
		}
		break;
	case TCPOPT_WSCALE:
		if (tcp_opt_len_is(pkt, len, TCPOLEN_WSCALE))
			tcp_opt_wscale(body, pkt);
		break;
	case TCPOPT_SACK_PERM:
		if (tcp_opt_len_is(pkt, len, TCPOLEN_SACK_PERM))
			tcp_opt_mark_once(pkt, TCP_OPT_HAS_SACK_PERM);
		break;
	case TCPOPT_SACK:
		tcp_opt_sack(body, pkt, len);
		break;
	case TCPOPT_TIMESTAMP:
		if (tcp_opt_len_is(pkt, len, TCPOLEN_TIMESTAMP)) {
			tcp_opt_mark_once(pkt, TCP_OPT_HAS_TIMESTAMP);
			cursor_be32(body, &t->ts_val);
			cursor_be32(body, &t->ts_ecr);
		}
		break;
	case TCPOPT_MD5:
		if (tcp_opt_len_is(pkt, len, TCPOLEN_MD5))
			t->opts_present |= TCP_OPT_HAS_MD5;
		break;
	case TCPOPT_USER_TIMEOUT:
		if (tcp_opt_len_is(pkt, len, TCPOLEN_USER_TIMEOUT)) {
			t->opts_present |= TCP_OPT_HAS_USER_TIMEOUT;
			cursor_be16(body, &t->user_timeout);
		}
		break;
	case TCPOPT_AO:
		if (len < TCPOLEN_AO_MIN)
			packet_add_anomaly(pkt, PKT_ANOM_TCP_OPT_BAD_LENGTH);
		else
			t->opts_present |= TCP_OPT_HAS_AO;
		break;
	case TCPOPT_MPTCP:
		if (len < TCPOLEN_MPTCP_MIN)
			packet_add_anomaly(pkt, PKT_ANOM_TCP_OPT_BAD_LENGTH);
		else
			t->opts_present |= TCP_OPT_HAS_MPTCP;
		break;
	case TCPOPT_FASTOPEN:
		/* Length 2 is a cookie request (RFC 7413 section 4.1.1). */
		tcp_opt_fastopen(body, pkt, (size_t)len - 2);
		break;
	case TCPOPT_EXP1:
	case TCPOPT_EXP2:
		tcp_opt_experimental(body, pkt, kind, len);
		break;
	default:
		tcp_opt_unknown(pkt, kind);
		break;
	}
}

/*
 * Walks the options in o, which spans exactly the option bytes the data
 * offset declares.  A length that cannot be right ends the walk with an
 * anomaly (nothing after it can be framed); a cut by the snaplen ends it
 * with DECODE_TRUNCATED, keeping what came before.
 */
static enum decode_status tcp_walk_options(struct cursor *o,
					   struct packet *pkt)
{
	uint8_t kind, len;
	struct cursor body;

	while (cursor_wire_remaining(o) > 0) {
		if (!cursor_u8(o, &kind))
			return cursor_fail(o);
		if (kind == TCPOPT_EOL) {
			pkt->tcp.opts_present |= TCP_OPT_HAS_EOL;
			return DECODE_OK; /* the rest is padding */
		}
		if (kind == TCPOPT_NOP) {
			pkt->tcp.opts_present |= TCP_OPT_HAS_NOP;
			continue;
		}
		if (!cursor_u8(o, &len)) {
			if (cursor_fail(o) == DECODE_TRUNCATED)
				return DECODE_TRUNCATED;
			len = 0; /* the kind was the header's last byte */
		}
		/* 0 and 1 cannot frame anything; nor can running past. */
		if (len < 2 || (size_t)len - 2 > cursor_wire_remaining(o)) {
			packet_add_anomaly(pkt, PKT_ANOM_TCP_OPT_BAD_LENGTH);
			return DECODE_OK;
		}
		cursor_sub(o, (size_t)len - 2, &body);
		if (!cursor_skip(o, (size_t)len - 2))
			return DECODE_TRUNCATED;
		tcp_opt_one(&body, pkt, kind, len);
	}
	return DECODE_OK;
}

/*
 * Nearly every segment of an established Linux connection carries just
 * NOP, NOP, timestamps (RFC 7323 appendix A's layout).  Linux recognises
 * it with one 32-bit compare (tcp_parse_aligned_timestamp); so do we,
 * and walk the options only when they are anything else.
 */
static bool tcp_aligned_timestamp(struct cursor *c, struct packet *pkt)
{
	struct packet_tcp *t = &pkt->tcp;
	uint32_t lead;

	if (t->data_offset != TCP_HDR_MIN + TCPOLEN_ALIGNED_TS ||
	    !cursor_peek_be32(c, 0, &lead) || lead != TCPOPT_ALIGNED_TS_LEAD ||
	    !cursor_peek_be32(c, 4, &t->ts_val) ||
	    !cursor_peek_be32(c, 8, &t->ts_ecr))
		return false;
	t->opts_present |= TCP_OPT_HAS_NOP | TCP_OPT_HAS_TIMESTAMP;
	return cursor_view(c, TCPOLEN_ALIGNED_TS, &t->options);
}

static enum decode_status tcp_options(struct cursor *c, struct packet *pkt)
{
	struct packet_tcp *t = &pkt->tcp;
	size_t opt_len = (size_t)t->data_offset - TCP_HDR_MIN;
	struct cursor o, view;
	enum decode_status st;

	if (opt_len == 0 || tcp_aligned_timestamp(c, pkt))
		return DECODE_OK;
	cursor_sub(c, opt_len, &o);
	view = o;
	t->options = cursor_rest_view(&view);
	st = tcp_walk_options(&o, pkt);
	if (st != DECODE_OK) {
		/* Options past this point were on the wire, not captured. */
		packet_add_anomaly(pkt, PKT_ANOM_TCP_OPT_TRUNCATED);
		return st;
	}
	if (!cursor_skip(c, opt_len))
		return cursor_fail(c); /* header after EOL or a bad length cut */
	return DECODE_OK;
}

enum decode_status tcp_decode(struct cursor *c, struct packet *pkt)
{
	struct packet_tcp *t = &pkt->tcp;
	struct cursor whole;
	enum decode_status st;

	packet_mark(pkt, PROTO_TCP);
	decode_clamp_to_ip(c, pkt);
	whole = *c;
	if (!tcp_read_fixed(c, t))
		return decode_transport_split(&whole, pkt, cursor_fail(c))
			       ? DECODE_OK
			       : packet_stop(pkt, PROTO_TCP, cursor_fail(c));
	t->header_ok = true;
	if (!pkt->skip_checksums)
		t->cksum = checksum_verify_transport(&pkt->ip, IPPROTO_NUM_TCP,
						     cursor_rest_view(&whole),
						     pkt->ip.payload_len,
						     t->checksum, true);
	tcp_check_fields(pkt);
	/* Options split from the fixed header by fragmentation (RFC 1858). */
	if (t->data_offset >= TCP_HDR_MIN &&
	    (size_t)t->data_offset - TCP_HDR_MIN > cursor_wire_remaining(c) &&
	    decode_transport_split(&whole, pkt, DECODE_MALFORMED))
		return DECODE_OK;
	if (t->data_offset < TCP_HDR_MIN ||
	    (size_t)t->data_offset - TCP_HDR_MIN > cursor_wire_remaining(c)) {
		packet_add_anomaly(pkt, PKT_ANOM_TCP_BAD_DATA_OFFSET);
		return packet_stop(pkt, PROTO_TCP, DECODE_MALFORMED);
	}
	st = tcp_options(c, pkt);
	if (st != DECODE_OK)
		return packet_stop(pkt, PROTO_TCP, st);
	pkt->payload_wire_len = (uint32_t)cursor_wire_remaining(c);
	pkt->payload = cursor_rest_view(c);
	return DECODE_OK;
}
