#ifndef CM_SETTINGS_H
#define CM_SETTINGS_H

/*++
 * NAME
 *	cm_settings 3h
 * SUMMARY
 *	typed, documented relay settings kept in the store
 * DESCRIPTION
 *	Settings are name/value rows; every known name has a type, a default
 *	and a valid range in one table (cm_settings_defs). Reading a name
 *	that has no row yields its default; writing validates the value and
 *	refuses unknown names. cm_settings_load() fills a snapshot struct the
 *	daemon swaps in whole on reload.
 *--*/

#include <stdint.h>
#include <stddef.h>
#include "cm_error.h"
#include "cm_store.h"

enum cm_setting_type {
	CM_SETTING_INT,		/* decimal, within [min, max]; for unit
				   "bytes" a K/M/G/T suffix (1024-based) */
	CM_SETTING_BOOL,	/* yes/no, true/false, on/off, 1/0 */
	CM_SETTING_ENUM,	/* one of a '|'-separated list */
};

struct cm_setting_def {
	const char *name;
	enum cm_setting_type type;
	const char *default_value;
	int64_t min, max;	/* CM_SETTING_INT */
	const char *choices;	/* CM_SETTING_ENUM, e.g. "accept|reject" */
	const char *unit;	/* "bytes", "seconds", "days", "messages", "" */
	const char *doc;	/* one line for docs and chatmailctl */
	size_t offset;		/* field in struct cm_settings: int64_t for
				   INT, int for BOOL (0/1) and ENUM (index) */
};

extern const struct cm_setting_def cm_settings_defs[];
extern const size_t cm_settings_defs_count;

/* Snapshot of every setting, typed. */
struct cm_settings {
	int64_t max_message_size;
	int64_t default_quota_bytes;
	int64_t flush_interval;
	int64_t max_user_send_per_minute;
	int64_t max_user_send_burst;
	int quota_full_transient;
	int federation_reject_mode;	/* 0 accept (list = deny), 1 reject */
	int64_t delete_mails_after;
	int64_t delete_large_after;
	int64_t delete_large_min_size;
	int64_t delete_inactive_users_after;
};

const struct cm_setting_def *cm_settings_def(const char *name);
/* Pure: checks value against def; on success writes the canonical text
   form (e.g. "yes" for "true") into canon (size >= 32 recommended; may be
   NULL) and returns 0. */
int cm_settings_validate(const struct cm_setting_def *def, const char *value,
			 char *canon, size_t canon_size, struct cm_error *err);
/* Fills every field with its default. */
void cm_settings_defaults(struct cm_settings *settings_r);

/* 0 ok, -1 error. Unknown names and invalid values are CM_ERR_INVALID. */
int cm_settings_set(struct cm_store *store, const char *name,
		    const char *value, struct cm_error *err);
/* Deletes the row so the default applies again. 1 deleted, 0 had none. */
int cm_settings_reset(struct cm_store *store, const char *name,
		      struct cm_error *err);
/* 1 stored value, 0 default used (value_r gets the default), -1 error.
   value_r is malloc'd and owned by the caller. */
int cm_settings_get(struct cm_store *store, const char *name, char **value_r,
		    struct cm_error *err);
int cm_settings_get_int(struct cm_store *store, const char *name,
			int64_t *value_r, struct cm_error *err);
int cm_settings_get_bool(struct cm_store *store, const char *name,
			 int *value_r, struct cm_error *err);
/* A stored value that no longer validates is an error naming the
   setting and the fix (chatmailctl settings set/reset). */
int cm_settings_load(struct cm_store *store, struct cm_settings *settings_r,
		     struct cm_error *err);

#endif
