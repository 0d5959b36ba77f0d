/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Digest response computation and verification over nettle's MD5 and SHA-256, and the
 * challenge header writer. Every packet-path function writes into fixed buffers and the hash
 * state lives in the per-worker context: nothing here allocates after digest_ctx_create().
 */
#include <errno.h>
#include <string.h>

#include <nettle/md5.h>
#include <nettle/nettle-meta.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>

#include "dataplane/auth/digest.h"
#include "dataplane/auth/digest_impl.h"
#include "dataplane/sip/scan.h"


/* Up to this many pieces are hashed together, with ':' between them. */
#define PARTS_MAX 6

static const struct {
	const char *name;
	uint8_t name_len;
	uint8_t hash;
	bool sess;
} alg_info[DIGEST_ALG_MAX] = {
	[DIGEST_ALG_MD5] = { "MD5", 3, HASH_MD5, false },
	[DIGEST_ALG_SHA256] = { "SHA-256", 7, HASH_SHA256, false },
	[DIGEST_ALG_MD5_SESS] = { "MD5-sess", 8, HASH_MD5, true },
	[DIGEST_ALG_SHA256_SESS] = { "SHA-256-sess", 12, HASH_SHA256, true },
};

static inline uint8_t
lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* Case-insensitive equality of a span and a literal of @lit_len bytes. */
static bool
span_ieq(struct sf_span s, const char *lit, size_t lit_len)
{
	size_t i;

	if (s.len != lit_len)
		return false;
	for (i = 0; i < lit_len; i++)
		if (lower(s.p[i]) != lower((uint8_t)lit[i]))
			return false;
	return true;
}

int
digest_alg_parse(struct sf_span token, enum digest_alg *alg)
{
	unsigned int a;

	if (token.len == 0) {
		*alg = DIGEST_ALG_MD5;
		return 0;
	}
	for (a = 0; a < DIGEST_ALG_MAX; a++) {
		if (span_ieq(token, alg_info[a].name, alg_info[a].name_len)) {
			*alg = (enum digest_alg)a;
			return 0;
		}
	}
	return -ENOTSUP;
}

size_t
digest_hex_len(enum digest_alg alg)
{
	return alg_info[alg].hash == HASH_SHA256 ? 64 : 32;
}

int
digest_creds_from_scan(const struct sip_scan_auth *auth, struct digest_creds *creds)
{
	int rc;

	if (!auth->is_digest)
		return -EINVAL;
	memset(creds, 0, sizeof(*creds));
	rc = digest_alg_parse(auth->algorithm, &creds->alg);
	if (rc != 0)
		return rc;
	if (auth->qop.len != 0 && !span_ieq(auth->qop, "auth", 4))
		return -ENOTSUP; /* auth-int would need the body hashed; we never offer it */
	creds->qop_auth = auth->qop.len != 0;
	creds->username = auth->username;
	creds->realm = auth->realm;
	creds->nonce = auth->nonce;
	creds->uri = auth->uri;
	creds->response = auth->response;
	creds->cnonce = auth->cnonce;
	creds->nc = auth->nc;
	return 0;
}

static void
to_hex(const uint8_t *bin, unsigned int n, uint8_t *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned int i;

	for (i = 0; i < n; i++) {
		out[2 * i] = (uint8_t)hex[bin[i] >> 4];
		out[2 * i + 1] = (uint8_t)hex[bin[i] & 0xf];
	}
}

/* Bytes of joined parts hashed in one update; longer input is hashed part by part. */
#define JOIN_MAX 512

/*
 * out = hex(H(parts[0] ":" parts[1] ":" ... )), lowercase; 2 * hash size bytes. The parts are
 * joined on the stack first when they fit, so the hash sees one update instead of one per
 * part and separator (each nettle update call costs a buffer check and a copy).
 */
static int
hash_parts(struct digest_ctx *ctx, unsigned int hash, const struct sf_span *parts,
	   unsigned int n_parts, uint8_t out[DIGEST_HEX_MAX])
{
	static const uint8_t colon = ':';
	uint8_t bin[SHA256_DIGEST_SIZE], join[JOIN_MAX];
	size_t total = n_parts - 1, len = 0;
	unsigned int i;

	for (i = 0; i < n_parts; i++)
		total += parts[i].len;
	if (total <= sizeof(join)) {
		for (i = 0; i < n_parts; i++) {
			if (i > 0)
				join[len++] = ':';
			if (parts[i].len > 0)
				memcpy(join + len, parts[i].p, parts[i].len);
			len += parts[i].len;
		}
	}
	/* nettle's generic hash descriptors: one code path for MD5 and SHA-256. */
	const struct nettle_hash *h = hash == HASH_MD5 ? &nettle_md5 : &nettle_sha256;
	void *st = hash == HASH_MD5 ? (void *)&ctx->h.md5 : (void *)&ctx->h.sha256;

	h->init(st);
	if (len == total) {
		h->update(st, len, join);
	} else {
		for (i = 0; i < n_parts; i++) {
			if (i > 0)
				h->update(st, 1, &colon);
			if (parts[i].len > 0)
				h->update(st, parts[i].len, parts[i].p);
		}
	}
	h->digest(st, h->digest_size, bin);
	to_hex(bin, h->digest_size, out);
	return 0;
}

/* ha2 = hex(H(method ":" uri)), from the one-entry cache in @ctx when the input repeats. */
static int
hash_ha2(struct digest_ctx *ctx, unsigned int hash, struct sf_span method, struct sf_span uri,
	 uint8_t ha2[DIGEST_HEX_MAX])
{
	const struct sf_span parts[2] = {method, uri};
	size_t key_len = (size_t)method.len + 1 + uri.len;
	size_t hex_len = hash == HASH_SHA256 ? 64 : 32;
	int rc;

	if (ctx->ha2.valid && ctx->ha2.hash == hash && ctx->ha2.key_len == key_len &&
	    memcmp(ctx->ha2.key, method.p, method.len) == 0 && ctx->ha2.key[method.len] == ':' &&
	    (uri.len == 0 || memcmp(ctx->ha2.key + method.len + 1, uri.p, uri.len) == 0)) {
		memcpy(ha2, ctx->ha2.hex, hex_len);
		return 0;
	}
	rc = hash_parts(ctx, hash, parts, 2, ha2);
	if (rc != 0 || key_len > sizeof(ctx->ha2.key))
		return rc;
	memcpy(ctx->ha2.key, method.p, method.len);
	ctx->ha2.key[method.len] = ':';
	if (uri.len > 0)
		memcpy(ctx->ha2.key + method.len + 1, uri.p, uri.len);
	ctx->ha2.key_len = (uint16_t)key_len;
	ctx->ha2.hash = (uint8_t)hash;
	memcpy(ctx->ha2.hex, ha2, hex_len);
	ctx->ha2.valid = true;
	return 0;
}

int
digest_ha1(struct digest_ctx *ctx, enum digest_alg alg, struct sf_span username,
	   struct sf_span realm, struct sf_span password, uint8_t out[DIGEST_HEX_MAX])
{
	const struct sf_span parts[3] = { username, realm, password };

	return hash_parts(ctx, alg_info[alg].hash, parts, 3, out);
}

static struct sf_span
span_of(const uint8_t *p, size_t len)
{
	return (struct sf_span){ .p = p, .len = (uint16_t)len };
}

int
digest_response(struct digest_ctx *ctx, const struct digest_creds *creds, struct sf_span method,
		struct sf_span ha1_hex, uint8_t out[DIGEST_HEX_MAX])
{
	static const uint8_t qop_auth[] = "auth";
	unsigned int hash = alg_info[creds->alg].hash;
	size_t hex_len = digest_hex_len(creds->alg);
	uint8_t ha1[DIGEST_HEX_MAX], ha2[DIGEST_HEX_MAX];
	struct sf_span parts[PARTS_MAX];
	int rc;

	if (ha1_hex.len != hex_len)
		return -EINVAL;
	if (creds->qop_auth && (creds->nc.len != 8 || creds->cnonce.len == 0))
		return -EINVAL;
	if (alg_info[creds->alg].sess) {
		/* RFC 7616 3.4.2: HA1 = H(H(user:realm:pw) ":" nonce ":" cnonce) */
		parts[0] = ha1_hex;
		parts[1] = creds->nonce;
		parts[2] = creds->cnonce;
		rc = hash_parts(ctx, hash, parts, 3, ha1);
		if (rc != 0)
			return rc;
	} else {
		memcpy(ha1, ha1_hex.p, hex_len);
	}
	rc = hash_ha2(ctx, hash, method, creds->uri, ha2);
	if (rc != 0)
		return rc;
	parts[0] = span_of(ha1, hex_len);
	parts[1] = creds->nonce;
	if (!creds->qop_auth) {
		parts[2] = span_of(ha2, hex_len);
		return hash_parts(ctx, hash, parts, 3, out);
	}
	parts[2] = creds->nc;
	parts[3] = creds->cnonce;
	parts[4] = span_of(qop_auth, 4);
	parts[5] = span_of(ha2, hex_len);
	return hash_parts(ctx, hash, parts, 6, out);
}

enum digest_verdict
digest_verify(struct digest_ctx *ctx, const struct digest_creds *creds, struct sf_span method,
	      struct sf_span ha1_hex)
{
	uint8_t want[DIGEST_HEX_MAX], got[DIGEST_HEX_MAX];
	size_t hex_len = digest_hex_len(creds->alg), i;

	if (creds->response.len != hex_len)
		return DIGEST_MALFORMED; /* the length is public: no timing to hide */
	if (digest_response(ctx, creds, method, ha1_hex, want) != 0)
		return DIGEST_MALFORMED;
	for (i = 0; i < hex_len; i++)
		got[i] = lower(creds->response.p[i]);
	return memeql_sec(want, got, hex_len) ? DIGEST_OK : DIGEST_WRONG; /* constant time */
}

/* Bounded appender over the caller's buffer; @overflow latches. */
struct writer {
	uint8_t *p;
	size_t len, cap;
	bool overflow;
};

static void
put(struct writer *w, const void *src, size_t n)
{
	if (w->overflow || n > w->cap - w->len) {
		w->overflow = true;
		return;
	}
	memcpy(w->p + w->len, src, n);
	w->len += n;
}

#define PUT_LIT(w, lit) put((w), (lit), sizeof(lit) - 1)

static void
put_one(struct writer *w, const struct digest_challenge *ch, const char *alg, size_t alg_len)
{
	if (ch->proxy)
		PUT_LIT(w, "Proxy-Authenticate: Digest realm=\"");
	else
		PUT_LIT(w, "WWW-Authenticate: Digest realm=\"");
	put(w, ch->realm.p, ch->realm.len);
	PUT_LIT(w, "\", nonce=\"");
	put(w, ch->nonce.p, ch->nonce.len);
	PUT_LIT(w, "\", qop=\"auth\", algorithm=");
	put(w, alg, alg_len);
	if (ch->stale)
		PUT_LIT(w, ", stale=true");
	PUT_LIT(w, "\r\n");
}

static bool
is_quotable(struct sf_span s)
{
	uint16_t i;

	for (i = 0; i < s.len; i++)
		if (s.p[i] == '"' || s.p[i] == '\\' || s.p[i] == '\r' || s.p[i] == '\n')
			return false;
	return true;
}

int
digest_challenge_render(uint8_t *buf, size_t cap, const struct digest_challenge *ch)
{
	struct writer w = { .p = buf, .cap = cap };
	unsigned int offers = ch->offers != 0 ? ch->offers : DIGEST_OFFER_BOTH;

	if (!is_quotable(ch->realm) || !is_quotable(ch->nonce))
		return -EINVAL;
	if (offers & DIGEST_OFFER_SHA256)
		put_one(&w, ch, "SHA-256", 7);
	if (offers & DIGEST_OFFER_MD5)
		put_one(&w, ch, "MD5", 3);
	if (w.overflow)
		return -ENOSPC;
	return (int)w.len;
}
