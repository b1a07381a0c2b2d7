/*
 * Text into an HTML page, as text: every string the capture gave (a
 * subject, a packet summary, a file name) goes through here, so that no
 * byte of it can open a tag, end an attribute or start an entity.  The
 * five characters & < > " ' become entities; control characters other
 * than tab and newline, and bytes that are not UTF-8, become U+FFFD, so
 * the page stays well-formed XHTML whatever the capture held.
 */
#ifndef TCPLENS_HTML_ESCAPE_H
#define TCPLENS_HTML_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* s (NUL-terminated) escaped onto out; safe in text and in "attributes". */
void html_escape(FILE *out, const char *s);
/* The first len bytes of s alike. */
void html_escape_n(FILE *out, const char *s, size_t len);

#endif
