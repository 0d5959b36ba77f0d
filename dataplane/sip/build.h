/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stateless SIP responses written straight into a caller's buffer (the payload area of an
 * mbuf on the fast path): RFC 3261 8.2.6 / 18.2.2 and RFC 3581. Pure C, no DPDK, no
 * allocation, no printf.
 */
#ifndef SF_SIP_BUILD_H
#define SF_SIP_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dataplane/sf_span.h"
#include "dataplane/sip/scan.h"

/** Bytes of a To tag we mint (hex digits). */
#define SIP_BUILD_TAG_LEN 16
/** Bytes of a nonce from sip_build_nonce() (hex digits). */
#define SIP_BUILD_NONCE_LEN 24

/** A span over a string literal. */
#define SIP_BUILD_LIT(lit) ((struct sf_span){(const uint8_t *)(lit), sizeof(lit) - 1})

/**
 * Bounded append cursor over a caller's buffer, shared by every response writer (this file,
 * the registrar's Contact/Expires lines). @ok drops to false on the first write that does
 * not fit and stays false; bytes written = p - start. No allocation.
 */
struct sip_bw {
	uint8_t *p;
	uint8_t *end;
	bool ok;
};

/** A writer over @cap bytes at @buf. */
#define SIP_BW_INIT(buf, cap) ((struct sip_bw){(buf), (buf) + (cap), true})

/** Append @len bytes (an absent span, (NULL, 0), is fine). */
static inline void
sip_bw_put(struct sip_bw *w, const void *src, size_t len)
{
	if (!w->ok || (size_t)(w->end - w->p) < len) {
		w->ok = false;
		return;
	}
	if (len == 0)
		return; /* memcpy must not see a NULL source */
	memcpy(w->p, src, len);
	w->p += len;
}

/** Append a string literal (without its NUL). */
#define SIP_BW_LIT(w, lit) sip_bw_put((w), (lit), sizeof(lit) - 1)

static inline void
sip_bw_span(struct sip_bw *w, struct sf_span s)
{
	sip_bw_put(w, s.p, s.len);
}

/** Append @v in decimal, no leading zeros. */
void sip_bw_uint(struct sip_bw *w, uint32_t v);

/** What to answer; the rest is copied from the request. */
struct sip_build_resp {
	uint16_t code;              /* 100..699 */
	struct sf_span reason;      /* reason phrase, e.g. SIP_BUILD_LIT("OK") */
	uint32_t src_ip_be;         /* request's source IP (received=), network order */
	uint16_t src_port;          /* request's source port (rport=), host order */
	uint64_t tag_key;           /* keys the To tag minted when the request has none */
	struct sf_span extra;       /* header lines to add, each ending CRLF, may be empty */
	struct sf_span server;      /* Server header value; empty = no Server header */
	/* The call engine's relays (zero = a stateless answer, as above): */
	struct sf_span to_tag;      /* To tag to add when the request has none (our token);
				       empty = mint one from tag_key */
	bool no_to_tag;             /* add no To tag (100 Trying) */
	struct sf_span body;        /* message body (SDP), sent with Content-Type */
	struct sf_span content_type; /* Content-Type value when @body is not empty */
};

/**
 * Write a response to request @req (@req_len bytes, scanned into @s with at least
 * SIP_WANT_FROM_TO and SIP_SCAN_OK) into @buf: every Via in order, the top one with
 * received= and, when it had rport without a value, rport=<src_port>; From; To with a tag
 * (minted deterministically from Call-ID, From tag and top Via branch when absent); Call-ID;
 * CSeq; @r->extra; Server when given; Content-Length: 0.
 *
 * @return bytes written, or -1 when @cap is too small or Via/From/To/Call-ID/CSeq is missing
 */
int sip_build_response(uint8_t *buf, size_t cap, const uint8_t *req, size_t req_len,
		       const struct sip_scan *s, const struct sip_build_resp *r);

/**
 * The header line of a digest challenge into @buf:
 * `WWW-Authenticate` (or `Proxy-Authenticate` when @proxy) `: Digest realm="@realm",
 * nonce="@nonce", algorithm=MD5, qop="auth"` CRLF.
 * @return bytes written, or -1 when @cap is too small
 */
int sip_build_challenge(uint8_t *buf, size_t cap, bool proxy, struct sf_span realm,
			struct sf_span nonce);

/**
 * A stateless nonce: 8 hex digits of @now_s, then 16 of a keyed hash of (@key, @now_s,
 * @ip_be), so a verifier holding @key can check it and its age without state.
 * Writes exactly SIP_BUILD_NONCE_LEN bytes to @out.
 */
void sip_build_nonce(uint8_t out[SIP_BUILD_NONCE_LEN], uint64_t key, uint32_t ip_be,
		     uint32_t now_s);

/** The To tag sip_build_response() mints for @s: SIP_BUILD_TAG_LEN hex digits in @out. */
void sip_build_tag(uint8_t out[SIP_BUILD_TAG_LEN], uint64_t key, const struct sip_scan *s);

#endif
