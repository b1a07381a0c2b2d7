/*
 * pcapng files written by capture/pcapng_writer.c (tcplens live -w) and
 * read back with tcplens's own reader: frames and their lengths, the
 * padding of odd lengths, link type, snaplen, time resolution, and the
 * statistics block's end time and drops.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pcapng_reader.h"
#include "pcapng_writer.h"

/* Frame lengths 0 to 7 and a large one: every padding of 32 bits. */
static const uint32_t lengths[] = {0, 1, 2, 3, 4, 5, 6, 7, 1499};
#define N_FRAMES (sizeof(lengths) / sizeof(lengths[0]))

static uint8_t frame_byte(size_t frame, uint32_t i)
{
	return (uint8_t)(frame * 31u + i);
}

/* Writes the frames (1.000000001 s apart) and stats to a temporary file. */
static FILE *write_file(bool nanosecond, const struct pcapng_writer_stats *s)
{
	struct pcapng_writer_interface ifc = {
		.link_type = 276, .snaplen = 262144, .nanosecond = nanosecond,
		.name = "any",
	};
	static uint8_t data[1499];
	FILE *fp = tmpfile();
	struct pcapng_writer *w;

	assert_non_null(fp);
	w = pcapng_writer_new(fp, &ifc);
	assert_non_null(w);
	for (size_t f = 0; f < N_FRAMES; f++) {
		struct pkt_time ts = {1700000000 + (int64_t)f, (uint32_t)f};

		for (uint32_t i = 0; i < lengths[f]; i++)
			data[i] = frame_byte(f, i);
		/* Captured shorter than on the wire: snaplen. */
		assert_true(pcapng_writer_packet(w, ts, data, lengths[f],
						 lengths[f] + 100));
	}
	if (s != NULL)
		assert_true(pcapng_writer_stats(w, s));
	assert_true(pcapng_writer_flush(w));
	assert_int_equal(pcapng_writer_error(w), 0);
	pcapng_writer_free(w);
	rewind(fp);
	return fp;
}

/* Reads every record back, checking each against what was written. */
static struct pcapng_reader *read_back(FILE *fp, bool nanosecond)
{
	struct pcapng_reader *r = pcapng_reader_new(fp);
	struct pcapng_record rec;
	size_t f = 0;

	assert_non_null(r);
	assert_int_equal(pcapng_reader_start(r), PCAPNG_RECORD);
	while (pcapng_reader_next(r, &rec) == PCAPNG_RECORD) {
		assert_true(f < N_FRAMES);
		assert_int_equal(rec.cap_len, lengths[f]);
		assert_int_equal(rec.wire_len, lengths[f] + 100);
		assert_int_equal(rec.interface, 0);
		assert_true(rec.has_ts);
		assert_int_equal(rec.ts.sec, 1700000000 + (int64_t)f);
		/* Microseconds cannot carry the odd nanosecond. */
		assert_int_equal(rec.ts.nsec, nanosecond ? f : 0);
		for (uint32_t i = 0; i < lengths[f]; i++)
			assert_int_equal(rec.data[i], frame_byte(f, i));
		f++;
	}
	assert_int_equal(f, N_FRAMES);
	assert_string_equal(pcapng_reader_error(r), "");
	return r;
}

static void test_frames_and_interface(void **state)
{
	(void)state;
	for (int nano = 0; nano <= 1; nano++) {
		FILE *fp = write_file(nano, NULL);
		struct pcapng_reader *r = read_back(fp, nano);
		const struct pcapng_interface *ifc;

		assert_int_equal(pcapng_reader_interface_count(r), 1);
		ifc = pcapng_reader_interface(r, 0);
		assert_int_equal(ifc->link_type, 276);
		assert_int_equal(ifc->snaplen, 262144);
		assert_false(ifc->tsresol_pow2);
		assert_int_equal(ifc->tsresol_exp, nano ? 9 : 6);
		assert_int_equal(ifc->records, N_FRAMES);
		assert_false(ifc->has_stats);
		pcapng_reader_free(r);
		fclose(fp);
	}
}

/* Every block's length is a multiple of 4 and repeated at its end. */
static void test_block_lengths(void **state)
{
	FILE *fp = write_file(true, NULL);
	uint8_t buf[4096];
	size_t n = fread(buf, 1, sizeof(buf), fp), off = 0, blocks = 0;

	(void)state;
	while (off + 12 <= n) {
		uint32_t len, trailer;

		memcpy(&len, buf + off + 4, 4);
		assert_int_equal(len % 4, 0);
		assert_true(len >= 12 && off + len <= n);
		memcpy(&trailer, buf + off + len - 4, 4);
		assert_int_equal(trailer, len);
		off += len;
		blocks++;
	}
	assert_int_equal(off, n);
	assert_int_equal(blocks, 2 + N_FRAMES);
	fclose(fp);
}

static void test_statistics_block(void **state)
{
	struct pcapng_writer_stats s = {
		.has_start = true, .start = {1699999999, 5},
		.has_end = true, .end = {1700000042, 123456789},
		.has_ifrecv = true, .ifrecv = 10,
		.has_osdrop = true, .osdrop = 3,
		.has_ifdrop = true, .ifdrop = UINT64_C(1) << 40,
	};

	(void)state;
	for (int nano = 0; nano <= 1; nano++) {
		FILE *fp = write_file(nano, &s);
		struct pcapng_reader *r = read_back(fp, nano);
		const struct pcapng_interface *ifc = pcapng_reader_interface(r, 0);

		assert_true(ifc->has_stats);
		assert_true(ifc->has_endtime);
		assert_int_equal(ifc->endtime.sec, 1700000042);
		assert_int_equal(ifc->endtime.nsec, nano ? 123456789 : 123456000);
		assert_true(ifc->has_ifrecv && ifc->ifrecv == 10);
		assert_true(ifc->has_osdrop && ifc->osdrop == 3);
		assert_true(ifc->has_ifdrop && ifc->ifdrop == UINT64_C(1) << 40);
		pcapng_reader_free(r);
		fclose(fp);
	}
}

/* Not promiscuous: no isb_ifdrop, and the reader knows it is unknown. */
static void test_statistics_without_ifdrop(void **state)
{
	struct pcapng_writer_stats s = {
		.has_end = true, .end = {1700000009, 0},
		.has_osdrop = true, .osdrop = 0,
	};
	FILE *fp = write_file(true, &s);
	struct pcapng_reader *r = read_back(fp, true);
	const struct pcapng_interface *ifc = pcapng_reader_interface(r, 0);

	(void)state;
	assert_true(ifc->has_stats && ifc->has_endtime);
	assert_true(ifc->has_osdrop);
	assert_false(ifc->has_ifdrop);
	assert_false(ifc->has_ifrecv);
	pcapng_reader_free(r);
	fclose(fp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_and_interface),
		cmocka_unit_test(test_block_lengths),
		cmocka_unit_test(test_statistics_block),
		cmocka_unit_test(test_statistics_without_ifdrop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
