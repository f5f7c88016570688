/*++
 * NAME
 *	fuzz_cm_dove_codec 1
 * SUMMARY
 *	libFuzzer target for the dovecot protocol codec
 * DESCRIPTION
 *	Feeds a NUL-terminated copy of the input to the request parser,
 *	the reply parser and the splitter. A parsed request must format
 *	back to a line that parses to the same request (the canonical
 *	form: formatting that again gives the same bytes), and hold only
 *	values its command allows. A split line must join back to a line
 *	that splits to the same fields. Parsed replies must pass their
 *	typed readers without crashing; the pure helpers run on whatever
 *	numbers came out. Any violation abort()s.
 *--*/

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cm_dove_codec.h"

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* xdup - a NUL-terminated copy or abort */
static char *xdup(const char *text, size_t len)
{
	char   *copy = malloc(len + 1);

	if (copy == NULL)
		abort();
	memcpy(copy, text, len);
	copy[len] = '\0';
	return (copy);
}

/* same_request - field by field */
static int same_request(const struct cm_dove_request *a,
			const struct cm_dove_request *b)
{
	return (a->cmd == b->cmd && strcmp(a->user, b->user) == 0
		&& strcmp(a->mailbox, b->mailbox) == 0
		&& strcmp(a->after, b->after) == 0 && a->limit == b->limit
		&& a->major == b->major && a->minor == b->minor
		&& a->bytes == b->bytes && a->count == b->count
		&& a->uid == b->uid && a->size == b->size
		&& a->kind == b->kind);
}

/* check_request - parse, check, format, parse again */
static void check_request(const char *text, size_t len)
{
	char   *line = xdup(text, len);
	char    out[CM_DOVE_LINE_MAX + 1], out2[CM_DOVE_LINE_MAX + 1];
	char    out3[CM_DOVE_LINE_MAX + 1];
	struct cm_dove_request req, back;
	const char *error = NULL;
	long    n, n2;

	if (cm_dove_request_parse(line, &req, &error) < 0) {
		if (error == NULL)
			abort();
		free(line);
		return;
	}
	if ((unsigned) req.cmd >= CM_DOVE_CMD_COUNT || req.uid < 0
	    || req.uid > UINT32_MAX || req.size < 0
	    || strlen(req.user) > CM_DOVE_USER_MAX)
		abort();
	n = cm_dove_request_format(&req, out, sizeof(out));
	/* the canonical form is never longer than what was parsed */
	if (n < 0 || (size_t) n > len + 1 || out[n - 1] != '\n')
		abort();
	memcpy(out2, out, (size_t) n + 1);
	out2[n - 1] = '\0';
	if (cm_dove_request_parse(out2, &back, &error) < 0
	    || !same_request(&req, &back))
		abort();
	/* back points into out2: format into a third buffer */
	n2 = cm_dove_request_format(&back, out3, sizeof(out3));
	if (n2 != n || memcmp(out, out3, (size_t) n) != 0)
		abort();
	free(line);
}

/* check_split - split, join, split again */
static void check_split(const char *text, size_t len)
{
	char   *line = xdup(text, len);
	char   *fields[CM_DOVE_FIELDS_MAX], *again[CM_DOVE_FIELDS_MAX];
	char   *joined = malloc(CM_DOVE_LINE_MAX + 1);
	long    n2;
	int     n, i;

	if (joined == NULL)
		abort();
	n = cm_dove_split(line, fields, CM_DOVE_FIELDS_MAX);
	if (n < -1 || n == 0 || n > CM_DOVE_FIELDS_MAX)
		abort();
	if (n > 0) {
		n2 = cm_dove_join((const char *const *) fields, n, joined,
				  CM_DOVE_LINE_MAX + 1);
		if (n2 > 0) {
			joined[n2 - 1] = '\0';
			if (cm_dove_split(joined, again, CM_DOVE_FIELDS_MAX) != n)
				abort();
			for (i = 0; i < n; i++)
				if (strcmp(fields[i], again[i]) != 0)
					abort();
		} else if (joined[0] != '\0') {
			abort();
		}
	}
	free(joined);
	free(line);
}

/* s - an int as a sort key */
static enum cm_dove_sort s(int sort)
{
	return ((enum cm_dove_sort) sort);
}

/* check_reply - parse a reply and read it every way */
static void check_reply(const char *text, size_t len)
{
	char   *line = xdup(text, len);
	struct cm_dove_reply reply;
	struct cm_dove_quota q, q2;
	const char *error;
	char    key[CM_DOVE_USER_MAX + 1];
	int     sort;

	if (cm_dove_reply_parse(line, &reply, &error) == 0) {
		if (reply.n < 0 || reply.n > CM_DOVE_FIELDS_MAX)
			abort();
		if (reply.kind == CM_DOVE_REPLY_FAIL && reply.n < 2)
			abort();
		if (cm_dove_reply_quota(&reply, &q, &error) == 0
		    && (q.used < 0 || q.max < 0
			|| cm_dove_percent(q.used, q.max) < 0))
			abort();
		if (cm_dove_row_quota(&reply, &q, &error) == 0) {
			if (cm_dove_user_key(q.user, key, sizeof(key)) < 0)
				abort();
			q2 = q;
			q2.user = key;
			for (sort = CM_DOVE_SORT_USER;
			     sort <= CM_DOVE_SORT_PERCENT; sort++)
				if (cm_dove_quota_cmp(&q, &q, s(sort)) != 0
				    || cm_dove_quota_cmp(&q, &q2, s(sort))
				    != -cm_dove_quota_cmp(&q2, &q, s(sort)))
					abort();
		}
	}
	free(line);
}

/* LLVMFuzzerTestOneInput - one fuzz input */
int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char   *text = xdup((const char *) data, size);
	size_t  len = strlen(text);

	if (len < CM_DOVE_LINE_MAX) {
		check_request(text, len);
		check_split(text, len);
		check_reply(text, len);
	}
	free(text);
	return (0);
}
