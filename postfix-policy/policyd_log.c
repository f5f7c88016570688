/*++
 * NAME
 *	policyd_log 3
 * SUMMARY
 *	logging in Postfix's style, to syslog or stderr
 * DESCRIPTION
 *	See policyd_log.h. The destination is process-wide state by nature
 *	(syslog is); it is set once at start-up and on reload.
 *--*/

#include "policyd_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static gboolean policyd_log_stderr = TRUE;
static char policyd_log_host[64];	/* for stderr lines; set once */

/* policyd_log_hostname - this host's name, "localhost" if unknown */
static void policyd_log_hostname(char *buf, gsize size)
{
	if (gethostname(buf, size) != 0)
		g_strlcpy(buf, "localhost", size);
	buf[size - 1] = '\0';
}

/* policyd_log_open - choose the destination */
void policyd_log_open(gboolean to_stderr, int facility)
{
	policyd_log_stderr = to_stderr;
	if (policyd_log_host[0] == '\0')	/* before any worker thread */
		policyd_log_hostname(policyd_log_host,
				     sizeof(policyd_log_host));
	if (!to_stderr)
		openlog("chatmail-policyd", LOG_PID | LOG_NDELAY, facility);
}

/* policyd_log_emit - one line at a level */
static void policyd_log_emit(int prio, const char *prefix, const char *fmt,
			     va_list ap)
{
	g_autofree char *text = g_strdup_vprintf(fmt, ap);
	char stamp[32], host[sizeof(policyd_log_host)];
	struct tm tm;
	time_t now;

	if (!policyd_log_stderr) {
		syslog(prio, "%s%s", prefix, text);
		return;
	}
	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	if (policyd_log_host[0] == '\0')	/* not opened yet */
		policyd_log_hostname(host, sizeof(host));
	fprintf(stderr, "%s %s chatmail-policyd[%ld]: %s%s\n", stamp,
		policyd_log_host[0] ? policyd_log_host : host,
		(long) getpid(), prefix, text);
}

/* policyd_log_info - normal operation */
void policyd_log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	policyd_log_emit(LOG_INFO, "", fmt, ap);
	va_end(ap);
}

/* policyd_log_warning - something is off, service goes on */
void policyd_log_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	policyd_log_emit(LOG_WARNING, "warning: ", fmt, ap);
	va_end(ap);
}

/* policyd_log_error - a failed operation */
void policyd_log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	policyd_log_emit(LOG_ERR, "error: ", fmt, ap);
	va_end(ap);
}

/* policyd_log_fatal - log and exit 1 */
void policyd_log_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	policyd_log_emit(LOG_CRIT, "fatal: ", fmt, ap);
	va_end(ap);
	exit(1);
}
