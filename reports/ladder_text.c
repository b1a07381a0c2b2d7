/* One ladder row as timeline's text line (ladder_text.h). */
#include "ladder_text.h"

#include <inttypes.h>
#include <stdio.h>

#include "flow.h"
#include "tcp_annot.h"
#include "tcp_state.h"
#include "time_format.h"

void ladder_flags_text(uint8_t flags, char out[9])
{
	static const char letters[] = "FSRPAUEC";
	int n = 0;

	for (int i = 0; i < 8; i++)
		if (flags & (1u << i))
			out[n++] = letters[i];
	out[n] = '\0';
}

void ladder_gap_text(uint64_t n, bool earlier, char *buf, size_t len)
{
	const char *noun = n == 1 ? "segment" : "segments";

	if (n == UINT64_MAX)
		snprintf(buf, len, "%s", earlier ? "(earlier segments not kept)"
						 : "... segments not kept ...");
	else if (earlier)
		snprintf(buf, len, "(%" PRIu64 " earlier %s not kept)", n, noun);
	else
		snprintf(buf, len, "... %" PRIu64 " %s not kept ...", n, noun);
}

static void options_text(const struct ladder_row *r, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (r->opts_present & TCP_OPT_HAS_MSS)
		n += (size_t)snprintf(buf + n, len - n, "mss=%u ", r->mss);
	if (n < len && (r->opts_present & TCP_OPT_HAS_WSCALE))
		n += (size_t)snprintf(buf + n, len - n, "ws=%u ", r->wscale);
	if (n < len && (r->opts_present & TCP_OPT_HAS_SACK_PERM))
		n += (size_t)snprintf(buf + n, len - n, "sackOK ");
	if (n < len && (r->opts_present & TCP_OPT_HAS_SACK))
		n += (size_t)snprintf(buf + n, len - n, "sack=%u ", r->sack_count);
	if (n < len && (r->opts_present & TCP_OPT_HAS_TIMESTAMP))
		n += (size_t)snprintf(buf + n, len - n, "ts ");
	if (n > 0 && n <= len)
		buf[n - 1] = '\0';
}

static void annots_text(const struct ladder_row *r, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < TCP_ANNOT_COUNT && n < len; i++) {
		if (!(r->annots & (1u << i)))
			continue;
		if (i == TCP_ANNOT_DUPLICATE_ACK)
			n += (size_t)snprintf(buf + n, len - n, "%sduplicate_ack#%u",
					      n ? "," : "", r->dup_ack_num);
		else
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "",
					      tcp_annot_key((enum tcp_annot)i));
	}
}

void ladder_text_format(const struct ladder_row *r, bool with_uid, char *buf,
			size_t len)
{
	char ts[TIME_FORMAT_LEN], fl[9], opts[64], ann[200], uid[FLOW_UID_LEN];
	const char *arrow = r->dir == FLOW_ORIG ? "-->" : "<--";
	int n = 0;

	time_format_iso(ts, sizeof(ts), r->ts, 6);
	ladder_flags_text(r->flags, fl);
	if (with_uid) {
		flow_format_uid(r->uid, uid);
		n = snprintf(buf, len, "%s ", uid);
		if (n < 0 || (size_t)n >= len)
			return;
	}
	if (r->copy_of != 0) {
		snprintf(buf + n, len - (size_t)n,
			 "%6" PRIu64 " %s %s %-6s copy of frame %" PRIu64
			 " (the same frame captured again)",
			 r->frame, ts, arrow, fl, r->copy_of);
		return;
	}
	options_text(r, opts, sizeof(opts));
	annots_text(r, ann, sizeof(ann));
	snprintf(buf + n, len - (size_t)n,
		 "%6" PRIu64 " %s %s %-6s seq=%-10u ack=%-10u len=%-5u win=%-7"
		 PRIu64 " %-11s %-11s %s%s%s",
		 r->frame, ts, arrow, fl, r->rel_seq, r->rel_ack, r->seg_len,
		 r->window, tcp_state_name(r->state[0]),
		 tcp_state_name(r->state[1]), opts,
		 opts[0] && ann[0] ? " " : "", ann);
}
