/*++
 * NAME
 *	cm_settings 3
 * SUMMARY
 *	typed, documented relay settings kept in the store
 * DESCRIPTION
 *	cm_settings_defs is the one list of settings: doc/settings.md and
 *	"chatmailctl settings list" are made from it. Values are stored in
 *	canonical text form (plain decimal, "yes"/"no", the enum word).
 *--*/

#include "cm_settings.h"
#include "cm_store_private.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CM_DAYS_MAX 36500
#define CM_INT(name, def, min, max, unit, field, doc) \
	{ name, CM_SETTING_INT, def, min, max, NULL, unit, doc, \
	  offsetof(struct cm_settings, field) }
#define CM_BOOL(name, def, field, doc) \
	{ name, CM_SETTING_BOOL, def, 0, 1, NULL, "", doc, \
	  offsetof(struct cm_settings, field) }
#define CM_ENUM(name, def, choices, field, doc) \
	{ name, CM_SETTING_ENUM, def, 0, 0, choices, "", doc, \
	  offsetof(struct cm_settings, field) }

const struct cm_setting_def cm_settings_defs[] = {
	CM_INT("max_message_size", "31457280", 1024, INT64_C(1) << 40,
	       "bytes", max_message_size,
	       "largest message accepted; bigger ones get 552 5.3.4"),
	CM_INT("default_quota_bytes", "1073741824", 0, INT64_MAX, "bytes",
	       default_quota_bytes,
	       "storage limit of users without a quota row (0 = unlimited)"),
	CM_INT("flush_interval", "30", 1, 86400, "seconds", flush_interval,
	       "how often counters and federation stats are written to "
	       "the database"),
	CM_INT("max_user_send_per_minute", "60", 0, 1000000, "messages",
	       max_user_send_per_minute,
	       "messages an authenticated user may send per minute "
	       "(0 = no limit); more get 450 4.7.1"),
	CM_INT("max_user_send_burst", "10", 1, 1000000, "messages",
	       max_user_send_burst,
	       "messages a user may send at once before the per-minute "
	       "rate applies"),
	CM_BOOL("quota_full_transient", "no", quota_full_transient,
		"answer a full mailbox with 452 4.2.2 (retry) instead of "
		"552 5.2.2"),
	CM_ENUM("federation_mode", "accept", "accept|reject",
		federation_reject_mode,
		"accept: listed domains are refused; reject: only listed "
		"domains are accepted"),
	CM_INT("delete_mails_after", "20", 0, CM_DAYS_MAX, "days",
	       delete_mails_after,
	       "retention: delete messages older than this (0 = never)"),
	CM_INT("delete_large_after", "7", 0, CM_DAYS_MAX, "days",
	       delete_large_after,
	       "retention: delete seen messages over delete_large_min_size "
	       "older than this (0 = never)"),
	CM_INT("delete_large_min_size", "204800", 0, INT64_MAX, "bytes",
	       delete_large_min_size,
	       "what delete_large_after counts as large"),
	CM_INT("delete_inactive_users_after", "90", 0, CM_DAYS_MAX, "days",
	       delete_inactive_users_after,
	       "retention: remove accounts not logged in for this long "
	       "(0 = never)"),
};
const size_t cm_settings_defs_count =
	sizeof(cm_settings_defs) / sizeof(cm_settings_defs[0]);

/* cm_settings_def - look a setting up by name; NULL if unknown */
const struct cm_setting_def *cm_settings_def(const char *name)
{
	size_t i;

	for (i = 0; i < cm_settings_defs_count; i++)
		if (strcmp(cm_settings_defs[i].name, name) == 0)
			return &cm_settings_defs[i];
	return NULL;
}

/* cm_settings_parse_int - decimal with optional 1024-based size suffix */
static int cm_settings_parse_int(const struct cm_setting_def *def,
				 const char *value, int64_t *num_r,
				 struct cm_error *err)
{
	const char *p = value;
	int64_t num = 0, mult = 1;

	if (!isdigit((unsigned char) *p))
		goto bad;
	for (; isdigit((unsigned char) *p); p++) {
		if (num > (INT64_MAX - (*p - '0')) / 10)
			goto range;
		num = num * 10 + (*p - '0');
	}
	if (*p != '\0' && strcmp(def->unit, "bytes") == 0 && p[1] == '\0') {
		switch (tolower((unsigned char) *p++)) {
		case 'k': mult = INT64_C(1) << 10; break;
		case 'm': mult = INT64_C(1) << 20; break;
		case 'g': mult = INT64_C(1) << 30; break;
		case 't': mult = INT64_C(1) << 40; break;
		default: goto bad;
		}
		if (num > INT64_MAX / mult)
			goto range;
		num *= mult;
	}
	if (*p != '\0')
		goto bad;
	if (num < def->min || num > def->max)
		goto range;
	*num_r = num;
	return 0;
bad:
	cm_error_set(err, CM_ERR_INVALID, 0, "%s: '%.64s' is not a whole "
		     "number of %s%s", def->name, value, def->unit,
		     strcmp(def->unit, "bytes") == 0
		     ? " (K, M, G, T suffixes allowed)" : "");
	return -1;
range:
	cm_error_set(err, CM_ERR_INVALID, 0, "%s: '%.64s' is out of range "
		     "(%lld..%lld %s)", def->name, value, (long long) def->min,
		     (long long) def->max, def->unit);
	return -1;
}

/* cm_settings_parse_bool - yes/no and friends */
static int cm_settings_parse_bool(const struct cm_setting_def *def,
				  const char *value, int *bool_r,
				  struct cm_error *err)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(value, yes[i]) == 0) {
			*bool_r = 1;
			return 0;
		}
		if (strcasecmp(value, no[i]) == 0) {
			*bool_r = 0;
			return 0;
		}
	}
	cm_error_set(err, CM_ERR_INVALID, 0, "%s: '%.64s' is not yes or no",
		     def->name, value);
	return -1;
}

/* cm_settings_parse_enum - index of value in the '|' list */
static int cm_settings_parse_enum(const struct cm_setting_def *def,
				  const char *value, int *index_r,
				  struct cm_error *err)
{
	const char *p = def->choices, *end;
	size_t len = strlen(value);
	int index = 0;

	for (;; index++) {
		end = strchr(p, '|');
		if (end == NULL)
			end = p + strlen(p);
		if ((size_t) (end - p) == len && strncmp(p, value, len) == 0) {
			*index_r = index;
			return 0;
		}
		if (*end == '\0')
			break;
		p = end + 1;
	}
	cm_error_set(err, CM_ERR_INVALID, 0, "%s: '%.64s' is not one of %s",
		     def->name, value, def->choices);
	return -1;
}

/* cm_settings_enum_word - the canonical text of enum choice index */
static void cm_settings_enum_word(const struct cm_setting_def *def, int index,
				  char *buf, size_t size)
{
	const char *p = def->choices, *end;

	while (index-- > 0)
		p = strchr(p, '|') + 1;
	end = strchr(p, '|');
	snprintf(buf, size, "%.*s", (int) (end ? end - p : (long) strlen(p)),
		 p);
}

/* cm_settings_decode - validate value and store it into the snapshot */
static int cm_settings_decode(const struct cm_setting_def *def,
			      const char *value, char *canon,
			      size_t canon_size, struct cm_settings *out,
			      struct cm_error *err)
{
	int64_t num;
	int flag = 0;

	switch (def->type) {
	case CM_SETTING_INT:
		if (cm_settings_parse_int(def, value, &num, err) < 0)
			return -1;
		if (canon != NULL)
			snprintf(canon, canon_size, "%lld", (long long) num);
		if (out != NULL)
			memcpy((char *) out + def->offset, &num, sizeof(num));
		return 0;
	case CM_SETTING_BOOL:
		if (cm_settings_parse_bool(def, value, &flag, err) < 0)
			return -1;
		if (canon != NULL)
			snprintf(canon, canon_size, "%s", flag ? "yes" : "no");
		break;
	case CM_SETTING_ENUM:
		if (cm_settings_parse_enum(def, value, &flag, err) < 0)
			return -1;
		if (canon != NULL)
			cm_settings_enum_word(def, flag, canon, canon_size);
		break;
	}
	if (out != NULL)
		memcpy((char *) out + def->offset, &flag, sizeof(flag));
	return 0;
}

/* cm_settings_validate - check a value against its definition */
int cm_settings_validate(const struct cm_setting_def *def, const char *value,
			 char *canon, size_t canon_size, struct cm_error *err)
{
	return cm_settings_decode(def, value, canon, canon_size, NULL, err);
}

/* cm_settings_defaults - every field at its documented default */
void cm_settings_defaults(struct cm_settings *settings_r)
{
	size_t i;

	memset(settings_r, 0, sizeof(*settings_r));
	for (i = 0; i < cm_settings_defs_count; i++)
		if (cm_settings_decode(&cm_settings_defs[i],
				       cm_settings_defs[i].default_value,
				       NULL, 0, settings_r, NULL) < 0)
			abort();	/* a broken default is a build bug */
}

/* cm_settings_known - look up name or fail naming the known ones */
static const struct cm_setting_def *cm_settings_known(const char *name,
						      struct cm_error *err)
{
	const struct cm_setting_def *def = cm_settings_def(name);

	if (def == NULL)
		cm_error_set(err, CM_ERR_INVALID, 0, "unknown setting '%.64s' "
			     "(chatmailctl settings list shows them all)",
			     name);
	return def;
}

/* cm_settings_set - validate and store a value */
int cm_settings_set(struct cm_store *store, const char *name,
		    const char *value, struct cm_error *err)
{
	const struct cm_setting_def *def;
	sqlite3_stmt *stmt;
	char canon[64];
	int rc = -1;

	if ((def = cm_settings_known(name, err)) == NULL
	    || cm_settings_validate(def, value, canon, sizeof(canon), err) < 0
	    || cm_store_writable(store, err) < 0)
		return -1;
	cm_store_lock(store);
	stmt = cm_store_stmt(store, CM_STMT_SETTINGS_SET,
			     "INSERT INTO settings (name, value, updated_at) "
			     "VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE "
			     "SET value = ?2, updated_at = ?3", err);
	if (stmt != NULL) {
		sqlite3_bind_text(stmt, 1, def->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, canon, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(stmt, 3, cm_store_now(store));
		rc = cm_store_step_done(store, stmt, "set setting", err);
	}
	cm_store_unlock(store);
	return rc;
}

/* cm_settings_reset - drop the stored value so the default applies */
int cm_settings_reset(struct cm_store *store, const char *name,
		      struct cm_error *err)
{
	sqlite3_stmt *stmt;
	int rc = -1;

	if (cm_settings_known(name, err) == NULL
	    || cm_store_writable(store, err) < 0)
		return -1;
	cm_store_lock(store);
	stmt = cm_store_stmt(store, CM_STMT_SETTINGS_DEL,
			     "DELETE FROM settings WHERE name = ?1", err);
	if (stmt != NULL) {
		sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
		if (cm_store_step_done(store, stmt, "reset setting", err) == 0)
			rc = sqlite3_changes(store->db) > 0 ? 1 : 0;
	}
	cm_store_unlock(store);
	return rc;
}

/* cm_settings_get - stored text (1) or the default (0) */
int cm_settings_get(struct cm_store *store, const char *name, char **value_r,
		    struct cm_error *err)
{
	const struct cm_setting_def *def;
	sqlite3_stmt *stmt;
	int rc = -1, step;

	*value_r = NULL;
	if ((def = cm_settings_known(name, err)) == NULL)
		return -1;
	cm_store_lock(store);
	stmt = cm_store_stmt(store, CM_STMT_SETTINGS_GET,
			     "SELECT value FROM settings WHERE name = ?1", err);
	if (stmt != NULL) {
		sqlite3_bind_text(stmt, 1, def->name, -1, SQLITE_STATIC);
		step = sqlite3_step(stmt);
		if (step == SQLITE_ROW) {
			*value_r = strdup(cm_store_column_text(stmt, 0));
			rc = 1;
		} else if (step == SQLITE_DONE) {
			*value_r = strdup(def->default_value);
			rc = 0;
		} else {
			cm_error_sqlite(err, store->db, "get setting");
		}
		sqlite3_reset(stmt);
		if (rc >= 0 && *value_r == NULL)
			abort();
	}
	cm_store_unlock(store);
	return rc;
}

/* cm_settings_get_typed - get + decode into a scratch snapshot */
static int cm_settings_get_typed(struct cm_store *store, const char *name,
				 enum cm_setting_type type,
				 struct cm_settings *tmp, struct cm_error *err)
{
	const struct cm_setting_def *def;
	char *value;
	int rc;

	if ((def = cm_settings_known(name, err)) == NULL)
		return -1;
	if (def->type != type) {
		cm_error_set(err, CM_ERR_INVALID, 0, "setting %s has "
			     "another type", name);
		return -1;
	}
	if ((rc = cm_settings_get(store, name, &value, err)) < 0)
		return -1;
	if (cm_settings_decode(def, value, NULL, 0, tmp, err) < 0) {
		cm_error_set(err, CM_ERR_INVALID, 0, "stored setting %s = "
			     "'%.64s' is invalid; fix it with: chatmailctl "
			     "settings set %s VALUE (or settings reset %s)",
			     name, value, name, name);
		rc = -1;
	}
	free(value);
	return rc;
}

/* cm_settings_get_int - an INT setting */
int cm_settings_get_int(struct cm_store *store, const char *name,
			int64_t *value_r, struct cm_error *err)
{
	struct cm_settings tmp;
	int rc = cm_settings_get_typed(store, name, CM_SETTING_INT, &tmp, err);

	if (rc >= 0)
		memcpy(value_r, (char *) &tmp + cm_settings_def(name)->offset,
		       sizeof(*value_r));
	return rc;
}

/* cm_settings_get_bool - a BOOL setting */
int cm_settings_get_bool(struct cm_store *store, const char *name,
			 int *value_r, struct cm_error *err)
{
	struct cm_settings tmp;
	int rc = cm_settings_get_typed(store, name, CM_SETTING_BOOL, &tmp,
				       err);

	if (rc >= 0)
		memcpy(value_r, (char *) &tmp + cm_settings_def(name)->offset,
		       sizeof(*value_r));
	return rc;
}

/* cm_settings_load - the whole snapshot */
int cm_settings_load(struct cm_store *store, struct cm_settings *settings_r,
		     struct cm_error *err)
{
	struct cm_settings snap;
	size_t i;

	cm_settings_defaults(&snap);
	for (i = 0; i < cm_settings_defs_count; i++)
		if (cm_settings_get_typed(store, cm_settings_defs[i].name,
					  cm_settings_defs[i].type, &snap,
					  err) < 0)
			return -1;
	*settings_r = snap;
	return 0;
}
