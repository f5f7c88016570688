/*++
 * NAME
 *	test_cm_store 1
 * SUMMARY
 *	unit tests for cm_store: schema, migrations, modes, transactions
 *--*/

#include "test_util.h"
#include "cm_quotas.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <sys/wait.h>

struct fixture {
	char *dir;
	char *path;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	fx->dir = test_mkdtemp();
	fx->path = test_path(fx->dir, "chatmail.db");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	test_rmtree(fx->dir);
	free(fx->path);
	free(fx->dir);
	free(fx);
	return 0;
}

/* raw_query_text - first column of the first row, via a separate handle */
static char *raw_query_text(const char *path, const char *sql)
{
	sqlite3_stmt *stmt;
	sqlite3 *db;
	char *out = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
			 SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		out = strdup((const char *) sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return out;
}

/* raw_exec - run SQL through a separate handle */
static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* test_create_migrates - a new file gets the schema, WAL, version */
static void test_create_migrates(void **state)
{
	struct fixture *fx = *state;
	struct cm_store *store = test_store_open(fx->path, 0, 0);
	struct cm_error err;
	char *text;
	int version = -1;

	assert_int_equal(cm_store_schema_version(store, &version, &err), 0);
	assert_int_equal(version, CM_STORE_SCHEMA_VERSION);
	assert_int_equal(cm_store_check(store, &err), 0);
	text = raw_query_text(fx->path, "PRAGMA journal_mode");
	assert_string_equal(text, "wal");
	free(text);
	text = raw_query_text(fx->path, "SELECT group_concat(name, ',') FROM "
			      "(SELECT name FROM sqlite_master WHERE type = "
			      "'table' ORDER BY name)");
	assert_string_equal(text, "blocklist,federation_policy,"
			    "federation_stats,message_counters,quotas,"
			    "registration_tokens,settings");
	free(text);
	cm_store_close(&store);
	assert_null(store);
	cm_store_close(&store);	/* NULL is fine */
}

/* test_foreign_keys_on - a quota naming an unknown token is refused */
static void test_foreign_keys_on(void **state)
{
	struct fixture *fx = *state;
	struct cm_store *store = test_store_open(fx->path, 0, 0);
	struct cm_error err;

	cm_error_clear(&err);
	assert_int_equal(cm_quotas_set_token(store, "a@x.org", "nosuch", 5,
					     &err), -1);
	assert_int_equal(err.kind, CM_ERR_SQLITE);
	assert_int_equal(err.sys_code, SQLITE_CONSTRAINT_FOREIGNKEY);
	cm_store_close(&store);
}

/* test_reopen_keeps_data - data and version survive close/open */
static void test_reopen_keeps_data(void **state)
{
	struct fixture *fx = *state;
	struct cm_store *store = test_store_open(fx->path, 0, 0);
	int64_t max = 0;

	assert_int_equal(cm_quotas_set(store, "a@x.org", 1234, NULL), 0);
	cm_store_close(&store);
	store = test_store_open(fx->path, 0, 0);
	assert_int_equal(cm_quotas_get(store, "a@x.org", &max, NULL), 1);
	assert_int_equal(max, 1234);
	cm_store_close(&store);
}

/* test_newer_schema_refused - a file from a newer build is not touched */
static void test_newer_schema_refused(void **state)
{
	struct fixture *fx = *state;
	struct cm_store_options opts = { fx->path, 0, 0, 0 };
	struct cm_store *store = test_store_open(fx->path, 0, 0);
	struct cm_error err;
	char *text;

	cm_store_close(&store);
	raw_exec(fx->path, "PRAGMA user_version = 99");
	assert_int_equal(cm_store_open(&opts, &store, &err), -1);
	assert_null(store);
	assert_int_equal(err.kind, CM_ERR_SCHEMA);
	assert_non_null(strstr(err.message, "version 99 is newer"));
	opts.read_only = 1;
	assert_int_equal(cm_store_open(&opts, &store, &err), -1);
	assert_int_equal(err.kind, CM_ERR_SCHEMA);
	text = raw_query_text(fx->path, "PRAGMA user_version");
	assert_string_equal(text, "99");
	free(text);
}

/* test_read_only - reads work, writes refused naming the daemon */
static void test_read_only(void **state)
{
	struct fixture *fx = *state;
	struct cm_store_options opts = { fx->path, 1, 0, 0 };
	struct cm_store *store = NULL;
	struct cm_error err;
	int64_t max = 0;

	assert_int_equal(cm_store_open(&opts, &store, &err), -1);
	assert_int_equal(err.kind, CM_ERR_IO);
	assert_int_equal(err.sys_code, ENOENT);
	/* An empty (unmigrated) file: tell the admin how to migrate. */
	raw_exec(fx->path, "CREATE TABLE x(y)");
	assert_int_equal(cm_store_open(&opts, &store, &err), -1);
	assert_non_null(strstr(err.message, "start chatmail-policyd once"));
	unlink(fx->path);

	store = test_store_open(fx->path, 0, 0);
	assert_int_equal(cm_quotas_set(store, "a@x.org", 99, NULL), 0);
	cm_store_close(&store);
	store = test_store_open(fx->path, 1, 0);
	assert_int_equal(cm_quotas_get(store, "a@x.org", &max, NULL), 1);
	assert_int_equal(max, 99);
	assert_int_equal(cm_quotas_set(store, "a@x.org", 1, &err), -1);
	assert_non_null(strstr(err.message, "read-only"));
	assert_int_equal(cm_store_begin(store, &err), -1);
	assert_int_equal(cm_store_sync(store, &err), -1);
	cm_store_close(&store);
}

/* test_bad_options - missing path, both modes, missing directory */
static void test_bad_options(void **state)
{
	struct fixture *fx = *state;
	struct cm_store_options opts = { NULL, 0, 0, 0 };
	struct cm_store *store = NULL;
	struct cm_error err;
	char *missing = test_path(fx->dir, "no/such/dir/x.db");

	assert_int_equal(cm_store_open(&opts, &store, &err), -1);
	assert_non_null(strstr(err.message, "no database path"));
	assert_int_equal(cm_store_open(NULL, &store, &err), -1);
	opts.path = fx->path;
	opts.read_only = opts.in_memory = 1;
	assert_int_equal(cm_store_open(&opts, &store, &err), -1);
	opts.read_only = opts.in_memory = 0;
	opts.path = missing;
	assert_int_equal(cm_store_open(&opts, &store, &err), -1);
	assert_int_equal(err.kind, CM_ERR_SQLITE);
	assert_non_null(strstr(err.message, missing));
	assert_null(store);
	free(missing);
}

/* test_transactions - rollback discards, commit keeps, no nesting */
static void test_transactions(void **state)
{
	struct fixture *fx = *state;
	struct cm_store *store = test_store_open(fx->path, 0, 0);
	struct cm_error err;
	int64_t max;

	assert_int_equal(cm_store_begin(store, &err), 0);
	assert_int_equal(cm_quotas_set(store, "a@x.org", 5, &err), 0);
	assert_int_equal(cm_store_begin(store, &err), -1);
	assert_non_null(strstr(err.message, "already open"));
	assert_int_equal(cm_store_sync(store, &err), -1);
	cm_store_rollback(store);
	assert_int_equal(cm_quotas_get(store, "a@x.org", &max, &err), 0);
	assert_int_equal(cm_store_begin(store, &err), 0);
	assert_int_equal(cm_quotas_set(store, "a@x.org", 6, &err), 0);
	assert_int_equal(cm_store_commit(store, &err), 0);
	assert_int_equal(cm_quotas_get(store, "a@x.org", &max, &err), 1);
	assert_int_equal(max, 6);
	assert_int_equal(cm_store_commit(store, &err), -1);
	cm_store_rollback(store);	/* no transaction: harmless */
	cm_store_close(&store);
}

struct writer {
	struct cm_store *store;
	volatile int done;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;

	assert_int_equal(cm_quotas_set(w->store, "b@x.org", 7, NULL), 0);
	w->done = 1;
	return NULL;
}

/* test_transaction_holds_lock - another thread's write waits for commit */
static void test_transaction_holds_lock(void **state)
{
	struct fixture *fx = *state;
	struct writer w = { test_store_open(fx->path, 0, 0), 0 };
	pthread_t thread;
	int64_t max;

	assert_int_equal(cm_store_begin(w.store, NULL), 0);
	assert_int_equal(pthread_create(&thread, NULL, writer_main, &w), 0);
	usleep(100 * 1000);
	assert_int_equal(w.done, 0);
	assert_int_equal(cm_quotas_get(w.store, "b@x.org", &max, NULL), 0);
	assert_int_equal(cm_store_commit(w.store, NULL), 0);
	pthread_join(thread, NULL);
	assert_int_equal(w.done, 1);
	assert_int_equal(cm_quotas_get(w.store, "b@x.org", &max, NULL), 1);
	cm_store_close(&w.store);
}

/* test_concurrent_first_open - processes racing to create one file */
static void test_concurrent_first_open(void **state)
{
	struct fixture *fx = *state;
	int i, status, ok = 0;
	pid_t pids[4];

	for (i = 0; i < 4; i++) {
		if ((pids[i] = fork()) == 0) {
			struct cm_store_options opts = { fx->path, 0, 0, 0 };
			struct cm_store *store;

			_exit(cm_store_open(&opts, &store, NULL) == 0 ? 0 : 1);
		}
		assert_true(pids[i] > 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	assert_int_equal(ok, 4);
}

/* test_corrupt_file - junk is an error, never a crash */
static void test_corrupt_file(void **state)
{
	struct fixture *fx = *state;
	struct cm_store_options opts = { fx->path, 0, 0, 0 };
	struct cm_store *store = NULL;
	struct cm_error err;
	char junk[8192];
	int fd, i, rc;

	for (i = 0; i < (int) sizeof(junk); i++)
		junk[i] = (char) (i * 131 + 7);
	test_write_file(fx->path, "");
	fd = open(fx->path, O_WRONLY);
	assert_int_equal(write(fd, junk, sizeof(junk)), sizeof(junk));
	close(fd);
	assert_int_equal(cm_store_open(&opts, &store, &err), -1);
	assert_int_equal(err.kind, CM_ERR_SQLITE);
	assert_non_null(strstr(err.message, "not a database"));

	/* A valid header with a damaged table page. */
	unlink(fx->path);
	store = test_store_open(fx->path, 0, 0);
	for (i = 0; i < 200; i++) {
		char user[32];

		snprintf(user, sizeof(user), "u%d@x.org", i);
		assert_int_equal(cm_quotas_set(store, user, i, NULL), 0);
	}
	cm_store_close(&store);
	fd = open(fx->path, O_WRONLY);
	assert_int_equal(pwrite(fd, junk, 4096, 4096 * 2), 4096);
	close(fd);
	rc = cm_store_open(&opts, &store, &err);
	if (rc == 0) {
		assert_int_equal(cm_store_check(store, &err), -1);
		assert_int_equal(err.kind, CM_ERR_SQLITE);
		cm_store_close(&store);
	} else {
		assert_int_equal(err.kind, CM_ERR_SQLITE);
	}
}

/* test_clock - fixed clock for created_at */
static void test_clock(void **state)
{
	struct fixture *fx = *state;
	struct cm_store *store = test_store_open(fx->path, 0, 0);
	int64_t now = cm_store_now(store);

	assert_true(now > 1700000000);
	cm_store_set_clock(store, 12345);
	assert_int_equal(cm_store_now(store), 12345);
	assert_string_equal(cm_store_path(store), fx->path);
	assert_int_equal(cm_store_is_in_memory(store), 0);
	cm_store_close(&store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_migrates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_keys_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transaction_holds_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_first_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
