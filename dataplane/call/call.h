/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Call engine entry point (INVITE and the methods that belong to a dialog or transaction).
 * Until the call engine lands it only does what needs no call state: an INVITE without
 * credentials from a non-gateway source is challenged, ACK without a transaction is dropped,
 * BYE/CANCEL/... matching no dialog get 481 (UNAUTH-13); admitted INVITEs are counted and
 * left unanswered (never a fake 100/200).
 */
#ifndef SF_CALL_H
#define SF_CALL_H

#include <rte_mbuf.h>

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

#endif
