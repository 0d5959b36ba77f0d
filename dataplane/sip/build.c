/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stateless responses: headers copied from the raw request (so Via, From, Call-ID and CSeq
 * are byte-identical), written with bounds-checked appends. No allocation, no printf.
 */
#include <string.h>

#include "dataplane/sip/build.h"

void
sip_bw_uint(struct sip_bw *w, uint32_t v)
{
	uint8_t tmp[10];
	int n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = (uint8_t)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	sip_bw_put(w, tmp + sizeof(tmp) - n, (size_t)n);
}

static void
bw_ipv4(struct sip_bw *w, uint32_t ip_be)
{
	const uint8_t *b = (const uint8_t *)&ip_be;
	int i;

	for (i = 0; i < 4; i++) {
		if (i > 0)
			SIP_BW_LIT(w, ".");
		sip_bw_uint(w, b[i]);
	}
}

static void
hex_out(uint8_t *out, uint64_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = digits - 1; i >= 0; i--) {
		out[i] = (uint8_t)hex[v & 0xf];
		v >>= 4;
	}
}

static uint64_t
hash_mix(uint64_t h, struct sf_span s)
{
	h = sf_fnv1a64(h, s.p, s.len);
	return (h ^ (h >> 31)) * 0x9e3779b97f4a7c15ull;
}

void
sip_build_tag(uint8_t out[SIP_BUILD_TAG_LEN], uint64_t key, const struct sip_scan *s)
{
	uint64_t h = 0xcbf29ce484222325ull ^ key;

	h = hash_mix(h, s->call_id);
	h = hash_mix(h, s->from.tag);
	h = hash_mix(h, s->via.branch);
	hex_out(out, h, SIP_BUILD_TAG_LEN);
}

void
sip_build_nonce(uint8_t out[SIP_BUILD_NONCE_LEN], uint64_t key, uint32_t ip_be, uint32_t now_s)
{
	uint64_t h = (key ^ ((uint64_t)now_s << 32 | ip_be)) * 0x9e3779b97f4a7c15ull;

	h ^= h >> 29;
	h = (h ^ key) * 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	hex_out(out, now_s, 8);
	hex_out(out + 8, h, 16);
}

static inline uint8_t
lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c | 0x20) : c;
}

/* Is header name @n (@len bytes) @full (lower case) or its compact form @compact? */
static bool
name_is(const uint8_t *n, size_t len, const char *full, size_t flen, char compact)
{
	size_t i;

	if (len == 1)
		return lower(n[0]) == (uint8_t)compact;
	if (len != flen)
		return false;
	for (i = 0; i < len; i++)
		if (lower(n[i]) != (uint8_t)full[i])
			return false;
	return true;
}

#define NAME_IS(n, lit, compact) name_is((n).p, (n).len, (lit), sizeof(lit) - 1, (compact))

/* The raw header values a response copies. */
struct req_hdrs {
	struct sf_span via[SIP_SCAN_MAX_HEADERS]; /* each Via header's value, in order */
	unsigned int n_via;
	struct sf_span from, to, call_id, cseq;
};

static inline bool
is_ws(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/*
 * Next header line at *@off: its name and value (leading and trailing whitespace cut,
 * folded continuation lines included). Returns false at the empty line or the end.
 * Lines are found with memchr (vectorised in libc), not byte by byte: this walk is most of a
 * response's cost. The name ends at the first ':' of the header (of its first line that has
 * one when folded); a line without ':' is skipped.
 */
static bool
next_header(const uint8_t *m, size_t len, size_t *off, struct sf_span *name,
	    struct sf_span *val)
{
	size_t i = *off, start, colon, end;

again:
	start = i;
	colon = 0; /* 0 = none yet: a header never starts at offset 0 (the start line does) */
	if (i >= len || m[i] == '\r' || m[i] == '\n')
		return false;
	for (;;) {
		const uint8_t *nl = memchr(m + i, '\n', len - i);
		size_t e = nl != NULL ? (size_t)(nl - m) : len;

		if (colon == 0) {
			const uint8_t *c = memchr(m + i, ':', e - i);

			if (c != NULL)
				colon = (size_t)(c - m);
		}
		i = e;
		if (i >= len || i + 1 >= len || !is_ws(m[i + 1]))
			break;
		i++; /* folded: the next line continues this header */
	}
	end = i;
	*off = i < len ? i + 1 : len;
	if (colon == 0) {
		i = *off; /* not a header line: skip it */
		goto again;
	}
	name->p = m + start;
	name->len = (uint16_t)(colon - start);
	while (name->len > 0 && is_ws(name->p[name->len - 1]))
		name->len--;
	i = colon + 1;
	while (i < end && (is_ws(m[i]) || m[i] == '\r' || m[i] == '\n'))
		i++;
	while (end > i && (is_ws(m[end - 1]) || m[end - 1] == '\r' || m[end - 1] == '\n'))
		end--;
	val->p = m + i;
	val->len = (uint16_t)(end - i);
	return true;
}

/*
 * The headers a response copies, by name: dispatched on the name's length first, so the
 * many headers a response does not copy (Authorization, Contact, User-Agent, ...) cost one
 * switch instead of five name comparisons.
 */
static void
collect_headers(const uint8_t *req, size_t len, size_t off, struct req_hdrs *h)
{
	struct sf_span n, v;

	while (next_header(req, len, &off, &n, &v)) {
		struct sf_span *dst = NULL;

		switch (n.len) {
		case 1: /* compact forms (RFC 3261 7.3.3) */
			switch (lower(n.p[0])) {
			case 'v':
				goto via;
			case 'f':
				dst = &h->from;
				break;
			case 't':
				dst = &h->to;
				break;
			case 'i':
				dst = &h->call_id;
				break;
			}
			break;
		case 2:
			if (NAME_IS(n, "to", '\0'))
				dst = &h->to;
			break;
		case 3:
			if (NAME_IS(n, "via", '\0'))
				goto via;
			break;
		case 4:
			if (NAME_IS(n, "from", '\0'))
				dst = &h->from;
			else if (NAME_IS(n, "cseq", '\0'))
				dst = &h->cseq;
			break;
		case 7:
			if (NAME_IS(n, "call-id", '\0'))
				dst = &h->call_id;
			break;
		}
		if (dst != NULL && dst->p == NULL)
			*dst = v; /* the first one counts */
		continue;
via:
		if (h->n_via < SIP_SCAN_MAX_HEADERS)
			h->via[h->n_via++] = v;
	}
}

/* Length of the first value of a Via header (up to a comma outside quotes). */
static uint16_t
first_value_len(struct sf_span v)
{
	const uint8_t *comma = memchr(v.p, ',', v.len);
	bool quoted = false;
	uint16_t i;

	if (comma == NULL)
		return v.len; /* the usual case: one value per Via header */
	if (memchr(v.p, '"', (size_t)(comma - v.p)) == NULL)
		return (uint16_t)(comma - v.p); /* no quoted string before the comma */
	for (i = 0; i < v.len; i++) {
		if (v.p[i] == '"')
			quoted = !quoted;
		else if (v.p[i] == '\\' && quoted)
			i++;
		else if (v.p[i] == ',' && !quoted)
			return i;
	}
	return v.len;
}

/* Offset just past a valueless "rport" parameter in Via value @v, or 0 when there is none. */
static uint16_t
rport_end(struct sf_span v)
{
	static const char rp[] = "rport";
	const uint8_t *semi = v.p;
	uint16_t i, j, k;

	while ((semi = memchr(semi, ';', (size_t)(v.p + v.len - semi))) != NULL) {
		i = (uint16_t)(semi - v.p);
		semi++;
		for (j = (uint16_t)(i + 1); j < v.len && is_ws(v.p[j]); j++)
			;
		if (v.len - j < 5)
			return 0;
		for (k = 0; k < 5 && lower(v.p[j + k]) == (uint8_t)rp[k]; k++)
			;
		if (k < 5)
			continue;
		j = (uint16_t)(j + 5);
		for (k = j; k < v.len && is_ws(v.p[k]); k++)
			;
		if (k == v.len || v.p[k] == ';')
			return j;
	}
	return 0;
}

/* The top Via with received= and rport=, then the rest of that header's values. */
static void
put_top_via(struct sip_bw *w, struct sf_span v, const struct sip_build_resp *r)
{
	struct sf_span first = {v.p, first_value_len(v)};
	uint16_t rp = rport_end(first);

	SIP_BW_LIT(w, "Via: ");
	if (rp != 0) {
		sip_bw_put(w, first.p, rp);
		SIP_BW_LIT(w, "=");
		sip_bw_uint(w, r->src_port);
		sip_bw_put(w, first.p + rp, (size_t)(first.len - rp));
	} else {
		sip_bw_span(w, first);
	}
	SIP_BW_LIT(w, ";received=");
	bw_ipv4(w, r->src_ip_be);
	SIP_BW_LIT(w, "\r\n");
	if (first.len < v.len) {
		struct sf_span rest = {v.p + first.len + 1, (uint16_t)(v.len - first.len - 1)};

		while (rest.len > 0 && (is_ws(rest.p[0]) || rest.p[0] == '\r' || rest.p[0] == '\n')) {
			rest.p++;
			rest.len--;
		}
		if (rest.len > 0) {
			SIP_BW_LIT(w, "Via: ");
			sip_bw_span(w, rest);
			SIP_BW_LIT(w, "\r\n");
		}
	}
}

int
sip_build_response(uint8_t *buf, size_t cap, const uint8_t *req, size_t req_len,
		   const struct sip_scan *s, const struct sip_build_resp *r)
{
	struct sip_bw w = SIP_BW_INIT(buf, cap);
	struct req_hdrs h;
	unsigned int i;

	h.n_via = 0;
	h.from = h.to = h.call_id = h.cseq = (struct sf_span){NULL, 0};
	collect_headers(req, req_len, s->line.len, &h);
	if (h.n_via == 0 || h.from.p == NULL || h.to.p == NULL || h.call_id.p == NULL ||
	    h.cseq.p == NULL || r->code < 100 || r->code > 699)
		return -1;
	SIP_BW_LIT(&w, "SIP/2.0 ");
	sip_bw_uint(&w, r->code);
	SIP_BW_LIT(&w, " ");
	sip_bw_span(&w, r->reason);
	SIP_BW_LIT(&w, "\r\n");
	put_top_via(&w, h.via[0], r);
	for (i = 1; i < h.n_via; i++) {
		SIP_BW_LIT(&w, "Via: ");
		sip_bw_span(&w, h.via[i]);
		SIP_BW_LIT(&w, "\r\n");
	}
	SIP_BW_LIT(&w, "From: ");
	sip_bw_span(&w, h.from);
	SIP_BW_LIT(&w, "\r\nTo: ");
	sip_bw_span(&w, h.to);
	if (s->to.tag.len == 0 && r->no_to_tag) {
		/* 100 Trying: no tag (RFC 3261 8.2.6.2) */
	} else if (s->to.tag.len == 0 && r->to_tag.len > 0) {
		SIP_BW_LIT(&w, ";tag=");
		sip_bw_span(&w, r->to_tag);
	} else if (s->to.tag.len == 0) {
		uint8_t tag[SIP_BUILD_TAG_LEN];

		sip_build_tag(tag, r->tag_key, s);
		SIP_BW_LIT(&w, ";tag=");
		sip_bw_put(&w, tag, sizeof(tag));
	}
	SIP_BW_LIT(&w, "\r\nCall-ID: ");
	sip_bw_span(&w, h.call_id);
	SIP_BW_LIT(&w, "\r\nCSeq: ");
	sip_bw_span(&w, h.cseq);
	SIP_BW_LIT(&w, "\r\n");
	sip_bw_span(&w, r->extra);
	if (r->server.len > 0) {
		SIP_BW_LIT(&w, "Server: ");
		sip_bw_span(&w, r->server);
		SIP_BW_LIT(&w, "\r\n");
	}
	if (r->body.len > 0) {
		SIP_BW_LIT(&w, "Content-Type: ");
		sip_bw_span(&w, r->content_type);
		SIP_BW_LIT(&w, "\r\nContent-Length: ");
		sip_bw_uint(&w, r->body.len);
		SIP_BW_LIT(&w, "\r\n\r\n");
		sip_bw_span(&w, r->body);
	} else {
		SIP_BW_LIT(&w, "Content-Length: 0\r\n\r\n");
	}
	return w.ok ? (int)(w.p - buf) : -1;
}

int
sip_build_challenge(uint8_t *buf, size_t cap, bool proxy, struct sf_span realm,
		    struct sf_span nonce)
{
	struct sip_bw w = SIP_BW_INIT(buf, cap);

	if (proxy)
		SIP_BW_LIT(&w, "Proxy-Authenticate: Digest realm=\"");
	else
		SIP_BW_LIT(&w, "WWW-Authenticate: Digest realm=\"");
	sip_bw_span(&w, realm);
	SIP_BW_LIT(&w, "\", nonce=\"");
	sip_bw_span(&w, nonce);
	SIP_BW_LIT(&w, "\", algorithm=MD5, qop=\"auth\"\r\n");
	return w.ok ? (int)(w.p - buf) : -1;
}
