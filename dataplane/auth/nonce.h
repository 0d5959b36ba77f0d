/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stateless digest nonces: the nonce carries its issue time, the issuing worker, a key id, a
 * tag of the challenged Call-ID and a tag of the challenged request (so every new request is
 * challenged with a fresh nonce, AUTH-4, while a retransmission gets the same one), sealed by
 * HMAC-SHA256 over those and the source IP and realm.
 * A challenge creates no state; verification needs only the key ring. Pure C on nettle's
 * HMAC-SHA256; the key schedule is computed once per key, so issue/verify never allocate.
 *
 * Bound: source IP (a nonce stolen from the wire is useless elsewhere, and a spoofing flood can
 * never obtain a nonce that verifies, so it can never create auth-failure state) and realm.
 * Not bound: source port, because NATs rebind ports between a challenge and its answer.
 * The Call-ID tag is not a secret: it only tells "answer in the session of this challenge"
 * (session timeout, I-5) from "nonce reused by a later session" (stale=true, AUTH-9).
 */
#ifndef SF_NONCE_H
#define SF_NONCE_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/sf_span.h"

#define NONCE_KEY_LEN 32  /**< HMAC-SHA256 key bytes */
#define NONCE_TEXT_LEN 40 /**< base64url of the 30 nonce bytes, no padding */
#define NONCE_FUTURE_SLACK_S 2 /**< issue times this far ahead of @c now are accepted */

/**
 * Keys between ctrlplane rotations, as HMAC-SHA256 rotates them (s): a nonce issued before
 * one rotation still verifies (the previous key), one issued before two rotations reads as
 * INVALID (unknown key id) and is re-challenged without stale=true. A day is far beyond any
 * nonce lifetime (SS_SIP_AUTHENTICATION_TIMEOUT) and any RFC 2069 refresh that reuses one.
 */
#define NONCE_KEY_ROTATE_S 86400u

/**
 * Keys, owned by ctrlplane: generated at start, rotated every NONCE_KEY_ROTATE_S (the
 * previous key stays valid for one more period, so outstanding nonces verify; AUTH-9's
 * stale=true needs the nonce to outlive a rotation, since an unknown key id reads as
 * INVALID). Workers read it through a nonce_keyring_pub and apply it with nonce_ctx_apply().
 */
struct nonce_keyring {
	uint32_t gen;                    /* bumped per rotation; key id = gen & 0xff */
	bool has_prev;                   /* prev is valid (after the first rotation) */
	uint8_t cur[NONCE_KEY_LEN];      /* issues and verifies */
	uint8_t prev[NONCE_KEY_LEN];     /* verifies only: nonces issued before the rotation */
};

/** Per-worker nonce context: HMAC-SHA256 states keyed at nonce_ctx_apply() (cur and prev). */
struct nonce_ctx;

enum nonce_status {
	NONCE_OK,      /* ours, for this source IP and realm, younger than the lifetime */
	NONCE_STALE,   /* ours, but older than the lifetime: rechallenge with stale=true (I-5) */
	NONCE_INVALID, /* not ours: forged, tampered, other source IP/realm, unknown key */
};

/** What a verified (OK or STALE) nonce says about itself. */
struct nonce_info {
	uint32_t issued_s; /* issue time, s on the caller's clock */
	uint32_t age_s;    /* now - issued_s, 0 when issued slightly in the future */
	uint8_t worker;    /* issuing worker */
	bool same_call;    /* the Call-ID given to nonce_verify() is the one that was challenged */
};

/** Fill @p kr with a fresh random key from getrandom() (ctrlplane, at start). 0 or -errno. */
int nonce_keyring_init(struct nonce_keyring *kr);

/** prev = cur, cur = fresh random key, gen++ (ctrlplane). 0 or -errno; unchanged on error. */
int nonce_keyring_rotate(struct nonce_keyring *kr);

/**
 * BENCHMARK ONLY: a fixed key derived from @p seed so pcaps with precomputed answers replay
 * identically. Never called by the daemon unless the bench flag is given explicitly; the clock
 * is always injected (every function takes @c now), so no other test hook exists.
 */
void nonce_keyring_init_deterministic(struct nonce_keyring *kr, uint64_t seed);

/**
 * A key ring as ctrlplane publishes it to the workers: a sequence lock, since the writer
 * (one ctrlplane thread) and the readers (workers, between packets) share no lock. @seq is
 * odd while a new ring is being copied in, and grows by 2 per publication (0: never
 * published). Zero-initialise, then nonce_keyring_publish() before any reader starts.
 */
struct nonce_keyring_pub {
	uint32_t seq;
	struct nonce_keyring ring; /* readers: only through nonce_keyring_read() */
};

/** ctrlplane (the only writer): make @p next the published ring. */
void nonce_keyring_publish(struct nonce_keyring_pub *pub, const struct nonce_keyring *next);

/**
 * Worker: when the ring was published again since *@p seen, copy it into @p out and set
 * *@p seen. Returns true when @p out holds a new, consistent ring; false when nothing changed
 * or the writer is mid-copy (call again later). One acquire load when nothing changed.
 */
bool nonce_keyring_read(const struct nonce_keyring_pub *pub, uint32_t *seen,
			struct nonce_keyring *out);

/**
 * ctrlplane: rotate and publish when @p interval_s have passed since *@p last_s (both s on
 * one monotonic clock; *@p last_s is set to @p now_s on a rotation). @p interval_s 0 never
 * rotates. Returns 1 rotated, 0 not due, -errno when no random key was available (nothing
 * changed; the next call tries again).
 */
int nonce_keyring_rotate_due(struct nonce_keyring_pub *pub, uint64_t now_s, uint64_t *last_s,
			     uint32_t interval_s);

/** Make a worker's context (init; allocates). NULL when out of memory. */
struct nonce_ctx *nonce_ctx_create(uint8_t worker_id);

/** Wipe and free it; NULL is a no-op. */
void nonce_ctx_destroy(struct nonce_ctx *ctx);

/**
 * Take the keys of @p kr (between bursts, when kr->gen differs from the applied one;
 * cheap to call every burst): two HMAC key schedules when the ring changed. Always 0 (the
 * int is kept for callers that check).
 */
int nonce_ctx_apply(struct nonce_ctx *ctx, const struct nonce_keyring *kr);

/**
 * Tag of one request (its transaction): the top Via branch and the CSeq number. A request
 * answering a challenge has a new CSeq (RFC 3261 22.2) and branch, so a new tag; a
 * retransmission has the same. Only its low 24 bits go into a nonce.
 */
uint32_t nonce_request_tag(struct sf_span via_branch, uint32_t cseq);

/**
 * Write a nonce of NONCE_TEXT_LEN bytes (no NUL) into @p out. The same arguments in the same
 * second give the same nonce (a retransmitted request gets the same challenge); another
 * request (@p req_tag) gets another nonce, also in the same second for the same Call-ID.
 * @param src_ip  source IPv4 address as pkt_meta.src_ip holds it (network byte order)
 * @param realm   realm we challenge for
 * @param call_id Call-ID of the challenged request
 * @param req_tag nonce_request_tag() of the challenged request
 * @param now     s, the worker's monotonic clock
 * @return 0, or -ENOKEY before nonce_ctx_apply()
 */
int nonce_issue(struct nonce_ctx *ctx, uint32_t src_ip, struct sf_span realm,
		struct sf_span call_id, uint32_t req_tag, uint32_t now,
		uint8_t out[NONCE_TEXT_LEN]);

/**
 * Check a nonce the client sent back. OK and STALE fill @p info; the MAC is compared in
 * constant time. @p lifetime_s: older nonces are STALE (the registrar passes
 * SS_SIP_AUTHENTICATION_TIMEOUT, so STALE also means "answered after the session timeout").
 */
enum nonce_status nonce_verify(struct nonce_ctx *ctx, struct sf_span nonce, uint32_t src_ip,
			       struct sf_span realm, struct sf_span call_id, uint32_t now,
			       uint32_t lifetime_s, struct nonce_info *info);

#endif
