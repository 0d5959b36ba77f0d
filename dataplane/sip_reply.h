/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stateless answers to a received request: built with sip/build.c into a fresh mbuf and
 * sent from the address and port the request was sent to, back to its source address, port
 * and MAC (RFC 3261 18.2.2, RFC 3581). Worker lcores only.
 */
#ifndef SF_SIP_REPLY_H
#define SF_SIP_REPLY_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dataplane/sf_span.h"
#include "dataplane/sip/build.h"
#include "dataplane/sip/scan.h"
#include "dataplane/verdict.h"

struct worker;

/*
 * Answer request @req (scanned into @s with at least VIA, FROM_TO and DIALOG, SIP_SCAN_OK)
 * with @code @reason and the header lines @extra. Does not take @req; the caller frees it
 * afterwards. Returns 0 when the response was queued, negative errno when it was dropped:
 * -EDQUOT when the source is not trusted by address nor authenticated and its reply budget
 * (sip.reply_budget_rate / _burst, per source IP and worker) is spent.
 */
int sip_reply_send(struct worker *w, struct rte_mbuf *req, const struct sip_scan *s,
		   uint16_t code, struct sf_span reason, struct sf_span extra);

/*
 * Answer @req with a digest challenge: 401 + WWW-Authenticate, or 407 + Proxy-Authenticate
 * per SS_SIP_AUTHENTICATION_CODE, the lines from auth_challenge_header() (realm = the SIP
 * domain, a stateless nonce). -ENOTSUP when the worker has no auth (w->auth NULL).
 */
int sip_reply_challenge(struct worker *w, struct rte_mbuf *req, const struct sip_scan *s);

/* The verdict of a request whose answer sip_reply_send() (or _challenge()) returned @rc for. */
static inline enum verdict
sip_reply_verdict(int rc, enum verdict ok)
{
	if (rc == 0)
		return ok;
	return rc == -EDQUOT ? VERDICT_SIP_DROP_REPLY_BUDGET : VERDICT_SIP_DROP_REPLY_FAILED;
}

/* Does @s carry credentials in the header SS_SIP_AUTHENTICATION_CODE says to read (AUTH-2)? */
bool sip_reply_has_credentials(const struct worker *w, const struct sip_scan *s);

#endif
