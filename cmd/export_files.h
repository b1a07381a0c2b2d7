/*
 * live --flows-out DIR: the exported records as NDJSON files, one per
 * kind (flows-..., findings-...) and per --rotate interval, so that each
 * file loads into one table.  A file is written as DIR/.NAME.tmp and
 * renamed to DIR/NAME when its interval ends (or the run does): a loader
 * that takes *.ndjson never sees a partial file.  Names sort by time:
 *	flows-SENSOR-20261207T173000Z.ndjson   (the interval's start, UTC)
 * without a sensor flows-20261207T173000Z.ndjson; a name already taken
 * (a restart within the interval) gets -2, -3 ... before .ndjson.
 * Used by the exporter thread only.
 */
#ifndef TCPLENS_EXPORT_FILES_H
#define TCPLENS_EXPORT_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "export_queue.h"

struct export_files;

/*
 * DIR checked writable now (a temporary file made and removed); NULL
 * with why set when it is not, or memory ran out.  sensor may be NULL.
 */
/*
 * Whether this process may make files in dir (a temporary one made and
 * removed); false with "OPTION: cannot write in 'DIR': why" in why.
 */
bool export_dir_writable(const char *dir, const char *option, char *why,
			 size_t why_len);

struct export_files *export_files_open(const char *dir, const char *sensor,
				       int64_t rotate_ns, char *why,
				       size_t why_len);
/* A record (a line without its newline) at wall-clock time now_ns. */
void export_files_write(struct export_files *f, enum export_kind kind,
			const char *line, size_t len, int64_t now_ns);
/* Closes the files whose interval ended by now_ns; when the next is due. */
int64_t export_files_rotate(struct export_files *f, int64_t now_ns);
/* Records written into files closed so far. */
uint64_t export_files_records(const struct export_files *f);
/*
 * Closes the open files and frees f, *records set to the records in
 * files closed; false when a write failed during the run (why: the
 * first failure).  f may be NULL.
 */
bool export_files_close(struct export_files *f, _Atomic uint64_t *records,
			char *why, size_t why_len);

#endif
