/*
 * The rates strip's series as a snapshot gives them.  The TCP rates
 * (SYN, SYN-ACK, RST, retransmissions, new connections, half-open) need
 * counts the snapshot does not carry yet: they are shown as not known
 * ("-") until it does; packets/s comes from the feed's counts.
 */
#include "dashboard_internal.h"

#include <string.h>

void dash_rates_read(const struct engine_snapshot *s,
		     const struct live_counts *c,
		     uint64_t cum[DASH_RATE_COUNT], bool known[DASH_RATE_COUNT])
{
	(void)s;
	memset(cum, 0, DASH_RATE_COUNT * sizeof(*cum));
	memset(known, 0, DASH_RATE_COUNT * sizeof(*known));
	cum[DASH_RATE_PACKETS] = c->packets;
	known[DASH_RATE_PACKETS] = true;
}

bool dash_rate_is_gauge(enum dash_rate r)
{
	return r == DASH_RATE_HALF_OPEN;
}

const char *dash_rate_label(enum dash_rate r)
{
	static const char *const labels[DASH_RATE_COUNT] = {
		"SYN/s", "SYN-ACK/s", "RST/s", "retrans/s", "new conn/s",
		"half-open", "pkts/s",
	};

	return labels[r];
}
