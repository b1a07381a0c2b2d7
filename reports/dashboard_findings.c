/*
 * The findings feed: newest first, one row per finding that changes in
 * place as it moves (its value, last time seen and how many times its
 * measures changed), in its severity's colour, dimmed once resolved.
 */
#include "dashboard_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool finding_matches(const struct finding *f, const char *filter)
{
	return dash_match(finding_id_name(f->id), filter) ||
	       dash_match(f->subject, filter) ||
	       dash_match(finding_severity_name(f->severity), filter);
}

struct by_seq {
	uint64_t seq;
	size_t i;
};

static int newest_first(const void *a, const void *b)
{
	uint64_t x = ((const struct by_seq *)a)->seq;
	uint64_t y = ((const struct by_seq *)b)->seq;

	return (x < y) - (x > y);
}

size_t dash_findings_list(struct dash_model *m, const struct dash_ui *ui,
			  size_t *order)
{
	struct by_seq *k;
	size_t n = 0;

	if (order == NULL) {
		for (size_t i = 0; i < m->n_findings; i++)
			n += finding_matches(&m->findings[i].f, ui->filter);
		return n;
	}
	k = malloc((m->n_findings + 1) * sizeof(*k));
	if (k == NULL)
		return 0;
	for (size_t i = 0; i < m->n_findings; i++) {
		if (!finding_matches(&m->findings[i].f, ui->filter))
			continue;
		k[n].seq = m->findings[i].seq;
		k[n].i = i;
		n++;
	}
	qsort(k, n, sizeof(*k), newest_first);
	for (size_t j = 0; j < n; j++)
		order[j] = k[j].i;
	free(k);
	return n;
}

static const enum dash_attr severity_attr[3] = {
	[SEVERITY_INFO] = DASH_ATTR_INFO,
	[SEVERITY_WARNING] = DASH_ATTR_WARNING,
	[SEVERITY_CRITICAL] = DASH_ATTR_CRITICAL,
};

static const char *const severity_tag[3] = {
	[SEVERITY_INFO] = "INFO", [SEVERITY_WARNING] = "WARN",
	[SEVERITY_CRITICAL] = "CRIT",
};

static void finding_row(const struct dash_finding *d, struct dash_row *r,
			int cols)
{
	const struct finding *f = &d->f;
	char when[16], moved[24];

	dash_clock(f->last_ts, when, sizeof(when));
	if (d->updates > 0)
		snprintf(moved, sizeof(moved), " (%u update%s)", d->updates,
			 d->updates == 1 ? "" : "s");
	else
		moved[0] = '\0';
	snprintf(r->text, sizeof(r->text), "%s %s %s %s%s%s: %s", when,
		 severity_tag[f->severity], finding_id_name(f->id), f->subject,
		 f->ongoing ? "" : " resolved", moved, f->summary);
	dash_fit(r->text, (size_t)cols);
	r->attr = f->ongoing ? severity_attr[f->severity] : DASH_ATTR_DIM;
}

void dash_findings_render(struct dash_model *m, struct dash_ui *ui,
			  struct dash_area *a)
{
	size_t n;
	char hint[96];

	if (!dash_order_room(m, m->n_findings))
		return;
	n = dash_findings_list(m, ui, m->order);
	snprintf(hint, sizeof(hint), "%u critical %u warning %u info, newest first",
		 m->by_severity[SEVERITY_CRITICAL],
		 m->by_severity[SEVERITY_WARNING],
		 m->by_severity[SEVERITY_INFO]);
	dash_title(a, 0, "Findings", hint);
	for (int i = 0; i < a->n - 1; i++) {
		size_t at = ui->top[DASH_FINDINGS] + (size_t)i;
		struct dash_row *r = dash_area_row(a, 1 + i);

		if (at >= n)
			continue;
		finding_row(&m->findings[m->order[at]], r, a->cols);
		if (a->focus && at == ui->sel[DASH_FINDINGS])
			r->attr = DASH_ATTR_SELECTED;
	}
}

/* The finding the cursor is on; NULL in an empty feed. */
static const struct dash_finding *selected(struct dash_model *m,
					   const struct dash_ui *ui)
{
	size_t n;

	if (!dash_order_room(m, m->n_findings))
		return NULL;
	n = dash_findings_list(m, ui, m->order);
	return ui->sel[DASH_FINDINGS] < n
		? &m->findings[m->order[ui->sel[DASH_FINDINGS]]] : NULL;
}

/* Enter on the feed: the text of the finding shown, kept by its key. */
bool dash_findings_open(struct dash_model *m, struct dash_ui *ui)
{
	const struct dash_finding *d = selected(m, ui);

	if (d == NULL)
		return false;
	ui->detail_key = d->f.key;
	ui->detail_top = 0;
	free(m->detail);
	m->detail = m->info.finding_text != NULL
		? m->info.finding_text(m->info.ctx, &d->f) : NULL;
	return true;
}
