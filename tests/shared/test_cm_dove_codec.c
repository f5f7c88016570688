/*++
 * NAME
 *	test_cm_dove_codec 1
 * SUMMARY
 *	cmocka tests for the dovecot protocol codec
 * DESCRIPTION
 *	Escaping of every byte value, bad escapes, TAB splitting, strict
 *	numbers at the int64 edges, every request parsed from and formatted
 *	to its line (round trips), every way a request is refused, reply
 *	lines (OK, FAIL, rows, VERSION) and their typed readers, the line
 *	length limit, and the pure helpers: user keys, percentages without
 *	overflow, sort keys and the row order doveadm uses.
 *--*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_dove_codec.h"

/* must_escape - the bytes the protocol never sends raw */
static int must_escape(unsigned ch)
{
	return (ch < 0x20 || ch == 0x7f || ch == '%');
}

/* test_escape_each_byte - every byte 1..255 alone, and back */
static void test_escape_each_byte(void **state)
{
	char    src[2], dst[8], expect[8];
	unsigned ch;

	(void) state;
	for (ch = 1; ch < 256; ch++) {
		src[0] = (char) ch;
		src[1] = '\0';
		if (must_escape(ch))
			snprintf(expect, sizeof(expect), "%%%02X", ch);
		else
			memcpy(expect, src, 2);
		assert_int_equal(cm_dove_escape(src, dst, sizeof(dst)),
				 (long) strlen(expect));
		assert_string_equal(dst, expect);
		assert_int_equal(cm_dove_unescape(dst), 0);
		assert_memory_equal(dst, src, 2);
		snprintf(dst, sizeof(dst), "%%%02x", ch);
		assert_int_equal(cm_dove_unescape(dst), 0);
		assert_memory_equal(dst, src, 2);
	}
	/* spaces stay readable */
	assert_int_equal(cm_dove_escape("a b", dst, sizeof(dst)), 3);
	assert_string_equal(dst, "a b");
	/* exact fit and one byte short */
	assert_int_equal(cm_dove_escape("\t", dst, 4), 3);
	assert_int_equal(cm_dove_escape("\t", dst, 3), -1);
	assert_string_equal(dst, "");
	assert_int_equal(cm_dove_escape("x", dst, 0), -1);
}

/* test_unescape_bad - bad escapes leave the field alone */
static void test_unescape_bad(void **state)
{
	static const char *const bad[] = {
		"%", "%4", "a%4", "%G1", "%1G", "%%", "%00", "x%00y", "%41%",
	};
	char    buf[32];
	size_t  i;

	(void) state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", bad[i]);
		assert_int_equal(cm_dove_unescape(buf), -1);
		assert_string_equal(buf, bad[i]);
	}
}

/* test_split - TAB splitting edge cases */
static void test_split(void **state)
{
	char    line[64];
	char   *f[4];

	(void) state;
	snprintf(line, sizeof(line), "%s", "");
	assert_int_equal(cm_dove_split(line, f, 4), 1);
	assert_string_equal(f[0], "");
	snprintf(line, sizeof(line), "%s", "a\t\tb%09c");
	assert_int_equal(cm_dove_split(line, f, 4), 3);
	assert_string_equal(f[0], "a");
	assert_string_equal(f[1], "");
	assert_string_equal(f[2], "b\tc");
	snprintf(line, sizeof(line), "%s", "a\tb\tc\td\te");
	assert_int_equal(cm_dove_split(line, f, 4), -1);
	snprintf(line, sizeof(line), "%s", "a\rb");
	assert_int_equal(cm_dove_split(line, f, 4), -1);
	snprintf(line, sizeof(line), "%s", "a\nb");
	assert_int_equal(cm_dove_split(line, f, 4), -1);
	snprintf(line, sizeof(line), "%s", "a\tb%zz");
	assert_int_equal(cm_dove_split(line, f, 4), -1);
}

/* test_int64 - strict numbers */
static void test_int64(void **state)
{
	static const char *const bad[] = {
		"", "-", "+1", " 1", "1 ", "1a", "0x10", "9223372036854775808",
		"-9223372036854775809", "00000000000000000001", "--1", "1.5",
	};
	int64_t v;
	size_t  i;

	(void) state;
	assert_int_equal(cm_dove_int64("0", &v), 0);
	assert_true(v == 0);
	assert_int_equal(cm_dove_int64("-0", &v), 0);
	assert_true(v == 0);
	assert_int_equal(cm_dove_int64("9223372036854775807", &v), 0);
	assert_true(v == INT64_MAX);
	assert_int_equal(cm_dove_int64("-9223372036854775808", &v), 0);
	assert_true(v == INT64_MIN);
	assert_int_equal(cm_dove_int64("-42", &v), 0);
	assert_true(v == -42);
	assert_int_equal(cm_dove_int64("0000000000000000001", &v), 0);
	assert_true(v == 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cm_dove_int64(bad[i], &v), -1);
}

/* parse - parse a copy of text; returns the result, keeps the copy */
static int parse(char *buf, size_t size, const char *text,
		 struct cm_dove_request *req, const char **error)
{
	snprintf(buf, size, "%s", text);
	*error = NULL;
	return (cm_dove_request_parse(buf, req, error));
}

/* test_requests - every command, parsed */
static void test_requests(void **state)
{
	struct cm_dove_request req;
	const char *error;
	char    buf[256];

	(void) state;
	assert_int_equal(parse(buf, sizeof(buf), "VERSION\t1\t0", &req,
			       &error), 0);
	assert_int_equal(req.cmd, CM_DOVE_CMD_VERSION);
	assert_true(req.major == 1 && req.minor == 0);
	assert_string_equal(req.user, "");
	assert_int_equal(parse(buf, sizeof(buf), "QUOTA-GET\tAlice@Example.org",
			       &req, &error), 0);
	assert_int_equal(req.cmd, CM_DOVE_CMD_QUOTA_GET);
	assert_string_equal(req.user, "Alice@Example.org");
	assert_int_equal(parse(buf, sizeof(buf),
			       "QUOTA-ADD\ta@b\t-1234\t-2", &req, &error), 0);
	assert_int_equal(req.cmd, CM_DOVE_CMD_QUOTA_ADD);
	assert_true(req.bytes == -1234 && req.count == -2);
	assert_int_equal(parse(buf, sizeof(buf), "QUOTA-RECALC\ta@b", &req,
			       &error), 0);
	assert_int_equal(req.cmd, CM_DOVE_CMD_QUOTA_RECALC);
	assert_int_equal(parse(buf, sizeof(buf), "QUOTA-LIST\t\t100", &req,
			       &error), 0);
	assert_int_equal(req.cmd, CM_DOVE_CMD_QUOTA_LIST);
	assert_string_equal(req.after, "");
	assert_true(req.limit == 100);
	assert_int_equal(parse(buf, sizeof(buf), "QUOTA-LIST\tbob@x\t1", &req,
			       &error), 0);
	assert_string_equal(req.after, "bob@x");
	assert_true(req.limit == 1);
	assert_int_equal(parse(buf, sizeof(buf), "STATS", &req, &error), 0);
	assert_int_equal(req.cmd, CM_DOVE_CMD_STATS);
	assert_int_equal(parse(buf, sizeof(buf), "HYDRATE", &req, &error), 0);
	assert_int_equal(req.cmd, CM_DOVE_CMD_HYDRATE);
	assert_int_equal(parse(buf, sizeof(buf),
			       "EVENT\ta@b\tINBOX%09x\t4294967295\t512\tdeliver",
			       &req, &error), 0);
	assert_int_equal(req.cmd, CM_DOVE_CMD_EVENT);
	assert_string_equal(req.mailbox, "INBOX\tx");
	assert_true(req.uid == 4294967295LL && req.size == 512);
	assert_int_equal(req.kind, CM_DOVE_EVENT_DELIVER);
	assert_int_equal(parse(buf, sizeof(buf),
			       "EVENT\ta@b\tSent items\t0\t0\tappend",
			       &req, &error), 0);
	assert_int_equal(req.kind, CM_DOVE_EVENT_APPEND);
}

struct bad_case {
	const char *line;
	const char *why;
};

/* test_requests_bad - every refusal names its reason */
static void test_requests_bad(void **state)
{
	static const struct bad_case cases[] = {
		{"", "unknown command"},
		{"quota-get\ta@b", "unknown command"},
		{"QUOTA-GET", "wrong number of fields"},
		{"QUOTA-GET\ta@b\tx", "wrong number of fields"},
		{"QUOTA-GET\t", "empty user"},
		{"QUOTA-LIST", "wrong number of fields"},
		{"QUOTA-LIST\tx", "wrong number of fields"},
		{"QUOTA-LIST\t\t0", "bad limit"},
		{"QUOTA-LIST\t\t-1", "bad limit"},
		{"VERSION\t1", "wrong number of fields"},
		{"VERSION\t-1\t0", "bad version"},
		{"VERSION\t1\tx", "bad version"},
		{"QUOTA-ADD\ta@b\t1x\t0", "bad bytes"},
		{"QUOTA-ADD\ta@b\t1\t", "bad count"},
		{"EVENT\ta@b\t\t1\t1\tdeliver", "empty mailbox"},
		{"EVENT\ta@b\tINBOX\t4294967296\t1\tdeliver", "bad uid"},
		{"EVENT\ta@b\tINBOX\t1\t-1\tdeliver", "bad size"},
		{"EVENT\ta@b\tINBOX\t1\t1\tpush", "bad event kind"},
		{"QUOTA-GET\ta\rb", "malformed line"},
		{"QUOTA-GET\ta%0", "malformed line"},
	};
	struct cm_dove_request req;
	const char *error;
	char    buf[64], user[300];
	size_t  i;

	(void) state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(buf, sizeof(buf), cases[i].line, &req,
				       &error), -1);
		assert_non_null(error);
		assert_string_equal(error, cases[i].why);
	}
	memset(user, 'u', sizeof(user));
	memcpy(user, "QUOTA-GET\t", 10);
	user[10 + CM_DOVE_USER_MAX] = '\0';
	assert_int_equal(cm_dove_request_parse(user, &req, &error), 0);
	memset(user, 'u', sizeof(user));
	memcpy(user, "QUOTA-GET\t", 10);
	user[10 + CM_DOVE_USER_MAX + 1] = '\0';
	assert_int_equal(cm_dove_request_parse(user, &req, &error), -1);
	assert_string_equal(error, "user longer than 255 bytes");
}

/* roundtrip - format req, parse the line, compare */
static void roundtrip(const struct cm_dove_request *req, const char *expect)
{
	struct cm_dove_request back;
	const char *error;
	char    line[CM_DOVE_LINE_MAX + 1];
	long    len;

	len = cm_dove_request_format(req, line, sizeof(line));
	assert_int_equal(len, (long) strlen(expect));
	assert_string_equal(line, expect);
	line[len - 1] = '\0';		/* the LF */
	assert_int_equal(cm_dove_request_parse(line, &back, &error), 0);
	assert_int_equal(back.cmd, req->cmd);
	assert_string_equal(back.user, req->user);
	assert_string_equal(back.mailbox, req->mailbox);
	assert_string_equal(back.after, req->after);
	assert_true(back.limit == req->limit);
	assert_true(back.major == req->major && back.minor == req->minor);
	assert_true(back.bytes == req->bytes && back.count == req->count);
	assert_true(back.uid == req->uid && back.size == req->size);
	assert_int_equal(back.kind, req->kind);
}

/* test_format - every command formatted and parsed back */
static void test_format(void **state)
{
	struct cm_dove_request req;

	(void) state;
	memset(&req, 0, sizeof(req));
	req.user = req.mailbox = req.after = "";
	req.cmd = CM_DOVE_CMD_VERSION;
	req.major = CM_DOVE_VERSION_MAJOR;
	req.minor = CM_DOVE_VERSION_MINOR;
	roundtrip(&req, "VERSION\t1\t0\n");
	req.major = req.minor = 0;
	req.cmd = CM_DOVE_CMD_QUOTA_ADD;
	req.user = "a%b\tc@d";
	req.bytes = INT64_MIN;
	req.count = -1;
	roundtrip(&req, "QUOTA-ADD\ta%25b%09c@d\t-9223372036854775808\t-1\n");
	req.bytes = req.count = 0;
	req.cmd = CM_DOVE_CMD_QUOTA_GET;
	roundtrip(&req, "QUOTA-GET\ta%25b%09c@d\n");
	req.cmd = CM_DOVE_CMD_QUOTA_RECALC;
	roundtrip(&req, "QUOTA-RECALC\ta%25b%09c@d\n");
	req.cmd = CM_DOVE_CMD_EVENT;
	req.user = "bob@example.org";
	req.mailbox = "Caf\xc3\xa9\n";
	req.uid = 7;
	req.size = 1000;
	req.kind = CM_DOVE_EVENT_APPEND;
	roundtrip(&req, "EVENT\tbob@example.org\tCaf\xc3\xa9%0A\t7\t1000\tappend\n");
	req.kind = CM_DOVE_EVENT_DELIVER;
	roundtrip(&req, "EVENT\tbob@example.org\tCaf\xc3\xa9%0A\t7\t1000\tdeliver\n");
	memset(&req, 0, sizeof(req));
	req.user = req.mailbox = req.after = "";
	req.cmd = CM_DOVE_CMD_QUOTA_LIST;
	req.limit = 1000;
	roundtrip(&req, "QUOTA-LIST\t\t1000\n");
	req.after = "carol@example.org";
	roundtrip(&req, "QUOTA-LIST\tcarol@example.org\t1000\n");
	req.after = "";
	req.limit = 0;
	req.cmd = CM_DOVE_CMD_STATS;
	roundtrip(&req, "STATS\n");
	req.cmd = CM_DOVE_CMD_HYDRATE;
	roundtrip(&req, "HYDRATE\n");
}

/* test_line_limit - CM_DOVE_LINE_MAX counts the LF */
static void test_line_limit(void **state)
{
	char   *field = malloc(CM_DOVE_LINE_MAX + 2);
	char   *line = malloc(CM_DOVE_LINE_MAX + 16);
	const char *f[1];
	char    small[8];

	(void) state;
	assert_non_null(field);
	assert_non_null(line);
	memset(field, 'x', CM_DOVE_LINE_MAX - 1);
	field[CM_DOVE_LINE_MAX - 1] = '\0';
	f[0] = field;
	assert_int_equal(cm_dove_join(f, 1, line, CM_DOVE_LINE_MAX + 16),
			 CM_DOVE_LINE_MAX);
	assert_int_equal(line[CM_DOVE_LINE_MAX - 1], '\n');
	field[CM_DOVE_LINE_MAX - 1] = 'x';
	field[CM_DOVE_LINE_MAX] = '\0';
	assert_int_equal(cm_dove_join(f, 1, line, CM_DOVE_LINE_MAX + 16), -1);
	assert_string_equal(line, "");
	f[0] = "abc";
	assert_int_equal(cm_dove_join(f, 1, small, 5), 4);
	assert_int_equal(cm_dove_join(f, 1, small, 4), -1);
	assert_int_equal(cm_dove_join(f, 1, small, 0), -1);
	free(field);
	free(line);
}

/* test_replies - reply lines and their typed readers */
static void test_replies(void **state)
{
	const char *fields[3] = { "alice@example.org", "100", "1000" };
	struct cm_dove_reply r;
	struct cm_dove_quota q;
	const char *error;
	char    line[128];

	(void) state;
	assert_true(cm_dove_reply_format(CM_DOVE_REPLY_ROW, fields, 3, line,
					 sizeof(line)) > 0);
	assert_string_equal(line, "*\talice@example.org\t100\t1000\n");
	line[strlen(line) - 1] = '\0';
	assert_int_equal(cm_dove_reply_parse(line, &r, &error), 0);
	assert_int_equal(r.kind, CM_DOVE_REPLY_ROW);
	assert_int_equal(cm_dove_row_quota(&r, &q, &error), 0);
	assert_string_equal(q.user, "alice@example.org");
	assert_true(q.used == 100 && q.max == 1000);
	assert_int_equal(cm_dove_reply_quota(&r, &q, &error), -1);

	assert_true(cm_dove_reply_format(CM_DOVE_REPLY_OK, fields + 1, 2,
					 line, sizeof(line)) > 0);
	assert_string_equal(line, "OK\t100\t1000\n");
	line[strlen(line) - 1] = '\0';
	assert_int_equal(cm_dove_reply_parse(line, &r, &error), 0);
	assert_int_equal(cm_dove_reply_quota(&r, &q, &error), 0);
	assert_true(q.used == 100 && q.max == 1000);
	assert_int_equal(cm_dove_row_quota(&r, &q, &error), -1);

	snprintf(line, sizeof(line), "OK\t-1\t5");
	assert_int_equal(cm_dove_reply_parse(line, &r, &error), 0);
	assert_int_equal(cm_dove_reply_quota(&r, &q, &error), -1);
	assert_string_equal(error, "bad used bytes");
	snprintf(line, sizeof(line), "OK");
	assert_int_equal(cm_dove_reply_parse(line, &r, &error), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(cm_dove_reply_quota(&r, &q, &error), -1);

	snprintf(line, sizeof(line), "FAIL\tversion\tmajor 2%%09is not 1");
	assert_int_equal(cm_dove_reply_parse(line, &r, &error), 0);
	assert_int_equal(r.kind, CM_DOVE_REPLY_FAIL);
	assert_string_equal(r.fields[0], "version");
	assert_string_equal(r.fields[1], "major 2\tis not 1");
	snprintf(line, sizeof(line), "FAIL\tsyntax");
	assert_int_equal(cm_dove_reply_parse(line, &r, &error), -1);
	snprintf(line, sizeof(line), "VERSION\t1\t3");
	assert_int_equal(cm_dove_reply_parse(line, &r, &error), 0);
	assert_int_equal(r.kind, CM_DOVE_REPLY_VERSION);
	snprintf(line, sizeof(line), "VERSION");
	assert_int_equal(cm_dove_reply_parse(line, &r, &error), -1);
	snprintf(line, sizeof(line), "HELLO\tx");
	assert_int_equal(cm_dove_reply_parse(line, &r, &error), -1);
	assert_string_equal(error, "unknown reply");
	assert_int_equal(cm_dove_reply_format((enum cm_dove_reply_kind) 9,
					      fields, 1, line, sizeof(line)),
			 -1);
	assert_int_equal(cm_dove_version_compatible(1), 1);
	assert_int_equal(cm_dove_version_compatible(2), 0);
	assert_int_equal(cm_dove_version_compatible(0), 0);
}

/* test_user_key - lowercase copy, limits */
static void test_user_key(void **state)
{
	char    key[CM_DOVE_USER_MAX + 1], big[CM_DOVE_USER_MAX + 2];

	(void) state;
	assert_int_equal(cm_dove_user_key("Alice@Example.ORG", key,
					  sizeof(key)), 0);
	assert_string_equal(key, "alice@example.org");
	assert_int_equal(cm_dove_user_key("\xc3\x89t\xc3\xa9@x", key,
					  sizeof(key)), 0);
	assert_string_equal(key, "\xc3\x89t\xc3\xa9@x");
	assert_int_equal(cm_dove_user_key("", key, sizeof(key)), -1);
	assert_int_equal(cm_dove_user_key("abc", key, 3), -1);
	assert_string_equal(key, "");
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(cm_dove_user_key(big, key, sizeof(key)), -1);
	big[sizeof(big) - 2] = '\0';
	assert_int_equal(cm_dove_user_key(big, key, sizeof(key)), 0);
	assert_int_equal(key[0], 'a');
}

/* test_percent - rounding down, unlimited, no overflow */
static void test_percent(void **state)
{
	(void) state;
	assert_true(cm_dove_percent(0, 100) == 0);
	assert_true(cm_dove_percent(50, 100) == 50);
	assert_true(cm_dove_percent(999, 1000) == 99);
	assert_true(cm_dove_percent(2000, 1000) == 200);
	assert_true(cm_dove_percent(5, 0) == 0);
	assert_true(cm_dove_percent(-5, 10) == 0);
	assert_true(cm_dove_percent(INT64_MAX, INT64_MAX) == 100);
	assert_true(cm_dove_percent(INT64_MAX / 2, INT64_MAX) == 49);
	assert_true(cm_dove_percent(INT64_MAX, 1) == INT64_MAX);
	assert_true(cm_dove_percent(INT64_MAX, 4) > 0);
}

/* test_sort - sort keys and row order */
static void test_sort(void **state)
{
	struct cm_dove_quota rows[4] = {
		{ "carol@x", 10, 100 },		/* 10 % */
		{ "alice@x", 50, 1000 },	/* 5 % */
		{ "bob@x", 50, 0 },		/* unlimited */
		{ "dave@x", 90, 100 },		/* 90 % */
	};
	enum cm_dove_sort sort;

	(void) state;
	assert_int_equal(cm_dove_sort_parse("user", &sort), 0);
	assert_int_equal(sort, CM_DOVE_SORT_USER);
	assert_int_equal(cm_dove_sort_parse("used", &sort), 0);
	assert_int_equal(sort, CM_DOVE_SORT_USED);
	assert_int_equal(cm_dove_sort_parse("limit", &sort), 0);
	assert_int_equal(sort, CM_DOVE_SORT_MAX);
	assert_int_equal(cm_dove_sort_parse("percent", &sort), 0);
	assert_int_equal(sort, CM_DOVE_SORT_PERCENT);
	assert_int_equal(cm_dove_sort_parse("size", &sort), -1);

	assert_true(cm_dove_quota_cmp(&rows[1], &rows[2], CM_DOVE_SORT_USER) < 0);
	assert_true(cm_dove_quota_cmp(&rows[3], &rows[0], CM_DOVE_SORT_USED) < 0);
	/* equal used: by name */
	assert_true(cm_dove_quota_cmp(&rows[1], &rows[2], CM_DOVE_SORT_USED) < 0);
	assert_true(cm_dove_quota_cmp(&rows[2], &rows[1], CM_DOVE_SORT_USED) > 0);
	assert_true(cm_dove_quota_cmp(&rows[1], &rows[0], CM_DOVE_SORT_MAX) < 0);
	assert_true(cm_dove_quota_cmp(&rows[3], &rows[0], CM_DOVE_SORT_PERCENT) < 0);
	assert_true(cm_dove_quota_cmp(&rows[1], &rows[2], CM_DOVE_SORT_PERCENT) < 0);
	assert_int_equal(cm_dove_quota_cmp(&rows[0], &rows[0],
					   CM_DOVE_SORT_PERCENT), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_each_byte),
		cmocka_unit_test(test_unescape_bad),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_int64),
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_requests_bad),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_line_limit),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_user_key),
		cmocka_unit_test(test_percent),
		cmocka_unit_test(test_sort),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
