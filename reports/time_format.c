#include "time_format.h"

#include <stdio.h>
#include <time.h>

void time_format_iso(char *buf, size_t len, struct pkt_time ts, int decimals)
{
	time_t t = (time_t)ts.sec;
	struct tm tm;
	unsigned long frac = ts.nsec;

	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "%lld", (long long)ts.sec);
		return;
	}
	if (decimals == 6)
		frac /= 1000;
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%0*luZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, decimals, frac);
}
