/*++
 * NAME
 *	cm_policy_codec 3
 * SUMMARY
 *	Postfix policy delegation protocol: request parser, reply encoder
 * DESCRIPTION
 *	See cm_policy_codec.h. The parser owns one fixed arena of
 *	CM_POLICY_REQUEST_MAX bytes and never allocates after
 *	cm_policy_parser_new(). Input is handled a line segment at a time
 *	(memchr for the LF, memcpy into the arena), so every input byte is
 *	looked at a constant number of times: the cost is O(n) however the
 *	input is split up between feeds.
 *
 *	The current line is copied to the end of the arena. When its LF
 *	arrives the name is looked up in a small fixed table; a known
 *	attribute keeps its value (NUL-terminated in place of the line
 *	end), an unknown one gives its bytes back. Every kept byte was
 *	paid for by an input byte of the same request (the LF pays for the
 *	NUL), so a request of at most CM_POLICY_REQUEST_MAX bytes always
 *	fits the arena.
 *
 *	After the first problem the rest of the request is discarded:
 *	nothing more is stored and only line lengths are tracked, until the
 *	empty line ends it. Binary junk without any LF therefore costs no
 *	memory at all.
 *--*/

#include "cm_policy_codec.h"

#include <stdlib.h>
#include <string.h>

/* The attributes we keep; the others are counted and dropped. */
enum policy_field {
	PF_REQUEST,
	PF_PROTOCOL_STATE,
	PF_PROTOCOL_NAME,
	PF_QUEUE_ID,
	PF_INSTANCE,
	PF_CLIENT_ADDRESS,
	PF_CLIENT_NAME,
	PF_HELO_NAME,
	PF_SENDER,
	PF_RECIPIENT,
	PF_SASL_USERNAME,
	PF_SIZE,
	PF_RECIPIENT_COUNT,
	PF_COUNT,
};

struct policy_attr {
	const char *name;
	size_t  len;
};

#define POLICY_ATTR(s)	{ s, sizeof(s) - 1 }

/* Indexed by enum policy_field. */
static const struct policy_attr policy_attrs[PF_COUNT] = {
	POLICY_ATTR("request"),
	POLICY_ATTR("protocol_state"),
	POLICY_ATTR("protocol_name"),
	POLICY_ATTR("queue_id"),
	POLICY_ATTR("instance"),
	POLICY_ATTR("client_address"),
	POLICY_ATTR("client_name"),
	POLICY_ATTR("helo_name"),
	POLICY_ATTR("sender"),
	POLICY_ATTR("recipient"),
	POLICY_ATTR("sasl_username"),
	POLICY_ATTR("size"),
	POLICY_ATTR("recipient_count"),
};

struct policy_state_name {
	const char *name;
	enum cm_policy_state state;
};

static const struct policy_state_name policy_states[] = {
	{"CONNECT", CM_POLICY_STATE_CONNECT},
	{"EHLO", CM_POLICY_STATE_HELO},
	{"HELO", CM_POLICY_STATE_HELO},
	{"MAIL", CM_POLICY_STATE_MAIL},
	{"RCPT", CM_POLICY_STATE_RCPT},
	{"DATA", CM_POLICY_STATE_DATA},
	{"END-OF-MESSAGE", CM_POLICY_STATE_END_OF_MESSAGE},
	{"VRFY", CM_POLICY_STATE_VRFY},
	{"ETRN", CM_POLICY_STATE_ETRN},
};

/* The malformed reasons; the numbers are those of the header. */
#define POLICY_WHY_LINE		"line longer than 8192 bytes"
#define POLICY_WHY_NUL		"NUL byte in request"
#define POLICY_WHY_NO_EQ	"line without '='"
#define POLICY_WHY_NO_NAME	"empty attribute name"
#define POLICY_WHY_ATTRS	"too many attributes"
#define POLICY_WHY_REQUEST	"request longer than 65536 bytes"
#define POLICY_WHY_EMPTY	"empty request"
#define POLICY_WHY_SIZE		"bad number in size"
#define POLICY_WHY_RCPT_COUNT	"bad number in recipient_count"

/* The reply's fixed parts: "action=" and the final "\n\n". */
#define POLICY_REPLY_HEAD	"action="
#define POLICY_REPLY_HEAD_LEN	(sizeof(POLICY_REPLY_HEAD) - 1)
#define POLICY_REPLY_MIN	(POLICY_REPLY_HEAD_LEN + 3)

struct cm_policy_parser {
	size_t  used;			/* arena bytes kept; the line follows */
	size_t  line_len;		/* bytes of this line so far, no LF */
	size_t  req_bytes;		/* bytes of this request so far */
	size_t  n_attrs;
	size_t  n_unknown;
	const char *reason;		/* first problem, NULL when none */
	int     last_cr;		/* the line's last byte so far is CR */
	const char *vals[PF_COUNT];	/* into the arena, NULL when absent */
	char    arena[CM_POLICY_REQUEST_MAX];
};

/* policy_reset - forget the request, ready for the next one */
static void policy_reset(struct cm_policy_parser *parser)
{
	parser->used = 0;
	parser->line_len = 0;
	parser->req_bytes = 0;
	parser->n_attrs = 0;
	parser->n_unknown = 0;
	parser->reason = NULL;
	parser->last_cr = 0;
	memset(parser->vals, 0, sizeof(parser->vals));
}

/* cm_policy_parser_new - a parser; aborts when out of memory */
struct cm_policy_parser *cm_policy_parser_new(void)
{
	struct cm_policy_parser *parser = malloc(sizeof(*parser));

	if (parser == NULL)
		abort();
	policy_reset(parser);
	return (parser);
}

/* cm_policy_parser_free - release a parser and clear the pointer */
void    cm_policy_parser_free(struct cm_policy_parser **parser)
{
	if (parser == NULL || *parser == NULL)
		return;
	free(*parser);
	*parser = NULL;
}

/* cm_policy_parser_pending - bytes of an unfinished request */
size_t  cm_policy_parser_pending(const struct cm_policy_parser *parser)
{
	return (parser->req_bytes);
}

/* policy_fail - note the first problem; the rest is discarded */
static void policy_fail(struct cm_policy_parser *parser, const char *why)
{
	if (parser->reason == NULL)
		parser->reason = why;
}

/* policy_take - a piece of the current line (no LF in it) */
static void policy_take(struct cm_policy_parser *parser, const char *data,
			        size_t len)
{
	size_t  cut = len;			/* bytes before a problem */
	const char *why = NULL;
	const char *nul;

	if (len == 0)
		return;
	if (parser->reason == NULL) {
		/* the earliest problem wins, however the input was cut up */
		if ((nul = memchr(data, '\0', len)) != NULL) {
			cut = (size_t) (nul - data);
			why = POLICY_WHY_NUL;
		}
		/* + 1: a CR may still come before the LF */
		if (CM_POLICY_LINE_MAX + 1 - parser->line_len < cut) {
			cut = CM_POLICY_LINE_MAX + 1 - parser->line_len;
			why = POLICY_WHY_LINE;
		}
		if (CM_POLICY_REQUEST_MAX - parser->req_bytes < cut)
			why = POLICY_WHY_REQUEST;
		if (why != NULL)
			policy_fail(parser, why);
		else
			memcpy(parser->arena + parser->used + parser->line_len,
			       data, len);
	}
	parser->req_bytes += len;
	parser->line_len += len;
	parser->last_cr = (data[len - 1] == '\r');
}

/* policy_lookup - the field of an attribute name, PF_COUNT if unknown */
static enum policy_field policy_lookup(const char *name, size_t len)
{
	int     i;

	for (i = 0; i < PF_COUNT; i++)
		if (policy_attrs[i].len == len
		    && memcmp(policy_attrs[i].name, name, len) == 0)
			return ((enum policy_field) i);
	return (PF_COUNT);
}

/* policy_attribute - a complete "name=value" line of len bytes */
static void policy_attribute(struct cm_policy_parser *parser, size_t len)
{
	char   *line = parser->arena + parser->used;
	char   *eq = memchr(line, '=', len);
	enum policy_field field;

	if (eq == NULL) {
		policy_fail(parser, POLICY_WHY_NO_EQ);
		return;
	}
	if (eq == line) {
		policy_fail(parser, POLICY_WHY_NO_NAME);
		return;
	}
	if (++parser->n_attrs > CM_POLICY_ATTRS_MAX) {
		policy_fail(parser, POLICY_WHY_ATTRS);
		return;
	}
	field = policy_lookup(line, (size_t) (eq - line));
	if (field == PF_COUNT) {
		parser->n_unknown++;
		return;				/* its bytes are reused */
	}
	line[len] = '\0';			/* where the CR or LF was */
	parser->vals[field] = eq + 1;
	parser->used += len + 1;
}

/* policy_line_end - an LF arrived; 1 when it ended the request */
static int policy_line_end(struct cm_policy_parser *parser)
{
	size_t  len = parser->line_len;

	if (len > 0 && parser->last_cr)
		len--;
	parser->req_bytes++;
	parser->line_len = 0;
	parser->last_cr = 0;
	if (parser->reason == NULL
	    && parser->req_bytes > CM_POLICY_REQUEST_MAX)
		policy_fail(parser, POLICY_WHY_REQUEST);
	if (len == 0) {
		if (parser->reason == NULL && parser->n_attrs == 0)
			policy_fail(parser, POLICY_WHY_EMPTY);
		return (1);
	}
	if (parser->reason != NULL)
		return (0);
	if (len > CM_POLICY_LINE_MAX) {
		policy_fail(parser, POLICY_WHY_LINE);
		return (0);
	}
	policy_attribute(parser, len);
	return (0);
}

/* policy_number - decimal digits only into *value_r; -1 if bad */
static int policy_number(const char *text, int64_t *value_r)
{
	int64_t value = 0;
	int     digit;

	*value_r = 0;
	for (; *text != '\0'; text++) {
		if (*text < '0' || *text > '9')
			return (-1);
		digit = *text - '0';
		if (value > (INT64_MAX - digit) / 10)
			return (-1);
		value = value * 10 + digit;
	}
	*value_r = value;
	return (0);
}

/* policy_value - a kept value, "" when absent */
static const char *policy_value(const struct cm_policy_parser *parser,
				        enum policy_field field)
{
	return (parser->vals[field] != NULL ? parser->vals[field] : "");
}

/* policy_finish - fill in the complete request, reset the parser */
static void policy_finish(struct cm_policy_parser *parser,
			          struct cm_policy_request *req)
{
	memset(req, 0, sizeof(*req));
	req->request = policy_value(parser, PF_REQUEST);
	req->protocol_state = policy_value(parser, PF_PROTOCOL_STATE);
	req->protocol_name = policy_value(parser, PF_PROTOCOL_NAME);
	req->queue_id = policy_value(parser, PF_QUEUE_ID);
	req->instance = policy_value(parser, PF_INSTANCE);
	req->client_address = policy_value(parser, PF_CLIENT_ADDRESS);
	req->client_name = policy_value(parser, PF_CLIENT_NAME);
	req->helo_name = policy_value(parser, PF_HELO_NAME);
	req->sender = policy_value(parser, PF_SENDER);
	req->recipient = policy_value(parser, PF_RECIPIENT);
	req->sasl_username = policy_value(parser, PF_SASL_USERNAME);
	req->state = cm_policy_state_parse(req->protocol_state);
	if (policy_number(policy_value(parser, PF_SIZE), &req->size) < 0)
		policy_fail(parser, POLICY_WHY_SIZE);
	if (policy_number(policy_value(parser, PF_RECIPIENT_COUNT),
			  &req->recipient_count) < 0)
		policy_fail(parser, POLICY_WHY_RCPT_COUNT);
	req->n_attrs = parser->n_attrs;
	req->n_unknown = parser->n_unknown;
	req->malformed = (parser->reason != NULL);
	req->malformed_reason = parser->reason;
	policy_reset(parser);
}

/* cm_policy_parser_feed - consume input up to the end of one request */
int     cm_policy_parser_feed(struct cm_policy_parser *parser,
			              const char *data, size_t len,
			              size_t *consumed_r,
			              struct cm_policy_request *req_r)
{
	size_t  pos = 0;
	const char *nl;
	size_t  seg;

	while (pos < len) {
		nl = memchr(data + pos, '\n', len - pos);
		seg = (nl != NULL ? (size_t) (nl - (data + pos)) : len - pos);
		policy_take(parser, data + pos, seg);
		pos += seg;
		if (nl == NULL)
			break;
		pos++;				/* the LF */
		if (policy_line_end(parser)) {
			*consumed_r = pos;
			policy_finish(parser, req_r);
			return (1);
		}
	}
	*consumed_r = pos;
	return (0);
}

/* policy_ascii_caseeq - ASCII case-insensitive equality */
static int policy_ascii_caseeq(const char *a, const char *b)
{
	unsigned char ca, cb;

	for (;; a++, b++) {
		ca = (unsigned char) *a;
		cb = (unsigned char) *b;
		if (ca >= 'a' && ca <= 'z')
			ca -= 'a' - 'A';
		if (cb >= 'a' && cb <= 'z')
			cb -= 'a' - 'A';
		if (ca != cb)
			return (0);
		if (ca == '\0')
			return (1);
	}
}

/* cm_policy_state_parse - protocol_state text to the enum */
enum cm_policy_state cm_policy_state_parse(const char *text)
{
	size_t  i;

	if (text == NULL)
		return (CM_POLICY_STATE_OTHER);
	for (i = 0; i < sizeof(policy_states) / sizeof(policy_states[0]); i++)
		if (policy_ascii_caseeq(text, policy_states[i].name))
			return (policy_states[i].state);
	return (CM_POLICY_STATE_OTHER);
}

/* policy_put - copy up to room bytes, control characters as spaces */
static size_t policy_put(char *dst, const char *src, size_t room)
{
	size_t  len = strlen(src);
	size_t  i;
	unsigned char ch;

	if (len > room) {
		len = room;
		/* do not cut a UTF-8 sequence in two */
		while (len > 0 && ((unsigned char) src[len] & 0xc0) == 0x80)
			len--;
	}
	for (i = 0; i < len; i++) {
		ch = (unsigned char) src[i];
		dst[i] = (ch < 0x20 || ch == 0x7f) ? ' ' : (char) ch;
	}
	return (len);
}

/* cm_policy_reply_format - "action=<action>[ <text>]\n\n" into buf */
size_t  cm_policy_reply_format(char *buf, size_t size, const char *action,
			               const char *text)
{
	size_t  room;
	size_t  len;

	if (size < POLICY_REPLY_MIN) {
		if (size > 0)
			buf[0] = '\0';
		return (0);
	}
	room = size - 3;			/* "\n\n" and the NUL */
	memcpy(buf, POLICY_REPLY_HEAD, POLICY_REPLY_HEAD_LEN);
	len = POLICY_REPLY_HEAD_LEN;
	len += policy_put(buf + len, action != NULL ? action : "DUNNO",
			  room - len);
	if (text != NULL && text[0] != '\0' && room - len >= 2) {
		buf[len++] = ' ';
		len += policy_put(buf + len, text, room - len);
	}
	buf[len++] = '\n';
	buf[len++] = '\n';
	buf[len] = '\0';
	return (len);
}
