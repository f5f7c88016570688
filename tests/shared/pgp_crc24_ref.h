#ifndef PGP_CRC24_REF_H
#define PGP_CRC24_REF_H

/*++
 * NAME
 *	pgp_crc24_ref 3h
 * SUMMARY
 *	the CRC24 of RFC 4880 one bit at a time, for the tests
 * DESCRIPTION
 *	pgp_crc24_ref() continues the CRC24 crc (24 bits; start with
 *	0xB704CE) over n octets, one bit at a time as section 6.1 says:
 *	the reference the table and vector CRCs are tested against.
 *--*/

#include <stddef.h>
#include <stdint.h>

/* pgp_crc24_ref - the CRC24 crc continued over n octets at p */
static inline uint32_t pgp_crc24_ref(uint32_t crc, const unsigned char *p,
				             size_t n)
{
	int     i;

	while (n-- > 0) {
		crc ^= (uint32_t) *p++ << 16;
		for (i = 0; i < 8; i++) {
			crc <<= 1;
			if (crc & 0x1000000)
				crc ^= 0x1864cfb;
		}
	}
	return (crc & 0xffffff);
}

#endif
