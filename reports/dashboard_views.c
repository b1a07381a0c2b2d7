/* The full-screen views: help and a finding's detail. */
#include "dashboard_internal.h"

#include <stdio.h>
#include <string.h>

static const char *const help_lines[] = {
	"Keys",
	"",
	"  q            quit: the final report is printed, as with --no-tui",
	"  p            pause the display (capture and analysis go on)",
	"  Tab, S-Tab   move the focus between the panels",
	"  Up, Down     move the cursor in the focused panel",
	"  PgUp, PgDn   a page up or down",
	"  Home, End    the first or the last row",
	"  s, S         sort the connections by the next or previous key:",
	"               bytes, rate, retransmissions, age, state",
	"  /            filter every panel by host, port, state or finding id",
	"               (Enter keeps it, Esc clears it)",
	"  Enter        on a finding: its evidence, explanation and advice;",
	"               on a connection: its ladder",
	"  Esc          back to the panels (or clear the filter)",
	"  ?            this help; any key goes back",
	"",
	"Hosts are sorted by trouble: 4 x (CLOSE_WAIT + SYN_RECV) + FIN_WAIT1",
	"+ CLOSING + LAST_ACK sockets, then by sockets.  See tcplens-live(1).",
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
	if (ui->view == DASH_VIEW_LADDER) {
		dash_title(a, 0, "Connection", "Esc goes back");
		text = "The ladder of a connection's segments needs the "
		       "engine's ladder rows,\nwhich this build does not "
		       "take yet.\n";
	} else {
		dash_title(a, 0, "Finding",
			   d != NULL ? "Esc goes back; as `tcplens report` prints it"
				     : "gone from the feed; Esc goes back");
	}
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
