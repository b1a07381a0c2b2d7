/* The full-screen views: help and a finding's detail. */
#include "dashboard_internal.h"

#include <stdio.h>
#include <string.h>

#include "addr_format.h"
#include "flow.h"
#include "ladder_text.h"

/* 20 lines: all of it shows at 80x24, where the view has 20 rows. */
static const char *const help_lines[] = {
	"Keys",
	"  q            quit: the final report is printed, as with --no-tui",
	"  p            pause the display (capture and analysis go on)",
	"  Tab, S-Tab   move the focus between the panels",
	"  Up, Down     move the cursor in the focused panel",
	"  PgUp, PgDn   a page up or down",
	"  Home, End    the first or the last row",
	"  Left, Right  scroll a ladder sideways (its states are at the right)",
	"  s, S         sort the connections by the next or previous key:",
	"               bytes, rate, retransmissions, RTT, age, state",
	"  /            filter every panel by host, port, state or finding id",
	"               (Enter keeps it, Esc clears it)",
	"  Enter        a finding: its evidence, explanation and advice; a",
	"               connection: its ladder, both states after each segment",
	"  Esc          back to the panels (or clear the filter)",
	"  ?            this help; any key goes back",
	"  Ctrl-Z       stop tcplens, capture too (fg: back to the dashboard)",
	"",
	"Hosts are sorted by trouble: 4 x (CLOSE_WAIT + SYN_RECV) + FIN_WAIT1",
	"+ CLOSING + LAST_ACK sockets, then by sockets.  See tcplens(1).",
};

void dash_help_render(struct dash_area *a)
{
	size_t n = sizeof(help_lines) / sizeof(help_lines[0]);

	dash_title(a, 0, "Help", "any key goes back");
	for (int i = 1; i < a->n; i++) {
		struct dash_row *r = dash_area_row(a, i);

		if ((size_t)(i - 1) < n) {
			snprintf(r->text, sizeof(r->text), "%s",
				 help_lines[i - 1]);
			dash_fit(r->text, (size_t)a->cols);
		}
	}
}

/* The line'th line of text (no newline) into out; false past the end. */
static bool nth_line(const char *text, size_t line, char *out, size_t len)
{
	const char *end;
	size_t n;

	for (; line > 0; line--) {
		text = strchr(text, '\n');
		if (text == NULL)
			return false;
		text++;
	}
	if (*text == '\0')
		return false;
	end = strchr(text, '\n');
	n = end != NULL ? (size_t)(end - text) : strlen(text);
	if (n >= len)
		n = len - 1;
	memcpy(out, text, n);
	out[n] = '\0';
	return true;
}

void dash_detail_render(struct dash_model *m, struct dash_ui *ui,
			struct dash_area *a)
{
	const struct dash_finding *d = NULL;
	char fallback[FINDING_SUMMARY_LEN + 256];
	const char *text = m->detail;

	for (size_t i = 0; i < m->n_findings; i++)
		if (m->findings[i].f.key == ui->detail_key)
			d = &m->findings[i];
	dash_title(a, 0, "Finding",
		   d != NULL ? "Esc goes back; as `tcplens report` prints it"
			     : "gone from the feed; Esc goes back");
	if (text == NULL && d != NULL) {
		snprintf(fallback, sizeof(fallback), "%s %s: %s\n",
			 finding_id_name(d->f.id), d->f.subject, d->f.summary);
		text = fallback;
	}
	for (int i = 1; i < a->n; i++) {
		struct dash_row *r = dash_area_row(a, i);

		if (text != NULL &&
		    nth_line(text, ui->detail_top + (size_t)i - 1, r->text,
			     sizeof(r->text)))
			dash_fit(r->text, (size_t)a->cols);
	}
}

/* "192.0.2.1:52842 > 192.0.2.2:8005" of a live connection, or its uid. */
static void ladder_title(const struct dash_model *m, uint64_t uid, char *out,
			 size_t len)
{
	char o[64], r[64], id[FLOW_UID_LEN];

	const struct engine_flow_row *f = NULL;
	const uint8_t *state;

	flow_format_uid(uid, id);
	for (size_t i = 0; i < m->n_conns && f == NULL; i++)
		if (m->conns[i].row.uid == uid)
			f = &m->conns[i].row;
	/* Off the page: as opened, in the states of its newest segment. */
	if (f == NULL && m->ladder_flow.uid == uid)
		f = &m->ladder_flow;
	if (f == NULL) {
		snprintf(out, len, "%s", id);
		return;
	}
	state = f != &m->ladder_flow || m->n_ladder == 0 ||
		m->ladder_uid != uid ? f->state
				     : m->ladder[m->n_ladder - 1].state;
	addr_format_endpoint(f->family, f->orig, f->orig_port, o, sizeof(o));
	addr_format_endpoint(f->family, f->resp, f->resp_port, r, sizeof(r));
	snprintf(out, len, "%s  %s > %s  %s/%s%s", id, o, r,
		 tcp_state_name(state[0]), tcp_state_name(state[1]),
		 m->ladder_uid == uid && !m->ladder_live ? "  (ended)" : "");
}

size_t dash_ladder_lines(const struct dash_model *m)
{
	return m->n_ladder + (m->ladder_not_kept > 0);
}

/*
 * The ladder view's line'th line into r: a row, or the gap's line, dim,
 * where the rows not kept fall (at the top: earlier ones; else between
 * the connection's first rows and its newest).
 */
static void ladder_line(const struct dash_model *m, const struct dash_ui *ui,
			size_t line, struct dash_row *r)
{
	char text[LADDER_TEXT_LEN];
	bool gap = m->ladder_not_kept > 0;

	if (gap && line == m->ladder_gap_at) {
		ladder_gap_text(m->ladder_not_kept, line == 0, r->text,
				sizeof(r->text));
		r->attr = DASH_ATTR_DIM;
		return;
	}
	if (gap && line > m->ladder_gap_at)
		line--;
	ladder_text_format(&m->ladder[line], false, text, sizeof(text));
	snprintf(r->text, sizeof(r->text), "%s", text);
	dash_shift(r->text, ui->detail_left);
}

/*
 * A connection's ladder: the segments the engine kept of it (its first,
 * then its newest), oldest first, each line as `tcplens timeline` prints
 * it (End: the newest).
 */
void dash_ladder_render(struct dash_model *m, struct dash_ui *ui,
			struct dash_area *a)
{
	char title[256];
	bool ours = m->ladder_uid == ui->ladder_uid;
	size_t n = ours ? dash_ladder_lines(m) : 0, rows;

	ladder_title(m, ui->ladder_uid, title, sizeof(title));
	dash_title(a, 0, title, "Esc goes back");
	rows = a->n > 1 ? (size_t)a->n - 1 : 0;
	if (ui->detail_top > n || n - ui->detail_top < rows)
		ui->detail_top = n > rows ? n - rows : 0;
	for (size_t i = 0; i < rows; i++) {
		struct dash_row *r = dash_area_row(a, (int)(1 + i));

		if (ui->detail_top + i >= n) {
			if (i == 0 && n == 0)
				snprintf(r->text, sizeof(r->text), "%s",
					 ours ? "no segments kept"
					      : "taking the ladder...");
			continue;
		}
		ladder_line(m, ui, ui->detail_top + i, r);
		dash_fit(r->text, (size_t)a->cols);
	}
}
