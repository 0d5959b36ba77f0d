/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stateless nonces. Wire layout before base64url (30 bytes, so 40 characters, no padding):
 *   [0] version  [1] key id  [2] worker  [3..6] issue time s (BE)  [7..10] Call-ID tag (BE)
 *   [11..13] request tag, low 24 bits (BE): nonce_request_tag() of the challenged request
 *   [14..29] HMAC-SHA256(key, bytes 0..13 | source IP | realm length | realm), first 16 bytes
 * 128 MAC bits are far beyond what an online forger can try; the time is in the clear because
 * only the MAC makes it trustworthy.
 *
 * The request tag makes every challenge's nonce fresh (AUTH-4), also a re-challenge in the
 * same second for the same Call-ID and source: the answer to a challenge is a new request
 * (RFC 3261 22.2: CSeq incremented, and a new Via branch), so its tag differs. A
 * retransmission of one request (same branch, same CSeq) in the same second gets the same
 * nonce, so the stateless 401 we send again is byte-identical, as a transaction's would be
 * (a fresh nonce there makes UAs that match retransmitted responses by content, such as
 * SIPp, see an unexpected second challenge). Not checked on verify: the nonce stays stateless.
 */
#include <errno.h>
#include <string.h>

#include <nettle/hmac.h>
#include <nettle/memops.h>

#include "dataplane/auth/nonce.h"
#include "dataplane/auth/nonce_impl.h"

#define NONCE_VERSION 2 /* 1: 27 bytes, without the request tag */
#define NONCE_HDR_LEN 14
#define NONCE_MAC_LEN 16
#define NONCE_BIN_LEN (NONCE_HDR_LEN + NONCE_MAC_LEN)

_Static_assert(NONCE_BIN_LEN % 3 == 0 && NONCE_BIN_LEN / 3 * 4 == NONCE_TEXT_LEN,
	       "nonce text is unpadded base64url of the binary nonce");


bool
nonce_keyring_read(const struct nonce_keyring_pub *pub, uint32_t *seen,
		   struct nonce_keyring *out)
{
	uint32_t seq = __atomic_load_n(&pub->seq, __ATOMIC_ACQUIRE);

	if (seq == *seen || (seq & 1) != 0)
		return false;
	memcpy(out, &pub->ring, sizeof(*out));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&pub->seq, __ATOMIC_RELAXED) != seq) {
		nonce_wipe(out, sizeof(*out)); /* torn: a rotation overtook the copy */
		return false;
	}
	*seen = seq;
	return true;
}

static void
slot_clear(struct nonce_key_slot *s)
{
	nonce_wipe(s, sizeof(*s)); /* the padded-key states are as secret as the key */
}

/* The key schedule, once per key: after this a MAC costs two SHA-256 compressions. */
static void
slot_key(struct nonce_key_slot *s, const uint8_t *key, uint8_t key_id)
{
	hmac_sha256_set_key(&s->mac, NONCE_KEY_LEN, key);
	s->key_id = key_id;
	s->valid = true;
}

int
nonce_ctx_apply(struct nonce_ctx *ctx, const struct nonce_keyring *kr)
{
	if (ctx->applied && ctx->applied_gen == kr->gen &&
	    memeql_sec(ctx->applied_key, kr->cur, NONCE_KEY_LEN))
		return 0;
	slot_key(&ctx->cur, kr->cur, (uint8_t)kr->gen);
	if (kr->has_prev)
		slot_key(&ctx->prev, kr->prev, (uint8_t)(kr->gen - 1));
	else
		slot_clear(&ctx->prev);
	ctx->applied = true;
	ctx->applied_gen = kr->gen;
	memcpy(ctx->applied_key, kr->cur, NONCE_KEY_LEN);
	return 0;
}

/* FNV-1a: a tag, not a MAC; see nonce.h for why it need not be secret. */
static uint32_t
call_tag(struct sf_span call_id)
{
	uint32_t h = 2166136261u;
	uint16_t i;

	for (i = 0; i < call_id.len; i++)
		h = (h ^ call_id.p[i]) * 16777619u;
	return h;
}

uint32_t
nonce_request_tag(struct sf_span via_branch, uint32_t cseq)
{
	/* CSeq in the clear: consecutive requests of one Call-ID differ in its low bits. */
	return call_tag(via_branch) ^ cseq;
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* HMAC-SHA256(key, hdr | src_ip | BE16 realm length | realm), first NONCE_MAC_LEN bytes. */
static void
compute_mac(const struct nonce_key_slot *s, const uint8_t hdr[NONCE_HDR_LEN], uint32_t src_ip,
	    struct sf_span realm, uint8_t mac_out[NONCE_MAC_LEN])
{
	struct hmac_sha256_ctx h = s->mac; /* the keyed state, copied: @s stays read-only */
	uint8_t head[NONCE_HDR_LEN + 4 + 2];

	memcpy(head, hdr, NONCE_HDR_LEN);
	memcpy(head + NONCE_HDR_LEN, &src_ip, 4); /* as given: network order */
	head[NONCE_HDR_LEN + 4] = (uint8_t)(realm.len >> 8);
	head[NONCE_HDR_LEN + 5] = (uint8_t)realm.len;
	hmac_sha256_update(&h, sizeof(head), head);
	if (realm.len > 0)
		hmac_sha256_update(&h, realm.len, realm.p);
	hmac_sha256_digest(&h, NONCE_MAC_LEN, mac_out); /* truncated HMAC (RFC 2104 section 5) */
}

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void
b64_encode(const uint8_t bin[NONCE_BIN_LEN], uint8_t out[NONCE_TEXT_LEN])
{
	unsigned int i, o = 0;

	for (i = 0; i < NONCE_BIN_LEN; i += 3) {
		uint32_t v = (uint32_t)bin[i] << 16 | (uint32_t)bin[i + 1] << 8 | bin[i + 2];

		out[o++] = (uint8_t)b64url[(v >> 18) & 63];
		out[o++] = (uint8_t)b64url[(v >> 12) & 63];
		out[o++] = (uint8_t)b64url[(v >> 6) & 63];
		out[o++] = (uint8_t)b64url[v & 63];
	}
}

/* base64url digit value + 1 by character; 0 = not a base64url digit. */
static const uint8_t b64url_dec[256] = {
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 63,  0,  0,
	53, 54, 55, 56, 57, 58, 59, 60, 61, 62,  0,  0,  0,  0,  0,  0,
	 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,  0,  0,  0,  0, 64,
	 0, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41,
	42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
};

static bool
b64_decode(struct sf_span text, uint8_t bin[NONCE_BIN_LEN])
{
	unsigned int i, o = 0;
	uint8_t bad = 0;

	if (text.len != NONCE_TEXT_LEN)
		return false;
	for (i = 0; i < NONCE_TEXT_LEN; i += 4) {
		uint8_t d0 = b64url_dec[text.p[i]], d1 = b64url_dec[text.p[i + 1]];
		uint8_t d2 = b64url_dec[text.p[i + 2]], d3 = b64url_dec[text.p[i + 3]];
		uint32_t v = (uint32_t)(d0 - 1) << 18 | (uint32_t)(d1 - 1) << 12 |
			     (uint32_t)(d2 - 1) << 6 | (uint32_t)(d3 - 1);

		bad |= (uint8_t)(d0 == 0) | (uint8_t)(d1 == 0) | (uint8_t)(d2 == 0) |
		       (uint8_t)(d3 == 0);
		bin[o++] = (uint8_t)(v >> 16);
		bin[o++] = (uint8_t)(v >> 8);
		bin[o++] = (uint8_t)v;
	}
	return bad == 0;
}

int
nonce_issue(struct nonce_ctx *ctx, uint32_t src_ip, struct sf_span realm, struct sf_span call_id,
	    uint32_t req_tag, uint32_t now, uint8_t out[NONCE_TEXT_LEN])
{
	uint8_t bin[NONCE_BIN_LEN];

	if (!ctx->applied || !ctx->cur.valid)
		return -ENOKEY;
	bin[0] = NONCE_VERSION;
	bin[1] = ctx->cur.key_id;
	bin[2] = ctx->worker;
	put_be32(bin + 3, now);
	put_be32(bin + 7, call_tag(call_id));
	bin[11] = (uint8_t)(req_tag >> 16);
	bin[12] = (uint8_t)(req_tag >> 8);
	bin[13] = (uint8_t)req_tag;
	compute_mac(&ctx->cur, bin, src_ip, realm, bin + NONCE_HDR_LEN);
	b64_encode(bin, out);
	return 0;
}

enum nonce_status
nonce_verify(struct nonce_ctx *ctx, struct sf_span nonce, uint32_t src_ip, struct sf_span realm,
	     struct sf_span call_id, uint32_t now, uint32_t lifetime_s, struct nonce_info *info)
{
	uint8_t bin[NONCE_BIN_LEN], mac[NONCE_MAC_LEN];
	const struct nonce_key_slot *slot;
	uint32_t issued;

	if (!ctx->applied || !b64_decode(nonce, bin) || bin[0] != NONCE_VERSION)
		return NONCE_INVALID;
	if (ctx->cur.valid && bin[1] == ctx->cur.key_id)
		slot = &ctx->cur;
	else if (ctx->prev.valid && bin[1] == ctx->prev.key_id)
		slot = &ctx->prev;
	else
		return NONCE_INVALID;
	compute_mac(slot, bin, src_ip, realm, mac);
	if (!memeql_sec(mac, bin + NONCE_HDR_LEN, NONCE_MAC_LEN)) /* constant time */
		return NONCE_INVALID;
	issued = get_be32(bin + 3);
	if (issued > now && issued - now > NONCE_FUTURE_SLACK_S)
		return NONCE_INVALID; /* a MAC we made, from a clock we never had: refuse */
	info->issued_s = issued;
	info->age_s = issued > now ? 0 : now - issued;
	info->worker = bin[2];
	info->same_call = get_be32(bin + 7) == call_tag(call_id);
	return info->age_s > lifetime_s ? NONCE_STALE : NONCE_OK;
}
