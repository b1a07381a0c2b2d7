/*
 * The formats a command's -F/--format names, one list for every
 * command: each accepts a set of them (text for people, json, ndjson
 * and yaml through doc_writer, csv and zeek for flows, svg for a
 * connection's pictures, html for a self-contained report).  The names are
 * those of tcplens(1) and the order is the order --help and the errors
 * list them in.
 */
#ifndef TCPLENS_OUTPUT_FORMAT_H
#define TCPLENS_OUTPUT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "doc_writer.h"

enum output_format {
	OUTPUT_FORMAT_TEXT,
	OUTPUT_FORMAT_JSON,
	OUTPUT_FORMAT_NDJSON,
	OUTPUT_FORMAT_CSV,
	OUTPUT_FORMAT_YAML,
	OUTPUT_FORMAT_ZEEK,
	OUTPUT_FORMAT_SVG,
	OUTPUT_FORMAT_HTML,
};

#define OUTPUT_FORMAT_COUNT (OUTPUT_FORMAT_HTML + 1)

/* A set of formats, for what a command accepts. */
#define OUTPUT_FORMAT_SET(f) (1u << (f))

/* "text", "json", ... */
const char *output_format_name(enum output_format f);

/*
 * The format named name, when it is one of accepted (a set of
 * OUTPUT_FORMAT_SET bits); false otherwise, *out untouched.  Names are
 * matched exactly ("JSON" is not one).
 */
bool output_format_parse(const char *name, unsigned accepted,
			 enum output_format *out);

/*
 * The names in accepted, in the enum's order, as "text, json, yaml" in
 * out (cut to outlen, always terminated when outlen > 0): the list an
 * unknown -F names.
 */
void output_format_list(unsigned accepted, char *out, size_t outlen);

/* The doc_writer format of json, ndjson and yaml; false for the others. */
bool output_format_doc(enum output_format f, enum doc_format *out);

#endif
