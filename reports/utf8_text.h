/*
 * UTF-8 well-formedness, for the writers of text formats: file names and
 * filter expressions are bytes, not text, and JSON and YAML documents
 * must stay valid whatever bytes they carry.  Each byte that does not
 * start a well-formed sequence stands for U+FFFD, in every format alike.
 */
#ifndef TCPLENS_UTF8_TEXT_H
#define TCPLENS_UTF8_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Length of the well-formed UTF-8 sequence at p (RFC 3629; table 3-7 of
 * Unicode: no overlongs, no surrogates, nothing past U+10FFFF), or 0.
 * p is NUL-terminated: a sequence cut by the NUL is not well-formed.
 */
size_t utf8_sequence_len(const unsigned char *p);

bool utf8_text_is_valid(const char *s);

/*
 * A malloc'd copy of s with each byte that is not part of a well-formed
 * sequence replaced by U+FFFD; NULL when memory ran out.
 */
char *utf8_text_repair(const char *s);

#endif
