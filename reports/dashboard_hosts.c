/*
 * Sockets per host: each host's count in each TCP state, the change of
 * its sockets over the last second and, where the width allows, the
 * 60-second sparklines of SYN_RECV, CLOSE_WAIT and TIME_WAIT; most
 * trouble first (dashboard_model.c says what trouble weighs).
 */
#include "dashboard_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The states shown, in `ss` order of a connection's life. */
static const int shown[] = {
	TCP_STATE_ESTABLISHED, TCP_STATE_SYN_SENT, TCP_STATE_SYN_RECV,
	TCP_STATE_FIN_WAIT1, TCP_STATE_FIN_WAIT2, TCP_STATE_CLOSE_WAIT,
	TCP_STATE_CLOSING, TCP_STATE_LAST_ACK, TCP_STATE_TIME_WAIT,
	TCP_STATE_LISTEN,
};
#define N_SHOWN (sizeof(shown) / sizeof(shown[0]))
#define HOST_W 15
#define STATE_W 6
#define DELTA_W 5
/* Host, states and change: what 80 columns hold. */
#define FIXED_W (HOST_W + N_SHOWN * STATE_W + DELTA_W)

struct ranked {
	uint64_t trouble, total;
	size_t i;
};

static int ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->trouble != y->trouble)
		return x->trouble < y->trouble ? 1 : -1;
	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return (x->i > y->i) - (x->i < y->i);
}

static bool host_matches(const struct dash_host *h, const char *filter)
{
	if (dash_match(h->label, filter))
		return true;
	for (size_t k = 0; k < N_SHOWN; k++)
		if (h->count[shown[k]] > 0 &&
		    dash_match(tcp_state_name(shown[k]), filter))
			return true;
	return false;
}

size_t dash_hosts_list(struct dash_model *m, const struct dash_ui *ui,
		       size_t *order)
{
	struct ranked r[DASH_MAX_HOSTS];
	size_t n = 0;

	for (size_t i = 0; i < m->n_hosts; i++) {
		const struct dash_host *h = &m->hosts[i];

		if (!h->present || !host_matches(h, ui->filter))
			continue;
		r[n].trouble = h->trouble;
		r[n].total = h->total;
		r[n].i = i;
		n++;
	}
	qsort(r, n, sizeof(r[0]), ranked_cmp);
	for (size_t k = 0; order != NULL && k < n; k++)
		order[k] = r[k].i;
	return n;
}

/* Sparklines: three from 104 columns, CLOSE_WAIT's alone from 88. */
static size_t sparks(int cols, size_t *width)
{
	size_t spare = (size_t)cols > FIXED_W ? (size_t)cols - FIXED_W : 0;

	*width = spare / 3 > 1 ? spare / 3 - 1 : 0;
	if (*width >= 7)
		return 3;
	*width = spare > 1 ? spare - 1 : 0;
	return *width >= 7 ? 1 : 0;
}

static void heading(struct dash_area *a, int i, size_t n_sparks, size_t w)
{
	static const char *const names[] = {"SYN_R 60s", "CL_WT 60s",
					    "TM_WT 60s"};
	struct dash_row *r = dash_area_row(a, i);

	dash_cell(r->text, sizeof(r->text), "HOST", HOST_W, false);
	for (size_t k = 0; k < N_SHOWN; k++)
		dash_cell(r->text, sizeof(r->text), dash_state_short(shown[k]),
			  STATE_W, true);
	dash_cell(r->text, sizeof(r->text), "+/-", DELTA_W, true);
	for (size_t k = 0; k < n_sparks; k++) {
		dash_cell(r->text, sizeof(r->text), " ", 1, false);
		dash_cell(r->text, sizeof(r->text),
			  names[n_sparks == 1 ? 1 : k], w, false);
	}
	dash_fit(r->text, (size_t)a->cols);
	r->attr = DASH_ATTR_HEAD;
}

static void host_row(const struct dash_model *m, const struct dash_host *h,
		     struct dash_row *r, size_t n_sparks, size_t w, int cols)
{
	char num[16], spark[DASH_HISTORY * 3 + 1], label[sizeof(h->label)];

	snprintf(label, sizeof(label), "%s", h->label);
	dash_elide_middle(label, HOST_W);
	dash_cell(r->text, sizeof(r->text), label, HOST_W, false);
	for (size_t k = 0; k < N_SHOWN; k++) {
		uint32_t v = h->count[shown[k]];

		if (v == 0)
			snprintf(num, sizeof(num), ".");
		else
			dash_si(v, num, sizeof(num));
		dash_cell(r->text, sizeof(r->text), num, STATE_W, true);
	}
	if (h->delta == 0)
		snprintf(num, sizeof(num), ".");
	else
		dash_count(h->delta, DELTA_W, true, num, sizeof(num));
	dash_cell(r->text, sizeof(r->text), num, DELTA_W, true);
	for (size_t k = 0; k < n_sparks; k++) {
		int which = n_sparks == 1 ? DASH_SPARK_CLOSE_WAIT : (int)k;

		dash_sparkline(&h->hist[which], w, m->info.utf8, spark,
			       sizeof(spark));
		dash_cell(r->text, sizeof(r->text), " ", 1, false);
		dash_cell(r->text, sizeof(r->text), spark, w, false);
	}
	dash_fit(r->text, (size_t)cols);
}

#define TITLE "Sockets per host"

/*
 * The title's hint: the hosts listed, then what the panel cannot show,
 * so that nobody takes the rows for all there is: hosts summed up as
 * holding only SYN_SENT sockets (a flood's spoofed sources) or past the
 * display's table, and sockets of hosts past the engine's count.  The
 * richest wording that fits in cells.
 */
static void hosts_hint(const struct dash_model *m, size_t n, size_t cells,
		       char *out, size_t len)
{
	uint64_t syn_only = m->hosts_left_out.syn_only_hosts;
	char hidden[16], syn[16], sockets[16], parts[3][64];

	dash_si((double)(syn_only + m->hosts_untracked), hidden,
		sizeof(hidden));
	dash_si((double)syn_only, syn, sizeof(syn));
	dash_si((double)m->sockets_not_counted, sockets, sizeof(sockets));
	snprintf(parts[0], sizeof(parts[0]), ", +%s hosts not shown%s%s%s",
		 hidden, syn_only > 0 ? " (" : "", syn_only > 0 ? syn : "",
		 syn_only > 0 ? " SYN-only)" : "");
	snprintf(parts[1], sizeof(parts[1]), ", +%s hosts not shown", hidden);
	snprintf(parts[2], sizeof(parts[2]), ", %s sockets not counted",
		 sockets);
	for (int v = 0; v < 4; v++) {
		bool hide = syn_only + m->hosts_untracked > 0;

		snprintf(out, len, "%zu host%s%s%s%s", n, n == 1 ? "" : "s",
			 hide ? parts[v < 2 ? 0 : 1] : "",
			 m->sockets_not_counted > 0 ? parts[2] : "",
			 v % 2 == 0 ? ", most trouble first" : "");
		if (dash_cells(out) <= cells)
			return;
	}
}

void dash_hosts_render(struct dash_model *m, struct dash_ui *ui,
		       struct dash_area *a)
{
	size_t n, w, n_sparks = sparks(a->cols, &w);
	size_t room = (size_t)a->cols > sizeof(TITLE) + 4
		? (size_t)a->cols - sizeof(TITLE) - 4 : 0;
	int rows = a->n - 2;
	char hint[192];

	if (!dash_order_room(m, m->n_hosts))
		return;
	n = dash_hosts_list(m, ui, m->order);
	hosts_hint(m, n, room, hint, sizeof(hint));
	dash_title(a, 0, TITLE, hint);
	if (a->n < 2)
		return;
	heading(a, 1, n_sparks, w);
	for (int i = 0; i < rows; i++) {
		size_t at = ui->top[DASH_HOSTS] + (size_t)i;
		struct dash_row *r = dash_area_row(a, 2 + i);

		if (at >= n)
			continue;
		host_row(m, &m->hosts[m->order[at]], r, n_sparks, w, a->cols);
		if (a->focus && at == ui->sel[DASH_HOSTS])
			r->attr = DASH_ATTR_SELECTED;
	}
}
