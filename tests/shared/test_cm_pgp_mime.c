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

int     main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mime),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
