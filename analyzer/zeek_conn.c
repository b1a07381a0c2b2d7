/*
 * Zeek's per-connection TCP/UDP/ICMP bookkeeping for conn.log, transcribed
 * from Zeek's source.  "Process()" below is
 * src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc's
 * TCPSessionAdapter::Process(), which runs for every TCP packet whose
 * checksum passed (TCPAnalyzer::DeliverPacket() in TCP.cc):
 *
 *   init_endpoint()    (re)initialise the sender's sequence numbers
 *   update_history()   S H F R I Q D A
 *   update_window()    W
 *   update_last_seq()  T
 *   UpdateStateMachine()   endpoint states; may flip the roles (^)
 *   peer->AckReceived()    the reassembler may find a gap (g)
 *
 * This file keeps that order.  Zeek keeps 64-bit relative sequence
 * numbers, a start_seq per side and 32-bit counters; to fit the
 * connection in 64 bytes this file keeps instead:
 *
 *   - last_seq only (no start_seq): Zeek's one use of start_seq that
 *     matters here, update_last_seq()'s "LastSeq() == StartSeq() + 1",
 *     is a flag kept up to date exactly (except after 4 GB of sequence
 *     space, where Zeek's 32-bit compare can meet start + 1 again);
 *   - the last SYN/FIN/RST sequence numbers as absolute values, low 13
 *     bits: Zeek compares relative values, which is the same except when
 *     start_seq moved in between (a SYN+FIN or SYN+RST, or a RST, then a
 *     SYN, then a RST from one side), or when two of them differ by a
 *     non-zero multiple of 8192;
 *   - the c, g and w counters saturate at 1023 and t at 16383: their
 *     letters stop after the 1000th (t: 10000th) occurrence, where Zeek
 *     goes on to 10^9.
 *
 * Not reproduced: the 'x' letter (analysis limits exceeded; not a packet
 * property), and the analysis Zeek's reassembler does to find gaps:
 * the caller reports the gaps each ACK passes (peer_gaps).  Zeek only reassembles
 * connections that have an application analyzer or are being inspected
 * by DPD, so it only finds gaps there.
 */
#include "zeek_conn.h"

#include <string.h>

_Static_assert(sizeof(struct zeek_conn) <= 52, "zeek_conn lives in every flow");

/* ----------------------------------------------------- packed bookkeeping */

/*
 * What zc->packed holds, bit offsets.  Per-side fields come in pairs,
 * originator first, so swapping the roles swaps neighbours.
 */
enum {
	W_PREV = 2,       /* class of Zeek's prev_state (enum prev_class) */
	W_HL = 13,        /* low bits of the last SYN / FIN / RST seq */
	W_CNT = 10,       /* c, g, w occurrences: 1023 > 1000 */
	W_CNT_T = 14,     /* t occurrences: 16383 > 10000 */

	O_PREV = 0,                          /* [side] */
	O_AT_START1 = O_PREV + 2 * W_PREV,   /* [side], 1 bit */
	O_HL = O_AT_START1 + 2,              /* [enum hl_kind][side] */
	O_CNT = O_HL + 3 * 2 * W_HL,         /* [SC_C, SC_G, SC_W][side] */
	O_CNT_T = O_CNT + 3 * 2 * W_CNT,     /* [side] */
	O_INV = O_CNT_T + 2 * W_CNT_T,       /* Zeek flipped on its own */
	O_TRUNC,                             /* history letters dropped */
	O_ICMP,                              /* an ICMP "connection" */
	O_END
};

_Static_assert(O_END <= 8 * sizeof(((struct zeek_conn *)0)->packed),
	       "packed bookkeeping does not fit");

/*
 * Only these prev_state values are ever tested: RESET after INACTIVE
 * (init_endpoint()), RESET after CLOSED (UpdateEstablishedState()),
 * CLOSED after ESTABLISHED (the reassembler's is_clean()).
 */
enum prev_class { PC_INACTIVE, PC_ESTABLISHED, PC_CLOSED, PC_OTHER };

enum hl_kind { HL_SYN, HL_FIN, HL_RST };
enum scaled_kind { SC_C, SC_G, SC_W, SC_T };

static uint32_t bits_get(const struct zeek_conn *zc, unsigned off,
			 unsigned width)
{
	uint32_t v = 0;
	unsigned first = off / 8, last = (off + width - 1) / 8;

	for (unsigned i = last + 1; i-- > first;)
		v = v << 8 | zc->packed[i];
	return (v >> (off % 8)) & ((1u << width) - 1);
}

static void bits_set(struct zeek_conn *zc, unsigned off, unsigned width,
		     uint32_t val)
{
	uint32_t mask = ((1u << width) - 1) << (off % 8);
	uint32_t v = (val << (off % 8)) & mask;

	for (unsigned i = off / 8; mask != 0; i++, mask >>= 8, v >>= 8)
		zc->packed[i] = (uint8_t)((zc->packed[i] & ~mask) | v);
}

static bool flag_get(const struct zeek_conn *zc, unsigned off)
{
	return bits_get(zc, off, 1) != 0;
}

static void flag_set(struct zeek_conn *zc, unsigned off, bool on)
{
	bits_set(zc, off, 1, on);
}

static enum prev_class prev_of(const struct zeek_conn *zc, unsigned ep)
{
	uint32_t v = bits_get(zc, O_PREV + ep * W_PREV, W_PREV);

	return (enum prev_class)v;
}

static unsigned hl_off(enum hl_kind k, unsigned ep)
{
	return O_HL + ((unsigned)k * 2 + ep) * W_HL;
}

static bool hl_same(const struct zeek_conn *zc, enum hl_kind k, unsigned ep,
		    uint32_t seq)
{
	return bits_get(zc, hl_off(k, ep), W_HL) == (seq & ((1u << W_HL) - 1));
}

static void hl_set(struct zeek_conn *zc, enum hl_kind k, unsigned ep,
		   uint32_t seq)
{
	bits_set(zc, hl_off(k, ep), W_HL, seq);
}

static unsigned scaled_width(enum scaled_kind k)
{
	return k == SC_T ? W_CNT_T : W_CNT;
}

static unsigned scaled_off(enum scaled_kind k, unsigned ep)
{
	if (k == SC_T)
		return O_CNT_T + ep * W_CNT_T;
	return O_CNT + ((unsigned)k * 2 + ep) * W_CNT;
}

static void swap_bits(struct zeek_conn *zc, unsigned off0, unsigned width)
{
	uint32_t a = bits_get(zc, off0, width);
	uint32_t b = bits_get(zc, off0 + width, width);

	bits_set(zc, off0, width, b);
	bits_set(zc, off0 + width, width, a);
}

/* TCPSessionAdapter::FlipRoles(): the endpoint objects change places. */
static void swap_sides(struct zeek_conn *zc)
{
	uint8_t s = zc->state[0];
	uint32_t l = zc->last_seq[0];

	zc->state[0] = zc->state[1];
	zc->state[1] = s;
	zc->last_seq[0] = zc->last_seq[1];
	zc->last_seq[1] = l;
	swap_bits(zc, O_PREV, W_PREV);
	swap_bits(zc, O_AT_START1, 1);
	for (unsigned k = HL_SYN; k <= HL_RST; k++)
		swap_bits(zc, hl_off((enum hl_kind)k, 0), W_HL);
	for (unsigned k = SC_C; k <= SC_T; k++)
		swap_bits(zc, scaled_off((enum scaled_kind)k, 0),
			  scaled_width((enum scaled_kind)k));
}

/* ---------------------------------------------------------------- history */

/* TCP_Endpoint::CheckHistory()/AddHistory(): the responder's in lower case. */
static char role_case(char upper, unsigned ep)
{
	return ep == 0 ? upper : (char)(upper - 'A' + 'a');
}

/* Every letter Zeek writes; a letter is stored as its index + 1. */
static const char history_alphabet[] = "SHADFRCGTWIQXshadfrcgtwiqx^";

/* Each letter's place in history_alphabet plus one (0: not a letter). */
static const uint8_t history_code[128] = {
	['S'] = 1, ['H'] = 2, ['A'] = 3, ['D'] = 4, ['F'] = 5, ['R'] = 6,
	['C'] = 7, ['G'] = 8, ['T'] = 9, ['W'] = 10, ['I'] = 11, ['Q'] = 12,
	['X'] = 13, ['s'] = 14, ['h'] = 15, ['a'] = 16, ['d'] = 17,
	['f'] = 18, ['r'] = 19, ['c'] = 20, ['g'] = 21, ['t'] = 22,
	['w'] = 23, ['i'] = 24, ['q'] = 25, ['x'] = 26, ['^'] = 27,
};

static unsigned letter_code(char c)
{
	return (unsigned char)c < 128 ? history_code[(unsigned char)c] : 0;
}

static unsigned hist_get(const struct zeek_conn *zc, size_t i)
{
	size_t bit = i * 5;
	unsigned v = zc->history[bit / 8];

	if (bit / 8 + 1 < sizeof(zc->history))
		v |= (unsigned)zc->history[bit / 8 + 1] << 8;
	return (v >> (bit % 8)) & 31u;
}

static void hist_set(struct zeek_conn *zc, size_t i, unsigned code)
{
	size_t bit = i * 5;
	unsigned v = (code & 31u) << (bit % 8);

	zc->history[bit / 8] |= (uint8_t)v;
	if (bit / 8 + 1 < sizeof(zc->history))
		zc->history[bit / 8 + 1] |= (uint8_t)(v >> 8);
}

#define SEEN_LEN_SHIFT 27

_Static_assert(sizeof(history_alphabet) - 1 <= SEEN_LEN_SHIFT,
	       "every letter has a seen bit");
_Static_assert(ZEEK_HISTORY_MAX < 32, "the length fits 5 bits");

static size_t hist_len(const struct zeek_conn *zc)
{
	return zc->seen >> SEEN_LEN_SHIFT;
}

/* Session::AddHistory(), cut at ZEEK_HISTORY_MAX. */
static void add_history(struct zeek_conn *zc, char c)
{
	size_t n = hist_len(zc);
	unsigned code = letter_code(c);

	if (n >= ZEEK_HISTORY_MAX || code == 0) {
		flag_set(zc, O_TRUNC, true);
		return;
	}
	code--;
	hist_set(zc, n, code + 1);
	zc->seen = (zc->seen & ((1u << SEEN_LEN_SHIFT) - 1)) | (1u << code) |
		   (uint32_t)(n + 1) << SEEN_LEN_SHIFT;
}

static bool has_letter(const struct zeek_conn *zc, char c)
{
	unsigned code = letter_code(c);

	return code != 0 && ((zc->seen >> (code - 1)) & 1u);
}

/*
 * Session::CheckHistory(): returns whether the letter was already seen,
 * appending it if not.  Zeek keeps a seen bit per letter and side
 * (hist_seen, the responder's shifted by 16): set exactly when the letter
 * is appended, never cleared, and not swapped by FlipRoles() (which only
 * appends '^').  So the letter being in the history is that bit; once the
 * history is full nothing can be appended either way.  S and H share one
 * bit (HIST_SYN_PKT).
 */
static bool check_history(struct zeek_conn *zc, unsigned ep, char upper)
{
	bool seen = has_letter(zc, role_case(upper, ep));

	if (upper == 'S' || upper == 'H')
		seen = has_letter(zc, role_case('S', ep)) ||
		       has_letter(zc, role_case('H', ep));
	if (!seen)
		add_history(zc, role_case(upper, ep));
	return seen;
}

static bool is_power_of_ten(uint32_t n)
{
	while (n >= 10 && n % 10 == 0)
		n /= 10;
	return n == 1;
}

/*
 * Session::ScaledHistoryEntry(): the letter at the 1st, 10th, 100th ...
 * occurrence (threshold 1, times 10 each time it is reached).  Used by
 * TCP_Endpoint::ChecksumError/DidRxmit/ZeroWindow/Gap and the UDP
 * adapter's HandleBadChecksum().  Our counters saturate (see top).
 */
static void scaled_entry(struct zeek_conn *zc, enum scaled_kind k,
			 unsigned ep, char upper)
{
	unsigned off = scaled_off(k, ep), width = scaled_width(k);
	uint32_t n = bits_get(zc, off, width);

	if (n == (1u << width) - 1)
		return;
	bits_set(zc, off, width, ++n);
	if (is_power_of_ten(n))
		add_history(zc, role_case(upper, ep));
}

/* ------------------------------------------------------------- TCP packet */

struct seg_view {
	bool is_orig;          /* Zeek's role of the sender when it arrived */
	bool syn, fin, rst, ack;
	uint32_t seq, len;
	uint32_t one_past;     /* Process()'s seq_one_past_segment */
};

/* Zeek's seq_delta(): the 32-bit difference read as signed, without UB. */
static int32_t seq_delta(uint32_t a, uint32_t b)
{
	uint32_t d = a - b;

	if (d <= INT32_MAX)
		return (int32_t)d;
	return (int32_t)(d - 0x80000000u) - INT32_MAX - 1;
}

static unsigned sender_side(const struct zeek_conn *zc, bool from_orig)
{
	return from_orig != flag_get(zc, O_INV) ? 0 : 1;
}

/*
 * get_segment_len(): SYN and FIN take a sequence number each; a RST's
 * payload is not part of the stream.
 */
static struct seg_view view_of(const struct zeek_conn *zc,
			       const struct zeek_segment *seg)
{
	struct seg_view p;
	uint32_t seg_len = seg->payload_len;

	p.is_orig = sender_side(zc, seg->from_orig) == 0;
	p.syn = (seg->flags & ZEEK_TH_SYN) != 0;
	p.fin = (seg->flags & ZEEK_TH_FIN) != 0;
	p.rst = (seg->flags & ZEEK_TH_RST) != 0;
	p.ack = (seg->flags & ZEEK_TH_ACK) != 0;
	p.seq = seg->seq;
	p.len = seg->payload_len;
	seg_len += (uint32_t)p.syn + (uint32_t)p.fin;
	if (p.rst)
		seg_len -= seg->payload_len;
	p.one_past = seg->seq + seg_len;
	return p;
}

/* TCP_Endpoint::SetState(): prev_state only moves on a real change. */
static void set_state(struct zeek_conn *zc, unsigned ep,
		      enum zeek_tcp_state s)
{
	enum prev_class pc = PC_OTHER;

	if (zc->state[ep] == s)
		return;
	if (zc->state[ep] == ZEEK_TCP_INACTIVE)
		pc = PC_INACTIVE;
	else if (zc->state[ep] == ZEEK_TCP_ESTABLISHED)
		pc = PC_ESTABLISHED;
	else if (zc->state[ep] == ZEEK_TCP_CLOSED)
		pc = PC_CLOSED;
	bits_set(zc, O_PREV + ep * W_PREV, W_PREV, pc);
	zc->state[ep] = (uint8_t)s;
}

static void init_seqs(struct zeek_conn *zc, unsigned ep, uint32_t last,
		      bool last_is_start1)
{
	zc->last_seq[ep] = last;
	flag_set(zc, O_AT_START1 + ep, last_is_start1);
}

/*
 * init_endpoint().  A SYN sets start = seq and last = one past it; a first
 * packet without SYN sets start = seq - 1 and last = seq ("as though we
 * saw a SYN", and so that it is not taken for a duplicate).  A later SYN
 * re-initialises in SYN_SENT/SYN_ACK_SENT when its seq differs from start
 * (there start is the last SYN's seq, kept in HL_SYN), always in
 * ESTABLISHED/PARTIAL, and in RESET when the RST came first.
 */
static void init_endpoint(struct zeek_conn *zc, unsigned ep,
			  const struct seg_view *p)
{
	bool syn_only_seq = p->one_past - p->seq == 1;

	switch (zc->state[ep]) {
	case ZEEK_TCP_INACTIVE:
		if (p->syn)
			init_seqs(zc, ep, p->one_past, syn_only_seq);
		else
			init_seqs(zc, ep, p->seq, true);
		break;
	case ZEEK_TCP_SYN_SENT:
	case ZEEK_TCP_SYN_ACK_SENT:
		if (p->syn && !hl_same(zc, HL_SYN, ep, p->seq))
			init_seqs(zc, ep, p->one_past, syn_only_seq);
		break;
	case ZEEK_TCP_ESTABLISHED:
	case ZEEK_TCP_PARTIAL:
		if (p->syn)
			init_seqs(zc, ep, p->one_past, syn_only_seq);
		break;
	case ZEEK_TCP_RESET:
		if (p->syn && prev_of(zc, ep) == PC_INACTIVE)
			init_seqs(zc, ep, p->one_past, syn_only_seq);
		break;
	default:
		break;
	}
}

/*
 * Where update_history() can add a SYN letter twice.  Zeek compares the
 * SYN's relative seq with the last SYN's; in every state but these two,
 * init_endpoint() has just made start = this SYN's seq, or it already
 * was, so both are 0 and no letter repeats.
 */
static bool syn_may_repeat(const struct zeek_conn *zc, unsigned ep)
{
	return zc->state[ep] == ZEEK_TCP_CLOSED ||
	       (zc->state[ep] == ZEEK_TCP_RESET &&
		prev_of(zc, ep) != PC_INACTIVE);
}

/*
 * update_history()'s S/H, F and R: once per side, and again when the
 * sequence number differs from the last one of that kind (for a FIN the
 * end of its data, "rel_seq + len").
 */
static void repeatable_letter(struct zeek_conn *zc, unsigned ep,
			      enum hl_kind k, char upper, uint32_t seq,
			      bool may_repeat)
{
	if (check_history(zc, ep, upper) && may_repeat &&
	    !hl_same(zc, k, ep, seq))
		add_history(zc, role_case(upper, ep));
	hl_set(zc, k, ep, seq);
}

/*
 * update_history(): packets with two or more of SYN/FIN/RST give I (FIN
 * and RST) or Q, once; one of them gives S/H, F or R; none gives D when
 * there is payload, else A when ACK is set, once each.
 */
static void update_history(struct zeek_conn *zc, unsigned ep,
			   const struct seg_view *p)
{
	int bits_set_n = (int)p->syn + (int)p->fin + (int)p->rst;

	if (bits_set_n > 1)
		(void)check_history(zc, ep, p->fin && p->rst ? 'I' : 'Q');
	else if (p->syn)
		repeatable_letter(zc, ep, HL_SYN, p->ack ? 'H' : 'S', p->seq,
				  syn_may_repeat(zc, ep));
	else if (p->fin)
		repeatable_letter(zc, ep, HL_FIN, 'F', p->seq + p->len, true);
	else if (p->rst)
		repeatable_letter(zc, ep, HL_RST, 'R', p->seq, true);
	else if (p->len > 0)
		(void)check_history(zc, ep, 'D');
	else if (p->ack)
		(void)check_history(zc, ep, 'A');
}

/*
 * update_window(): a zero window counts unless it comes with or after
 * this side's RST, or after the peer's FIN (the window is then moot).
 * Window scaling cannot turn a non-zero field into zero.
 */
static void zero_window(struct zeek_conn *zc, unsigned ep,
			const struct seg_view *p, uint32_t window)
{
	if (window == 0 && !p->rst &&
	    zc->state[1 - ep] != ZEEK_TCP_CLOSED &&
	    zc->state[ep] != ZEEK_TCP_RESET)
		scaled_entry(zc, SC_W, ep, 'W');
}

/*
 * update_last_seq(): last_seq only moves forward, and a packet with
 * payload that does not move it is a retransmission (DidRxmit(): 't').
 * That takes in keep-alives (one old byte) and segments arriving out of
 * order, which tcplens's own retransmission analysis tells apart: Zeek's
 * rule is used, zeek_segment.retransmission is not.  SYNs and RSTs more
 * than 1 MiB away are not trusted, nor anything after this side's RST;
 * a FIN right after the SYN moves last_seq even backwards (> 2 GB
 * connections seen only by SYN and FIN).
 */
static void update_last_seq(struct zeek_conn *zc, unsigned ep,
			    const struct seg_view *p)
{
	enum { TOO_LARGE_SEQ_DELTA = 1048576 };
	int32_t delta = seq_delta(p->one_past, zc->last_seq[ep]);

	if ((p->syn || p->rst) &&
	    (delta > TOO_LARGE_SEQ_DELTA || delta < -TOO_LARGE_SEQ_DELTA))
		return;
	if (p->fin && flag_get(zc, O_AT_START1 + ep)) {
		/* Still start + 1 only if it did not move. */
		init_seqs(zc, ep, p->one_past, delta == 0);
		return;
	}
	if (zc->state[ep] == ZEEK_TCP_RESET)
		return;
	if (delta > 0)
		init_seqs(zc, ep, p->one_past, false);
	else if (p->len > 0)
		scaled_entry(zc, SC_T, ep, 'T');
}

/* Connection::FlipRoles() + TCPSessionAdapter::FlipRoles(). */
static void flip_roles(struct zeek_conn *zc)
{
	swap_sides(zc);
	add_history(zc, '^');
}

/*
 * UpdateInactiveState(), SYN part.  The originator's SYN-ACK is odd but
 * kept (SYN_ACK_SENT).  A responder's SYN answering the originator's
 * SYN-ACK is the SYN/SYN-ACK reversal (e.g. two capture interfaces):
 * Zeek flips the roles and takes the connection as established.  Its
 * "base_seq == endpoint->StartSeq()" test always holds there, as
 * init_endpoint() has just set start from this SYN.  Returns where the
 * sender is after a flip.
 */
static unsigned inactive_syn(struct zeek_conn *zc, unsigned ep,
			     const struct seg_view *p)
{
	unsigned pe = 1 - ep;

	if (p->is_orig) {
		set_state(zc, ep, p->ack ? ZEEK_TCP_SYN_ACK_SENT
					 : ZEEK_TCP_SYN_SENT);
		return ep;
	}
	if (!p->ack && zc->state[pe] == ZEEK_TCP_SYN_ACK_SENT) {
		flip_roles(zc);
		flag_set(zc, O_INV, !flag_get(zc, O_INV));
		ep = pe;
		pe = 1 - ep;
		set_state(zc, pe, ZEEK_TCP_ESTABLISHED);
	}
	if (zc->state[pe] == ZEEK_TCP_SYN_SENT)
		set_state(zc, pe, ZEEK_TCP_ESTABLISHED);
	set_state(zc, ep, ZEEK_TCP_ESTABLISHED);
	return ep;
}

/*
 * UpdateInactiveState(), no SYN/FIN/RST: an ACK without payload from the
 * responder while the originator's SYN is unanswered leaves it inactive
 * (stacks that ACK a SYN before answering it); an ACK after the peer's
 * SYN-ACK establishes (the SYN was missed); anything else is partial.
 */
static void inactive_plain(struct zeek_conn *zc, unsigned ep,
			   const struct seg_view *p)
{
	if (!p->is_orig && p->len == 0 &&
	    zc->state[0] == ZEEK_TCP_SYN_SENT)
		return;
	if (p->ack && zc->state[1 - ep] == ZEEK_TCP_ESTABLISHED)
		set_state(zc, ep, ZEEK_TCP_ESTABLISHED);
	else
		set_state(zc, ep, ZEEK_TCP_PARTIAL);
}

/* UpdateInactiveState(): FIN closes and RST resets whatever came first. */
static unsigned inactive_state(struct zeek_conn *zc, unsigned ep,
			       const struct seg_view *p)
{
	if (p->syn)
		ep = inactive_syn(zc, ep, p);
	if (p->fin)
		set_state(zc, ep, ZEEK_TCP_CLOSED);
	if (p->rst)
		set_state(zc, ep, ZEEK_TCP_RESET);
	if (zc->state[ep] == ZEEK_TCP_INACTIVE)
		inactive_plain(zc, ep, p);
	return ep;
}

/* UpdateSYN_SentState(): repeated SYNs change nothing. */
static void syn_sent_state(struct zeek_conn *zc, unsigned ep,
			   const struct seg_view *p)
{
	if (p->fin)
		set_state(zc, ep, ZEEK_TCP_CLOSED);
	if (p->rst)
		set_state(zc, ep, ZEEK_TCP_RESET);
}

/*
 * UpdateEstablishedState() (ESTABLISHED and PARTIAL).  A SYN after a
 * one-sided partial start restarts the handshake.  A FIN from one side
 * after the other's FIN-then-RST turns that RST back into CLOSED: it was
 * a normal close.  FIN+RST resets.
 */
static void established_state(struct zeek_conn *zc, unsigned ep,
			      const struct seg_view *p)
{
	unsigned pe = 1 - ep;

	if (p->syn && zc->state[ep] == ZEEK_TCP_PARTIAL &&
	    zc->state[pe] == ZEEK_TCP_INACTIVE && !p->ack)
		set_state(zc, ep, ZEEK_TCP_SYN_SENT);
	if (p->fin && !p->rst) {
		set_state(zc, ep, ZEEK_TCP_CLOSED);
		if (zc->state[pe] == ZEEK_TCP_RESET &&
		    prev_of(zc, pe) == PC_CLOSED)
			set_state(zc, pe, ZEEK_TCP_CLOSED);
	}
	if (p->rst)
		set_state(zc, ep, ZEEK_TCP_RESET);
}

/*
 * UpdateClosedState(): a RST after our FIN resets, unless the peer closed
 * too (a complete FIN exchange stays CLOSED).  UpdateResetState() only
 * reports weirds.
 */
static void closed_state(struct zeek_conn *zc, unsigned ep,
			 const struct seg_view *p)
{
	if (p->rst && zc->state[1 - ep] != ZEEK_TCP_CLOSED)
		set_state(zc, ep, ZEEK_TCP_RESET);
}

/* UpdateStateMachine(): dispatch on the sender's state. */
static unsigned update_state_machine(struct zeek_conn *zc, unsigned ep,
				     const struct seg_view *p)
{
	switch (zc->state[ep]) {
	case ZEEK_TCP_INACTIVE:
		return inactive_state(zc, ep, p);
	case ZEEK_TCP_SYN_SENT:
	case ZEEK_TCP_SYN_ACK_SENT:
		syn_sent_state(zc, ep, p);
		break;
	case ZEEK_TCP_ESTABLISHED:
	case ZEEK_TCP_PARTIAL:
		established_state(zc, ep, p);
		break;
	case ZEEK_TCP_CLOSED:
		closed_state(zc, ep, p);
		break;
	default:
		break;
	}
	return ep;
}

/*
 * TCP_Reassembler::Gap(): a gap counts (TCP_Endpoint::Gap()) only while
 * both sides are established or closing cleanly; elsewhere gaps come from
 * RST sequence numbers or unseen starts of partial connections.
 */
static bool is_clean(const struct zeek_conn *zc, unsigned ep)
{
	return zc->state[ep] == ZEEK_TCP_ESTABLISHED ||
	       (zc->state[ep] == ZEEK_TCP_CLOSED &&
		prev_of(zc, ep) == PC_ESTABLISHED);
}

static void content_gap(struct zeek_conn *zc, unsigned ep)
{
	if (is_clean(zc, ep) && is_clean(zc, 1 - ep))
		scaled_entry(zc, SC_G, ep, 'G');
}

/* ------------------------------------------------------------- public API */

void zeek_conn_init(struct zeek_conn *zc)
{
	memset(zc, 0, sizeof(*zc));
}

/*
 * TCPAnalyzer::DeliverPacket() drops a packet with a bad checksum after
 * TCP_Endpoint::ChecksumError() ('c'); the rest is Process().
 */
void zeek_tcp_on_segment(struct zeek_conn *zc, const struct zeek_segment *seg)
{
	struct seg_view p = view_of(zc, seg);
	unsigned ep = p.is_orig ? 0 : 1;

	if (seg->bad_checksum) {
		scaled_entry(zc, SC_C, ep, 'C');
		return;
	}
	init_endpoint(zc, ep, &p);
	update_history(zc, ep, &p);
	zero_window(zc, ep, &p, seg->window);
	update_last_seq(zc, ep, &p);
	ep = update_state_machine(zc, ep, &p);
	/* After the state machine, as Process() calls AckReceived(). */
	for (unsigned i = 0; i < seg->peer_gaps; i++)
		content_gap(zc, 1 - ep);
}

/*
 * UDPAnalyzer::DeliverPacket(): CheckHistory(HIST_ORIG/RESP_DATA_PKT)
 * for every datagram that passed its checksum, whatever its length, and
 * UpdateLength() makes the side UDP_ACTIVE.
 */
void zeek_udp_on_packet(struct zeek_conn *zc, bool from_orig,
			uint32_t payload_len)
{
	unsigned ep = sender_side(zc, from_orig);

	(void)payload_len;
	(void)check_history(zc, ep, 'D');
	zc->state[ep] = ZEEK_UDP_ACTIVE;
}

/* UDPSessionAdapter::HandleBadChecksum(): scaled 'C', packet dropped. */
void zeek_udp_on_bad_checksum(struct zeek_conn *zc, bool from_orig)
{
	scaled_entry(zc, SC_C, sender_side(zc, from_orig), 'C');
}

/*
 * ICMPAnalyzer::DeliverPacket(): no history letter at all;
 * ICMPSessionAdapter::UpdateLength() makes the side active.
 */
void zeek_icmp_on_packet(struct zeek_conn *zc, bool from_orig)
{
	flag_set(zc, O_ICMP, true);
	zc->state[sender_side(zc, from_orig)] = ZEEK_UDP_ACTIVE;
}

void zeek_conn_flip(struct zeek_conn *zc)
{
	flip_roles(zc);
}

bool zeek_conn_roles_swapped(const struct zeek_conn *zc)
{
	return flag_get(zc, O_INV);
}

/*
 * conn_state()'s RSTOS0 test: c$history must match the whole pattern
 *   \^?S[^HAFGIQ]*R.*
 * (Zeek's pattern == string is anchored at both ends): an optional '^',
 * 'S', then an 'R' before any of H A F G I Q.
 */
static bool rstos0_history(const char *h)
{
	if (*h == '^')
		h++;
	if (*h != 'S')
		return false;
	for (h++; *h != '\0'; h++) {
		if (*h == 'R')
			return true;
		if (strchr("HAFGIQ", *h) != NULL)
			return false;
	}
	return false;
}

static bool inactive_or_partial(uint8_t s)
{
	return s == ZEEK_TCP_INACTIVE || s == ZEEK_TCP_PARTIAL;
}

/* conn_state(), the responder-reset branch. */
static const char *resp_reset_state(uint8_t os, uint64_t osz, uint64_t rsz)
{
	if (os == ZEEK_TCP_SYN_SENT || os == ZEEK_TCP_SYN_ACK_SENT ||
	    (os == ZEEK_TCP_RESET && osz == 0 && rsz == 0))
		return "REJ";
	return inactive_or_partial(os) ? "RSTRH" : "RSTR";
}

/* conn_state() in scripts/base/protocols/conn/main.zeek, TCP branch. */
const char *zeek_tcp_conn_state(const struct zeek_conn *zc, uint64_t orig_size,
				uint64_t resp_size)
{
	uint8_t os = zc->state[0], rs = zc->state[1];
	bool swapped = flag_get(zc, O_INV);
	uint64_t osz = swapped ? resp_size : orig_size;
	uint64_t rsz = swapped ? orig_size : resp_size;

	if (rs == ZEEK_TCP_RESET)
		return resp_reset_state(os, osz, rsz);
	if (os == ZEEK_TCP_RESET) {
		char h[ZEEK_HISTORY_MAX + 1];

		if (!inactive_or_partial(rs))
			return "RSTO";
		return rstos0_history(zeek_conn_history(zc, h)) ? "RSTOS0"
								: "OTH";
	}
	if (rs == ZEEK_TCP_CLOSED && os == ZEEK_TCP_CLOSED)
		return "SF";
	if (os == ZEEK_TCP_CLOSED)
		return inactive_or_partial(rs) ? "SH" : "S2";
	if (rs == ZEEK_TCP_CLOSED)
		return inactive_or_partial(os) ? "SHR" : "S3";
	if (os == ZEEK_TCP_SYN_SENT && rs == ZEEK_TCP_INACTIVE)
		return "S0";
	if (os == ZEEK_TCP_ESTABLISHED && rs == ZEEK_TCP_ESTABLISHED)
		return "S1";
	return "OTH";
}

/*
 * conn_state(), UDP branch; ICMP falls to the final "OTH" (main.zeek has
 * no ICMP branch).
 */
const char *zeek_udp_conn_state(const struct zeek_conn *zc)
{
	bool o = zc->state[0] == ZEEK_UDP_ACTIVE;
	bool r = zc->state[1] == ZEEK_UDP_ACTIVE;

	if (flag_get(zc, O_ICMP))
		return "OTH";
	if (o)
		return r ? "SF" : "S0";
	return r ? "SHR" : "OTH";
}

const char *zeek_conn_history(const struct zeek_conn *zc,
			      char buf[ZEEK_HISTORY_MAX + 1])
{
	size_t n = hist_len(zc);

	for (size_t i = 0; i < n; i++)
		buf[i] = history_alphabet[hist_get(zc, i) - 1];
	buf[n] = '\0';
	return buf;
}

bool zeek_conn_history_truncated(const struct zeek_conn *zc)
{
	return flag_get(zc, O_TRUNC);
}

const char *zeek_tcp_state_name(enum zeek_tcp_state s)
{
	static const char *const names[] = {
		"INACTIVE", "SYN_SENT", "SYN_ACK_SENT", "PARTIAL",
		"ESTABLISHED", "CLOSED", "RESET",
	};

	if ((unsigned)s >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[s];
}
