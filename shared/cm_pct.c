/*++
 * NAME
 *	cm_pct 3
 * SUMMARY
 *	%XX escaping of protocol words and fields
 * DESCRIPTION
 *	See cm_pct.h. Escaping writes uppercase hex, unescaping accepts
 *	either case.
 *--*/

#include "cm_pct.h"

#include <string.h>

static const char pct_hex[] = "0123456789ABCDEF";

/* cm_pct_must_escape - 1 for the bytes never sent raw */
int     cm_pct_must_escape(unsigned char ch, const char *extra)
{
	return (ch < 0x20 || ch == 0x7f || ch == '%'
		|| (ch != '\0' && strchr(extra, ch) != NULL));
}

/* pct_hex_value - value of a hex digit, -1 if it is none */
static int pct_hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return (ch - '0');
	if (ch >= 'A' && ch <= 'F')
		return (ch - 'A' + 10);
	if (ch >= 'a' && ch <= 'f')
		return (ch - 'a' + 10);
	return (-1);
}

/* cm_pct_escape - escape src into dst, -1 when dst is too small */
long    cm_pct_escape(const char *src, char *dst, size_t size,
		      const char *extra)
{
	size_t  pos = 0;
	unsigned char ch;

	if (size == 0)
		return (-1);
	for (; *src != '\0'; src++) {
		ch = (unsigned char) *src;
		if (cm_pct_must_escape(ch, extra)) {
			if (size - pos < 4)
				goto too_small;
			dst[pos++] = '%';
			dst[pos++] = pct_hex[ch >> 4];
			dst[pos++] = pct_hex[ch & 0x0f];
		} else {
			if (size - pos < 2)
				goto too_small;
			dst[pos++] = (char) ch;
		}
	}
	dst[pos] = '\0';
	return ((long) pos);

too_small:
	dst[0] = '\0';
	return (-1);
}

/* cm_pct_unescape - decode %XX in place; -1 (word unchanged) if bad */
int     cm_pct_unescape(char *word)
{
	char   *in;
	char   *out;
	int     hi, lo;

	for (in = word; (in = strchr(in, '%')) != NULL; in += 3) {
		hi = pct_hex_value(in[1]);
		lo = (hi < 0 ? -1 : pct_hex_value(in[2]));
		if (lo < 0 || (hi == 0 && lo == 0))
			return (-1);
	}
	for (in = out = word; *in != '\0'; out++) {
		if (*in == '%') {
			*out = (char) ((pct_hex_value(in[1]) << 4)
				       | pct_hex_value(in[2]));
			in += 3;
		} else {
			*out = *in++;
		}
	}
	*out = '\0';
	return (0);
}

/* cm_pct_split - split a line at sep into unescaped words in place */
int     cm_pct_split(char *line, char sep, int empty_ok, char **words,
		             int max)
{
	const char extra[2] = {sep, '\0'};
	char   *word = line;
	char   *end;
	int     n = 0;
	int     last;

	if (*line == '\0' && !empty_ok)
		return (0);
	do {
		for (end = word; *end != '\0' && *end != sep; end++)
			if (cm_pct_must_escape((unsigned char) *end, extra)
			    && *end != '%')
				return (-1);	/* a raw byte that must be escaped */
		if ((end == word && !empty_ok) || n >= max)
			return (-1);	/* empty word or too many */
		last = (*end == '\0');
		*end = '\0';
		if (cm_pct_unescape(word) < 0)
			return (-1);
		words[n++] = word;
		word = end + 1;
	} while (!last);
	return (n);
}

/* cm_pct_join - escape words and join them with sep into dst */
long    cm_pct_join(const char *const *words, int n, char sep,
		            const char *extra, char *dst, size_t size)
{
	size_t  pos = 0;
	long    len;
	int     i;

	if (size == 0)
		return (-1);
	dst[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0) {
			if (size - pos < 2)
				goto too_long;
			dst[pos++] = sep;
		}
		len = cm_pct_escape(words[i] != NULL ? words[i] : "",
				    dst + pos, size - pos, extra);
		if (len < 0)
			goto too_long;
		pos += (size_t) len;
	}
	dst[pos] = '\0';
	return ((long) pos);

too_long:
	dst[0] = '\0';
	return (-1);
}
