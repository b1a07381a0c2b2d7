/*
 * Capture on a network interface (tcplens live -i), with libpcap: the
 * open sequence of tcpdump.c (pcap_create, nanosecond timestamps where
 * the platform has them, snaplen, promiscuous mode unless asked not,
 * a 100 ms timeout, the kernel buffer, immediate mode only on request,
 * pcap_activate with its warnings and errors in words), the BPF filter,
 * non-blocking reads driven by poll() on the selectable descriptor, and
 * optionally every captured frame written to a pcapng file (-w) that
 * ends with the capture's end and drops (pcapng_writer.h says why).
 *
 * One thread uses a capture: the one that reads it.  Frames handed out
 * point into libpcap's buffer and are valid during the callback only.
 */
#ifndef TCPLENS_LIVE_CAPTURE_H
#define TCPLENS_LIVE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture_source.h"

struct live_capture_config {
	const char *iface;              /* "any" for every interface */
	const char *filter;             /* NULL for none */
	int snaplen;                    /* 0: 262144 */
	int buffer_kib;                 /* 0: 32768 (32 MiB) */
	bool no_promisc;                /* -p */
	bool immediate;                 /* --immediate */
	const char *write_path;         /* -w: a file; NULL for none */
};

/* Why an interface could not be opened, beyond capture_error's. */
enum live_capture_error {
	LIVE_CAPTURE_OK = 0,
	LIVE_CAPTURE_NO_PERMISSION,     /* neither root nor CAP_NET_RAW */
	LIVE_CAPTURE_NO_DEVICE,         /* no such interface */
	LIVE_CAPTURE_DOWN,              /* the interface is down */
	LIVE_CAPTURE_FILTER,            /* the filter does not compile */
	LIVE_CAPTURE_LINK_TYPE,         /* a link type tcplens does not decode */
	LIVE_CAPTURE_WRITE,             /* -w file cannot be written */
	LIVE_CAPTURE_OTHER,
};

struct live_capture;

/*
 * Opens and activates the interface.  On failure NULL, *err set and a
 * one-line message in msg (the fix for a missing permission included).
 * Warnings pcap_activate() gave are in *warning (empty when none).
 */
struct live_capture *live_capture_open(const struct live_capture_config *cfg,
				       enum live_capture_error *err,
				       char *msg, size_t msg_len,
				       char *warning, size_t warning_len);
/*
 * What the live run judged the capture with, for the -w file's
 * statistics block: the moment its analysis stood at when it finished
 * (isb_endtime), the frames received and the drops its report used.
 */
struct live_capture_end {
	struct pkt_time end;
	uint64_t received;
	bool has_drops;                 /* pcap_stats gave counts */
	uint64_t ps_drop;               /* isb_osdrop */
	bool has_ifdrop;                /* isb_ifdrop: promiscuous only */
	uint64_t ps_ifdrop;
};

/* Once the capture is read: what the close writes at the file's end. */
void live_capture_set_end(struct live_capture *c,
			  const struct live_capture_end *end);
/*
 * Writes the -w file's statistics block (live_capture_set_end()'s, else
 * pcap_stats now), flushes and closes it (valid then), and the handle.
 * Returns the errno of the -w file's first failed write (a full disk:
 * the file is cut short), else 0.
 */
int live_capture_close(struct live_capture *c);

/*
 * Waits at most timeout_ms for frames and hands those ready to fn
 * (each then written to the -w file, unless fn refused it with
 * live_capture_refuse_frame()): how many, or -1 when the capture
 * failed (the interface went down or away, libpcap gave an error), with
 * the reason in msg, one line naming the interface.  The capture is over
 * then: the frames the ring still held were handed on first.
 */
int live_capture_read(struct live_capture *c, int timeout_ms,
		      capture_frame_fn fn, void *ctx, char *msg,
		      size_t msg_len);
/*
 * From fn, on the capture's thread: the frame being handed on is not
 * taken (the run is stopping), so it is not written to the -w file
 * either: the file holds what was analysed, no more.
 */
void live_capture_refuse_frame(struct live_capture *c);
/* Flushes the -w file so far (at a signal, it is valid up to here). */
void live_capture_flush(struct live_capture *c);

struct live_capture_stats {
	uint64_t received;              /* frames the filter passed */
	uint64_t ps_drop;               /* the kernel's buffer was full */
	uint64_t ps_ifdrop;             /* the interface dropped */
	bool has_ifdrop;                /* meaningful: promiscuous mode */
};

/* pcap_stats(); false when the platform gives none. */
bool live_capture_stats(struct live_capture *c, struct live_capture_stats *s);
/* Whether timestamps are in nanoseconds. */
bool live_capture_nanosecond(const struct live_capture *c);

/*
 * The interfaces, as tcpdump -D lists them ("1.eth0 [Up, Running]"),
 * on out; false with msg when they cannot be listed.
 */
bool live_capture_list(FILE *out, char *msg, size_t msg_len);

#endif
