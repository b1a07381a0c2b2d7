#include "flow.h"

#include <string.h>

#include "flow_table.h"

static uint64_t uid_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

uint64_t flow_uid(const struct flow *f)
{
	if (flow_is_tunnel(f))
		return uid_mix(flow_key_hash(&f->key));
	return uid_mix(flow_key_hash(&f->key) ^ (uint64_t)f->first_ts);
}

/* The key the analyzer gives a tunnel's flow (analyzer.c key_build()). */
uint64_t flow_tunnel_uid(uint8_t family, const uint8_t a[16],
			 const uint8_t b[16], uint16_t id)
{
	struct flow_key k;
	bool a_first = memcmp(a, b, 16) <= 0;

	memset(&k, 0, sizeof(k));
	memcpy(k.addr[0], a_first ? a : b, 16);
	memcpy(k.addr[1], a_first ? b : a, 16);
	k.family = family;
	k.proto = FLOW_PROTO_TUNNEL;
	k.tunnel = id;
	return uid_mix(flow_key_hash(&k));
}

void flow_format_uid(uint64_t uid, char out[FLOW_UID_LEN])
{
	static const char digits[] =
		"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

	/* Zeek's uids start with C too; 62^11 > 2^64, so 11 digits fit. */
	out[0] = 'C';
	for (int i = FLOW_UID_LEN - 2; i >= 1; i--) {
		out[i] = digits[uid % 62];
		uid /= 62;
	}
	out[FLOW_UID_LEN - 1] = '\0';
}

const char *flow_end_reason_name(enum flow_end_reason r)
{
	switch (r) {
	case FLOW_END_NONE: return "live";
	case FLOW_END_CLOSED: return "closed";
	case FLOW_END_IDLE: return "idle";
	case FLOW_END_EVICTED: return "evicted";
	case FLOW_END_REUSED: return "reused";
	case FLOW_END_CAPTURE_END: return "capture_end";
	case FLOW_END_NO_MEMORY: return "no_memory";
	}
	return "?";
}

const char *tcp_close_kind_name(enum tcp_close_kind k)
{
	switch (k) {
	case TCP_CLOSE_OPEN: return "open";
	case TCP_CLOSE_FIN: return "fin";
	case TCP_CLOSE_RST: return "rst";
	case TCP_CLOSE_TIMEOUT: return "timeout";
	}
	return "?";
}

const char *flow_proto_name(const struct flow *f)
{
	switch (f->key.proto) {
	case 6: return "tcp";
	case 17: return "udp";
	case 1:
	case 58: return "icmp";
	case FLOW_PROTO_TUNNEL: return "tunnel";
	}
	return "other";
}
