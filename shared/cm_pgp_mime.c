/*++
 * NAME
 *	cm_pgp_mime 3
 * SUMMARY
 *	the MIME pieces the encryption gate needs (pure, no I/O)
 * DESCRIPTION
 *	See cm_pgp_mime.h. Header values are read with a cursor over
 *	(pointer, end): no copy except the boundary and protocol values,
 *	which go to fixed-size buffers. CR and LF count as white space so
 *	a folded value needs no unfolding first; inside a quoted string
 *	they are dropped (that is what unfolding does there).
 *--*/

#include "cm_pgp_mime.h"

#include <string.h>

#define MIME_PROTOCOL	"application/pgp-encrypted"
#define MIME_VALUE_MAX	64		/* protocol value kept for compare */
#define MIME_BAD	"bad Content-Type"

struct mime_cursor {
	const char *p;
	const char *end;
};

/* mime_ws - white space, folding included */
static int mime_ws(char c)
{
	return (c == ' ' || c == '\t' || c == '\r' || c == '\n');
}

/* mime_tspecial - RFC 2045 tspecials, space and controls */
static int mime_tspecial(unsigned char c)
{
	if (c <= ' ' || c >= 0x7f)
		return (1);
	switch (c) {
	case '(': case ')': case '<': case '>': case '@': case ',': case ';':
	case ':': case '\\': case '"': case '/': case '[': case ']': case '?':
	case '=':
		return (1);
	default:
		return (0);
	}
}

/* mime_cfws - skip white space and (nested) comments; -1 unterminated */
static int mime_cfws(struct mime_cursor *c)
{
	while (c->p < c->end) {
		if (mime_ws(*c->p)) {
			c->p++;
		} else if (*c->p == '(') {
			int     depth = 0;

			for (; c->p < c->end; c->p++) {
				if (*c->p == '\\' && c->p + 1 < c->end)
					c->p++;
				else if (*c->p == '(')
					depth++;
				else if (*c->p == ')' && --depth == 0)
					break;
			}
			if (c->p == c->end)
				return (-1);
			c->p++;
		} else {
			break;
		}
	}
	return (0);
}

/* mime_token - a token at the cursor; 0 when there is none */
static size_t mime_token(struct mime_cursor *c, const char **tok)
{
	*tok = c->p;
	while (c->p < c->end && !mime_tspecial((unsigned char) *c->p))
		c->p++;
	return ((size_t) (c->p - *tok));
}

/* mime_bare - an unquoted parameter value at the cursor. Lenient: any
 * visible character but ';', '"' and '(' (tspecials such as '/' and
 * '=' appear unquoted in real mail); 0 when there is none */
static size_t mime_bare(struct mime_cursor *c, const char **tok)
{
	*tok = c->p;
	while (c->p < c->end && (unsigned char) *c->p > ' '
	       && (unsigned char) *c->p < 0x7f && *c->p != ';' && *c->p != '"'
	       && *c->p != '(')
		c->p++;
	return ((size_t) (c->p - *tok));
}

/* cm_pgp_mime_caseeq - n octets equal, ignoring ASCII case */
int     cm_pgp_mime_caseeq(const char *a, const char *b, size_t n)
{
	size_t  i;

	for (i = 0; i < n; i++) {
		unsigned char x = (unsigned char) a[i], y = (unsigned char) b[i];

		if (x != y && ((x | 0x20) != (y | 0x20) || (x | 0x20) < 'a'
			       || (x | 0x20) > 'z'))
			return (0);
	}
	return (1);
}

/* mime_is - a token equals a word, ignoring case */
static int mime_is(const char *tok, size_t len, const char *word)
{
	size_t  i;

	for (i = 0; i < len; i++)
		if (word[i] == '\0')
			return (0);
	return (word[len] == '\0' && cm_pgp_mime_caseeq(tok, word, len));
}

/* mime_value - token or quoted-string into buf; -1 bad or too long */
static int mime_value(struct mime_cursor *c, char *buf, size_t size,
		      size_t *len_r)
{
	const char *tok;
	size_t  len = 0;

	if (c->p < c->end && *c->p == '"') {
		for (c->p++; c->p < c->end && *c->p != '"'; c->p++) {
			if (*c->p == '\r' || *c->p == '\n')
				continue;
			if (*c->p == '\\' && ++c->p == c->end)
				return (-1);
			if (len + 1 >= size)
				return (-1);
			buf[len++] = *c->p;
		}
		if (c->p == c->end)
			return (-1);
		c->p++;
	} else {
		len = mime_bare(c, &tok);
		if (len == 0 || len >= size)
			return (-1);
		memcpy(buf, tok, len);
	}
	buf[len] = '\0';
	*len_r = len;
	return (0);
}

/* mime_type - the known type/subtype pairs */
static enum cm_pgp_mime_type mime_type(const char *t, size_t tl,
				               const char *s, size_t sl)
{
	if (mime_is(t, tl, "multipart")) {
		if (mime_is(s, sl, "encrypted"))
			return (CM_PGP_MIME_MULTIPART_ENCRYPTED);
		if (mime_is(s, sl, "mixed"))
			return (CM_PGP_MIME_MULTIPART_MIXED);
		if (mime_is(s, sl, "report"))
			return (CM_PGP_MIME_MULTIPART_REPORT);
		return (CM_PGP_MIME_MULTIPART_OTHER);
	}
	if (mime_is(t, tl, "application")) {
		if (mime_is(s, sl, "pgp-encrypted"))
			return (CM_PGP_MIME_PGP_ENCRYPTED);
		if (mime_is(s, sl, "octet-stream"))
			return (CM_PGP_MIME_OCTET_STREAM);
	}
	if (mime_is(t, tl, "text") && mime_is(s, sl, "plain"))
		return (CM_PGP_MIME_TEXT_PLAIN);
	return (CM_PGP_MIME_OTHER);
}

/* mime_boundary_ok - 1-70 octets, no controls, no trailing space */
static int mime_boundary_ok(const char *b, size_t len)
{
	size_t  i;

	if (len == 0 || len > CM_PGP_MIME_BOUNDARY_MAX || b[len - 1] == ' ')
		return (0);
	for (i = 0; i < len; i++)
		if ((unsigned char) b[i] < ' ' || b[i] == 0x7f)
			return (0);
	return (1);
}

/* mime_param - one "name=value" parameter */
static const char *mime_param(struct mime_cursor *c, struct cm_pgp_mime_ct *ct)
{
	char    val[MIME_VALUE_MAX + 1];
	const char *name;
	size_t  nlen, vlen;
	int     is_b, is_p;

	if ((nlen = mime_token(c, &name)) == 0)
		return (MIME_BAD);
	if ((nlen > 8 && cm_pgp_mime_caseeq(name, "boundary*", 9))
	    || (nlen > 8 && cm_pgp_mime_caseeq(name, "protocol*", 9)))
		return ("RFC 2231 boundary or protocol");
	if (mime_cfws(c) < 0 || c->p == c->end || *c->p != '=')
		return (MIME_BAD);
	c->p++;
	if (mime_cfws(c) < 0)
		return (MIME_BAD);
	is_b = mime_is(name, nlen, "boundary");
	is_p = mime_is(name, nlen, "protocol");
	if (is_b) {
		if (ct->boundary_len != 0)
			return ("duplicate boundary parameter");
		if (mime_value(c, ct->boundary, sizeof(ct->boundary), &vlen) < 0
		    || !mime_boundary_ok(ct->boundary, vlen))
			return ("bad boundary");
		ct->boundary_len = vlen;
	} else if (is_p) {
		if (ct->protocol != 0)
			return ("duplicate protocol parameter");
		if (mime_value(c, val, sizeof(val), &vlen) < 0)
			ct->protocol = -1;
		else
			ct->protocol = mime_is(val, vlen, MIME_PROTOCOL) ? 1 : -1;
	} else {
		/* Skip the value: its length does not matter. */
		if (c->p < c->end && *c->p == '"') {
			for (c->p++; c->p < c->end && *c->p != '"'; c->p++)
				if (*c->p == '\\' && c->p + 1 < c->end)
					c->p++;
			if (c->p == c->end)
				return (MIME_BAD);
			c->p++;
		} else if (mime_bare(c, &name) == 0) {
			return (MIME_BAD);
		}
	}
	return (NULL);
}

/* cm_pgp_mime_ct_parse - parse a Content-Type value */
const char *cm_pgp_mime_ct_parse(const char *value, size_t len,
				         struct cm_pgp_mime_ct *ct)
{
	struct mime_cursor c = {value, value + len};
	const char *t, *s;
	size_t  tl, sl;
	const char *why;

	memset(ct, 0, sizeof(*ct));
	if (mime_cfws(&c) < 0 || (tl = mime_token(&c, &t)) == 0
	    || mime_cfws(&c) < 0 || c.p == c.end || *c.p++ != '/'
	    || mime_cfws(&c) < 0 || (sl = mime_token(&c, &s)) == 0)
		return (MIME_BAD);
	ct->type = mime_type(t, tl, s, sl);
	for (;;) {
		if (mime_cfws(&c) < 0)
			return (MIME_BAD);
		if (c.p == c.end)
			return (NULL);
		if (*c.p++ != ';')
			return (MIME_BAD);
		if (mime_cfws(&c) < 0)
			return (MIME_BAD);
		if (c.p == c.end)
			return (NULL);
		if ((why = mime_param(&c, ct)) != NULL)
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
	struct mime_cursor c = {value, value + len};
	const char *tok;
	size_t  tl;

	if (mime_cfws(&c) < 0 || (tl = mime_token(&c, &tok)) == 0
	    || mime_cfws(&c) < 0 || c.p != c.end)
		return (0);
	return (mime_is(tok, tl, "7bit") || mime_is(tok, tl, "8bit")
		|| mime_is(tok, tl, "binary"));
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
