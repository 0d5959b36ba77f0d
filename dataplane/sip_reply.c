/* SPDX-License-Identifier: BSD-3-Clause */
/* Stateless answers: one mbuf from the worker's pool, the payload built in place, udp_send. */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>

#include "dataplane/auth/auth.h"
#include "dataplane/net/net.h"
#include "dataplane/pkt_meta.h"
#include "dataplane/policy/policy.h"
#include "dataplane/sip_reply.h"
#include "dataplane/worker.h"

/* The reply budget's clock, ms: auth's injected clock when set (tests), else the TSC. */
static inline uint32_t
sip_reply_now_ms(const struct worker *w)
{
	if (w->auth != NULL && w->auth->clock != NULL)
		return w->auth->clock(w->auth->clock_arg) * 1000u;
	return (uint32_t)(rte_rdtsc() / (rte_get_tsc_hz() / 1000));
}

/*
 * May @meta's source be answered (issue 12 item 6)? Sources trusted by address (gateway,
 * live binding, dialog: PKT_META_F_TRUSTED) and requests whose digest was verified are never
 * limited; anyone else spends a token of its source IP's bucket per reply.
 */
static inline bool
sip_reply_budget_ok(struct worker *w, const struct pkt_meta *meta)
{
	const struct snapshot *cfg = w->cfg;

	if ((meta->flags & (PKT_META_F_TRUSTED | PKT_META_F_AUTHENTICATED)) ||
	    cfg->reply_budget_rate == 0)
		return true;
	return reply_budget_take(&w->reply_budget, meta->src_ip, sip_reply_now_ms(w),
				 cfg->reply_budget_rate, cfg->reply_budget_burst);
}

int
sip_reply_send(struct worker *w, struct rte_mbuf *req, const struct sip_scan *s, uint16_t code,
	       struct sf_span reason, struct sf_span extra)
{
	const struct pkt_meta *meta = pkt_meta(req);
	const struct policy *pol = w->cfg->policy;
	struct sip_build_resp r = {
		.code = code,
		.reason = reason,
		.src_ip_be = meta->src_ip,
		.src_port = rte_be_to_cpu_16(meta->src_port),
		.tag_key = pol != NULL ? pol->nonce_key : 0,
		.extra = extra,
		.server = {(const uint8_t *)w->cfg->server, w->cfg->server_len},
	};
	struct rte_mbuf *m;
	int len;

	if (!sip_reply_budget_ok(w, meta))
		return -EDQUOT;
	m = rte_pktmbuf_alloc(w->pool);
	if (unlikely(m == NULL)) {
		worker_count(w, COUNTER_TX_NO_MBUF, 1);
		return -ENOBUFS;
	}
	len = sip_build_response(rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_tailroom(m),
				 pkt_meta_payload(req), meta->payload_len, s, &r);
	if (unlikely(len < 0)) {
		rte_pktmbuf_free(m);
		return -EMSGSIZE;
	}
	rte_pktmbuf_append(m, (uint16_t)len);
	return udp_send(w, meta->in_port, m, meta->dst_ip, meta->dst_port, meta->src_ip,
			meta->src_port, &meta->src_mac);
}

bool
sip_reply_has_credentials(const struct worker *w, const struct sip_scan *s)
{
	bool proxy = w->cfg->params.auth_code == SF_AUTH_CODE_407;

	return s->auth.username.len > 0 && s->auth.is_proxy == proxy;
}

int
sip_reply_challenge(struct worker *w, struct rte_mbuf *req, const struct sip_scan *s)
{
	bool proxy = w->cfg->params.auth_code == SF_AUTH_CODE_407;
	uint8_t hdr[768];
	int n;

	/* auth/'s challenge: one format for known and unknown users (I-2). */
	n = auth_challenge_header(w, s, pkt_meta(req)->src_ip, false, hdr, sizeof(hdr));
	if (n < 0)
		return n == -ENOTSUP ? -ENOTSUP : -EMSGSIZE;
	return sip_reply_send(w, req, s, proxy ? 407 : 401,
			      proxy ? SIP_BUILD_LIT("Proxy Authentication Required")
				    : SIP_BUILD_LIT("Unauthorized"),
			      (struct sf_span){hdr, (uint16_t)n});
}
