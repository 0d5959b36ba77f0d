/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inbound registrar entry point: steer to the owners, authenticate (the auth core author's
 * order: lockout, credentials, nonce, session, digest, record), then bind, refresh, replace or
 * remove in the AoR owner's location shard and answer. No malloc, no log on the packet path.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "dataplane/pkt_meta.h"
#include "dataplane/registrar/authfail.h"
#include "dataplane/registrar/digest.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/registrar/replay.h"
#include "dataplane/sip/build.h"
#include "dataplane/sip_reply.h"
#include "dataplane/steer.h"
#include "dataplane/worker.h"

static_assert(RTE_DIM(((struct registrar_shared *)0)->shard) == SF_MAX_WORKERS,
	      "one shard per possible worker");

#define REG_EXTRA_MAX 768 /* bytes of header lines we add to one response */

/* Everything one REGISTER decision needs, gathered once. */
struct reg_req {
	struct worker *w;
	struct registrar *reg;
	struct rte_mbuf *m;
	const struct sip_scan *s;
	const struct policy_account *acct; /* NULL: identity is not a configured account */
	const struct sf_params *p;
	struct sf_span realm;
	struct sf_span user;               /* lockout key: auth username, else From user */
	uint32_t src_ip;                   /* network order */
	uint32_t now;                      /* s */
	bool proxy;                        /* 407 mode (AUTH-2) */
};

uint32_t
registrar_now(const struct worker *w)
{
	const struct registrar *reg = w->reg;

	if (reg != NULL && reg->clock != NULL)
		return reg->clock(reg->clock_arg);
	return (uint32_t)(rte_rdtsc() / rte_get_tsc_hz());
}

static inline struct sf_span
span_of(const void *p, size_t len)
{
	return (struct sf_span){(const uint8_t *)p, (uint16_t)len};
}

/* The digest realm: the SIP domain; the config parser precomputes HA1 for the same rule. */
static struct sf_span
registrar_realm(const struct snapshot *cfg)
{
	return policy_realm(cfg->domain, sizeof(cfg->domain));
}

static inline bool
span_eq(struct sf_span a, struct sf_span b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static inline uint64_t
span_hash64(struct sf_span s)
{
	return sf_fnv1a64(SF_FNV1A64_OFFSET, s.p, s.len);
}

/* --- responses ------------------------------------------------------------------------ */

/*
 * One answer to an authenticated REGISTER as the AoR owner sent it, to re-send unchanged to
 * a retransmission (GEN-3): the status and the header lines we added; the rest of a response
 * is rebuilt from the request, which a retransmission repeats byte for byte.
 */
struct reg_answer {
	uint64_t key;              /* reg_answer_key(); 0 = empty */
	uint32_t src_ip;           /* network order */
	uint16_t src_port;         /* network order */
	uint16_t code;
	uint32_t at_s;             /* when it was sent */
	uint16_t extra_len;
	struct sf_span reason;     /* a string literal (SIP_BUILD_LIT) */
	uint8_t extra[REG_EXTRA_MAX];
};

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
	return reg_send(r, a->code, a->reason, span_of(a->extra, a->extra_len),
			VERDICT_SIP_REGISTER_RESENT);
}

/* Final reject (I-3): 403 when SS_REPLY_UNAUTHORIZED is On, silence when Off. */
static enum verdict
reg_final_reject(struct reg_req *r, enum counter why)
{
	worker_count(r->w, why, 1);
	if (!r->p->reply_unauthorized) {
		rte_pktmbuf_free(r->m);
		return VERDICT_SIP_DROP_REGISTER_REJECTED;
	}
	return reg_send(r, 403, SIP_BUILD_LIT("Forbidden"), (struct sf_span){NULL, 0},
			VERDICT_SIP_REGISTER_REJECTED);
}

/*
 * The challenge header lines (WWW-/Proxy-Authenticate) with a fresh stateless nonce, MD5 and
 * SHA-256 offered (RFC 8760); no state. One renderer for configured accounts and unknown
 * sources alike, and the same two offers for every account, an `ha1` (MD5-only) one
 * included, so a challenge never tells which user names exist nor how they are configured
 * (I-2, UNAUTH-1; issue 12 item 5). An `ha1` account's SHA-256 answer is a wrong answer
 * (reg_verify(), config/README.md). Returns the bytes written to @hdr, or a negative errno.
 *
 * MD5 comes first, then SHA-256 (RFC 8760 wants the preferred one first, i.e. SHA-256),
 * because UAs that read only the first challenge (SIPp 3.6, many older phones) fail on
 * SHA-256: compatibility wins; a SHA-256 capable UA still finds and may pick the second.
 */
static int
reg_render_challenge(struct worker *w, const struct sip_scan *s, uint32_t src_ip, bool stale,
		     uint8_t *hdr, size_t cap)
{
	struct registrar *reg = w->reg;
	uint8_t nonce[NONCE_TEXT_LEN];
	struct digest_challenge ch = {
		.realm = registrar_realm(w->cfg),
		.nonce = span_of(nonce, sizeof(nonce)),
		.proxy = w->cfg->params.auth_code == SF_AUTH_CODE_407,
		.stale = stale,
		.offers = DIGEST_OFFER_MD5,
	};
	int n, m = 0;

	if (nonce_issue(reg->nctx, src_ip, ch.realm, s->call_id,
			nonce_request_tag(s->via.branch, s->cseq), registrar_now(w), nonce) != 0)
		return -EINVAL;
	n = digest_challenge_render(hdr, cap, &ch);
	if (n < 0)
		return n;
	ch.offers = DIGEST_OFFER_SHA256;
	m = digest_challenge_render(hdr + n, cap - (size_t)n, &ch);
	if (m < 0)
		return m;
	return n + m;
}

int
registrar_challenge_header(struct worker *w, const struct sip_scan *s, uint32_t src_ip,
			   uint8_t *hdr, size_t cap)
{
	return reg_render_challenge(w, s, src_ip, false, hdr, cap);
}

static enum verdict
reg_challenge(struct reg_req *r, bool stale)
{
	uint8_t hdr[REG_EXTRA_MAX];
	int n = reg_render_challenge(r->w, r->s, r->src_ip, stale, hdr, sizeof(hdr));

	if (n < 0) {
		rte_pktmbuf_free(r->m);
		return VERDICT_SIP_DROP_REPLY_FAILED;
	}
	worker_count(r->w, stale ? COUNTER_REG_STALE_CHALLENGES : COUNTER_REG_CHALLENGES, 1);
	return reg_send(r, r->proxy ? 407 : 401,
			r->proxy ? SIP_BUILD_LIT("Proxy Authentication Required")
				 : SIP_BUILD_LIT("Unauthorized"),
			span_of(hdr, (size_t)n), VERDICT_SIP_REGISTER_CHALLENGED);
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
	return reg_send(r, 200, SIP_BUILD_LIT("OK"), span_of(extra, (size_t)(w.p - extra)),
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

/* --- authentication (runs on the source-IP owner) ------------------------------------ */

static uint32_t
hex_u32(struct sf_span s)
{
	uint32_t v = 0;
	uint16_t i;

	for (i = 0; i < s.len && i < 8; i++) {
		uint8_t c = s.p[i] | 0x20;

		v = v << 4 | (uint32_t)(c >= 'a' ? c - 'a' + 10 : c - '0');
	}
	return v;
}

static void
hex_of(const uint8_t *bin, size_t n, uint8_t *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = (uint8_t)hex[bin[i] >> 4];
		out[2 * i + 1] = (uint8_t)hex[bin[i] & 0xf];
	}
}

/*
 * The account's HA1 for @alg's base hash, as hex. 0, or -1 when an MD5-only account (ha1
 * configured) is asked for SHA-256. Password accounts use the HA1 the config parser computed
 * for the snapshot's realm: no hashing here. Only a policy built without the parser (unit
 * fixtures) or for another realm falls back to hashing the password (no allocation either).
 */
static int
reg_ha1(struct reg_req *r, enum digest_alg alg, uint8_t out[DIGEST_HEX_MAX], size_t *len)
{
	const struct policy_account *a = r->acct;
	const struct policy *pol = r->w->cfg->policy;
	bool sha = alg == DIGEST_ALG_SHA256 || alg == DIGEST_ALG_SHA256_SESS;

	*len = digest_hex_len(alg);
	if (a->has_ha1 && sha)
		return -1;
	if (a->has_ha1 || (pol != NULL && span_eq(span_of(pol->ha1_realm, pol->ha1_realm_len),
						  r->realm))) {
		if (sha)
			hex_of(a->ha1_sha256, sizeof(a->ha1_sha256), out);
		else
			hex_of(a->ha1, sizeof(a->ha1), out);
		return 0;
	}
	return digest_ha1(r->reg->dctx, alg, span_of(a->user, a->user_len), r->realm,
			  span_of(a->password, strnlen(a->password, sizeof(a->password))),
			  out) == 0 ? 0 : -1;
}

/*
 * A refresh without qop that reuses the nonce of its own session (same Call-ID, nc absent):
 * not a session timeout when the AoR's live binding came from that Call-ID (AUTH-9).
 */
static bool
reg_is_refresh_of_live(const struct reg_req *r)
{
	struct sf_span aor = span_of(r->acct->user, r->acct->user_len);
	const struct registrar_shared *sh = r->reg->sh;
	const struct location_binding *b;

	b = location_lookup(sh->shard[steer_owner(location_aor_hash(aor), sh->n_workers)], aor,
			    r->now);
	return b != NULL && b->call_id_hash == span_hash64(r->s->call_id);
}

/* What the digest step decided. */
enum reg_auth {
	REG_AUTH_OK,
	REG_AUTH_DONE, /* answered (challenge or final reject); the verdict is in *v */
};

/*
 * HARDEN-7: a digest that verified is a replay when its (nonce, nc), or its nonce without
 * qop, already verified for another request; the same request again (same Via branch, CSeq,
 * source port) is a retransmission, marked for the AoR owner to answer from its cache
 * (GEN-3). A replay, or a pair the table has no room for, gets a fresh challenge, counted;
 * nothing is bound or removed. Entries live as long as their nonce can verify: issue time +
 * the largest SS_SIP_AUTHENTICATION_TIMEOUT this worker has used. When that lifetime is
 * raised by config.apply, a nonce issued before the raise and older than the lower lifetime
 * may have had its entry expired already: it is re-challenged too.
 */
static enum reg_auth
reg_replay_check(struct reg_req *r, const struct digest_creds *c, const struct nonce_info *info,
		 enum verdict *v)
{
	struct registrar *reg = r->reg;
	struct pkt_meta *meta = pkt_meta(r->m);
	uint32_t life = r->p->auth_timeout_s;
	enum replay_result rr;

	if (reg->replay == NULL)
		return REG_AUTH_OK;
	if (unlikely(life > reg->rp_horizon_s)) {
		if (reg->rp_horizon_s != 0) {
			bool old_gone = r->now - reg->rp_raised_at_s >
					reg->rp_horizon_s + NONCE_FUTURE_SLACK_S + 1;

			reg->rp_low_s = old_gone ? reg->rp_horizon_s
						 : RTE_MIN(reg->rp_low_s, reg->rp_horizon_s);
			reg->rp_raised_at_s = r->now;
		}
		reg->rp_horizon_s = life;
	}
	if (unlikely(reg->rp_raised_at_s != 0 && info->issued_s <= reg->rp_raised_at_s &&
		     info->age_s > reg->rp_low_s))
		rr = REPLAY_REUSED;
	else
		rr = replay_check(reg->replay, c->nonce, c->qop_auth ? hex_u32(c->nc) : 0,
				  replay_txn(r->s->via.branch, r->s->cseq, meta->src_port), r->now,
				  info->issued_s + reg->rp_horizon_s + NONCE_FUTURE_SLACK_S + 1);
	switch (rr) {
	case REPLAY_NEW:
		return REG_AUTH_OK;
	case REPLAY_RETRANS:
		meta->flags |= PKT_META_F_RETRANS;
		return REG_AUTH_OK;
	case REPLAY_REUSED:
		worker_count(r->w, COUNTER_REG_REPLAY_REFUSED, 1);
		break;
	case REPLAY_FULL:
		worker_count(r->w, COUNTER_REG_REPLAY_TABLE_FULL, 1);
		break;
	}
	*v = reg_challenge(r, false);
	return REG_AUTH_DONE;
}

static enum reg_auth
reg_verify(struct reg_req *r, const struct digest_creds *c, enum nonce_status st,
	   const struct nonce_info *info, enum verdict *v)
{
	struct authfail_attempt a = {.src_ip = r->src_ip, .user = r->user,
				     .call_id = r->s->call_id, .is_register = true};
	uint8_t ha1[DIGEST_HEX_MAX];
	enum digest_verdict dv;
	size_t ha1_len;

	if (reg_ha1(r, c->alg, ha1, &ha1_len) == 0) {
		dv = digest_verify(r->reg->dctx, c, r->s->line.method_name, span_of(ha1, ha1_len));
	} else if (r->acct->has_ha1) {
		dv = DIGEST_WRONG; /* SHA-256 to an ha1 (MD5-only) account: cannot match (item 5) */
	} else {
		*v = reg_challenge(r, false);
		return REG_AUTH_DONE;
	}
	if (dv == DIGEST_OK && st == NONCE_STALE) {
		*v = reg_challenge(r, true); /* AUTH-9, I-5: not a failure */
		return REG_AUTH_DONE;
	}
	if (dv == DIGEST_OK) {
		if (reg_replay_check(r, c, info, v) == REG_AUTH_DONE)
			return REG_AUTH_DONE;
		authfail_record_success(r->reg->af, r->src_ip, r->user, r->s->call_id);
		return REG_AUTH_OK;
	}
	if (dv != DIGEST_WRONG) {
		*v = reg_final_reject(r, COUNTER_REG_FAIL_MALFORMED);
		return REG_AUTH_DONE;
	}
	worker_count(r->w, COUNTER_REG_FAIL_WRONG, 1);
	a.challenged_s = st == NONCE_OK ? info->issued_s : r->now;
	switch (authfail_record_failure(r->reg->af, &a, r->p, r->now)) {
	case AUTHFAIL_CHALLENGE_AGAIN:
		*v = reg_challenge(r, false);
		break;
	case AUTHFAIL_NOW_LOCKED:
		*v = reg_final_reject(r, COUNTER_REG_LOCKOUTS);
		break;
	default:
		*v = reg_final_reject(r, COUNTER_REG_FAIL_FINAL);
		break;
	}
	return REG_AUTH_DONE;
}

/* The order tests/unit/test_authfail.c table_sequence() drives the tables in. */
static enum reg_auth
reg_authenticate(struct reg_req *r, enum verdict *v)
{
	const struct sip_scan *s = r->s;
	struct digest_creds c;
	struct nonce_info info;
	enum nonce_status st;
	bool has_creds = s->auth.username.len > 0 && s->auth.is_proxy == r->proxy;

	if (r->acct == NULL) { /* I-2: challenge without credentials, 403 with them */
		*v = has_creds ? reg_final_reject(r, COUNTER_REG_FAIL_UNKNOWN_USER)
			       : reg_challenge(r, false);
		return REG_AUTH_DONE;
	}
	/*
	 * The per-source-IP ceiling (lockout.per_ip_*, beyond the seed) is live: the running
	 * snapshot's values go to this worker's table before it is asked (three stores; the
	 * config parser only lets valid values through, so it cannot fail).
	 */
	(void)authfail_set_ip_ceiling(r->reg->af, r->w->cfg->ip_ceiling.max_failures,
				      r->w->cfg->ip_ceiling.window_s,
				      r->w->cfg->ip_ceiling.suspend_s);
	if (authfail_check(r->reg->af, r->src_ip, r->user, r->now) == AUTHFAIL_LOCKED) {
		*v = reg_final_reject(r, COUNTER_REG_FAIL_LOCKED); /* LOCK-2: nothing counted */
		return REG_AUTH_DONE;
	}
	if (!has_creds || digest_creds_from_scan(&s->auth, &c) != 0 ||
	    !span_eq(c.realm, r->realm) || !span_eq(c.username, r->user)) {
		*v = reg_challenge(r, false); /* AUTH-1/2: no (usable) credentials, no state */
		return REG_AUTH_DONE;
	}
	st = nonce_verify(r->reg->nctx, c.nonce, r->src_ip, r->realm, s->call_id, r->now,
			  r->p->auth_timeout_s, &info);
	if (st == NONCE_INVALID) {
		*v = reg_challenge(r, false); /* never verify against a nonce we did not issue */
		return REG_AUTH_DONE;
	}
	if (authfail_session_check(r->reg->af, r->src_ip, s->call_id, r->now) ==
	    AUTHFAIL_SESSION_TIMED_OUT) {
		*v = reg_final_reject(r, COUNTER_REG_FAIL_FINAL);
		return REG_AUTH_DONE;
	}
	if (st == NONCE_STALE && info.same_call && (!c.qop_auth || hex_u32(c.nc) <= 1) &&
	    !(!c.qop_auth && reg_is_refresh_of_live(r))) {
		*v = reg_final_reject(r, COUNTER_REG_FAIL_FINAL); /* AUTH-7: answered too late */
		return REG_AUTH_DONE;
	}
	if (!span_eq(c.uri, s->line.ruri)) {
		*v = reg_final_reject(r, COUNTER_REG_FAIL_MALFORMED); /* digest for another URI */
		return REG_AUTH_DONE;
	}
	return reg_verify(r, &c, st, &info, v);
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
	struct sf_span aor = span_of(r->acct->user, r->acct->user_len);
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
				    span_eq(location_binding_contact(old), s->contact.uri));
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

/* Apply the published nonce key ring when it changed (rare: a rotation). */
static __rte_noinline void
reg_keys_refresh(struct registrar *reg)
{
	struct nonce_keyring ring;
	uint32_t seen = reg->keys_seen;

	if (nonce_keyring_read(&reg->sh->keys, &seen, &ring) &&
	    nonce_ctx_apply(reg->nctx, &ring) == 0)
		reg->keys_seen = seen;
	memset(&ring, 0, sizeof(ring));
	__asm__ __volatile__("" : : "r"(&ring) : "memory"); /* keep the wipe */
}

/* Kept for existing callers: rule S's owner now lives in steer.h. */
uint16_t
registrar_source_owner(uint32_t ip_be, uint16_t n_workers)
{
	return steer_source_owner(ip_be, n_workers);
}

/* Without a registrar (fixtures of other modules): challenge what has no credentials. */
static enum verdict
registrar_stub(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s,
	       enum policy_class cls)
{
	enum verdict v = VERDICT_SIP_REGISTER_ADMITTED;

	if (cls != POLICY_GATEWAY && !sip_reply_has_credentials(w, s))
		v = sip_reply_verdict(sip_reply_challenge(w, m, s),
				      VERDICT_SIP_REGISTER_CHALLENGED);
	rte_pktmbuf_free(m);
	return v;
}

enum verdict
registrar_input(struct worker *w, struct rte_mbuf *m, const struct sip_scan *s,
		enum policy_class cls, const struct policy_account *acct)
{
	struct registrar *reg = w->reg;
	struct pkt_meta *meta = pkt_meta(m);
	struct reg_req r;
	enum verdict v;
	uint16_t owner;

	if (reg == NULL)
		return registrar_stub(w, m, s, cls);
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
	if (unlikely(__atomic_load_n(&reg->sh->keys.seq, __ATOMIC_RELAXED) != reg->keys_seen))
		reg_keys_refresh(reg); /* ctrlplane rotated the nonce key */
	r = (struct reg_req){
		.w = w, .reg = reg, .m = m, .s = s, .p = &w->cfg->params,
		.realm = registrar_realm(w->cfg), .src_ip = meta->src_ip,
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
		if (reg_authenticate(&r, &v) == REG_AUTH_DONE)
			return v;
		meta->flags |= PKT_META_F_AUTHENTICATED;
	}
	owner = steer_owner(location_aor_hash(span_of(r.acct->user, r.acct->user_len)),
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

/* --- set-up, housekeeping, hooks ----------------------------------------------------- */

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

/*
 * policy hook (issue 12 item 3, LOCK-2, I-3): is (@ip_be, @user) suspended? Only the worker
 * that owns @ip_be (registrar_input()'s steer) holds its lockout entries, so sip_input()
 * steers a configured account's request there before this answer counts; on any other
 * worker the table has no entry for @ip_be and this says no. Reads this worker's table only.
 */
bool
registrar_suspended(void *ctx, uint32_t ip_be, struct sf_span user)
{
	struct worker *w = ctx;
	struct registrar *reg = w->reg;

	(void)authfail_set_ip_ceiling(reg->af, w->cfg->ip_ceiling.max_failures,
				      w->cfg->ip_ceiling.window_s, w->cfg->ip_ceiling.suspend_s);
	return authfail_check(reg->af, ip_be, user, registrar_now(w)) == AUTHFAIL_LOCKED;
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
	uint32_t now, seq;

	if (reg == NULL)
		return;
	now = registrar_now(w);
	worker_count(w, COUNTER_REG_EXPIRED,
		     location_sweep(reg->loc, now, REGISTRAR_SWEEP_BUDGET, registrar_keep, w));
	authfail_expire(reg->af, now, REGISTRAR_SWEEP_BUDGET);
	__atomic_store_n(&w->counters[COUNTER_REG_LOCKOUT_TABLE_REFUSED],
			 authfail_stats(reg->af)->refused_full, __ATOMIC_RELAXED);
	seq = __atomic_load_n(&reg->clear.seq, __ATOMIC_ACQUIRE);
	if (seq != reg->clear_done) {
		reg->clear_removed = authfail_clear(reg->af, reg->clear.match_ip, reg->clear.src_ip,
						    (struct sf_span){NULL, 0});
		__atomic_store_n(&reg->clear_done, seq, __ATOMIC_RELEASE);
	}
}

struct registrar_shared *
registrar_shared_create(uint16_t n_workers)
{
	struct registrar_shared *sh = rte_zmalloc("sf_reg_shared", sizeof(*sh), 0); /* cold: init */
	struct nonce_keyring ring;
	struct timespec ts;

	if (sh == NULL)
		return NULL;
	sh->n_workers = n_workers;
	if (nonce_keyring_init(&ring) != 0) {
		rte_free(sh); /* cold: init */
		return NULL;
	}
	nonce_keyring_publish(&sh->keys, &ring);
	memset(&ring, 0, sizeof(ring));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sh->keys_rotated_s = (uint64_t)ts.tv_sec;
	return sh;
}

int
registrar_rotate(struct registrar_shared *sh)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return nonce_keyring_rotate_due(&sh->keys, (uint64_t)ts.tv_sec, &sh->keys_rotated_s,
					NONCE_KEY_ROTATE_S);
}

void
registrar_shared_destroy(struct registrar_shared *sh)
{
	rte_free(sh); /* cold: shutdown */
}

int
registrar_worker_init(struct worker *w, struct registrar_shared *sh, uint32_t capacity)
{
	int socket = (int)rte_lcore_to_socket_id(w->lcore_id);
	struct authfail_config afc = {.capacity = sh->authfail_entries != 0
							  ? sh->authfail_entries
							  : REGISTRAR_AUTHFAIL_CAPACITY};
	struct nonce_keyring ring;
	struct registrar *reg;
	uint64_t seed = 0;
	uint32_t seen = 0, answers;

	reg = rte_zmalloc_socket("sf_reg", sizeof(*reg), RTE_CACHE_LINE_SIZE, socket); /* cold: init */
	if (reg == NULL)
		return -ENOMEM;
	w->reg = reg;
	reg->sh = sh;
	reg->hooks = policy_hooks_none;
	reg->hooks.binding_live = registrar_binding_live;
	reg->hooks.suspended = registrar_suspended;
	reg->hooks.ctx = w;
	if (!nonce_keyring_read(&sh->keys, &seen, &ring)) { /* published before the launch */
		registrar_worker_fini(w);
		return -EINVAL;
	}
	memcpy(&seed, ring.cur, sizeof(seed)); /* a secret the table's hash can key on */
	reg->loc = location_create(w->index, capacity, w->qsbr, socket);
	reg->af = authfail_create(&afc, seed ^ w->index);
	reg->nctx = nonce_ctx_create((uint8_t)w->index);
	reg->dctx = digest_ctx_create();
	reg->replay = replay_create(sh->replay_entries != 0 ? sh->replay_entries
							     : REPLAY_DEFAULT_ENTRIES,
				    seed ^ 0x7265706c6179ULL ^ w->index);
	reg->rp_low_s = UINT32_MAX;
	answers = sh->answer_entries != 0 ? sh->answer_entries : REGISTRAR_ANSWER_CACHE;
	answers = RTE_MIN(rte_align32pow2(answers), REGISTRAR_ANSWER_CACHE_MAX);
	reg->answers = rte_zmalloc_socket("sf_reg_answers", (size_t)answers * sizeof(*reg->answers),
					  RTE_CACHE_LINE_SIZE, socket); /* cold: init */
	reg->answer_mask = answers - 1;
	if (reg->loc == NULL || reg->af == NULL || reg->nctx == NULL || reg->dctx == NULL ||
	    reg->replay == NULL || reg->answers == NULL ||
	    nonce_ctx_apply(reg->nctx, &ring) != 0) {
		memset(&ring, 0, sizeof(ring));
		registrar_worker_fini(w);
		return -ENOMEM;
	}
	memset(&ring, 0, sizeof(ring));
	reg->keys_seen = seen;
	sh->shard[w->index] = reg->loc;
	return 0;
}

void
registrar_worker_fini(struct worker *w)
{
	struct registrar *reg = w->reg;

	if (reg == NULL)
		return;
	if (reg->sh != NULL && reg->sh->shard[w->index] == reg->loc)
		reg->sh->shard[w->index] = NULL;
	location_destroy(reg->loc);
	authfail_destroy(reg->af);
	nonce_ctx_destroy(reg->nctx);
	digest_ctx_destroy(reg->dctx);
	replay_destroy(reg->replay);
	rte_free(reg->answers); /* cold: shutdown */
	rte_free(reg); /* cold: shutdown */
	w->reg = NULL;
}
