#ifndef POLICYD_H
#define POLICYD_H

/*++
 * NAME
 *	policyd 3h
 * SUMMARY
 *	the one state struct of chatmail-policyd
 * DESCRIPTION
 *	Everything the daemon owns hangs off struct policyd, passed
 *	explicitly; there are no other globals.
 *
 *	Threads: the main thread runs the default main context (signals,
 *	the control socket, reloads); the policy workers (policyd_worker)
 *	serve the policy protocol, each on a main context of its own; the
 *	flusher and hydrate threads write the hot state and the store,
 *	which are thread-safe.
 *
 *	Snapshots: config, settings and the blockset are replaced whole,
 *	on the main thread only, which may read them (d->config,
 *	d->settings, d->snap) without locking. Every replacement also
 *	publishes a new struct policyd_snap (under snap_lock, bumping
 *	snap_gen); the workers decide on a snapshot only, never on the
 *	fields of struct policyd. A snapshot is immutable and refcounted:
 *	the last holder frees it, and its blockset with it.
 *
 *	Counters (requests, verdicts) are updated with relaxed atomics.
 *--*/

#include <glib.h>
#include "cm_blockset.h"
#include "cm_flusher.h"
#include "cm_hot.h"
#include "cm_settings.h"
#include "cm_store.h"
#include "policyd_config.h"
#include "policyd_server.h"

enum policyd_stat {
	POLICYD_STAT_DUNNO = 0,
	POLICYD_STAT_BLOCKLIST,
	POLICYD_STAT_FEDERATION,
	POLICYD_STAT_SIZE,
	POLICYD_STAT_QUOTA,
	POLICYD_STAT_RATE,
	POLICYD_STAT_MALFORMED,
	POLICYD_STAT_INTERNAL,
	POLICYD_STAT_COUNT
};

struct policyd_blocks;		/* a refcounted blockset (policyd_state.c) */
struct policyd_dovecot;		/* the dovecot socket (policyd_dovecot.c) */
struct policyd_worker;
struct policyd_milter;		/* policyd_milter.c */

/* What a policy decision reads, as one immutable whole. */
struct policyd_snap {
	gint refcount;
	struct cm_settings settings;
	const struct cm_blockset *blocks;	/* owned through blocks_ref */
	struct policyd_blocks *blocks_ref;
	struct policyd_config *config;		/* a reference */
	gsize n_local_domains;
};

struct policyd {
	struct policyd_config *config;
	gboolean foreground;
	GMainLoop *loop;
	struct cm_store *store;
	struct cm_hot *hot;
	struct cm_hot_gate *gate;	/* encryption gate counters */
	struct cm_settings settings;
	struct cm_flusher *flusher;
	GRWLock snap_lock;		/* guards snap for the workers */
	struct policyd_snap *snap;	/* the published snapshot */
	guint snap_gen;			/* bumped at each publish (atomic) */
	/* Policy listeners: one server per worker on copies of each. */
	struct policyd_server_group *policy_unix;	/* or NULL */
	struct policyd_server_group *policy_tcp;	/* or NULL */
	struct policyd_worker **workers;
	guint n_workers;
	struct policyd_server_group *control_group;
	struct policyd_server *control;	/* on the main thread */
	struct policyd_dovecot *dovecot;	/* on the main thread, or NULL */
	GThread *hydrate_thread;	/* a background re-walk, or NULL */
	gboolean hydrate_again;		/* reload asked during a walk */
	gint64 started;			/* unix time */
	gboolean stopping;
	gint64 stop_deadline;		/* monotonic ms: give up draining */
	guint64 requests;		/* atomic */
	guint64 verdicts[POLICYD_STAT_COUNT];	/* atomic */
	struct policyd_milter *milter;	/* or NULL (no milter_socket) */
	/* Set once before the workers start: the milter counts messages
	   after the gate, so END-OF-MESSAGE does not (cm_policy_env). */
	gboolean milter_counts;
	int exit_status;		/* of main(); 0 unless it failed */
};

/* policyd_state.c */
gboolean policyd_state_open(struct policyd *d, GError **error);
void policyd_state_close(struct policyd *d);
gboolean policyd_start_flusher(struct policyd *d, GError **error);
gboolean policyd_settings_reload(struct policyd *d, GError **error);
gboolean policyd_lists_reload(struct policyd *d, GError **error);
gboolean policyd_reload(struct policyd *d, GError **error);
gboolean policyd_flush(struct policyd *d, gsize *written_r, GError **error);
/* Any thread: a reference to the published snapshot and its
   generation; policyd_snap_generation() is the cheap check for a newer
   one. */
struct policyd_snap *policyd_snap_get(struct policyd *d, guint *gen_r);
guint policyd_snap_generation(struct policyd *d);
void policyd_snap_unref(struct policyd_snap **snap);
/* Counts one answered request (any thread). */
void policyd_count(struct policyd *d, enum policyd_stat stat);
/* Calls row once per statistic ("name", value). */
void policyd_stats(struct policyd *d,
		   void (*row)(const char *name, gint64 value, void *ctx),
		   void *ctx);
const char *policyd_stat_name(enum policyd_stat stat);
enum policyd_stat policyd_stat_of(const char *reason);

/* policyd_policy.c: the policy delegation protocol (ctx: a worker) */
extern const struct policyd_server_ops policyd_policy_ops;
/* policyd_control.c: the control protocol (ctx: the daemon) */
extern const struct policyd_server_ops policyd_control_ops;

/* policyd_dovecot.c: the dovecot socket (doc/dovecot-protocol.md), on
   the main thread. start opens dovecot_socket (nothing when it is "");
   the others are no-ops without it. */
gboolean policyd_dovecot_start(struct policyd *d, GError **error);
void policyd_dovecot_drain(struct policyd *d);
guint policyd_dovecot_connections(const struct policyd *d);
void policyd_dovecot_stats(struct policyd *d,
			   void (*row)(const char *name, gint64 value,
				       void *ctx), void *ctx);
void policyd_dovecot_free(struct policyd *d);

#endif
