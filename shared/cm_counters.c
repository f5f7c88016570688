/*++
 * NAME
 *	cm_counters 3
 * SUMMARY
 *	persisted per-user message counters
 * DESCRIPTION
 *	See cm_counters.h. Adds saturate at INT64_MAX.
 *--*/

#include "cm_counters.h"
#include "cm_store_private.h"


struct cm_counters_each {
	int (*fn)(const struct cm_counter_row *row, void *ctx);
	void *ctx;
};

/* cm_counters_add - add a delta to a user's row */
int cm_counters_add(struct cm_store *store,
		    const struct cm_hot_counter_delta *delta,
		    struct cm_error *err)
{
	sqlite3_stmt *stmt;
	int rc = -1;

	if (delta->user == NULL || delta->user[0] == '\0' || delta->sent < 0
	    || delta->received < 0) {
		cm_error_set(err, CM_ERR_INVALID, 0, "invalid counter delta");
		return -1;
	}
	if (cm_store_writable(store, err) < 0)
		return -1;
	cm_store_lock(store);
	stmt = cm_store_stmt(store, CM_STMT_COUNTERS_ADD,
			     "INSERT INTO message_counters (user, sent, received)"
			     " VALUES (?1, ?2, ?3) ON CONFLICT (user) DO UPDATE"
			     " SET " CM_SAT_SQL("sent", "?2") ", "
			     CM_SAT_SQL("received", "?3"), err);
	if (stmt != NULL) {
		cm_store_bind_text(stmt, 1, delta->user);
		sqlite3_bind_int64(stmt, 2, delta->sent);
		sqlite3_bind_int64(stmt, 3, delta->received);
		rc = cm_store_step_done(store, stmt, "add counters", err);
	}
	cm_store_unlock(store);
	return rc;
}

/* cm_counters_get - one user's totals */
int cm_counters_get(struct cm_store *store, const char *user,
		    int64_t *sent_r, int64_t *received_r,
		    struct cm_error *err)
{
	sqlite3_stmt *stmt;
	int rc = -1, step;

	cm_store_lock(store);
	stmt = cm_store_stmt(store, CM_STMT_COUNTERS_GET,
			     "SELECT sent, received FROM message_counters"
			     " WHERE user = ?1", err);
	if (stmt != NULL) {
		cm_store_bind_text(stmt, 1, user);
		step = sqlite3_step(stmt);
		if (step == SQLITE_ROW) {
			*sent_r = sqlite3_column_int64(stmt, 0);
			*received_r = sqlite3_column_int64(stmt, 1);
			rc = 1;
		} else if (step == SQLITE_DONE) {
			rc = 0;
		} else {
			cm_error_sqlite(err, store->db, "get counters");
		}
		sqlite3_reset(stmt);
	}
	cm_store_unlock(store);
	return rc;
}

/* cm_counters_row - one row to the callback */
static int cm_counters_row(sqlite3_stmt *stmt, void *ctx)
{
	struct cm_counters_each *each = ctx;
	struct cm_counter_row row;

	row.user = cm_store_column_text(stmt, 0);
	row.sent = sqlite3_column_int64(stmt, 1);
	row.received = sqlite3_column_int64(stmt, 2);
	return each->fn(&row, each->ctx);
}

/* cm_counters_foreach - every user's totals, by user */
int cm_counters_foreach(struct cm_store *store,
			int (*fn)(const struct cm_counter_row *row, void *ctx),
			void *ctx, struct cm_error *err)
{
	struct cm_counters_each each = { fn, ctx };

	return cm_store_foreach(store, CM_STMT_COUNTERS_ALL,
				"SELECT user, sent, received FROM message_counters"
				" ORDER BY user",
				cm_counters_row, &each, "list counters", err);
}
