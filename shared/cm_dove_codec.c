/*++
 * NAME
 *	cm_dove_codec 3
 * SUMMARY
 *	the dovecot protocol between the Dovecot plugins and chatmail-policyd
 * DESCRIPTION
 *	See cm_dove_codec.h and doc/dovecot-protocol.md. Escaping writes
 *	uppercase hex, unescaping accepts either case. Nothing allocates
 *	or keeps state; plain C99 so that the Dovecot plugins can compile
 *	it with Dovecot's own flags.
 *--*/

#include "cm_dove_codec.h"
#include "cm_pct.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *const dove_cmd_names[CM_DOVE_CMD_COUNT] = {
	"VERSION", "QUOTA-GET", "QUOTA-ADD", "QUOTA-RECALC", "QUOTA-LIST",
	"EVENT", "STATS", "HYDRATE",
};

/* Fields after the command word, per command. */
static const int dove_cmd_arity[CM_DOVE_CMD_COUNT] = {
	2, 1, 3, 1, 2, 5, 0, 0,
};

static const char *const dove_reply_names[] = {
	"OK", "FAIL", "*", "VERSION",
};

/* cm_dove_escape - escape src into dst, -1 when dst is too small */
long    cm_dove_escape(const char *src, char *dst, size_t size)
{
	return (cm_pct_escape(src, dst, size, ""));
}

/* cm_dove_unescape - decode %XX in place; -1 (field unchanged) if bad */
int     cm_dove_unescape(char *field)
{
	return (cm_pct_unescape(field));
}

/* cm_dove_split - split a line at TABs into unescaped fields */
int     cm_dove_split(char *line, char **fields, int max)
{
	return (cm_pct_split(line, '\t', 1, fields, max));
}

/* cm_dove_join - escape and join fields with TABs, then LF */
long    cm_dove_join(const char *const *fields, int n, char *dst, size_t size)
{
	size_t  limit = (size < CM_DOVE_LINE_MAX + 1 ? size : CM_DOVE_LINE_MAX + 1);
	long    len;

	if (limit < 2)
		goto too_long;
	/* one byte of the limit is kept for the LF */
	if ((len = cm_pct_join(fields, n, '\t', "", dst, limit - 1)) < 0)
		goto too_long;
	dst[len++] = '\n';
	dst[len] = '\0';
	return (len);

too_long:
	if (size > 0)
		dst[0] = '\0';
	return (-1);
}

/* cm_dove_int64 - strict decimal int64 */
int     cm_dove_int64(const char *text, int64_t *value_r)
{
	int     neg = (*text == '-');
	uint64_t v = 0;
	uint64_t limit = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
	const char *p = text + neg;

	if (*p == '\0' || strlen(p) > 19)
		return (-1);
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return (-1);
		if (v > (limit - (uint64_t) (*p - '0')) / 10)
			return (-1);
		v = v * 10 + (uint64_t) (*p - '0');
	}
	if (neg)
		*value_r = (v == (uint64_t) INT64_MAX + 1) ? INT64_MIN
			: -(int64_t) v;
	else
		*value_r = (int64_t) v;
	return (0);
}

/* cm_dove_cmd_name - a command's protocol name */
const char *cm_dove_cmd_name(enum cm_dove_cmd cmd)
{
	return ((unsigned) cmd < CM_DOVE_CMD_COUNT ? dove_cmd_names[cmd] : "?");
}

/* cm_dove_event_kind_name - "deliver" or "append" */
const char *cm_dove_event_kind_name(enum cm_dove_event_kind kind)
{
	return (kind == CM_DOVE_EVENT_DELIVER ? "deliver" : "append");
}

/* dove_fail - set the reason, return -1 */
static int dove_fail(const char **error_r, const char *why)
{
	if (error_r != NULL)
		*error_r = why;
	return (-1);
}

/* dove_user - check a user field */
static int dove_user(const char *user, const char **error_r)
{
	size_t  len = strlen(user);

	if (len == 0)
		return (dove_fail(error_r, "empty user"));
	if (len > CM_DOVE_USER_MAX)
		return (dove_fail(error_r, "user longer than 255 bytes"));
	return (0);
}

/* dove_number - a number field within [min, max] */
static int dove_number(const char *text, int64_t min, int64_t max,
		               int64_t *value_r, const char **error_r,
		               const char *what)
{
	if (cm_dove_int64(text, value_r) < 0 || *value_r < min
	    || *value_r > max)
		return (dove_fail(error_r, what));
	return (0);
}

/* dove_event - the fields of EVENT */
static int dove_event(char **f, struct cm_dove_request *req,
		              const char **error_r)
{
	if (dove_user(f[1], error_r) < 0)
		return (-1);
	req->user = f[1];
	if (f[2][0] == '\0')
		return (dove_fail(error_r, "empty mailbox"));
	req->mailbox = f[2];
	if (dove_number(f[3], 0, UINT32_MAX, &req->uid, error_r,
			"bad uid") < 0
	    || dove_number(f[4], 0, INT64_MAX, &req->size, error_r,
			   "bad size") < 0)
		return (-1);
	if (strcmp(f[5], "deliver") == 0)
		req->kind = CM_DOVE_EVENT_DELIVER;
	else if (strcmp(f[5], "append") == 0)
		req->kind = CM_DOVE_EVENT_APPEND;
	else
		return (dove_fail(error_r, "bad event kind"));
	return (0);
}

/* dove_request_fields - check and take the fields after the command */
static int dove_request_fields(char **f, struct cm_dove_request *req,
			               const char **error_r)
{
	switch (req->cmd) {
	case CM_DOVE_CMD_VERSION:
		if (dove_number(f[1], 0, INT64_MAX, &req->major, error_r,
				"bad version") < 0)
			return (-1);
		return (dove_number(f[2], 0, INT64_MAX, &req->minor, error_r,
				    "bad version"));
	case CM_DOVE_CMD_QUOTA_ADD:
		if (dove_number(f[2], INT64_MIN, INT64_MAX, &req->bytes,
				error_r, "bad bytes") < 0
		    || dove_number(f[3], INT64_MIN, INT64_MAX, &req->count,
				   error_r, "bad count") < 0)
			return (-1);
		/* FALLTHROUGH */
	case CM_DOVE_CMD_QUOTA_GET:
	case CM_DOVE_CMD_QUOTA_RECALC:
		req->user = f[1];
		return (dove_user(f[1], error_r));
	case CM_DOVE_CMD_EVENT:
		return (dove_event(f, req, error_r));
	case CM_DOVE_CMD_QUOTA_LIST:
		if (f[1][0] != '\0' && dove_user(f[1], error_r) < 0)
			return (-1);
		req->after = f[1];
		return (dove_number(f[2], 1, INT64_MAX, &req->limit, error_r,
				    "bad limit"));
	default:
		return (0);
	}
}

/* cm_dove_request_parse - one request line */
int     cm_dove_request_parse(char *line, struct cm_dove_request *req_r,
			              const char **error_r)
{
	char   *f[CM_DOVE_FIELDS_MAX];
	int     n, i;

	memset(req_r, 0, sizeof(*req_r));
	req_r->user = req_r->mailbox = req_r->after = "";
	if ((n = cm_dove_split(line, f, CM_DOVE_FIELDS_MAX)) < 0)
		return (dove_fail(error_r, "malformed line"));
	for (i = 0; i < CM_DOVE_CMD_COUNT; i++)
		if (strcmp(f[0], dove_cmd_names[i]) == 0)
			break;
	if (i == CM_DOVE_CMD_COUNT)
		return (dove_fail(error_r, "unknown command"));
	req_r->cmd = (enum cm_dove_cmd) i;
	if (n - 1 != dove_cmd_arity[i])
		return (dove_fail(error_r, "wrong number of fields"));
	return (dove_request_fields(f, req_r, error_r) < 0 ? -1 : 0);
}

/* cm_dove_request_format - one request line from its fields */
long    cm_dove_request_format(const struct cm_dove_request *req, char *dst,
			               size_t size)
{
	char    num[4][24];
	const char *f[6];
	int     n = 1;

	if ((unsigned) req->cmd >= CM_DOVE_CMD_COUNT) {
		if (size > 0)
			dst[0] = '\0';
		return (-1);
	}
	f[0] = dove_cmd_names[req->cmd];
	switch (req->cmd) {
	case CM_DOVE_CMD_VERSION:
		snprintf(num[0], sizeof(num[0]), "%" PRId64, req->major);
		snprintf(num[1], sizeof(num[1]), "%" PRId64, req->minor);
		f[n++] = num[0];
		f[n++] = num[1];
		break;
	case CM_DOVE_CMD_QUOTA_ADD:
		snprintf(num[0], sizeof(num[0]), "%" PRId64, req->bytes);
		snprintf(num[1], sizeof(num[1]), "%" PRId64, req->count);
		f[n++] = req->user;
		f[n++] = num[0];
		f[n++] = num[1];
		break;
	case CM_DOVE_CMD_QUOTA_GET:
	case CM_DOVE_CMD_QUOTA_RECALC:
		f[n++] = req->user;
		break;
	case CM_DOVE_CMD_QUOTA_LIST:
		snprintf(num[0], sizeof(num[0]), "%" PRId64, req->limit);
		f[n++] = req->after != NULL ? req->after : "";
		f[n++] = num[0];
		break;
	case CM_DOVE_CMD_EVENT:
		snprintf(num[2], sizeof(num[2]), "%" PRId64, req->uid);
		snprintf(num[3], sizeof(num[3]), "%" PRId64, req->size);
		f[n++] = req->user;
		f[n++] = req->mailbox;
		f[n++] = num[2];
		f[n++] = num[3];
		f[n++] = cm_dove_event_kind_name(req->kind);
		break;
	default:
		break;
	}
	return (cm_dove_join(f, n, dst, size));
}

/* cm_dove_reply_parse - one reply line */
int     cm_dove_reply_parse(char *line, struct cm_dove_reply *reply_r,
			            const char **error_r)
{
	char   *f[CM_DOVE_FIELDS_MAX + 1];
	int     n, i;
	size_t  k;

	memset(reply_r, 0, sizeof(*reply_r));
	if ((n = cm_dove_split(line, f, CM_DOVE_FIELDS_MAX + 1)) < 0)
		return (dove_fail(error_r, "malformed reply line"));
	for (k = 0; k < sizeof(dove_reply_names) / sizeof(dove_reply_names[0]);
	     k++)
		if (strcmp(f[0], dove_reply_names[k]) == 0)
			break;
	if (k == sizeof(dove_reply_names) / sizeof(dove_reply_names[0]))
		return (dove_fail(error_r, "unknown reply"));
	reply_r->kind = (enum cm_dove_reply_kind) k;
	if (reply_r->kind == CM_DOVE_REPLY_FAIL && n < 3)
		return (dove_fail(error_r, "FAIL without code and text"));
	if (reply_r->kind == CM_DOVE_REPLY_VERSION && n < 3)
		return (dove_fail(error_r, "VERSION without numbers"));
	reply_r->n = n - 1;
	for (i = 1; i < n; i++)
		reply_r->fields[i - 1] = f[i];
	return (0);
}

/* cm_dove_reply_format - one reply line */
long    cm_dove_reply_format(enum cm_dove_reply_kind kind,
			             const char *const *fields, int n, char *dst,
			             size_t size)
{
	const char *f[CM_DOVE_FIELDS_MAX];
	int     i;

	if ((unsigned) kind > CM_DOVE_REPLY_VERSION || n < 0
	    || n >= CM_DOVE_FIELDS_MAX) {
		if (size > 0)
			dst[0] = '\0';
		return (-1);
	}
	f[0] = dove_reply_names[kind];
	for (i = 0; i < n; i++)
		f[i + 1] = fields[i];
	return (cm_dove_join(f, n + 1, dst, size));
}

/* cm_dove_version_compatible - 1 when the peer speaks our major */
int     cm_dove_version_compatible(int64_t major)
{
	return (major == CM_DOVE_VERSION_MAJOR);
}

/* dove_quota_values - "user used max" style fields from index first */
static int dove_quota_values(char *const *f, struct cm_dove_quota *q,
			             const char **error_r)
{
	if (dove_number(f[0], 0, INT64_MAX, &q->used, error_r,
			"bad used bytes") < 0
	    || dove_number(f[1], 0, INT64_MAX, &q->max, error_r,
			   "bad max bytes") < 0)
		return (-1);
	return (0);
}

/* cm_dove_reply_quota - "OK used max" */
int     cm_dove_reply_quota(const struct cm_dove_reply *reply,
			            struct cm_dove_quota *quota_r,
			            const char **error_r)
{
	memset(quota_r, 0, sizeof(*quota_r));
	quota_r->user = "";
	if (reply->kind != CM_DOVE_REPLY_OK || reply->n != 2)
		return (dove_fail(error_r, "expected OK used max"));
	return (dove_quota_values(reply->fields, quota_r, error_r));
}

/* cm_dove_row_quota - "* user used max" */
int     cm_dove_row_quota(const struct cm_dove_reply *reply,
			          struct cm_dove_quota *quota_r,
			          const char **error_r)
{
	memset(quota_r, 0, sizeof(*quota_r));
	quota_r->user = "";
	if (reply->kind != CM_DOVE_REPLY_ROW || reply->n != 3)
		return (dove_fail(error_r, "expected * user used max"));
	if (dove_user(reply->fields[0], error_r) < 0)
		return (-1);
	quota_r->user = reply->fields[0];
	return (dove_quota_values(reply->fields + 1, quota_r, error_r));
}

/* cm_dove_user_key - ASCII-lowercase copy of a user name */
int     cm_dove_user_key(const char *user, char *dst, size_t size)
{
	size_t  len = strlen(user);
	size_t  i;

	if (len == 0 || len > CM_DOVE_USER_MAX || len >= size) {
		if (size > 0)
			dst[0] = '\0';
		return (-1);
	}
	for (i = 0; i <= len; i++)
		dst[i] = (user[i] >= 'A' && user[i] <= 'Z')
			? (char) (user[i] - 'A' + 'a') : user[i];
	return (0);
}

/* cm_dove_percent - used * 100 / max without overflow */
int64_t cm_dove_percent(int64_t used, int64_t max)
{
	uint64_t q, r, part, rem;
	int     i;

	if (max <= 0 || used <= 0)
		return (0);
	if (used <= INT64_MAX / 100)
		return (used * 100 / max);
	/* (q * max + r) * 100 / max = q * 100 + r * 100 / max, r < max */
	q = (uint64_t) (used / max);
	r = (uint64_t) (used % max);
	if (q > (uint64_t) INT64_MAX / 100)
		return (INT64_MAX);
	/* r * 100 / max exactly: add r a hundred times, carrying whole
	   maxes out; rem and r stay below max <= INT64_MAX, no overflow */
	part = 0;
	rem = 0;
	for (i = 0; i < 100; i++) {
		rem += r;
		if (rem >= (uint64_t) max) {
			rem -= (uint64_t) max;
			part++;
		}
	}
	if (q * 100 > (uint64_t) INT64_MAX - part)
		return (INT64_MAX);
	return ((int64_t) (q * 100 + part));
}

/* cm_dove_sort_parse - a sort key by name */
int     cm_dove_sort_parse(const char *name, enum cm_dove_sort *sort_r)
{
	if (strcmp(name, "user") == 0)
		*sort_r = CM_DOVE_SORT_USER;
	else if (strcmp(name, "used") == 0 || strcmp(name, "value") == 0)
		*sort_r = CM_DOVE_SORT_USED;
	else if (strcmp(name, "max") == 0 || strcmp(name, "limit") == 0)
		*sort_r = CM_DOVE_SORT_MAX;
	else if (strcmp(name, "percent") == 0)
		*sort_r = CM_DOVE_SORT_PERCENT;
	else
		return (-1);
	return (0);
}

/* dove_cmp64_desc - descending order of two numbers */
static int dove_cmp64_desc(int64_t a, int64_t b)
{
	return (a > b ? -1 : a < b ? 1 : 0);
}

/* cm_dove_quota_cmp - order two rows under a sort key */
int     cm_dove_quota_cmp(const struct cm_dove_quota *a,
			          const struct cm_dove_quota *b,
			          enum cm_dove_sort sort)
{
	int     c = 0;

	switch (sort) {
	case CM_DOVE_SORT_USED:
		c = dove_cmp64_desc(a->used, b->used);
		break;
	case CM_DOVE_SORT_MAX:
		c = dove_cmp64_desc(a->max, b->max);
		break;
	case CM_DOVE_SORT_PERCENT:
		c = dove_cmp64_desc(cm_dove_percent(a->used, a->max),
				    cm_dove_percent(b->used, b->max));
		break;
	default:
		break;
	}
	if (c == 0)
		c = strcmp(a->user, b->user);
	return (c > 0 ? 1 : c < 0 ? -1 : 0);
}
