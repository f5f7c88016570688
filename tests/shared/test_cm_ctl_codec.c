/*++
 * NAME
 *	test_cm_ctl_codec 1
 * SUMMARY
 *	cmocka tests for the control protocol codec
 * DESCRIPTION
 *	Escape/unescape of every byte value, bad escapes, splitting edge
 *	cases (empty line, double, leading and trailing spaces, raw control
 *	bytes, the word limit), join round trips through split and buffers
 *	that are too small.
 *--*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_ctl_codec.h"

/* must_escape - the bytes the protocol never sends raw */
static int must_escape(unsigned ch)
{
	return (ch < 0x20 || ch == 0x7f || ch == ' ' || ch == '%');
}

/* test_escape_each_byte - every byte 1..255 alone */
static void test_escape_each_byte(void **state)
{
	char    src[2], dst[8], expect[8];
	unsigned ch;
	long    len;

	(void) state;
	for (ch = 1; ch < 256; ch++) {
		src[0] = (char) ch;
		src[1] = '\0';
		len = cm_ctl_escape(src, dst, sizeof(dst));
		if (must_escape(ch))
			snprintf(expect, sizeof(expect), "%%%02X", ch);
		else
			memcpy(expect, src, 2);
		assert_string_equal(dst, expect);
		assert_int_equal(len, (long) strlen(expect));
		assert_int_equal(cm_ctl_unescape(dst), 0);
		assert_memory_equal(dst, src, 2);
		/* lowercase hex decodes too */
		snprintf(dst, sizeof(dst), "%%%02x", ch);
		assert_int_equal(cm_ctl_unescape(dst), 0);
		assert_memory_equal(dst, src, 2);
	}
	assert_int_equal(cm_ctl_escape("", dst, 1), 0);
	assert_string_equal(dst, "");
}

/* test_escape_all_bytes - one string of all 255 byte values */
static void test_escape_all_bytes(void **state)
{
	char    src[256], dst[1024], copy[1024];
	char   *words[4];
	long    len;
	int     i;

	(void) state;
	for (i = 0; i < 255; i++)
		src[i] = (char) (i + 1);
	src[255] = '\0';
	len = cm_ctl_escape(src, dst, sizeof(dst));
	assert_true(len > 255);
	assert_int_equal(strlen(dst), (size_t) len);
	for (i = 0; i < len; i++)
		assert_false(must_escape((unsigned char) dst[i])
			     && dst[i] != '%');
	assert_null(strchr(dst, ' '));
	memcpy(copy, dst, (size_t) len + 1);
	assert_int_equal(cm_ctl_unescape(copy), 0);
	assert_string_equal(copy, src);
	/* and it is one word */
	assert_int_equal(cm_ctl_split(dst, words, 4), 1);
	assert_string_equal(words[0], src);
	/* exactly fits, one byte short */
	assert_int_equal(cm_ctl_escape(src, dst, (size_t) len + 1), len);
	assert_int_equal(cm_ctl_escape(src, dst, (size_t) len), -1);
	assert_string_equal(dst, "");
	assert_int_equal(cm_ctl_escape("a", dst, 0), -1);
	assert_int_equal(cm_ctl_escape(" ", dst, 3), -1);
	assert_int_equal(cm_ctl_escape(" ", dst, 4), 3);
	assert_string_equal(dst, "%20");
}

/* test_unescape_bad - bad escapes leave the word alone */
static void test_unescape_bad(void **state)
{
	static const char *const bad[] = {
		"%", "%4", "a%4", "%G1", "%1G", "%%", "%00", "x%00y", "%-1",
		"%41%", "%41%4", "% 1", "%0",
	};
	char    buf[32];
	size_t  i;

	(void) state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", bad[i]);
		assert_int_equal(cm_ctl_unescape(buf), -1);
		assert_string_equal(buf, bad[i]);
	}
	snprintf(buf, sizeof(buf), "x%%40y%%2520%%e2%%82%%AC");
	assert_int_equal(cm_ctl_unescape(buf), 0);
	assert_string_equal(buf, "x@y%20\xe2\x82\xac");
	snprintf(buf, sizeof(buf), "plain");
	assert_int_equal(cm_ctl_unescape(buf), 0);
	assert_string_equal(buf, "plain");
}

struct split_case {
	const char *line;
	int     n;				/* -1: refused */
	const char *words[5];
};

/* test_split - edge cases */
static void test_split(void **state)
{
	static const struct split_case cases[] = {
		{"", 0, {NULL}},
		{"version", 1, {"version"}},
		{"quota set a@b 5M", 4, {"quota", "set", "a@b", "5M"}},
		{"blocklist add address x%40y spam%20reason", 5,
		 {"blocklist", "add", "address", "x@y", "spam reason"}},
		{"a %09%0D%0A%25", 2, {"a", "\t\r\n%"}},
		{"caf\xc3\xa9", 1, {"caf\xc3\xa9"}},
		{"a  b", -1, {NULL}},
		{" a", -1, {NULL}},
		{"a ", -1, {NULL}},
		{" ", -1, {NULL}},
		{"  ", -1, {NULL}},
		{"a\tb", -1, {NULL}},
		{"a\r", -1, {NULL}},
		{"a\nb", -1, {NULL}},
		{"a\x7f", -1, {NULL}},
		{"a \x01", -1, {NULL}},
		{"%G1", -1, {NULL}},
		{"a %4", -1, {NULL}},
		{"a %00", -1, {NULL}},
		{"100%", -1, {NULL}},
		{"a b c d e f", -1, {NULL}},	/* max is 5 here */
		{"a b c d e", 5, {"a", "b", "c", "d", "e"}},
	};
	char    line[64];
	char   *words[5];
	size_t  i;
	int     n, j;

	(void) state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(line, sizeof(line), "%s", cases[i].line);
		n = cm_ctl_split(line, words, 5);
		assert_int_equal(n, cases[i].n);
		for (j = 0; j < n; j++)
			assert_string_equal(words[j], cases[i].words[j]);
	}
	snprintf(line, sizeof(line), "a");
	assert_int_equal(cm_ctl_split(line, words, 0), -1);
	snprintf(line, sizeof(line), "%s", "");
	assert_int_equal(cm_ctl_split(line, words, 0), 0);
}

/* test_split_max_words - CM_CTL_WORDS_MAX words and one more */
static void test_split_max_words(void **state)
{
	char    line[256];
	char   *words[CM_CTL_WORDS_MAX];
	size_t  pos = 0;
	int     i;

	(void) state;
	for (i = 0; i < CM_CTL_WORDS_MAX; i++)
		pos += (size_t) sprintf(line + pos, "%sw%d", i ? " " : "", i);
	assert_int_equal(cm_ctl_split(line, words, CM_CTL_WORDS_MAX),
			 CM_CTL_WORDS_MAX);
	assert_string_equal(words[CM_CTL_WORDS_MAX - 1], "w31");
	pos = 0;
	for (i = 0; i <= CM_CTL_WORDS_MAX; i++)
		pos += (size_t) sprintf(line + pos, "%sw%d", i ? " " : "", i);
	assert_int_equal(cm_ctl_split(line, words, CM_CTL_WORDS_MAX), -1);
}

/* test_join_round_trip - join then split gives the words back */
static void test_join_round_trip(void **state)
{
	const char *const words[] = {
		"blocklist", "add", "address", "x@y", "spam reason 100%",
		"tab\there", "cr\rlf\n", "caf\xc3\xa9", "\x01\x1f\x7f\xff",
	};
	const int n = (int) (sizeof(words) / sizeof(words[0]));
	char    line[CM_CTL_LINE_MAX];
	char   *out[CM_CTL_WORDS_MAX];
	long    len;
	int     i;

	(void) state;
	len = cm_ctl_join(words, n, ' ', line, sizeof(line));
	assert_true(len > 0);
	assert_int_equal(strlen(line), (size_t) len);
	assert_int_equal(cm_ctl_split(line, out, CM_CTL_WORDS_MAX), n);
	for (i = 0; i < n; i++)
		assert_string_equal(out[i], words[i]);

	len = cm_ctl_join(words + 3, 2, '\t', line, sizeof(line));
	assert_string_equal(line, "x@y\tspam%20reason%20100%25");
	assert_int_equal(len, (long) strlen(line));
	assert_int_equal(cm_ctl_join(words, 0, ' ', line, sizeof(line)), 0);
	assert_string_equal(line, "");
	/* an empty field is fine in a row, but does not split as a request */
	{
		const char *const row[] = {"a", "", "b"};

		assert_int_equal(cm_ctl_join(row, 3, '\t', line, sizeof(line)),
				 4);
		assert_string_equal(line, "a\t\tb");
		assert_int_equal(cm_ctl_join(row, 3, ' ', line, sizeof(line)),
				 4);
		assert_int_equal(cm_ctl_split(line, out, 4), -1);
	}
}

/* test_join_too_small - size and CM_CTL_LINE_MAX limits */
static void test_join_too_small(void **state)
{
	const char *const words[] = {"quota", "set", "a@b", "5M"};
	char   *big = malloc(CM_CTL_LINE_MAX + 16);
	char   *out = malloc(CM_CTL_LINE_MAX * 2);
	const char *one[1];
	char    line[32];
	size_t  size;
	long    len;

	(void) state;
	assert_non_null(big);
	assert_non_null(out);
	len = cm_ctl_join(words, 4, ' ', line, sizeof(line));
	assert_int_equal(len, 16);
	for (size = 1; size <= 17; size++) {
		memset(line, '#', sizeof(line));
		len = cm_ctl_join(words, 4, ' ', line, size);
		assert_int_equal(len, size == 17 ? 16 : -1);
		assert_true(strlen(line) < size);
		if (len < 0)
			assert_string_equal(line, "");
	}
	assert_int_equal(cm_ctl_join(words, 4, ' ', line, 0), -1);

	/* the line limit applies however large dst is */
	memset(big, 'x', CM_CTL_LINE_MAX - 1);
	big[CM_CTL_LINE_MAX - 1] = '\0';
	one[0] = big;
	assert_int_equal(cm_ctl_join(one, 1, ' ', out, CM_CTL_LINE_MAX * 2),
			 CM_CTL_LINE_MAX - 1);
	big[CM_CTL_LINE_MAX - 1] = 'x';
	big[CM_CTL_LINE_MAX] = '\0';
	assert_int_equal(cm_ctl_join(one, 1, ' ', out, CM_CTL_LINE_MAX * 2),
			 -1);
	assert_string_equal(out, "");
	big[CM_CTL_LINE_MAX - 3] = ' ';		/* escapes to 3 bytes */
	big[CM_CTL_LINE_MAX - 2] = '\0';
	assert_int_equal(cm_ctl_join(one, 1, ' ', out, CM_CTL_LINE_MAX * 2),
			 -1);
	free(big);
	free(out);
}

/* main - run every test */
int     main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_each_byte),
		cmocka_unit_test(test_escape_all_bytes),
		cmocka_unit_test(test_unescape_bad),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_max_words),
		cmocka_unit_test(test_join_round_trip),
		cmocka_unit_test(test_join_too_small),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
