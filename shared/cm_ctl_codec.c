/*++
 * NAME
 *	cm_ctl_codec 3
 * SUMMARY
 *	the control protocol between chatmailctl and chatmail-policyd
 * DESCRIPTION
 *	See cm_ctl_codec.h and doc/control-protocol.md. Escaping writes
 *	uppercase hex, unescaping accepts either case. Bytes of 0x80 and
 *	above pass through as they are (UTF-8 text stays readable). No
 *	function allocates or keeps state.
 *--*/

#include "cm_ctl_codec.h"
#include "cm_pct.h"

#include <string.h>

/* ctl_must_escape - 1 for the bytes never sent raw */
static int ctl_must_escape(unsigned char ch)
{
	return (cm_pct_must_escape(ch, " "));
}

/* cm_ctl_escape - escape src into dst, -1 when dst is too small */
long    cm_ctl_escape(const char *src, char *dst, size_t size)
{
	return (cm_pct_escape(src, dst, size, " "));
}

/* cm_ctl_unescape - decode %XX in place; -1 (word unchanged) if bad */
int     cm_ctl_unescape(char *word)
{
	return (cm_pct_unescape(word));
}

/* cm_ctl_split - split a line into unescaped words in place */
int     cm_ctl_split(char *line, char **words, int max)
{
	char   *word = line;
	char   *end;
	int     n = 0;
	int     last;

	if (*line == '\0')
		return (0);
	do {
		for (end = word; *end != '\0' && *end != ' '; end++)
			if (ctl_must_escape((unsigned char) *end) && *end != '%')
				return (-1);	/* a raw control byte */
		if (end == word || n >= max)
			return (-1);	/* empty word or too many */
		last = (*end == '\0');
		*end = '\0';
		if (cm_ctl_unescape(word) < 0)
			return (-1);
		words[n++] = word;
		word = end + 1;
	} while (!last);
	return (n);
}

/* cm_ctl_join - escape and join words with sep into dst */
long    cm_ctl_join(const char *const *words, int n, char sep, char *dst,
		            size_t size)
{
	size_t  limit = (size < CM_CTL_LINE_MAX ? size : CM_CTL_LINE_MAX);
	size_t  pos = 0;
	long    len;
	int     i;

	if (size == 0)
		return (-1);
	dst[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0) {
			if (limit - pos < 2)
				goto too_long;
			dst[pos++] = sep;
		}
		len = cm_ctl_escape(words[i] != NULL ? words[i] : "",
				    dst + pos, limit - pos);
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
