/*
 * Values sampled at a fixed step of capture time into a bounded number
 * of slots, for the HTML report's charts: the step starts at first_step
 * and doubles, pairs of slots merging, whenever a time falls past the
 * last slot, so a capture of any length gives at most cap slots.  A
 * series holds channels values per slot, all of one kind:
 *
 *   TIME_SERIES_COUNT: events counted in the slot (a pair merges into
 *   its sum);
 *   TIME_SERIES_GAUGE: a level as it stood at the end of the slot (a
 *   pair merges into its later value that was set).  Slots never set
 *   take the level before them (time_series_fill_forward()).
 *
 * Memory is taken once, at time_series_init(); nothing here reads a
 * clock or prints.
 */
#ifndef TCPLENS_TIME_SERIES_H
#define TCPLENS_TIME_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum time_series_kind { TIME_SERIES_COUNT, TIME_SERIES_GAUGE };

struct time_series {
	enum time_series_kind kind;
	size_t channels;
	size_t cap;             /* slots, even */
	size_t n;               /* slots in use: the latest written + 1 */
	bool started;           /* start_ns is set */
	int64_t start_ns;       /* the first slot's start: the first time */
	int64_t step_ns;        /* each slot's length */
	uint64_t *values;       /* cap * channels, slot by slot */
	bool *set;              /* cap: a gauge slot was written */
};

/*
 * cap rounded up to even (at least 2), first_step_ns > 0; false when
 * memory ran out (s is then empty, time_series_free() harmless).
 */
bool time_series_init(struct time_series *s, enum time_series_kind kind,
		      size_t channels, size_t cap, int64_t first_step_ns);
void time_series_free(struct time_series *s);

/*
 * The slot time t falls in at the current step (may be >= cap: then
 * writing at t merges first), without changing s; 0 before the start.
 */
size_t time_series_index(const struct time_series *s, int64_t t);
/* The series runs to t at least (and starts at t if it had not). */
void time_series_extend(struct time_series *s, int64_t t);
/* Adds n to channel ch of t's slot (TIME_SERIES_COUNT). */
void time_series_add(struct time_series *s, int64_t t, size_t ch, uint64_t n);
/* Sets channel ch of t's slot to v (TIME_SERIES_GAUGE). */
void time_series_set(struct time_series *s, int64_t t, size_t ch, uint64_t v);
/* Gauges: every slot never set takes the one before it (0 at first). */
void time_series_fill_forward(struct time_series *s);

static inline uint64_t time_series_value(const struct time_series *s,
					 size_t slot, size_t ch)
{
	return s->values[slot * s->channels + ch];
}

#endif
