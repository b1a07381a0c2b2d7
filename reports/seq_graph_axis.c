/* The frame every connection picture shares: axes, ticks, legend. */
#include "seq_graph_internal.h"

#include <math.h>

double sg_map(const struct sg_scale *s, double v)
{
	double span = s->hi - s->lo;

	if (span <= 0)
		return s->p0;
	return s->p0 + (v - s->lo) / span * (s->p1 - s->p0);
}

double sg_seconds(int64_t ns)
{
	return (double)ns / 1e9;
}

double sg_nice_step(double range, int n)
{
	double raw = range / n, mag, f;

	if (!(raw > 0))
		return 1;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	if (f <= 1)
		return mag;
	if (f <= 2)
		return 2 * mag;
	if (f <= 5)
		return 5 * mag;
	return 10 * mag;
}

/* Decimals a tick of step needs to tell its neighbours apart. */
static int step_decimals(double step)
{
	int d = 0;

	while (d < 9 && step * pow(10, d) < 0.999)
		d++;
	return d;
}

/* Bytes with a k or M suffix at the step's precision: "1.5M". */
static void tick_label(char *buf, size_t len, double v, double step,
		       bool bytes)
{
	const char *suffix = "";
	double div = 1;

	if (bytes && step >= 1e6) {
		div = 1e6;
		suffix = "M";
	} else if (bytes && step >= 1e3) {
		div = 1e3;
		suffix = "k";
	}
	snprintf(buf, len, "%.*f%s", step_decimals(step / div), v / div,
		 suffix);
}

static void x_ticks(FILE *out, const struct sg_scale *x)
{
	double step = sg_nice_step(x->hi - x->lo, 8);
	char label[32];

	fprintf(out, "<g class=\"axis x\" stroke=\"#888\">\n");
	for (double v = ceil(x->lo / step) * step; v <= x->hi + step / 1e6;
	     v += step) {
		double px = sg_map(x, v);

		tick_label(label, sizeof(label), v, step, false);
		fprintf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
			"<text x=\"%.1f\" y=\"%d\" stroke=\"none\" fill=\"#000\" "
			"text-anchor=\"middle\">%s</text>\n",
			px, SG_PLOT_Y1, px, SG_PLOT_Y1 + 5, px, SG_PLOT_Y1 + 17,
			label);
	}
	fprintf(out, "</g>\n");
}

static void y_ticks(FILE *out, const struct sg_scale *y, bool bytes)
{
	double step = sg_nice_step(y->hi - y->lo, 8);
	char label[32];

	fprintf(out, "<g class=\"axis y\" stroke=\"#888\">\n");
	for (double v = ceil(y->lo / step) * step; v <= y->hi + step / 1e6;
	     v += step) {
		double py = sg_map(y, v);

		tick_label(label, sizeof(label), v, step, bytes);
		fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
			"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
			"stroke=\"#eee\"/>"
			"<text x=\"%d\" y=\"%.1f\" stroke=\"none\" fill=\"#000\" "
			"text-anchor=\"end\">%s</text>\n",
			SG_PLOT_X0 - 5, py, SG_PLOT_X0, py, SG_PLOT_X0 + 1, py,
			SG_PLOT_X1 - 1, py, SG_PLOT_X0 - 8, py + 4, label);
	}
	fprintf(out, "</g>\n");
}

void sg_frame_open(FILE *out, const struct sg_frame *fr)
{
	if (fr->style->standalone)
		fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tcplens-graph\" "
		"id=\"%sgraph\" data-graph=\"%s\" data-dir=\"%s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"font-family=\"sans-serif\" font-size=\"11\">\n"
		"<title>%s</title>\n"
		"<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n"
		"<defs><clipPath id=\"%splot\"><rect x=\"%d\" y=\"%d\" "
		"width=\"%d\" height=\"%d\"/></clipPath></defs>\n"
		"<text x=\"%d\" y=\"24\" font-size=\"14\" font-weight=\"bold\">"
		"%s</text>\n",
		fr->prefix, fr->graph, fr->dir == 1 ? "resp" : "orig", SG_WIDTH,
		fr->height, SG_WIDTH, fr->height, fr->title, SG_WIDTH, fr->height, fr->prefix, SG_PLOT_X0,
		SG_PLOT_Y0, SG_PLOT_X1 - SG_PLOT_X0, SG_PLOT_Y1 - SG_PLOT_Y0,
		SG_PLOT_X0, fr->title);
	fprintf(out,
		"<rect class=\"plot-area\" x=\"%d\" y=\"%d\" width=\"%d\" "
		"height=\"%d\" fill=\"none\" stroke=\"#000\"/>\n",
		SG_PLOT_X0, SG_PLOT_Y0, SG_PLOT_X1 - SG_PLOT_X0,
		SG_PLOT_Y1 - SG_PLOT_Y0);
	y_ticks(out, &fr->y, fr->y_bytes);
	x_ticks(out, &fr->x);
	fprintf(out,
		"<text class=\"axis-label x\" x=\"%d\" y=\"%d\" "
		"text-anchor=\"middle\">%s</text>\n"
		"<text class=\"axis-label y\" x=\"16\" y=\"%d\" "
		"text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">%s</text>\n"
		"<text x=\"%d\" y=\"%d\" font-weight=\"bold\">Legend</text>\n",
		(SG_PLOT_X0 + SG_PLOT_X1) / 2, SG_PLOT_Y1 + 34, fr->x_label,
		(SG_PLOT_Y0 + SG_PLOT_Y1) / 2, (SG_PLOT_Y0 + SG_PLOT_Y1) / 2,
		fr->y_label, SG_PLOT_X1 + 20, SG_PLOT_Y0 + 10);
}

void sg_legend_entry(FILE *out, int i, const char *colour,
		     const char *letter, const char *text)
{
	int y = SG_PLOT_Y0 + 30 + 20 * i;

	fprintf(out,
		"<g class=\"legend-entry\"><rect x=\"%d\" y=\"%d\" width=\"14\" "
		"height=\"14\" fill=\"%s\" stroke=\"#000\" stroke-width=\"0.5\"/>",
		SG_PLOT_X1 + 20, y - 11, colour);
	if (letter != NULL)
		fprintf(out,
			"<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
			"font-weight=\"bold\" fill=\"#000\">%s</text>",
			SG_PLOT_X1 + 27, y, letter);
	fprintf(out, "<text x=\"%d\" y=\"%d\">%s</text></g>\n",
		SG_PLOT_X1 + 40, y, text);
}

void sg_frame_close(FILE *out)
{
	fprintf(out, "</svg>\n");
}
