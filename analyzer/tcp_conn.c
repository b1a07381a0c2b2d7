#include "tcp_conn.h"

#include <stddef.h>
#include <string.h>

#include "tcp_analysis.h"
#include "tcp_refine.h"
#include "tcp_seq.h"

/* The flow a connection belongs to (it lives in the flow's union). */
static const struct flow *conn_flow(const struct tcp_conn *c)
{
	return (const struct flow *)((const char *)c - offsetof(struct flow, u));
}

/* now as µs after the flow's first packet, saturating. */
static uint32_t since_us(const struct tcp_conn *c, int64_t now)
{
	int64_t us = (now - conn_flow(c)->first_ts) / 1000;

	return us < 0 ? 0 : us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

static bool ep_has(const struct tcp_endpoint *e, unsigned flag)
{
	return (e->flags & flag) != 0;
}

static void ep_set_state(struct tcp_endpoint *e, enum tcp_state s)
{
	e->state = (uint8_t)s;
}

int tcp_conn_guess_orig(uint16_t sport, uint16_t dport)
{
	/*
	 * The responder is the well-known port, else the lower one: what
	 * tshark's and Zeek's heuristics settle on for servers.  Returns
	 * FLOW_ORIG when the sender of this segment is the originator.
	 */
	bool s_known = sport < 1024, d_known = dport < 1024;

	if (s_known != d_known)
		return d_known ? FLOW_ORIG : FLOW_RESP;
	return dport <= sport ? FLOW_ORIG : FLOW_RESP;
}

void tcp_conn_init(struct flow *f, const struct packet *pkt, int dir,
		   bool orient_guessed)
{
	struct tcp_conn *c = &f->u.tcp;
	uint8_t fl = pkt->tcp.flags;

	memset(c, 0, sizeof(*c));
	c->fin_first = -1;
	c->rst_first = -1;
	tcp_analysis_init(&c->ep[0].an);
	tcp_analysis_init(&c->ep[1].an);
	if ((fl & TCP_FLAG_SYN) == 0 || (fl & TCP_FLAG_RST) != 0) {
		/* Picked up mid-stream: both sides are assumed connected. */
		c->flags |= TCP_CONN_MIDSTREAM;
		c->ep[0].state = TCP_STATE_ESTABLISHED;
		c->ep[1].state = TCP_STATE_ESTABLISHED;
	} else if ((fl & TCP_FLAG_ACK) != 0) {
		/* A SYN-ACK first: its sender is the responder. */
		c->flags |= TCP_CONN_MIDSTREAM;
		c->ep[!dir].state = TCP_STATE_SYN_SENT;
		c->ep[dir].state = TCP_STATE_LISTEN;
	}
	if (orient_guessed)
		c->flags |= TCP_CONN_ORIENT_GUESSED;
}

/* --------------------------------------------------------------- options */

static void note_syn_options(struct tcp_endpoint *e, const struct packet *pkt)
{
	const struct packet_tcp *t = &pkt->tcp;

	if (t->opts_present & TCP_OPT_HAS_MSS) {
		e->flags |= TCP_EP_HAS_MSS;
		e->mss = t->mss;
	}
	if (t->opts_present & TCP_OPT_HAS_WSCALE) {
		e->flags |= TCP_EP_WSCALE;
		e->wscale = t->wscale;
	} else {
		e->flags &= (uint16_t)~TCP_EP_WSCALE;
	}
	if (t->opts_present & TCP_OPT_HAS_SACK_PERM)
		e->flags |= TCP_EP_SACK_PERM;
	if (t->opts_present & TCP_OPT_HAS_TIMESTAMP)
		e->flags |= TCP_EP_TIMESTAMPS;
}

/*
 * RFC 7323 section 2.2: the shift applies only when both SYNs carried
 * the option, and never to a SYN's own window.  -1 while unknown (no
 * SYN from one side seen).
 */
static int window_shift(const struct tcp_conn *c, int dir)
{
	const struct tcp_endpoint *e = &c->ep[dir];

	if (!ep_has(&c->ep[0], TCP_EP_SYN_SEEN) ||
	    !ep_has(&c->ep[1], TCP_EP_SYN_SEEN))
		return -1;
	if (c->flags & TCP_CONN_WSCALE_OK)
		return e->wscale;
	return 0;
}

/* ----------------------------------------------------------------- states */

/* E's ACK covers P's SYN or FIN: evidence that E received them. */
static void on_ack_sent(struct tcp_conn *c, int dir, uint32_t ack, int64_t now)
{
	struct tcp_endpoint *e = &c->ep[dir], *p = &c->ep[!dir];

	if (ep_has(p, TCP_EP_SYN_SEEN) && tcp_seq_after(ack, p->an.base_seq)) {
		if (!ep_has(p, TCP_EP_SYN_ACKED)) {
			p->flags |= TCP_EP_SYN_ACKED;
			if (!(c->flags & TCP_CONN_HAS_ACK) && dir == FLOW_ORIG) {
				c->flags |= TCP_CONN_HAS_ACK;
				c->ack_us = since_us(c, now);
			}
		}
		if (e->state == TCP_STATE_SYN_SENT)
			ep_set_state(e, TCP_STATE_ESTABLISHED);
		if (p->state == TCP_STATE_SYN_RECV)
			ep_set_state(p, TCP_STATE_ESTABLISHED);
	}
	if (ep_has(p, TCP_EP_FIN_SEEN) && tcp_seq_after(ack, p->fin_seq)) {
		p->flags |= TCP_EP_FIN_ACKED;
		/* P hears the ACK of its FIN (assumed). */
		switch (p->state) {
		case TCP_STATE_FIN_WAIT1:
			ep_set_state(p, TCP_STATE_FIN_WAIT2);
			break;
		case TCP_STATE_CLOSING:
			ep_set_state(p, TCP_STATE_TIME_WAIT);
			break;
		case TCP_STATE_LAST_ACK:
			ep_set_state(p, TCP_STATE_CLOSED);
			break;
		default:
			break;
		}
		/* E shows it received P's FIN. */
		switch (e->state) {
		case TCP_STATE_ESTABLISHED:
		case TCP_STATE_SYN_RECV:
		case TCP_STATE_SYN_SENT:
			ep_set_state(e, TCP_STATE_CLOSE_WAIT);
			break;
		case TCP_STATE_FIN_WAIT1:
			if (ep_has(e, TCP_EP_FIN_ACKED)) {
				ep_set_state(e, TCP_STATE_TIME_WAIT);
			} else {
				ep_set_state(e, TCP_STATE_CLOSING);
				c->flags |= TCP_CONN_SIM_CLOSE;
			}
			break;
		case TCP_STATE_FIN_WAIT2:
			ep_set_state(e, TCP_STATE_TIME_WAIT);
			break;
		default:
			break;
		}
	}
}

/*
 * RFC 793 p. 37 and RFC 5961 section 3: a RST is acceptable in
 * SYN_SENT when it acknowledges the SYN, elsewhere when its sequence
 * number lies in the receive window.
 */
static bool rst_acceptable(const struct tcp_conn *c, int dir,
			   const struct packet_tcp *t, int shift)
{
	const struct tcp_endpoint *e = &c->ep[dir], *p = &c->ep[!dir];
	uint64_t wnd;

	/*
	 * The receiver's ISN is known from its SYN, or from the SYN-ACK's
	 * ACK when the capture began there (tshark's base_seq either way).
	 */
	if (p->state == TCP_STATE_SYN_SENT)
		return (t->flags & TCP_FLAG_ACK) && p->an.base_set &&
		       t->ack == p->an.base_seq + 1;
	if (!ep_has(e, TCP_EP_SEQ_VALID) || !ep_has(p, TCP_EP_ACK_VALID))
		return true; /* nothing to judge it by */
	/* A SYN's own window is never scaled (RFC 7323 section 2.2). */
	if (p->an.is_first_ack)
		shift = 0;
	wnd = (uint64_t)p->an.window << (shift > 0 ? shift : 0);
	if (wnd == 0)
		wnd = 1;
	if (wnd > 0x7fffffff)
		wnd = 0x7fffffff;
	return tcp_seq_in(t->seq, p->an.lastack, p->an.lastack + (uint32_t)wnd) ||
	       t->seq == e->high_seq;
}

/*
 * A peer that has not acknowledged anything E sent since E began
 * retransmitting or probing may be gone: its receipt of E's RST is then
 * not assumed (it stays in its state, as a crashed or firewalled host).
 */
static bool peer_unresponsive(const struct tcp_endpoint *e)
{
	return ep_has(e, TCP_EP_UNANSWERED);
}

/* An acceptable RST (tcp_conn_on_segment sets the others aside). */
static void on_rst(struct tcp_conn *c, int dir)
{
	struct tcp_endpoint *e = &c->ep[dir], *p = &c->ep[!dir];

	e->flags |= TCP_EP_RST_SENT;
	if (c->rst_first < 0) {
		c->rst_first = (int8_t)dir;
		c->fins_before_rst = ep_has(e, TCP_EP_FIN_SEEN) &&
				     ep_has(p, TCP_EP_FIN_SEEN);
	}
	ep_set_state(e, TCP_STATE_CLOSED);
	/*
	 * Linux's default (net.ipv4.tcp_rfc1337=0) lets a RST end TIME_WAIT
	 * too, so every state of the receiver closes.
	 */
	if (!peer_unresponsive(e))
		ep_set_state(p, TCP_STATE_CLOSED);
}

static void on_fin_sent(struct tcp_conn *c, int dir, uint32_t fin_seq)
{
	struct tcp_endpoint *e = &c->ep[dir];

	if (ep_has(e, TCP_EP_FIN_SEEN))
		return; /* a retransmitted FIN changes nothing */
	e->flags |= TCP_EP_FIN_SEEN;
	e->fin_seq = fin_seq;
	if (c->fin_first < 0)
		c->fin_first = (int8_t)dir;
	switch (e->state) {
	case TCP_STATE_ESTABLISHED:
	case TCP_STATE_SYN_RECV:
	case TCP_STATE_SYN_SENT:
		ep_set_state(e, TCP_STATE_FIN_WAIT1);
		break;
	case TCP_STATE_CLOSE_WAIT:
		ep_set_state(e, TCP_STATE_LAST_ACK);
		break;
	default:
		break;
	}
}

static void on_syn_sent(struct tcp_conn *c, int dir, const struct packet *pkt,
			int64_t now)
{
	struct tcp_endpoint *e = &c->ep[dir], *p = &c->ep[!dir];
	bool ack = (pkt->tcp.flags & TCP_FLAG_ACK) != 0;

	if (!ep_has(e, TCP_EP_SYN_SEEN)) {
		/* tcp_analysis set an.base_seq to this SYN's sequence number. */
		e->flags |= TCP_EP_SYN_SEEN;
		note_syn_options(e, pkt);
		if (ep_has(p, TCP_EP_SYN_SEEN) &&
		    ep_has(e, TCP_EP_WSCALE) && ep_has(p, TCP_EP_WSCALE))
			c->flags |= TCP_CONN_WSCALE_OK;
	}
	if (!ack) {
		/*
		 * The latest SYN before the SYN-ACK: a retried SYN is what got
		 * answered (tshark's ts_mru_syn, its initial RTT).
		 */
		if (!(c->flags & TCP_CONN_HAS_SYNACK)) {
			c->flags |= TCP_CONN_HAS_SYN;
			c->syn_us = since_us(c, now);
		}
		if (e->state == TCP_STATE_CLOSED || e->state == TCP_STATE_LISTEN)
			ep_set_state(e, TCP_STATE_SYN_SENT);
		if (p->state == TCP_STATE_CLOSED)
			ep_set_state(p, TCP_STATE_LISTEN);
		else if (p->state == TCP_STATE_SYN_SENT && dir == FLOW_RESP)
			c->flags |= TCP_CONN_SIM_OPEN;
		return;
	}
	if (!(c->flags & TCP_CONN_HAS_SYNACK)) {
		c->flags |= TCP_CONN_HAS_SYNACK;
		c->synack_us = since_us(c, now);
	}
	/* Sending SYN-ACK shows it received the peer's SYN. */
	if (e->state == TCP_STATE_SYN_SENT)
		c->flags |= TCP_CONN_SIM_OPEN;
	if (e->state == TCP_STATE_LISTEN || e->state == TCP_STATE_CLOSED ||
	    e->state == TCP_STATE_SYN_SENT)
		ep_set_state(e, TCP_STATE_SYN_RECV);
}

/*
 * RFC 9293 section 3.10.7.3: an endpoint whose SYN is not acknowledged
 * yet takes only an ACK in (ISN, SND.NXT].  Any other, such as the
 * challenge ACK a peer still holding an old connection on the 4-tuple
 * sends (RFC 5961 section 4.2), acknowledges nothing of this one: the
 * receiver answers it with a RST.
 */
static bool ack_acknowledges(const struct tcp_conn *c, int dir,
			     const struct packet_tcp *t)
{
	const struct tcp_endpoint *p = &c->ep[!dir];

	if ((t->flags & TCP_FLAG_ACK) == 0)
		return false;
	if (!ep_has(p, TCP_EP_SYN_SEEN) || ep_has(p, TCP_EP_SYN_ACKED) ||
	    !ep_has(p, TCP_EP_SEQ_VALID))
		return true;
	return tcp_seq_after(t->ack, p->an.base_seq) &&
	       tcp_seq_before_eq(t->ack, p->high_seq);
}

static void apply_states(struct tcp_conn *c, int dir, const struct packet *pkt,
			 uint32_t seg_len, bool acks, int64_t now)
{
	const struct packet_tcp *t = &pkt->tcp;

	if (t->flags & TCP_FLAG_RST) {
		on_rst(c, dir);
		return;
	}
	if (t->flags & TCP_FLAG_SYN)
		on_syn_sent(c, dir, pkt, now);
	if (acks)
		on_ack_sent(c, dir, t->ack, now);
	if (t->flags & TCP_FLAG_FIN)
		on_fin_sent(c, dir,
			    t->seq + seg_len + ((t->flags & TCP_FLAG_SYN) ? 1 : 0));
}

/* ------------------------------------------------------------- accounting */

static void rtt_add(struct rtt_stats *r, uint64_t *sum_us, int64_t ns)
{
	uint32_t us = ns / 1000 > UINT32_MAX ? UINT32_MAX : (uint32_t)(ns / 1000);

	if (r->n == 0 || us < r->min_us)
		r->min_us = us;
	if (us > r->max_us)
		r->max_us = us;
	*sum_us += us;
	r->n++;
}

/*
 * One RTT probe per direction at a time (as BSD's t_rtttime): a new
 * segment is timed until the ACK that covers it.  Karn's rule: a probe
 * whose data is retransmitted is dropped, never sampled.
 */
static void rtt_on_send(struct tcp_endpoint *e, const struct packet_tcp *t,
			uint32_t end, bool resend, int64_t now)
{
	if (resend) {
		if (ep_has(e, TCP_EP_RTT_PROBE) &&
		    tcp_seq_before(t->seq, e->rtt_probe_end))
			e->flags &= (uint16_t)~TCP_EP_RTT_PROBE;
		return;
	}
	if (!ep_has(e, TCP_EP_RTT_PROBE) && tcp_seq_after(end, t->seq)) {
		e->flags |= TCP_EP_RTT_PROBE;
		e->rtt_probe_end = end;
		e->rtt_probe_ts = now;
	}
}

static int64_t rtt_on_ack(struct tcp_endpoint *p, const struct packet_tcp *t,
			  int64_t now)
{
	int64_t rtt;

	if ((t->flags & TCP_FLAG_ACK) == 0 || !ep_has(p, TCP_EP_RTT_PROBE) ||
	    tcp_seq_before(t->ack, p->rtt_probe_end))
		return 0;
	p->flags &= (uint16_t)~TCP_EP_RTT_PROBE;
	rtt = now - p->rtt_probe_ts;
	if (rtt <= 0)
		return 0;
	rtt_add(&p->rtt, &p->rtt_sum_us, rtt);
	return rtt;
}

/*
 * Zero-window time is summed between packets: each gap between two
 * packets of the flow counts for the endpoints advertising zero then
 * (added[d]: what endpoint d's sum grew by).
 */
static void zero_window_elapse(struct flow *f, int64_t now, int64_t added[2])
{
	for (int d = 0; d < 2; d++) {
		struct tcp_endpoint *e = &f->u.tcp.ep[d];

		added[d] = 0;
		if (ep_has(e, TCP_EP_ZERO_WINDOW) && now > f->last_ts) {
			added[d] = now - f->last_ts;
			e->zero_window_ns += added[d];
		}
	}
}

static void track_zero_window(struct tcp_endpoint *e, const struct packet_tcp *t)
{
	if (t->flags & (TCP_FLAG_SYN | TCP_FLAG_RST))
		return;
	if (t->window == 0)
		e->flags |= TCP_EP_ZERO_WINDOW;
	else
		e->flags &= (uint16_t)~TCP_EP_ZERO_WINDOW;
}

/*
 * Moves the highest sequence number sent forward, counting each pass of
 * the distance from the first data byte over 2^32 (tcp_conn_bytes).
 */
static void high_seq_advance(struct tcp_endpoint *e, uint32_t to)
{
	uint32_t first = e->an.base_seq + 1;

	if (to - first < e->high_seq - first)
		e->seq_wraps++;
	e->high_seq = to;
}

/* The highest sequence number sent. */
static void advance_sent(struct tcp_endpoint *e, const struct packet_tcp *t,
			 uint32_t end)
{
	/*
	 * A RST occupies no sequence space, and an unacceptable one (out of
	 * window, perhaps injected) must not move what comes next.
	 */
	if (t->flags & TCP_FLAG_RST)
		return;
	if (!ep_has(e, TCP_EP_SEQ_VALID)) {
		/*
		 * Never before the first data byte: mid-stream, the base may
		 * come from the peer's ACK, and this side's first segment can
		 * be a keep-alive one below it.
		 */
		e->high_seq = tcp_seq_before(end, e->an.base_seq + 1)
				      ? e->an.base_seq + 1 : end;
		e->flags |= TCP_EP_SEQ_VALID;
		return;
	}
	if (tcp_seq_after(end, e->high_seq))
		high_seq_advance(e, end);
}

/*
 * dir acknowledged up to ack: the peer's bytes below it that the capture
 * does not hold were missed by the capture, not lost (the receiver has
 * them).  Counts them and the content gaps they make, as Zeek's
 * reassembler does on an ACK: one per hole passed, and one for data
 * acknowledged beyond anything seen.  Bytes the snapshot length cut
 * count (Zeek's missed_bytes), but are not capture loss.
 */
static void count_capture_loss(struct tcp_conn *c, int dir, uint32_t ack,
			       struct tcp_seg_info *info)
{
	struct tcp_endpoint *p = &c->ep[!dir];
	struct tcp_gaps_acked g = {0};

	tcp_refine_holes_acked(p, ack, &g);
	if (ep_has(p, TCP_EP_SEQ_VALID) && tcp_seq_after(ack, p->high_seq)) {
		g.bytes += ack - p->high_seq;
		g.gaps++;
		g.unseen = true;
		high_seq_advance(p, ack);
	}
	c->gap_bytes += g.bytes;
	c->cut_bytes += g.cut_bytes;
	if (g.unseen)
		c->flags |= TCP_CONN_CAPTURE_GAP;
	info->peer_gaps = (uint8_t)(g.gaps > UINT8_MAX ? UINT8_MAX : g.gaps);
}

static void count_retransmission(struct tcp_endpoint *e,
				 const struct tcp_seg_info *info,
				 uint32_t seg_len)
{
	if (info->annots & (TCP_ANNOT_BIT(RETRANSMISSION) |
			    TCP_ANNOT_BIT(FAST_RETRANSMISSION) |
			    TCP_ANNOT_BIT(SPURIOUS_RETRANSMISSION))) {
		e->retrans_segs++;
		e->retrans_bytes += seg_len;
	}
}

/* ------------------------------------------------------------ entry points */

void tcp_conn_on_segment(struct flow *f, const struct packet *pkt,
			 uint32_t seg_len, int dir, int64_t now,
			 struct tcp_seg_info *info)
{
	struct tcp_conn *c = &f->u.tcp;
	struct tcp_endpoint *e = &c->ep[dir], *p = &c->ep[!dir];
	const struct packet_tcp *t = &pkt->tcp;
	uint32_t end = t->seq + seg_len +
		       ((t->flags & (TCP_FLAG_SYN | TCP_FLAG_FIN)) ? 1 : 0);
	bool acks;
	int shift;

	memset(info, 0, sizeof(*info));
	zero_window_elapse(f, now, info->zero_window_ns);
	info->dir = (uint8_t)dir;
	info->seg_len = seg_len;
	/*
	 * A RST the receiver would not accept (out of window: stale, or
	 * injected) is not part of the connection: tshark lets its sequence
	 * number move what comes next (later data then reads as resent),
	 * tcplens leaves the analysis alone.
	 */
	if ((t->flags & TCP_FLAG_RST) &&
	    !rst_acceptable(c, dir, t, window_shift(c, !dir))) {
		info->annots = TCP_ANNOT_BIT(RST_OUT_OF_WINDOW);
		info->state[0] = c->ep[0].state;
		info->state[1] = c->ep[1].state;
		info->win_shift = -1;
		info->rel_seq = t->seq - e->an.base_seq;
		info->rel_ack = (t->flags & TCP_FLAG_ACK) ? t->ack - p->an.base_seq : 0;
		return;
	}
	info->sender_quiet_ns = now - e->an.lastack_ts;
	info->peer_quiet_ns = now - (p->an.lastack_ts > f->first_ts
				     ? p->an.lastack_ts : f->first_ts);
	info->annots = tcp_analysis_segment(&e->an, &p->an, &c->ts_first_rtt,
					    &c->ts_mru_syn, t, seg_len, now,
					    &info->dup_ack_num);
	/*
	 * A SYN-ACK with a new ISN moved the sender's base (tshark keeps
	 * the conversation): what was counted from the old ISN starts over.
	 */
	if ((info->annots & TCP_ANNOT_BIT(REUSED_PORTS)) &&
	    (t->flags & TCP_FLAG_SYN)) {
		e->flags &= (uint16_t)~(TCP_EP_SEQ_VALID | TCP_EP_RTT_PROBE |
					TCP_EP_HOLES_OVERFLOW);
		e->seq_wraps = 0;
		e->hole_count = 0;
	}
	acks = ack_acknowledges(c, dir, t);
	if (acks)
		count_capture_loss(c, dir, t->ack, info);
	info->annots = tcp_refine_annotations(e, p, t, seg_len,
					      pkt->payload.len < seg_len,
					      info->annots, c->ts_first_rtt);
	count_retransmission(e, info, seg_len);
	p->flags &= (uint16_t)~TCP_EP_UNANSWERED;
	if (info->annots & (TCP_ANNOT_BIT(RETRANSMISSION) |
			    TCP_ANNOT_BIT(KEEP_ALIVE) |
			    TCP_ANNOT_BIT(ZERO_WINDOW_PROBE)))
		e->flags |= TCP_EP_UNANSWERED;
	rtt_on_send(e, t, end,
		    (info->annots & (TCP_ANNOT_BIT(RETRANSMISSION) |
				     TCP_ANNOT_BIT(OUT_OF_ORDER))) != 0, now);
	info->ack_rtt_ns = acks ? rtt_on_ack(p, t, now) : 0;
	advance_sent(e, t, end);
	track_zero_window(e, t);
	apply_states(c, dir, pkt, seg_len, acks, now);
	if (t->flags & TCP_FLAG_ACK)
		e->flags |= TCP_EP_ACK_VALID;
	if ((c->ep[0].state == TCP_STATE_TIME_WAIT ||
	     c->ep[1].state == TCP_STATE_TIME_WAIT) && c->tw_since == 0)
		c->tw_since = now;
	if (ep_has(p, TCP_EP_ACK_VALID) && tcp_seq_after(e->high_seq, p->an.lastack)) {
		info->in_flight = e->high_seq - p->an.lastack;
		if (info->in_flight > e->max_in_flight)
			e->max_in_flight = (uint32_t)info->in_flight;
	}
	shift = (t->flags & TCP_FLAG_SYN) ? 0 : window_shift(c, dir);
	info->win_shift = (int8_t)shift;
	info->window = (uint64_t)t->window << (shift > 0 ? shift : 0);
	info->rel_seq = t->seq - e->an.base_seq;
	info->rel_ack = (t->flags & TCP_FLAG_ACK) ? t->ack - p->an.base_seq : 0;
	info->state[0] = c->ep[0].state;
	info->state[1] = c->ep[1].state;
}

void tcp_conn_advance(struct flow *f, const struct tcp_config *cfg,
		      int64_t now)
{
	struct tcp_conn *c = &f->u.tcp;

	if (now < tcp_conn_time_wait_end(f, cfg))
		return;
	for (int d = 0; d < 2; d++)
		if (c->ep[d].state == TCP_STATE_TIME_WAIT)
			c->ep[d].state = TCP_STATE_CLOSED;
}

int64_t tcp_conn_time_wait_end(const struct flow *f,
			       const struct tcp_config *cfg)
{
	int64_t since = f->u.tcp.tw_since;

	if (since == 0 || since > INT64_MAX - cfg->time_wait_ns)
		return INT64_MAX;
	return since + cfg->time_wait_ns;
}

bool tcp_conn_is_closed(const struct flow *f)
{
	for (int d = 0; d < 2; d++) {
		uint8_t s = f->u.tcp.ep[d].state;

		if (s != TCP_STATE_CLOSED && s != TCP_STATE_TIME_WAIT)
			return false;
	}
	return true;
}

bool tcp_conn_is_new_attempt(const struct flow *f, const struct packet *pkt,
			     int dir)
{
	const struct tcp_conn *c = &f->u.tcp;

	if ((pkt->tcp.flags & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST)) !=
	    TCP_FLAG_SYN)
		return false;
	/*
	 * As tshark 4.0: a SYN whose sequence number is not the base of its
	 * direction starts a new connection (a retried SYN keeps its ISN).
	 */
	if (tcp_analysis_is_new_syn(&c->ep[dir].an, &pkt->tcp))
		return true;
	/*
	 * Once the connection was reset, or closed both ways, even the same
	 * ISN opens a new one, as Zeek's IsReuse() has it for a closed
	 * connection: a client whose SYN met a stale peer's challenge ACK
	 * resets that peer and retries the same SYN, and Windows retries a
	 * refused SYN; sequence numbers from before the RST mean nothing to
	 * the new handshake.
	 */
	return c->rst_first >= 0 || tcp_conn_is_closed(f);
}

bool tcp_conn_reuse_time_wait(struct flow *f)
{
	bool found = false;

	for (int d = 0; d < 2; d++) {
		struct tcp_endpoint *e = &f->u.tcp.ep[d];

		if (e->state == TCP_STATE_TIME_WAIT) {
			ep_set_state(e, TCP_STATE_CLOSED);
			found = true;
		}
	}
	return found;
}

void tcp_conn_finish(struct flow *f, enum flow_end_reason why)
{
	f->end_reason = (uint8_t)why;
}

enum tcp_close_kind tcp_conn_close(const struct flow *f, int *initiator)
{
	const struct tcp_conn *c = &f->u.tcp;
	bool both_fins = ep_has(&c->ep[0], TCP_EP_FIN_SEEN) &&
			 ep_has(&c->ep[1], TCP_EP_FIN_SEEN);

	/* FINs both ways before any RST: a RST after that is an incident. */
	if (c->rst_first >= 0 && !c->fins_before_rst) {
		*initiator = c->rst_first;
		return TCP_CLOSE_RST;
	}
	*initiator = c->fin_first;
	if (both_fins)
		return TCP_CLOSE_FIN;
	return f->end_reason == FLOW_END_IDLE ? TCP_CLOSE_TIMEOUT : TCP_CLOSE_OPEN;
}

uint64_t tcp_conn_bytes(const struct flow *f, int dir)
{
	const struct tcp_endpoint *e = &f->u.tcp.ep[dir];
	uint64_t span;

	if (!ep_has(e, TCP_EP_SEQ_VALID))
		return 0;
	/* high_seq - (base + 1) as a distance: high_seq never lies before. */
	span = ((uint64_t)e->seq_wraps << 32) |
	       (uint32_t)(e->high_seq - (e->an.base_seq + 1));
	/* The FIN takes a sequence number but carries no byte. */
	if (ep_has(e, TCP_EP_FIN_SEEN) && span > 0 &&
	    tcp_seq_after(e->high_seq, e->fin_seq))
		span--;
	return span;
}
