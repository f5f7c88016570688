/*++
 * NAME
 *	test_cm_pgp_armor 1
 * SUMMARY
 *	cmocka tests for the armor decoder's CRC24
 * DESCRIPTION
 *	Known values, and inputs around the three-lane block size, whole
 *	and cut in two, against a bit-by-bit reference. The armor lines
 *	themselves are tested through the checker (test_cm_pgp.c).
 *--*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cm_pgp_armor.h"

/* crc24_bitwise - RFC 4880 section 6.1, one bit at a time */
static uint32_t crc24_bitwise(const unsigned char *p, size_t n)
{
	uint32_t crc = 0xb704ce;
	int     i;

	while (n-- > 0) {
		crc ^= (uint32_t) *p++ << 16;
		for (i = 0; i < 8; i++) {
			crc <<= 1;
			if (crc & 0x1000000)
				crc ^= 0x1864cfb;
		}
	}
	return (crc & 0xffffff);
}

/* test_crc24 - known values, and long inputs (the three-lane blocks)
 * cut anywhere against the bitwise reference */
static void test_crc24(void **state)
{
	static const size_t sizes[] = {0, 1, 7, 8, 3071, 3072, 3073, 6144,
	10007};
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

int     main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc24),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
