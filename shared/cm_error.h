#ifndef CM_ERROR_H
#define CM_ERROR_H

/*++
 * NAME
 *	cm_error 3h
 * SUMMARY
 *	caller-owned error reports for libchatmail
 * SYNOPSIS
 *	#include "cm_error.h"
 * DESCRIPTION
 *	Every libchatmail function that can fail takes a "struct cm_error *"
 *	owned by the caller and fills it right where the failure happens
 *	(SQLite's message is copied at once, never read later). The library
 *	never logs and never exits; callers decide what to print.
 *
 *	A NULL error pointer is accepted everywhere and means "don't care".
 *--*/

#include <stddef.h>

enum cm_error_kind {
	CM_ERR_NONE = 0,
	CM_ERR_SQLITE,		/* sys_code is SQLite's extended result code */
	CM_ERR_IO,		/* sys_code is errno */
	CM_ERR_INVALID,		/* bad argument or malformed input */
	CM_ERR_SCHEMA,		/* database schema newer/unknown */
	CM_ERR_BUSY,		/* resource busy (lock, another sync) */
};

#define CM_ERROR_MAX 512

struct cm_error {
	enum cm_error_kind kind;
	int sys_code;
	char message[CM_ERROR_MAX];
};

struct sqlite3;

void cm_error_clear(struct cm_error *err);
void cm_error_set(struct cm_error *err, enum cm_error_kind kind, int sys_code,
		  const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Copies sqlite3_errmsg(db) and the extended code now; "what" prefixes it. */
void cm_error_sqlite(struct cm_error *err, struct sqlite3 *db, const char *what);
/* Uses strerror(errno_value); "what" prefixes it (e.g. "opendir(/x)"). */
void cm_error_errno(struct cm_error *err, int errno_value, const char *what);

#endif
