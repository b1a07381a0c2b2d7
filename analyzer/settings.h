/*
 * Everything a configuration file can set: the engine's timeouts and
 * memory caps and every detector's switches and thresholds, each
 * described by one row (struct setting).  The engine's rows are in
 * settings.c; a detector's are in its own file (struct detector_ops's
 * settings, detect_internal.h), beside the struct they describe.  The
 * YAML loader, `tcplens config --defaults` and the man page all follow
 * the rows, so a key cannot exist in one and not the others.
 */
#ifndef TCPLENS_SETTINGS_H
#define TCPLENS_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "analyzer.h"
#include "detect_config.h"

struct settings {
	struct analyzer_config engine;
	struct detect_config detect;
};

enum setting_type {
	SETTING_BOOL,           /* true / false */
	SETTING_SEVERITY,       /* info, warning, critical */
	SETTING_COUNT,          /* a whole number (uint32_t field) */
	SETTING_SECONDS,        /* a number of seconds, decimals allowed (int64 ns) */
	SETTING_SHARE,          /* a fraction from 0 to 1 (double) */
	SETTING_MIB,            /* mebibytes (size_t bytes) */
};

struct setting {
	/* "engine", or the detector's finding id ("syn_flood"). */
	const char *section;
	const char *key;
	enum setting_type type;
	/* Accepted range, in the file's unit (seconds, count, share, MiB). */
	double min, max;
	size_t offset;          /* of the field in struct settings */
	const char *doc;        /* one line, for the commented defaults */
	/*
	 * The default, in the file's unit, or for a severity
	 * SETTING_CATALOG_SEVERITY.  The engine's rows say what
	 * analyzer_config_defaults() sets, which also sets what no file may
	 * change.
	 */
	double def;
	/*
	 * The key of the same section whose value this one may not exceed
	 * (a port range's low end names its high end), or NULL.
	 */
	const char *not_above;
};

/* A severity row's default: the one the finding catalog gives it. */
#define SETTING_CATALOG_SEVERITY (-1)

/*
 * The rows, in the order `config --defaults` prints them: the engine's,
 * then each detector's, in catalog order (enum finding_id).
 * settings_at(i) for i below settings_count(), else NULL.
 */
size_t settings_count(void);
const struct setting *settings_at(size_t i);
/* e's place among the rows: settings_at(settings_index(e)) is e. */
size_t settings_index(const struct setting *e);
/* The entry for section.key, or NULL. */
const struct setting *settings_find(const char *section, const char *key);
/* True when section is "engine" or a finding id. */
bool settings_section_exists(const char *section);

void settings_defaults(struct settings *s);

/* The bytes e's field takes in struct settings (for its type). */
size_t settings_field_size(const struct setting *e);

/* A numeric setting's value in the file's unit (bool: 0/1, severity: enum). */
double settings_get(const struct settings *s, const struct setting *e);
/*
 * Stores v (file units); false when v is out of range or, for a count,
 * not whole, or for a share finer than 15 decimals (so that every share
 * stored prints back exactly).  The caller checks the type (bool,
 * severity) beforehand.
 */
bool settings_set(struct settings *s, const struct setting *e, double v);

/*
 * Some settings bound others (a port range's low end, a minimum delay:
 * their rows' not_above): true when *s keeps every such pair in order,
 * else false with the first pair out of order, in row order, in *low
 * and *high.
 */
bool settings_check_order(const struct settings *s,
			  const struct setting **low,
			  const struct setting **high);

/*
 * The value as the file writes it: "true", "warning", "10", "0.5",
 * "0.00001".  Numbers are plain decimals, never with an exponent, and
 * read back (config_file.h) to exactly the value stored.
 */
void settings_format(const struct settings *s, const struct setting *e,
		     char *out, size_t outlen);

/*
 * What the file accepts for e, as comments and messages say it:
 * "true or false", "info, warning or critical", "1 to 3600 seconds",
 * "0.001 to 1", "1 to 65536 MiB".
 */
void settings_format_range(const struct setting *e, char *out,
			   size_t outlen);

#endif
