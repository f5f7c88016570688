#ifndef CM_CIDR_H
#define CM_CIDR_H

/*++
 * NAME
 *	cm_cidr 3h
 * SUMMARY
 *	IPv4/IPv6 addresses and CIDR ranges (pure, no I/O)
 * DESCRIPTION
 *	cm_cidr_parse() accepts "a.b.c.d", "a.b.c.d/n", IPv6 text with an
 *	optional "/n", and an IPv4-mapped IPv6 address is matched as IPv4.
 *	A range whose host bits are set is refused (strict) so that typos do
 *	not silently widen or narrow a block.
 *
 *	Text is refused when empty, longer than 64 characters, with
 *	leading or trailing white space, with characters outside hex
 *	digits, '.', ':' and '/', with IPv4 octets in anything but plain
 *	decimal (no leading zeros), or with a prefix length that is not 1-3
 *	decimal digits in range ("/", "/+8", "/-8" are refused). A bare
 *	address gets prefix 32 or 128.
 *
 *	A parsed value never has host bits set: strict mode refuses them
 *	(why: "host bits set past the prefix length"), the lenient mode
 *	clears them. To name the network in an error message, parse the
 *	same text again with strict = 0 and cm_cidr_format() the result.
 *
 *	An IPv4-mapped IPv6 value (::ffff:0:0/96 and everything inside it)
 *	is stored as plain IPv4 with the prefix reduced by 96, so
 *	"::ffff:192.0.2.0/120" is "192.0.2.0/24". IPv4 and IPv6 values
 *	never contain each other otherwise ("::/0" does not match
 *	192.0.2.1).
 *
 *	IPv6 text is formatted per RFC 5952 (lowercase, "::" for the first
 *	longest run of two or more zero groups), always with "/prefix".
 *--*/

#include <stddef.h>
#include <stdint.h>

struct cm_cidr {
	int family;		/* 4 or 6 */
	uint8_t addr[16];	/* network order; IPv4 in the first 4 bytes */
	unsigned prefix;	/* 0..32 or 0..128 */
};

/* 0 ok; -1 malformed (why gets a static reason). strict: refuse host bits.
   *cidr_r is zeroed on failure; *why_r is written only on failure; both
   may be NULL. */
int cm_cidr_parse(const char *text, int strict, struct cm_cidr *cidr_r,
		  const char **why_r);
/* Parses a single address (no prefix); an IPv4-mapped IPv6 address
   becomes family 4. 0 ok, -1 malformed. */
int cm_cidr_parse_addr(const char *text, struct cm_cidr *addr_r);
/* 1 when addr (a parsed address) lies within range, else 0. addr may
   also be a range: 1 when all of it lies within range (so a range
   contains itself). */
int cm_cidr_contains(const struct cm_cidr *range, const struct cm_cidr *addr);
/* Canonical text, e.g. "192.0.2.0/24". buf >= 50 bytes. */
void cm_cidr_format(const struct cm_cidr *cidr, char *buf, size_t size);

#endif
