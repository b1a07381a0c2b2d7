#include "output_format.h"

#include <stdio.h>
#include <string.h>

static const char *const names[OUTPUT_FORMAT_COUNT] = {
	[OUTPUT_FORMAT_TEXT] = "text",
	[OUTPUT_FORMAT_JSON] = "json",
	[OUTPUT_FORMAT_NDJSON] = "ndjson",
	[OUTPUT_FORMAT_CSV] = "csv",
	[OUTPUT_FORMAT_YAML] = "yaml",
	[OUTPUT_FORMAT_ZEEK] = "zeek",
	[OUTPUT_FORMAT_SVG] = "svg",
	[OUTPUT_FORMAT_HTML] = "html",
};

const char *output_format_name(enum output_format f)
{
	return (unsigned)f < OUTPUT_FORMAT_COUNT ? names[f] : "?";
}

bool output_format_parse(const char *name, unsigned accepted,
			 enum output_format *out)
{
	for (unsigned f = 0; f < OUTPUT_FORMAT_COUNT; f++) {
		if ((accepted & OUTPUT_FORMAT_SET(f)) &&
		    strcmp(name, names[f]) == 0) {
			*out = (enum output_format)f;
			return true;
		}
	}
	return false;
}

void output_format_list(unsigned accepted, char *out, size_t outlen)
{
	size_t n = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	for (unsigned f = 0; f < OUTPUT_FORMAT_COUNT && n < outlen; f++) {
		int w;

		if (!(accepted & OUTPUT_FORMAT_SET(f)))
			continue;
		w = snprintf(out + n, outlen - n, "%s%s", n > 0 ? ", " : "",
			     names[f]);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

bool output_format_doc(enum output_format f, enum doc_format *out)
{
	switch (f) {
	case OUTPUT_FORMAT_JSON: *out = DOC_JSON; return true;
	case OUTPUT_FORMAT_NDJSON: *out = DOC_NDJSON; return true;
	case OUTPUT_FORMAT_YAML: *out = DOC_YAML; return true;
	default: return false;
	}
}
