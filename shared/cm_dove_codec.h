#ifndef CM_DOVE_CODEC_H
#define CM_DOVE_CODEC_H

/*++
 * NAME
 *	cm_dove_codec 3h
 * SUMMARY
 *	the dovecot protocol between the Dovecot plugins and chatmail-policyd
 * SYNOPSIS
 *	#include "cm_dove_codec.h"
 * DESCRIPTION
 *	Version 1.0, documented in doc/dovecot-protocol.md. A line is
 *	fields separated by single TABs and ended by LF, at most
 *	CM_DOVE_LINE_MAX bytes including the LF and CM_DOVE_FIELDS_MAX
 *	fields. The first field of a request is its command ("QUOTA-GET");
 *	the first field of a reply is "OK", "FAIL", "*" (a data row before
 *	the final OK) or "VERSION". Fields escape '%', DEL and every byte
 *	below 0x20 (TAB, CR and LF among them) as '%' and two hex digits;
 *	other bytes, spaces and UTF-8 included, pass as they are.
 *
 *	Both sides use this module: the daemon (libchatmail, GLib around
 *	it) and the Dovecot plugins (compiled into them with Dovecot's
 *	flags), so it is plain C99 and allocates nothing: parsed strings
 *	point into the caller's line, which is modified in place.
 *
 *	Parsers take a line without its LF and return 0, or -1 with a
 *	static reason in *error_r. Formatters write a whole line with its
 *	LF and a NUL after it and return its length, or -1 (dst holds "")
 *	when it does not fit in size or CM_DOVE_LINE_MAX.
 *
 *	Numbers are decimal, an optional '-' then 1 to 19 digits, within
 *	int64_t; nothing else (no '+', no blanks).
 *--*/

#include <stddef.h>
#include <stdint.h>

#define CM_DOVE_VERSION_MAJOR 1
#define CM_DOVE_VERSION_MINOR 0
#define CM_DOVE_LINE_MAX 8192
#define CM_DOVE_FIELDS_MAX 16
#define CM_DOVE_USER_MAX 255		/* bytes of a user name */

enum cm_dove_cmd {
	CM_DOVE_CMD_VERSION = 0,	/* VERSION major minor */
	CM_DOVE_CMD_QUOTA_GET,		/* QUOTA-GET user */
	CM_DOVE_CMD_QUOTA_ADD,		/* QUOTA-ADD user bytes count */
	CM_DOVE_CMD_QUOTA_RECALC,	/* QUOTA-RECALC user */
	CM_DOVE_CMD_QUOTA_LIST,		/* QUOTA-LIST after limit */
	CM_DOVE_CMD_EVENT,		/* EVENT user mailbox uid size kind */
	CM_DOVE_CMD_STATS,		/* STATS */
	CM_DOVE_CMD_HYDRATE,		/* HYDRATE */
	CM_DOVE_CMD_COUNT
};

enum cm_dove_event_kind {
	CM_DOVE_EVENT_DELIVER = 0,	/* LMTP/LDA delivery */
	CM_DOVE_EVENT_APPEND,		/* APPEND, COPY, MOVE, doveadm */
};

struct cm_dove_request {
	enum cm_dove_cmd cmd;
	const char *user;		/* "" when the command has none */
	const char *mailbox;		/* EVENT; else "" */
	int64_t major, minor;		/* VERSION */
	int64_t bytes, count;		/* QUOTA-ADD: signed deltas */
	int64_t uid, size;		/* EVENT: uid 0 = unknown */
	const char *after;		/* QUOTA-LIST: cursor, "" = start */
	int64_t limit;			/* QUOTA-LIST: rows wanted, >= 1 */
	enum cm_dove_event_kind kind;	/* EVENT */
};

enum cm_dove_reply_kind {
	CM_DOVE_REPLY_OK = 0,
	CM_DOVE_REPLY_FAIL,
	CM_DOVE_REPLY_ROW,
	CM_DOVE_REPLY_VERSION,
};

/* A reply line: its kind and the fields after the first. A FAIL has at
   least two (code, text). */
struct cm_dove_reply {
	enum cm_dove_reply_kind kind;
	int n;
	char *fields[CM_DOVE_FIELDS_MAX];
};

/* One row of QUOTA-LIST (and the values of a QUOTA-GET reply). */
struct cm_dove_quota {
	const char *user;
	int64_t used;
	int64_t max;			/* 0 = unlimited */
};

enum cm_dove_sort {
	CM_DOVE_SORT_USER = 0,		/* by name, ascending */
	CM_DOVE_SORT_USED,		/* the others: largest first, */
	CM_DOVE_SORT_MAX,		/* ties by name */
	CM_DOVE_SORT_PERCENT,
};

/* Escaping of one field into dst (NUL-terminated): the length, or -1
   (dst "") when it does not fit. */
long cm_dove_escape(const char *src, char *dst, size_t size);
/* Decodes %XX in place; -1 (field unchanged) for a '%' without two hex
   digits after it or one that decodes to NUL. Raw bytes are not
   checked here. */
int cm_dove_unescape(char *field);
/* Splits a line (without LF; modified in place) at TABs into unescaped
   fields. The field count (an empty line is one empty field), or -1
   for a raw control byte, a bad escape or more than max fields. */
int cm_dove_split(char *line, char **fields, int max);
/* Escapes and joins fields with TABs, adds LF. */
long cm_dove_join(const char *const *fields, int n, char *dst, size_t size);

/* Strict decimal int64 (see above): 0 ok, -1 not a number. */
int cm_dove_int64(const char *text, int64_t *value_r);

const char *cm_dove_cmd_name(enum cm_dove_cmd cmd);
const char *cm_dove_event_kind_name(enum cm_dove_event_kind kind);

/* Request lines. parse checks the command's arity and every field:
   users non-empty and at most CM_DOVE_USER_MAX bytes (a QUOTA-LIST
   cursor may be empty), VERSION numbers >= 0, a QUOTA-LIST limit >= 1,
   EVENT uid within 0..4294967295, size >= 0, kind "deliver" or
   "append", a non-empty mailbox. */
int cm_dove_request_parse(char *line, struct cm_dove_request *req_r,
			  const char **error_r);
long cm_dove_request_format(const struct cm_dove_request *req, char *dst,
			    size_t size);

/* Reply lines: "OK"/"FAIL"/"*"/"VERSION" then fields. */
int cm_dove_reply_parse(char *line, struct cm_dove_reply *reply_r,
			const char **error_r);
long cm_dove_reply_format(enum cm_dove_reply_kind kind,
			  const char *const *fields, int n, char *dst,
			  size_t size);
/* The version a peer announced (a VERSION reply or request): 1 same
   major (usable), 0 another major (refuse). */
int cm_dove_version_compatible(int64_t major);

/* Typed replies. An OK to QUOTA-GET/-ADD/-RECALC is "OK used max"; a
   QUOTA-LIST row is "* user used max". used and max >= 0. */
int cm_dove_reply_quota(const struct cm_dove_reply *reply,
			struct cm_dove_quota *quota_r, const char **error_r);
int cm_dove_row_quota(const struct cm_dove_reply *reply,
		      struct cm_dove_quota *quota_r, const char **error_r);

/* Pure helpers. */
/* A user name as the daemon keys it: ASCII lowercase copy into dst;
   -1 if empty or over CM_DOVE_USER_MAX bytes or size. */
int cm_dove_user_key(const char *user, char *dst, size_t size);
/* used * 100 / max rounded down, 0 when max is 0 (unlimited); never
   overflows. */
int64_t cm_dove_percent(int64_t used, int64_t max);
/* "user", "used", "max", "percent" (also "limit" for max): 0, or -1. */
int cm_dove_sort_parse(const char *name, enum cm_dove_sort *sort_r);
/* qsort-style order of two rows under a sort key. */
int cm_dove_quota_cmp(const struct cm_dove_quota *a,
		      const struct cm_dove_quota *b, enum cm_dove_sort sort);

#endif
