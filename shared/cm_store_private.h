#ifndef CM_STORE_PRIVATE_H
#define CM_STORE_PRIVATE_H

/*++
 * NAME
 *	cm_store_private 3h
 * SUMMARY
 *	internals shared by the table modules of the store
 * DESCRIPTION
 *	Table modules (cm_settings, cm_quotas, ...) keep their SQL text to
 *	themselves and get a cached prepared statement with cm_store_stmt():
 *	it is prepared on first use and kept for the life of the handle.
 *	Every public entry point of a table module brackets its work with
 *	cm_store_lock()/cm_store_unlock() (a recursive mutex, so it nests
 *	inside cm_store_begin()).
 *--*/

#include <pthread.h>
#include <sqlite3.h>
#include "cm_store.h"

/* SQL for "col = col + param" saturating at INT64_MAX (param >= 0);
   SQLite would otherwise turn an overflowing sum into a REAL. */
#define CM_SAT_SQL(col, param) \
	col " = CASE WHEN " col " > 9223372036854775807 - " param \
	" THEN 9223372036854775807 ELSE " col " + " param " END"

enum cm_stmt_id {
	CM_STMT_SETTINGS_GET,
	CM_STMT_SETTINGS_SET,
	CM_STMT_SETTINGS_DEL,
	CM_STMT_QUOTAS_SET,
	CM_STMT_QUOTAS_SET_TOKEN,
	CM_STMT_QUOTAS_GET,
	CM_STMT_QUOTAS_DEL,
	CM_STMT_QUOTAS_ALL,
	CM_STMT_BLOCK_ADD,
	CM_STMT_BLOCK_REASON,
	CM_STMT_BLOCK_DEL,
	CM_STMT_BLOCK_ALL,
	CM_STMT_TOKENS_CREATE,
	CM_STMT_TOKENS_USE,
	CM_STMT_TOKENS_GET,
	CM_STMT_TOKENS_DEL,
	CM_STMT_TOKENS_ALL,
	CM_STMT_FED_ADD,
	CM_STMT_FED_DEL,
	CM_STMT_FED_ALL,
	CM_STMT_FEDSTATS_ADD,
	CM_STMT_FEDSTATS_ALL,
	CM_STMT_COUNTERS_ADD,
	CM_STMT_COUNTERS_GET,
	CM_STMT_COUNTERS_ALL,
	CM_STMT_COUNT
};

struct cm_store {
	sqlite3 *db;
	char *path;		/* the disk file */
	int read_only;
	int in_memory;
	int64_t fixed_now;	/* 0 = real clock */
	int tx_depth;		/* cm_store_begin() nesting (0 or 1) */
	pthread_mutex_t lock;	/* recursive */
	sqlite3_stmt *stmts[CM_STMT_COUNT];
};

void cm_store_lock(struct cm_store *store);
void cm_store_unlock(struct cm_store *store);
/* The cached statement for id (prepared from sql on first use), reset and
   with bindings cleared. NULL with *err filled on failure. */
sqlite3_stmt *cm_store_stmt(struct cm_store *store, enum cm_stmt_id id,
			    const char *sql, struct cm_error *err);
/* Refuses writes on read-only handles with a clear message. */
int cm_store_writable(struct cm_store *store, struct cm_error *err);
/* sqlite3_step to SQLITE_DONE; 0 ok, -1 error (err filled, stmt reset). */
int cm_store_step_done(struct cm_store *store, sqlite3_stmt *stmt,
		       const char *what, struct cm_error *err);
/* Like cm_store_step_done(), then 1 when a row changed, 0 when none. */
int cm_store_step_changes(struct cm_store *store, sqlite3_stmt *stmt,
			  const char *what, struct cm_error *err);
/* Steps the cached statement (already bound by the caller) and calls
   row_fn per row; row_fn returns 0 to go on, non-zero to stop, and that
   value is returned. -1 on error. The caller holds the lock. */
typedef int cm_store_row_fn(sqlite3_stmt *stmt, void *ctx);
int cm_store_each_row(struct cm_store *store, sqlite3_stmt *stmt,
		      cm_store_row_fn *row_fn, void *ctx, const char *what,
		      struct cm_error *err);
/* Takes the lock, prepares the cached statement id (no parameters) and
   runs cm_store_each_row() over it. */
int cm_store_foreach(struct cm_store *store, enum cm_stmt_id id,
		     const char *sql, cm_store_row_fn *row_fn, void *ctx,
		     const char *what, struct cm_error *err);
/* Binds text, or NULL when text is NULL. */
int cm_store_bind_text(sqlite3_stmt *stmt, int idx, const char *text);
/* Column text or "" (never NULL). */
const char *cm_store_column_text(sqlite3_stmt *stmt, int col);

#endif
