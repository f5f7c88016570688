#ifndef CM_PGP_SIMD_H
#define CM_PGP_SIMD_H

/*++
 * NAME
 *	cm_pgp_simd 3h
 * SUMMARY
 *	vector kernels of the armor decoder: base64 and CRC24
 * DESCRIPTION
 *	Two kernels the armor decoder (cm_pgp_armor) uses when the CPU has
 *	them, each a faster way to compute exactly what its portable code
 *	computes; they do only the bulk, the caller does the rest.
 *
 *	cm_pgp_simd_cpu() tells which kernels this CPU runs: the bits
 *	CM_PGP_SIMD_B64 (x86-64 with AVX2) and CM_PGP_SIMD_CRC (x86-64 with
 *	PCLMULQDQ and SSE4.1); 0 elsewhere. It only reads what the CPU
 *	said at program start, so it is cheap and may be called anywhere.
 *
 *	cm_pgp_simd_b64() decodes base64 32 characters at a time from in
 *	(len characters) to out, as long as all 32 are plain base64
 *	characters (A-Z a-z 0-9 + /; no '=', no line end), and returns
 *	how many characters it used: a multiple of 32, 24 octets out for
 *	each 32. It writes up to CM_PGP_SIMD_SLACK octets past the last of
 *	them (the caller's buffer must have that room; they are garbage).
 *
 *	cm_pgp_simd_crc() continues the CRC24 register *crc (left-aligned
 *	in 32 bits, as cm_pgp_armor keeps it) over the first len / 16 * 16
 *	octets at p and returns how many it used (0 when len < 16).
 *
 *	Both return 0 without the bit in cm_pgp_simd_cpu(); calling them
 *	then is harmless.
 *--*/

#include <stddef.h>
#include <stdint.h>

#define CM_PGP_SIMD_B64		1	/* cm_pgp_simd_b64() runs here */
#define CM_PGP_SIMD_CRC		2	/* cm_pgp_simd_crc() runs here */
#define CM_PGP_SIMD_SLACK	8	/* octets b64 may write past out */

extern unsigned cm_pgp_simd_cpu(void);
extern size_t cm_pgp_simd_b64(const unsigned char *in, size_t len,
			      unsigned char *out);
extern size_t cm_pgp_simd_crc(uint32_t *crc, const unsigned char *p,
			      size_t len);

#endif
