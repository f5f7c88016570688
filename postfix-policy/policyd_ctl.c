/*++
 * NAME
 *	policyd_ctl 3
 * SUMMARY
 *	control protocol: command table, dispatch and reply encoding
 * DESCRIPTION
 *	See policyd_ctl.h and doc/control-protocol.md. One table maps
 *	"group verb" to a handler and its argument counts; handlers only
 *	decode their words, call libchatmail and encode the reply.
 *--*/

#include "policyd.h"
#include "policyd_ctl_private.h"
#include "cm_ctl_codec.h"

#include <stdarg.h>
#include <string.h>

struct policyd_ctl_cmd {
	const char *group;
	const char *verb;	/* NULL: the group is the whole command */
	int min_args, max_args;
	gboolean hot;		/* offline it needs a hydrated hot state */
	policyd_cmd_fn *fn;
	const char *usage;
};

static const struct policyd_ctl_cmd policyd_ctl_cmds[] = {
	{ "version", NULL, 0, 0, FALSE, policyd_cmd_version, "version" },
	{ "quota", "get", 1, 1, TRUE, policyd_cmd_quota_get, "quota get USER" },
	{ "quota", "set", 2, 2, FALSE, policyd_cmd_quota_set,
	  "quota set USER BYTES" },
	{ "quota", "list", 0, 1, TRUE, policyd_cmd_quota_list,
	  "quota list [N]" },
	{ "quota", "recalc", 1, 1, TRUE, policyd_cmd_quota_recalc,
	  "quota recalc USER" },
	{ "stats", NULL, 0, 0, TRUE, policyd_cmd_stats, "stats" },
	{ "blocklist", "add", 2, 3, FALSE, policyd_cmd_block_add,
	  "blocklist add address|domain|ip VALUE [REASON]" },
	{ "blocklist", "del", 2, 2, FALSE, policyd_cmd_block_del,
	  "blocklist del address|domain|ip VALUE" },
	{ "blocklist", "list", 0, 0, FALSE, policyd_cmd_block_list,
	  "blocklist list" },
	{ "settings", "get", 1, 1, FALSE, policyd_cmd_settings_get,
	  "settings get NAME" },
	{ "settings", "set", 2, 2, FALSE, policyd_cmd_settings_set,
	  "settings set NAME VALUE" },
	{ "settings", "reset", 1, 1, FALSE, policyd_cmd_settings_reset,
	  "settings reset NAME" },
	{ "settings", "list", 0, 0, FALSE, policyd_cmd_settings_list,
	  "settings list" },
	{ "federation", "mode", 0, 1, FALSE, policyd_cmd_fed_mode,
	  "federation mode [accept|reject]" },
	{ "federation", "add", 2, 2, FALSE, policyd_cmd_fed_add,
	  "federation add listed|silent_dismiss DOMAIN" },
	{ "federation", "del", 2, 2, FALSE, policyd_cmd_fed_del,
	  "federation del listed|silent_dismiss DOMAIN" },
	{ "federation", "list", 0, 0, FALSE, policyd_cmd_fed_list,
	  "federation list" },
	{ "federation", "stats", 0, 0, TRUE, policyd_cmd_fed_stats,
	  "federation stats" },
	{ "token", "create", 2, 3, FALSE, policyd_cmd_token_create,
	  "token create MAX_USES EXPIRES_AT [TOKEN]" },
	{ "token", "list", 0, 0, FALSE, policyd_cmd_token_list, "token list" },
	{ "token", "revoke", 1, 1, FALSE, policyd_cmd_token_revoke,
	  "token revoke TOKEN" },
	{ "reload", NULL, 0, 0, FALSE, policyd_cmd_reload, "reload" },
	{ "flush", NULL, 0, 0, FALSE, policyd_cmd_flush, "flush" },
};

/* policyd_ctl_row - one data line from n fields */
void policyd_ctl_row(struct policyd_ctl *ctl, int n, ...)
{
	const char *fields[16];
	char line[CM_CTL_LINE_MAX];
	va_list ap;
	int i;

	va_start(ap, n);
	for (i = 0; i < n && i < 16; i++)
		fields[i] = va_arg(ap, const char *);
	va_end(ap);
	if (cm_ctl_join(fields, i, '\t', line, sizeof(line)) < 0)
		g_strlcpy(line, "(row too long)", sizeof(line));
	g_string_append_printf(ctl->out, "* %s\n", line);
}

static void policyd_ctl_status(struct policyd_ctl *ctl, const char *head,
		       const char *fmt, va_list ap) G_GNUC_PRINTF(3, 0);

/* policyd_ctl_status - the final line, control characters blanked */
static void policyd_ctl_status(struct policyd_ctl *ctl, const char *head,
		       const char *fmt, va_list ap)
{
	g_autofree char *text = g_strdup_vprintf(fmt, ap);
	char *p;

	for (p = text; *p != '\0'; p++)
		if ((unsigned char) *p < 0x20 || *p == 0x7f)
			*p = ' ';
	g_string_append_printf(ctl->out, "%s%s%s\n", head,
			       text[0] ? " " : "", text);
}

/* policyd_ctl_ok - success status */
void policyd_ctl_ok(struct policyd_ctl *ctl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	policyd_ctl_status(ctl, "OK", fmt, ap);
	va_end(ap);
}

/* policyd_ctl_err - failure status with a code */
void policyd_ctl_err(struct policyd_ctl *ctl, const char *code,
		    const char *fmt, ...)
{
	g_autofree char *head = g_strdup_printf("ERR %s", code);
	va_list ap;

	va_start(ap, fmt);
	policyd_ctl_status(ctl, head, fmt, ap);
	va_end(ap);
}

/* policyd_ctl_fail - status for a libchatmail error */
void policyd_ctl_fail(struct policyd_ctl *ctl, const struct cm_error *err)
{
	policyd_ctl_err(ctl, err->kind == CM_ERR_INVALID ? "invalid" : "internal",
		"%s", err->message);
}

/* policyd_ctl_int - a non-negative decimal argument */
gboolean policyd_ctl_int(struct policyd_ctl *ctl, const char *name,
			const char *text, gint64 *value_r)
{
	guint64 v;

	if (!g_ascii_string_to_unsigned(text, 10, 0, G_MAXINT64, &v, NULL)) {
		policyd_ctl_err(ctl, "invalid", "%s: '%s' is not a whole number >= 0",
			name, text);
		return FALSE;
	}
	*value_r = (gint64) v;
	return TRUE;
}

/* policyd_ctl_refresh - after a write, bring the daemon's snapshots up to date */
void policyd_ctl_refresh(struct policyd_ctl *ctl, gboolean settings,
			gboolean lists)
{
	g_autoptr(GError) error = NULL;

	if (ctl->d == NULL)
		return;
	if ((settings && !policyd_settings_reload(ctl->d, &error))
	    || (lists && !policyd_lists_reload(ctl->d, &error)))
		policyd_ctl_err(ctl, "internal", "stored, but not applied: %s",
			error->message);
}

/* policyd_ctl_find - the table entry for words, or NULL */
static const struct policyd_ctl_cmd *policyd_ctl_find(char **words, int n,
						      int *skip_r)
{
	const struct policyd_ctl_cmd *cmd;
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(policyd_ctl_cmds); i++) {
		cmd = &policyd_ctl_cmds[i];
		if (strcmp(words[0], cmd->group) != 0)
			continue;
		if (cmd->verb == NULL) {
			*skip_r = 1;
			return cmd;
		}
		if (n > 1 && strcmp(words[1], cmd->verb) == 0) {
			*skip_r = 2;
			return cmd;
		}
	}
	return NULL;
}

/* policyd_ctl_needs_hot - does the command read the hot state */
gboolean policyd_ctl_needs_hot(char **words, int n)
{
	const struct policyd_ctl_cmd *cmd;
	int skip;

	if (n == 0 || (cmd = policyd_ctl_find(words, n, &skip)) == NULL)
		return FALSE;
	return cmd->hot;
}

/* policyd_ctl_run - one request: find, check arity, run */
void policyd_ctl_run(struct policyd_ctl *ctl, char **words, int n)
{
	const struct policyd_ctl_cmd *cmd;
	int skip, args;

	if (n == 0) {
		policyd_ctl_err(ctl, "syntax", "empty request");
		return;
	}
	if ((cmd = policyd_ctl_find(words, n, &skip)) == NULL) {
		policyd_ctl_err(ctl, "syntax", "unknown command '%s%s%s'",
				words[0], n > 1 ? " " : "", n > 1 ? words[1] : "");
		return;
	}
	args = n - skip;
	if (args < cmd->min_args || args > cmd->max_args) {
		policyd_ctl_err(ctl, "syntax", "usage: %s", cmd->usage);
		return;
	}
	cmd->fn(ctl, words + skip, args);
}
