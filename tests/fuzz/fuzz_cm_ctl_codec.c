/*++
 * NAME
 *	fuzz_cm_ctl_codec 1
 * SUMMARY
 *	libFuzzer target for the control protocol codec
 * DESCRIPTION
 *	Splits a NUL-terminated copy of the input. A successful split must
 *	give non-empty words that join (with ' ') to a line splitting back
 *	to the very same words, and joining those again must give the same
 *	line; a failed join must be one longer than the line limit. The
 *	raw input (when it has no NUL) must escape to text without raw
 *	control bytes or spaces, fit exactly in length + 1 bytes and
 *	unescape to the input again. A failed unescape must leave its word
 *	alone. Any violation abort()s.
 *--*/

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cm_ctl_codec.h"

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* xmalloc - memory or abort */
static char *xmalloc(size_t size)
{
	char   *ptr = malloc(size);

	if (ptr == NULL)
		abort();
	return (ptr);
}

/* escaped_len - the length cm_ctl_escape() should produce */
static size_t escaped_len(const char *text)
{
	size_t  len = 0;
	unsigned char ch;

	for (; *text != '\0'; text++) {
		ch = (unsigned char) *text;
		len += (ch < 0x20 || ch == 0x7f || ch == ' ' || ch == '%')
			? 3 : 1;
	}
	return (len);
}

/* check_join - join words, split again, join again */
static void check_join(char **words, int n)
{
	char   *line = xmalloc(CM_CTL_LINE_MAX);
	char   *line2 = xmalloc(CM_CTL_LINE_MAX);
	char   *line3 = xmalloc(CM_CTL_LINE_MAX);
	char   *again[CM_CTL_WORDS_MAX];
	size_t  expect = 0;
	long    len;
	int     i;

	for (i = 0; i < n; i++)
		expect += escaped_len(words[i]) + (i > 0);
	len = cm_ctl_join((const char *const *) words, n, ' ', line,
			  CM_CTL_LINE_MAX);
	if (len < 0) {
		if (expect < CM_CTL_LINE_MAX || line[0] != '\0')
			abort();
		goto out;
	}
	if ((size_t) len != expect || strlen(line) != expect)
		abort();
	memcpy(line2, line, (size_t) len + 1);
	if (cm_ctl_split(line2, again, CM_CTL_WORDS_MAX) != n)
		abort();
	for (i = 0; i < n; i++)
		if (strcmp(words[i], again[i]) != 0)
			abort();
	/* again points into line2: join into a third buffer */
	if (cm_ctl_join((const char *const *) again, n, ' ', line3,
			CM_CTL_LINE_MAX) != len || strcmp(line, line3) != 0)
		abort();
out:
	free(line);
	free(line2);
	free(line3);
}

/* check_split - split a copy of text */
static void check_split(const char *text, size_t len)
{
	char   *line = xmalloc(len + 1);
	char   *words[CM_CTL_WORDS_MAX];
	int     n, i;

	memcpy(line, text, len + 1);
	n = cm_ctl_split(line, words, CM_CTL_WORDS_MAX);
	if (n < -1 || n > CM_CTL_WORDS_MAX || (n == 0) != (len == 0))
		abort();
	for (i = 0; i < n; i++)
		if (words[i][0] == '\0')
			abort();
	if (n > 0)
		check_join(words, n);
	free(line);
}

/* check_escape - escape the raw text and back */
static void check_escape(const char *text, size_t len)
{
	size_t  size = 3 * len + 1;
	char   *esc = xmalloc(size);
	size_t  expect = escaped_len(text);
	long    out;
	size_t  i;
	unsigned char ch;

	out = cm_ctl_escape(text, esc, size);
	if (out < 0 || (size_t) out != expect || strlen(esc) != expect)
		abort();
	for (i = 0; i < expect; i++) {
		ch = (unsigned char) esc[i];
		if (ch < 0x20 || ch == 0x7f || ch == ' ')
			abort();
	}
	if (cm_ctl_escape(text, esc, expect + 1) != out)
		abort();
	if (cm_ctl_escape(text, esc, expect) != -1 || esc[0] != '\0')
		abort();
	cm_ctl_escape(text, esc, size);
	if (cm_ctl_unescape(esc) != 0 || strcmp(esc, text) != 0)
		abort();
	free(esc);
}

/* check_unescape - raw text through unescape */
static void check_unescape(const char *text, size_t len)
{
	char   *word = xmalloc(len + 1);

	memcpy(word, text, len + 1);
	if (cm_ctl_unescape(word) < 0) {
		if (memcmp(word, text, len + 1) != 0)
			abort();
	} else if (strlen(word) > len) {
		abort();
	}
	free(word);
}

/* LLVMFuzzerTestOneInput - one fuzz input */
int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char   *text = xmalloc(size + 1);
	size_t  len;

	memcpy(text, data, size);
	text[size] = '\0';
	len = strlen(text);
	check_split(text, len);
	check_unescape(text, len);
	if (len == size)
		check_escape(text, len);
	free(text);
	return (0);
}
