/*
 * What is known about one capture input, in plain C types so reports can
 * show it without depending on libpcap.
 */
#ifndef TCPLENS_CAPTURE_INFO_H
#define TCPLENS_CAPTURE_INFO_H

#include <stdbool.h>
#include <stdint.h>

#include "packet.h"

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
};

const char *capture_format_name(enum capture_format f);

#endif
