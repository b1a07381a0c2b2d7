/*
 * Paragraphs for the 80-column text reports: text after a label of its
 * own, wrapped at TEXT_WRAP_WIDTH.
 */
#ifndef TCPLENS_TEXT_WRAP_H
#define TCPLENS_TEXT_WRAP_H

#include <stddef.h>
#include <stdio.h>

#define TEXT_WRAP_WIDTH 80

/*
 * Writes text, which starts at column col, wrapped at TEXT_WRAP_WIDTH
 * with every line after the first indented by indent; a word longer
 * than a line overflows it.
 */
void text_wrap(FILE *out, const char *text, size_t col, size_t indent);

#endif
