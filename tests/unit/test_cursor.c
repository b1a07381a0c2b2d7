#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cursor.h"

static void test_reads_in_bounds(void **state)
{
	/* 01 02 03 04 05 06 07 */
	static const uint8_t b[] = {1, 2, 3, 4, 5, 6, 7};
	struct cursor c;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;

	(void)state;
	cursor_init(&c, b, sizeof(b), sizeof(b));
	assert_true(cursor_u8(&c, &u8));
	assert_int_equal(u8, 1);
	assert_true(cursor_be16(&c, &u16));
	assert_int_equal(u16, 0x0203);
	assert_true(cursor_be32(&c, &u32));
	assert_int_equal(u32, 0x04050607);
	assert_int_equal(cursor_remaining(&c), 0);
	assert_false(cursor_u8(&c, &u8));
	assert_int_equal(cursor_fail(&c), DECODE_MALFORMED);
}

static void test_truncated_vs_malformed(void **state)
{
	static const uint8_t b[] = {0xaa, 0xbb, 0xcc};
	struct cursor c;
	uint32_t u32;

	(void)state;
	/* 3 captured of 10 on the wire: a 4-byte read is a capture cut. */
	cursor_init(&c, b, 3, 10);
	assert_false(cursor_be32(&c, &u32));
	assert_int_equal(cursor_fail(&c), DECODE_TRUNCATED);
	assert_int_equal(cursor_offset(&c), 0);
	/* Past the wire end too: malformed. */
	assert_false(cursor_skip(&c, 11));
	assert_int_equal(cursor_fail(&c), DECODE_MALFORMED);
}

static void test_little_endian(void **state)
{
	static const uint8_t b[] = {0x02, 0x00, 0x00, 0x00, 0x34, 0x12};
	struct cursor c;
	uint32_t u32;
	uint16_t u16;

	(void)state;
	cursor_init(&c, b, sizeof(b), sizeof(b));
	assert_true(cursor_le32(&c, &u32));
	assert_int_equal(u32, 2);
	assert_true(cursor_le16(&c, &u16));
	assert_int_equal(u16, 0x1234);
}

static void test_sub_and_limit(void **state)
{
	static const uint8_t b[] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct cursor c, sub;
	struct byte_view v;

	(void)state;
	cursor_init(&c, b, 6, 8);
	assert_true(cursor_skip(&c, 2));
	/* Declared 4 bytes: fits the wire (6 left), captured 4 of them. */
	assert_true(cursor_sub(&c, 4, &sub));
	assert_int_equal(cursor_remaining(&sub), 4);
	assert_int_equal(cursor_wire_remaining(&sub), 4);
	/* Declared 7: more than the 6 the wire had. */
	assert_false(cursor_sub(&c, 7, &sub));
	assert_int_equal(cursor_fail(&sub), DECODE_MALFORMED);
	assert_int_equal(cursor_remaining(&sub), 4);
	assert_int_equal(cursor_wire_remaining(&sub), 6);
	/* Limiting drops trailing padding from the view. */
	assert_true(cursor_limit(&c, 3));
	v = cursor_rest_view(&c);
	assert_int_equal(v.len, 3);
	assert_int_equal(v.ptr[0], 3);
}

static void test_peek_does_not_move(void **state)
{
	static const uint8_t b[] = {0x45, 0x00, 0x12, 0x34};
	struct cursor c;
	uint16_t u16;
	uint8_t u8;

	(void)state;
	cursor_init(&c, b, sizeof(b), sizeof(b));
	assert_true(cursor_peek_be16(&c, 2, &u16));
	assert_int_equal(u16, 0x1234);
	assert_false(cursor_peek_u8(&c, 4, &u8));
	assert_false(cursor_peek_u8(&c, SIZE_MAX, &u8));
	assert_int_equal(cursor_offset(&c), 0);
}

static void test_empty_and_null(void **state)
{
	struct cursor c;
	uint8_t u8;
	struct byte_view v;

	(void)state;
	cursor_init(&c, NULL, 0, 0);
	assert_false(cursor_u8(&c, &u8));
	v = cursor_rest_view(&c);
	assert_int_equal(v.len, 0);
	assert_true(cursor_skip(&c, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_in_bounds),
		cmocka_unit_test(test_truncated_vs_malformed),
		cmocka_unit_test(test_little_endian),
		cmocka_unit_test(test_sub_and_limit),
		cmocka_unit_test(test_peek_does_not_move),
		cmocka_unit_test(test_empty_and_null),
	};
	return cmocka_run_group_tests_name("cursor", tests, NULL, NULL);
}
