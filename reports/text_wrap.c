#include "text_wrap.h"

#include <string.h>

void text_wrap(FILE *out, const char *text, size_t col, size_t indent)
{
	const char *p = text;

	while (*p != '\0') {
		size_t room = TEXT_WRAP_WIDTH > col ? TEXT_WRAP_WIDTH - col : 20;
		size_t len = strlen(p), cut = len;

		if (len > room) {
			cut = room;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0) {     /* one long word: let it overflow */
				cut = strcspn(p, " ");
			}
		}
		fprintf(out, "%.*s\n", (int)cut, p);
		p += cut;
		while (*p == ' ')
			p++;
		if (*p != '\0')
			fprintf(out, "%*s", (int)indent, "");
		col = indent;
	}
}

