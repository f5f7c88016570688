/*++
 * NAME
 *	test_cm_policy_codec 1
 * SUMMARY
 *	cmocka tests for the Postfix policy protocol parser and replies
 * DESCRIPTION
 *	A real Postfix 3.7 RCPT request parsed whole, byte by byte, two in
 *	one buffer and with CRLF line ends; every kind of malformed request
 *	(each followed by a good one on the same parser), line and request
 *	length limits, a megabyte of binary junk, missing and repeated
 *	attributes, numbers, protocol states and the reply encoder.
 *--*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_policy_codec.h"

/* What Postfix 3.7 sends at RCPT (all 30 attributes, in its order). */
static const char rcpt_request[] =
	"request=smtpd_access_policy\n"
	"protocol_state=RCPT\n"
	"protocol_name=ESMTP\n"
	"helo_name=mail.example.org\n"
	"queue_id=\n"
	"sender=alice@example.org\n"
	"recipient=bob@chat.example.net\n"
	"recipient_count=0\n"
	"client_address=192.0.2.10\n"
	"client_name=mail.example.org\n"
	"reverse_client_name=mail.example.org\n"
	"instance=1a2b.65f0c3d2.8e4f1.0\n"
	"sasl_method=\n"
	"sasl_username=\n"
	"sasl_sender=\n"
	"size=12345\n"
	"ccert_subject=\n"
	"ccert_issuer=\n"
	"ccert_fingerprint=\n"
	"ccert_pubkey_fingerprint=\n"
	"encryption_protocol=TLSv1.3\n"
	"encryption_cipher=TLS_AES_256_GCM_SHA384\n"
	"encryption_keysize=256\n"
	"etrn_domain=\n"
	"stress=\n"
	"policy_context=\n"
	"server_address=203.0.113.5\n"
	"server_port=25\n"
	"compatibility_level=3.6\n"
	"mail_version=3.7.11\n"
	"\n";

/* A submission END-OF-MESSAGE request with two recipients. */
static const char eom_request[] =
	"request=smtpd_access_policy\n"
	"protocol_state=END-OF-MESSAGE\n"
	"protocol_name=ESMTPSA\n"
	"helo_name=[192.0.2.77]\n"
	"queue_id=4XyZ1k2QzTz9sWq\n"
	"sender=carol@chat.example.net\n"
	"recipient=\n"
	"recipient_count=2\n"
	"client_address=192.0.2.77\n"
	"client_name=unknown\n"
	"reverse_client_name=unknown\n"
	"instance=1a2c.65f0c3d3.9f00.0\n"
	"sasl_method=PLAIN\n"
	"sasl_username=carol@chat.example.net\n"
	"sasl_sender=\n"
	"size=4096\n"
	"mail_version=3.7.11\n"
	"\n";

static const char small_request[] =
	"request=smtpd_access_policy\nprotocol_state=MAIL\n"
	"sender=x@y.example\n\n";

/* feed_one - feed all of text, expect exactly one request */
static void feed_one(struct cm_policy_parser *parser, const char *text,
		             size_t len, struct cm_policy_request *req)
{
	size_t  consumed = 0;

	assert_int_equal(cm_policy_parser_feed(parser, text, len, &consumed,
					       req), 1);
	assert_int_equal(consumed, len);
	assert_int_equal(cm_policy_parser_pending(parser), 0);
}

/* check_rcpt - the fields of rcpt_request */
static void check_rcpt(const struct cm_policy_request *req)
{
	assert_int_equal(req->malformed, 0);
	assert_null(req->malformed_reason);
	assert_int_equal(req->state, CM_POLICY_STATE_RCPT);
	assert_string_equal(req->request, "smtpd_access_policy");
	assert_string_equal(req->protocol_state, "RCPT");
	assert_string_equal(req->protocol_name, "ESMTP");
	assert_string_equal(req->queue_id, "");
	assert_string_equal(req->instance, "1a2b.65f0c3d2.8e4f1.0");
	assert_string_equal(req->client_address, "192.0.2.10");
	assert_string_equal(req->client_name, "mail.example.org");
	assert_string_equal(req->helo_name, "mail.example.org");
	assert_string_equal(req->sender, "alice@example.org");
	assert_string_equal(req->recipient, "bob@chat.example.net");
	assert_string_equal(req->sasl_username, "");
	assert_int_equal(req->size, 12345);
	assert_int_equal(req->recipient_count, 0);
	assert_int_equal(req->n_attrs, 30);
	assert_int_equal(req->n_unknown, 17);
}

/* check_small - the fields of small_request */
static void check_small(const struct cm_policy_request *req)
{
	assert_int_equal(req->malformed, 0);
	assert_int_equal(req->state, CM_POLICY_STATE_MAIL);
	assert_string_equal(req->sender, "x@y.example");
	assert_string_equal(req->recipient, "");
	assert_int_equal(req->n_attrs, 3);
}

/* test_rcpt_whole - a real request in one piece */
static void test_rcpt_whole(void **state)
{
	struct cm_policy_parser *parser = cm_policy_parser_new();
	struct cm_policy_request req;

	(void) state;
	assert_int_equal(cm_policy_parser_pending(parser), 0);
	feed_one(parser, rcpt_request, strlen(rcpt_request), &req);
	check_rcpt(&req);
	feed_one(parser, eom_request, strlen(eom_request), &req);
	assert_int_equal(req.malformed, 0);
	assert_int_equal(req.state, CM_POLICY_STATE_END_OF_MESSAGE);
	assert_string_equal(req.recipient, "");
	assert_string_equal(req.sasl_username, "carol@chat.example.net");
	assert_string_equal(req.helo_name, "[192.0.2.77]");
	assert_int_equal(req.recipient_count, 2);
	assert_int_equal(req.size, 4096);
	cm_policy_parser_free(&parser);
	assert_null(parser);
	cm_policy_parser_free(&parser);		/* harmless */
	cm_policy_parser_free(NULL);
}

/* test_byte_by_byte - the same request one byte per feed */
static void test_byte_by_byte(void **state)
{
	struct cm_policy_parser *parser = cm_policy_parser_new();
	struct cm_policy_request req;
	size_t  len = strlen(rcpt_request);
	size_t  consumed;
	size_t  i;
	int     round;

	(void) state;
	for (round = 0; round < 2; round++) {
		for (i = 0; i + 1 < len; i++) {
			assert_int_equal(cm_policy_parser_feed(parser,
				rcpt_request + i, 1, &consumed, &req), 0);
			assert_int_equal(consumed, 1);
			assert_int_equal(cm_policy_parser_pending(parser), i + 1);
		}
		assert_int_equal(cm_policy_parser_feed(parser, rcpt_request + i,
						       1, &consumed, &req), 1);
		assert_int_equal(consumed, 1);
		assert_int_equal(cm_policy_parser_pending(parser), 0);
		check_rcpt(&req);
	}
	/* an empty feed changes nothing */
	assert_int_equal(cm_policy_parser_feed(parser, "", 0, &consumed, &req),
			 0);
	assert_int_equal(consumed, 0);
	cm_policy_parser_free(&parser);
}

/* test_two_in_one - two requests in one buffer, then a partial third */
static void test_two_in_one(void **state)
{
	struct cm_policy_parser *parser = cm_policy_parser_new();
	struct cm_policy_request req;
	char    buf[4096];
	size_t  len1 = strlen(rcpt_request);
	size_t  consumed;
	size_t  pos;

	(void) state;
	snprintf(buf, sizeof(buf), "%s%s%s", rcpt_request, small_request,
		 "request=smtpd_access_policy\nprotocol_state=RC");
	assert_int_equal(cm_policy_parser_feed(parser, buf, strlen(buf),
					       &consumed, &req), 1);
	assert_int_equal(consumed, len1);
	check_rcpt(&req);
	pos = consumed;
	assert_int_equal(cm_policy_parser_feed(parser, buf + pos,
				strlen(buf) - pos, &consumed, &req), 1);
	assert_int_equal(consumed, strlen(small_request));
	check_small(&req);
	pos += consumed;
	assert_int_equal(cm_policy_parser_feed(parser, buf + pos,
				strlen(buf) - pos, &consumed, &req), 0);
	assert_int_equal(consumed, strlen(buf) - pos);
	assert_int_equal(cm_policy_parser_pending(parser), consumed);
	assert_int_equal(cm_policy_parser_feed(parser, "PT\n\n", 4, &consumed,
					       &req), 1);
	assert_int_equal(consumed, 4);
	assert_int_equal(req.state, CM_POLICY_STATE_RCPT);
	assert_string_equal(req.protocol_state, "RCPT");
	cm_policy_parser_free(&parser);
}

/* test_crlf - CR before LF is dropped, also on the empty line */
static void test_crlf(void **state)
{
	struct cm_policy_parser *parser = cm_policy_parser_new();
	struct cm_policy_request req;
	char    buf[4096];
	size_t  len = 0;
	const char *p;

	(void) state;
	for (p = rcpt_request; *p != '\0'; p++) {
		if (*p == '\n')
			buf[len++] = '\r';
		buf[len++] = *p;
	}
	feed_one(parser, buf, len, &req);
	check_rcpt(&req);
	/* only the last CR goes; a CR inside a value stays */
	feed_one(parser, "sender=a\rb\r\r\n\r\n", 15, &req);
	assert_int_equal(req.malformed, 0);
	assert_string_equal(req.sender, "a\rb\r");
	cm_policy_parser_free(&parser);
}

struct bad_case {
	const char *text;
	size_t  len;				/* 0: strlen(text) */
	const char *reason;
};

#define BAD(text, reason)	{ text, 0, reason }

static const struct bad_case bad_cases[] = {
	{"sender=a\0b\nrecipient=c\n\n", 24, "NUL byte in request"},
	{"\0\n\n", 3, "NUL byte in request"},
	BAD("request=smtpd_access_policy\njunk\nsender=a\n\n",
	    "line without '='"),
	BAD("=value\n\n", "empty attribute name"),
	BAD("request=x\n=\n\n", "empty attribute name"),
	BAD("\n", "empty request"),
	BAD("\r\n", "empty request"),
	BAD("size=-1\n\n", "bad number in size"),
	BAD("size=+1\n\n", "bad number in size"),
	BAD("size= 1\n\n", "bad number in size"),
	BAD("size=12a\n\n", "bad number in size"),
	BAD("size=0x10\n\n", "bad number in size"),
	BAD("size=9223372036854775808\n\n", "bad number in size"),
	BAD("size=99999999999999999999999\n\n", "bad number in size"),
	BAD("recipient_count=1.5\n\n", "bad number in recipient_count"),
	BAD("recipient_count=-0\n\n", "bad number in recipient_count"),
	/* the first problem is the one reported */
	BAD("junk\nsize=x\n\n", "line without '='"),
};

/* check_then_good - after a malformed request the next one is fine */
static void check_then_good(struct cm_policy_parser *parser)
{
	struct cm_policy_request req;

	feed_one(parser, small_request, strlen(small_request), &req);
	check_small(&req);
}

/* check_bad - text is one malformed request with that reason */
static void check_bad(struct cm_policy_parser *parser, const char *text,
		              size_t len, const char *reason)
{
	struct cm_policy_request req;

	feed_one(parser, text, len, &req);
	assert_int_equal(req.malformed, 1);
	assert_non_null(req.malformed_reason);
	assert_string_equal(req.malformed_reason, reason);
	assert_non_null(req.request);
	assert_non_null(req.protocol_state);
	assert_non_null(req.recipient);
	assert_non_null(req.sender);
	assert_non_null(req.sasl_username);
	check_then_good(parser);
}

/* test_malformed - each kind of bad request, whole and byte by byte */
static void test_malformed(void **state)
{
	struct cm_policy_parser *parser = cm_policy_parser_new();
	struct cm_policy_request req;
	const struct bad_case *bc;
	size_t  i, j, len, consumed;

	(void) state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		bc = &bad_cases[i];
		len = bc->len ? bc->len : strlen(bc->text);
		check_bad(parser, bc->text, len, bc->reason);
		for (j = 0; j + 1 < len; j++)
			assert_int_equal(cm_policy_parser_feed(parser,
				bc->text + j, 1, &consumed, &req), 0);
		assert_int_equal(cm_policy_parser_feed(parser, bc->text + j, 1,
						       &consumed, &req), 1);
		assert_int_equal(req.malformed, 1);
		assert_string_equal(req.malformed_reason, bc->reason);
		check_then_good(parser);
	}
	cm_policy_parser_free(&parser);
}

/* test_partial_fields - a malformed request keeps what came before */
static void test_partial_fields(void **state)
{
	struct cm_policy_parser *parser = cm_policy_parser_new();
	struct cm_policy_request req;
	const char *text = "client_address=192.0.2.1\nbogus\nsender=s@x\n\n";

	(void) state;
	feed_one(parser, text, strlen(text), &req);
	assert_int_equal(req.malformed, 1);
	assert_string_equal(req.client_address, "192.0.2.1");
	assert_string_equal(req.sender, "");
	cm_policy_parser_free(&parser);
}

/* build_lines - n lines "xN=<fill>" of line_len bytes each plus "\n" */
static char *build_lines(size_t n, size_t line_len, size_t *len_r)
{
	char   *buf = malloc(n * (line_len + 1) + 3);	/* room for a CR */
	size_t  i, pos = 0;
	int     head;

	assert_non_null(buf);
	for (i = 0; i < n; i++) {
		head = sprintf(buf + pos, "x%zu=", i);
		memset(buf + pos + head, 'v', line_len - (size_t) head);
		pos += line_len;
		buf[pos++] = '\n';
	}
	buf[pos++] = '\n';
	buf[pos] = '\0';
	*len_r = pos;
	return (buf);
}

/* test_limits - line, attribute count and request size limits */
static void test_limits(void **state)
{
	struct cm_policy_parser *parser = cm_policy_parser_new();
	struct cm_policy_request req;
	size_t  len;
	char   *buf;

	(void) state;
	buf = build_lines(1, CM_POLICY_LINE_MAX, &len);	/* just fits */
	feed_one(parser, buf, len, &req);
	assert_int_equal(req.malformed, 0);
	assert_int_equal(req.n_unknown, 1);
	buf[CM_POLICY_LINE_MAX] = '\r';			/* CR is not counted */
	memcpy(buf + CM_POLICY_LINE_MAX + 1, "\n\n", 3);
	feed_one(parser, buf, len + 1, &req);
	assert_int_equal(req.malformed, 0);
	free(buf);
	buf = build_lines(1, CM_POLICY_LINE_MAX + 1, &len);
	check_bad(parser, buf, len, "line longer than 8192 bytes");
	free(buf);
	buf = build_lines(1, 100000, &len);
	check_bad(parser, buf, len, "line longer than 8192 bytes");
	free(buf);

	buf = build_lines(CM_POLICY_ATTRS_MAX, 20, &len);
	feed_one(parser, buf, len, &req);
	assert_int_equal(req.malformed, 0);
	assert_int_equal(req.n_attrs, CM_POLICY_ATTRS_MAX);
	free(buf);
	buf = build_lines(CM_POLICY_ATTRS_MAX + 1, 20, &len);
	check_bad(parser, buf, len, "too many attributes");
	free(buf);

	/* 64 lines of 1023 bytes + LF + final LF = 65537 bytes */
	buf = build_lines(64, 1023, &len);
	assert_int_equal(len, CM_POLICY_REQUEST_MAX + 1);
	check_bad(parser, buf, len, "request longer than 65536 bytes");
	buf[len - 3] = '\n';		/* shorten the last line by one */
	buf[len - 2] = '\n';
	feed_one(parser, buf, len - 1, &req);
	assert_int_equal(req.malformed, 0);
	free(buf);
	buf = build_lines(100, 4000, &len);
	check_bad(parser, buf, len, "request longer than 65536 bytes");
	free(buf);
	cm_policy_parser_free(&parser);
}

/* feed_chunks - feed len bytes in pieces of chunk, expect one request */
static void feed_chunks(struct cm_policy_parser *parser, const char *text,
			        size_t len, size_t chunk,
			        struct cm_policy_request *req)
{
	size_t  pos, piece, consumed;

	for (pos = 0; pos + chunk < len; pos += chunk) {
		piece = chunk;
		assert_int_equal(cm_policy_parser_feed(parser, text + pos,
				piece, &consumed, req), 0);
		assert_int_equal(consumed, piece);
	}
	assert_int_equal(cm_policy_parser_feed(parser, text + pos, len - pos,
					       &consumed, req), 1);
	assert_int_equal(consumed, len - pos);
}

/* test_first_problem - the earliest problem wins, however fed */
static void test_first_problem(void **state)
{
	static const size_t chunks[] = {1, 7, 1000, 8193, 100000};
	struct cm_policy_parser *parser = cm_policy_parser_new();
	struct cm_policy_request req;
	size_t  len, i;
	char   *buf = build_lines(1, 9000, &len);

	(void) state;
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		buf[8500] = '\0';		/* after the line limit */
		buf[100] = 'v';
		feed_chunks(parser, buf, len, chunks[i], &req);
		assert_string_equal(req.malformed_reason,
				    "line longer than 8192 bytes");
		buf[100] = '\0';		/* before it */
		feed_chunks(parser, buf, len, chunks[i], &req);
		assert_string_equal(req.malformed_reason,
				    "NUL byte in request");
		buf[100] = 'v';
		buf[8500] = 'v';
		buf[CM_POLICY_LINE_MAX + 1] = '\0';	/* the first byte over */
		feed_chunks(parser, buf, len, chunks[i], &req);
		assert_string_equal(req.malformed_reason,
				    "NUL byte in request");
		buf[CM_POLICY_LINE_MAX + 1] = 'v';
	}
	free(buf);
	cm_policy_parser_free(&parser);
}

/* test_known_values_fill_arena - kept values near the arena size */
static void test_known_values_fill_arena(void **state)
{
	struct cm_policy_parser *parser = cm_policy_parser_new();
	struct cm_policy_request req;
	size_t  line = CM_POLICY_LINE_MAX;
	size_t  n = CM_POLICY_REQUEST_MAX / (line + 1);	/* 7 lines */
	char   *buf = malloc(CM_POLICY_REQUEST_MAX + 16);
	size_t  i, pos = 0;

	(void) state;
	assert_non_null(buf);
	for (i = 0; i < n; i++) {
		memcpy(buf + pos, "sender=", 7);
		memset(buf + pos + 7, 'a' + (int) i, line - 7);
		pos += line;
		buf[pos++] = '\n';
	}
	buf[pos++] = '\n';
	feed_one(parser, buf, pos, &req);
	assert_int_equal(req.malformed, 0);
	assert_int_equal(strlen(req.sender), line - 7);
	assert_int_equal(req.sender[0], 'a' + (int) n - 1);
	free(buf);
	cm_policy_parser_free(&parser);
}

/* test_junk - a megabyte of binary without LF, then a good request */
static void test_junk(void **state)
{
	struct cm_policy_parser *parser = cm_policy_parser_new();
	struct cm_policy_request req;
	size_t  junk = 1024 * 1024;
	size_t  len = junk + 2 + strlen(rcpt_request);
	char   *buf = malloc(len);
	size_t  i, pos, consumed;
	uint32_t x = 12345;
	int     rc;

	(void) state;
	assert_non_null(buf);
	for (i = 0; i < junk; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (char) (x >> 24);
		if (buf[i] == '\n')
			buf[i] = '\0';
	}
	memcpy(buf + junk, "\n\n", 2);
	memcpy(buf + junk + 2, rcpt_request, strlen(rcpt_request));

	/* in one piece */
	assert_int_equal(cm_policy_parser_feed(parser, buf, len, &consumed,
					       &req), 1);
	assert_int_equal(consumed, junk + 2);
	assert_int_equal(req.malformed, 1);
	feed_one(parser, buf + consumed, len - consumed, &req);
	check_rcpt(&req);

	/* in 1000-byte pieces */
	for (pos = 0, rc = 0; pos < junk + 2; pos += consumed) {
		assert_int_equal(rc, 0);
		rc = cm_policy_parser_feed(parser, buf + pos,
					   len - pos < 1000 ? len - pos : 1000,
					   &consumed, &req);
	}
	assert_int_equal(rc, 1);
	assert_int_equal(pos, junk + 2);
	assert_int_equal(req.malformed, 1);
	feed_one(parser, buf + pos, len - pos, &req);
	check_rcpt(&req);
	free(buf);
	cm_policy_parser_free(&parser);
}

/* test_missing - absent attributes are "" and 0 */
static void test_missing(void **state)
{
	struct cm_policy_parser *parser = cm_policy_parser_new();
	struct cm_policy_request req;
	const char *text = "request=smtpd_access_policy\n\n";

	(void) state;
	feed_one(parser, text, strlen(text), &req);
	assert_int_equal(req.malformed, 0);
	assert_int_equal(req.state, CM_POLICY_STATE_OTHER);
	assert_string_equal(req.protocol_state, "");
	assert_string_equal(req.protocol_name, "");
	assert_string_equal(req.queue_id, "");
	assert_string_equal(req.instance, "");
	assert_string_equal(req.client_address, "");
	assert_string_equal(req.client_name, "");
	assert_string_equal(req.helo_name, "");
	assert_string_equal(req.sender, "");
	assert_string_equal(req.recipient, "");
	assert_string_equal(req.sasl_username, "");
	assert_int_equal(req.size, 0);
	assert_int_equal(req.recipient_count, 0);
	assert_int_equal(req.n_attrs, 1);
	assert_int_equal(req.n_unknown, 0);
	/* unknown only is not empty; names are case-sensitive */
	text = "Sender=x\nfoo=bar\n\n";
	feed_one(parser, text, strlen(text), &req);
	assert_int_equal(req.malformed, 0);
	assert_string_equal(req.sender, "");
	assert_int_equal(req.n_unknown, 2);
	cm_policy_parser_free(&parser);
}

/* test_last_wins - a repeated attribute keeps its last value */
static void test_last_wins(void **state)
{
	struct cm_policy_parser *parser = cm_policy_parser_new();
	struct cm_policy_request req;
	const char *text = "sender=first@x\nrecipient=r1\nsender=\n"
		"sender=last@x\nsize=junk\nsize=7\nvalue=with=eq\n"
		"recipient==r2=\n\n";

	(void) state;
	feed_one(parser, text, strlen(text), &req);
	assert_int_equal(req.malformed, 0);
	assert_string_equal(req.sender, "last@x");
	assert_string_equal(req.recipient, "=r2=");
	assert_int_equal(req.size, 7);
	assert_int_equal(req.n_attrs, 8);
	assert_int_equal(req.n_unknown, 1);
	cm_policy_parser_free(&parser);
}

struct num_case {
	const char *value;
	int     ok;
	int64_t expect;
};

/* test_numbers - size and recipient_count values */
static void test_numbers(void **state)
{
	static const struct num_case cases[] = {
		{"0", 1, 0},
		{"", 1, 0},
		{"007", 1, 7},
		{"1048576", 1, 1048576},
		{"9223372036854775807", 1, INT64_MAX},
		{"09223372036854775807", 1, INT64_MAX},
		{"9223372036854775808", 0, 0},
		{"18446744073709551616", 0, 0},
		{"-1", 0, 0},
		{"+1", 0, 0},
		{"1 ", 0, 0},
		{"1e3", 0, 0},
		{"abc", 0, 0},
		{"\xc2\xb9", 0, 0},
	};
	struct cm_policy_parser *parser = cm_policy_parser_new();
	struct cm_policy_request req;
	char    buf[128];
	size_t  i;
	int     len;

	(void) state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = snprintf(buf, sizeof(buf), "size=%s\nrecipient_count=%s"
			       "\n\n", cases[i].value, cases[i].value);
		feed_one(parser, buf, (size_t) len, &req);
		assert_int_equal(req.malformed, !cases[i].ok);
		if (cases[i].ok) {
			assert_int_equal(req.size, cases[i].expect);
			assert_int_equal(req.recipient_count, cases[i].expect);
		} else {
			assert_string_equal(req.malformed_reason,
					    "bad number in size");
		}
		len = snprintf(buf, sizeof(buf), "recipient_count=%s\n\n",
			       cases[i].value);
		feed_one(parser, buf, (size_t) len, &req);
		assert_int_equal(req.malformed, !cases[i].ok);
		if (!cases[i].ok)
			assert_string_equal(req.malformed_reason,
					    "bad number in recipient_count");
	}
	cm_policy_parser_free(&parser);
}

/* test_states - protocol_state text to the enum */
static void test_states(void **state)
{
	static const struct {
		const char *text;
		enum cm_policy_state state;
	} cases[] = {
		{"CONNECT", CM_POLICY_STATE_CONNECT},
		{"EHLO", CM_POLICY_STATE_HELO},
		{"HELO", CM_POLICY_STATE_HELO},
		{"ehlo", CM_POLICY_STATE_HELO},
		{"MAIL", CM_POLICY_STATE_MAIL},
		{"RCPT", CM_POLICY_STATE_RCPT},
		{"rcpt", CM_POLICY_STATE_RCPT},
		{"Rcpt", CM_POLICY_STATE_RCPT},
		{"DATA", CM_POLICY_STATE_DATA},
		{"END-OF-MESSAGE", CM_POLICY_STATE_END_OF_MESSAGE},
		{"end-of-message", CM_POLICY_STATE_END_OF_MESSAGE},
		{"VRFY", CM_POLICY_STATE_VRFY},
		{"ETRN", CM_POLICY_STATE_ETRN},
		{"", CM_POLICY_STATE_OTHER},
		{"RCPT ", CM_POLICY_STATE_OTHER},
		{"RCP", CM_POLICY_STATE_OTHER},
		{"RCPTT", CM_POLICY_STATE_OTHER},
		{"END_OF_MESSAGE", CM_POLICY_STATE_OTHER},
		{"BDAT", CM_POLICY_STATE_OTHER},
		{"\xc3\xa9", CM_POLICY_STATE_OTHER},
	};
	struct cm_policy_parser *parser = cm_policy_parser_new();
	struct cm_policy_request req;
	char    buf[128];
	size_t  i;
	int     len;

	(void) state;
	assert_int_equal(cm_policy_state_parse(NULL), CM_POLICY_STATE_OTHER);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(cm_policy_state_parse(cases[i].text),
				 cases[i].state);
		len = snprintf(buf, sizeof(buf), "protocol_state=%s\n\n",
			       cases[i].text);
		feed_one(parser, buf, (size_t) len, &req);
		assert_int_equal(req.malformed, 0);
		assert_int_equal(req.state, cases[i].state);
		assert_string_equal(req.protocol_state, cases[i].text);
	}
	cm_policy_parser_free(&parser);
}

/* test_reply - reply format, control characters, empty text */
static void test_reply(void **state)
{
	char    buf[CM_POLICY_REPLY_MAX];

	(void) state;
	assert_int_equal(cm_policy_reply_format(buf, sizeof(buf), "DUNNO",
						NULL), 14);
	assert_string_equal(buf, "action=DUNNO\n\n");
	cm_policy_reply_format(buf, sizeof(buf), "DUNNO", "");
	assert_string_equal(buf, "action=DUNNO\n\n");
	cm_policy_reply_format(buf, sizeof(buf), NULL, NULL);
	assert_string_equal(buf, "action=DUNNO\n\n");
	cm_policy_reply_format(buf, sizeof(buf), "550",
			       "5.7.1 Sender address is blocked");
	assert_string_equal(buf,
			    "action=550 5.7.1 Sender address is blocked\n\n");
	cm_policy_reply_format(buf, sizeof(buf), "DEFER_IF_PERMIT",
			       "4.3.5 a\r\nb\tc\x7f" "d\x01\xc3\xa9");
	assert_string_equal(buf,
			    "action=DEFER_IF_PERMIT 4.3.5 a  b c d \xc3\xa9\n\n");
	cm_policy_reply_format(buf, sizeof(buf), "DIS\nCARD", "x");
	assert_string_equal(buf, "action=DIS CARD x\n\n");
}

/* test_reply_truncation - long text and small buffers */
static void test_reply_truncation(void **state)
{
	char    text[5000];
	char    buf[CM_POLICY_REPLY_MAX];
	char    small[32];
	size_t  len, size;

	(void) state;
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	len = cm_policy_reply_format(buf, sizeof(buf), "452", text);
	assert_int_equal(len, CM_POLICY_REPLY_MAX - 1);
	assert_int_equal(strlen(buf), len);
	assert_memory_equal(buf, "action=452 xxx", 14);
	assert_memory_equal(buf + len - 3, "x\n\n", 3);
	assert_null(memchr(buf, '\n', len - 2));

	/* a UTF-8 character is not cut in two */
	for (size = 0; size < sizeof(text) - 2; size += 2)
		memcpy(text + size, "\xc3\xa9", 2);
	text[size] = '\0';
	len = cm_policy_reply_format(buf, sizeof(buf), "45", text);
	assert_int_equal(len, CM_POLICY_REPLY_MAX - 2);	/* one byte less */
	assert_int_equal((len - 2 - strlen("action=45 ")) % 2, 0);
	assert_memory_equal(buf + len - 4, "\xc3\xa9\n\n", 4);

	for (size = 0; size < sizeof(small); size++) {
		memset(small, '#', sizeof(small));
		len = cm_policy_reply_format(small, size, "DEFER_IF_PERMIT",
					     "4.3.5 try again");
		if (size == 0)
			continue;
		assert_true(len < size);
		assert_int_equal(strlen(small), len);
		if (size < 10) {
			assert_int_equal(len, 0);
			continue;
		}
		assert_memory_equal(small, "action=", 7);
		assert_memory_equal(small + len - 2, "\n\n", 2);
	}
	len = cm_policy_reply_format(small, 10, "DUNNO", NULL);
	assert_string_equal(small, "action=\n\n");
	len = cm_policy_reply_format(small, 15, "DUNNO", "text");
	assert_string_equal(small, "action=DUNNO\n\n");
	len = cm_policy_reply_format(small, 17, "DUNNO", "text");
	assert_string_equal(small, "action=DUNNO t\n\n");
}

/* main - run every test */
int     main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rcpt_whole),
		cmocka_unit_test(test_byte_by_byte),
		cmocka_unit_test(test_two_in_one),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_partial_fields),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_first_problem),
		cmocka_unit_test(test_known_values_fill_arena),
		cmocka_unit_test(test_junk),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_last_wins),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_reply_truncation),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
