#ifndef CM_MILTER_CODEC_H
#define CM_MILTER_CODEC_H

/*++
 * NAME
 *	cm_milter_codec 3h
 * SUMMARY
 *	the milter protocol (version 6) on the wire: packets and the
 *	data of the commands the encryption gate reads
 * SYNOPSIS
 *	#include "cm_milter_codec.h"
 * DESCRIPTION
 *	The milter protocol as Postfix speaks it to chatmail-policyd. A
 *	packet is a 4-byte length in network order (the command byte
 *	included), a command byte and its data; strings in the data end
 *	in NUL, numbers are 32 bits in network order.
 *
 *	The constants carry sendmail's values under our prefix:
 *	CM_MILTER_CMD_x is SMFIC_x (a command, MTA to milter),
 *	CM_MILTER_REPLY_x is SMFIR_x (milter to MTA), CM_MILTER_PROTO_x
 *	is SMFIP_x (protocol flags), CM_MILTER_ACT_x is SMFIF_x (actions),
 *	CM_MILTER_STAGE_x is SMFIM_x (macro list stages) and
 *	CM_MILTER_FAMILY_x is SMFIA_x (address families at connect).
 *
 *	Plain C11; nothing allocates or keeps state. Decoders take the
 *	caller's buffer and never modify it; the strings they return point
 *	into it (each ends in a NUL inside the buffer) and live as long as
 *	it does. Parsers return 0, or -1 for malformed data; the splitter
 *	and the macro iterator return 1/0/-1. Formatters write into a
 *	caller buffer and return the length written, or -1 when it does
 *	not fit (the buffer's contents are then undefined).
 *--*/

#include <stddef.h>
#include <stdint.h>

#define CM_MILTER_VERSION	6	/* the newest we speak */
#define CM_MILTER_VERSION_MIN	2	/* the oldest we accept */

/* The largest length field accepted: 1 MiB (Postfix sends 64 KiB body
   chunks and headers up to header_size_limit). */
#define CM_MILTER_PACKET_MAX	(1024 * 1024)
/* Bytes before the data: the length and the command. */
#define CM_MILTER_HEADER_SIZE	5
/* The data of an OPTNEG packet: version, actions, protocol. */
#define CM_MILTER_OPTNEG_SIZE	12
/* Room enough for cm_milter_optneg_format(). */
#define CM_MILTER_OPTNEG_MAX	96

/* Commands (MTA to milter). */
#define CM_MILTER_CMD_ABORT	'A'
#define CM_MILTER_CMD_BODY	'B'
#define CM_MILTER_CMD_CONNECT	'C'
#define CM_MILTER_CMD_MACRO	'D'
#define CM_MILTER_CMD_BODYEOB	'E'
#define CM_MILTER_CMD_HELO	'H'
#define CM_MILTER_CMD_QUIT_NC	'K'
#define CM_MILTER_CMD_HEADER	'L'
#define CM_MILTER_CMD_MAIL	'M'
#define CM_MILTER_CMD_EOH	'N'
#define CM_MILTER_CMD_OPTNEG	'O'
#define CM_MILTER_CMD_QUIT	'Q'
#define CM_MILTER_CMD_RCPT	'R'
#define CM_MILTER_CMD_DATA	'T'
#define CM_MILTER_CMD_UNKNOWN	'U'

/* Replies (milter to MTA). */
#define CM_MILTER_REPLY_CONTINUE	'c'
#define CM_MILTER_REPLY_SKIP		's'
#define CM_MILTER_REPLY_REPLYCODE	'y'

/* Protocol flags: steps not sent (NO), steps not answered (NR). */
#define CM_MILTER_PROTO_NOCONNECT	(1U << 0)
#define CM_MILTER_PROTO_NOHELO		(1U << 1)
#define CM_MILTER_PROTO_NOMAIL		(1U << 2)
#define CM_MILTER_PROTO_NORCPT		(1U << 3)
#define CM_MILTER_PROTO_NOBODY		(1U << 4)
#define CM_MILTER_PROTO_NOHDRS		(1U << 5)
#define CM_MILTER_PROTO_NOEOH		(1U << 6)
#define CM_MILTER_PROTO_NR_HDR		(1U << 7)
#define CM_MILTER_PROTO_NOUNKNOWN	(1U << 8)
#define CM_MILTER_PROTO_NODATA		(1U << 9)
#define CM_MILTER_PROTO_SKIP		(1U << 10)
#define CM_MILTER_PROTO_RCPT_REJ	(1U << 11)
#define CM_MILTER_PROTO_NR_CONN		(1U << 12)
#define CM_MILTER_PROTO_NR_HELO		(1U << 13)
#define CM_MILTER_PROTO_NR_MAIL		(1U << 14)
#define CM_MILTER_PROTO_NR_RCPT		(1U << 15)
#define CM_MILTER_PROTO_NR_DATA		(1U << 16)
#define CM_MILTER_PROTO_NR_UNKN		(1U << 17)
#define CM_MILTER_PROTO_NR_EOH		(1U << 18)
#define CM_MILTER_PROTO_NR_BODY		(1U << 19)
#define CM_MILTER_PROTO_HDR_LEADSPC	(1U << 20)

/* Actions: the one we ask for (we send macro lists). */
#define CM_MILTER_ACT_SETSYMLIST	0x100U

/* Macro list stages. */
#define CM_MILTER_STAGE_CONNECT	0
#define CM_MILTER_STAGE_ENVFROM	2	/* MAIL */
#define CM_MILTER_STAGE_EOM	5	/* end of message */

/* Address families at connect. */
#define CM_MILTER_FAMILY_UNKNOWN	'U'	/* no port, no address */
#define CM_MILTER_FAMILY_UNIX		'L'
#define CM_MILTER_FAMILY_INET		'4'
#define CM_MILTER_FAMILY_INET6		'6'

/* One packet: data points into the splitter's buffer. */
struct cm_milter_packet {
	char    cmd;
	const char *data;
	size_t  len;			/* of data, without the command */
};

/* What an OPTNEG carries, either way. */
struct cm_milter_optneg {
	uint32_t version;
	uint32_t actions;		/* CM_MILTER_ACT_* */
	uint32_t protocol;		/* CM_MILTER_PROTO_* */
};

/* A CONNECT: host and address point into the packet's data. */
struct cm_milter_connect {
	const char *host;		/* the client's name */
	char    family;			/* CM_MILTER_FAMILY_* (not checked) */
	unsigned port;			/* 0 for FAMILY_UNKNOWN */
	const char *addr;		/* NULL for FAMILY_UNKNOWN */
};

/* Iterator over the name/value pairs of a MACRO packet. */
struct cm_milter_macros {
	char    cmd;			/* the command they are for */
	const char *next;
	const char *end;
};

/* A 32-bit number in network order at p (4 bytes). */
uint32_t cm_milter_u32_read(const char *p);
/* Writes one at p (4 bytes). */
void    cm_milter_u32_write(char *p, uint32_t value);

/* The first packet in buf[0..len): 1 with it in *packet_r and its
   whole size (CM_MILTER_HEADER_SIZE + packet_r->len) in *used_r; 0
   when buf holds only part of it (or less than 4 bytes); -1 when its
   length field is 0 or over CM_MILTER_PACKET_MAX (the field is
   cm_milter_u32_read(buf)). Outputs are set only on 1. */
int     cm_milter_packet_split(const char *buf, size_t len,
			       struct cm_milter_packet *packet_r,
			       size_t *used_r);
/* Encodes one packet (a reply) into dst: CM_MILTER_HEADER_SIZE + len,
   or -1 when it does not fit in size or len + 1 exceeds
   CM_MILTER_PACKET_MAX. data may be NULL when len is 0. */
long    cm_milter_packet_format(char cmd, const void *data, size_t len,
				char *dst, size_t size);

/* The MTA's OPTNEG data: 0, or -1 when shorter than
   CM_MILTER_OPTNEG_SIZE or the version is below CM_MILTER_VERSION_MIN.
   Bytes after the three numbers are ignored. */
int     cm_milter_optneg_parse(const char *data, size_t len,
			       struct cm_milter_optneg *optneg_r);
/* Our OPTNEG reply's data to the MTA's offer: the version the lower of
   the offer's and CM_MILTER_VERSION, the actions the offer's
   SETSYMLIST bit, the protocol flags protocol & offer->protocol and,
   when the offer has version >= 6 and SETSYMLIST, the macro lists of
   chatmail-policyd: {daemon_name} at connect, {auth_authen} at MAIL,
   i (the queue id) at the end of the message. The length (at most
   CM_MILTER_OPTNEG_MAX), or -1 when it does not fit in size. */
long    cm_milter_optneg_format(const struct cm_milter_optneg *offer,
				uint32_t protocol, char *dst, size_t size);

/* A CONNECT's data: host, family, then (unless the family is
   CM_MILTER_FAMILY_UNKNOWN) a 2-byte port and the address. 0, or -1
   when a string is not NUL-ended or a field is missing. Bytes after
   the last field are ignored. */
int     cm_milter_connect_parse(const char *data, size_t len,
				struct cm_milter_connect *connect_r);

/* A MACRO's data: the command byte, then name/value pairs. start: 0,
   or -1 when data is empty. next: 1 with the next pair, or 0 at the
   end; a trailing name without a value and bytes after the last NUL
   are ignored. */
int     cm_milter_macros_start(struct cm_milter_macros *it, const char *data,
			       size_t len);
int     cm_milter_macros_next(struct cm_milter_macros *it,
			      const char **name_r, const char **value_r);

/* The first n NUL-ended strings of data into strings[0..n) (MAIL and
   RCPT: the address; HEADER: name and value): 0, or -1 when there are
   fewer (strings[] is then partly set). Bytes after them are
   ignored. */
int     cm_milter_strings_parse(const char *data, size_t len,
				const char **strings, unsigned n);

#endif
