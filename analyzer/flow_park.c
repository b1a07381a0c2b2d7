#include "flow_park.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Linux 5.14; older kernels refuse it and the pages fault in one by one. */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/*
 * A record, in 4-byte words: its head (the key's hash, last_ts and
 * last_frame, and its neighbours in the order of activity), a bitmap of
 * the slot's words that differ from the reference slot's, then those
 * words XORed with the reference's, in order.  The reference is the
 * first slot parked: parked flows are alike (idle half-open attempts),
 * so most of their words match it, the high halves of their times too,
 * and a SYN flood's attempt keeps about 30 of its words instead of 60
 * non-zero ones.  Records are 16-byte
 * multiples from blocks of up to 2 MiB; a freed one waits on its size's
 * list.
 */
enum {
	HEAD_WORDS = 8,
	H_HASH = 0,             /* 2 words */
	H_LAST_TS = 2,          /* 2 words */
	H_LAST_FRAME = 4,       /* 2 words */
	H_PREV = 6,
	H_NEXT = 7,
	KEY_WORDS = sizeof(struct flow_key) / 4,
	BLOCK_BYTES = 2 << 20,  /* a huge page */
};

_Static_assert(offsetof(struct flow, key) == 0, "the key leads the slot");
_Static_assert(KEY_WORDS <= 32, "the key's words share one bitmap word");

/* Handles fit the flow table's index slots (flow_table.c). */
#define HANDLE_MAX ((1u << 27) - 1)

struct flow_park {
	size_t stride, n_words, bitmap_words;
	/* Record sizes in 16-byte steps: free records, linked through them. */
	void **free_by_size;
	size_t n_sizes;
	char **blocks;
	size_t n_blocks, cap_blocks;
	size_t block_used;      /* of the newest block */
	/* rec[h]: handle h's record (h from 1); handles come back on a stack. */
	uint32_t **rec;
	uint32_t n_handles, cap_handles;
	uint32_t *free_handles;
	uint32_t n_free_handles;
	size_t count;
	uint32_t head, tail;    /* least and most recently active */
	struct flow *scratch, *before;  /* for flow_park_foreach() */
	uint32_t *ref;          /* the reference slot; NULL before the first */
	uint32_t *encoded;      /* a record being made: the largest's size */
};

/* Block i's size: from 64 KiB, doubling up to a huge page. */
static size_t block_bytes(size_t i)
{
	return i >= 5 ? (size_t)BLOCK_BYTES : (size_t)BLOCK_BYTES >> (5 - i);
}

static uint64_t rec_hash(const uint32_t *r)
{
	uint64_t h;

	memcpy(&h, r + H_HASH, sizeof(h));
	return h;
}

static int64_t rec_last_ts(const uint32_t *r)
{
	int64_t t;

	memcpy(&t, r + H_LAST_TS, sizeof(t));
	return t;
}

static uint64_t rec_last_frame(const uint32_t *r)
{
	uint64_t n;

	memcpy(&n, r + H_LAST_FRAME, sizeof(n));
	return n;
}

/*
 * Whether record r was active after (ts, frame): the table's lists are
 * in order of activity, which is the order of last_ts and, within one
 * time, of last_frame (every touch counts a frame).
 */
static bool rec_later(const uint32_t *r, int64_t ts, uint64_t frame)
{
	int64_t t = rec_last_ts(r);

	return t > ts || (t == ts && rec_last_frame(r) > frame);
}

struct flow_park *flow_park_new(size_t stride)
{
	struct flow_park *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->stride = stride;
	p->n_words = stride / 4;
	p->bitmap_words = (p->n_words + 31) / 32;
	p->n_sizes = ((HEAD_WORDS + p->bitmap_words + p->n_words) * 4 + 15) / 16;
	p->free_by_size = calloc(p->n_sizes, sizeof(*p->free_by_size));
	p->encoded = malloc((p->n_sizes + 1) * 16);
	p->scratch = aligned_alloc(64, (stride + 63) / 64 * 64);
	p->before = aligned_alloc(64, (stride + 63) / 64 * 64);
	if (p->free_by_size == NULL || p->scratch == NULL ||
	    p->before == NULL || p->encoded == NULL) {
		flow_park_free(p);
		return NULL;
	}
	return p;
}

void flow_park_free(struct flow_park *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n_blocks; i++)
		munmap(p->blocks[i], block_bytes(i));
	free(p->blocks);
	free(p->free_by_size);
	free(p->rec);
	free(p->free_handles);
	free(p->scratch);
	free(p->before);
	free(p->ref);
	free(p->encoded);
	free(p);
}

/* ------------------------------------------------------------ records */

/*
 * A block straight from the kernel, made present in one call: in this
 * VM a page faulted in by its first write costs about 20 us, as the
 * flow table's chunks found (flow_table.c); a whole block is a huge
 * page on a 2 MiB boundary where the kernel has them.
 */
static char *block_new(size_t bytes)
{
	char *raw = mmap(NULL, bytes * 2, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *b;
	size_t lead;

	if (raw == MAP_FAILED)
		return NULL;
	lead = (bytes - (uintptr_t)raw % bytes) % bytes;
	b = raw + lead;
	if (lead > 0)
		munmap(raw, lead);
	munmap(b + bytes, bytes - lead);
	if (bytes == BLOCK_BYTES)
		(void)madvise(b, bytes, MADV_HUGEPAGE);
	(void)madvise(b, bytes, MADV_POPULATE_WRITE);
	return b;
}

static uint32_t *record_alloc(struct flow_park *p, size_t size)
{
	void **list = &p->free_by_size[size];
	size_t bytes = (size + 1) * 16;
	char *r;

	if (*list != NULL) {
		r = *list;
		memcpy(list, r, sizeof(void *));
		return (uint32_t *)(void *)r;
	}
	if (p->n_blocks == 0 || p->block_used + bytes > block_bytes(p->n_blocks - 1)) {
		if (p->n_blocks == p->cap_blocks) {
			size_t cap = p->cap_blocks ? p->cap_blocks * 2 : 16;
			char **b = realloc(p->blocks, cap * sizeof(*b));

			if (b == NULL)
				return NULL;
			p->blocks = b;
			p->cap_blocks = cap;
		}
		p->blocks[p->n_blocks] = block_new(block_bytes(p->n_blocks));
		if (p->blocks[p->n_blocks] == NULL)
			return NULL;
		p->n_blocks++;
		p->block_used = 0;
	}
	r = p->blocks[p->n_blocks - 1] + p->block_used;
	p->block_used += bytes;
	return (uint32_t *)(void *)r;
}

static size_t record_size(const struct flow_park *p, size_t nonzero)
{
	return ((HEAD_WORDS + p->bitmap_words + nonzero) * 4 + 15) / 16 - 1;
}

static void record_free(struct flow_park *p, uint32_t *r)
{
	size_t nonzero = 0, size;

	for (size_t i = 0; i < p->bitmap_words; i++)
		nonzero += (size_t)__builtin_popcount(r[HEAD_WORDS + i]);
	size = record_size(p, nonzero);
	memcpy(r, &p->free_by_size[size], sizeof(void *));
	p->free_by_size[size] = r;
}

/*
 * A record holding the slot at f, its head's links unset; NULL: no
 * memory.  Made in p->encoded in one pass, then copied at its size.
 */
static uint32_t *record_encode(struct flow_park *p, const struct flow *f,
			       uint64_t hash)
{
	const char *bytes = (const char *)f;
	uint32_t *e = p->encoded, *bitmap = e + HEAD_WORDS;
	uint32_t *words = bitmap + p->bitmap_words;
	size_t nonzero, total;
	uint32_t *r;
	uint32_t w;

	memset(bitmap, 0, p->bitmap_words * 4);
	for (size_t i = 0; i < p->n_words; i++) {
		memcpy(&w, bytes + i * 4, 4);
		if (w != p->ref[i]) {
			bitmap[i / 32] |= 1u << (i % 32);
			*words++ = w ^ p->ref[i];
		}
	}
	nonzero = (size_t)(words - (bitmap + p->bitmap_words));
	r = record_alloc(p, record_size(p, nonzero));
	if (r == NULL)
		return NULL;
	memcpy(e + H_HASH, &hash, sizeof(hash));
	memcpy(e + H_LAST_TS, &f->last_ts, sizeof(f->last_ts));
	memcpy(e + H_LAST_FRAME, &f->last_frame, sizeof(f->last_frame));
	total = HEAD_WORDS + p->bitmap_words + nonzero;
	memcpy(r, e, total * 4);
	return r;
}

static void record_decode(const struct flow_park *p, const uint32_t *r,
			  struct flow *out)
{
	const uint32_t *bitmap = r + HEAD_WORDS;
	const uint32_t *words = bitmap + p->bitmap_words;
	char *bytes = (char *)out;

	memcpy(out, p->ref, p->stride);
	for (size_t b = 0; b < p->bitmap_words; b++) {
		uint32_t bits = bitmap[b];

		while (bits != 0) {
			size_t i = b * 32 + (size_t)__builtin_ctz(bits);
			uint32_t w = *words++ ^ p->ref[i];

			memcpy(bytes + i * 4, &w, 4);
			bits &= bits - 1;
		}
	}
}

/* Whether record r holds key: its first words, the key's, decoded alone. */
static bool record_has_key(const struct flow_park *p, const uint32_t *r,
			   const struct flow_key *key)
{
	const uint32_t *bitmap = r + HEAD_WORDS;
	const uint32_t *words = bitmap + p->bitmap_words;
	uint32_t want[KEY_WORDS];

	memcpy(want, key, sizeof(want));
	for (size_t i = 0; i < KEY_WORDS; i++) {
		uint32_t have = p->ref[i] ^ (bitmap[0] & 1u << i ? *words++ : 0);

		if (have != want[i])
			return false;
	}
	return true;
}

/* ------------------------------------------------------------ handles */

static uint32_t handle_new(struct flow_park *p, uint32_t *r)
{
	uint32_t h;

	if (p->n_free_handles > 0) {
		h = p->free_handles[--p->n_free_handles];
	} else {
		if (p->n_handles + 1 >= p->cap_handles) {
			uint32_t cap = p->cap_handles ? p->cap_handles * 2 : 1024;
			uint32_t **rec = realloc(p->rec, cap * sizeof(*rec));
			uint32_t *fh;

			if (rec == NULL)
				return 0;
			p->rec = rec;
			fh = realloc(p->free_handles, cap * sizeof(*fh));
			if (fh == NULL)
				return 0;
			p->free_handles = fh;
			p->cap_handles = cap;
		}
		if (p->n_handles + 1 > HANDLE_MAX)
			return 0;
		h = ++p->n_handles;
	}
	p->rec[h] = r;
	return h;
}

static void handle_release(struct flow_park *p, uint32_t h)
{
	p->rec[h] = NULL;
	p->free_handles[p->n_free_handles++] = h;
}

/* --------------------------------------------------------- by handle */

bool flow_park_has_key(const struct flow_park *p, uint32_t h,
		       const struct flow_key *key)
{
	return record_has_key(p, p->rec[h], key);
}

uint64_t flow_park_hash(const struct flow_park *p, uint32_t h)
{
	return rec_hash(p->rec[h]);
}

/* ------------------------------------------------ order of activity */

static void order_insert(struct flow_park *p, uint32_t h)
{
	uint32_t *r = p->rec[h];
	int64_t ts = rec_last_ts(r);
	uint64_t frame = rec_last_frame(r);
	uint32_t after = p->tail;

	/* Parked flows come nearly in order: the walk is short. */
	while (after != 0 && rec_later(p->rec[after], ts, frame))
		after = p->rec[after][H_PREV];
	r[H_PREV] = after;
	r[H_NEXT] = after != 0 ? p->rec[after][H_NEXT] : p->head;
	if (after != 0)
		p->rec[after][H_NEXT] = h;
	else
		p->head = h;
	if (r[H_NEXT] != 0)
		p->rec[r[H_NEXT]][H_PREV] = h;
	else
		p->tail = h;
}

static void order_remove(struct flow_park *p, const uint32_t *r)
{
	if (r[H_PREV] != 0)
		p->rec[r[H_PREV]][H_NEXT] = r[H_NEXT];
	else
		p->head = r[H_NEXT];
	if (r[H_NEXT] != 0)
		p->rec[r[H_NEXT]][H_PREV] = r[H_PREV];
	else
		p->tail = r[H_PREV];
}

/* --------------------------------------------------------------- API */

uint32_t flow_park_put(struct flow_park *p, const struct flow *f,
		       uint64_t hash)
{
	uint32_t *r;
	uint32_t h;

	if (p->ref == NULL) {
		p->ref = malloc(p->stride);
		if (p->ref == NULL)
			return 0;
		memcpy(p->ref, f, p->stride);
	}
	r = record_encode(p, f, hash);
	if (r == NULL)
		return 0;
	h = handle_new(p, r);
	if (h == 0) {
		record_free(p, r);
		return 0;
	}
	order_insert(p, h);
	p->count++;
	return h;
}

uint32_t flow_park_oldest(const struct flow_park *p)
{
	return p->head;
}

int64_t flow_park_oldest_ts(const struct flow_park *p)
{
	return p->head != 0 ? rec_last_ts(p->rec[p->head]) : INT64_MAX;
}

bool flow_park_oldest_before(const struct flow_park *p, const struct flow *f)
{
	return p->head != 0 &&
	       !rec_later(p->rec[p->head], f->last_ts, f->last_frame);
}

void flow_park_take(struct flow_park *p, uint32_t h, struct flow *out)
{
	uint32_t *r = p->rec[h];

	record_decode(p, r, out);
	order_remove(p, r);
	record_free(p, r);
	handle_release(p, h);
	p->count--;
}

/* Keeps what fn wrote into h's flow: a new record in the old one's place. */
static bool record_replace(struct flow_park *p, uint32_t h,
			   const struct flow *f)
{
	uint32_t *old = p->rec[h];
	uint32_t *r = record_encode(p, f, rec_hash(old));

	if (r == NULL)
		return false;
	r[H_PREV] = old[H_PREV];
	r[H_NEXT] = old[H_NEXT];
	p->rec[h] = r;
	record_free(p, old);
	return true;
}

bool flow_park_foreach(struct flow_park *p,
		       void (*fn)(void *ctx, struct flow *f), void *ctx)
{
	bool ok = true;

	for (uint32_t h = p->head; h != 0;) {
		uint32_t next = p->rec[h][H_NEXT];

		record_decode(p, p->rec[h], p->scratch);
		memcpy(p->before, p->scratch, p->stride);
		fn(ctx, p->scratch);
		if (memcmp(p->before, p->scratch, p->stride) != 0 &&
		    !record_replace(p, h, p->scratch))
			ok = false;
		h = next;
	}
	return ok;
}

size_t flow_park_count(const struct flow_park *p)
{
	return p->count;
}

size_t flow_park_memory(const struct flow_park *p)
{
	size_t blocks = 0;

	for (size_t i = 0; i < p->n_blocks; i++)
		blocks += block_bytes(i);
	return sizeof(*p) + blocks + p->stride +
	       p->cap_blocks * sizeof(*p->blocks) +
	       p->n_sizes * sizeof(*p->free_by_size) +
	       p->cap_handles * (sizeof(*p->rec) + sizeof(*p->free_handles)) +
	       2 * p->stride;
}
