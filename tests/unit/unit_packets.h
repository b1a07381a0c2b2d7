/*
 * Packets built as bytes for tests that drive the whole engine: raw
 * IPv4 or IPv6 (chosen by the form of the source address) around TCP,
 * UDP or any transport bytes, with correct checksums, decoded as the
 * CLI decodes frames and fed to an analyzer with the next frame number
 * and a time on the test's own clock.
 */
#ifndef TCPLENS_UNIT_PACKETS_H
#define TCPLENS_UNIT_PACKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer.h"
#include "packet.h"

/* Times on the test's clock, in ns. */
#define US(x) ((int64_t)(x) * 1000)
#define MS(x) ((int64_t)(x) * 1000000)
#define SEC(x) ((int64_t)(x) * 1000000000)
/* 2026-01-01T00:00:00Z: time 0 of every test. */
#define EPOCH_NS (1767225600LL * 1000000000LL)

/* Where fed packets go. */
struct unit_wire {
	struct analyzer *a;
	int64_t epoch_ns;       /* time 0 of the test's clock */
	uint64_t frames;        /* fed so far: the next is frames + 1 */
	int64_t last_ns;        /* the latest time fed: it may not go back */
};

/* A wire into a, its clock starting at EPOCH_NS, no frame fed yet. */
static inline struct unit_wire unit_wire_into(struct analyzer *a)
{
	return (struct unit_wire){.a = a, .epoch_ns = EPOCH_NS};
}

/* TCP options, for SYNs and SACKs.  All zero: none. */
struct unit_tcp_opts {
	uint16_t mss;           /* 0: no MSS option */
	bool sack_perm;
	bool has_wscale;
	uint8_t wscale;
	bool has_ts;            /* timestamps: 10 bytes, 12 with padding */
	uint32_t ts_val, ts_ecr;
	uint8_t n_sack;         /* up to 3 blocks */
	struct {
		uint32_t left, right;
	} sack[3];
};

/* One TCP segment: payload_len zero bytes follow the header. */
struct unit_tcp {
	const char *src, *dst;  /* "192.0.2.1", "2001:db8::1" */
	uint16_t sport, dport;
	uint8_t flags;          /* enum tcp_flag bits */
	uint32_t seq, ack;
	uint16_t win;
	uint32_t payload_len;
	const struct unit_tcp_opts *opts; /* NULL: no options */
};

/* Largest frame the builders make. */
#define UNIT_FRAME_MAX 9200

/*
 * Wraps the transport bytes l4 in an IPv4 or IPv6 header (by the form of
 * src) into out, and fills the transport checksum at offset cksum_at of
 * l4 (negative: none), over the pseudo-header except for ICMP over
 * IPv4.  Returns the frame's length; fails the test when it does not fit.
 */
size_t unit_ip_build(uint8_t *out, size_t cap, const char *src,
		     const char *dst, uint8_t proto, const uint8_t *l4,
		     size_t l4_len, int cksum_at);
size_t unit_tcp_build(uint8_t *out, size_t cap, const struct unit_tcp *seg);
size_t unit_udp_build(uint8_t *out, size_t cap, const char *src,
		      uint16_t sport, const char *dst, uint16_t dport,
		      uint32_t payload_len);

/* LINK_TYPE_IPV4 or LINK_TYPE_IPV6, from a built frame's version nibble. */
enum link_type unit_frame_link_type(const uint8_t *frame, size_t len);

/*
 * Decodes frame from a heap copy of exactly len bytes (so ASan sees any
 * read past it), numbers it, stamps it epoch_ns + t_ns and feeds it.
 * Times must not go back: the engine would take such a frame as late,
 * and a test meant to space packets out would not.
 */
void unit_wire_feed(struct unit_wire *w, int64_t t_ns, enum link_type lt,
		    const uint8_t *frame, size_t len);
/* The same for a frame the capture cut at cap_len of wire_len bytes. */
void unit_wire_feed_cut(struct unit_wire *w, int64_t t_ns, enum link_type lt,
			const uint8_t *frame, size_t cap_len, size_t wire_len);
void unit_wire_tcp(struct unit_wire *w, int64_t t_ns,
		   const struct unit_tcp *seg);
/* The same, spelled out, without options. */
void unit_feed_tcp(struct unit_wire *w, int64_t t_ns, const char *src,
		   uint16_t sport, const char *dst, uint16_t dport,
		   uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
		   uint32_t payload_len);
void unit_feed_udp(struct unit_wire *w, int64_t t_ns, const char *src,
		   uint16_t sport, const char *dst, uint16_t dport,
		   uint32_t payload_len);

#endif
