/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The authfail table and the nonce module on a simulated clock. table_sequence() is this
 * test's own sequence of calls (lockout check, nonce, session, digest outcome, record); it is
 * not the registrar (test_registrar drives that) nor an INVITE path (no INVITE digest is
 * verified yet: the call engine's issue), and digest correctness is an input. So the
 * test_table_* cases prove what the tables do under that sequence - the building blocks of
 * AUTH-4..8, AUTH-12 and LOCK-1/2/4/10 for INVITEs - not those behaviours end to end.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/params.h"
#include "dataplane/auth/authfail.h"
#include "dataplane/auth/nonce.h"

#define IP_X 0x0100000aU
#define IP_Y 0x0200000aU
#define T0 100000U

static struct sf_span
S(const char *s)
{
	return (struct sf_span){ .p = (const uint8_t *)s, .len = (uint16_t)strlen(s) };
}

enum outcome {
	OUT_CHALLENGE,       /* 401/407 with a fresh nonce */
	OUT_CHALLENGE_STALE, /* the same with stale=true */
	OUT_ACCEPT,          /* 200 OK / 100 Trying and routed */
	OUT_FINAL_REJECT,    /* 403 (On) or silence (Off) */
};

struct fx {
	struct sf_params p;
	struct authfail_table *tbl;
	struct nonce_keyring kr;
	struct nonce_ctx *nctx;
	uint8_t nonce[NONCE_TEXT_LEN]; /* last nonce we challenged with */
	unsigned int n_challenges;
	unsigned int n_verified;       /* requests whose digest was checked */
};

struct req {
	uint32_t ip;
	const char *user;
	const char *call_id;
	bool is_register;
	bool has_creds;
	bool correct;                  /* the digest matches the account */
	const uint8_t *nonce;          /* answered nonce; NULL = the last one issued */
	unsigned int nc;               /* nonce count; 0 when the client sends no qop */
};

static const struct sf_span realm = { (const uint8_t *)"sipfast", 7 };

static enum outcome
challenge(struct fx *f, const struct req *r, uint32_t now, bool stale)
{
	/* Each challenge answers a new request (a new CSeq): a fresh nonce (AUTH-4). */
	assert_int_equal(nonce_issue(f->nctx, r->ip, realm, S(r->call_id),
				     nonce_request_tag(S("z9hG4bK-seq"), f->n_challenges), now,
				     f->nonce), 0);
	f->n_challenges++;
	return stale ? OUT_CHALLENGE_STALE : OUT_CHALLENGE;
}

static enum outcome
table_sequence(struct fx *f, struct req req, uint32_t now)
{
	const struct req *r = &req;
	struct authfail_attempt a = { .src_ip = r->ip, .user = S(r->user),
				      .call_id = S(r->call_id), .is_register = r->is_register };
	struct sf_span n = { r->nonce ? r->nonce : f->nonce, NONCE_TEXT_LEN };
	enum nonce_status st;
	struct nonce_info info;

	if (authfail_check(f->tbl, r->ip, S(r->user), now) == AUTHFAIL_LOCKED)
		return OUT_FINAL_REJECT; /* LOCK-2: no challenge, nothing counted */
	if (!r->has_creds)
		return challenge(f, r, now, false);
	st = nonce_verify(f->nctx, n, r->ip, realm, S(r->call_id), now, f->p.auth_timeout_s, &info);
	if (st == NONCE_INVALID)
		return challenge(f, r, now, false); /* not ours: never verify, never count */
	if (authfail_session_check(f->tbl, r->ip, S(r->call_id), now) == AUTHFAIL_SESSION_TIMED_OUT)
		return OUT_FINAL_REJECT;
	if (st == NONCE_STALE && info.same_call && r->nc <= 1)
		return OUT_FINAL_REJECT; /* first answer to this session's challenge, too late (I-5) */
	f->n_verified++;
	if (r->correct) {
		if (st == NONCE_STALE)
			return challenge(f, r, now, true); /* AUTH-9: not a failure */
		authfail_record_success(f->tbl, r->ip, S(r->user), S(r->call_id));
		return OUT_ACCEPT;
	}
	a.challenged_s = st == NONCE_OK ? info.issued_s : now;
	if (authfail_record_failure(f->tbl, &a, &f->p, now) == AUTHFAIL_CHALLENGE_AGAIN)
		return challenge(f, r, now, false);
	return OUT_FINAL_REJECT;
}

static struct authfail_config default_cfg = { .capacity = 1024 };

static int
setup(void **state)
{
	static struct fx f;

	memset(&f, 0, sizeof(f));
	f.p = (struct sf_params){
		.reply_unauthorized = true, .auth_code = SF_AUTH_CODE_401, .auth_retry = 6,
		.auth_timeout_s = 10, .auth_max_retry = 6, .auth_failed_suspend_s = 180,
		.register_retry = 6, .register_suspend_s = 180,
	};
	f.tbl = authfail_create(&default_cfg, 0x5eed);
	f.nctx = nonce_ctx_create(0);
	if (f.tbl == NULL || f.nctx == NULL || nonce_keyring_init(&f.kr) != 0 ||
	    nonce_ctx_apply(f.nctx, &f.kr) != 0)
		return -1;
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	authfail_destroy(f->tbl);
	nonce_ctx_destroy(f->nctx);
	return 0;
}

static struct req
invite(uint32_t ip, const char *call_id, bool correct)
{
	return (struct req){ .ip = ip, .user = "alice", .call_id = call_id, .has_creds = true,
			     .correct = correct, .nc = 1 };
}

static struct req
no_creds(uint32_t ip, const char *call_id)
{
	return (struct req){ .ip = ip, .user = "alice", .call_id = call_id };
}

/* One session: initial challenge, then @n_wrong wrong answers; returns the last outcome. */
static enum outcome
wrong_session(struct fx *f, struct req r, unsigned int n_wrong, uint32_t now)
{
	enum outcome o = table_sequence(f, (struct req){ .ip = r.ip, .user = r.user,
							  .call_id = r.call_id,
							  .is_register = r.is_register },
				       now);
	unsigned int i;

	if (o != OUT_CHALLENGE)
		return o;
	r.has_creds = true;
	r.correct = false;
	r.nc = 1;
	for (i = 0; i < n_wrong; i++) {
		o = table_sequence(f, r, now);
		if (o != OUT_CHALLENGE)
			return o;
	}
	return o;
}

static void
test_AUTH_3_success_resets_both_counters(void **state)
{
	struct fx *f = *state;
	struct req reg = invite(IP_X, "r1", false);
	char cid[16];
	unsigned int i;

	reg.is_register = true;
	assert_int_equal(wrong_session(f, reg, 5, T0), OUT_CHALLENGE);       /* REGISTER 5/6 */
	assert_int_equal(wrong_session(f, invite(IP_X, "i1", false), 5, T0), OUT_CHALLENGE);
	assert_int_equal(table_sequence(f, invite(IP_X, "i1", true), T0 + 1), OUT_ACCEPT);
	/* Both at 0 again: five more of each still do not suspend. */
	for (i = 0; i < 5; i++) {
		snprintf(cid, sizeof(cid), "r2-%u", i);
		reg.call_id = cid;
		assert_int_equal(wrong_session(f, reg, 1, T0 + 2), OUT_CHALLENGE);
		snprintf(cid, sizeof(cid), "i2-%u", i);
		assert_int_equal(wrong_session(f, invite(IP_X, cid, false), 1, T0 + 2),
				 OUT_CHALLENGE);
	}
	assert_int_equal(authfail_check(f->tbl, IP_X, S("alice"), T0 + 2), AUTHFAIL_ALLOW);
}

static void
test_table_session_retry_6_sixth_failure_is_final(void **state)
{
	struct fx *f = *state;
	struct req r = invite(IP_X, "a4", false);
	unsigned int i;

	f->p.auth_max_retry = 0;
	assert_int_equal(table_sequence(f, (struct req){ .ip = IP_X, .user = "alice",
							  .call_id = "a4" }, T0),
			 OUT_CHALLENGE);
	for (i = 1; i <= 5; i++)
		assert_int_equal(table_sequence(f, r, T0 + 1), OUT_CHALLENGE);
	assert_int_equal(table_sequence(f, r, T0 + 1), OUT_FINAL_REJECT);
	assert_int_equal(f->n_challenges, 6);
	assert_int_equal(authfail_check(f->tbl, IP_X, S("alice"), T0 + 1), AUTHFAIL_ALLOW);
	assert_int_equal(authfail_stats(f->tbl)->final_rejects, 1);
}

static void
test_table_session_retry_1_first_failure_is_final(void **state)
{
	struct fx *f = *state;

	f->p.auth_retry = 1;
	assert_int_equal(wrong_session(f, invite(IP_X, "a5", false), 1, T0), OUT_FINAL_REJECT);
	assert_int_equal(f->n_challenges, 1);
}

static void
test_table_new_call_id_new_session_after_final(void **state)
{
	struct fx *f = *state;

	f->p.auth_retry = 2;
	f->p.auth_max_retry = 0;
	assert_int_equal(wrong_session(f, invite(IP_X, "a6-1", false), 2, T0), OUT_FINAL_REJECT);
	assert_int_equal(table_sequence(f, no_creds(IP_X, "a6-2"), T0 + 1), OUT_CHALLENGE);
	assert_int_equal(table_sequence(f, invite(IP_X, "a6-2", false), T0 + 1), OUT_CHALLENGE);
	assert_int_equal(table_sequence(f, invite(IP_X, "a6-2", true), T0 + 1), OUT_ACCEPT);
}

static void
test_table_nonce_stale_in_same_call_after_timeout(void **state)
{
	struct fx *f = *state;
	uint8_t first[NONCE_TEXT_LEN];

	assert_int_equal(table_sequence(f, no_creds(IP_X, "a7"), T0), OUT_CHALLENGE);
	memcpy(first, f->nonce, sizeof(first));
	assert_int_equal(table_sequence(f, invite(IP_X, "a7", true), T0 + 9), OUT_ACCEPT);
	/* The same challenge answered at t0 + 11 instead. */
	memcpy(f->nonce, first, sizeof(first));
	assert_int_equal(table_sequence(f, invite(IP_X, "a7", true), T0 + 11), OUT_FINAL_REJECT);
	assert_int_equal(authfail_stats(f->tbl)->failures, 0); /* a timeout is not a wrong guess */
}

static void
test_table_session_timeout_before_retry_count(void **state)
{
	struct fx *f = *state;
	struct req r = invite(IP_X, "a8", false);

	f->p.auth_timeout_s = 5;
	assert_int_equal(table_sequence(f, no_creds(IP_X, "a8"), T0), OUT_CHALLENGE);
	assert_int_equal(table_sequence(f, r, T0 + 2), OUT_CHALLENGE);
	assert_int_equal(table_sequence(f, r, T0 + 4), OUT_CHALLENGE);
	assert_int_equal(table_sequence(f, r, T0 + 6), OUT_FINAL_REJECT);
	/* A correct answer in a timed-out session is no better. */
	assert_int_equal(table_sequence(f, no_creds(IP_X, "a8b"), T0 + 10), OUT_CHALLENGE);
	r.call_id = "a8b";
	assert_int_equal(table_sequence(f, r, T0 + 12), OUT_CHALLENGE);
	r.correct = true;
	assert_int_equal(table_sequence(f, r, T0 + 16), OUT_FINAL_REJECT);
}

static void
test_AUTH_9_refresh_with_old_nonce_gets_stale_true(void **state)
{
	struct fx *f = *state;
	struct req reg = invite(IP_X, "reg-call", true);
	uint64_t failures;

	reg.is_register = true;
	assert_int_equal(table_sequence(f, no_creds(IP_X, "reg-call"), T0), OUT_CHALLENGE);
	assert_int_equal(table_sequence(f, reg, T0 + 1), OUT_ACCEPT);
	failures = authfail_stats(f->tbl)->failures;
	/* An hour later: same Call-ID (RFC 3261 10.2.4), old nonce, next nonce count. */
	reg.nc = 2;
	assert_int_equal(table_sequence(f, reg, T0 + 3600), OUT_CHALLENGE_STALE);
	assert_int_equal(authfail_stats(f->tbl)->failures, failures);
	reg.nc = 1; /* the new nonce, first use */
	assert_int_equal(table_sequence(f, reg, T0 + 3601), OUT_ACCEPT);
	/* A new Call-ID with the old nonce is a new session: stale as well. */
	assert_int_equal(table_sequence(f, no_creds(IP_X, "x"), T0 + 3602), OUT_CHALLENGE);
	assert_int_equal(table_sequence(f, invite(IP_X, "other", true), T0 + 3700),
			 OUT_CHALLENGE_STALE);
}

static void
test_table_session_keeps_the_limits_it_began_with(void **state)
{
	struct fx *f = *state;
	struct req r = invite(IP_X, "a12", false);
	unsigned int i;

	f->p.auth_max_retry = 0;
	assert_int_equal(table_sequence(f, no_creds(IP_X, "a12"), T0), OUT_CHALLENGE);
	assert_int_equal(table_sequence(f, r, T0 + 1), OUT_CHALLENGE); /* session made: R = 6 */
	f->p.auth_retry = 2;
	f->p.auth_timeout_s = 3;
	for (i = 2; i <= 5; i++) /* old R and the old 10 s timeout still apply */
		assert_int_equal(table_sequence(f, r, T0 + 1 + i), OUT_CHALLENGE);
	assert_int_equal(table_sequence(f, r, T0 + 7), OUT_FINAL_REJECT);
	/* The next session uses R = 2. */
	assert_int_equal(wrong_session(f, invite(IP_X, "a12b", false), 2, T0 + 8),
			 OUT_FINAL_REJECT);
}

/* LOCK-1 and LOCK-2: six wrong INVITE answers over three sessions; then refused, uncounted. */
static void
test_table_six_failures_suspend_the_pair_180s(void **state)
{
	struct fx *f = *state;
	uint64_t failures;

	assert_int_equal(wrong_session(f, invite(IP_X, "l1", false), 2, T0), OUT_CHALLENGE);
	assert_int_equal(wrong_session(f, invite(IP_X, "l2", false), 2, T0 + 20), OUT_CHALLENGE);
	assert_int_equal(wrong_session(f, invite(IP_X, "l3", false), 1, T0 + 40), OUT_CHALLENGE);
	assert_int_equal(table_sequence(f, invite(IP_X, "l3", false), T0 + 41), OUT_FINAL_REJECT);
	assert_int_equal(authfail_stats(f->tbl)->lockouts, 1);
	failures = authfail_stats(f->tbl)->failures;
	/* LOCK-2: INVITE or REGISTER, with or without credentials, even correct → final, uncounted. */
	f->n_challenges = 0;
	assert_int_equal(table_sequence(f, no_creds(IP_X, "l4"), T0 + 50), OUT_FINAL_REJECT);
	assert_int_equal(table_sequence(f, invite(IP_X, "l4", true), T0 + 60), OUT_FINAL_REJECT);
	assert_int_equal(table_sequence(f, (struct req){ .ip = IP_X, .user = "alice",
							  .call_id = "r", .is_register = true,
							  .has_creds = true, .correct = true },
				       T0 + 41 + 179),
			 OUT_FINAL_REJECT);
	assert_int_equal(f->n_challenges, 0);
	assert_int_equal(authfail_stats(f->tbl)->failures, failures);
	assert_int_equal(authfail_check(f->tbl, IP_X, S("alice"), T0 + 41 + 180), AUTHFAIL_ALLOW);
}

static void
lock_alice(struct fx *f, uint32_t ip, uint32_t now)
{
	char cid[16];
	unsigned int i;

	for (i = 0; i < 6; i++) {
		snprintf(cid, sizeof(cid), "k%u-%u", now, i);
		(void)wrong_session(f, invite(ip, cid, false), 1, now);
	}
	assert_int_equal(authfail_check(f->tbl, ip, S("alice"), now), AUTHFAIL_LOCKED);
}

static void
test_LOCK_3_after_window_challenge_and_counter_restarts(void **state)
{
	struct fx *f = *state;
	unsigned int i;
	char cid[16];

	lock_alice(f, IP_X, T0);
	assert_int_equal(table_sequence(f, no_creds(IP_X, "after"), T0 + 180), OUT_CHALLENGE);
	assert_int_equal(table_sequence(f, invite(IP_X, "after", true), T0 + 181), OUT_ACCEPT);
	for (i = 0; i < 5; i++) {
		snprintf(cid, sizeof(cid), "again%u", i);
		assert_int_equal(wrong_session(f, invite(IP_X, cid, false), 1, T0 + 190),
				 OUT_CHALLENGE);
	}
	assert_int_equal(authfail_check(f->tbl, IP_X, S("alice"), T0 + 190), AUTHFAIL_ALLOW);
}

/* The suspension also ends at +180 without a success: the count starts again at 0. */
static void
test_LOCK_3_counter_restarts_when_window_ends(void **state)
{
	struct fx *f = *state;

	lock_alice(f, IP_X, T0);
	assert_int_equal(wrong_session(f, invite(IP_X, "n1", false), 5, T0 + 180), OUT_CHALLENGE);
	assert_int_equal(authfail_check(f->tbl, IP_X, S("alice"), T0 + 180), AUTHFAIL_ALLOW);
}

static void
test_table_attempts_do_not_extend_the_suspension(void **state)
{
	struct fx *f = *state;
	uint32_t t;

	lock_alice(f, IP_X, T0);
	for (t = T0 + 10; t < T0 + 180; t += 10)
		assert_int_equal(table_sequence(f, invite(IP_X, "p", false), t), OUT_FINAL_REJECT);
	assert_int_equal(table_sequence(f, no_creds(IP_X, "p2"), T0 + 180), OUT_CHALLENGE);
}

static void
test_LOCK_5_other_ip_same_user_unaffected(void **state)
{
	struct fx *f = *state;

	lock_alice(f, IP_X, T0);
	assert_int_equal(table_sequence(f, no_creds(IP_Y, "y"), T0 + 1), OUT_CHALLENGE);
	assert_int_equal(table_sequence(f, invite(IP_Y, "y", true), T0 + 2), OUT_ACCEPT);
	assert_int_equal(authfail_check(f->tbl, IP_X, S("alice"), T0 + 2), AUTHFAIL_LOCKED);
	assert_int_equal(authfail_check(f->tbl, IP_X, S("bob"), T0 + 2), AUTHFAIL_ALLOW);
}

static void
test_LOCK_6_success_in_between_prevents_suspension(void **state)
{
	struct fx *f = *state;

	assert_int_equal(wrong_session(f, invite(IP_X, "s1", false), 5, T0), OUT_CHALLENGE);
	assert_int_equal(table_sequence(f, invite(IP_X, "s1", true), T0 + 1), OUT_ACCEPT);
	assert_int_equal(wrong_session(f, invite(IP_X, "s2", false), 5, T0 + 2), OUT_CHALLENGE);
	assert_int_equal(authfail_check(f->tbl, IP_X, S("alice"), T0 + 2), AUTHFAIL_ALLOW);
	assert_int_equal(authfail_stats(f->tbl)->lockouts, 0);
}

static void
register_wrong(struct fx *f, unsigned int n, uint32_t now)
{
	struct req r = invite(IP_X, "", false);
	char cid[16];
	unsigned int i;

	r.is_register = true;
	for (i = 0; i < n; i++) {
		snprintf(cid, sizeof(cid), "R%u-%u", now, i);
		r.call_id = cid;
		(void)wrong_session(f, r, 1, now);
	}
}

static void
test_LOCK_7_register_pair_has_its_own_limit_and_window(void **state)
{
	struct fx *f = *state;

	f->p.register_suspend_s = 60;
	f->p.auth_failed_suspend_s = 600;
	register_wrong(f, 5, T0);
	assert_int_equal(authfail_check(f->tbl, IP_X, S("alice"), T0), AUTHFAIL_ALLOW);
	register_wrong(f, 1, T0);
	assert_int_equal(authfail_check(f->tbl, IP_X, S("alice"), T0), AUTHFAIL_LOCKED);
	/* The suspension refuses INVITEs too, and ends after 60 s, not 600. */
	assert_int_equal(table_sequence(f, invite(IP_X, "i", true), T0 + 59), OUT_FINAL_REJECT);
	assert_int_equal(authfail_check(f->tbl, IP_X, S("alice"), T0 + 60), AUTHFAIL_ALLOW);
	/* With ENDPOINT_REGISTER_RETRY = 3 it starts at the 3rd wrong REGISTER. */
	f->p.register_retry = 3;
	register_wrong(f, 2, T0 + 100);
	assert_int_equal(authfail_check(f->tbl, IP_X, S("alice"), T0 + 100), AUTHFAIL_ALLOW);
	register_wrong(f, 1, T0 + 100);
	assert_int_equal(authfail_check(f->tbl, IP_X, S("alice"), T0 + 100), AUTHFAIL_LOCKED);
}

/* REGISTER and INVITE failures are separate counts (I-6): 5 + 5 do not suspend. */
static void
test_LOCK_7_register_and_invite_counts_are_separate(void **state)
{
	struct fx *f = *state;
	char cid[16];
	unsigned int i;

	register_wrong(f, 5, T0);
	for (i = 0; i < 5; i++) {
		snprintf(cid, sizeof(cid), "inv%u", i);
		(void)wrong_session(f, invite(IP_X, cid, false), 1, T0);
	}
	assert_int_equal(authfail_check(f->tbl, IP_X, S("alice"), T0), AUTHFAIL_ALLOW);
}

static void
test_LOCK_8_max_retry_0_never_suspends(void **state)
{
	struct fx *f = *state;
	char cid[16];
	unsigned int i;

	f->p.auth_max_retry = 0;
	for (i = 0; i < 10; i++) {
		snprintf(cid, sizeof(cid), "z%u", i);
		/* every session still ends per AUTH-4: 6th wrong answer final */
		assert_int_equal(wrong_session(f, invite(IP_X, cid, false), 6, T0 + i * 20),
				 OUT_FINAL_REJECT);
	}
	assert_int_equal(authfail_check(f->tbl, IP_X, S("alice"), T0 + 200), AUTHFAIL_ALLOW);
	assert_int_equal(authfail_stats(f->tbl)->lockouts, 0);
	assert_int_equal(authfail_count(f->tbl), 0); /* no state kept for a disabled pair */
}

static void
test_LOCK_9_suspend_600_is_the_window(void **state)
{
	struct fx *f = *state;

	f->p.auth_failed_suspend_s = 600;
	lock_alice(f, IP_X, T0);
	assert_int_equal(authfail_check(f->tbl, IP_X, S("alice"), T0 + 599), AUTHFAIL_LOCKED);
	assert_int_equal(authfail_check(f->tbl, IP_X, S("alice"), T0 + 600), AUTHFAIL_ALLOW);
}

/* LOCK-10: an hour of wrong answers as fast as possible: <= 6 verifications per cycle. */
static void
test_table_failures_bounded_per_hour(void **state)
{
	struct fx *f = *state;
	struct req r = invite(IP_X, "bf", false);
	uint32_t t;
	unsigned int k;

	assert_int_equal(table_sequence(f, no_creds(IP_X, "bf"), T0), OUT_CHALLENGE);
	for (t = T0; t < T0 + 3600; t++)
		for (k = 0; k < 20; k++)
			if (table_sequence(f, r, t) == OUT_FINAL_REJECT)
				(void)table_sequence(f, no_creds(IP_X, "bf"), t);
	assert_true(f->n_verified <= 120);
	assert_true(f->n_verified >= 6 * 19); /* one cycle per 180 s (+ the attempt) */
}

static void
test_ip_ceiling_off_by_default_usernames_rotate_freely(void **state)
{
	struct fx *f = *state;
	char user[16], cid[16];
	unsigned int i;

	for (i = 0; i < 50; i++) {
		snprintf(user, sizeof(user), "u%u", i);
		snprintf(cid, sizeof(cid), "c%u", i);
		(void)wrong_session(f, (struct req){ .ip = IP_X, .user = user, .call_id = cid },
				    5, T0);
	}
	assert_int_equal(authfail_check(f->tbl, IP_X, S("u99"), T0), AUTHFAIL_ALLOW);
	assert_int_equal(authfail_stats(f->tbl)->ip_lockouts, 0);
}

static void
test_ip_ceiling_catches_username_rotation(void **state)
{
	struct fx *f = *state;
	struct authfail_config cfg = { .capacity = 256, .ip_max_fail = 10, .ip_window_s = 60,
				       .ip_suspend_s = 300 };
	char user[16], cid[16];
	unsigned int i;

	authfail_destroy(f->tbl);
	f->tbl = authfail_create(&cfg, 7);
	assert_non_null(f->tbl);
	for (i = 0; i < 10; i++) { /* one guess per username: the per-user lockout never fires */
		snprintf(user, sizeof(user), "u%u", i);
		snprintf(cid, sizeof(cid), "c%u", i);
		(void)wrong_session(f, (struct req){ .ip = IP_X, .user = user, .call_id = cid },
				    1, T0 + i);
	}
	assert_int_equal(authfail_stats(f->tbl)->ip_lockouts, 1);
	assert_int_equal(authfail_check(f->tbl, IP_X, S("never-tried"), T0 + 20), AUTHFAIL_LOCKED);
	assert_int_equal(authfail_check(f->tbl, IP_Y, S("u1"), T0 + 20), AUTHFAIL_ALLOW);
	assert_int_equal(authfail_check(f->tbl, IP_X, S("u1"), T0 + 9 + 300), AUTHFAIL_ALLOW);
	/* Nine per window, spread out, never trip it. */
	for (i = 0; i < 9; i++) {
		snprintf(cid, sizeof(cid), "d%u", i);
		(void)wrong_session(f, (struct req){ .ip = IP_Y, .user = "v", .call_id = cid }, 1,
				    T0 + 1000 + i * 6);
	}
	for (i = 0; i < 5; i++) {
		snprintf(cid, sizeof(cid), "e%u", i);
		(void)wrong_session(f, (struct req){ .ip = IP_Y, .user = "w", .call_id = cid }, 1,
				    T0 + 1061 + i);
	}
	assert_int_equal(authfail_check(f->tbl, IP_Y, S("x"), T0 + 1070), AUTHFAIL_ALLOW);
}

/*
 * The ceiling is live (lockout.per_ip_* applied by the registrar before each check): a table
 * made with it off is turned on and catches the rotation; turned off again, the IP-wide
 * suspension no longer refuses anyone; invalid settings are refused and change nothing.
 */
static void
test_ip_ceiling_set_live_on_and_off(void **state)
{
	struct fx *f = *state;
	char user[16], cid[16];
	unsigned int i;

	assert_int_equal(authfail_set_ip_ceiling(f->tbl, 3, 0, 100), -EINVAL);
	assert_int_equal(authfail_set_ip_ceiling(f->tbl, 3, 60, 0), -EINVAL);
	assert_int_equal(authfail_set_ip_ceiling(f->tbl, AUTHFAIL_IP_MAX_FAIL_MAX + 1, 60, 100),
			 -EINVAL);
	for (i = 0; i < 3; i++) { /* still off: the failed settings changed nothing */
		snprintf(user, sizeof(user), "p%u", i);
		snprintf(cid, sizeof(cid), "p%u", i);
		(void)wrong_session(f, (struct req){ .ip = IP_X, .user = user, .call_id = cid },
				    1, T0);
	}
	assert_int_equal(authfail_stats(f->tbl)->ip_lockouts, 0);
	assert_int_equal(authfail_set_ip_ceiling(f->tbl, 3, 60, 100), 0);
	for (i = 0; i < 3; i++) {
		snprintf(user, sizeof(user), "q%u", i);
		snprintf(cid, sizeof(cid), "q%u", i);
		(void)wrong_session(f, (struct req){ .ip = IP_X, .user = user, .call_id = cid },
				    1, T0 + 1);
	}
	assert_int_equal(authfail_stats(f->tbl)->ip_lockouts, 1);
	assert_int_equal(authfail_check(f->tbl, IP_X, S("anyone"), T0 + 2), AUTHFAIL_LOCKED);
	assert_int_equal(authfail_check(f->tbl, IP_X, S("anyone"), T0 + 1 + 100), AUTHFAIL_ALLOW);
	assert_int_equal(authfail_set_ip_ceiling(f->tbl, 3, 60, 100), 0);
	for (i = 0; i < 3; i++) {
		snprintf(user, sizeof(user), "r%u", i);
		snprintf(cid, sizeof(cid), "r%u", i);
		(void)wrong_session(f, (struct req){ .ip = IP_X, .user = user, .call_id = cid },
				    1, T0 + 200);
	}
	assert_int_equal(authfail_check(f->tbl, IP_X, S("anyone"), T0 + 201), AUTHFAIL_LOCKED);
	assert_int_equal(authfail_set_ip_ceiling(f->tbl, 0, 0, 0), 0); /* off */
	assert_int_equal(authfail_check(f->tbl, IP_X, S("anyone"), T0 + 201), AUTHFAIL_ALLOW);
}

struct listed {
	unsigned int n, n_ip_wide;
	uint32_t remaining;
	char user[AUTHFAIL_NAME_MAX + 1];
};

static void
collect(const struct authfail_suspended *s, void *arg)
{
	struct listed *l = arg;

	l->n++;
	l->n_ip_wide += s->ip_wide;
	l->remaining = s->remaining_s;
	if (s->user != NULL) {
		memcpy(l->user, s->user, s->user_len);
		l->user[s->user_len] = '\0';
	}
}

static void
test_suspended_list_and_clear(void **state)
{
	struct fx *f = *state;
	struct listed l = { 0 };

	lock_alice(f, IP_X, T0);
	lock_alice(f, IP_Y, T0);
	assert_int_equal(authfail_suspended_foreach(f->tbl, T0 + 30, collect, &l), 2);
	assert_int_equal(l.remaining, 150);
	assert_string_equal(l.user, "alice");
	assert_int_equal(authfail_clear(f->tbl, true, IP_X, S("")), 1);
	assert_int_equal(authfail_check(f->tbl, IP_X, S("alice"), T0 + 31), AUTHFAIL_ALLOW);
	assert_int_equal(authfail_check(f->tbl, IP_Y, S("alice"), T0 + 31), AUTHFAIL_LOCKED);
	assert_int_equal(authfail_clear(f->tbl, false, 0, S("bob")), 0);
	assert_int_equal(authfail_clear(f->tbl, false, 0, S("alice")), 1);
	assert_int_equal(authfail_check(f->tbl, IP_Y, S("alice"), T0 + 31), AUTHFAIL_ALLOW);
}

static void
test_expire_sweeps_idle_sessions_and_ended_suspensions(void **state)
{
	struct fx *f = *state;

	lock_alice(f, IP_X, T0);
	assert_int_equal(wrong_session(f, invite(IP_Y, "sess", false), 1, T0), OUT_CHALLENGE);
	/* X lock + 5 open X sessions (the 6th ended in the lockout), Y counter + Y session */
	assert_int_equal(authfail_count(f->tbl), 8);
	/* Sessions stay for twice their timeout (a late answer must still meet them). */
	assert_int_equal(authfail_expire(f->tbl, T0 + 21, 1024), 0);
	assert_int_equal(authfail_expire(f->tbl, T0 + 22, 1024), 6);
	assert_int_equal(authfail_expire(f->tbl, T0 + 180, 1024), 1); /* X suspension ended */
	assert_int_equal(authfail_expire(f->tbl, T0 + 3600, 1024), 1); /* Y counter idle */
	assert_int_equal(authfail_count(f->tbl), 0);
}

/*
 * Table full: a window of 16 slots with the lockout key in it survives session churn; the
 * churn is not stored once the window holds only live entries (refused, counted, final
 * reject), and is stored again once the old sessions have ended.
 */
static void
test_table_full_refuses_new_sessions_keeps_active_suspension(void **state)
{
	struct fx *f = *state;
	struct authfail_config cfg = { .capacity = 16 };
	char cid[16];
	unsigned int i;

	authfail_destroy(f->tbl);
	f->tbl = authfail_create(&cfg, 1);
	assert_non_null(f->tbl);
	lock_alice(f, IP_X, T0);
	f->p.auth_max_retry = 0;
	for (i = 0; i < 200; i++) {
		snprintf(cid, sizeof(cid), "f%u", i);
		(void)wrong_session(f, invite(IP_Y, cid, false), 1, T0 + 1 + i / 10);
	}
	assert_true(authfail_count(f->tbl) <= 16);
	assert_true(authfail_stats(f->tbl)->refused_full > 0);
	assert_int_equal(authfail_check(f->tbl, IP_X, S("alice"), T0 + 30), AUTHFAIL_LOCKED);
	/* The churn's sessions have ended by T0 + 45: a new one is stored and findable. */
	assert_int_equal(wrong_session(f, invite(IP_Y, "late", false), 1, T0 + 45), OUT_CHALLENGE);
	assert_int_equal(authfail_session_check(f->tbl, IP_Y, S("late"), T0 + 46),
			 AUTHFAIL_SESSION_OPEN);
}

/*
 * HARDEN-9 (issue 12 defect 9): a botnet fills the table with suspensions of its own (each
 * source IP of 400 answers six challenges wrong, 64-slot table); the suspension of (X, alice), the oldest, is never
 * evicted for them. New counting is refused and counted instead, and the refused wrong answer
 * gets a final reject, never a fresh challenge.
 */
static void
test_HARDEN_9_full_table_never_evicts_active_suspension(void **state)
{
	struct fx *f = *state;
	struct authfail_config cfg = { .capacity = 64 };
	struct authfail_attempt a = { .user = S("alice"), .challenged_s = T0 + 1 };
	enum authfail_result last = AUTHFAIL_CHALLENGE_AGAIN;
	unsigned int ip, j, n_locked = 0;
	char cid[16];

	authfail_destroy(f->tbl);
	f->tbl = authfail_create(&cfg, 1);
	assert_non_null(f->tbl);
	lock_alice(f, IP_X, T0);
	f->p.auth_retry = 1; /* every session ends at its wrong answer: only suspensions stay */
	for (ip = 1; ip <= 400; ip++) {
		a.src_ip = 0x0000000bU | (ip & 0xff) << 24 | (ip >> 8) << 16; /* 11.0.<ip>, network order */
		for (j = 0; j < 6; j++) {
			snprintf(cid, sizeof(cid), "b%u-%u", ip, j);
			a.call_id = S(cid);
			last = authfail_record_failure(f->tbl, &a, &f->p, T0 + 1);
			n_locked += last == AUTHFAIL_NOW_LOCKED;
		}
	}
	assert_true(authfail_count(f->tbl) <= 64);
	assert_true(authfail_stats(f->tbl)->refused_full > 0);
	assert_true(n_locked > 0 && n_locked < 400); /* the table held some, refused the rest */
	assert_int_equal(authfail_check(f->tbl, IP_X, S("alice"), T0 + 30), AUTHFAIL_LOCKED);
	assert_int_equal(authfail_check(f->tbl, IP_X, S("alice"), T0 + 179), AUTHFAIL_LOCKED);
	assert_int_equal(authfail_check(f->tbl, IP_X, S("alice"), T0 + 180), AUTHFAIL_ALLOW);
}

static void
test_long_names_and_bad_config(void **state)
{
	struct fx *f = *state;
	struct authfail_config bad = { .capacity = 16, .ip_max_fail = 3 };
	static const char long_a[] = "a-very-long-user-name-past-thirty-two-bytes-1";
	static const char long_b[] = "a-very-long-user-name-past-thirty-two-bytes-2";
	struct req r = invite(IP_X, "", false);
	char cid[16];
	unsigned int i;

	assert_null(authfail_create(&bad, 0));
	bad = (struct authfail_config){ 0 };
	assert_null(authfail_create(&bad, 0));
	r.user = long_a;
	for (i = 0; i < 6; i++) {
		snprintf(cid, sizeof(cid), "L%u", i);
		r.call_id = cid;
		(void)wrong_session(f, r, 1, T0);
	}
	assert_int_equal(authfail_check(f->tbl, IP_X, S(long_a), T0), AUTHFAIL_LOCKED);
	assert_int_equal(authfail_check(f->tbl, IP_X, S(long_b), T0), AUTHFAIL_ALLOW);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_AUTH_3_success_resets_both_counters),
		T(test_table_session_retry_6_sixth_failure_is_final),
		T(test_table_session_retry_1_first_failure_is_final),
		T(test_table_new_call_id_new_session_after_final),
		T(test_table_nonce_stale_in_same_call_after_timeout),
		T(test_table_session_timeout_before_retry_count),
		T(test_AUTH_9_refresh_with_old_nonce_gets_stale_true),
		T(test_table_session_keeps_the_limits_it_began_with),
		T(test_table_six_failures_suspend_the_pair_180s),
		T(test_LOCK_3_after_window_challenge_and_counter_restarts),
		T(test_LOCK_3_counter_restarts_when_window_ends),
		T(test_table_attempts_do_not_extend_the_suspension),
		T(test_LOCK_5_other_ip_same_user_unaffected),
		T(test_LOCK_6_success_in_between_prevents_suspension),
		T(test_LOCK_7_register_pair_has_its_own_limit_and_window),
		T(test_LOCK_7_register_and_invite_counts_are_separate),
		T(test_LOCK_8_max_retry_0_never_suspends),
		T(test_LOCK_9_suspend_600_is_the_window),
		T(test_table_failures_bounded_per_hour),
		T(test_ip_ceiling_off_by_default_usernames_rotate_freely),
		T(test_ip_ceiling_catches_username_rotation),
		T(test_ip_ceiling_set_live_on_and_off),
		T(test_suspended_list_and_clear),
		T(test_expire_sweeps_idle_sessions_and_ended_suspensions),
		T(test_table_full_refuses_new_sessions_keeps_active_suspension),
		T(test_HARDEN_9_full_table_never_evicts_active_suspension),
		T(test_long_names_and_bad_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
