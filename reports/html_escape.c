#include "html_escape.h"

#include <stdint.h>
#include <string.h>

static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

/*
 * The length of the UTF-8 sequence at s (at most n bytes), or 0 when it
 * is not one: overlong forms, surrogates and code points past U+10FFFF
 * are not.
 */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (len > n)
		return 0;
	cp = s[0] & (0x7fu >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

static const char *entity(unsigned char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	default: return NULL;
	}
}

void html_escape_n(FILE *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		const char *e = entity(c);
		size_t seq;

		if (e != NULL) {
			fputs(e, out);
			i++;
		} else if (c == '\t' || c == '\n' || (c >= 0x20 && c < 0x7f)) {
			fputc(c, out);
			i++;
		} else if (c >= 0x80 && (seq = utf8_sequence(p + i, len - i)) > 0) {
			fwrite(p + i, 1, seq, out);
			i += seq;
		} else {
			fputs(replacement, out);
			i++;
		}
	}
}

void html_escape(FILE *out, const char *s)
{
	html_escape_n(out, s, strlen(s));
}
