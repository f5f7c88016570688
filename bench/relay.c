/*++
 * NAME
 *	relay 1
 * SUMMARY
 *	benchmark: messages/s through the whole relay, with and without chatmail
 * SYNOPSIS
 *	bench/relay [--quick] [--messages N] [--sessions N] [--users N] [--rounds N]
 *		[--keep] [--script SH] [--builddir DIR]
 * DESCRIPTION
 *	Runs bench/relay.sh (--script; default the source tree's copy,
 *	RELAY_SCRIPT) with bash, adding --builddir (default this build
 *	tree, RELAY_BUILDDIR) so that the relay runs the binaries and the
 *	Dovecot plugin built here; every other argument is passed on.
 *	bench/relay.sh starts the README's relay (scripts/relay.sh) in a
 *	throwaway directory, pushes real PGP/MIME mail through its inbound
 *	port with smtp-source, times it until everything is in the
 *	Maildir, with and without chatmail in the same Postfix and Dovecot,
 *	in alternating rounds; see there for the output.
 * DIAGNOSTICS
 *	The script's exit status: 0 when every message arrived in both runs
 *	(whatever the rates), 1 when something broke, 77 when not root or
 *	smtp-source is missing. 1 when bash cannot be run.
 * SEE ALSO
 *	bench/relay.sh, scripts/relay.sh
 *--*/

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef RELAY_SCRIPT
#define RELAY_SCRIPT "bench/relay.sh"
#endif
#ifndef RELAY_BUILDDIR
#define RELAY_BUILDDIR "."
#endif

/* relay_launch_args - bash SCRIPT --builddir DIR ARGS...; NULL-terminated */
static char **relay_launch_args(int argc, char **argv)
{
	const char *script = RELAY_SCRIPT, *builddir = RELAY_BUILDDIR;
	char **args;
	int i, n = 0;

	if ((args = calloc((size_t) argc + 5, sizeof(*args))) == NULL) {
		perror("bench/relay");
		exit(1);
	}
	args[n++] = "bash";
	args[n++] = NULL;		/* the script, filled in below */
	args[n++] = "--builddir";
	args[n++] = NULL;		/* the build dir, filled in below */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--script") == 0 && i + 1 < argc)
			script = argv[++i];
		else if (strcmp(argv[i], "--builddir") == 0 && i + 1 < argc)
			builddir = argv[++i];
		else
			args[n++] = argv[i];
	}
	args[1] = (char *) script;
	args[3] = (char *) builddir;
	args[n] = NULL;
	return args;
}

int main(int argc, char **argv)
{
	char **args = relay_launch_args(argc, argv);

	execvp(args[0], args);
	fprintf(stderr, "bench/relay: cannot run bash: %s\n", strerror(errno));
	free(args);
	return 1;
}
