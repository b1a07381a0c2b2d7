/*
 * A ladder row (analyzer/ladder_row.h) as one line of text: what
 * `tcplens timeline` prints per segment and the live dashboard shows in
 * a connection's ladder, from the same function so the two never
 * differ.  The layout is documented in tcplens-timeline(1).
 */
#ifndef TCPLENS_LADDER_TEXT_H
#define TCPLENS_LADDER_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ladder_row.h"

/* Room for any line ladder_text_format() writes, with its NUL. */
#define LADDER_TEXT_LEN 512

/*
 * The row's line into buf (no newline; cut to len - 1 characters),
 * with the connection's uid first when with_uid (timeline --all).
 */
void ladder_text_format(const struct ladder_row *r, bool with_uid, char *buf,
			size_t len);

/*
 * The line standing for n segments of a ladder not kept (n > 0), where
 * they fall: before the first row shown ("(n earlier segments not
 * kept)"), else between two rows ("... n segments not kept ...", read
 * as a cut, not as the end).  n ENGINE_LADDER_UNKNOWN (UINT64_MAX): how
 * many is not known.
 */
void ladder_gap_text(uint64_t n, bool earlier, char *buf, size_t len);

/* TCP flags as letters, FSRPAUEC order ("SA" for a SYN-ACK). */
void ladder_flags_text(uint8_t flags, char out[9]);

#endif
