#ifndef CM_PGP_H
#define CM_PGP_H

/*++
 * NAME
 *	cm_pgp 3h
 * SUMMARY
 *	the encryption gate's streaming classifier (pure, no I/O)
 * DESCRIPTION
 *	A cm_pgp checker is fed one message as a milter sees it: the
 *	header fields one by one (name and value; a folded value keeps its
 *	line breaks, CRLF or LF), then the body in chunks of any size cut
 *	anywhere (lines end in CRLF or LF). cm_pgp_finish() then says
 *	whether the message is OpenPGP/MIME encrypted, an allowed
 *	unencrypted exception, or refused, with a short reason (static
 *	text, for the log).
 *
 *	The rules are those of the chatmail relays (doc/encryption-gate.md):
 *	multipart/encrypted with exactly two parts, "Version: 1" in
 *	application/pgp-encrypted, then application/octet-stream with an
 *	ASCII-armored OpenPGP message whose packets are PKESK|SKESK* and
 *	exactly one SEIPD ending the data (old and new packet headers,
 *	partial body lengths; base64 and the optional CRC24 verified). In
 *	outgoing mode an armor "Version:" header is refused. Exceptions:
 *	the Secure-Join vc-request/vg-request, an Autocrypt Setup Message
 *	to oneself, and (incoming) a mailer-daemon bounce that is
 *	multipart/report with Auto-Submitted.
 *
 *	Memory stays bounded whatever the message size: the body is
 *	decoded as it streams, nothing is kept whole.
 *
 *	cm_pgp_header() and cm_pgp_body() return 0, or -1 once the verdict
 *	is already known to be "refused" (the caller may stop feeding and
 *	call cm_pgp_finish() at once). Calling them after cm_pgp_finish()
 *	is a caller bug and returns -1.
 *--*/

#include <stddef.h>

enum cm_pgp_mode {
	CM_PGP_INCOMING,	/* port 25: mail from other relays */
	CM_PGP_OUTGOING,	/* authenticated submission */
};

enum cm_pgp_verdict {
	CM_PGP_ENCRYPTED = 1,	/* valid OpenPGP/MIME */
	CM_PGP_EXCEPTION,	/* allowed unencrypted (reason names which) */
	CM_PGP_REFUSED,		/* 523 5.7.10 */
};

struct cm_pgp_envelope {
	enum cm_pgp_mode mode;
	const char *mail_from;		/* envelope sender, no <>; "" = null */
	const char *const *rcpt;	/* envelope recipients, no <> */
	size_t rcpt_count;
};

struct cm_pgp;

/* Copies what it needs of env; NULL only on allocation failure. */
extern struct cm_pgp *cm_pgp_new(const struct cm_pgp_envelope *env);
extern void cm_pgp_free(struct cm_pgp *pgp);

/* The vector kernels (CM_PGP_SIMD_* of cm_pgp_simd.h) the checker may
 * use: all this CPU has, unless this is called (before the body) with
 * a mask that clears some; for tests and benchmarks that compare with
 * the portable code. The verdict never depends on it. */
extern void cm_pgp_set_simd(struct cm_pgp *pgp, unsigned mask);

extern int cm_pgp_header(struct cm_pgp *pgp, const char *name,
			 const char *value);
extern int cm_pgp_body(struct cm_pgp *pgp, const char *data, size_t len);

/* Ends the message. *reason (may be NULL) gets a static text such as
 * "encrypted", "secure-join request", "part 2 missing",
 * "SEIPD followed by trailing data". */
extern enum cm_pgp_verdict cm_pgp_finish(struct cm_pgp *pgp,
					 const char **reason);

/* The From check of outgoing mail, pure helpers:
 * cm_pgp_from_addr() extracts the one address of a From header value
 * ("Name <a@b>", "a@b", comments, quoted names) into out, lowercased;
 * returns 1 found, 0 no address or several, -1 out too small.
 * cm_pgp_addr_equal() compares two addresses case-insensitively. */
extern int cm_pgp_from_addr(const char *value, char *out, size_t outlen);
extern int cm_pgp_addr_equal(const char *a, const char *b);

#endif
