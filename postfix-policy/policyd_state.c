/*++
 * NAME
 *	policyd_state 3
 * SUMMARY
 *	chatmail-policyd's state: open, hydrate, snapshots, reload, flush
 * DESCRIPTION
 *	policyd_state_open() opens the store and hydrates the hot state
 *	before any listener exists, so the first request already sees
 *	correct quotas. A reload re-reads the configuration, the settings
 *	and the lists at once and re-walks the Maildir tree on a thread of
 *	its own while requests go on being served.
 *
 *	Snapshots: every change of the configuration, the settings or the
 *	lists publishes a new struct policyd_snap (policyd_state_publish)
 *	for the policy workers. The blockset, which a settings change
 *	leaves alone, is shared between snapshots through a refcounted
 *	struct policyd_blocks. Only the main thread publishes.
 *
 *	Failure policy: a database error or a bad mail_layout at start is
 *	fatal (exit 1); an unreadable or missing mail root is logged and
 *	the daemon serves with the quotas it has.
 *--*/

#include "policyd.h"
#include "policyd_log.h"
#include "cm_hydrate.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#define POLICYD_COUNT(p)	__atomic_fetch_add((p), 1, __ATOMIC_RELAXED)
#define POLICYD_LOAD(p)		__atomic_load_n((p), __ATOMIC_RELAXED)

/* A blockset shared by snapshots; freed with the last of them. */
struct policyd_blocks {
	gint refcount;
	struct cm_blockset *set;
};

/* A background walk: owns copies of what it needs. */
struct policyd_walk {
	struct policyd *d;
	char *mail_root;
	char *mail_layout;
	gint64 started_us;
	int rc;
	struct cm_error err;
	struct cm_hydrate_report report;
};

static const char *const policyd_stat_names[POLICYD_STAT_COUNT] = {
	"dunno", "blocklist", "federation", "size", "quota", "rate",
	"malformed", "internal",
};

/* policyd_stat_name - the statistic's name */
const char *policyd_stat_name(enum policyd_stat stat)
{
	return policyd_stat_names[stat];
}

/* policyd_stat_of - a verdict's reason tag to its statistic */
enum policyd_stat policyd_stat_of(const char *reason)
{
	guint i;

	for (i = 1; i < POLICYD_STAT_COUNT; i++)
		if (strcmp(reason, policyd_stat_names[i]) == 0)
			return (enum policyd_stat) i;
	return POLICYD_STAT_DUNNO;
}

/* policyd_count - one answered request and its verdict's statistic */
void policyd_count(struct policyd *d, enum policyd_stat stat)
{
	POLICYD_COUNT(&d->requests);
	POLICYD_COUNT(&d->verdicts[stat]);
}

/* policyd_blocks_new - wrap a freshly loaded blockset (adopted) */
static struct policyd_blocks *policyd_blocks_new(struct cm_blockset *set)
{
	struct policyd_blocks *blocks = g_new0(struct policyd_blocks, 1);

	blocks->refcount = 1;
	blocks->set = set;
	return blocks;
}

/* policyd_blocks_unref - drop a reference; free with the last */
static void policyd_blocks_unref(struct policyd_blocks *blocks)
{
	if (!g_atomic_int_dec_and_test(&blocks->refcount))
		return;
	cm_blockset_free(&blocks->set);
	g_free(blocks);
}

/* policyd_snap_unref - drop a reference; free with the last */
void policyd_snap_unref(struct policyd_snap **_snap)
{
	struct policyd_snap *snap = *_snap;

	if (snap == NULL)
		return;
	*_snap = NULL;
	if (!g_atomic_int_dec_and_test(&snap->refcount))
		return;
	policyd_blocks_unref(snap->blocks_ref);
	policyd_config_unref(&snap->config);
	g_free(snap);
}

/* policyd_state_publish - a new snapshot for the workers (main thread) */
static void policyd_state_publish(struct policyd *d,
				  struct policyd_blocks *fresh)
{
	struct policyd_snap *snap = g_new0(struct policyd_snap, 1), *old;

	snap->refcount = 1;
	snap->settings = d->settings;
	if (fresh == NULL) {
		fresh = d->snap->blocks_ref;
		g_atomic_int_inc(&fresh->refcount);
	}
	snap->blocks_ref = fresh;
	snap->blocks = fresh->set;
	snap->config = policyd_config_ref(d->config);
	snap->n_local_domains = g_strv_length(d->config->local_domains);
	g_rw_lock_writer_lock(&d->snap_lock);
	old = d->snap;
	d->snap = snap;
	__atomic_store_n(&d->snap_gen, d->snap_gen + 1, __ATOMIC_RELEASE);
	g_rw_lock_writer_unlock(&d->snap_lock);
	policyd_snap_unref(&old);
}

/* policyd_snap_get - a reference to the published snapshot (any thread) */
struct policyd_snap *policyd_snap_get(struct policyd *d, guint *gen_r)
{
	struct policyd_snap *snap;

	g_rw_lock_reader_lock(&d->snap_lock);
	snap = d->snap;
	g_atomic_int_inc(&snap->refcount);
	*gen_r = d->snap_gen;
	g_rw_lock_reader_unlock(&d->snap_lock);
	return snap;
}

/* policyd_snap_generation - changes whenever a snapshot is published */
guint policyd_snap_generation(struct policyd *d)
{
	return __atomic_load_n(&d->snap_gen, __ATOMIC_ACQUIRE);
}

/* policyd_gerror - turn a cm_error into a GError */
static gboolean policyd_gerror(GError **error, const char *what,
			       const struct cm_error *err)
{
	g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: %s", what,
		    err->message);
	return FALSE;
}

/* policyd_walk_error - a Maildir or directory that could not be read */
static void policyd_walk_error(const char *what, const struct cm_error *err,
			       void *ctx)
{
	policyd_log_warning("hydrate: skipping %s: %s", what, err->message);
}

/* policyd_walk_run - walk the tree into the hot state */
static void policyd_walk_run(struct policyd_walk *walk)
{
	struct cm_hydrate_options opts = {
		walk->mail_root, walk->mail_layout, policyd_walk_error, NULL
	};
	struct stat st;

	cm_error_clear(&walk->err);
	memset(&walk->report, 0, sizeof(walk->report));
	walk->started_us = g_get_monotonic_time();
	if (stat(walk->mail_root, &st) < 0 && errno == ENOENT)
		policyd_log_warning("hydrate: mail_root %s does not exist "
				    "(yet); every user starts at 0 bytes",
				    walk->mail_root);
	walk->rc = cm_hydrate_run(walk->d->store, walk->d->hot, &opts,
				  &walk->report, &walk->err);
}

/* policyd_walk_log - the summary line of a walk */
static void policyd_walk_log(const struct policyd_walk *walk)
{
	gint64 ms = (g_get_monotonic_time() - walk->started_us) / 1000;

	if (walk->rc < 0) {
		policyd_log_error("hydrate: %s; quotas may be stale until the "
				  "next reload", walk->err.message);
		return;
	}
	policyd_log_info("hydrate: %zu users, %" G_GINT64_FORMAT " messages, %"
			 G_GINT64_FORMAT " bytes in %" G_GINT64_FORMAT
			 " ms (%zu skipped, %" G_GINT64_FORMAT " stat()ed)",
			 walk->report.users, walk->report.files,
			 walk->report.bytes, ms, walk->report.failed,
			 walk->report.stat_fallbacks);
}

/* policyd_walk_new - a walk with the current configuration */
static struct policyd_walk *policyd_walk_new(struct policyd *d)
{
	struct policyd_walk *walk = g_new0(struct policyd_walk, 1);

	walk->d = d;
	walk->mail_root = g_strdup(d->config->mail_root);
	walk->mail_layout = g_strdup(d->config->mail_layout);
	return walk;
}

/* policyd_walk_free - release a walk */
static void policyd_walk_free(struct policyd_walk *walk)
{
	g_free(walk->mail_root);
	g_free(walk->mail_layout);
	g_free(walk);
}

/* policyd_state_open - store, hot state, first hydrate, snapshots */
gboolean policyd_state_open(struct policyd *d, GError **error)
{
	struct cm_store_options opts = {
		d->config->sqlite_path, 0, d->config->sqlite_in_memory, 0
	};
	struct policyd_walk *walk;
	struct cm_blockset *blocks;
	struct cm_error err;

	if (cm_store_open(&opts, &d->store, &err) < 0)
		return policyd_gerror(error, "open database", &err);
	if (cm_settings_load(d->store, &d->settings, &err) < 0)
		return policyd_gerror(error, "load settings", &err);
	if (cm_blockset_load(d->store, &blocks, &err) < 0)
		return policyd_gerror(error, "load blocklist", &err);
	g_rw_lock_init(&d->snap_lock);
	policyd_state_publish(d, policyd_blocks_new(blocks));
	d->hot = cm_hot_new();
	d->gate = cm_hot_gate_new();
	walk = policyd_walk_new(d);
	policyd_walk_run(walk);
	policyd_walk_log(walk);
	if (walk->rc < 0 && walk->err.kind != CM_ERR_IO) {
		policyd_gerror(error, "hydrate", &walk->err);
		policyd_walk_free(walk);
		return FALSE;
	}
	policyd_walk_free(walk);
	d->started = g_get_real_time() / G_USEC_PER_SEC;
	return TRUE;
}

/* policyd_flusher_error - a flush or sync failed (flusher thread) */
static void policyd_flusher_error(const char *what, const struct cm_error *err,
				  void *ctx)
{
	policyd_log_error("%s: %s (counters stay in RAM and are retried)",
			  what, err->message);
}

/* policyd_start_flusher - (re)start the flusher with current intervals */
gboolean policyd_start_flusher(struct policyd *d, GError **error)
{
	struct cm_flusher_options opts = {
		d->settings.flush_interval, d->config->sqlite_sync_interval,
		policyd_flusher_error, d
	};
	struct cm_error err;

	if (d->flusher != NULL && cm_flusher_stop(&d->flusher, &err) < 0)
		policyd_log_error("flush: %s", err.message);
	if (cm_flusher_start(d->hot, d->store, &opts, &d->flusher, &err) < 0)
		return policyd_gerror(error, "start flusher", &err);
	return TRUE;
}

/* policyd_settings_reload - new settings snapshot from the store */
gboolean policyd_settings_reload(struct policyd *d, GError **error)
{
	struct cm_settings fresh;
	struct cm_error err;
	gint64 old_interval = d->settings.flush_interval;

	if (cm_settings_load(d->store, &fresh, &err) < 0)
		return policyd_gerror(error, "load settings", &err);
	d->settings = fresh;
	policyd_state_publish(d, NULL);
	if (d->flusher != NULL && fresh.flush_interval != old_interval)
		return policyd_start_flusher(d, error);
	return TRUE;
}

/* policyd_lists_reload - new blockset snapshot from the store */
gboolean policyd_lists_reload(struct policyd *d, GError **error)
{
	struct cm_blockset *fresh;
	struct cm_error err;

	if (cm_blockset_load(d->store, &fresh, &err) < 0)
		return policyd_gerror(error, "load blocklist", &err);
	policyd_state_publish(d, policyd_blocks_new(fresh));
	return TRUE;
}

static void policyd_walk_start(struct policyd *d);

/* policyd_walk_done - back on the main loop after a background walk */
static gboolean policyd_walk_done(gpointer data)
{
	struct policyd_walk *walk = data;
	struct policyd *d = walk->d;

	g_thread_join(d->hydrate_thread);
	d->hydrate_thread = NULL;
	policyd_walk_log(walk);
	policyd_walk_free(walk);
	if (d->hydrate_again && !d->stopping) {
		d->hydrate_again = FALSE;
		policyd_walk_start(d);
	}
	return G_SOURCE_REMOVE;
}

/* policyd_walk_thread - the background walk */
static gpointer policyd_walk_thread(gpointer data)
{
	policyd_walk_run(data);
	g_idle_add(policyd_walk_done, data);
	return NULL;
}

/* policyd_walk_start - re-walk in the background (or queue one) */
static void policyd_walk_start(struct policyd *d)
{
	if (d->hydrate_thread != NULL) {
		d->hydrate_again = TRUE;
		return;
	}
	d->hydrate_thread = g_thread_new("hydrate", policyd_walk_thread,
					 policyd_walk_new(d));
}

/* policyd_reload_config - swap in a new configuration snapshot */
static gboolean policyd_reload_config(struct policyd *d, GError **error)
{
	struct policyd_config *fresh, *old = d->config;
	struct policyd_server_limits limits;

	if ((fresh = policyd_config_load(old->path, error)) == NULL)
		return FALSE;
	if (g_strcmp0(fresh->sqlite_path, old->sqlite_path) != 0
	    || fresh->sqlite_in_memory != old->sqlite_in_memory
	    || g_strcmp0(fresh->policy_socket, old->policy_socket) != 0
	    || g_strcmp0(fresh->policy_tcp, old->policy_tcp) != 0
	    || g_strcmp0(fresh->control_socket, old->control_socket) != 0
	    || g_strcmp0(fresh->milter_socket, old->milter_socket) != 0
	    || fresh->milter_timeout != old->milter_timeout)
		policyd_log_warning("reload: the database or socket settings "
				    "changed; restart chatmail-policyd to "
				    "apply them");
	d->config = fresh;
	policyd_config_unref(&old);
	policyd_state_publish(d, NULL);
	limits.max_connections = fresh->max_connections;
	limits.request_timeout = fresh->request_timeout;
	limits.idle_timeout = fresh->idle_timeout;
	if (d->policy_unix != NULL)
		policyd_server_group_set_limits(d->policy_unix, &limits);
	if (d->policy_tcp != NULL)
		policyd_server_group_set_limits(d->policy_tcp, &limits);
	return TRUE;
}

/* policyd_reload - SIGHUP: configuration, settings, lists, re-walk */
gboolean policyd_reload(struct policyd *d, GError **error)
{
	if (!policyd_reload_config(d, error)
	    || !policyd_settings_reload(d, error)
	    || !policyd_lists_reload(d, error))
		return FALSE;
	policyd_walk_start(d);
	return TRUE;
}

/* policyd_flush - flush counters now (and snapshot in in-memory mode) */
gboolean policyd_flush(struct policyd *d, gsize *written_r, GError **error)
{
	struct cm_error err;
	size_t written = 0;

	if (cm_flusher_flush(d->hot, d->store, &written, &err) < 0)
		return policyd_gerror(error, "flush", &err);
	if (cm_store_is_in_memory(d->store) && cm_store_sync(d->store, &err) < 0)
		return policyd_gerror(error, "sync", &err);
	*written_r = written;
	return TRUE;
}

/* policyd_stats_gate - gate_<mode>_<outcome> rows (the milter) */
static void policyd_stats_gate(struct policyd *d,
			       void (*row)(const char *name, gint64 value,
					   void *ctx), void *ctx)
{
	char name[64];
	int out, s;

	for (out = 0; out < 2; out++)
		for (s = 0; s < CM_HOT_GATE_STATS; s++) {
			g_snprintf(name, sizeof(name), "gate_%s_%s",
				   out ? "outgoing" : "incoming",
				   cm_hot_gate_stat_name(s));
			row(name, (gint64) cm_hot_gate_get(d->gate, out, s),
			    ctx);
		}
}

/* policyd_stats - the daemon's statistics as name/value rows */
void policyd_stats(struct policyd *d,
		   void (*row)(const char *name, gint64 value, void *ctx),
		   void *ctx)
{
	struct cm_hot_totals totals;
	char name[64];
	guint i;

	cm_hot_totals(d->hot, &totals);
	row("users", (gint64) totals.quota_users, ctx);
	row("bytes_used", totals.used, ctx);
	row("messages_sent", totals.sent, ctx);
	row("messages_received", totals.received, ctx);
	row("federation_domains", (gint64) totals.fed_domains, ctx);
	row("policy_requests", (gint64) POLICYD_LOAD(&d->requests), ctx);
	for (i = 0; i < POLICYD_STAT_COUNT; i++) {
		g_snprintf(name, sizeof(name), "verdict_%s",
			   policyd_stat_names[i]);
		row(name, (gint64) POLICYD_LOAD(&d->verdicts[i]), ctx);
	}
	row("policy_connections", d->policy_unix == NULL ? 0
	    : (gint64) policyd_server_group_connections(d->policy_unix), ctx);
	row("policy_connections_refused", d->policy_unix == NULL ? 0
	    : (gint64) policyd_server_group_dropped(d->policy_unix), ctx);
	row("uptime_seconds", g_get_real_time() / G_USEC_PER_SEC - d->started,
	    ctx);
	policyd_stats_gate(d, row, ctx);
	policyd_dovecot_stats(d, row, ctx);
}

/* policyd_state_close - final flush, then release everything */
void policyd_state_close(struct policyd *d)
{
	struct cm_error err;

	if (d->hydrate_thread != NULL) {
		g_thread_join(d->hydrate_thread);
		d->hydrate_thread = NULL;
	}
	if (d->flusher != NULL && cm_flusher_stop(&d->flusher, &err) < 0)
		policyd_log_error("final flush: %s", err.message);
	if (d->snap != NULL) {
		policyd_snap_unref(&d->snap);
		g_rw_lock_clear(&d->snap_lock);
	}
	cm_hot_free(&d->hot);
	cm_hot_gate_free(&d->gate);
	cm_store_close(&d->store);
}
