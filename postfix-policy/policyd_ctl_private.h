#ifndef POLICYD_CTL_PRIVATE_H
#define POLICYD_CTL_PRIVATE_H

/*++
 * NAME
 *	policyd_ctl_private 3h
 * SUMMARY
 *	reply helpers and command handlers of the control protocol
 *--*/

#include "policyd_ctl.h"
#include "cm_error.h"

/* Reply helpers (policyd_ctl.c). */
void policyd_ctl_row(struct policyd_ctl *ctl, int n, ...);
void policyd_ctl_ok(struct policyd_ctl *ctl, const char *fmt, ...)
	G_GNUC_PRINTF(2, 3);
void policyd_ctl_err(struct policyd_ctl *ctl, const char *code,
		     const char *fmt, ...) G_GNUC_PRINTF(3, 4);
void policyd_ctl_fail(struct policyd_ctl *ctl, const struct cm_error *err);
gboolean policyd_ctl_int(struct policyd_ctl *ctl, const char *name,
			 const char *text, gint64 *value_r);
void policyd_ctl_refresh(struct policyd_ctl *ctl, gboolean settings,
			 gboolean lists);

/* Handlers (policyd_cmd.c): args are the words after the verb. */
typedef void policyd_cmd_fn(struct policyd_ctl *ctl, char **args, int n);
policyd_cmd_fn policyd_cmd_version, policyd_cmd_quota_get,
	policyd_cmd_quota_set, policyd_cmd_quota_list, policyd_cmd_quota_recalc,
	policyd_cmd_stats, policyd_cmd_block_add, policyd_cmd_block_del,
	policyd_cmd_block_list, policyd_cmd_settings_get,
	policyd_cmd_settings_set, policyd_cmd_settings_reset,
	policyd_cmd_settings_list, policyd_cmd_fed_mode, policyd_cmd_fed_add,
	policyd_cmd_fed_del, policyd_cmd_fed_list, policyd_cmd_fed_stats,
	policyd_cmd_token_create, policyd_cmd_token_list,
	policyd_cmd_token_revoke, policyd_cmd_reload, policyd_cmd_flush;

#endif
