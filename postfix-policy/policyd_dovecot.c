/*++
 * NAME
 *	policyd_dovecot 3
 * SUMMARY
 *	the dovecot socket of chatmail-policyd
 * DESCRIPTION
 *	Serves the Dovecot plugins (doc/dovecot-protocol.md) on the UNIX
 *	socket dovecot_socket, on the main thread with the policyd_server
 *	framework, like the control socket. Every line is decoded with
 *	cm_dove_codec, decided against the hot state, answered with one
 *	reply (data rows and an OK, or a FAIL), in order.
 *
 *	A connection must start with VERSION; another major version is
 *	answered with FAIL and the connection is closed. A malformed line
 *	gets "FAIL syntax" and the connection stays usable.
 *
 *	QUOTA-RECALC walks one Maildir on a thread of its own
 *	(cm_hydrate_user); lines that arrive meanwhile on that connection
 *	wait, so replies keep their order. HYDRATE is a reload (SIGHUP):
 *	configuration, settings, lists, and a background walk of the
 *	whole tree.
 *
 *	Counting: EVENT does not count "received" messages. The policy
 *	service's END-OF-MESSAGE is the one source of truth for the
 *	received counters (it counts every local recipient of a message
 *	Postfix accepted, at the same moment as the federation statistics);
 *	events are counted apart as dovecot_deliveries (LMTP/LDA) and
 *	dovecot_appends (IMAP APPEND/COPY/MOVE, doveadm), for statistics
 *	now and push notifications later.
 *--*/

#include "policyd.h"
#include "policyd_log.h"
#include "cm_dove_codec.h"
#include "cm_hydrate.h"

#include <string.h>
#include <unistd.h>

#define POLICYD_DOVECOT_IDLE 30		/* seconds; plugins reconnect */
#define POLICYD_DOVECOT_LIST_MAX 10000	/* rows per QUOTA-LIST page */

#define POLICYD_COUNT(p)	__atomic_fetch_add((p), 1, __ATOMIC_RELAXED)
#define POLICYD_LOAD(p)		__atomic_load_n((p), __ATOMIC_RELAXED)

struct policyd_dovecot {
	struct policyd *d;
	struct policyd_server_group *group;
	struct policyd_server *server;
	char *path;			/* unlinked at the end */
	GPtrArray *jobs;		/* recalcs in flight (owned) */
	guint64 requests;
	guint64 deliveries;
	guint64 appends;
	guint64 deltas;
	guint64 recalcs;
};

struct policyd_dovecot_job;

struct policyd_dovecot_conn {
	struct policyd_dovecot *dv;
	struct policyd_conn *conn;
	GString *line;
	gboolean overlong;		/* discarding up to the next LF */
	gboolean greeted;		/* VERSION accepted */
	gboolean refused;		/* another major version: close */
	struct policyd_dovecot_job *job;	/* a recalc in flight */
	GString *backlog;		/* input held while job runs */
};

/* A QUOTA-RECALC on its thread: owns copies of what it reads. */
struct policyd_dovecot_job {
	struct policyd_dovecot *dv;
	struct policyd_dovecot_conn *dc;	/* NULL once the peer left */
	GThread *thread;
	char *user;
	char *mail_root;
	char *mail_layout;
	gint64 default_max;
	int rc;
	struct cm_error err;
};

static gboolean policyd_dovecot_input(struct policyd_conn *conn, void *state,
				      const char *data, gsize len);

/* policyd_dovecot_reply - format and queue one reply line */
static void policyd_dovecot_reply(struct policyd_dovecot_conn *dc,
				  enum cm_dove_reply_kind kind,
				  const char *const *fields, int n)
{
	char line[CM_DOVE_LINE_MAX + 1];
	long len = cm_dove_reply_format(kind, fields, n, line, sizeof(line));

	if (len < 0) {
		static const char msg[] = "FAIL\tinternal\treply too long\n";

		policyd_conn_write(dc->conn, msg, sizeof(msg) - 1);
		return;
	}
	policyd_conn_write(dc->conn, line, (gsize) len);
}

/* policyd_dovecot_fail - FAIL code text */
static void policyd_dovecot_fail(struct policyd_dovecot_conn *dc,
				 const char *code, const char *text)
{
	const char *f[2] = { code, text };

	policyd_dovecot_reply(dc, CM_DOVE_REPLY_FAIL, f, 2);
}

/* policyd_dovecot_quota_reply - "OK used max" or a row with the user */
static void policyd_dovecot_quota_reply(struct policyd_dovecot_conn *dc,
					enum cm_dove_reply_kind kind,
					const char *user, gint64 used,
					gint64 max)
{
	char u[24], m[24];
	const char *f[3] = { user, u, m };

	g_snprintf(u, sizeof(u), "%" G_GINT64_FORMAT, used);
	g_snprintf(m, sizeof(m), "%" G_GINT64_FORMAT, max);
	if (kind == CM_DOVE_REPLY_ROW)
		policyd_dovecot_reply(dc, kind, f, 3);
	else
		policyd_dovecot_reply(dc, kind, f + 1, 2);
}

/* policyd_dovecot_lookup - used/max of a user key; defaults if unknown */
static void policyd_dovecot_lookup(struct policyd *d, const char *key,
				   gint64 *used_r, gint64 *max_r)
{
	int64_t used = 0, max = d->settings.default_quota_bytes;

	(void) cm_hot_quota_get(d->hot, key, &used, &max);
	*used_r = used;
	*max_r = max;
}

/* policyd_dovecot_version - VERSION major minor */
static gboolean policyd_dovecot_version(struct policyd_dovecot_conn *dc,
					const struct cm_dove_request *req)
{
	char major[24], minor[24], text[96];
	const char *f[2] = { major, minor };

	if (!cm_dove_version_compatible(req->major)) {
		g_snprintf(text, sizeof(text), "protocol major version %"
			   G_GINT64_FORMAT " is not %d", req->major,
			   CM_DOVE_VERSION_MAJOR);
		policyd_log_warning("dovecot: %s: %s; closing",
				    policyd_conn_peer(dc->conn), text);
		policyd_dovecot_fail(dc, "version", text);
		dc->refused = TRUE;
		return FALSE;
	}
	dc->greeted = TRUE;
	g_snprintf(major, sizeof(major), "%d", CM_DOVE_VERSION_MAJOR);
	g_snprintf(minor, sizeof(minor), "%d", CM_DOVE_VERSION_MINOR);
	policyd_dovecot_reply(dc, CM_DOVE_REPLY_VERSION, f, 2);
	return TRUE;
}

struct policyd_dovecot_item {
	char *user;
	gint64 used, max;
};

struct policyd_dovecot_collect {
	const char *after;
	GArray *items;
};

/* policyd_dovecot_collect - cm_hot_quota_foreach: users after the cursor */
static void policyd_dovecot_collect(const char *user, int64_t used,
				    int64_t max, void *ctx)
{
	struct policyd_dovecot_collect *c = ctx;
	struct policyd_dovecot_item item = { NULL, used, max };

	if (strcmp(user, c->after) <= 0)
		return;
	item.user = g_strdup(user);
	g_array_append_val(c->items, item);
}

/* policyd_dovecot_item_cmp - by user name */
static gint policyd_dovecot_item_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(((const struct policyd_dovecot_item *) a)->user,
		      ((const struct policyd_dovecot_item *) b)->user);
}

/* policyd_dovecot_list - QUOTA-LIST after limit: one page of rows */
static void policyd_dovecot_list(struct policyd_dovecot_conn *dc,
				 const struct cm_dove_request *req)
{
	struct policyd_dovecot_collect c = {
		req->after, g_array_new(FALSE, FALSE,
				       sizeof(struct policyd_dovecot_item))
	};
	guint i, rows = 0;
	char text[24];
	const char *f[1] = { text };

	if (req->limit > POLICYD_DOVECOT_LIST_MAX) {
		g_array_free(c.items, TRUE);
		policyd_dovecot_fail(dc, "invalid", "limit must be 1..10000");
		return;
	}
	cm_hot_quota_foreach(dc->dv->d->hot, policyd_dovecot_collect, &c);
	g_array_sort(c.items, policyd_dovecot_item_cmp);
	for (i = 0; i < c.items->len; i++) {
		struct policyd_dovecot_item *it = &g_array_index(c.items,
			struct policyd_dovecot_item, i);

		if ((gint64) rows < req->limit) {
			policyd_dovecot_quota_reply(dc, CM_DOVE_REPLY_ROW,
						    it->user, it->used, it->max);
			rows++;
		}
		g_free(it->user);
	}
	g_array_free(c.items, TRUE);
	g_snprintf(text, sizeof(text), "%u", rows);
	policyd_dovecot_reply(dc, CM_DOVE_REPLY_OK, f, 1);
}

/* policyd_dovecot_stat_row - policyd_stats callback */
static void policyd_dovecot_stat_row(const char *name, gint64 value, void *ctx)
{
	char text[24];
	const char *f[2] = { name, text };

	g_snprintf(text, sizeof(text), "%" G_GINT64_FORMAT, value);
	policyd_dovecot_reply(ctx, CM_DOVE_REPLY_ROW, f, 2);
}

/* policyd_dovecot_hydrate - HYDRATE: reload, walk in the background */
static void policyd_dovecot_hydrate(struct policyd_dovecot_conn *dc)
{
	g_autoptr(GError) error = NULL;

	policyd_log_info("dovecot: %s asked for a hydrate (reload)",
			 policyd_conn_peer(dc->conn));
	if (!policyd_reload(dc->dv->d, &error)) {
		policyd_dovecot_fail(dc, "internal", error->message);
		return;
	}
	policyd_dovecot_reply(dc, CM_DOVE_REPLY_OK, NULL, 0);
}

/* policyd_dovecot_job_free - release a finished job */
static void policyd_dovecot_job_free(struct policyd_dovecot_job *job)
{
	g_free(job->user);
	g_free(job->mail_root);
	g_free(job->mail_layout);
	g_free(job);
}

/* policyd_dovecot_job_done - back on the main thread: answer, go on */
static gboolean policyd_dovecot_job_done(gpointer data)
{
	struct policyd_dovecot_job *job = data;
	struct policyd_dovecot_conn *dc = job->dc;
	gint64 used, max;

	g_thread_join(job->thread);
	g_ptr_array_remove_fast(job->dv->jobs, job);
	if (job->rc < 0)
		policyd_log_warning("dovecot: recalc %s: %s", job->user,
				    job->err.message);
	if (dc != NULL) {
		dc->job = NULL;
		if (job->rc < 0) {
			policyd_dovecot_fail(dc, "internal", job->err.message);
		} else {
			policyd_dovecot_lookup(job->dv->d, job->user, &used,
					       &max);
			policyd_dovecot_quota_reply(dc, CM_DOVE_REPLY_OK, NULL,
						    used, max);
		}
	}
	policyd_dovecot_job_free(job);
	if (dc != NULL && dc->backlog->len > 0) {
		g_autofree char *held = g_strndup(dc->backlog->str,
						  dc->backlog->len);
		gsize len = dc->backlog->len;

		g_string_truncate(dc->backlog, 0);
		(void) policyd_dovecot_input(dc->conn, dc, held, len);
	}
	return G_SOURCE_REMOVE;
}

/* policyd_dovecot_job_run - the walk, on its own thread */
static gpointer policyd_dovecot_job_run(gpointer data)
{
	struct policyd_dovecot_job *job = data;
	struct cm_hydrate_options opts = {
		job->mail_root, job->mail_layout, NULL, NULL
	};

	cm_error_clear(&job->err);
	job->rc = cm_hydrate_user(job->dv->d->hot, &opts, job->user,
				  job->default_max, &job->err);
	g_idle_add(policyd_dovecot_job_done, job);
	return NULL;
}

/* policyd_dovecot_recalc - QUOTA-RECALC user: start the walk */
static void policyd_dovecot_recalc(struct policyd_dovecot_conn *dc,
				   const char *key)
{
	struct policyd_dovecot *dv = dc->dv;
	struct policyd_dovecot_job *job = g_new0(struct policyd_dovecot_job, 1);

	job->dv = dv;
	job->dc = dc;
	job->user = g_strdup(key);
	job->mail_root = g_strdup(dv->d->config->mail_root);
	job->mail_layout = g_strdup(dv->d->config->mail_layout);
	job->default_max = dv->d->settings.default_quota_bytes;
	POLICYD_COUNT(&dv->recalcs);
	dc->job = job;
	g_ptr_array_add(dv->jobs, job);
	job->thread = g_thread_new("recalc", policyd_dovecot_job_run, job);
}

/* policyd_dovecot_quota - QUOTA-GET, QUOTA-ADD, QUOTA-RECALC */
static void policyd_dovecot_quota(struct policyd_dovecot_conn *dc,
				  const struct cm_dove_request *req)
{
	struct policyd *d = dc->dv->d;
	char key[CM_DOVE_USER_MAX + 1];
	gint64 used, max;

	if (cm_dove_user_key(req->user, key, sizeof(key)) < 0) {
		policyd_dovecot_fail(dc, "invalid", "bad user name");
		return;
	}
	if (req->cmd == CM_DOVE_CMD_QUOTA_RECALC) {
		policyd_dovecot_recalc(dc, key);
		return;
	}
	if (req->cmd == CM_DOVE_CMD_QUOTA_ADD) {
		cm_hot_quota_add(d->hot, key, req->bytes,
				 d->settings.default_quota_bytes);
		POLICYD_COUNT(&dc->dv->deltas);
	}
	policyd_dovecot_lookup(d, key, &used, &max);
	policyd_dovecot_quota_reply(dc, CM_DOVE_REPLY_OK, NULL, used, max);
}

/* policyd_dovecot_request - decide one decoded request */
static void policyd_dovecot_request(struct policyd_dovecot_conn *dc,
				    const struct cm_dove_request *req)
{
	struct policyd_dovecot *dv = dc->dv;

	switch (req->cmd) {
	case CM_DOVE_CMD_QUOTA_GET:
	case CM_DOVE_CMD_QUOTA_ADD:
	case CM_DOVE_CMD_QUOTA_RECALC:
		policyd_dovecot_quota(dc, req);
		break;
	case CM_DOVE_CMD_QUOTA_LIST:
		policyd_dovecot_list(dc, req);
		break;
	case CM_DOVE_CMD_EVENT:
		POLICYD_COUNT(req->kind == CM_DOVE_EVENT_DELIVER
			      ? &dv->deliveries : &dv->appends);
		policyd_dovecot_reply(dc, CM_DOVE_REPLY_OK, NULL, 0);
		break;
	case CM_DOVE_CMD_STATS:
		policyd_stats(dv->d, policyd_dovecot_stat_row, dc);
		policyd_dovecot_reply(dc, CM_DOVE_REPLY_OK, NULL, 0);
		break;
	case CM_DOVE_CMD_HYDRATE:
		policyd_dovecot_hydrate(dc);
		break;
	default:
		break;
	}
}

/* policyd_dovecot_line - one complete request line (without LF) */
static void policyd_dovecot_line(struct policyd_dovecot_conn *dc, char *line)
{
	struct cm_dove_request req;
	const char *why;

	POLICYD_COUNT(&dc->dv->requests);
	if (dc->refused) {
		policyd_dovecot_fail(dc, "version", "version refused");
		return;
	}
	if (cm_dove_request_parse(line, &req, &why) < 0) {
		policyd_dovecot_fail(dc, "syntax", why);
		return;
	}
	if (req.cmd == CM_DOVE_CMD_VERSION) {
		(void) policyd_dovecot_version(dc, &req);
		return;
	}
	if (!dc->greeted) {
		policyd_dovecot_fail(dc, "version", "send VERSION first");
		return;
	}
	policyd_dovecot_request(dc, &req);
}

/* policyd_dovecot_input - split input into lines; hold it during a job */
static gboolean policyd_dovecot_input(struct policyd_conn *conn, void *state,
				      const char *data, gsize len)
{
	struct policyd_dovecot_conn *dc = state;

	while (len > 0 && dc->job == NULL && !dc->refused) {
		if (!policyd_conn_take_line(dc->line, &dc->overlong,
					    CM_DOVE_LINE_MAX, &data, &len))
			break;
		if (dc->overlong) {
			policyd_dovecot_fail(dc, "syntax", "line longer than "
					     "8192 bytes");
			policyd_log_warning("dovecot: %s sent an over-long "
					    "line", policyd_conn_peer(conn));
		} else {
			policyd_dovecot_line(dc, dc->line->str);
		}
		g_string_truncate(dc->line, 0);
		dc->overlong = FALSE;
	}
	if (len > 0 && dc->job != NULL)
		g_string_append_len(dc->backlog, data, (gssize) len);
	return !dc->refused;
}

/* policyd_dovecot_conn_new - per-connection state */
static void *policyd_dovecot_conn_new(struct policyd_conn *conn, void *ctx)
{
	struct policyd_dovecot_conn *dc = g_new0(struct policyd_dovecot_conn, 1);

	dc->dv = ctx;
	dc->conn = conn;
	dc->line = g_string_sized_new(128);
	dc->backlog = g_string_new(NULL);
	return dc;
}

/* policyd_dovecot_conn_free - release per-connection state */
static void policyd_dovecot_conn_free(void *state)
{
	struct policyd_dovecot_conn *dc = state;

	if (dc->job != NULL)
		dc->job->dc = NULL;	/* it finishes without us */
	g_string_free(dc->line, TRUE);
	g_string_free(dc->backlog, TRUE);
	g_free(dc);
}

/* policyd_dovecot_busy - a request partly received or being answered */
static gboolean policyd_dovecot_busy(void *state)
{
	struct policyd_dovecot_conn *dc = state;

	return dc->line->len > 0 || dc->overlong || dc->job != NULL;
}

static const struct policyd_server_ops policyd_dovecot_ops = {
	policyd_dovecot_conn_new,
	policyd_dovecot_conn_free,
	policyd_dovecot_input,
	policyd_dovecot_busy,
};

/* policyd_dovecot_start - open dovecot_socket (main thread, before
   detaching); nothing when it is "" */
gboolean policyd_dovecot_start(struct policyd *d, GError **error)
{
	const struct policyd_config *c = d->config;
	struct policyd_server_limits limits = {
		c->max_connections, c->request_timeout, POLICYD_DOVECOT_IDLE
	};
	struct policyd_dovecot *dv;
	int fd;

	if (c->dovecot_socket[0] == '\0')
		return TRUE;
	fd = policyd_listen_unix(c->dovecot_socket, c->dovecot_socket_mode, "",
				 c->dovecot_socket_group, error);
	if (fd < 0)
		return FALSE;
	dv = g_new0(struct policyd_dovecot, 1);
	dv->d = d;
	dv->path = g_strdup(c->dovecot_socket);
	dv->jobs = g_ptr_array_new();
	dv->group = policyd_server_group_new(&limits);
	dv->server = policyd_server_new("dovecot", fd, &policyd_dovecot_ops, dv,
					dv->group, NULL);
	d->dovecot = dv;
	policyd_log_info("dovecot: listening on %s", dv->path);
	return TRUE;
}

/* policyd_dovecot_drain - SIGTERM: stop accepting, close idle peers */
void policyd_dovecot_drain(struct policyd *d)
{
	if (d->dovecot == NULL)
		return;
	policyd_server_stop_accepting(d->dovecot->server);
	policyd_server_drain(d->dovecot->server);
}

/* policyd_dovecot_connections - open connections (0 without a socket) */
guint policyd_dovecot_connections(const struct policyd *d)
{
	return d->dovecot ? policyd_server_connections(d->dovecot->server) : 0;
}

/* policyd_dovecot_stats - the socket's statistics as name/value rows */
void policyd_dovecot_stats(struct policyd *d,
			   void (*row)(const char *name, gint64 value,
				       void *ctx), void *ctx)
{
	struct policyd_dovecot *dv = d->dovecot;

	if (dv == NULL)
		return;
	row("dovecot_connections",
	    (gint64) policyd_server_group_connections(dv->group), ctx);
	row("dovecot_requests", (gint64) POLICYD_LOAD(&dv->requests), ctx);
	row("dovecot_quota_deltas", (gint64) POLICYD_LOAD(&dv->deltas), ctx);
	row("dovecot_quota_recalcs", (gint64) POLICYD_LOAD(&dv->recalcs), ctx);
	row("dovecot_deliveries", (gint64) POLICYD_LOAD(&dv->deliveries), ctx);
	row("dovecot_appends", (gint64) POLICYD_LOAD(&dv->appends), ctx);
}

/* policyd_dovecot_free - close the socket, finish recalcs, free */
void policyd_dovecot_free(struct policyd *d)
{
	struct policyd_dovecot *dv = d->dovecot;
	struct policyd_dovecot_job *job;

	if (dv == NULL)
		return;
	d->dovecot = NULL;
	policyd_server_free(&dv->server);	/* orphans the jobs */
	while (dv->jobs->len > 0) {
		job = g_ptr_array_steal_index_fast(dv->jobs, 0);
		g_thread_join(job->thread);
		while (g_idle_remove_by_data(job))
			;
		policyd_dovecot_job_free(job);
	}
	g_ptr_array_free(dv->jobs, TRUE);
	policyd_server_group_free(&dv->group);
	unlink(dv->path);
	g_free(dv->path);
	g_free(dv);
}
