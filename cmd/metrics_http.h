/*
 * --metrics-listen [ADDR:]PORT: an HTTP server (libmicrohttpd, on a
 * thread of its own) answering GET /metrics with the latest text the
 * exchange holds, 404 for any other path, 503 before the first text.
 * Each response holds a reference to its text, sent as it is (no copy,
 * no lock while sending); the engine is never touched.
 */
#ifndef TCPLENS_METRICS_HTTP_H
#define TCPLENS_METRICS_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "metrics_exchange.h"

/* The address when only a port is given: this machine alone. */
#define METRICS_HTTP_DEFAULT_ADDR "127.0.0.1"

/*
 * Whether spec is [ADDR:]PORT: ADDR an IPv4 address, [an IPv6 one] or a
 * name; PORT 1 to 65535.
 */
bool metrics_http_spec_valid(const char *spec);

struct metrics_http;

/*
 * Binds spec's address and port now and starts serving.  NULL when it
 * cannot (why: one line naming the address and saying why: in use, not
 * permitted, no such address).
 */
struct metrics_http *metrics_http_start(const char *spec,
					struct metrics_exchange *x,
					char *why, size_t why_len);
/* Stops serving (requests under way end) and frees h; h may be NULL. */
void metrics_http_stop(struct metrics_http *h);

#endif
