/*++
 * NAME
 *	fuzz_cm_pgp 1
 * SUMMARY
 *	libFuzzer target for the encryption gate's checker
 * DESCRIPTION
 *	The first input octet picks the mode (bit 0), the envelope
 *	(bits 1-2: null sender, mailer-daemon, a user writing to
 *	themselves, a user writing to two others) and the seed of the
 *	body chunk sizes (bits 3-7). The rest is a message: header lines
 *	up to the first empty line (continuation lines kept in the value,
 *	as a milter passes them), then the body.
 *
 *	Each input is checked three times in both modes: body fed whole,
 *	in chunks of 1 to 64 octets, and whole again with the vector
 *	kernels off (cm_pgp_set_simd(pgp, 0): the portable code); the
 *	verdict and reason must not depend on the chunking nor on the
 *	kernels, must be one of the three verdicts with a
 *	non-empty reason, a -1 from cm_pgp_header()/cm_pgp_body() must end
 *	in "refused", and calls after cm_pgp_finish() must return -1.
 *	Any violation abort()s. The From helper gets each header value.
 *--*/

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pgp.h"

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_result {
	enum cm_pgp_verdict verdict;
	const char *reason;
};

/* fuzz_field - one header field [p, end) to the checker */
static int fuzz_field(struct cm_pgp *pgp, const char *p, const char *end)
{
	const char *colon = memchr(p, ':', (size_t) (end - p));
	char   *name, *value;
	char    addr[64];
	int     rc;

	if (colon == NULL)
		return (0);
	name = strndup(p, (size_t) (colon - p));
	for (p = colon + 1; p < end && *p == ' '; p++)
		/* void */ ;
	while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	value = strndup(p, (size_t) (end - p));
	if (name == NULL || value == NULL)
		abort();
	rc = cm_pgp_header(pgp, name, value);
	if (cm_pgp_from_addr(value, addr, sizeof(addr)) == 1
	    && (strchr(addr, '@') == NULL || cm_pgp_addr_equal(addr, addr) != 1))
		abort();
	free(name);
	free(value);
	return (rc);
}

/* fuzz_run - one pass over the message; chunk 0 = whole body; simd
 * the kernels the checker may use */
static void fuzz_run(const char *msg, size_t len, const struct cm_pgp_envelope *env,
		             unsigned seed, int chunked, unsigned simd,
		             struct fuzz_result *res)
{
	struct cm_pgp *pgp = cm_pgp_new(env);
	const char *p = msg, *end = msg + len, *field = NULL;
	int     rc = 0;

	if (pgp == NULL)
		abort();
	cm_pgp_set_simd(pgp, simd);
	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		const char *next = nl != NULL ? nl + 1 : end;

		if (field != NULL && (*p == ' ' || *p == '\t')) {
			p = next;
			continue;
		}
		if (field != NULL)
			rc = fuzz_field(pgp, field, p);
		field = NULL;
		if (*p == '\n' || (*p == '\r' && next == p + 2)) {
			p = next;
			break;
		}
		field = p;
		p = next;
	}
	if (field != NULL && rc == 0)
		rc = fuzz_field(pgp, field, p);
	while (rc == 0 && p < end) {
		size_t  n = (size_t) (end - p);

		if (chunked) {
			seed = seed * 1103515245u + 12345u;
			if (n > 1 + (seed >> 16) % 64)
				n = 1 + (seed >> 16) % 64;
		}
		rc = cm_pgp_body(pgp, p, n);
		p += n;
	}
	res->verdict = cm_pgp_finish(pgp, &res->reason);
	if (res->verdict != CM_PGP_ENCRYPTED && res->verdict != CM_PGP_EXCEPTION
	    && res->verdict != CM_PGP_REFUSED)
		abort();
	if (res->reason == NULL || res->reason[0] == '\0')
		abort();
	if (rc < 0 && res->verdict != CM_PGP_REFUSED)
		abort();
	if (cm_pgp_body(pgp, "x", 1) != -1 || cm_pgp_header(pgp, "a", "b") != -1
	    || cm_pgp_finish(pgp, NULL) != res->verdict)
		abort();
	cm_pgp_free(pgp);
}

/* LLVMFuzzerTestOneInput - one fuzz input */
int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const self[] = {"alice@example.org"};
	static const char *const two[] = {"bob@example.net", "carol@example.org"};
	struct cm_pgp_envelope env;
	struct fuzz_result whole, cut, portable;
	unsigned mode;

	if (size < 1)
		return (0);
	for (mode = 0; mode < 2; mode++) {
		unsigned which = (data[0] >> 1) & 3;

		env.mode = ((data[0] & 1) ^ mode) ? CM_PGP_OUTGOING : CM_PGP_INCOMING;
		env.mail_from = which == 0 ? "" : which == 1 ?
			"MAILER-DAEMON@mx.example.net" : "alice@example.org";
		env.rcpt = which == 2 ? self : two;
		env.rcpt_count = which == 2 ? 1 : 2;
		fuzz_run((const char *) data + 1, size - 1, &env, data[0] >> 3, 0,
			 ~0u, &whole);
		fuzz_run((const char *) data + 1, size - 1, &env, data[0] >> 3, 1,
			 ~0u, &cut);
		fuzz_run((const char *) data + 1, size - 1, &env, data[0] >> 3, 0,
			 0, &portable);
		if (whole.verdict != cut.verdict || strcmp(whole.reason, cut.reason) != 0)
			abort();
		if (whole.verdict != portable.verdict
		    || strcmp(whole.reason, portable.reason) != 0)
			abort();
	}
	return (0);
}
