/*++
 * NAME
 *	policyd_cmd 3
 * SUMMARY
 *	the control command handlers
 * DESCRIPTION
 *	One handler per control command (see policyd_ctl.c for the table
 *	and doc/control-protocol.md for the replies). In the daemon,
 *	writes refresh the RAM snapshots before the reply is sent, so the
 *	next policy request already sees the change.
 *--*/

#include "policyd.h"
#include "policyd_ctl_private.h"
#include "cm_blocklist.h"
#include "cm_ctl_codec.h"
#include "cm_federation.h"
#include "cm_hydrate.h"
#include "cm_quotas.h"
#include "cm_tokens.h"

#include <stdlib.h>
#include <string.h>

/* policyd_cmd_version - version */
void policyd_cmd_version(struct policyd_ctl *ctl, char **args, int n)
{
	policyd_ctl_ok(ctl, "%d", CM_CTL_VERSION);
}

/* policyd_cmd_quota_row - USER USED MAX PERCENT */
static void policyd_cmd_quota_row(struct policyd_ctl *ctl, const char *user,
			  gint64 used, gint64 max)
{
	char u[24], m[24], pct[24];

	g_snprintf(u, sizeof(u), "%" G_GINT64_FORMAT, used);
	g_snprintf(m, sizeof(m), "%" G_GINT64_FORMAT, max);
	if (max > 0)
		g_snprintf(pct, sizeof(pct), "%.1f", (double) used * 100.0
			   / (double) max);
	else
		g_strlcpy(pct, "-", sizeof(pct));
	policyd_ctl_row(ctl, 4, user, u, m, pct);
}

/* policyd_cmd_user_quota - a user's used/max from RAM, else store/defaults */
static gboolean policyd_cmd_user_quota(struct policyd_ctl *ctl, const char *user,
			       gint64 *used_r, gint64 *max_r)
{
	struct cm_error err;
	int64_t used = 0, max = ctl->settings->default_quota_bytes;
	int rc;

	if (cm_hot_quota_get(ctl->hot, user, &used, &max) == 1) {
		*used_r = used;
		*max_r = max;
		return TRUE;
	}
	if ((rc = cm_quotas_get(ctl->store, user, &max, &err)) < 0) {
		policyd_ctl_fail(ctl, &err);
		return FALSE;
	}
	*used_r = 0;
	*max_r = max;
	return TRUE;
}

/* policyd_cmd_quota_get - quota get USER */
void policyd_cmd_quota_get(struct policyd_ctl *ctl, char **args, int n)
{
	gint64 used, max;

	if (!policyd_cmd_user_quota(ctl, args[0], &used, &max))
		return;
	policyd_cmd_quota_row(ctl, args[0], used, max);
	policyd_ctl_ok(ctl, "%s", "");
}

/* policyd_cmd_quota_set - quota set USER BYTES */
void policyd_cmd_quota_set(struct policyd_ctl *ctl, char **args, int n)
{
	const struct cm_setting_def *def = cm_settings_def("default_quota_bytes");
	struct cm_error err;
	char canon[32];
	gint64 max;

	if (cm_settings_validate(def, args[1], canon, sizeof(canon), &err) < 0) {
		policyd_ctl_err(ctl, "invalid", "quota: '%s' is not a size in bytes "
			"(K, M, G, T suffixes allowed; 0 = unlimited)", args[1]);
		return;
	}
	max = g_ascii_strtoll(canon, NULL, 10);
	if (cm_quotas_set(ctl->store, args[0], max, &err) < 0) {
		policyd_ctl_fail(ctl, &err);
		return;
	}
	cm_hot_quota_set_max(ctl->hot, args[0], max);
	policyd_ctl_ok(ctl, "%s", "");
}

struct policyd_cmd_quota_item {
	char *user;
	gint64 used, max;
};

/* policyd_cmd_quota_collect - cm_hot_quota_foreach callback */
static void policyd_cmd_quota_collect(const char *user, int64_t used, int64_t max,
			      void *ctx)
{
	struct policyd_cmd_quota_item item = { g_strdup(user), used, max };

	g_array_append_val((GArray *) ctx, item);
}

/* policyd_cmd_quota_cmp - most used first, then by name */
static gint policyd_cmd_quota_cmp(gconstpointer a, gconstpointer b)
{
	const struct policyd_cmd_quota_item *x = a, *y = b;

	if (x->used != y->used)
		return x->used > y->used ? -1 : 1;
	return strcmp(x->user, y->user);
}

/* policyd_cmd_quota_list - quota list [N] */
void policyd_cmd_quota_list(struct policyd_ctl *ctl, char **args, int n)
{
	GArray *items = g_array_new(FALSE, FALSE, sizeof(struct policyd_cmd_quota_item));
	gint64 limit = 20;
	guint i;

	if (n > 0 && !policyd_ctl_int(ctl, "N", args[0], &limit)) {
		g_array_free(items, TRUE);
		return;
	}
	cm_hot_quota_foreach(ctl->hot, policyd_cmd_quota_collect, items);
	g_array_sort(items, policyd_cmd_quota_cmp);
	for (i = 0; i < items->len; i++) {
		struct policyd_cmd_quota_item *it = &g_array_index(items,
			struct policyd_cmd_quota_item, i);

		if ((gint64) i < limit)
			policyd_cmd_quota_row(ctl, it->user, it->used, it->max);
		g_free(it->user);
	}
	policyd_ctl_ok(ctl, "%u users", items->len);
	g_array_free(items, TRUE);
}

/* policyd_cmd_quota_recalc - quota recalc USER: re-walk one Maildir */
void policyd_cmd_quota_recalc(struct policyd_ctl *ctl, char **args, int n)
{
	struct cm_hydrate_options opts = {
		ctl->mail_root, ctl->mail_layout, NULL, NULL
	};
	struct cm_error err;
	gint64 used, max;

	if (!policyd_cmd_user_quota(ctl, args[0], &used, &max))
		return;
	if (cm_hydrate_user(ctl->hot, &opts, args[0], max, &err) < 0) {
		policyd_ctl_fail(ctl, &err);
		return;
	}
	if (!policyd_cmd_user_quota(ctl, args[0], &used, &max))
		return;
	policyd_cmd_quota_row(ctl, args[0], used, max);
	policyd_ctl_ok(ctl, "%s", "");
}

/* policyd_cmd_stat_row - policyd_stats callback */
static void policyd_cmd_stat_row(const char *name, gint64 value, void *ctx)
{
	char text[24];

	g_snprintf(text, sizeof(text), "%" G_GINT64_FORMAT, value);
	policyd_ctl_row(ctx, 2, name, text);
}

/* policyd_cmd_stats - stats */
void policyd_cmd_stats(struct policyd_ctl *ctl, char **args, int n)
{
	struct cm_hot_totals totals;

	if (ctl->d != NULL) {
		policyd_stats(ctl->d, policyd_cmd_stat_row, ctl);
		policyd_ctl_ok(ctl, "%s", "");
		return;
	}
	cm_hot_totals(ctl->hot, &totals);
	policyd_cmd_stat_row("users", (gint64) totals.quota_users, ctl);
	policyd_cmd_stat_row("bytes_used", totals.used, ctl);
	policyd_cmd_stat_row("messages_sent", totals.sent, ctl);
	policyd_cmd_stat_row("messages_received", totals.received, ctl);
	policyd_cmd_stat_row("federation_domains", (gint64) totals.fed_domains, ctl);
	policyd_ctl_ok(ctl, "offline: counters as last flushed");
}

/* policyd_cmd_block_kind - parse KIND or answer the error */
static gboolean policyd_cmd_block_kind(struct policyd_ctl *ctl,
				       const char *text,
				       enum cm_block_kind *kind_r)
{
	if (cm_blocklist_kind_parse(text, kind_r) == 0)
		return TRUE;
	policyd_ctl_err(ctl, "invalid", "blocklist kind '%s': expected "
			"address, domain or ip", text);
	return FALSE;
}

/* policyd_cmd_block_add - blocklist add KIND VALUE [REASON] */
void policyd_cmd_block_add(struct policyd_ctl *ctl, char **args, int n)
{
	enum cm_block_kind kind;
	struct cm_error err;
	int rc;

	if (!policyd_cmd_block_kind(ctl, args[0], &kind))
		return;
	rc = cm_blocklist_add(ctl->store, kind, args[1], n > 2 ? args[2] : "",
			      &err);
	if (rc < 0) {
		policyd_ctl_fail(ctl, &err);
		return;
	}
	policyd_ctl_refresh(ctl, FALSE, TRUE);
	policyd_ctl_ok(ctl, "%s", rc == 1 ? "added" : "updated");
}

/* policyd_cmd_block_del - blocklist del KIND VALUE */
void policyd_cmd_block_del(struct policyd_ctl *ctl, char **args, int n)
{
	enum cm_block_kind kind;
	struct cm_error err;
	int rc;

	if (!policyd_cmd_block_kind(ctl, args[0], &kind))
		return;
	if ((rc = cm_blocklist_del(ctl->store, kind, args[1], &err)) < 0) {
		policyd_ctl_fail(ctl, &err);
		return;
	}
	if (rc == 0) {
		policyd_ctl_err(ctl, "notfound", "%s %s is not on the "
				"blocklist", args[0], args[1]);
		return;
	}
	policyd_ctl_refresh(ctl, FALSE, TRUE);
	policyd_ctl_ok(ctl, "%s", "deleted");
}

/* policyd_cmd_block_row - one blocklist entry */
static int policyd_cmd_block_row(const struct cm_block_row *row, void *ctx)
{
	char created[24];

	g_snprintf(created, sizeof(created), "%" G_GINT64_FORMAT,
		   (gint64) row->created_at);
	policyd_ctl_row(ctx, 4, cm_blocklist_kind_name(row->kind), row->value,
			row->reason, created);
	return 0;
}

/* policyd_cmd_block_list - blocklist list */
void policyd_cmd_block_list(struct policyd_ctl *ctl, char **args, int n)
{
	struct cm_error err;

	if (cm_blocklist_foreach(ctl->store, policyd_cmd_block_row, ctl,
				 &err) < 0)
		policyd_ctl_fail(ctl, &err);
	else
		policyd_ctl_ok(ctl, "%s", "");
}

/* policyd_cmd_setting_row - NAME VALUE SOURCE [UNIT DOC] */
static gboolean policyd_cmd_setting_row(struct policyd_ctl *ctl,
					const struct cm_setting_def *def,
					gboolean long_form)
{
	struct cm_error err;
	char *value;
	int rc;

	if ((rc = cm_settings_get(ctl->store, def->name, &value, &err)) < 0) {
		policyd_ctl_fail(ctl, &err);
		return FALSE;
	}
	if (long_form)
		policyd_ctl_row(ctl, 5, def->name, value,
				rc ? "stored" : "default", def->unit, def->doc);
	else
		policyd_ctl_row(ctl, 3, def->name, value,
				rc ? "stored" : "default");
	free(value);
	return TRUE;
}

/* policyd_cmd_settings_get - settings get NAME */
void policyd_cmd_settings_get(struct policyd_ctl *ctl, char **args, int n)
{
	const struct cm_setting_def *def = cm_settings_def(args[0]);

	if (def == NULL) {
		policyd_ctl_err(ctl, "invalid", "unknown setting '%s' (settings "
				"list shows them all)", args[0]);
		return;
	}
	if (policyd_cmd_setting_row(ctl, def, FALSE))
		policyd_ctl_ok(ctl, "%s", "");
}

/* policyd_cmd_settings_set - settings set NAME VALUE */
void policyd_cmd_settings_set(struct policyd_ctl *ctl, char **args, int n)
{
	struct cm_error err;

	if (cm_settings_set(ctl->store, args[0], args[1], &err) < 0) {
		policyd_ctl_fail(ctl, &err);
		return;
	}
	policyd_ctl_refresh(ctl, TRUE, FALSE);
	policyd_ctl_ok(ctl, "%s", "");
}

/* policyd_cmd_settings_reset - settings reset NAME */
void policyd_cmd_settings_reset(struct policyd_ctl *ctl, char **args, int n)
{
	struct cm_error err;

	if (cm_settings_reset(ctl->store, args[0], &err) < 0) {
		policyd_ctl_fail(ctl, &err);
		return;
	}
	policyd_ctl_refresh(ctl, TRUE, FALSE);
	policyd_ctl_ok(ctl, "%s", "");
}

/* policyd_cmd_settings_list - settings list */
void policyd_cmd_settings_list(struct policyd_ctl *ctl, char **args, int n)
{
	size_t i;

	for (i = 0; i < cm_settings_defs_count; i++)
		if (!policyd_cmd_setting_row(ctl, &cm_settings_defs[i], TRUE))
			return;
	policyd_ctl_ok(ctl, "%s", "");
}

/* policyd_cmd_fed_mode - federation mode [accept|reject] */
void policyd_cmd_fed_mode(struct policyd_ctl *ctl, char **args, int n)
{
	char *set_args[2] = { (char *) "federation_mode", NULL };
	char *value;
	struct cm_error err;

	if (n == 1) {
		set_args[1] = args[0];
		policyd_cmd_settings_set(ctl, set_args, 2);
		return;
	}
	if (cm_settings_get(ctl->store, "federation_mode", &value, &err) < 0) {
		policyd_ctl_fail(ctl, &err);
		return;
	}
	policyd_ctl_row(ctl, 2, "mode", value);
	free(value);
	policyd_ctl_ok(ctl, "%s", "");
}

/* policyd_cmd_fed_list_arg - parse LIST or answer the error */
static gboolean policyd_cmd_fed_list_arg(struct policyd_ctl *ctl,
					 const char *text,
					 enum cm_fed_list *list_r)
{
	if (cm_federation_list_parse(text, list_r) == 0)
		return TRUE;
	policyd_ctl_err(ctl, "invalid", "federation list '%s': expected "
			"listed or silent_dismiss", text);
	return FALSE;
}

/* policyd_cmd_fed_add - federation add LIST DOMAIN */
void policyd_cmd_fed_add(struct policyd_ctl *ctl, char **args, int n)
{
	enum cm_fed_list list;
	struct cm_error err;
	int rc;

	if (!policyd_cmd_fed_list_arg(ctl, args[0], &list))
		return;
	if ((rc = cm_federation_add(ctl->store, list, args[1], &err)) < 0) {
		policyd_ctl_fail(ctl, &err);
		return;
	}
	policyd_ctl_refresh(ctl, FALSE, TRUE);
	policyd_ctl_ok(ctl, "%s", rc == 1 ? "added" : "already listed");
}

/* policyd_cmd_fed_del - federation del LIST DOMAIN */
void policyd_cmd_fed_del(struct policyd_ctl *ctl, char **args, int n)
{
	enum cm_fed_list list;
	struct cm_error err;
	int rc;

	if (!policyd_cmd_fed_list_arg(ctl, args[0], &list))
		return;
	if ((rc = cm_federation_del(ctl->store, list, args[1], &err)) < 0) {
		policyd_ctl_fail(ctl, &err);
		return;
	}
	if (rc == 0) {
		policyd_ctl_err(ctl, "notfound", "%s is not on the %s list",
				args[1], args[0]);
		return;
	}
	policyd_ctl_refresh(ctl, FALSE, TRUE);
	policyd_ctl_ok(ctl, "%s", "deleted");
}

/* policyd_cmd_fed_row - one federation list entry */
static int policyd_cmd_fed_row(const struct cm_fed_policy_row *row, void *ctx)
{
	policyd_ctl_row(ctx, 2, cm_federation_list_name(row->list),
			row->domain);
	return 0;
}

/* policyd_cmd_fed_list - federation list */
void policyd_cmd_fed_list(struct policyd_ctl *ctl, char **args, int n)
{
	struct cm_error err;

	if (cm_federation_foreach(ctl->store, policyd_cmd_fed_row, ctl,
				  &err) < 0)
		policyd_ctl_fail(ctl, &err);
	else
		policyd_ctl_ok(ctl, "%s", "");
}

/* policyd_cmd_fed_stat_row - one domain and direction, RAM totals */
static void policyd_cmd_fed_stat_row(const char *domain, enum cm_fed_dir dir,
				     const struct cm_hot_fed_stats *stats,
				     void *ctx)
{
	char messages[24], rejections[24], seen[24];

	g_snprintf(messages, sizeof(messages), "%" G_GINT64_FORMAT,
		   (gint64) stats->messages);
	g_snprintf(rejections, sizeof(rejections), "%" G_GINT64_FORMAT,
		   (gint64) stats->rejections);
	g_snprintf(seen, sizeof(seen), "%" G_GINT64_FORMAT,
		   (gint64) stats->last_seen);
	policyd_ctl_row(ctx, 5, domain, dir == CM_FED_IN ? "in" : "out",
			messages, rejections, seen);
}

/* policyd_cmd_fed_stats - federation stats */
void policyd_cmd_fed_stats(struct policyd_ctl *ctl, char **args, int n)
{
	cm_hot_fed_foreach(ctl->hot, policyd_cmd_fed_stat_row, ctl);
	policyd_ctl_ok(ctl, "%s", "");
}

/* policyd_cmd_token_create - token create MAX_USES EXPIRES_AT [TOKEN] */
void policyd_cmd_token_create(struct policyd_ctl *ctl, char **args, int n)
{
	gint64 max_uses, expires_at;
	struct cm_error err;
	char token[300];

	if (!policyd_ctl_int(ctl, "MAX_USES", args[0], &max_uses)
	    || !policyd_ctl_int(ctl, "EXPIRES_AT", args[1], &expires_at))
		return;
	if (cm_tokens_create(ctl->store, n > 2 ? args[2] : NULL, max_uses,
			     expires_at, token, sizeof(token), &err) < 0) {
		policyd_ctl_fail(ctl, &err);
		return;
	}
	policyd_ctl_row(ctl, 1, token);
	policyd_ctl_ok(ctl, "%s", "");
}

/* policyd_cmd_token_row - one token */
static int policyd_cmd_token_row(const struct cm_token_row *row, void *ctx)
{
	char max[24], uses[24], expires[24], created[24];

	g_snprintf(max, sizeof(max), "%" G_GINT64_FORMAT, (gint64) row->max_uses);
	g_snprintf(uses, sizeof(uses), "%" G_GINT64_FORMAT, (gint64) row->uses);
	g_snprintf(expires, sizeof(expires), "%" G_GINT64_FORMAT,
		   (gint64) row->expires_at);
	g_snprintf(created, sizeof(created), "%" G_GINT64_FORMAT,
		   (gint64) row->created_at);
	policyd_ctl_row(ctx, 5, row->token, max, uses, expires, created);
	return 0;
}

/* policyd_cmd_token_list - token list */
void policyd_cmd_token_list(struct policyd_ctl *ctl, char **args, int n)
{
	struct cm_error err;

	if (cm_tokens_foreach(ctl->store, policyd_cmd_token_row, ctl, &err) < 0)
		policyd_ctl_fail(ctl, &err);
	else
		policyd_ctl_ok(ctl, "%s", "");
}

/* policyd_cmd_token_revoke - token revoke TOKEN */
void policyd_cmd_token_revoke(struct policyd_ctl *ctl, char **args, int n)
{
	struct cm_error err;
	int rc = cm_tokens_revoke(ctl->store, args[0], &err);

	if (rc < 0)
		policyd_ctl_fail(ctl, &err);
	else if (rc == 0)
		policyd_ctl_err(ctl, "notfound", "no token '%s'", args[0]);
	else
		policyd_ctl_ok(ctl, "%s", "revoked");
}

/* policyd_cmd_offline - commands that need the running daemon */
static gboolean policyd_cmd_offline(struct policyd_ctl *ctl)
{
	if (ctl->d != NULL)
		return FALSE;
	policyd_ctl_err(ctl, "invalid", "chatmail-policyd is not running");
	return TRUE;
}

/* policyd_cmd_reload - reload (like SIGHUP) */
void policyd_cmd_reload(struct policyd_ctl *ctl, char **args, int n)
{
	g_autoptr(GError) error = NULL;

	if (policyd_cmd_offline(ctl))
		return;
	if (!policyd_reload(ctl->d, &error))
		policyd_ctl_err(ctl, "internal", "%s", error->message);
	else
		policyd_ctl_ok(ctl, "reloading; the Maildir walk runs in the "
			       "background");
}

/* policyd_cmd_flush - flush */
void policyd_cmd_flush(struct policyd_ctl *ctl, char **args, int n)
{
	g_autoptr(GError) error = NULL;
	char text[24];
	gsize written;

	if (policyd_cmd_offline(ctl))
		return;
	if (!policyd_flush(ctl->d, &written, &error)) {
		policyd_ctl_err(ctl, "internal", "%s", error->message);
		return;
	}
	g_snprintf(text, sizeof(text), "%" G_GSIZE_FORMAT, written);
	policyd_ctl_row(ctl, 2, "written", text);
	policyd_ctl_ok(ctl, "%s", "");
}
