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
 *	random registers; the base64 line kernel against a one-octet-at-a-
 *	time reference of its rules, on every octet value at every place
 *	of a line and its line end, and on random texts (lines of every
 *	length, with padding, junk, blanks, lone CR or LF, cut anywhere)
 *	for many line and output limits, without writing past what
 *	cm_pgp_simd.h allows. Where a kernel is missing its tests say so
 *	and pass.
 *--*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cm_pgp_simd.h"
#include "pgp_crc24_ref.h"

static const char b64[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* crc_bitwise - the CRC24 register (left-aligned) over n octets */
static uint32_t crc_bitwise(uint32_t reg, const unsigned char *p, size_t n)
{
	return (pgp_crc24_ref(reg >> 8, p, n) << 8);
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

/* lines_ref - what cm_pgp_simd_b64_lines() must do, one octet at a
 * time: whole plain lines (a non-zero multiple of four characters,
 * LF or CRLF, at most line_max counting the CR), each started while
 * fewer than out_max octets are out, and with 32 characters to read
 * at each 32-character block the kernel reads in it: the last block
 * starts at 32 * ((n - 1) / 32) for n base64 characters, at 0 for none */
static size_t lines_ref(const char *in, size_t len, unsigned char *out,
			        size_t out_max, size_t line_max, size_t *out_len)
{
	size_t  line = 0, o = 0, n, eol;

	while (o < out_max) {
		for (n = 0; line + n < len && in[line + n] != '\0'
		     && strchr(b64, in[line + n]) != NULL; n++)
			/* void */ ;
		if (len - (line + (n == 0 ? 0 : (n - 1) / 32 * 32)) < 32)
			break;
		eol = in[line + n] == '\n' ? 1 : in[line + n] == '\r'
			&& line + n + 1 < len && in[line + n + 1] == '\n' ? 2 : 0;
		if (n == 0 || n % 4 != 0 || eol == 0 || n + eol - 1 > line_max)
			break;
		b64_ref(in + line, n, out + o);
		o += n / 4 * 3;
		line += n + eol;
	}
	*out_len = o;
	return (line);
}

/* lines_check - the kernel against lines_ref on one text */
static void lines_check(const char *in, size_t len, size_t out_max,
			        size_t line_max)
{
	static unsigned char out[8192], ref[8192];
	size_t  used, want, n, n_ref, i;

	memset(out, 0xa5, sizeof(out));
	used = cm_pgp_simd_b64_lines((const unsigned char *) in, len, out,
				     out_max, line_max, &n);
	want = lines_ref(in, len, ref, out_max, line_max, &n_ref);
	assert_int_equal(used, want);
	assert_int_equal(n, n_ref);
	assert_memory_equal(out, ref, n);
	for (i = out_max + line_max + CM_PGP_SIMD_SLACK; i < sizeof(out); i++)
		assert_int_equal(out[i], 0xa5);
}

/* test_b64_octets - every octet at every place of a 64-column line
 * (and of the CRLF), followed by another line */
static void test_b64_octets(void **state)
{
	char    in[200];
	unsigned char out[10 + 1024 + CM_PGP_SIMD_SLACK];
	size_t  pos, used, n;
	int     c;

	(void) state;
	if (!(cm_pgp_simd_cpu() & CM_PGP_SIMD_B64)) {
		print_message("no base64 kernel on this CPU: skipped\n");
		memcpy(in, b64, 64);
		assert_int_equal(cm_pgp_simd_b64_lines((const unsigned char *) in,
						       64, out, 10, 64, &n), 0);
		return;
	}
	for (pos = 0; pos < 66; pos++) {
		for (c = 0; c < 256; c++) {
			memcpy(in, b64, 64);
			memcpy(in + 64, "\r\n", 2);
			memcpy(in + 66, b64 + 8, 32);
			memcpy(in + 98, "\n=ABCD\r\n-----END PGP MESSAGE-----\r\n", 35);
			in[pos] = (char) c;
			lines_check(in, 133, 4096, 1024);
			lines_check(in, 133, 4096, 64);
		}
	}
	/* the plain text as it comes: two lines, then the CRC line */
	memcpy(in, b64, 64);
	memcpy(in + 64, "\r\n", 2);
	used = cm_pgp_simd_b64_lines((const unsigned char *) in, 133, out, 10,
				     1024, &n);
	assert_int_equal(used, 66);		/* out_max stops the second */
	assert_int_equal(n, 48);
}

/* test_b64_random - random texts: lines of every length, some with
 * padding, junk, blanks, CR or LF alone; many line_max and out_max */
static void test_b64_random(void **state)
{
	static const size_t line_max[] = {4, 31, 32, 33, 64, 76, 100, 1024};
	static const size_t out_max[] = {1, 48, 100, 3072};
	static char in[4096];
	unsigned seed = 5;
	size_t  t, len, n, i;

	(void) state;
	if (!(cm_pgp_simd_cpu() & CM_PGP_SIMD_B64)) {
		print_message("no base64 kernel on this CPU: skipped\n");
		return;
	}
	for (t = 0; t < 3000; t++) {
		unsigned odd = (unsigned) rand_r(&seed) % 8;

		for (len = 0; len < 2000;) {
			n = (size_t) rand_r(&seed) % 110;
			if (rand_r(&seed) % 4 != 0)
				n = n / 4 * 4;
			for (i = 0; i < n; i++)
				in[len++] = b64[rand_r(&seed) % 64];
			if (odd != 0 && rand_r(&seed) % (8 * odd) == 0)
				in[len - n + (size_t) rand_r(&seed) % (n + 1)] =
					"= \t\r\n-\0\x80"[rand_r(&seed) % 8];
			if (rand_r(&seed) % 2)
				in[len++] = '\r';
			in[len++] = '\n';
		}
		for (i = 0; i < sizeof(line_max) / sizeof(line_max[0]); i++)
			lines_check(in, len - (size_t) rand_r(&seed) % 64,
				    out_max[t % 4], line_max[i]);
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
