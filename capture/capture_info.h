/*
 * What is known about one capture input, in plain C types so reports can
 * show it without depending on libpcap.
 */
#ifndef TCPLENS_CAPTURE_INFO_H
#define TCPLENS_CAPTURE_INFO_H

#include <stdbool.h>
#include <stdint.h>

#include "packet.h"

/* Link types of skipped pcapng interfaces told apart. */
#define CAPTURE_MAX_SKIPPED_LINKS 4

enum capture_format {
	CAPTURE_FORMAT_UNKNOWN, /* read from a pipe: not peeked at */
	CAPTURE_FORMAT_PCAP,
	CAPTURE_FORMAT_PCAPNG,
};

struct capture_input_info {
	const char *path;          /* as given; "-" for standard input */
	enum capture_format format;
	bool nanosecond;           /* pcap file with the nanosecond magic */
	enum link_type link_type;
	int dlt;                   /* pcap's DLT_ value */
	int snaplen;
	uint64_t records;          /* packet records read from the file */
	uint64_t frames;           /* of those, frames that passed the filter */
	/*
	 * Records whose time is corrupt: a fraction of 1 s or more, or past
	 * PKT_TIME_MAX_SEC.  Normalised for display, never trusted.
	 */
	uint64_t bad_timestamps;
	/* Records captured longer than they were on the wire (clamped). */
	uint64_t caplen_over_wire;
	/* Record number (1-based, in this file) where reading broke, or 0. */
	uint64_t broken_at_frame;
	char broken_reason[256];
	/*
	 * Bytes of a regular file left unread after the break: frames the
	 * analysis never saw, though how many cannot be known.
	 */
	uint64_t unread_bytes;
	uint64_t file_bytes;       /* size of a regular file, else 0 */
	/*
	 * pcapng: records on interfaces of a link type tcplens does not
	 * decode, skipped unread; by link type for the first
	 * CAPTURE_MAX_SKIPPED_LINKS types, the others in the total only.
	 */
	uint64_t unsupported_link_records;
	struct capture_skipped_link {
		int dlt;
		uint64_t records;
	} skipped_links[CAPTURE_MAX_SKIPPED_LINKS];
	uint8_t n_skipped_links;
	/* pcapng: records of an interface the filter does not compile for. */
	uint64_t unfiltered_records;
	uint32_t interfaces;       /* pcapng interfaces described (pcap: 1) */
	/*
	 * pcapng interface statistics (the latest block of each interface,
	 * summed): packets the interface (isb_ifdrop) and the capturing OS
	 * (isb_osdrop) dropped, which never reached the file.
	 */
	uint32_t interfaces_with_stats;
	bool has_ifdrop, has_osdrop;
	uint64_t ifdrop, osdrop;
	/*
	 * pcapng: the latest isb_endtime of its interfaces, in ns since the
	 * epoch: the capture ran until then, whatever its last packet.
	 */
	bool has_end_time;
	int64_t end_time_ns;
};

const char *capture_format_name(enum capture_format f);

#endif
