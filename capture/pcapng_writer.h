/*
 * Writes a pcapng file (draft-ietf-opsawg-pcapng) of one interface:
 * a section header, the interface description (link type, snaplen,
 * if_tsresol, if_name), an enhanced packet block per frame and, at the
 * end, an interface statistics block.
 *
 * pcapng rather than classic pcap because a capture's end and its drops
 * are part of what it says: classic pcap ends at its last packet and has
 * no place for the kernel's drop counts, so a report of the file would
 * judge a quiet link's last seconds, and the capture's losses, unlike the
 * live run that wrote it.  The statistics block carries both
 * (isb_endtime, isb_osdrop, isb_ifdrop); tcpdump, tshark, Wireshark and
 * tcplens read the file.
 *
 * Libc only, buffered stdio, no allocation per frame.  One thread uses a
 * writer.  Write errors are sticky: every later call returns false, and
 * pcapng_writer_error() gives the errno.
 */
#ifndef TCPLENS_PCAPNG_WRITER_H
#define TCPLENS_PCAPNG_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "packet.h"

struct pcapng_writer_interface {
	uint16_t link_type;      /* LINKTYPE_ value (not DLT_) */
	uint32_t snaplen;
	bool nanosecond;         /* if_tsresol 9, else 6 (microseconds) */
	const char *name;        /* if_name; NULL for none */
};

/* The interface statistics block, written at the end. */
struct pcapng_writer_stats {
	bool has_start, has_end;
	struct pkt_time start;   /* isb_starttime: the capture began */
	struct pkt_time end;     /* isb_endtime: the capture was judged over */
	bool has_ifrecv, has_ifdrop, has_osdrop;
	uint64_t ifrecv;         /* frames received */
	uint64_t ifdrop;         /* dropped by the interface */
	uint64_t osdrop;         /* dropped by the OS (the kernel's buffer) */
};

struct pcapng_writer;

/*
 * Writes the section header and interface description to fp, which
 * stays the caller's (it is buffered here: no I/O on it before).  NULL
 * when out of memory or the first write failed (errno set).
 */
struct pcapng_writer *pcapng_writer_new(FILE *fp,
					const struct pcapng_writer_interface *ifc);
/* One frame: cap_len bytes of data, wire_len long on the wire. */
bool pcapng_writer_packet(struct pcapng_writer *w, struct pkt_time ts,
			  const uint8_t *data, uint32_t cap_len,
			  uint32_t wire_len);
/* What was written so far into the file (valid up to here). */
bool pcapng_writer_flush(struct pcapng_writer *w);
/* The statistics block, then a flush. */
bool pcapng_writer_stats(struct pcapng_writer *w,
			 const struct pcapng_writer_stats *s);
/* The errno of the first failed write, or 0. */
int pcapng_writer_error(const struct pcapng_writer *w);
/* Frees the writer (not fp: fclose it after). */
void pcapng_writer_free(struct pcapng_writer *w);

#endif
