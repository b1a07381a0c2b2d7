#include "utf8_text.h"

#include <stdlib.h>
#include <string.h>

size_t utf8_sequence_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

bool utf8_text_is_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		size_t n = utf8_sequence_len(p);

		if (n == 0)
			return false;
		p += n;
	}
	return true;
}

char *utf8_text_repair(const char *s)
{
	static const char replacement[] = "\xef\xbf\xbd";
	const unsigned char *p = (const unsigned char *)s;
	/* Each bad byte becomes three: never more than three times as long. */
	char *out = malloc(3 * strlen(s) + 1);
	size_t k = 0;

	if (out == NULL)
		return NULL;
	while (*p != '\0') {
		size_t n = utf8_sequence_len(p);

		if (n == 0) {
			memcpy(out + k, replacement, 3);
			k += 3;
			p++;
			continue;
		}
		memcpy(out + k, p, n);
		k += n;
		p += n;
	}
	out[k] = '\0';
	return out;
}
