/*++
 * NAME
 *	test_cm_memory 1
 * SUMMARY
 *	unit tests for the store's in-memory mode and its snapshots
 * DESCRIPTION
 *	The public design this mode comes from lost primary keys, deadlocked
 *	and overwrote CLI writes; these tests pin each of those down.
 *--*/

#include "test_util.h"
#include "cm_counters.h"
#include "cm_flusher.h"
#include "cm_hot.h"
#include "cm_quotas.h"
#include "cm_tokens.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char *dir, *path;

static int setup(void **state)
{
	(void) state;
	dir = test_mkdtemp();
	path = test_path(dir, "chatmail.db");
	return 0;
}

static int teardown(void **state)
{
	(void) state;
	test_rmtree(dir);
	free(path);
	free(dir);
	return 0;
}

/* raw_text - first column of first row through a separate connection */
static char *raw_text(const char *file, const char *sql)
{
	sqlite3_stmt *stmt;
	sqlite3 *db;
	char *out = NULL;

	assert_int_equal(sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY,
					 NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
			 SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
		out = strdup((const char *) sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return out;
}

/* disk_max - quota of user read from the disk file (-1 = none) */
static int64_t disk_max(const char *user)
{
	struct cm_store *ro = test_store_open(path, 1, 0);
	int64_t max = -1;

	if (cm_quotas_get(ro, user, &max, NULL) != 1)
		max = -1;
	cm_store_close(&ro);
	return max;
}

#define SCHEMA_SQL "SELECT group_concat(type || ':' || name || ':' || " \
	"coalesce(sql, ''), char(10)) FROM (SELECT * FROM sqlite_master " \
	"ORDER BY name)"

/* test_roundtrip_keeps_schema - RAM serves, sync persists, and keys,
   indexes and the schema version survive the snapshot */
static void test_roundtrip_keeps_schema(void **state)
{
	struct cm_store *store = test_store_open(path, 0, 0);
	struct cm_error err;
	char *schema_before, *schema_after, *version;
	int64_t max;

	(void) state;
	assert_int_equal(cm_quotas_set(store, "a@x.org", 10, &err), 0);
	cm_store_close(&store);
	schema_before = raw_text(path, SCHEMA_SQL);

	store = test_store_open(path, 0, 1);
	assert_int_equal(cm_store_is_in_memory(store), 1);
	assert_int_equal(cm_quotas_get(store, "a@x.org", &max, &err), 1);
	assert_int_equal(max, 10);
	assert_int_equal(cm_quotas_set(store, "b@x.org", 20, &err), 0);
	assert_int_equal(cm_tokens_create(store, "t1", 1, 0, NULL, 0, &err), 0);
	assert_int_equal(disk_max("b@x.org"), -1);	/* RAM only so far */
	assert_int_equal(cm_store_sync(store, &err), 0);
	assert_int_equal(disk_max("b@x.org"), 20);
	cm_store_close(&store);

	schema_after = raw_text(path, SCHEMA_SQL);
	assert_string_equal(schema_before, schema_after);
	version = raw_text(path, "PRAGMA user_version");
	assert_string_equal(version, "1");
	free(version);

	/* Reload the snapshot: keys still enforced, indexes still used. */
	store = test_store_open(path, 0, 1);
	assert_int_equal(cm_tokens_create(store, "t1", 1, 0, NULL, 0, &err),
			 -1);
	assert_non_null(strstr(err.message, "already exists"));
	assert_int_equal(cm_quotas_set_token(store, "c@x.org", "nosuch", 1,
					     &err), -1);
	assert_int_equal(err.sys_code, SQLITE_CONSTRAINT_FOREIGNKEY);
	assert_int_equal(cm_store_check(store, &err), 0);
	cm_store_close(&store);
	store = test_store_open(path, 0, 0);	/* back to disk mode: WAL */
	assert_int_equal(cm_store_check(store, &err), 0);
	cm_store_close(&store);
	free(schema_before);
	free(schema_after);
}

/* file_digest - cheap content fingerprint (size + FNV-1a) */
static uint64_t file_digest(const char *file)
{
	uint64_t h = 1469598103934665603ULL;
	FILE *fp = fopen(file, "rb");
	int c;

	assert_non_null(fp);
	while ((c = getc(fp)) != EOF)
		h = (h ^ (uint64_t) c) * 1099511628211ULL;
	fclose(fp);
	return h;
}

/* sync_child - grow the DB in RAM, then sync with the file size capped */
static int sync_child(rlim_t cap)
{
	struct cm_store *store = test_store_open(path, 0, 1);
	struct rlimit lim = { cap, cap };
	struct cm_error err;
	struct stat st;
	char user[64], *tmp;
	int i;

	for (i = 0; i < 5000; i++) {
		snprintf(user, sizeof(user), "user-%06d@example.org", i);
		if (cm_quotas_set(store, user, i, NULL) < 0)
			return 2;
	}
	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &lim) < 0)
		return 3;
	if (cm_store_sync(store, &err) != -1)
		return 4;
	if (strstr(err.message, "chatmail.db.tmp") == NULL)
		return 5;
	tmp = test_path(dir, "chatmail.db.tmp");
	i = stat(tmp, &st) == 0 || errno != ENOENT;
	free(tmp);
	cm_store_close(&store);
	return i ? 6 : 0;
}

/* test_failed_sync_keeps_file - a full disk (RLIMIT_FSIZE) fails the
   sync, leaves the old file byte for byte, and removes the temp file */
static void test_failed_sync_keeps_file(void **state)
{
	struct cm_store *store = test_store_open(path, 0, 0);
	struct stat st;
	uint64_t before;
	int status;
	pid_t pid;

	(void) state;
	assert_int_equal(cm_quotas_set(store, "a@x.org", 10, NULL), 0);
	cm_store_close(&store);
	before = file_digest(path);
	assert_int_equal(stat(path, &st), 0);
	if ((pid = fork()) == 0)
		_exit(sync_child((rlim_t) st.st_size + 4096));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(before == file_digest(path));
	assert_int_equal(disk_max("a@x.org"), 10);
	assert_int_equal(disk_max("user-000001@example.org"), -1);
}

struct hammer {
	struct cm_store *store;
	int id;
	volatile int stop;
	int writes;
};

/* hammer_main - write quota and counter rows until told to stop */
static void *hammer_main(void *arg)
{
	struct hammer *h = arg;
	struct cm_hot_counter_delta d = { NULL, 1, 0 };
	char user[64];

	while (!h->stop) {
		snprintf(user, sizeof(user), "w%d-%d@x.org", h->id,
			 h->writes % 500);
		d.user = user;
		assert_int_equal(cm_quotas_set(h->store, user, h->writes,
					       NULL), 0);
		assert_int_equal(cm_counters_add(h->store, &d, NULL), 0);
		h->writes++;
	}
	return NULL;
}

/* reader_child - a read-only tool opening the disk file again and again */
static int reader_child(void)
{
	struct cm_store_options opts = { path, 1, 0, 0 };
	struct cm_store *ro;
	struct cm_error err;
	int64_t max;
	int i;

	for (i = 0; i < 200; i++) {
		if (cm_store_open(&opts, &ro, &err) < 0)
			return 1;
		if (cm_quotas_get(ro, "a@x.org", &max, &err) != 1 || max != 10)
			return 2;
		cm_store_close(&ro);
		usleep(2000);
	}
	return 0;
}

/* test_sync_under_load_never_deadlocks - writers on two threads, syncs
   on a third, a read-only process on the file: all finish */
static void test_sync_under_load_never_deadlocks(void **state)
{
	struct cm_store *store = test_store_open(path, 0, 0);
	struct hammer h[2];
	pthread_t threads[2];
	struct cm_error err;
	int i, status;
	pid_t pid;

	(void) state;
	assert_int_equal(cm_quotas_set(store, "a@x.org", 10, NULL), 0);
	cm_store_close(&store);
	store = test_store_open(path, 0, 1);
	alarm(120);	/* a deadlock fails the test instead of hanging CI */
	if ((pid = fork()) == 0)
		_exit(reader_child());
	for (i = 0; i < 2; i++) {
		h[i] = (struct hammer) { store, i, 0, 0 };
		assert_int_equal(pthread_create(&threads[i], NULL, hammer_main,
						&h[i]), 0);
	}
	for (i = 0; i < 25; i++) {
		if (cm_store_sync(store, &err) < 0)
			fail_msg("sync %d: %s", i, err.message);
		usleep(20000);
	}
	for (i = 0; i < 2; i++) {
		h[i].stop = 1;
		pthread_join(threads[i], NULL);
		assert_true(h[i].writes > 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(cm_store_sync(store, &err), 0);
	cm_store_close(&store);
	alarm(0);
	store = test_store_open(path, 1, 0);
	assert_int_equal(cm_store_check(store, &err), 0);
	cm_store_close(&store);
	assert_int_equal(disk_max("w0-0@x.org") >= 0, 1);
	assert_int_equal(disk_max("w1-0@x.org") >= 0, 1);
}

/* test_flusher_syncs - the flusher thread snapshots every sync_interval
   and once more at stop; sync_interval 0 never touches the disk */
static void test_flusher_syncs(void **state)
{
	struct cm_flusher_options opts = { 1, 1, NULL, NULL };
	struct cm_store *store = test_store_open(path, 0, 1);
	struct cm_hot *hot = cm_hot_new();
	struct cm_flusher *flusher;
	struct cm_error err;
	int i;

	(void) state;
	assert_int_equal(cm_flusher_start(hot, store, &opts, &flusher, &err),
			 0);
	assert_int_equal(cm_quotas_set(store, "a@x.org", 1, NULL), 0);
	for (i = 0; i < 300 && disk_max("a@x.org") != 1; i++)
		usleep(20000);
	assert_int_equal(disk_max("a@x.org"), 1);
	assert_int_equal(cm_quotas_set(store, "a@x.org", 2, NULL), 0);
	assert_int_equal(cm_flusher_stop(&flusher, &err), 0);
	assert_int_equal(disk_max("a@x.org"), 2);

	opts.sync_interval = 0;	/* RAM only */
	assert_int_equal(cm_flusher_start(hot, store, &opts, &flusher, &err),
			 0);
	assert_int_equal(cm_quotas_set(store, "a@x.org", 3, NULL), 0);
	usleep(1500000);
	assert_int_equal(cm_flusher_stop(&flusher, &err), 0);
	assert_int_equal(disk_max("a@x.org"), 2);
	cm_hot_free(&hot);
	cm_store_close(&store);
}

/* test_disk_mode_sync_is_checkpoint - sync works without in-memory */
static void test_disk_mode_sync_is_checkpoint(void **state)
{
	struct cm_store *store = test_store_open(path, 0, 0);
	struct cm_error err;

	(void) state;
	assert_int_equal(cm_quotas_set(store, "a@x.org", 1, NULL), 0);
	assert_int_equal(cm_store_sync(store, &err), 0);
	cm_store_close(&store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip_keeps_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_sync_keeps_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_under_load_never_deadlocks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flusher_syncs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disk_mode_sync_is_checkpoint, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
