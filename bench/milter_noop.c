/*++
 * NAME
 *	milter_noop 1
 * SUMMARY
 *	a milter that does nothing, on libmilter (bench/relay --floor)
 * SYNOPSIS
 *	bench/milter_noop unix:/path/to/socket
 * DESCRIPTION
 *	Accepts every message. It negotiates the protocol steps that
 *	chatmail-policyd's encryption gate negotiates
 *	(POLICYD_MILTER_STEPS), so Postfix sends it the same packets, and
 *	its callbacks return at once: what it costs Postfix and itself is
 *	the least any milter built on Debian's libmilter costs the relay
 *	with those steps. bench/relay.sh --floor measures it.
 *
 *	The socket is made mode 0666 (umask 0) so that Postfix's smtpd
 *	and cleanup, which run as postfix, can connect; an old socket
 *	file at the path is removed first. Runs until killed.
 * DIAGNOSTICS
 *	Exit 2 on bad usage, 1 when libmilter refuses the socket (its
 *	details go to syslog).
 *--*/

#include <libmilter/mfapi.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policyd_milter_steps.h"

/* noop_negotiate - the encryption gate's steps, nothing else */
static sfsistat noop_negotiate(SMFICTX *ctx, unsigned long f0,
			       unsigned long f1, unsigned long f2,
			       unsigned long f3, unsigned long *pf0,
			       unsigned long *pf1, unsigned long *pf2,
			       unsigned long *pf3)
{
	(void) ctx;
	(void) f0;
	(void) f2;
	(void) f3;
	*pf0 = 0;
	*pf1 |= f1 & POLICYD_MILTER_STEPS;	/* as chatmail-policyd does */
	*pf2 = 0;
	*pf3 = 0;
	return SMFIS_CONTINUE;
}

/* noop_connect - no reply (SMFIP_NR_CONN) */
static sfsistat noop_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
	(void) ctx;
	(void) host;
	(void) addr;
	return SMFIS_NOREPLY;
}

/* noop_args - MAIL and RCPT: no reply */
static sfsistat noop_args(SMFICTX *ctx, char **argv)
{
	(void) ctx;
	(void) argv;
	return SMFIS_NOREPLY;
}

/* noop_header - no reply (SMFIP_NR_HDR) */
static sfsistat noop_header(SMFICTX *ctx, char *name, char *value)
{
	(void) ctx;
	(void) name;
	(void) value;
	return SMFIS_NOREPLY;
}

/* noop_body - a body chunk: go on */
static sfsistat noop_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
	(void) ctx;
	(void) data;
	(void) len;
	return SMFIS_CONTINUE;
}

/* noop_done - end of message, abort, close: accept */
static sfsistat noop_done(SMFICTX *ctx)
{
	(void) ctx;
	return SMFIS_CONTINUE;
}

int     main(int argc, char **argv)
{
	struct smfiDesc desc;

	if (argc != 2 || strncmp(argv[1], "unix:", 5) != 0) {
		fprintf(stderr, "usage: milter_noop unix:/path/to/socket\n");
		return 2;
	}
	memset(&desc, 0, sizeof(desc));
	desc.xxfi_name = (char *) "milter_noop";
	desc.xxfi_version = SMFI_VERSION;
	desc.xxfi_flags = SMFIF_NONE;
	desc.xxfi_negotiate = noop_negotiate;
	desc.xxfi_connect = noop_connect;
	desc.xxfi_envfrom = noop_args;
	desc.xxfi_envrcpt = noop_args;
	desc.xxfi_header = noop_header;
	desc.xxfi_body = noop_body;
	desc.xxfi_eom = noop_done;
	desc.xxfi_abort = noop_done;
	desc.xxfi_close = noop_done;
	umask(0);
	(void) unlink(argv[1] + 5);
	if (smfi_register(desc) == MI_FAILURE || smfi_setconn(argv[1]) ==
	    MI_FAILURE || smfi_opensocket(1) == MI_FAILURE) {
		fprintf(stderr, "milter_noop: libmilter refused %s (see syslog)\n",
			argv[1]);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
