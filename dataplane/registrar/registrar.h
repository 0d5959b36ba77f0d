/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inbound registrar entry point. Until the registrar lands it only does what needs no
 * location state: a REGISTER without credentials from a non-gateway source is challenged;
 * everything else is counted as admitted and left unanswered (never a fake 200).
 */
#ifndef SF_REGISTRAR_H
#define SF_REGISTRAR_H

#include <rte_mbuf.h>

#include "dataplane/policy/policy.h"
#include "dataplane/sip/scan.h"
#include "dataplane/verdict.h"

struct worker;

/*
 * A REGISTER the source policy admitted as @cls (@acct set for POLICY_ACCOUNT), scanned
 * completely into @s. Takes ownership of @m. Returns the verdict.
 */
enum verdict registrar_input(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s,
			     enum policy_class cls, const struct policy_account *acct);

#endif
