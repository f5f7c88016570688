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
	return (cm_pct_split(line, ' ', 0, words, max));
}

/* cm_ctl_join - escape and join words with sep into dst */
long    cm_ctl_join(const char *const *words, int n, char sep, char *dst,
		            size_t size)
{
	return (cm_pct_join(words, n, sep, " ", dst,
			    size < CM_CTL_LINE_MAX ? size : CM_CTL_LINE_MAX));
}
