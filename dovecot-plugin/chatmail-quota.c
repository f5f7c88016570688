/*++
 * NAME
 *	chatmail-quota 3
 * SUMMARY
 *	quota backend "chatmail": usage and limit from chatmail-policyd
 * DESCRIPTION
 *	quota = chatmail:User quota makes Dovecot's quota plugin read a
 *	user's used bytes and limit from the daemon's RAM cache
 *	(QUOTA-GET) and send each transaction's net change back at commit
 *	(QUOTA-ADD, one line per transaction, saves and expunges summed,
 *	sent without waiting for the reply: chatmail_client_send()).
 *	doveadm quota recalc (update() without a mailbox) and a commit
 *	that lost track of expunged sizes ask the daemon to re-walk the
 *	user's Maildir (QUOTA-RECALC). The standard root parameters
 *	(noenforcing, hidden, ignoreunlimited, ns=) are accepted.
 *
 *	Limits: the daemon's max is the user's limit (init_limits, which
 *	Dovecot calls before every limit check unless a quota_rule forces
 *	its own); max 0 means unlimited. Only STORAGE is a resource: the
 *	daemon does not count messages.
 *
 *	One answer per ioloop time: init_limits and get_resource within
 *	the same ioloop iteration share one QUOTA-GET (the quota plugin
 *	asks for both while checking one save); update() forgets it.
 *
 *	Daemon down (chatmail-client.h): the limit is 0 (unlimited), so
 *	deliveries and APPENDs go through; deltas are dropped (the next
 *	hydrate recomputes usage from disk); get_resource fails (doveadm
 *	quota get and GETQUOTAROOT report an error); doveadm quota recalc
 *	fails with the reason. The client logs the outage once.
 *--*/

#include "lib.h"
#include "ioloop.h"
#include "quota-private.h"
#include "chatmail-client.h"
#include "chatmail-plugin.h"
#include "chatmail-quota.h"

struct chatmail_quota_root {
	struct quota_root root;
	struct timeval refreshed;	/* ioloop time of the answer below */
	int state;			/* 1 known, 0 unavailable, -1 error */
	struct cm_dove_quota quota;
	char *error;			/* why, when state <= 0 */
};

/* chatmail_quota_alloc - a root */
static struct quota_root *chatmail_quota_alloc(void)
{
	struct chatmail_quota_root *root = i_new(struct chatmail_quota_root, 1);

	return &root->root;
}

/* chatmail_quota_init - the standard parameters only */
static int chatmail_quota_init(struct quota_root *root, const char *args,
			       const char **error_r)
{
	event_set_append_log_prefix(root->backend.event, "quota-chatmail: ");
	return quota_root_default_init(root, args, error_r);
}

/* chatmail_quota_deinit - free the root */
static void chatmail_quota_deinit(struct quota_root *_root)
{
	struct chatmail_quota_root *root = (struct chatmail_quota_root *) _root;

	i_free(root->error);
	i_free(root);
}

/* chatmail_quota_request - a quota request for this root's user */
static void chatmail_quota_request(struct quota_root *root,
				   enum cm_dove_cmd cmd,
				   struct cm_dove_request *req_r)
{
	i_zero(req_r);
	req_r->cmd = cmd;
	req_r->user = root->quota->user->username;
	req_r->mailbox = req_r->after = "";
}

/* chatmail_quota_refresh - QUOTA-GET once per ioloop time */
static int chatmail_quota_refresh(struct chatmail_quota_root *root)
{
	struct chatmail_client *client;
	struct cm_dove_request req;
	const char *error = "";

	if (root->refreshed.tv_sec == ioloop_timeval.tv_sec
	    && root->refreshed.tv_usec == ioloop_timeval.tv_usec
	    && root->refreshed.tv_sec != 0)
		return root->state;
	client = chatmail_plugin_client(root->root.quota->user);
	chatmail_quota_request(&root->root, CM_DOVE_CMD_QUOTA_GET, &req);
	root->state = chatmail_client_quota(client, &req, &root->quota, &error);
	root->quota.user = "";
	if (root->state <= 0) {
		i_free(root->error);
		root->error = i_strdup_printf("%s%s", root->state == 0
			? "chatmail-policyd is not reachable: " : "", error);
	}
	root->refreshed = ioloop_timeval;
	return root->state;
}

/* chatmail_quota_forget - the next question asks the daemon again */
static void chatmail_quota_forget(struct chatmail_quota_root *root)
{
	root->refreshed.tv_sec = 0;
	root->refreshed.tv_usec = 0;
}

/* chatmail_quota_init_limits - the daemon's max is the limit */
static int chatmail_quota_init_limits(struct quota_root *_root,
				      const char **error_r)
{
	struct chatmail_quota_root *root = (struct chatmail_quota_root *) _root;

	switch (chatmail_quota_refresh(root)) {
	case 1:
		_root->bytes_limit = root->quota.max;
		return 0;
	case 0:
		_root->bytes_limit = 0;	/* unknown: do not block mail */
		return 0;
	default:
		*error_r = root->error;
		return -1;
	}
}

/* chatmail_quota_get_resources - STORAGE only */
static const char *const *
chatmail_quota_get_resources(struct quota_root *root ATTR_UNUSED)
{
	static const char *const resources[] = {
		QUOTA_NAME_STORAGE_KILOBYTES, NULL
	};

	return resources;
}

/* chatmail_quota_get_resource - used bytes from the daemon */
static enum quota_get_result
chatmail_quota_get_resource(struct quota_root *_root, const char *name,
			    uint64_t *value_r, const char **error_r)
{
	struct chatmail_quota_root *root = (struct chatmail_quota_root *) _root;

	if (strcmp(name, QUOTA_NAME_STORAGE_BYTES) != 0) {
		*error_r = QUOTA_UNKNOWN_RESOURCE_ERROR_STRING;
		return QUOTA_GET_RESULT_UNKNOWN_RESOURCE;
	}
	if (chatmail_quota_refresh(root) <= 0) {
		*error_r = root->error;
		return QUOTA_GET_RESULT_INTERNAL_ERROR;
	}
	*value_r = (uint64_t) root->quota.used;
	return QUOTA_GET_RESULT_LIMITED;
}

/* chatmail_quota_recalc - QUOTA-RECALC: the daemon re-walks the Maildir */
static int chatmail_quota_recalc(struct quota_root *root, bool forced,
				 const char **error_r)
{
	struct cm_dove_request req;
	struct cm_dove_quota quota;
	int ret;

	chatmail_quota_request(root, CM_DOVE_CMD_QUOTA_RECALC, &req);
	ret = chatmail_client_quota(chatmail_plugin_client(root->quota->user),
				    &req, &quota, error_r);
	if (ret == 0 && forced) {
		*error_r = t_strdup_printf("chatmail-policyd is not reachable "
			"at %s: %s", chatmail_client_socket_path(
			chatmail_plugin_client(root->quota->user)), *error_r);
		return -1;
	}
	if (ret > 0)
		e_debug(root->backend.event, "recalculated: %" PRId64
			" bytes used, limit %" PRId64, quota.used, quota.max);
	return ret < 0 ? -1 : 0;
}

/* chatmail_quota_update - send the transaction's change (or recalc) */
static int chatmail_quota_update(struct quota_root *_root,
				 struct quota_transaction_context *ctx,
				 const char **error_r)
{
	struct chatmail_quota_root *root = (struct chatmail_quota_root *) _root;
	struct cm_dove_request req;

	chatmail_quota_forget(root);
	if (ctx->recalculate != QUOTA_RECALCULATE_DONT)
		return chatmail_quota_recalc(_root, ctx->recalculate ==
					     QUOTA_RECALCULATE_FORCED, error_r);
	if (ctx->bytes_used == 0 && ctx->count_used == 0)
		return 0;
	chatmail_quota_request(_root, CM_DOVE_CMD_QUOTA_ADD, &req);
	req.bytes = ctx->bytes_used;
	req.count = ctx->count_used;
	/* Nothing here needs the new totals: no wait for the reply (a FAIL
	   is logged when it is read). 0 (daemon down) is no error either:
	   the client logged it once, and the next hydrate recomputes usage
	   from the Maildir. */
	return chatmail_client_send(chatmail_plugin_client(_root->quota->user),
				    &req, 1, error_r) < 0 ? -1 : 0;
}

struct quota_backend quota_backend_chatmail = {
	.name = "chatmail",
	.v = {
		.alloc = chatmail_quota_alloc,
		.init = chatmail_quota_init,
		.deinit = chatmail_quota_deinit,
		.init_limits = chatmail_quota_init_limits,
		.get_resources = chatmail_quota_get_resources,
		.get_resource = chatmail_quota_get_resource,
		.update = chatmail_quota_update,
	}
};
