/*++
 * NAME
 *	fuzz_cm_cidr 1
 * SUMMARY
 *	libFuzzer target for the CIDR parser
 * DESCRIPTION
 *	Feeds arbitrary bytes (NUL-terminated copy) to cm_cidr_parse() in
 *	strict and lenient mode and to cm_cidr_parse_addr(). Whatever is
 *	accepted must format to text that parses back, strictly, to the
 *	very same value, must contain itself, and a strict success must
 *	equal the lenient result. Any violation abort()s.
 *--*/

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cm_cidr.h"

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* same_cidr - 1 when two parsed values are identical */
static int same_cidr(const struct cm_cidr *a, const struct cm_cidr *b)
{
	return (a->family == b->family && a->prefix == b->prefix
		&& memcmp(a->addr, b->addr, sizeof(a->addr)) == 0);
}

/* check_value - invariants of one successfully parsed value */
static void check_value(const struct cm_cidr *cidr)
{
	struct cm_cidr again;
	const char *why = NULL;
	char    buf[64];
	char    buf2[64];

	if (cidr->family != 4 && cidr->family != 6)
		abort();
	if (cidr->prefix > (cidr->family == 4 ? 32u : 128u))
		abort();
	cm_cidr_format(cidr, buf, sizeof(buf));
	if (strlen(buf) >= 50)
		abort();
	if (cm_cidr_parse(buf, 1, &again, &why) != 0
	    || !same_cidr(cidr, &again))
		abort();
	cm_cidr_format(&again, buf2, sizeof(buf2));
	if (strcmp(buf, buf2) != 0)
		abort();
	if (cm_cidr_contains(cidr, cidr) != 1)
		abort();
}

/* LLVMFuzzerTestOneInput - one fuzz input */
int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cm_cidr strict, lenient, addr;
	const char *why;
	char   *text = malloc(size + 1);
	int     rc_strict, rc_lenient;

	if (text == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';

	why = NULL;
	rc_strict = cm_cidr_parse(text, 1, &strict, &why);
	if (rc_strict != 0 && (rc_strict != -1 || why == NULL))
		abort();
	why = NULL;
	rc_lenient = cm_cidr_parse(text, 0, &lenient, &why);
	if (rc_lenient != 0 && (rc_lenient != -1 || why == NULL))
		abort();
	if (rc_strict == 0) {
		if (rc_lenient != 0 || !same_cidr(&strict, &lenient))
			abort();
		check_value(&strict);
	}
	if (rc_lenient == 0)
		check_value(&lenient);
	if (cm_cidr_parse_addr(text, &addr) == 0) {
		check_value(&addr);
		if (addr.prefix != (addr.family == 4 ? 32u : 128u))
			abort();
		if (rc_strict != 0 || !same_cidr(&addr, &strict))
			abort();
		if (rc_lenient == 0 && !cm_cidr_contains(&lenient, &addr))
			abort();
	}
	free(text);
	return (0);
}
