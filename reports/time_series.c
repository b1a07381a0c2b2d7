#include "time_series.h"

#include <stdlib.h>
#include <string.h>

bool time_series_init(struct time_series *s, enum time_series_kind kind,
		      size_t channels, size_t cap, int64_t first_step_ns)
{
	memset(s, 0, sizeof(*s));
	cap = cap < 2 ? 2 : cap + (cap & 1);
	s->values = calloc(cap * (channels ? channels : 1), sizeof(*s->values));
	s->set = calloc(cap, sizeof(*s->set));
	if (s->values == NULL || s->set == NULL) {
		time_series_free(s);
		return false;
	}
	s->kind = kind;
	s->channels = channels;
	s->cap = cap;
	s->step_ns = first_step_ns > 0 ? first_step_ns : 1;
	return true;
}

void time_series_free(struct time_series *s)
{
	free(s->values);
	free(s->set);
	memset(s, 0, sizeof(*s));
}

size_t time_series_index(const struct time_series *s, int64_t t)
{
	if (!s->started || t <= s->start_ns)
		return 0;
	return (size_t)((uint64_t)(t - s->start_ns) / (uint64_t)s->step_ns);
}

/* Slot i and i + 1 into slot i / 2, for every pair; the step doubles. */
static void merge_pairs(struct time_series *s)
{
	size_t ch = s->channels;

	for (size_t i = 0; i < s->cap / 2; i++) {
		uint64_t *to = &s->values[i * ch];
		const uint64_t *a = &s->values[2 * i * ch], *b = a + ch;
		bool a_set = s->set[2 * i], b_set = s->set[2 * i + 1];

		for (size_t c = 0; c < ch; c++) {
			if (s->kind == TIME_SERIES_COUNT)
				to[c] = a[c] + b[c];
			else
				to[c] = b_set ? b[c] : a[c];
		}
		s->set[i] = a_set || b_set;
	}
	memset(&s->values[s->cap / 2 * ch], 0,
	       s->cap / 2 * ch * sizeof(*s->values));
	memset(&s->set[s->cap / 2], 0, s->cap / 2 * sizeof(*s->set));
	s->n = (s->n + 1) / 2;
	s->step_ns *= 2;
}

/* t's slot, merging until it fits; the series starts at its first t. */
static size_t slot_of(struct time_series *s, int64_t t)
{
	size_t i;

	if (!s->started) {
		s->started = true;
		s->start_ns = t;
	}
	while ((i = time_series_index(s, t)) >= s->cap)
		merge_pairs(s);
	if (i + 1 > s->n)
		s->n = i + 1;
	return i;
}

void time_series_extend(struct time_series *s, int64_t t)
{
	slot_of(s, t);
}

void time_series_add(struct time_series *s, int64_t t, size_t ch, uint64_t n)
{
	size_t i;

	if (ch >= s->channels)
		return;
	i = slot_of(s, t);
	s->values[i * s->channels + ch] += n;
	s->set[i] = true;
}

void time_series_set(struct time_series *s, int64_t t, size_t ch, uint64_t v)
{
	size_t i;

	if (ch >= s->channels)
		return;
	i = slot_of(s, t);
	s->values[i * s->channels + ch] = v;
	s->set[i] = true;
}

void time_series_fill_forward(struct time_series *s)
{
	for (size_t i = 1; i < s->n; i++) {
		if (s->set[i])
			continue;
		memcpy(&s->values[i * s->channels],
		       &s->values[(i - 1) * s->channels],
		       s->channels * sizeof(*s->values));
		s->set[i] = true;
	}
}
