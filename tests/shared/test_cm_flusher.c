/*++
 * NAME
 *	test_cm_flusher 1
 * SUMMARY
 *	unit tests for cm_flusher: atomic flushes, failures, SIGKILL, thread
 *--*/

#include "test_util.h"
#include "cm_counters.h"
#include "cm_federation.h"
#include "cm_flusher.h"
#include "cm_hot.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>

#define KILL_USERS 10
#define KILL_BATCH 50

struct fixture {
	char *dir;
	char *path;
	struct cm_store *store;
	struct cm_hot *hot;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	fx->dir = test_mkdtemp();
	fx->path = test_path(fx->dir, "chatmail.db");
	fx->store = test_store_open(fx->path, 0, 0);
	fx->hot = cm_hot_new();
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	cm_hot_free(&fx->hot);
	cm_store_close(&fx->store);
	test_rmtree(fx->dir);
	free(fx->path);
	free(fx->dir);
	free(fx);
	return 0;
}

/* db_sent - persisted sent count of user (-1 when no row) */
static int64_t db_sent(struct cm_store *store, const char *user)
{
	int64_t sent, received;

	if (cm_counters_get(store, user, &sent, &received, NULL) != 1)
		return -1;
	return sent;
}

struct fed_sum {
	const char *domain;
	int64_t messages;
};

static int sum_fed(const struct cm_fed_stats_row *row, void *ctx)
{
	struct fed_sum *sum = ctx;

	if (strcmp(row->domain, sum->domain) == 0 && row->dir == CM_FED_IN)
		sum->messages = row->messages;
	return 0;
}

/* db_fed_in - persisted incoming messages of domain (-1 when no row) */
static int64_t db_fed_in(struct cm_store *store, const char *domain)
{
	struct fed_sum sum = { domain, -1 };

	assert_int_equal(cm_federation_stats_foreach(store, sum_fed, &sum,
						     NULL), 0);
	return sum.messages;
}

/* test_flush_roundtrip - deltas land once; an idle flush writes nothing */
static void test_flush_roundtrip(void **state)
{
	struct fixture *fx = *state;
	struct cm_error err;
	size_t written = 99;

	assert_int_equal(cm_flusher_flush(fx->hot, fx->store, &written, &err),
			 0);
	assert_int_equal(written, 0);
	cm_hot_count_sent(fx->hot, "a@x.org", 3);
	cm_hot_count_received(fx->hot, "b@x.org", 2);
	cm_hot_fed_record(fx->hot, "peer.example", CM_FED_IN, 4, 1, 100);
	assert_int_equal(cm_flusher_flush(fx->hot, fx->store, &written, &err),
			 0);
	assert_int_equal(written, 3);
	assert_int_equal(db_sent(fx->store, "a@x.org"), 3);
	assert_int_equal(db_fed_in(fx->store, "peer.example"), 4);
	assert_int_equal(cm_flusher_flush(fx->hot, fx->store, &written, &err),
			 0);
	assert_int_equal(written, 0);
	cm_hot_count_sent(fx->hot, "a@x.org", 1);
	assert_int_equal(cm_flusher_flush(fx->hot, fx->store, NULL, &err), 0);
	assert_int_equal(db_sent(fx->store, "a@x.org"), 4);
}

/* raw_exec - SQL through a second connection (like an admin would) */
static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* test_failure_rolls_back_and_restores - a failing second table leaves
   the first untouched, and the deltas are retried exactly once */
static void test_failure_rolls_back_and_restores(void **state)
{
	struct fixture *fx = *state;
	struct cm_error err;
	int64_t sent, received;

	raw_exec(fx->path, "CREATE TRIGGER fail_fed BEFORE INSERT ON "
		 "federation_stats BEGIN SELECT RAISE(ABORT, 'disk says no');"
		 " END");
	cm_hot_count_sent(fx->hot, "a@x.org", 5);
	cm_hot_fed_record(fx->hot, "peer.example", CM_FED_IN, 2, 0, 100);
	assert_int_equal(cm_flusher_flush(fx->hot, fx->store, NULL, &err), -1);
	assert_non_null(strstr(err.message, "disk says no"));
	assert_int_equal(db_sent(fx->store, "a@x.org"), -1);
	assert_int_equal(cm_hot_counters_get(fx->hot, "a@x.org", &sent,
					     &received), 1);
	assert_int_equal(sent, 5);
	cm_hot_count_sent(fx->hot, "a@x.org", 1);	/* during the outage */
	raw_exec(fx->path, "DROP TRIGGER fail_fed");
	assert_int_equal(cm_flusher_flush(fx->hot, fx->store, NULL, &err), 0);
	assert_int_equal(db_sent(fx->store, "a@x.org"), 6);
	assert_int_equal(db_fed_in(fx->store, "peer.example"), 2);
	assert_int_equal(cm_flusher_flush(fx->hot, fx->store, NULL, &err), 0);
	assert_int_equal(db_sent(fx->store, "a@x.org"), 6);
}

/* kill_child - count and flush forever, reporting each committed batch */
static void kill_child(const char *path, int fd)
{
	struct cm_store *store = test_store_open(path, 0, 0);
	struct cm_hot *hot = cm_hot_new();
	char user[32];
	int64_t batch;
	int i, j;

	for (batch = 1;; batch++) {
		for (i = 0; i < KILL_BATCH; i++) {
			for (j = 0; j < KILL_USERS; j++) {
				snprintf(user, sizeof(user), "u%d@x.org", j);
				cm_hot_count_sent(hot, user, 1);
			}
			cm_hot_fed_record(hot, "peer.example", CM_FED_IN, 1, 0,
					  batch);
		}
		if (cm_flusher_flush(hot, store, NULL, NULL) < 0)
			_exit(3);
		if (write(fd, &batch, sizeof(batch)) != sizeof(batch))
			_exit(4);
	}
}

/* check_after_kill - every table at the same batch, no batch lost */
static void check_after_kill(const char *path, int64_t acked)
{
	struct cm_store *store = test_store_open(path, 0, 0);
	struct cm_error err;
	int64_t first = db_sent(store, "u0@x.org"), fed;
	char user[32];
	int j;

	if (cm_store_check(store, &err) < 0)
		fail_msg("after SIGKILL: %s", err.message);
	if (first < 0)
		first = 0;
	for (j = 1; j < KILL_USERS; j++) {
		snprintf(user, sizeof(user), "u%d@x.org", j);
		assert_int_equal(db_sent(store, user) < 0 ? 0
				 : db_sent(store, user), first);
	}
	fed = db_fed_in(store, "peer.example");
	assert_int_equal(fed < 0 ? 0 : fed, first);
	assert_int_equal(first % KILL_BATCH, 0);
	/* Acknowledged batches are never lost; at most the one in flight
	   may have committed without its acknowledgement. */
	assert_true(first / KILL_BATCH >= acked);
	assert_true(first / KILL_BATCH <= acked + 1);
	cm_store_close(&store);
}

/* remove_db - delete the database and its WAL files */
static void remove_db(const char *dir)
{
	static const char *const names[] = {
		"chatmail.db", "chatmail.db-wal", "chatmail.db-shm"
	};
	size_t i;

	for (i = 0; i < 3; i++) {
		char *path = test_path(dir, names[i]);

		unlink(path);
		free(path);
	}
}

/* test_sigkill_between_flushes - kill -9 at varied moments: the file is
   consistent and holds every acknowledged flush */
static void test_sigkill_between_flushes(void **state)
{
	struct fixture *fx = *state;
	int round, status, fds[2];
	int64_t batch, acked;
	pid_t pid;

	cm_store_close(&fx->store);
	for (round = 0; round < 8; round++) {
		remove_db(fx->dir);
		assert_int_equal(pipe(fds), 0);
		if ((pid = fork()) == 0) {
			close(fds[0]);
			kill_child(fx->path, fds[1]);
		}
		assert_true(pid > 0);
		close(fds[1]);
		usleep((useconds_t) (20000 + round * 37000));
		assert_int_equal(kill(pid, SIGKILL), 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));
		acked = 0;
		while (read(fds[0], &batch, sizeof(batch)) == sizeof(batch))
			acked = batch;
		close(fds[0]);
		check_after_kill(fx->path, acked);
	}
}

/* poll_sent - wait up to ms for the persisted sent count to be want */
static int poll_sent(const char *path, const char *user, int64_t want,
		     int ms)
{
	struct cm_store *ro;
	int64_t got = -1;

	for (; ms > 0; ms -= 20) {
		ro = test_store_open(path, 1, 0);
		got = db_sent(ro, user);
		cm_store_close(&ro);
		if (got == want)
			return 1;
		usleep(20000);
	}
	return 0;
}

/* test_thread_kick_and_stop - kick flushes now, stop flushes the rest */
static void test_thread_kick_and_stop(void **state)
{
	struct fixture *fx = *state;
	struct cm_flusher_options opts = { 3600, 0, NULL, NULL };
	struct cm_flusher *flusher;
	struct cm_error err;

	assert_int_equal(cm_flusher_start(fx->hot, fx->store, &opts, &flusher,
					  &err), 0);
	cm_hot_count_sent(fx->hot, "a@x.org", 2);
	usleep(200000);
	assert_int_equal(poll_sent(fx->path, "a@x.org", 2, 20), 0);
	cm_flusher_kick(flusher);
	assert_int_equal(poll_sent(fx->path, "a@x.org", 2, 3000), 1);
	cm_hot_count_sent(fx->hot, "a@x.org", 5);
	assert_int_equal(cm_flusher_stop(&flusher, &err), 0);
	assert_null(flusher);
	assert_int_equal(db_sent(fx->store, "a@x.org"), 7);
	assert_int_equal(cm_flusher_stop(&flusher, &err), 0);	/* NULL ok */
}

/* test_thread_interval - flushes on its own every interval */
static void test_thread_interval(void **state)
{
	struct fixture *fx = *state;
	struct cm_flusher_options opts = { 1, 0, NULL, NULL };
	struct cm_flusher *flusher;
	struct cm_error err;

	assert_int_equal(cm_flusher_start(fx->hot, fx->store, &opts, &flusher,
					  &err), 0);
	cm_hot_count_sent(fx->hot, "a@x.org", 1);
	assert_int_equal(poll_sent(fx->path, "a@x.org", 1, 5000), 1);
	cm_hot_count_sent(fx->hot, "a@x.org", 1);
	assert_int_equal(poll_sent(fx->path, "a@x.org", 2, 5000), 1);
	assert_int_equal(cm_flusher_stop(&flusher, &err), 0);
	opts.interval = 0;
	assert_int_equal(cm_flusher_start(fx->hot, fx->store, &opts, &flusher,
					  &err), -1);
	assert_int_equal(err.kind, CM_ERR_INVALID);
}

struct seen {
	int calls;
	char what[32];
};

static void on_error(const char *what, const struct cm_error *err,
		     void *ctx)
{
	struct seen *seen = ctx;

	(void) err;
	seen->calls++;
	snprintf(seen->what, sizeof(seen->what), "%s", what);
}

/* test_thread_reports_failures - errors reach the callback; stop
   returns the final failure and the deltas stay in RAM */
static void test_thread_reports_failures(void **state)
{
	struct fixture *fx = *state;
	struct seen seen = { 0, "" };
	struct cm_flusher_options opts = { 3600, 0, on_error, &seen };
	struct cm_flusher *flusher;
	struct cm_error err;
	int64_t sent, received;
	int i;

	raw_exec(fx->path, "CREATE TRIGGER fail_c BEFORE INSERT ON "
		 "message_counters BEGIN SELECT RAISE(ABORT, 'no room'); END");
	assert_int_equal(cm_flusher_start(fx->hot, fx->store, &opts, &flusher,
					  &err), 0);
	cm_hot_count_sent(fx->hot, "a@x.org", 1);
	cm_flusher_kick(flusher);
	for (i = 0; i < 300 && seen.calls == 0; i++)
		usleep(10000);
	assert_true(seen.calls >= 1);
	assert_string_equal(seen.what, "flush");
	assert_int_equal(cm_flusher_stop(&flusher, &err), -1);
	assert_non_null(strstr(err.message, "no room"));
	assert_int_equal(cm_hot_counters_get(fx->hot, "a@x.org", &sent,
					     &received), 1);
	assert_int_equal(sent, 1);
	assert_int_equal(db_sent(fx->store, "a@x.org"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flush_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_rolls_back_and_restores, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigkill_between_flushes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thread_kick_and_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thread_interval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thread_reports_failures, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
