/*
 * The configuration file: where it is looked for and how it is read.
 * The file is YAML, laid out as the settings' rows (analyzer/settings.h):
 *
 *   engine:
 *     time_wait: 60
 *   detectors:
 *     syn_flood:
 *       enabled: true
 *       window: 10
 *
 * Every key is optional and merges over the defaults.  Anything no row
 * names, a value of the wrong type or out of range is an error of one
 * line, "FILE:LINE:COLUMN: key.path: problem", never a silent default.
 */
#ifndef TCPLENS_CONFIG_FILE_H
#define TCPLENS_CONFIG_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "settings.h"

enum config_status {
	CONFIG_OK,
	CONFIG_INVALID,         /* syntax, unknown key, wrong type, range */
	CONFIG_UNREADABLE,      /* cannot be opened or read */
	CONFIG_NO_MEMORY,
};

/* Longest path config_file_locate() returns, NUL included. */
#define CONFIG_PATH_MAX 4096

/*
 * The file to read: explicit (--config) when not NULL; else
 * $TCPLENS_CONFIG when set and not empty; else the first of
 * $XDG_CONFIG_HOME/tcplens/config.yaml (XDG_CONFIG_HOME, when unset,
 * empty or relative, is $HOME/.config) and /etc/tcplens/config.yaml that
 * exists.  Returns false when no file applies (the defaults do); *is_explicit
 * says whether the user named the file, so that its absence is an error.
 */
bool config_file_locate(const char *explicit_path, char *path, size_t len,
			bool *is_explicit);

/*
 * Reads the YAML in text[0..len) over *s (call settings_defaults first);
 * name labels the messages.  On error *s is unchanged and err holds one
 * line without a trailing newline.
 */
enum config_status config_file_parse(const char *name, const char *text,
				     size_t len, struct settings *s,
				     char *err, size_t errlen);

/*
 * The same for the file at path; one larger than 1 MiB is CONFIG_INVALID
 * before any of it is parsed.
 */
enum config_status config_file_load(const char *path, struct settings *s,
				    char *err, size_t errlen);

/*
 * What every command does: the defaults, merged with the file
 * config_file_locate() finds.  used receives the file read, "" when none
 * was found.
 */
enum config_status config_file_read(const char *explicit_path,
				    struct settings *s, char *used,
				    size_t usedlen, char *err, size_t errlen);

#endif
