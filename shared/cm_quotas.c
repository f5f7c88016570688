/*++
 * NAME
 *	cm_quotas 3
 * SUMMARY
 *	per-user quota rows
 * DESCRIPTION
 *	See cm_quotas.h.
 *--*/

#include "cm_quotas.h"
#include "cm_store_private.h"

struct cm_quotas_each {
	int (*fn)(const struct cm_quota_row *row, void *ctx);
	void *ctx;
};

/* cm_quotas_check - validate user and limit */
static int cm_quotas_check(const char *user, int64_t max_storage,
			   struct cm_error *err)
{
	if (user == NULL || user[0] == '\0') {
		cm_error_set(err, CM_ERR_INVALID, 0, "empty user name");
		return -1;
	}
	if (max_storage < 0) {
		cm_error_set(err, CM_ERR_INVALID, 0, "%.128s: negative quota "
			     "%lld (0 means unlimited)", user,
			     (long long) max_storage);
		return -1;
	}
	return 0;
}

/* cm_quotas_set - insert or update a user's limit */
int cm_quotas_set(struct cm_store *store, const char *user,
		  int64_t max_storage, struct cm_error *err)
{
	sqlite3_stmt *stmt;
	int rc = -1;

	if (cm_quotas_check(user, max_storage, err) < 0
	    || cm_store_writable(store, err) < 0)
		return -1;
	cm_store_lock(store);
	stmt = cm_store_stmt(store, CM_STMT_QUOTAS_SET,
			     "INSERT INTO quotas (user, max_storage, created_at)"
			     " VALUES (?1, ?2, ?3) ON CONFLICT (user) DO UPDATE"
			     " SET max_storage = ?2", err);
	if (stmt != NULL) {
		cm_store_bind_text(stmt, 1, user);
		sqlite3_bind_int64(stmt, 2, max_storage);
		sqlite3_bind_int64(stmt, 3, cm_store_now(store));
		rc = cm_store_step_done(store, stmt, "set quota", err);
	}
	cm_store_unlock(store);
	return rc;
}

/* cm_quotas_set_token - record the registration token of an account */
int cm_quotas_set_token(struct cm_store *store, const char *user,
			const char *token, int64_t default_max,
			struct cm_error *err)
{
	sqlite3_stmt *stmt;
	int rc = -1;

	if (cm_quotas_check(user, default_max, err) < 0
	    || cm_store_writable(store, err) < 0)
		return -1;
	cm_store_lock(store);
	stmt = cm_store_stmt(store, CM_STMT_QUOTAS_SET_TOKEN,
			     "INSERT INTO quotas (user, max_storage, used_token,"
			     " created_at) VALUES (?1, ?2, ?3, ?4)"
			     " ON CONFLICT (user) DO UPDATE SET used_token = ?3",
			     err);
	if (stmt != NULL) {
		cm_store_bind_text(stmt, 1, user);
		sqlite3_bind_int64(stmt, 2, default_max);
		cm_store_bind_text(stmt, 3, token);
		sqlite3_bind_int64(stmt, 4, cm_store_now(store));
		rc = cm_store_step_done(store, stmt, "set quota token", err);
	}
	cm_store_unlock(store);
	return rc;
}

/* cm_quotas_get - a user's limit */
int cm_quotas_get(struct cm_store *store, const char *user, int64_t *max_r,
		  struct cm_error *err)
{
	sqlite3_stmt *stmt;
	int rc = -1, step;

	cm_store_lock(store);
	stmt = cm_store_stmt(store, CM_STMT_QUOTAS_GET,
			     "SELECT max_storage FROM quotas WHERE user = ?1",
			     err);
	if (stmt != NULL) {
		cm_store_bind_text(stmt, 1, user);
		step = sqlite3_step(stmt);
		if (step == SQLITE_ROW) {
			*max_r = sqlite3_column_int64(stmt, 0);
			rc = 1;
		} else if (step == SQLITE_DONE) {
			rc = 0;
		} else {
			cm_error_sqlite(err, store->db, "get quota");
		}
		sqlite3_reset(stmt);
	}
	cm_store_unlock(store);
	return rc;
}

/* cm_quotas_delete - drop a user's row */
int cm_quotas_delete(struct cm_store *store, const char *user,
		     struct cm_error *err)
{
	sqlite3_stmt *stmt;
	int rc = -1;

	if (cm_store_writable(store, err) < 0)
		return -1;
	cm_store_lock(store);
	stmt = cm_store_stmt(store, CM_STMT_QUOTAS_DEL,
			     "DELETE FROM quotas WHERE user = ?1", err);
	if (stmt != NULL) {
		cm_store_bind_text(stmt, 1, user);
		rc = cm_store_step_changes(store, stmt, "delete quota", err);
	}
	cm_store_unlock(store);
	return rc;
}

/* cm_quotas_row - one result row to the caller's callback */
static int cm_quotas_row(sqlite3_stmt *stmt, void *ctx)
{
	struct cm_quotas_each *each = ctx;
	struct cm_quota_row row;

	row.user = cm_store_column_text(stmt, 0);
	row.max_storage = sqlite3_column_int64(stmt, 1);
	row.used_token = (const char *) sqlite3_column_text(stmt, 2);
	row.created_at = sqlite3_column_int64(stmt, 3);
	return each->fn(&row, each->ctx);
}

/* cm_quotas_foreach - every row in user order */
int cm_quotas_foreach(struct cm_store *store,
		      int (*fn)(const struct cm_quota_row *row, void *ctx),
		      void *ctx, struct cm_error *err)
{
	struct cm_quotas_each each = { fn, ctx };

	return cm_store_foreach(store, CM_STMT_QUOTAS_ALL,
				"SELECT user, max_storage, used_token, created_at"
				" FROM quotas ORDER BY user",
				cm_quotas_row, &each, "list quotas", err);
}
