#include "pcapng_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Block types and option codes of draft-ietf-opsawg-pcapng. */
enum {
	BLOCK_SHB = 0x0A0D0D0A,
	BLOCK_IDB = 1,
	BLOCK_ISB = 5,
	BLOCK_EPB = 6,
	BYTE_ORDER_MAGIC = 0x1A2B3C4D,
	OPT_END = 0,
	OPT_SHB_USERAPPL = 4,
	OPT_IF_NAME = 2,
	OPT_IF_TSRESOL = 9,
	OPT_ISB_STARTTIME = 2,
	OPT_ISB_ENDTIME = 3,
	OPT_ISB_IFRECV = 4,
	OPT_ISB_IFDROP = 5,
	OPT_ISB_OSDROP = 7,
};

/* Large writes for a busy link; stdio's own buffer, freed by fclose. */
#define WRITE_BUFFER (1u << 20)
/* if_name is cut here (IFNAMSIZ is 16 on Linux). */
#define MAX_NAME 64u
/* The largest header or option area written at once. */
#define MAX_HEAD 256u

struct pcapng_writer {
	FILE *fp;
	uint64_t units_per_sec;  /* 10^if_tsresol */
	int error;
};

/* A block being built in host byte order, as the section says. */
struct block {
	uint8_t b[MAX_HEAD];
	size_t len;
};

static void put32(struct block *k, uint32_t v)
{
	memcpy(k->b + k->len, &v, 4);
	k->len += 4;
}

static void put16(struct block *k, uint16_t v)
{
	memcpy(k->b + k->len, &v, 2);
	k->len += 2;
}

static void put64(struct block *k, uint64_t v)
{
	memcpy(k->b + k->len, &v, 8);
	k->len += 8;
}

/* An option: code, length, value, padded to 32 bits. */
static void put_option(struct block *k, uint16_t code, const void *v,
		       uint16_t len)
{
	static const uint8_t zero[4];

	put16(k, code);
	put16(k, len);
	memcpy(k->b + k->len, v, len);
	k->len += len;
	memcpy(k->b + k->len, zero, (4u - len % 4u) % 4u);
	k->len += (4u - len % 4u) % 4u;
}

/* Timestamps are two 32-bit halves, high first (EPB, ISB options). */
static uint64_t time_units(const struct pcapng_writer *w, struct pkt_time t)
{
	if (t.sec < 0)
		return 0;
	return (uint64_t)t.sec * w->units_per_sec +
	       (uint64_t)t.nsec / (1000000000u / w->units_per_sec);
}

static void put_time_option(struct block *k, const struct pcapng_writer *w,
			    uint16_t code, struct pkt_time t)
{
	uint64_t u = time_units(w, t);
	uint32_t halves[2] = {(uint32_t)(u >> 32), (uint32_t)u};

	put_option(k, code, halves, sizeof(halves));
}

static bool write_bytes(struct pcapng_writer *w, const void *p, size_t n)
{
	if (w->error != 0)
		return false;
	if (n > 0 && fwrite(p, 1, n, w->fp) != n) {
		w->error = errno != 0 ? errno : EIO;
		return false;
	}
	return true;
}

/* Closes the options and the block: its length at both ends. */
static bool write_block(struct pcapng_writer *w, struct block *k,
			bool options)
{
	uint32_t total;

	if (options) {
		put16(k, OPT_END);
		put16(k, 0);
	}
	total = (uint32_t)k->len + 4;
	memcpy(k->b + 4, &total, 4);
	put32(k, total);
	return write_bytes(w, k->b, k->len);
}

static bool write_shb(struct pcapng_writer *w)
{
	static const char appl[] = "tcplens";
	struct block k = {.len = 0};

	put32(&k, BLOCK_SHB);
	put32(&k, 0);                    /* total length, set at the end */
	put32(&k, BYTE_ORDER_MAGIC);
	put16(&k, 1);                    /* version 1.0 */
	put16(&k, 0);
	put64(&k, UINT64_MAX);           /* section length: not known */
	put_option(&k, OPT_SHB_USERAPPL, appl, sizeof(appl) - 1);
	return write_block(w, &k, true);
}

static bool write_idb(struct pcapng_writer *w,
		      const struct pcapng_writer_interface *ifc)
{
	struct block k = {.len = 0};
	uint8_t tsresol = ifc->nanosecond ? 9 : 6;

	put32(&k, BLOCK_IDB);
	put32(&k, 0);
	put16(&k, ifc->link_type);
	put16(&k, 0);
	put32(&k, ifc->snaplen);
	if (ifc->name != NULL) {
		size_t n = strlen(ifc->name);

		put_option(&k, OPT_IF_NAME, ifc->name,
			   (uint16_t)(n < MAX_NAME ? n : MAX_NAME));
	}
	put_option(&k, OPT_IF_TSRESOL, &tsresol, 1);
	return write_block(w, &k, true);
}

struct pcapng_writer *pcapng_writer_new(FILE *fp,
					const struct pcapng_writer_interface *ifc)
{
	struct pcapng_writer *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->fp = fp;
	w->units_per_sec = ifc->nanosecond ? 1000000000u : 1000000u;
	setvbuf(fp, NULL, _IOFBF, WRITE_BUFFER);
	errno = 0;
	if (!write_shb(w) || !write_idb(w, ifc) || !pcapng_writer_flush(w)) {
		errno = w->error;
		free(w);
		return NULL;
	}
	return w;
}

bool pcapng_writer_packet(struct pcapng_writer *w, struct pkt_time ts,
			  const uint8_t *data, uint32_t cap_len,
			  uint32_t wire_len)
{
	static const uint8_t zero[4];
	struct block k = {.len = 0};
	uint32_t pad = (4u - cap_len % 4u) % 4u;
	uint32_t total = 32u + cap_len + pad;
	uint64_t u = time_units(w, ts);

	put32(&k, BLOCK_EPB);
	put32(&k, total);
	put32(&k, 0);                    /* the one interface */
	put32(&k, (uint32_t)(u >> 32));
	put32(&k, (uint32_t)u);
	put32(&k, cap_len);
	put32(&k, wire_len > cap_len ? wire_len : cap_len);
	return write_bytes(w, k.b, k.len) &&
	       write_bytes(w, data, cap_len) &&
	       write_bytes(w, zero, pad) &&
	       write_bytes(w, &total, 4);
}

bool pcapng_writer_flush(struct pcapng_writer *w)
{
	if (w->error != 0)
		return false;
	if (fflush(w->fp) != 0) {
		w->error = errno != 0 ? errno : EIO;
		return false;
	}
	return true;
}

bool pcapng_writer_stats(struct pcapng_writer *w,
			 const struct pcapng_writer_stats *s)
{
	struct block k = {.len = 0};
	struct pkt_time at = s->has_end ? s->end : s->start;
	uint64_t u = time_units(w, at);

	put32(&k, BLOCK_ISB);
	put32(&k, 0);
	put32(&k, 0);                    /* the one interface */
	put32(&k, (uint32_t)(u >> 32));
	put32(&k, (uint32_t)u);
	if (s->has_start)
		put_time_option(&k, w, OPT_ISB_STARTTIME, s->start);
	if (s->has_end)
		put_time_option(&k, w, OPT_ISB_ENDTIME, s->end);
	if (s->has_ifrecv)
		put_option(&k, OPT_ISB_IFRECV, &s->ifrecv, 8);
	if (s->has_ifdrop)
		put_option(&k, OPT_ISB_IFDROP, &s->ifdrop, 8);
	if (s->has_osdrop)
		put_option(&k, OPT_ISB_OSDROP, &s->osdrop, 8);
	return write_block(w, &k, true) && pcapng_writer_flush(w);
}

int pcapng_writer_error(const struct pcapng_writer *w)
{
	return w->error;
}

void pcapng_writer_free(struct pcapng_writer *w)
{
	free(w);
}
