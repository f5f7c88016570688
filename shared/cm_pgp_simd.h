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
 *	cm_pgp_simd_b64_lines() decodes whole lines of plain base64 from
 *	in (len characters) to out: a line is taken when it holds only
 *	plain base64 characters (A-Z a-z 0-9 + /; no '=', no blank), a
 *	non-zero multiple of four of them, ended by LF or CRLF, and is at
 *	most line_max characters long counting a CR. It stops before the
 *	first line that is not like that, before a line that starts once
 *	out_max octets are out, and before a line that would need reading
 *	within 32 characters of the end of in: it reads a line's base64
 *	32 characters at a time, and reads a block past the last one only
 *	when that one did not end right before a CR or LF (the caller's
 *	line-by-line code takes such a line from there). It returns the
 *	characters used (whole lines) and sets *out_len to the octets
 *	decoded. It may write up to out_max + line_max + CM_PGP_SIMD_SLACK
 *	octets into out.
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

#define CM_PGP_SIMD_B64		1	/* cm_pgp_simd_b64_lines() runs here */
#define CM_PGP_SIMD_CRC		2	/* cm_pgp_simd_crc() runs here */
#define CM_PGP_SIMD_SLACK	32	/* see cm_pgp_simd_b64_lines() */

extern unsigned cm_pgp_simd_cpu(void);
extern size_t cm_pgp_simd_b64_lines(const unsigned char *in, size_t len,
				    unsigned char *out, size_t out_max,
				    size_t line_max, size_t *out_len);
extern size_t cm_pgp_simd_crc(uint32_t *crc, const unsigned char *p,
			      size_t len);

#endif
