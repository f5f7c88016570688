/*++
 * NAME
 *	cm_pgp_simd 3
 * SUMMARY
 *	vector kernels of the armor decoder: base64 and CRC24
 * DESCRIPTION
 *	See cm_pgp_simd.h. Each kernel is compiled for its instruction
 *	set alone (a target attribute) and only called when the CPU says
 *	it has that set, so the rest of the library keeps the baseline
 *	x86-64 (or any other) instruction set.
 *
 *	base64 (AVX2): 32 characters are classified in one go by their two
 *	nibbles: a character is plain base64 when the class bit its high
 *	nibble selects is not set in the mask its low nibble selects. An
 *	offset chosen by the high nibble (and by "is it '/'", the one
 *	character whose nibble says nothing) turns each into its 6-bit
 *	value; two multiply-adds pack each four into 24 bits, and two
 *	shuffles put the 24 octets in order. The same classification,
 *	as a bit mask, tells where a line's base64 ends.
 *
 *	CRC24 (PCLMULQDQ): the CRC register, left-aligned in 32 bits, is
 *	the CRC of the non-reflected 32-bit polynomial P = G * x^8, G the
 *	CRC24 generator 0x1864CFB. The message is read sixteen octets at a
 *	time as a polynomial (first octet highest); a 128-bit remainder X
 *	with X = X * x^128 + D (mod P) is kept by folding its two halves
 *	with two carry-less products by x^192 and x^128 mod P. At the end
 *	X * x^32 mod P is brought down to 64 bits with x^96 and x^64 mod
 *	P and reduced by Barrett's method (mu = x^64 div P). The register
 *	at the start counts as the first four octets of the message (the
 *	CRC is linear), so no special case is needed for it.
 *--*/

#include "cm_pgp_simd.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SIMD_X86	1
#include <immintrin.h>
#endif

#ifdef SIMD_X86

/* The constants of the CRC fold, polynomials mod P = 0x1864CFB00
 * (tests/shared/test_cm_pgp_simd.c checks the result against the
 * bitwise CRC for every length up to several folds). Folding a 128-bit
 * remainder over b more bits takes x^(b + 64) and x^b mod P. */
#define CRC_X64		0xd9fe8c00u	/* x^64 mod P */
#define CRC_X96		0xfd7e0c00u	/* x^96 mod P */
#define CRC_X128	0x64e4d700u	/* x^128 mod P */
#define CRC_X192	0x2c8c9d00u	/* x^192 mod P */
#define CRC_X256	0x9d89a200u	/* x^256 mod P */
#define CRC_X320	0x66dd1f00u	/* x^320 mod P */
#define CRC_X384	0x5b703800u	/* x^384 mod P */
#define CRC_X448	0x6c1c3500u	/* x^448 mod P */
#define CRC_X512	0x467d2400u	/* x^512 mod P */
#define CRC_X576	0x1f428700u	/* x^576 mod P */
#define CRC_MU		0x1f845fe24ull	/* x^64 div P */
#define CRC_POLY	0x1864cfb00ull	/* P */

/* The class bits of the base64 check, one per group of high nibbles:
 * 2 ('+' '/'), 3 (digits), 4 and 6 (letters from 1), 5 and 7 (letters
 * to 0xA), anything else. B64_HI is the bit of a high nibble, B64_LO
 * the bits of the groups in which a low nibble is not base64. */
#define B64_HI(h) \
	((h) == 2 ? 0x01 : (h) == 3 ? 0x02 : (h) == 4 || (h) == 6 ? 0x04 : \
	 (h) == 5 || (h) == 7 ? 0x08 : 0x10)
#define B64_LO(l) \
	(0x10 | ((l) != 0xb && (l) != 0xf ? 0x01 : 0) | ((l) > 9 ? 0x02 : 0) \
	 | ((l) == 0 ? 0x04 : 0) | ((l) > 0xa ? 0x08 : 0))
/* What to add to a plain character to get its value, by its high
 * nibble less one for '/': '/' (1), '+' (2), digits, upper case twice,
 * lower case twice. */
#define B64_ADD(i) \
	((i) == 1 ? 63 - '/' : (i) == 2 ? 62 - '+' : (i) == 3 ? 52 - '0' : \
	 (i) == 4 || (i) == 5 ? -'A' : (i) == 6 || (i) == 7 ? 26 - 'a' : 0)

#define B64_ROW(f) \
	f(0), f(1), f(2), f(3), f(4), f(5), f(6), f(7), \
	f(8), f(9), f(10), f(11), f(12), f(13), f(14), f(15)
#define B64_LANES(f)	B64_ROW(f), B64_ROW(f)

/* simd_b64_decode - decode the 32 characters at in to 24 octets in the
 * low 24 of *v; returns a mask with bit i set when in[i] is not a plain
 * base64 character (its octets are then garbage) */
__attribute__((target("avx2")))
static inline unsigned simd_b64_decode(const unsigned char *in, __m256i *v_r)
{
	const __m256i lut_lo = _mm256_setr_epi8(B64_LANES(B64_LO));
	const __m256i lut_hi = _mm256_setr_epi8(B64_LANES(B64_HI));
	const __m256i lut_add = _mm256_setr_epi8(B64_LANES(B64_ADD));
	const __m256i nibble = _mm256_set1_epi8(0x0f);
	const __m256i pair = _mm256_set1_epi32(0x01400140);	/* a*64+b */
	const __m256i quad = _mm256_set1_epi32(0x00011000);	/* ab*4096+cd */
	const __m256i order = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8,
			     14, 13, 12, -1, -1, -1, -1, 2, 1, 0, 6, 5, 4, 10, 9, 8,
					       14, 13, 12, -1, -1, -1, -1);
	const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);
	__m256i s = _mm256_loadu_si256((const __m256i *) in);
	__m256i hi = _mm256_and_si256(_mm256_srli_epi32(s, 4), nibble);
	__m256i bad, v;

	bad = _mm256_and_si256(_mm256_shuffle_epi8(lut_lo,
					      _mm256_and_si256(s, nibble)),
			       _mm256_shuffle_epi8(lut_hi, hi));
	v = _mm256_add_epi8(_mm256_cmpeq_epi8(s, _mm256_set1_epi8('/')), hi);
	v = _mm256_add_epi8(s, _mm256_shuffle_epi8(lut_add, v));
	v = _mm256_madd_epi16(_mm256_maddubs_epi16(v, pair), quad);
	*v_r = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(v, order), lanes);
	return (~(unsigned) _mm256_movemask_epi8(
			  _mm256_cmpeq_epi8(bad, _mm256_setzero_si256())));
}

/* simd_b64_block - the same, the 24 octets to out (32 are written) */
__attribute__((target("avx2")))
static inline unsigned simd_b64_block(const unsigned char *in,
				              unsigned char *out)
{
	__m256i v;
	unsigned bad = simd_b64_decode(in, &v);

	_mm256_storeu_si256((__m256i *) out, v);
	return (bad);
}

/* simd_b64_line64 - a line of 64 plain characters at in, which goes on
 * with a CR or LF, as 48 octets to out in three stores of sixteen: the
 * CRC then reads them sixteen at a time, each load from one store, so
 * the loads take the stored data while it is still in the store queue
 * (a load that spans two stores waits for them to reach the cache).
 * Returns 0 when the line is not such a line (nothing is written). */
__attribute__((target("avx2")))
static inline int simd_b64_line64(const unsigned char *in,
				          unsigned char *out)
{
	__m256i v0, v1;
	__m128i lo1, hi1;

	if ((in[64] != '\n' && in[64] != '\r')
	    || (simd_b64_decode(in, &v0) | simd_b64_decode(in + 32, &v1)) != 0)
		return (0);
	lo1 = _mm256_castsi256_si128(v1);
	hi1 = _mm256_extracti128_si256(v1, 1);
	_mm_storeu_si128((__m128i *) out, _mm256_castsi256_si128(v0));
	_mm_storeu_si128((__m128i *) (out + 16), _mm_unpacklo_epi64(
			      _mm256_extracti128_si256(v0, 1), lo1));
	_mm_storeu_si128((__m128i *) (out + 32), _mm_alignr_epi8(hi1, lo1, 8));
	return (1);
}

/* simd_lines_avx2 - cm_pgp_simd_b64_lines() with AVX2. A line is read
 * 32 characters at a time; the first block that is not all plain
 * tells where the line's base64 ends, which must be a whole quad and
 * the line end. When a plain block ends just before a CR or LF (a line
 * of 64 columns) no block is read past it. */
__attribute__((target("avx2")))
static size_t simd_lines_avx2(const unsigned char *in, size_t len,
			      unsigned char *out, size_t out_max,
			      size_t line_max, size_t *out_len)
{
	const unsigned char *p = in, *end = in + len, *line = in;
	unsigned char *o = out, *o_line = out;
	unsigned bad;
	size_t  n, eol;

	while (end - p >= 32 && (size_t) (o - out) < out_max) {
		if (end - p > 64 && line_max >= 64 && simd_b64_line64(p, o)) {
			p += 64;
			o += 48;
		} else for (;;) {
			if ((bad = simd_b64_block(p, o)) != 0) {
				n = (size_t) __builtin_ctz(bad);
				if (n % 4 != 0)
					goto done;
				p += n;
				o += n / 4 * 3;
				break;
			}
			p += 32;
			o += 24;
			if (p == end || *p == '\n' || *p == '\r')
				break;
			if ((size_t) (p - line) > line_max || end - p < 32)
				goto done;
		}
		n = (size_t) (p - line);
		eol = p == end ? 0 : p[0] == '\n' ? 1 :
			p[0] == '\r' && end - p > 1 && p[1] == '\n' ? 2 : 0;
		if (n == 0 || eol == 0 || n + eol - 1 > line_max)
			break;
		line = p += eol;
		o_line = o;
	}
done:
	*out_len = (size_t) (o_line - out);
	return ((size_t) (line - in));
}

/* simd_crc_block - sixteen octets at p as a polynomial, first octet
 * in the highest bits */
__attribute__((target("pclmul,sse4.1")))
static inline __m128i simd_crc_block(const unsigned char *p)
{
	const __m128i rev = _mm_setr_epi8(15, 14, 13, 12, 11, 10, 9, 8,
					  7, 6, 5, 4, 3, 2, 1, 0);

	return (_mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) p), rev));
}

/* simd_crc_fold - the remainder x moved over as many bits as the
 * constants k (x^(b + 64) high, x^b low, mod P) say */
__attribute__((target("pclmul,sse4.1")))
static inline __m128i simd_crc_fold(__m128i x, __m128i k)
{
	return (_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x11),
			      _mm_clmulepi64_si128(x, k, 0x00)));
}

/* simd_crc_clmul - cm_pgp_simd_crc() with PCLMULQDQ; n >= 16 and a
 * multiple of 16. Four remainders, one for each 16 octets of 64, are
 * folded side by side (a fold waits for the one before it), then
 * joined into one. */
__attribute__((target("pclmul,sse4.1")))
static uint32_t simd_crc_clmul(uint32_t crc, const unsigned char *p,
			       size_t n)
{
	const __m128i k128 = _mm_set_epi64x(CRC_X192, CRC_X128);
	const __m128i down = _mm_set_epi64x(CRC_X64, CRC_X96);
	const __m128i barrett = _mm_set_epi64x(CRC_POLY, CRC_MU);
	__m128i x, x1, x2, x3, y, z, q;
	size_t  i = 16;

	x = _mm_xor_si128(simd_crc_block(p), _mm_set_epi32((int) crc, 0, 0, 0));
	if (n >= 64) {
		const __m128i k512 = _mm_set_epi64x(CRC_X576, CRC_X512);

		x1 = simd_crc_block(p + 16);
		x2 = simd_crc_block(p + 32);
		x3 = simd_crc_block(p + 48);
		for (i = 64; n - i >= 64; i += 64) {
			x = _mm_xor_si128(simd_crc_fold(x, k512),
					  simd_crc_block(p + i));
			x1 = _mm_xor_si128(simd_crc_fold(x1, k512),
					   simd_crc_block(p + i + 16));
			x2 = _mm_xor_si128(simd_crc_fold(x2, k512),
					   simd_crc_block(p + i + 32));
			x3 = _mm_xor_si128(simd_crc_fold(x3, k512),
					   simd_crc_block(p + i + 48));
		}
		x = _mm_xor_si128(simd_crc_fold(x, _mm_set_epi64x(CRC_X448,
								  CRC_X384)),
				  simd_crc_fold(x1, _mm_set_epi64x(CRC_X320,
								   CRC_X256)));
		x = _mm_xor_si128(x, _mm_xor_si128(simd_crc_fold(x2, k128), x3));
	}
	for (; i < n; i += 16)
		x = _mm_xor_si128(simd_crc_fold(x, k128), simd_crc_block(p + i));
	/* X * x^32 = H * x^96 + L * x^32, under 96 bits */
	y = _mm_xor_si128(_mm_clmulepi64_si128(x, down, 0x01),
			  _mm_slli_si128(_mm_move_epi64(x), 4));
	/* its top 32 bits times x^64, under 64 bits */
	z = _mm_xor_si128(_mm_clmulepi64_si128(_mm_srli_si128(y, 8), down, 0x10),
			  _mm_move_epi64(y));
	/* Barrett: q = ((z >> 32) * mu) >> 32, remainder z ^ q * P */
	q = _mm_srli_epi64(_mm_clmulepi64_si128(_mm_srli_epi64(z, 32),
						barrett, 0x00), 32);
	z = _mm_xor_si128(z, _mm_clmulepi64_si128(q, barrett, 0x10));
	return ((uint32_t) _mm_cvtsi128_si32(z));
}

/* cm_pgp_simd_cpu - the kernels this CPU runs */
unsigned cm_pgp_simd_cpu(void)
{
	unsigned have = 0;

	if (__builtin_cpu_supports("avx2"))
		have |= CM_PGP_SIMD_B64;
	if (__builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1"))
		have |= CM_PGP_SIMD_CRC;
	return (have);
}

/* cm_pgp_simd_b64_lines - whole lines of plain base64 */
size_t  cm_pgp_simd_b64_lines(const unsigned char *in, size_t len,
			              unsigned char *out, size_t out_max,
			              size_t line_max, size_t *out_len)
{
	*out_len = 0;
	if (len < 32 || !(cm_pgp_simd_cpu() & CM_PGP_SIMD_B64))
		return (0);
	return (simd_lines_avx2(in, len, out, out_max, line_max, out_len));
}

/* cm_pgp_simd_crc - the CRC24 register over sixteen octets at a time */
size_t  cm_pgp_simd_crc(uint32_t *crc, const unsigned char *p, size_t len)
{
	size_t  n = len / 16 * 16;

	if (n == 0 || !(cm_pgp_simd_cpu() & CM_PGP_SIMD_CRC))
		return (0);
	*crc = simd_crc_clmul(*crc, p, n);
	return (n);
}

#else					/* not x86: the portable code only */

/* cm_pgp_simd_cpu - no kernels here */
unsigned cm_pgp_simd_cpu(void)
{
	return (0);
}

/* cm_pgp_simd_b64_lines - not here */
size_t  cm_pgp_simd_b64_lines(const unsigned char *in, size_t len,
			              unsigned char *out, size_t out_max,
			              size_t line_max, size_t *out_len)
{
	(void) in;
	(void) len;
	(void) out;
	(void) out_max;
	(void) line_max;
	*out_len = 0;
	return (0);
}

/* cm_pgp_simd_crc - not here */
size_t  cm_pgp_simd_crc(uint32_t *crc, const unsigned char *p, size_t len)
{
	(void) crc;
	(void) p;
	(void) len;
	return (0);
}

#endif
