/* SPDX-License-Identifier: BSD-3-Clause */
/* Stateless nonces: issue/verify, expiry (STALE), forgery and binding (INVALID), key rotation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/auth/nonce.h"
#include "dataplane/auth/replay.h"

#define IP_X 0x0100000aU /* 10.0.0.1 in network byte order on little-endian */
#define IP_Y 0x0200000aU
#define LIFE 10

static struct sf_span
S(const char *s)
{
	return (struct sf_span){ .p = (const uint8_t *)s, .len = (uint16_t)strlen(s) };
}

static struct sf_span
N(const uint8_t *n)
{
	return (struct sf_span){ .p = n, .len = NONCE_TEXT_LEN };
}

struct fixture {
	struct nonce_keyring kr;
	struct nonce_ctx *w0, *w1; /* two workers sharing one key ring */
};

static int
setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	if (nonce_keyring_init(&f.kr) != 0)
		return -1;
	f.w0 = nonce_ctx_create(0);
	f.w1 = nonce_ctx_create(1);
	if (f.w0 == NULL || f.w1 == NULL || nonce_ctx_apply(f.w0, &f.kr) != 0 ||
	    nonce_ctx_apply(f.w1, &f.kr) != 0)
		return -1;
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	nonce_ctx_destroy(f->w0);
	nonce_ctx_destroy(f->w1);
	return 0;
}

static void
test_issue_verify_ok_on_any_worker(void **state)
{
	struct fixture *f = *state;
	uint8_t n[NONCE_TEXT_LEN];
	struct nonce_info info;
	unsigned int i;

	assert_int_equal(nonce_issue(f->w0, IP_X, S("realm"), S("call-1"), 0, 1000, n), 0);
	for (i = 0; i < NONCE_TEXT_LEN; i++) /* base64url: safe inside a quoted-string */
		assert_true((n[i] >= 'A' && n[i] <= 'Z') || (n[i] >= 'a' && n[i] <= 'z') ||
			    (n[i] >= '0' && n[i] <= '9') || n[i] == '-' || n[i] == '_');
	assert_int_equal(nonce_verify(f->w1, N(n), IP_X, S("realm"), S("call-1"), 1004, LIFE,
				      &info),
			 NONCE_OK);
	assert_int_equal(info.issued_s, 1000);
	assert_int_equal(info.age_s, 4);
	assert_int_equal(info.worker, 0);
	assert_true(info.same_call);
	/* Another Call-ID: still ours, but not the challenged session. */
	assert_int_equal(nonce_verify(f->w0, N(n), IP_X, S("realm"), S("call-2"), 1004, LIFE,
				      &info),
			 NONCE_OK);
	assert_false(info.same_call);
}

/*
 * AUTH-4: every challenge carries a fresh nonce, also two issued by one worker in the same
 * second for the same Call-ID, source IP and realm: the re-challenge after a wrong answer
 * answers a new request (new CSeq and Via branch, so a new request tag). All verify, on any
 * worker, with the same issue time and session (the tag is under the MAC like every other
 * byte: test_tampered_nonce_is_invalid flips each character). A retransmission of one request
 * (same branch and CSeq) in the same second gets the same nonce: the same 401 again.
 */
static void
test_AUTH_4_same_second_same_call_nonces_differ_both_verify(void **state)
{
	static const struct { const char *branch; uint32_t cseq; } req[4] = {
		{"z9hG4bK-1", 1}, {"z9hG4bK-2", 2}, {"z9hG4bK-3", 3}, {"z9hG4bK-3", 4},
	};
	struct fixture *f = *state;
	uint8_t n[4][NONCE_TEXT_LEN], again[NONCE_TEXT_LEN];
	struct nonce_info info;
	unsigned int i, j;

	for (i = 0; i < 4; i++)
		assert_int_equal(nonce_issue(f->w0, IP_X, S("realm"), S("call-4"),
					     nonce_request_tag(S(req[i].branch), req[i].cseq), 4000,
					     n[i]),
				 0);
	for (i = 0; i < 4; i++) {
		for (j = i + 1; j < 4; j++)
			assert_memory_not_equal(n[i], n[j], NONCE_TEXT_LEN);
		memset(&info, 0, sizeof(info));
		assert_int_equal(nonce_verify(f->w1, N(n[i]), IP_X, S("realm"), S("call-4"), 4000,
					      LIFE, &info),
				 NONCE_OK);
		assert_int_equal(info.issued_s, 4000);
		assert_int_equal(info.age_s, 0);
		assert_int_equal(info.worker, 0);
		assert_true(info.same_call);
		assert_int_equal(nonce_verify(f->w0, N(n[i]), IP_Y, S("realm"), S("call-4"), 4000,
					      LIFE, &info),
				 NONCE_INVALID); /* still bound to the source IP */
	}
	/* A retransmission of request 1 in that second: the same nonce. */
	assert_int_equal(nonce_issue(f->w0, IP_X, S("realm"), S("call-4"),
				     nonce_request_tag(S(req[1].branch), req[1].cseq), 4000, again),
			 0);
	assert_memory_equal(again, n[1], NONCE_TEXT_LEN);
}

/* AUTH-9 / I-5: past the lifetime a nonce we made is STALE (rechallenge with stale=true). */
static void
test_AUTH_9_old_nonce_is_stale_not_invalid(void **state)
{
	struct fixture *f = *state;
	uint8_t n[NONCE_TEXT_LEN];
	struct nonce_info info;

	assert_int_equal(nonce_issue(f->w0, IP_X, S("realm"), S("c"), 0, 500, n), 0);
	assert_int_equal(nonce_verify(f->w0, N(n), IP_X, S("realm"), S("c"), 500 + LIFE, LIFE,
				      &info),
			 NONCE_OK);
	assert_int_equal(nonce_verify(f->w0, N(n), IP_X, S("realm"), S("c"), 500 + LIFE + 1,
				      LIFE, &info),
			 NONCE_STALE);
	assert_int_equal(nonce_verify(f->w0, N(n), IP_X, S("realm"), S("c"), 500 + 3600, LIFE,
				      &info),
			 NONCE_STALE);
	assert_int_equal(info.age_s, 3600);
}

static void
test_tampered_nonce_is_invalid(void **state)
{
	struct fixture *f = *state;
	uint8_t n[NONCE_TEXT_LEN], t[NONCE_TEXT_LEN];
	struct nonce_info info;
	unsigned int i;

	assert_int_equal(nonce_issue(f->w0, IP_X, S("realm"), S("c"), 0, 2000, n), 0);
	/* Flip every character in turn (time, worker, key id, tag or MAC): never accepted. */
	for (i = 0; i < NONCE_TEXT_LEN; i++) {
		memcpy(t, n, sizeof(t));
		t[i] = t[i] == 'A' ? 'B' : 'A';
		assert_int_equal(nonce_verify(f->w0, N(t), IP_X, S("realm"), S("c"), 2001, LIFE,
					      &info),
				 NONCE_INVALID);
	}
	/* Wrong length, characters outside base64url, someone else's nonce format. */
	assert_int_equal(nonce_verify(f->w0, (struct sf_span){ n, NONCE_TEXT_LEN - 1 }, IP_X,
				      S("realm"), S("c"), 2001, LIFE, &info),
			 NONCE_INVALID);
	memcpy(t, n, sizeof(t));
	t[5] = '/';
	assert_int_equal(nonce_verify(f->w0, N(t), IP_X, S("realm"), S("c"), 2001, LIFE, &info),
			 NONCE_INVALID);
	assert_int_equal(nonce_verify(f->w0, S("dcd98b7102dd2f0e8b11d0f600bfb0c093"), IP_X,
				      S("realm"), S("c"), 2001, LIFE, &info),
			 NONCE_INVALID);
}

static void
test_wrong_source_ip_or_realm_is_invalid_port_is_not_bound(void **state)
{
	struct fixture *f = *state;
	uint8_t n[NONCE_TEXT_LEN];
	struct nonce_info info;

	assert_int_equal(nonce_issue(f->w0, IP_X, S("realm"), S("c"), 0, 3000, n), 0);
	assert_int_equal(nonce_verify(f->w0, N(n), IP_Y, S("realm"), S("c"), 3001, LIFE, &info),
			 NONCE_INVALID);
	assert_int_equal(nonce_verify(f->w0, N(n), IP_X, S("realm2"), S("c"), 3001, LIFE, &info),
			 NONCE_INVALID);
	/* The API takes no port: a NAT rebinding between challenge and answer is harmless. */
	assert_int_equal(nonce_verify(f->w0, N(n), IP_X, S("realm"), S("c"), 3001, LIFE, &info),
			 NONCE_OK);
}

static void
test_future_issue_time_beyond_slack_is_invalid(void **state)
{
	struct fixture *f = *state;
	uint8_t n[NONCE_TEXT_LEN];
	struct nonce_info info;

	assert_int_equal(nonce_issue(f->w0, IP_X, S("r"), S("c"), 0, 4000, n), 0);
	assert_int_equal(nonce_verify(f->w1, N(n), IP_X, S("r"), S("c"),
				      4000 - NONCE_FUTURE_SLACK_S, LIFE, &info),
			 NONCE_OK);
	assert_int_equal(info.age_s, 0);
	assert_int_equal(nonce_verify(f->w1, N(n), IP_X, S("r"), S("c"),
				      4000 - NONCE_FUTURE_SLACK_S - 1, LIFE, &info),
			 NONCE_INVALID);
}

/* After one rotation a nonce verifies with the previous key; after two it is unknown. */
static void
test_key_rotation_keeps_previous_key(void **state)
{
	struct fixture *f = *state;
	uint8_t old[NONCE_TEXT_LEN], fresh[NONCE_TEXT_LEN];
	struct nonce_info info;

	assert_int_equal(nonce_issue(f->w0, IP_X, S("r"), S("c"), 0, 5000, old), 0);
	assert_int_equal(nonce_keyring_rotate(&f->kr), 0);
	assert_int_equal(nonce_ctx_apply(f->w0, &f->kr), 0);
	assert_int_equal(nonce_ctx_apply(f->w1, &f->kr), 0);
	assert_int_equal(nonce_verify(f->w1, N(old), IP_X, S("r"), S("c"), 5001, LIFE, &info),
			 NONCE_OK);
	assert_int_equal(nonce_issue(f->w0, IP_X, S("r"), S("c"), 0, 5001, fresh), 0);
	assert_memory_not_equal(old, fresh, NONCE_TEXT_LEN);
	assert_int_equal(nonce_verify(f->w1, N(fresh), IP_X, S("r"), S("c"), 5002, LIFE, &info),
			 NONCE_OK);
	assert_int_equal(nonce_keyring_rotate(&f->kr), 0);
	assert_int_equal(nonce_ctx_apply(f->w1, &f->kr), 0);
	assert_int_equal(nonce_verify(f->w1, N(old), IP_X, S("r"), S("c"), 5002, LIFE, &info),
			 NONCE_INVALID);
	assert_int_equal(nonce_verify(f->w1, N(fresh), IP_X, S("r"), S("c"), 5002, LIFE, &info),
			 NONCE_OK);
	assert_int_equal(nonce_ctx_apply(f->w0, &f->kr), 0);
}

/* A worker restarted with a new random key rejects the old nonces; the bench key is fixed. */
static void
test_random_keys_differ_deterministic_keys_repeat(void **state)
{
	struct nonce_keyring a, b;
	struct nonce_ctx *x = nonce_ctx_create(3), *y = nonce_ctx_create(3);
	uint8_t n1[NONCE_TEXT_LEN], n2[NONCE_TEXT_LEN];
	struct nonce_info info;

	(void)state;
	assert_non_null(x);
	assert_non_null(y);
	assert_int_equal(nonce_issue(x, IP_X, S("r"), S("c"), 0, 1, n1), -ENOKEY);
	assert_int_equal(nonce_keyring_init(&a), 0);
	assert_int_equal(nonce_keyring_init(&b), 0);
	assert_memory_not_equal(a.cur, b.cur, NONCE_KEY_LEN);
	assert_int_equal(nonce_ctx_apply(x, &a), 0);
	assert_int_equal(nonce_ctx_apply(y, &b), 0);
	assert_int_equal(nonce_issue(x, IP_X, S("r"), S("c"), 0, 1, n1), 0);
	assert_int_equal(nonce_verify(y, N(n1), IP_X, S("r"), S("c"), 1, LIFE, &info),
			 NONCE_INVALID);

	nonce_keyring_init_deterministic(&a, 42);
	nonce_keyring_init_deterministic(&b, 42);
	assert_int_equal(nonce_ctx_apply(x, &a), 0);
	assert_int_equal(nonce_ctx_apply(y, &b), 0);
	assert_int_equal(nonce_issue(x, IP_X, S("r"), S("c"), 0, 7, n1), 0);
	assert_int_equal(nonce_issue(y, IP_X, S("r"), S("c"), 0, 7, n2), 0);
	assert_memory_equal(n1, n2, NONCE_TEXT_LEN);
	nonce_ctx_destroy(x);
	nonce_ctx_destroy(y);
}

/*
 * The rotation the control plane runs (nonce_keyring_rotate_due every loop, workers reading
 * the published ring): nothing before NONCE_KEY_ROTATE_S; after one rotation a nonce issued
 * before it verifies (previous key), after two it is refused (INVALID: unknown key id), while
 * a nonce issued between the two still verifies.
 */
static void
test_scheduled_rotation_published_to_workers(void **state)
{
	static struct nonce_keyring_pub pub; /* zero: never published */
	struct nonce_ctx *w = nonce_ctx_create(0);
	uint8_t before1[NONCE_TEXT_LEN], before2[NONCE_TEXT_LEN];
	const uint64_t t0 = 7000000; /* monotonic s at start */
	uint64_t last = t0, now;
	struct nonce_keyring ring, first;
	struct nonce_info info;
	uint32_t seen = 0;
	uint32_t t;

	(void)state;
	assert_non_null(w);
	assert_false(nonce_keyring_read(&pub, &seen, &ring)); /* nothing published yet */
	assert_int_equal(nonce_keyring_init(&first), 0);
	nonce_keyring_publish(&pub, &first);
	assert_true(nonce_keyring_read(&pub, &seen, &ring));
	assert_memory_equal(ring.cur, first.cur, NONCE_KEY_LEN);
	assert_false(nonce_keyring_read(&pub, &seen, &ring)); /* unchanged: nothing to apply */
	assert_int_equal(nonce_ctx_apply(w, &ring), 0);

	/* t is the registrar's clock (s); the nonce lifetime is LIFE. */
	t = 100;
	assert_int_equal(nonce_issue(w, IP_X, S("r"), S("c1"), 0, t, before1), 0);
	for (now = t0; now < t0 + NONCE_KEY_ROTATE_S; now += 3600) /* not due: no rotation */
		assert_int_equal(nonce_keyring_rotate_due(&pub, now, &last, NONCE_KEY_ROTATE_S), 0);
	assert_false(nonce_keyring_read(&pub, &seen, &ring));
	assert_int_equal(last, t0);

	/* First rotation: a day after start. */
	now = t0 + NONCE_KEY_ROTATE_S;
	assert_int_equal(nonce_keyring_rotate_due(&pub, now, &last, NONCE_KEY_ROTATE_S), 1);
	assert_int_equal(last, now);
	assert_true(nonce_keyring_read(&pub, &seen, &ring));
	assert_true(ring.has_prev);
	assert_memory_equal(ring.prev, first.cur, NONCE_KEY_LEN);
	assert_memory_not_equal(ring.cur, first.cur, NONCE_KEY_LEN);
	assert_int_equal(nonce_ctx_apply(w, &ring), 0);
	assert_int_equal(nonce_verify(w, N(before1), IP_X, S("r"), S("c1"), t + 1, LIFE, &info),
			 NONCE_OK);
	assert_int_equal(nonce_issue(w, IP_X, S("r"), S("c2"), 0, t + 1, before2), 0);

	/* Not due again until another full interval. */
	assert_int_equal(nonce_keyring_rotate_due(&pub, now + NONCE_KEY_ROTATE_S - 1, &last,
						  NONCE_KEY_ROTATE_S), 0);
	/* Second rotation: the first key is gone. */
	now += NONCE_KEY_ROTATE_S;
	assert_int_equal(nonce_keyring_rotate_due(&pub, now, &last, NONCE_KEY_ROTATE_S), 1);
	assert_true(nonce_keyring_read(&pub, &seen, &ring));
	assert_int_equal(nonce_ctx_apply(w, &ring), 0);
	assert_int_equal(nonce_verify(w, N(before1), IP_X, S("r"), S("c1"), t + 2, LIFE, &info),
			 NONCE_INVALID);
	assert_int_equal(nonce_verify(w, N(before2), IP_X, S("r"), S("c2"), t + 2, LIFE, &info),
			 NONCE_OK);

	/* Interval 0 never rotates; a reader never takes a ring the writer is mid-way through. */
	assert_int_equal(nonce_keyring_rotate_due(&pub, now * 10, &last, 0), 0);
	pub.seq++; /* odd: as if a publication were in progress */
	assert_false(nonce_keyring_read(&pub, &seen, &ring));
	pub.seq++;
	assert_true(nonce_keyring_read(&pub, &seen, &ring));
	nonce_ctx_destroy(w);
}


/*
 * HARDEN-7, the replay guard's table: a pair is NEW once, then RETRANS for the same request
 * and REUSED for any other; without qop (nc 0) the nonce alone is the pair. A pair is kept
 * until its expiry, then its slot is reused; a probe window full of live pairs refuses a new
 * one (FULL), never dropping a live pair (which would make its nonce replayable again).
 */
static void
test_HARDEN_7_replay_table_pairs_expiry_and_full_window(void **state)
{
	struct replay_table *t = replay_create(8, 42); /* one window: the whole table */
	struct sf_span n1 = {(const uint8_t *)"nonce-one", 9};
	uint32_t txn_a = replay_txn((struct sf_span){(const uint8_t *)"z9hG4bK-a", 9}, 1, 5060);
	uint32_t txn_b = replay_txn((struct sf_span){(const uint8_t *)"z9hG4bK-a", 9}, 1, 5061);
	char name[16];
	unsigned int i;

	(void)state;
	assert_non_null(t);
	assert_null(replay_create(0, 1));
	assert_int_not_equal(txn_a, txn_b); /* the source port is part of the request */
	assert_int_equal(replay_check(t, n1, 1, txn_a, 100, 110), REPLAY_NEW);
	assert_int_equal(replay_check(t, n1, 1, txn_a, 101, 110), REPLAY_RETRANS);
	assert_int_equal(replay_check(t, n1, 1, txn_b, 101, 110), REPLAY_REUSED);
	assert_int_equal(replay_check(t, n1, 2, txn_b, 101, 110), REPLAY_NEW); /* next nc */
	assert_int_equal(replay_check(t, n1, 0, txn_a, 101, 110), REPLAY_NEW);  /* no qop */
	assert_int_equal(replay_check(t, n1, 0, txn_b, 102, 110), REPLAY_REUSED);
	for (i = 0; i < 5; i++) { /* 8 live pairs: the window is full */
		snprintf(name, sizeof(name), "fill-%u", i);
		assert_int_equal(replay_check(t, (struct sf_span){(const uint8_t *)name,
							  (uint16_t)strlen(name)}, 1, txn_a, 102,
					      111 + i), REPLAY_NEW);
	}
	assert_int_equal(replay_count(t, 102), 8);
	assert_int_equal(replay_check(t, (struct sf_span){(const uint8_t *)"late", 4}, 1, txn_a,
				      103, 120), REPLAY_FULL);
	assert_int_equal(replay_check(t, n1, 1, txn_b, 109, 110), REPLAY_REUSED); /* still kept */
	/* At 110 the pairs of n1 have expired: their slots take new pairs. */
	assert_int_equal(replay_check(t, (struct sf_span){(const uint8_t *)"late", 4}, 1, txn_a,
				      110, 120), REPLAY_NEW);
	assert_int_equal(replay_count(t, 110), 6);
	replay_destroy(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue_verify_ok_on_any_worker),
		cmocka_unit_test(test_AUTH_9_old_nonce_is_stale_not_invalid),
		cmocka_unit_test(test_AUTH_4_same_second_same_call_nonces_differ_both_verify),
		cmocka_unit_test(test_tampered_nonce_is_invalid),
		cmocka_unit_test(test_wrong_source_ip_or_realm_is_invalid_port_is_not_bound),
		cmocka_unit_test(test_future_issue_time_beyond_slack_is_invalid),
		cmocka_unit_test(test_key_rotation_keeps_previous_key),
		cmocka_unit_test(test_scheduled_rotation_published_to_workers),
		cmocka_unit_test(test_random_keys_differ_deterministic_keys_repeat),
		cmocka_unit_test(test_HARDEN_7_replay_table_pairs_expiry_and_full_window),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
