#ifndef CM_POLICY_CODEC_H
#define CM_POLICY_CODEC_H

/*++
 * NAME
 *	cm_policy_codec 3h
 * SUMMARY
 *	Postfix policy delegation protocol: request parser, reply encoder
 * SYNOPSIS
 *	#include "cm_policy_codec.h"
 * DESCRIPTION
 *	A request is "name=value" lines ended by an empty line. The parser
 *	is incremental (feed it whatever recv() returned) and never fails
 *	for good: a malformed request (a line over CM_POLICY_LINE_MAX bytes,
 *	a NUL byte, a line without '=', an empty name, more than
 *	CM_POLICY_ATTRS_MAX attributes, over CM_POLICY_REQUEST_MAX bytes in
 *	all, a bad number in "size" or "recipient_count") is consumed up to
 *	its empty line and comes out with .malformed set and a reason, so
 *	the server can answer it with a tempfail and go on with the next.
 *	A trailing CR before LF is dropped. Unknown attributes are counted
 *	and ignored; for a repeated attribute the last value wins.
 *
 *	Request strings point into the parser and stay valid until the
 *	next cm_policy_parser_feed() call. Missing attributes are "" (never
 *	NULL); numbers missing are 0.
 *
 *	cm_policy_reply_format() writes "action=<action>[ <text>]\n\n"; CR,
 *	LF and other control characters in the text are replaced by spaces
 *	so a reply is always exactly one line.
 *
 *	Details:
 *	- Attribute names are case-sensitive (Postfix sends lowercase).
 *	  A line's length is counted without its LF and a CR before it.
 *	  The request length counts every byte up to and including the LF
 *	  of the empty line.
 *	- An empty line that ends no attribute at all (a stray blank line)
 *	  is returned as a malformed request with the reason "empty
 *	  request"; the server answers it like any other malformed one.
 *	- Reasons are static strings: "line longer than 8192 bytes", "NUL
 *	  byte in request", "line without '='", "empty attribute name",
 *	  "too many attributes", "request longer than 65536 bytes", "empty
 *	  request", "bad number in size", "bad number in recipient_count".
 *	  Only the first problem of a request is reported.
 *	- A malformed request still has every string non-NULL; the fields
 *	  hold what was parsed before the first problem (for logging only).
 *	- "size" and "recipient_count" are decimal digits only (no sign,
 *	  no blanks) up to INT64_MAX; the last value sent is the one checked.
 *	  An empty value counts as 0, like a missing one.
 *	- Memory is one fixed arena of CM_POLICY_REQUEST_MAX bytes per
 *	  parser: after a problem the rest of the request is skipped without
 *	  being stored, so junk without LFs costs nothing.
 *	- cm_policy_reply_format(): a NULL action is "DUNNO"; the action is
 *	  cleaned of control characters like the text; the text is cut at a
 *	  UTF-8 character boundary. A buf smaller than 10 bytes gets "" and 0
 *	  is returned; from 10 bytes on the result always ends in "\n\n"
 *	  (the action itself is cut when buf is that small).
 *--*/

#include <stddef.h>
#include <stdint.h>

#define CM_POLICY_LINE_MAX	8192
#define CM_POLICY_ATTRS_MAX	128
#define CM_POLICY_REQUEST_MAX	65536
#define CM_POLICY_REPLY_MAX	1024

enum cm_policy_state {
	CM_POLICY_STATE_OTHER = 0,	/* anything we do not know */
	CM_POLICY_STATE_CONNECT,
	CM_POLICY_STATE_HELO,		/* HELO and EHLO */
	CM_POLICY_STATE_MAIL,
	CM_POLICY_STATE_RCPT,
	CM_POLICY_STATE_DATA,
	CM_POLICY_STATE_END_OF_MESSAGE,
	CM_POLICY_STATE_VRFY,
	CM_POLICY_STATE_ETRN,
};

struct cm_policy_request {
	int malformed;			/* 1: answer with a tempfail */
	const char *malformed_reason;	/* static text when malformed */
	enum cm_policy_state state;
	const char *request;		/* "smtpd_access_policy" expected */
	const char *protocol_state;	/* as sent, e.g. "RCPT" */
	const char *protocol_name;
	const char *queue_id;
	const char *instance;		/* unique per SMTP transaction */
	const char *client_address;
	const char *client_name;
	const char *helo_name;
	const char *sender;		/* "" for the null sender */
	const char *recipient;		/* "" at DATA/EOM with >1 rcpt */
	const char *sasl_username;	/* "" when not authenticated */
	int64_t size;			/* declared (RCPT) or real (EOM) */
	int64_t recipient_count;
	size_t n_attrs;			/* all attributes seen */
	size_t n_unknown;		/* attributes we ignore */
};

struct cm_policy_parser;

struct cm_policy_parser *cm_policy_parser_new(void);
void cm_policy_parser_free(struct cm_policy_parser **parser);
/* Consumes bytes from data until one request is complete or data is
   used up; *consumed_r says how many bytes were used. Returns 1 when
   *req_r holds a complete request (call again with the rest of data),
   0 when more input is needed. */
int cm_policy_parser_feed(struct cm_policy_parser *parser, const char *data,
			  size_t len, size_t *consumed_r,
			  struct cm_policy_request *req_r);
/* Bytes buffered of an unfinished request (0 between requests). This
   counts every byte consumed of the request so far, skipped ones too. */
size_t cm_policy_parser_pending(const struct cm_policy_parser *parser);

/* Maps "RCPT", "END-OF-MESSAGE", ... to the enum (case-insensitive). */
enum cm_policy_state cm_policy_state_parse(const char *text);

/* Writes the reply; returns its length (always < size when size >=
   CM_POLICY_REPLY_MAX; the text is truncated to fit). action is e.g.
   "DUNNO", "550", "DEFER_IF_PERMIT", "DISCARD"; text may be NULL/"". */
size_t cm_policy_reply_format(char *buf, size_t size, const char *action,
			      const char *text);

#endif
