/*
 * pcapng files (draft-ietf-opsawg-pcapng), read block by block so that
 * each frame carries its own interface's link type and time resolution.
 * libpcap 1.10 stops at the first interface whose link type or snaplen
 * differs from the first one's, and files merged by mergecap or written
 * by dumpcap from several interfaces are made of exactly such
 * interfaces.
 *
 * Reads section headers (both byte orders, any number of sections),
 * interface descriptions (if_tsresol, if_tsoffset), enhanced, simple and
 * obsolete packet blocks and interface statistics (isb_endtime,
 * isb_ifrecv, isb_ifdrop, isb_osdrop); other blocks are skipped.  Every field is
 * read through the bounds-checked cursor.  Libc only: the caller maps
 * link types and runs filters.
 *
 * A block is read whole into one buffer, which grows to the largest
 * block (at most PCAPNG_MAX_BLOCK bytes): a record's data points into it
 * and is valid until the next call.
 */
#ifndef TCPLENS_PCAPNG_READER_H
#define TCPLENS_PCAPNG_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "packet.h"

/* Larger blocks are taken for corruption (libpcap's limit too). */
#define PCAPNG_MAX_BLOCK (16u << 20)
/* Interfaces over all sections; more are taken for corruption. */
#define PCAPNG_MAX_INTERFACES 65536u

struct pcapng_interface {
	uint32_t link_type;      /* LINKTYPE_ value, as the file has it */
	uint32_t snaplen;        /* 0: no limit */
	uint32_t section;        /* 0 for the first section */
	uint64_t records;        /* packet records read on it */
	/* Its latest interface statistics block, when one was read. */
	bool has_stats;
	bool has_ifrecv, has_ifdrop, has_osdrop;
	/* isb_endtime: the capture ran until then (a valid time only). */
	bool has_endtime;
	struct pkt_time endtime;
	uint64_t ifrecv;         /* received by the interface, before filters */
	uint64_t ifdrop;         /* dropped by the interface (no buffers) */
	uint64_t osdrop;         /* dropped by the capturing OS */
	/* How its times count: units per second as 10^exp or 2^exp. */
	bool tsresol_pow2;
	uint8_t tsresol_exp;
	int64_t tsoffset;        /* seconds added to every time (if_tsoffset) */
};

struct pcapng_record {
	const uint8_t *data;
	uint32_t cap_len, wire_len;
	uint32_t interface;      /* index for pcapng_reader_interface() */
	struct pkt_time ts;
	/* false for a simple packet block, which carries no time */
	bool has_ts;
	/* A time outside +-PKT_TIME_MAX_SEC, held at the limit. */
	bool ts_corrupt;
};

enum pcapng_result {
	PCAPNG_RECORD,           /* *out holds the next record */
	PCAPNG_END,              /* clean end of the file */
	PCAPNG_BROKEN,           /* pcapng_reader_error() says why */
	PCAPNG_NO_MEMORY,
};

struct pcapng_reader;

/* Reads from fp, which stays the caller's.  NULL when out of memory. */
struct pcapng_reader *pcapng_reader_new(FILE *fp);
void pcapng_reader_free(struct pcapng_reader *r);

/*
 * The first section header: PCAPNG_RECORD when it is one (no record is
 * returned), else PCAPNG_BROKEN with the reason (not a pcapng file, an
 * unsupported version) or PCAPNG_NO_MEMORY.
 */
enum pcapng_result pcapng_reader_start(struct pcapng_reader *r);
/* The next packet record, in file order. */
enum pcapng_result pcapng_reader_next(struct pcapng_reader *r,
				      struct pcapng_record *out);
/* Why reading stopped (PCAPNG_BROKEN); "" before. */
const char *pcapng_reader_error(const struct pcapng_reader *r);

size_t pcapng_reader_interface_count(const struct pcapng_reader *r);
const struct pcapng_interface *
pcapng_reader_interface(const struct pcapng_reader *r, size_t i);

#endif
