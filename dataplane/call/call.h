/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Call engine entry points (issue 13, a B2BUA per worker; docs/ARCHITECTURE.md "Calls"):
 * INVITE and the methods that belong to a dialog or transaction, and the responses to the
 * requests we sent. An INVITE is authenticated (phones: digest through auth/ on the source-IP
 * owner; gateways: by address), handed to its owner (hash(Call-ID)) and becomes a call: 100 to
 * A, a route, an INVITE on the B leg. Everything later reaches the call through the token
 * (sip/token.h) in its top Via branch (responses) or To tag (in-dialog requests); BYE/CANCEL/
 * ... matching no dialog get 481 (UNAUTH-13), an ACK matching nothing is dropped.
 */
#ifndef SF_CALL_H
#define SF_CALL_H

#include <rte_mbuf.h>

#include "dataplane/module.h"
#include "dataplane/policy/policy.h"
#include "dataplane/sip/scan.h"
#include "dataplane/verdict.h"

struct worker;

/*
 * A request for the call engine admitted as @cls (@acct set for POLICY_ACCOUNT), scanned
 * completely into @s. Takes ownership of @m. Returns the verdict.
 */
enum verdict call_input(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s,
			enum policy_class cls, const struct policy_account *acct);

/*
 * A response from a known source (gateway, binding), scanned completely into @s: to the call
 * its top Via branch names (on its owner), else dropped silently and counted (GEN-2). Takes
 * ownership of @m.
 */
enum verdict call_response(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s);

/*
 * policy hook dialog_known (@ctx: the worker): does @s's To tag name a live call of ours
 * whose leg peer is @ip_be? On another worker than the call's owner it says yes for any token
 * of ours, and the owner checks (call_in_dialog(): the request of a non-peer is answered as an
 * unknown source's, UNAUTH-14).
 */
bool call_dialog_known(void *ctx, const struct sip_scan *s, uint32_t ip_be);

/*
 * Cold (call_setup.c): make @w's call table (@capacity slots, 0 = the default 16384), register
 * the call as the user of @w's transactions (TXN_USER_CALL: w->txn must exist, txn_module runs
 * first; -EINVAL without it), its timer kind and the calls.hangup handler; @fixed_tokens =
 * bench mode (token entropy 0). 0 or -errno. call_worker_fini() stops the calls' transactions
 * and frees the table (before w->txn is freed); NULL w->call is fine.
 */
int call_worker_init(struct worker *w, uint32_t capacity, bool fixed_tokens);
void call_worker_fini(struct worker *w);

/* Module entry (call_setup.c). */
extern const struct module_ops call_module;

#endif
