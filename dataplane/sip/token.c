/* SPDX-License-Identifier: BSD-3-Clause */
/* Minted SIP identifiers that carry their owner (token.h). */
#include "dataplane/sip/token.h"

#include <string.h>

static const char token_hex[16] = "0123456789abcdef";
static const uint8_t token_cookie[7] = {'z', '9', 'h', 'G', '4', 'b', 'K'};

/* Write the low @digits hex digits of @v, most significant first. */
static inline uint8_t *
token_put_hex(uint8_t *p, uint32_t v, unsigned int digits)
{
	for (unsigned int i = digits; i-- > 0;) {
		p[i] = (uint8_t)token_hex[v & 0xf];
		v >>= 4;
	}
	return p + digits;
}

/* Read @digits lowercase hex digits; false on any other byte. */
static inline bool
token_get_hex(const uint8_t *p, unsigned int digits, uint32_t *out)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < digits; i++) {
		uint8_t c = p[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

void
sip_token_write(uint8_t out[SIP_TOKEN_LEN], const struct sip_token *t)
{
	uint8_t *p = out;

	*p++ = 's';
	*p++ = 'f';
	*p++ = '1';
	p = token_put_hex(p, t->owner, 2);
	p = token_put_hex(p, t->slot & (SIP_TOKEN_MAX_SLOT - 1), 6);
	p = token_put_hex(p, t->gen, 4);
	p = token_put_hex(p, t->sub & (SIP_TOKEN_MAX_SUB - 1), 1);
	token_put_hex(p, t->entropy, 8);
}

void
sip_token_write_branch(uint8_t out[SIP_TOKEN_BRANCH_LEN], const struct sip_token *t)
{
	memcpy(out, token_cookie, sizeof(token_cookie));
	sip_token_write(out + sizeof(token_cookie), t);
}

bool
sip_token_read(struct sf_span s, struct sip_token *t)
{
	const uint8_t *p = s.p;
	uint32_t n = s.len, owner, slot, gen, sub, entropy;

	if (n >= sizeof(token_cookie) && memcmp(p, token_cookie, sizeof(token_cookie)) == 0) {
		p += sizeof(token_cookie);
		n -= (uint32_t)sizeof(token_cookie);
	}
	if (n < SIP_TOKEN_LEN || p[0] != 's' || p[1] != 'f' || p[2] != '1')
		return false;
	if (!token_get_hex(p + 3, 2, &owner) || !token_get_hex(p + 5, 6, &slot) ||
	    !token_get_hex(p + 11, 4, &gen) || !token_get_hex(p + 15, 1, &sub) ||
	    !token_get_hex(p + 16, 8, &entropy))
		return false;
	t->owner = (uint8_t)owner;
	t->slot = slot;
	t->gen = (uint16_t)gen;
	t->sub = (uint8_t)sub;
	t->entropy = entropy;
	return true;
}
