/*
 * The commands a finding hands its reader, made concrete: the advice's
 * placeholders filled from the finding's subject, and a tshark display
 * filter that selects its evidence in the capture.
 *
 * Placeholders are whole upper-case words in the catalog's text (see
 * tcplens-diagnostics(7)): ADDRESS (the subject's host; for
 * retransmit_burst the receiver of the retransmissions), PORT (the
 * subject's port), CLIENT (short_connection_churn's client), FILE (the
 * capture file) and FRAME (the first evidence frame).  IFACE names the
 * capturing host's interface, which a capture does not record, and is
 * never filled.  A part of the text between "[[" and "]]" applies only
 * to a subject that gives every placeholder inside it: it is dropped
 * otherwise, and its brackets always are.
 *
 * Pure functions of the finding; nothing here reads packets.
 */
#ifndef TCPLENS_FINDING_COMMANDS_H
#define TCPLENS_FINDING_COMMANDS_H

#include <stddef.h>

#include "detect.h"

/* What a command can name beyond the finding itself. */
struct finding_context {
	const char *file;       /* the capture file; NULL: several, or none */
};

/*
 * text with f's placeholders filled in out (cut to outlen).  f NULL
 * fills nothing: the placeholders stay as words, the optional parts are
 * kept.  ctx may be NULL.  Returns out.
 */
const char *finding_fill(const char *text, const struct finding *f,
			 const struct finding_context *ctx, char *out,
			 size_t outlen);

/*
 * A tshark display filter (tshark -Y) selecting f's evidence frames and
 * the traffic of its kind around them; "" when the subject gives no
 * handle (the whole capture without evidence frames).  Returns out.
 */
const char *finding_tshark_filter(const struct finding *f, char *out,
				  size_t outlen);

#define FINDING_FILTER_LEN 512
#define FINDING_ADVICE_LEN 2048

#endif
