#include "tcp_stream.h"

#include <stdlib.h>
#include <string.h>

#include "tcp_seq.h"

/* The TCP header's flag bits this file looks at. */
#define SEG_FIN 0x01
#define SEG_SYN 0x02

/* The first held buffer: grows by doubling from here. */
#define HELD_INITIAL (64u * 1024)

/* [start, end) in stream offsets. */
struct range {
	uint64_t start, end;
};

/*
 * Bytes indexed by stream offset modulo a power of two: held data and
 * the history keep their place while the stream moves on, so nothing is
 * ever shifted, and any window of cap offsets has a slot for each.
 */
struct ring {
	uint8_t *buf;
	size_t cap;             /* 0, or a power of two */
};

struct tcp_stream {
	int dir;
	struct tcp_stream_config cfg;
	struct tcp_stream_sink sink;
	bool started, fin_seen, finished;
	uint32_t base_seq;      /* sequence number of offset 0 */
	uint64_t next;          /* next offset to deliver; all before settled */
	uint64_t seen_end;      /* highest offset a segment (or FIN) proved */
	uint64_t ack_end;       /* highest offset the peer acknowledged */
	uint64_t fin_off;       /* offset of the FIN's sequence number */
	/* Out-of-order data in [next, next + max_held): bytes and pieces. */
	struct ring held;
	size_t held_limit;      /* held.cap never grows past this */
	struct range *ranges;   /* sorted, disjoint, not adjacent */
	size_t n_ranges, ranges_cap;
	size_t held_bytes;
	/* Delivered bytes, valid in [max(hist_start, next - cap), next). */
	struct ring hist;
	size_t hist_limit;
	uint64_t hist_start;    /* after the last gap */
	struct tcp_stream_stats st;
};

static size_t pow2_at_least(size_t n)
{
	size_t p = 1;

	while (p < n && p <= SIZE_MAX / 2)
		p <<= 1;
	return p;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* ------------------------------------------------------------------ rings */

/* The contiguous part of [off, off + n) in the ring: pointer, *len. */
static uint8_t *ring_span(const struct ring *r, uint64_t off, uint64_t n,
			  size_t *len)
{
	size_t idx = (size_t)(off & (r->cap - 1));

	*len = (size_t)min_u64(n, r->cap - idx);
	return r->buf + idx;
}

static void ring_write(struct ring *r, uint64_t off, const uint8_t *src,
		       size_t n)
{
	while (n > 0) {
		size_t len;
		uint8_t *dst = ring_span(r, off, n, &len);

		memcpy(dst, src, len);
		off += len;
		src += len;
		n -= len;
	}
}

/* Moves to a bigger ring, keeping the bytes of the given ranges. */
static bool ring_grow(struct ring *r, size_t cap, const struct range *keep,
		      size_t n_keep)
{
	struct ring nr;

	nr.buf = malloc(cap);
	nr.cap = cap;
	if (nr.buf == NULL)
		return false;
	for (size_t i = 0; i < n_keep && r->cap > 0; i++) {
		for (uint64_t o = keep[i].start; o < keep[i].end;) {
			size_t len;
			const uint8_t *p = ring_span(r, o, keep[i].end - o, &len);

			ring_write(&nr, o, p, len);
			o += len;
		}
	}
	free(r->buf);
	*r = nr;
	return true;
}

/*
 * Compares n bytes at p with the ring's copy at off: returns how many
 * differ, the first of them in *first.
 */
static uint64_t ring_diff(const struct ring *r, uint64_t off,
			  const uint8_t *p, size_t n, uint64_t *first)
{
	uint64_t diffs = 0;

	while (n > 0) {
		size_t len;
		const uint8_t *q = ring_span(r, off, n, &len);

		if (memcmp(q, p, len) != 0) {
			for (size_t i = 0; i < len; i++) {
				if (q[i] == p[i])
					continue;
				if (diffs++ == 0)
					*first = off + i;
			}
		}
		off += len;
		p += len;
		n -= len;
	}
	return diffs;
}

/* -------------------------------------------------------------- delivery */

static void hist_append(struct tcp_stream *s, const uint8_t *p, size_t n)
{
	uint64_t want = s->next + n - s->hist_start;
	size_t keep;

	if (s->hist_limit == 0)
		return;
	if (want > s->hist.cap && s->hist.cap < s->hist_limit) {
		size_t cap = want >= s->hist_limit ? s->hist_limit
						   : pow2_at_least((size_t)want);
		struct range valid;

		valid.end = s->next;
		valid.start = s->next - min_u64(s->next - s->hist_start,
						s->hist.cap);
		/* Out of memory: keep the smaller history. */
		(void)ring_grow(&s->hist, cap, &valid, 1);
	}
	if (s->hist.cap == 0)
		return;
	keep = n < s->hist.cap ? n : s->hist.cap;
	ring_write(&s->hist, s->next + n - keep, p + n - keep, keep);
}

static void deliver(struct tcp_stream *s, const uint8_t *p, size_t n,
		    int64_t ts)
{
	if (n == 0)
		return;
	if (s->sink.on_data != NULL)
		s->sink.on_data(s->sink.ctx, s->dir, p, n, s->next, ts);
	hist_append(s, p, n);
	s->next += n;
	s->st.delivered_bytes += n;
}

static void emit_gap(struct tcp_stream *s, uint64_t len,
		     enum tcp_stream_gap_reason why)
{
	if (len == 0)
		return;
	if (s->sink.on_gap != NULL)
		s->sink.on_gap(s->sink.ctx, s->dir, s->next, len, why);
	s->st.gaps++;
	s->st.gap_bytes += len;
	s->next += len;
	/* The history must not span the gap: it holds no bytes for it. */
	s->hist_start = s->next;
}

/* Delivers held pieces while the first one starts at next. */
static void deliver_ready(struct tcp_stream *s, int64_t ts)
{
	while (s->n_ranges > 0 && s->ranges[0].start == s->next) {
		uint64_t end = s->ranges[0].end;

		s->held_bytes -= (size_t)(end - s->next);
		s->n_ranges--;
		memmove(s->ranges, s->ranges + 1,
			s->n_ranges * sizeof(s->ranges[0]));
		while (s->next < end) {
			size_t len;
			const uint8_t *p = ring_span(&s->held, s->next,
						     end - s->next, &len);

			deliver(s, p, len, ts);
		}
	}
}

/* Settles everything before limit: held pieces delivered, holes gaps. */
static void resolve(struct tcp_stream *s, uint64_t limit,
		    enum tcp_stream_gap_reason why, int64_t ts)
{
	while (s->next < limit) {
		uint64_t end = limit;

		if (s->n_ranges > 0 && s->ranges[0].start == s->next) {
			deliver_ready(s, ts);
			continue;
		}
		if (s->n_ranges > 0 && s->ranges[0].start < end)
			end = s->ranges[0].start;
		emit_gap(s, end - s->next, why);
	}
	deliver_ready(s, ts);
}

/* Holes the peer acknowledged past were lost by the capture. */
static void resolve_acked(struct tcp_stream *s, int64_t ts)
{
	resolve(s, min_u64(s->ack_end, s->seen_end), TCP_GAP_NOT_CAPTURED, ts);
}

static void give_up(struct tcp_stream *s, uint64_t target, int64_t ts)
{
	s->st.hold_overflows++;
	resolve(s, target, TCP_GAP_HOLD_LIMIT, ts);
}

/* ------------------------------------------------------------- overlaps */

static void report_conflict(struct tcp_stream *s, uint64_t first,
			    uint64_t diffs)
{
	s->st.conflicts++;
	s->st.conflict_bytes += diffs;
	if (s->sink.on_conflict != NULL)
		s->sink.on_conflict(s->sink.ctx, s->dir, first, diffs);
}

/* n captured bytes at off, all before next: compared with the history. */
static void overlap_delivered(struct tcp_stream *s, uint64_t off,
			      const uint8_t *p, size_t n)
{
	uint64_t valid = s->hist_start, first = 0, diffs;
	size_t skip;

	if (s->next - valid > s->hist.cap)
		valid = s->next - s->hist.cap;
	skip = off < valid ? (size_t)min_u64(valid - off, n) : 0;
	s->st.unchecked_bytes += skip;
	if (skip == n)
		return;
	diffs = ring_diff(&s->hist, off + skip, p + skip, n - skip, &first);
	if (diffs > 0)
		report_conflict(s, first, diffs);
}

/* ------------------------------------------------------------ held data */

/* Index of the first range that ends at or after off. */
static size_t range_find(const struct tcp_stream *s, uint64_t off)
{
	size_t lo = 0, hi = s->n_ranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->ranges[mid].end < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Room for one more range, so that range_add() cannot fail. */
static bool ranges_reserve(struct tcp_stream *s)
{
	size_t cap;
	struct range *r;

	if (s->n_ranges < s->ranges_cap)
		return true;
	cap = s->ranges_cap == 0 ? 16 : s->ranges_cap * 2;
	r = realloc(s->ranges, cap * sizeof(*r));
	if (r == NULL)
		return false;
	s->ranges = r;
	s->ranges_cap = cap;
	return true;
}

/* Adds [start, end) to the ranges, merging what it overlaps or touches. */
static void range_add(struct tcp_stream *s, uint64_t start, uint64_t end)
{
	size_t i = range_find(s, start), j = i;

	while (j < s->n_ranges && s->ranges[j].start <= end)
		j++;
	if (i == j) {
		memmove(s->ranges + i + 1, s->ranges + i,
			(s->n_ranges - i) * sizeof(s->ranges[0]));
		s->n_ranges++;
	} else {
		if (s->ranges[i].start < start)
			start = s->ranges[i].start;
		if (s->ranges[j - 1].end > end)
			end = s->ranges[j - 1].end;
		memmove(s->ranges + i + 1, s->ranges + j,
			(s->n_ranges - j) * sizeof(s->ranges[0]));
		s->n_ranges -= j - i - 1;
	}
	s->ranges[i].start = start;
	s->ranges[i].end = end;
}

static bool held_reserve(struct tcp_stream *s, uint64_t end)
{
	uint64_t need = end - s->next;
	size_t cap;

	if (need <= s->held.cap)
		return true;
	cap = pow2_at_least((size_t)need);
	if (cap < HELD_INITIAL)
		cap = HELD_INITIAL;
	if (cap > s->held_limit)
		cap = s->held_limit;
	return ring_grow(&s->held, cap, s->ranges, s->n_ranges);
}

/*
 * Compares bytes held already with a new copy; with replace, the new
 * copy takes their place.
 */
static void hold_compare(struct tcp_stream *s, uint64_t pos,
			 const uint8_t *p, size_t n, bool replace)
{
	uint64_t first = 0, diffs;

	s->st.overlap_bytes += n;
	diffs = ring_diff(&s->held, pos, p, n, &first);
	if (diffs > 0)
		report_conflict(s, first, diffs);
	if (replace)
		ring_write(&s->held, pos, p, n);
}

/*
 * Linux's out-of-order queue (tcp_data_queue_ofo()): a new segment that
 * starts below a queued one, or at the same number and ends past it,
 * replaces it (or is read before it, where they overlap); any other
 * overlapping copy is dropped.  Held pieces that touch are merged here,
 * so the piece stands for the first of them.
 */
static bool held_loses_to(const struct range *piece, uint64_t off,
			  uint64_t end)
{
	return off < piece->start || (off == piece->start && end > piece->end);
}

/*
 * Holds n captured bytes at off, inside (next, next + max_held): parts
 * already held are compared (and replaced, as Linux would), the others
 * copied in.
 */
static void hold(struct tcp_stream *s, uint64_t off, const uint8_t *p,
		 size_t n)
{
	uint64_t pos = off, end = off + n;
	/* The first range that ends past off: ranges before it are behind. */
	size_t i = range_find(s, off + 1);

	if (!held_reserve(s, end) || !ranges_reserve(s)) {
		s->st.nomem_bytes += n;
		return;
	}
	while (pos < end) {
		uint64_t stop = end;

		if (i < s->n_ranges && s->ranges[i].start <= pos) {
			stop = min_u64(s->ranges[i].end, end);
			hold_compare(s, pos, p + (pos - off), (size_t)(stop - pos),
				     held_loses_to(&s->ranges[i], off, end));
			i++;
		} else {
			if (i < s->n_ranges && s->ranges[i].start < end)
				stop = s->ranges[i].start;
			ring_write(&s->held, pos, p + (pos - off),
				   (size_t)(stop - pos));
			s->held_bytes += (size_t)(stop - pos);
		}
		pos = stop;
	}
	range_add(s, off, end);
	if (s->held_bytes > s->st.peak_held)
		s->st.peak_held = s->held_bytes;
}

/*
 * An in-order segment p, at off, moved next over held pieces: Linux
 * queued it whole and drops, or trims, the out-of-order copies below its
 * end (tcp_data_queue(), then tcp_ofo_queue()), so the application reads
 * its bytes, not theirs.  Held data was never acknowledged (the
 * receiver's ACK past it would have delivered it): the receiver took
 * this copy.  The held ones are compared with it.
 */
static void held_superseded(struct tcp_stream *s, uint64_t off,
			    const uint8_t *p)
{
	while (s->n_ranges > 0 && s->ranges[0].start < s->next) {
		struct range *r = &s->ranges[0];
		uint64_t stop = min_u64(r->end, s->next), first = 0, diffs;
		size_t n = (size_t)(stop - r->start);

		s->st.overlap_bytes += n;
		diffs = ring_diff(&s->held, r->start, p + (r->start - off), n,
				  &first);
		if (diffs > 0)
			report_conflict(s, first, diffs);
		s->held_bytes -= n;
		if (stop < r->end) {
			r->start = stop;
			break;
		}
		s->n_ranges--;
		memmove(s->ranges, s->ranges + 1,
			s->n_ranges * sizeof(s->ranges[0]));
	}
}

/*
 * n captured bytes at off >= next (below it too, once a limit has moved
 * next on): delivered, held or compared, piece by piece.
 */
static void store(struct tcp_stream *s, uint64_t off, const uint8_t *p,
		  size_t n, int64_t ts)
{
	while (n > 0) {
		uint64_t room = s->next + s->cfg.max_held, k;

		if (off < s->next) {
			k = min_u64(n, s->next - off);
			s->st.overlap_bytes += k;
			overlap_delivered(s, off, p, (size_t)k);
		} else if (off == s->next) {
			/* In order: straight from the packet, no copy. */
			k = n;
			deliver(s, p, (size_t)k, ts);
			held_superseded(s, off, p);
			deliver_ready(s, ts);
		} else if (off >= room) {
			give_up(s, off + min_u64(n, s->cfg.max_held) -
				       s->cfg.max_held, ts);
			continue;
		} else if (s->n_ranges >= TCP_STREAM_MAX_RANGES) {
			give_up(s, min_u64(off, s->ranges[0].start), ts);
			continue;
		} else {
			k = min_u64(n, room - off);
			hold(s, off, p, (size_t)k);
		}
		off += k;
		p += k;
		n -= (size_t)k;
	}
}

/* -------------------------------------------------------------- segments */

static void start(struct tcp_stream *s, uint32_t seq)
{
	s->started = true;
	s->base_seq = seq;
	s->next = 0;
	s->seen_end = 0;
	s->ack_end = 0;
	s->hist_start = 0;
}

/* The stream offset of a sequence number: may be negative (before 0). */
static int64_t to_off(const struct tcp_stream *s, uint32_t seq)
{
	uint32_t next_seq = s->base_seq + (uint32_t)s->next;

	/* Within 2^31 either side of next, as tcp_seq.h compares. */
	if (tcp_seq_after_eq(seq, next_seq))
		return (int64_t)s->next + (int64_t)(uint32_t)(seq - next_seq);
	return (int64_t)s->next - (int64_t)(uint32_t)(next_seq - seq);
}

static void note_fin(struct tcp_stream *s, int64_t pos)
{
	if (s->fin_seen || pos < (int64_t)s->next)
		return;
	s->fin_seen = true;
	s->fin_off = (uint64_t)pos;
	/* The FIN proves every byte before it was sent. */
	if (s->fin_off > s->seen_end)
		s->seen_end = s->fin_off;
	if (s->ack_end > s->fin_off)
		s->ack_end = s->fin_off;
}

static void segment_data(struct tcp_stream *s, int64_t off, const uint8_t *p,
			 size_t cap, uint64_t wire, int64_t ts)
{
	int64_t end = off + (int64_t)wire;

	if (s->fin_seen && end > (int64_t)s->fin_off) {
		int64_t cut_at = off > (int64_t)s->fin_off ? off
							   : (int64_t)s->fin_off;

		/* Linux drops data past a FIN (tcp_data_queue after RCV_SHUTDOWN). */
		s->st.after_fin_bytes += (uint64_t)(end - cut_at);
		end = cut_at;
		if (end <= off)
			return;
		if ((uint64_t)(end - off) < cap)
			cap = (size_t)(end - off);
	}
	if (end <= 0) {
		s->st.before_start_bytes += (uint64_t)(end - off);
		return;
	}
	if (off < 0) {
		uint64_t skip = (uint64_t)-off, c = min_u64(skip, cap);

		s->st.before_start_bytes += skip;
		p += c;
		cap -= (size_t)c;
		off = 0;
	}
	if ((uint64_t)end > s->seen_end)
		s->seen_end = (uint64_t)end;
	if (end - off == 1 && (uint64_t)off + 1 == s->next) {
		s->st.keepalives++;
		return;
	}
	if ((uint64_t)off < s->next) {
		/* On the wire below next; only what was captured compares. */
		uint64_t k = min_u64((uint64_t)end, s->next) - (uint64_t)off;
		size_t c = (size_t)min_u64(k, cap);

		s->st.overlap_bytes += k;
		s->st.unchecked_bytes += k - c;
		if (c > 0)
			overlap_delivered(s, (uint64_t)off, p, c);
		p += c;
		cap -= c;
		off += (int64_t)k;
	}
	if (cap > 0)
		store(s, (uint64_t)off, p, cap, ts);
}

void tcp_stream_segment(struct tcp_stream *s, uint32_t seq, uint8_t flags,
			const uint8_t *data, size_t cap_len, uint32_t wire_len,
			int64_t ts_ns)
{
	int64_t off;

	if (s->finished)
		return;
	if (flags & SEG_SYN)
		seq++;          /* the SYN's own sequence number holds no byte */
	if (!s->started)
		start(s, seq);
	if (data == NULL || cap_len > wire_len)
		cap_len = data == NULL ? 0 : wire_len;
	off = to_off(s, seq);
	if (flags & SEG_FIN)
		note_fin(s, off + (int64_t)wire_len);
	if (wire_len > 0)
		segment_data(s, off, data, cap_len, wire_len, ts_ns);
	resolve_acked(s, ts_ns);
}

void tcp_stream_ack(struct tcp_stream *s, uint32_t ack, int64_t ts_ns)
{
	int64_t off;

	if (s->finished)
		return;
	if (!s->started)
		start(s, ack);
	off = to_off(s, ack);
	if (s->fin_seen && off > (int64_t)s->fin_off)
		off = (int64_t)s->fin_off;      /* the FIN's number holds no byte */
	if (off > (int64_t)s->ack_end)
		s->ack_end = (uint64_t)off;
	resolve_acked(s, ts_ns);
}

void tcp_stream_finish(struct tcp_stream *s, int64_t ts_ns)
{
	if (s->finished)
		return;
	s->finished = true;
	if (!s->started)
		return;
	/* Holes between pieces, and bytes cut by the snapshot length. */
	resolve(s, s->seen_end, TCP_GAP_NOT_CAPTURED, ts_ns);
	/* Acknowledged but never seen: one past is an uncaptured FIN. */
	if (s->ack_end > s->next && !(s->ack_end - s->next == 1 && !s->fin_seen))
		emit_gap(s, s->ack_end - s->next, TCP_GAP_NOT_CAPTURED);
}

/* ------------------------------------------------------------- lifecycle */

void tcp_stream_config_defaults(struct tcp_stream_config *cfg)
{
	cfg->max_held = 4u << 20;
	cfg->history = 1u << 20;
}

struct tcp_stream *tcp_stream_new(int dir, const struct tcp_stream_config *cfg,
				  const struct tcp_stream_sink *sink)
{
	struct tcp_stream *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->dir = dir;
	if (cfg != NULL)
		s->cfg = *cfg;
	else
		tcp_stream_config_defaults(&s->cfg);
	if (sink != NULL)
		s->sink = *sink;
	s->held_limit = pow2_at_least(s->cfg.max_held);
	s->hist_limit = s->cfg.history == 0 ? 0 : pow2_at_least(s->cfg.history);
	return s;
}

void tcp_stream_free(struct tcp_stream *s)
{
	if (s == NULL)
		return;
	free(s->held.buf);
	free(s->hist.buf);
	free(s->ranges);
	free(s);
}

uint64_t tcp_stream_offset(const struct tcp_stream *s)
{
	return s->next;
}

const struct tcp_stream_stats *tcp_stream_get_stats(const struct tcp_stream *s)
{
	return &s->st;
}
