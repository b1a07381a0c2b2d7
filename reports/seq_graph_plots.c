/*
 * The connection's other two pictures, from the same model as the
 * time-sequence graph: RTT samples over time, and goodput and
 * retransmitted bytes per interval.
 */
#include "seq_graph_internal.h"

#include <inttypes.h>

#include "flow.h"

/* Intervals of the throughput graph: about this many over the span. */
#define THROUGHPUT_INTERVALS 100

static const char *const dir_name[2] = {"orig", "resp"};

static void graph_title(const struct seq_graph *g, const char *what, int dir,
			char *buf, size_t len)
{
	char uid[FLOW_UID_LEN];

	flow_format_uid(g->uid, uid);
	snprintf(buf, len, "%s: %s of %s's data", uid, what, dir_name[dir]);
}

static double span_seconds(const struct seq_graph *g)
{
	return sg_seconds(g->last_t > 0 ? g->last_t : 1000000);
}

/*
 * RTT samples come with the peer's ACKs of dir's data: a dot per
 * sample, a vertical bar from least to greatest where samples merged.
 */
void sg_write_rtt(const struct seq_graph *g, int dir,
		  const struct seq_graph_style *style, FILE *out)
{
	const struct sg_rtts *r = &g->side[!dir].rtts;
	char title[96];
	double top = 0;
	struct sg_frame fr = {
		.style = style,
		.prefix = style->id_prefix ? style->id_prefix : "sg-",
		.graph = "rtt",
		.dir = dir,
		.height = SG_PLAIN_HEIGHT,
		.title = title,
		.x_label = "time since the connection's first segment (s)",
		.y_label = "round-trip time (ms)",
	};
	uint64_t samples = 0;

	graph_title(g, "RTT samples", dir, title, sizeof(title));
	for (size_t i = 0; i < r->n; i++) {
		if ((double)r->e[i].hi_ns / 1e6 > top)
			top = (double)r->e[i].hi_ns / 1e6;
		samples += r->e[i].samples;
	}
	fr.x = (struct sg_scale){0, span_seconds(g), SG_PLOT_X0, SG_PLOT_X1};
	fr.y = (struct sg_scale){0, top > 0 ? top * 1.1 : 1, SG_PLOT_Y1,
				 SG_PLOT_Y0};
	sg_frame_open(out, &fr);
	fprintf(out, "<g class=\"rtt\" data-samples=\"%" PRIu64 "\">"
		"<title>%" PRIu64 " RTT samples from %s's ACKs</title>"
		"<path fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"4\" "
		"stroke-linecap=\"round\" d=\"", samples, samples,
		dir_name[!dir]);
	for (size_t i = 0; i < r->n; i++) {
		double x = sg_map(&fr.x, sg_seconds(r->e[i].t0));
		double ylo = sg_map(&fr.y, (double)r->e[i].lo_ns / 1e6);
		double yhi = sg_map(&fr.y, (double)r->e[i].hi_ns / 1e6);

		fprintf(out, "M%.1f %.1fV%.1f", x, ylo, yhi);
	}
	fprintf(out, "\"/></g>\n");
	if (samples == 0)
		fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">"
			"no RTT sample: %s acknowledged none of %s's data</text>\n",
			(SG_PLOT_X0 + SG_PLOT_X1) / 2,
			(SG_PLOT_Y0 + SG_PLOT_Y1) / 2, dir_name[!dir],
			dir_name[dir]);
	sg_legend_entry(out, 0, "#1f77b4", NULL, "RTT sample");
	sg_frame_close(out);
}

/* Fine buckets per interval: a power of two, about 100 intervals. */
static size_t buckets_per_interval(const struct seq_graph *g)
{
	size_t used = (size_t)(g->last_t / g->bucket_ns) + 1, k = 1;

	while (used / k > THROUGHPUT_INTERVALS)
		k *= 2;
	return k;
}

static void bar(FILE *out, const char *cls, const char *colour, double x,
		double w, double y0, double y1, double t, uint64_t bytes,
		const char *what)
{
	fprintf(out, "<rect class=\"%s\" data-t=\"%.6f\" data-bytes=\"%" PRIu64
		"\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
		"fill=\"%s\"><title>%.6f s: %" PRIu64 " bytes %s</title></rect>\n",
		cls, t, bytes, x, y1, w, y0 - y1, colour, t, bytes, what);
}

/* Goodput (new data) under retransmitted bytes, stacked, per interval. */
void sg_write_throughput(const struct seq_graph *g, int dir,
			 const struct seq_graph_style *style, FILE *out)
{
	const struct sg_bytes *b = g->side[dir].bytes;
	size_t k = buckets_per_interval(g);
	int64_t interval = g->bucket_ns * (int64_t)k;
	size_t n = (size_t)(g->last_t / interval) + 1;
	char title[96], y_label[96];
	double top = 1;
	struct sg_frame fr = {
		.style = style,
		.prefix = style->id_prefix ? style->id_prefix : "sg-",
		.graph = "throughput",
		.dir = dir,
		.height = SG_PLAIN_HEIGHT,
		.title = title,
		.x_label = "time since the connection's first segment (s)",
		.y_label = y_label,
		.y_bytes = true,
	};

	graph_title(g, "throughput", dir, title, sizeof(title));
	if (interval < 1000000000)
		snprintf(y_label, sizeof(y_label), "bytes per %.3f ms interval",
			 (double)interval / 1e6);
	else
		snprintf(y_label, sizeof(y_label), "bytes per %.3f s interval",
			 sg_seconds(interval));
	for (size_t i = 0; i < n; i++) {
		uint64_t sum = 0;

		for (size_t j = i * k; j < (i + 1) * k && j < SG_BUCKETS; j++)
			sum += b[j].good + b[j].retrans;
		if ((double)sum > top)
			top = (double)sum;
	}
	fr.x = (struct sg_scale){0, sg_seconds(interval * (int64_t)n),
				 SG_PLOT_X0, SG_PLOT_X1};
	fr.y = (struct sg_scale){0, top * 1.1, SG_PLOT_Y1, SG_PLOT_Y0};
	sg_frame_open(out, &fr);
	fprintf(out, "<g class=\"throughput\" data-interval=\"%.6f\">\n",
		sg_seconds(interval));
	for (size_t i = 0; i < n; i++) {
		uint64_t good = 0, re = 0;
		double x = sg_map(&fr.x, sg_seconds(interval * (int64_t)i));
		double w = sg_map(&fr.x, sg_seconds(interval * (int64_t)(i + 1))) - x;
		double y0 = sg_map(&fr.y, 0), yg, yr;

		for (size_t j = i * k; j < (i + 1) * k && j < SG_BUCKETS; j++) {
			good += b[j].good;
			re += b[j].retrans;
		}
		yg = sg_map(&fr.y, (double)good);
		yr = sg_map(&fr.y, (double)(good + re));
		if (good > 0)
			bar(out, "goodput", "#1f77b4", x, w, y0, yg,
			    sg_seconds(interval * (int64_t)i), good, "new data");
		if (re > 0)
			bar(out, "retrans-bytes", "#d62728", x, w, yg, yr,
			    sg_seconds(interval * (int64_t)i), re,
			    "retransmitted");
	}
	fprintf(out, "</g>\n");
	sg_legend_entry(out, 0, "#1f77b4", NULL, "goodput (new data)");
	sg_legend_entry(out, 1, "#d62728", "R", "retransmitted bytes");
	sg_frame_close(out);
}
