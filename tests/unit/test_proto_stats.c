#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto_stats.h"

static struct proto_stats *new_stats(bool verify)
{
	struct proto_stats *st = malloc(sizeof(*st));

	assert_non_null(st);
	proto_stats_init(st, verify);
	return st;
}

/* An Ethernet/IPv4/TCP frame of 60 bytes at the given time. */
static void tcp_frame(struct packet *p, int64_t sec, uint32_t nsec)
{
	packet_reset(p);
	p->ts.sec = sec;
	p->ts.nsec = nsec;
	p->has_ts = true;
	p->cap_len = p->wire_len = 60;
	p->link_type = LINK_TYPE_ETHERNET;
	packet_mark(p, PROTO_ETHERNET);
	packet_mark(p, PROTO_IPV4);
	packet_mark(p, PROTO_TCP);
	p->ip.version = 4;
	p->ip.proto = 6;
	p->ipv4.cksum = CKSUM_GOOD;
	p->tcp.cksum = CKSUM_GOOD;
}

static void test_counts_every_layer(void **state)
{
	struct proto_stats *st = new_stats(false);
	struct packet p;

	(void)state;
	tcp_frame(&p, 100, 0);
	proto_stats_add(st, &p);
	tcp_frame(&p, 102, 500000000);
	p.wire_len = 1514;
	p.cap_len = 96;
	proto_stats_add(st, &p);
	assert_int_equal(st->frames, 2);
	assert_int_equal(st->bytes_wire, 1574);
	assert_int_equal(st->bytes_captured, 156);
	assert_int_equal(st->snaplen_cut, 1);
	assert_int_equal(st->protos[PROTO_TCP].frames, 2);
	assert_int_equal(st->protos[PROTO_TCP].bytes, 1574);
	assert_int_equal(st->protos[PROTO_UDP].frames, 0);
	assert_int_equal(st->link_types[LINK_TYPE_ETHERNET].frames, 2);
	assert_int_equal(proto_stats_duration_ns(st), 2500000000);
	assert_int_equal(st->cksum[CKSUM_PROTO_TCP][CKSUM_GOOD], 2);
	free(st);
}

static void test_out_of_order_times_keep_extremes(void **state)
{
	struct proto_stats *st = new_stats(false);
	struct packet p;

	(void)state;
	tcp_frame(&p, 50, 10);
	proto_stats_add(st, &p);
	tcp_frame(&p, 49, 999999999);
	proto_stats_add(st, &p);
	tcp_frame(&p, 51, 0);
	proto_stats_add(st, &p);
	assert_int_equal(st->out_of_order_ts, 1);
	assert_int_equal(st->first_ts.sec, 49);
	assert_int_equal(st->first_ts.nsec, 999999999);
	assert_int_equal(st->last_ts.sec, 51);
	free(st);
}

/*
 * pcapng Simple Packet Blocks have no time (has_ts false); a real time of
 * 0 (1970) in a pcap file is still a time.
 */
static void test_frames_without_timestamp(void **state)
{
	struct proto_stats *st = new_stats(false);
	struct proto_stats *epoch = new_stats(false);
	struct packet p;

	(void)state;
	tcp_frame(&p, 0, 0);
	p.has_ts = false;
	proto_stats_add(st, &p);
	assert_false(st->have_ts);
	tcp_frame(&p, 1767225600, 500230000);
	proto_stats_add(st, &p);
	tcp_frame(&p, 5, 0);
	p.has_ts = false;
	proto_stats_add(st, &p);
	tcp_frame(&p, 1767225601, 0);
	proto_stats_add(st, &p);
	assert_int_equal(st->frames_without_ts, 2);
	assert_int_equal(st->out_of_order_ts, 0);
	assert_int_equal(st->first_ts.sec, 1767225600);
	assert_int_equal(proto_stats_duration_ns(st), 499770000);
	tcp_frame(&p, 0, 0);
	proto_stats_add(epoch, &p);
	assert_true(epoch->have_ts);
	assert_int_equal(epoch->frames_without_ts, 0);
	free(st);
	free(epoch);
}

static void test_stop_reasons(void **state)
{
	struct proto_stats *st = new_stats(false);
	struct packet p;

	(void)state;
	tcp_frame(&p, 1, 0);
	packet_stop(&p, PROTO_TCP, DECODE_TRUNCATED);
	proto_stats_add(st, &p);
	tcp_frame(&p, 1, 0);
	packet_stop(&p, PROTO_IPV4, DECODE_MALFORMED);
	proto_stats_add(st, &p);
	assert_int_equal(st->truncated[PROTO_TCP], 1);
	assert_int_equal(st->malformed[PROTO_IPV4], 1);
	assert_int_equal(st->malformed[PROTO_TCP], 0);
	free(st);
}

static void test_unsupported_ethertypes_overflow(void **state)
{
	struct proto_stats *st = new_stats(false);
	struct packet p;

	(void)state;
	for (unsigned i = 0; i < PROTO_STATS_MAX_ETHERTYPES + 3; i++) {
		packet_reset(&p);
		packet_mark(&p, PROTO_ETHERNET);
		p.link.ethertype = (uint16_t)(0x9000 + i);
		packet_stop(&p, PROTO_COUNT, DECODE_UNSUPPORTED);
		proto_stats_add(st, &p);
	}
	/* The same type again lands in its existing slot. */
	p.link.ethertype = 0x9000;
	proto_stats_add(st, &p);
	assert_int_equal(st->unsupported_ethertypes[0].ethertype, 0x9000);
	assert_int_equal(st->unsupported_ethertypes[0].frames, 2);
	assert_int_equal(st->unsupported_ethertype_other, 3);
	free(st);
}

/* What an encapsulation carried, and why an 802.11 body was left. */
static void test_unsupported_payload_of(void **state)
{
	struct proto_stats *st = new_stats(false);
	struct packet p;

	(void)state;
	packet_reset(&p);
	packet_mark(&p, PROTO_ETHERNET);
	packet_mark(&p, PROTO_MPLS);
	p.link.ethertype = 0x8847;
	packet_stop(&p, PROTO_MPLS, DECODE_UNSUPPORTED);
	proto_stats_add(st, &p);
	packet_reset(&p);
	packet_mark(&p, PROTO_WLAN);
	p.link.wlan_type = 2;
	p.link.wlan_flags = 0x41;       /* protected, to the AP */
	packet_stop(&p, PROTO_WLAN, DECODE_UNSUPPORTED);
	proto_stats_add(st, &p);
	p.link.wlan_type = 0;           /* a beacon */
	proto_stats_add(st, &p);
	assert_int_equal(st->unsupported_payload[PROTO_MPLS], 1);
	assert_int_equal(st->unsupported_payload[PROTO_WLAN], 2);
	assert_int_equal(st->wlan_skipped[WLAN_SKIP_PROTECTED], 1);
	assert_int_equal(st->wlan_skipped[WLAN_SKIP_MANAGEMENT], 1);
	assert_int_equal(st->unsupported_link, 0);
	assert_int_equal(st->unsupported_ethertypes[0].frames, 0);
	free(st);
}

static void test_unsupported_ip_protocol_and_link(void **state)
{
	struct proto_stats *st = new_stats(false);
	struct packet p;

	(void)state;
	tcp_frame(&p, 1, 0);
	p.protos_seen &= ~(1u << PROTO_TCP);
	p.ip.proto = 47;
	packet_stop(&p, PROTO_COUNT, DECODE_UNSUPPORTED);
	proto_stats_add(st, &p);
	packet_reset(&p);
	packet_mark(&p, PROTO_ETHERNET);
	packet_mark(&p, PROTO_LLC);
	packet_stop(&p, PROTO_LLC, DECODE_UNSUPPORTED);
	proto_stats_add(st, &p);
	assert_int_equal(st->unsupported_ip_proto[47], 1);
	assert_int_equal(st->unsupported_link, 1);
	free(st);
}

static void test_checksums_errors_only_when_verifying(void **state)
{
	struct proto_stats *plain = new_stats(false);
	struct proto_stats *verify = new_stats(true);
	struct packet p;

	(void)state;
	tcp_frame(&p, 1, 0);
	p.tcp.cksum = CKSUM_BAD_OFFLOADED;
	p.ipv4.cksum = CKSUM_BAD;
	proto_stats_add(plain, &p);
	proto_stats_add(verify, &p);
	assert_int_equal(plain->cksum[CKSUM_PROTO_TCP][CKSUM_BAD_OFFLOADED], 1);
	assert_int_equal(plain->malformed[PROTO_IPV4], 0);
	/* Counted once per frame, at the lowest bad layer. */
	assert_int_equal(verify->malformed[PROTO_IPV4], 1);
	assert_int_equal(verify->malformed[PROTO_TCP], 0);
	/* A payload tcplens does not decode (GRE) still has an IP header. */
	tcp_frame(&p, 1, 0);
	p.protos_seen &= ~(1u << PROTO_TCP);
	p.ip.proto = 47;
	p.ipv4.cksum = CKSUM_BAD;
	packet_stop(&p, PROTO_COUNT, DECODE_UNSUPPORTED);
	proto_stats_add(verify, &p);
	assert_int_equal(verify->malformed[PROTO_IPV4], 2);
	/* Already truncated elsewhere: not counted twice. */
	tcp_frame(&p, 1, 0);
	p.ipv4.cksum = CKSUM_BAD;
	packet_stop(&p, PROTO_TCP, DECODE_TRUNCATED);
	proto_stats_add(verify, &p);
	assert_int_equal(verify->malformed[PROTO_IPV4], 2);
	free(plain);
	free(verify);
}

static void test_anomalies_counted(void **state)
{
	struct proto_stats *st = new_stats(false);
	struct packet p;

	(void)state;
	tcp_frame(&p, 1, 0);
	for (int i = 0; i < PACKET_MAX_ANOMALIES + 2; i++)
		packet_add_anomaly(&p, PKT_ANOM_TCP_OPT_BAD_LENGTH);
	proto_stats_add(st, &p);
	packet_add_anomaly(&p, PKT_ANOM_TCP_BAD_DATA_OFFSET);
	proto_stats_add(st, &p);
	/* Frames, not notes: the second frame counts once more. */
	assert_int_equal(st->anomalies[PKT_ANOM_TCP_OPT_BAD_LENGTH], 2);
	assert_int_equal(st->anomalies[PKT_ANOM_TCP_BAD_DATA_OFFSET], 0);
	assert_int_equal(st->frames_anomalies_dropped, 2);
	free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_every_layer),
		cmocka_unit_test(test_out_of_order_times_keep_extremes),
		cmocka_unit_test(test_frames_without_timestamp),
		cmocka_unit_test(test_stop_reasons),
		cmocka_unit_test(test_unsupported_ethertypes_overflow),
		cmocka_unit_test(test_unsupported_ip_protocol_and_link),
		cmocka_unit_test(test_unsupported_payload_of),
		cmocka_unit_test(test_checksums_errors_only_when_verifying),
		cmocka_unit_test(test_anomalies_counted),
	};
	return cmocka_run_group_tests_name("proto_stats", tests, NULL, NULL);
}
