/* reports/utf8_text: well-formed UTF-8, and U+FFFD for each bad byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "utf8_text.h"

static void test_sequences(void **state)
{
	(void)state;
	assert_int_equal(utf8_sequence_len((const unsigned char *)"a"), 1);
	/* U+00E9, U+20AC, U+1F600 */
	assert_int_equal(utf8_sequence_len((const unsigned char *)"\xc3\xa9"), 2);
	assert_int_equal(utf8_sequence_len((const unsigned char *)"\xe2\x82\xac"), 3);
	assert_int_equal(utf8_sequence_len((const unsigned char *)"\xf0\x9f\x98\x80"), 4);
	/* overlong '/', a surrogate, past U+10FFFF, cut by the NUL */
	assert_int_equal(utf8_sequence_len((const unsigned char *)"\xc0\xaf"), 0);
	assert_int_equal(utf8_sequence_len((const unsigned char *)"\xed\xa0\x80"), 0);
	assert_int_equal(utf8_sequence_len((const unsigned char *)"\xf4\x90\x80\x80"), 0);
	assert_int_equal(utf8_sequence_len((const unsigned char *)"\xe2\x82"), 0);
}

static void test_repair(void **state)
{
	char *r;

	(void)state;
	assert_true(utf8_text_is_valid("capture-\xc3\xa9.pcap"));
	assert_false(utf8_text_is_valid("cap\xff\xfe.pcap"));
	r = utf8_text_repair("cap\xff\xfe.pcap");
	assert_non_null(r);
	assert_string_equal(r, "cap\xef\xbf\xbd\xef\xbf\xbd.pcap");
	assert_true(utf8_text_is_valid(r));
	free(r);
	/* A cut sequence: each of its bytes stands for one U+FFFD. */
	r = utf8_text_repair("\xe2\x82");
	assert_string_equal(r, "\xef\xbf\xbd\xef\xbf\xbd");
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequences),
		cmocka_unit_test(test_repair),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
