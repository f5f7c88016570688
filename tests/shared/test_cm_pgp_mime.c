/*++
 * NAME
 *	test_cm_pgp_mime 1
 * SUMMARY
 *	cmocka tests for the encryption gate's MIME helpers
 * DESCRIPTION
 *	Content-Type parsing (parameters, quoting, limits, errors),
 *	delimiter lines, header values, transfer encodings.
 *--*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pgp_mime.h"

/* ct_parse - cm_pgp_mime_ct_parse() of a C string */
static const char *ct_parse(const char *s, struct cm_pgp_mime_ct *ct)
{
	return (cm_pgp_mime_ct_parse(s, strlen(s), ct));
}

/* test_mime - the MIME helpers on their own */
static void test_mime(void **state)
{
	struct cm_pgp_mime_ct ct;
	char    b71[128];

	(void) state;
	assert_null(ct_parse("multipart/encrypted; boundary=\"a b\";"
					  " protocol=\"application/pgp-encrypted\"", &ct));
	assert_int_equal(ct.type, CM_PGP_MIME_MULTIPART_ENCRYPTED);
	assert_int_equal(ct.protocol, 1);
	assert_string_equal(ct.boundary, "a b");
	assert_null(ct_parse("multipart/encrypted; protocol=application/pgp-encrypted;"
			     "boundary=----=_P/1", &ct));
	assert_int_equal(ct.protocol, 1);
	assert_string_equal(ct.boundary, "----=_P/1");
	assert_null(ct_parse("text/plain;", &ct));
	assert_int_equal(ct.type, CM_PGP_MIME_TEXT_PLAIN);
	assert_null(ct_parse("multipart/alternative; boundary=\"q\\\"x\"", &ct));
	assert_int_equal(ct.type, CM_PGP_MIME_MULTIPART_OTHER);
	assert_string_equal(ct.boundary, "q\"x");
	assert_string_equal(ct_parse("a/b; boundary=x; boundary=y", &ct),
			    "duplicate boundary parameter");
	assert_string_equal(ct_parse("a/b; boundary=\"\"", &ct),
			    "bad boundary");
	assert_string_equal(ct_parse("a/b; boundary=\"x \"", &ct),
			    "bad boundary");
	memset(b71, 'b', sizeof(b71));
	memcpy(b71, "a/b; boundary=", 14);
	assert_null(cm_pgp_mime_ct_parse(b71, 14 + 70, &ct));
	assert_int_equal(ct.boundary_len, 70);
	assert_string_equal(cm_pgp_mime_ct_parse(b71, 14 + 71, &ct), "bad boundary");
	assert_string_equal(ct_parse("a/b; x", &ct), "bad Content-Type");
	assert_string_equal(ct_parse("a/b (x", &ct), "bad Content-Type");
	assert_string_equal(ct_parse("a/b; c=\"x", &ct),
			    "bad Content-Type");
	assert_string_equal(ct_parse("/b", &ct), "bad Content-Type");

	assert_int_equal(cm_pgp_mime_delimiter("--b", 3, "b", 1), 1);
	assert_int_equal(cm_pgp_mime_delimiter("--b--", 5, "b", 1), 2);
	assert_int_equal(cm_pgp_mime_delimiter("--b-- \t\r", 8, "b", 1), 2);
	assert_int_equal(cm_pgp_mime_delimiter("--bc", 4, "b", 1), -1);
	assert_int_equal(cm_pgp_mime_delimiter("--b--x", 6, "b", 1), -1);
	assert_int_equal(cm_pgp_mime_delimiter("--c", 3, "b", 1), 0);
	assert_int_equal(cm_pgp_mime_delimiter("-b", 2, "b", 1), 0);
	assert_int_equal(cm_pgp_mime_delimiter("--b-", 4, "b", 1), -1);

	assert_int_equal(cm_pgp_mime_value_is(" VC-request\r\n ", 14, "vc-request"), 1);
	assert_int_equal(cm_pgp_mime_value_is("vc-request x", 12, "vc-request"), 0);
	assert_int_equal(cm_pgp_mime_cte_identity(" 7BIT ", 6), 1);
	assert_int_equal(cm_pgp_mime_cte_identity("8bit (c)", 8), 1);
	assert_int_equal(cm_pgp_mime_cte_identity("quoted-printable", 16), 0);
	assert_int_equal(cm_pgp_mime_cte_identity("7bit x", 6), 0);
	assert_int_equal(cm_pgp_mime_blank(" \t\r\n", 4), 1);
	assert_int_equal(cm_pgp_mime_blank(" x", 2), 0);
}

/* caseeq_bytewise - the reference: octets equal, or equal letters
 * ignoring case */
static int caseeq_bytewise(const char *a, const char *b, size_t n)
{
	size_t  i;

	for (i = 0; i < n; i++) {
		unsigned char x = (unsigned char) a[i];
		unsigned char y = (unsigned char) b[i];

		if (x != y && ((x | 0x20) != (y | 0x20) || (x | 0x20) < 'a'
			       || (x | 0x20) > 'z'))
			return (0);
	}
	return (1);
}

/* test_caseeq - eight octets at a time against the bytewise reference:
 * every length to 40, octets that differ only in bit 5 (letters, and
 * '-'/CR, '@'/'`', digits/controls, 0xc1/0xe1), at every position */
static void test_caseeq(void **state)
{
	static const char pairs[][2] = {{'a', 'A'}, {'z', 'Z'}, {'-', '\r'},
	{'@', '`'}, {'[', '{'}, {'0', 0x10}, {(char) 0xc1, (char) 0xe1},
	{'a', 'b'}};
	char    a[40], b[40];
	size_t  n, i, k;

	(void) state;
	for (n = 0; n <= sizeof(a); n++) {
		for (i = 0; i < n; i++)
			a[i] = (char) ('a' + i % 26);
		for (k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
			for (i = 0; i < n; i++) {
				memcpy(b, a, n);
				a[i] = pairs[k][0];
				b[i] = pairs[k][1];
				assert_int_equal(cm_pgp_mime_caseeq(a, b, n),
						 caseeq_bytewise(a, b, n));
				assert_int_equal(cm_pgp_mime_caseeq(b, a, n),
						 caseeq_bytewise(b, a, n));
				a[i] = (char) ('a' + i % 26);
			}
		}
		memcpy(b, a, n);
		assert_int_equal(cm_pgp_mime_caseeq(a, b, n), 1);
	}
	assert_true(cm_pgp_mime_caseeq("Content-Type", "content-TYPE", 12));
	assert_false(cm_pgp_mime_caseeq("Content-Type", "Content_Type", 12));
}

/* test_protocol_value - the protocol value is kept (64 octets at most)
 * to be compared; a bad one is not fatal at once, but parsing goes on
 * from where it stopped: the octet that did not fit (no ';' there) */
static void test_protocol_value(void **state)
{
	struct cm_pgp_mime_ct ct;
	char    v[160];

	(void) state;
	snprintf(v, sizeof(v), "multipart/encrypted; protocol=\"%064d\"; "
		 "boundary=b", 0);
	assert_null(ct_parse(v, &ct));
	assert_int_equal(ct.protocol, -1);
	assert_string_equal(ct.boundary, "b");
	snprintf(v, sizeof(v), "multipart/encrypted; protocol=\"%065d\"; "
		 "boundary=b", 0);
	assert_string_equal(ct_parse(v, &ct), "bad Content-Type");
	snprintf(v, sizeof(v), "multipart/encrypted; protocol=\"%020d", 0);
	assert_null(ct_parse(v, &ct));		/* unclosed: at the end */
	assert_int_equal(ct.protocol, -1);
	assert_null(ct_parse("a/b; protocol=\"a\\\"b\"", &ct));
	assert_int_equal(ct.protocol, -1);
	assert_null(ct_parse("a/b; protocol=\"application/\r\n pgp-encrypted\"",
			     &ct));
	assert_int_equal(ct.protocol, -1);
	assert_null(ct_parse("a/b; protocol=\"application/\r\npgp-encrypted\"",
			     &ct));
	assert_int_equal(ct.protocol, 1);
}

int     main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mime),
		cmocka_unit_test(test_caseeq),
		cmocka_unit_test(test_protocol_value),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
