/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP Digest for SIP (RFC 2617, RFC 7616, RFC 8760): response computation and constant-time
 * verification for qop=auth and no qop, MD5 and SHA-256 and their -sess variants, from a
 * precomputed HA1; challenge header rendering into a caller buffer. Pure C on nettle (MD5,
 * SHA-256, memeql_sec): no DPDK header, and no allocation after digest_ctx_create(). Hashes
 * only; the nonce is nonce.h's business.
 */
#ifndef SF_DIGEST_H
#define SF_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/sf_span.h"

struct sip_scan_auth;

/** Digest algorithms we verify. The -sess variants hash HA1 again with nonce and cnonce. */
enum digest_alg {
	DIGEST_ALG_MD5,         /* "MD5", or no algorithm parameter (RFC 2617 default) */
	DIGEST_ALG_SHA256,      /* "SHA-256" */
	DIGEST_ALG_MD5_SESS,    /* "MD5-sess" */
	DIGEST_ALG_SHA256_SESS, /* "SHA-256-sess" */
	DIGEST_ALG_MAX
};

#define DIGEST_HEX_MAX 64 /**< hex digits of the longest hash we use (SHA-256) */

/** Challenge offers for digest_challenge_render(); SHA-256 is always written first. */
#define DIGEST_OFFER_SHA256 (1u << 0)
#define DIGEST_OFFER_MD5    (1u << 1)
#define DIGEST_OFFER_BOTH   (DIGEST_OFFER_SHA256 | DIGEST_OFFER_MD5)

/** Per-worker hashing context: the scratch MD5/SHA-256 state, made at init. One thread. */
struct digest_ctx;

/** Credentials of one Authorization / Proxy-Authorization header, quotes stripped. */
struct digest_creds {
	struct sf_span username;
	struct sf_span realm;
	struct sf_span nonce;
	struct sf_span uri;      /* digest-uri as the client hashed it */
	struct sf_span response; /* hex, either case */
	struct sf_span cnonce;   /* required with qop=auth */
	struct sf_span nc;       /* 8 hex digits, required with qop=auth */
	enum digest_alg alg;
	bool qop_auth;           /* qop=auth; false = RFC 2069 compatibility (no qop) */
};

/** Outcome of digest_verify(). */
enum digest_verdict {
	DIGEST_OK,        /* the response matches */
	DIGEST_WRONG,     /* well-formed, but the response does not match: a wrong password */
	DIGEST_MALFORMED, /* cannot be checked (missing nc/cnonce, bad lengths): not a guess */
};

/** Make a hashing context (init or config code, any thread; allocates). NULL: no memory. */
struct digest_ctx *digest_ctx_create(void);

/** Wipe and free a context from digest_ctx_create(); NULL is a no-op. */
void digest_ctx_destroy(struct digest_ctx *ctx);

/**
 * Map an algorithm token (case-insensitive) to its enum; an absent token (len 0) is MD5.
 * @return 0, or -ENOTSUP for an algorithm we do not implement (e.g. SHA-512-256)
 */
int digest_alg_parse(struct sf_span token, enum digest_alg *alg);

/** Hex digits of @p alg's hash: 32 for MD5, 64 for SHA-256. */
size_t digest_hex_len(enum digest_alg alg);

/**
 * Fill @p creds from the scanner's view of the header.
 * @return 0, -ENOTSUP for an unknown algorithm or a qop other than auth (auth-int),
 *         -EINVAL when the scheme is not Digest
 */
int digest_creds_from_scan(const struct sip_scan_auth *auth, struct digest_creds *creds);

/**
 * HA1 = H(username ":" realm ":" password) in lowercase hex, for the base hash of @p alg
 * (MD5 for MD5 and MD5-sess). Config code uses it to precompute an account's HA1 per realm so
 * the packet path never sees the password. @p out gets digest_hex_len(alg) bytes, no NUL.
 * @return 0 (nettle's hashes cannot fail; the int is kept for callers that check)
 */
int digest_ha1(struct digest_ctx *ctx, enum digest_alg alg, struct sf_span username,
	       struct sf_span realm, struct sf_span password, uint8_t out[DIGEST_HEX_MAX]);

/**
 * The expected response for @p creds and @p method (RFC 7616 3.4.1), lowercase hex into
 * @p out (digest_hex_len(creds->alg) bytes). @p ha1_hex is the account's stored HA1 for the
 * base hash (the -sess step is applied here). creds->response is not read. Also what the
 * outbound client (AUTH-10) sends.
 * @return 0, or -EINVAL (bad HA1 length, qop=auth without nc/cnonce)
 */
int digest_response(struct digest_ctx *ctx, const struct digest_creds *creds,
		    struct sf_span method, struct sf_span ha1_hex, uint8_t out[DIGEST_HEX_MAX]);

/**
 * Check creds->response against the expected response in constant time (memeql_sec over
 * the full hash length; the case of the client's hex digits does not matter).
 */
enum digest_verdict digest_verify(struct digest_ctx *ctx, const struct digest_creds *creds,
				  struct sf_span method, struct sf_span ha1_hex);

/** What digest_challenge_render() writes. */
struct digest_challenge {
	struct sf_span realm; /* our realm; must not contain '"', '\\', CR or LF */
	struct sf_span nonce; /* from nonce_issue() */
	unsigned int offers;  /* DIGEST_OFFER_* bits; 0 means both */
	bool proxy;           /* Proxy-Authenticate (407) instead of WWW-Authenticate (401) */
	bool stale;           /* add stale=true (a correct answer with an expired nonce, I-5) */
};

/**
 * Write the challenge header line(s), each ending in CRLF, e.g.
 * `WWW-Authenticate: Digest realm="r", nonce="n", qop="auth", algorithm=SHA-256, stale=true`
 * then the same with algorithm=MD5 (RFC 8760 section 2.4: most preferred first). No allocation.
 * @return bytes written, -ENOSPC when @p cap is too small (nothing usable written),
 *         -EINVAL for a realm that would break the quoted string
 */
int digest_challenge_render(uint8_t *buf, size_t cap, const struct digest_challenge *ch);

#endif
