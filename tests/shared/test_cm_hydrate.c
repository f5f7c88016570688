/*++
 * NAME
 *	test_cm_hydrate 1
 * SUMMARY
 *	unit tests for cm_hydrate (store + Maildir tree -> hot state)
 * DESCRIPTION
 *	Each test opens a store in a mkdtemp() directory, writes quota rows,
 *	counters and federation stats, builds a Maildir tree beside it and
 *	checks what cm_hydrate_run() / cm_hydrate_user() put into a fresh
 *	hot state.
 *--*/

#include "test_util.h"

#include <errno.h>
#include <sys/stat.h>

#include "cm_counters.h"
#include "cm_federation.h"
#include "cm_hot.h"
#include "cm_hydrate.h"
#include "cm_quotas.h"
#include "cm_settings.h"

#define GIB	1073741824LL

struct fixture {
	char *dir;		/* temp dir */
	char *mail;		/* dir/mail: the mail root */
	struct cm_store *store;
	struct cm_hot *hot;
	char *errors[16];	/* "what|message" per on_error call */
	size_t n_errors;
};

/* setup - temp dir, store, hot state */
static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char *db;

	assert_non_null(fx);
	fx->dir = test_mkdtemp();
	fx->mail = test_path(fx->dir, "mail");
	assert_int_equal(mkdir(fx->mail, 0755), 0);
	db = test_path(fx->dir, "chatmail.sqlite");
	fx->store = test_store_open(db, 0, 0);
	free(db);
	fx->hot = cm_hot_new();
	*state = fx;
	return (0);
}

/* teardown - release everything, rm -rf the temp dir */
static int teardown(void **state)
{
	struct fixture *fx = *state;
	size_t i;

	for (i = 0; i < fx->n_errors; i++)
		free(fx->errors[i]);
	cm_hot_free(&fx->hot);
	cm_store_close(&fx->store);
	test_rmtree(fx->dir);
	free(fx->mail);
	free(fx->dir);
	free(fx);
	return (0);
}

/* mkdirs - mkdir -p of mail/rel */
static void mkdirs(struct fixture *fx, const char *rel)
{
	char path[4096];
	char *p;

	snprintf(path, sizeof(path), "%s/%s", fx->mail, rel);
	for (p = path + strlen(fx->mail) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
	assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
}

/* put_file - an empty file mail/rel */
static void put_file(struct fixture *fx, const char *rel)
{
	char *path = test_path(fx->mail, rel);

	test_write_file(path, "");
	free(path);
}

/* on_error - hydrate callback: record "what|message" */
static void on_error(const char *what, const struct cm_error *err, void *ctx)
{
	struct fixture *fx = ctx;
	char *line;

	assert_true(fx->n_errors < 16);
	assert_true(asprintf(&line, "%s|%s", what, err->message) > 0);
	fx->errors[fx->n_errors++] = line;
}

/* assert_quota - the hot entry of user */
static void assert_quota(struct fixture *fx, const char *user, int64_t used,
			 int64_t max)
{
	int64_t u = -1, m = -1;

	if (!cm_hot_quota_get(fx->hot, user, &u, &m))
		fail_msg("%s: no hot quota entry", user);
	if (u != used || m != max)
		fail_msg("%s: used %lld max %lld, want used %lld max %lld",
			 user, (long long) u, (long long) m, (long long) used,
			 (long long) max);
}

/* build_tree - alice, bob (no row), carol (unreadable) */
static void build_tree(struct fixture *fx)
{
	mkdirs(fx, "example.org/alice/Maildir/cur");
	mkdirs(fx, "example.org/alice/Maildir/new");
	mkdirs(fx, "example.org/alice/Maildir/.Sent/cur");
	put_file(fx, "example.org/alice/Maildir/cur/1.M1P1.h,S=100,W=103:2,S");
	put_file(fx, "example.org/alice/Maildir/new/2.M2P1.h,S=150");
	put_file(fx, "example.org/alice/Maildir/.Sent/cur/3.M3P1.h,S=50:2,S");
	put_file(fx, "example.org/alice/Maildir/dovecot-uidlist");
	mkdirs(fx, "example.org/bob/Maildir/cur");
	put_file(fx, "example.org/bob/Maildir/cur/4.M4P1.h,S=300:2,");
	mkdirs(fx, "other.net/carol/Maildir");
	put_file(fx, "other.net/carol/Maildir/cur");	/* cur is a file */
}

/* test_run - quota rows, defaults, missing and unreadable users */
static void test_run(void **state)
{
	struct fixture *fx = *state;
	struct cm_hydrate_options opts = {fx->mail, NULL, on_error, fx};
	struct cm_hydrate_report report;
	struct cm_error err;

	assert_int_equal(cm_quotas_set(fx->store, "alice@example.org", 5000,
				       &err), 0);
	assert_int_equal(cm_quotas_set(fx->store, "zed@example.org", 7000,
				       &err), 0);
	assert_int_equal(cm_quotas_set(fx->store, "carol@other.net", 9000,
				       &err), 0);
	build_tree(fx);
	cm_hot_quota_set(fx->hot, "zed@example.org", 999, 1);
	cm_hot_quota_set(fx->hot, "carol@other.net", 42, 1);

	cm_error_clear(&err);
	if (cm_hydrate_run(fx->store, fx->hot, &opts, &report, &err) != 0)
		fail_msg("cm_hydrate_run: %s", err.message);
	assert_quota(fx, "alice@example.org", 300, 5000);
	assert_quota(fx, "bob@example.org", 300, GIB);
	assert_quota(fx, "zed@example.org", 0, 7000);
	assert_quota(fx, "carol@other.net", 42, 9000);
	assert_int_equal(cm_hot_user_count(fx->hot), 4);
	assert_int_equal(report.users, 3);
	assert_int_equal(report.failed, 1);
	assert_int_equal(report.files, 4);
	assert_int_equal(report.bytes, 600);
	assert_int_equal(report.stat_fallbacks, 0);
	assert_int_equal(report.settings.default_quota_bytes, GIB);
	assert_int_equal(fx->n_errors, 1);
	assert_true(strncmp(fx->errors[0], "carol@other.net|", 16) == 0);
	assert_non_null(strstr(fx->errors[0], "carol/Maildir/cur"));
}

/* test_run_loads_store - settings, counters and federation stats */
static void test_run_loads_store(void **state)
{
	struct fixture *fx = *state;
	struct cm_hydrate_options opts = {fx->mail, "%n", NULL, NULL};
	struct cm_hydrate_report report;
	struct cm_hot_counter_delta cd = {(char *) "dave", 3, 4};
	struct cm_hot_fed_delta fd = {(char *) "remote.org", CM_FED_OUT, 5, 1,
				      1700000000};
	struct cm_hot_fed_stats fs;
	struct cm_error err;
	int64_t sent = 0, received = 0;

	assert_int_equal(cm_settings_set(fx->store, "default_quota_bytes",
					 "2000000", &err), 0);
	assert_int_equal(cm_counters_add(fx->store, &cd, &err), 0);
	assert_int_equal(cm_federation_stats_add(fx->store, &fd, &err), 0);
	mkdirs(fx, "dave/cur");
	put_file(fx, "dave/cur/1.M1P1.h,S=77:2,");
	mkdirs(fx, ".hidden/cur");

	if (cm_hydrate_run(fx->store, fx->hot, &opts, &report, &err) != 0)
		fail_msg("cm_hydrate_run: %s", err.message);
	assert_int_equal(report.settings.default_quota_bytes, 2000000);
	assert_int_equal(report.users, 1);
	assert_quota(fx, "dave", 77, 2000000);
	assert_int_equal(cm_hot_counters_get(fx->hot, "dave", &sent,
					     &received), 1);
	assert_int_equal(sent, 3);
	assert_int_equal(received, 4);
	assert_int_equal(cm_hot_fed_get(fx->hot, "remote.org", CM_FED_OUT,
					&fs), 1);
	assert_int_equal(fs.messages, 5);
	assert_int_equal(fs.rejections, 1);
	assert_int_equal(fs.last_seen, 1700000000);
}

/* test_run_many - enough users for the worker threads; exact totals */
static void test_run_many(void **state)
{
	struct fixture *fx = *state;
	struct cm_hydrate_options opts = {fx->mail, NULL, on_error, fx};
	struct cm_hydrate_report report;
	struct cm_error err;
	char rel[256], user[64], *loop;
	int64_t used, max, want = 0;
	int i;

	for (i = 0; i < 300; i++) {
		snprintf(rel, sizeof(rel), "d%d.org/u%d/Maildir/cur", i % 7, i);
		mkdirs(fx, rel);
		snprintf(rel, sizeof(rel), "d%d.org/u%d/Maildir/cur/"
			 "1.M1P1.h,S=%d:2,S", i % 7, i, i * 10);
		put_file(fx, rel);
		want += i * 10;
	}
	loop = test_path(fx->mail, "loop.org");
	assert_int_equal(symlink("loop.org", loop), 0);
	free(loop);
	if (cm_hydrate_run(fx->store, fx->hot, &opts, &report, &err) != 0)
		fail_msg("cm_hydrate_run: %s", err.message);
	assert_int_equal(report.users, 300);
	assert_int_equal(report.files, 300);
	assert_int_equal(report.bytes, want);
	/* The symlink loop is a directory that cannot be opened. */
	assert_int_equal(report.failed, 1);
	assert_int_equal(fx->n_errors, 1);
	assert_non_null(strstr(fx->errors[0], "loop.org"));
	for (i = 0; i < 300; i++) {
		snprintf(user, sizeof(user), "u%d@d%d.org", i, i % 7);
		assert_int_equal(cm_hot_quota_get(fx->hot, user, &used, &max),
				 1);
		assert_int_equal(used, i * 10);
		assert_int_equal(max, GIB);
	}
}

/* test_run_errors - bad layout, missing root, missing options */
static void test_run_errors(void **state)
{
	struct fixture *fx = *state;
	struct cm_hydrate_options opts = {fx->mail, "%x/%n", NULL, NULL};
	struct cm_hydrate_report report;
	struct cm_error err;
	char *missing = test_path(fx->dir, "nope");

	cm_error_clear(&err);
	assert_int_equal(cm_hydrate_run(fx->store, fx->hot, &opts, &report,
					&err), -1);
	assert_int_equal(err.kind, CM_ERR_INVALID);
	assert_non_null(strstr(err.message, "%x"));

	opts.layout = NULL;
	opts.mail_root = missing;
	cm_error_clear(&err);
	assert_int_equal(cm_hydrate_run(fx->store, fx->hot, &opts, &report,
					&err), -1);
	assert_int_equal(err.kind, CM_ERR_IO);
	assert_non_null(strstr(err.message, missing));

	opts.mail_root = NULL;
	assert_int_equal(cm_hydrate_run(fx->store, fx->hot, &opts, &report,
					&err), -1);
	assert_int_equal(cm_hydrate_user(fx->hot, &opts, "a@b", 1, &err), -1);
	free(missing);
}

/* test_user - cm_hydrate_user: recompute, missing, unreadable, bad user */
static void test_user(void **state)
{
	struct fixture *fx = *state;
	struct cm_hydrate_options opts = {fx->mail, NULL, NULL, NULL};
	struct cm_error err;

	build_tree(fx);
	cm_hot_quota_set(fx->hot, "alice@example.org", 5, 5000);
	assert_int_equal(cm_hydrate_user(fx->hot, &opts, "alice@example.org",
					 123, &err), 1);
	assert_quota(fx, "alice@example.org", 300, 5000);
	put_file(fx, "example.org/alice/Maildir/cur/9.M9P1.h,S=1000:2,S");
	assert_int_equal(cm_hydrate_user(fx->hot, &opts, "alice@example.org",
					 123, &err), 1);
	assert_quota(fx, "alice@example.org", 1300, 5000);

	/* No Maildir: used 0, a new entry gets default_max. */
	assert_int_equal(cm_hydrate_user(fx->hot, &opts, "nobody@example.org",
					 123, &err), 0);
	assert_quota(fx, "nobody@example.org", 0, 123);
	put_file(fx, "example.org/filed");
	assert_int_equal(cm_hydrate_user(fx->hot, &opts, "x@example.org",
					 123, &err), 0);

	/* Unreadable Maildir: error, entry left alone. */
	cm_hot_quota_set(fx->hot, "carol@other.net", 42, 9000);
	cm_error_clear(&err);
	assert_int_equal(cm_hydrate_user(fx->hot, &opts, "carol@other.net",
					 123, &err), -1);
	assert_int_equal(err.sys_code, ENOTDIR);
	assert_quota(fx, "carol@other.net", 42, 9000);

	/* The default layout needs a domain. */
	assert_int_equal(cm_hydrate_user(fx->hot, &opts, "nodomain", 123,
					 &err), -1);
	assert_int_equal(err.kind, CM_ERR_INVALID);
	assert_int_equal(cm_hot_quota_get(fx->hot, "nodomain", NULL, NULL), 0);
}

/* main - run the tests */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_loads_store, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_run_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_user, setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
