/*++
 * NAME
 *	test_cm_pgp_simd 1
 * SUMMARY
 *	cmocka tests for the armor decoder's vector kernels
 * DESCRIPTION
 *	The kernels must be there when the CPU has the instructions (on
 *	x86-64 the test asks the CPU itself), and compute what the
 *	portable code computes: the CRC24 fold against a bit-by-bit CRC
 *	for every length up to several folds, at every alignment, from
 *	random registers; the base64 kernel on every octet value at every
 *	place of a 32-character block (it must stop at that block exactly,
 *	and decode the blocks before it), on random text of many lengths,
 *	and without writing more than CM_PGP_SIMD_SLACK octets past its
 *	output. Where a kernel is missing its tests say so and pass.
 *--*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cm_pgp_simd.h"

static const char b64[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* crc_bitwise - the CRC24 register (left-aligned) over n octets */
static uint32_t crc_bitwise(uint32_t reg, const unsigned char *p, size_t n)
{
	uint32_t crc = reg >> 8;
	int     i;

	while (n-- > 0) {
		crc ^= (uint32_t) *p++ << 16;
		for (i = 0; i < 8; i++) {
			crc <<= 1;
			if (crc & 0x1000000)
				crc ^= 0x1864cfb;
		}
	}
	return ((crc & 0xffffff) << 8);
}

/* b64_ref - decode n plain base64 characters (n a multiple of 4) */
static void b64_ref(const char *s, size_t n, unsigned char *out)
{
	size_t  i, k;

	for (i = 0; i < n; i += 4) {
		uint32_t w = 0;

		for (k = 0; k < 4; k++)
			w = w << 6 | (uint32_t) (strchr(b64, s[i + k]) - b64);
		*out++ = (unsigned char) (w >> 16);
		*out++ = (unsigned char) (w >> 8);
		*out++ = (unsigned char) w;
	}
}

/* test_cpu - the kernels are there when the CPU has what they need */
static void test_cpu(void **state)
{
	unsigned have = cm_pgp_simd_cpu();

	(void) state;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	__builtin_cpu_init();
	assert_int_equal(!!(have & CM_PGP_SIMD_B64),
			 !!__builtin_cpu_supports("avx2"));
	assert_int_equal(!!(have & CM_PGP_SIMD_CRC),
			 __builtin_cpu_supports("pclmul")
			 && __builtin_cpu_supports("sse4.1"));
#else
	assert_int_equal(have, 0);
#endif
	print_message("kernels here:%s%s%s\n", have & CM_PGP_SIMD_B64 ?
		      " base64 (AVX2)" : "", have & CM_PGP_SIMD_CRC ?
		      " CRC24 (PCLMULQDQ)" : "", have == 0 ? " none" : "");
}

/* test_crc - the fold against the bitwise CRC */
static void test_crc(void **state)
{
	unsigned char buf[1100];
	unsigned seed = 11;
	size_t  n, off, done;
	uint32_t reg, want, got;

	(void) state;
	if (!(cm_pgp_simd_cpu() & CM_PGP_SIMD_CRC)) {
		print_message("no CRC24 kernel on this CPU: skipped\n");
		assert_int_equal(cm_pgp_simd_crc(&reg, buf, 64), 0);
		return;
	}
	for (n = 0; n < sizeof(buf); n++)
		buf[n] = (unsigned char) rand_r(&seed);
	for (n = 0; n <= 1040; n++) {
		for (off = 0; off < 4; off++) {
			reg = ((uint32_t) rand_r(&seed) & 0xffffff) << 8;
			if (n == 100)
				reg = 0xb704ce00u;	/* RFC 4880's start */
			want = crc_bitwise(reg, buf + off, n);
			got = reg;
			done = cm_pgp_simd_crc(&got, buf + off, n);
			assert_int_equal(done, n / 16 * 16);
			assert_int_equal(got, crc_bitwise(reg, buf + off, done));
			assert_int_equal(crc_bitwise(got, buf + off + done, n - done),
					 want);
		}
	}
}

/* test_b64_octets - every octet at every place of a block */
static void test_b64_octets(void **state)
{
	char    in[64];
	unsigned char out[48 + CM_PGP_SIMD_SLACK], ref[48];
	size_t  pos, used;
	int     c;

	(void) state;
	if (!(cm_pgp_simd_cpu() & CM_PGP_SIMD_B64)) {
		print_message("no base64 kernel on this CPU: skipped\n");
		assert_int_equal(cm_pgp_simd_b64((const unsigned char *) b64, 64,
						 out), 0);
		return;
	}
	for (pos = 0; pos < 64; pos++) {
		for (c = 0; c < 256; c++) {
			int     plain = c != 0 && strchr(b64, c) != NULL;

			memcpy(in, b64, 64);
			in[pos] = (char) c;
			used = cm_pgp_simd_b64((const unsigned char *) in, 64, out);
			assert_int_equal(used, plain ? 64 : pos / 32 * 32);
			b64_ref(in, used, ref);
			assert_memory_equal(out, ref, used / 4 * 3);
		}
	}
}

/* test_b64_random - random plain text of many lengths, and the slack */
static void test_b64_random(void **state)
{
	char    in[300];
	unsigned char out[300], ref[300];
	unsigned seed = 5;
	size_t  n, i, used;

	(void) state;
	if (!(cm_pgp_simd_cpu() & CM_PGP_SIMD_B64)) {
		print_message("no base64 kernel on this CPU: skipped\n");
		return;
	}
	for (n = 0; n <= 256; n++) {
		for (i = 0; i < n; i++)
			in[i] = b64[rand_r(&seed) % 64];
		memset(out, 0xa5, sizeof(out));
		used = cm_pgp_simd_b64((const unsigned char *) in, n, out);
		assert_int_equal(used, n >= 32 ? n / 32 * 32 : 0);
		b64_ref(in, used, ref);
		assert_memory_equal(out, ref, used / 4 * 3);
		for (i = used / 4 * 3 + CM_PGP_SIMD_SLACK; i < sizeof(out); i++)
			assert_int_equal(out[i], 0xa5);
	}
}

int     main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu),
		cmocka_unit_test(test_crc),
		cmocka_unit_test(test_b64_octets),
		cmocka_unit_test(test_b64_random),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
