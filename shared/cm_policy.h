#ifndef CM_POLICY_H
#define CM_POLICY_H

/*++
 * NAME
 *	cm_policy 3h
 * SUMMARY
 *	the policy decisions of chatmail-policyd (pure, no I/O)
 * DESCRIPTION
 *	cm_policy_decide() maps one decoded Postfix policy request to a
 *	verdict, using only what it is given: the settings snapshot, the
 *	hot state (quota cache, counters, federation tracker, rate
 *	buckets), the blockset, the local domains, the transaction state of
 *	the connection and the time. It updates the hot state (rate tokens,
 *	counters, federation stats) and the transaction state as the
 *	protocol says:
 *
 *	RCPT, in this order (the first that applies wins):
 * .IP 1.
 *	blocklist: client IP in a blocked range, sender address, sender
 *	domain, recipient address -> 550 5.7.1;
 * .IP 2.
 *	federation, for mail from a remote sender domain (a sender whose
 *	domain is not local, without sasl_username): silent_dismiss ->
 *	DISCARD; under federation_mode accept a listed domain, under reject
 *	an unlisted one -> 550 5.7.1; counted as a rejection of that domain;
 * .IP 3.
 *	declared size > max_message_size -> 552 5.3.4;
 * .IP 4.
 *	local recipient whose used + declared size > max -> 552 5.2.2, or
 *	452 4.2.2 with quota_full_transient;
 * .IP 5.
 *	authenticated sender (sasl_username) without a rate token ->
 *	450 4.7.1; one token per SMTP transaction (the request's instance),
 *	so later RCPTs of the same transaction are not charged again.
 *
 *	Otherwise DUNNO, and the recipient is remembered in the
 *	transaction.
 *
 *	END-OF-MESSAGE: real size > max_message_size -> 552 5.3.4; for a
 *	single local recipient used + size > max -> 552 5.2.2 / 452 4.2.2.
 *	Otherwise DUNNO, and (unless env->milter_counts: then the milter
 *	counts it with cm_policy_count() once the encryption gate has let
 *	it through) the message is counted: sent for the SASL user,
 *	received for each local recipient of the transaction, federation
 *	"in" for a remote sender domain and "out" for each remote recipient
 *	domain. (Which recipients: those remembered at RCPT when their
 *	number equals recipient_count, else the one "recipient" given.)
 *
 *	Any other state: DUNNO. A malformed request or an internal problem:
 *	DEFER_IF_PERMIT with a 4.3.5 text (never an accept of what should be
 *	refused, never a permanent error for good mail).
 *
 *	Every verdict that is not DUNNO carries a text: Postfix treats a
 *	bare numeric action as OK.
 *--*/

#include <stddef.h>
#include <stdint.h>
#include "cm_blockset.h"
#include "cm_hot.h"
#include "cm_policy_codec.h"
#include "cm_settings.h"

#define CM_POLICY_TXN_RCPTS 64	/* recipients remembered per transaction */

enum cm_verdict_kind {
	CM_VERDICT_DUNNO = 0,
	CM_VERDICT_REJECT,		/* 5xx */
	CM_VERDICT_DEFER,		/* 4xx */
	CM_VERDICT_DISCARD,
	CM_VERDICT_DEFER_IF_PERMIT,
};

struct cm_policy_verdict {
	enum cm_verdict_kind kind;
	char action[32];	/* "DUNNO", "550", "DISCARD", "DEFER_IF_PERMIT" */
	char text[256];		/* e.g. "5.7.1 Sender address is blocked" */
	const char *reason;	/* static log tag: "blocklist", "federation",
				   "size", "quota", "rate", "malformed",
				   "internal", or "" for DUNNO */
};

/* What one connection remembers of the SMTP transaction in progress.
   Zero it when the connection opens; only cm_policy_decide() changes it. */
struct cm_policy_txn {
	char instance[64];	/* Postfix's instance; "" = none yet */
	int rate_charged;	/* the transaction took its rate token */
	size_t n_rcpts;
	char rcpts[CM_POLICY_TXN_RCPTS][256];
};

struct cm_policy_env {
	const struct cm_settings *settings;
	struct cm_hot *hot;
	const struct cm_blockset *blocks;
	const char *const *local_domains;	/* lowercase */
	size_t n_local_domains;
	int64_t now_ms;		/* monotonic milliseconds (rate buckets) */
	int64_t now;		/* unix seconds (federation last_seen) */
	/* The milter counts accepted messages (cm_policy_count after the
	   encryption gate), so END-OF-MESSAGE does not: Postfix asks the
	   policy before the milter's end of message, which may refuse. */
	int milter_counts;
};

void cm_policy_decide(const struct cm_policy_env *env,
		      const struct cm_policy_request *req,
		      struct cm_policy_txn *txn,
		      struct cm_policy_verdict *verdict_r);

/* Counts one accepted message as END-OF-MESSAGE does (sent for the SASL
   user, received for each local recipient, federation "in" for a remote
   sender domain and "out" once per remote recipient domain), for the
   milter. sasl_username may be NULL or ""; rcpts in any case. */
void cm_policy_count(const struct cm_policy_env *env, const char *sender,
		     const char *sasl_username, const char *const *rcpts,
		     size_t n);

/* Pure helpers, exposed for tests and for the milter. */
/* The domain part of an address (after the last '@'), or NULL. */
const char *cm_policy_domain_of(const char *address);
/* 1 when domain (any case) is one of env's local domains. */
int cm_policy_is_local(const struct cm_policy_env *env, const char *domain);

#endif
