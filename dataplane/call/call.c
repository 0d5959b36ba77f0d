/* SPDX-License-Identifier: BSD-3-Clause */
/* Call engine stub: what can be answered without call state (see call.h). */
#include "dataplane/call/call.h"
#include "dataplane/sip_reply.h"
#include "dataplane/worker.h"

static enum verdict
call_invite(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s, enum policy_class cls)
{
	if (cls == POLICY_DIALOG)
		return VERDICT_SIP_IN_DIALOG_ADMITTED;
	/* Gateways are trusted by address (UNAUTH-9); accounts authenticate (UNAUTH-11). */
	if (cls != POLICY_GATEWAY && !sip_reply_has_credentials(w, s))
		return sip_reply_verdict(sip_reply_challenge(w, m, s),
					 VERDICT_SIP_INVITE_CHALLENGED);
	return VERDICT_SIP_INVITE_ADMITTED;
}

enum verdict
call_input(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s, enum policy_class cls,
	   const struct policy_account *acct)
{
	enum verdict v;

	RTE_SET_USED(acct);
	if (s->line.method == SIP_METHOD_INVITE)
		v = call_invite(w, m, s, cls);
	else if (cls == POLICY_DIALOG)
		v = VERDICT_SIP_IN_DIALOG_ADMITTED;
	else if (s->line.method == SIP_METHOD_ACK)
		v = VERDICT_SIP_DROP_STRAY_ACK; /* an ACK is never answered */
	else
		v = sip_reply_verdict(sip_reply_send(w, m, s, 481,
						     SIP_BUILD_LIT("Call/Transaction Does Not Exist"),
						     (struct sf_span){NULL, 0}),
				      VERDICT_SIP_REPLIED_NO_DIALOG);
	rte_pktmbuf_free(m);
	return v;
}
