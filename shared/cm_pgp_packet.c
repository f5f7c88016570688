/*++
 * NAME
 *	cm_pgp_packet 3
 * SUMMARY
 *	streaming OpenPGP packet-header walker (pure, no I/O)
 * DESCRIPTION
 *	See cm_pgp_packet.h. A small state machine: a tag octet, then the
 *	length octets, then a body that is skipped in bulk. Only header
 *	octets are looked at one by one, so the cost per byte of a large
 *	SEIPD is a subtraction per piece fed.
 *--*/

#include "cm_pgp_packet.h"

#define PACKET_TAG	0		/* expecting a packet tag octet */
#define PACKET_NEW_LEN	1		/* expecting a new-format length */
#define PACKET_LEN_MORE	2		/* more length octets to come */
#define PACKET_BODY	3		/* skipping body octets */
#define PACKET_FAILED	4

#define PACKET_HEADER_MAX 6		/* tag and a 5-octet length */

#define TAG_PKESK	1
#define TAG_SKESK	3
#define TAG_SEIPD	18

/* cm_pgp_packet_init - a fresh walker */
void    cm_pgp_packet_init(struct cm_pgp_packet *pkt)
{
	*pkt = (struct cm_pgp_packet) {.state = PACKET_TAG};
}

/* packet_fail - remember the first error */
static int packet_fail(struct cm_pgp_packet *pkt, const char *reason)
{
	pkt->state = PACKET_FAILED;
	pkt->reason = reason;
	return (-1);
}

/* packet_tag_reason - why a packet of this tag is refused, NULL = ok */
static const char *packet_tag_reason(unsigned tag)
{
	switch (tag) {
	case TAG_PKESK:
	case TAG_SKESK:
	case TAG_SEIPD:
		return (NULL);
	case 2:
		return ("signature packet (not encrypted)");
	case 4:
		return ("one-pass signature packet (not encrypted)");
	case 8:
		return ("compressed data packet (not encrypted)");
	case 9:
		return ("SED packet (tag 9) without integrity protection");
	case 11:
		return ("literal data packet (not encrypted)");
	case 20:
		return ("AEAD packet (tag 20) not allowed");
	default:
		return ("unexpected OpenPGP packet type");
	}
}

/* packet_body_start - a (chunk of a) body of len octets begins */
static void packet_body_start(struct cm_pgp_packet *pkt, uint64_t len,
			      int partial)
{
	pkt->skip = len;
	pkt->partial = partial;
	pkt->state = PACKET_BODY;
}

/* packet_body_end - the current body chunk is complete */
static void packet_body_end(struct cm_pgp_packet *pkt)
{
	if (pkt->partial) {
		pkt->state = PACKET_NEW_LEN;
		return;
	}
	if (pkt->tag == TAG_SEIPD)
		pkt->seipd_done = 1;
	pkt->state = PACKET_TAG;
}

/* packet_tag - a tag octet */
static int packet_tag(struct cm_pgp_packet *pkt, unsigned char c)
{
	const char *why;

	if (pkt->seipd_done)
		return (packet_fail(pkt, "SEIPD followed by trailing data"));
	if ((c & 0x80) == 0)
		return (packet_fail(pkt, "bad OpenPGP packet header"));
	pkt->packets++;
	if (c & 0x40) {
		pkt->tag = c & 0x3f;
		pkt->state = PACKET_NEW_LEN;
	} else {
		pkt->tag = (c >> 2) & 0x0f;
		pkt->len_need = (c & 3) == 0 ? 1 : (c & 3) == 1 ? 2 : 4;
		pkt->len_acc = 0;
		pkt->len_bias = 0;
		pkt->state = PACKET_LEN_MORE;
	}
	if ((why = packet_tag_reason(pkt->tag)) != NULL)
		return (packet_fail(pkt, why));
	if ((c & 0x40) == 0 && (c & 3) == 3)
		return (packet_fail(pkt, "old-format indeterminate packet length"));
	return (0);
}

/* packet_new_len - the first octet of a new-format length */
static int packet_new_len(struct cm_pgp_packet *pkt, unsigned char c)
{
	if (c < 192) {
		packet_body_start(pkt, c, 0);
	} else if (c < 224) {
		pkt->len_acc = (uint32_t) (c - 192);
		pkt->len_bias = 192;
		pkt->len_need = 1;
		pkt->state = PACKET_LEN_MORE;
	} else if (c == 255) {
		pkt->len_acc = 0;
		pkt->len_bias = 0;
		pkt->len_need = 4;
		pkt->state = PACKET_LEN_MORE;
	} else {
		if (pkt->tag != TAG_SEIPD)
			return (packet_fail(pkt,
				  "partial length on a non-SEIPD packet"));
		packet_body_start(pkt, (uint64_t) 1 << (c & 0x1f), 1);
	}
	return (0);
}

/* packet_len_more - one more length octet */
static void packet_len_more(struct cm_pgp_packet *pkt, unsigned char c)
{
	pkt->len_acc = (pkt->len_acc << 8) | c;
	if (--pkt->len_need == 0)
		packet_body_start(pkt, (uint64_t) pkt->len_acc + pkt->len_bias,
				  0);
}

/* packet_be32 - four octets at p, most significant first */
static uint32_t packet_be32(const unsigned char *p)
{
	return ((uint32_t) p[0] << 24 | (uint32_t) p[1] << 16
		| (uint32_t) p[2] << 8 | p[3]);
}

/* packet_header - a whole packet header at p, with PACKET_HEADER_MAX
 * octets there, read at once: how many octets it took, or 0 to leave
 * it to the octet-by-octet path (which then also says what is wrong:
 * this one takes only headers that are fine, and no partial length) */
static size_t packet_header(struct cm_pgp_packet *pkt,
			            const unsigned char *p)
{
	unsigned c = p[0], tag;
	uint32_t len;
	size_t  n;

	if (pkt->seipd_done || (c & 0x80) == 0)
		return (0);
	if (c & 0x40) {
		tag = c & 0x3f;
		if (p[1] < 192) {
			len = p[1];
			n = 2;
		} else if (p[1] < 224) {
			len = ((uint32_t) (p[1] - 192) << 8 | p[2]) + 192;
			n = 3;
		} else if (p[1] == 255) {
			len = packet_be32(p + 2);
			n = 6;
		} else {
			return (0);
		}
	} else {
		tag = (c >> 2) & 0x0f;
		switch (c & 3) {
		case 0:
			len = p[1];
			n = 2;
			break;
		case 1:
			len = (uint32_t) p[1] << 8 | p[2];
			n = 3;
			break;
		case 2:
			len = packet_be32(p + 1);
			n = 5;
			break;
		default:
			return (0);
		}
	}
	if (tag != TAG_PKESK && tag != TAG_SKESK && tag != TAG_SEIPD)
		return (0);
	pkt->packets++;
	pkt->tag = tag;
	packet_body_start(pkt, len, 0);
	return (n);
}

/* cm_pgp_packet_feed - walk more decoded octets. A header that is all
 * in this piece is read at once; one split over pieces goes octet by
 * octet through the states. */
int     cm_pgp_packet_feed(struct cm_pgp_packet *pkt,
			           const unsigned char *data, size_t len)
{
	size_t  i = 0, n;

	while (i < len || (pkt->state == PACKET_BODY && pkt->skip == 0)) {
		switch (pkt->state) {
		case PACKET_BODY:
			if (pkt->skip > 0) {
				n = len - i;
				if ((uint64_t) n > pkt->skip)
					n = (size_t) pkt->skip;
				pkt->skip -= n;
				i += n;
			}
			if (pkt->skip == 0)
				packet_body_end(pkt);
			break;
		case PACKET_TAG:
			if (len - i >= PACKET_HEADER_MAX
			    && (n = packet_header(pkt, data + i)) != 0) {
				i += n;
				break;
			}
			if (packet_tag(pkt, data[i++]) < 0)
				return (-1);
			break;
		case PACKET_NEW_LEN:
			if (packet_new_len(pkt, data[i++]) < 0)
				return (-1);
			break;
		case PACKET_LEN_MORE:
			packet_len_more(pkt, data[i++]);
			break;
		default:
			return (-1);
		}
	}
	return (0);
}

/* cm_pgp_packet_end - the data ended: is the sequence complete? */
int     cm_pgp_packet_end(struct cm_pgp_packet *pkt, const char **reason_r)
{
	if (pkt->state == PACKET_BODY && pkt->skip == 0)
		packet_body_end(pkt);
	if (pkt->state == PACKET_FAILED)
		/* void */ ;
	else if (pkt->state != PACKET_TAG)
		packet_fail(pkt, "truncated OpenPGP packet");
	else if (pkt->packets == 0)
		packet_fail(pkt, "no OpenPGP packets");
	else if (!pkt->seipd_done)
		packet_fail(pkt, "no SEIPD packet");
	else
		return (0);
	if (reason_r != NULL)
		*reason_r = pkt->reason;
	return (-1);
}
