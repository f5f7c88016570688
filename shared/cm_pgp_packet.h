#ifndef CM_PGP_PACKET_H
#define CM_PGP_PACKET_H

/*++
 * NAME
 *	cm_pgp_packet 3h
 * SUMMARY
 *	streaming OpenPGP packet-header walker for the encryption gate
 * DESCRIPTION
 *	Fed the decoded bytes of an armored message in pieces of any size,
 *	it walks the packet headers (RFC 4880 section 4.2: old and new
 *	format, partial body lengths) and skips the packet bodies without
 *	looking at them. The sequence must be PKESK (tag 1) or SKESK
 *	(tag 3), zero or more, then exactly one SEIPD (tag 18) that ends
 *	the data.
 *
 *	Decisions (doc/encryption-gate.md): an old-format indeterminate
 *	length is refused (it can only be used by tags below 16, so it
 *	can never be the SEIPD); a partial body length is refused on
 *	anything but the SEIPD; the RFC's "first partial length at least
 *	512" is not enforced; AEAD (tag 20) and SED (tag 9) are refused.
 *
 *	The struct is embedded by the caller (no allocation). reason is
 *	set on the first error and stays; later calls return -1 at once.
 *--*/

#include <stddef.h>
#include <stdint.h>

struct cm_pgp_packet {
	int     state;			/* PACKET_* in cm_pgp_packet.c */
	unsigned tag;			/* current packet's tag */
	unsigned len_need;		/* length octets still to read */
	uint32_t len_acc;		/* length being assembled */
	uint32_t len_bias;		/* added when complete (2-octet form) */
	uint64_t skip;			/* body octets left in this chunk */
	int     partial;		/* this chunk is a partial one */
	int     seipd_done;		/* the SEIPD has ended */
	uint64_t packets;		/* packet headers seen */
	const char *reason;		/* first error, static text */
};

extern void cm_pgp_packet_init(struct cm_pgp_packet *pkt);

/* 0, or -1 with pkt->reason set */
extern int cm_pgp_packet_feed(struct cm_pgp_packet *pkt,
			      const unsigned char *data, size_t len);

/* End of data: 0 when the sequence is complete and valid, else -1
 * with *reason_r (and pkt->reason) set. */
extern int cm_pgp_packet_end(struct cm_pgp_packet *pkt,
			     const char **reason_r);

#endif
