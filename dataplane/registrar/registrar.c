/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inbound registrar entry point: steer to the owners, authenticate through auth/ on the
 * source-IP owner (auth_verify()), then bind, refresh, replace or remove in the AoR owner's
 * location shard and answer. No malloc, no log on the packet path; set-up is in
 * registrar_setup.c.
 */
#include <errno.h>
#include <string.h>

#include <rte_random.h>

#include "dataplane/auth/auth.h"
#include "dataplane/pkt_meta.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/sip/build.h"
#include "dataplane/sip_reply.h"
#include "dataplane/steer.h"
#include "dataplane/worker.h"

#define REG_EXTRA_MAX REGISTRAR_EXTRA_MAX

/* Everything one REGISTER decision needs, gathered once. */
struct reg_req {
	struct worker *w;
	struct registrar *reg;
	struct rte_mbuf *m;
	const struct sip_scan *s;
	const struct policy_account *acct; /* NULL: identity is not a configured account */
	const struct sf_params *p;
	struct sf_span user;               /* lockout key: auth username, else From user */
	uint32_t src_ip;                   /* network order */
	uint32_t now;                      /* s */
	bool proxy;                        /* 407 mode (AUTH-2) */
};

uint32_t
registrar_now(const struct worker *w)
{
	return auth_now(w);
}

uint64_t
registrar_binding_tick(void *worker, uint32_t at_s)
{
	const struct worker *w = worker;
	uint64_t hz, p;
	uint32_t now;

	if (w->auth != NULL && w->auth->clock != NULL) {
		/* an injected clock (tests, benches): relative to the wheel's latest poll; the
		   unit tests poll the wheel with that clock in ms, so this is at_s x 1000 there */
		now = w->auth->clock(w->auth->clock_arg);
		return w->wheel.now + ((int32_t)(at_s - now) > 0 ? (uint64_t)(at_s - now) * 1000 : 0);
	}
	/*
	 * The TSC: the wheel's tick is rdtsc / p (p = tsc_per_ms), registrar_now() is
	 * rdtsc / hz. at_s has come when rdtsc >= at_s x hz, i.e. from tick ceil(at_s x hz / p) =
	 * at_s x 1000 + ceil(at_s x r / p), r = hz - 1000 p < 1000: exact, never early, at most
	 * one tick late, with no drift between the two divisions.
	 */
	p = w->tsc_per_ms;
	if (p == 0)
		return (uint64_t)at_s * 1000; /* wheel never started (no worker loop) */
	hz = rte_get_tsc_hz();
	return registrar_tsc_tick(at_s, hz, p);
}

static inline uint64_t
span_hash64(struct sf_span s)
{
	return sf_fnv1a64(SF_FNV1A64_OFFSET, s.p, s.len);
}

/* --- responses ------------------------------------------------------------------------ */

/* The request's transaction: top Via branch, Call-ID and CSeq (never 0). */
static uint64_t
reg_answer_key(const struct sip_scan *s)
{
	uint64_t h = sf_fnv1a64(SF_FNV1A64_OFFSET, s->via.branch.p, s->via.branch.len);

	h = sf_fnv1a64(h ^ s->cseq, s->call_id.p, s->call_id.len);
	return h != 0 ? h : 1;
}

static void
reg_answer_store(struct reg_req *r, uint16_t code, struct sf_span reason, struct sf_span extra)
{
	struct registrar *reg = r->reg;
	const struct pkt_meta *meta = pkt_meta(r->m);
	uint64_t key = reg_answer_key(r->s);
	struct reg_answer *a;

	if (reg->answers == NULL || extra.len > REG_EXTRA_MAX)
		return;
	a = &reg->answers[(key ^ key >> 32) & reg->answer_mask];
	if (a->key != 0 && a->key != key && r->now - a->at_s < REGISTRAR_ANSWER_KEEP_S)
		worker_count(r->w, COUNTER_REG_ANSWER_EVICTED, 1);
	a->key = key;
	a->src_ip = meta->src_ip;
	a->src_port = meta->src_port;
	a->code = code;
	a->at_s = r->now;
	a->reason = reason;
	a->extra_len = extra.len;
	if (extra.len > 0)
		memmove(a->extra, extra.p, extra.len); /* a re-send passes a->extra itself */
}

static enum verdict
reg_send(struct reg_req *r, uint16_t code, struct sf_span reason, struct sf_span extra,
	 enum verdict ok)
{
	enum verdict v = sip_reply_verdict(sip_reply_send(r->w, r->m, r->s, code, reason, extra),
					   ok);

	if (v == ok && (pkt_meta(r->m)->flags & PKT_META_F_AUTHENTICATED))
		reg_answer_store(r, code, reason, extra); /* GEN-3: a retransmission gets it */
	rte_pktmbuf_free(r->m);
	return v;
}

/*
 * GEN-3: a retransmission of an authenticated REGISTER (the source-IP owner saw its (nonce,
 * nc) with the same transaction): the same answer again, the request is not processed twice.
 * When the answer is no longer cached (overwritten: the cache is sized in runtime.
 * register_answer_cache) the request is dropped, counted; it is never bound a second time.
 */
static enum verdict
reg_resend(struct reg_req *r)
{
	const struct pkt_meta *meta = pkt_meta(r->m);
	uint64_t key = reg_answer_key(r->s);
	const struct reg_answer *a = r->reg->answers != NULL
					     ? &r->reg->answers[(key ^ key >> 32) & r->reg->answer_mask]
					     : NULL;

	if (a == NULL || a->key != key || a->src_ip != meta->src_ip ||
	    a->src_port != meta->src_port) {
		worker_count(r->w, COUNTER_REG_RETRANS_UNCACHED, 1);
		rte_pktmbuf_free(r->m);
		return VERDICT_SIP_DROP_REGISTER_RETRANS_UNCACHED;
	}
	worker_count(r->w, COUNTER_REG_RETRANS_RESENT, 1);
	return reg_send(r, a->code, a->reason, sf_span_of(a->extra, a->extra_len),
			VERDICT_SIP_REGISTER_RESENT);
}

/* Final reject (I-3): 403 when SS_REPLY_UNAUTHORIZED is On, silence when Off. auth_verify()
   counted the reason. */
static enum verdict
reg_final_reject(struct reg_req *r)
{
	if (!r->p->reply_unauthorized) {
		rte_pktmbuf_free(r->m);
		return VERDICT_SIP_DROP_REGISTER_REJECTED;
	}
	return reg_send(r, 403, SIP_BUILD_LIT("Forbidden"), (struct sf_span){NULL, 0},
			VERDICT_SIP_REGISTER_REJECTED);
}

static enum verdict
reg_challenge(struct reg_req *r, bool stale)
{
	uint8_t hdr[REG_EXTRA_MAX];
	int n = auth_challenge_header(r->w, r->s, r->src_ip, stale, hdr, sizeof(hdr));

	if (n < 0) {
		rte_pktmbuf_free(r->m);
		return VERDICT_SIP_DROP_REPLY_FAILED;
	}
	worker_count(r->w, stale ? COUNTER_REG_STALE_CHALLENGES : COUNTER_REG_CHALLENGES, 1);
	return reg_send(r, r->proxy ? 407 : 401,
			r->proxy ? SIP_BUILD_LIT("Proxy Authentication Required")
				 : SIP_BUILD_LIT("Unauthorized"),
			sf_span_of(hdr, (size_t)n), VERDICT_SIP_REGISTER_CHALLENGED);
}

/* 200 OK listing @b (may be NULL) with its remaining expiry (RFC 3261 10.3 step 8). */
static enum verdict
reg_ok(struct reg_req *r, const struct location_binding *b)
{
	uint8_t extra[REG_EXTRA_MAX];
	struct sip_bw w = SIP_BW_INIT(extra, sizeof(extra));

	if (b != NULL) {
		uint32_t left = b->expires_at_s - r->now;
		struct sf_span contact = location_binding_contact(b);

		SIP_BW_LIT(&w, "Contact: <");
		sip_bw_put(&w, contact.p, contact.len);
		SIP_BW_LIT(&w, ">;expires=");
		sip_bw_uint(&w, left);
		SIP_BW_LIT(&w, "\r\nExpires: ");
		sip_bw_uint(&w, left);
		SIP_BW_LIT(&w, "\r\n");
	}
	if (!w.ok) {
		rte_pktmbuf_free(r->m);
		return VERDICT_SIP_DROP_REPLY_FAILED;
	}
	return reg_send(r, 200, SIP_BUILD_LIT("OK"), sf_span_of(extra, (size_t)(w.p - extra)),
			VERDICT_SIP_REGISTER_OK);
}

static enum verdict
reg_refuse(struct reg_req *r, uint16_t code, struct sf_span reason, struct sf_span extra,
	   enum counter why)
{
	worker_count(r->w, why, 1);
	return reg_send(r, code, reason, extra,
			code == 403 ? VERDICT_SIP_REGISTER_REJECTED : VERDICT_SIP_REGISTER_REFUSED);
}

/* --- authentication (runs on the source-IP owner, through auth/) --------------------- */

/*
 * auth_req.same_call_live for REGISTER: a refresh without qop that reuses the nonce of its
 * own session (same Call-ID, nc absent) is not a session timeout when the AoR's live binding
 * came from that Call-ID (AUTH-9).
 */
static bool
reg_is_refresh_of_live(void *arg)
{
	const struct reg_req *r = arg;
	struct sf_span aor = sf_span_of(r->acct->user, r->acct->user_len);
	const struct registrar_shared *sh = r->reg->sh;
	const struct location_binding *b;

	b = location_lookup(sh->shard[steer_owner(location_aor_hash(aor), sh->n_workers)], aor,
			    r->now);
	return b != NULL && b->call_id_hash == span_hash64(r->s->call_id);
}

/* auth/ decides (auth_verify()); the registrar answers. True when the REGISTER verified. */
static bool
reg_authenticate(struct reg_req *r, enum verdict *v)
{
	struct auth_req q = {
		.s = r->s, .acct = r->acct, .p = r->p, .user = r->user, .now = r->now,
		.is_register = true, .same_call_live = reg_is_refresh_of_live, .arg = r,
	};
	struct auth_result res;

	auth_verify(r->w, pkt_meta(r->m), &q, &res);
	switch (res.outcome) {
	case AUTH_OK:
		return true;
	case AUTH_REJECT:
		*v = reg_final_reject(r);
		return false;
	case AUTH_CHALLENGE:
	default:
		*v = reg_challenge(r, res.stale);
		return false;
	}
}

/* --- bindings (run on the AoR owner) ------------------------------------------------- */

/* Dotted-quad IPv4 literal to network order; false when @s is not one. */
static bool
parse_ipv4(struct sf_span s, uint32_t *ip_be)
{
	uint32_t part = 0, n_dots = 0, digits = 0;
	uint8_t b[4];
	uint16_t i;

	for (i = 0; i < s.len; i++) {
		if (s.p[i] == '.') {
			if (digits == 0 || n_dots == 3)
				return false;
			b[n_dots++] = (uint8_t)part;
			part = digits = 0;
		} else if (s.p[i] >= '0' && s.p[i] <= '9' && digits < 3) {
			part = part * 10 + (uint32_t)(s.p[i] - '0');
			digits++;
			if (part > 255)
				return false;
		} else {
			return false;
		}
	}
	if (n_dots != 3 || digits == 0)
		return false;
	b[3] = (uint8_t)part;
	memcpy(ip_be, b, 4);
	return true;
}

/* I-8: behind NAT when the source differs from the Contact (else top Via) host:port. */
static bool
reg_is_nat(const struct reg_req *r)
{
	const struct pkt_meta *meta = pkt_meta(r->m);
	struct sip_scan_uri u;
	struct sf_span host = r->s->via.host;
	uint16_t port = r->s->via.port;
	uint32_t ip;

	if (sip_scan_uri(r->s->contact.uri, &u) == 0 && parse_ipv4(u.host, &ip)) {
		host = u.host;
		port = u.port;
	}
	if (!parse_ipv4(host, &ip))
		return true;
	return ip != meta->src_ip || rte_cpu_to_be_16(port != 0 ? port : 5060) != meta->src_port;
}

static enum verdict
reg_remove_all(struct reg_req *r, struct sf_span aor)
{
	if (r->s->expires != 0) /* RFC 3261 10.3 step 6: '*' only with Expires: 0 */
		return reg_refuse(r, 400, SIP_BUILD_LIT("Bad Request"), (struct sf_span){NULL, 0},
				  COUNTER_REG_FAIL_MALFORMED);
	if (location_remove(r->reg->loc, aor) == 0)
		worker_count(r->w, COUNTER_REG_REMOVED, 1);
	return reg_ok(r, NULL); /* REG-8 */
}

/*
 * Expiry jitter (beyond the seed; sip.register_expiry_jitter, 0 = off): a random 0..pct % of
 * @granted is taken off, never going below REGISTRAR_MIN_EXPIRES_S (nor raising a grant that
 * is already below it), so bindings made in one burst come back for refresh spread out.
 */
static uint32_t
reg_jitter(const struct reg_req *r, uint32_t granted)
{
	uint32_t pct = r->w->cfg->reg_expiry_jitter_pct, cut;

	if (pct == 0 || granted <= REGISTRAR_MIN_EXPIRES_S)
		return granted;
	cut = (uint32_t)(rte_rand() % ((uint64_t)granted * pct / 100 + 1));
	return RTE_MAX(granted - cut, (uint32_t)REGISTRAR_MIN_EXPIRES_S);
}

static enum verdict
reg_bind(struct reg_req *r)
{
	const struct sip_scan *s = r->s;
	const struct pkt_meta *meta = pkt_meta(r->m);
	struct sf_span aor = sf_span_of(r->acct->user, r->acct->user_len);
	const struct location_binding *old = location_lookup(r->reg->loc, aor, r->now);
	struct location_binding nb;
	int64_t want;
	uint32_t cap;
	int rc;

	if (s->contact_star)
		return reg_remove_all(r, aor);
	if (s->n_contact == 0 || s->contact.uri.len == 0)
		return reg_ok(r, old); /* a query: list the binding */
	memset(&nb, 0, sizeof(nb));
	if (location_binding_set_text(&nb, aor, s->contact.uri) != 0) /* never truncated */
		return reg_refuse(r, 500, SIP_BUILD_LIT("Server Internal Error"),
				  (struct sf_span){NULL, 0}, COUNTER_REG_CONTACT_TOO_LONG);
	nb.src_ip = meta->src_ip;
	nb.src_port = meta->src_port;
	nb.local_ip = meta->dst_ip;
	nb.local_port = meta->dst_port;
	nb.in_port = meta->in_port;
	nb.nat = reg_is_nat(r);
	bool same = old != NULL && ((old->src_ip == nb.src_ip && old->src_port == nb.src_port) ||
				    sf_span_eq(location_binding_contact(old), s->contact.uri));
	want = s->contact_expires >= 0 ? s->contact_expires : s->expires;
	if (want == 0) { /* REG-7: de-registration of this contact */
		if (same && location_remove(r->reg->loc, aor) == 0)
			worker_count(r->w, COUNTER_REG_REMOVED, 1);
		return reg_ok(r, same ? NULL : old);
	}
	cap = nb.nat ? r->p->endpoint_nat_expire_s : r->p->endpoint_expire_s; /* I-8, I-34 */
	if (want > 0 && want < REGISTRAR_MIN_EXPIRES_S && want < cap)
		return reg_refuse(r, 423, SIP_BUILD_LIT("Interval Too Brief"),
				  SIP_BUILD_LIT("Min-Expires: 20\r\n"), COUNTER_REG_TOO_BRIEF);
	if (old != NULL && !same && !r->p->register_replace) /* REG-10, I-9 */
		return reg_refuse(r, 403, SIP_BUILD_LIT("Forbidden"), (struct sf_span){NULL, 0},
				  COUNTER_REG_REPLACE_REFUSED);
	nb.granted_s = reg_jitter(r, want < 0 || want > cap ? cap : (uint32_t)want); /* REG-1..4 */
	nb.expires_at_s = r->now + nb.granted_s;
	nb.cseq = s->cseq;
	nb.call_id_hash = span_hash64(s->call_id);
	rc = location_put(r->reg->loc, &nb);
	if (rc != 0)
		return reg_refuse(r, 503, SIP_BUILD_LIT("Service Unavailable"),
				  (struct sf_span){NULL, 0}, COUNTER_REG_STORE_FULL);
	worker_count(r->w, COUNTER_REG_OK, 1);
	return reg_ok(r, location_lookup(r->reg->loc, aor, r->now));
}

/* --- entry point --------------------------------------------------------------------- */

enum verdict
registrar_input(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s,
		enum policy_class cls, const struct policy_account *acct)
{
	struct registrar *reg = w->reg;
	struct pkt_meta *meta = pkt_meta(m);
	struct reg_req r;
	enum verdict v;
	uint16_t owner;

	RTE_SET_USED(cls);
	if (unlikely(reg == NULL || w->auth == NULL)) { /* a fixture that attached neither */
		rte_pktmbuf_free(m);
		return VERDICT_SIP_DROP_REPLY_FAILED;
	}
	if (!(meta->flags & PKT_META_F_AUTHENTICATED)) {
		/*
		 * Auth state lives with the source IP (rule S). A source not trusted by address was
		 * handed there before it was read; a gateway's or live binding's REGISTER goes now,
		 * its scan with it (sip_resume() picks it up from PKT_SIP_SCANNED).
		 */
		owner = steer_source_owner(meta->src_ip, w->n_workers);
		if (owner != w->index) {
			meta->sip.stage = PKT_SIP_SCANNED;
			meta->sip.cls = (uint8_t)cls;
			return steer_hold(w, owner, m);
		}
	}
	r = (struct reg_req){
		.w = w, .reg = reg, .m = m, .s = s, .p = &w->cfg->params,
		.src_ip = meta->src_ip,
		.now = registrar_now(w), .proxy = w->cfg->params.auth_code == SF_AUTH_CODE_407,
		.user = policy_identity(s),
	};
	r.acct = acct != NULL ? acct : policy_account_by_user(w->cfg->policy, r.user);
	if (unlikely(r.acct == NULL && (meta->flags & PKT_META_F_AUTHENTICATED))) {
		/*
		 * Authenticated by the source-IP owner under a snapshot that had the account; this
		 * (AoR owner) worker already took one without it (config.apply between the two
		 * swaps). The account is gone: no binding for it, no answer (HARDEN-2).
		 */
		worker_count(w, COUNTER_REG_ACCOUNT_GONE, 1);
		rte_pktmbuf_free(m);
		return VERDICT_SIP_DROP_REGISTER_ACCOUNT_GONE;
	}
	if (r.acct != NULL && r.acct->params != NULL)
		r.p = r.acct->params;
	if (!(meta->flags & PKT_META_F_AUTHENTICATED)) {
		if (!reg_authenticate(&r, &v))
			return v;
		meta->flags |= PKT_META_F_AUTHENTICATED;
	}
	owner = steer_owner(location_aor_hash(sf_span_of(r.acct->user, r.acct->user_len)),
			    w->n_workers);
	if (owner != w->index) {
		/*
		 * Rule K: the binding lives with the AoR. A digest was paid for: a full ring holds
		 * it (steer_hold()), never drops it; the AoR owner resumes from the stage.
		 */
		worker_count(w, COUNTER_REG_STEERED_AUTHED, 1);
		meta->sip.stage = PKT_SIP_AUTHENTICATED;
		meta->sip.cls = (uint8_t)cls;
		return steer_hold(w, owner, m);
	}
	if (meta->flags & PKT_META_F_RETRANS)
		return reg_resend(&r); /* GEN-3: never processed twice */
	return reg_bind(&r);
}

/* --- housekeeping, hooks ---------------------------------------------------------------- */

/*
 * registrar_binding_live() from shard @first on, which holds bindings: the lookups. Each
 * shard's source filter is asked first (its hash computed once: the same for every shard): a
 * source bound nowhere costs one load per shard, not a table lookup (~230 instructions each),
 * and the clock (a division) is read only for a shard whose filter says maybe.
 */
static __rte_noinline bool
registrar_binding_lookup(const struct worker *w, uint16_t first, uint32_t ip_be,
			 uint16_t port_be)
{
	const struct registrar_shared *sh = w->reg->sh;
	uint64_t fh = location_source_fhash(ip_be, port_be);
	uint32_t now = 0;
	bool have_now = false;
	uint16_t i;

	for (i = first; i < sh->n_workers; i++) {
		const struct location *loc = sh->shard[i];

		if (loc == NULL || location_count(loc) == 0 || !location_source_maybe(loc, fh))
			continue;
		if (!have_now) {
			now = registrar_now(w);
			have_now = true;
		}
		if (location_source_lookup(loc, ip_be, port_be, now))
			return true;
	}
	return false;
}

bool
registrar_binding_live(void *ctx, uint32_t ip_be, uint16_t port_be)
{
	const struct worker *w = ctx;
	const struct registrar_shared *sh = w->reg->sh;
	uint16_t i;

	/*
	 * Any shard may hold a binding from any source (bindings live with their AoR's owner), so
	 * every shard is asked, but an empty one is skipped on its live count: the source lookup
	 * (rte_hash_lookup_data + its CRC, ~230 instructions a shard) and the clock (a division)
	 * are then not paid, and with every shard empty neither is the lookup function's frame.
	 * flood_unknown, no bindings: binding probe ~290 -> 22 instructions a packet (callgrind,
	 * tests/callgrind/README.md). Safe: the owner counts a binding before making it live and
	 * uncounts it after unlinking it, so a count of 0 means no live binding there; a count
	 * read just before a binding is added is the probe running just before the REGISTER, as
	 * it could anyway. A shard that holds bindings (production: all of them) is then asked
	 * through its source filter first (registrar_binding_lookup(), location.c "Source
	 * filter"): an unbound source costs a load per shard, not a lookup.
	 */
	for (i = 0; i < sh->n_workers; i++) {
		const struct location *loc = sh->shard[i];

		if (loc != NULL && location_count(loc) != 0)
			return registrar_binding_lookup(w, i, ip_be, port_be);
	}
	return false;
}

/* location_sweep() keep test: the account still exists in the running config. */
static bool
registrar_keep(const struct location_binding *b, void *arg)
{
	const struct worker *w = arg;

	return w->cfg->policy != NULL &&
	       policy_account_by_user(w->cfg->policy, location_binding_aor(b)) != NULL;
}

void
registrar_housekeeping(struct worker *w)
{
	struct registrar *reg = w->reg;

	if (reg == NULL)
		return;
	/* expiry runs on the wheel (registrar_binding_tick()); the sweep drops removed accounts */
	worker_count(w, COUNTER_REG_EXPIRED,
		     location_expired_take(reg->loc) +
			     location_sweep(reg->loc, REGISTRAR_SWEEP_BUDGET, registrar_keep, w));
	auth_housekeeping(w, REGISTRAR_SWEEP_BUDGET); /* lockout sweep: auth/'s, same tick */
}
