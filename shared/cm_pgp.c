/*++
 * NAME
 *	cm_pgp 3
 * SUMMARY
 *	the encryption gate's streaming classifier (pure, no I/O)
 * DESCRIPTION
 *	See cm_pgp.h and doc/encryption-gate.md. The header fields decide
 *	which path the body takes: multipart/encrypted is parsed (MIME
 *	parts here, the armor in cm_pgp_armor, the packets in
 *	cm_pgp_packet); an Autocrypt Setup Message to oneself or a
 *	mailer-daemon bounce is decided from the header fields alone; a
 *	Secure-Join request parses its multipart/mixed body for the one
 *	text/plain part. Anything else is refused when the body starts.
 *
 *	The body is cut into lines with one fixed buffer that only holds
 *	a line split over two chunks; lines that fit in a chunk are looked
 *	at where they are. A line longer than CM_PGP_ARMOR_LINE_MAX is
 *	refused wherever it matters (everywhere but the preamble).
 *--*/

#include "cm_pgp.h"
#include "cm_pgp_armor.h"
#include "cm_pgp_mime.h"
#include "cm_pgp_simd.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define PGP_LINE_MAX	CM_PGP_ARMOR_LINE_MAX
#define PGP_FIELD_MAX	1024		/* one part header field, unfolded */
#define PGP_ADDR_MAX	256		/* envelope / From address */
#define PGP_SJ_MAX	32		/* Secure-Join body text kept */
#define PGP_NAME_MAX	32		/* longer part field names: ignored */
#define PGP_WINDOW	64		/* line ends found this many at once */

#define KIND_NONE	0		/* body not looked at */
#define KIND_ENCRYPTED	1		/* multipart/encrypted */
#define KIND_SECUREJOIN	2		/* multipart/mixed, one text/plain */

#define MIME_PREAMBLE	0
#define MIME_PART_HDR	1
#define MIME_PART_BODY	2
#define MIME_EPILOGUE	3

#define MAILER_DAEMON	"mailer-daemon@"

struct cm_pgp {
	enum cm_pgp_mode mode;
	unsigned simd;			/* CM_PGP_SIMD_* kernels it may use */
	int     asm_env;		/* one recipient, equal to the sender */
	int     bounce_env;		/* sender null or mailer-daemon@ */
	int     mail_from_ok;		/* mail_from fits in its buffer */
	/* Top-level header fields. */
	int     ct_count;
	struct cm_pgp_mime_ct ct;
	int     sj_count;
	const char *sj_want;		/* "secure-join: vc-request" or NULL */
	int     asm_count;
	int     autosub;		/* Auto-Submitted, not "no" */
	int     from_count;
	int     from_ok;			/* from_addr holds the one address */
	int     from_pending;		/* from_value not parsed yet */
	/* Progress and verdict. */
	int     headers_done;
	int     finished;
	int     kind;
	enum cm_pgp_verdict verdict;	/* 0 while undecided */
	const char *reason;
	/* MIME state. */
	int     mime;
	unsigned part;			/* 1-based, current part */
	size_t  line_len;
	int     line_long;
	size_t  field_len;
	int     field_long;
	int     field_skip;		/* a field not looked at goes on */
	size_t  field_name;		/* name length seen on the first
					 * line, 0 when field_end finds it */
	int     field_kind;		/* FIELD_* of that name */
	int     part_ct_count;
	enum cm_pgp_mime_type part_type;
	int     part_cte_bad;
	/* Part bodies. */
	int     version_seen;
	size_t  sj_len;
	struct cm_pgp_armor armor;	/* set up when part 2 starts */
	/* Buffers, not cleared by cm_pgp_new() (they carry lengths). */
	char    line[PGP_LINE_MAX];
	char    field[PGP_FIELD_MAX];
	char    sj_text[PGP_SJ_MAX];
	char    mail_from[PGP_ADDR_MAX];	/* "" unless mail_from_ok */
	char    from_addr[PGP_ADDR_MAX];
	char    from_value[PGP_ADDR_MAX];	/* the From value, when short */
};

/* pgp_refuse - the verdict is "refused" (the first reason stays) */
static int pgp_refuse(struct cm_pgp *pgp, const char *reason)
{
	if (pgp->verdict == 0) {
		pgp->verdict = CM_PGP_REFUSED;
		pgp->reason = reason;
	}
	return (-1);
}

/* pgp_decide - a final verdict that is not a refusal */
static void pgp_decide(struct cm_pgp *pgp, enum cm_pgp_verdict verdict,
		               const char *reason)
{
	if (pgp->verdict == 0) {
		pgp->verdict = verdict;
		pgp->reason = reason;
	}
}

/* pgp_mailer_daemon - address is mailer-daemon@something */
static int pgp_mailer_daemon(const char *addr)
{
	size_t  n = sizeof(MAILER_DAEMON) - 1;

	return (strlen(addr) > n && cm_pgp_mime_word_is(addr, n, MAILER_DAEMON, n));
}

/* pgp_zero - memset(p, 0, n) in pieces of 64: compilers inline a
 * larger memset() of a known size as "rep stos", which is slow to
 * start on some CPUs and would cost more than the rest of
 * cm_pgp_new() */
static inline void pgp_zero(void *p, size_t n)
{
	char   *c = p;
	size_t  i;

	for (i = 0; i + 64 <= n; i += 64)
		memset(c + i, 0, 64);
	memset(c + i, 0, n - i);
}

/* cm_pgp_new - a checker for one message */
struct cm_pgp *cm_pgp_new(const struct cm_pgp_envelope *env)
{
	struct cm_pgp *pgp = malloc(sizeof(*pgp));
	const char *from;

	if (pgp == NULL)
		return (NULL);
	pgp_zero(pgp, offsetof(struct cm_pgp, armor));
	pgp->mode = env != NULL ? env->mode : CM_PGP_INCOMING;
	pgp->simd = cm_pgp_simd_cpu();
	from = env != NULL && env->mail_from != NULL ? env->mail_from : "";
	pgp->mail_from[0] = '\0';
	if (strlen(from) < sizeof(pgp->mail_from)) {
		strcpy(pgp->mail_from, from);
		pgp->mail_from_ok = 1;
	}
	pgp->bounce_env = from[0] == '\0' || pgp_mailer_daemon(from);
	pgp->asm_env = pgp->mail_from_ok && from[0] != '\0'
		&& env->rcpt_count == 1 && env->rcpt != NULL
		&& env->rcpt[0] != NULL && cm_pgp_addr_equal(env->rcpt[0], from);
	return (pgp);
}

/* cm_pgp_free - destroy */
void    cm_pgp_free(struct cm_pgp *pgp)
{
	free(pgp);
}

/* cm_pgp_set_simd - the vector kernels it may use */
void    cm_pgp_set_simd(struct cm_pgp *pgp, unsigned mask)
{
	pgp->simd = cm_pgp_simd_cpu() & mask;
}

/* pgp_name_len - length of a field name without its trailing blanks */
static size_t pgp_name_len(const char *name, size_t len)
{
	while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t'))
		len--;
	return (len);
}

/* PGP_NAME_IS - a field name of nlen octets (trailing blanks gone)
 * is the string literal want, ignoring case */
#define PGP_NAME_IS(name, nlen, want) \
	cm_pgp_mime_word_is((name), (nlen), (want), sizeof(want) - 1)

/* cm_pgp_header - one top-level header field */
int     cm_pgp_header(struct cm_pgp *pgp, const char *name, const char *value)
{
	const char *why;
	size_t  nlen, vlen;

	if (pgp->finished || pgp->verdict == CM_PGP_REFUSED)
		return (-1);
	if (pgp->headers_done)
		return (pgp_refuse(pgp, "header field after body"));
	if (name == NULL)
		name = "";
	/* Only five names matter: tell them apart by their first octet
	 * and their length first. */
	switch (name[0]) {
	case 'c': case 'C': case 's': case 'S': case 'a': case 'A':
	case 'f': case 'F':
		break;
	default:
		return (0);			/* none we look at */
	}
	nlen = pgp_name_len(name, strlen(name));
	if (nlen != 4 && nlen != 11 && nlen != 12 && nlen != 14 && nlen != 23)
		return (0);
	if (value == NULL)
		value = "";
	vlen = strlen(value);
	if (PGP_NAME_IS(name, nlen, "Content-Type")) {
		if (++pgp->ct_count > 1)
			return (pgp_refuse(pgp, "duplicate Content-Type"));
		if ((why = cm_pgp_mime_ct_parse(value, vlen, &pgp->ct)) != NULL)
			return (pgp_refuse(pgp, why));
	} else if (PGP_NAME_IS(name, nlen, "Secure-Join")) {
		pgp->sj_count++;
		pgp->sj_want = cm_pgp_mime_value_is(value, vlen, "vc-request") ?
			"secure-join: vc-request" :
			cm_pgp_mime_value_is(value, vlen, "vg-request") ?
			"secure-join: vg-request" : NULL;
	} else if (PGP_NAME_IS(name, nlen, "Autocrypt-Setup-Message")) {
		pgp->asm_count++;
	} else if (PGP_NAME_IS(name, nlen, "Auto-Submitted")) {
		if (!cm_pgp_mime_blank(value, vlen)
		    && !cm_pgp_mime_value_is(value, vlen, "no"))
			pgp->autosub = 1;
	} else if (PGP_NAME_IS(name, nlen, "From")) {
		/* Only the exceptions need the address: a short value is
		 * kept, and parsed when one of them is looked at. */
		pgp->from_pending = 0;
		pgp->from_ok = 0;
		if (++pgp->from_count == 1 && vlen < sizeof(pgp->from_value)) {
			memcpy(pgp->from_value, value, vlen + 1);
			pgp->from_pending = 1;
		} else if (pgp->from_count == 1) {
			pgp->from_ok = cm_pgp_from_addr(value, pgp->from_addr,
						 sizeof(pgp->from_addr)) == 1;
		}
	}
	return (pgp->verdict == CM_PGP_REFUSED ? -1 : 0);
}

/* pgp_asm_check - Autocrypt Setup Message to oneself? NULL = yes */
static const char *pgp_asm_check(struct cm_pgp *pgp)
{
	if (pgp->mode != CM_PGP_OUTGOING)
		return ("autocrypt setup message on incoming mail");
	if (!pgp->asm_env || !pgp->from_ok
	    || !cm_pgp_addr_equal(pgp->from_addr, pgp->mail_from))
		return ("autocrypt setup message not to oneself");
	if (pgp->ct.type != CM_PGP_MIME_MULTIPART_MIXED)
		return ("autocrypt setup message not multipart/mixed");
	return (NULL);
}

/* pgp_bounce_check - a mailer-daemon bounce? NULL = yes */
static const char *pgp_bounce_check(struct cm_pgp *pgp)
{
	if (pgp->mode != CM_PGP_INCOMING)
		return ("bounce on outgoing mail");
	if (!pgp->from_ok || !pgp_mailer_daemon(pgp->from_addr))
		return ("bounce From not mailer-daemon");
	if (!pgp->bounce_env)
		return ("bounce envelope sender not null or mailer-daemon");
	if (pgp->ct.type != CM_PGP_MIME_MULTIPART_REPORT)
		return ("bounce not multipart/report");
	if (!pgp->autosub)
		return ("bounce without Auto-Submitted");
	return (NULL);
}

/* pgp_sj_check - Secure-Join header fields usable? NULL = yes */
static const char *pgp_sj_check(struct cm_pgp *pgp)
{
	if (pgp->sj_count > 1)
		return ("duplicate Secure-Join header");
	if (pgp->sj_want == NULL)
		return ("Secure-Join not vc-request or vg-request");
	if (pgp->ct.type != CM_PGP_MIME_MULTIPART_MIXED)
		return ("secure-join not multipart/mixed");
	if (pgp->ct.boundary_len == 0)
		return ("missing boundary");
	return (NULL);
}

/* pgp_exception - not multipart/encrypted: an allowed exception? */
static void pgp_exception(struct cm_pgp *pgp)
{
	const char *why = NULL;
	const char *r;
	int     bounce_like;

	if (pgp->from_pending) {
		pgp->from_ok = cm_pgp_from_addr(pgp->from_value, pgp->from_addr,
						sizeof(pgp->from_addr)) == 1;
		pgp->from_pending = 0;
	}

	if (pgp->asm_count > 0) {
		if ((r = pgp_asm_check(pgp)) == NULL) {
			pgp_decide(pgp, CM_PGP_EXCEPTION, "autocrypt setup message");
			return;
		}
		why = r;
	}
	bounce_like = (pgp->from_ok && pgp_mailer_daemon(pgp->from_addr))
		|| (pgp->mail_from[0] != '\0' && pgp_mailer_daemon(pgp->mail_from));
	if (bounce_like) {
		if ((r = pgp_bounce_check(pgp)) == NULL) {
			pgp_decide(pgp, CM_PGP_EXCEPTION, "mailer-daemon bounce");
			return;
		}
		why = why != NULL ? why : r;
	}
	if (pgp->sj_count > 0) {
		if ((r = pgp_sj_check(pgp)) == NULL) {
			pgp->kind = KIND_SECUREJOIN;
			return;
		}
		why = why != NULL ? why : r;
	}
	pgp_refuse(pgp, why != NULL ? why : "not multipart/encrypted");
}

/* pgp_headers_end - all header fields are in: choose the path */
static void pgp_headers_end(struct cm_pgp *pgp)
{
	pgp->headers_done = 1;
	pgp->mime = MIME_PREAMBLE;
	if (pgp->verdict != 0)
		return;
	if (pgp->ct.type != CM_PGP_MIME_MULTIPART_ENCRYPTED) {
		pgp_exception(pgp);
		return;
	}
	if (pgp->ct.protocol != 1)
		pgp_refuse(pgp, "protocol not application/pgp-encrypted");
	else if (pgp->ct.boundary_len == 0)
		pgp_refuse(pgp, "missing boundary");
	else
		pgp->kind = KIND_ENCRYPTED;
}

/* pgp_find8 - where the first octet c of the eight at s is, 8 if none.
 * In w - ones & ~w & high a borrow can mark an octet after the first
 * zero one, never before it: the lowest mark is exact. */
static inline size_t pgp_find8(const char *s, unsigned char c)
{
	const uint64_t ones = 0x0101010101010101u;
	uint64_t w, m;

	memcpy(&w, s, 8);
	w ^= ones * c;
	if ((m = (w - ones) & ~w & (ones * 0x80)) == 0)
		return (8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return ((size_t) __builtin_ctzll(m) / 8);
#else
	{
		size_t  i;

		for (i = 0; (unsigned char) s[i] != c; i++)
			/* void */ ;
		return (i);
	}
#endif
}

/* pgp_find - where the first octet c in s[0..n) is, n if none: eight
 * octets a turn (names are short, a call to memchr() costs more) */
static size_t pgp_find(const char *s, size_t n, unsigned char c)
{
	size_t  i, m;

	for (i = 0; i + 8 <= n; i += 8)
		if ((m = pgp_find8(s + i, c)) < 8)
			return (i + m);
	if (i < n && n >= 8) {
		/* The last eight octets again: the ones already seen are
		 * not c, so the first c found is the first one. */
		m = pgp_find8(s + n - 8, c);
		return (m < 8 ? n - 8 + m : n);
	}
	for (; i < n && (unsigned char) s[i] != c; i++)
		/* void */ ;
	return (i);
}

#define FIELD_OTHER	0		/* a part header field not looked at */
#define FIELD_CT	1		/* Content-Type */
#define FIELD_CTE	2		/* Content-Transfer-Encoding */

/* pgp_field_kind - which field the name of nlen octets (before its
 * colon, under PGP_NAME_MAX) names; it ends at a NUL octet too, as a
 * C string would, and trailing blanks do not count */
static int pgp_field_kind(const char *name, size_t nlen)
{
	nlen = pgp_name_len(name, pgp_find(name, nlen, '\0'));
	if (PGP_NAME_IS(name, nlen, "Content-Type"))
		return (FIELD_CT);
	if (PGP_NAME_IS(name, nlen, "Content-Transfer-Encoding"))
		return (FIELD_CTE);
	return (FIELD_OTHER);
}

/* pgp_field_colon - where the first colon in s[0..n) is, n if none */
static size_t pgp_field_colon(const char *s, size_t n)
{
	const char *colon;

	if (n <= PGP_NAME_MAX)
		return (pgp_find(s, n, ':'));	/* the first line's name */
	colon = memchr(s, ':', n);
	return (colon != NULL ? (size_t) (colon - s) : n);
}

/* pgp_field_end - one complete part header field in pgp->field */
static int pgp_field_end(struct cm_pgp *pgp)
{
	struct cm_pgp_mime_ct ct;
	const char *value;
	size_t  nlen, vlen;
	int     kind;

	if (pgp->field_len == 0)
		return (0);
	if ((nlen = pgp->field_name) == 0) {
		nlen = pgp_field_colon(pgp->field, pgp->field_len);
		if (nlen == pgp->field_len || nlen == 0)
			return (pgp_refuse(pgp, "bad part header"));
	}
	value = pgp->field + nlen + 1;
	vlen = pgp->field_len - nlen - 1;
	pgp->field_len = 0;
	if (nlen >= PGP_NAME_MAX)
		return (0);			/* not one we look at */
	kind = pgp->field_name != 0 ? pgp->field_kind :
		pgp_field_kind(pgp->field, nlen);
	if (kind == FIELD_CT) {
		if (pgp->field_long)
			return (pgp_refuse(pgp, "part header too long"));
		if (++pgp->part_ct_count > 1)
			return (pgp_refuse(pgp, "duplicate part Content-Type"));
		if (cm_pgp_mime_ct_parse(value, vlen, &ct) != NULL)
			return (pgp_refuse(pgp, "bad part Content-Type"));
		pgp->part_type = ct.type;
	} else if (kind == FIELD_CTE) {
		if (pgp->field_long || !cm_pgp_mime_cte_identity(value, vlen))
			pgp->part_cte_bad = 1;
	}
	return (0);
}

/* pgp_field_line - a part header line: a new field or a continuation.
 * A field whose name, on its first line, is not one the gate looks at
 * is not kept (it could not make the verdict); any other is kept
 * whole in pgp->field until it ends. */
static int pgp_field_line(struct cm_pgp *pgp, const char *s, size_t n)
{
	size_t  room, colon;

	if (s[0] == ' ' || s[0] == '\t') {
		if (pgp->field_skip)
			return (0);
		if (pgp->field_len == 0 && !pgp->field_long)
			return (pgp_refuse(pgp, "bad part header"));
	} else {
		if (pgp_field_end(pgp) < 0)
			return (-1);
		pgp->field_long = 0;
		pgp->field_skip = 0;
		pgp->field_name = 0;
		colon = pgp_field_colon(s, n < PGP_NAME_MAX ? n : PGP_NAME_MAX);
		if (colon > 0 && colon < PGP_NAME_MAX && colon < n) {
			/* The name is known now: the field is kept only
			 * when it is one the gate looks at. */
			if ((pgp->field_kind = pgp_field_kind(s, colon))
			    == FIELD_OTHER) {
				pgp->field_skip = 1;
				return (0);
			}
			pgp->field_name = colon;
		}
	}
	room = sizeof(pgp->field) - pgp->field_len;
	if (n > room) {
		n = room;
		pgp->field_long = 1;
	}
	memcpy(pgp->field + pgp->field_len, s, n);
	pgp->field_len += n;
	return (0);
}

/* pgp_part_begin - a delimiter opened part number part */
static void pgp_part_begin(struct cm_pgp *pgp, unsigned part)
{
	pgp->part = part;
	pgp->mime = MIME_PART_HDR;
	pgp->field_len = 0;
	pgp->field_long = 0;
	pgp->field_skip = 0;
	pgp->field_name = 0;
	pgp->part_ct_count = 0;
	pgp->part_type = CM_PGP_MIME_TEXT_PLAIN;	/* RFC 2045 default */
	pgp->part_cte_bad = 0;
}

/* pgp_part_headers_end - the part's header fields are complete */
static int pgp_part_headers_end(struct cm_pgp *pgp)
{
	if (pgp_field_end(pgp) < 0)
		return (-1);
	pgp->mime = MIME_PART_BODY;
	if (pgp->kind == KIND_SECUREJOIN) {
		if (pgp->part_type != CM_PGP_MIME_TEXT_PLAIN)
			return (pgp_refuse(pgp, "secure-join part not text/plain"));
		pgp->sj_len = 0;
	} else if (pgp->part == 1) {
		if (pgp->part_type != CM_PGP_MIME_PGP_ENCRYPTED)
			return (pgp_refuse(pgp,
				   "part 1 not application/pgp-encrypted"));
		pgp->version_seen = 0;
	} else {
		if (pgp->part_type != CM_PGP_MIME_OCTET_STREAM)
			return (pgp_refuse(pgp,
				   "part 2 not application/octet-stream"));
		cm_pgp_armor_init(&pgp->armor, pgp->mode == CM_PGP_OUTGOING);
		pgp->armor.simd = pgp->simd;
	}
	if (pgp->part_cte_bad)
		return (pgp_refuse(pgp, "part transfer encoding not 7bit/8bit"));
	return (0);
}

/* pgp_trim - strip blanks and CR on both ends */
static const char *pgp_trim(const char *s, size_t *n)
{
	while (*n > 0 && (s[*n - 1] == ' ' || s[*n - 1] == '\t'
			  || s[*n - 1] == '\r'))
		(*n)--;
	while (*n > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r')) {
		s++;
		(*n)--;
	}
	return (s);
}

/* pgp_part_line - one line of a part's body */
static int pgp_part_line(struct cm_pgp *pgp, const char *s, size_t n)
{
	if (pgp->kind == KIND_ENCRYPTED && pgp->part == 2) {
		if (cm_pgp_armor_line(&pgp->armor, s, n) < 0)
			return (pgp_refuse(pgp, pgp->armor.reason));
		return (0);
	}
	s = pgp_trim(s, &n);
	if (n == 0)
		return (0);
	if (pgp->kind == KIND_SECUREJOIN) {
		if (pgp->sj_len != 0 || n >= sizeof(pgp->sj_text))
			return (pgp_refuse(pgp, "secure-join body mismatch"));
		memcpy(pgp->sj_text, s, n);
		pgp->sj_len = n;
		return (0);
	}
	if (pgp->version_seen || n != 10 || memcmp(s, "Version: 1", 10) != 0)
		return (pgp_refuse(pgp, "part 1 not Version: 1"));
	pgp->version_seen = 1;
	return (0);
}

/* pgp_part_end - the current part is over: was its body right? */
static int pgp_part_end(struct cm_pgp *pgp)
{
	const char *why;

	if (pgp->mime == MIME_PART_HDR && pgp_part_headers_end(pgp) < 0)
		return (-1);
	if (pgp->kind == KIND_SECUREJOIN) {
		if (pgp->sj_len != strlen(pgp->sj_want)
		    || !cm_pgp_mime_caseeq(pgp->sj_text, pgp->sj_want, pgp->sj_len))
			return (pgp_refuse(pgp, "secure-join body mismatch"));
	} else if (pgp->part == 1) {
		if (!pgp->version_seen)
			return (pgp_refuse(pgp, "part 1 not Version: 1"));
	} else if (cm_pgp_armor_end(&pgp->armor, &why) < 0) {
		return (pgp_refuse(pgp, why));
	}
	return (0);
}

/* pgp_delimiter - a delimiter (1) or close delimiter (2) line */
static int pgp_delimiter(struct cm_pgp *pgp, int kind)
{
	unsigned max = pgp->kind == KIND_SECUREJOIN ? 1 : 2;

	if (pgp->mime == MIME_PREAMBLE) {
		if (kind == 2)
			return (pgp_refuse(pgp, pgp->kind == KIND_SECUREJOIN ?
				      "secure-join part missing" : "part 1 missing"));
		pgp_part_begin(pgp, 1);
		return (0);
	}
	if (pgp_part_end(pgp) < 0)
		return (-1);
	if (kind == 2) {
		if (pgp->part < max)
			return (pgp_refuse(pgp, "part 2 missing"));
		pgp->mime = MIME_EPILOGUE;
		return (0);
	}
	if (pgp->part >= max)
		return (pgp_refuse(pgp, pgp->kind == KIND_SECUREJOIN ?
				   "secure-join with more than one part" :
				   "third part"));
	pgp_part_begin(pgp, pgp->part + 1);
	return (0);
}

/* pgp_line - one body line without its LF; overlong = cut short */
static int pgp_line(struct cm_pgp *pgp, const char *s, size_t n,
		            int overlong)
{
	int     d = 0;

	if (n >= 2 && s[0] == '-' && s[1] == '-' && pgp->mime != MIME_EPILOGUE)
		d = cm_pgp_mime_delimiter(s, n, pgp->ct.boundary,
					  pgp->ct.boundary_len);
	if (overlong && (pgp->mime != MIME_PREAMBLE || d != 0))
		return (pgp_refuse(pgp, "line too long"));
	if (d < 0)
		return (pgp_refuse(pgp, "ambiguous boundary line"));
	if (d > 0)
		return (pgp_delimiter(pgp, d));
	switch (pgp->mime) {
	case MIME_PREAMBLE:
		return (0);
	case MIME_PART_HDR:
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (n == 0)
			return (pgp_part_headers_end(pgp));
		return (pgp_field_line(pgp, s, n));
	case MIME_PART_BODY:
		return (pgp_part_line(pgp, s, n));
	default:
		if (!cm_pgp_mime_blank(s, n))
			return (pgp_refuse(pgp, "text after close delimiter"));
		return (0);
	}
}

/* pgp_lf - the first LF in [p, end), NULL if none. Lines are short: a
 * call to memchr() costs more than the search, so where SSE2 is (all
 * of x86-64) sixteen octets are looked at a time in line, and memchr()
 * only gets the last few of a chunk. */
static inline const char *pgp_lf(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i lf = _mm_set1_epi8('\n');

	for (; end - p >= 16; p += 16) {
		unsigned m = (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(
			     _mm_loadu_si128((const __m128i *) p), lf));

		if (m != 0)
			return (p + __builtin_ctz(m));
	}
#endif
	return (memchr(p, '\n', (size_t) (end - p)));
}

/* pgp_lf_window - bit i set when win[i] is LF, for the PGP_WINDOW
 * octets from win (those past end are not LF) */
static uint64_t pgp_lf_window(const char *win, const char *end)
{
	char    tail[PGP_WINDOW];
	uint64_t lfs = 0;
	size_t  i, n;

	if (end - win < PGP_WINDOW) {
		n = (size_t) (end - win);
		memcpy(tail, win, n);
		memset(tail + n, 0, sizeof(tail) - n);
		win = tail;
	}
#ifdef __SSE2__
	for (i = 0; i < PGP_WINDOW; i += 16)
		lfs |= (uint64_t) (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(
			  _mm_loadu_si128((const __m128i *) (win + i)),
					  _mm_set1_epi8('\n'))) << i;
#else
	for (i = 0; i < PGP_WINDOW; i++)
		lfs |= (uint64_t) (win[i] == '\n') << i;
#endif
	return (lfs);
}

/* pgp_keep - the start (or more) of a line split over chunks: into
 * pgp->line as far as it goes, the rest only noted */
static void pgp_keep(struct cm_pgp *pgp, const char *s, size_t n)
{
	size_t  room = sizeof(pgp->line) - pgp->line_len;

	if (n > room) {
		n = room;
		pgp->line_long = 1;
	}
	memcpy(pgp->line + pgp->line_len, s, n);
	pgp->line_len += n;
}

/* pgp_feed - cut a body chunk into lines. A line that fits in the
 * chunk is looked at where it is; one split over chunks goes through
 * pgp->line. The line ends are found a window of PGP_WINDOW octets at a
 * time, as a bit mask that the lines then take one by one: where the
 * next line starts does not wait for a search that starts where the
 * last one ended. In the armored part, whole base64 lines go to the
 * fast path first (the window starts again where it stopped). */
static void pgp_feed(struct cm_pgp *pgp, const char *data, size_t len)
{
	const char *end = data + len, *nl, *base;
	uint64_t lfs;
	size_t  used, at = 0;		/* the window: base + at, on */

	if (pgp->line_len > 0 || pgp->line_long) {
		nl = pgp_lf(data, end);
		pgp_keep(pgp, data, (size_t) ((nl != NULL ? nl : end) - data));
		if (nl == NULL)
			return;
		pgp_line(pgp, pgp->line, pgp->line_len, pgp->line_long);
		pgp->line_len = 0;
		pgp->line_long = 0;
		data = nl + 1;
	}
	base = data;
	lfs = pgp_lf_window(base, end);
	while (data < end && pgp->verdict == 0) {
		if (pgp->mime == MIME_PART_BODY && pgp->part == 2
		    && pgp->kind == KIND_ENCRYPTED) {
			used = cm_pgp_armor_bulk(&pgp->armor, data,
						 (size_t) (end - data));
			if (pgp->armor.reason != NULL) {
				pgp_refuse(pgp, pgp->armor.reason);
				return;
			}
			if (used > 0) {
				if ((data += used) == end)
					return;
				at = (size_t) (data - base);
				lfs = pgp_lf_window(data, end);
			}
		}
		while (lfs == 0) {
			if ((at += PGP_WINDOW) >= (size_t) (end - base)) {
				pgp_keep(pgp, data, (size_t) (end - data));
				return;
			}
			lfs = pgp_lf_window(base + at, end);
		}
		nl = base + at + __builtin_ctzll(lfs);
		lfs &= lfs - 1;
		if (nl - data > PGP_LINE_MAX)
			pgp_line(pgp, data, PGP_LINE_MAX, 1);
		else
			pgp_line(pgp, data, (size_t) (nl - data), 0);
		data = nl + 1;
	}
}

/* cm_pgp_body - one body chunk */
int     cm_pgp_body(struct cm_pgp *pgp, const char *data, size_t len)
{
	if (pgp->finished)
		return (-1);
	if (!pgp->headers_done)
		pgp_headers_end(pgp);
	if (pgp->verdict == 0 && pgp->kind != KIND_NONE && len > 0)
		pgp_feed(pgp, data, len);
	return (pgp->verdict == CM_PGP_REFUSED ? -1 : 0);
}

/* pgp_body_end - the body is over: where did it stop? */
static void pgp_body_end(struct cm_pgp *pgp)
{
	if (pgp->line_len > 0 || pgp->line_long)
		pgp_line(pgp, pgp->line, pgp->line_len, pgp->line_long);
	pgp->line_len = 0;
	if (pgp->verdict != 0)
		return;
	switch (pgp->mime) {
	case MIME_PREAMBLE:
		pgp_refuse(pgp, pgp->kind == KIND_SECUREJOIN ?
			   "secure-join part missing" : "part 1 missing");
		return;
	case MIME_PART_HDR:
	case MIME_PART_BODY:
		if (pgp_part_end(pgp) < 0)
			return;
		if (pgp->kind == KIND_ENCRYPTED && pgp->part < 2)
			pgp_refuse(pgp, "part 2 missing");
		else
			pgp_refuse(pgp, "missing close delimiter");
		return;
	default:
		if (pgp->kind == KIND_ENCRYPTED)
			pgp_decide(pgp, CM_PGP_ENCRYPTED, "encrypted");
		else
			pgp_decide(pgp, CM_PGP_EXCEPTION, "secure-join request");
	}
}

/* cm_pgp_finish - the message is over: the verdict */
enum cm_pgp_verdict cm_pgp_finish(struct cm_pgp *pgp, const char **reason)
{
	if (!pgp->finished) {
		if (!pgp->headers_done)
			pgp_headers_end(pgp);
		if (pgp->verdict == 0 && pgp->kind != KIND_NONE)
			pgp_body_end(pgp);
		if (pgp->verdict == 0)
			pgp_refuse(pgp, "internal error: no verdict");
		pgp->finished = 1;
	}
	if (reason != NULL)
		*reason = pgp->reason;
	return (pgp->verdict);
}

/* addr_skip_comment - past the comment opening at s[i]; 0 unterminated */
static size_t addr_skip_comment(const char *s, size_t i)
{
	int     depth = 0;

	for (; s[i] != '\0'; i++) {
		if (s[i] == '\\') {
			if (s[++i] == '\0')
				return (0);
		} else if (s[i] == '(') {
			depth++;
		} else if (s[i] == ')' && --depth == 0) {
			return (i + 1);
		}
	}
	return (0);
}

/* addr_skip_quoted - past the quoted string opening at s[i]; 0 bad */
static size_t addr_skip_quoted(const char *s, size_t i)
{
	for (i++; s[i] != '\0'; i++) {
		if (s[i] == '\\') {
			if (s[++i] == '\0')
				return (0);
		} else if (s[i] == '"') {
			return (i + 1);
		}
	}
	return (0);
}

/* Classes of address octets, one bit each in addr_class[]. */
#define ADDR_WS		0x01		/* blank or folding */
#define ADDR_SPEC	0x02		/* addr_spec() must look at it */
#define ADDR_VALUE	0x04		/* cm_pgp_from_addr() looks at it */
#define ADDR_ANGLE	0x08		/* ends the scan inside <...> */

#define ADDR_IS_WS(c) \
	((c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '\n')
/* Everything but the octets that addr_spec() copies without a thought */
#define ADDR_IS_SPEC(c) \
	((c) < 0x21 || (c) == 0x7f || (c) == '(' || (c) == ')' || (c) == '"' \
	 || (c) == '@' || (c) == '[' || (c) == ']' || (c) == '<' || (c) == '>' \
	 || (c) == ',' || (c) == ';' || (c) == '\\' || (c) == ':')
#define ADDR_IS_VALUE(c) \
	((c) == '\0' || (c) == '(' || (c) == '"' || (c) == '<' || (c) == '>' \
	 || (c) == ',' || (c) == ';' || (c) == ':')
#define ADDR_IS_ANGLE(c) ((c) == '\0' || (c) == '>' || (c) == '"')
#define ADDR_CLASS(c) \
	((ADDR_IS_WS(c) ? ADDR_WS : 0) | (ADDR_IS_SPEC(c) ? ADDR_SPEC : 0) \
	 | (ADDR_IS_VALUE(c) ? ADDR_VALUE : 0) \
	 | (ADDR_IS_ANGLE(c) ? ADDR_ANGLE : 0))

static const unsigned char addr_class[256] = {CM_PGP_MIME_TABLE(ADDR_CLASS)};

/* ADDR_IS - octet c is of a class in bits */
#define ADDR_IS(c, bits) (addr_class[(unsigned char) (c)] & (bits))

/* addr_ws - blank or folding */
static int addr_ws(char c)
{
	return (ADDR_IS(c, ADDR_WS));
}

/* addr_lower - ASCII lowercase */
static char addr_lower(char c)
{
	return ((c >= 'A' && c <= 'Z') ? (char) (c - 'A' + 'a') : c);
}

/* addr_spec - normalize s[0..n) (comments and outer blanks dropped,
 * lowercased) into out; 1 ok, 0 not one address, -1 out too small */
static int addr_spec(const char *s, size_t n, char *out, size_t outlen)
{
	size_t  i = 0, o = 0, at = 0, ats = 0;
	int     gap = 0, bracket = 0;

	while (i < n) {
		char    c = s[i];
		size_t  j = i + 1;

		if (!ADDR_IS(c, ADDR_SPEC) && !gap) {
			if (o + 1 < outlen)	/* the common case */
				out[o] = addr_lower(c);
			o++;
			i++;
			continue;
		}
		if (c == '(' && !bracket) {
			if ((j = addr_skip_comment(s, i)) == 0 || j > n)
				return (0);
			gap = gap || o > 0;
			i = j;
			continue;
		}
		if (addr_ws(c)) {
			gap = gap || o > 0;
			i++;
			continue;
		}
		if (gap)
			return (0);		/* blank inside the address */
		if (c == '"' && !bracket) {
			if ((j = addr_skip_quoted(s, i)) == 0 || j > n)
				return (0);
		} else if (c == '@' && !bracket) {
			ats++;
			at = o;
		} else if (c == '[') {
			if (bracket++ || ats == 0)
				return (0);
		} else if (c == ']') {
			if (!bracket--)
				return (0);
		} else if ((unsigned char) c < 0x21 || c == 0x7f || c == '<'
			   || c == '>' || c == ')' || c == ',' || c == ';'
			   || c == '\\' || c == '"' || (c == ':' && !bracket)) {
			return (0);
		}
		for (; i < j; i++, o++)
			if (o + 1 < outlen)
				out[o] = addr_lower(s[i]);
	}
	if (ats != 1 || at == 0 || at + 1 == o || bracket)
		return (0);
	if (o + 1 > outlen)
		return (-1);
	out[o] = '\0';
	return (1);
}

/* cm_pgp_from_addr - the one address of a From header value */
int     cm_pgp_from_addr(const char *value, char *out, size_t outlen)
{
	size_t  i = 0, lt = 0, gt = 0;
	int     angles = 0;

	if (value == NULL || out == NULL || outlen == 0)
		return (0);
	for (;;) {
		char    c;

		while (!angles && !ADDR_IS(value[i], ADDR_VALUE))
			i++;		/* the common case: a display name */
		if ((c = value[i]) == '\0')
			break;
		if (c == '(') {
			if ((i = addr_skip_comment(value, i)) == 0)
				return (0);
		} else if (angles && !addr_ws(c)) {
			return (0);		/* text after <addr> */
		} else if (c == '"') {
			if ((i = addr_skip_quoted(value, i)) == 0)
				return (0);
		} else if (c == '<') {
			angles = 1;
			lt = i++;
			while (value[i] != '>') {
				while (!ADDR_IS(value[i], ADDR_ANGLE))
					i++;
				if (value[i] == '\0')
					return (0);
				if (value[i] == '"'
				    && (i = addr_skip_quoted(value, i)) == 0)
					return (0);
			}
			gt = i++;
		} else if (c == '>' || c == ',' || c == ';' || c == ':') {
			return (0);		/* several addresses or a group */
		} else {
			i++;
		}
	}
	if (angles)
		return (addr_spec(value + lt + 1, gt - lt - 1, out, outlen));
	return (addr_spec(value, i, out, outlen));
}

/* cm_pgp_addr_equal - two addresses, ASCII case-insensitive */
int     cm_pgp_addr_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (0);
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		char    x = (*a >= 'A' && *a <= 'Z') ? (char) (*a - 'A' + 'a') : *a;
		char    y = (*b >= 'A' && *b <= 'Z') ? (char) (*b - 'A' + 'a') : *b;

		if (x != y)
			return (0);
	}
	return (*a == *b);
}
