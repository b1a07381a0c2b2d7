#include "addr_format.h"

#include <arpa/inet.h>
#include <stdio.h>

/*
 * Dotted quad without stdio: `flows` formats two addresses per flow,
 * and inet_ntop() costs a sprintf per IPv4 address.  out holds 16.
 */
static void format_ipv4(const uint8_t *b, char *out)
{
	for (int i = 0; i < 4; i++) {
		unsigned v = b[i];

		if (v >= 100)
			*out++ = (char)('0' + v / 100);
		if (v >= 10)
			*out++ = (char)('0' + v / 10 % 10);
		*out++ = (char)('0' + v % 10);
		*out++ = i < 3 ? '.' : '\0';
	}
}

void addr_format(int family, const uint8_t *addr, char *out, size_t outlen)
{
	if (outlen == 0)
		return;
	if (family == 4 && outlen >= sizeof("255.255.255.255")) {
		format_ipv4(addr, out);
		return;
	}
	if ((family != 4 && family != 6) ||
	    inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, out,
		      (socklen_t)outlen) == NULL)
		snprintf(out, outlen, "?");
}

void addr_format_endpoint(int family, const uint8_t *addr, int port,
			  char *out, size_t outlen)
{
	char a[ADDR_FORMAT_LEN], p[8] = "*";

	addr_format(family, addr, a, sizeof(a));
	if (port != ADDR_FORMAT_ANY_PORT)
		snprintf(p, sizeof(p), "%d", port);
	snprintf(out, outlen, family == 6 ? "[%s]:%s" : "%s:%s", a, p);
}
