/*
 * The screen as a whole: which panel gets which rows at a size, the
 * footer, the views, and what each key does to the ui state.
 */
#include "dashboard_internal.h"

#include <stdio.h>
#include <string.h>

#include "ladder_text.h"

#define HEADER_ROWS 2
#define STRIP_ROWS 2
#define FOOTER_ROWS 1

void dash_ui_init(struct dash_ui *ui)
{
	memset(ui, 0, sizeof(*ui));
	ui->focus = DASH_FINDINGS;
	ui->page = 5;
}

size_t dash_list_len(struct dash_model *m, const struct dash_ui *ui,
		     enum dash_panel p)
{
	switch (p) {
	case DASH_HOSTS: return dash_hosts_list(m, ui, NULL);
	case DASH_CONNS: return dash_conns_list(m, ui, NULL);
	default: return dash_findings_list(m, ui, NULL);
	}
}

/* The cursor inside the list, and the rows shown around it. */
static void keep_in_view(struct dash_model *m, struct dash_ui *ui,
			 enum dash_panel p, int rows)
{
	size_t n = dash_list_len(m, ui, p), h = rows > 0 ? (size_t)rows : 1;

	if (ui->sel[p] >= n)
		ui->sel[p] = n > 0 ? n - 1 : 0;
	if (ui->sel[p] < ui->top[p])
		ui->top[p] = ui->sel[p];
	if (ui->sel[p] >= ui->top[p] + h)
		ui->top[p] = ui->sel[p] - h + 1;
	if (ui->top[p] + h > n)
		ui->top[p] = n > h ? n - h : 0;
}

static void footer(const struct dash_ui *ui, struct dash_area *a)
{
	struct dash_row *r = dash_area_row(a, 0);

	if (ui->editing)
		snprintf(r->text, sizeof(r->text),
			 "/%s_   (host, port, state or finding id; Enter keeps,"
			 " Esc clears)", ui->filter);
	else if (ui->view == DASH_VIEW_DETAIL || ui->view == DASH_VIEW_LADDER)
		snprintf(r->text, sizeof(r->text),
			 "Up/Down PgUp/PgDn scroll  Esc back  q quit");
	else if (ui->filter[0] != '\0')
		snprintf(r->text, sizeof(r->text),
			 "filter: %s (Esc clears)   q quit  ? help", ui->filter);
	else
		snprintf(r->text, sizeof(r->text),
			 "q quit  p pause  Tab focus  s/S sort  / filter  "
			 "Enter open  ? help");
	dash_fit(r->text, (size_t)a->cols);
	r->attr = DASH_ATTR_HEAD;
}

static void too_small(struct dash_screen *out, int cols, int rows)
{
	for (int i = 0; i < out->rows; i++) {
		out->row[i].attr = DASH_ATTR_NORMAL;
		out->row[i].text[0] = '\0';
	}
	snprintf(out->row[0].text, sizeof(out->row[0].text),
		 "terminal too small (need %dx%d, have %dx%d)", DASH_MIN_COLS,
		 DASH_MIN_ROWS, cols, rows);
	dash_fit(out->row[0].text, (size_t)cols);
}

static struct dash_area area(struct dash_screen *out, int first, int n)
{
	struct dash_area a = {out, first, n, out->cols, false};

	return a;
}

/* Rows for hosts, connections and findings out of body. */
static void split(int body, int n[DASH_PANEL_COUNT])
{
	n[DASH_HOSTS] = body * 3 / 10;
	n[DASH_CONNS] = body * 4 / 10;
	if (n[DASH_HOSTS] < 5)
		n[DASH_HOSTS] = 5;
	if (n[DASH_CONNS] < 6)
		n[DASH_CONNS] = 6;
	n[DASH_FINDINGS] = body - n[DASH_HOSTS] - n[DASH_CONNS];
}

static void panels(struct dash_model *m, struct dash_ui *ui,
		   struct dash_screen *out, int first, int body)
{
	int n[DASH_PANEL_COUNT], at = first;
	/* Rows a panel's list has under its title (and column headings). */
	static const int chrome[DASH_PANEL_COUNT] = {2, 2, 1};

	split(body, n);
	for (int p = 0; p < DASH_PANEL_COUNT; p++) {
		struct dash_area a = area(out, at, n[p]);

		a.focus = ui->focus == (enum dash_panel)p;
		keep_in_view(m, ui, (enum dash_panel)p, n[p] - chrome[p]);
		if (a.focus)
			ui->page = n[p] - chrome[p] > 1 ? n[p] - chrome[p] - 1 : 1;
		if (p == DASH_HOSTS)
			dash_hosts_render(m, ui, &a);
		else if (p == DASH_CONNS)
			dash_conns_render(m, ui, &a);
		else
			dash_findings_render(m, ui, &a);
		at += n[p];
	}
}

void dash_render(struct dash_model *m, struct dash_ui *ui, int cols, int rows,
		 struct dash_screen *out)
{
	struct dash_area a;
	int body;

	out->cols = cols > DASH_MAX_COLS ? DASH_MAX_COLS : cols;
	out->rows = rows > DASH_MAX_ROWS ? DASH_MAX_ROWS : rows;
	if (out->rows < 1 || out->cols < 1) {
		out->rows = out->rows < 1 ? 0 : out->rows;
		return;
	}
	if (cols < DASH_MIN_COLS || rows < DASH_MIN_ROWS) {
		too_small(out, cols, rows);
		return;
	}
	a = area(out, 0, HEADER_ROWS);
	dash_header_render(m, ui, &a);
	body = out->rows - HEADER_ROWS - FOOTER_ROWS;
	if (ui->view == DASH_VIEW_PANELS) {
		a = area(out, HEADER_ROWS, STRIP_ROWS);
		dash_rates_render(m, &a);
		panels(m, ui, out, HEADER_ROWS + STRIP_ROWS, body - STRIP_ROWS);
	} else {
		a = area(out, HEADER_ROWS, body);
		a.focus = true;
		ui->page = body > 2 ? body - 2 : 1;
		if (ui->view == DASH_VIEW_HELP)
			dash_help_render(&a);
		else if (ui->view == DASH_VIEW_LADDER)
			dash_ladder_render(m, ui, &a);
		else
			dash_detail_render(m, ui, &a);
	}
	a = area(out, out->rows - FOOTER_ROWS, FOOTER_ROWS);
	footer(ui, &a);
}

/* s and S: the next sort key the snapshot can give. */
static void next_sort(const struct dash_model *m, struct dash_ui *ui, int step)
{
	do
		ui->sort = (enum dash_sort)((ui->sort + DASH_SORT_COUNT + step) %
					    DASH_SORT_COUNT);
	while (ui->sort == DASH_SORT_RTT && !m->have_rtt);
	ui->top[DASH_CONNS] = ui->sel[DASH_CONNS] = 0;
}

static void filter_key(struct dash_ui *ui, enum dash_key key, int ch)
{
	size_t len = strlen(ui->filter);

	if (key == DASH_KEY_ESC) {
		ui->filter[0] = '\0';
		ui->editing = false;
	} else if (key == DASH_KEY_ENTER) {
		ui->editing = false;
	} else if (key == DASH_KEY_BACKSPACE) {
		if (len > 0)
			ui->filter[len - 1] = '\0';
	} else if (ch >= 0x20 && ch < 0x7f && len + 1 < sizeof(ui->filter)) {
		ui->filter[len] = (char)ch;
		ui->filter[len + 1] = '\0';
	}
	for (int p = 0; p < DASH_PANEL_COUNT; p++)
		ui->sel[p] = ui->top[p] = 0;
}

/* Up, Down, pages, Home and End in a list of n, or in the detail text. */
static void move(size_t *pos, size_t n, enum dash_key key, int page)
{
	size_t last = n > 0 ? n - 1 : 0;

	switch (key) {
	case DASH_KEY_UP: *pos = *pos > 0 ? *pos - 1 : 0; break;
	case DASH_KEY_DOWN: *pos = *pos < last ? *pos + 1 : last; break;
	case DASH_KEY_PGUP:
		*pos = *pos > (size_t)page ? *pos - (size_t)page : 0;
		break;
	case DASH_KEY_PGDN:
		*pos = *pos + (size_t)page < last ? *pos + (size_t)page : last;
		break;
	case DASH_KEY_HOME: *pos = 0; break;
	case DASH_KEY_END: *pos = last; break;
	default: break;
	}
}

static size_t text_lines(const char *s)
{
	size_t n = 0;

	for (; s != NULL && *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static void view_key(struct dash_model *m, struct dash_ui *ui,
		     enum dash_key key)
{
	if (ui->view == DASH_VIEW_HELP || key == DASH_KEY_ESC ||
	    key == DASH_KEY_ENTER) {
		ui->view = DASH_VIEW_PANELS;
		return;
	}
	if (key == DASH_KEY_RIGHT && ui->detail_left < LADDER_TEXT_LEN)
		ui->detail_left += 8;
	else if (key == DASH_KEY_LEFT)
		ui->detail_left = ui->detail_left > 8 ? ui->detail_left - 8 : 0;
	else if (ui->view == DASH_VIEW_LADDER)
		move(&ui->detail_top, dash_ladder_lines(m), key, ui->page);
	else
		move(&ui->detail_top, text_lines(m->detail), key, ui->page);
}

static void enter(struct dash_model *m, struct dash_ui *ui)
{
	if (ui->focus == DASH_FINDINGS && dash_findings_open(m, ui))
		ui->view = DASH_VIEW_DETAIL;
	else if (ui->focus == DASH_CONNS && dash_conns_open(m, ui))
		ui->view = DASH_VIEW_LADDER;
}

void dash_key(struct dash_model *m, struct dash_ui *ui, enum dash_key key,
	      int ch)
{
	if (key == DASH_KEY_QUIT && !ui->editing) {
		ui->quit = true;
		return;
	}
	if (ui->editing) {
		filter_key(ui, key, ch);
		return;
	}
	if (ui->view != DASH_VIEW_PANELS) {
		view_key(m, ui, key);
		return;
	}
	switch (key) {
	case DASH_KEY_PAUSE: ui->paused = !ui->paused; break;
	case DASH_KEY_TAB:
		ui->focus = (enum dash_panel)((ui->focus + 1) % DASH_PANEL_COUNT);
		break;
	case DASH_KEY_BACKTAB:
		ui->focus = (enum dash_panel)((ui->focus + DASH_PANEL_COUNT - 1) %
					      DASH_PANEL_COUNT);
		break;
	case DASH_KEY_SORT: next_sort(m, ui, 1); break;
	case DASH_KEY_SORT_BACK: next_sort(m, ui, -1); break;
	case DASH_KEY_FILTER: ui->editing = true; break;
	case DASH_KEY_ESC: filter_key(ui, key, 0); break;
	case DASH_KEY_HELP: ui->view = DASH_VIEW_HELP; break;
	case DASH_KEY_ENTER: enter(m, ui); break;
	default:
		move(&ui->sel[ui->focus], dash_list_len(m, ui, ui->focus), key,
		     ui->page);
		break;
	}
}
