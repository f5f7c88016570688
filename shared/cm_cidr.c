/*++
 * NAME
 *	cm_cidr 3
 * SUMMARY
 *	IPv4/IPv6 addresses and CIDR ranges (pure, no I/O)
 * DESCRIPTION
 *	See cm_cidr.h. Text is checked here for length, white space, the
 *	character set and the prefix syntax before inet_pton() sees the
 *	address part. A parsed value never has host bits set (strict mode
 *	refuses them, the lenient mode clears them), and an IPv4-mapped
 *	IPv6 value (::ffff:a.b.c.d with a prefix of 96 or more) is turned
 *	into plain IPv4, so one range has one representation.
 *
 *	IPv6 text is formatted per RFC 5952 (lowercase hex, no leading
 *	zeros, the first longest run of two or more zero groups as "::"),
 *	independent of the C library's inet_ntop().
 *--*/

#include "cm_cidr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define CIDR_MAX_TEXT	64		/* longer input is refused */

static const uint8_t cidr_mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
};

/* cidr_fail - report why (when asked) and return -1 */
static int cidr_fail(const char **why_r, const char *why)
{
	if (why_r != NULL)
		*why_r = why;
	return (-1);
}

/* cidr_bits - address width of a family, 0 when unknown */
static unsigned cidr_bits(int family)
{
	return (family == 4 ? 32 : family == 6 ? 128 : 0);
}

/* cidr_check_text - refuse empty, overlong, spaced or foreign text */
static const char *cidr_check_text(const char *text, size_t *len_r)
{
	size_t  len;
	size_t  i;

	for (len = 0; len <= CIDR_MAX_TEXT && text[len] != '\0'; len++)
		 /* void */ ;
	if (len == 0)
		return ("empty address");
	if (len > CIDR_MAX_TEXT)
		return ("too long (more than 64 characters)");
	if (strchr(" \t\r\n\v\f", text[0]) || strchr(" \t\r\n\v\f",
						       text[len - 1]))
		return ("leading or trailing white space");
	for (i = 0; i < len; i++)
		if (strchr("0123456789abcdefABCDEF.:/+-", text[i]) == NULL)
			return ("invalid character");
	*len_r = len;
	return (NULL);
}

/* cidr_parse_ip - one address (no prefix) of len bytes into cidr */
static const char *cidr_parse_ip(const char *text, size_t len,
				 struct cm_cidr *cidr)
{
	char    buf[CIDR_MAX_TEXT + 1];

	if (len == 0)
		return ("missing address");
	if (memchr(text, '+', len) || memchr(text, '-', len))
		return ("invalid character");
	memcpy(buf, text, len);
	buf[len] = '\0';
	memset(cidr, 0, sizeof(*cidr));
	if (memchr(buf, ':', len) != NULL) {
		if (inet_pton(AF_INET6, buf, cidr->addr) != 1)
			return ("malformed IPv6 address");
		cidr->family = 6;
		cidr->prefix = 128;
	} else {
		if (inet_pton(AF_INET, buf, cidr->addr) != 1)
			return ("malformed IPv4 address");
		cidr->family = 4;
		cidr->prefix = 32;
	}
	return (NULL);
}

/* cidr_parse_prefix - the decimal prefix length after the '/' */
static const char *cidr_parse_prefix(const char *text, unsigned max_bits,
				     unsigned *prefix_r)
{
	unsigned value = 0;
	size_t  i;

	if (*text == '\0')
		return ("missing prefix length after '/'");
	for (i = 0; text[i] != '\0'; i++) {
		if (text[i] < '0' || text[i] > '9')
			return ("prefix length must be decimal digits");
		if (i >= 3)
			return ("prefix length out of range");
		value = value * 10 + (unsigned) (text[i] - '0');
	}
	if (value > max_bits)
		return (max_bits == 32 ? "prefix length out of range (0-32)" :
			"prefix length out of range (0-128)");
	*prefix_r = value;
	return (NULL);
}

/* cidr_host_bits - 1 when any bit past the prefix is set */
static int cidr_host_bits(const struct cm_cidr *cidr)
{
	unsigned bits = cidr_bits(cidr->family);
	unsigned i;

	for (i = cidr->prefix; i < bits; i++)
		if (cidr->addr[i / 8] & (0x80 >> (i % 8)))
			return (1);
	return (0);
}

/* cidr_mask - clear every bit past the prefix */
static void cidr_mask(struct cm_cidr *cidr)
{
	unsigned i;

	for (i = cidr->prefix; i < 128; i++)
		cidr->addr[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
}

/* cidr_unmap - turn ::ffff:a.b.c.d/96+n into a.b.c.d/n */
static void cidr_unmap(struct cm_cidr *cidr)
{
	if (cidr->family != 6 || cidr->prefix < 96 || cidr->prefix > 128
	    || memcmp(cidr->addr, cidr_mapped, sizeof(cidr_mapped)) != 0)
		return;
	memmove(cidr->addr, cidr->addr + 12, 4);
	memset(cidr->addr + 4, 0, 12);
	cidr->family = 4;
	cidr->prefix -= 96;
}

/* cm_cidr_parse - parse "address" or "address/prefix" */
int cm_cidr_parse(const char *text, int strict, struct cm_cidr *cidr_r,
		  const char **why_r)
{
	struct cm_cidr cidr;
	const char *why;
	const char *slash;
	size_t  len = 0;

	if (cidr_r != NULL)
		memset(cidr_r, 0, sizeof(*cidr_r));
	if (text == NULL)
		return (cidr_fail(why_r, "empty address"));
	if ((why = cidr_check_text(text, &len)) != NULL)
		return (cidr_fail(why_r, why));
	slash = memchr(text, '/', len);
	if (slash != NULL && strchr(slash + 1, '/') != NULL)
		return (cidr_fail(why_r, "more than one '/'"));
	if ((why = cidr_parse_ip(text, slash ? (size_t) (slash - text) : len,
				 &cidr)) != NULL)
		return (cidr_fail(why_r, why));
	if (slash != NULL && (why = cidr_parse_prefix(slash + 1,
						      cidr_bits(cidr.family),
						      &cidr.prefix)) != NULL)
		return (cidr_fail(why_r, why));
	if (cidr_host_bits(&cidr)) {
		if (strict)
			return (cidr_fail(why_r,
				       "host bits set past the prefix length"));
		cidr_mask(&cidr);
	}
	cidr_unmap(&cidr);
	if (cidr_r != NULL)
		*cidr_r = cidr;
	return (0);
}

/* cm_cidr_parse_addr - parse a single address, no prefix */
int cm_cidr_parse_addr(const char *text, struct cm_cidr *addr_r)
{
	struct cm_cidr addr;
	size_t  len = 0;

	if (addr_r != NULL)
		memset(addr_r, 0, sizeof(*addr_r));
	if (text == NULL || cidr_check_text(text, &len) != NULL
	    || memchr(text, '/', len) != NULL
	    || cidr_parse_ip(text, len, &addr) != NULL)
		return (-1);
	cidr_unmap(&addr);
	if (addr_r != NULL)
		*addr_r = addr;
	return (0);
}

/* cm_cidr_contains - 1 when every address of addr lies within range */
int cm_cidr_contains(const struct cm_cidr *range, const struct cm_cidr *addr)
{
	struct cm_cidr r, a;
	unsigned bits, full;

	if (range == NULL || addr == NULL)
		return (0);
	r = *range;
	a = *addr;
	cidr_unmap(&r);
	cidr_unmap(&a);
	bits = cidr_bits(r.family);
	if (bits == 0 || r.family != a.family || r.prefix > bits
	    || a.prefix > bits || a.prefix < r.prefix)
		return (0);
	full = r.prefix / 8;
	if (memcmp(r.addr, a.addr, full) != 0)
		return (0);
	if (r.prefix % 8 == 0)
		return (1);
	return (((r.addr[full] ^ a.addr[full]) & (0xff00 >> (r.prefix % 8))
		 & 0xff) == 0);
}

/* cidr_format6 - RFC 5952 text of an IPv6 address */
static void cidr_format6(const uint8_t *addr, char *out, size_t size)
{
	unsigned words[8];
	int     best = -1, best_len = 0, run, i;
	size_t  n = 0;

	for (i = 0; i < 8; i++)
		words[i] = (unsigned) addr[2 * i] << 8 | addr[2 * i + 1];
	for (i = 0; i < 8; i += run ? run : 1) {
		for (run = 0; i + run < 8 && words[i + run] == 0; run++)
			 /* void */ ;
		if (run > best_len) {
			best = i;
			best_len = run;
		}
	}
	if (best_len < 2)
		best = -1, best_len = 0;
	out[0] = '\0';
	for (i = 0; i < 8 && n < size; i++) {
		if (i == best) {
			n += (size_t) snprintf(out + n, size - n, "::");
			i += best_len - 1;
			continue;
		}
		n += (size_t) snprintf(out + n, size - n, "%s%x",
				       i > 0 && i != best + best_len ? ":" : "",
				       words[i]);
	}
}

/* cm_cidr_format - canonical "address/prefix" text */
void cm_cidr_format(const struct cm_cidr *cidr, char *buf, size_t size)
{
	char    addr[64];

	if (buf == NULL || size == 0)
		return;
	if (cidr == NULL || cidr_bits(cidr->family) == 0) {
		snprintf(buf, size, "invalid");
		return;
	}
	if (cidr->family == 4)
		snprintf(addr, sizeof(addr), "%u.%u.%u.%u", cidr->addr[0],
			 cidr->addr[1], cidr->addr[2], cidr->addr[3]);
	else
		cidr_format6(cidr->addr, addr, sizeof(addr));
	snprintf(buf, size, "%s/%u", addr, cidr->prefix);
}
