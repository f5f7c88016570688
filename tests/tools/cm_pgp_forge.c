/*++
 * NAME
 *	cm_pgp_forge 1
 * SUMMARY
 *	rewrite an armored OpenPGP message for the encryption gate corpus
 * SYNOPSIS
 *	cm_pgp_forge [options] < armored > armored
 * DESCRIPTION
 *	Reads an ASCII-armored OpenPGP message (as gpg writes it), splits
 *	the decoded octets into top-level packets (old or new format,
 *	partial lengths joined) and writes it back armored, changed as
 *	the options say; without options the packets are copied octet
 *	for octet and only the armor is rewritten (64-column lines, CRC).
 *
 *	--headers new|new5|old4|indet
 *		re-emit every packet header: new format with the shortest
 *		length (new), new format with 5-octet lengths (new5), or
 *		old format with 4-octet lengths (old4) or an indeterminate
 *		length (indet) for tags below 16 (the SEIPD, tag 18, can
 *		only be new format and stays so).
 *	--partial N
 *		re-emit the SEIPD body in partial chunks of 2^N octets
 *		(the last chunk with a normal length).
 *	--tag FROM:TO
 *		change the tag of every FROM packet to TO (new format).
 *	--append TAG
 *		append a packet of that tag with a 5-octet body.
 *	--truncate N
 *		drop the last N decoded octets.
 *	--no-crc, --bad-crc
 *		omit the CRC24 line, or write a wrong one.
 *	--header "Key: value"
 *		add an armor header line (repeatable, at most 4).
 *	--line N
 *		base64 line length (default 64, a multiple of 4 or not).
 *	--info
 *		print one line per packet (tag, format, body length,
 *		partial) instead of the armor.
 * DIAGNOSTICS
 *	Exit 0 on success, 1 on unparseable input, 2 on usage errors.
 *--*/

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pgp_armor.h"

#define FORGE_MAX_PACKETS	64
#define FORGE_MAX_HEADERS	4

struct forge_packet {
	unsigned tag;
	int     old_format;
	int     partial;		/* body came in partial chunks */
	size_t  raw_off, raw_len;	/* header + body as read */
	unsigned char *body;		/* joined body, malloc'ed */
	size_t  body_len;
};

struct forge_opts {
	const char *headers;
	int     partial;		/* log2 of chunk, 0 = off */
	int     tag_from, tag_to;
	int     append_tag;
	size_t  truncate;
	int     no_crc, bad_crc, info;
	const char *armor_headers[FORGE_MAX_HEADERS];
	int     n_headers;
	size_t  line;
};

struct forge_buf {
	unsigned char *data;
	size_t  len, size;
};

/* forge_die - report and exit */
static void forge_die(int code, const char *msg)
{
	fprintf(stderr, "cm_pgp_forge: %s\n", msg);
	exit(code);
}

/* buf_add - append octets */
static void buf_add(struct forge_buf *b, const void *p, size_t n)
{
	if (b->len + n > b->size) {
		b->size = (b->len + n) * 2 + 64;
		if ((b->data = realloc(b->data, b->size)) == NULL)
			forge_die(2, "out of memory");
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

/* buf_byte - append one octet */
static void buf_byte(struct forge_buf *b, unsigned c)
{
	unsigned char x = (unsigned char) c;

	buf_add(b, &x, 1);
}

/* b64_val - value of a base64 character, -1 otherwise */
static int b64_val(int c)
{
	const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	"0123456789+/";
	const char *p = c != 0 ? strchr(a, c) : NULL;

	return (p != NULL ? (int) (p - a) : -1);
}

/* forge_dearmor - decode the armored stdin */
static void forge_dearmor(FILE *fp, struct forge_buf *out)
{
	char    line[4096];
	int     state = 0;		/* 0 before, 1 headers, 2 data */
	uint32_t acc = 0;
	int     bits = 0;

	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t  n = strcspn(line, "\r\n");

		line[n] = '\0';
		if (state == 0 && strcmp(line, "-----BEGIN PGP MESSAGE-----") == 0)
			state = 1;
		else if (state == 1 && n == 0)
			state = 2;
		else if (state == 2 && (line[0] == '=' || line[0] == '-'))
			break;
		else if (state == 2) {
			for (size_t i = 0; i < n && line[i] != '='; i++) {
				int     v = b64_val(line[i]);

				if (v < 0)
					forge_die(1, "bad base64");
				acc = (acc << 6) | (uint32_t) v;
				if ((bits += 6) >= 8) {
					bits -= 8;
					buf_byte(out, (acc >> bits) & 0xff);
				}
			}
		}
	}
	if (state != 2)
		forge_die(1, "no armored message on stdin");
}

/* forge_len - read a new-format body length at d[*i]; 1 when partial */
static int forge_len(const unsigned char *d, size_t n, size_t *i,
		             size_t *len)
{
	unsigned c;

	if (*i >= n)
		forge_die(1, "truncated length");
	c = d[(*i)++];
	if (c < 192) {
		*len = c;
	} else if (c < 224) {
		if (*i >= n)
			forge_die(1, "truncated length");
		*len = ((c - 192) << 8) + d[(*i)++] + 192;
	} else if (c == 255) {
		if (*i + 4 > n)
			forge_die(1, "truncated length");
		*len = (size_t) d[*i] << 24 | (size_t) d[*i + 1] << 16
			| (size_t) d[*i + 2] << 8 | d[*i + 3];
		*i += 4;
	} else {
		*len = (size_t) 1 << (c & 0x1f);
		return (1);
	}
	return (0);
}

/* forge_split - the decoded octets as packets */
static size_t forge_split(const struct forge_buf *in, struct forge_packet *pk)
{
	const unsigned char *d = in->data;
	size_t  i = 0, count = 0;

	while (i < in->len) {
		struct forge_packet *p = &pk[count];
		struct forge_buf body = {0};
		size_t  len;
		unsigned c = d[i];

		if (count == FORGE_MAX_PACKETS || !(c & 0x80))
			forge_die(1, "bad packet header");
		memset(p, 0, sizeof(*p));
		p->raw_off = i++;
		if (c & 0x40) {
			int     more;

			p->tag = c & 0x3f;
			do {
				more = forge_len(d, in->len, &i, &len);
				p->partial |= more;
				if (i + len > in->len)
					forge_die(1, "truncated body");
				buf_add(&body, d + i, len);
				i += len;
			} while (more);
		} else {
			unsigned lt = c & 3, k;

			p->tag = (c >> 2) & 0x0f;
			p->old_format = 1;
			if (lt == 3)
				forge_die(1, "indeterminate length");
			for (len = 0, k = 0; k < (lt == 0 ? 1u : lt == 1 ? 2u : 4u); k++)
				len = (len << 8) | d[i++];
			if (i + len > in->len)
				forge_die(1, "truncated body");
			buf_add(&body, d + i, len);
			i += len;
		}
		p->raw_len = i - p->raw_off;
		p->body = body.data;
		p->body_len = body.len;
		count++;
	}
	return (count);
}

/* forge_new_len - a new-format length (five = always 5 octets) */
static void forge_new_len(struct forge_buf *b, size_t len, int five)
{
	if (!five && len < 192) {
		buf_byte(b, (unsigned) len);
	} else if (!five && len < 8384) {
		buf_byte(b, (unsigned) (((len - 192) >> 8) + 192));
		buf_byte(b, (unsigned) ((len - 192) & 0xff));
	} else {
		buf_byte(b, 255);
		buf_byte(b, (unsigned) (len >> 24) & 0xff);
		buf_byte(b, (unsigned) (len >> 16) & 0xff);
		buf_byte(b, (unsigned) (len >> 8) & 0xff);
		buf_byte(b, (unsigned) len & 0xff);
	}
}

/* forge_packet_out - one packet, re-encoded as the options say */
static void forge_packet_out(struct forge_buf *b, const struct forge_buf *in,
			             const struct forge_packet *p,
			             const struct forge_opts *o)
{
	const char *h = o->headers;
	unsigned tag = p->tag;
	int     changed = 0;

	if (o->tag_from >= 0 && (int) tag == o->tag_from) {
		tag = (unsigned) o->tag_to;
		changed = 1;
	}
	if (o->partial > 0 && tag == 18) {
		size_t  chunk = (size_t) 1 << o->partial, off = 0;

		buf_byte(b, 0xc0 | tag);
		while (p->body_len - off > chunk) {
			buf_byte(b, 224 + (unsigned) o->partial);
			buf_add(b, p->body + off, chunk);
			off += chunk;
		}
		forge_new_len(b, p->body_len - off, 0);
		buf_add(b, p->body + off, p->body_len - off);
		return;
	}
	if (h == NULL && !changed) {
		buf_add(b, in->data + p->raw_off, p->raw_len);
		return;
	}
	if (h != NULL && strcmp(h, "indet") == 0 && tag < 16) {
		buf_byte(b, 0x80 | (tag << 2) | 3);
	} else if (h != NULL && strcmp(h, "old4") == 0 && tag < 16) {
		buf_byte(b, 0x80 | (tag << 2) | 2);
		buf_byte(b, (unsigned) (p->body_len >> 24) & 0xff);
		buf_byte(b, (unsigned) (p->body_len >> 16) & 0xff);
		buf_byte(b, (unsigned) (p->body_len >> 8) & 0xff);
		buf_byte(b, (unsigned) p->body_len & 0xff);
	} else {
		buf_byte(b, 0xc0 | tag);
		forge_new_len(b, p->body_len, h != NULL && strcmp(h, "new5") == 0);
	}
	buf_add(b, p->body, p->body_len);
}

/* forge_armor_out - write octets as an armored message */
static void forge_armor_out(const struct forge_buf *b,
			            const struct forge_opts *o)
{
	const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	"0123456789+/";
	struct forge_buf text = {0};
	uint32_t crc;
	size_t  i;
	int     k;

	for (i = 0; i < b->len; i += 3) {
		uint32_t w = (uint32_t) b->data[i] << 16;
		size_t  left = b->len - i;

		w |= left > 1 ? (uint32_t) b->data[i + 1] << 8 : 0;
		w |= left > 2 ? b->data[i + 2] : 0;
		buf_byte(&text, (unsigned char) a[(w >> 18) & 63]);
		buf_byte(&text, (unsigned char) a[(w >> 12) & 63]);
		buf_byte(&text, left > 1 ? (unsigned char) a[(w >> 6) & 63] : '=');
		buf_byte(&text, left > 2 ? (unsigned char) a[w & 63] : '=');
	}
	printf("-----BEGIN PGP MESSAGE-----\n");
	for (k = 0; k < o->n_headers; k++)
		printf("%s\n", o->armor_headers[k]);
	printf("\n");
	for (i = 0; i < text.len; i += o->line)
		printf("%.*s\n", (int) (text.len - i < o->line ? text.len - i : o->line),
		       (const char *) text.data + i);
	crc = cm_pgp_armor_crc24(CM_PGP_ARMOR_CRC24_INIT, b->data, b->len);
	if (o->bad_crc)
		crc ^= 0x000100;
	if (!o->no_crc)
		printf("=%c%c%c%c\n", a[(crc >> 18) & 63], a[(crc >> 12) & 63],
		       a[(crc >> 6) & 63], a[crc & 63]);
	printf("-----END PGP MESSAGE-----\n");
	free(text.data);
}

/* forge_args - parse the options */
static void forge_args(int argc, char **argv, struct forge_opts *o)
{
	int     i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--no-crc") == 0 || strcmp(a, "--bad-crc") == 0
		    || strcmp(a, "--info") == 0) {
			*(a[2] == 'n' ? &o->no_crc : a[2] == 'b' ? &o->bad_crc
			  : &o->info) = 1;
			continue;
		}
		if (v == NULL)
			forge_die(2, "option needs a value");
		i++;
		if (strcmp(a, "--headers") == 0)
			o->headers = v;
		else if (strcmp(a, "--partial") == 0)
			o->partial = atoi(v);
		else if (strcmp(a, "--tag") == 0
			 && sscanf(v, "%d:%d", &o->tag_from, &o->tag_to) == 2)
			/* void */ ;
		else if (strcmp(a, "--append") == 0)
			o->append_tag = atoi(v);
		else if (strcmp(a, "--truncate") == 0)
			o->truncate = strtoul(v, NULL, 10);
		else if (strcmp(a, "--line") == 0 && atoi(v) > 0)
			o->line = (size_t) atoi(v);
		else if (strcmp(a, "--header") == 0
			 && o->n_headers < FORGE_MAX_HEADERS)
			o->armor_headers[o->n_headers++] = v;
		else
			forge_die(2, "bad option");
	}
}

/* main - read, rewrite, write */
int     main(int argc, char **argv)
{
	struct forge_opts o = {NULL, 0, -1, -1, 0, 0, 0, 0, 0, {0}, 0, 64};
	struct forge_packet pk[FORGE_MAX_PACKETS];
	struct forge_buf in = {0}, out = {0};
	size_t  count, i;

	forge_args(argc, argv, &o);
	forge_dearmor(stdin, &in);
	count = forge_split(&in, pk);
	for (i = 0; i < count; i++) {
		if (o.info)
			printf("tag=%u %s len=%zu%s\n", pk[i].tag,
			       pk[i].old_format ? "old" : "new", pk[i].body_len,
			       pk[i].partial ? " partial" : "");
		forge_packet_out(&out, &in, &pk[i], &o);
		free(pk[i].body);
	}
	if (o.append_tag > 0) {
		buf_byte(&out, 0xc0 | (unsigned) o.append_tag);
		buf_byte(&out, 5);
		buf_add(&out, "\x01trail", 5);
	}
	out.len -= o.truncate < out.len ? o.truncate : out.len;
	if (!o.info)
		forge_armor_out(&out, &o);
	free(in.data);
	free(out.data);
	return (0);
}
