#include "flow_record.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tcp_conn.h"

/* A short name into a fixed field, without snprintf()'s format parsing. */
static void copy_name(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The time from one handshake event to another, or -1. */
static int64_t span_ns(const struct tcp_conn *c, unsigned has_a, uint32_t a,
		       unsigned has_b, uint32_t b)
{
	if (!(c->flags & has_a) || !(c->flags & has_b) || b <= a ||
	    b == UINT32_MAX)
		return -1;
	return (int64_t)(b - a) * 1000;
}

static void record_tcp(struct flow_record *r, const struct flow *f)
{
	const struct tcp_conn *c = &f->u.tcp;

	for (int d = 0; d < 2; d++) {
		const struct tcp_endpoint *e = &c->ep[d];

		r->bytes[d] = tcp_conn_bytes(f, d);
		r->state[d] = e->state;
		r->retrans[d] = e->retrans_segs;
		r->retrans_bytes[d] = e->retrans_bytes;
		r->data_rtt[d] = e->rtt;
		r->data_rtt_sum_us[d] = e->rtt_sum_us;
		r->syn_seen[d] = (e->flags & TCP_EP_SYN_SEEN) != 0;
		r->has_mss[d] = (e->flags & TCP_EP_HAS_MSS) != 0;
		r->mss[d] = e->mss;
		r->has_wscale[d] = (e->flags & TCP_EP_WSCALE) != 0;
		r->wscale[d] = e->wscale;
		r->sack_perm[d] = (e->flags & TCP_EP_SACK_PERM) != 0;
		r->timestamps[d] = (e->flags & TCP_EP_TIMESTAMPS) != 0;
		r->max_in_flight[d] = e->max_in_flight;
		r->zero_window_ns[d] = e->zero_window_ns;
	}
	r->wscale_used = (c->flags & TCP_CONN_WSCALE_OK) != 0;
	r->missed_bytes = c->gap_bytes;
	r->missed_exact = !((c->ep[0].flags | c->ep[1].flags) &
			    TCP_EP_HOLES_OVERFLOW);
	{
		int initiator;

		r->close_kind = (uint8_t)tcp_conn_close(f, &initiator);
		r->close_initiator = (int8_t)initiator;
	}
	r->rtt_ns = span_ns(c, TCP_CONN_HAS_SYN, c->syn_us, TCP_CONN_HAS_ACK,
			    c->ack_us);
	/* Responder side: SYN to SYN-ACK; originator side: SYN-ACK to ACK. */
	r->handshake_rtt_ns[FLOW_RESP] = span_ns(c, TCP_CONN_HAS_SYN, c->syn_us,
						 TCP_CONN_HAS_SYNACK, c->synack_us);
	r->handshake_rtt_ns[FLOW_ORIG] = span_ns(c, TCP_CONN_HAS_SYNACK,
						 c->synack_us, TCP_CONN_HAS_ACK,
						 c->ack_us);
	r->sim_open = (c->flags & TCP_CONN_SIM_OPEN) != 0;
	r->sim_close = (c->flags & TCP_CONN_SIM_CLOSE) != 0;
	r->reused = (c->flags & TCP_CONN_REUSED) != 0;
	if (c->flags & TCP_CONN_ORIENT_GUESSED)
		r->orientation = "guessed";
	else if (c->flags & TCP_CONN_MIDSTREAM)
		r->orientation = "synack";
	else
		r->orientation = "syn";
	flow_record_conn_state(f, r->conn_state);
}

void flow_record_conn_state(const struct flow *f, char out[8])
{
	const char *cs = flow_is_tcp(f)
		? zeek_tcp_conn_state(&f->zeek, tcp_conn_bytes(f, 0),
				      tcp_conn_bytes(f, 1))
		: zeek_udp_conn_state(&f->zeek);

	copy_name(out, 8, cs);
}

/* Zeek's ICMP4_counterpart() / ICMP6_counterpart(), or -1. */
static int icmp_counterpart(uint8_t proto, uint8_t type)
{
	static const uint8_t v4[][2] = {
		{8, 0}, {0, 8}, {13, 14}, {14, 13}, {15, 16}, {16, 15},
		{17, 18}, {18, 17}, {10, 9}, {9, 10},
	};
	static const uint8_t v6[][2] = {
		{128, 129}, {129, 128}, {133, 134}, {134, 133}, {135, 136},
		{136, 135}, {130, 131}, {131, 130}, {139, 140}, {140, 139},
		{144, 145}, {145, 144},
	};
	const uint8_t (*t)[2] = proto == 1 ? v4 : v6;
	size_t n = proto == 1 ? sizeof(v4) / sizeof(v4[0]) : sizeof(v6) / sizeof(v6[0]);

	for (size_t i = 0; i < n; i++)
		if (t[i][0] == type)
			return t[i][1];
	return -1;
}

bool tunnel_names_of(struct tunnel_names *n,
		     const struct tunnel_table *tunnels, uint16_t id)
{
	const struct tunnel_info *t = tunnels != NULL
				      ? tunnel_table_get(tunnels, id) : NULL;

	if (t == NULL)
		return false;
	flow_format_uid(flow_tunnel_uid(t->family, t->addr[0], t->addr[1], id),
			n->uid);
	n->type = tunnel_info_kind_name(t);
	addr_format(t->family, t->addr[0], n->orig_h, sizeof(n->orig_h));
	addr_format(t->family, t->addr[1], n->resp_h, sizeof(n->resp_h));
	n->has_id = (t->flags & ENCAP_ID_SHARED) != 0;
	n->id = t->id;
	return true;
}

void tunnel_names_format(const struct tunnel_names *n, char *out,
			 size_t outlen)
{
	if (n->has_id)
		snprintf(out, outlen, "%s %s-%s id %" PRIu32, n->type,
			 n->orig_h, n->resp_h, n->id);
	else
		snprintf(out, outlen, "%s %s-%s", n->type, n->orig_h,
			 n->resp_h);
}

static void record_tunnel(struct flow_record *r, const struct flow *f,
			  const struct tunnel_table *tunnels)
{
	const struct tunnel_info *self = NULL;
	struct tunnel_names in;
	uint16_t in_id = f->key.tunnel;

	if (flow_is_tunnel(f) && f->key.port[0] != 0) {
		/* Unnamed (flow.h): the key holds its kind and its parent. */
		r->self_type = tunnel_kind_name((uint8_t)(f->key.port[0] >> 8),
						(uint8_t)f->key.port[0],
						f->key.family);
	} else if (flow_is_tunnel(f)) {
		self = tunnel_table_get(tunnels, f->key.tunnel);
		r->self_type = self != NULL ? tunnel_info_kind_name(self)
					    : "tunnel";
		if (self != NULL && (self->flags & ENCAP_ID_SHARED)) {
			r->has_encap_id = true;
			r->encap_id = self->id;
		}
		in_id = self != NULL ? self->parent : 0;
	}
	if (!tunnel_names_of(&in, tunnels, in_id))
		return;
	r->in_tunnel = true;
	memcpy(r->tunnel_uid, in.uid, sizeof(r->tunnel_uid));
	r->tunnel_type = in.type;
	memcpy(r->tunnel_orig_h, in.orig_h, sizeof(r->tunnel_orig_h));
	memcpy(r->tunnel_resp_h, in.resp_h, sizeof(r->tunnel_resp_h));
	r->has_tunnel_id = in.has_id;
	r->tunnel_id = in.id;
}

void flow_record_from_flow(struct flow_record *r, const struct flow *f,
			   const struct tunnel_table *tunnels)
{
	memset(r, 0, sizeof(*r));
	flow_format_uid(flow_uid(f), r->uid);
	addr_format(f->key.family, flow_addr(f, FLOW_ORIG), r->orig_h,
		    sizeof(r->orig_h));
	addr_format(f->key.family, flow_addr(f, FLOW_RESP), r->resp_h,
		    sizeof(r->resp_h));
	r->orig_p = flow_port(f, FLOW_ORIG);
	r->resp_p = flow_port(f, FLOW_RESP);
	r->proto = f->key.proto;
	r->is_tcp = flow_is_tcp(f);
	r->ts = f->first_ts;
	r->duration = f->last_ts - f->first_ts;
	for (int d = 0; d < 2; d++) {
		r->pkts[d] = f->dir[d].pkts;
		r->ip_bytes[d] = f->dir[d].ip_bytes;
		r->bytes[d] = flow_is_tcp(f) ? 0
			: flow_is_tunnel(f) ? f->u.tunnel.payload[d]
			: f->key.proto == 17 ? f->u.udp.payload[d]
			: f->u.icmp.payload[d];
		r->handshake_rtt_ns[d] = -1;
	}
	r->close_initiator = -1;
	r->rtt_ns = -1;
	r->icmp_errors = f->icmp_errors;
	r->duplicates = flow_duplicates(f);
	r->first_frame = f->first_frame;
	r->last_frame = f->last_frame;
	r->end_reason = f->end_reason;
	r->orientation = "first_packet";
	zeek_conn_history(&f->zeek, r->history);
	r->history_truncated = zeek_conn_history_truncated(&f->zeek);
	record_tunnel(r, f, tunnels);
	if (r->is_tcp) {
		record_tcp(r, f);
		return;
	}
	flow_record_conn_state(f, r->conn_state);
	if (f->key.proto == 1 || f->key.proto == 58) {
		/*
		 * Zeek's convention: the type stands in for orig_p, and for
		 * resp_p the type that answers it (ICMP_counterpart()), or the
		 * code for a message nothing answers.
		 */
		int answer = icmp_counterpart(f->key.proto, f->u.icmp.type);

		r->orig_p = f->u.icmp.type;
		r->resp_p = answer >= 0 ? (uint16_t)answer : f->u.icmp.code;
		if (f->u.icmp.rtt.n > 0)
			r->rtt_ns = (int64_t)(f->u.icmp.rtt_sum_us /
					      f->u.icmp.rtt.n) * 1000;
	}
}

/* ----------------------------------------------------------------- fields */

static void v_str(struct field_value *v, const char *s)
{
	v->type = FIELD_STR;
	v->s = s;
}

static void v_uint(struct field_value *v, uint64_t u)
{
	v->type = FIELD_UINT;
	v->u = u;
}

static void v_bool(struct field_value *v, bool b)
{
	v->type = FIELD_BOOL;
	v->b = b;
}

static void v_ms(struct field_value *v, int64_t ns)
{
	if (ns < 0) {
		v->type = FIELD_NULL;
		return;
	}
	v->type = FIELD_MS;
	v->ns = ns;
}

static void v_rtt(struct field_value *v, const struct rtt_stats *s,
		  uint64_t sum_us, int which)
{
	if (s->n == 0) {
		v->type = FIELD_NULL;
		return;
	}
	if (which == 0)
		v_ms(v, (int64_t)s->min_us * 1000);
	else if (which == 1)
		v_ms(v, (int64_t)(sum_us / s->n) * 1000);
	else
		v_ms(v, (int64_t)s->max_us * 1000);
}

const char *flow_record_proto_name(const struct flow_record *r)
{
	if (r->self_type != NULL)
		return r->self_type;
	switch (r->proto) {
	case 6: return "tcp";
	case 17: return "udp";
	default: return "icmp";
	}
}

/*
 * The fields, in the order of their keys below: a field is found by its
 * index with one switch (the renderers ask for every field of every
 * flow; matching key strings cost dozens of strcmp() per field).
 */
enum field_id {
	F_UID, F_PROTO, F_ORIG_H, F_ORIG_P, F_RESP_H, F_RESP_P, F_TS, F_TS_NS,
	F_DURATION, F_ORIG_PKTS, F_RESP_PKTS, F_ORIG_BYTES, F_RESP_BYTES,
	F_ORIG_IP_BYTES, F_RESP_IP_BYTES, F_MISSED_BYTES, F_MISSED_EXACT,
	F_CONN_STATE, F_HISTORY, F_HISTORY_TRUNCATED,
	F_ORIG_STATE, F_RESP_STATE, F_CLOSE, F_CLOSE_INITIATOR,
	F_ORIG_RETRANS, F_RESP_RETRANS, F_ORIG_RETRANS_BYTES,
	F_RESP_RETRANS_BYTES, F_DUPLICATES, F_RTT_MS, F_ORIG_HANDSHAKE_RTT_MS,
	F_RESP_HANDSHAKE_RTT_MS, F_ORIG_RTT_MIN_MS, F_ORIG_RTT_AVG_MS,
	F_ORIG_RTT_MAX_MS, F_ORIG_RTT_SAMPLES, F_RESP_RTT_MIN_MS,
	F_RESP_RTT_AVG_MS, F_RESP_RTT_MAX_MS, F_RESP_RTT_SAMPLES, F_ORIG_MSS,
	F_RESP_MSS, F_ORIG_WSCALE, F_RESP_WSCALE, F_WSCALE_USED,
	F_ORIG_SACK_PERM, F_RESP_SACK_PERM, F_SACK_USED, F_ORIG_TIMESTAMPS,
	F_RESP_TIMESTAMPS, F_TIMESTAMPS_USED, F_ORIG_MAX_IN_FLIGHT,
	F_RESP_MAX_IN_FLIGHT, F_ORIG_ZERO_WINDOW_MS, F_RESP_ZERO_WINDOW_MS,
	F_SIM_OPEN, F_SIM_CLOSE, F_PORT_REUSED,
	F_ORIENTATION, F_ICMP_ERRORS, F_FIRST_FRAME, F_LAST_FRAME, F_END,
	F_TUNNEL, F_TUNNEL_TYPE, F_TUNNEL_ORIG_H, F_TUNNEL_RESP_H, F_TUNNEL_ID,
	F_ENCAP_ID,
	F_COUNT
};

/* Fields every flow has; false for the TCP-only ones. */
static bool common_field(const struct flow_record *r, enum field_id id,
			 struct field_value *v)
{
	switch (id) {
	case F_UID: v_str(v, r->uid); break;
	case F_PROTO: v_str(v, flow_record_proto_name(r)); break;
	case F_ORIG_H: v_str(v, r->orig_h); break;
	case F_ORIG_P: v_uint(v, r->orig_p); break;
	case F_RESP_H: v_str(v, r->resp_h); break;
	case F_RESP_P: v_uint(v, r->resp_p); break;
	case F_TS: v->type = FIELD_TIME; v->ns = r->ts; break;
	case F_TS_NS:
		if (r->ts >= 0)
			v_uint(v, (uint64_t)r->ts);
		break;
	case F_DURATION: v->type = FIELD_SECONDS; v->ns = r->duration; break;
	case F_ORIG_PKTS: v_uint(v, r->pkts[0]); break;
	case F_RESP_PKTS: v_uint(v, r->pkts[1]); break;
	case F_ORIG_BYTES: v_uint(v, r->bytes[0]); break;
	case F_RESP_BYTES: v_uint(v, r->bytes[1]); break;
	case F_ORIG_IP_BYTES: v_uint(v, r->ip_bytes[0]); break;
	case F_RESP_IP_BYTES: v_uint(v, r->ip_bytes[1]); break;
	case F_CONN_STATE: v_str(v, r->conn_state); break;
	case F_HISTORY: v_str(v, r->history); break;
	case F_HISTORY_TRUNCATED: v_bool(v, r->history_truncated); break;
	case F_RTT_MS: v_ms(v, r->rtt_ns); break;
	case F_ICMP_ERRORS: v_uint(v, r->icmp_errors); break;
	case F_DUPLICATES: v_uint(v, r->duplicates); break;
	/* As Zeek's conn.log: 0 where no stream could have gaps. */
	case F_MISSED_BYTES:
		if (r->is_tcp)
			return false;
		v_uint(v, 0);
		break;
	case F_FIRST_FRAME: v_uint(v, r->first_frame); break;
	case F_LAST_FRAME: v_uint(v, r->last_frame); break;
	case F_END: v_str(v, flow_end_reason_name(r->end_reason)); break;
	case F_ORIENTATION: v_str(v, r->orientation); break;
	case F_TUNNEL:
		if (r->in_tunnel) v_str(v, r->tunnel_uid);
		break;
	case F_TUNNEL_TYPE:
		if (r->in_tunnel) v_str(v, r->tunnel_type);
		break;
	case F_TUNNEL_ORIG_H:
		if (r->in_tunnel) v_str(v, r->tunnel_orig_h);
		break;
	case F_TUNNEL_RESP_H:
		if (r->in_tunnel) v_str(v, r->tunnel_resp_h);
		break;
	case F_TUNNEL_ID:
		if (r->has_tunnel_id) v_uint(v, r->tunnel_id);
		break;
	case F_ENCAP_ID:
		if (r->has_encap_id) v_uint(v, r->encap_id);
		break;
	default: return false;
	}
	return true;
}

/* An endpoint's own field: id and its orig_ twin share a meaning. */
static void side_field(const struct flow_record *r, int d, enum field_id id,
		       struct field_value *v)
{
	switch (id) {
	case F_ORIG_STATE: v_str(v, tcp_state_name(r->state[d])); break;
	case F_ORIG_RETRANS: v_uint(v, r->retrans[d]); break;
	case F_ORIG_RETRANS_BYTES: v_uint(v, r->retrans_bytes[d]); break;
	case F_ORIG_HANDSHAKE_RTT_MS: v_ms(v, r->handshake_rtt_ns[d]); break;
	case F_ORIG_RTT_MIN_MS: v_rtt(v, &r->data_rtt[d], r->data_rtt_sum_us[d], 0); break;
	case F_ORIG_RTT_AVG_MS: v_rtt(v, &r->data_rtt[d], r->data_rtt_sum_us[d], 1); break;
	case F_ORIG_RTT_MAX_MS: v_rtt(v, &r->data_rtt[d], r->data_rtt_sum_us[d], 2); break;
	case F_ORIG_RTT_SAMPLES: v_uint(v, r->data_rtt[d].n); break;
	case F_ORIG_MSS:
		if (r->has_mss[d]) v_uint(v, r->mss[d]); else v->type = FIELD_NULL;
		break;
	case F_ORIG_WSCALE:
		if (r->has_wscale[d]) v_uint(v, r->wscale[d]); else v->type = FIELD_NULL;
		break;
	case F_ORIG_SACK_PERM:
		if (r->syn_seen[d]) v_bool(v, r->sack_perm[d]); else v->type = FIELD_NULL;
		break;
	case F_ORIG_TIMESTAMPS:
		if (r->syn_seen[d]) v_bool(v, r->timestamps[d]); else v->type = FIELD_NULL;
		break;
	case F_ORIG_MAX_IN_FLIGHT: v_uint(v, r->max_in_flight[d]); break;
	case F_ORIG_ZERO_WINDOW_MS: v_ms(v, r->zero_window_ns[d]); break;
	default: v->type = FIELD_NULL; break;
	}
}

/* The orig_ twin of a resp_ field, or -1 for a field of no endpoint. */
static int orig_twin(enum field_id id)
{
	switch (id) {
	case F_ORIG_STATE: case F_ORIG_RETRANS: case F_ORIG_RETRANS_BYTES:
	case F_ORIG_HANDSHAKE_RTT_MS: case F_ORIG_RTT_MIN_MS:
	case F_ORIG_RTT_AVG_MS: case F_ORIG_RTT_MAX_MS: case F_ORIG_RTT_SAMPLES:
	case F_ORIG_MSS: case F_ORIG_WSCALE: case F_ORIG_SACK_PERM:
	case F_ORIG_TIMESTAMPS: case F_ORIG_MAX_IN_FLIGHT:
	case F_ORIG_ZERO_WINDOW_MS:
		return id;
	case F_RESP_STATE: return F_ORIG_STATE;
	case F_RESP_RETRANS: return F_ORIG_RETRANS;
	case F_RESP_RETRANS_BYTES: return F_ORIG_RETRANS_BYTES;
	case F_RESP_HANDSHAKE_RTT_MS: return F_ORIG_HANDSHAKE_RTT_MS;
	case F_RESP_RTT_MIN_MS: return F_ORIG_RTT_MIN_MS;
	case F_RESP_RTT_AVG_MS: return F_ORIG_RTT_AVG_MS;
	case F_RESP_RTT_MAX_MS: return F_ORIG_RTT_MAX_MS;
	case F_RESP_RTT_SAMPLES: return F_ORIG_RTT_SAMPLES;
	case F_RESP_MSS: return F_ORIG_MSS;
	case F_RESP_WSCALE: return F_ORIG_WSCALE;
	case F_RESP_SACK_PERM: return F_ORIG_SACK_PERM;
	case F_RESP_TIMESTAMPS: return F_ORIG_TIMESTAMPS;
	case F_RESP_MAX_IN_FLIGHT: return F_ORIG_MAX_IN_FLIGHT;
	case F_RESP_ZERO_WINDOW_MS: return F_ORIG_ZERO_WINDOW_MS;
	default: return -1;
	}
}

static void tcp_field(const struct flow_record *r, enum field_id id,
		      struct field_value *v)
{
	bool both_syns = r->syn_seen[0] && r->syn_seen[1];
	int twin = orig_twin(id);

	if (twin >= 0) {
		side_field(r, twin == (int)id ? 0 : 1, (enum field_id)twin, v);
		return;
	}
	switch (id) {
	case F_CLOSE: v_str(v, tcp_close_kind_name(r->close_kind)); break;
	case F_CLOSE_INITIATOR:
		if (r->close_initiator < 0) v->type = FIELD_NULL;
		else v_str(v, r->close_initiator == FLOW_ORIG ? "orig" : "resp");
		break;
	case F_MISSED_BYTES: v_uint(v, r->missed_bytes); break;
	case F_MISSED_EXACT: v_bool(v, r->missed_exact); break;
	case F_WSCALE_USED:
		if (both_syns) v_bool(v, r->wscale_used); else v->type = FIELD_NULL;
		break;
	case F_SACK_USED:
		if (both_syns) v_bool(v, r->sack_perm[0] && r->sack_perm[1]);
		else v->type = FIELD_NULL;
		break;
	case F_TIMESTAMPS_USED:
		if (both_syns) v_bool(v, r->timestamps[0] && r->timestamps[1]);
		else v->type = FIELD_NULL;
		break;
	case F_SIM_OPEN: v_bool(v, r->sim_open); break;
	case F_SIM_CLOSE: v_bool(v, r->sim_close); break;
	case F_PORT_REUSED: v_bool(v, r->reused); break;
	default: v->type = FIELD_NULL; break;
	}
}

static const char *const field_keys[] = {
	"uid", "proto", "orig_h", "orig_p", "resp_h", "resp_p", "ts", "ts_ns",
	"duration", "orig_pkts", "resp_pkts", "orig_bytes", "resp_bytes",
	"orig_ip_bytes", "resp_ip_bytes", "missed_bytes", "missed_bytes_exact", "conn_state", "history", "history_truncated",
	"orig_state", "resp_state", "close", "close_initiator",
	"orig_retrans", "resp_retrans", "orig_retrans_bytes",
	"resp_retrans_bytes", "duplicates", "rtt_ms", "orig_handshake_rtt_ms",
	"resp_handshake_rtt_ms", "orig_rtt_min_ms", "orig_rtt_avg_ms",
	"orig_rtt_max_ms", "orig_rtt_samples", "resp_rtt_min_ms",
	"resp_rtt_avg_ms", "resp_rtt_max_ms", "resp_rtt_samples", "orig_mss",
	"resp_mss", "orig_wscale", "resp_wscale", "wscale_used",
	"orig_sack_perm", "resp_sack_perm", "sack_used", "orig_timestamps",
	"resp_timestamps", "timestamps_used", "orig_max_in_flight",
	"resp_max_in_flight", "orig_zero_window_ms", "resp_zero_window_ms",
	"simultaneous_open", "simultaneous_close", "port_reused",
	"orientation", "icmp_errors", "first_frame", "last_frame", "end",
	"tunnel", "tunnel_type", "tunnel_orig_h", "tunnel_resp_h", "tunnel_id",
	"encap_id",
};

_Static_assert(sizeof(field_keys) / sizeof(field_keys[0]) == F_COUNT,
	       "a key for every field id, in the same order");

size_t flow_record_field_count(void)
{
	return sizeof(field_keys) / sizeof(field_keys[0]);
}

const char *flow_record_field_key(size_t i)
{
	return i < flow_record_field_count() ? field_keys[i] : NULL;
}

void flow_record_field(const struct flow_record *r, size_t i,
		       struct field_value *v)
{
	memset(v, 0, sizeof(*v));
	v->type = FIELD_NULL;
	if (i >= F_COUNT || common_field(r, (enum field_id)i, v))
		return;
	if (r->is_tcp)
		tcp_field(r, (enum field_id)i, v);
}
