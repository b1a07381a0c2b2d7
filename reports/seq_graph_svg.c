/*
 * The time-sequence graph of one direction, in tcptrace's grammar: data
 * as I-bars, the peer's ACK line (green) and window edge (yellow), SACK
 * blocks, and the marks, each colour paired with a letter so that the
 * picture reads in greyscale.  Elements carry classes and data-
 * attributes (tests/pictures/svg_check.py finds the marks by them).
 */
#include "seq_graph_internal.h"

#include <inttypes.h>
#include <string.h>

#include "flow.h"
#include "ladder_text.h"
#include "tcp_annot.h"

#define COLOUR_DATA "#000000"
#define COLOUR_ACK "#2ca02c"
#define COLOUR_WINDOW "#d4b000"
#define COLOUR_SACK "#7b4fa0"
#define COLOUR_RETRANS "#d62728"
#define COLOUR_OOO "#1f77b4"
#define COLOUR_ZERO "#f2b8b8"
#define COLOUR_PROBE "#e377c2"
#define COLOUR_DUP3 "#ff7f0e"
#define COLOUR_SYNFIN "#555555"

static const char *const dir_name[2] = {"orig", "resp"};

/* Where a graph's pieces go: the two scales and the sides' roles. */
struct tsg {
	const struct seq_graph *g;
	int dir;                /* the data sender */
	struct sg_scale x, y;   /* x in seconds, y in bytes */
	const char *prefix;     /* of ids */
	FILE *out;
};

static double px_t(const struct tsg *s, int64_t t)
{
	return sg_map(&s->x, sg_seconds(t));
}

static double px_seq(const struct tsg *s, double seq)
{
	return sg_map(&s->y, seq);
}

/* The y range: the window's edge only while it keeps the data legible. */
static double y_top(const struct seq_graph *g, int dir)
{
	const struct sg_steps *a = &g->side[!dir].acks;
	double data = (double)g->side[dir].max_seq_end, edge = 0;

	for (size_t i = 0; i < a->n; i++) {
		if (a->e[i].ack > data)
			data = a->e[i].ack;
		if ((double)a->e[i].edge > edge)
			edge = (double)a->e[i].edge;
	}
	if (data < 1)
		data = 1;
	if (edge <= data)
		return data * 1.02;
	return edge <= 2 * data ? edge * 1.02 : data * 1.25;
}

/* ------------------------------------------------------------- titles */

/* "frame 12 at 0.123456 s: orig FA seq=1 ack=2 len=0 win=512; ..." */
static void mark_title(FILE *out, const struct sg_mark *m)
{
	char fl[9];
	bool first = true;

	ladder_flags_text(m->flags, fl);
	fprintf(out,
		"<title>frame %" PRIu64 " at %.6f s: %s %s seq=%" PRIu32
		" ack=%" PRIu32 " len=%" PRIu32 " win=%" PRIu64,
		m->frame, sg_seconds(m->t), dir_name[m->dir], fl, m->seq,
		m->ack, m->len, m->window);
	for (int i = 0; i < TCP_ANNOT_COUNT; i++) {
		if (!(m->annots & (1u << i)))
			continue;
		fprintf(out, "%s%s", first ? "; " : ", ",
			tcp_annot_key((enum tcp_annot)i));
		if (i == TCP_ANNOT_DUPLICATE_ACK)
			fprintf(out, " #%" PRIu32, m->dup_ack_num);
		first = false;
	}
	fprintf(out, "</title>");
}

/* ---------------------------------------------------------- the lines */

static void zero_window_bands(const struct tsg *s)
{
	const struct sg_zero_windows *z = &s->g->zero_windows;

	for (size_t i = 0; i < z->n; i++) {
		const struct sg_zero_window *w = &z->e[i];
		int64_t t1 = w->reopened ? w->t1 : s->g->last_t;
		double x0 = px_t(s, w->t0), x1 = px_t(s, t1);

		if (w->side == s->dir)
			continue;
		fprintf(s->out,
			"<g class=\"mark zero-window\" data-t0=\"%.6f\" "
			"data-t1=\"%.6f\" data-frame0=\"%" PRIu64 "\" "
			"data-reopened=\"%d\">"
			"<title>zero window advertised by %s from frame %" PRIu64
			" at %.6f s until %s %.6f s (%.3f ms)</title>"
			"<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
			"fill=\"%s\" fill-opacity=\"0.6\"/>"
			"<text x=\"%.1f\" y=\"%d\" font-weight=\"bold\">Z</text></g>\n",
			sg_seconds(w->t0), sg_seconds(t1), w->frame0,
			w->reopened ? 1 : 0, dir_name[w->side], w->frame0,
			sg_seconds(w->t0),
			w->reopened ? "it reopened at" : "the last segment at",
			sg_seconds(t1), (double)(t1 - w->t0) / 1e6, x0,
			SG_PLOT_Y0, x1 - x0 > 1 ? x1 - x0 : 1,
			SG_PLOT_Y1 - SG_PLOT_Y0, COLOUR_ZERO, x0 + 2,
			SG_PLOT_Y0 + 12);
	}
}

/* The ACK line or the window's edge: one step path, merged runs. */
static void step_line(const struct tsg *s, bool edge)
{
	const struct sg_steps *a = &s->g->side[!s->dir].acks;
	FILE *out = s->out;

	if (a->n == 0)
		return;
	fprintf(out,
		"<path class=\"%s\" fill=\"none\" stroke=\"%s\" "
		"stroke-width=\"1.2\" clip-path=\"url(#%splot)\" d=\"",
		edge ? "window-edge" : "ack-line",
		edge ? COLOUR_WINDOW : COLOUR_ACK, s->prefix);
	for (size_t i = 0; i < a->n; i++) {
		double v = edge ? (double)a->e[i].edge : a->e[i].ack;

		if (i == 0)
			fprintf(out, "M%.1f %.1f", px_t(s, a->e[i].t),
				px_seq(s, v));
		else
			fprintf(out, "H%.1fV%.1f", px_t(s, a->e[i].t),
				px_seq(s, v));
	}
	fprintf(out, "H%.1f\"/>\n", px_t(s, s->g->last_t));
}

/* Said when y_top() cut the window's edge off: far above, no limit. */
static void edge_note(const struct tsg *s)
{
	const struct sg_steps *a = &s->g->side[!s->dir].acks;
	uint64_t edge = 0;

	for (size_t i = 0; i < a->n; i++)
		if (a->e[i].edge > edge)
			edge = a->e[i].edge;
	if ((double)edge <= s->y.hi)
		return;
	fprintf(s->out, "<text class=\"note\" x=\"%d\" y=\"%d\" "
		"text-anchor=\"end\" fill=\"#806c00\">receive window edge "
		"above the plot (up to %" PRIu64 " bytes)</text>\n",
		SG_PLOT_X1 - 4, SG_PLOT_Y0 + 12, edge);
}

static void sack_bars(const struct tsg *s)
{
	const struct sg_sacks *k = &s->g->side[!s->dir].sacks;

	if (k->n == 0)
		return;
	fprintf(s->out,
		"<path class=\"sack\" stroke=\"%s\" stroke-width=\"1\" "
		"stroke-opacity=\"0.7\" "
		"clip-path=\"url(#%splot)\" d=\"", COLOUR_SACK, s->prefix);
	for (size_t i = 0; i < k->n; i++) {
		double x = px_t(s, k->e[i].t);

		fprintf(s->out, "M%.1f %.1fV%.1f", x + 2,
			px_seq(s, k->e[i].left), px_seq(s, k->e[i].right));
	}
	fprintf(s->out, "\"><title>SACK blocks the receiver reported (%zu)"
		"</title></path>\n", k->n);
}

/* An I-bar from lo to hi at x: the segment's bytes, with serifs. */
static void ibar(FILE *out, double x, double ylo, double yhi)
{
	fprintf(out, "M%.1f %.1fh4M%.1f %.1fV%.1fM%.1f %.1fh4", x - 2, ylo,
		x, ylo, yhi, x - 2, yhi);
}

/* A run's group: its title, then the opening of its one path. */
static void data_run_open(const struct tsg *s, size_t first)
{
	const struct sg_bars *b = &s->g->side[s->dir].data;
	uint32_t segs = 0;
	size_t i = first;

	do
		segs += b->e[i].segs;
	while (++i < b->n && b->e[i].lo == b->e[i - 1].hi);
	fprintf(s->out,
		"<g class=\"data-run\"><title>in-order data: %" PRIu32
		" segments, bytes %" PRIu32 " to %" PRIu32 ", %.6f s to %.6f s"
		"</title><path fill=\"none\" stroke=\"%s\" "
		"clip-path=\"url(#%splot)\" d=\"", segs, b->e[first].lo,
		b->e[i - 1].hi, sg_seconds(b->e[first].t0),
		sg_seconds(b->e[i - 1].t1), COLOUR_DATA, s->prefix);
}

/*
 * Plain data, one path element per in-order run: an I-bar per entry
 * while the series holds single segments, a line from (t0, lo) to
 * (t1, hi) for entries merged from many.
 */
static void data_runs(const struct tsg *s)
{
	const struct sg_bars *b = &s->g->side[s->dir].data;
	FILE *out = s->out;

	for (size_t i = 0; i < b->n; i++) {
		const struct sg_bar *e = &b->e[i];
		double x0 = px_t(s, e->t0), x1 = px_t(s, e->t1);

		if (i == 0 || e->lo != b->e[i - 1].hi) {
			if (i > 0)
				fprintf(out, "\"/></g>\n");
			data_run_open(s, i);
		}
		if (e->segs == 1 || x1 - x0 < 0.05)
			ibar(out, x0, px_seq(s, e->lo), px_seq(s, e->hi));
		else
			fprintf(out, "M%.1f %.1fL%.1f %.1f", x0,
				px_seq(s, e->lo), x1, px_seq(s, e->hi));
	}
	if (b->n > 0)
		fprintf(out, "\"/></g>\n");
}

/* ---------------------------------------------------------- the marks */

/* A mark's letters right of x, or left of it near the plot's edge. */
static void mark_letters(FILE *out, double x, double y, const char *text)
{
	bool left = x > SG_PLOT_X1 - 30;

	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" stroke=\"none\" "
		"font-weight=\"bold\"%s>%s</text></g>\n", left ? x - 3 : x + 3,
		y, left ? " text-anchor=\"end\"" : "", text);
}

struct mark_look {
	const char *cls, *colour, *letters;
};

/* The classes, colour and letters of a data mark of the graph's side. */
static void data_mark_look(const struct sg_mark *m, struct mark_look *l,
			   char *cls, size_t cls_len, char *letters,
			   size_t let_len)
{
	static const struct {
		uint32_t annots;
		uint8_t flags;
		const char *cls, *colour, *letter;
	} kinds[] = {
		{SG_RETRANS_ANNOTS, 0, "retrans", COLOUR_RETRANS, "R"},
		{TCP_ANNOT_BIT(OUT_OF_ORDER), 0, "ooo", COLOUR_OOO, "O"},
		{TCP_ANNOT_BIT(ZERO_WINDOW_PROBE), 0, "probe", COLOUR_PROBE, "P"},
		{0, TCP_FLAG_SYN, "syn", COLOUR_SYNFIN, "SYN"},
		{0, TCP_FLAG_FIN, "fin", COLOUR_SYNFIN, "FIN"},
		{0, TCP_FLAG_RST, "rst", COLOUR_RETRANS, "RST"},
	};
	size_t c = 0, n = 0;

	cls[0] = letters[0] = '\0';
	l->colour = NULL;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!(m->annots & kinds[i].annots) && !(m->flags & kinds[i].flags))
			continue;
		c += (size_t)snprintf(cls + c, cls_len - c, " %s", kinds[i].cls);
		n += (size_t)snprintf(letters + n, let_len - n, "%s%s",
				      n ? " " : "", kinds[i].letter);
		if (l->colour == NULL)
			l->colour = kinds[i].colour;
	}
	l->cls = cls;
	l->letters = letters;
}

/*
 * A mark's height on the plot: one far outside the data (an RST out of
 * the window, a wild sequence number) sits on the plot's edge, its
 * tooltip giving the real numbers, rather than out of sight.
 */
static double px_mark(const struct tsg *s, double seq)
{
	double y = px_seq(s, seq);

	return y < SG_PLOT_Y0 ? SG_PLOT_Y0 : y > SG_PLOT_Y1 ? SG_PLOT_Y1 : y;
}

static void data_mark(const struct tsg *s, const struct sg_mark *m)
{
	char cls[64], letters[32];
	struct mark_look l;
	double x = px_t(s, m->t), ylo = px_mark(s, m->seq),
	       yhi = px_mark(s, (double)m->seq + m->len);

	data_mark_look(m, &l, cls, sizeof(cls), letters, sizeof(letters));
	if (l.colour == NULL)
		return;         /* a zero-window ACK of this side: not data */
	fprintf(s->out, "<g class=\"mark%s\" data-frame=\"%" PRIu64 "\" "
		"data-t=\"%.6f\" fill=\"%s\" stroke=\"%s\">", l.cls, m->frame,
		sg_seconds(m->t), l.colour, l.colour);
	mark_title(s->out, m);
	fprintf(s->out, "<path stroke-width=\"1.5\" d=\"");
	ibar(s->out, x, ylo, yhi);
	fprintf(s->out, "\"/>");
	mark_letters(s->out, x, yhi - 2, l.letters);
}

/* Marks of the ACKing side, on its ACK line. */
static void ack_mark(const struct tsg *s, const struct sg_mark *m)
{
	const char *cls, *colour = COLOUR_SYNFIN, *letter;
	double x = px_t(s, m->t), y = px_mark(s, m->ack);

	if ((m->annots & TCP_ANNOT_BIT(DUPLICATE_ACK)) && m->dup_ack_num == 3) {
		cls = "dup-ack-3";
		colour = COLOUR_DUP3;
		letter = "3";
	} else if (m->flags & TCP_FLAG_RST) {
		cls = "peer rst";
		colour = COLOUR_RETRANS;
		letter = "RST";
	} else if (m->flags & TCP_FLAG_SYN) {
		cls = "peer syn";
		letter = "SYN";
	} else if (m->flags & TCP_FLAG_FIN) {
		cls = "peer fin";
		letter = "FIN";
	} else {
		return;         /* the zero window: its band tells it */
	}
	fprintf(s->out, "<g class=\"mark %s\" data-frame=\"%" PRIu64 "\" "
		"data-t=\"%.6f\" fill=\"%s\">", cls, m->frame, sg_seconds(m->t),
		colour);
	mark_title(s->out, m);
	fprintf(s->out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\"/>", x, y);
	/*
	 * Below its dot, unless that is on the time axis' labels: then
	 * above the sender's mark at the same height.
	 */
	mark_letters(s->out, x, y + 12 <= SG_PLOT_Y1 ? y + 12 : y - 14, letter);
}

static void marks(const struct tsg *s)
{
	const struct sg_marks *m = &s->g->marks;

	for (size_t i = 0; i < m->n; i++) {
		if (m->e[i].dir == s->dir)
			data_mark(s, &m->e[i]);
		else
			ack_mark(s, &m->e[i]);
	}
}

static void legend(FILE *out)
{
	static const struct {
		const char *colour, *letter, *text;
	} entries[] = {
		{COLOUR_DATA, NULL, "data segment (I-bar)"},
		{COLOUR_ACK, NULL, "ACK line"},
		{COLOUR_WINDOW, NULL, "receive window edge"},
		{COLOUR_SACK, NULL, "SACK block"},
		{COLOUR_RETRANS, "R", "retransmission"},
		{COLOUR_OOO, "O", "out of order"},
		{COLOUR_ZERO, "Z", "zero window"},
		{COLOUR_PROBE, "P", "window probe"},
		{COLOUR_DUP3, "3", "third duplicate ACK"},
		{COLOUR_SYNFIN, NULL, "SYN, FIN, RST"},
	};

	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
		sg_legend_entry(out, (int)i, entries[i].colour,
				entries[i].letter, entries[i].text);
}

void sg_write_tsg(const struct seq_graph *g, int dir,
		  const struct seq_graph_style *style, FILE *out)
{
	char title[96], uid[FLOW_UID_LEN];
	struct tsg s = {.g = g, .dir = dir, .out = out};
	struct sg_frame fr = {
		.style = style,
		.prefix = style->id_prefix ? style->id_prefix : "sg-",
		.graph = "tsg",
		.dir = dir,
		.height = SG_TSG_HEIGHT,
		.title = title,
		.x_label = "time since the connection's first segment (s)",
		.y_label = "relative sequence number (bytes)",
		.y_bytes = true,
	};

	s.prefix = fr.prefix;
	flow_format_uid(g->uid, uid);
	snprintf(title, sizeof(title), "%s: time-sequence graph of %s's data",
		 uid, dir_name[dir]);
	s.x = fr.x = (struct sg_scale){0, sg_seconds(g->last_t > 0 ? g->last_t
						     : 1000000),
				       SG_PLOT_X0, SG_PLOT_X1};
	s.y = fr.y = (struct sg_scale){0, y_top(g, dir), SG_PLOT_Y1,
				       SG_PLOT_Y0};
	sg_frame_open(out, &fr);
	zero_window_bands(&s);
	step_line(&s, true);
	edge_note(&s);
	step_line(&s, false);
	sack_bars(&s);
	data_runs(&s);
	marks(&s);
	sg_state_band(g, &s.x, out);
	legend(out);
	sg_frame_close(out);
}
