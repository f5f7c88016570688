/*++
 * NAME
 *	cm_tokens 3
 * SUMMARY
 *	registration tokens
 * DESCRIPTION
 *	See cm_tokens.h. Random tokens come from getrandom(2): 24
 *	characters of [a-z0-9], about 124 bits.
 *--*/

#include "cm_tokens.h"
#include "cm_store_private.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#define CM_TOKEN_RANDOM_LEN 24
#define CM_TOKEN_MAX 256

struct cm_tokens_each {
	int (*fn)(const struct cm_token_row *row, void *ctx);
	void *ctx;
};

/* cm_tokens_random - fill buf with a random token */
static int cm_tokens_random(char *buf, size_t size, struct cm_error *err)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char bytes[64];
	size_t n = 0, i;

	if (size < CM_TOKEN_RANDOM_LEN + 1) {
		cm_error_set(err, CM_ERR_INVALID, 0, "token buffer too small");
		return -1;
	}
	while (n < CM_TOKEN_RANDOM_LEN) {
		if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t) sizeof(bytes)) {
			cm_error_errno(err, errno, "getrandom");
			return -1;
		}
		/* 252 = 7 * 36: reject the tail to stay unbiased. */
		for (i = 0; i < sizeof(bytes) && n < CM_TOKEN_RANDOM_LEN; i++)
			if (bytes[i] < 252)
				buf[n++] = alphabet[bytes[i] % 36];
	}
	buf[n] = '\0';
	return 0;
}

/* cm_tokens_valid - printable ASCII without spaces, 1..256 chars */
static int cm_tokens_valid(const char *token, struct cm_error *err)
{
	size_t len = strlen(token), i;

	for (i = 0; i < len; i++)
		if ((unsigned char) token[i] <= ' '
		    || (unsigned char) token[i] >= 0x7f)
			break;
	if (len == 0 || len > CM_TOKEN_MAX || i < len) {
		cm_error_set(err, CM_ERR_INVALID, 0, "a token is 1 to %d "
			     "printable characters without spaces",
			     CM_TOKEN_MAX);
		return -1;
	}
	return 0;
}

/* cm_tokens_create - add a token (random when token is NULL) */
int cm_tokens_create(struct cm_store *store, const char *token,
		     int64_t max_uses, int64_t expires_at,
		     char *buf, size_t size, struct cm_error *err)
{
	char random_token[CM_TOKEN_RANDOM_LEN + 1];
	sqlite3_stmt *stmt;
	int rc = -1;

	if (max_uses < 0 || expires_at < 0) {
		cm_error_set(err, CM_ERR_INVALID, 0, "max_uses and expires_at "
			     "must not be negative (0 = unlimited / never)");
		return -1;
	}
	if (token == NULL) {
		if (cm_tokens_random(random_token, sizeof(random_token),
				     err) < 0)
			return -1;
		token = random_token;
	}
	if (cm_tokens_valid(token, err) < 0 || cm_store_writable(store, err) < 0)
		return -1;
	cm_store_lock(store);
	stmt = cm_store_stmt(store, CM_STMT_TOKENS_CREATE,
			     "INSERT INTO registration_tokens (token, max_uses,"
			     " uses, expires_at, created_at)"
			     " VALUES (?1, ?2, 0, ?3, ?4)", err);
	if (stmt != NULL) {
		cm_store_bind_text(stmt, 1, token);
		sqlite3_bind_int64(stmt, 2, max_uses);
		sqlite3_bind_int64(stmt, 3, expires_at);
		sqlite3_bind_int64(stmt, 4, cm_store_now(store));
		rc = cm_store_step_done(store, stmt, "create token", err);
		if (rc < 0 && err != NULL && err->sys_code
		    == SQLITE_CONSTRAINT_PRIMARYKEY)
			cm_error_set(err, CM_ERR_INVALID, err->sys_code,
				     "token '%.64s' already exists", token);
	}
	cm_store_unlock(store);
	if (rc == 0 && buf != NULL)
		snprintf(buf, size, "%s", token);
	return rc;
}

/* cm_tokens_why - explain why a token cannot be used */
static const char *cm_tokens_why(struct cm_store *store, const char *token,
				 struct cm_error *err)
{
	sqlite3_stmt *stmt;
	const char *why = NULL;
	int step;

	stmt = cm_store_stmt(store, CM_STMT_TOKENS_GET,
			     "SELECT max_uses, uses, expires_at FROM"
			     " registration_tokens WHERE token = ?1", err);
	if (stmt == NULL)
		return NULL;
	cm_store_bind_text(stmt, 1, token);
	step = sqlite3_step(stmt);
	if (step == SQLITE_DONE)
		why = "unknown token";
	else if (step != SQLITE_ROW)
		cm_error_sqlite(err, store->db, "look up token");
	else if (sqlite3_column_int64(stmt, 2) != 0
		 && sqlite3_column_int64(stmt, 2) <= cm_store_now(store))
		why = "token expired";
	else
		why = "token used up";
	sqlite3_reset(stmt);
	return why;
}

/* cm_tokens_use - count one use if the token is valid now */
int cm_tokens_use(struct cm_store *store, const char *token,
		  const char **why_r, struct cm_error *err)
{
	sqlite3_stmt *stmt;
	int rc = -1;

	*why_r = NULL;
	if (cm_store_writable(store, err) < 0)
		return -1;
	cm_store_lock(store);
	stmt = cm_store_stmt(store, CM_STMT_TOKENS_USE,
			     "UPDATE registration_tokens SET uses = uses + 1"
			     " WHERE token = ?1"
			     " AND (max_uses = 0 OR uses < max_uses)"
			     " AND (expires_at = 0 OR expires_at > ?2)", err);
	if (stmt != NULL) {
		cm_store_bind_text(stmt, 1, token);
		sqlite3_bind_int64(stmt, 2, cm_store_now(store));
		rc = cm_store_step_changes(store, stmt, "use token", err);
	}
	if (rc == 0 && (*why_r = cm_tokens_why(store, token, err)) == NULL)
		rc = -1;
	cm_store_unlock(store);
	return rc;
}

/* cm_tokens_revoke - delete a token */
int cm_tokens_revoke(struct cm_store *store, const char *token,
		     struct cm_error *err)
{
	sqlite3_stmt *stmt;
	int rc = -1;

	if (cm_store_writable(store, err) < 0)
		return -1;
	cm_store_lock(store);
	stmt = cm_store_stmt(store, CM_STMT_TOKENS_DEL,
			     "DELETE FROM registration_tokens WHERE token = ?1",
			     err);
	if (stmt != NULL) {
		cm_store_bind_text(stmt, 1, token);
		rc = cm_store_step_changes(store, stmt, "revoke token", err);
	}
	cm_store_unlock(store);
	return rc;
}

/* cm_tokens_row - one result row to the caller's callback */
static int cm_tokens_row(sqlite3_stmt *stmt, void *ctx)
{
	struct cm_tokens_each *each = ctx;
	struct cm_token_row row;

	row.token = cm_store_column_text(stmt, 0);
	row.max_uses = sqlite3_column_int64(stmt, 1);
	row.uses = sqlite3_column_int64(stmt, 2);
	row.expires_at = sqlite3_column_int64(stmt, 3);
	row.created_at = sqlite3_column_int64(stmt, 4);
	return each->fn(&row, each->ctx);
}

/* cm_tokens_foreach - every token, oldest first */
int cm_tokens_foreach(struct cm_store *store,
		      int (*fn)(const struct cm_token_row *row, void *ctx),
		      void *ctx, struct cm_error *err)
{
	struct cm_tokens_each each = { fn, ctx };

	return cm_store_foreach(store, CM_STMT_TOKENS_ALL,
				"SELECT token, max_uses, uses, expires_at,"
				" created_at FROM registration_tokens"
				" ORDER BY created_at, token",
				cm_tokens_row, &each, "list tokens", err);
}
