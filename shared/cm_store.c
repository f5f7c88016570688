/*++
 * NAME
 *	cm_store 3
 * SUMMARY
 *	the chatmail SQLite store: open, schema, transactions, snapshots
 * DESCRIPTION
 *	See cm_store.h. This module alone owns the schema and its
 *	migrations: cm_store_migrations[v] turns schema version v into v+1,
 *	and cm_store_open() applies the missing steps in one transaction.
 *--*/

#include "cm_store_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libgen.h>

#define CM_STORE_BUSY_DEFAULT_MS 5000

/* Schema steps: index v upgrades version v to v+1. Never edit a step that
   has shipped; append a new one and bump CM_STORE_SCHEMA_VERSION. */
static const char *const cm_store_migrations[CM_STORE_SCHEMA_VERSION] = {
	/* 0 -> 1: the initial schema */
	"CREATE TABLE settings ("
	"  name TEXT PRIMARY KEY NOT NULL,"
	"  value TEXT NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE registration_tokens ("
	"  token TEXT PRIMARY KEY NOT NULL"
	"    CHECK (length(token) BETWEEN 1 AND 256),"
	"  max_uses INTEGER NOT NULL DEFAULT 1 CHECK (max_uses >= 0),"
	"  uses INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0),"
	"  expires_at INTEGER NOT NULL DEFAULT 0 CHECK (expires_at >= 0),"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE TABLE quotas ("
	"  user TEXT PRIMARY KEY NOT NULL CHECK (length(user) > 0),"
	"  max_storage INTEGER NOT NULL CHECK (max_storage >= 0),"
	"  used_token TEXT REFERENCES registration_tokens(token)"
	"    ON DELETE SET NULL,"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE INDEX quotas_used_token ON quotas(used_token);"
	"CREATE TABLE blocklist ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (kind IN ('address', 'domain', 'ip')),"
	"  value TEXT NOT NULL CHECK (length(value) > 0),"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  created_at INTEGER NOT NULL,"
	"  UNIQUE (kind, value)"
	");"
	"CREATE TABLE federation_policy ("
	"  domain TEXT NOT NULL CHECK (length(domain) > 0),"
	"  list TEXT NOT NULL CHECK (list IN ('listed', 'silent_dismiss')),"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (list, domain)"
	") WITHOUT ROWID;"
	"CREATE TABLE federation_stats ("
	"  domain TEXT NOT NULL,"
	"  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),"
	"  messages INTEGER NOT NULL DEFAULT 0 CHECK (messages >= 0),"
	"  rejections INTEGER NOT NULL DEFAULT 0 CHECK (rejections >= 0),"
	"  last_seen INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (domain, direction)"
	") WITHOUT ROWID;"
	"CREATE TABLE message_counters ("
	"  user TEXT PRIMARY KEY NOT NULL,"
	"  sent INTEGER NOT NULL DEFAULT 0 CHECK (sent >= 0),"
	"  received INTEGER NOT NULL DEFAULT 0 CHECK (received >= 0)"
	") WITHOUT ROWID;",
};

/* cm_store_lock - take the store mutex (recursive) */
void cm_store_lock(struct cm_store *store)
{
	if (pthread_mutex_lock(&store->lock) != 0)
		abort();
}

/* cm_store_unlock - release the store mutex */
void cm_store_unlock(struct cm_store *store)
{
	if (pthread_mutex_unlock(&store->lock) != 0)
		abort();
}

/* cm_store_exec - run SQL without results */
static int cm_store_exec(sqlite3 *db, const char *sql, const char *what,
			 struct cm_error *err)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		cm_error_sqlite(err, db, what);
		return -1;
	}
	return 0;
}

/* cm_store_pragma_int - read an integer pragma */
static int cm_store_pragma_int(sqlite3 *db, const char *sql, int *value_r,
			       struct cm_error *err)
{
	sqlite3_stmt *stmt;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		cm_error_sqlite(err, db, sql);
		return -1;
	}
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		cm_error_sqlite(err, db, sql);
		sqlite3_finalize(stmt);
		return -1;
	}
	*value_r = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return 0;
}

/* cm_store_version_ok - refuse files from newer builds */
static int cm_store_version_ok(const char *path, int version,
			       struct cm_error *err)
{
	if (version <= CM_STORE_SCHEMA_VERSION && version >= 0)
		return 0;
	cm_error_set(err, CM_ERR_SCHEMA, 0,
		     "%s: database schema version %d is newer than this build "
		     "supports (%d); upgrade chatmail-plugins or restore a "
		     "matching backup", path, version, CM_STORE_SCHEMA_VERSION);
	return -1;
}

/* cm_store_migrate - bring the schema of db to CM_STORE_SCHEMA_VERSION */
static int cm_store_migrate(sqlite3 *db, const char *path,
			    struct cm_error *err)
{
	char sql[64];
	int version, v;

	/* Up to date: write nothing (opening must not touch the file). */
	if (cm_store_pragma_int(db, "PRAGMA user_version", &version, err) < 0
	    || cm_store_version_ok(path, version, err) < 0)
		return -1;
	if (version == CM_STORE_SCHEMA_VERSION)
		return 0;
	if (cm_store_exec(db, "BEGIN IMMEDIATE", "begin migration", err) < 0)
		return -1;
	/* Read inside the write lock: another process may have migrated. */
	if (cm_store_pragma_int(db, "PRAGMA user_version", &version, err) < 0
	    || cm_store_version_ok(path, version, err) < 0)
		goto fail;
	for (v = version; v < CM_STORE_SCHEMA_VERSION; v++) {
		snprintf(sql, sizeof(sql), "migrate schema %d -> %d", v, v + 1);
		if (cm_store_exec(db, cm_store_migrations[v], sql, err) < 0)
			goto fail;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		 CM_STORE_SCHEMA_VERSION);
	if (cm_store_exec(db, sql, "set schema version", err) < 0)
		goto fail;
	return cm_store_exec(db, "COMMIT", "commit migration", err);
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* cm_store_open_db - open one SQLite connection with our pragmas */
static int cm_store_open_db(const char *path, int flags, int busy_ms,
			    sqlite3 **db_r, struct cm_error *err)
{
	sqlite3 *db = NULL;
	int rc;

	rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		if (db == NULL)
			cm_error_set(err, CM_ERR_SQLITE, rc, "%s: out of memory",
				     path);
		else
			cm_error_sqlite(err, db, path);
		sqlite3_close(db);
		return -1;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, busy_ms);
	if (cm_store_exec(db, "PRAGMA foreign_keys = ON", path, err) < 0) {
		sqlite3_close(db);
		return -1;
	}
	*db_r = db;
	return 0;
}

/* cm_store_open_disk - open the file read-write, WAL, migrated */
static int cm_store_open_disk(const char *path, int busy_ms, sqlite3 **db_r,
			      struct cm_error *err)
{
	sqlite3_stmt *stmt;
	sqlite3 *db;
	const char *mode;

	if (cm_store_open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			     busy_ms, &db, err) < 0)
		return -1;
	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &stmt,
			       NULL) != SQLITE_OK
	    || sqlite3_step(stmt) != SQLITE_ROW) {
		cm_error_sqlite(err, db, "set WAL journal mode");
		sqlite3_finalize(stmt);
		sqlite3_close(db);
		return -1;
	}
	mode = (const char *) sqlite3_column_text(stmt, 0);
	if (mode == NULL || strcmp(mode, "wal") != 0) {
		cm_error_set(err, CM_ERR_SQLITE, 0,
			     "%s: cannot switch to WAL journal mode (got %s); "
			     "is the file on a network filesystem?", path,
			     mode ? mode : "nothing");
		sqlite3_finalize(stmt);
		sqlite3_close(db);
		return -1;
	}
	sqlite3_finalize(stmt);
	if (cm_store_exec(db, "PRAGMA synchronous = NORMAL", path, err) < 0
	    || cm_store_migrate(db, path, err) < 0) {
		sqlite3_close(db);
		return -1;
	}
	*db_r = db;
	return 0;
}

/* cm_store_open_readonly - open for reading, schema must be current */
static int cm_store_open_readonly(const char *path, int busy_ms,
				  sqlite3 **db_r, struct cm_error *err)
{
	sqlite3 *db;
	int version;

	if (access(path, F_OK) != 0) {
		cm_error_errno(err, errno, path);
		return -1;
	}
	if (cm_store_open_db(path, SQLITE_OPEN_READONLY, busy_ms, &db,
			     err) < 0)
		return -1;
	if (cm_store_pragma_int(db, "PRAGMA user_version", &version, err) < 0
	    || cm_store_version_ok(path, version, err) < 0) {
		sqlite3_close(db);
		return -1;
	}
	if (version < CM_STORE_SCHEMA_VERSION) {
		cm_error_set(err, CM_ERR_SCHEMA, 0,
			     "%s: database schema version %d is older than "
			     "this build (%d); start chatmail-policyd once "
			     "to migrate it", path, version,
			     CM_STORE_SCHEMA_VERSION);
		sqlite3_close(db);
		return -1;
	}
	*db_r = db;
	return 0;
}

/* cm_store_open_memory - copy the (migrated) disk file into RAM */
static int cm_store_open_memory(const char *path, int busy_ms, sqlite3 **db_r,
				struct cm_error *err)
{
	sqlite3_backup *backup;
	sqlite3 *disk, *mem;
	int rc;

	if (cm_store_open_disk(path, busy_ms, &disk, err) < 0)
		return -1;
	if (cm_store_open_db(":memory:", SQLITE_OPEN_READWRITE, busy_ms, &mem,
			     err) < 0) {
		sqlite3_close(disk);
		return -1;
	}
	backup = sqlite3_backup_init(mem, "main", disk, "main");
	if (backup == NULL) {
		cm_error_sqlite(err, mem, "load database into memory");
		goto fail;
	}
	rc = sqlite3_backup_step(backup, -1);
	sqlite3_backup_finish(backup);
	if (rc != SQLITE_DONE) {
		cm_error_set(err, CM_ERR_SQLITE, rc,
			     "%s: load database into memory: %s", path,
			     sqlite3_errstr(rc));
		goto fail;
	}
	/* Closing the only disk connection checkpoints and drops the WAL. */
	sqlite3_close(disk);
	*db_r = mem;
	return 0;
fail:
	sqlite3_close(mem);
	sqlite3_close(disk);
	return -1;
}

/* cm_store_open - open or create the store as opts says */
int cm_store_open(const struct cm_store_options *opts,
		  struct cm_store **store_r, struct cm_error *err)
{
	pthread_mutexattr_t attr;
	struct cm_store *store;
	sqlite3 *db;
	int busy_ms, rc;

	*store_r = NULL;
	if (opts == NULL || opts->path == NULL || opts->path[0] == '\0') {
		cm_error_set(err, CM_ERR_INVALID, 0,
			     "no database path given (set sqlite_path)");
		return -1;
	}
	if (opts->read_only && opts->in_memory) {
		cm_error_set(err, CM_ERR_INVALID, 0, "%s: read-only and "
			     "in-memory modes exclude each other", opts->path);
		return -1;
	}
	busy_ms = opts->busy_timeout_ms > 0 ? opts->busy_timeout_ms
	    : CM_STORE_BUSY_DEFAULT_MS;
	if (opts->read_only)
		rc = cm_store_open_readonly(opts->path, busy_ms, &db, err);
	else if (opts->in_memory)
		rc = cm_store_open_memory(opts->path, busy_ms, &db, err);
	else
		rc = cm_store_open_disk(opts->path, busy_ms, &db, err);
	if (rc < 0)
		return -1;

	if ((store = calloc(1, sizeof(*store))) == NULL
	    || (store->path = strdup(opts->path)) == NULL)
		abort();
	store->db = db;
	store->read_only = opts->read_only;
	store->in_memory = opts->in_memory;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&store->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	*store_r = store;
	return 0;
}

/* cm_store_close - finalize statements, close, free; *store = NULL */
void cm_store_close(struct cm_store **_store)
{
	struct cm_store *store = *_store;
	int i;

	if (store == NULL)
		return;
	*_store = NULL;
	for (i = 0; i < CM_STMT_COUNT; i++)
		sqlite3_finalize(store->stmts[i]);
	sqlite3_close(store->db);
	pthread_mutex_destroy(&store->lock);
	free(store->path);
	free(store);
}

/* cm_store_schema_version - PRAGMA user_version */
int cm_store_schema_version(struct cm_store *store, int *version_r,
			    struct cm_error *err)
{
	int rc;

	cm_store_lock(store);
	rc = cm_store_pragma_int(store->db, "PRAGMA user_version", version_r,
				 err);
	cm_store_unlock(store);
	return rc;
}

/* cm_store_is_in_memory - whether the store serves from RAM */
int cm_store_is_in_memory(const struct cm_store *store)
{
	return store->in_memory;
}

/* cm_store_path - the disk file name */
const char *cm_store_path(const struct cm_store *store)
{
	return store->path;
}

/* cm_store_writable - refuse writes through read-only handles */
int cm_store_writable(struct cm_store *store, struct cm_error *err)
{
	if (!store->read_only)
		return 0;
	cm_error_set(err, CM_ERR_INVALID, 0, "%s is open read-only (is "
		     "chatmail-policyd running? writes go through it)",
		     store->path);
	return -1;
}

/* cm_store_stmt - the cached prepared statement for id */
sqlite3_stmt *cm_store_stmt(struct cm_store *store, enum cm_stmt_id id,
			    const char *sql, struct cm_error *err)
{
	sqlite3_stmt *stmt = store->stmts[id];

	if (stmt != NULL) {
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
		return stmt;
	}
	if (sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
			       &stmt, NULL) != SQLITE_OK) {
		cm_error_sqlite(err, store->db, "prepare statement");
		return NULL;
	}
	store->stmts[id] = stmt;
	return stmt;
}

/* cm_store_step_done - execute a statement that returns no rows */
int cm_store_step_done(struct cm_store *store, sqlite3_stmt *stmt,
		       const char *what, struct cm_error *err)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_DONE) {
		sqlite3_reset(stmt);
		return 0;
	}
	cm_error_sqlite(err, store->db, what);
	sqlite3_reset(stmt);
	return -1;
}

/* cm_store_step_changes - execute, then report whether a row changed */
int cm_store_step_changes(struct cm_store *store, sqlite3_stmt *stmt,
			  const char *what, struct cm_error *err)
{
	if (cm_store_step_done(store, stmt, what, err) < 0)
		return -1;
	return sqlite3_changes(store->db) > 0 ? 1 : 0;
}

/* cm_store_each_row - step a bound statement, one callback per row */
int cm_store_each_row(struct cm_store *store, sqlite3_stmt *stmt,
		      cm_store_row_fn *row_fn, void *ctx, const char *what,
		      struct cm_error *err)
{
	int rc, stop;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if ((stop = row_fn(stmt, ctx)) != 0) {
			sqlite3_reset(stmt);
			return stop;
		}
	}
	if (rc != SQLITE_DONE) {
		cm_error_sqlite(err, store->db, what);
		sqlite3_reset(stmt);
		return -1;
	}
	sqlite3_reset(stmt);
	return 0;
}

/* cm_store_foreach - lock, prepare, one callback per row, unlock */
int cm_store_foreach(struct cm_store *store, enum cm_stmt_id id,
		     const char *sql, cm_store_row_fn *row_fn, void *ctx,
		     const char *what, struct cm_error *err)
{
	sqlite3_stmt *stmt;
	int rc = -1;

	cm_store_lock(store);
	if ((stmt = cm_store_stmt(store, id, sql, err)) != NULL)
		rc = cm_store_each_row(store, stmt, row_fn, ctx, what, err);
	cm_store_unlock(store);
	return rc;
}

/* cm_store_bind_text - bind text or NULL */
int cm_store_bind_text(sqlite3_stmt *stmt, int idx, const char *text)
{
	if (text == NULL)
		return sqlite3_bind_null(stmt, idx);
	return sqlite3_bind_text(stmt, idx, text, -1, SQLITE_TRANSIENT);
}

/* cm_store_column_text - column as text, "" for NULL */
const char *cm_store_column_text(sqlite3_stmt *stmt, int col)
{
	const unsigned char *text = sqlite3_column_text(stmt, col);

	return text ? (const char *) text : "";
}

/* cm_store_begin - BEGIN IMMEDIATE, keeping the lock until the end */
int cm_store_begin(struct cm_store *store, struct cm_error *err)
{
	if (cm_store_writable(store, err) < 0)
		return -1;
	cm_store_lock(store);
	if (store->tx_depth > 0) {
		cm_store_unlock(store);
		cm_error_set(err, CM_ERR_INVALID, 0,
			     "transaction already open (no nesting)");
		return -1;
	}
	if (cm_store_exec(store->db, "BEGIN IMMEDIATE", "begin", err) < 0) {
		cm_store_unlock(store);
		return -1;
	}
	store->tx_depth = 1;
	return 0;
}

/* cm_store_commit - COMMIT; on failure the transaction is rolled back */
int cm_store_commit(struct cm_store *store, struct cm_error *err)
{
	int rc = 0;

	if (store->tx_depth == 0) {
		cm_error_set(err, CM_ERR_INVALID, 0, "commit without begin");
		return -1;
	}
	if (cm_store_exec(store->db, "COMMIT", "commit", err) < 0) {
		if (!sqlite3_get_autocommit(store->db))
			sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
		rc = -1;
	}
	store->tx_depth = 0;
	cm_store_unlock(store);
	return rc;
}

/* cm_store_rollback - ROLLBACK and release the lock */
void cm_store_rollback(struct cm_store *store)
{
	if (store->tx_depth == 0)
		return;
	if (!sqlite3_get_autocommit(store->db))
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
	store->tx_depth = 0;
	cm_store_unlock(store);
}

/* cm_store_fsync_path - fsync a file or directory by name */
static int cm_store_fsync_path(const char *path, int flags,
			       struct cm_error *err)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0) {
		cm_error_errno(err, errno, path);
		return -1;
	}
	if (fsync(fd) < 0) {
		cm_error_errno(err, errno, path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* cm_store_vacuum_into - write a compact copy of db to tmp */
static int cm_store_vacuum_into(struct cm_store *store, const char *tmp,
				struct cm_error *err)
{
	sqlite3_stmt *stmt;
	int rc;

	if (unlink(tmp) < 0 && errno != ENOENT) {
		cm_error_errno(err, errno, tmp);
		return -1;
	}
	if (sqlite3_prepare_v2(store->db, "VACUUM INTO ?1", -1, &stmt,
			       NULL) != SQLITE_OK) {
		cm_error_sqlite(err, store->db, "prepare VACUUM INTO");
		return -1;
	}
	sqlite3_bind_text(stmt, 1, tmp, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE) {
		cm_error_sqlite(err, store->db, tmp);
		sqlite3_finalize(stmt);
		return -1;
	}
	sqlite3_finalize(stmt);
	return 0;
}

/* cm_store_snapshot - VACUUM INTO tmp, fsync, rename, fsync the dir */
static int cm_store_snapshot(struct cm_store *store, struct cm_error *err)
{
	size_t len = strlen(store->path);
	char *tmp, *dir;
	int rc = -1;

	if ((tmp = malloc(len + 5)) == NULL || (dir = strdup(store->path))
	    == NULL)
		abort();
	memcpy(tmp, store->path, len);
	memcpy(tmp + len, ".tmp", 5);
	if (cm_store_vacuum_into(store, tmp, err) < 0
	    || cm_store_fsync_path(tmp, O_RDONLY, err) < 0)
		goto out;
	if (rename(tmp, store->path) < 0) {
		cm_error_errno(err, errno, store->path);
		goto out;
	}
	rc = cm_store_fsync_path(dirname(dir), O_RDONLY | O_DIRECTORY, err);
out:
	if (rc < 0)
		unlink(tmp);
	free(dir);
	free(tmp);
	return rc;
}

/* cm_store_sync - snapshot (in-memory) or checkpoint (disk) */
int cm_store_sync(struct cm_store *store, struct cm_error *err)
{
	int rc;

	if (cm_store_writable(store, err) < 0)
		return -1;
	cm_store_lock(store);
	if (store->tx_depth > 0) {
		cm_store_unlock(store);
		cm_error_set(err, CM_ERR_BUSY, 0, "%s: cannot sync inside "
			     "a transaction", store->path);
		return -1;
	}
	if (store->in_memory) {
		rc = cm_store_snapshot(store, err);
	} else {
		rc = sqlite3_wal_checkpoint_v2(store->db, NULL,
					       SQLITE_CHECKPOINT_PASSIVE,
					       NULL, NULL);
		if (rc != SQLITE_OK) {
			cm_error_sqlite(err, store->db, "WAL checkpoint");
			rc = -1;
		}
	}
	cm_store_unlock(store);
	return rc;
}

/* cm_store_check_pragma - run a check pragma, expect "ok" / no rows */
static int cm_store_check_pragma(struct cm_store *store, const char *sql,
				 const char *ok_text, struct cm_error *err)
{
	sqlite3_stmt *stmt;
	int rc;

	if (sqlite3_prepare_v2(store->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		cm_error_sqlite(err, store->db, sql);
		return -1;
	}
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE && ok_text == NULL) {
		sqlite3_finalize(stmt);
		return 0;
	}
	if (rc == SQLITE_ROW && ok_text != NULL
	    && strcmp(cm_store_column_text(stmt, 0), ok_text) == 0) {
		sqlite3_finalize(stmt);
		return 0;
	}
	if (rc == SQLITE_ROW)
		cm_error_set(err, CM_ERR_SQLITE, SQLITE_CORRUPT, "%s: %s: %s",
			     store->path, sql, cm_store_column_text(stmt, 0));
	else
		cm_error_sqlite(err, store->db, sql);
	sqlite3_finalize(stmt);
	return -1;
}

/* cm_store_check - integrity and foreign key checks */
int cm_store_check(struct cm_store *store, struct cm_error *err)
{
	int rc;

	cm_store_lock(store);
	rc = cm_store_check_pragma(store, "PRAGMA integrity_check", "ok", err);
	if (rc == 0)
		rc = cm_store_check_pragma(store, "PRAGMA foreign_key_check",
					   NULL, err);
	cm_store_unlock(store);
	return rc;
}

/* cm_store_now - unix time (or the fixed test clock) */
int64_t cm_store_now(const struct cm_store *store)
{
	if (store != NULL && store->fixed_now != 0)
		return store->fixed_now;
	return (int64_t) time(NULL);
}

/* cm_store_set_clock - fix the clock for tests (0 = real time) */
void cm_store_set_clock(struct cm_store *store, int64_t fixed_now)
{
	store->fixed_now = fixed_now;
}
