/* SPDX-License-Identifier: BSD-3-Clause */
/* Registrar stub: challenge what has no credentials, count the rest (see registrar.h). */
#include "dataplane/registrar/registrar.h"
#include "dataplane/sip_reply.h"
#include "dataplane/worker.h"

enum verdict
registrar_input(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s,
		enum policy_class cls, const struct policy_account *acct)
{
	enum verdict v = VERDICT_SIP_REGISTER_ADMITTED;

	RTE_SET_USED(acct);
	/* Gateways are trusted by address (I-1); everyone else authenticates (UNAUTH-7). */
	if (cls != POLICY_GATEWAY && !sip_reply_has_credentials(w, s))
		v = sip_reply_challenge(w, m, s) == 0 ? VERDICT_SIP_REGISTER_CHALLENGED
						      : VERDICT_SIP_DROP_REPLY_FAILED;
	rte_pktmbuf_free(m);
	return v;
}
