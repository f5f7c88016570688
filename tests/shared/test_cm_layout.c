/*++
 * NAME
 *	test_cm_layout 1
 * SUMMARY
 *	unit tests for cm_layout (template parse, path expansion, walk)
 * DESCRIPTION
 *	Parse errors and expansions are table-driven; the walk runs over
 *	trees built in a mkdtemp() directory with the default layout, with
 *	"%u/Maildir", "%n", "%n@%d" and "user-%n/%n".
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

#include "cm_layout.h"

struct bad_template {
	const char *text;
	const char *needle;	/* must appear in the error message */
};

static const struct bad_template bad_templates[] = {
	{"", "empty"},
	{"/srv/%u", "relative"},
	{"%d//%n", "empty path component"},
	{"%d/%n/", "empty path component"},
	{"%d/./%n", "\".\""},
	{"../%u", "\"..\""},
	{"%d/../%n/Maildir", "\"..\""},
	{"%x/%u", "\"%x\""},
	{"%u/%Lx", "\"%Lx\""},
	{"%u%", "incomplete"},
	{"%u/%L", "incomplete"},
	{"%/%u", "incomplete"},
	{"Maildir", "%u or %n"},
	{"%d/Maildir", "%u or %n"},
	{"%%u", "%u or %n"},
};

/* test_parse_errors - every bad template is refused with a clear message */
static void test_parse_errors(void **state)
{
	struct cm_layout *layout;
	struct cm_error err;
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(bad_templates) / sizeof(bad_templates[0]); i++) {
		cm_error_clear(&err);
		layout = (struct cm_layout *) &err;
		if (cm_layout_parse(bad_templates[i].text, &layout, &err) != -1)
			fail_msg("\"%s\" was accepted", bad_templates[i].text);
		assert_null(layout);
		assert_int_equal(err.kind, CM_ERR_INVALID);
		if (strstr(err.message, bad_templates[i].needle) == NULL)
			fail_msg("\"%s\": message \"%s\" lacks \"%s\"",
				 bad_templates[i].text, err.message,
				 bad_templates[i].needle);
	}
	/* An unknown variable lists the supported ones. */
	assert_int_equal(cm_layout_parse("%y", &layout, &err), -1);
	assert_non_null(strstr(err.message, "%u %n %d %%"));
	assert_int_equal(cm_layout_parse(NULL, &layout, NULL), -1);
	cm_layout_free(&layout);
	cm_layout_free(NULL);
}

struct path_case {
	const char *template_text;
	const char *root;
	const char *user;
	const char *want;	/* NULL: must fail */
};

static const struct path_case path_cases[] = {
	{CM_LAYOUT_DEFAULT, "/srv/mail", "alice@example.org",
	 "/srv/mail/example.org/alice/Maildir"},
	{CM_LAYOUT_DEFAULT, "/srv/mail/", "alice@example.org",
	 "/srv/mail/example.org/alice/Maildir"},
	{CM_LAYOUT_DEFAULT, "/m", "a@b@c.org", "/m/c.org/a@b/Maildir"},
	{"%Ld/%Ln/Maildir", "/m", "bob@x.net", "/m/x.net/bob/Maildir"},
	{"%u/Maildir", "/m", "bob@x.net", "/m/bob@x.net/Maildir"},
	{"%Lu", "/m", "bob@x.net", "/m/bob@x.net"},
	{"%n", "/m", "alice", "/m/alice"},
	{"%n", "/m", "alice@example.org", "/m/alice"},
	{"user-%n/mail%%box", "/m", "z@y", "/m/user-z/mail%box"},
	{"%n@%d", "/m", "z@y", "/m/z@y"},
	{".%n", "/m", "z@y", "/m/.z"},
	{CM_LAYOUT_DEFAULT, "/m", "alice", NULL},
	{CM_LAYOUT_DEFAULT, "/m", "@example.org", NULL},
	{CM_LAYOUT_DEFAULT, "/m", "alice@", NULL},
	{CM_LAYOUT_DEFAULT, "/m", "a/b@example.org", NULL},
	{CM_LAYOUT_DEFAULT, "/m", "alice@../etc", NULL},
	{CM_LAYOUT_DEFAULT, "/m", "..@example.org", NULL},
	{CM_LAYOUT_DEFAULT, "/m", "alice@..", NULL},
	{"%u", "/m", ".", NULL},
	{"%u", "/m", "", NULL},
	{"%n", "/m", "..", NULL},
};

/* test_path - expansions, refusals */
static void test_path(void **state)
{
	struct cm_layout *layout;
	struct cm_error err;
	char buf[256];
	size_t i;
	int rc;

	(void) state;
	for (i = 0; i < sizeof(path_cases) / sizeof(path_cases[0]); i++) {
		const struct path_case *c = &path_cases[i];

		assert_int_equal(cm_layout_parse(c->template_text, &layout,
						 &err), 0);
		cm_error_clear(&err);
		rc = cm_layout_path(layout, c->root, c->user, buf, sizeof(buf),
				    &err);
		cm_layout_free(&layout);
		assert_null(layout);
		if (c->want == NULL && rc != -1)
			fail_msg("%s for \"%s\": got \"%s\", want an error",
				 c->template_text, c->user, buf);
		if (c->want == NULL) {
			assert_int_equal(err.kind, CM_ERR_INVALID);
			assert_non_null(strstr(err.message, c->user));
			continue;
		}
		if (rc != 0)
			fail_msg("%s for \"%s\": %s", c->template_text,
				 c->user, err.message);
		assert_string_equal(buf, c->want);
	}
}

/* test_path_buffer - exact fit works, one byte less fails */
static void test_path_buffer(void **state)
{
	static const char want[] = "/srv/mail/example.org/alice/Maildir";
	static const char *const alice = "alice@example.org";
	struct cm_layout *layout;
	struct cm_error err;
	char buf[sizeof(want)];

	(void) state;
	assert_int_equal(cm_layout_parse(CM_LAYOUT_DEFAULT, &layout, &err), 0);
	assert_int_equal(cm_layout_path(layout, "/srv/mail", alice, buf,
					sizeof(buf), &err), 0);
	assert_string_equal(buf, want);
	assert_int_equal(cm_layout_path(layout, "/srv/mail", alice, buf,
					sizeof(buf) - 1, &err), -1);
	assert_non_null(strstr(err.message, "does not fit"));
	assert_int_equal(cm_layout_path(layout, "/srv/mail", alice, buf,
					0, &err), -1);
	assert_int_equal(cm_layout_path(layout, "/srv/mail", "alice",
					buf, sizeof(buf), &err), -1);
	assert_non_null(strstr(err.message, "no domain"));
	cm_layout_free(&layout);
}

/*
 * Temp trees.
 */

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

/* put_file - create an empty base/rel */
static void put_file(const char *base, const char *rel)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(close(fd), 0);
}

/* put_link - symlink base/rel -> target */
static void put_link(const char *base, const char *rel, const char *target)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	assert_int_equal(symlink(target, path), 0);
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

/* setup_tmp - a fresh mkdtemp() directory as the test state */
static int setup_tmp(void **state)
{
	char *dir = strdup("/tmp/test_cm_layout.XXXXXX");

	if (dir == NULL || mkdtemp(dir) == NULL)
		return (-1);
	*state = dir;
	return (0);
}

/* teardown_tmp - rm -rf the temp directory */
static int teardown_tmp(void **state)
{
	nftw(*state, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(*state);
	return (0);
}

/* What a walk reported: "user=path-relative-to-root" lines, sorted. */
struct seen {
	const char *root;
	char *lines[64];
	size_t n;
	char *errors[8];
	size_t n_errors;
	int stop_after;		/* return 7 after this many users; 0 never */
};

/* on_user - walk callback: record user and relative path */
static int on_user(const char *user, const char *maildir, void *ctx)
{
	struct seen *seen = ctx;
	size_t rlen = strlen(seen->root);
	char line[4200];

	assert_true(strncmp(maildir, seen->root, rlen) == 0);
	assert_true(seen->n < 64);
	snprintf(line, sizeof(line), "%s=%s", user, maildir + rlen + 1);
	seen->lines[seen->n++] = strdup(line);
	if (seen->stop_after && (int) seen->n == seen->stop_after)
		return (7);
	return (0);
}

/* on_error - walk callback: record the path */
static void on_error(const char *path, const struct cm_error *err, void *ctx)
{
	struct seen *seen = ctx;

	assert_int_equal(err->kind, CM_ERR_IO);
	assert_non_null(strstr(err->message, path));
	assert_true(seen->n_errors < 8);
	seen->errors[seen->n_errors++] = strdup(path + strlen(seen->root) + 1);
}

/* cmp_str - qsort comparator for char * */
static int cmp_str(const void *a, const void *b)
{
	return (strcmp(*(char *const *) a, *(char *const *) b));
}

/* walk_lines - walk root with template; sorted lines joined by " " */
static int walk_lines(const char *root, const char *template_text,
		      char *out, size_t size, struct seen *seen)
{
	struct cm_layout *layout;
	struct cm_error err;
	size_t i;
	int rc, stop_after = seen->stop_after;

	memset(seen, 0, sizeof(*seen));
	seen->stop_after = stop_after;
	seen->root = root;
	assert_int_equal(cm_layout_parse(template_text, &layout, &err), 0);
	rc = cm_layout_walk(layout, root, on_user, on_error, seen, &err);
	cm_layout_free(&layout);
	qsort(seen->lines, seen->n, sizeof(char *), cmp_str);
	out[0] = '\0';
	for (i = 0; i < seen->n; i++) {
		if (i > 0)
			strncat(out, " ", size - strlen(out) - 1);
		strncat(out, seen->lines[i], size - strlen(out) - 1);
		free(seen->lines[i]);
	}
	return (rc);
}

/* free_errors - release recorded error paths */
static void free_errors(struct seen *seen)
{
	size_t i;

	for (i = 0; i < seen->n_errors; i++)
		free(seen->errors[i]);
	seen->n_errors = 0;
}

/* test_walk_default - "%d/%n/Maildir" with junk around */
static void test_walk_default(void **state)
{
	const char *root = *state;
	struct seen seen;
	char out[2048];

	mkdirs(root, "example.org/alice/Maildir/cur");
	mkdirs(root, "example.org/bob/Maildir");
	mkdirs(root, "example.org/carol");		/* no Maildir */
	mkdirs(root, "example.org/dave");
	put_file(root, "example.org/dave/Maildir");	/* not a directory */
	mkdirs(root, "example.org/.hidden/Maildir");	/* hidden user */
	put_file(root, "example.org/erin");		/* a file */
	mkdirs(root, "other.net/eve/Maildir");
	mkdirs(root, ".dovecot/frank/Maildir");		/* hidden domain */
	put_file(root, "junkfile");
	mkdirs(root, "x.org/linked");
	put_link(root, "x.org/linked/Maildir", "../../other.net/eve/Maildir");
	put_link(root, "x.org/dangling", "nowhere");
	seen.stop_after = 0;
	assert_int_equal(walk_lines(root, CM_LAYOUT_DEFAULT, out, sizeof(out),
				    &seen), 0);
	assert_string_equal(out, "alice@example.org=example.org/alice/Maildir "
			    "bob@example.org=example.org/bob/Maildir "
			    "eve@other.net=other.net/eve/Maildir "
			    "linked@x.org=x.org/linked/Maildir");
	assert_int_equal(seen.n_errors, 0);

	/* The same tree with the %L forms. */
	assert_int_equal(walk_lines(root, "%Ld/%Ln/Maildir", out, sizeof(out),
				    &seen), 0);
	assert_int_equal(seen.n, 4);
}

/* test_walk_errors - a directory that cannot be opened is reported */
static void test_walk_errors(void **state)
{
	const char *root = *state;
	struct seen seen;
	struct cm_layout *layout;
	struct cm_error err;
	char out[2048], missing[4200];

	mkdirs(root, "example.org/alice/Maildir");
	put_link(root, "loop.org", "loop.org");	/* ELOOP on open */
	seen.stop_after = 0;
	assert_int_equal(walk_lines(root, CM_LAYOUT_DEFAULT, out, sizeof(out),
				    &seen), 0);
	assert_string_equal(out, "alice@example.org=example.org/alice/Maildir");
	assert_int_equal(seen.n_errors, 1);
	assert_string_equal(seen.errors[0], "loop.org");
	free_errors(&seen);

	/* Root itself unreadable: -1 and err names it. */
	snprintf(missing, sizeof(missing), "%s/missing", root);
	assert_int_equal(cm_layout_parse(CM_LAYOUT_DEFAULT, &layout, &err), 0);
	cm_error_clear(&err);
	assert_int_equal(cm_layout_walk(layout, missing, on_user, on_error,
					&seen, &err), -1);
	assert_int_equal(err.sys_code, ENOENT);
	assert_non_null(strstr(err.message, missing));
	cm_layout_free(&layout);
}

/* test_walk_stop - a non-zero callback value stops the walk */
static void test_walk_stop(void **state)
{
	const char *root = *state;
	struct seen seen;
	char out[2048];

	mkdirs(root, "a.org/u1/Maildir");
	mkdirs(root, "a.org/u2/Maildir");
	mkdirs(root, "b.org/u3/Maildir");
	seen.stop_after = 2;
	assert_int_equal(walk_lines(root, CM_LAYOUT_DEFAULT, out, sizeof(out),
				    &seen), 7);
	assert_int_equal(seen.n, 2);
}

/* test_walk_user_dirs - "%u/Maildir": junk without "@" ignored */
static void test_walk_user_dirs(void **state)
{
	const char *root = *state;
	struct seen seen;
	char out[2048];

	mkdirs(root, "alice@example.org/Maildir");
	mkdirs(root, "bob@x.net/Maildir");
	mkdirs(root, "a@b@c.org/Maildir");
	mkdirs(root, "lost+found/Maildir");	/* no "@" */
	mkdirs(root, "@x.net/Maildir");		/* empty local part */
	mkdirs(root, "y@/Maildir");		/* empty domain */
	mkdirs(root, ".hidden@x.net/Maildir");
	mkdirs(root, "carol@x.net");		/* no Maildir */
	seen.stop_after = 0;
	assert_int_equal(walk_lines(root, "%u/Maildir", out, sizeof(out),
				    &seen), 0);
	assert_string_equal(out, "a@b@c.org=a@b@c.org/Maildir "
			    "alice@example.org=alice@example.org/Maildir "
			    "bob@x.net=bob@x.net/Maildir");
}

/* test_walk_names - "%n": plain user directories */
static void test_walk_names(void **state)
{
	const char *root = *state;
	struct seen seen;
	char out[2048];

	mkdirs(root, "alice/cur");
	mkdirs(root, "bob");
	put_file(root, "file");
	mkdirs(root, ".cache");
	seen.stop_after = 0;
	assert_int_equal(walk_lines(root, "%n", out, sizeof(out), &seen), 0);
	assert_string_equal(out, "alice=alice bob=bob");
}

/* test_walk_mixed - "%n@%d" and "user-%n/%n" (literal + variables) */
static void test_walk_mixed(void **state)
{
	const char *root = *state;
	struct seen seen;
	char out[2048];

	mkdirs(root, "alice@example.org");
	mkdirs(root, "a@b@c.org");
	mkdirs(root, "junk");
	mkdirs(root, "@x");
	seen.stop_after = 0;
	assert_int_equal(walk_lines(root, "%n@%d", out, sizeof(out), &seen), 0);
	assert_string_equal(out, "a@b@c.org=a@b@c.org "
			    "alice@example.org=alice@example.org");

	mkdirs(root, "user-alice/alice");
	mkdirs(root, "user-bob/carol");		/* %n disagrees */
	mkdirs(root, "user-bob/bob");
	mkdirs(root, "user-/x");		/* empty %n */
	mkdirs(root, "userdave/dave");		/* literal mismatch */
	assert_int_equal(walk_lines(root, "user-%n/%n", out, sizeof(out),
				    &seen), 0);
	assert_string_equal(out, "alice=user-alice/alice bob=user-bob/bob");

	/* %u and %n together must agree. */
	mkdirs(root, "x.org/z/z@x.org");
	mkdirs(root, "x.org/z/y@x.org");
	mkdirs(root, "x.org/y/y@w.org");
	assert_int_equal(walk_lines(root, "%d/%n/%u", out, sizeof(out),
				    &seen), 0);
	assert_string_equal(out, "z@x.org=x.org/z/z@x.org");
}

/* main - run the tests */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_path_buffer),
		cmocka_unit_test_setup_teardown(test_walk_default, setup_tmp,
						teardown_tmp),
		cmocka_unit_test_setup_teardown(test_walk_errors, setup_tmp,
						teardown_tmp),
		cmocka_unit_test_setup_teardown(test_walk_stop, setup_tmp,
						teardown_tmp),
		cmocka_unit_test_setup_teardown(test_walk_user_dirs, setup_tmp,
						teardown_tmp),
		cmocka_unit_test_setup_teardown(test_walk_names, setup_tmp,
						teardown_tmp),
		cmocka_unit_test_setup_teardown(test_walk_mixed, setup_tmp,
						teardown_tmp),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
