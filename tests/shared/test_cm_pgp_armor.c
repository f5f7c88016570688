/*++
 * NAME
 *	test_cm_pgp_armor 1
 * SUMMARY
 *	cmocka tests for the armor decoder's CRC24 and fast path
 * DESCRIPTION
 *	The CRC24: known values, and inputs of every length around the
 *	slice-by-16 steps, whole and cut in two, against a bit-by-bit
 *	reference. The fast path: every base64 character at every place
 *	of a quad decodes (CRC and packet walk) as on the line-by-line
 *	path, with the CPU's vector kernels and without them. The armor lines themselves are tested through the checker
 *	(test_cm_pgp.c).
 *--*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cm_pgp_armor.h"
#include "cm_pgp_simd.h"
#include "pgp_crc24_ref.h"

#define ARMOR_HEAD	"-----BEGIN PGP MESSAGE-----"
#define ARMOR_TAIL	"-----END PGP MESSAGE-----"

/* crc24_bitwise - RFC 4880 section 6.1, one bit at a time */
static uint32_t crc24_bitwise(const unsigned char *p, size_t n)
{
	return (pgp_crc24_ref(0xb704ce, p, n));
}

/* test_crc24 - known values, and inputs of many lengths cut anywhere
 * against the bitwise reference */
static void test_crc24(void **state)
{
	static const size_t sizes[] = {0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 31,
	48, 57, 288, 3071, 3072, 3073, 6144, 10007};
	unsigned char *buf = malloc(10007);
	unsigned seed = 7;
	uint32_t crc;
	size_t  i, k, cut;

	(void) state;
	assert_non_null(buf);
	for (i = 0; i < 10007; i++)
		buf[i] = (unsigned char) rand_r(&seed);
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		assert_int_equal(cm_pgp_armor_crc24(CM_PGP_ARMOR_CRC24_INIT, buf,
						    sizes[k]),
				 crc24_bitwise(buf, sizes[k]));
		cut = sizes[k] / 3;
		crc = cm_pgp_armor_crc24(CM_PGP_ARMOR_CRC24_INIT, buf, cut);
		crc = cm_pgp_armor_crc24(crc, buf + cut, sizes[k] - cut);
		assert_int_equal(crc, crc24_bitwise(buf, sizes[k]));
	}
	free(buf);
	assert_int_equal(cm_pgp_armor_crc24(CM_PGP_ARMOR_CRC24_INIT, "", 0),
			 0xb704ce);
	assert_int_equal(cm_pgp_armor_crc24(CM_PGP_ARMOR_CRC24_INIT, "hello", 5),
			 0x47f58a);
	/* Pieces of any size give the same result as one call. */
	crc = cm_pgp_armor_crc24(CM_PGP_ARMOR_CRC24_INIT, "he", 2);
	crc = cm_pgp_armor_crc24(crc, "llo", 3);
	assert_int_equal(crc, 0x47f58a);
	assert_int_equal(cm_pgp_armor_crc24(CM_PGP_ARMOR_CRC24_INIT,
					    "123456789", 9), 0x21cf02);
}

/* armor_text - 64-column base64 of the SEIPD header and n octets of
 * body made so that each character shows up at each place of a quad
 * (quad k holds k, 5k + 1, 7k + 3, 11k + 5 mod 64); *bin gets the
 * octets, returns the text length */
static size_t armor_text(char *text, unsigned char *bin, size_t nquad,
			         size_t *bin_len)
{
	static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t  k, t = 0, o = 0;

	for (k = 0; k < nquad; k++) {
		unsigned v[4] = {k % 64, (5 * k + 1) % 64, (7 * k + 3) % 64,
		(11 * k + 5) % 64};
		uint32_t w = v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3];

		if (k < 2) {		/* the header: new-format SEIPD */
			static const unsigned char hdr[6] = {0xd2, 0xff};

			memcpy(bin, hdr, 6);
			bin[5] = (unsigned char) (3 * nquad - 6);
			bin[4] = (unsigned char) ((3 * nquad - 6) >> 8);
			w = (uint32_t) bin[3 * k] << 16
				| (uint32_t) bin[3 * k + 1] << 8 | bin[3 * k + 2];
			v[0] = w >> 18;
			v[1] = (w >> 12) & 63;
			v[2] = (w >> 6) & 63;
			v[3] = w & 63;
		}
		bin[o++] = (unsigned char) (w >> 16);
		bin[o++] = (unsigned char) (w >> 8);
		bin[o++] = (unsigned char) w;
		text[t++] = b64[v[0]];
		text[t++] = b64[v[1]];
		text[t++] = b64[v[2]];
		text[t++] = b64[v[3]];
		if (k % 16 == 15 || k + 1 == nquad) {
			text[t++] = '\r';
			text[t++] = '\n';
		}
	}
	*bin_len = o;
	return (t);
}

/* armor_start - a decoder in the data section */
static void armor_start(struct cm_pgp_armor *a)
{
	cm_pgp_armor_init(a, 1);
	assert_int_equal(cm_pgp_armor_line(a, ARMOR_HEAD, strlen(ARMOR_HEAD)), 0);
	assert_int_equal(cm_pgp_armor_line(a, "", 0), 0);
}

/* bulk_check - the fast path, kernels limited to mask, against the
 * line-by-line path without kernels */
static void bulk_check(unsigned mask)
{
	static char text[8192];
	static unsigned char bin[4096];
	struct cm_pgp_armor fast, slow;
	size_t  len, bin_len, off, n;
	const char *why;
	char   *nl;

	len = armor_text(text, bin, 1280, &bin_len);
	armor_start(&fast);
	armor_start(&slow);
	fast.simd &= mask;
	slow.simd = 0;
	assert_int_equal(cm_pgp_armor_bulk(&fast, text, len), len);
	assert_null(fast.reason);
	for (off = 0; off < len; off += n + 1) {
		nl = memchr(text + off, '\n', len - off);
		n = (size_t) (nl - (text + off));
		assert_int_equal(cm_pgp_armor_line(&slow, text + off, n), 0);
	}
	assert_int_equal(fast.crc, slow.crc);
	assert_int_equal(fast.crc >> 8,
			 cm_pgp_armor_crc24(CM_PGP_ARMOR_CRC24_INIT, bin, bin_len));
	assert_int_equal(cm_pgp_armor_line(&fast, ARMOR_TAIL, strlen(ARMOR_TAIL)),
			 0);
	assert_int_equal(cm_pgp_armor_end(&fast, &why), 0);
}

/* test_bulk - the fast path against the line-by-line path */
static void test_bulk(void **state)
{
	(void) state;
	bulk_check(~0u);
	bulk_check(CM_PGP_SIMD_B64);
	bulk_check(CM_PGP_SIMD_CRC);
	bulk_check(0);
}

int     main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc24),
		cmocka_unit_test(test_bulk),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
