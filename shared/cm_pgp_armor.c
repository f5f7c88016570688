/*++
 * NAME
 *	cm_pgp_armor 3
 * SUMMARY
 *	streaming ASCII-armor decoder (pure, no I/O)
 * DESCRIPTION
 *	See cm_pgp_armor.h. The line-by-line path decodes base64 four
 *	characters at a time through a 256-entry table; a quad split over
 *	two lines is carried in the struct. The CRC24 (left-aligned,
 *	non-reflected polynomial 0x864CFB) is updated sixteen octets at a
 *	time with slice-by-16 tables, or folded with carry-less products
 *	where the CPU has them (cm_pgp_simd). The decoded octets go to the
 *	packet walker. All tables are built at compile time.
 *
 *	cm_pgp_armor_bulk() is the fast path for the bulk of a message:
 *	it decodes whole plain base64 lines straight from the caller's
 *	chunk (32 characters at a time with AVX2 where the CPU has it; else
 *	a quad is four lookups in tables that hold each character's bits
 *	already in place) into a 4 KB buffer on the stack, checksums them
 *	and walks them a few kilobytes at a time. Any
 *	line it is not sure about (padding, a length that is not a
 *	multiple of four, a CRC or END line, a line cut by the end of the
 *	chunk, a line too long) it leaves to the line-by-line path, so the
 *	verdict does not depend on the path.
 *--*/

#include "cm_pgp_armor.h"
#include "cm_pgp_mime.h"
#include "cm_pgp_simd.h"

#include <string.h>

#define ARMOR_BEFORE	0		/* blank lines before BEGIN */
#define ARMOR_HEADERS	1		/* armor headers, then empty line */
#define ARMOR_DATA	2		/* base64 lines */
#define ARMOR_CRC	3		/* after the CRC line: END next */
#define ARMOR_END	4		/* after END: blank lines only */
#define ARMOR_GAP	5		/* blank line(s) inside the data */
#define ARMOR_FAILED	6

#define ARMOR_BEGIN	"-----BEGIN PGP MESSAGE-----"
#define ARMOR_FINISH	"-----END PGP MESSAGE-----"

#define ARMOR_BULK_OUT	3072		/* octets decoded per flush */
#define ARMOR_FOLD_MIN	128		/* fewer: the CRC tables are faster */

#define B64_PAD		0x40		/* '=' in armor_b64[] */
#define B64_BAD		0x80		/* not base64 */

/* B64_VALUE - the value of base64 character c, -1 if it is none (a
 * constant expression; the execution character set is ASCII) */
#define B64_VALUE(c) \
	((c) >= 'A' && (c) <= 'Z' ? (c) - 'A' : \
	 (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26 : \
	 (c) >= '0' && (c) <= '9' ? (c) - '0' + 52 : \
	 (c) == '+' ? 62 : (c) == '/' ? 63 : -1)

/* Values of base64 characters for the line-by-line path; '=' is
 * B64_PAD, the other octets B64_BAD. */
#define B64_ENTRY(c) ((unsigned char) \
	(B64_VALUE(c) >= 0 ? B64_VALUE(c) : (c) == '=' ? B64_PAD : B64_BAD))

static const unsigned char armor_b64[256] = {CM_PGP_MIME_TABLE(B64_ENTRY)};

/* The fast path's tables, built at compile time: armor_dec[k][c] holds
 * the bits of c as the k-th character of a quad, already in place in
 * the three decoded octets read as a little-endian word (octet 0 in
 * bits 0-7), or DEC_NOT_PLAIN ('=' or not base64) in the fourth octet.
 * A quad is four lookups and three ORs, and its four octets go out in
 * one store; the fourth, zero for plain base64, is overwritten by the
 * next quad. */
#define DEC_NOT_PLAIN	0xff000000u
#define DEC_V(c)	((uint32_t) B64_VALUE(c))
#define DEC_AT(c, bits)	(B64_VALUE(c) < 0 ? DEC_NOT_PLAIN : (bits))
#define DEC_AT0(c)	DEC_AT(c, DEC_V(c) << 2)
#define DEC_AT1(c)	DEC_AT(c, DEC_V(c) >> 4 | (DEC_V(c) & 15) << 12)
#define DEC_AT2(c)	DEC_AT(c, DEC_V(c) >> 2 << 8 | (DEC_V(c) & 3) << 22)
#define DEC_AT3(c)	DEC_AT(c, DEC_V(c) << 16)

static const uint32_t armor_dec[4][256] = {
	{CM_PGP_MIME_TABLE(DEC_AT0)}, {CM_PGP_MIME_TABLE(DEC_AT1)},
	{CM_PGP_MIME_TABLE(DEC_AT2)}, {CM_PGP_MIME_TABLE(DEC_AT3)},
};

/* The CRC24 tables for slice-by-16, built at compile time. Entry
 * [k][b] is the CRC register (24 bits, left-aligned in 32) after the
 * octet b followed by k zero octets went in: [0] is the classic
 * byte-at-a-time table. The CRC is linear, so an entry is the XOR of
 * the entries of the single bits of b: CRC_Tk lists those eight, bit i
 * giving x^(24 + 8k + i) mod 0x864CFB (computed once with the bitwise
 * CRC; tests/shared/test_cm_pgp_armor.c checks cm_pgp_armor_crc24()
 * against the bitwise CRC). */
#define CRC_ENTRY(b, k0, k1, k2, k3, k4, k5, k6, k7) \
	((uint32_t) (((b) & 1 ? k0 : 0) ^ ((b) & 2 ? k1 : 0) \
		     ^ ((b) & 4 ? k2 : 0) ^ ((b) & 8 ? k3 : 0) \
		     ^ ((b) & 16 ? k4 : 0) ^ ((b) & 32 ? k5 : 0) \
		     ^ ((b) & 64 ? k6 : 0) ^ ((b) & 128 ? k7 : 0)) << 8)
#define CRC_T0(b)	CRC_ENTRY(b, 0x864cfb, 0x8ad50d, 0x93e6e1, 0xa18139, \
				  0xc54e89, 0x0cd1e9, 0x19a3d2, 0x3347a4)
#define CRC_T1(b)	CRC_ENTRY(b, 0x668f48, 0xcd1e90, 0x1c71db, 0x38e3b6, \
				  0x71c76c, 0xe38ed8, 0x41514b, 0x82a296)
#define CRC_T2(b)	CRC_ENTRY(b, 0x8309d7, 0x805f55, 0x86f251, 0x8ba859, \
				  0x911c49, 0xa47469, 0xcea429, 0x1b04a9)
#define CRC_T3(b)	CRC_ENTRY(b, 0x360952, 0x6c12a4, 0xd82548, 0x36066b, \
				  0x6c0cd6, 0xd819ac, 0x367fa3, 0x6cff46)
#define CRC_T4(b)	CRC_ENTRY(b, 0xd9fe8c, 0x35b1e3, 0x6b63c6, 0xd6c78c, \
				  0x2bc3e3, 0x5787c6, 0xaf0f8c, 0xd853e3)
#define CRC_T5(b)	CRC_ENTRY(b, 0x36eb3d, 0x6dd67a, 0xdbacf4, 0x311513, \
				  0x622a26, 0xc4544c, 0x0ee463, 0x1dc8c6)
#define CRC_T6(b)	CRC_ENTRY(b, 0x3b918c, 0x772318, 0xee4630, 0x5ac09b, \
				  0xb58136, 0xed4e97, 0x5cd1d5, 0xb9a3aa)
#define CRC_T7(b)	CRC_ENTRY(b, 0xf50baf, 0x6c5ba5, 0xd8b74a, 0x37226f, \
				  0x6e44de, 0xdc89bc, 0x3f5f83, 0x7ebf06)
#define CRC_T8(b)	CRC_ENTRY(b, 0xfd7e0c, 0x7cb0e3, 0xf961c6, 0x748f77, \
				  0xe91eee, 0x547127, 0xa8e24e, 0xd78867)
#define CRC_T9(b)	CRC_ENTRY(b, 0x295c35, 0x52b86a, 0xa570d4, 0xccad53, \
				  0x1f165d, 0x3e2cba, 0x7c5974, 0xf8b2e8)
#define CRC_T10(b)	CRC_ENTRY(b, 0x77292b, 0xee5256, 0x5ae857, 0xb5d0ae, \
				  0xededa7, 0x5d97b5, 0xbb2f6a, 0xf0122f)
#define CRC_T11(b)	CRC_ENTRY(b, 0x6668a5, 0xccd14a, 0x1fee6f, 0x3fdcde, \
				  0x7fb9bc, 0xff7378, 0x78aa0b, 0xf15416)
#define CRC_T12(b)	CRC_ENTRY(b, 0x64e4d7, 0xc9c9ae, 0x15dfa7, 0x2bbf4e, \
				  0x577e9c, 0xaefd38, 0xdbb68b, 0x3121ed)
#define CRC_T13(b)	CRC_ENTRY(b, 0x6243da, 0xc487b4, 0x0f4393, 0x1e8726, \
				  0x3d0e4c, 0x7a1c98, 0xf43930, 0x6e3e9b)
#define CRC_T14(b)	CRC_ENTRY(b, 0xdc7d36, 0x3eb697, 0x7d6d2e, 0xfada5c, \
				  0x73f843, 0xe7f086, 0x49adf7, 0x935bee)
#define CRC_T15(b)	CRC_ENTRY(b, 0xa0fb27, 0xc7bab5, 0x093991, 0x127322, \
				  0x24e644, 0x49cc88, 0x939910, 0xa17edb)

static const uint32_t armor_crc_table[16][256] = {
	{CM_PGP_MIME_TABLE(CRC_T0)}, {CM_PGP_MIME_TABLE(CRC_T1)},
	{CM_PGP_MIME_TABLE(CRC_T2)}, {CM_PGP_MIME_TABLE(CRC_T3)},
	{CM_PGP_MIME_TABLE(CRC_T4)}, {CM_PGP_MIME_TABLE(CRC_T5)},
	{CM_PGP_MIME_TABLE(CRC_T6)}, {CM_PGP_MIME_TABLE(CRC_T7)},
	{CM_PGP_MIME_TABLE(CRC_T8)}, {CM_PGP_MIME_TABLE(CRC_T9)},
	{CM_PGP_MIME_TABLE(CRC_T10)}, {CM_PGP_MIME_TABLE(CRC_T11)},
	{CM_PGP_MIME_TABLE(CRC_T12)}, {CM_PGP_MIME_TABLE(CRC_T13)},
	{CM_PGP_MIME_TABLE(CRC_T14)}, {CM_PGP_MIME_TABLE(CRC_T15)},
};

/* ARMOR_CRC_HEAD - the first three octets at p where they meet the
 * register (p[3] is read too, then masked: one load for the compiler) */
#define ARMOR_CRC_HEAD(p) \
	(((uint32_t) (p)[0] << 24 | (uint32_t) (p)[1] << 16 \
	  | (uint32_t) (p)[2] << 8 | (p)[3]) & 0xffffff00u)

/* armor_crc_step16 - slice-by-16: sixteen octets at p into the register
 * c. Its low octet is always zero (the CRC is 24 bits, left-aligned),
 * so only three lookups wait for c; the other thirteen depend on the
 * data alone and are done while the previous step is still running. */
static inline uint32_t armor_crc_step16(uint32_t c, const unsigned char *p)
{
	const uint32_t (*t)[256] = armor_crc_table;
	uint32_t d, x;

	d = t[12][p[3]] ^ t[11][p[4]] ^ t[10][p[5]] ^ t[9][p[6]] ^ t[8][p[7]]
		^ t[7][p[8]] ^ t[6][p[9]] ^ t[5][p[10]] ^ t[4][p[11]]
		^ t[3][p[12]] ^ t[2][p[13]] ^ t[1][p[14]] ^ t[0][p[15]];
	x = c ^ ARMOR_CRC_HEAD(p);
	return (d ^ t[15][x >> 24] ^ t[14][(x >> 16) & 0xff]
		^ t[13][(x >> 8) & 0xff]);
}

/* armor_crc_step8 - the same for eight octets (the tail of a piece) */
static inline uint32_t armor_crc_step8(uint32_t c, const unsigned char *p)
{
	const uint32_t (*t)[256] = armor_crc_table;
	uint32_t d, x;

	d = t[4][p[3]] ^ t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
	x = c ^ ARMOR_CRC_HEAD(p);
	return (d ^ t[7][x >> 24] ^ t[6][(x >> 16) & 0xff]
		^ t[5][(x >> 8) & 0xff]);
}

/* armor_crc_update - CRC24 (left-aligned in 32 bits) over n octets */
static uint32_t armor_crc_update(uint32_t c, const unsigned char *p,
				 size_t n)
{
	for (; n >= 16; n -= 16, p += 16)
		c = armor_crc_step16(c, p);
	if (n >= 8) {
		c = armor_crc_step8(c, p);
		p += 8;
		n -= 8;
	}
	while (n-- > 0)
		c = (c << 8) ^ armor_crc_table[0][(c >> 24) ^ *p++];
	return (c);
}

/* armor_crc - the CRC24 register c over n octets, with the CRC kernel
 * when simd allows it and there is enough to fold */
static uint32_t armor_crc(unsigned simd, uint32_t c, const unsigned char *p,
			          size_t n)
{
	size_t  done;

	if ((simd & CM_PGP_SIMD_CRC) && n >= ARMOR_FOLD_MIN) {
		done = cm_pgp_simd_crc(&c, p, n);
		p += done;
		n -= done;
	}
	return (armor_crc_update(c, p, n));
}

/* cm_pgp_armor_crc24 - RFC 4880 CRC24, continued over len octets */
uint32_t cm_pgp_armor_crc24(uint32_t crc, const void *data, size_t len)
{
	return (armor_crc(cm_pgp_simd_cpu(), (crc & 0xffffff) << 8, data, len)
		>> 8);
}

/* cm_pgp_armor_init - a fresh decoder */
void    cm_pgp_armor_init(struct cm_pgp_armor *armor, int outgoing)
{
	/* Member by member: a memset() of the struct is inlined as a
	 * slow "rep stos" by some compilers. */
	armor->state = ARMOR_BEFORE;
	armor->outgoing = outgoing;
	armor->crc = CM_PGP_ARMOR_CRC24_INIT << 8;
	memset(armor->quad, 0, sizeof(armor->quad));
	armor->nquad = 0;
	armor->padded = 0;
	armor->simd = cm_pgp_simd_cpu();
	cm_pgp_packet_init(&armor->pkt);
	armor->reason = NULL;
}

/* armor_fail - remember the first error */
static int armor_fail(struct cm_pgp_armor *armor, const char *reason)
{
	armor->state = ARMOR_FAILED;
	armor->reason = reason;
	return (-1);
}

/* armor_is - the line is exactly text */
static int armor_is(const char *line, size_t len, const char *text)
{
	size_t  tlen = strlen(text);

	return (len == tlen && memcmp(line, text, tlen) == 0);
}

/* armor_blank - the line holds only blanks */
static int armor_blank(const char *line, size_t len)
{
	size_t  i;

	for (i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t')
			return (0);
	return (1);
}

/* armor_header - one "Key: value" armor header line */
static int armor_header(struct cm_pgp_armor *armor, const char *line,
			size_t len)
{
	size_t  key;

	for (key = 0; key < len; key++) {
		unsigned char c = (unsigned char) line[key];

		if (c == ':' || c <= ' ' || c >= 0x7f)
			break;
	}
	if (key == 0 || key == len || line[key] != ':'
	    || (key + 1 < len && line[key + 1] != ' '))
		return (armor_fail(armor, "bad armor header line"));
	if (armor->outgoing && cm_pgp_mime_word_is(line, key, "Version", 7))
		return (armor_fail(armor, "armor Version header"));
	return (0);
}

/* armor_quad - decode the carried quad (may hold padding) into out */
static int armor_quad(struct cm_pgp_armor *armor, unsigned char *out,
		      size_t *o)
{
	unsigned v[4];
	unsigned i;
	uint32_t w;

	for (i = 0; i < 4; i++)
		v[i] = armor_b64[armor->quad[i]];
	armor->nquad = 0;
	if ((v[0] | v[1]) & B64_PAD)
		return (armor_fail(armor, "bad base64 padding"));
	if ((v[2] & B64_PAD) && !(v[3] & B64_PAD))
		return (armor_fail(armor, "bad base64 padding"));
	w = (v[0] << 18) | (v[1] << 12) | ((v[2] & 0x3f) << 6) | (v[3] & 0x3f);
	out[(*o)++] = (unsigned char) (w >> 16);
	if (v[2] & B64_PAD) {
		armor->padded = 1;
		return (0);
	}
	out[(*o)++] = (unsigned char) (w >> 8);
	if (v[3] & B64_PAD) {
		armor->padded = 1;
		return (0);
	}
	out[(*o)++] = (unsigned char) w;
	return (0);
}

/* armor_decode - base64 of one line into out; *o gets the length */
static int armor_decode(struct cm_pgp_armor *armor, const unsigned char *s,
			size_t len, unsigned char *out, size_t *o)
{
	size_t  i = 0;

	*o = 0;
	if (armor->nquad == 0 && !armor->padded) {
		for (; i + 4 <= len; i += 4) {
			unsigned v0 = armor_b64[s[i]], v1 = armor_b64[s[i + 1]];
			unsigned v2 = armor_b64[s[i + 2]], v3 = armor_b64[s[i + 3]];
			uint32_t w;

			if ((v0 | v1 | v2 | v3) & (B64_PAD | B64_BAD))
				break;
			w = (v0 << 18) | (v1 << 12) | (v2 << 6) | v3;
			out[*o] = (unsigned char) (w >> 16);
			out[*o + 1] = (unsigned char) (w >> 8);
			out[*o + 2] = (unsigned char) w;
			*o += 3;
		}
	}
	for (; i < len; i++) {
		if (armor_b64[s[i]] & B64_BAD)
			return (armor_fail(armor, "bad base64 character"));
		if (armor->padded)
			return (armor_fail(armor, "base64 data after padding"));
		armor->quad[armor->nquad++] = s[i];
		if (armor->nquad == 4 && armor_quad(armor, out, o) < 0)
			return (-1);
	}
	return (0);
}

/* armor_data - one base64 line: decode, checksum, walk */
static int armor_data(struct cm_pgp_armor *armor, const char *line,
		      size_t len)
{
	unsigned char out[CM_PGP_ARMOR_LINE_MAX / 4 * 3 + 3];
	size_t  o;

	if (len > CM_PGP_ARMOR_LINE_MAX)
		return (armor_fail(armor, "armor line too long"));
	if (armor_decode(armor, (const unsigned char *) line, len, out, &o) < 0)
		return (-1);
	armor->crc = armor_crc(armor->simd, armor->crc, out, o);
	if (cm_pgp_packet_feed(&armor->pkt, out, o) < 0)
		return (armor_fail(armor, armor->pkt.reason));
	return (0);
}

/* armor_crc_line - "=XXXX": the CRC24 of everything decoded */
static int armor_crc_line(struct cm_pgp_armor *armor, const char *line,
			  size_t len)
{
	const unsigned char *s = (const unsigned char *) line;
	uint32_t want = 0;
	size_t  i;

	if (armor->nquad != 0)
		return (armor_fail(armor, "bad base64 padding"));
	if (len != 5)
		return (armor_fail(armor, "bad CRC24 line"));
	for (i = 1; i < 5; i++) {
		if (armor_b64[s[i]] & (B64_PAD | B64_BAD))
			return (armor_fail(armor, "bad CRC24 line"));
		want = (want << 6) | armor_b64[s[i]];
	}
	if (want != armor->crc >> 8)
		return (armor_fail(armor, "bad CRC24"));
	armor->state = ARMOR_CRC;
	return (0);
}

/* armor_finish_line - "-----END PGP MESSAGE-----" */
static int armor_finish_line(struct cm_pgp_armor *armor)
{
	const char *why;

	if (armor->nquad != 0)
		return (armor_fail(armor, "incomplete base64 quad"));
	if (cm_pgp_packet_end(&armor->pkt, &why) < 0)
		return (armor_fail(armor, why));
	armor->state = ARMOR_END;
	return (0);
}

/* armor_body_line - a line after the armor headers */
static int armor_body_line(struct cm_pgp_armor *armor, const char *line,
			   size_t len)
{
	if (len == 0) {
		/* The part may end here (truncated armor), or go on. */
		armor->state = ARMOR_GAP;
		return (0);
	}
	if (line[0] == '-') {
		if (armor_is(line, len, ARMOR_FINISH))
			return (armor_finish_line(armor));
		return (armor_fail(armor, "bad armor line"));
	}
	if (armor->state == ARMOR_CRC)
		return (armor_fail(armor, "text after CRC24 line"));
	if (line[0] == '=')
		return (armor_crc_line(armor, line, len));
	return (armor_data(armor, line, len));
}

/* cm_pgp_armor_line - one line of the part's body */
int     cm_pgp_armor_line(struct cm_pgp_armor *armor, const char *line,
			          size_t len)
{
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '
			   || line[len - 1] == '\t'))
		len--;
	switch (armor->state) {
	case ARMOR_DATA:
	case ARMOR_CRC:
		return (armor_body_line(armor, line, len));
	case ARMOR_BEFORE:
		if (armor_blank(line, len))
			return (0);
		if (armor_is(line, len, ARMOR_BEGIN)) {
			armor->state = ARMOR_HEADERS;
			return (0);
		}
		return (armor_fail(armor, len > 15
				   && memcmp(line, "-----BEGIN PGP ", 15) == 0 ?
				   "not a PGP MESSAGE armor" : "text before armor"));
	case ARMOR_HEADERS:
		if (len == 0) {
			armor->state = ARMOR_DATA;
			return (0);
		}
		return (armor_header(armor, line, len));
	case ARMOR_END:
		if (armor_blank(line, len))
			return (0);
		return (armor_fail(armor, "text after armor"));
	case ARMOR_GAP:
		if (len == 0)
			return (0);
		return (armor_fail(armor, "blank line in armor"));
	default:
		return (-1);
	}
}

/* armor_eol - length of the line end at p (LF or CRLF), 0 if none */
static size_t armor_eol(const unsigned char *p, const unsigned char *end)
{
	if (p < end && p[0] == '\n')
		return (1);
	if (p + 1 < end && p[0] == '\r' && p[1] == '\n')
		return (2);
	return (0);
}

/* armor_quads - decode the plain quads of [p, lim) to out (one octet
 * more is written); returns where it stopped: at the last whole quad,
 * or before the first one holding padding or a non-base64 octet (such
 * as the CR or LF ending the line) */
static const unsigned char *armor_quads(const unsigned char *p,
				              const unsigned char *lim,
				              unsigned char **out)
{
	const uint32_t (*d)[256] = armor_dec;
	const unsigned char *end = p + (size_t) (lim - p) / 4 * 4;
	unsigned char *o = *out;

	for (; p < end; p += 4, o += 3) {
		uint32_t w = d[0][p[0]] | d[1][p[1]] | d[2][p[2]] | d[3][p[3]];

		/* Little-endian order, one store on such hosts; a quad that
		 * is not plain is stored too, but o does not move past it. */
		o[0] = (unsigned char) w;
		o[1] = (unsigned char) (w >> 8);
		o[2] = (unsigned char) (w >> 16);
		o[3] = (unsigned char) (w >> 24);
		if (w & DEC_NOT_PLAIN)
			break;
	}
	*out = o;
	return (p);
}

/* armor_flush - checksum the rest of and walk the octets decoded by
 * the fast path; crc_at is where the checksum got to */
static int armor_flush(struct cm_pgp_armor *armor, const unsigned char *out,
		               const unsigned char *crc_at,
		               const unsigned char *o)
{
	armor->crc = armor_crc(armor->simd, armor->crc, crc_at,
			       (size_t) (o - crc_at));
	if (cm_pgp_packet_feed(&armor->pkt, out, (size_t) (o - out)) < 0)
		return (armor_fail(armor, armor->pkt.reason));
	return (0);
}

/* armor_bulk - cm_pgp_armor_bulk() in the data section. The base64
 * kernel, where there is one, takes as many lines as it can; then one
 * line is decoded here, and so on. Without the CRC kernel the CRC
 * follows the decoding line by line, sixteen octets at a time, so that
 * its chain of lookups runs alongside the decoding of the next line;
 * with it, the CRC is folded over all the octets at each flush. The
 * packets are walked once per ARMOR_BULK_OUT octets. */
static size_t armor_bulk(struct cm_pgp_armor *armor, const char *data,
		               size_t len)
{
	unsigned char out[ARMOR_BULK_OUT + CM_PGP_ARMOR_LINE_MAX
			  + CM_PGP_SIMD_SLACK];
	const unsigned char *s = (const unsigned char *) data, *end = s + len;
	const unsigned char *line = s, *crc_at = out;
	unsigned char *o = out;
	uint32_t crc = armor->crc;	/* a local: not reloaded after
					 * each unsigned char store */
	const unsigned simd = armor->simd;
	size_t  n;

	while (line < end) {
		const unsigned char *lim, *p;
		unsigned char *o0;
		size_t  eol;

		if (o - out >= ARMOR_BULK_OUT) {
			armor->crc = crc;
			if (armor_flush(armor, out, crc_at, o) < 0)
				return ((size_t) (line - s));
			crc = armor->crc;
			o = out;
			crc_at = out;
		}
		if (simd & CM_PGP_SIMD_B64) {
			line += cm_pgp_simd_b64_lines(line, (size_t) (end - line), o,
					    ARMOR_BULK_OUT - (size_t) (o - out),
						    CM_PGP_ARMOR_LINE_MAX, &n);
			o += n;
			if (line == end)
				break;
			if (o - out >= ARMOR_BULK_OUT)
				continue;
		}
		lim = end - line > CM_PGP_ARMOR_LINE_MAX ?
			line + CM_PGP_ARMOR_LINE_MAX : end;
		o0 = o;
		p = armor_quads(line, lim, &o);

		/* Not a plain whole line, or longer (CR included) than the
		 * line-by-line path accepts: leave it to that path. */
		if (p == line || (eol = armor_eol(p, end)) == 0
		    || (size_t) (p - line) + eol - 1 > CM_PGP_ARMOR_LINE_MAX) {
			o = o0;
			break;
		}
		line = p + eol;
		if (!(simd & CM_PGP_SIMD_CRC))
			for (; o - crc_at >= 16; crc_at += 16)
				crc = armor_crc_step16(crc, crc_at);
	}
	armor->crc = crc;
	if (o > out)
		armor_flush(armor, out, crc_at, o);
	return ((size_t) (line - s));
}

/* cm_pgp_armor_bulk - the fast path over whole plain base64 lines */
size_t  cm_pgp_armor_bulk(struct cm_pgp_armor *armor, const char *data,
			          size_t len)
{
	if (armor->state != ARMOR_DATA || armor->nquad != 0 || armor->padded)
		return (0);
	return (armor_bulk(armor, data, len));
}

/* cm_pgp_armor_end - the part is over */
int     cm_pgp_armor_end(struct cm_pgp_armor *armor, const char **reason_r)
{
	if (armor->state == ARMOR_END)
		return (0);
	if (armor->state == ARMOR_BEFORE)
		armor_fail(armor, "no armor in part 2");
	else if (armor->state != ARMOR_FAILED)
		armor_fail(armor, "truncated armor");
	if (reason_r != NULL)
		*reason_r = armor->reason;
	return (-1);
}
