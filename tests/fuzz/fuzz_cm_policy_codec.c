/*++
 * NAME
 *	fuzz_cm_policy_codec 1
 * SUMMARY
 *	libFuzzer target for the Postfix policy protocol parser
 * DESCRIPTION
 *	Parses the input twice, side by side: with one parser in a single
 *	feed per request, with another in chunks whose sizes come from the
 *	input bytes. Both must return the same requests with the same
 *	fields (the parser result does not depend on how input arrives).
 *	Every feed must consume no more than it was given, all of it when
 *	it returns 0 and at least one byte when it returns 1; every field
 *	of a returned request must be non-NULL, and a reply built from any
 *	of them must be exactly one line ending in "\n\n". Any violation
 *	abort()s.
 *--*/

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cm_policy_codec.h"

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct stream {
	struct cm_policy_parser *parser;
	const char *data;
	size_t  size;
	size_t  pos;
	int     chunked;
};

/* chunk_len - feed size at pos, taken from the input itself */
static size_t chunk_len(const struct stream *s)
{
	unsigned char b = (unsigned char) s->data[s->pos];
	size_t  len;

	if (b & 0x80)
		len = 1 + (size_t) (b & 0x7f) * 97;	/* up to ~12 KB */
	else
		len = 1 + (b + s->pos) % 16;
	return (len < s->size - s->pos ? len : s->size - s->pos);
}

/* next_request - feed until a request comes out (1) or input ends (0) */
static int next_request(struct stream *s, struct cm_policy_request *req)
{
	size_t  len, consumed;
	int     rc;

	while (s->pos < s->size) {
		len = s->chunked ? chunk_len(s) : s->size - s->pos;
		consumed = len + 1;
		rc = cm_policy_parser_feed(s->parser, s->data + s->pos, len,
					   &consumed, req);
		if (consumed > len)
			abort();
		s->pos += consumed;
		if (rc == 1) {
			if (consumed == 0
			    || cm_policy_parser_pending(s->parser) != 0)
				abort();
			return (1);
		}
		if (rc != 0 || consumed != len)
			abort();
	}
	return (0);
}

/* check_reply - a reply built from any text is one line */
static void check_reply(const char *action, const char *text)
{
	char    buf[CM_POLICY_REPLY_MAX];
	size_t  len = cm_policy_reply_format(buf, sizeof(buf), action, text);

	if (len >= sizeof(buf) || len < 9 || strlen(buf) != len)
		abort();
	if (memcmp(buf, "action=", 7) != 0
	    || memcmp(buf + len - 2, "\n\n", 2) != 0
	    || memchr(buf, '\n', len - 2) != NULL
	    || memchr(buf, '\r', len) != NULL)
		abort();
}

/* check_request - invariants of one returned request */
static void check_request(const struct cm_policy_request *req)
{
	const char *fields[] = {
		req->request, req->protocol_state, req->protocol_name,
		req->queue_id, req->instance, req->client_address,
		req->client_name, req->helo_name, req->sender, req->recipient,
		req->sasl_username,
	};
	size_t  i;

	if ((req->malformed != 0) != (req->malformed_reason != NULL))
		abort();
	if (req->size < 0 || req->recipient_count < 0
	    || req->n_unknown > req->n_attrs
	    || req->n_attrs > CM_POLICY_ATTRS_MAX + 1)
		abort();
	if (req->state != cm_policy_state_parse(req->protocol_state))
		abort();
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (fields[i] == NULL || strlen(fields[i]) > CM_POLICY_LINE_MAX)
			abort();
		check_reply(fields[i], fields[i]);
		check_reply("DUNNO", fields[i]);
	}
	if (!req->malformed && req->n_attrs == 0)
		abort();
}

/* same_request - two parses of the same bytes agree */
static void same_request(const struct cm_policy_request *a,
			         const struct cm_policy_request *b)
{
	if (a->malformed != b->malformed || a->state != b->state
	    || a->size != b->size || a->recipient_count != b->recipient_count
	    || a->n_attrs != b->n_attrs || a->n_unknown != b->n_unknown)
		abort();
	if (a->malformed && strcmp(a->malformed_reason,
				   b->malformed_reason) != 0)
		abort();
	if (strcmp(a->request, b->request) != 0
	    || strcmp(a->protocol_state, b->protocol_state) != 0
	    || strcmp(a->protocol_name, b->protocol_name) != 0
	    || strcmp(a->queue_id, b->queue_id) != 0
	    || strcmp(a->instance, b->instance) != 0
	    || strcmp(a->client_address, b->client_address) != 0
	    || strcmp(a->client_name, b->client_name) != 0
	    || strcmp(a->helo_name, b->helo_name) != 0
	    || strcmp(a->sender, b->sender) != 0
	    || strcmp(a->recipient, b->recipient) != 0
	    || strcmp(a->sasl_username, b->sasl_username) != 0)
		abort();
}

/* LLVMFuzzerTestOneInput - one fuzz input */
int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stream whole = {NULL, (const char *) data, size, 0, 0};
	struct stream chunks = {NULL, (const char *) data, size, 0, 1};
	struct cm_policy_request a, b;
	int     rc_a, rc_b;
	size_t  consumed = 1;

	whole.parser = cm_policy_parser_new();
	chunks.parser = cm_policy_parser_new();
	if (cm_policy_parser_feed(whole.parser, "", 0, &consumed, &a) != 0
	    || consumed != 0)
		abort();
	do {
		rc_a = next_request(&whole, &a);
		rc_b = next_request(&chunks, &b);
		if (rc_a != rc_b || whole.pos != chunks.pos)
			abort();
		if (rc_a) {
			check_request(&a);
			check_request(&b);
			same_request(&a, &b);
		}
	} while (rc_a);
	if (cm_policy_parser_pending(whole.parser)
	    != cm_policy_parser_pending(chunks.parser))
		abort();
	cm_policy_parser_free(&whole.parser);
	cm_policy_parser_free(&chunks.parser);
	return (0);
}
