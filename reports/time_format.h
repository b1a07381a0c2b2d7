/* Timestamps as tcplens prints them: UTC, ISO 8601, fixed decimals. */
#ifndef TCPLENS_TIME_FORMAT_H
#define TCPLENS_TIME_FORMAT_H

#include <stddef.h>

#include "packet.h"

#define TIME_FORMAT_LEN 40

/* "2026-01-01T00:00:00.123456Z"; decimals is 6 or 9. */
void time_format_iso(char *buf, size_t len, struct pkt_time ts, int decimals);

#endif
