/*++
 * NAME
 *	cm_pgp_mime 3
 * SUMMARY
 *	the MIME pieces the encryption gate needs (pure, no I/O)
 * DESCRIPTION
 *	See cm_pgp_mime.h. Header values are read with a pointer up to an
 *	end: no copy except the boundary and protocol values, which go to
 *	fixed-size buffers. CR and LF count as white space so a folded
 *	value needs no unfolding first; inside a quoted string they are
 *	dropped (that is what unfolding does there). Octets are classed
 *	through one table built at compile time, and tokens are spanned
 *	four at a time; the few tokens the parser tells apart (types,
 *	subtypes, "boundary", "protocol") are matched in place instead,
 *	and quoted text is spanned sixteen octets at a time with SSE2.
 *	Case-insensitive compares take eight octets at a time.
 *--*/

#include "cm_pgp_mime.h"

#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define MIME_PROTOCOL	"application/pgp-encrypted"
#define MIME_VALUE_MAX	64		/* protocol value kept for compare */
#define MIME_BAD	"bad Content-Type"
#define MIME_NO_VALUE	((size_t) -1)	/* mime_value(): bad or too long */

/* Character classes, one bit each in mime_class[]. */
#define MIME_WS		0x01		/* space, tab, CR, LF */
#define MIME_TSPECIAL	0x02		/* ends a token */
#define MIME_BARE_END	0x04		/* ends a lenient bare value */
#define MIME_QUOTE_END	0x08		/* needs a look in a quoted string */
#define MIME_CFWS	0x10		/* starts white space or a comment */
#define MIME_CTL	0x20		/* a control: not in a boundary */

#define MIME_IS_WS(c) \
	((c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '\n')
#define MIME_IS_CTL(c)	((c) <= ' ' || (c) >= 0x7f)	/* and space */
/* RFC 2045 tspecials, space, controls and octets >= 0x7f */
#define MIME_IS_TSPECIAL(c) \
	(MIME_IS_CTL(c) || (c) == '(' || (c) == ')' || (c) == '<' \
	 || (c) == '>' || (c) == '@' || (c) == ',' || (c) == ';' || (c) == ':' \
	 || (c) == '\\' || (c) == '"' || (c) == '/' || (c) == '[' \
	 || (c) == ']' || (c) == '?' || (c) == '=')
/* Not in a lenient bare value: see mime_value() */
#define MIME_IS_BARE_END(c) \
	(MIME_IS_CTL(c) || (c) == ';' || (c) == '"' || (c) == '(')
/* Ends a plain run in a quoted string: see mime_value() */
#define MIME_IS_QUOTE_END(c) \
	((c) == '"' || (c) == '\\' || (c) == '\r' || (c) == '\n')
#define MIME_CLASS(c) \
	((MIME_IS_WS(c) ? MIME_WS : 0) \
	 | (MIME_IS_TSPECIAL(c) ? MIME_TSPECIAL : 0) \
	 | (MIME_IS_BARE_END(c) ? MIME_BARE_END : 0) \
	 | (MIME_IS_QUOTE_END(c) ? MIME_QUOTE_END : 0) \
	 | (MIME_IS_WS(c) || (c) == '(' ? MIME_CFWS : 0) \
	 | ((c) < ' ' || (c) == 0x7f ? MIME_CTL : 0))

static const unsigned char mime_class[256] = {CM_PGP_MIME_TABLE(MIME_CLASS)};

/* MIME_IS - a token equals a string literal, ignoring case */
#define MIME_IS(tok, len, lit) \
	cm_pgp_mime_word_is((tok), (len), (lit), sizeof(lit) - 1)

/* mime_ws - white space, folding included */
static int mime_ws(char c)
{
	return (mime_class[(unsigned char) c] & MIME_WS);
}

/* MIME_STOP - octet p[i] is of a class in stop */
#define MIME_STOP(p, i, stop) (mime_class[(unsigned char) (p)[i]] & (stop))

/* mime_span - the first octet in [p, end) of a class in stop, or end
 * (four octets a turn while there are four) */
static inline const char *mime_span(const char *p, const char *end,
				     unsigned stop)
{
	for (; end - p >= 4; p += 4) {
		if (MIME_STOP(p, 0, stop))
			return (p);
		if (MIME_STOP(p, 1, stop))
			return (p + 1);
		if (MIME_STOP(p, 2, stop))
			return (p + 2);
		if (MIME_STOP(p, 3, stop))
			return (p + 3);
	}
	while (p < end && !MIME_STOP(p, 0, stop))
		p++;
	return (p);
}

/* mime_quoted_run - the first octet in [p, end) that ends a plain run
 * of a quoted string ('"', '\\', CR, LF), or end: quoted values run
 * longer than tokens, so where SSE2 is (all of x86-64) sixteen octets
 * are looked at a time */
static inline const char *mime_quoted_run(const char *p, const char *end)
{
#ifdef __SSE2__
	for (; end - p >= 16; p += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *) p);
		__m128i m = _mm_or_si128(
			      _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
				    _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
			     _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\r')),
				    _mm_cmpeq_epi8(x, _mm_set1_epi8('\n'))));
		unsigned bits = (unsigned) _mm_movemask_epi8(m);

		if (bits != 0)
			return (p + __builtin_ctz(bits));
	}
#endif
	return (mime_span(p, end, MIME_QUOTE_END));
}

/* mime_comment - past the (nested) comment opening at p; NULL when it
 * is not closed */
static const char *mime_comment(const char *p, const char *end)
{
	int     depth = 0;

	for (; p < end; p++) {
		if (*p == '\\' && p + 1 < end)
			p++;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return (p + 1);
	}
	return (NULL);
}

/* mime_skip_slow - past white space and (nested) comments at p; NULL
 * when a comment is not closed */
static const char *mime_skip_slow(const char *p, const char *end)
{
	while (p < end) {
		if (mime_ws(*p))
			p++;
		else if (*p != '(')
			break;
		else if ((p = mime_comment(p, end)) == NULL)
			return (NULL);
	}
	return (p);
}

/* mime_skip - the same, at once when there is nothing to skip */
static inline const char *mime_skip(const char *p, const char *end)
{
	if (p < end && MIME_STOP(p, 0, MIME_CFWS))
		return (mime_skip_slow(p, end));
	return (p);
}

/* mime_caseeq8 - eight octets equal ignoring ASCII case: they may
 * differ only in bit 5 of an octet, and only where that octet is a
 * letter */
static inline int mime_caseeq8(uint64_t x, uint64_t y)
{
	return (((x ^ y) & ~cm_pgp_mime_letters8(x)) == 0);
}

/* mime_load8 - eight octets at p as a word (any byte order) */
static uint64_t mime_load8(const char *p)
{
	uint64_t x;

	memcpy(&x, p, 8);
	return (x);
}

/* cm_pgp_mime_caseeq - n octets equal, ignoring ASCII case */
int     cm_pgp_mime_caseeq(const char *a, const char *b, size_t n)
{
	uint64_t x0, y0, x1, y1;
	size_t  i;

	if (n >= 8) {
		/* Eight at a time, the last eight overlapping the ones before;
		 * octets equal as they are need no more work. */
		for (i = 0; i + 16 < n; i += 8)
			if (!mime_caseeq8(mime_load8(a + i), mime_load8(b + i)))
				return (0);
		x0 = mime_load8(a + i);
		y0 = mime_load8(b + i);
		x1 = mime_load8(a + n - 8);
		y1 = mime_load8(b + n - 8);
		if (x0 == y0 && x1 == y1)
			return (1);
		return (mime_caseeq8(x0, y0) && mime_caseeq8(x1, y1));
	}
	for (i = 0; i < n; i++) {
		unsigned char x = (unsigned char) a[i], y = (unsigned char) b[i];

		if (x != y && ((x | 0x20) != (y | 0x20) || (x | 0x20) < 'a'
			       || (x | 0x20) > 'z'))
			return (0);
	}
	return (1);
}

/* mime_value - a token or quoted-string at p into buf (NUL-ended);
 * returns where it stopped and *len_r, MIME_NO_VALUE when bad or too
 * long (parsing may go on from there: a bad protocol is not fatal) */
static const char *mime_value(const char *p, const char *end, char *buf,
			              size_t size, size_t *len_r)
{
	const char *run;
	size_t  len = 0, n;

	*len_r = MIME_NO_VALUE;
	if (p == end || *p != '"') {
		run = p;
		p = mime_span(p, end, MIME_BARE_END);
		if ((len = (size_t) (p - run)) == 0 || len >= size)
			return (p);
		memcpy(buf, run, len);
	} else {
		for (p++;; p++) {
			/* Copy the plain run up to '"', '\\', CR or LF. */
			p = mime_quoted_run(run = p, end);
			if (len + (n = (size_t) (p - run)) >= size)
				return (run + (size - 1 - len)); /* no room */
			if (p == end)
				return (p);
			memcpy(buf + len, run, n);
			len += n;
			if (*p == '"')
				break;
			if (*p == '\\') {	/* the next octet, whatever */
				if (++p == end || len + 1 >= size)
					return (p);
				buf[len++] = *p;
			}			/* a CR or LF is dropped */
		}
		p++;
	}
	buf[len] = '\0';
	*len_r = len;
	return (p);
}

/* mime_skip_value - past the value of a parameter not kept; NULL bad */
static const char *mime_skip_value(const char *p, const char *end)
{
	const char *start = p;

	if (p == end || *p != '"') {
		p = mime_span(p, end, MIME_BARE_END);
		return (p == start ? NULL : p);
	}
	for (p++;;) {
		p = mime_quoted_run(p, end);
		if (p == end)
			return (NULL);
		if (*p == '"')
			return (p + 1);
		p += *p == '\\' && p + 1 < end ? 2 : 1;
	}
}

/* MIME_WORD_AT - the token at p is the string literal lit, ignoring
 * case: lit is there and no token octet follows it. The few tokens the
 * parser tells apart are matched in place like this, eight octets a
 * compare; only other tokens are spanned octet by octet. */
#define MIME_WORD_AT(p, end, lit) \
	mime_word_at((p), (end), (lit), sizeof(lit) - 1)

static inline int mime_word_at(const char *p, const char *end,
			               const char *word, size_t n)
{
	if ((size_t) (end - p) < n || !cm_pgp_mime_word_is(p, n, word, n))
		return (0);
	return ((size_t) (end - p) == n || MIME_STOP(p, n, MIME_TSPECIAL));
}

#define MIME_MAJOR_OTHER	0
#define MIME_MAJOR_MULTIPART	1
#define MIME_MAJOR_APPLICATION	2
#define MIME_MAJOR_TEXT		3

/* MIME_KNOWN - the token at p is lit: *pp goes past it, the answer is
 * k (for the type and subtype parsers below) */
#define MIME_KNOWN(lit, k) \
	if (MIME_WORD_AT(p, end, lit)) { \
		*pp = p + sizeof(lit) - 1; \
		return (k); \
	}

/* mime_major - the type token at *pp (moved past it; NULL when there
 * is none): which of the known ones */
static int mime_major(const char **pp, const char *end)
{
	const char *p = *pp;

	MIME_KNOWN("multipart", MIME_MAJOR_MULTIPART);
	MIME_KNOWN("application", MIME_MAJOR_APPLICATION);
	MIME_KNOWN("text", MIME_MAJOR_TEXT);
	*pp = mime_span(p, end, MIME_TSPECIAL);
	if (*pp == p)
		*pp = NULL;
	return (MIME_MAJOR_OTHER);
}

/* mime_minor - the subtype token at *pp (moved past it; NULL when
 * there is none) after a type of kind major: the known pairs */
static enum cm_pgp_mime_type mime_minor(int major, const char **pp,
					        const char *end)
{
	const char *p = *pp;
	enum cm_pgp_mime_type other = CM_PGP_MIME_OTHER;

	switch (major) {
	case MIME_MAJOR_MULTIPART:
		MIME_KNOWN("encrypted", CM_PGP_MIME_MULTIPART_ENCRYPTED);
		MIME_KNOWN("mixed", CM_PGP_MIME_MULTIPART_MIXED);
		MIME_KNOWN("report", CM_PGP_MIME_MULTIPART_REPORT);
		other = CM_PGP_MIME_MULTIPART_OTHER;
		break;
	case MIME_MAJOR_APPLICATION:
		MIME_KNOWN("pgp-encrypted", CM_PGP_MIME_PGP_ENCRYPTED);
		MIME_KNOWN("octet-stream", CM_PGP_MIME_OCTET_STREAM);
		break;
	case MIME_MAJOR_TEXT:
		MIME_KNOWN("plain", CM_PGP_MIME_TEXT_PLAIN);
		break;
	}
	*pp = mime_span(p, end, MIME_TSPECIAL);
	if (*pp == p)
		*pp = NULL;
	return (other);
}

/* mime_boundary_ok - 1-70 octets, no controls, no trailing space */
static int mime_boundary_ok(const char *b, size_t len)
{
	if (len == 0 || len > CM_PGP_MIME_BOUNDARY_MAX || b[len - 1] == ' ')
		return (0);
	return (mime_span(b, b + len, MIME_CTL) == b + len);
}

/* mime_param - one "name=value" parameter at *pp */
static const char *mime_param(const char **pp, const char *end,
			              struct cm_pgp_mime_ct *ct)
{
	char    val[MIME_VALUE_MAX + 1];
	const char *name = *pp, *p;
	size_t  nlen, vlen;
	int     which = 0;		/* 1 boundary, 2 protocol, 0 other */

	if (MIME_WORD_AT(name, end, "boundary"))
		which = 1;
	else if (MIME_WORD_AT(name, end, "protocol"))
		which = 2;
	if (which != 0) {
		p = name + 8;
	} else {
		p = mime_span(name, end, MIME_TSPECIAL);
		if ((nlen = (size_t) (p - name)) == 0)
			return (MIME_BAD);
		if ((nlen > 8 && MIME_IS(name, 9, "boundary*"))
		    || (nlen > 8 && MIME_IS(name, 9, "protocol*")))
			return ("RFC 2231 boundary or protocol");
	}
	if ((p = mime_skip(p, end)) == NULL || p == end || *p != '='
	    || (p = mime_skip(p + 1, end)) == NULL)
		return (MIME_BAD);
	if (which == 1) {
		if (ct->boundary_len != 0)
			return ("duplicate boundary parameter");
		p = mime_value(p, end, ct->boundary, sizeof(ct->boundary),
			       &vlen);
		if (vlen == MIME_NO_VALUE
		    || !mime_boundary_ok(ct->boundary, vlen))
			return ("bad boundary");
		ct->boundary_len = vlen;
	} else if (which == 2) {
		if (ct->protocol != 0)
			return ("duplicate protocol parameter");
		p = mime_value(p, end, val, sizeof(val), &vlen);
		ct->protocol = vlen != MIME_NO_VALUE
			&& MIME_IS(val, vlen, MIME_PROTOCOL) ? 1 : -1;
	} else if ((p = mime_skip_value(p, end)) == NULL) {
		return (MIME_BAD);	/* its length does not matter */
	}
	*pp = p;
	return (NULL);
}

/* cm_pgp_mime_ct_parse - parse a Content-Type value */
const char *cm_pgp_mime_ct_parse(const char *value, size_t len,
				         struct cm_pgp_mime_ct *ct)
{
	const char *p = value, *end = value + len;
	const char *why;
	int     major;

	ct->type = CM_PGP_MIME_OTHER;	/* no memset: the boundary octets */
	ct->protocol = 0;		/* past boundary_len are not read */
	ct->boundary_len = 0;
	ct->boundary[0] = '\0';
	if ((p = mime_skip(p, end)) == NULL)
		return (MIME_BAD);
	major = mime_major(&p, end);
	if (p == NULL || (p = mime_skip(p, end)) == NULL
	    || p == end || *p != '/' || (p = mime_skip(p + 1, end)) == NULL)
		return (MIME_BAD);
	ct->type = mime_minor(major, &p, end);
	if (p == NULL) {
		ct->type = CM_PGP_MIME_OTHER;
		return (MIME_BAD);
	}
	for (;;) {
		if ((p = mime_skip(p, end)) == NULL)
			return (MIME_BAD);
		if (p == end)
			return (NULL);
		if (*p != ';' || (p = mime_skip(p + 1, end)) == NULL)
			return (MIME_BAD);
		if (p == end)
			return (NULL);
		if ((why = mime_param(&p, end, ct)) != NULL)
			return (why);
	}
}

/* cm_pgp_mime_delimiter - is this line a boundary delimiter? */
int     cm_pgp_mime_delimiter(const char *line, size_t len,
			              const char *boundary, size_t blen)
{
	size_t  i;
	int     kind = 1;

	if (len < blen + 2 || line[0] != '-' || line[1] != '-'
	    || memcmp(line + 2, boundary, blen) != 0)
		return (0);
	i = blen + 2;
	if (i + 1 < len && line[i] == '-' && line[i + 1] == '-') {
		kind = 2;
		i += 2;
	}
	for (; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			return (-1);
	return (kind);
}

/* cm_pgp_mime_value_is - unstructured value equals word */
int     cm_pgp_mime_value_is(const char *value, size_t len, const char *word)
{
	size_t  wlen = strlen(word);

	while (len > 0 && mime_ws(value[0])) {
		value++;
		len--;
	}
	while (len > 0 && mime_ws(value[len - 1]))
		len--;
	return (len == wlen && cm_pgp_mime_caseeq(value, word, wlen));
}

/* cm_pgp_mime_cte_identity - 7bit, 8bit or binary */
int     cm_pgp_mime_cte_identity(const char *value, size_t len)
{
	const char *p, *end = value + len, *tok;
	size_t  tl;

	if ((p = mime_skip(value, end)) == NULL)
		return (0);
	p = mime_span(tok = p, end, MIME_TSPECIAL);
	if ((tl = (size_t) (p - tok)) == 0 || mime_skip(p, end) != end)
		return (0);
	return (MIME_IS(tok, tl, "7bit") || MIME_IS(tok, tl, "8bit")
		|| MIME_IS(tok, tl, "binary"));
}

/* cm_pgp_mime_blank - only blanks, CR and LF */
int     cm_pgp_mime_blank(const char *s, size_t len)
{
	size_t  i;

	for (i = 0; i < len; i++)
		if (!mime_ws(s[i]))
			return (0);
	return (1);
}
