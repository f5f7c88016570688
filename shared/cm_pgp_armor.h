#ifndef CM_PGP_ARMOR_H
#define CM_PGP_ARMOR_H

/*++
 * NAME
 *	cm_pgp_armor 3h
 * SUMMARY
 *	streaming ASCII-armor decoder for the encryption gate
 * DESCRIPTION
 *	Fed the lines of the second MIME part of a multipart/encrypted
 *	message (without their line ends; a trailing CR and trailing
 *	blanks are ignored), it checks the armor of RFC 4880 section 6.2:
 *	optional blank lines, "-----BEGIN PGP MESSAGE-----", armor header
 *	lines "Key: value" (a "Version" key is refused when outgoing), one
 *	empty line, base64 lines (padding only in the last quad), an
 *	optional "=XXXX" CRC24 line that must match, then
 *	"-----END PGP MESSAGE-----" and only blank lines after it. The
 *	decoded octets go to a cm_pgp_packet walker as they come.
 *
 *	cm_pgp_armor_crc24() is the CRC24 of RFC 4880 section 6.1, fed in
 *	pieces: start with CM_PGP_ARMOR_CRC24_INIT.
 *
 *	The struct is embedded by the caller (no allocation). After the
 *	first error every call returns -1 and reason stays the first one.
 *	cm_pgp_armor_init() lets it use the vector kernels of this CPU
 *	(cm_pgp_simd.h); a caller may clear bits of armor->simd to run
 *	the portable code instead (tests do, to compare the two).
 *--*/

#include <stddef.h>
#include <stdint.h>

#include "cm_pgp_packet.h"

#define CM_PGP_ARMOR_LINE_MAX	1024	/* longest line accepted */
#define CM_PGP_ARMOR_CRC24_INIT	0xB704CEu

struct cm_pgp_armor {
	int     state;			/* ARMOR_* in cm_pgp_armor.c */
	int     outgoing;		/* refuse the Version header */
	uint32_t crc;			/* running CRC24, left-aligned */
	unsigned char quad[4];		/* base64 quad split over lines */
	unsigned nquad;
	int     padded;			/* '=' padding seen: data is over */
	unsigned simd;			/* CM_PGP_SIMD_* kernels it may use */
	struct cm_pgp_packet pkt;
	const char *reason;		/* first error, static text */
};

extern void cm_pgp_armor_init(struct cm_pgp_armor *armor, int outgoing);

/* One line without its LF: 0, or -1 with armor->reason set. */
extern int cm_pgp_armor_line(struct cm_pgp_armor *armor, const char *line,
			     size_t len);

/* The fast path: decodes the whole lines at the start of data that
 * are plain base64 (a multiple of four characters, no padding, LF or
 * CRLF) while in the data section, and returns how many octets it
 * used (0 if it cannot start there); the rest goes line by line
 * through cm_pgp_armor_line(). On an error armor->reason is set. */
extern size_t cm_pgp_armor_bulk(struct cm_pgp_armor *armor, const char *data,
				size_t len);

/* The part ended: 0 when the armor and its packets were complete and
 * valid, else -1 with *reason_r set. */
extern int cm_pgp_armor_end(struct cm_pgp_armor *armor,
			    const char **reason_r);

extern uint32_t cm_pgp_armor_crc24(uint32_t crc, const void *data,
				   size_t len);

#endif
