/*++
 * NAME
 *	test_cm_error 1
 * SUMMARY
 *	unit tests for cm_error
 *--*/

#include "test_util.h"

#include <errno.h>
#include <sqlite3.h>

/* test_set_and_clear - formatted message, kind, code; clear resets */
static void test_set_and_clear(void **state)
{
	struct cm_error err;

	(void) state;
	cm_error_set(&err, CM_ERR_INVALID, 7, "bad %s %d", "thing", 42);
	assert_int_equal(err.kind, CM_ERR_INVALID);
	assert_int_equal(err.sys_code, 7);
	assert_string_equal(err.message, "bad thing 42");
	cm_error_clear(&err);
	assert_int_equal(err.kind, CM_ERR_NONE);
	assert_string_equal(err.message, "");
}

/* test_null_is_ignored - every setter accepts NULL */
static void test_null_is_ignored(void **state)
{
	(void) state;
	cm_error_clear(NULL);
	cm_error_set(NULL, CM_ERR_IO, 1, "x");
	cm_error_errno(NULL, ENOENT, "x");
	cm_error_sqlite(NULL, NULL, "x");
}

/* test_truncation - long messages are cut, still terminated */
static void test_truncation(void **state)
{
	struct cm_error err;
	char big[2000];

	(void) state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cm_error_set(&err, CM_ERR_INVALID, 0, "%s", big);
	assert_int_equal(strlen(err.message), CM_ERROR_MAX - 1);
}

/* test_sqlite_copied_at_once - the message survives later calls */
static void test_sqlite_copied_at_once(void **state)
{
	struct cm_error err;
	sqlite3 *db;

	(void) state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "SELECT * FROM nosuch", NULL,
					  NULL, NULL), SQLITE_OK);
	cm_error_sqlite(&err, db, "query");
	sqlite3_exec(db, "SELECT 1", NULL, NULL, NULL);	/* clears errmsg */
	sqlite3_close(db);
	assert_int_equal(err.kind, CM_ERR_SQLITE);
	assert_int_equal(err.sys_code, SQLITE_ERROR);
	assert_string_equal(err.message, "query: no such table: nosuch");
}

/* test_errno - strerror text with the prefix */
static void test_errno(void **state)
{
	struct cm_error err;

	(void) state;
	cm_error_errno(&err, ENOENT, "open(/x)");
	assert_int_equal(err.kind, CM_ERR_IO);
	assert_int_equal(err.sys_code, ENOENT);
	assert_string_equal(err.message, "open(/x): No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_and_clear),
		cmocka_unit_test(test_null_is_ignored),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_sqlite_copied_at_once),
		cmocka_unit_test(test_errno),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
