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
 *--*/

#include <stddef.h>

extern int cm_pct_must_escape(unsigned char ch, const char *extra);
extern long cm_pct_escape(const char *src, char *dst, size_t size,
			  const char *extra);
extern int cm_pct_unescape(char *word);

#endif
