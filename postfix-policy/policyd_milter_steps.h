#ifndef POLICYD_MILTER_STEPS_H
#define POLICYD_MILTER_STEPS_H

/*++
 * NAME
 *	policyd_milter_steps 3h
 * SUMMARY
 *	the milter protocol steps and flags the encryption gate asks for
 * DESCRIPTION
 *	POLICYD_MILTER_STEPS is what chatmail-policyd's negotiation
 *	callback asks of the MTA's offer (ANDed with it): no HELO, end of
 *	headers, DATA or unknown-command events; no replies to connect,
 *	MAIL, RCPT and header events; SMFIS_SKIP after an early refusal.
 *	bench/milter_noop asks for the same, so that bench/relay --floor
 *	measures what libmilter costs with exactly these steps.
 *	Include <libmilter/mfapi.h> first.
 *--*/

#define POLICYD_MILTER_STEPS \
	(SMFIP_NOHELO | SMFIP_NOEOH | SMFIP_NODATA | SMFIP_NOUNKNOWN \
	 | SMFIP_NR_CONN | SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_HDR \
	 | SMFIP_SKIP)

#endif
