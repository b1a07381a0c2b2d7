#include "pcapng_reader.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"

enum {
	BLOCK_SHB = 0x0a0d0d0a,
	BLOCK_IDB = 1,
	BLOCK_PB = 2,            /* obsolete packet block */
	BLOCK_SPB = 3,
	BLOCK_ISB = 5,
	BLOCK_EPB = 6,
	BYTE_ORDER_MAGIC = 0x1a2b3c4d,
	OPT_END = 0,
	OPT_IF_TSRESOL = 9,
	OPT_IF_TSOFFSET = 14,
	OPT_ISB_ENDTIME = 3,
	OPT_ISB_IFRECV = 4,
	OPT_ISB_IFDROP = 5,
	OPT_ISB_OSDROP = 7,
	/* The smallest block of each kind, header and trailer included. */
	MIN_BLOCK = 12,
	MIN_SHB = 28,
	MIN_IDB = 20,
	MIN_EPB = 32,
	MIN_PB = 32,
	MIN_SPB = 16,
	MIN_ISB = 24,
};

#define NS_PER_SEC UINT64_C(1000000000)

struct pcapng_reader {
	FILE *fp;
	uint8_t *buf;
	size_t buf_cap;
	bool big_endian;         /* of the current section */
	bool started;
	uint32_t section;
	size_t section_first;    /* its first interface's index */
	struct pcapng_interface *ifs;
	size_t n_ifs, cap_ifs;
	char error[200];
};

struct pcapng_reader *pcapng_reader_new(FILE *fp)
{
	struct pcapng_reader *r = calloc(1, sizeof(*r));

	if (r != NULL)
		r->fp = fp;
	return r;
}

void pcapng_reader_free(struct pcapng_reader *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r->ifs);
	free(r);
}

const char *pcapng_reader_error(const struct pcapng_reader *r)
{
	return r->error;
}

size_t pcapng_reader_interface_count(const struct pcapng_reader *r)
{
	return r->n_ifs;
}

const struct pcapng_interface *
pcapng_reader_interface(const struct pcapng_reader *r, size_t i)
{
	return i < r->n_ifs ? &r->ifs[i] : NULL;
}

static enum pcapng_result broken(struct pcapng_reader *r, const char *fmt,
				 ...) __attribute__((format(printf, 2, 3)));
static enum pcapng_result broken(struct pcapng_reader *r, const char *fmt,
				 ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	return PCAPNG_BROKEN;
}

/* ------------------------------------------------------- fields, in order */

static bool get16(const struct pcapng_reader *r, struct cursor *c,
		  uint16_t *out)
{
	return r->big_endian ? cursor_be16(c, out) : cursor_le16(c, out);
}

static bool get32(const struct pcapng_reader *r, struct cursor *c,
		  uint32_t *out)
{
	return r->big_endian ? cursor_be32(c, out) : cursor_le32(c, out);
}

static bool get64(const struct pcapng_reader *r, struct cursor *c,
		  uint64_t *out)
{
	uint32_t a, b;

	if (!get32(r, c, &a) || !get32(r, c, &b))
		return false;
	*out = r->big_endian ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
	return true;
}

/* Two 32-bit halves, high first, whatever the byte order (EPB, ISB, PB). */
static bool get_ts(const struct pcapng_reader *r, struct cursor *c,
		   uint64_t *out)
{
	uint32_t hi, lo;

	if (!get32(r, c, &hi) || !get32(r, c, &lo))
		return false;
	*out = (uint64_t)hi << 32 | lo;
	return true;
}

/* ---------------------------------------------------------------- reading */

/* Exactly n bytes into buf at off; false at a short read. */
static bool read_exact(struct pcapng_reader *r, size_t off, size_t n,
		       size_t *got)
{
	*got = fread(r->buf + off, 1, n, r->fp);
	return *got == n;
}

static enum pcapng_result grow(struct pcapng_reader *r, size_t want)
{
	uint8_t *p;
	size_t cap = r->buf_cap == 0 ? 4096 : r->buf_cap;

	if (want <= r->buf_cap)
		return PCAPNG_RECORD;
	while (cap < want)
		cap *= 2;
	p = realloc(r->buf, cap);
	if (p == NULL)
		return PCAPNG_NO_MEMORY;
	r->buf = p;
	r->buf_cap = cap;
	return PCAPNG_RECORD;
}

/*
 * The section header's length field is in the byte order its magic,
 * which comes after it, tells: both are read before the length is.
 */
static enum pcapng_result read_shb_order(struct pcapng_reader *r,
					 uint32_t *len)
{
	struct cursor c;
	uint32_t magic;
	size_t got;

	if (!read_exact(r, 8, 4, &got))
		return broken(r, "truncated section header block (%zu of %d "
			      "bytes)", 8 + got, MIN_SHB);
	cursor_init(&c, r->buf + 8, 4, 4);
	cursor_be32(&c, &magic);
	if (magic == BYTE_ORDER_MAGIC)
		r->big_endian = true;
	else if (__builtin_bswap32(magic) == BYTE_ORDER_MAGIC)
		r->big_endian = false;
	else
		return broken(r, "section header block with an unknown byte-order "
			      "magic 0x%08x", (unsigned)magic);
	cursor_init(&c, r->buf + 4, 4, 4);
	get32(r, &c, len);
	return PCAPNG_RECORD;
}

/*
 * The next block whole into buf: its type and total length; PCAPNG_END
 * at a clean end of the file (no byte of a new block).
 */
static enum pcapng_result read_block(struct pcapng_reader *r, uint32_t *type,
				     uint32_t *len)
{
	struct cursor c;
	enum pcapng_result res;
	uint32_t trailer;
	size_t got;

	if ((res = grow(r, MIN_BLOCK)) != PCAPNG_RECORD)
		return res;
	if (!read_exact(r, 0, 8, &got)) {
		if (got == 0 && !ferror(r->fp))
			return PCAPNG_END;
		if (ferror(r->fp))
			return broken(r, "read error: %s", strerror(errno));
		return broken(r, "truncated block header (%zu of 8 bytes)",
			      got);
	}
	/* The section header's type reads the same in either byte order. */
	cursor_init(&c, r->buf, 8, 8);
	cursor_be32(&c, type);
	if (*type == BLOCK_SHB) {
		if ((res = read_shb_order(r, len)) != PCAPNG_RECORD)
			return res;
	} else {
		cursor_init(&c, r->buf, 8, 8);
		get32(r, &c, type);
		get32(r, &c, len);
	}
	if (*len < MIN_BLOCK || *len % 4 != 0 || *len > PCAPNG_MAX_BLOCK)
		return broken(r, "block of %u bytes (a multiple of 4, 12 to "
			      "%u, is required)", (unsigned)*len, PCAPNG_MAX_BLOCK);
	if ((res = grow(r, *len)) != PCAPNG_RECORD)
		return res;
	got = *type == BLOCK_SHB ? 12 : 8;
	if (!read_exact(r, got, *len - got, &got))
		return broken(r, "truncated block (%zu of %u bytes)",
			      got + (*type == BLOCK_SHB ? 12 : 8), (unsigned)*len);
	cursor_init(&c, r->buf + *len - 4, 4, 4);
	get32(r, &c, &trailer);
	if (trailer != *len)
		return broken(r, "block whose trailing length %u differs from "
			      "its length %u", (unsigned)trailer, (unsigned)*len);
	return PCAPNG_RECORD;
}

/* A cursor over the block's body: after the type and length, before the trailer. */
static struct cursor block_body(const struct pcapng_reader *r, uint32_t len)
{
	struct cursor c;

	cursor_init(&c, r->buf + 8, len - 12, len - 12);
	return c;
}

/* ----------------------------------------------------------------- blocks */

static enum pcapng_result on_shb(struct pcapng_reader *r, uint32_t len)
{
	struct cursor c = block_body(r, len);
	uint32_t magic;
	uint16_t major, minor;

	if (len < MIN_SHB)
		return broken(r, "section header block of %u bytes (at least "
			      "%d)", (unsigned)len, MIN_SHB);
	get32(r, &c, &magic);
	get16(r, &c, &major);
	get16(r, &c, &minor);
	/* 1.0 is the version in use; 1.2 was written by some old tools. */
	if (major != 1)
		return broken(r, "unsupported pcapng version %u.%u",
			      (unsigned)major, (unsigned)minor);
	if (r->started)
		r->section++;
	r->started = true;
	r->section_first = r->n_ifs;
	return PCAPNG_RECORD;
}

/* Options: code, length, value padded to 4 bytes; fn sees each. */
typedef bool (*option_fn)(struct pcapng_reader *r, struct pcapng_interface *ifc,
			  uint16_t code, struct cursor *value);

static bool walk_options(struct pcapng_reader *r, struct cursor *c,
			 struct pcapng_interface *ifc, option_fn fn)
{
	uint16_t code, olen;
	struct byte_view v;
	struct cursor val;

	while (cursor_remaining(c) >= 4) {
		get16(r, c, &code);
		get16(r, c, &olen);
		if (code == OPT_END)
			return true;
		if (!cursor_has(c, olen))
			return false;
		cursor_view(c, olen, &v);
		/* The last option's padding may be missing: tolerated. */
		if (!cursor_skip(c, (4 - olen % 4) % 4))
			cursor_skip(c, cursor_remaining(c));
		cursor_init_view(&val, v);
		if (!fn(r, ifc, code, &val))
			return false;
	}
	return true;
}

static bool idb_option(struct pcapng_reader *r, struct pcapng_interface *ifc,
		       uint16_t code, struct cursor *v)
{
	uint8_t res;
	uint64_t off;

	if (code == OPT_IF_TSRESOL && cursor_u8(v, &res)) {
		ifc->tsresol_pow2 = (res & 0x80) != 0;
		ifc->tsresol_exp = res & 0x7f;
		/* 10^19 and 2^63 units a second are the finest that fit. */
		return ifc->tsresol_pow2 ? ifc->tsresol_exp <= 63
					 : ifc->tsresol_exp <= 19;
	}
	if (code == OPT_IF_TSOFFSET && get64(r, v, &off))
		ifc->tsoffset = (int64_t)off;
	return true;
}

static enum pcapng_result on_idb(struct pcapng_reader *r, uint32_t len)
{
	struct cursor c = block_body(r, len);
	struct pcapng_interface ifc = {0};
	uint16_t link_type, reserved;

	if (len < MIN_IDB)
		return broken(r, "interface description block of %u bytes "
			      "(at least %d)", (unsigned)len, MIN_IDB);
	if (r->n_ifs >= PCAPNG_MAX_INTERFACES)
		return broken(r, "more than %u interfaces",
			      PCAPNG_MAX_INTERFACES);
	get16(r, &c, &link_type);
	get16(r, &c, &reserved);
	get32(r, &c, &ifc.snaplen);
	ifc.link_type = link_type;
	ifc.section = r->section;
	ifc.tsresol_exp = 6;     /* microseconds unless if_tsresol says */
	if (!walk_options(r, &c, &ifc, idb_option))
		return broken(r, "interface %zu: bad options (a time resolution "
			      "finer than 10^-19 s, or an option past the "
			      "block)", r->n_ifs - r->section_first);
	if (r->n_ifs == r->cap_ifs) {
		size_t cap = r->cap_ifs == 0 ? 4 : r->cap_ifs * 2;
		struct pcapng_interface *p = realloc(r->ifs, cap * sizeof(*p));

		if (p == NULL)
			return PCAPNG_NO_MEMORY;
		r->ifs = p;
		r->cap_ifs = cap;
	}
	r->ifs[r->n_ifs++] = ifc;
	return PCAPNG_RECORD;
}

static void record_time(const struct pcapng_interface *ifc, uint64_t units,
			struct pcapng_record *out);

/* In the interface's units, as a packet's time; a corrupt one is left out. */
static void isb_endtime(const struct pcapng_reader *r,
			struct pcapng_interface *ifc, struct cursor *v)
{
	struct pcapng_record at;
	uint64_t units;

	if (!get_ts(r, v, &units))
		return;
	record_time(ifc, units, &at);
	ifc->has_endtime = !at.ts_corrupt;
	ifc->endtime = at.ts;
}

static bool isb_option(struct pcapng_reader *r, struct pcapng_interface *ifc,
		       uint16_t code, struct cursor *v)
{
	uint64_t n;

	if (code == OPT_ISB_ENDTIME) {
		isb_endtime(r, ifc, v);
		return true;
	}
	if (code != OPT_ISB_IFRECV && code != OPT_ISB_IFDROP &&
	    code != OPT_ISB_OSDROP)
		return true;
	if (!get64(r, v, &n))
		return true;     /* a short counter is left out, not fatal */
	if (code == OPT_ISB_IFRECV) {
		ifc->has_ifrecv = true;
		ifc->ifrecv = n;
	} else if (code == OPT_ISB_IFDROP) {
		ifc->has_ifdrop = true;
		ifc->ifdrop = n;
	} else {
		ifc->has_osdrop = true;
		ifc->osdrop = n;
	}
	return true;
}

/* The section's interface id as an index over the file, or false. */
static bool interface_index(const struct pcapng_reader *r, uint32_t id,
			    size_t *out)
{
	if (id >= r->n_ifs - r->section_first)
		return false;
	*out = r->section_first + id;
	return true;
}

/*
 * Counts are totals since the capture began: the latest block of an
 * interface replaces the earlier ones whole (a counter it leaves out is
 * not known, whatever an earlier block said).
 */
static enum pcapng_result on_isb(struct pcapng_reader *r, uint32_t len)
{
	struct cursor c = block_body(r, len);
	uint32_t id;
	uint64_t ts;
	size_t i;

	if (len < MIN_ISB)
		return broken(r, "interface statistics block of %u bytes (at "
			      "least %d)", (unsigned)len, MIN_ISB);
	get32(r, &c, &id);
	get_ts(r, &c, &ts);
	if (!interface_index(r, id, &i))
		return broken(r, "statistics for interface %u, which the "
			      "section does not describe", (unsigned)id);
	r->ifs[i].has_stats = true;
	r->ifs[i].has_ifrecv = r->ifs[i].has_ifdrop = r->ifs[i].has_osdrop = false;
	r->ifs[i].has_endtime = false;
	r->ifs[i].ifrecv = r->ifs[i].ifdrop = r->ifs[i].osdrop = 0;
	/* Statistics are informative: bad options end them, not the file. */
	walk_options(r, &c, &r->ifs[i], isb_option);
	return PCAPNG_RECORD;
}

/* ------------------------------------------------------------------ times */

static uint64_t pow10_u64(unsigned n)
{
	uint64_t v = 1;

	while (n-- > 0)
		v *= 10;
	return v;
}

/* Units of the interface's resolution into seconds and nanoseconds. */
static void units_split(const struct pcapng_interface *ifc, uint64_t u,
			uint64_t *sec, uint64_t *ns)
{
	unsigned e = ifc->tsresol_exp;
	uint64_t frac;

	if (!ifc->tsresol_pow2) {
		uint64_t per_sec = pow10_u64(e);

		*sec = u / per_sec;
		frac = u % per_sec;
		*ns = e >= 9 ? frac / pow10_u64(e - 9) : frac * pow10_u64(9 - e);
		return;
	}
	if (e == 0) {
		*sec = u;
		*ns = 0;
		return;
	}
	*sec = u >> e;
	frac = u & ((UINT64_C(1) << e) - 1);
	/* frac * 10^9 fits in 64 bits while frac < 2^34. */
	if (e <= 34)
		*ns = frac * NS_PER_SEC >> e;
	else
		*ns = (frac >> (e - 34)) * NS_PER_SEC >> 34;
}

static void record_time(const struct pcapng_interface *ifc, uint64_t units,
			struct pcapng_record *out)
{
	uint64_t sec, ns;
	int64_t s, off = ifc->tsoffset;

	units_split(ifc, units, &sec, &ns);
	/* Both within 2^62, so the sum cannot overflow. */
	if (off > INT64_C(1) << 62)
		off = INT64_C(1) << 62;
	if (off < -(INT64_C(1) << 62))
		off = -(INT64_C(1) << 62);
	if (sec > UINT64_C(1) << 62)
		sec = UINT64_C(1) << 62;
	s = (int64_t)sec + off;
	out->ts_corrupt = false;
	if (s > PKT_TIME_MAX_SEC || s < -PKT_TIME_MAX_SEC) {
		s = s > 0 ? PKT_TIME_MAX_SEC : -PKT_TIME_MAX_SEC;
		ns = 0;
		out->ts_corrupt = true;
	}
	out->ts.sec = s;
	out->ts.nsec = (uint32_t)ns;
}

/* ---------------------------------------------------------------- packets */

/* The captured bytes: cap_len of them must lie within the block. */
static enum pcapng_result take_data(struct pcapng_reader *r, struct cursor *c,
				    uint32_t cap_len, size_t ifi,
				    struct pcapng_record *out)
{
	struct byte_view v;

	if (!cursor_view(c, cap_len, &v))
		return broken(r, "packet record of %u captured bytes in a "
			      "block with room for %zu", (unsigned)cap_len,
			      cursor_remaining(c));
	out->data = v.ptr;
	out->cap_len = cap_len;
	out->interface = (uint32_t)ifi;
	r->ifs[ifi].records++;
	return PCAPNG_RECORD;
}

static enum pcapng_result on_epb(struct pcapng_reader *r, uint32_t len,
				 struct pcapng_record *out)
{
	struct cursor c = block_body(r, len);
	uint32_t id, cap_len;
	uint64_t ts;
	size_t i;

	if (len < MIN_EPB)
		return broken(r, "enhanced packet block of %u bytes (at least "
			      "%d)", (unsigned)len, MIN_EPB);
	get32(r, &c, &id);
	get_ts(r, &c, &ts);
	get32(r, &c, &cap_len);
	get32(r, &c, &out->wire_len);
	if (!interface_index(r, id, &i))
		return broken(r, "packet on interface %u, which the section "
			      "does not describe", (unsigned)id);
	record_time(&r->ifs[i], ts, out);
	out->has_ts = true;
	return take_data(r, &c, cap_len, i, out);
}

static enum pcapng_result on_pb(struct pcapng_reader *r, uint32_t len,
				struct pcapng_record *out)
{
	struct cursor c = block_body(r, len);
	uint16_t id, drops;
	uint32_t cap_len;
	uint64_t ts;
	size_t i;

	if (len < MIN_PB)
		return broken(r, "packet block of %u bytes (at least %d)",
			      (unsigned)len, MIN_PB);
	get16(r, &c, &id);
	get16(r, &c, &drops);
	get_ts(r, &c, &ts);
	get32(r, &c, &cap_len);
	get32(r, &c, &out->wire_len);
	if (!interface_index(r, id, &i))
		return broken(r, "packet on interface %u, which the section "
			      "does not describe", (unsigned)id);
	record_time(&r->ifs[i], ts, out);
	out->has_ts = true;
	return take_data(r, &c, cap_len, i, out);
}

/*
 * A simple packet block belongs to the section's first interface; it
 * holds the original length and as much of the packet as the snaplen
 * let through, the block's padding after it.
 */
static enum pcapng_result on_spb(struct pcapng_reader *r, uint32_t len,
				 struct pcapng_record *out)
{
	struct cursor c = block_body(r, len);
	uint32_t cap_len;
	size_t i;

	if (len < MIN_SPB)
		return broken(r, "simple packet block of %u bytes (at least "
			      "%d)", (unsigned)len, MIN_SPB);
	if (!interface_index(r, 0, &i))
		return broken(r, "simple packet block in a section with no "
			      "interface");
	get32(r, &c, &out->wire_len);
	cap_len = out->wire_len;
	if (r->ifs[i].snaplen != 0 && cap_len > r->ifs[i].snaplen)
		cap_len = r->ifs[i].snaplen;
	if (cap_len > cursor_remaining(&c))
		cap_len = (uint32_t)cursor_remaining(&c);
	out->ts.sec = 0;
	out->ts.nsec = 0;
	out->ts_corrupt = false;
	out->has_ts = false;
	return take_data(r, &c, cap_len, i, out);
}

/* ------------------------------------------------------------------- API */

enum pcapng_result pcapng_reader_start(struct pcapng_reader *r)
{
	uint32_t type, len;
	enum pcapng_result res = read_block(r, &type, &len);

	if (res == PCAPNG_END)
		return broken(r, "empty file");
	if (res != PCAPNG_RECORD)
		return res;
	if (type != BLOCK_SHB)
		return broken(r, "the file does not begin with a section header "
			      "block (type 0x%08x)", (unsigned)type);
	return on_shb(r, len);
}

enum pcapng_result pcapng_reader_next(struct pcapng_reader *r,
				      struct pcapng_record *out)
{
	uint32_t type, len;
	enum pcapng_result res;

	if (r->error[0] != '\0')
		return PCAPNG_BROKEN;
	for (;;) {
		res = read_block(r, &type, &len);
		if (res != PCAPNG_RECORD)
			return res;
		switch (type) {
		case BLOCK_SHB: res = on_shb(r, len); break;
		case BLOCK_IDB: res = on_idb(r, len); break;
		case BLOCK_ISB: res = on_isb(r, len); break;
		case BLOCK_EPB: return on_epb(r, len, out);
		case BLOCK_PB: return on_pb(r, len, out);
		case BLOCK_SPB: return on_spb(r, len, out);
		default: break;      /* name resolution, custom, secrets ... */
		}
		if (res != PCAPNG_RECORD)
			return res;
	}
}
