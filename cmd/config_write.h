/*
 * Writes a configuration as a commented YAML file with every key: what
 * `tcplens config --defaults` and `--show` print, and what the loader
 * (config_file.h) reads back to the same settings.
 */
#ifndef TCPLENS_CONFIG_WRITE_H
#define TCPLENS_CONFIG_WRITE_H

#include <stdio.h>

#include "settings.h"

/*
 * Writes s to out: a header comment (first_line, when not NULL, opens it),
 * then each section and key in the order of the settings' rows
 * (settings_at()), each key under its doc line with its accepted range
 * beside it, and the default where s differs from it.  Lines stay
 * within 80 columns.  Write errors are left to the caller (ferror).
 */
void config_write(FILE *out, const struct settings *s,
		  const char *first_line);

#endif
