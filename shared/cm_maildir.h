#ifndef CM_MAILDIR_H
#define CM_MAILDIR_H

/*++
 * NAME
 *	cm_maildir 3h
 * SUMMARY
 *	bytes used by one Maildir, from file names
 * DESCRIPTION
 *	cm_maildir_usage() sums the messages in cur/ and new/ of INBOX and
 *	of every Maildir++ subfolder (".Name/"), never tmp/. The size comes
 *	from the ",S=<bytes>" field Dovecot puts in file names; a file
 *	without it is stat()ed. Missing cur/ or new/ count as empty; a
 *	directory that exists but cannot be read fails the whole Maildir
 *	(the caller reports that user and goes on).
 *
 *	Entries of cur/ and new/ whose name starts with "." are skipped, as
 *	are directories. A name whose S= is malformed is stat()ed like one
 *	without S=; a file that vanished before that stat is skipped. A
 *	Maildir root that does not exist fails with CM_ERR_IO and sys_code
 *	ENOENT. Thread-safe: no shared state.
 *--*/

#include <stdint.h>
#include "cm_error.h"

struct cm_maildir_usage {
	int64_t bytes;
	int64_t files;
	int64_t stat_fallbacks;	/* files whose name had no usable S= */
};

/* Pure: the ",S=<digits>" field of a Maildir file name (before ":2," or
   "!2,"). 1 found (*size_r set), 0 absent, -1 present but malformed or
   over INT64_MAX. */
int cm_maildir_name_size(const char *name, int64_t *size_r);

/* 0 ok, -1 error (*err names the directory). Adds to *usage_r, which the
   caller zeroes. */
int cm_maildir_usage(const char *maildir, struct cm_maildir_usage *usage_r,
		     struct cm_error *err);

#endif
