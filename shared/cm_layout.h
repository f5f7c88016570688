#ifndef CM_LAYOUT_H
#define CM_LAYOUT_H

/*++
 * NAME
 *	cm_layout 3h
 * SUMMARY
 *	mail location templates: user -> Maildir path, and the reverse walk
 * DESCRIPTION
 *	A layout is a path template relative to the mail root, with the
 *	Dovecot variables %u (user@domain), %n (user part), %d (domain) and
 *	%% (a literal %). The default is "%d/%n/Maildir". A template must
 *	name the user (%u, or %n) and may not contain "." or ".." path
 *	components.
 *
 *	cm_layout_walk() enumerates the users whose Maildir exists under a
 *	root by matching each template component against directory entries
 *	(hidden entries starting with "." never match a variable).
 *
 *	Dovecot's lowercase forms %Lu, %Ln and %Ld are accepted and expand
 *	exactly like %u, %n and %d: user names reach libchatmail already
 *	lowercased. Any other "%x" is refused with a message naming it and
 *	listing the supported variables. The user is split at its LAST
 *	"@" (%n is what precedes it, %d what follows).
 *
 *	During the walk a component may mix text and variables ("user-%n",
 *	"%n@%d"); each variable matches a non-empty run, a variable used
 *	twice must match the same text, a captured %u must contain "@" with
 *	text on both sides and agree with %n/%d, and a captured %d never
 *	contains "@". The final path must be a directory; one that does not
 *	exist is silently not a user.
 *--*/

#include <stddef.h>
#include "cm_error.h"

#define CM_LAYOUT_DEFAULT "%d/%n/Maildir"

struct cm_layout;

int cm_layout_parse(const char *template_text, struct cm_layout **layout_r,
		    struct cm_error *err);
void cm_layout_free(struct cm_layout **layout);

/* root + "/" + expanded template into buf. 0 ok, -1 error (user lacks a
   domain the template needs, a variable expands to something with '/' or
   to "." / "..", or buf too small). */
int cm_layout_path(const struct cm_layout *layout, const char *root,
		   const char *user, char *buf, size_t size,
		   struct cm_error *err);

/* Called per user found: user ("n@d", or "n" when the template has no
   domain) and the Maildir path. Return 0 to go on, non-zero to stop. */
typedef int cm_layout_user_fn(const char *user, const char *maildir,
			      void *ctx);
/* Called per directory that could not be read during the walk. */
typedef void cm_layout_error_fn(const char *path, const struct cm_error *err,
				void *ctx);

/* 0 done, the callback's non-zero value if it stopped, -1 if root itself
   cannot be read. */
int cm_layout_walk(const struct cm_layout *layout, const char *root,
		   cm_layout_user_fn *on_user, cm_layout_error_fn *on_error,
		   void *ctx, struct cm_error *err);

#endif
