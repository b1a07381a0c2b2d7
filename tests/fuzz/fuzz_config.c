/*
 * libFuzzer entry point over the configuration file's reader
 * (cmd/config_file.c) and writer (cmd/config_write.c).  Any bytes go to
 * the reader.  What it refuses must leave the settings as they were, with
 * one line naming the file.  What it accepts must survive the round trip
 * `tcplens config --show` and `--check` make of it (issue 19):
 *
 *   read(input) = A,  write(A) = T1,  read(T1) = B,  write(B) = T2
 *
 * A and B equal (every setting's bytes, and the structs whole), T1 and
 * T2 byte-identical.  Reading the input again over A gives A (a file
 * merges over what is there, the same each time).  Anything else aborts,
 * so libFuzzer keeps the input.
 *
 * The writer's first comment line names the input as `--show` names the
 * file it read, with up to 64 of its bytes, so that names with newlines
 * and bytes that are not UTF-8 are tried too.
 *
 * A text only reaches values its digits spell, which mutations rarely
 * hit (0.00001 sits many edits away from the defaults' 0.01), so an input
 * that starts with byte 0xff (never YAML: not UTF-8) gives the values
 * directly instead, through settings_set as the reader stores them:
 *
 *   input := 0xff (index:u8 value:u64le)*
 *
 * index picks a row (settings_at(), modulo their count) and value its
 * value in range, or with its top bit set any double's bits (which
 * settings_set must refuse unless it can be written back).  The settings
 * then go through the same round trip from write(A).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_file.h"
#include "config_write.h"
#include "settings.h"

#define NAME "fuzz.yaml"
#define FIRST_LINE_BYTES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_config: %s\n%s\n", what,
		detail != NULL ? detail : "");
	abort();
}

/* The defaults, over zeroed memory so that padding compares too. */
static void fuzz_defaults(struct settings *s)
{
	memset(s, 0, sizeof(*s));
	settings_defaults(s);
}

/* a and b hold the same settings, byte for byte; else abort naming one. */
static void fuzz_assert_same(const struct settings *a,
			     const struct settings *b, const char *what)
{
	char msg[256];
	size_t n = settings_count();

	for (size_t i = 0; i < n; i++) {
		const struct setting *e = settings_at(i);

		if (memcmp((const char *)a + e->offset,
			   (const char *)b + e->offset,
			   settings_field_size(e)) != 0) {
			snprintf(msg, sizeof(msg), "%s.%s: %.17g, then %.17g",
				 e->section, e->key, settings_get(a, e),
				 settings_get(b, e));
			fuzz_die(what, msg);
		}
	}
	if (memcmp(&a->engine, &b->engine, sizeof(a->engine)) != 0 ||
	    memcmp(&a->detect, &b->detect, sizeof(a->detect)) != 0)
		fuzz_die(what, "bytes no row covers differ");
}

/* config_write's text for s, in a heap string of *len bytes. */
static char *fuzz_write(const struct settings *s, const char *first_line,
			size_t *len)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);

	if (fp == NULL)
		fuzz_die("open_memstream failed", NULL);
	config_write(fp, s, first_line);
	if (fclose(fp) != 0)
		fuzz_die("writing to memory failed", NULL);
	return buf;
}

/* A refusal is one line of printable bytes naming the file. */
static void fuzz_check_error(const char *err)
{
	if (strncmp(err, NAME ":", sizeof(NAME)) != 0)
		fuzz_die("an error does not name the file", err);
	for (const char *p = err; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			fuzz_die("an error is not one line of text", err);
}

/*
 * write(a) = T1, read(T1) = B, write(B) = T2: B must be a and T2 T1.
 * first_line as config_write takes it.
 */
static void fuzz_round_trip(const struct settings *a, const char *first)
{
	struct settings b;
	char err[1024];
	char *t1, *t2;
	size_t len1, len2;
	enum config_status st;

	t1 = fuzz_write(a, first, &len1);
	fuzz_defaults(&b);
	st = config_file_parse(NAME, t1, len1, &b, err, sizeof(err));
	if (st != CONFIG_OK) {
		fprintf(stderr, "%s", t1);
		fuzz_die("what config --show printed is refused (text above)",
			 err);
	}
	fuzz_assert_same(a, &b, "config --show printed other values");
	t2 = fuzz_write(&b, first, &len2);
	if (len1 != len2 || memcmp(t1, t2, len1) != 0) {
		fprintf(stderr, "%s\n----\n%s", t1, t2);
		fuzz_die("--show of --show is another text (both above)", NULL);
	}
	free(t1);
	free(t2);
}

/* A value for e from 64 random bits, in e's unit (settings_set's). */
static double fuzz_value(const struct setting *e, uint64_t r)
{
	double v;

	if (r >> 63) {
		memcpy(&v, &r, sizeof(v));
		return v;
	}
	switch (e->type) {
	case SETTING_BOOL:
		return (double)(r & 1);
	case SETTING_SEVERITY:
		return (double)(r % 3);
	case SETTING_COUNT:
	case SETTING_MIB:
		return e->min + (double)(r % (uint64_t)(e->max - e->min + 1));
	case SETTING_SECONDS: {
		/* Any nanosecond in range. */
		int64_t lo = (int64_t)llround(e->min * 1e9);
		int64_t hi = (int64_t)llround(e->max * 1e9);

		return (double)(lo + (int64_t)(r % (uint64_t)(hi - lo + 1))) / 1e9;
	}
	case SETTING_SHARE: {
		/* Any step of 1e-15 in range. */
		uint64_t lo = (uint64_t)llround(e->min * 1e15);
		uint64_t hi = (uint64_t)llround(e->max * 1e15);

		return (double)(lo + r % (hi - lo + 1)) / 1e15;
	}
	}
	return 0;
}

static void fuzz_values(const uint8_t *data, size_t size)
{
	struct settings a;
	const struct setting *e, *lo, *hi;
	size_t n = settings_count();

	fuzz_defaults(&a);
	for (size_t i = 0; i + 9 <= size; i += 9) {
		uint64_t r = 0;

		for (int k = 8; k >= 1; k--)
			r = r << 8 | data[i + (size_t)k];
		e = settings_at(data[i] % n);
		settings_set(&a, e, fuzz_value(e, r));
	}
	/* Out of order, the reader refuses it, rightly. */
	if (!settings_check_order(&a, &lo, &hi))
		return;
	fuzz_round_trip(&a, "Read from values, over the defaults.");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct settings a, again, def;
	char err[1024], first[FIRST_LINE_BYTES + 64];
	size_t nb = size < FIRST_LINE_BYTES ? size : FIRST_LINE_BYTES;
	enum config_status st;

	if (size > 0 && data[0] == 0xff) {
		fuzz_values(data + 1, size - 1);
		return 0;
	}
	fuzz_defaults(&def);
	fuzz_defaults(&a);
	err[0] = '\0';
	st = config_file_parse(NAME, (const char *)data, size, &a, err,
			       sizeof(err));
	if (st != CONFIG_OK) {
		if (st != CONFIG_INVALID)
			fuzz_die("neither ok nor invalid", err);
		fuzz_check_error(err);
		fuzz_assert_same(&def, &a, "a refused file changed the settings");
		return 0;
	}
	memcpy(&again, &a, sizeof(again));
	st = config_file_parse(NAME, (const char *)data, size, &again, err,
			       sizeof(err));
	if (st != CONFIG_OK)
		fuzz_die("read again over what it gave, refused", err);
	fuzz_assert_same(&a, &again, "read again over what it gave, other values");
	/* The name as `config --show` writes it, a NUL ending it early. */
	memcpy(first, "Read from ", 10);
	memcpy(first + 10, data, nb);
	snprintf(first + 10 + nb, sizeof(first) - 10 - nb,
		 ", over the defaults.");
	fuzz_round_trip(&a, first);
	return 0;
}
