#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "finding_commands.h"

static void set_v4(uint8_t *a, uint8_t d)
{
	memset(a, 0, 16);
	a[0] = 192;
	a[1] = 0;
	a[2] = 2;
	a[3] = d;
}

/* connection_refused on 192.0.2.2:8099, frames 4 and 9. */
static struct finding refused(void)
{
	struct finding f;

	memset(&f, 0, sizeof(f));
	f.id = FINDING_CONNECTION_REFUSED;
	f.place.family = 4;
	f.place.has_port = true;
	f.place.port = 8099;
	set_v4(f.place.addr, 2);
	f.n_frames = 2;
	f.frames[0] = 4;
	f.frames[1] = 9;
	return f;
}

static void test_fills_known_values(void **state)
{
	struct finding f = refused();
	char out[256];

	(void)state;
	assert_string_equal(finding_fill("on ADDRESS: ss -ltnp 'sport = :PORT'",
					 &f, NULL, out, sizeof(out)),
			    "on 192.0.2.2: ss -ltnp 'sport = :8099'");
	/* Whole words only: SO_REUSEPORT and EADDRNOTAVAIL stay. */
	assert_string_equal(finding_fill("SO_REUSEPORT EADDRNOTAVAIL PORTS",
					 &f, NULL, out, sizeof(out)),
			    "SO_REUSEPORT EADDRNOTAVAIL PORTS");
}

static void test_optional_parts(void **state)
{
	struct finding f = refused();
	char out[256];
	const char *text = "ss -ltn[[ 'sport = :PORT']] on it[[ (CLIENT)]]";

	(void)state;
	/* CLIENT is not given: its part goes, PORT's stays. */
	assert_string_equal(finding_fill(text, &f, NULL, out, sizeof(out)),
			    "ss -ltn 'sport = :8099' on it");
	/* A host subject gives no port. */
	f.place.has_port = false;
	assert_string_equal(finding_fill(text, &f, NULL, out, sizeof(out)),
			    "ss -ltn on it");
	/* Without a finding the text reads as the catalog's, brackets gone. */
	assert_string_equal(finding_fill(text, NULL, NULL, out, sizeof(out)),
			    "ss -ltn 'sport = :PORT' on it (CLIENT)");
}

static void test_unknown_stays_a_word(void **state)
{
	struct finding f = refused();
	char out[256];

	(void)state;
	assert_string_equal(finding_fill("ethtool -K IFACE tx off; FILE",
					 &f, NULL, out, sizeof(out)),
			    "ethtool -K IFACE tx off; FILE");
}

static void test_file_and_frame(void **state)
{
	struct finding f = refused();
	struct finding_context plain = {"cap/a.pcap"};
	struct finding_context odd = {"it's here.pcap"};
	char out[256];

	(void)state;
	assert_string_equal(finding_fill("tshark -r FILE -Y 'frame.number == "
					 "FRAME'", &f, &plain, out,
					 sizeof(out)),
			    "tshark -r cap/a.pcap -Y 'frame.number == 4'");
	assert_string_equal(finding_fill("tshark -r FILE", &f, &odd, out,
					 sizeof(out)),
			    "tshark -r 'it'\\''s here.pcap'");
}

/* retransmit_burst's ADDRESS is the receiver: unknown when it is the party. */
static void test_retransmit_receiver(void **state)
{
	struct finding f = refused();
	char out[256];

	(void)state;
	f.id = FINDING_RETRANSMIT_BURST;
	f.place.has_party = true;
	set_v4(f.place.party, 1);       /* the client sends: the server receives */
	assert_string_equal(finding_fill("tracepath ADDRESS", &f, NULL, out,
					 sizeof(out)),
			    "tracepath 192.0.2.2");
	set_v4(f.place.party, 2);       /* the server sends: receiver unknown */
	assert_string_equal(finding_fill("tracepath ADDRESS", &f, NULL, out,
					 sizeof(out)),
			    "tracepath ADDRESS");
}

static void test_cut_to_size(void **state)
{
	struct finding f = refused();
	char out[8];

	(void)state;
	finding_fill("on ADDRESS now", &f, NULL, out, sizeof(out));
	assert_string_equal(out, "on 192.");
}

static void test_filters(void **state)
{
	struct finding f = refused();
	char out[FINDING_FILTER_LEN];

	(void)state;
	assert_string_equal(finding_tshark_filter(&f, out, sizeof(out)),
			    "tcp.flags.reset == 1 && ip.addr == 192.0.2.2 && "
			    "tcp.port == 8099");
	f.place.family = 6;
	memset(f.place.addr, 0, 16);
	f.place.addr[0] = 0x20;
	f.place.addr[1] = 0x01;
	f.place.addr[2] = 0x0d;
	f.place.addr[3] = 0xb8;
	f.place.addr[15] = 2;
	assert_string_equal(finding_tshark_filter(&f, out, sizeof(out)),
			    "tcp.flags.reset == 1 && ipv6.addr == 2001:db8::2 "
			    "&& tcp.port == 8099");
	f.id = FINDING_CAPTURE_COVERAGE;
	memset(&f.place, 0, sizeof(f.place));
	assert_string_equal(finding_tshark_filter(&f, out, sizeof(out)),
			    "frame.number in {4 9}");
	f.n_frames = 0;
	assert_string_equal(finding_tshark_filter(&f, out, sizeof(out)), "");
}

/* Every id has a filter, and a subject-less one keeps no dangling "&&". */
static void test_every_id_filters(void **state)
{
	char out[FINDING_FILTER_LEN];

	(void)state;
	for (int i = 0; i < FINDING_COUNT; i++) {
		struct finding f = refused();

		f.id = (enum finding_id)i;
		assert_true(finding_tshark_filter(&f, out, sizeof(out))[0]);
		memset(&f.place, 0, sizeof(f.place));
		finding_tshark_filter(&f, out, sizeof(out));
		assert_null(strstr(out, "&&") == out ? out : NULL);
		assert_null(strstr(out, "ADDRESS"));
		assert_null(strstr(out, "PORT"));
	}
}

/* The subject's tunnel between 203.0.113.10 and .20. */
static void in_tunnel(struct finding *f, uint8_t kind, uint32_t id,
		      bool shared)
{
	static const uint8_t a[4] = {203, 0, 113, 10}, b[4] = {203, 0, 113, 20};

	f->place.in_tunnel = true;
	memset(&f->place.tunnel, 0, sizeof(f->place.tunnel));
	f->place.tunnel.kind = kind;
	f->place.tunnel.family = 4;
	f->place.tunnel.flags = shared ? ENCAP_HAS_ID | ENCAP_ID_SHARED : 0;
	f->place.tunnel.id = shared ? id : 0;
	memcpy(f->place.tunnel.addr[0], a, 4);
	memcpy(f->place.tunnel.addr[1], b, 4);
}

/*
 * A subject in a tunnel: tshark's ip.addr matches the inner header of
 * another tenant's packet too, so the filter names the tunnel, by the
 * id tshark knows it by and its outer endpoints.
 */
static void test_filter_names_tunnel(void **state)
{
	struct finding f = refused();
	char out[FINDING_FILTER_LEN];

	(void)state;
	in_tunnel(&f, ENCAP_VXLAN, 300, true);
	assert_string_equal(finding_tshark_filter(&f, out, sizeof(out)),
			    "tcp.flags.reset == 1 && ip.addr == 192.0.2.2 && "
			    "tcp.port == 8099 && vxlan.vni == 300 && "
			    "ip.addr == 203.0.113.10 && ip.addr == 203.0.113.20");
	in_tunnel(&f, ENCAP_GENEVE, 7, true);
	assert_non_null(strstr(finding_tshark_filter(&f, out, sizeof(out)),
			       "&& geneve.vni == 7 && ip.addr == 203.0.113.10"));
	/* A GRE key; NVGRE's VSID is the key's top 24 bits. */
	in_tunnel(&f, ENCAP_GRE, 77, true);
	assert_non_null(strstr(finding_tshark_filter(&f, out, sizeof(out)),
			       "&& ((gre.proto != 0x6558 && gre.key == 77) || "
			       "(gre.proto == 0x6558 && gre.key >= 19712 && "
			       "gre.key <= 19967)) && ip.addr == 203.0.113.10"));
	in_tunnel(&f, ENCAP_MPLS, 16, true);
	assert_non_null(strstr(finding_tshark_filter(&f, out, sizeof(out)),
			       "&& mpls.label == 16 && "));
	/* No id both ways (IP in IP, GTP-U): the outer endpoints alone. */
	in_tunnel(&f, ENCAP_IP_IN_IP, 0, false);
	assert_string_equal(finding_tshark_filter(&f, out, sizeof(out)),
			    "tcp.flags.reset == 1 && ip.addr == 192.0.2.2 && "
			    "tcp.port == 8099 && ip.addr == 203.0.113.10 && "
			    "ip.addr == 203.0.113.20");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fills_known_values),
		cmocka_unit_test(test_optional_parts),
		cmocka_unit_test(test_unknown_stays_a_word),
		cmocka_unit_test(test_file_and_frame),
		cmocka_unit_test(test_retransmit_receiver),
		cmocka_unit_test(test_cut_to_size),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_every_id_filters),
		cmocka_unit_test(test_filter_names_tunnel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
