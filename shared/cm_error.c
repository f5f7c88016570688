/*++
 * NAME
 *	cm_error 3
 * SUMMARY
 *	caller-owned error reports
 * DESCRIPTION
 *	See cm_error.h. Messages are truncated to CM_ERROR_MAX-1 bytes.
 *--*/

#include "cm_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>

/* cm_error_clear - reset to "no error" */
void cm_error_clear(struct cm_error *err)
{
	if (err == NULL)
		return;
	err->kind = CM_ERR_NONE;
	err->sys_code = 0;
	err->message[0] = '\0';
}

/* cm_error_set - record an error with a formatted message */
void cm_error_set(struct cm_error *err, enum cm_error_kind kind, int sys_code,
		  const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	err->kind = kind;
	err->sys_code = sys_code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

/* cm_error_sqlite - copy SQLite's current error of db right now */
void cm_error_sqlite(struct cm_error *err, struct sqlite3 *db, const char *what)
{
	if (err == NULL)
		return;
	cm_error_set(err, CM_ERR_SQLITE, db ? sqlite3_extended_errcode(db) : 0,
		     "%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
}

/* cm_error_errno - record a system error */
void cm_error_errno(struct cm_error *err, int errno_value, const char *what)
{
	cm_error_set(err, CM_ERR_IO, errno_value, "%s: %s", what,
		     strerror(errno_value));
}
