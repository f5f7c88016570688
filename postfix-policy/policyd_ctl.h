#ifndef POLICYD_CTL_H
#define POLICYD_CTL_H

/*++
 * NAME
 *	policyd_ctl 3h
 * SUMMARY
 *	the control commands, shared by the daemon and chatmailctl
 * DESCRIPTION
 *	policyd_ctl_run() executes one control request (already split into
 *	words) and appends the reply (data rows and the status line, see
 *	doc/control-protocol.md) to ctl->out. In the daemon, ctl->d is set:
 *	writes update the RAM snapshots at once. chatmailctl runs the same
 *	commands with ctl->d == NULL on a read-only store when the daemon
 *	is down: reads work, writes fail naming the daemon.
 *--*/

#include <glib.h>
#include "cm_hot.h"
#include "cm_settings.h"
#include "cm_store.h"

struct policyd;

struct policyd_ctl {
	struct cm_store *store;
	struct cm_hot *hot;
	const struct cm_settings *settings;
	const char *mail_root;
	const char *mail_layout;
	struct policyd *d;	/* NULL: offline (chatmailctl) */
	GString *out;
};

void policyd_ctl_run(struct policyd_ctl *ctl, char **words, int n);
/* "quota" and "stats" need a hydrated hot state offline. */
gboolean policyd_ctl_needs_hot(char **words, int n);

#endif
