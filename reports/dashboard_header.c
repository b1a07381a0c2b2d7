/* The header (what is captured, how fast, drops) and the rates strip. */
#include "dashboard_internal.h"

#include <stdio.h>
#include <string.h>

static void elapsed_text(double s, char *out, size_t outlen)
{
	long t = s < 0 ? 0 : (long)s;

	snprintf(out, outlen, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

static void drop_text(bool has, uint64_t v, char *out, size_t outlen)
{
	if (has)
		dash_si((double)v, out, outlen);
	else
		snprintf(out, outlen, "-");
}

/*
 * The header's rates are the strip's kind: per second of capture time
 * over the last full second, so that a replay at --speed N shows one
 * rate in both places (wall time would multiply it by N).
 */
static void rate_text(const struct dash_model *m, enum dash_rate r,
		      char *out, size_t outlen)
{
	if (m->rate_known[r])
		dash_si(m->rate_now[r], out, outlen);
	else
		snprintf(out, outlen, "-");
}

/*
 * A frame the model could not take for memory: the screen is older than
 * it looks, and says so first, where no width cuts it off.
 */
static void stale_text(const struct dash_model *m, char *out, size_t outlen)
{
	char when[16];

	if (!m->out_of_memory) {
		out[0] = '\0';
		return;
	}
	if (!m->have_frame) {
		snprintf(out, outlen, "out of memory: nothing shown yet  ");
		return;
	}
	dash_clock(m->at, when, sizeof(when));
	snprintf(out, outlen, "out of memory: display not updated since %s  ",
		 when);
}

void dash_header_render(const struct dash_model *m, const struct dash_ui *ui,
			struct dash_area *a)
{
	const struct live_counts *c = &m->counts;
	char stale[80], el[32], pps[16], bps[16], flows[16], rss[24], kd[16],
		id[16], ad[16], num[16];
	struct dash_row *r = dash_area_row(a, 0);
	bool drops;

	elapsed_text(c->elapsed, el, sizeof(el));
	stale_text(m, stale, sizeof(stale));
	snprintf(r->text, sizeof(r->text), "tcplens live  %s%s  %s%s%s%s",
		 stale, m->info.source, el,
		 m->info.filter != NULL ? "  filter: " : "",
		 m->info.filter != NULL ? m->info.filter : "",
		 ui->paused ? "  [paused]" : m->ended ? "  [input ended: q quits]"
						      : "");
	dash_fit(r->text, (size_t)a->cols);
	if (m->out_of_memory)
		r->attr = DASH_ATTR_ALERT;
	if (a->n < 2)
		return;
	r = dash_area_row(a, 1);
	rate_text(m, DASH_RATE_PACKETS, pps, sizeof(pps));
	rate_text(m, DASH_RATE_BITS, bps, sizeof(bps));
	dash_si((double)m->flows, flows, sizeof(flows));
	/* The caller measures the process: a renderer only draws. */
	dash_si((double)c->peak_rss, num, sizeof(num));
	snprintf(rss, sizeof(rss), "%s%s", c->peak_rss > 0 ? num : "-",
		 c->peak_rss > 0 ? "B" : "");
	drop_text(c->has_ps_drop, c->ps_drop, kd, sizeof(kd));
	drop_text(c->has_ps_ifdrop, c->ps_ifdrop, id, sizeof(id));
	dash_si((double)c->app_drops, ad, sizeof(ad));
	snprintf(r->text, sizeof(r->text),
		 "%s pkt/s  %sbit/s  flows %s  mem %s  drops: kernel %s"
		 " iface %s app %s",
		 pps, bps, flows, rss, kd, id, ad);
	dash_fit(r->text, (size_t)a->cols);
	drops = (c->has_ps_drop && c->ps_drop > 0) ||
		(c->has_ps_ifdrop && c->ps_ifdrop > 0) || c->app_drops > 0;
	if (drops)
		r->attr = DASH_ATTR_ALERT;
}

/* Shown in the strip, in this order. */
static const enum dash_rate strip[] = {
	DASH_RATE_SYN, DASH_RATE_SYN_ACK, DASH_RATE_RST, DASH_RATE_RETRANS,
	DASH_RATE_NEW_CONNS, DASH_RATE_HALF_OPEN, DASH_RATE_PACKETS,
};
#define STRIP_N (sizeof(strip) / sizeof(strip[0]))
/* An item's least width: label, value, a sparkline of 4. */
#define ITEM_MIN 20

void dash_rates_render(const struct dash_model *m, struct dash_area *a)
{
	size_t per_row = (size_t)a->cols / ITEM_MIN, item;

	if (per_row == 0)
		per_row = 1;
	if (per_row > STRIP_N)
		per_row = STRIP_N;
	/* Rows the area has: fewer items a row past them would not show. */
	while ((STRIP_N + per_row - 1) / per_row > (size_t)a->n &&
	       per_row < STRIP_N)
		per_row++;
	item = (size_t)a->cols / per_row;
	for (int i = 0; i < a->n; i++)
		dash_area_row(a, i);
	for (size_t k = 0; k < STRIP_N; k++) {
		enum dash_rate r = strip[k];
		size_t row = k / per_row;
		char val[16], spark[DASH_HISTORY * 3 + 1], *t;
		size_t spark_w = item > 18 ? item - 18 : 1;

		if ((int)row >= a->n)
			break;
		t = a->out->row[a->first + row].text;
		if (m->rate_known[r])
			dash_si(m->rate_now[r], val, sizeof(val));
		else
			snprintf(val, sizeof(val), "-");
		dash_sparkline(&m->rate_hist[r], spark_w, m->info.utf8, spark,
			       sizeof(spark));
		dash_cell(t, DASH_ROW_BYTES, dash_rate_label(r), 10, false);
		dash_cell(t, DASH_ROW_BYTES, val, 6, true);
		dash_cell(t, DASH_ROW_BYTES, " ", 1, false);
		dash_cell(t, DASH_ROW_BYTES, m->rate_known[r] ? spark : "",
			  item - 17 - 1, false);
		dash_cell(t, DASH_ROW_BYTES, "", 1, false);
	}
	for (int i = 0; i < a->n; i++)
		dash_fit(a->out->row[a->first + i].text, (size_t)a->cols);
}
