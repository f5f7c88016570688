#ifndef CM_PGP_MIME_H
#define CM_PGP_MIME_H

/*++
 * NAME
 *	cm_pgp_mime 3h
 * SUMMARY
 *	the MIME pieces the encryption gate needs (pure, no I/O)
 * DESCRIPTION
 *	cm_pgp_mime_ct_parse() parses a Content-Type value (RFC 2045
 *	section 5.1; a folded value may still hold its CR/LF, comments are
 *	skipped): type and subtype are matched case-insensitively against
 *	the few the gate knows, the parameters "boundary" (1-70 octets,
 *	no control characters, not ending in a space) and "protocol" are
 *	kept, token or quoted-string, names case-insensitive; other
 *	parameters are ignored. Duplicate boundary/protocol parameters and
 *	RFC 2231 forms of them ("boundary*0=") are refused. Returns NULL
 *	or a static reason.
 *
 *	cm_pgp_mime_delimiter() classifies one body line (without LF):
 *	0 not a delimiter, 1 "--boundary", 2 "--boundary--" (blanks and a
 *	CR may follow either), -1 a line that starts with "--boundary" but
 *	goes on with other text (refused by the gate as ambiguous).
 *
 *	cm_pgp_mime_value_is() compares an unstructured header value with
 *	a word, ignoring case, surrounding blanks and folding.
 *	cm_pgp_mime_cte_identity() is 1 for a Content-Transfer-Encoding of
 *	7bit, 8bit or binary. cm_pgp_mime_blank() is 1 when s holds only
 *	spaces, tabs, CR and LF. cm_pgp_mime_caseeq() is 1 when n octets
 *	are equal ignoring ASCII case (no locale).
 *
 *	cm_pgp_mime_word_is() is 1 when len octets at s equal the n
 *	octets of word ignoring ASCII case; it is inline and meant for
 *	words known when compiling (string literals), which the compiler
 *	then turns into a few whole-word compares.
 *--*/

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CM_PGP_MIME_BOUNDARY_MAX	70

#define CM_PGP_MIME_TABLE_4(f, c) f(c), f((c) + 1), f((c) + 2), f((c) + 3)
#define CM_PGP_MIME_TABLE_16(f, c) \
	CM_PGP_MIME_TABLE_4(f, c), CM_PGP_MIME_TABLE_4(f, (c) + 4), \
	CM_PGP_MIME_TABLE_4(f, (c) + 8), CM_PGP_MIME_TABLE_4(f, (c) + 12)
#define CM_PGP_MIME_TABLE_64(f, c) \
	CM_PGP_MIME_TABLE_16(f, c), CM_PGP_MIME_TABLE_16(f, (c) + 16), \
	CM_PGP_MIME_TABLE_16(f, (c) + 32), CM_PGP_MIME_TABLE_16(f, (c) + 48)
#define CM_PGP_MIME_TABLE(f) \
	CM_PGP_MIME_TABLE_64(f, 0), CM_PGP_MIME_TABLE_64(f, 64), \
	CM_PGP_MIME_TABLE_64(f, 128), CM_PGP_MIME_TABLE_64(f, 192)

enum cm_pgp_mime_type {
	CM_PGP_MIME_OTHER,
	CM_PGP_MIME_MULTIPART_ENCRYPTED,
	CM_PGP_MIME_MULTIPART_MIXED,
	CM_PGP_MIME_MULTIPART_REPORT,
	CM_PGP_MIME_MULTIPART_OTHER,
	CM_PGP_MIME_PGP_ENCRYPTED,	/* application/pgp-encrypted */
	CM_PGP_MIME_OCTET_STREAM,	/* application/octet-stream */
	CM_PGP_MIME_TEXT_PLAIN,
};

struct cm_pgp_mime_ct {
	enum cm_pgp_mime_type type;
	int     protocol;		/* 1 application/pgp-encrypted,
					 * 0 absent, -1 something else */
	size_t  boundary_len;		/* 0 = no boundary parameter */
	char    boundary[CM_PGP_MIME_BOUNDARY_MAX + 1];
};

extern const char *cm_pgp_mime_ct_parse(const char *value, size_t len,
					struct cm_pgp_mime_ct *ct);
extern int cm_pgp_mime_delimiter(const char *line, size_t len,
				 const char *boundary, size_t blen);
extern int cm_pgp_mime_value_is(const char *value, size_t len,
				const char *word);
extern int cm_pgp_mime_cte_identity(const char *value, size_t len);
extern int cm_pgp_mime_blank(const char *s, size_t len);
extern int cm_pgp_mime_caseeq(const char *a, const char *b, size_t n);

/* cm_pgp_mime_letters8 - bit 5 of each octet of w that is an ASCII
 * letter (bit 7 of t marks the octets that are, lowercased, 'a'-'z';
 * no sum carries into the next octet) */
static inline uint64_t cm_pgp_mime_letters8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u, high = ones * 0x80;
	uint64_t lw = (w | (ones * 0x20)) & ~high;
	uint64_t t = (lw + ones * (0x80 - 'a')) & ~(lw + ones * (0x7f - 'z'))
		& ~w & high;

	return (t >> 2);
}

/* cm_pgp_mime_word8 - eight octets at s equal eight of word, ignoring
 * ASCII case: where word has a letter, bit 5 may differ */
static inline int cm_pgp_mime_word8(const char *s, const char *word)
{
	uint64_t x, y, m;

	memcpy(&x, s, 8);
	memcpy(&y, word, 8);
	m = cm_pgp_mime_letters8(y);
	return ((x | m) == (y | m));
}

/* cm_pgp_mime_word_is - s[0..len) equals word[0..n), ignoring case */
static inline int cm_pgp_mime_word_is(const char *s, size_t len,
				              const char *word, size_t n)
{
	size_t  i;

	if (len != n)
		return (0);
	if (n < 8) {
		for (i = 0; i < n; i++) {
			unsigned char w = (unsigned char) word[i];
			unsigned m = ((w | 0x20) >= 'a' && (w | 0x20) <= 'z') ? 0x20 : 0;

			if (((unsigned char) s[i] | m) != (w | m))
				return (0);
		}
		return (1);
	}
	for (i = 0; i + 8 < n; i += 8)
		if (!cm_pgp_mime_word8(s + i, word + i))
			return (0);
	return (cm_pgp_mime_word8(s + n - 8, word + n - 8));
}

#endif
