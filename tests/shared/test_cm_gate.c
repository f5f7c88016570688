/*++
 * NAME
 *	test_cm_gate 1
 * SUMMARY
 *	unit tests for cm_gate (the milter's decisions) and the gate
 *	counters of cm_hot
 * DESCRIPTION
 *	Table-driven: each row is the facts of one message and the exact
 *	reply (action, code, enhanced code, text, counter) it must get.
 *--*/

#include "test_util.h"

#include <pthread.h>

#include "cm_gate.h"
#include "cm_hot.h"

#define ENC_TEXT	"Encryption Needed: Invalid Unencrypted Mail"
#define TEMP_TEXT	"Internal error in the encryption gate, try again later"
#define IN		CM_PGP_INCOMING
#define OUT		CM_PGP_OUTGOING

/* test_mode - the mode from {auth_authen} and {daemon_name} */
static void test_mode(void **state)
{
	static const struct {
		const char *auth, *daemon, *outgoing;
		enum cm_pgp_mode want;
	} rows[] = {
		{ NULL, NULL, "ORIGINATING", IN },
		{ "", "smtpd", "ORIGINATING", IN },
		{ "alice@example.org", NULL, "ORIGINATING", OUT },
		{ "alice@example.org", "smtpd", "ORIGINATING", OUT },
		{ "alice", "smtpd", "", OUT },
		{ NULL, "ORIGINATING", "ORIGINATING", OUT },
		{ "", "ORIGINATING", "ORIGINATING", OUT },
		{ NULL, "originating", "ORIGINATING", IN },	/* exact */
		{ NULL, "ORIGINATING2", "ORIGINATING", IN },
		{ NULL, "", "", IN },			/* "" matches nothing */
		{ NULL, "submission", "submission", OUT },
		{ NULL, "ORIGINATING", NULL, IN },
	};
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum cm_pgp_mode got = cm_gate_mode(rows[i].auth,
						    rows[i].daemon,
						    rows[i].outgoing);

		if (got != rows[i].want)
			fail_msg("row %zu: auth=%s daemon=%s: got %s", i,
				 rows[i].auth ? rows[i].auth : "(null)",
				 rows[i].daemon ? rows[i].daemon : "(null)",
				 cm_gate_mode_name(got));
	}
	assert_string_equal(cm_gate_mode_name(IN), "incoming");
	assert_string_equal(cm_gate_mode_name(OUT), "outgoing");
}

struct decide_row {
	const char *name;
	struct cm_gate_facts facts;
	enum cm_gate_action action;
	const char *code, *xcode, *text;
	enum cm_hot_gate_stat stat;
	const char *reason;		/* NULL = don't care */
};

/* Shorthand: a well-formed envelope, one matching From header. */
#define ENV(mode, verdict, why) \
	{ (mode), 0, "alice@example.org", 1, (verdict), (why), 1, 1, 1 }

static const struct decide_row decide_rows[] = {
	{ "incoming encrypted", ENV(IN, CM_PGP_ENCRYPTED, "encrypted"),
	  CM_GATE_CONTINUE, NULL, NULL, NULL, CM_HOT_GATE_ENCRYPTED,
	  "encrypted" },
	{ "outgoing encrypted", ENV(OUT, CM_PGP_ENCRYPTED, "encrypted"),
	  CM_GATE_CONTINUE, NULL, NULL, NULL, CM_HOT_GATE_ENCRYPTED, NULL },
	{ "incoming exception", ENV(IN, CM_PGP_EXCEPTION, "secure-join request"),
	  CM_GATE_CONTINUE, NULL, NULL, NULL, CM_HOT_GATE_EXCEPTION,
	  "secure-join request" },
	{ "outgoing exception", ENV(OUT, CM_PGP_EXCEPTION, "autocrypt setup"),
	  CM_GATE_CONTINUE, NULL, NULL, NULL, CM_HOT_GATE_EXCEPTION, NULL },
	{ "incoming plaintext", ENV(IN, CM_PGP_REFUSED, "not multipart/encrypted"),
	  CM_GATE_REJECT, "523", "5.7.10", ENC_TEXT, CM_HOT_GATE_REFUSED_PGP,
	  "not multipart/encrypted" },
	{ "outgoing plaintext", ENV(OUT, CM_PGP_REFUSED, "part 2 missing"),
	  CM_GATE_REJECT, "523", "5.7.10", ENC_TEXT, CM_HOT_GATE_REFUSED_PGP,
	  "part 2 missing" },
	{ "refused without a reason", ENV(IN, CM_PGP_REFUSED, NULL),
	  CM_GATE_REJECT, "523", "5.7.10", ENC_TEXT, CM_HOT_GATE_REFUSED_PGP,
	  "?" },
	/* The From check: outgoing only, and before the encryption. */
	{ "outgoing From mismatch",
	  { OUT, 0, "alice@example.org", 1, CM_PGP_ENCRYPTED, "encrypted",
	    1, 1, 0 },
	  CM_GATE_REJECT, "550", "5.7.1",
	  "From header address does not match the sender",
	  CM_HOT_GATE_REFUSED_FROM, "From address is not the envelope sender" },
	{ "outgoing From mismatch and plaintext",
	  { OUT, 0, "alice@example.org", 1, CM_PGP_REFUSED, "plain", 1, 1, 0 },
	  CM_GATE_REJECT, "550", "5.7.1",
	  "From header address does not match the sender",
	  CM_HOT_GATE_REFUSED_FROM, NULL },
	{ "outgoing exception with From mismatch",
	  { OUT, 0, "alice@example.org", 1, CM_PGP_EXCEPTION, "sj", 1, 1, 0 },
	  CM_GATE_REJECT, "550", "5.7.1",
	  "From header address does not match the sender",
	  CM_HOT_GATE_REFUSED_FROM, NULL },
	{ "outgoing no From header",
	  { OUT, 0, "alice@example.org", 1, CM_PGP_ENCRYPTED, "e", 0, 0, 0 },
	  CM_GATE_REJECT, "550", "5.7.1", "Message has no From header",
	  CM_HOT_GATE_REFUSED_FROM, "From header missing" },
	{ "outgoing two From headers",
	  { OUT, 0, "alice@example.org", 1, CM_PGP_ENCRYPTED, "e", 2, 1, 1 },
	  CM_GATE_REJECT, "550", "5.7.1",
	  "Message has more than one From header",
	  CM_HOT_GATE_REFUSED_FROM, "several From headers" },
	{ "outgoing From with two addresses",
	  { OUT, 0, "alice@example.org", 1, CM_PGP_ENCRYPTED, "e", 1, 0, 0 },
	  CM_GATE_REJECT, "550", "5.7.1",
	  "From header must hold exactly one address",
	  CM_HOT_GATE_REFUSED_FROM, "no single From address" },
	{ "outgoing From address too long",
	  { OUT, 0, "alice@example.org", 1, CM_PGP_ENCRYPTED, "e", 1, -1, 0 },
	  CM_GATE_REJECT, "550", "5.7.1",
	  "From header must hold exactly one address",
	  CM_HOT_GATE_REFUSED_FROM, "From address too long" },
	{ "outgoing null sender",
	  { OUT, 0, "", 1, CM_PGP_ENCRYPTED, "e", 1, 1, 0 },
	  CM_GATE_REJECT, "550", "5.7.1",
	  "From header address does not match the sender",
	  CM_HOT_GATE_REFUSED_FROM, NULL },
	/* Incoming mail is not From-checked (mailing lists, forwarders). */
	{ "incoming From mismatch",
	  { IN, 0, "list@remote.example", 1, CM_PGP_ENCRYPTED, "e", 1, 1, 0 },
	  CM_GATE_CONTINUE, NULL, NULL, NULL, CM_HOT_GATE_ENCRYPTED, NULL },
	{ "incoming no From header",
	  { IN, 0, "", 1, CM_PGP_EXCEPTION, "bounce", 0, 0, 0 },
	  CM_GATE_CONTINUE, NULL, NULL, NULL, CM_HOT_GATE_EXCEPTION, NULL },
	{ "incoming From mismatch and plaintext",
	  { IN, 0, "x@remote.example", 1, CM_PGP_REFUSED, "p", 1, 1, 0 },
	  CM_GATE_REJECT, "523", "5.7.10", ENC_TEXT, CM_HOT_GATE_REFUSED_PGP,
	  NULL },
	/* Internal errors tempfail whatever else is true. */
	{ "internal error, encrypted",
	  { OUT, 1, "alice@example.org", 1, CM_PGP_ENCRYPTED, "e", 1, 1, 1 },
	  CM_GATE_TEMPFAIL, "451", "4.3.5", TEMP_TEXT, CM_HOT_GATE_TEMPFAIL,
	  "internal error" },
	{ "internal error, From mismatch",
	  { OUT, 1, "alice@example.org", 1, CM_PGP_REFUSED, "p", 1, 1, 0 },
	  CM_GATE_TEMPFAIL, "451", "4.3.5", TEMP_TEXT, CM_HOT_GATE_TEMPFAIL,
	  "internal error" },
	{ "no MAIL FROM",
	  { IN, 0, NULL, 1, CM_PGP_ENCRYPTED, "e", 1, 1, 1 },
	  CM_GATE_TEMPFAIL, "451", "4.3.5", TEMP_TEXT, CM_HOT_GATE_TEMPFAIL,
	  "no envelope sender" },
	{ "no RCPT TO",
	  { OUT, 0, "alice@example.org", 0, CM_PGP_ENCRYPTED, "e", 1, 1, 1 },
	  CM_GATE_TEMPFAIL, "451", "4.3.5", TEMP_TEXT, CM_HOT_GATE_TEMPFAIL,
	  "no envelope recipient" },
	{ "verdict 0 (checker misuse)",
	  { IN, 0, "a@b", 1, 0, NULL, 1, 1, 1 },
	  CM_GATE_TEMPFAIL, "451", "4.3.5", TEMP_TEXT, CM_HOT_GATE_TEMPFAIL,
	  "checker misuse" },
	{ "verdict out of range",
	  { OUT, 0, "a@b", 1, 99, NULL, 1, 1, 1 },
	  CM_GATE_TEMPFAIL, "451", "4.3.5", TEMP_TEXT, CM_HOT_GATE_TEMPFAIL,
	  "checker misuse" },
	{ "verdict -1",
	  { IN, 0, "a@b", 1, -1, NULL, 1, 1, 1 },
	  CM_GATE_TEMPFAIL, "451", "4.3.5", TEMP_TEXT, CM_HOT_GATE_TEMPFAIL,
	  "checker misuse" },
};

/* test_str_eq - both NULL or equal */
static int test_str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL)
	    || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* test_decide - every row of the table */
static void test_decide(void **state)
{
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(decide_rows) / sizeof(decide_rows[0]); i++) {
		const struct decide_row *row = decide_rows + i;
		struct cm_gate_reply r;

		memset(&r, 0x55, sizeof(r));
		cm_gate_decide(&row->facts, &r);
		if (r.action != row->action || !test_str_eq(r.code, row->code)
		    || !test_str_eq(r.xcode, row->xcode)
		    || !test_str_eq(r.text, row->text) || r.stat != row->stat
		    || r.reason == NULL
		    || (row->reason != NULL
			&& strcmp(r.reason, row->reason) != 0))
			fail_msg("%s: got action %d %s %s %s stat %s reason %s",
				 row->name, (int) r.action,
				 r.code ? r.code : "-", r.xcode ? r.xcode : "-",
				 r.text ? r.text : "-",
				 cm_hot_gate_stat_name(r.stat),
				 r.reason ? r.reason : "(null)");
	}
}

/* test_reply_classes - every reply is one smfi_setreply accepts: the
   code's class equals the enhanced code's, 4xx only with TEMPFAIL, 5xx
   only with REJECT, and the text has no CR, LF or '%' */
static void test_reply_classes(void **state)
{
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(decide_rows) / sizeof(decide_rows[0]); i++) {
		struct cm_gate_reply r;

		cm_gate_decide(&decide_rows[i].facts, &r);
		if (r.action == CM_GATE_CONTINUE) {
			assert_null(r.code);
			continue;
		}
		assert_non_null(r.code);
		assert_non_null(r.xcode);
		assert_non_null(r.text);
		assert_int_equal(strlen(r.code), 3);
		assert_int_equal(r.code[0], r.xcode[0]);
		assert_int_equal(r.code[0],
				 r.action == CM_GATE_TEMPFAIL ? '4' : '5');
		assert_null(strpbrk(r.text, "\r\n%"));
	}
}

/* test_gate_counters - per mode and stat; out of range ignored */
static void test_gate_counters(void **state)
{
	struct cm_hot_gate *gate = cm_hot_gate_new();
	int m, s;

	(void) state;
	for (m = 0; m < 2; m++)
		for (s = 0; s < CM_HOT_GATE_STATS; s++)
			assert_int_equal(cm_hot_gate_get(gate, m, s), 0);
	cm_hot_gate_count(gate, 0, CM_HOT_GATE_REFUSED_PGP);
	cm_hot_gate_count(gate, 0, CM_HOT_GATE_REFUSED_PGP);
	cm_hot_gate_count(gate, 1, CM_HOT_GATE_REFUSED_FROM);
	cm_hot_gate_count(gate, 2, CM_HOT_GATE_ENCRYPTED);
	cm_hot_gate_count(gate, -1, CM_HOT_GATE_ENCRYPTED);
	cm_hot_gate_count(gate, 0, CM_HOT_GATE_STATS);
	cm_hot_gate_count(NULL, 0, CM_HOT_GATE_ENCRYPTED);
	assert_int_equal(cm_hot_gate_get(gate, 0, CM_HOT_GATE_REFUSED_PGP), 2);
	assert_int_equal(cm_hot_gate_get(gate, 1, CM_HOT_GATE_REFUSED_PGP), 0);
	assert_int_equal(cm_hot_gate_get(gate, 1, CM_HOT_GATE_REFUSED_FROM), 1);
	assert_int_equal(cm_hot_gate_get(gate, 0, CM_HOT_GATE_ENCRYPTED), 0);
	assert_int_equal(cm_hot_gate_get(gate, 1, CM_HOT_GATE_ENCRYPTED), 0);
	assert_int_equal(cm_hot_gate_get(gate, 2, CM_HOT_GATE_ENCRYPTED), 0);
	assert_int_equal(cm_hot_gate_get(NULL, 0, CM_HOT_GATE_ENCRYPTED), 0);
	assert_string_equal(cm_hot_gate_stat_name(CM_HOT_GATE_ENCRYPTED),
			    "encrypted");
	assert_string_equal(cm_hot_gate_stat_name(CM_HOT_GATE_REFUSED_PGP),
			    "refused_encryption");
	assert_string_equal(cm_hot_gate_stat_name(CM_HOT_GATE_REFUSED_FROM),
			    "refused_from");
	assert_string_equal(cm_hot_gate_stat_name(CM_HOT_GATE_TEMPFAIL),
			    "tempfail");
	assert_string_equal(cm_hot_gate_stat_name(CM_HOT_GATE_STATS), "?");
	cm_hot_gate_free(&gate);
	assert_null(gate);
	cm_hot_gate_free(&gate);
}

#define GATE_THREADS	4
#define GATE_PER_THREAD	50000

/* gate_bump - one thread's share of the counting */
static void *gate_bump(void *arg)
{
	struct cm_hot_gate *gate = arg;
	int i;

	for (i = 0; i < GATE_PER_THREAD; i++) {
		cm_hot_gate_count(gate, i & 1, CM_HOT_GATE_EXCEPTION);
		(void) cm_hot_gate_get(gate, 1, CM_HOT_GATE_EXCEPTION);
	}
	return NULL;
}

/* test_gate_threads - no count is lost without a lock */
static void test_gate_threads(void **state)
{
	struct cm_hot_gate *gate = cm_hot_gate_new();
	pthread_t t[GATE_THREADS];
	int i;

	(void) state;
	for (i = 0; i < GATE_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, gate_bump, gate), 0);
	for (i = 0; i < GATE_THREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(cm_hot_gate_get(gate, 0, CM_HOT_GATE_EXCEPTION),
			 GATE_THREADS * GATE_PER_THREAD / 2);
	assert_int_equal(cm_hot_gate_get(gate, 1, CM_HOT_GATE_EXCEPTION),
			 GATE_THREADS * GATE_PER_THREAD / 2);
	cm_hot_gate_free(&gate);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_reply_classes),
		cmocka_unit_test(test_gate_counters),
		cmocka_unit_test(test_gate_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
