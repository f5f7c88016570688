/*++
 * NAME
 *	cm_federation 3
 * SUMMARY
 *	federation policy lists and per-domain statistics rows
 * DESCRIPTION
 *	See cm_federation.h. The statistics upsert saturates at INT64_MAX
 *	(SQLite would otherwise turn an overflowing sum into a REAL).
 *--*/

#include "cm_federation.h"
#include "cm_store_private.h"

#include <ctype.h>
#include <string.h>

#define CM_DOMAIN_MAX 255

static const char *const cm_federation_lists[] = { "listed", "silent_dismiss" };
static const char *const cm_federation_dirs[] = { "in", "out" };

struct cm_federation_each {
	int (*policy_fn)(const struct cm_fed_policy_row *row, void *ctx);
	int (*stats_fn)(const struct cm_fed_stats_row *row, void *ctx);
	void *ctx;
};

/* cm_federation_normalize - lowercase, strip IP-literal brackets */
int cm_federation_normalize(const char *domain, char *buf, size_t size,
			    struct cm_error *err)
{
	size_t len = strlen(domain), i;
	const char *start = domain;

	if (len >= 2 && domain[0] == '[' && domain[len - 1] == ']') {
		start++;
		len -= 2;
	}
	if (len == 0 || len > CM_DOMAIN_MAX || len + 1 > size) {
		cm_error_set(err, CM_ERR_INVALID, 0, "'%.64s' is not a domain "
			     "(1 to %d characters)", domain, CM_DOMAIN_MAX);
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char) start[i];

		if (c <= ' ' || c == 0x7f || c == '@' || c == '/' || c == '['
		    || c == ']') {
			cm_error_set(err, CM_ERR_INVALID, 0, "domain '%.64s' "
				     "contains a space, control character or "
				     "one of @ / [ ]", domain);
			return -1;
		}
		buf[i] = (char) tolower(c);
	}
	buf[len] = '\0';
	return 0;
}

/* cm_federation_list_parse - "listed" | "silent_dismiss" */
int cm_federation_list_parse(const char *text, enum cm_fed_list *list_r)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (strcmp(text, cm_federation_lists[i]) == 0) {
			*list_r = (enum cm_fed_list) i;
			return 0;
		}
	}
	return -1;
}

/* cm_federation_list_name - enum to word */
const char *cm_federation_list_name(enum cm_fed_list list)
{
	return (unsigned) list < 2 ? cm_federation_lists[list] : "unknown";
}

/* cm_federation_change - run the add or delete statement */
static int cm_federation_change(struct cm_store *store, enum cm_stmt_id id,
				const char *sql, enum cm_fed_list list,
				const char *domain, struct cm_error *err)
{
	sqlite3_stmt *stmt;
	char norm[CM_DOMAIN_MAX + 1];
	int rc = -1;

	if ((unsigned) list >= 2) {
		cm_error_set(err, CM_ERR_INVALID, 0, "unknown federation list");
		return -1;
	}
	if (cm_federation_normalize(domain, norm, sizeof(norm), err) < 0
	    || cm_store_writable(store, err) < 0)
		return -1;
	cm_store_lock(store);
	if ((stmt = cm_store_stmt(store, id, sql, err)) != NULL) {
		sqlite3_bind_text(stmt, 1, cm_federation_lists[list], -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, norm, -1, SQLITE_TRANSIENT);
		if (id == CM_STMT_FED_ADD)
			sqlite3_bind_int64(stmt, 3, cm_store_now(store));
		rc = cm_store_step_changes(store, stmt,
					   "change federation policy", err);
	}
	cm_store_unlock(store);
	return rc;
}

/* cm_federation_add - put a domain on a list */
int cm_federation_add(struct cm_store *store, enum cm_fed_list list,
		      const char *domain, struct cm_error *err)
{
	return cm_federation_change(store, CM_STMT_FED_ADD,
				    "INSERT INTO federation_policy (list, domain,"
				    " created_at) VALUES (?1, ?2, ?3)"
				    " ON CONFLICT DO NOTHING", list, domain,
				    err);
}

/* cm_federation_del - take a domain off a list */
int cm_federation_del(struct cm_store *store, enum cm_fed_list list,
		      const char *domain, struct cm_error *err)
{
	return cm_federation_change(store, CM_STMT_FED_DEL,
				    "DELETE FROM federation_policy WHERE"
				    " list = ?1 AND domain = ?2", list, domain,
				    err);
}

/* cm_federation_policy_row - one policy row to the callback */
static int cm_federation_policy_row(sqlite3_stmt *stmt, void *ctx)
{
	struct cm_federation_each *each = ctx;
	struct cm_fed_policy_row row;

	if (cm_federation_list_parse(cm_store_column_text(stmt, 0),
				     &row.list) < 0)
		return 0;	/* CHECK constraint makes this unreachable */
	row.domain = cm_store_column_text(stmt, 1);
	row.created_at = sqlite3_column_int64(stmt, 2);
	return each->policy_fn(&row, each->ctx);
}

/* cm_federation_foreach - every listed domain, by list then domain */
int cm_federation_foreach(struct cm_store *store,
			  int (*fn)(const struct cm_fed_policy_row *row,
				    void *ctx),
			  void *ctx, struct cm_error *err)
{
	struct cm_federation_each each = { fn, NULL, ctx };

	return cm_store_foreach(store, CM_STMT_FED_ALL,
				"SELECT list, domain, created_at FROM"
				" federation_policy ORDER BY list, domain",
				cm_federation_policy_row, &each,
				"list federation policy", err);
}

/* cm_federation_stats_add - add a delta to a (domain, direction) row */
int cm_federation_stats_add(struct cm_store *store,
			    const struct cm_hot_fed_delta *delta,
			    struct cm_error *err)
{
	sqlite3_stmt *stmt;
	int rc = -1;

	if ((unsigned) delta->dir > 1 || delta->messages < 0
	    || delta->rejections < 0 || delta->domain == NULL) {
		cm_error_set(err, CM_ERR_INVALID, 0, "invalid federation delta");
		return -1;
	}
	if (cm_store_writable(store, err) < 0)
		return -1;
	cm_store_lock(store);
	stmt = cm_store_stmt(store, CM_STMT_FEDSTATS_ADD,
			     "INSERT INTO federation_stats (domain, direction,"
			     " messages, rejections, last_seen)"
			     " VALUES (?1, ?2, ?3, ?4, ?5)"
			     " ON CONFLICT (domain, direction) DO UPDATE SET "
			     CM_SAT_SQL("messages", "?3") ", "
			     CM_SAT_SQL("rejections", "?4") ", "
			     "last_seen = max(last_seen, ?5)", err);
	if (stmt != NULL) {
		cm_store_bind_text(stmt, 1, delta->domain);
		sqlite3_bind_text(stmt, 2, cm_federation_dirs[delta->dir], -1,
				  SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 3, delta->messages);
		sqlite3_bind_int64(stmt, 4, delta->rejections);
		sqlite3_bind_int64(stmt, 5, delta->last_seen);
		rc = cm_store_step_done(store, stmt, "add federation stats",
					err);
	}
	cm_store_unlock(store);
	return rc;
}

/* cm_federation_stats_row - one stats row to the callback */
static int cm_federation_stats_row(sqlite3_stmt *stmt, void *ctx)
{
	struct cm_federation_each *each = ctx;
	struct cm_fed_stats_row row;

	row.domain = cm_store_column_text(stmt, 0);
	row.dir = strcmp(cm_store_column_text(stmt, 1), "out") == 0
	    ? CM_FED_OUT : CM_FED_IN;
	row.messages = sqlite3_column_int64(stmt, 2);
	row.rejections = sqlite3_column_int64(stmt, 3);
	row.last_seen = sqlite3_column_int64(stmt, 4);
	return each->stats_fn(&row, each->ctx);
}

/* cm_federation_stats_foreach - every stats row, by domain */
int cm_federation_stats_foreach(struct cm_store *store,
				int (*fn)(const struct cm_fed_stats_row *row,
					  void *ctx),
				void *ctx, struct cm_error *err)
{
	struct cm_federation_each each = { NULL, fn, ctx };

	return cm_store_foreach(store, CM_STMT_FEDSTATS_ALL,
				"SELECT domain, direction, messages, rejections,"
				" last_seen FROM federation_stats"
				" ORDER BY domain, direction",
				cm_federation_stats_row, &each,
				"list federation stats", err);
}
