#ifndef CM_QUOTAS_H
#define CM_QUOTAS_H

/*++
 * NAME
 *	cm_quotas 3h
 * SUMMARY
 *	per-user quota rows (max_storage, registration token used)
 * DESCRIPTION
 *	The quotas table records, per user, the storage limit and the
 *	registration token the account was created with. Used bytes are not
 *	stored: the Maildir is the source of truth (see cm_hydrate).
 *--*/

#include <stdint.h>
#include "cm_store.h"

struct cm_quota_row {
	const char *user;	/* valid during the callback / until next call */
	int64_t max_storage;
	const char *used_token;	/* NULL when none */
	int64_t created_at;
};

/* Inserts or updates max_storage (keeps used_token/created_at). */
int cm_quotas_set(struct cm_store *store, const char *user,
		  int64_t max_storage, struct cm_error *err);
/* Records the token an account was registered with (row created with
   max_storage = default_max when absent). */
int cm_quotas_set_token(struct cm_store *store, const char *user,
			const char *token, int64_t default_max,
			struct cm_error *err);
/* 1 found (*max_r set), 0 absent, -1 error. */
int cm_quotas_get(struct cm_store *store, const char *user, int64_t *max_r,
		  struct cm_error *err);
/* 1 deleted, 0 absent, -1 error. */
int cm_quotas_delete(struct cm_store *store, const char *user,
		     struct cm_error *err);
/* Calls fn per row in user order; fn returns 0 to go on, non-zero to
   stop (that value is returned). -1 on error. */
int cm_quotas_foreach(struct cm_store *store,
		      int (*fn)(const struct cm_quota_row *row, void *ctx),
		      void *ctx, struct cm_error *err);

#endif
