/*++
 * NAME
 *	fuzz_cm_milter_codec 1
 * SUMMARY
 *	libFuzzer target for the milter protocol codec
 * DESCRIPTION
 *	Reads the input as the byte stream an MTA sends: splits it into
 *	packets until the splitter wants more or refuses a length, and
 *	hands every packet's data to every decoder, whatever its command.
 *	A packet must lie inside what is left of the stream, start right
 *	after its length and command, and encode back to the same bytes;
 *	a shorter prefix of the stream must not give a packet. Every
 *	string a decoder returns must start inside the data and end in a
 *	NUL inside it. An OPTNEG that parses must format to a reply that
 *	parses back with the version, actions and flags asked for. Any
 *	violation abort()s.
 *--*/

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cm_milter_codec.h"

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_string - s starts in data[0..len) and its NUL is there too */
static void check_string(const char *s, const char *data, size_t len)
{
	if (s == NULL || s < data || s >= data + len
	    || memchr(s, '\0', (size_t) (data + len - s)) == NULL)
		abort();
}

/* check_optneg - parse, format the reply, parse it back */
static void check_optneg(const char *data, size_t len)
{
	struct cm_milter_optneg offer, back;
	char    out[CM_MILTER_OPTNEG_MAX];
	uint32_t want;
	long    n;

	if (cm_milter_optneg_parse(data, len, &offer) < 0) {
		if (len >= CM_MILTER_OPTNEG_SIZE
		    && cm_milter_u32_read(data) >= CM_MILTER_VERSION_MIN)
			abort();
		return;
	}
	/* the flags asked for: the offer's own bytes turned around */
	want = offer.protocol ^ offer.actions ^ 0x0ff7c2U;
	n = cm_milter_optneg_format(&offer, want, out, sizeof(out));
	if (n < CM_MILTER_OPTNEG_SIZE || n > CM_MILTER_OPTNEG_MAX
	    || cm_milter_optneg_parse(out, (size_t) n, &back) < 0
	    || back.version != (offer.version < CM_MILTER_VERSION
				? offer.version : CM_MILTER_VERSION)
	    || back.actions != (offer.actions & CM_MILTER_ACT_SETSYMLIST)
	    || back.protocol != (want & offer.protocol))
		abort();
	/* one byte less never fits */
	if (cm_milter_optneg_format(&offer, want, out, (size_t) n - 1) != -1)
		abort();
}

/* check_decoders - every decoder on one packet's data */
static void check_decoders(const char *data, size_t len)
{
	struct cm_milter_connect cn;
	struct cm_milter_macros it;
	const char *s[3], *name, *value;
	unsigned n, i;

	check_optneg(data, len);
	if (cm_milter_connect_parse(data, len, &cn) == 0) {
		check_string(cn.host, data, len);
		if ((cn.family == CM_MILTER_FAMILY_UNKNOWN) != (cn.addr == NULL)
		    || cn.port > 0xffff)
			abort();
		if (cn.addr != NULL)
			check_string(cn.addr, data, len);
	}
	if (cm_milter_macros_start(&it, data, len) == 0) {
		if (len == 0 || it.cmd != data[0])
			abort();
		while (cm_milter_macros_next(&it, &name, &value) == 1) {
			check_string(name, data, len);
			check_string(value, data, len);
			if (value <= name)
				abort();
		}
	} else if (len > 0) {
		abort();
	}
	for (n = 0; n <= 3; n++)
		if (cm_milter_strings_parse(data, len, s, n) == 0)
			for (i = 0; i < n; i++)
				check_string(s[i], data, len);
}

/* check_packet - the packet's place in the stream, and back to bytes */
static void check_packet(const char *p, size_t left,
			 const struct cm_milter_packet *pkt, size_t used)
{
	struct cm_milter_packet again;
	size_t  used2;
	char   *copy;

	if (used > left || used != CM_MILTER_HEADER_SIZE + pkt->len
	    || pkt->data != p + CM_MILTER_HEADER_SIZE || pkt->cmd != p[4]
	    || pkt->len + 1 > CM_MILTER_PACKET_MAX)
		abort();
	if (cm_milter_packet_split(p, used - 1, &again, &used2) != 0)
		abort();
	if ((copy = malloc(used)) == NULL)
		abort();
	if (cm_milter_packet_format(pkt->cmd, pkt->data, pkt->len, copy,
				    used) != (long) used
	    || memcmp(copy, p, used) != 0
	    || cm_milter_packet_format(pkt->cmd, pkt->data, pkt->len, copy,
				       used - 1) != -1)
		abort();
	free(copy);
}

/* LLVMFuzzerTestOneInput - one fuzz input: a stream of packets */
int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *) data;
	struct cm_milter_packet pkt;
	size_t  left = size, used;
	int     rc;

	while ((rc = cm_milter_packet_split(p, left, &pkt, &used)) == 1) {
		check_packet(p, left, &pkt, used);
		check_decoders(pkt.data, pkt.len);
		p += used;
		left -= used;
	}
	/* -1 only for a bad length field, 0 only for a short packet */
	if (rc == -1 ? left < 4 || (cm_milter_u32_read(p) != 0
				    && cm_milter_u32_read(p)
				    <= CM_MILTER_PACKET_MAX)
	    : rc != 0 || (left >= 4 && left - 4 >= cm_milter_u32_read(p)))
		abort();
	/* the tail the splitter refused or waits for: decode it anyway */
	if (left > 0)
		check_decoders(p, left);
	return (0);
}
