/*
 * live --flows-out's files (cmd/export_files.c) with times given by
 * hand: a file per kind and interval, named by the interval's start and
 * the sensor, invisible (.NAME.tmp) until its interval ends, renamed
 * then; a name taken by an earlier run is not replaced.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "export_files.h"

#define SEC 1000000000LL
/* 2026-12-07T17:30:00Z */
#define T0 (1796664600LL * SEC)

static char dir[] = "/tmp/tcplens-test-export-XXXXXX";

/* The names in dir, sorted, joined by spaces. */
static const char *listing(void)
{
	static char out[4096];
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") != 0 &&
		    strcmp(names[i]->d_name, "..") != 0) {
			strcat(out, out[0] ? " " : "");
			strcat(out, names[i]->d_name);
		}
		free(names[i]);
	}
	free(names);
	return out;
}

static const char *content(const char *name)
{
	static char text[4096];
	char path[512];
	FILE *in;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	in = fopen(path, "r");
	assert_non_null(in);
	n = fread(text, 1, sizeof(text) - 1, in);
	text[n] = '\0';
	fclose(in);
	return text;
}

static void rotation(void **state)
{
	char why[256];
	_Atomic uint64_t records = 0;
	struct export_files *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	f = export_files_open(dir, "lab1", 60 * SEC, why, sizeof(why));
	assert_non_null(f);
	export_files_write(f, EXPORT_FLOW, "{\"a\":1}", 7, T0 + 5 * SEC);
	export_files_write(f, EXPORT_FINDING, "{\"f\":1}", 7, T0 + 6 * SEC);
	export_files_write(f, EXPORT_FLOW, "{\"a\":2}", 7, T0 + 59 * SEC);
	/* Open files are hidden. */
	assert_string_equal(listing(),
		".findings-lab1-20261207T173000Z.ndjson.tmp "
		".flows-lab1-20261207T173000Z.ndjson.tmp");
	assert_int_equal(export_files_rotate(f, T0 + 59 * SEC), T0 + 60 * SEC);
	export_files_write(f, EXPORT_FLOW, "{\"a\":3}", 7, T0 + 61 * SEC);
	/* The flows file rolled over; the findings file waits for a rotate. */
	assert_string_equal(listing(),
		".findings-lab1-20261207T173000Z.ndjson.tmp "
		".flows-lab1-20261207T173100Z.ndjson.tmp "
		"flows-lab1-20261207T173000Z.ndjson");
	assert_string_equal(content("flows-lab1-20261207T173000Z.ndjson"),
			    "{\"a\":1}\n{\"a\":2}\n");
	export_files_rotate(f, T0 + 61 * SEC);
	assert_true(export_files_close(f, &records, why, sizeof(why)));
	assert_int_equal(records, 4);
	assert_string_equal(listing(),
		"findings-lab1-20261207T173000Z.ndjson "
		"flows-lab1-20261207T173000Z.ndjson "
		"flows-lab1-20261207T173100Z.ndjson");
	/* A restart within the interval: a name of its own. */
	f = export_files_open(dir, "lab1", 60 * SEC, why, sizeof(why));
	export_files_write(f, EXPORT_FLOW, "{\"a\":4}", 7, T0 + 62 * SEC);
	assert_true(export_files_close(f, &records, why, sizeof(why)));
	assert_string_equal(content("flows-lab1-20261207T173100Z-2.ndjson"),
			    "{\"a\":4}\n");
	assert_string_equal(content("flows-lab1-20261207T173100Z.ndjson"),
			    "{\"a\":3}\n");
}

static void unwritable(void **state)
{
	char why[256];

	(void)state;
	assert_null(export_files_open("/proc/no/such", NULL, SEC, why,
				      sizeof(why)));
	assert_non_null(strstr(why, "--flows-out: cannot write in '/proc/no/such'"));
}

static int cleanup(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rotation),
		cmocka_unit_test(unwritable),
	};

	return cmocka_run_group_tests(tests, NULL, cleanup);
}
