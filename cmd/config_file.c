#include "config_file.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "finding.h"

/*
 * A configuration is a few kilobytes: a larger file is something else.
 * A whole number of MiB, as the message names it (tcplens-config(1): 1 MiB).
 */
#define CONFIG_MAX_BYTES (1u << 20)
/* Longer than any section or key name, so a cut name never matches. */
#define NAME_LEN 64
/* "detectors." + a detector + "." + a key, with room to spare. */
#define KEYPATH_LEN (2 * NAME_LEN + 16)
/* How much of a bad value a message quotes. */
#define SHOW_LEN 48

/* The top-level sections. */
enum { SECTION_ENGINE, SECTION_DETECTORS, SECTION_COUNT };
static const char *const section_names[SECTION_COUNT] = {"engine", "detectors"};

/* Where a key was first given: for duplicates and ordering messages. */
struct seen {
	bool seen;
	yaml_mark_t at;
};

struct loader {
	yaml_parser_t parser;
	const char *name;           /* labels messages */
	const char *text;
	size_t len;
	struct settings s;          /* the working copy, committed on success */
	struct seen *entry;         /* one per row, by settings_index() */
	struct seen section[SECTION_COUNT];
	struct seen detector[FINDING_COUNT];
	enum config_status status;
	char *err;
	size_t errlen;
};

/* ------------------------------------------------------------ messages */

/* v[0..len) fit for a one-line message: control bytes as '?', cut short. */
static void show(const char *v, size_t len, char *out, size_t outlen)
{
	size_t n = 0, i;

	for (i = 0; i < len && n + 4 < outlen && n < SHOW_LEN; i++) {
		unsigned char c = (unsigned char)v[i];

		out[n++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (i < len) {
		/* Do not leave half a UTF-8 character before the ellipsis. */
		while (n > 0 && ((unsigned char)out[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0 && ((unsigned char)out[n - 1] & 0xc0) == 0xc0)
			n--;
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

/*
 * "NAME:LINE:COLUMN: PATH: message" (without PATH when it is NULL),
 * with libyaml's 0-based mark counted from 1 as editors do.
 */
static bool fail(struct loader *l, yaml_mark_t at, const char *path,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static bool fail(struct loader *l, yaml_mark_t at, const char *path,
		 const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(l->err, l->errlen, "%s:%zu:%zu: %s%s%s", l->name,
		 at.line + 1, at.column + 1, path != NULL ? path : "",
		 path != NULL ? ": " : "", msg);
	l->status = CONFIG_INVALID;
	return false;
}

/* A reader error gives a byte offset only: its line and column. */
static yaml_mark_t mark_of_offset(const struct loader *l, size_t offset)
{
	yaml_mark_t m = {0};

	for (size_t i = 0; i < offset && i < l->len; i++) {
		if (l->text[i] == '\n') {
			m.line++;
			m.column = 0;
		} else if (((unsigned char)l->text[i] & 0xc0) != 0x80) {
			m.column++;    /* characters, as libyaml counts */
		}
	}
	m.index = offset;
	return m;
}

static bool syntax_error(struct loader *l)
{
	const yaml_parser_t *p = &l->parser;
	const char *problem = p->problem != NULL ? p->problem : "unreadable";
	yaml_mark_t at = p->problem_mark;

	if (p->error == YAML_MEMORY_ERROR) {
		snprintf(l->err, l->errlen, "%s: out of memory", l->name);
		l->status = CONFIG_NO_MEMORY;
		return false;
	}
	if (p->error == YAML_READER_ERROR)
		at = mark_of_offset(l, p->problem_offset);
	if (p->context != NULL && p->context_mark.index != at.index)
		return fail(l, at, NULL, "YAML syntax error: %s (%s at %zu:%zu)",
			    problem, p->context, p->context_mark.line + 1,
			    p->context_mark.column + 1);
	if (p->context != NULL)
		return fail(l, at, NULL, "YAML syntax error: %s (%s)", problem,
			    p->context);
	return fail(l, at, NULL, "YAML syntax error: %s", problem);
}

/* ------------------------------------------------------ suggestions */

/*
 * Optimal string alignment distance, ignoring case: a typo, a swapped
 * pair of letters or a capital counts 1 or nothing.
 */
static size_t edit_distance(const char *a, const char *b)
{
	unsigned char d[NAME_LEN + 1][NAME_LEN + 1];
	size_t la = strlen(a), lb = strlen(b);

	if (la > NAME_LEN || lb > NAME_LEN)
		return NAME_LEN;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned char)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned char)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			unsigned v = d[i - 1][j - 1] + (ca != cb);

			if (d[i - 1][j] + 1u < v)
				v = d[i - 1][j] + 1u;
			if (d[i][j - 1] + 1u < v)
				v = d[i][j - 1] + 1u;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    cb == tolower((unsigned char)a[i - 2]) &&
			    d[i - 2][j - 2] + 1u < v)
				v = d[i - 2][j - 2] + 1u;
			d[i][j] = (unsigned char)v;
		}
	}
	return d[la][lb];
}

/* Names a key could have meant, gathered for one message. */
struct candidates {
	const char *typed;
	const char *best;           /* the closest so far */
	size_t best_dist;
	char known[512];            /* "a, b, c" */
	size_t known_len;
};

static void candidates_add(struct candidates *c, const char *name)
{
	size_t dist = edit_distance(c->typed, name);
	int n;

	if (c->best == NULL || dist < c->best_dist) {
		c->best = name;
		c->best_dist = dist;
	}
	n = snprintf(c->known + c->known_len, sizeof(c->known) - c->known_len,
		     "%s%s", c->known_len > 0 ? ", " : "", name);
	if (n > 0 && (size_t)n < sizeof(c->known) - c->known_len)
		c->known_len += (size_t)n;
}

/*
 * "(did you mean X?)" when one name is a slip away (two edits, and not
 * most of a short word), else "(known: a, b, c)".
 */
static void candidates_hint(const struct candidates *c, char *out,
			    size_t outlen)
{
	if (c->best != NULL && c->best_dist <= 2 &&
	    c->best_dist * 3 <= strlen(c->best))
		snprintf(out, outlen, "(did you mean %s?)", c->best);
	else
		snprintf(out, outlen, "(known: %s)", c->known);
}

/*
 * A key that belongs elsewhere: a detector under engine or at the top,
 * an engine key under detectors.  Writes "(did you mean PATH?)".
 */
static bool hint_elsewhere(const char *key, char *out, size_t outlen)
{
	enum finding_id id;

	if (finding_id_parse(key, &id)) {
		snprintf(out, outlen, "(did you mean detectors.%s?)", key);
		return true;
	}
	if (settings_find("engine", key) != NULL) {
		snprintf(out, outlen, "(did you mean engine.%s?)", key);
		return true;
	}
	return false;
}

/* ------------------------------------------------------------- events */

static bool next(struct loader *l, yaml_event_t *ev)
{
	if (yaml_parser_parse(&l->parser, ev))
		return true;
	return syntax_error(l);
}

/* Anchors, aliases and tags: none of them has a use in this file. */
static bool check_node(struct loader *l, const yaml_event_t *ev,
		       const char *path)
{
	const yaml_char_t *anchor = NULL, *tag = NULL;
	char shown[SHOW_LEN + 8];

	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		return fail(l, ev->start_mark, path, "aliases are not supported");
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		break;
	default:
		break;
	}
	if (anchor != NULL)
		return fail(l, ev->start_mark, path,
			    "anchors and aliases are not supported");
	if (tag != NULL) {
		show((const char *)tag, strlen((const char *)tag), shown,
		     sizeof(shown));
		return fail(l, ev->start_mark, path,
			    "tags are not supported ('%s')", shown);
	}
	return true;
}

static const char *node_kind(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_MAPPING_START_EVENT: return "a mapping";
	case YAML_SEQUENCE_START_EVENT: return "a sequence";
	default: return "a scalar";
	}
}

static bool is_empty_scalar(const yaml_event_t *ev)
{
	return ev->type == YAML_SCALAR_EVENT &&
	       ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       ev->data.scalar.length == 0;
}

enum node { NODE_ERROR, NODE_EMPTY, NODE_MAPPING };

/*
 * Where a mapping belongs (path NULL: the top level).  A key with no
 * value at all counts as an empty mapping: a section whose keys are all
 * commented out.
 */
static enum node expect_mapping(struct loader *l, const char *path)
{
	yaml_event_t ev;
	enum node r = NODE_ERROR;

	if (!next(l, &ev))
		return NODE_ERROR;
	if (!check_node(l, &ev, path))
		;
	else if (ev.type == YAML_MAPPING_START_EVENT)
		r = NODE_MAPPING;
	else if (is_empty_scalar(&ev))
		r = NODE_EMPTY;
	else if (path == NULL)
		fail(l, ev.start_mark, NULL,
		     "expected a mapping (engine:, detectors:) at the top level, not %s",
		     node_kind(&ev));
	else
		fail(l, ev.start_mark, path, "expected a mapping, not %s",
		     node_kind(&ev));
	yaml_event_delete(&ev);
	return r;
}

/*
 * The next key of the mapping at path: 1 with its name and mark, 0 at
 * the mapping's end, -1 on error.
 */
static int next_key(struct loader *l, const char *path, char *key,
		    yaml_mark_t *at)
{
	yaml_event_t ev;
	int r = -1;

	if (!next(l, &ev))
		return -1;
	if (ev.type == YAML_MAPPING_END_EVENT) {
		r = 0;
	} else if (!check_node(l, &ev, path)) {
		;
	} else if (ev.type != YAML_SCALAR_EVENT) {
		fail(l, ev.start_mark, path, "a key must be a name, not %s",
		     node_kind(&ev));
	} else {
		size_t n = ev.data.scalar.length < NAME_LEN - 1 ?
			   ev.data.scalar.length : NAME_LEN - 1;

		memcpy(key, ev.data.scalar.value, n);
		key[n] = '\0';
		/* A NUL inside ("\0" in double quotes) must not cut the name. */
		for (size_t i = 0; i < n; i++)
			if (key[i] == '\0' || (unsigned char)key[i] < 0x20)
				key[i] = '?';
		*at = ev.start_mark;
		r = 1;
	}
	yaml_event_delete(&ev);
	return r;
}

static void key_path(char *out, const char *parent, const char *key)
{
	if (parent == NULL)
		snprintf(out, KEYPATH_LEN, "%s", key);
	else
		snprintf(out, KEYPATH_LEN, "%s.%s", parent, key);
}

static bool duplicate(struct loader *l, yaml_mark_t at, const char *path,
		      const struct seen *first)
{
	return fail(l, at, path, "duplicate key (first given at %zu:%zu)",
		    first->at.line + 1, first->at.column + 1);
}

/* -------------------------------------------------------------- values */

/* What a value of type t must be, for "expected ..., not 'x'". */
static const char *expected(enum setting_type t)
{
	switch (t) {
	case SETTING_BOOL: return "true or false";
	case SETTING_SEVERITY: return "info, warning or critical";
	case SETTING_COUNT: return "a whole number";
	case SETTING_SECONDS: return "a number of seconds";
	case SETTING_SHARE: return "a number from 0 to 1";
	case SETTING_MIB: return "a whole number of MiB";
	}
	return "a value";
}

enum number_form { NUMBER_OK, NUMBER_BAD, NUMBER_LEADING_ZERO };

/*
 * An exponent saturates here: further than any scalar has digits, so the
 * decimals counted below stay right (and the value out of every range).
 */
#define EXPONENT_MAX 1000000000000000LL

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * A number: -?DIGITS for a whole one; with decimals allowed,
 * -?DIGITS(.DIGITS)?([eE][-+]?DIGITS)?, a float in YAML 1.2's core
 * schema.  The exponent is taken although YAML 1.1 reads "1e-05" (no
 * point) as a string: people write small thresholds so, the key says a
 * number is meant, and config_write never prints one.  No sign "+", "_",
 * hex, octal, ".5", ".inf" or ".nan": the two YAML versions read some of
 * those differently, and a person editing the file never needs them.  A
 * leading zero ("010") is refused, being octal in YAML 1.1.  *decimals
 * counts the decimals of the value, trailing zeros aside: 2 for "0.050"
 * and "5e-2".
 */
static enum number_form parse_number(const char *s, bool decimals_allowed,
				     double *v, long long *decimals)
{
	const char *p = s, *digits, *int_end, *frac = NULL, *frac_end = NULL;
	const char *last = NULL;        /* the last digit other than 0 */
	long long exponent = 0;

	if (*p == '-')
		p++;
	digits = p;
	while (is_digit(*p))
		p++;
	if (p == digits)
		return NUMBER_BAD;
	int_end = p;
	if (*p == '.' && decimals_allowed) {
		frac = ++p;
		while (is_digit(*p))
			p++;
		if (p == frac)
			return NUMBER_BAD;
		frac_end = p;
	}
	if ((*p == 'e' || *p == 'E') && decimals_allowed) {
		bool negative = false;

		p++;
		if (*p == '+' || *p == '-')
			negative = *p++ == '-';
		if (!is_digit(*p))
			return NUMBER_BAD;
		for (; is_digit(*p); p++)
			if (exponent < EXPONENT_MAX)
				exponent = exponent * 10 + (*p - '0');
		if (negative)
			exponent = -exponent;
	}
	if (*p != '\0')
		return NUMBER_BAD;
	if (digits[0] == '0' && is_digit(digits[1]))
		return NUMBER_LEADING_ZERO;
	/* Decimals: where the last significant digit sits, less the exponent. */
	for (const char *q = frac_end != NULL ? frac_end : int_end; q > digits;) {
		q--;
		if (q != int_end && *q != '0') {        /* int_end: the point */
			last = q;
			break;
		}
	}
	*decimals = 0;
	if (last != NULL) {
		long long d = last > int_end ? (long long)(last - int_end)
					     : -(long long)(int_end - 1 - last);

		*decimals = d - exponent > 0 ? d - exponent : 0;
	}
	/* The grammar above is strtod's too, and the C locale is in force. */
	*v = strtod(s, NULL);
	return NUMBER_OK;
}

static bool wrong_type(struct loader *l, const yaml_event_t *ev,
		       const char *path, const struct setting *e,
		       const char *why)
{
	const char *v = (const char *)ev->data.scalar.value;
	char shown[SHOW_LEN + 8];

	show(v, ev->data.scalar.length, shown, sizeof(shown));
	if (ev->data.scalar.length == 0 &&
	    ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		return fail(l, ev->start_mark, path,
			    "expected %s, not an empty value", expected(e->type));
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE &&
	    e->type != SETTING_SEVERITY)
		return fail(l, ev->start_mark, path,
			    "expected %s, not the quoted string \"%s\"",
			    expected(e->type), shown);
	return fail(l, ev->start_mark, path, "expected %s, not '%s'%s",
		    expected(e->type), shown, why);
}

/* Stores the scalar ev as setting e. */
static bool set_scalar(struct loader *l, const struct setting *e,
		       const yaml_event_t *ev, const char *path)
{
	const char *v = (const char *)ev->data.scalar.value;
	bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	char range[96];
	char shown[SHOW_LEN + 8];
	double num = 0;
	long long decimals = 0;
	long long max_decimals;

	if (strlen(v) != ev->data.scalar.length)
		return wrong_type(l, ev, path, e, "");
	switch (e->type) {
	case SETTING_BOOL:
		/* YAML 1.1's yes/no/on/off are refused: one spelling only. */
		if (!plain || (strcmp(v, "true") != 0 && strcmp(v, "false") != 0))
			return wrong_type(l, ev, path, e, "");
		num = strcmp(v, "true") == 0;
		break;
	case SETTING_SEVERITY: {
		enum finding_severity sev;

		if (!finding_severity_parse(v, &sev))
			return wrong_type(l, ev, path, e, "");
		num = sev;
		break;
	}
	default: {
		bool whole = e->type == SETTING_COUNT || e->type == SETTING_MIB;
		enum number_form f = plain ? parse_number(v, !whole, &num, &decimals)
					   : NUMBER_BAD;

		if (f == NUMBER_LEADING_ZERO)
			return wrong_type(l, ev, path, e,
					  " (a leading zero is octal in YAML 1.1)");
		if (f != NUMBER_OK)
			return wrong_type(l, ev, path, e, "");
		/*
		 * Seconds are kept in nanoseconds and shares to 15 decimals
		 * (settings_set): finer decimals would be rounded away.
		 */
		max_decimals = e->type == SETTING_SECONDS ? 9 : 15;
		if (decimals > max_decimals) {
			show(v, ev->data.scalar.length, shown, sizeof(shown));
			return fail(l, ev->start_mark, path,
				    "%s has more than %lld decimals%s", shown,
				    max_decimals,
				    e->type == SETTING_SECONDS ?
				    " (nanoseconds are the finest)" : "");
		}
		break;
	}
	}
	if (!settings_set(&l->s, e, num)) {
		show(v, ev->data.scalar.length, shown, sizeof(shown));
		settings_format_range(e, range, sizeof(range));
		return fail(l, ev->start_mark, path, "%s is out of range (%s)",
			    shown, range);
	}
	return true;
}

static bool parse_value(struct loader *l, const struct setting *e,
			const char *path)
{
	yaml_event_t ev;
	bool ok = false;

	if (!next(l, &ev))
		return false;
	if (!check_node(l, &ev, path))
		;
	else if (ev.type != YAML_SCALAR_EVENT)
		fail(l, ev.start_mark, path, "expected %s, not %s",
		     expected(e->type), node_kind(&ev));
	else
		ok = set_scalar(l, e, &ev, path);
	yaml_event_delete(&ev);
	return ok;
}

/* ------------------------------------------------------------ structure */

/* The keys of one section ("engine" or a detector) at path. */
static bool parse_settings(struct loader *l, const char *section,
			   const char *path)
{
	char key[NAME_LEN], kp[KEYPATH_LEN];
	yaml_mark_t at;
	enum node node = expect_mapping(l, path);
	int r;

	if (node != NODE_MAPPING)
		return node == NODE_EMPTY;
	while ((r = next_key(l, path, key, &at)) > 0) {
		const struct setting *e = settings_find(section, key);
		struct seen *seen;
		char hint[600];

		key_path(kp, path, key);
		if (e == NULL) {
			struct candidates c = {.typed = key};

			if (strcmp(section, "engine") != 0 ||
			    !hint_elsewhere(key, hint, sizeof(hint))) {
				for (size_t i = 0; i < settings_count(); i++)
					if (strcmp(settings_at(i)->section, section) == 0)
						candidates_add(&c, settings_at(i)->key);
				candidates_hint(&c, hint, sizeof(hint));
			}
			return fail(l, at, kp, "unknown key %s", hint);
		}
		seen = &l->entry[settings_index(e)];
		if (seen->seen)
			return duplicate(l, at, kp, seen);
		seen->seen = true;
		seen->at = at;
		if (!parse_value(l, e, kp))
			return false;
	}
	return r == 0;
}

static bool parse_detectors(struct loader *l)
{
	char key[NAME_LEN], kp[KEYPATH_LEN];
	yaml_mark_t at;
	enum node node = expect_mapping(l, "detectors");
	int r;

	if (node != NODE_MAPPING)
		return node == NODE_EMPTY;
	while ((r = next_key(l, "detectors", key, &at)) > 0) {
		enum finding_id id;
		char hint[600];

		key_path(kp, "detectors", key);
		if (!finding_id_parse(key, &id)) {
			struct candidates c = {.typed = key};

			if (!hint_elsewhere(key, hint, sizeof(hint))) {
				for (int i = 0; i < FINDING_COUNT; i++)
					candidates_add(&c, finding_id_name((enum finding_id)i));
				candidates_hint(&c, hint, sizeof(hint));
			}
			return fail(l, at, kp, "unknown detector %s", hint);
		}
		if (l->detector[id].seen)
			return duplicate(l, at, kp, &l->detector[id]);
		l->detector[id].seen = true;
		l->detector[id].at = at;
		if (!parse_settings(l, key, kp))
			return false;
	}
	return r == 0;
}

static bool parse_top(struct loader *l)
{
	char key[NAME_LEN];
	yaml_mark_t at;
	enum node node = expect_mapping(l, NULL);
	int r;

	if (node != NODE_MAPPING)
		return node == NODE_EMPTY;
	while ((r = next_key(l, NULL, key, &at)) > 0) {
		int sec = -1;
		char hint[600];

		for (int i = 0; i < SECTION_COUNT; i++)
			if (strcmp(key, section_names[i]) == 0)
				sec = i;
		if (sec < 0) {
			struct candidates c = {.typed = key};

			if (!hint_elsewhere(key, hint, sizeof(hint))) {
				for (int i = 0; i < SECTION_COUNT; i++)
					candidates_add(&c, section_names[i]);
				candidates_hint(&c, hint, sizeof(hint));
			}
			return fail(l, at, key, "unknown section %s", hint);
		}
		if (l->section[sec].seen)
			return duplicate(l, at, key, &l->section[sec]);
		l->section[sec].seen = true;
		l->section[sec].at = at;
		if (!(sec == SECTION_ENGINE ? parse_settings(l, "engine", "engine")
					    : parse_detectors(l)))
			return false;
	}
	return r == 0;
}

/* The stream: no document (an empty file, or comments only) or one. */
static bool parse_stream(struct loader *l)
{
	yaml_event_t ev;
	yaml_event_type_t type;

	if (!next(l, &ev))             /* STREAM-START */
		return false;
	yaml_event_delete(&ev);
	if (!next(l, &ev))
		return false;
	type = ev.type;
	yaml_event_delete(&ev);
	if (type == YAML_STREAM_END_EVENT)
		return true;
	/* DOCUMENT-START: the root node, then DOCUMENT-END. */
	if (!parse_top(l) || !next(l, &ev))
		return false;
	yaml_event_delete(&ev);
	if (!next(l, &ev))
		return false;
	if (ev.type == YAML_DOCUMENT_START_EVENT) {
		fail(l, ev.start_mark, NULL,
		     "multiple documents are not supported");
		yaml_event_delete(&ev);
		return false;
	}
	yaml_event_delete(&ev);
	return true;
}

/* "engine.key" or "detectors.id.key". */
static void entry_path(char *out, const struct setting *e)
{
	if (strcmp(e->section, "engine") == 0)
		snprintf(out, KEYPATH_LEN, "engine.%s", e->key);
	else
		snprintf(out, KEYPATH_LEN, "detectors.%s.%s", e->section, e->key);
}

/*
 * Pairs that must stay in order (settings_check_order): the message goes
 * to whichever of the two the file gave last.
 */
static bool check_order(struct loader *l)
{
	const struct setting *lo, *hi;
	char lv[32], hv[32], kp[KEYPATH_LEN];
	const struct seen *sl, *sh;

	if (settings_check_order(&l->s, &lo, &hi))
		return true;
	sl = &l->entry[settings_index(lo)];
	sh = &l->entry[settings_index(hi)];
	settings_format(&l->s, lo, lv, sizeof(lv));
	settings_format(&l->s, hi, hv, sizeof(hv));
	if (sh->seen && (!sl->seen || sh->at.index > sl->at.index)) {
		entry_path(kp, hi);
		return fail(l, sh->at, kp, "%s is below %s (%s)", hv, lo->key, lv);
	}
	entry_path(kp, lo);
	return fail(l, sl->at, kp, "%s is above %s (%s)", lv, hi->key, hv);
}

enum config_status config_file_parse(const char *name, const char *text,
				     size_t len, struct settings *s,
				     char *err, size_t errlen)
{
	struct loader l;
	enum config_status st;

	memset(&l, 0, sizeof(l));
	l.name = name;
	l.text = text;
	l.len = len;
	l.s = *s;
	l.err = err;
	l.errlen = errlen;
	l.entry = calloc(settings_count(), sizeof(*l.entry));
	if (l.entry == NULL || !yaml_parser_initialize(&l.parser)) {
		free(l.entry);
		snprintf(err, errlen, "%s: out of memory", name);
		return CONFIG_NO_MEMORY;
	}
	yaml_parser_set_input_string(&l.parser, (const unsigned char *)text,
				     len);
	l.status = CONFIG_OK;
	if (parse_stream(&l) && check_order(&l))
		*s = l.s;
	st = l.status;
	yaml_parser_delete(&l.parser);
	free(l.entry);
	return st;
}

/* ------------------------------------------------------------- files */

enum config_status config_file_load(const char *path, struct settings *s,
				    char *err, size_t errlen)
{
	enum config_status st = CONFIG_UNREADABLE;
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	struct stat sb;

	if (fp == NULL) {
		int e = errno;

		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(e));
		return e == ENOMEM ? CONFIG_NO_MEMORY : CONFIG_UNREADABLE;
	}
	if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not a configuration file",
			 path);
		goto out;
	}
	/*
	 * Read as a stream: /dev/null, /dev/stdin and pipes have no size.
	 * The buffer grows to one byte past the limit at most: a file that
	 * fills that byte is too large, whatever follows.
	 */
	for (;;) {
		size_t got;

		if (len == cap) {
			char *nb;

			if (len > CONFIG_MAX_BYTES) {
				snprintf(err, errlen,
					 "%s: larger than %u MiB: not a configuration file",
					 path, CONFIG_MAX_BYTES >> 20);
				st = CONFIG_INVALID;
				goto out;
			}
			cap = cap == 0 ? 4096 : cap * 2;
			if (cap > CONFIG_MAX_BYTES + 1)
				cap = CONFIG_MAX_BYTES + 1;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				snprintf(err, errlen, "%s: out of memory", path);
				st = CONFIG_NO_MEMORY;
				goto out;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, fp);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	st = config_file_parse(path, buf != NULL ? buf : "", len, s, err,
			       errlen);
out:
	free(buf);
	fclose(fp);
	return st;
}

/* True unless path certainly does not exist (then it is skipped). */
static bool may_exist(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 || (errno != ENOENT && errno != ENOTDIR);
}

bool config_file_locate(const char *explicit_path, char *path, size_t len,
			bool *is_explicit)
{
	const char *env = getenv("TCPLENS_CONFIG");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n = -1;

	*is_explicit = true;
	if (explicit_path != NULL) {
		snprintf(path, len, "%s", explicit_path);
		return true;
	}
	if (env != NULL && env[0] != '\0') {
		snprintf(path, len, "%s", env);
		return true;
	}
	*is_explicit = false;
	/* The XDG base directory spec ignores a relative XDG_CONFIG_HOME. */
	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(path, len, "%s/tcplens/config.yaml", xdg);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(path, len, "%s/.config/tcplens/config.yaml", home);
	if (n > 0 && (size_t)n < len && may_exist(path))
		return true;
	snprintf(path, len, "/etc/tcplens/config.yaml");
	return may_exist(path);
}

enum config_status config_file_read(const char *explicit_path,
				    struct settings *s, char *used,
				    size_t usedlen, char *err, size_t errlen)
{
	bool is_explicit;

	settings_defaults(s);
	if (usedlen > 0)
		used[0] = '\0';
	if (!config_file_locate(explicit_path, used, usedlen, &is_explicit)) {
		used[0] = '\0';
		return CONFIG_OK;
	}
	return config_file_load(used, s, err, errlen);
}
