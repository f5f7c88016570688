/*++
 * NAME
 *	doveadm-chatmail 3
 * SUMMARY
 *	doveadm chatmail quota|stats|hydrate (lib95_doveadm_chatmail_plugin.so)
 * SYNOPSIS
 *	doveadm [-f table|flow|tab|json] chatmail quota [-s user|used|max|percent]
 *		[-S socket]
 *	doveadm chatmail stats [-S socket]
 *	doveadm chatmail hydrate [-S socket]
 * DESCRIPTION
 *	Asks chatmail-policyd over its dovecot socket and prints with
 *	doveadm's formatters:
 * .IP "chatmail quota"
 *	every user the daemon knows: user, used bytes, max bytes (0 =
 *	unlimited) and percent used, sorted by -s (default user; the
 *	numbers sort largest first). Fetched in pages of
 *	DOVEADM_CHATMAIL_PAGE users (QUOTA-LIST).
 * .IP "chatmail stats"
 *	the daemon's statistics, one name and value a row.
 * .IP "chatmail hydrate"
 *	makes the daemon reload and re-walk the whole Maildir tree in the
 *	background (like SIGHUP).
 *
 *	The socket is -S, else plugin { chatmail_socket } of the Dovecot
 *	configuration, else /run/chatmail/dovecot.sock.
 * DIAGNOSTICS
 *	With the daemon down: an error naming the socket and why, exit
 *	code 75 (EX_TEMPFAIL). A FAIL answer: the daemon's reason, exit
 *	code 75 too.
 *--*/

#include "lib.h"
#include "array.h"
#include "module-dir.h"
#include "doveadm.h"
#include "doveadm-cmd.h"
#include "doveadm-print.h"
#include "doveadm-settings.h"
#include "chatmail-client.h"

#include <sysexits.h>

#define DOVEADM_CHATMAIL_PAGE 1000
#define DOVEADM_CHATMAIL_TIMEOUT_MSECS 30000

const char *doveadm_chatmail_plugin_version = DOVECOT_ABI_VERSION;

void doveadm_chatmail_plugin_init(struct module *module);
void doveadm_chatmail_plugin_deinit(void);

/* A row and the sort key (array_sort() passes no context). */
struct doveadm_chatmail_row {
	struct cm_dove_quota q;
	enum cm_dove_sort sort;
};

struct doveadm_chatmail_page {
	pool_t pool;
	enum cm_dove_sort sort;
	ARRAY(struct doveadm_chatmail_row) rows;
	unsigned int got;		/* rows in this page */
	const char *last;		/* the cursor for the next page */
	const char *error;		/* a bad row */
};

/* doveadm_chatmail_socket - -S, plugin { chatmail_socket }, default */
static const char *doveadm_chatmail_socket(struct doveadm_cmd_context *cctx)
{
	const char *path, *const *envs;
	unsigned int i, count;

	if (doveadm_cmd_param_str(cctx, "socket-path", &path))
		return path;
	/* a settings string list: key, value, key, value, ... */
	if (array_is_created(&doveadm_settings->plugin_envs)) {
		envs = array_get(&doveadm_settings->plugin_envs, &count);
		for (i = 0; i + 1 < count; i += 2)
			if (strcmp(envs[i], "chatmail_socket") == 0
			    && envs[i + 1][0] != '\0')
				return envs[i + 1];
	}
	return CHATMAIL_SOCKET_DEFAULT;
}

/* doveadm_chatmail_connect - a quiet client for this command */
static struct chatmail_client *
doveadm_chatmail_connect(struct doveadm_cmd_context *cctx)
{
	struct chatmail_client_settings set;

	i_zero(&set);
	set.socket_path = doveadm_chatmail_socket(cctx);
	set.timeout_msecs = DOVEADM_CHATMAIL_TIMEOUT_MSECS;
	set.quiet = TRUE;
	return chatmail_client_init(&set);
}

/* doveadm_chatmail_run - one request; errors reported and exit code set */
static bool doveadm_chatmail_run(struct chatmail_client *client,
				 const struct cm_dove_request *req,
				 chatmail_client_row_fn *row_fn, void *ctx,
				 struct cm_dove_reply *last_r)
{
	const char *error;
	int ret;

	ret = chatmail_client_run(client, req, 1, row_fn, ctx, last_r, &error);
	if (ret > 0)
		return TRUE;
	if (ret == 0)
		i_error("chatmail-policyd is not running or not reachable at "
			"%s: %s", chatmail_client_socket_path(client), error);
	else
		i_error("chatmail-policyd refused %s: %s",
			cm_dove_cmd_name(req->cmd), error);
	doveadm_exit_code = EX_TEMPFAIL;
	return FALSE;
}

/* doveadm_chatmail_request - a request without fields */
static void doveadm_chatmail_request(enum cm_dove_cmd cmd,
				     struct cm_dove_request *req_r)
{
	i_zero(req_r);
	req_r->cmd = cmd;
	req_r->user = req_r->mailbox = req_r->after = "";
}

/* doveadm_chatmail_quota_row - one QUOTA-LIST row into the page */
static void doveadm_chatmail_quota_row(const struct cm_dove_reply *row,
				       void *ctx)
{
	struct doveadm_chatmail_page *page = ctx;
	struct doveadm_chatmail_row r;
	const char *error;

	if (cm_dove_row_quota(row, &r.q, &error) < 0) {
		if (page->error == NULL)
			page->error = p_strdup(page->pool, error);
		return;
	}
	r.q.user = p_strdup(page->pool, r.q.user);
	r.sort = page->sort;
	array_push_back(&page->rows, &r);
	page->last = r.q.user;
	page->got++;
}

/* doveadm_chatmail_quota_fetch - every page of QUOTA-LIST */
static bool doveadm_chatmail_quota_fetch(struct chatmail_client *client,
					 struct doveadm_chatmail_page *page)
{
	struct cm_dove_request req;

	page->last = "";
	do {
		doveadm_chatmail_request(CM_DOVE_CMD_QUOTA_LIST, &req);
		req.after = page->last;
		req.limit = DOVEADM_CHATMAIL_PAGE;
		page->got = 0;
		if (!doveadm_chatmail_run(client, &req,
					  doveadm_chatmail_quota_row, page,
					  NULL))
			return FALSE;
		if (page->error != NULL) {
			i_error("chatmail-policyd sent a bad quota row: %s",
				page->error);
			doveadm_exit_code = EX_PROTOCOL;
			return FALSE;
		}
	} while (page->got == DOVEADM_CHATMAIL_PAGE);
	return TRUE;
}

/* doveadm_chatmail_cmp - array_sort() with the rows' key */
static int doveadm_chatmail_cmp(const struct doveadm_chatmail_row *a,
				const struct doveadm_chatmail_row *b)
{
	return cm_dove_quota_cmp(&a->q, &b->q, a->sort);
}

/* cmd_chatmail_quota - doveadm chatmail quota */
static void cmd_chatmail_quota(struct doveadm_cmd_context *cctx)
{
	struct doveadm_chatmail_page page;
	struct chatmail_client *client;
	const struct doveadm_chatmail_row *r;
	const char *sort = "user";

	i_zero(&page);
	if (cm_dove_sort_parse(doveadm_cmd_param_str(cctx, "sort", &sort)
			       ? sort : "user", &page.sort) < 0) {
		i_error("Unknown sort key '%s': use user, used, max or percent",
			sort);
		doveadm_exit_code = EX_USAGE;
		return;
	}
	page.pool = pool_alloconly_create("doveadm chatmail quota", 4096);
	p_array_init(&page.rows, page.pool, 64);
	client = doveadm_chatmail_connect(cctx);
	if (doveadm_chatmail_quota_fetch(client, &page)) {
		array_sort(&page.rows, doveadm_chatmail_cmp);
		doveadm_print_init(DOVEADM_PRINT_TYPE_TABLE);
		doveadm_print_header_simple("user");
		doveadm_print_header("used", "used",
				     DOVEADM_PRINT_HEADER_FLAG_RIGHT_JUSTIFY);
		doveadm_print_header("max", "max",
				     DOVEADM_PRINT_HEADER_FLAG_RIGHT_JUSTIFY);
		doveadm_print_header("percent", "%",
				     DOVEADM_PRINT_HEADER_FLAG_RIGHT_JUSTIFY);
		array_foreach(&page.rows, r) {
			doveadm_print(r->q.user);
			doveadm_print_num((uintmax_t) r->q.used);
			doveadm_print_num((uintmax_t) r->q.max);
			doveadm_print_num((uintmax_t)
					  cm_dove_percent(r->q.used, r->q.max));
		}
	}
	chatmail_client_deinit(&client);
	pool_unref(&page.pool);
}

/* doveadm_chatmail_stat_row - one STATS row */
static void doveadm_chatmail_stat_row(const struct cm_dove_reply *row,
				      void *ctx ATTR_UNUSED)
{
	if (row->n < 2)
		return;
	doveadm_print(row->fields[0]);
	doveadm_print(row->fields[1]);
}

/* cmd_chatmail_stats - doveadm chatmail stats */
static void cmd_chatmail_stats(struct doveadm_cmd_context *cctx)
{
	struct chatmail_client *client = doveadm_chatmail_connect(cctx);
	struct cm_dove_request req;

	doveadm_print_init(DOVEADM_PRINT_TYPE_TABLE);
	doveadm_print_header_simple("name");
	doveadm_print_header("value", "value",
			     DOVEADM_PRINT_HEADER_FLAG_RIGHT_JUSTIFY);
	doveadm_chatmail_request(CM_DOVE_CMD_STATS, &req);
	(void) doveadm_chatmail_run(client, &req, doveadm_chatmail_stat_row,
				    NULL, NULL);
	chatmail_client_deinit(&client);
}

/* cmd_chatmail_hydrate - doveadm chatmail hydrate */
static void cmd_chatmail_hydrate(struct doveadm_cmd_context *cctx)
{
	struct chatmail_client *client = doveadm_chatmail_connect(cctx);
	struct cm_dove_request req;

	doveadm_chatmail_request(CM_DOVE_CMD_HYDRATE, &req);
	(void) doveadm_chatmail_run(client, &req, NULL, NULL, NULL);
	chatmail_client_deinit(&client);
}

static struct doveadm_cmd_ver2 doveadm_chatmail_cmds[] = {
	{
		.name = "chatmail quota",
		.cmd = cmd_chatmail_quota,
		.usage = "[-s user|used|max|percent] [-S <socket path>]",
DOVEADM_CMD_PARAMS_START
DOVEADM_CMD_PARAM('s', "sort", CMD_PARAM_STR, 0)
DOVEADM_CMD_PARAM('S', "socket-path", CMD_PARAM_STR, 0)
DOVEADM_CMD_PARAMS_END
	},
	{
		.name = "chatmail stats",
		.cmd = cmd_chatmail_stats,
		.usage = "[-S <socket path>]",
DOVEADM_CMD_PARAMS_START
DOVEADM_CMD_PARAM('S', "socket-path", CMD_PARAM_STR, 0)
DOVEADM_CMD_PARAMS_END
	},
	{
		.name = "chatmail hydrate",
		.cmd = cmd_chatmail_hydrate,
		.usage = "[-S <socket path>]",
DOVEADM_CMD_PARAMS_START
DOVEADM_CMD_PARAM('S', "socket-path", CMD_PARAM_STR, 0)
DOVEADM_CMD_PARAMS_END
	},
};

/* doveadm_chatmail_plugin_init - register the commands */
void doveadm_chatmail_plugin_init(struct module *module ATTR_UNUSED)
{
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(doveadm_chatmail_cmds); i++)
		doveadm_cmd_register_ver2(&doveadm_chatmail_cmds[i]);
}

/* doveadm_chatmail_plugin_deinit - nothing to release */
void doveadm_chatmail_plugin_deinit(void)
{
}
