#ifndef CM_HYDRATE_H
#define CM_HYDRATE_H

/*++
 * NAME
 *	cm_hydrate 3h
 * SUMMARY
 *	fill the hot state from the store and the Maildir tree
 * DESCRIPTION
 *	cm_hydrate_run() loads the settings snapshot, every quota row (max),
 *	the persisted counters and federation stats into the hot state, then
 *	walks the mail root with the layout and sets each user's used bytes
 *	from its Maildir (cm_maildir_usage). Users with a quota row but no
 *	Maildir get used = 0; users found on disk without a row get
 *	default_quota_bytes. A Maildir that cannot be read is reported
 *	through on_error and skipped (its used value is left as it was);
 *	that is never fatal.
 *
 *	cm_hydrate_user() recomputes one user (doveadm quota recalc).
 *--*/

#include <stdint.h>
#include <stddef.h>
#include "cm_error.h"
#include "cm_store.h"
#include "cm_hot.h"
#include "cm_settings.h"

struct cm_hydrate_options {
	const char *mail_root;	/* required */
	const char *layout;	/* NULL = CM_LAYOUT_DEFAULT */
	/* Per unreadable user/dir: what (a user or a path) and why. */
	void (*on_error)(const char *what, const struct cm_error *err,
			 void *ctx);
	void *ctx;
};

struct cm_hydrate_report {
	size_t users;		/* users found on disk */
	size_t failed;		/* users/dirs reported through on_error */
	int64_t files;
	int64_t bytes;
	int64_t stat_fallbacks;
	struct cm_settings settings;	/* the snapshot loaded */
};

/* 0 ok, -1 error (store unreadable, bad layout, mail root unreadable). */
int cm_hydrate_run(struct cm_store *store, struct cm_hot *hot,
		   const struct cm_hydrate_options *opts,
		   struct cm_hydrate_report *report_r, struct cm_error *err);
/* 1 recomputed, 0 the user's Maildir does not exist (used set to 0),
   -1 error. */
int cm_hydrate_user(struct cm_hot *hot, const struct cm_hydrate_options *opts,
		    const char *user, int64_t default_max,
		    struct cm_error *err);

#endif
