#ifndef CM_CTL_CODEC_H
#define CM_CTL_CODEC_H

/*++
 * NAME
 *	cm_ctl_codec 3h
 * SUMMARY
 *	the control protocol between chatmailctl and chatmail-policyd
 * DESCRIPTION
 *	Version 1, documented in doc/control-protocol.md. A request is one
 *	line of words separated by single spaces; a reply is zero or more
 *	data lines "* field<TAB>field..." and one final line "OK[ text]" or
 *	"ERR <code> <text>". Words and fields are escaped: '%' followed by
 *	two hex digits stands for a byte; space, tab, CR, LF, '%' and every
 *	byte < 0x20 or 0x7f are always escaped, so any value (a blocklist
 *	reason with spaces, a path) fits in one word. Lines are at most
 *	CM_CTL_LINE_MAX bytes including the LF; requests at most
 *	CM_CTL_WORDS_MAX words.
 *--*/

#include <stddef.h>

#define CM_CTL_VERSION 1
#define CM_CTL_LINE_MAX 8192
#define CM_CTL_WORDS_MAX 32

/* Escapes src into dst (NUL-terminated). Returns the length written, or
   -1 when dst is too small (dst then holds ""). */
long cm_ctl_escape(const char *src, char *dst, size_t size);
/* Unescapes in place; -1 when a '%' is not followed by two hex digits or
   decodes to NUL (the word is then left unchanged). Raw bytes are not
   checked here; cm_ctl_split() does that. */
int cm_ctl_unescape(char *word);

/* Splits one line (without its LF; modified in place) into unescaped
   words. Returns the word count (0 for an empty line), or -1 for a
   malformed line (bad escape, empty word from a double space, a leading
   or trailing space, a control character, more than max words). On -1
   the line is left partly modified. The line length is not checked:
   the reader enforces CM_CTL_LINE_MAX. */
int cm_ctl_split(char *line, char **words, int max);

/* Joins words (each escaped) with single spaces into dst, NUL-terminated;
   -1 if it does not fit in size or CM_CTL_LINE_MAX - 1. Used by the
   client for requests and (with sep = '\t') by the server for rows.
   On -1 dst holds "". n == 0 gives "". An empty word gives an empty
   field: fine in a row, but a request with one does not split. */
long cm_ctl_join(const char *const *words, int n, char sep, char *dst,
		 size_t size);

#endif
