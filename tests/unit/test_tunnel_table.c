#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "capture_quality.h"
#include "decode.h"
#include "engine.h"
#include "settings.h"
#include "tunnel_table.h"
#include "unit_helpers.h"

/*
 * The tunnel table: one id per tunnel, both directions alike, a full
 * table refusing rather than merging; and the analyzer spending ids
 * only on tunnels that separate their flows, counting the frames of a
 * tunnel it could not name as not analysed.
 */

static struct packet_encap vxlan(uint32_t src, uint32_t dst, uint32_t vni)
{
	struct packet_encap e;

	memset(&e, 0, sizeof(e));
	e.kind = ENCAP_VXLAN;
	e.outer_proto = 17;
	e.flags = ENCAP_HAS_ID | ENCAP_ID_SHARED;
	e.id = vni;
	e.dport = 4789;
	e.src.family = e.dst.family = 4;
	memcpy(e.src.bytes, &src, 4);
	memcpy(e.dst.bytes, &dst, 4);
	return e;
}

static void test_both_directions_one_id(void **state)
{
	struct tunnel_table *t = tunnel_table_new();
	struct packet_encap ab = vxlan(1, 2, 7), ba = vxlan(2, 1, 7);
	struct packet_encap other_vni = vxlan(1, 2, 8);
	bool created;
	uint16_t id, inner;

	(void)state;
	assert_non_null(t);
	id = tunnel_table_intern(t, 0, &ab, &created);
	assert_int_equal(id, 1);
	assert_true(created);
	assert_int_equal(tunnel_table_intern(t, 0, &ba, &created), id);
	assert_false(created);
	assert_int_equal(tunnel_table_intern(t, 0, &other_vni, &created), 2);
	/* The same endpoints inside another tunnel are another tunnel. */
	inner = tunnel_table_intern(t, id, &ab, &created);
	assert_int_equal(inner, 3);
	assert_int_equal(tunnel_table_get(t, inner)->parent, id);
	assert_int_equal(tunnel_table_get(t, id)->id, 7);
	assert_null(tunnel_table_get(t, 0));
	assert_null(tunnel_table_get(t, 4));
	tunnel_table_free(t);
}

static void test_full_table_refuses(void **state)
{
	struct tunnel_table *t = tunnel_table_new();
	struct packet_encap e;
	bool created;

	(void)state;
	assert_non_null(t);
	for (uint32_t i = 1; i <= TUNNEL_TABLE_MAX; i++) {
		e = vxlan(1, 2, i);
		assert_int_equal(tunnel_table_intern(t, 0, &e, &created), i);
	}
	e = vxlan(1, 2, TUNNEL_TABLE_MAX + 1);
	assert_int_equal(tunnel_table_intern(t, 0, &e, &created), 0);
	assert_false(created);
	assert_int_equal(tunnel_table_refused(t), 1);
	/* The tunnels named keep their ids. */
	e = vxlan(2, 1, 1000);
	assert_int_equal(tunnel_table_intern(t, 0, &e, &created), 1000);
	assert_int_equal(tunnel_table_get(t, TUNNEL_TABLE_MAX)->id,
			 TUNNEL_TABLE_MAX);
	tunnel_table_free(t);
}

#define OUTER4(len, p)                                                      \
	0x45, 0x00, 0x00, (len), 0x00, 0x00, 0x40, 0x00, 0x40, (p), 0, 0,   \
	0x0a, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x14

#define ETH_IPV4                                                            \
	0x00, 0x00, 0x5e, 0x00, 0x53, 0x02, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, \
	0x08, 0x00

/* 192.0.2.1:12345 -> 198.51.100.7:53 in IPv4 in IPv4 from 10.x.y.z. */
static const uint8_t ipip_udp[] = {
	ETH_IPV4, OUTER4(48, 4),
	0x45, 0x00, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00,
	0x40, 0x11, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01,
	0xc6, 0x33, 0x64, 0x07,
	0x30, 0x39, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00,
};

/* 2001:db8::1 -> 2001:db8::7 UDP in 6in4 from 10.x.y.z. */
static const uint8_t sixin4_udp[] = {
	ETH_IPV4, OUTER4(68, 41),
	0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x11, 0x40,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07,
	0x30, 0x39, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00,
};

enum { OUTER_SRC = 14 + 12 };

/* frame from the outer source 10.0.0.0 + n, decoded and fed. */
static void feed_from(struct engine *e, const uint8_t *frame, size_t len,
		      uint32_t n, uint64_t frame_no)
{
	uint8_t buf[128];
	struct packet pkt;

	memcpy(buf, frame, len);
	buf[OUTER_SRC + 1] = (uint8_t)(n >> 16);
	buf[OUTER_SRC + 2] = (uint8_t)(n >> 8);
	buf[OUTER_SRC + 3] = (uint8_t)n;
	unit_decode(&pkt, LINK_TYPE_ETHERNET, buf, len);
	pkt.frame_no = frame_no;
	engine_feed(e, &pkt);
}

static struct engine *engine_with_quality(void)
{
	struct settings s;
	struct engine_config cfg = {.parts = ENGINE_QUALITY};

	settings_defaults(&s);
	cfg.analyzer = s.engine;
	cfg.detect = s.detect;
	return engine_new(&cfg);
}

/*
 * 6in4 relays separate nothing (analyzer.c tunnel_separates()): as many
 * of them as the table holds leave it empty for the overlays.
 */
static void test_transition_tunnels_take_no_id(void **state)
{
	struct engine *e = engine_with_quality();
	struct engine_results r;
	uint64_t n = 0;

	(void)state;
	assert_non_null(e);
	for (uint32_t i = 1; i <= TUNNEL_TABLE_MAX; i++)
		feed_from(e, sixin4_udp, sizeof(sixin4_udp), i, ++n);
	feed_from(e, ipip_udp, sizeof(ipip_udp), 1, ++n);
	engine_finish(e);
	assert_true(engine_results(e, &r));
	assert_int_equal(r.stats->tunnels, 1);
	assert_int_equal(r.stats->tunnels_untracked, 0);
	assert_int_equal(r.quality->analysed, n);
	assert_int_equal(r.quality->by_reason[QUALITY_TUNNEL_TABLE_FULL], 0);
	engine_free(e);
}

/* Past the limit a tunnel's frames are not analysed, and say why. */
static void test_full_table_counts_not_analysed(void **state)
{
	struct engine *e = engine_with_quality();
	struct engine_results r;
	uint64_t n = 0;

	(void)state;
	assert_non_null(e);
	for (uint32_t i = 1; i <= TUNNEL_TABLE_MAX; i++)
		feed_from(e, ipip_udp, sizeof(ipip_udp), i, ++n);
	feed_from(e, ipip_udp, sizeof(ipip_udp), TUNNEL_TABLE_MAX + 1, ++n);
	feed_from(e, ipip_udp, sizeof(ipip_udp), TUNNEL_TABLE_MAX + 2, ++n);
	/* A named tunnel's frames still go through. */
	feed_from(e, ipip_udp, sizeof(ipip_udp), 7, ++n);
	engine_finish(e);
	assert_true(engine_results(e, &r));
	assert_int_equal(r.stats->tunnels, TUNNEL_TABLE_MAX);
	assert_int_equal(r.stats->tunnels_untracked, 2);
	assert_int_equal(r.quality->frames, n);
	assert_int_equal(r.quality->analysed, n - 2);
	assert_int_equal(r.quality->by_reason[QUALITY_TUNNEL_TABLE_FULL], 2);
	assert_true(quality_reason_hides(QUALITY_TUNNEL_TABLE_FULL));
	assert_string_equal(quality_reason_key(QUALITY_TUNNEL_TABLE_FULL),
			    "tunnel_table_full");
	engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_directions_one_id),
		cmocka_unit_test(test_full_table_refuses),
		cmocka_unit_test(test_transition_tunnels_take_no_id),
		cmocka_unit_test(test_full_table_counts_not_analysed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
