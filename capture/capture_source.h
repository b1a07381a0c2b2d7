/*
 * Offline capture input: one or more pcap/pcapng files (or "-" for
 * standard input) merged into one stream in timestamp order, with an
 * optional BPF filter.  libpcap reads classic pcap files; pcapng files
 * are read by pcapng_reader.c, so that every interface keeps its own
 * link type (libpcap 1.10 stops at the first interface that differs),
 * and each frame carries the link type of its interface.  Frames on an
 * interface of a link type tcplens does not decode are skipped and
 * counted in the input's info.
 *
 * The frame returned by capture_source_next() points into libpcap's
 * buffer and is valid only until the next call: anything kept longer
 * must be copied (pcap_next_ex(3PCAP)).
 */
#ifndef TCPLENS_CAPTURE_SOURCE_H
#define TCPLENS_CAPTURE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture_info.h"
#include "packet.h"

enum capture_error {
	CAPTURE_OK = 0,
	CAPTURE_ERR_OPEN,        /* missing, unreadable, a directory */
	CAPTURE_ERR_FORMAT,      /* not a pcap or pcapng file */
	CAPTURE_ERR_LINK_TYPE,   /* a link type tcplens does not decode */
	CAPTURE_ERR_FILTER,      /* the BPF expression did not compile */
	CAPTURE_ERR_NO_MEMORY,
	CAPTURE_ERR_USAGE,       /* e.g. "-" given twice */
};

struct capture_frame {
	const uint8_t *data;
	/*
	 * cap_len and wire_len are apart on purpose: side by side, the
	 * compiler reads the two 4-byte stores back as one 8-byte load,
	 * which the CPU cannot forward (a stall on every packet).
	 */
	uint32_t cap_len;
	enum link_type link_type;
	uint32_t wire_len;
	struct pkt_time ts;
	/*
	 * false for pcapng simple packet blocks, which carry no time
	 * (libpcap reports 0): such frames must not move any clock.
	 */
	bool has_ts;
	size_t input;            /* index into the inputs */
};

struct capture_source;

/*
 * Opens every input.  On failure returns NULL, sets *err and writes a
 * one-line message naming the file and the problem into msg.  A pcapng
 * file fails with CAPTURE_ERR_LINK_TYPE when none of the interfaces
 * described before its first packet has a link type tcplens decodes,
 * and with CAPTURE_ERR_FILTER when the filter does not compile for one
 * of them (a later interface's frames are then left out and counted).
 */
struct capture_source *capture_source_open(const char *const *paths,
					   size_t n_paths,
					   const char *filter,
					   enum capture_error *err,
					   char *msg, size_t msg_len);
void capture_source_free(struct capture_source *src);

/*
 * Next frame in timestamp order (ties keep input order): 1 with *out
 * filled, 0 at the end of every input.  An input that breaks mid-way
 * (a truncated or corrupt record or block) ends there; its info says
 * where and why, and
 * capture_source_take_warning() returns each input's message once (call
 * it until it returns NULL).
 */
int capture_source_next(struct capture_source *src, struct capture_frame *out);

typedef void (*capture_frame_fn)(void *ctx, const struct capture_frame *frame);

/*
 * Hands up to max_frames frames, in the same order as
 * capture_source_next(), to fn; returns how many, 0 at the end of every
 * input.  The frame is valid only during the call.  With one input this
 * runs libpcap's own loop (pcap_dispatch), much cheaper per packet than
 * pulling frames one by one; it is how the CLI reads.
 */
size_t capture_source_run(struct capture_source *src, capture_frame_fn fn,
			  void *ctx, size_t max_frames);
const char *capture_source_take_warning(struct capture_source *src);

size_t capture_source_input_count(const struct capture_source *src);
const struct capture_input_info *
capture_source_input(const struct capture_source *src, size_t i);

/* Bytes consumed and total over the regular files (for progress). */
void capture_source_progress(const struct capture_source *src,
			     uint64_t *done, uint64_t *total);

/* libpcap's name of a DLT_ value ("NFLOG"), or "unknown". */
const char *capture_link_type_name(int dlt);

/* The link type tcplens decodes a DLT_ value as; false for none. */
bool capture_link_type_from_dlt(int dlt, enum link_type *lt);

/* The link types tcplens decodes, for error messages: "EN10MB, ...". */
const char *capture_supported_link_types(void);

#endif
