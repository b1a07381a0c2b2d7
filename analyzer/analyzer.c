#include "analyzer.h"

#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "flow_table.h"
#include "frame_dups.h"
#include "tunnel_table.h"

#define NS_PER_SEC 1000000000LL
/*
 * Idle flows looked at for parking per packet: a packet opens at most
 * one flow, so a few keep up with any flood and bound the work.
 */
#define PARK_BUDGET 4

struct analyzer {
	struct analyzer_config cfg;
	struct analyzer_sink sink;
	struct flow_table *table;
	struct tunnel_table *tunnels;
	struct defrag *defrag;
	struct frame_dups *dups;
	struct packet whole;        /* a reassembled datagram */
	struct analyzer_stats stats;
	int64_t now;
	int64_t park_rescan_at;     /* when parking next asks refused flows */
};

/* What the sink may write of f. */
static struct flow_sink_area sink_area(const struct analyzer *a,
				       struct flow *f)
{
	return flow_sink_area_of(f, a->sink.flow_storage != 0);
}

void analyzer_config_defaults(struct analyzer_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->tcp.time_wait_ns = 60 * NS_PER_SEC;
	cfg->max_flows = 1000000;
	/*
	 * Five minutes outlasts the longest gap between SYN, SYN-ACK or FIN
	 * retransmissions (TCP_RTO_MAX is 120 s), so a retrying handshake or
	 * close is never cut in two.
	 */
	cfg->tcp_idle_ns = 300 * NS_PER_SEC;
	/* Zeek's tcp_close_delay / tcp_reset_delay: catches stray segments. */
	cfg->closed_linger_ns = 5 * NS_PER_SEC;
	/* Zeek's udp_inactivity_timeout and icmp_inactivity_timeout. */
	cfg->udp_idle_ns = 60 * NS_PER_SEC;
	cfg->icmp_idle_ns = 60 * NS_PER_SEC;
	/*
	 * Past the detectors' one-second judgement of an attempt and a
	 * request socket's first SYN-ACK timer, which hold on to a cookie
	 * attempt until then; early enough that a SYN flood's attempts
	 * spend most of their life parked.
	 */
	cfg->park_after_ns = 3 * NS_PER_SEC / 2;
	defrag_config_defaults(&cfg->defrag);
	cfg->max_subjects = 65536;
}

struct analyzer *analyzer_new(const struct analyzer_config *cfg,
			      const struct analyzer_sink *sink)
{
	struct analyzer *a = calloc(1, sizeof(*a));
	struct flow_table_config tc = {0};

	if (a == NULL)
		return NULL;
	a->cfg = *cfg;
	if (sink != NULL)
		a->sink = *sink;
	tc.max_flows = cfg->max_flows;
	tc.sink_bytes = sink != NULL ? sink->flow_storage : 0;
	tc.timeout_ns[FLOW_LIST_TCP_OPEN] = FLOW_TIMEOUT_NONE;
	tc.timeout_ns[FLOW_LIST_TCP_HALF_OPEN] = cfg->tcp_idle_ns;
	tc.timeout_ns[FLOW_LIST_TCP_CLOSING] = cfg->tcp_idle_ns;
	tc.timeout_ns[FLOW_LIST_TCP_TIME_WAIT] = cfg->tcp.time_wait_ns;
	tc.timeout_ns[FLOW_LIST_TCP_CLOSED] = cfg->closed_linger_ns;
	tc.timeout_ns[FLOW_LIST_UDP] = cfg->udp_idle_ns;
	tc.timeout_ns[FLOW_LIST_ICMP] = cfg->icmp_idle_ns;
	/* A tunnel outlasts the longest TCP retry gap, as its flows do. */
	tc.timeout_ns[FLOW_LIST_TUNNEL] = cfg->tcp_idle_ns;
	a->table = flow_table_new(&tc);
	a->tunnels = tunnel_table_new();
	a->defrag = defrag_new(&cfg->defrag);
	a->dups = frame_dups_new();
	if (a->table == NULL || a->tunnels == NULL || a->defrag == NULL ||
	    a->dups == NULL) {
		analyzer_free(a);
		return NULL;
	}
	return a;
}

void analyzer_free(struct analyzer *a)
{
	if (a == NULL)
		return;
	flow_table_free(a->table);
	tunnel_table_free(a->tunnels);
	defrag_free(a->defrag);
	frame_dups_free(a->dups);
	free(a);
}

/* ------------------------------------------------------------------ keys */

/*
 * Builds the direction-independent key and its hash; returns the slot
 * (0 or 1) of the sender.  The decoders leave bytes 4 to 15 of an IPv4
 * address zero (the packet is cleared before each decode), so all 16
 * bytes copy and compare.  The key is written as whole words and hashed
 * from registers: reading back what narrower stores just wrote would
 * stall (store forwarding).
 */
static int key_build(struct flow_key *k, uint64_t *hash,
		     const struct ip_addr *src, const struct ip_addr *dst,
		     uint8_t proto, uint16_t sport, uint16_t dport,
		     uint16_t tunnel)
{
	uint64_t s[2], d[2], w[FLOW_KEY_WORDS];
	uint64_t s0, s1, d0, d1;
	int sender;

	memcpy(s, src->bytes, 16);
	memcpy(d, dst->bytes, 16);
	/* Big-endian values order like the bytes. */
	s0 = __builtin_bswap64(s[0]);
	s1 = __builtin_bswap64(s[1]);
	d0 = __builtin_bswap64(d[0]);
	d1 = __builtin_bswap64(d[1]);
	if (s0 != d0)
		sender = s0 < d0 ? 0 : 1;
	else if (s1 != d1)
		sender = s1 < d1 ? 0 : 1;
	else
		sender = sport <= dport ? 0 : 1;
	w[sender * 2] = s[0];
	w[sender * 2 + 1] = s[1];
	w[!sender * 2] = d[0];
	w[!sender * 2 + 1] = d[1];
	/* port[0], port[1], family, proto, tunnel: little-endian in word 4. */
	w[4] = (uint64_t)(sender ? dport : sport) |
	       (uint64_t)(sender ? sport : dport) << 16 |
	       (uint64_t)src->family << 32 | (uint64_t)proto << 40 |
	       (uint64_t)tunnel << 48;
	_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
		       "word 4 is laid out for a little-endian host");
	memcpy(k, w, sizeof(w));
	*hash = flow_key_hash_words(w);
	return sender;
}

/* IP header plus payload, as on the wire (Zeek's orig_ip_bytes). */
static uint32_t ip_wire_len(const struct packet *pkt)
{
	if (pkt->ip.version == 4)
		return (uint32_t)pkt->ipv4.ihl + pkt->ip.payload_len;
	return 40u + pkt->ipv6.ext_len + pkt->ip.payload_len;
}

/* ------------------------------------------------------------- lifecycle */

static enum flow_list tcp_list_for(const struct flow *f)
{
	const struct tcp_conn *c = &f->u.tcp;
	bool tw = false, half = false, closing = false, closed_one = false;

	for (int d = 0; d < 2; d++) {
		switch (c->ep[d].state) {
		case TCP_STATE_TIME_WAIT:
			tw = true;
			break;
		case TCP_STATE_CLOSED:
			closed_one = true;
			break;
		case TCP_STATE_LISTEN:
		case TCP_STATE_SYN_SENT:
		case TCP_STATE_SYN_RECV:
			half = true;
			break;
		case TCP_STATE_FIN_WAIT1:
		case TCP_STATE_CLOSING:
		case TCP_STATE_LAST_ACK:
			closing = true;
			break;
		default:
			break;
		}
	}
	if (tcp_conn_is_closed(f))
		return tw ? FLOW_LIST_TCP_TIME_WAIT : FLOW_LIST_TCP_CLOSED;
	if (half)
		return FLOW_LIST_TCP_HALF_OPEN;
	/*
	 * A half-close (FIN_WAIT2 facing CLOSE_WAIT) can last as long as
	 * the application wants: it stays with the open connections.
	 */
	if (closing || closed_one)
		return FLOW_LIST_TCP_CLOSING;
	return FLOW_LIST_TCP_OPEN;
}

/* Ends f and tells the sink; the caller removes or recycles it. */
static void flow_end(struct analyzer *a, struct flow *f,
		     enum flow_end_reason why)
{
	if (flow_is_tcp(f)) {
		tcp_conn_advance(f, &a->cfg.tcp, a->now);
		tcp_conn_finish(f, why);
	} else {
		f->end_reason = (uint8_t)why;
	}
	switch (why) {
	case FLOW_END_EVICTED: a->stats.flows_evicted++; break;
	case FLOW_END_NO_MEMORY: a->stats.flows_evicted_no_memory++; break;
	case FLOW_END_IDLE: a->stats.flows_idle++; break;
	case FLOW_END_CLOSED: a->stats.flows_closed++; break;
	case FLOW_END_REUSED: a->stats.flows_reused++; break;
	default: break;
	}
	if (a->sink.on_flow_end != NULL)
		a->sink.on_flow_end(a->sink.ctx, f, sink_area(a, f));
}

static void flow_finalise(struct analyzer *a, struct flow *f,
			  enum flow_end_reason why)
{
	flow_end(a, f, why);
	flow_table_remove(a->table, f);
}

static bool may_park(void *ctx, const struct flow *f)
{
	struct analyzer *a = ctx;

	return a->sink.may_park(a->sink.ctx, f,
				sink_area(a, (struct flow *)(uintptr_t)f));
}

/*
 * Parks the half-open connections idle past park_after_ns: a few a
 * packet, more than a flood opens.
 */
static void park_idle(struct analyzer *a)
{
	if (a->cfg.park_after_ns <= 0 || a->sink.may_park == NULL ||
	    a->now < a->cfg.park_after_ns)
		return;
	/* What a sink held on to it lets go of in time: ask again. */
	if (a->now >= a->park_rescan_at) {
		flow_table_park_rescan(a->table);
		a->park_rescan_at = a->now + a->cfg.park_after_ns;
	}
	a->stats.flows_parked +=
		flow_table_park_idle(a->table, FLOW_LIST_TCP_HALF_OPEN,
				     a->now - a->cfg.park_after_ns + 1,
				     may_park, a, PARK_BUDGET);
}

static void expire(struct analyzer *a, int64_t now)
{
	struct flow *f;

	while ((f = flow_table_next_expired(a->table, now)) != NULL) {
		bool done = f->list == FLOW_LIST_TCP_TIME_WAIT ||
			    f->list == FLOW_LIST_TCP_CLOSED;

		flow_finalise(a, f, done ? FLOW_END_CLOSED : FLOW_END_IDLE);
	}
}

/* A new flow on k; recycle: an ended flow on k, reused in place. */
static struct flow *flow_create(struct analyzer *a, const struct flow_key *k,
				uint64_t hash, enum flow_list list,
				const struct packet *pkt, int orig_slot,
				struct flow *recycle)
{
	struct flow *f;

	if (recycle != NULL) {
		flow_table_recycle(a->table, recycle, list, a->now);
		f = recycle;
	} else {
		f = flow_table_insert(a->table, k, hash, list, a->now);
	}
	if (f == NULL) {
		struct flow *old = flow_table_oldest(a->table);
		/*
		 * Full at --max-flows, or memory ran out: either way the least
		 * recently active flow goes, but only the first was asked for.
		 * The second is counted apart, for the run to say its results
		 * are incomplete.
		 */
		enum flow_end_reason why =
			flow_table_count(a->table) >= a->cfg.max_flows
			? FLOW_END_EVICTED : FLOW_END_NO_MEMORY;

		if (old != NULL) {
			flow_finalise(a, old, why);
			f = flow_table_insert(a->table, k, hash, list, a->now);
		}
		if (f == NULL) {
			a->stats.no_memory++;
			return NULL;
		}
	}
	f->orig_slot = (uint8_t)orig_slot;
	f->first_ts = a->now;
	f->first_frame = pkt->frame_no;
	zeek_conn_init(&f->zeek);
	a->stats.flows_created++;
	return f;
}

static void flow_count(struct flow *f, const struct packet *pkt, int dir)
{
	f->dir[dir].pkts++;
	f->dir[dir].ip_bytes += ip_wire_len(pkt);
	f->last_frame = pkt->frame_no;
}

/* -------------------------------------------------------------------- TCP */

static struct zeek_segment zeek_segment_of(const struct packet *pkt, int dir,
					   uint32_t seg_len,
					   const struct tcp_seg_info *info)
{
	struct zeek_segment zs;

	memset(&zs, 0, sizeof(zs));
	zs.from_orig = dir == FLOW_ORIG;
	zs.flags = pkt->tcp.flags;
	zs.seq = pkt->tcp.seq;
	zs.ack = pkt->tcp.ack;
	zs.payload_len = seg_len;
	zs.window = pkt->tcp.window;
	zs.bad_checksum = false;
	/* Zeek's 't' follows its own rule (zeek_conn.c), not ours. */
	zs.retransmission = false;
	/* Zeek notes a gap on the side whose data was never seen. */
	zs.peer_gaps = info->peer_gaps;
	return zs;
}

static struct flow *tcp_flow_new(struct analyzer *a, const struct flow_key *k,
				 uint64_t hash, const struct packet *pkt,
				 int sender_slot, struct flow *recycle)
{
	uint8_t fl = pkt->tcp.flags;
	bool guessed = false;
	int sender_dir;
	struct flow *f;

	if ((fl & (TCP_FLAG_SYN | TCP_FLAG_RST)) == TCP_FLAG_SYN)
		sender_dir = (fl & TCP_FLAG_ACK) ? FLOW_RESP : FLOW_ORIG;
	else {
		sender_dir = tcp_conn_guess_orig(pkt->tcp.sport, pkt->tcp.dport);
		guessed = true;
	}
	f = flow_create(a, k, hash, FLOW_LIST_TCP_HALF_OPEN, pkt,
			sender_dir == FLOW_ORIG ? sender_slot : !sender_slot,
			recycle);
	if (f == NULL)
		return NULL;
	tcp_conn_init(f, pkt, sender_dir, guessed);
	/* Zeek counts the first packet's sender as originator; say so when not. */
	if (sender_dir != FLOW_ORIG)
		zeek_conn_flip(&f->zeek);
	return f;
}

static void process_tcp(struct analyzer *a, const struct packet *pkt,
			uint16_t tun)
{
	const struct packet_tcp *t = &pkt->tcp;
	struct tcp_seg_info info;
	struct zeek_segment zs;
	struct flow_key k;
	struct flow *f, *ended = NULL;
	bool reused = false;
	uint32_t seg_len;
	uint64_t hash;
	int slot, dir;

	if (!t->header_ok || t->data_offset < 20 ||
	    t->data_offset > pkt->ip.payload_len) {
		a->stats.tcp_unusable++;
		return;
	}
	seg_len = pkt->ip.payload_len - t->data_offset;
	slot = key_build(&k, &hash, &pkt->ip.src, &pkt->ip.dst, 6, t->sport,
			 t->dport, tun);
	f = flow_table_lookup(a->table, &k, hash);
	if (f != NULL) {
		dir = slot == f->orig_slot ? FLOW_ORIG : FLOW_RESP;
		tcp_conn_advance(f, &a->cfg.tcp, a->now);
		if (tcp_conn_is_new_attempt(f, pkt, dir)) {
			reused = tcp_conn_reuse_time_wait(f);
			flow_end(a, f, FLOW_END_REUSED);
			ended = f;
			f = NULL;
		}
	}
	if (f == NULL) {
		f = tcp_flow_new(a, &k, hash, pkt, slot, ended);
		if (f == NULL)
			return;
		if (reused)
			f->u.tcp.flags |= TCP_CONN_REUSED;
		if (a->sink.on_flow_start != NULL)
			a->sink.on_flow_start(a->sink.ctx, f, sink_area(a, f));
	}
	dir = slot == f->orig_slot ? FLOW_ORIG : FLOW_RESP;
	tcp_conn_on_segment(f, pkt, seg_len, dir, a->now, &info);
	/*
	 * tshark's reused_ports: a SYN with a new ISN on a 4-tuple whose
	 * earlier connection is still known (here: not yet finalised).
	 */
	if (ended != NULL)
		info.annots |= TCP_ANNOT_BIT(REUSED_PORTS);
	flow_count(f, pkt, dir);
	zs = zeek_segment_of(pkt, dir, seg_len, &info);
	zeek_tcp_on_segment(&f->zeek, &zs);
	flow_table_touch(a->table, f, tcp_list_for(f), a->now);
	a->stats.tcp_segments++;
	if (a->sink.on_tcp_segment != NULL)
		a->sink.on_tcp_segment(a->sink.ctx, pkt, f, &info,
				       sink_area(a, f));
}

/* --------------------------------------------------------------- UDP, ICMP */

static void datagram_seen(struct analyzer *a, struct flow *f,
			  const struct packet *pkt, int dir, uint32_t payload,
			  enum flow_list list)
{
	flow_count(f, pkt, dir);
	if (list == FLOW_LIST_UDP)
		zeek_udp_on_packet(&f->zeek, dir == FLOW_ORIG, payload);
	else
		zeek_icmp_on_packet(&f->zeek, dir == FLOW_ORIG);
	flow_table_touch(a->table, f, list, a->now);
	if (a->sink.on_datagram != NULL)
		a->sink.on_datagram(a->sink.ctx, pkt, f, dir, sink_area(a, f));
}

/* The originator of a new datagram flow: a well-known source port answers. */
static int datagram_orig_dir(uint16_t sport, uint16_t dport)
{
	return (sport < 1024 && dport >= 1024) ? FLOW_RESP : FLOW_ORIG;
}

static struct flow *datagram_flow(struct analyzer *a, const struct packet *pkt,
				  uint8_t proto, uint16_t sport,
				  uint16_t dport, bool guess, uint16_t tun,
				  int *dir_out)
{
	struct flow_key k;
	struct flow *f;
	uint64_t hash;
	int slot = key_build(&k, &hash, &pkt->ip.src, &pkt->ip.dst, proto,
			     sport, dport, tun);
	enum flow_list list = proto == 17 ? FLOW_LIST_UDP : FLOW_LIST_ICMP;

	f = flow_table_lookup(a->table, &k, hash);
	if (f == NULL) {
		int sender_dir = guess ? datagram_orig_dir(sport, dport)
				       : FLOW_ORIG;

		f = flow_create(a, &k, hash, list, pkt,
				sender_dir == FLOW_ORIG ? slot : !slot, NULL);
		if (f == NULL)
			return NULL;
		if (sender_dir != FLOW_ORIG)
			zeek_conn_flip(&f->zeek);
		if (a->sink.on_flow_start != NULL)
			a->sink.on_flow_start(a->sink.ctx, f, sink_area(a, f));
	}
	*dir_out = slot == f->orig_slot ? FLOW_ORIG : FLOW_RESP;
	return f;
}

static void process_udp(struct analyzer *a, const struct packet *pkt,
			uint16_t tun)
{
	const struct packet_udp *u = &pkt->udp;
	struct flow *f;
	uint32_t payload;
	int dir;

	if (!u->header_ok) {
		a->stats.untracked++;
		return;
	}
	f = datagram_flow(a, pkt, 17, u->sport, u->dport, true, tun, &dir);
	if (f == NULL)
		return;
	payload = u->length >= 8 ? u->length - 8u : 0;
	f->u.udp.payload[dir] += payload;
	a->stats.udp_datagrams++;
	datagram_seen(a, f, pkt, dir, payload, FLOW_LIST_UDP);
}

/* An ICMP error belongs to the flow whose datagram it quotes. */
static bool icmp_error_attach(struct analyzer *a, const struct packet *pkt,
			      uint16_t tun)
{
	const struct icmp_quoted *q = &pkt->icmp.quoted;
	struct flow_key k;
	struct flow *f;
	uint64_t hash;

	if (!pkt->icmp.has_quoted || !q->has_ports ||
	    (q->proto != 6 && q->proto != 17))
		return false;
	key_build(&k, &hash, &q->src, &q->dst, q->proto, q->sport, q->dport,
		  tun);
	f = flow_table_lookup(a->table, &k, hash);
	if (f == NULL)
		return false;
	if (f->icmp_errors < UINT16_MAX)
		f->icmp_errors++;
	f->last_icmp_type = pkt->icmp.type;
	f->last_icmp_code = pkt->icmp.code;
	if (a->sink.on_icmp_error != NULL)
		a->sink.on_icmp_error(a->sink.ctx, pkt, f);
	return true;
}

static void icmp_echo_seen(struct flow *f, const struct packet *pkt,
			   int64_t now)
{
	struct icmp_flow *e = &f->u.icmp;
	bool request = pkt->icmp.version == 4 ? pkt->icmp.type == 8
					      : pkt->icmp.type == 128;

	if (request) {
		if (e->req_pending)
			e->unanswered++;
		e->req_pending = true;
		e->last_req_seq = pkt->icmp.echo_seq;
		e->last_req_ts = now;
	} else if (e->req_pending && e->last_req_seq == pkt->icmp.echo_seq) {
		int64_t rtt = now - e->last_req_ts;

		e->req_pending = false;
		if (rtt > 0) {
			uint32_t us = rtt / 1000 > UINT32_MAX ? UINT32_MAX
							      : (uint32_t)(rtt / 1000);

			if (e->rtt.n == 0 || us < e->rtt.min_us)
				e->rtt.min_us = us;
			if (us > e->rtt.max_us)
				e->rtt.max_us = us;
			e->rtt_sum_us += us;
			e->rtt.n++;
		}
	}
}

static void process_icmp(struct analyzer *a, const struct packet *pkt,
			 uint16_t tun)
{
	const struct packet_icmp *m = &pkt->icmp;
	struct flow *f;
	uint16_t sp, dp;
	bool new_flow;
	int dir;

	if (pkt->status != DECODE_OK &&
	    (pkt->status_proto == PROTO_ICMP || pkt->status_proto == PROTO_ICMPV6) &&
	    !m->is_error) {
		a->stats.untracked++;
		return;
	}
	a->stats.icmp_messages++;
	if (m->is_error && icmp_error_attach(a, pkt, tun)) {
		a->stats.icmp_errors_matched++;
		return;
	}
	if (m->is_error) {
		a->stats.icmp_errors_unmatched++;
		if (a->sink.on_icmp_error != NULL)
			a->sink.on_icmp_error(a->sink.ctx, pkt, NULL);
	}
	/* Echo sessions by identifier; other messages as Zeek: type, code. */
	sp = m->is_echo ? m->echo_id : m->type;
	dp = m->is_echo ? m->echo_id : m->code;
	f = datagram_flow(a, pkt, pkt->icmp.version == 4 ? 1 : 58, sp, dp,
			  false, tun, &dir);
	if (f == NULL)
		return;
	new_flow = f->dir[0].pkts + f->dir[1].pkts == 0;
	if (new_flow) {
		f->u.icmp.type = m->type;
		f->u.icmp.code = m->code;
		f->u.icmp.echo = m->is_echo;
	}
	f->u.icmp.payload[dir] += pkt->payload_wire_len;
	if (m->is_echo)
		icmp_echo_seen(f, pkt, a->now);
	datagram_seen(a, f, pkt, dir, pkt->payload_wire_len, FLOW_LIST_ICMP);
}

/* ----------------------------------------------------------------- copies */

/*
 * A frame captured twice (frame_dups.h) is one packet on the wire: its
 * TCP or UDP flow counts it as a frame, and as a duplicate, and nothing
 * else sees it: no retransmission, no step of the TCP tracker, tshark's
 * analysis or Zeek's history, no detector.  A fragment's copy stays out
 * of reassembly (it would be an overlap, or after its datagram completed
 * a new datagram that never completes).  True when the copy was taken
 * care of; an ICMP error's copy is counted and goes no further (it would
 * count twice toward the errors of the flow it quotes); another ICMP
 * message, or a copy whose flow is gone, is analysed as any frame.
 */
static bool copy_absorb(struct analyzer *a, const struct packet *pkt,
			uint16_t tun, uint64_t copy_of)
{
	struct flow_key k;
	struct flow *f;
	uint64_t hash;
	uint16_t sport, dport;
	uint8_t proto;
	int slot, dir;

	if (pkt->ip.is_fragment)
		return true;
	if (packet_inner_has(pkt, PROTO_ICMP) ||
	    packet_inner_has(pkt, PROTO_ICMPV6)) {
		if (!pkt->icmp.is_error)
			return false;
		a->stats.duplicates++;
		return true;
	}
	if (packet_inner_has(pkt, PROTO_TCP) && pkt->tcp.header_ok) {
		proto = 6;
		sport = pkt->tcp.sport;
		dport = pkt->tcp.dport;
	} else if (packet_inner_has(pkt, PROTO_UDP) && pkt->udp.header_ok) {
		proto = 17;
		sport = pkt->udp.sport;
		dport = pkt->udp.dport;
	} else {
		return false;
	}
	slot = key_build(&k, &hash, &pkt->ip.src, &pkt->ip.dst, proto, sport,
			 dport, tun);
	f = flow_table_lookup(a->table, &k, hash);
	if (f == NULL)
		return false;
	dir = slot == f->orig_slot ? FLOW_ORIG : FLOW_RESP;
	flow_count(f, pkt, dir);
	if (a->sink.on_copy != NULL)
		a->sink.on_copy(a->sink.ctx, pkt, f, dir, copy_of,
				sink_area(a, f));
	if (proto == 6 && f->u.tcp.duplicates < UINT16_MAX)
		f->u.tcp.duplicates++;
	else if (proto == 17 && f->u.udp.duplicates < UINT32_MAX)
		f->u.udp.duplicates++;
	a->stats.duplicates++;
	return true;
}

/* ------------------------------------------------------------------- feed */

/*
 * By the innermost IP header's protocol: a tunnelled packet has the
 * outer transport's bit set too (VXLAN's UDP around an inner ICMP).
 */
static void process_ip(struct analyzer *a, const struct packet *pkt,
		       uint16_t tun)
{
	switch (pkt->ip.proto) {
	case IPPROTO_NUM_TCP:
		if (packet_has(pkt, PROTO_TCP)) {
			process_tcp(a, pkt, tun);
			return;
		}
		break;
	case IPPROTO_NUM_UDP:
		if (packet_has(pkt, PROTO_UDP)) {
			process_udp(a, pkt, tun);
			return;
		}
		break;
	case IPPROTO_NUM_ICMP:
		if (packet_has(pkt, PROTO_ICMP)) {
			process_icmp(a, pkt, tun);
			return;
		}
		break;
	case IPPROTO_NUM_ICMPV6:
		if (packet_has(pkt, PROTO_ICMPV6)) {
			process_icmp(a, pkt, tun);
			return;
		}
		break;
	default:
		break;
	}
	a->stats.untracked++;
}

/* ---------------------------------------------------------------- tunnels */

/*
 * The tunnel's own flow counts the packet, by the outer header's sender.
 * A named tunnel's key holds its id; an unnamed one's (flow.h) the
 * tunnel it runs in, and its kind in the ports.
 */
static void tunnel_flow_seen(struct analyzer *a, const struct packet *pkt,
			     const struct packet_encap *e, uint16_t id,
			     bool named)
{
	struct flow_key k;
	struct flow *f;
	uint64_t hash;
	uint16_t kind = named ? 0
			      : flow_tunnel_unnamed_port(e->kind, e->outer_proto);
	int slot = key_build(&k, &hash, &e->src, &e->dst, FLOW_PROTO_TUNNEL,
			     kind, kind, id);
	uint32_t payload = e->outer_ip_len - e->outer_hdr_len;
	int dir;

	f = flow_table_lookup(a->table, &k, hash);
	if (f == NULL) {
		f = flow_create(a, &k, hash, FLOW_LIST_TUNNEL, pkt, slot, NULL);
		if (f == NULL)
			return;
		if (a->sink.on_flow_start != NULL)
			a->sink.on_flow_start(a->sink.ctx, f, sink_area(a, f));
	}
	dir = slot == f->orig_slot ? FLOW_ORIG : FLOW_RESP;
	f->dir[dir].pkts++;
	f->dir[dir].ip_bytes += e->outer_ip_len;
	f->last_frame = pkt->frame_no;
	f->u.tunnel.payload[dir] += payload;
	zeek_udp_on_packet(&f->zeek, dir == FLOW_ORIG, payload);
	flow_table_touch(a->table, f, FLOW_LIST_TUNNEL, a->now);
}

/*
 * Names every tunnel layer of pkt that separates its flows, outermost
 * first, each within the one before, and counts the packet in the flow
 * of each layer from counted_from on (a datagram rebuilt from fragments:
 * its fragments were counted in the tunnels they came through,
 * ip_defrag.c put those layers first).  The others take no id: ids are
 * a bounded budget (TUNNEL_TABLE_MAX) only the separating ones need.
 * *out: the innermost tunnel that separates its flows, 0 for none.
 * False when such a tunnel could not be named (the table is full): its
 * traffic is then not analysed (analyzer_stats.tunnels_untracked),
 * rather than merged with another tenant's.
 */
static bool tunnels_resolve(struct analyzer *a, const struct packet *pkt,
			    unsigned counted_from, uint16_t *out)
{
	*out = 0;
	for (unsigned i = 0; i < pkt->encap_count; i++) {
		const struct packet_encap *e = &pkt->encaps[i];
		bool created;
		uint16_t id;

		if (e->src.family == 0)
			continue;
		if (!tunnel_identity_separates(e)) {
			if (i >= counted_from)
				tunnel_flow_seen(a, pkt, e, *out, false);
			continue;
		}
		id = tunnel_table_intern(a->tunnels, *out, e, &created);
		if (id == 0) {
			a->stats.tunnels_untracked++;
			return false;
		}
		if (created)
			a->stats.tunnels++;
		if (i >= counted_from)
			tunnel_flow_seen(a, pkt, e, id, true);
		*out = id;
	}
	return true;
}

static uint64_t feed_packet(struct analyzer *a, const struct packet *pkt)
{
	/* Every frame, before it changes anything: a copy changes nothing. */
	uint64_t copy_of = frame_dups_check(a->dups, pkt);
	uint16_t tun = 0;

	a->stats.packets++;
	if (pkt->has_ts) {
		int64_t t = pkt_time_ns(pkt->ts);

		/* Timers never run backwards on a misordered frame. */
		if (t > a->now)
			a->now = t;
		if (a->stats.first_ts == 0 || t < a->stats.first_ts)
			a->stats.first_ts = t;
	} else {
		a->stats.no_timestamp++;
	}
	expire(a, a->now);
	if (!tunnels_resolve(a, pkt, 0, &tun)) {
		a->stats.untracked++;
		return copy_of;
	}
	if (pkt->ip.version == 0) {
		a->stats.untracked++;
		return copy_of;
	}
	if (copy_of != 0 && copy_absorb(a, pkt, tun, copy_of))
		return copy_of;
	if (pkt->ip.is_fragment) {
		if (defrag_add(a->defrag, pkt, &a->whole) == DEFRAG_COMPLETE) {
			if (a->sink.on_reassembled != NULL) {
				size_t n;

				defrag_completed_frames(a->defrag, &n);
				a->sink.on_reassembled(a->sink.ctx, &a->whole, n);
			}
			/*
			 * The rebuilt datagram holds the fragments' tunnel
			 * layers (ip_defrag.c keeps them), and its own; one
			 * whose layers did not all fit is not tracked.
			 */
			if (!packet_has_anomaly(&a->whole,
						PKT_ANOM_ENCAP_TOO_DEEP) &&
			    tunnels_resolve(a, &a->whole, pkt->encap_count,
					    &tun))
				process_ip(a, &a->whole, tun);
			else
				a->stats.untracked++;
		}
		return copy_of;
	}
	process_ip(a, pkt, tun);
	return copy_of;
}

/*
 * Parking comes after the packet, once the sinks have seen the time it
 * brought: what they let go of by then is theirs no longer.
 */
uint64_t analyzer_feed(struct analyzer *a, const struct packet *pkt)
{
	uint64_t copy_of = feed_packet(a, pkt);

	park_idle(a);
	return copy_of;
}

size_t analyzer_flow_count(const struct analyzer *a)
{
	return flow_table_count(a->table);
}

const struct tunnel_table *analyzer_tunnels(const struct analyzer *a)
{
	return a->tunnels;
}

void analyzer_advance(struct analyzer *a, int64_t now)
{
	if (now > a->now)
		a->now = now;
	expire(a, a->now);
	defrag_expire_ns(a->defrag, a->now);
	if (a->sink.on_time != NULL)
		a->sink.on_time(a->sink.ctx, a->now);
	park_idle(a);
}

void analyzer_settle(struct analyzer *a)
{
	defrag_flush(a->defrag, a->now);
	expire(a, a->now);
	a->stats.peak_flows = flow_table_peak(a->table);
	a->stats.memory_bytes = flow_table_memory(a->table);
}

void analyzer_finish(struct analyzer *a)
{
	struct flow *f;

	analyzer_settle(a);
	if (a->sink.on_capture_end != NULL)
		a->sink.on_capture_end(a->sink.ctx, a->now);
	/* Every flow is about to leave, and no packet comes to look one up. */
	flow_table_close_index(a->table);
	while ((f = flow_table_oldest(a->table)) != NULL)
		flow_finalise(a, f, FLOW_END_CAPTURE_END);
}

const struct defrag_stats *analyzer_defrag_stats(const struct analyzer *a)
{
	return defrag_get_stats(a->defrag);
}

int64_t analyzer_now(const struct analyzer *a)
{
	return a->now;
}

struct foreach_ctx {
	struct analyzer *a;
	void (*fn)(void *ctx, const struct flow *f);
	void *ctx;
};

static void foreach_one(void *arg, struct flow *f)
{
	struct foreach_ctx *fc = arg;

	if (flow_is_tcp(f))
		tcp_conn_advance(f, &fc->a->cfg.tcp, fc->a->now);
	fc->fn(fc->ctx, f);
}

void analyzer_foreach_flow(struct analyzer *a,
			   void (*fn)(void *ctx, const struct flow *f),
			   void *ctx)
{
	struct foreach_ctx fc = {a, fn, ctx};

	flow_table_foreach(a->table, foreach_one, &fc);
}

const struct analyzer_stats *analyzer_get_stats(struct analyzer *a)
{
	size_t peak = flow_table_peak(a->table);

	if (peak > a->stats.peak_flows)
		a->stats.peak_flows = peak;
	if (flow_table_memory(a->table) > a->stats.memory_bytes)
		a->stats.memory_bytes = flow_table_memory(a->table);
	a->stats.last_ts = a->now;
	a->stats.flow_bytes = flow_table_flow_bytes(a->table);
	a->stats.index_bytes = flow_table_index_bytes(a->table);
	return &a->stats;
}
