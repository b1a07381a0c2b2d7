/* The time-sequence graph's model: ladder rows in, bounded stores out. */
#include "seq_graph_internal.h"

#include <stdlib.h>
#include <string.h>

#include "tcp_annot.h"

struct seq_graph *seq_graph_new(void)
{
	struct seq_graph *g = calloc(1, sizeof(*g));

	if (g != NULL)
		g->bucket_ns = SG_BUCKET_NS_MIN;
	return g;
}

void seq_graph_free(struct seq_graph *g)
{
	if (g == NULL)
		return;
	free(g->marks.e);
	free(g->zero_windows.e);
	free(g->states.e);
	free(g);
}

/* Room for one more item of size in *e (n used, cap allocated). */
static bool grow(void **e, size_t *cap, size_t n, size_t size)
{
	size_t want;
	void *p;

	if (n < *cap)
		return true;
	want = *cap ? *cap * 2 : 16;
	p = realloc(*e, want * size);
	if (p == NULL)
		return false;
	*e = p;
	*cap = want;
	return true;
}

/* ------------------------------------------------------------- series */

/*
 * Merging keeps a series' shape at the resolution its length allows:
 * a quantum that doubles each time the series fills.  Bars merge only
 * when in order (one run stays one run); when that frees too little
 * (runs broken by marks), any neighbours merge, so the cap holds.
 */
static bool bars_mergeable(const struct sg_bar *a, const struct sg_bar *b,
			   int64_t quantum, bool any)
{
	return b->t1 - a->t0 <= quantum && (any || a->hi == b->lo);
}

static void bars_compact(struct sg_bars *s, int64_t span)
{
	while (s->n > SG_SERIES_CAP * 3 / 4) {
		bool any = s->quantum > span;
		size_t w = 0;

		s->quantum = s->quantum ? s->quantum * 2 : 1000;
		for (size_t i = 1; i < s->n; i++) {
			struct sg_bar *a = &s->e[w], *b = &s->e[i];

			if (bars_mergeable(a, b, s->quantum, any)) {
				a->t1 = b->t1;
				a->lo = a->lo < b->lo ? a->lo : b->lo;
				a->hi = a->hi > b->hi ? a->hi : b->hi;
				a->segs += b->segs;
			} else {
				s->e[++w] = *b;
			}
		}
		s->n = w + 1;
	}
}

static void bars_add(struct sg_bars *s, int64_t t, uint32_t seq,
		     uint32_t len, int64_t span)
{
	struct sg_bar b = {t, t, seq, seq + len, 1};

	if (s->n > 0 && bars_mergeable(&s->e[s->n - 1], &b, s->quantum,
				       false)) {
		s->e[s->n - 1].t1 = t;
		s->e[s->n - 1].hi = b.hi;
		s->e[s->n - 1].segs++;
		return;
	}
	if (s->n == SG_SERIES_CAP)
		bars_compact(s, span);
	s->e[s->n++] = b;
}

/* Steps keep the first time and the latest values of what merges. */
static void steps_compact(struct sg_steps *s)
{
	while (s->n > SG_SERIES_CAP * 3 / 4) {
		size_t w = 0;

		s->quantum = s->quantum ? s->quantum * 2 : 1000;
		for (size_t i = 1; i < s->n; i++) {
			if (s->e[i].t - s->e[w].t <= s->quantum) {
				s->e[w].ack = s->e[i].ack;
				s->e[w].edge = s->e[i].edge;
			} else {
				s->e[++w] = s->e[i];
			}
		}
		s->n = w + 1;
	}
}

static void steps_add(struct sg_steps *s, int64_t t, uint32_t ack,
		      uint64_t edge)
{
	struct sg_step *last = s->n ? &s->e[s->n - 1] : NULL;

	if (last != NULL && last->ack == ack && last->edge == edge)
		return;
	if (last != NULL && t - last->t <= s->quantum) {
		last->ack = ack;
		last->edge = edge;
		return;
	}
	if (s->n == SG_SERIES_CAP)
		steps_compact(s);
	s->e[s->n++] = (struct sg_step){t, ack, edge};
}

static bool sacks_mergeable(const struct sg_sack *a, const struct sg_sack *b,
			    int64_t quantum, bool any)
{
	return b->t - a->t <= quantum &&
	       (any || (b->left <= a->right && a->left <= b->right));
}

static void sacks_merge(struct sg_sack *a, const struct sg_sack *b)
{
	a->left = a->left < b->left ? a->left : b->left;
	a->right = a->right > b->right ? a->right : b->right;
}

static void sacks_compact(struct sg_sacks *s, int64_t span)
{
	while (s->n > SG_SERIES_CAP * 3 / 4) {
		bool any = s->quantum > span;
		size_t w = 0;

		s->quantum = s->quantum ? s->quantum * 2 : 1000;
		for (size_t i = 1; i < s->n; i++) {
			if (sacks_mergeable(&s->e[w], &s->e[i], s->quantum, any))
				sacks_merge(&s->e[w], &s->e[i]);
			else
				s->e[++w] = s->e[i];
		}
		s->n = w + 1;
	}
}

static void sacks_add(struct sg_sacks *s, int64_t t, uint32_t left,
		      uint32_t right, int64_t span)
{
	struct sg_sack b = {t, left, right};

	if (s->n > 0 && s->e[s->n - 1].left == left &&
	    s->e[s->n - 1].right == right)
		return;
	if (s->n == SG_SERIES_CAP)
		sacks_compact(s, span);
	s->e[s->n++] = b;
}

static void rtts_merge(struct sg_rtt *a, const struct sg_rtt *b)
{
	a->t1 = b->t1;
	a->lo_ns = a->lo_ns < b->lo_ns ? a->lo_ns : b->lo_ns;
	a->hi_ns = a->hi_ns > b->hi_ns ? a->hi_ns : b->hi_ns;
	a->samples += b->samples;
}

static void rtts_add(struct sg_rtts *s, int64_t t, int64_t rtt)
{
	struct sg_rtt r = {t, t, rtt, rtt, 1};

	if (s->n > 0 && t - s->e[s->n - 1].t0 <= s->quantum) {
		rtts_merge(&s->e[s->n - 1], &r);
		return;
	}
	while (s->n == SG_SERIES_CAP) {
		size_t w = 0;

		s->quantum = s->quantum ? s->quantum * 2 : 1000;
		for (size_t i = 1; i < s->n; i++) {
			if (s->e[i].t1 - s->e[w].t0 <= s->quantum)
				rtts_merge(&s->e[w], &s->e[i]);
			else
				s->e[++w] = s->e[i];
		}
		s->n = w + 1;
	}
	s->e[s->n++] = r;
}

/* The fine buckets double in width (pairs merge) until t fits. */
static void bytes_add(struct seq_graph *g, struct sg_side *s, int64_t t,
		      uint32_t len, bool retrans)
{
	while (t / g->bucket_ns >= SG_BUCKETS) {
		for (int d = 0; d < 2; d++) {
			struct sg_bytes *b = g->side[d].bytes;

			for (size_t i = 0; i < SG_BUCKETS / 2; i++) {
				b[i].good = b[2 * i].good + b[2 * i + 1].good;
				b[i].retrans = b[2 * i].retrans +
					       b[2 * i + 1].retrans;
			}
			memset(&b[SG_BUCKETS / 2], 0,
			       sizeof(*b) * (SG_BUCKETS / 2));
		}
		g->bucket_ns *= 2;
	}
	if (retrans)
		s->bytes[t / g->bucket_ns].retrans += len;
	else
		s->bytes[t / g->bucket_ns].good += len;
}

/* ------------------------------------------------------- never merged */

/*
 * Kept whatever the connection's length: what the graph must never lose
 * (SYN/FIN/RST, R, O, P, Z and the third duplicate ACK).
 */
static bool is_mark(const struct ladder_row *r)
{
	const uint32_t kept = SG_RETRANS_ANNOTS |
			      TCP_ANNOT_BIT(OUT_OF_ORDER) |
			      TCP_ANNOT_BIT(ZERO_WINDOW) |
			      TCP_ANNOT_BIT(ZERO_WINDOW_PROBE);

	if (r->flags & (TCP_FLAG_SYN | TCP_FLAG_FIN | TCP_FLAG_RST))
		return true;
	if (r->annots & kept)
		return true;
	return (r->annots & TCP_ANNOT_BIT(DUPLICATE_ACK)) &&
	       r->dup_ack_num == 3;
}

static bool add_mark(struct seq_graph *g, const struct ladder_row *r,
		     int64_t t)
{
	struct sg_marks *m = &g->marks;

	if (!grow((void **)&m->e, &m->cap, m->n, sizeof(*m->e)))
		return false;
	m->e[m->n++] = (struct sg_mark){
		.t = t, .frame = r->frame, .window = r->window,
		.seq = r->rel_seq, .ack = r->rel_ack, .len = r->seg_len,
		.annots = r->annots, .dup_ack_num = r->dup_ack_num,
		.dir = r->dir, .flags = r->flags,
	};
	return true;
}

/*
 * A period opens at the segment tshark calls zero_window and closes at
 * the same side's first segment advertising room again.
 */
static bool track_zero_window(struct seq_graph *g, const struct ladder_row *r,
			      int64_t t)
{
	struct sg_side *s = &g->side[r->dir];
	struct sg_zero_windows *z = &g->zero_windows;

	if (s->zero_open) {
		if (r->window > 0 && !(r->flags & TCP_FLAG_RST)) {
			z->e[s->zero_index].t1 = t;
			z->e[s->zero_index].frame1 = r->frame;
			z->e[s->zero_index].reopened = true;
			s->zero_open = false;
		}
		return true;
	}
	if (!(r->annots & TCP_ANNOT_BIT(ZERO_WINDOW)))
		return true;
	if (!grow((void **)&z->e, &z->cap, z->n, sizeof(*z->e)))
		return false;
	z->e[z->n] = (struct sg_zero_window){
		.t0 = t, .t1 = t, .frame0 = r->frame, .side = r->dir,
	};
	s->zero_open = true;
	s->zero_index = z->n++;
	return true;
}

static bool track_states(struct seq_graph *g, const struct ladder_row *r,
			 int64_t t)
{
	struct sg_states *s = &g->states;

	if (s->n > 0 && s->e[s->n - 1].state[0] == r->state[0] &&
	    s->e[s->n - 1].state[1] == r->state[1])
		return true;
	if (!grow((void **)&s->e, &s->cap, s->n, sizeof(*s->e)))
		return false;
	s->e[s->n++] = (struct sg_state_change){
		.t = t, .frame = r->frame,
		.state = {r->state[0], r->state[1]},
	};
	return true;
}

/* ---------------------------------------------------------------- add */

static void add_series(struct seq_graph *g, const struct ladder_row *r,
		       int64_t t, bool mark)
{
	struct sg_side *s = &g->side[r->dir];
	bool retrans = (r->annots & SG_RETRANS_ANNOTS) != 0;

	if (r->seg_len > 0) {
		uint64_t end = (uint64_t)r->rel_seq + r->seg_len;

		s->payload += r->seg_len;
		if (end > s->max_seq_end)
			s->max_seq_end = end;
		bytes_add(g, s, t, r->seg_len, retrans);
		if (!mark)
			bars_add(&s->data, t, r->rel_seq, r->seg_len, t);
	}
	if (!(r->flags & TCP_FLAG_ACK) || (r->flags & TCP_FLAG_RST))
		return;
	steps_add(&s->acks, t, r->rel_ack, (uint64_t)r->rel_ack + r->window);
	for (uint8_t i = 0; i < r->sack_count && i < PACKET_MAX_SACK_BLOCKS; i++)
		sacks_add(&s->sacks, t, r->rel_sack[i].left,
			  r->rel_sack[i].right, t);
	if (r->ack_rtt_ns > 0)
		rtts_add(&s->rtts, t, r->ack_rtt_ns);
}

bool seq_graph_add(struct seq_graph *g, const struct ladder_row *r)
{
	int64_t t;
	bool mark;

	if (r->copy_of != 0 || r->dir > 1)
		return true;
	if (!g->started) {
		g->started = true;
		g->origin_ns = pkt_time_ns(r->ts);
		g->uid = r->uid;
	}
	t = pkt_time_ns(r->ts) - g->origin_ns;
	if (t < g->last_t)
		t = g->last_t;  /* a capture's clock stepping back */
	g->last_t = t;
	mark = is_mark(r);
	add_series(g, r, t, mark);
	if (mark && !add_mark(g, r, t))
		return false;
	return track_zero_window(g, r, t) && track_states(g, r, t);
}

int seq_graph_busier_dir(const struct seq_graph *g)
{
	return g->side[FLOW_RESP].payload > g->side[FLOW_ORIG].payload
		       ? FLOW_RESP : FLOW_ORIG;
}

int seq_graph_write_svg(const struct seq_graph *g, enum seq_graph_kind kind,
			int dir, const struct seq_graph_style *style,
			FILE *out)
{
	dir = dir == FLOW_RESP ? FLOW_RESP : FLOW_ORIG;
	switch (kind) {
	case SEQ_GRAPH_TSG: sg_write_tsg(g, dir, style, out); break;
	case SEQ_GRAPH_RTT: sg_write_rtt(g, dir, style, out); break;
	case SEQ_GRAPH_THROUGHPUT:
		sg_write_throughput(g, dir, style, out);
		break;
	}
	return ferror(out) ? -1 : 0;
}
