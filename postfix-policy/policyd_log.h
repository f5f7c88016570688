#ifndef POLICYD_LOG_H
#define POLICYD_LOG_H

/*++
 * NAME
 *	policyd_log 3h
 * SUMMARY
 *	logging in Postfix's style, to syslog or stderr
 * DESCRIPTION
 *	Messages look like Postfix's: "warning: ...", "error: ...",
 *	"fatal: ..." prefixes for those levels, plain text for info. On
 *	stderr each line starts with a syslog-like "Mon DD HH:MM:SS host
 *	chatmail-policyd[pid]: " header. Safe from any thread.
 *--*/

#include <glib.h>

void policyd_log_open(gboolean to_stderr, int facility);
void policyd_log_info(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void policyd_log_warning(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void policyd_log_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void policyd_log_fatal(const char *fmt, ...) G_GNUC_PRINTF(1, 2)
	G_GNUC_NORETURN;

#endif
