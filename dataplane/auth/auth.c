/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Challenge and verify for any method (auth.h): the order is the auth core author's (lockout,
 * credentials, nonce, session, digest, replay, record). Packet path: no malloc, no log, no
 * syscall; create, destroy and key rotation are in auth_setup.c.
 */
#include <errno.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_hash_crc.h>

#include "dataplane/auth/auth.h"
#include "dataplane/auth/authfail.h"
#include "dataplane/auth/digest.h"
#include "dataplane/auth/replay.h"
#include "dataplane/offender/offender.h"
#include "dataplane/pkt_meta.h"
#include "dataplane/policy/policy.h"
#include "dataplane/worker.h"

uint32_t
auth_now(const struct worker *w)
{
	const struct auth *au = w->auth;

	if (au != NULL && au->clock != NULL)
		return au->clock(au->clock_arg);
	return (uint32_t)(rte_rdtsc() / rte_get_tsc_hz());
}

/* The digest realm: the SIP domain; the config parser precomputes HA1 for the same rule. */
static struct sf_span
auth_realm(const struct snapshot *cfg)
{
	return policy_realm(cfg->domain, sizeof(cfg->domain));
}

/* Apply the published nonce key ring when it changed (rare: a rotation). */
static __rte_noinline void
auth_keys_refresh(struct auth *au)
{
	struct nonce_keyring ring;
	uint32_t seen = au->keys_seen;

	if (nonce_keyring_read(&au->sh->keys, &seen, &ring) &&
	    nonce_ctx_apply(au->nctx, &ring) == 0)
		au->keys_seen = seen;
	memset(&ring, 0, sizeof(ring));
	__asm__ __volatile__("" : : "r"(&ring) : "memory"); /* keep the wipe */
}

static inline void
auth_keys_check(struct auth *au)
{
	if (unlikely(__atomic_load_n(&au->sh->keys.seq, __ATOMIC_RELAXED) != au->keys_seen))
		auth_keys_refresh(au); /* ctrlplane rotated the nonce key */
}

/*
 * The challenge header lines (WWW-/Proxy-Authenticate) with a fresh stateless nonce, MD5 and
 * SHA-256 offered (RFC 8760); no state. One renderer for configured accounts and unknown
 * sources alike, and the same two offers for every account, an `ha1` (MD5-only) one
 * included, so a challenge never tells which user names exist nor how they are configured
 * (I-2, UNAUTH-1; issue 12 item 5). An `ha1` account's SHA-256 answer is a wrong answer
 * (auth_digest()).
 *
 * MD5 comes first, then SHA-256 (RFC 8760 wants the preferred one first, i.e. SHA-256),
 * because UAs that read only the first challenge (SIPp 3.6, many older phones) fail on
 * SHA-256: compatibility wins; a SHA-256 capable UA still finds and may pick the second.
 */
int
auth_challenge_header(struct worker *w, const struct sip_scan *s, uint32_t src_ip, bool stale,
		      uint8_t *hdr, size_t cap)
{
	struct auth *au = w->auth;
	uint8_t nonce[NONCE_TEXT_LEN];
	struct digest_challenge ch = {
		.realm = auth_realm(w->cfg),
		.nonce = sf_span_of(nonce, sizeof(nonce)),
		.proxy = w->cfg->params.auth_code == SF_AUTH_CODE_407,
		.stale = stale,
		.offers = DIGEST_OFFER_MD5,
	};
	int n, m;

	if (au == NULL)
		return -ENOTSUP;
	auth_keys_check(au);
	if (nonce_issue(au->nctx, src_ip, ch.realm, s->call_id,
			nonce_request_tag(s->via.branch, s->cseq), auth_now(w), nonce) != 0)
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

/* --- verification (runs on the source-IP owner) ------------------------------------- */

/* Everything one verification needs, gathered once. */
struct auth_ctx {
	struct worker *w;
	struct auth *au;
	struct pkt_meta *meta;
	const struct auth_req *q;
	struct sf_span realm;
	uint32_t src_ip; /* network order */
	bool proxy;      /* 407 mode (AUTH-2) */
};

static void
auth_reject(const struct auth_ctx *c, struct auth_result *res, enum counter why)
{
	worker_count(c->w, why, 1);
	res->outcome = AUTH_REJECT;
	res->why = why;
}

static void
auth_rechallenge(struct auth_result *res, bool stale)
{
	res->outcome = AUTH_CHALLENGE;
	res->stale = stale;
}

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
auth_ha1(const struct auth_ctx *c, enum digest_alg alg, uint8_t out[DIGEST_HEX_MAX],
	 size_t *len)
{
	const struct policy_account *a = c->q->acct;
	const struct policy *pol = c->w->cfg->policy;
	bool sha = alg == DIGEST_ALG_SHA256 || alg == DIGEST_ALG_SHA256_SESS;

	*len = digest_hex_len(alg);
	if (a->has_ha1 && sha)
		return -1;
	if (a->has_ha1 || (pol != NULL && sf_span_eq(sf_span_of(pol->ha1_realm, pol->ha1_realm_len),
						  c->realm))) {
		if (sha)
			hex_of(a->ha1_sha256, sizeof(a->ha1_sha256), out);
		else
			hex_of(a->ha1, sizeof(a->ha1), out);
		return 0;
	}
	return digest_ha1(c->au->dctx, alg, sf_span_of(a->user, a->user_len), c->realm,
			  sf_span_of(a->password, strnlen(a->password, sizeof(a->password))),
			  out) == 0 ? 0 : -1;
}

/*
 * HARDEN-7: a digest that verified is a replay when its (nonce, nc), or its nonce without
 * qop, already verified for another request; the same request again (same Via branch, CSeq,
 * source port) is a retransmission, marked for the answering worker to answer from its cache
 * (GEN-3). A replay, or a pair the table has no room for, gets a fresh challenge, counted;
 * nothing is done. Entries live as long as their nonce can verify: issue time + the largest
 * SS_SIP_AUTHENTICATION_TIMEOUT this worker has used. When that lifetime is raised by
 * config.apply, a nonce issued before the raise and older than the lower lifetime may have
 * had its entry expired already: it is re-challenged too. True when the request may go on.
 */
static bool
auth_replay_ok(const struct auth_ctx *c, const struct digest_creds *cr,
	       const struct nonce_info *info, struct auth_result *res)
{
	struct auth *au = c->au;
	uint32_t life = c->q->p->auth_timeout_s, now = c->q->now;
	enum replay_result rr;

	if (au->replay == NULL)
		return true;
	if (unlikely(life > au->rp_horizon_s)) {
		if (au->rp_horizon_s != 0) {
			bool old_gone = now - au->rp_raised_at_s >
					au->rp_horizon_s + NONCE_FUTURE_SLACK_S + 1;

			au->rp_low_s = old_gone ? au->rp_horizon_s
						: RTE_MIN(au->rp_low_s, au->rp_horizon_s);
			au->rp_raised_at_s = now;
		}
		au->rp_horizon_s = life;
	}
	if (unlikely(au->rp_raised_at_s != 0 && info->issued_s <= au->rp_raised_at_s &&
		     info->age_s > au->rp_low_s))
		rr = REPLAY_REUSED;
	else
		rr = replay_check(au->replay, cr->nonce, cr->qop_auth ? hex_u32(cr->nc) : 0,
				  replay_txn(c->q->s->via.branch, c->q->s->cseq,
					     c->meta->src_port),
				  now, info->issued_s + au->rp_horizon_s + NONCE_FUTURE_SLACK_S + 1);
	switch (rr) {
	case REPLAY_NEW:
		return true;
	case REPLAY_RETRANS:
		c->meta->flags |= PKT_META_F_RETRANS;
		return true;
	case REPLAY_REUSED:
		worker_count(c->w, COUNTER_REG_REPLAY_REFUSED, 1);
		break;
	case REPLAY_FULL:
		worker_count(c->w, COUNTER_REG_REPLAY_TABLE_FULL, 1);
		break;
	}
	auth_rechallenge(res, false);
	return false;
}

/* The digest step: usable credentials for a nonce we issued, in a session still open. */
static void
auth_digest(const struct auth_ctx *c, const struct digest_creds *cr, enum nonce_status st,
	    const struct nonce_info *info, struct auth_result *res)
{
	const struct auth_req *q = c->q;
	struct authfail_attempt a = {.src_ip = c->src_ip, .user = q->user,
				     .call_id = q->s->call_id, .is_register = q->is_register};
	uint8_t ha1[DIGEST_HEX_MAX];
	enum digest_verdict dv;
	size_t ha1_len;

	if (auth_ha1(c, cr->alg, ha1, &ha1_len) == 0) {
		dv = digest_verify(c->au->dctx, cr, q->s->line.method_name, sf_span_of(ha1, ha1_len));
	} else if (q->acct->has_ha1) {
		dv = DIGEST_WRONG; /* SHA-256 to an ha1 (MD5-only) account: cannot match (item 5) */
	} else {
		auth_rechallenge(res, false);
		return;
	}
	if (dv == DIGEST_OK && st == NONCE_STALE) {
		auth_rechallenge(res, true); /* AUTH-9, I-5: not a failure */
		return;
	}
	if (dv == DIGEST_OK) {
		if (!auth_replay_ok(c, cr, info, res))
			return;
		authfail_record_success(c->au->af, c->src_ip, q->user, q->s->call_id);
		offender_auth_ok(c->w, c->src_ip); /* never remembered as an offender */
		res->outcome = AUTH_OK;
		return;
	}
	if (dv != DIGEST_WRONG) {
		auth_reject(c, res, COUNTER_REG_FAIL_MALFORMED);
		return;
	}
	worker_count(c->w, COUNTER_REG_FAIL_WRONG, 1);
	a.challenged_s = st == NONCE_OK ? info->issued_s : q->now;
	switch (authfail_record_failure(c->au->af, &a, q->p, q->now)) {
	case AUTHFAIL_CHALLENGE_AGAIN:
		auth_rechallenge(res, false);
		break;
	case AUTHFAIL_NOW_LOCKED:
		auth_reject(c, res, COUNTER_REG_LOCKOUTS);
		break;
	default:
		auth_reject(c, res, COUNTER_REG_FAIL_FINAL);
		break;
	}
}

/* The order tests/unit/test_authfail.c table_sequence() drives the tables in. */
void
auth_verify(struct worker *w, struct pkt_meta *meta, const struct auth_req *q,
	    struct auth_result *res)
{
	const struct sip_scan *s = q->s;
	struct auth_ctx c = {
		.w = w, .au = w->auth, .meta = meta, .q = q, .realm = auth_realm(w->cfg),
		.src_ip = meta->src_ip, .proxy = w->cfg->params.auth_code == SF_AUTH_CODE_407,
	};
	bool has_creds = s->auth.username.len > 0 && s->auth.is_proxy == c.proxy;
	struct digest_creds cr;
	struct nonce_info info;
	enum nonce_status st;

	*res = (struct auth_result){.outcome = AUTH_CHALLENGE};
	if (q->acct == NULL) { /* I-2: challenge without credentials, 403 with them */
		if (has_creds)
			auth_reject(&c, res, COUNTER_REG_FAIL_UNKNOWN_USER);
		return;
	}
	auth_keys_check(c.au);
	/*
	 * The per-source-IP ceiling (lockout.per_ip_*, beyond the seed) is live: the running
	 * snapshot's values go to this worker's table before it is asked (three stores; the
	 * config parser only lets valid values through, so it cannot fail).
	 */
	(void)authfail_set_ip_ceiling(c.au->af, w->cfg->ip_ceiling.max_failures,
				      w->cfg->ip_ceiling.window_s, w->cfg->ip_ceiling.suspend_s);
	if (authfail_check(c.au->af, c.src_ip, q->user, q->now) == AUTHFAIL_LOCKED) {
		auth_reject(&c, res, COUNTER_REG_FAIL_LOCKED); /* LOCK-2: nothing counted */
		return;
	}
	if (!has_creds || digest_creds_from_scan(&s->auth, &cr) != 0 ||
	    !sf_span_eq(cr.realm, c.realm) || !sf_span_eq(cr.username, q->user))
		return; /* AUTH-1/2: no (usable) credentials, no state: challenge */
	st = nonce_verify(c.au->nctx, cr.nonce, c.src_ip, c.realm, s->call_id, q->now,
			  q->p->auth_timeout_s, &info);
	if (st == NONCE_INVALID)
		return; /* never verify against a nonce we did not issue: challenge */
	if (authfail_session_check(c.au->af, c.src_ip, s->call_id, q->now) ==
	    AUTHFAIL_SESSION_TIMED_OUT) {
		auth_reject(&c, res, COUNTER_REG_FAIL_FINAL);
		return;
	}
	if (st == NONCE_STALE && info.same_call && (!cr.qop_auth || hex_u32(cr.nc) <= 1) &&
	    !(!cr.qop_auth && q->same_call_live != NULL && q->same_call_live(q->arg))) {
		auth_reject(&c, res, COUNTER_REG_FAIL_FINAL); /* AUTH-7: answered too late */
		return;
	}
	if (!sf_span_eq(cr.uri, s->line.ruri)) {
		auth_reject(&c, res, COUNTER_REG_FAIL_MALFORMED); /* digest for another URI */
		return;
	}
	auth_digest(&c, &cr, st, &info, res);
}

/*
 * policy hook (issue 12 item 3, LOCK-2, I-3): is (@ip_be, @user) suspended? Only the worker
 * that owns @ip_be (steer_source_owner(), rule S) holds its lockout entries, so sip_input()
 * steers a configured account's request there before this answer counts; on any other worker
 * the table has no entry for @ip_be and this says no. Reads this worker's table only.
 */
bool
auth_suspended(void *ctx, uint32_t ip_be, struct sf_span user)
{
	struct worker *w = ctx;
	struct auth *au = w->auth;

	if (au == NULL)
		return false;
	(void)authfail_set_ip_ceiling(au->af, w->cfg->ip_ceiling.max_failures,
				      w->cfg->ip_ceiling.window_s, w->cfg->ip_ceiling.suspend_s);
	return authfail_check(au->af, ip_be, user, auth_now(w)) == AUTHFAIL_LOCKED;
}

void
auth_housekeeping(struct worker *w, unsigned int budget)
{
	struct auth *au = w->auth;

	if (au == NULL)
		return;
	authfail_expire(au->af, auth_now(w), budget);
	__atomic_store_n(&w->counters[COUNTER_REG_LOCKOUT_TABLE_REFUSED],
			 authfail_stats(au->af)->refused_full, __ATOMIC_RELAXED);
}

unsigned int
auth_clear(struct worker *w, bool match_ip, uint32_t src_ip)
{
	if (w->auth == NULL)
		return 0;
	return authfail_clear(w->auth->af, match_ip, src_ip, (struct sf_span){NULL, 0});
}
