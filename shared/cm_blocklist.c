/*++
 * NAME
 *	cm_blocklist 3
 * SUMMARY
 *	blocked addresses, domains and IP ranges
 * DESCRIPTION
 *	See cm_blocklist.h. Matching requests against the list is the
 *	daemon's job (in RAM); this module validates and stores entries.
 *--*/

#include "cm_blocklist.h"
#include "cm_cidr.h"
#include "cm_federation.h"
#include "cm_store_private.h"

#include <ctype.h>
#include <string.h>
#include <stdio.h>

#define CM_ADDRESS_MAX 320

static const char *const cm_blocklist_kinds[] = { "address", "domain", "ip" };

struct cm_blocklist_each {
	int (*fn)(const struct cm_block_row *row, void *ctx);
	void *ctx;
};

/* cm_blocklist_kind_parse - kind word to enum */
int cm_blocklist_kind_parse(const char *text, enum cm_block_kind *kind_r)
{
	int i;

	for (i = 0; i < 3; i++) {
		if (strcmp(text, cm_blocklist_kinds[i]) == 0) {
			*kind_r = (enum cm_block_kind) i;
			return 0;
		}
	}
	return -1;
}

/* cm_blocklist_kind_name - enum to kind word */
const char *cm_blocklist_kind_name(enum cm_block_kind kind)
{
	return (unsigned) kind < 3 ? cm_blocklist_kinds[kind] : "unknown";
}

/* cm_blocklist_address - lowercase local@domain, domain normalised */
static int cm_blocklist_address(const char *value, char *buf, size_t size,
				struct cm_error *err)
{
	const char *at = strrchr(value, '@');
	char domain[256];
	size_t local_len, i;

	if (at == NULL || at == value || strlen(value) > CM_ADDRESS_MAX) {
		cm_error_set(err, CM_ERR_INVALID, 0, "'%.64s' is not an "
			     "address of the form user@domain", value);
		return -1;
	}
	local_len = (size_t) (at - value);
	for (i = 0; i < local_len; i++) {
		if ((unsigned char) value[i] <= ' ' || value[i] == 0x7f) {
			cm_error_set(err, CM_ERR_INVALID, 0, "address "
				     "'%.64s' contains a space or control "
				     "character", value);
			return -1;
		}
	}
	if (cm_federation_normalize(at + 1, domain, sizeof(domain), err) < 0)
		return -1;
	if (local_len + 1 + strlen(domain) + 1 > size) {
		cm_error_set(err, CM_ERR_INVALID, 0, "address too long");
		return -1;
	}
	for (i = 0; i < local_len; i++)
		buf[i] = (char) tolower((unsigned char) value[i]);
	buf[local_len] = '@';
	strcpy(buf + local_len + 1, domain);
	return 0;
}

/* cm_blocklist_bad_cidr - explain a refused range, naming the network
   when only host bits were wrong */
static int cm_blocklist_bad_cidr(const char *value, const char *why,
				 struct cm_error *err)
{
	struct cm_cidr cidr;
	const char *why2;
	char net[64];

	if (cm_cidr_parse(value, 0, &cidr, &why2) == 0) {
		cm_cidr_format(&cidr, net, sizeof(net));
		cm_error_set(err, CM_ERR_INVALID, 0, "'%.64s': %s; did you "
			     "mean %s?", value, why, net);
	} else {
		cm_error_set(err, CM_ERR_INVALID, 0, "'%.64s' is not an IP "
			     "address or CIDR range: %s", value, why);
	}
	return -1;
}

/* cm_blocklist_normalize - canonical form of value for kind */
int cm_blocklist_normalize(enum cm_block_kind kind, const char *value,
			   char *buf, size_t size, struct cm_error *err)
{
	struct cm_cidr cidr;
	const char *why;

	switch (kind) {
	case CM_BLOCK_ADDRESS:
		return cm_blocklist_address(value, buf, size, err);
	case CM_BLOCK_DOMAIN:
		return cm_federation_normalize(value, buf, size, err);
	case CM_BLOCK_IP:
		if (cm_cidr_parse(value, 1, &cidr, &why) < 0)
			return cm_blocklist_bad_cidr(value, why, err);
		cm_cidr_format(&cidr, buf, size);
		return 0;
	}
	cm_error_set(err, CM_ERR_INVALID, 0, "unknown blocklist kind %d",
		     (int) kind);
	return -1;
}

/* cm_blocklist_bind_key - bind kind and normalised value as ?1, ?2 */
static void cm_blocklist_bind_key(sqlite3_stmt *stmt, enum cm_block_kind kind,
				  const char *norm)
{
	sqlite3_bind_text(stmt, 1, cm_blocklist_kind_name(kind), -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, norm, -1, SQLITE_TRANSIENT);
}

/* cm_blocklist_add - add (or re-reason) an entry */
int cm_blocklist_add(struct cm_store *store, enum cm_block_kind kind,
		     const char *value, const char *reason,
		     struct cm_error *err)
{
	sqlite3_stmt *stmt;
	char norm[CM_ADDRESS_MAX + 2];
	int rc = -1;

	if (cm_blocklist_normalize(kind, value, norm, sizeof(norm), err) < 0
	    || cm_store_writable(store, err) < 0)
		return -1;
	cm_store_lock(store);
	stmt = cm_store_stmt(store, CM_STMT_BLOCK_ADD,
			     "INSERT INTO blocklist (kind, value, reason,"
			     " created_at) VALUES (?1, ?2, ?3, ?4)"
			     " ON CONFLICT (kind, value) DO NOTHING", err);
	if (stmt != NULL) {
		cm_blocklist_bind_key(stmt, kind, norm);
		cm_store_bind_text(stmt, 3, reason ? reason : "");
		sqlite3_bind_int64(stmt, 4, cm_store_now(store));
		rc = cm_store_step_changes(store, stmt, "add blocklist entry",
					   err);
	}
	if (rc == 0 && (stmt = cm_store_stmt(store, CM_STMT_BLOCK_REASON,
			"UPDATE blocklist SET reason = ?3 WHERE kind = ?1"
			" AND value = ?2", err)) != NULL) {
		cm_blocklist_bind_key(stmt, kind, norm);
		cm_store_bind_text(stmt, 3, reason ? reason : "");
		if (cm_store_step_done(store, stmt, "update blocklist reason",
				       err) < 0)
			rc = -1;
	} else if (rc == 0) {
		rc = -1;
	}
	cm_store_unlock(store);
	return rc;
}

/* cm_blocklist_del - remove an entry */
int cm_blocklist_del(struct cm_store *store, enum cm_block_kind kind,
		     const char *value, struct cm_error *err)
{
	sqlite3_stmt *stmt;
	char norm[CM_ADDRESS_MAX + 2];
	int rc = -1;

	if (cm_blocklist_normalize(kind, value, norm, sizeof(norm), err) < 0
	    || cm_store_writable(store, err) < 0)
		return -1;
	cm_store_lock(store);
	stmt = cm_store_stmt(store, CM_STMT_BLOCK_DEL,
			     "DELETE FROM blocklist WHERE kind = ?1 AND"
			     " value = ?2", err);
	if (stmt != NULL) {
		cm_blocklist_bind_key(stmt, kind, norm);
		rc = cm_store_step_changes(store, stmt,
					   "delete blocklist entry", err);
	}
	cm_store_unlock(store);
	return rc;
}

/* cm_blocklist_row - one result row to the caller's callback */
static int cm_blocklist_row(sqlite3_stmt *stmt, void *ctx)
{
	struct cm_blocklist_each *each = ctx;
	struct cm_block_row row;

	if (cm_blocklist_kind_parse(cm_store_column_text(stmt, 0),
				    &row.kind) < 0)
		return 0;	/* CHECK constraint makes this unreachable */
	row.value = cm_store_column_text(stmt, 1);
	row.reason = cm_store_column_text(stmt, 2);
	row.created_at = sqlite3_column_int64(stmt, 3);
	return each->fn(&row, each->ctx);
}

/* cm_blocklist_foreach - every entry, by kind then value */
int cm_blocklist_foreach(struct cm_store *store,
			 int (*fn)(const struct cm_block_row *row, void *ctx),
			 void *ctx, struct cm_error *err)
{
	struct cm_blocklist_each each = { fn, ctx };

	return cm_store_foreach(store, CM_STMT_BLOCK_ALL,
				"SELECT kind, value, reason, created_at FROM"
				" blocklist ORDER BY kind, value",
				cm_blocklist_row, &each, "list blocklist", err);
}
