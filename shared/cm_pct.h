#ifndef CM_PCT_H
#define CM_PCT_H

/*++
 * NAME
 *	cm_pct 3h
 * SUMMARY
 *	%XX escaping of protocol words and fields
 * DESCRIPTION
 *	Our line protocols (control, dovecot) send every value as one
 *	word or field in which '%', DEL, every byte below 0x20 and the
 *	protocol's own separators are written as '%' and two uppercase hex
 *	digits. Bytes of 0x80 and above pass as they are (UTF-8 stays
 *	readable). Nothing allocates or keeps state; plain C99, so the
 *	Dovecot plugins can compile it with Dovecot's flags.
 *
 *	cm_pct_escape() escapes src into dst (size bytes, NUL-terminated)
 *	and returns the length written, or -1 (dst = "") when dst is too
 *	small. extra names further bytes to escape ("" for none).
 *
 *	cm_pct_unescape() decodes in place; -1 (word unchanged) when a '%'
 *	is not followed by two hex digits, or encodes NUL.
 *
 *	cm_pct_must_escape() is the rule itself, for splitters that refuse
 *	raw bytes which should have been escaped.
 *
 *	cm_pct_split() splits line in place at sep into at most max
 *	unescaped words and returns how many, or -1 when a word holds a
 *	raw byte that must be escaped (sep is the only extra one), a word
 *	does not unescape, or there are more than max. With empty_ok 0,
 *	an empty word is -1 too and an empty line is 0 words; with
 *	empty_ok 1 every field counts, so an empty line is one empty field.
 *
 *	cm_pct_join() escapes words (NULL counts as "") with the extra
 *	bytes and joins them with sep into dst, at most size bytes with the
 *	terminating NUL; it returns the length, or -1 (dst = "") when the
 *	line does not fit.
 *--*/

#include <stddef.h>

extern int cm_pct_must_escape(unsigned char ch, const char *extra);
extern long cm_pct_escape(const char *src, char *dst, size_t size,
			  const char *extra);
extern int cm_pct_unescape(char *word);
extern int cm_pct_split(char *line, char sep, int empty_ok, char **words,
			int max);
extern long cm_pct_join(const char *const *words, int n, char sep,
			const char *extra, char *dst, size_t size);

#endif
