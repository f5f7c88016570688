/*++
 * NAME
 *	test_cm_maildir 1
 * SUMMARY
 *	unit tests for cm_maildir (name parser, usage walk)
 * DESCRIPTION
 *	The name parser is checked against a table. The usage walk runs over
 *	a Maildir++ tree built in a mkdtemp() directory, and the byte and
 *	file totals are asserted exactly.
 *--*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cm_maildir.h"

struct name_case {
	const char *name;
	int rc;
	int64_t size;
};

static const struct name_case name_cases[] = {
	{"1700000000.M123456P789.host,S=1234,W=1260:2,S", 1, 1234},
	{"1700000000.M123456P789.host,S=1234,W=1260", 1, 1234},
	{"1700000000.M123456P789.host,S=1234", 1, 1234},
	{"1700000000.M1P2.host,W=1260,S=77:2,", 1, 77},
	{"1700000000.M1P2.host,S=12!2,S", 1, 12},
	{"x,S=0", 1, 0},
	{",S=5", 1, 5},
	{"x,S=007", 1, 7},
	{"x,S=9223372036854775807", 1, INT64_MAX},
	{"1700000000.M1P2.host", 0, 0},
	{"1700000000.M1P2.host:2,S", 0, 0},
	{"1700000000.M1P2.host:2,S=55", 0, 0},
	{"1700000000.M1P2.host:2,,S=55", 0, 0},
	{"1700000000.M1P2.host!2,,S=55", 0, 0},
	{"1700000000.M1P2.host,W=10:2,,S=55", 0, 0},
	{"S=12", 0, 0},
	{"x,s=12", 0, 0},
	{"", 0, 0},
	{"x,S=", -1, 0},
	{"x,S=:2,", -1, 0},
	{"x,S=12a", -1, 0},
	{"x,S=12a:2,S", -1, 0},
	{"x,S=-1", -1, 0},
	{"x,S= 12", -1, 0},
	{"x,S=9223372036854775808", -1, 0},
	{"x,S=99999999999999999999999999", -1, 0},
};

/* test_name_size - the table above */
static void test_name_size(void **state)
{
	size_t i;
	int64_t size;
	int rc;

	(void) state;
	for (i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		size = -42;
		rc = cm_maildir_name_size(name_cases[i].name, &size);
		if (rc != name_cases[i].rc)
			fail_msg("\"%s\": rc %d, want %d", name_cases[i].name,
				 rc, name_cases[i].rc);
		if (rc == 1 && size != name_cases[i].size)
			fail_msg("\"%s\": size %lld, want %lld",
				 name_cases[i].name, (long long) size,
				 (long long) name_cases[i].size);
		if (rc != 1 && size != -42)
			fail_msg("\"%s\": size written on rc %d",
				 name_cases[i].name, rc);
	}
}

/* mkdirs - mkdir -p of base/rel */
static void mkdirs(const char *base, const char *rel)
{
	char path[4096];
	char *p;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	for (p = path + strlen(base) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
	assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
}

/* put_file - create base/rel with len bytes of content */
static void put_file(const char *base, const char *rel, size_t len)
{
	char path[4096], chunk[256];
	size_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	assert_true(fd >= 0);
	memset(chunk, 'x', sizeof(chunk));
	for (; len > 0; len -= n) {
		n = len < sizeof(chunk) ? len : sizeof(chunk);
		assert_int_equal(write(fd, chunk, n), (ssize_t) n);
	}
	assert_int_equal(close(fd), 0);
}

/* rm_entry - nftw() callback for rm_tree */
static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void) st;
	(void) ftw;
	if (flag == FTW_DP)
		return (rmdir(path));
	return (unlink(path));
}

/* rm_tree - rm -rf */
static void rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* setup_tmp - a fresh mkdtemp() directory as the test state */
static int setup_tmp(void **state)
{
	char *dir = strdup("/tmp/test_cm_maildir.XXXXXX");

	if (dir == NULL || mkdtemp(dir) == NULL)
		return (-1);
	*state = dir;
	return (0);
}

/* teardown_tmp - remove the temp directory */
static int teardown_tmp(void **state)
{
	rm_tree(*state);
	free(*state);
	return (0);
}

/* build_full - the reference Maildir of test_usage_full */
static void build_full(const char *m)
{
	mkdirs(m, "cur");
	mkdirs(m, "new");
	mkdirs(m, "tmp");
	/* INBOX: 1000 + 2000 (S=) + 123 (no S=, stat) + 77 (bad S=, stat) */
	put_file(m, "cur/1700000000.M1P1.host,S=1000,W=1020:2,S", 10);
	put_file(m, "cur/1700000001.M2P1.host,S=2000:2,RS", 20);
	put_file(m, "cur/1700000002.M3P1.host:2,S", 123);
	put_file(m, "cur/1700000003.M4P1.host,S=12a:2,", 77);
	put_file(m, "cur/.hidden,S=999", 5);
	mkdirs(m, "cur/subdir,S=5");
	put_file(m, "new/1700000004.M5P1.host,S=300,W=310", 3);
	put_file(m, "tmp/1700000005.M6P1.host,S=5000", 50);
	put_file(m, "dovecot-uidlist", 100);
	put_file(m, "dovecot.index.log", 100);
	put_file(m, "subscriptions", 10);
	put_file(m, ".notadir,S=40", 40);
	/* .Sent: cur only (new/ missing), tmp ignored */
	mkdirs(m, ".Sent/cur");
	mkdirs(m, ".Sent/tmp");
	put_file(m, ".Sent/maildirfolder", 0);
	put_file(m, ".Sent/dovecot-uidlist", 60);
	put_file(m, ".Sent/cur/1700000006.M7P1.host,S=400,W=410:2,S", 4);
	put_file(m, ".Sent/tmp/1700000007.M8P1.host,S=7000", 7);
	/* .Archive.2024: cur and new */
	mkdirs(m, ".Archive.2024/cur");
	mkdirs(m, ".Archive.2024/new");
	put_file(m, ".Archive.2024/cur/1700000008.M9P1.host,S=50:2,S", 1);
	put_file(m, ".Archive.2024/new/1700000009.M10P1.host,S=60", 1);
}

/* test_usage_full - exact totals over INBOX and two subfolders */
static void test_usage_full(void **state)
{
	struct cm_maildir_usage usage;
	struct cm_error err;
	char m[4096];

	snprintf(m, sizeof(m), "%s/Maildir", (char *) *state);
	mkdirs(*state, "Maildir");
	build_full(m);
	memset(&usage, 0, sizeof(usage));
	cm_error_clear(&err);
	assert_int_equal(cm_maildir_usage(m, &usage, &err), 0);
	assert_int_equal(err.kind, CM_ERR_NONE);
	assert_int_equal(usage.bytes, 1000 + 2000 + 123 + 77 + 300 + 400
			 + 50 + 60);
	assert_int_equal(usage.files, 8);
	assert_int_equal(usage.stat_fallbacks, 2);

	/* The result is added to what the caller had. */
	assert_int_equal(cm_maildir_usage(m, &usage, &err), 0);
	assert_int_equal(usage.files, 16);
	assert_int_equal(usage.bytes, 2 * 4010);
}

/* test_usage_missing_dirs - missing new/ (and cur/) count as empty */
static void test_usage_missing_dirs(void **state)
{
	struct cm_maildir_usage usage;
	struct cm_error err;
	char m[4096];

	snprintf(m, sizeof(m), "%s/Maildir", (char *) *state);
	mkdirs(*state, "Maildir/cur");
	put_file(m, "cur/1.M1P1.h,S=11:2,", 0);
	mkdirs(*state, "Maildir/.Empty");
	memset(&usage, 0, sizeof(usage));
	assert_int_equal(cm_maildir_usage(m, &usage, &err), 0);
	assert_int_equal(usage.bytes, 11);
	assert_int_equal(usage.files, 1);
	assert_int_equal(usage.stat_fallbacks, 0);

	/* An empty Maildir root: nothing at all. */
	snprintf(m, sizeof(m), "%s/Bare", (char *) *state);
	mkdirs(*state, "Bare");
	memset(&usage, 0, sizeof(usage));
	assert_int_equal(cm_maildir_usage(m, &usage, &err), 0);
	assert_int_equal(usage.bytes, 0);
	assert_int_equal(usage.files, 0);
}

/* test_usage_no_maildir - a Maildir that does not exist is ENOENT */
static void test_usage_no_maildir(void **state)
{
	struct cm_maildir_usage usage;
	struct cm_error err;
	char m[4096];

	snprintf(m, sizeof(m), "%s/nope", (char *) *state);
	memset(&usage, 0, sizeof(usage));
	cm_error_clear(&err);
	assert_int_equal(cm_maildir_usage(m, &usage, &err), -1);
	assert_int_equal(err.kind, CM_ERR_IO);
	assert_int_equal(err.sys_code, ENOENT);
	assert_non_null(strstr(err.message, m));
	/* NULL err is accepted. */
	assert_int_equal(cm_maildir_usage(m, &usage, NULL), -1);
}

/* test_usage_not_a_dir - cur that is a file fails, naming the path */
static void test_usage_not_a_dir(void **state)
{
	struct cm_maildir_usage usage;
	struct cm_error err;
	char m[4096], want[4200];

	snprintf(m, sizeof(m), "%s/Maildir", (char *) *state);
	mkdirs(*state, "Maildir/cur");
	mkdirs(*state, "Maildir/.Bad");
	put_file(m, ".Bad/cur", 10);
	memset(&usage, 0, sizeof(usage));
	cm_error_clear(&err);
	assert_int_equal(cm_maildir_usage(m, &usage, &err), -1);
	assert_int_equal(err.kind, CM_ERR_IO);
	assert_int_equal(err.sys_code, ENOTDIR);
	snprintf(want, sizeof(want), "%s/.Bad/cur", m);
	assert_non_null(strstr(err.message, want));
}

/* test_usage_loop - a symlink loop as new/ is a real error, even as root */
static void test_usage_loop(void **state)
{
	struct cm_maildir_usage usage;
	struct cm_error err;
	char m[4096], link[4200];

	snprintf(m, sizeof(m), "%s/Maildir", (char *) *state);
	mkdirs(*state, "Maildir/cur");
	snprintf(link, sizeof(link), "%s/new", m);
	assert_int_equal(symlink("new", link), 0);
	/* A dangling subfolder link is skipped (not a directory). */
	snprintf(link, sizeof(link), "%s/.Gone", m);
	assert_int_equal(symlink("nowhere", link), 0);
	memset(&usage, 0, sizeof(usage));
	cm_error_clear(&err);
	assert_int_equal(cm_maildir_usage(m, &usage, &err), -1);
	assert_int_equal(err.sys_code, ELOOP);
	snprintf(link, sizeof(link), "%s/new", m);
	assert_non_null(strstr(err.message, link));
}

/* test_usage_unreadable - chmod 000 subfolder (not testable as root) */
static void test_usage_unreadable(void **state)
{
	struct cm_maildir_usage usage;
	struct cm_error err;
	char m[4096], sub[4200];
	int rc;

	snprintf(m, sizeof(m), "%s/Maildir", (char *) *state);
	mkdirs(*state, "Maildir/cur");
	mkdirs(*state, "Maildir/.Locked/cur");
	put_file(m, ".Locked/cur/1.M1P1.h,S=5", 0);
	snprintf(sub, sizeof(sub), "%s/.Locked", m);
	assert_int_equal(chmod(sub, 0), 0);
	memset(&usage, 0, sizeof(usage));
	cm_error_clear(&err);
	rc = cm_maildir_usage(m, &usage, &err);
	assert_int_equal(chmod(sub, 0755), 0);
	if (geteuid() == 0) {
		/* root reads mode 000 directories: nothing to assert. */
		print_message("[  SKIP    ] running as root: chmod 000 does "
			      "not stop reads (ENOTDIR/ELOOP tests cover "
			      "the error path)\n");
		skip();
	}
	assert_int_equal(rc, -1);
	assert_int_equal(err.sys_code, EACCES);
	assert_non_null(strstr(err.message, sub));
}

/* main - run the tests */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_size),
		cmocka_unit_test_setup_teardown(test_usage_full, setup_tmp,
						teardown_tmp),
		cmocka_unit_test_setup_teardown(test_usage_missing_dirs,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_usage_no_maildir,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_usage_not_a_dir,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_usage_loop, setup_tmp,
						teardown_tmp),
		cmocka_unit_test_setup_teardown(test_usage_unreadable,
						setup_tmp, teardown_tmp),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
