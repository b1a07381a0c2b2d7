/*
 * Both endpoints' TCP states as a band under the time-sequence graph:
 * a row per endpoint, a rectangle per state held, a line and a time at
 * each change, so that "the server sat in CLOSE_WAIT from 2.1 s" reads
 * off the picture.
 */
#include "seq_graph_internal.h"

#include <inttypes.h>
#include <string.h>

#include "tcp_state.h"

#define BAND_Y 512
#define BAND_ROW 30
#define BAND_H 16
/* Change times closer than this (px) to the previous one stay unlabelled. */
#define LABEL_GAP 46

static const char *const side_name[2] = {"orig", "resp"};

static const char *state_colour(uint8_t s)
{
	switch (s) {
	case TCP_STATE_SYN_SENT:
	case TCP_STATE_SYN_RECV: return "#c6dbef";
	case TCP_STATE_ESTABLISHED: return "#c7e9c0";
	case TCP_STATE_FIN_WAIT1:
	case TCP_STATE_FIN_WAIT2:
	case TCP_STATE_CLOSING:
	case TCP_STATE_LAST_ACK: return "#fdd0a2";
	case TCP_STATE_CLOSE_WAIT: return "#fcae91";
	case TCP_STATE_TIME_WAIT: return "#dadaeb";
	default: return "#f0f0f0";
	}
}

/* The state side held from change i until the next change of its. */
static void state_span(FILE *out, const struct sg_scale *x, int side,
		       uint8_t state, int64_t t0, int64_t t1)
{
	double x0 = sg_map(x, sg_seconds(t0)), x1 = sg_map(x, sg_seconds(t1));
	int y = BAND_Y + BAND_ROW * side;
	const char *name = tcp_state_name((enum tcp_state)state);

	fprintf(out,
		"<rect class=\"state\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
		"height=\"%d\" fill=\"%s\" stroke=\"#999\" stroke-width=\"0.5\">"
		"<title>%s %s from %.6f s to %.6f s</title></rect>\n",
		x0, y, x1 - x0 > 0.5 ? x1 - x0 : 0.5, BAND_H,
		state_colour(state), side_name[side], name, sg_seconds(t0),
		sg_seconds(t1));
	if (x1 - x0 > 6.0 * (double)strlen(name))
		fprintf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"9\">%s</text>\n",
			x0 + 2, y + 12, name);
}

static void state_change(FILE *out, const struct sg_scale *x, int side,
			 const struct sg_state_change *c, double *last_label)
{
	double px = sg_map(x, sg_seconds(c->t));
	int y = BAND_Y + BAND_ROW * side;
	const char *name = tcp_state_name((enum tcp_state)c->state[side]);

	fprintf(out,
		"<line class=\"state-change\" data-side=\"%s\" data-t=\"%.6f\" "
		"data-frame=\"%" PRIu64 "\" data-state=\"%s\" x1=\"%.1f\" "
		"y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#000\">"
		"<title>%s %s at %.6f s (frame %" PRIu64 ")</title></line>\n",
		side_name[side], sg_seconds(c->t), c->frame, name, px, y - 2, px,
		y + BAND_H + 2, side_name[side], name, sg_seconds(c->t),
		c->frame);
	if (px - *last_label < LABEL_GAP)
		return;
	*last_label = px;
	fprintf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"8\" "
		"text-anchor=\"middle\" fill=\"#444\">%.3f</text>\n", px,
		y + BAND_H + 10, sg_seconds(c->t));
}

void sg_state_band(const struct seq_graph *g, const struct sg_scale *x,
		   FILE *out)
{
	const struct sg_states *s = &g->states;

	fprintf(out, "<g class=\"state-band\">\n");
	for (int side = 0; side < 2; side++) {
		double last_label = -1e9;
		size_t from = 0;

		fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s "
			"state</text>\n", SG_PLOT_X0 - 6,
			BAND_Y + BAND_ROW * side + 12, side_name[side]);
		for (size_t i = 0; i < s->n; i++) {
			if (i > 0 && s->e[i].state[side] ==
					     s->e[i - 1].state[side])
				continue;
			if (i > 0)
				state_span(out, x, side, s->e[from].state[side],
					   s->e[from].t, s->e[i].t);
			state_change(out, x, side, &s->e[i], &last_label);
			from = i;
		}
		if (s->n > 0)
			state_span(out, x, side, s->e[from].state[side],
				   s->e[from].t, g->last_t);
	}
	fprintf(out, "</g>\n");
}
