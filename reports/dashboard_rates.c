/*
 * The rates strip's series as a snapshot gives them: the engine's TCP
 * counts (struct engine_rate_counts: cumulative, half-open a count now)
 * and packets and bits from the feed's counts.
 */
#include "dashboard_internal.h"

#include <string.h>

void dash_rates_read(const struct engine_snapshot *s,
		     const struct live_counts *c,
		     uint64_t cum[DASH_RATE_COUNT], bool known[DASH_RATE_COUNT])
{
	cum[DASH_RATE_SYN] = s->rates.syn;
	cum[DASH_RATE_SYN_ACK] = s->rates.syn_ack;
	cum[DASH_RATE_RST] = s->rates.rst;
	cum[DASH_RATE_RETRANS] = s->rates.retrans;
	cum[DASH_RATE_NEW_CONNS] = s->rates.new_conns;
	cum[DASH_RATE_HALF_OPEN] = s->rates.half_open;
	cum[DASH_RATE_PACKETS] = c->packets;
	cum[DASH_RATE_BITS] = c->bytes * 8;
	for (int r = 0; r < DASH_RATE_COUNT; r++)
		known[r] = true;
}

bool dash_rate_is_gauge(enum dash_rate r)
{
	return r == DASH_RATE_HALF_OPEN;
}

const char *dash_rate_label(enum dash_rate r)
{
	static const char *const labels[DASH_RATE_COUNT] = {
		"SYN/s", "SYN-ACK/s", "RST/s", "retrans/s", "new conn/s",
		"half-open", "pkts/s", "bit/s",
	};

	return labels[r];
}
