#ifndef POLICYD_H
#define POLICYD_H

/*++
 * NAME
 *	policyd 3h
 * SUMMARY
 *	the one state struct of chatmail-policyd
 * DESCRIPTION
 *	Everything the daemon owns hangs off struct policyd, passed
 *	explicitly; there are no other globals. Snapshots (configuration,
 *	settings, blockset) are replaced whole on reload and after control
 *	writes, on the main thread; the hot state and the store are
 *	thread-safe (the flusher and hydrate threads use them too).
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

struct policyd {
	struct policyd_config *config;
	gboolean foreground;
	GMainLoop *loop;
	struct cm_store *store;
	struct cm_hot *hot;
	struct cm_settings settings;
	struct cm_blockset *blocks;
	struct cm_flusher *flusher;
	struct policyd_server *policy_unix;
	struct policyd_server *policy_tcp;
	struct policyd_server *control;
	GThread *hydrate_thread;	/* a background re-walk, or NULL */
	gboolean hydrate_again;		/* reload asked during a walk */
	gint64 started;			/* unix time */
	gboolean stopping;
	gint64 stop_deadline;		/* monotonic ms: give up draining */
	guint64 requests;
	guint64 verdicts[POLICYD_STAT_COUNT];
};

/* policyd_state.c */
gboolean policyd_state_open(struct policyd *d, GError **error);
void policyd_state_close(struct policyd *d);
gboolean policyd_start_flusher(struct policyd *d, GError **error);
gboolean policyd_settings_reload(struct policyd *d, GError **error);
gboolean policyd_lists_reload(struct policyd *d, GError **error);
gboolean policyd_reload(struct policyd *d, GError **error);
gboolean policyd_flush(struct policyd *d, gsize *written_r, GError **error);
/* Calls row once per statistic ("name", value). */
void policyd_stats(struct policyd *d,
		   void (*row)(const char *name, gint64 value, void *ctx),
		   void *ctx);
const char *policyd_stat_name(enum policyd_stat stat);
enum policyd_stat policyd_stat_of(const char *reason);

/* policyd_policy.c: the policy delegation protocol */
extern const struct policyd_server_ops policyd_policy_ops;
/* policyd_control.c: the control protocol */
extern const struct policyd_server_ops policyd_control_ops;

#endif
