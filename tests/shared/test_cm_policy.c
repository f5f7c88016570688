/*++
 * NAME
 *	test_cm_policy 1
 * SUMMARY
 *	cmocka tests for the policy decisions
 * DESCRIPTION
 *	One table of cases, each with its setup (settings, quota, blocklist
 *	and federation entries), its request, and the expected action,
 *	text and reason, covers every RCPT rule and their order, the
 *	END-OF-MESSAGE checks, malformed requests and the states that are
 *	always DUNNO. Every case also checks that a non-DUNNO verdict has
 *	a text and that RCPT records nothing but federation rejections.
 *
 *	Scenario tests cover what a table cannot: the counters after
 *	END-OF-MESSAGE (one recipient, remembered recipients, a count
 *	mismatch), rate keys and refill over time, long values, the
 *	transaction reset, the helpers and an incomplete environment.
 *--*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_policy.h"

#define NOW_MS	INT64_C(1000000)
#define NOW	INT64_C(1700000000)
#define LOCAL	"chat.example"
#define ME	"me@chat.example"
#define BOB	"bob@chat.example"
#define REMOTE	"alice@remote.org"

#define T_BLOCK_IP	"5.7.1 Client host blocked by policy"
#define T_BLOCK_FROM	"5.7.1 Sender address blocked by policy"
#define T_BLOCK_TO	"5.7.1 Recipient address blocked by policy"
#define T_FED(d)	"5.7.1 Sender domain " d \
			" is not federated with this relay"
#define T_QUIET		"silently dismissed by federation policy"
#define T_SIZE		"5.3.4 Message size exceeds fixed limit"
#define T_QUOTA(r)	"5.2.2 Mailbox full"
#define T_QUOTA_TMP(r)	"4.2.2 Mailbox full, try again later"
#define T_RATE(u)	"4.7.1 Sender rate limit exceeded, try again later"
#define T_MALFORMED	"4.3.5 Malformed policy request"
#define T_INTERNAL	"4.3.5 Policy service error, try again later"

static const char *const local_domains[] = { LOCAL, "second.example" };

struct fixture {
	struct cm_settings settings;
	struct cm_hot *hot;
	struct cm_blockset *blocks;
	struct cm_policy_env env;
	struct cm_policy_txn txn;
};

/* One table row: setup words (see setup_word), earlier RCPTs like the
   final one but with size 0 that must pass, the request and the expected verdict. */
struct policy_case {
	const char *name;
	const char *setup;
	int     pre;		/* earlier RCPTs expected DUNNO */
	int     pre_same;	/* they share the final instance */
	enum cm_policy_state state;
	const char *request;	/* NULL: "smtpd_access_policy" */
	int     malformed;
	const char *client;
	const char *sender;
	const char *rcpt;
	const char *sasl;
	int64_t size;
	int64_t count;		/* recipient_count */
	const char *action;
	const char *text;
	const char *reason;
};

#define RCPT	CM_POLICY_STATE_RCPT
#define EOM	CM_POLICY_STATE_END_OF_MESSAGE
#define DUNNO	"DUNNO", "", ""
#define BLOCKED(t)	"550", t, "blocklist"
#define FED(t)	"550", t, "federation"
#define QUIET	"DISCARD", T_QUIET, "federation"
#define SIZE	"552", T_SIZE, "size"
#define QUOTA(r)	"552", T_QUOTA(r), "quota"
#define QUOTA_TMP(r)	"452", T_QUOTA_TMP(r), "quota"
#define RATE(u)	"450", T_RATE(u), "rate"
#define MALFORMED	"DEFER_IF_PERMIT", T_MALFORMED, "malformed"
#define MAXSZ	INT64_C(31457280)

static const struct policy_case cases[] = {
	/* plain traffic */
	{"remote to local", "", 0, 0, RCPT, NULL, 0, "192.0.2.1", REMOTE,
	 BOB, "", 100, 0, DUNNO},
	{"local user out", "", 0, 0, RCPT, NULL, 0, "192.0.2.1", ME,
	 "x@remote.org", ME, 100, 0, DUNNO},
	{"local to local", "", 0, 0, RCPT, NULL, 0, "::1", ME, BOB, ME,
	 0, 0, DUNNO},
	/* 1. blocklist */
	{"blocked ip", "ip=192.0.2.0/24", 0, 0, RCPT, NULL, 0, "192.0.2.9",
	 REMOTE, BOB, "", 0, 0, BLOCKED(T_BLOCK_IP)},
	{"blocked ipv6", "ip=2001:db8::/32", 0, 0, RCPT, NULL, 0,
	 "2001:DB8::7", REMOTE, BOB, "", 0, 0, BLOCKED(T_BLOCK_IP)},
	{"blocked mapped ip", "ip=192.0.2.9", 0, 0, RCPT, NULL, 0,
	 "::ffff:192.0.2.9", REMOTE, BOB, "", 0, 0, BLOCKED(T_BLOCK_IP)},
	{"ip outside range", "ip=192.0.2.0/24", 0, 0, RCPT, NULL, 0,
	 "192.0.3.1", REMOTE, BOB, "", 0, 0, DUNNO},
	{"blocked sender", "addr=Alice@Remote.org", 0, 0, RCPT, NULL, 0,
	 "192.0.2.1", "ALICE@remote.ORG", BOB, "", 0, 0,
	 BLOCKED(T_BLOCK_FROM)},
	{"blocked sender domain", "domain=remote.org", 0, 0, RCPT, NULL, 0,
	 "192.0.2.1", REMOTE, BOB, "", 0, 0, BLOCKED(T_BLOCK_FROM)},
	{"blocked sender ip literal", "domain=[192.0.2.5]", 0, 0, RCPT, NULL,
	 0, "192.0.2.1", "a@[192.0.2.5]", BOB, "", 0, 0,
	 BLOCKED(T_BLOCK_FROM)},
	{"blocked authenticated sender", "addr=" ME, 0, 0, RCPT, NULL, 0,
	 "192.0.2.1", ME, "x@remote.org", ME, 0, 0, BLOCKED(T_BLOCK_FROM)},
	{"blocked recipient", "addr=" BOB, 0, 0, RCPT, NULL, 0, "192.0.2.1",
	 REMOTE, "Bob@Chat.Example", "", 0, 0, BLOCKED(T_BLOCK_TO)},
	{"recipient domain is not a recipient entry", "domain=" LOCAL, 0, 0,
	 RCPT, NULL, 0, "192.0.2.1", REMOTE, BOB, "", 0, 0, DUNNO},
	{"ip before sender", "ip=192.0.2.1 addr=" REMOTE, 0, 0, RCPT, NULL,
	 0, "192.0.2.1", REMOTE, BOB, "", 0, 0, BLOCKED(T_BLOCK_IP)},
	{"sender before recipient", "addr=" REMOTE " addr=" BOB, 0, 0, RCPT,
	 NULL, 0, "192.0.2.1", REMOTE, BOB, "", 0, 0, BLOCKED(T_BLOCK_FROM)},
	{"null sender skips sender checks", "domain=remote.org reject_mode",
	 0, 0, RCPT, NULL, 0, "192.0.2.1", "", BOB, "", 0, 0, DUNNO},
	{"null sender, blocked recipient", "addr=" BOB, 0, 0, RCPT, NULL, 0,
	 "192.0.2.1", "", BOB, "", 0, 0, BLOCKED(T_BLOCK_TO)},
	{"blocklist before federation", "domain=remote.org reject_mode", 0, 0,
	 RCPT, NULL, 0, "192.0.2.1", REMOTE, BOB, "", 0, 0,
	 BLOCKED(T_BLOCK_FROM)},
	{"blocklist before size", "addr=" REMOTE, 0, 0, RCPT, NULL, 0,
	 "192.0.2.1", REMOTE, BOB, "", MAXSZ + 1, 0, BLOCKED(T_BLOCK_FROM)},
	{"blocklist before quota", "addr=" REMOTE " quota=" BOB ":10:10", 0,
	 0, RCPT, NULL, 0, "192.0.2.1", REMOTE, BOB, "", 1, 0,
	 BLOCKED(T_BLOCK_FROM)},
	/* 2. federation */
	{"accept mode, listed", "listed=remote.org", 0, 0, RCPT, NULL, 0,
	 "192.0.2.1", "A@Remote.ORG", BOB, "", 0, 0, FED(T_FED("remote.org"))},
	{"accept mode, unlisted", "listed=other.org", 0, 0, RCPT, NULL, 0,
	 "192.0.2.1", REMOTE, BOB, "", 0, 0, DUNNO},
	{"reject mode, unlisted", "reject_mode listed=other.org", 0, 0, RCPT,
	 NULL, 0, "192.0.2.1", REMOTE, BOB, "", 0, 0,
	 FED(T_FED("remote.org"))},
	{"reject mode, listed", "reject_mode listed=Remote.Org", 0, 0, RCPT,
	 NULL, 0, "192.0.2.1", "alice@REMOTE.org", BOB, "", 0, 0, DUNNO},
	{"reject mode, listed ip literal", "reject_mode listed=[192.0.2.5]",
	 0, 0, RCPT, NULL, 0, "192.0.2.1", "a@[192.0.2.5]", BOB, "", 0, 0,
	 DUNNO},
	{"reject mode, sender without domain", "reject_mode", 0, 0, RCPT,
	 NULL, 0, "192.0.2.1", "user", BOB, "", 0, 0, FED(T_FED("user"))},
	{"accept mode, sender without domain", "listed=remote.org", 0, 0,
	 RCPT, NULL, 0, "192.0.2.1", "user", BOB, "", 0, 0, DUNNO},
	{"silent dismiss", "quiet=remote.org", 0, 0, RCPT, NULL, 0,
	 "192.0.2.1", REMOTE, BOB, "", 0, 0, QUIET},
	{"silent dismiss before reject mode", "reject_mode quiet=remote.org",
	 0, 0, RCPT, NULL, 0, "192.0.2.1", REMOTE, BOB, "", 0, 0, QUIET},
	{"silent dismiss before listed", "listed=remote.org quiet=remote.org",
	 0, 0, RCPT, NULL, 0, "192.0.2.1", REMOTE, BOB, "", 0, 0, QUIET},
	{"authenticated skips federation", "reject_mode quiet=chat.example",
	 0, 0, RCPT, NULL, 0, "192.0.2.1", ME, "x@remote.org", ME, 0, 0,
	 DUNNO},
	{"authenticated remote sender skips federation", "listed=remote.org",
	 0, 0, RCPT, NULL, 0, "192.0.2.1", REMOTE, BOB, ME, 0, 0, DUNNO},
	{"local sender domain skips federation", "reject_mode", 0, 0, RCPT,
	 NULL, 0, "192.0.2.1", "x@CHAT.Example", BOB, "", 0, 0, DUNNO},
	{"second local domain", "reject_mode", 0, 0, RCPT, NULL, 0,
	 "192.0.2.1", "x@second.example", BOB, "", 0, 0, DUNNO},
	{"local domain suffix is remote", "reject_mode", 0, 0, RCPT, NULL, 0,
	 "192.0.2.1", "x@evilchat.example", BOB, "", 0, 0,
	 FED(T_FED("evilchat.example"))},
	{"federation before size", "reject_mode", 0, 0, RCPT, NULL, 0,
	 "192.0.2.1", REMOTE, BOB, "", MAXSZ + 1, 0,
	 FED(T_FED("remote.org"))},
	{"silent dismiss before quota", "quiet=remote.org quota=" BOB ":9:9",
	 0, 0, RCPT, NULL, 0, "192.0.2.1", REMOTE, BOB, "", 1, 0, QUIET},
	/* 3. size */
	{"size exactly max", "", 0, 0, RCPT, NULL, 0, "192.0.2.1", REMOTE,
	 BOB, "", MAXSZ, 0, DUNNO},
	{"size max + 1", "", 0, 0, RCPT, NULL, 0, "192.0.2.1", REMOTE, BOB,
	 "", MAXSZ + 1, 0, SIZE},
	{"size setting", "max_size=2048", 0, 0, RCPT, NULL, 0, "192.0.2.1",
	 ME, "x@remote.org", ME, 2049, 0, SIZE},
	{"size before quota", "max_size=2048 quota=" BOB ":0:10", 0, 0, RCPT,
	 NULL, 0, "192.0.2.1", REMOTE, BOB, "", 4096, 0, SIZE},
	{"size before rate", "max_size=2048 rate=60/1", 1, 0, RCPT, NULL, 0,
	 "192.0.2.1", ME, BOB, ME, 4096, 0, SIZE},
	/* 4. quota */
	{"quota lands exactly on max", "quota=" BOB ":900:1000", 0, 0, RCPT,
	 NULL, 0, "192.0.2.1", REMOTE, BOB, "", 100, 0, DUNNO},
	{"quota one byte over", "quota=" BOB ":900:1000", 0, 0, RCPT, NULL, 0,
	 "192.0.2.1", REMOTE, BOB, "", 101, 0, QUOTA(BOB)},
	{"quota key is lowercased", "quota=" BOB ":900:1000", 0, 0, RCPT,
	 NULL, 0, "192.0.2.1", REMOTE, "Bob@Chat.EXAMPLE", "", 101, 0,
	 QUOTA("Bob@Chat.EXAMPLE")},
	{"quota already over, no size", "quota=" BOB ":1001:1000", 0, 0,
	 RCPT, NULL, 0, "192.0.2.1", REMOTE, BOB, "", 0, 0, QUOTA(BOB)},
	{"quota max 0 is unlimited", "quota=" BOB ":999999999999:0", 0, 0,
	 RCPT, NULL, 0, "192.0.2.1", REMOTE, BOB, "", MAXSZ, 0, DUNNO},
	{"unknown recipient, default quota fits", "default_quota=1000", 0, 0,
	 RCPT, NULL, 0, "192.0.2.1", REMOTE, BOB, "", 1000, 0, DUNNO},
	{"unknown recipient, default quota", "default_quota=1000", 0, 0, RCPT,
	 NULL, 0, "192.0.2.1", REMOTE, BOB, "", 1001, 0, QUOTA(BOB)},
	{"unknown recipient, default unlimited", "default_quota=0", 0, 0,
	 RCPT, NULL, 0, "192.0.2.1", REMOTE, BOB, "", MAXSZ, 0, DUNNO},
	{"remote recipient has no quota", "default_quota=10", 0, 0, RCPT,
	 NULL, 0, "192.0.2.1", ME, "x@remote.org", ME, 100, 0, DUNNO},
	{"quota transient", "transient quota=" BOB ":1000:1000", 0, 0, RCPT,
	 NULL, 0, "192.0.2.1", REMOTE, BOB, "", 1, 0, QUOTA_TMP(BOB)},
	{"quota for authenticated sender", "quota=" BOB ":1000:1000", 0, 0,
	 RCPT, NULL, 0, "192.0.2.1", ME, BOB, ME, 1, 0, QUOTA(BOB)},
	{"quota before rate", "rate=60/1 quota=" BOB ":1000:1000", 1, 0,
	 RCPT, NULL, 0, "192.0.2.1", ME, BOB, ME, 1, 0, QUOTA(BOB)},
	/* 5. rate */
	{"rate: burst passes", "", 9, 0, RCPT, NULL, 0, "192.0.2.1", ME,
	 "x@remote.org", ME, 0, 0, DUNNO},
	{"rate: limited after burst", "", 10, 0, RCPT, NULL, 0, "192.0.2.1",
	 ME, "x@remote.org", ME, 0, 0, RATE(ME)},
	{"rate: text names the login as sent", "", 10, 0, RCPT, NULL, 0,
	 "192.0.2.1", ME, "x@remote.org", "Me@Chat.Example", 0, 0,
	 RATE("Me@Chat.Example")},
	{"rate: small burst", "rate=60/2", 2, 0, RCPT, NULL, 0, "192.0.2.1",
	 ME, BOB, ME, 0, 0, RATE(ME)},
	{"rate: one transaction pays once", "rate=60/1", 30, 1, RCPT, NULL, 0,
	 "192.0.2.1", ME, "x@remote.org", ME, 0, 0, DUNNO},
	{"rate: no limit", "rate=0/1", 50, 0, RCPT, NULL, 0, "192.0.2.1", ME,
	 "x@remote.org", ME, 0, 0, DUNNO},
	{"rate: unauthenticated not limited", "rate=60/1", 20, 0, RCPT, NULL,
	 0, "192.0.2.1", REMOTE, BOB, "", 0, 0, DUNNO},
	/* END-OF-MESSAGE */
	{"eom size exactly max", "", 0, 0, EOM, NULL, 0, "192.0.2.1", REMOTE,
	 BOB, "", MAXSZ, 1, DUNNO},
	{"eom size over", "", 0, 0, EOM, NULL, 0, "192.0.2.1", REMOTE, BOB,
	 "", MAXSZ + 1, 1, SIZE},
	{"eom size over, many recipients", "", 0, 0, EOM, NULL, 0,
	 "192.0.2.1", REMOTE, "", "", MAXSZ + 1, 3, SIZE},
	{"eom single recipient over quota", "quota=" BOB ":900:1000", 0, 0,
	 EOM, NULL, 0, "192.0.2.1", REMOTE, BOB, "", 101, 1, QUOTA(BOB)},
	{"eom single recipient fits", "quota=" BOB ":900:1000", 0, 0, EOM,
	 NULL, 0, "192.0.2.1", REMOTE, BOB, "", 100, 1, DUNNO},
	{"eom quota transient", "transient quota=" BOB ":900:1000", 0, 0, EOM,
	 NULL, 0, "192.0.2.1", REMOTE, BOB, "", 101, 1, QUOTA_TMP(BOB)},
	{"eom size before quota", "quota=" BOB ":900:1000", 0, 0, EOM, NULL,
	 0, "192.0.2.1", REMOTE, BOB, "", MAXSZ + 1, 1, SIZE},
	{"eom many recipients, no quota check", "quota=" BOB ":1000:1000", 0,
	 0, EOM, NULL, 0, "192.0.2.1", REMOTE, "", "", 5000, 2, DUNNO},
	{"eom remote recipient, no quota", "default_quota=10", 0, 0, EOM,
	 NULL, 0, "192.0.2.1", ME, "x@remote.org", ME, 5000, 1, DUNNO},
	{"eom does not apply the blocklist", "addr=" REMOTE, 0, 0, EOM, NULL,
	 0, "192.0.2.1", REMOTE, BOB, "", 10, 1, DUNNO},
	/* malformed requests */
	{"malformed", "", 0, 0, RCPT, NULL, 1, "192.0.2.1", REMOTE, BOB, "",
	 0, 0, MALFORMED},
	{"malformed in another state", "", 0, 0, CM_POLICY_STATE_CONNECT,
	 NULL, 1, "192.0.2.1", "", "", "", 0, 0, MALFORMED},
	{"malformed beats blocklist", "ip=192.0.2.1", 0, 0, RCPT, NULL, 1,
	 "192.0.2.1", REMOTE, BOB, "", 0, 0, MALFORMED},
	{"wrong request", "", 0, 0, RCPT, "junk_policy", 0, "192.0.2.1",
	 REMOTE, BOB, "", 0, 0, MALFORMED},
	{"request in capitals", "", 0, 0, RCPT, "SMTPD_ACCESS_POLICY", 0,
	 "192.0.2.1", REMOTE, BOB, "", 0, 0, MALFORMED},
	{"request missing", "", 0, 0, CM_POLICY_STATE_DATA, "", 0,
	 "192.0.2.1", REMOTE, BOB, "", 0, 0, MALFORMED},
	{"rcpt without recipient", "", 0, 0, RCPT, NULL, 0, "192.0.2.1",
	 REMOTE, "", "", 0, 0, MALFORMED},
	/* other states: DUNNO even when a rule would refuse at RCPT */
	{"connect", "ip=192.0.2.1", 0, 0, CM_POLICY_STATE_CONNECT, NULL, 0,
	 "192.0.2.1", "", "", "", 0, 0, DUNNO},
	{"helo", "ip=192.0.2.1", 0, 0, CM_POLICY_STATE_HELO, NULL, 0,
	 "192.0.2.1", "", "", "", 0, 0, DUNNO},
	{"mail", "ip=192.0.2.1 addr=" REMOTE, 0, 0, CM_POLICY_STATE_MAIL,
	 NULL, 0, "192.0.2.1", REMOTE, "", "", MAXSZ + 1, 0, DUNNO},
	{"data", "reject_mode", 0, 0, CM_POLICY_STATE_DATA, NULL, 0,
	 "192.0.2.1", REMOTE, BOB, "", MAXSZ + 1, 1, DUNNO},
	{"vrfy", "addr=" BOB, 0, 0, CM_POLICY_STATE_VRFY, NULL, 0,
	 "192.0.2.1", "", BOB, "", 0, 0, DUNNO},
	{"etrn", "ip=192.0.2.1", 0, 0, CM_POLICY_STATE_ETRN, NULL, 0,
	 "192.0.2.1", "", "", "", 0, 0, DUNNO},
	{"unknown state", "ip=192.0.2.1", 0, 0, CM_POLICY_STATE_OTHER, NULL,
	 0, "192.0.2.1", REMOTE, BOB, "", 0, 0, DUNNO},
};

/* setup_word - apply one setup word to the fixture */
static void setup_word(struct fixture *f, const char *word)
{
	char    user[128];
	long long a, b;
	const char *val = strchr(word, '=');

	val = val != NULL ? val + 1 : "";
	if (strncmp(word, "ip=", 3) == 0)
		assert_int_equal(cm_blockset_add(f->blocks, CM_BLOCK_IP, val,
						 NULL), 0);
	else if (strncmp(word, "addr=", 5) == 0)
		assert_int_equal(cm_blockset_add(f->blocks, CM_BLOCK_ADDRESS,
						 val, NULL), 0);
	else if (strncmp(word, "domain=", 7) == 0)
		assert_int_equal(cm_blockset_add(f->blocks, CM_BLOCK_DOMAIN,
						 val, NULL), 0);
	else if (strncmp(word, "listed=", 7) == 0)
		assert_int_equal(cm_blockset_add_fed(f->blocks, CM_FED_LISTED,
						     val, NULL), 0);
	else if (strncmp(word, "quiet=", 6) == 0)
		assert_int_equal(cm_blockset_add_fed(f->blocks,
						     CM_FED_SILENT_DISMISS,
						     val, NULL), 0);
	else if (strcmp(word, "reject_mode") == 0)
		f->settings.federation_reject_mode = 1;
	else if (strcmp(word, "transient") == 0)
		f->settings.quota_full_transient = 1;
	else if (sscanf(word, "max_size=%lld", &a) == 1)
		f->settings.max_message_size = a;
	else if (sscanf(word, "default_quota=%lld", &a) == 1)
		f->settings.default_quota_bytes = a;
	else if (sscanf(word, "rate=%lld/%lld", &a, &b) == 2) {
		f->settings.max_user_send_per_minute = a;
		f->settings.max_user_send_burst = b;
	} else if (sscanf(word, "quota=%127[^:]:%lld:%lld", user, &a, &b)
		   == 3)
		cm_hot_quota_set(f->hot, user, a, b);
	else
		fail_msg("bad setup word '%s'", word);
}

/* fixture_init - defaults, empty hot state and lists, then setup */
static void fixture_init(struct fixture *f, const char *setup)
{
	char   *copy = strdup(setup != NULL ? setup : "");
	char   *save = NULL;
	char   *word;

	assert_non_null(copy);
	memset(f, 0, sizeof(*f));
	cm_settings_defaults(&f->settings);
	f->hot = cm_hot_new();
	f->blocks = cm_blockset_new();
	for (word = strtok_r(copy, " ", &save); word != NULL;
	     word = strtok_r(NULL, " ", &save))
		setup_word(f, word);
	free(copy);
	f->env.settings = &f->settings;
	f->env.hot = f->hot;
	f->env.blocks = f->blocks;
	f->env.local_domains = local_domains;
	f->env.n_local_domains = 2;
	f->env.now_ms = NOW_MS;
	f->env.now = NOW;
}

/* fixture_free - release the fixture's hot state and lists */
static void fixture_free(struct fixture *f)
{
	cm_hot_free(&f->hot);
	cm_blockset_free(&f->blocks);
}

/* req_init - a well-formed request with every string set */
static void req_init(struct cm_policy_request *req,
		     enum cm_policy_state state, const char *instance,
		     const char *sender, const char *rcpt, const char *sasl)
{
	memset(req, 0, sizeof(*req));
	req->state = state;
	req->request = "smtpd_access_policy";
	req->protocol_state = "";
	req->protocol_name = "ESMTP";
	req->queue_id = "";
	req->instance = instance;
	req->client_address = "192.0.2.1";
	req->client_name = "mx.remote.org";
	req->helo_name = "mx.remote.org";
	req->sender = sender;
	req->recipient = rcpt;
	req->sasl_username = sasl;
	req->malformed_reason = "";
}

/* kind_of - the verdict kind an action must come with */
static enum cm_verdict_kind kind_of(const char *action)
{
	if (strcmp(action, "DUNNO") == 0)
		return (CM_VERDICT_DUNNO);
	if (strcmp(action, "DISCARD") == 0)
		return (CM_VERDICT_DISCARD);
	if (strcmp(action, "DEFER_IF_PERMIT") == 0)
		return (CM_VERDICT_DEFER_IF_PERMIT);
	return (action[0] == '5' ? CM_VERDICT_REJECT : CM_VERDICT_DEFER);
}

/* check_verdict - expected action, text, reason; consistent kind */
static void check_verdict(const char *name, const struct cm_policy_verdict *v,
			  const char *action, const char *text,
			  const char *reason)
{
	if (strcmp(v->action, action) != 0 || strcmp(v->text, text) != 0
	    || v->reason == NULL || strcmp(v->reason, reason) != 0)
		fail_msg("%s: got '%s' '%s' (%s), want '%s' '%s' (%s)", name,
			 v->action, v->text, v->reason ? v->reason : "NULL",
			 action, text, reason);
	if (v->kind != kind_of(action))
		fail_msg("%s: kind %d for %s", name, (int) v->kind, action);
	if (v->kind != CM_VERDICT_DUNNO && v->text[0] == '\0')
		fail_msg("%s: %s without text", name, v->action);
}

/* check_rcpt_records - RCPT records federation rejections, nothing else */
static void check_rcpt_records(const struct policy_case *c,
			       struct fixture *f)
{
	struct cm_hot_fed_stats st;
	const char *at = strrchr(c->sender, '@');
	char    dom[128];
	size_t  i;

	assert_int_equal(cm_hot_counters_get(f->hot, BOB, NULL, NULL), 0);
	assert_int_equal(cm_hot_counters_get(f->hot, ME, NULL, NULL), 0);
	if (strcmp(c->reason, "federation") != 0 || at == NULL) {
		assert_int_equal(cm_hot_fed_count(f->hot), 0);
		return;
	}
	for (i = 0; at[i + 1] != '\0' && i + 1 < sizeof(dom); i++)
		dom[i] = (char) (at[i + 1] | 0x20);
	dom[i] = '\0';
	assert_int_equal(cm_hot_fed_count(f->hot), 1);
	assert_int_equal(cm_hot_fed_get(f->hot, dom, CM_FED_IN, &st), 1);
	assert_int_equal(st.messages, 0);
	assert_int_equal(st.rejections, 1);
	assert_int_equal(st.last_seen, NOW);
	assert_int_equal(cm_hot_fed_get(f->hot, dom, CM_FED_OUT, NULL), 0);
}

/* run_case - one table row in a fresh fixture */
static void run_case(const struct policy_case *c)
{
	struct fixture f;
	struct cm_policy_request req;
	struct cm_policy_verdict v;
	char    instance[32];
	int     i;

	fixture_init(&f, c->setup);
	for (i = 0; i < c->pre; i++) {
		snprintf(instance, sizeof(instance), "pre.%d", i);
		req_init(&req, c->state, c->pre_same ? "final" : instance,
			 c->sender, c->rcpt, c->sasl);
		req.client_address = c->client;
		req.recipient_count = c->count;	/* size 0: must pass */
		cm_policy_decide(&f.env, &req, &f.txn, &v);
		check_verdict(c->name, &v, DUNNO);
	}
	req_init(&req, c->state, "final", c->sender, c->rcpt, c->sasl);
	req.client_address = c->client;
	req.size = c->size;
	req.recipient_count = c->count;
	req.malformed = c->malformed;
	if (c->request != NULL)
		req.request = c->request;
	cm_policy_decide(&f.env, &req, &f.txn, &v);
	check_verdict(c->name, &v, c->action, c->text, c->reason);
	if (c->state == RCPT)
		check_rcpt_records(c, &f);
	fixture_free(&f);
}

/* test_table - every row of the table */
static void test_table(void **state)
{
	size_t  i;

	(void) state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(cases + i);
}

/* decide - one request through the fixture into *v */
static void decide(struct fixture *f, enum cm_policy_state state,
		   const char *instance, const char *sender, const char *rcpt,
		   const char *sasl, int64_t size, int64_t count,
		   struct cm_policy_verdict *v)
{
	struct cm_policy_request req;

	req_init(&req, state, instance, sender, rcpt, sasl);
	req.size = size;
	req.recipient_count = count;
	cm_policy_decide(&f->env, &req, &f->txn, v);
}

/* assert_counts - a user's sent and received totals */
static void assert_counts(struct fixture *f, const char *user, int64_t sent,
			  int64_t received)
{
	int64_t s = -1, r = -1;

	if (sent == 0 && received == 0) {
		assert_int_equal(cm_hot_counters_get(f->hot, user, &s, &r), 0);
		return;
	}
	assert_int_equal(cm_hot_counters_get(f->hot, user, &s, &r), 1);
	assert_int_equal(s, sent);
	assert_int_equal(r, received);
}

/* assert_fed - one (domain, dir)'s messages and rejections */
static void assert_fed(struct fixture *f, const char *domain,
		       enum cm_fed_dir dir, int64_t messages,
		       int64_t rejections)
{
	struct cm_hot_fed_stats st;

	if (messages == 0 && rejections == 0) {
		assert_int_equal(cm_hot_fed_get(f->hot, domain, dir, &st), 0);
		return;
	}
	assert_int_equal(cm_hot_fed_get(f->hot, domain, dir, &st), 1);
	assert_int_equal(st.messages, messages);
	assert_int_equal(st.rejections, rejections);
	assert_int_equal(st.last_seen, NOW);
}

/* test_eom_single - one recipient: sent, received, federation in */
static void test_eom_single(void **state)
{
	struct fixture f;
	struct cm_policy_verdict v;

	(void) state;
	fixture_init(&f, "");
	decide(&f, RCPT, "t1", ME, BOB, "Me@Chat.Example", 10, 0, &v);
	check_verdict("rcpt", &v, DUNNO);
	assert_int_equal(f.txn.n_rcpts, 1);
	assert_string_equal(f.txn.instance, "t1");
	decide(&f, CM_POLICY_STATE_DATA, "t1", ME, "", "Me@Chat.Example", 0,
	       1, &v);
	check_verdict("data", &v, DUNNO);
	decide(&f, EOM, "t1", ME, "", "Me@Chat.Example", 10, 1, &v);
	check_verdict("eom", &v, DUNNO);
	assert_counts(&f, ME, 1, 0);
	assert_counts(&f, BOB, 0, 1);
	assert_int_equal(cm_hot_fed_count(f.hot), 0);
	assert_int_equal(f.txn.n_rcpts, 0);
	assert_int_equal(f.txn.rate_charged, 0);
	assert_string_equal(f.txn.instance, "");
	/* remote sender: federation in, received, nothing sent */
	decide(&f, RCPT, "t2", "x@Remote.ORG", "BOB@chat.example", "", 10, 0,
	       &v);
	check_verdict("rcpt2", &v, DUNNO);
	decide(&f, EOM, "t2", "x@Remote.ORG", "BOB@chat.example", "", 10, 1,
	       &v);
	check_verdict("eom2", &v, DUNNO);
	assert_counts(&f, BOB, 0, 2);
	assert_counts(&f, ME, 1, 0);
	assert_fed(&f, "remote.org", CM_FED_IN, 1, 0);
	assert_fed(&f, "remote.org", CM_FED_OUT, 0, 0);
	/* a refused EOM counts nothing and still ends the transaction */
	decide(&f, RCPT, "t3", "x@remote.org", BOB, "", 10, 0, &v);
	decide(&f, EOM, "t3", "x@remote.org", BOB, "", MAXSZ + 1, 1, &v);
	check_verdict("eom3", &v, SIZE);
	assert_counts(&f, BOB, 0, 2);
	assert_fed(&f, "remote.org", CM_FED_IN, 1, 0);
	assert_int_equal(f.txn.n_rcpts, 0);
	/* the null sender: no federation record */
	decide(&f, EOM, "t4", "", BOB, "", 10, 1, &v);
	check_verdict("eom4", &v, DUNNO);
	assert_counts(&f, BOB, 0, 3);
	assert_int_equal(cm_hot_fed_count(f.hot), 1);
	fixture_free(&f);
}

/* test_eom_multi - remembered recipients, local and remote */
static void test_eom_multi(void **state)
{
	static const char *const rcpts[] = {
		BOB, "Carol@CHAT.example", "x@remote.org", "y@Remote.ORG",
		"z@other.net", "d@second.example",
	};
	struct fixture f;
	struct cm_policy_verdict v;
	size_t  i;

	(void) state;
	fixture_init(&f, "rate=60/1");
	for (i = 0; i < 6; i++) {
		decide(&f, RCPT, "m1", ME, rcpts[i], ME, 100, 0, &v);
		check_verdict(rcpts[i], &v, DUNNO);
	}
	assert_int_equal(f.txn.n_rcpts, 6);
	assert_int_equal(f.txn.rate_charged, 1);
	assert_string_equal(f.txn.rcpts[1], "carol@chat.example");
	decide(&f, EOM, "m1", ME, "", ME, 100, 6, &v);
	check_verdict("eom", &v, DUNNO);
	assert_counts(&f, ME, 1, 0);
	assert_counts(&f, BOB, 0, 1);
	assert_counts(&f, "carol@chat.example", 0, 1);
	assert_counts(&f, "d@second.example", 0, 1);
	assert_fed(&f, "remote.org", CM_FED_OUT, 1, 0);
	assert_fed(&f, "other.net", CM_FED_OUT, 1, 0);
	assert_fed(&f, "remote.org", CM_FED_IN, 0, 0);
	assert_int_equal(cm_hot_fed_count(f.hot), 2);
	/* several recipients: no quota check at EOM, even for a full one */
	cm_hot_quota_set(f.hot, BOB, 1000, 1000);
	f.env.now_ms += 60000;
	decide(&f, RCPT, "m3", ME, BOB, ME, 0, 0, &v);
	check_verdict("m3 bob", &v, DUNNO);
	decide(&f, RCPT, "m3", ME, "carol@chat.example", ME, 0, 0, &v);
	check_verdict("m3 carol", &v, DUNNO);
	decide(&f, EOM, "m3", ME, "", ME, 10, 2, &v);
	check_verdict("m3 eom", &v, DUNNO);
	assert_counts(&f, BOB, 0, 2);
	assert_counts(&f, ME, 2, 0);
	/* the next transaction pays its own token: burst 1 is used up */
	decide(&f, RCPT, "m2", ME, "x@remote.org", ME, 100, 0, &v);
	check_verdict("m2", &v, RATE(ME));
	assert_int_equal(f.txn.n_rcpts, 0);
	fixture_free(&f);
}

/* test_milter_counts - with the milter counting, END-OF-MESSAGE only
   judges; cm_policy_count() counts what passed the gate, like EOM */
static void test_milter_counts(void **state)
{
	static const char *const rcpts[] = {
		"Bob@Chat.Example", "x@remote.org", "y@REMOTE.org",
		"d@second.example",
	};
	struct fixture f;
	struct cm_policy_verdict v;

	(void) state;
	fixture_init(&f, "");
	f.env.milter_counts = 1;
	decide(&f, RCPT, "m1", REMOTE, BOB, "", 100, 0, &v);
	check_verdict("rcpt", &v, DUNNO);
	decide(&f, EOM, "m1", REMOTE, "", "", 100, 1, &v);
	check_verdict("eom", &v, DUNNO);
	assert_counts(&f, BOB, 0, 0);
	assert_int_equal(cm_hot_fed_count(f.hot), 0);
	/* still judged: the real size */
	decide(&f, EOM, "m1", REMOTE, "", "", INT64_C(999999999), 1, &v);
	check_verdict("eom size", &v, SIZE);
	/* a remote sender to a local user */
	cm_policy_count(&f.env, REMOTE, NULL, rcpts, 1);
	assert_counts(&f, BOB, 0, 1);
	assert_fed(&f, "remote.org", CM_FED_IN, 1, 0);
	/* an authenticated sender: sent once, remote domains once each */
	cm_policy_count(&f.env, ME, "Me@Chat.Example", rcpts, 4);
	assert_counts(&f, ME, 1, 0);
	assert_counts(&f, BOB, 0, 2);
	assert_counts(&f, "d@second.example", 0, 1);
	assert_fed(&f, "remote.org", CM_FED_OUT, 1, 0);
	assert_fed(&f, "remote.org", CM_FED_IN, 1, 0);
	/* nothing to count, or nothing to count with: no crash */
	cm_policy_count(&f.env, "", "", NULL, 0);
	cm_policy_count(NULL, ME, ME, rcpts, 4);
	assert_counts(&f, ME, 1, 0);
	fixture_free(&f);
}

/* test_eom_mismatch - remembered list not used when the count differs */
static void test_eom_mismatch(void **state)
{
	struct fixture f;
	struct cm_policy_verdict v;

	(void) state;
	fixture_init(&f, "quota=" BOB ":1000:1000");
	decide(&f, RCPT, "a", ME, "carol@chat.example", ME, 0, 0, &v);
	decide(&f, RCPT, "a", ME, "dave@chat.example", ME, 0, 0, &v);
	/* three accepted, two remembered, no single recipient: none counted */
	decide(&f, EOM, "a", ME, "", ME, 50, 3, &v);
	check_verdict("three", &v, DUNNO);
	assert_counts(&f, ME, 1, 0);
	assert_counts(&f, "carol@chat.example", 0, 0);
	assert_counts(&f, "dave@chat.example", 0, 0);
	/* two remembered, one accepted (Postfix refused the other later):
	   the request's recipient is used, and its quota checked */
	decide(&f, RCPT, "b", ME, "carol@chat.example", ME, 0, 0, &v);
	decide(&f, RCPT, "b", ME, "dave@chat.example", ME, 0, 0, &v);
	decide(&f, EOM, "b", ME, "Dave@chat.example", ME, 50, 1, &v);
	check_verdict("one", &v, DUNNO);
	assert_counts(&f, "dave@chat.example", 0, 1);
	assert_counts(&f, "carol@chat.example", 0, 0);
	decide(&f, RCPT, "c", REMOTE, BOB, "", 0, 0, &v);
	check_verdict("full, size 0", &v, DUNNO);
	decide(&f, EOM, "c", REMOTE, BOB, "", 1, 1, &v);
	check_verdict("full", &v, QUOTA(BOB));
	/* EOM of another instance does not use the remembered list */
	decide(&f, RCPT, "d", REMOTE, "carol@chat.example", "", 0, 0, &v);
	decide(&f, EOM, "e", REMOTE, "", "", 1, 1, &v);
	check_verdict("other instance", &v, DUNNO);
	assert_counts(&f, "carol@chat.example", 0, 0);
	assert_fed(&f, "remote.org", CM_FED_IN, 1, 0);
	fixture_free(&f);
}

/* test_eom_remembered_quota - a single remembered recipient's quota */
static void test_eom_remembered_quota(void **state)
{
	struct fixture f;
	struct cm_policy_verdict v;

	(void) state;
	fixture_init(&f, "quota=" BOB ":900:1000");
	decide(&f, RCPT, "q", REMOTE, "Bob@Chat.Example", "", 50, 0, &v);
	check_verdict("rcpt", &v, DUNNO);
	decide(&f, EOM, "q", REMOTE, "", "", 101, 1, &v);
	check_verdict("eom", &v, QUOTA("bob@chat.example"));
	assert_counts(&f, BOB, 0, 0);
	fixture_free(&f);
}

/* test_rate_time - refill with the clock, keys lowercased */
static void test_rate_time(void **state)
{
	struct fixture f;
	struct cm_policy_verdict v;
	char    inst[16];
	int     i;

	(void) state;
	fixture_init(&f, "rate=60/3");
	for (i = 0; i < 3; i++) {
		snprintf(inst, sizeof(inst), "r%d", i);
		decide(&f, RCPT, inst, ME, BOB, i % 2 ? "ME@chat.example" : ME,
		       0, 0, &v);
		check_verdict(inst, &v, DUNNO);
	}
	decide(&f, RCPT, "r3", ME, BOB, ME, 0, 0, &v);
	check_verdict("r3", &v, RATE(ME));
	/* a refused RCPT leaves the transaction uncharged: it tries again */
	assert_int_equal(f.txn.rate_charged, 0);
	f.env.now_ms += 999;
	decide(&f, RCPT, "r3", ME, BOB, ME, 0, 0, &v);
	check_verdict("r3 +999ms", &v, RATE(ME));
	f.env.now_ms += 1;
	decide(&f, RCPT, "r3", ME, BOB, ME, 0, 0, &v);
	check_verdict("r3 +1s", &v, DUNNO);
	assert_int_equal(f.txn.rate_charged, 1);
	decide(&f, RCPT, "r3", ME, "c@chat.example", ME, 0, 0, &v);
	check_verdict("r3 again", &v, DUNNO);
	/* another user has a bucket of its own */
	decide(&f, RCPT, "o1", "other@chat.example", BOB,
	       "other@chat.example", 0, 0, &v);
	check_verdict("other", &v, DUNNO);
	assert_int_equal(cm_hot_user_count(f.hot), 0);
	assert_counts(&f, ME, 0, 0);
	fixture_free(&f);
}

/* test_no_instance - without an instance every RCPT pays */
static void test_no_instance(void **state)
{
	struct fixture f;
	struct cm_policy_verdict v;

	(void) state;
	fixture_init(&f, "rate=60/2");
	decide(&f, RCPT, "", ME, BOB, ME, 0, 0, &v);
	check_verdict("1", &v, DUNNO);
	decide(&f, RCPT, "", ME, BOB, ME, 0, 0, &v);
	check_verdict("2", &v, DUNNO);
	decide(&f, RCPT, "", ME, BOB, ME, 0, 0, &v);
	check_verdict("3", &v, RATE(ME));
	fixture_free(&f);
}

/* test_long_values - over-long keys, instances and remembered rcpts */
static void test_long_values(void **state)
{
	struct fixture f;
	struct cm_policy_verdict v;
	char    big[700];
	char    inst[200];

	(void) state;
	fixture_init(&f, "rate=60/1");
	memset(big, 'a', sizeof(big));
	memcpy(big + sizeof(big) - 14, "@chat.example", 14);
	decide(&f, RCPT, "l1", REMOTE, big, "", 0, 0, &v);
	check_verdict("long rcpt", &v, MALFORMED);
	decide(&f, RCPT, "l1", big, BOB, big, 0, 0, &v);
	check_verdict("long sasl", &v, MALFORMED);
	decide(&f, RCPT, "l1", big, BOB, "", 0, 0, &v);
	check_verdict("long sender", &v, DUNNO);
	/* 300 bytes: a key, remembered truncated to 255 */
	memcpy(big + 300 - 14, "@chat.example", 14);
	decide(&f, RCPT, "l2", REMOTE, big, "", 0, 0, &v);
	check_verdict("300", &v, DUNNO);
	assert_int_equal(f.txn.n_rcpts, 1);
	assert_int_equal(strlen(f.txn.rcpts[0]), 255);
	/* a long instance is still one transaction */
	memset(inst, 'i', sizeof(inst) - 1);
	inst[sizeof(inst) - 1] = '\0';
	decide(&f, RCPT, inst, ME, BOB, ME, 0, 0, &v);
	check_verdict("long instance", &v, DUNNO);
	decide(&f, RCPT, inst, ME, "c@chat.example", ME, 0, 0, &v);
	check_verdict("long instance 2", &v, DUNNO);
	assert_int_equal(strlen(f.txn.instance), sizeof(f.txn.instance) - 1);
	fixture_free(&f);
}

/* test_txn_full - more recipients than remembered */
static void test_txn_full(void **state)
{
	struct fixture f;
	struct cm_policy_verdict v;
	char    rcpt[64];
	int     i;

	(void) state;
	fixture_init(&f, "");
	for (i = 0; i < CM_POLICY_TXN_RCPTS + 5; i++) {
		snprintf(rcpt, sizeof(rcpt), "u%d@chat.example", i);
		decide(&f, RCPT, "big", REMOTE, rcpt, "", 0, 0, &v);
		check_verdict(rcpt, &v, DUNNO);
	}
	assert_int_equal(f.txn.n_rcpts, CM_POLICY_TXN_RCPTS);
	decide(&f, EOM, "big", REMOTE, "", "", 10, CM_POLICY_TXN_RCPTS + 5,
	       &v);
	check_verdict("eom", &v, DUNNO);
	assert_counts(&f, "u0@chat.example", 0, 0);
	assert_fed(&f, "remote.org", CM_FED_IN, 1, 0);
	fixture_free(&f);
}

/* test_internal - an incomplete environment is a tempfail */
static void test_internal(void **state)
{
	struct fixture f;
	struct cm_policy_request req;
	struct cm_policy_verdict v;
	struct cm_policy_env env;

	(void) state;
	fixture_init(&f, "");
	req_init(&req, RCPT, "i", REMOTE, BOB, "");
	cm_policy_decide(NULL, &req, &f.txn, &v);
	check_verdict("no env", &v, "DEFER_IF_PERMIT", T_INTERNAL, "internal");
	env = f.env;
	env.hot = NULL;
	cm_policy_decide(&env, &req, &f.txn, &v);
	check_verdict("no hot", &v, "DEFER_IF_PERMIT", T_INTERNAL, "internal");
	env = f.env;
	env.blocks = NULL;
	cm_policy_decide(&env, &req, &f.txn, &v);
	check_verdict("no blocks", &v, "DEFER_IF_PERMIT", T_INTERNAL,
		      "internal");
	env = f.env;
	env.settings = NULL;
	cm_policy_decide(&env, &req, &f.txn, &v);
	check_verdict("no settings", &v, "DEFER_IF_PERMIT", T_INTERNAL,
		      "internal");
	env = f.env;
	env.local_domains = NULL;
	cm_policy_decide(&env, &req, &f.txn, &v);
	check_verdict("no domains", &v, "DEFER_IF_PERMIT", T_INTERNAL,
		      "internal");
	env.n_local_domains = 0;		/* no local domains is fine */
	cm_policy_decide(&env, &req, &f.txn, &v);
	check_verdict("zero domains", &v, DUNNO);
	cm_policy_decide(&f.env, &req, NULL, &v);
	check_verdict("no txn", &v, "DEFER_IF_PERMIT", T_INTERNAL, "internal");
	cm_policy_decide(&f.env, NULL, &f.txn, &v);
	check_verdict("no request", &v, MALFORMED);
	cm_policy_decide(&f.env, &req, &f.txn, NULL);
	/* NULL strings in a request count as "" */
	memset(&req, 0, sizeof(req));
	req.state = RCPT;
	req.request = "smtpd_access_policy";
	req.recipient = BOB;
	cm_policy_decide(&f.env, &req, &f.txn, &v);
	check_verdict("null strings", &v, DUNNO);
	fixture_free(&f);
}

/* test_helpers - domain_of and is_local */
static void test_helpers(void **state)
{
	static const char *const mixed[] = { "Chat.Example" };
	struct fixture f;

	(void) state;
	fixture_init(&f, "");
	assert_string_equal(cm_policy_domain_of("a@b.org"), "b.org");
	assert_string_equal(cm_policy_domain_of("\"a@x\"@b.org"), "b.org");
	assert_null(cm_policy_domain_of("a"));
	assert_null(cm_policy_domain_of("a@"));
	assert_null(cm_policy_domain_of(""));
	assert_null(cm_policy_domain_of(NULL));
	assert_int_equal(cm_policy_is_local(&f.env, "chat.example"), 1);
	assert_int_equal(cm_policy_is_local(&f.env, "CHAT.Example"), 1);
	assert_int_equal(cm_policy_is_local(&f.env, "[chat.example]"), 1);
	assert_int_equal(cm_policy_is_local(&f.env, "second.example"), 1);
	assert_int_equal(cm_policy_is_local(&f.env, "x.chat.example"), 0);
	assert_int_equal(cm_policy_is_local(&f.env, "chat.example."), 0);
	assert_int_equal(cm_policy_is_local(&f.env, ""), 0);
	assert_int_equal(cm_policy_is_local(&f.env, NULL), 0);
	assert_int_equal(cm_policy_is_local(NULL, "chat.example"), 0);
	f.env.local_domains = mixed;		/* tolerated, though documented
						   as lowercase */
	f.env.n_local_domains = 1;
	assert_int_equal(cm_policy_is_local(&f.env, "chat.EXAMPLE"), 1);
	fixture_free(&f);
}

/* main - run every test */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_eom_single),
		cmocka_unit_test(test_eom_multi),
		cmocka_unit_test(test_eom_mismatch),
		cmocka_unit_test(test_eom_remembered_quota),
		cmocka_unit_test(test_rate_time),
		cmocka_unit_test(test_milter_counts),
		cmocka_unit_test(test_no_instance),
		cmocka_unit_test(test_long_values),
		cmocka_unit_test(test_txn_full),
		cmocka_unit_test(test_internal),
		cmocka_unit_test(test_helpers),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
