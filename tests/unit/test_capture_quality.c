/*
 * The capture-quality judgement (analyzer/capture_quality.c) on crafted
 * packets fed through an engine with only that part: duplicates and
 * what is not one, one-sided connections, capture loss, coverage by
 * reason, edits, offload and snaplen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"
#include "engine.h"
#include "proto_stats.h"
#include "settings.h"
#include "unit_packets.h"

struct rig {
	struct engine *e;
	uint64_t frames;
};

static void rig_open(struct rig *r)
{
	struct engine_config cfg = {.parts = ENGINE_QUALITY};

	analyzer_config_defaults(&cfg.analyzer);
	memset(r, 0, sizeof(*r));
	r->e = engine_new(&cfg);
	assert_non_null(r->e);
}

static const struct capture_quality_report *rig_close(struct rig *r)
{
	struct engine_results res;

	engine_finish(r->e);
	assert_true(engine_results(r->e, &res));
	assert_non_null(res.quality);
	return res.quality;
}

/* Decodes (checksums verified) and feeds one frame at t_us. */
static void feed_cut(struct rig *r, int64_t t_us, enum link_type lt,
		     const uint8_t *frame, size_t cap, size_t wire)
{
	struct packet pkt;
	int64_t ns = EPOCH_NS + US(t_us);

	decode_packet_opt(&pkt, lt, frame, cap, wire, true);
	pkt.frame_no = ++r->frames;
	pkt.ts.sec = ns / 1000000000;
	pkt.ts.nsec = (uint32_t)(ns % 1000000000);
	pkt.has_ts = true;
	engine_feed(r->e, &pkt);
}

static void feed(struct rig *r, int64_t t_us, const uint8_t *frame, size_t len)
{
	feed_cut(r, t_us, unit_frame_link_type(frame, len), frame, len, len);
}

static size_t tcp(uint8_t *buf, const char *src, uint16_t sport,
		  const char *dst, uint16_t dport, uint8_t flags, uint32_t seq,
		  uint32_t ack, uint32_t len)
{
	struct unit_tcp seg = {src, dst, sport, dport, flags, seq, ack, 1000,
			       len, NULL};

	return unit_tcp_build(buf, UNIT_FRAME_MAX, &seg);
}

#define A TCP_FLAG_ACK
#define S TCP_FLAG_SYN
#define P TCP_FLAG_PSH

/*
 * A data segment captured twice 50 us apart is one duplicate, also
 * when a router lowered the TTL of the copy; sent again after its peer
 * spoke, or 2 ms later, it is a retransmission; bare ACKs alike are no
 * copies.
 */
static void test_duplicates(void **state)
{
	uint8_t seg[UNIT_FRAME_MAX], copy[UNIT_FRAME_MAX], ack[UNIT_FRAME_MAX];
	size_t n, k;
	const struct capture_quality_report *q;
	struct rig r;

	(void)state;
	rig_open(&r);
	n = tcp(seg, "192.0.2.1", 40000, "198.51.100.2", 80, A | P, 1000, 1, 100);
	k = tcp(ack, "198.51.100.2", 80, "192.0.2.1", 40000, A, 1, 1000, 0);
	memcpy(copy, seg, n);
	copy[8] = 63;                       /* TTL, one hop later */
	feed(&r, 0, seg, n);                /* 1 */
	feed(&r, 50, copy, n);              /* 2: copy of 1 */
	feed(&r, 60, ack, k);               /* 3: the peer speaks */
	feed(&r, 160, seg, n);              /* 4: sent again: retransmission */
	feed(&r, 3000, seg, n);             /* 5: 2.8 ms later */
	feed(&r, 3010, ack, k);             /* 6, 7: bare ACKs alike */
	feed(&r, 3011, ack, k);
	q = rig_close(&r);
	assert_int_equal(q->duplicates, 1);
	assert_int_equal(q->tcp_duplicates, 1);
	assert_int_equal(q->n_dup_examples, 1);
	assert_int_equal(q->dup_frames[0], 2);
	assert_int_equal(q->dup_of[0], 1);
	engine_free(r.e);
}

/* What a consumer saw of the engine's analysis, for the copies' test. */
struct seen {
	uint64_t segments, retrans, duplicates, pkts, udp_pkts, udp_dups;
};

static void seen_segment(void *ctx, const struct packet *pkt,
			 const struct flow *f, const struct tcp_seg_info *info,
			 void *storage)
{
	(void)pkt;
	(void)f;
	(void)info;
	(void)storage;
	((struct seen *)ctx)->segments++;
}

static void seen_end(void *ctx, const struct flow *f, void *storage)
{
	struct seen *s = ctx;

	(void)storage;
	if (!flow_is_tcp(f)) {
		s->udp_pkts = f->dir[0].pkts + f->dir[1].pkts;
		s->udp_dups = flow_duplicates(f);
		return;
	}
	s->retrans = f->u.tcp.ep[0].retrans_segs + f->u.tcp.ep[1].retrans_segs;
	s->duplicates = flow_duplicates(f);
	s->pkts = f->dir[0].pkts + f->dir[1].pkts;
}

/*
 * Issue 14, 3.2: a SYN, a SYN-ACK and a data segment captured 2 to 3
 * times at one timestamp (-i any) are no retransmissions: the copies
 * reach no part of the analysis, the flow counts them as frames and as
 * duplicates, and the capture's quality counts each once.  A UDP
 * datagram alike.  Then the segment sent again after its peer spoke is
 * a retransmission.
 */
static void test_copies_not_analysed(void **state)
{
	uint8_t syn[UNIT_FRAME_MAX], synack[UNIT_FRAME_MAX], b[UNIT_FRAME_MAX];
	uint8_t data[UNIT_FRAME_MAX], dgram[UNIT_FRAME_MAX];
	size_t ns, nsa, nd, nu;
	struct seen seen = {0};
	struct engine_consumer c = {.ctx = &seen, .on_tcp_segment = seen_segment,
				    .on_flow_end = seen_end};
	struct engine_config cfg = {.parts = ENGINE_ALL, .consumers = &c,
				    .n_consumers = 1};
	struct engine_results res;
	struct settings defaults;
	struct rig r;

	(void)state;
	settings_defaults(&defaults);
	cfg.analyzer = defaults.engine;
	cfg.detect = defaults.detect;
	memset(&r, 0, sizeof(r));
	r.e = engine_new(&cfg);
	assert_non_null(r.e);
	ns = tcp(syn, "192.0.2.1", 40010, "198.51.100.2", 80, S, 100, 0, 0);
	nsa = tcp(synack, "198.51.100.2", 80, "192.0.2.1", 40010, S | A, 900, 101, 0);
	nd = tcp(data, "192.0.2.1", 40010, "198.51.100.2", 80, A | P, 101, 901, 100);
	nu = unit_udp_build(dgram, UNIT_FRAME_MAX, "192.0.2.1", 5353,
			    "198.51.100.2", 53, 40);
	feed(&r, 0, syn, ns);               /* 1 */
	feed(&r, 0, syn, ns);               /* 2: copy of 1 */
	feed(&r, 100, synack, nsa);         /* 3 */
	feed(&r, 100, synack, nsa);         /* 4: copy of 3 */
	feed(&r, 200, b, tcp(b, "192.0.2.1", 40010, "198.51.100.2", 80, A, 101, 901, 0));
	feed(&r, 300, data, nd);            /* 6 */
	feed(&r, 300, data, nd);            /* 7, 8: copies of 6 */
	feed(&r, 300, data, nd);
	feed(&r, 400, dgram, nu);           /* 9 */
	feed(&r, 400, dgram, nu);           /* 10: copy of 9 */
	feed(&r, 500, b, tcp(b, "198.51.100.2", 80, "192.0.2.1", 40010, A, 901, 101, 0));
	feed(&r, 600, data, nd);            /* 12: resent after the peer spoke */
	engine_finish(r.e);
	assert_true(engine_results(r.e, &res));
	assert_int_equal(res.quality->duplicates, 5);
	assert_int_equal(res.quality->tcp_duplicates, 4);
	assert_int_equal(res.stats->duplicates, 5);
	assert_int_equal(res.stats->tcp_segments, 6);
	assert_int_equal(res.stats->udp_datagrams, 1);
	assert_int_equal(seen.segments, 6);
	assert_int_equal(seen.retrans, 1);
	assert_int_equal(seen.duplicates, 4);
	assert_int_equal(seen.pkts, 10);
	assert_int_equal(seen.udp_pkts, 2);
	assert_int_equal(seen.udp_dups, 1);
	engine_free(r.e);
}

/*
 * One connection whose client acknowledges a SYN-ACK the capture never
 * held, one seen both ways, one SYN never answered (proves nothing):
 * one of two judged is one-sided, "partly".
 */
static void test_direction(void **state)
{
	uint8_t b[UNIT_FRAME_MAX];
	const struct capture_quality_report *q;
	struct rig r;

	(void)state;
	rig_open(&r);
	feed(&r, 0, b, tcp(b, "192.0.2.1", 40001, "198.51.100.2", 80, S, 100, 0, 0));
	feed(&r, 900, b, tcp(b, "192.0.2.1", 40001, "198.51.100.2", 80, A, 101, 5001, 0));
	feed(&r, 1000, b, tcp(b, "192.0.2.1", 40001, "198.51.100.2", 80, A | P, 101, 5001, 50));
	feed(&r, 2000, b, tcp(b, "192.0.2.1", 40002, "198.51.100.2", 80, S, 200, 0, 0));
	feed(&r, 2100, b, tcp(b, "198.51.100.2", 80, "192.0.2.1", 40002, S | A, 7000, 201, 0));
	feed(&r, 2200, b, tcp(b, "192.0.2.1", 40002, "198.51.100.2", 80, A, 201, 7001, 0));
	feed(&r, 3000, b, tcp(b, "192.0.2.1", 40003, "198.51.100.2", 81, S, 300, 0, 0));
	q = rig_close(&r);
	assert_int_equal(q->tcp_flows, 3);
	assert_int_equal(q->two_sided_flows, 1);
	assert_int_equal(q->one_sided_flows, 1);
	assert_int_equal(q->direction, QUALITY_DIRECTION_PARTLY);
	engine_free(r.e);
}

/* 1000 bytes the client acknowledges that the capture never held. */
static void test_capture_loss(void **state)
{
	uint8_t b[UNIT_FRAME_MAX];
	const struct capture_quality_report *q;
	struct rig r;

	(void)state;
	rig_open(&r);
	feed(&r, 0, b, tcp(b, "192.0.2.1", 40001, "198.51.100.2", 80, S, 100, 0, 0));
	feed(&r, 100, b, tcp(b, "198.51.100.2", 80, "192.0.2.1", 40001, S | A, 5000, 101, 0));
	feed(&r, 200, b, tcp(b, "192.0.2.1", 40001, "198.51.100.2", 80, A, 101, 5001, 0));
	feed(&r, 300, b, tcp(b, "198.51.100.2", 80, "192.0.2.1", 40001, A, 5001, 101, 1000));
	/* 6001..7000 never captured */
	feed(&r, 400, b, tcp(b, "198.51.100.2", 80, "192.0.2.1", 40001, A, 7001, 101, 1000));
	feed(&r, 500, b, tcp(b, "192.0.2.1", 40001, "198.51.100.2", 80, A, 101, 8001, 0));
	q = rig_close(&r);
	assert_true(q->capture_loss);
	assert_int_equal(q->missed_bytes, 1000);
	assert_int_equal(q->flows_with_loss, 1);
	assert_int_equal(q->n_top_loss, 1);
	assert_int_equal(q->top_loss[0].missed_bytes, 1000);
	assert_int_equal(q->direction, QUALITY_DIRECTION_TWO_SIDED);
	engine_free(r.e);
}

/* Ethernet to 00:00:5e:00:53:02 from ...:01, then the ethertype. */
static size_t eth(uint8_t *b, uint16_t ethertype, size_t payload)
{
	static const uint8_t hdr[12] = {0, 0, 0x5e, 0, 0x53, 2,
					0, 0, 0x5e, 0, 0x53, 1};

	memcpy(b, hdr, sizeof(hdr));
	b[12] = (uint8_t)(ethertype >> 8);
	b[13] = (uint8_t)ethertype;
	memset(b + 14, 0, payload);
	return 14 + payload;
}

/*
 * Coverage by reason: MPLS carrying neither IP nor Ethernet (an
 * encapsulation's payload not decoded), ARP (hides nothing), IGMP
 * (another IP protocol), GRE carrying an experimental protocol (0x88b5),
 * a datagram to VXLAN's port that is no VXLAN (plain UDP, analysed
 * whole), one to Linux's default VXLAN port 8472 (analysed as outer UDP,
 * its inside hidden), and three records the capture source skipped on
 * an NFLOG interface.
 */
static void test_coverage(void **state)
{
	uint8_t b[UNIT_FRAME_MAX], gre[8] = {0, 0, 0x88, 0xb5, 0, 0, 0, 0};
	uint8_t igmp[8] = {0x11, 0, 0, 0, 0, 0, 0, 0};
	struct quality_source_facts facts = {0};
	const struct capture_quality_report *q;
	struct rig r;
	size_t n;

	(void)state;
	rig_open(&r);
	/* MPLS label 16, bottom of stack, then 40 bytes starting 0x50 */
	n = eth(b, 0x8847, 44);
	b[14] = 0x00; b[15] = 0x01; b[16] = 0x01; b[17] = 0x40; b[18] = 0x50;
	feed_cut(&r, 0, LINK_TYPE_ETHERNET, b, n, n);
	n = eth(b, 0x0806, 28);
	b[14] = 0; b[15] = 1; b[16] = 8; b[17] = 0; b[18] = 6; b[19] = 4;
	b[21] = 1;
	feed_cut(&r, 10, LINK_TYPE_ETHERNET, b, n, n);
	feed(&r, 20, b, unit_ip_build(b, sizeof(b), "192.0.2.1", "224.0.0.22",
				      2, igmp, sizeof(igmp), -1));
	feed(&r, 30, b, unit_ip_build(b, sizeof(b), "192.0.2.1", "198.51.100.9",
				      47, gre, sizeof(gre), -1));
	/* 50 zero bytes: no VXLAN I flag */
	feed(&r, 40, b, unit_udp_build(b, sizeof(b), "192.0.2.1", 51000,
				       "198.51.100.9", 4789, 50));
	feed(&r, 50, b, unit_udp_build(b, sizeof(b), "192.0.2.1", 51000,
				       "198.51.100.9", 8472, 50));
	facts.unsupported_link_records = 3;
	facts.n_links = 1;
	facts.links[0].dlt = 239;
	facts.links[0].name = "NFLOG";
	facts.links[0].records = 3;
	engine_set_source_facts(r.e, &facts);
	q = rig_close(&r);
	assert_int_equal(q->frames, 9);
	assert_int_equal(q->analysed, 2);           /* the UDP datagrams */
	assert_int_equal(q->not_analysed, 7);
	assert_int_equal(q->by_reason[QUALITY_UNDECODED_ENCAP], 2);
	assert_int_equal(q->by_reason[QUALITY_NON_IP], 1);
	assert_int_equal(q->by_reason[QUALITY_OTHER_IP_PROTOCOL], 1);
	assert_int_equal(q->by_reason[QUALITY_TUNNEL_PAYLOAD], 1);
	assert_int_equal(q->by_reason[QUALITY_UNSUPPORTED_LINK], 3);
	assert_int_equal(q->hidden, 6);
	assert_int_equal(q->n_details, 6);
	assert_string_equal(q->details[0].name,
			    "MPLS carrying neither IP nor Ethernet");
	assert_string_equal(q->details[3].name,
			    "GRE carrying a protocol not decoded");
	assert_int_equal(q->details[3].code, 47);
	assert_string_equal(q->details[4].name,
			    "VXLAN on Linux's default port (flannel)");
	assert_int_equal(q->details[4].code, 8472);
	assert_string_equal(q->details[5].name, "NFLOG");
	engine_free(r.e);
}

/*
 * GRE in IPv4 from 192.0.2.1 to 198.51.100.9 carrying an IPv4 packet
 * from dst to inner_dst whose GRE has protocol type 0 and extra bytes
 * of payload: with inner_dst the outer source and no payload, a Cisco
 * keepalive.
 */
static size_t gre_keepalive(uint8_t *b, const char *inner_dst, size_t extra)
{
	uint8_t outer_gre[UNIT_FRAME_MAX] = {0, 0, 0x08, 0x00};
	uint8_t inner_gre[8] = {0};
	size_t n;

	n = unit_ip_build(outer_gre + 4, sizeof(outer_gre) - 4, "198.51.100.9",
			  inner_dst, 47, inner_gre, 4 + extra, -1);
	return unit_ip_build(b, UNIT_FRAME_MAX, "192.0.2.1", "198.51.100.9", 47,
			     outer_gre, 4 + n, -1);
}

/*
 * A GRE keepalive carries no traffic: it is control (as PPP's LCP),
 * never hidden traffic (GrePackets.pcap's frame 3 made a false
 * capture_coverage warning); so is PPTP's acknowledgement alone (its
 * frame 2, once a malformed PPP header).  GRE of protocol type 0 with a payload, or
 * addressed to someone else than the sender, is no keepalive and still
 * hides what it carries.
 */
static void test_coverage_gre_keepalive(void **state)
{
	/* GRE v1 with K and A, PPP, payload length 0, call 6, ack 26 */
	const uint8_t pptp_ack[12] = {0x20, 0x81, 0x88, 0x0b, 0, 0, 0, 6,
				      0, 0, 0, 0x1a};
	uint8_t b[UNIT_FRAME_MAX];
	const struct capture_quality_report *q;
	struct rig r;

	(void)state;
	rig_open(&r);
	feed(&r, 0, b, gre_keepalive(b, "192.0.2.1", 0));
	feed(&r, 5, b, unit_ip_build(b, sizeof(b), "192.0.2.1", "198.51.100.9",
				     47, pptp_ack, sizeof(pptp_ack), -1));
	feed(&r, 10, b, gre_keepalive(b, "192.0.2.1", 4));
	feed(&r, 20, b, gre_keepalive(b, "192.0.2.77", 0));
	q = rig_close(&r);
	assert_int_equal(q->frames, 4);
	assert_int_equal(q->by_reason[QUALITY_NON_IP], 2);
	assert_int_equal(q->by_reason[QUALITY_MALFORMED], 0);
	assert_int_equal(q->by_reason[QUALITY_UNDECODED_ENCAP], 2);
	assert_int_equal(q->hidden, 2);
	assert_int_equal(q->n_details, 3);
	assert_string_equal(q->details[0].name, "GRE keepalive");
	assert_int_equal(q->details[0].first_frame, 1);
	assert_string_equal(q->details[1].name,
			    "PPTP acknowledgement without payload");
	assert_string_equal(q->details[2].name,
			    "GRE carrying a protocol not decoded");
	assert_int_equal(q->details[2].frames, 2);
	engine_free(r.e);
}

/*
 * A decode failure is bucketed where decoding stopped: a GRE header cut
 * by the snaplen (22 of its bytes captured) is snaplen_cut, one too
 * short on the wire (IP's total length leaves it 2 bytes) is malformed,
 * a TCP header cut by the snaplen is snaplen_cut; none is "GRE carrying
 * a protocol not decoded" (undecoded_encapsulation), which hid them.
 */
static void test_coverage_broken_headers(void **state)
{
	uint8_t b[UNIT_FRAME_MAX], in[UNIT_FRAME_MAX];
	/* GRE with K: IPv4, key 7 */
	uint8_t gre[UNIT_FRAME_MAX] = {0x20, 0, 0x08, 0x00, 0, 0, 0, 7};
	const struct capture_quality_report *q;
	struct rig r;
	size_t n;

	(void)state;
	rig_open(&r);
	n = tcp(in, "192.0.2.1", 40001, "192.0.2.2", 80, S, 1, 0, 0);
	memcpy(gre + 8, in, n);
	n = unit_ip_build(b, sizeof(b), "203.0.113.1", "203.0.113.2", 47, gre,
			  8 + n, -1);
	feed_cut(&r, 0, LINK_TYPE_IPV4, b, 22, n);
	n = unit_ip_build(b, sizeof(b), "203.0.113.1", "203.0.113.2", 47, gre,
			  2, -1);
	feed_cut(&r, 10, LINK_TYPE_IPV4, b, n, n);
	n = tcp(b, "192.0.2.1", 40001, "192.0.2.2", 80, S, 1, 0, 0);
	feed_cut(&r, 20, LINK_TYPE_IPV4, b, 30, n);
	q = rig_close(&r);
	assert_int_equal(q->frames, 3);
	assert_int_equal(q->by_reason[QUALITY_UNDECODED_ENCAP], 0);
	assert_int_equal(q->by_reason[QUALITY_SNAPLEN_CUT], 2);
	assert_int_equal(q->by_reason[QUALITY_MALFORMED], 1);
	assert_int_equal(q->hidden, 0);
	assert_int_equal(q->n_details, 3);
	assert_int_equal(q->details[0].reason, QUALITY_SNAPLEN_CUT);
	assert_string_equal(q->details[0].name, proto_name(PROTO_GRE));
	assert_int_equal(q->details[1].reason, QUALITY_MALFORMED);
	assert_string_equal(q->details[1].name, proto_name(PROTO_GRE));
	assert_int_equal(q->details[2].reason, QUALITY_SNAPLEN_CUT);
	assert_string_equal(q->details[2].name, proto_name(PROTO_TCP));
	engine_free(r.e);
}

/* An IPv4 VXLAN datagram (VNI 42, UDP checksum 0) around inner. */
static size_t vxlan(uint8_t *b, const uint8_t *inner, size_t inner_len)
{
	size_t n = unit_udp_build(b, UNIT_FRAME_MAX, "203.0.113.1", 49152,
				  "203.0.113.2", 4789, 8 + inner_len);

	memset(b + 28, 0, 8);
	b[28] = 0x08;                       /* I: the VNI is valid */
	b[34] = 42;
	memcpy(b + 36, inner, inner_len);
	b[26] = b[27] = 0;
	return n;
}

/*
 * Inside the encapsulations decoded, the traffic carried is judged: an
 * ARP request and reply in VXLAN are ARP (not IPv4 of TTL 0 between
 * unspecified addresses, nor one frame twice, as their cleared outer
 * fields once read), a SYN in VXLAN is analysed, a VXLAN header cut by
 * the snaplen hides what it carried; PPPoE's LCP is PPP control (no
 * traffic), an encrypted 802.11 data frame hides traffic.
 */
static void test_coverage_inside_encapsulations(void **state)
{
	uint8_t b[UNIT_FRAME_MAX], in[UNIT_FRAME_MAX];
	const uint8_t wlan_protected[] = {
		0x08, 0x41, 0, 0,               /* data, to DS, protected */
		0, 0, 0x5e, 0, 0x53, 0xaa,      /* BSSID */
		0, 0, 0x5e, 0, 0x53, 1,         /* source */
		0, 0, 0x5e, 0, 0x53, 2,         /* destination */
		0x10, 0,                        /* sequence 1 */
		1, 2, 3, 4, 5, 6, 7, 8,         /* CCMP header, then data */
		9, 10, 11, 12,
	};
	const struct capture_quality_report *q;
	struct rig r;
	size_t n;

	(void)state;
	rig_open(&r);
	n = eth(in, 0x0806, 28);
	in[14] = 0; in[15] = 1; in[16] = 8; in[17] = 0; in[18] = 6; in[19] = 4;
	in[21] = 1;                         /* request */
	feed(&r, 0, b, vxlan(b, in, n));
	in[21] = 2;                         /* reply */
	feed(&r, 10, b, vxlan(b, in, n));
	n = eth(in, 0x0800, 0);
	n += tcp(in + 14, "192.0.2.1", 40001, "192.0.2.2", 80, S, 1, 0, 0);
	feed(&r, 20, b, vxlan(b, in, n));
	n = vxlan(b, in, n);
	feed_cut(&r, 30, LINK_TYPE_IPV4, b, 20 + 8 + 4, n);
	n = eth(b, 0x8864, 12);             /* PPPoE session 0x1234, 6 bytes */
	b[14] = 0x11; b[16] = 0x12; b[17] = 0x34; b[19] = 6;
	b[20] = 0xc0; b[21] = 0x21;         /* LCP echo request */
	b[22] = 9; b[23] = 1; b[25] = 4;
	feed_cut(&r, 40, LINK_TYPE_ETHERNET, b, n, n);
	feed_cut(&r, 50, LINK_TYPE_IEEE802_11, wlan_protected,
		 sizeof(wlan_protected), sizeof(wlan_protected));
	q = rig_close(&r);
	assert_int_equal(q->frames, 6);
	assert_int_equal(q->analysed, 2);   /* the SYN, the cut datagram */
	assert_int_equal(q->by_reason[QUALITY_NON_IP], 3);
	assert_int_equal(q->by_reason[QUALITY_TUNNEL_PAYLOAD], 1);
	assert_int_equal(q->by_reason[QUALITY_UNDECODED_ENCAP], 1);
	assert_int_equal(q->by_reason[QUALITY_MALFORMED], 0);
	assert_int_equal(q->hidden, 2);
	assert_int_equal(q->ttl_zero, 0);
	assert_int_equal(q->impossible_addresses, 0);
	assert_int_equal(q->duplicates, 0);
	assert_int_equal(q->n_details, 4);
	assert_string_equal(q->details[0].name, "ARP");
	assert_int_equal(q->details[0].frames, 2);
	assert_string_equal(q->details[1].name, "VXLAN");
	assert_string_equal(q->details[2].name,
			    "PPP control (LCP, IPCP, authentication ...)");
	assert_string_equal(q->details[3].name, "802.11 encrypted data");
	engine_free(r.e);
}

/*
 * A copy is the same datagram in the same tunnel: one TCP segment in
 * VXLAN VNI 42, then in VNI 43 (another tenant's flow, no copy), then
 * in VNI 42 again 100 us after the first (a copy of frame 1).
 */
static void test_duplicates_in_tunnels(void **state)
{
	uint8_t b[UNIT_FRAME_MAX], in[UNIT_FRAME_MAX];
	const struct capture_quality_report *q;
	struct rig r;
	size_t n, k;

	(void)state;
	rig_open(&r);
	n = eth(in, 0x0800, 0);
	n += tcp(in + 14, "192.0.2.1", 40001, "192.0.2.2", 80, A | P, 1, 1, 100);
	k = vxlan(b, in, n);
	feed(&r, 0, b, k);
	b[34] = 43;
	feed(&r, 50, b, k);
	b[34] = 42;
	feed(&r, 100, b, k);
	q = rig_close(&r);
	assert_int_equal(q->duplicates, 1);
	assert_int_equal(q->n_dup_examples, 1);
	assert_int_equal(q->dup_frames[0], 3);
	assert_int_equal(q->dup_of[0], 1);
	engine_free(r.e);
}

/* An IPv4 Teredo datagram from relay to 198.51.100.9 around inner. */
static size_t teredo(uint8_t *b, const char *relay, const uint8_t *inner,
		     size_t inner_len)
{
	size_t n = unit_udp_build(b, UNIT_FRAME_MAX, relay, 3544,
				  "198.51.100.9", 49152, inner_len);

	memcpy(b + 28, inner, inner_len);
	b[26] = b[27] = 0;
	return n;
}

/*
 * Copies follow the flow keys' rule of what a tunnel is (one rule,
 * tunnel_identity.h): Teredo names no tunnel (a relay answers from
 * another address), so one IPv6 segment through two relays 50 us apart
 * is one flow's segment twice, a copy; the copy detection once counted
 * the relays' endpoints and called it a second segment.
 */
static void test_duplicates_follow_tunnel_identity(void **state)
{
	uint8_t b[UNIT_FRAME_MAX], in[UNIT_FRAME_MAX];
	const struct capture_quality_report *q;
	struct rig r;
	size_t n;

	(void)state;
	rig_open(&r);
	n = tcp(in, "2001::1", 40001, "2001::2", 80, A | P, 1, 1, 100);
	feed(&r, 0, b, teredo(b, "192.0.2.10", in, n));
	feed(&r, 50, b, teredo(b, "192.0.2.20", in, n));
	q = rig_close(&r);
	assert_int_equal(q->duplicates, 1);
	engine_free(r.e);
}

/*
 * A sender that sums TCP itself yet sends IPv4 checksums of 0 has had
 * them zeroed (an edit); beside a TCP sum that is not right either, a
 * zeroed IPv4 checksum is not called an edit (offload, as far as the
 * packets tell).  TTL 0, port 0, TCP to a group address; a frame cut by
 * the snaplen.
 */
static void test_edits_offload_snaplen(void **state)
{
	uint8_t b[UNIT_FRAME_MAX];
	const struct capture_quality_report *q;
	struct rig r;
	size_t n;

	(void)state;
	rig_open(&r);
	n = tcp(b, "192.0.2.1", 40001, "198.51.100.2", 80, A, 1, 1, 0);
	b[10] = b[11] = 0;                  /* IPv4 checksum zeroed */
	feed(&r, 0, b, n);
	n = tcp(b, "192.0.2.7", 40001, "198.51.100.2", 80, A, 1, 1, 0);
	b[10] = b[11] = 0;
	b[20 + 16] = 0x12;                  /* TCP sum: neither right nor 0 */
	b[20 + 17] = 0x34;
	feed(&r, 10, b, n);
	n = tcp(b, "192.0.2.1", 40001, "198.51.100.2", 80, A, 1, 1, 0);
	b[8] = 0;                           /* TTL 0 */
	feed(&r, 20, b, n);
	feed(&r, 30, b, tcp(b, "192.0.2.1", 0, "198.51.100.2", 80, A, 1, 1, 0));
	feed(&r, 40, b, tcp(b, "192.0.2.1", 40001, "224.0.0.1", 80, A, 1, 1, 0));
	n = tcp(b, "192.0.2.1", 40009, "198.51.100.2", 80, A, 1, 1, 1000);
	feed_cut(&r, 50, LINK_TYPE_IPV4, b, 100, n);
	q = rig_close(&r);
	assert_int_equal(q->ipv4_cksum_zeroed, 1);
	assert_int_equal(q->ipv4_cksum_offloaded, 1);
	assert_int_equal(q->ttl_zero, 1);
	assert_int_equal(q->port_zero, 1);
	assert_int_equal(q->impossible_addresses, 1);
	assert_int_equal(q->snaplen_cut, 1);
	assert_int_equal(q->bytes_not_captured, n - 100);
	engine_free(r.e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_copies_not_analysed),
		cmocka_unit_test(test_direction),
		cmocka_unit_test(test_capture_loss),
		cmocka_unit_test(test_coverage),
		cmocka_unit_test(test_coverage_inside_encapsulations),
		cmocka_unit_test(test_coverage_gre_keepalive),
		cmocka_unit_test(test_coverage_broken_headers),
		cmocka_unit_test(test_duplicates_in_tunnels),
		cmocka_unit_test(test_duplicates_follow_tunnel_identity),
		cmocka_unit_test(test_edits_offload_snaplen),
	};
	return cmocka_run_group_tests_name("capture_quality", tests, NULL, NULL);
}
