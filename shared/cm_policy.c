/*++
 * NAME
 *	cm_policy 3
 * SUMMARY
 *	the policy decisions of chatmail-policyd (pure, no I/O)
 * DESCRIPTION
 *	See cm_policy.h for the rules and their order. Details the header
 *	leaves open, as implemented here:
 * .IP \(bu
 *	A request whose "request" attribute is not "smtpd_access_policy",
 *	a RCPT request without a recipient, and an address over
 *	POLICY_ADDR_MAX - 1 bytes where it must be used as a key
 *	(recipient, sasl_username) are malformed. NULL request strings are
 *	taken as "". A missing settings, hot state or blockset, or
 *	local_domains NULL with n_local_domains > 0, is an internal
 *	problem.
 * .IP \(bu
 *	Hot-state keys are lowercased: the quota cache and the received
 *	counter are looked up with the recipient address lowercased, the
 *	rate bucket and the sent counter with sasl_username lowercased.
 *	Domains are compared after cm_federation_normalize() (lowercase,
 *	IP-literal brackets stripped); local_domains are compared without
 *	regard to case.
 * .IP \(bu
 *	The null sender "" has no domain: the sender checks of the
 *	blocklist and federation are skipped for it. A non-null sender
 *	without a usable domain ("user", "user@") counts as remote with a
 *	domain that is on no list: refused under federation_mode reject,
 *	let through under accept; nothing is recorded for it in the
 *	federation tracker (there is no domain to key it by).
 * .IP \(bu
 *	A federation refusal, silent_dismiss included, is recorded as one
 *	rejection of the sender domain (direction in); blocklist refusals
 *	are not federation rejections.
 * .IP \(bu
 *	Transactions: a request whose instance differs from the remembered
 *	one starts a new transaction (only the first 63 bytes of an
 *	instance are compared). A request without an instance is a
 *	transaction of its own, so its RCPT is always charged a rate token.
 *	After END-OF-MESSAGE, whatever the verdict, the transaction is
 *	forgotten. A malformed request leaves the transaction alone.
 * .IP \(bu
 *	Remembered recipients are stored lowercased, truncated to 255
 *	bytes; the first CM_POLICY_TXN_RCPTS of a transaction are kept.
 *	At END-OF-MESSAGE the remote recipient domains are counted once
 *	each per message.
 *--*/

#include "cm_policy.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define POLICY_ADDR_MAX	512		/* keys: SMTP paths are <= 256 */
#define POLICY_DOMAIN_MAX 256		/* a normalised domain + NUL */
#define POLICY_REQUEST	"smtpd_access_policy"

#define TEXT_BLOCK_IP	"5.7.1 Client host blocked by policy"
#define TEXT_BLOCK_FROM	"5.7.1 Sender address blocked by policy"
#define TEXT_BLOCK_TO	"5.7.1 Recipient address blocked by policy"
#define TEXT_FED_DENY	"5.7.1 Sender domain %s is not federated with " \
			"this relay"
#define TEXT_FED_QUIET	"silently dismissed by federation policy"
#define TEXT_SIZE	"5.3.4 Message size exceeds fixed limit"
#define TEXT_QUOTA	"5.2.2 Mailbox full"
#define TEXT_QUOTA_TMP	"4.2.2 Mailbox full, try again later"
#define TEXT_RATE	"4.7.1 Sender rate limit exceeded, try again later"
#define TEXT_MALFORMED	"4.3.5 Malformed policy request"
#define TEXT_INTERNAL	"4.3.5 Policy service error, try again later"

/* What one request says about its sender, worked out once. */
struct policy_sender {
	int     remote;			/* federation applies */
	char    domain[POLICY_DOMAIN_MAX];	/* normalised; "" = none */
	const char *shown;		/* the domain as given, for texts */
};

static void verdict_set(struct cm_policy_verdict *v,
			enum cm_verdict_kind kind, const char *action,
			const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* verdict_set - fill in a verdict; the text from a format */
static void verdict_set(struct cm_policy_verdict *v,
			enum cm_verdict_kind kind, const char *action,
			const char *reason, const char *fmt, ...)
{
	va_list ap;

	v->kind = kind;
	snprintf(v->action, sizeof(v->action), "%s", action);
	va_start(ap, fmt);
	if (vsnprintf(v->text, sizeof(v->text), fmt, ap) < 0)
		v->text[0] = '\0';
	va_end(ap);
	v->reason = reason;
}

/* verdict_dunno - the neutral answer */
static void verdict_dunno(struct cm_policy_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->kind = CM_VERDICT_DUNNO;
	snprintf(v->action, sizeof(v->action), "%s", "DUNNO");
	v->reason = "";
}

/* verdict_malformed - tempfail for a request we cannot judge */
static void verdict_malformed(struct cm_policy_verdict *v)
{
	verdict_set(v, CM_VERDICT_DEFER_IF_PERMIT, "DEFER_IF_PERMIT",
		    "malformed", "%s", TEXT_MALFORMED);
}

/* verdict_quota - mailbox full, permanent or transient per settings */
static void verdict_quota(const struct cm_policy_env *env,
			  struct cm_policy_verdict *v)
{
	if (env->settings->quota_full_transient)
		verdict_set(v, CM_VERDICT_DEFER, "452", "quota", "%s",
			    TEXT_QUOTA_TMP);
	else
		verdict_set(v, CM_VERDICT_REJECT, "552", "quota", "%s",
			    TEXT_QUOTA);
}

/* str_or_empty - NULL request strings count as "" */
static const char *str_or_empty(const char *str)
{
	return (str != NULL ? str : "");
}

/* policy_lower - lowercase copy into buf; -1 when it does not fit */
static int policy_lower(const char *text, char *buf, size_t size)
{
	size_t  i;

	for (i = 0; text[i] != '\0'; i++) {
		if (i + 1 >= size)
			return (-1);
		buf[i] = (char) ((text[i] >= 'A' && text[i] <= 'Z')
				 ? text[i] - 'A' + 'a' : text[i]);
	}
	buf[i] = '\0';
	return (0);
}

/* policy_norm_domain - normalised domain into buf; -1 when unusable */
static int policy_norm_domain(const char *domain, char *buf)
{
	if (domain == NULL
	    || cm_federation_normalize(domain, buf, POLICY_DOMAIN_MAX,
				       NULL) < 0) {
		buf[0] = '\0';
		return (-1);
	}
	return (0);
}

/* cm_policy_domain_of - the part after the last '@'; NULL if none */
const char *cm_policy_domain_of(const char *address)
{
	const char *at;

	if (address == NULL || (at = strrchr(address, '@')) == NULL
	    || at[1] == '\0')
		return (NULL);
	return (at + 1);
}

/* local_match - 1 when the normalised domain is a local domain */
static int local_match(const struct cm_policy_env *env, const char *norm)
{
	size_t  i;

	for (i = 0; i < env->n_local_domains; i++)
		if (env->local_domains[i] != NULL
		    && strcasecmp(norm, env->local_domains[i]) == 0)
			return (1);
	return (0);
}

/* cm_policy_is_local - 1 when domain (any case, brackets) is local */
int cm_policy_is_local(const struct cm_policy_env *env, const char *domain)
{
	char    norm[POLICY_DOMAIN_MAX];

	if (env == NULL || env->local_domains == NULL
	    || policy_norm_domain(domain, norm) < 0)
		return (0);
	return (local_match(env, norm));
}

/* sender_set - is federation for this sender, and its domain */
static void sender_set(const struct cm_policy_env *env, const char *sender,
		       const char *sasl_username, struct policy_sender *s)
{
	const char *domain;

	sender = str_or_empty(sender);
	domain = cm_policy_domain_of(sender);
	s->shown = domain != NULL ? domain : sender;
	policy_norm_domain(domain, s->domain);
	s->remote = sender[0] != '\0'
		&& str_or_empty(sasl_username)[0] == '\0'
		&& (s->domain[0] == '\0' || !local_match(env, s->domain));
}

/* sender_init - sender_set() for a request */
static void sender_init(const struct cm_policy_env *env,
			const struct cm_policy_request *req,
			struct policy_sender *s)
{
	sender_set(env, req->sender, req->sasl_username, s);
}

/* txn_reset - forget the transaction (the recipient slots past n_rcpts
   are never read, so they are not cleared: 16 KB a message saved) */
static void txn_reset(struct cm_policy_txn *txn)
{
	txn->instance[0] = '\0';
	txn->rate_charged = 0;
	txn->n_rcpts = 0;
}

/* txn_sync - start a new transaction when the instance changed */
static void txn_sync(struct cm_policy_txn *txn, const char *instance)
{
	char    key[sizeof(txn->instance)];

	snprintf(key, sizeof(key), "%s", instance);
	if (key[0] != '\0' && strcmp(key, txn->instance) == 0)
		return;
	txn_reset(txn);
	memcpy(txn->instance, key, sizeof(key));
}

/* txn_remember - keep a recipient of the transaction, lowercased */
static void txn_remember(struct cm_policy_txn *txn, const char *rcpt)
{
	char   *slot;
	size_t  i;

	if (txn->n_rcpts >= CM_POLICY_TXN_RCPTS)
		return;
	slot = txn->rcpts[txn->n_rcpts++];
	for (i = 0; rcpt[i] != '\0' && i + 1 < sizeof(txn->rcpts[0]); i++)
		slot[i] = (char) ((rcpt[i] >= 'A' && rcpt[i] <= 'Z')
				  ? rcpt[i] - 'A' + 'a' : rcpt[i]);
	slot[i] = '\0';
}

/* rcpt_blocklist - rule 1: client IP, sender, sender domain, recipient */
static int rcpt_blocklist(const struct cm_policy_env *env,
			  const struct cm_policy_request *req,
			  struct cm_policy_verdict *v)
{
	const char *sender = str_or_empty(req->sender);
	const char *text = NULL;

	if (cm_blockset_has_ip(env->blocks, str_or_empty(req->client_address)))
		text = TEXT_BLOCK_IP;
	else if (sender[0] != '\0'
		 && (cm_blockset_has_address(env->blocks, sender)
		     || cm_blockset_has_domain(env->blocks,
					       cm_policy_domain_of(sender))))
		text = TEXT_BLOCK_FROM;
	else if (cm_blockset_has_address(env->blocks, req->recipient))
		text = TEXT_BLOCK_TO;
	if (text == NULL)
		return (0);
	verdict_set(v, CM_VERDICT_REJECT, "550", "blocklist", "%s", text);
	return (1);
}

/* rcpt_federation - rule 2: remote sender domains, per the lists */
static int rcpt_federation(const struct cm_policy_env *env,
			   const struct policy_sender *s,
			   struct cm_policy_verdict *v)
{
	int     listed;

	if (!s->remote)
		return (0);
	if (s->domain[0] != '\0'
	    && cm_blockset_fed_has(env->blocks, CM_FED_SILENT_DISMISS,
				   s->domain)) {
		verdict_set(v, CM_VERDICT_DISCARD, "DISCARD", "federation",
			    "%s", TEXT_FED_QUIET);
	} else {
		listed = s->domain[0] != '\0'
			&& cm_blockset_fed_has(env->blocks, CM_FED_LISTED,
					       s->domain);
		if (env->settings->federation_reject_mode ? listed : !listed)
			return (0);
		verdict_set(v, CM_VERDICT_REJECT, "550", "federation",
			    TEXT_FED_DENY, s->domain[0] != '\0'
			    ? s->domain : s->shown);
	}
	if (s->domain[0] != '\0')
		cm_hot_fed_record(env->hot, s->domain, CM_FED_IN, 0, 1,
				  env->now);
	return (1);
}

/* check_size - rules 3 and EOM: the message size limit */
static int check_size(const struct cm_policy_env *env, int64_t size,
		      struct cm_policy_verdict *v)
{
	if (size <= env->settings->max_message_size)
		return (0);
	verdict_set(v, CM_VERDICT_REJECT, "552", "size", "%s", TEXT_SIZE);
	return (1);
}

/* check_quota - rule 4 and EOM: would size fit a local recipient?
   key is the lowercased address. */
static int check_quota(const struct cm_policy_env *env, const char *key,
		       int64_t size, struct cm_policy_verdict *v)
{
	if (!cm_policy_is_local(env, cm_policy_domain_of(key))
	    || cm_hot_quota_check(env->hot, key, size,
				  env->settings->default_quota_bytes))
		return (0);
	verdict_quota(env, v);
	return (1);
}

/* rcpt_rate - rule 5: one token per transaction of a SASL user;
   -1 when the user name is too long to be a key */
static int rcpt_rate(const struct cm_policy_env *env,
		     const struct cm_policy_request *req,
		     struct cm_policy_txn *txn, struct cm_policy_verdict *v)
{
	const char *user = str_or_empty(req->sasl_username);
	char    key[POLICY_ADDR_MAX];

	if (user[0] == '\0' || txn->rate_charged)
		return (0);
	if (policy_lower(user, key, sizeof(key)) < 0)
		return (-1);
	if (cm_hot_rate_take(env->hot, key, env->now_ms,
			     env->settings->max_user_send_per_minute,
			     env->settings->max_user_send_burst)) {
		txn->rate_charged = 1;
		return (0);
	}
	verdict_set(v, CM_VERDICT_DEFER, "450", "rate", "%s", TEXT_RATE);
	return (1);
}

/* rcpt_decide - the RCPT rules in order; DUNNO remembers the recipient */
static void rcpt_decide(const struct cm_policy_env *env,
			const struct cm_policy_request *req,
			struct cm_policy_txn *txn,
			struct cm_policy_verdict *v)
{
	const char *rcpt = str_or_empty(req->recipient);
	struct policy_sender sender;
	char    key[POLICY_ADDR_MAX];
	int     rc;

	if (rcpt[0] == '\0' || policy_lower(rcpt, key, sizeof(key)) < 0) {
		verdict_malformed(v);
		return;
	}
	sender_init(env, req, &sender);
	if (rcpt_blocklist(env, req, v) || rcpt_federation(env, &sender, v)
	    || check_size(env, req->size, v)
	    || check_quota(env, key, req->size, v))
		return;
	if ((rc = rcpt_rate(env, req, txn, v)) != 0) {
		if (rc < 0)
			verdict_malformed(v);
		return;
	}
	txn_remember(txn, rcpt);
}

/* eom_rcpts - the transaction's recipients: those remembered when they
   are all of them, else the request's one (lowercased into one_buf) */
static size_t eom_rcpts(const struct cm_policy_request *req,
			const struct cm_policy_txn *txn,
			const char *list[CM_POLICY_TXN_RCPTS], char *one_buf,
			size_t one_size)
{
	size_t  i;

	if (txn->n_rcpts > 0 && (int64_t) txn->n_rcpts == req->recipient_count) {
		for (i = 0; i < txn->n_rcpts; i++)
			list[i] = txn->rcpts[i];
		return (txn->n_rcpts);
	}
	if (str_or_empty(req->recipient)[0] == '\0'
	    || policy_lower(req->recipient, one_buf, one_size) < 0)
		return (0);
	list[0] = one_buf;
	return (1);
}

/* domain_seen - 1 when an earlier recipient has the same domain */
static int domain_seen(const char *const *list, size_t n, const char *norm)
{
	char    other[POLICY_DOMAIN_MAX];
	size_t  i;

	for (i = 0; i < n; i++)
		if (policy_norm_domain(cm_policy_domain_of(list[i]), other) == 0
		    && strcmp(other, norm) == 0)
			return (1);
	return (0);
}

/* eom_count - count an accepted message in the hot state */
static void eom_count(const struct cm_policy_env *env, const char *user,
		      const struct policy_sender *sender,
		      const char *const *list, size_t n)
{
	char    key[POLICY_ADDR_MAX];
	char    norm[POLICY_DOMAIN_MAX];
	size_t  i;

	user = str_or_empty(user);
	if (user[0] != '\0' && policy_lower(user, key, sizeof(key)) == 0)
		cm_hot_count_sent(env->hot, key, 1);
	if (sender->remote && sender->domain[0] != '\0')
		cm_hot_fed_record(env->hot, sender->domain, CM_FED_IN, 1, 0,
				  env->now);
	for (i = 0; i < n; i++) {
		if (policy_norm_domain(cm_policy_domain_of(list[i]), norm) < 0)
			continue;
		if (local_match(env, norm)) {
			if (policy_lower(list[i], key, sizeof(key)) == 0)
				cm_hot_count_received(env->hot, key, 1);
		} else if (!domain_seen(list, i, norm))
			cm_hot_fed_record(env->hot, norm, CM_FED_OUT, 1, 0,
					  env->now);
	}
}

/* eom_decide - real size, single-recipient quota, then count */
static void eom_decide(const struct cm_policy_env *env,
		       const struct cm_policy_request *req,
		       struct cm_policy_txn *txn,
		       struct cm_policy_verdict *v)
{
	const char *list[CM_POLICY_TXN_RCPTS];
	char    one[POLICY_ADDR_MAX];
	struct policy_sender sender;
	size_t  n;

	n = eom_rcpts(req, txn, list, one, sizeof(one));
	if (check_size(env, req->size, v))
		return;
	if (n == 1 && check_quota(env, list[0], req->size, v))
		return;
	if (env->milter_counts)
		return;		/* the milter counts what passes the gate */
	sender_init(env, req, &sender);
	eom_count(env, req->sasl_username, &sender, list, n);
}

/* cm_policy_count - count a message the milter accepted */
void cm_policy_count(const struct cm_policy_env *env, const char *sender,
		     const char *sasl_username, const char *const *rcpts,
		     size_t n)
{
	struct policy_sender s;

	if (env == NULL || env->hot == NULL
	    || (env->local_domains == NULL && env->n_local_domains > 0)
	    || (rcpts == NULL && n > 0))
		return;
	sender_set(env, sender, sasl_username, &s);
	eom_count(env, sasl_username, &s, rcpts, n);
}

/* env_ok - everything decide() needs is there */
static int env_ok(const struct cm_policy_env *env)
{
	return (env != NULL && env->settings != NULL && env->hot != NULL
		&& env->blocks != NULL
		&& (env->local_domains != NULL || env->n_local_domains == 0));
}

/* cm_policy_decide - one request to one verdict */
void cm_policy_decide(const struct cm_policy_env *env,
		      const struct cm_policy_request *req,
		      struct cm_policy_txn *txn,
		      struct cm_policy_verdict *verdict_r)
{
	if (verdict_r == NULL)
		return;
	verdict_dunno(verdict_r);
	if (!env_ok(env) || txn == NULL) {
		verdict_set(verdict_r, CM_VERDICT_DEFER_IF_PERMIT,
			    "DEFER_IF_PERMIT", "internal", "%s", TEXT_INTERNAL);
		return;
	}
	if (req == NULL || req->malformed
	    || strcmp(str_or_empty(req->request), POLICY_REQUEST) != 0) {
		verdict_malformed(verdict_r);
		return;
	}
	txn_sync(txn, str_or_empty(req->instance));
	switch (req->state) {
	case CM_POLICY_STATE_RCPT:
		rcpt_decide(env, req, txn, verdict_r);
		break;
	case CM_POLICY_STATE_END_OF_MESSAGE:
		eom_decide(env, req, txn, verdict_r);
		txn_reset(txn);
		break;
	default:
		break;
	}
}
