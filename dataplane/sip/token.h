/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tokens we mint into the SIP identifiers of the calls we handle: the B leg's Call-ID, our
 * From/To tags and our Via branches (issue 13; DESIGN "Minted tokens carry their owner").
 * A token names the worker that owns the call, the call's slot in that worker's call table
 * and the slot's generation, so a response or an in-dialog request reaches its state with no
 * lookup (steer to @owner, index @slot) and a token of a call that ended is recognised
 * (@gen differs from the slot's). Pure C, no DPDK, no allocation.
 *
 * Text format, SIP_TOKEN_LEN (24) bytes, lowercase hex except the prefix:
 *
 *     s f 1 O O S S S S S S G G G G K E E E E E E E E
 *     |prefix| owner| slot (24 bit) | gen (16) |sub| entropy (32 bit) |
 *
 * - "sf1": our prefix and format version; any other text is not ours.
 * - owner: worker index, < SIP_TOKEN_MAX_OWNER (checked against n_workers by the caller).
 * - slot: the call's index in its owner's table, < 2^24.
 * - gen: the slot's generation when the call started (bumped each time the slot is reused).
 * - sub: one hex digit the call layer uses to tell apart the identifiers of one call
 *   (e.g. which client transaction a branch belongs to); 0..15.
 * - entropy: per-worker pseudo-random bits, so identifiers are unique across restarts and not
 *   guessable; 0 in bench mode (--bench-fixed-tokens) so a generator can predict them.
 *
 * Where it goes: a branch is "z9hG4bK" + token (RFC 3261 8.1.1.7 magic cookie), a tag is the
 * token, a Call-ID is the token + "@" + our host. sip_token_read() accepts a span that starts
 * with the cookie (a branch) or with the token (a tag, a Call-ID); bytes after the token are
 * ignored (the "@host" of a Call-ID).
 */
#ifndef SF_SIP_TOKEN_H
#define SF_SIP_TOKEN_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/sf_span.h"

#define SIP_TOKEN_LEN 24u            /**< bytes of a token */
#define SIP_TOKEN_BRANCH_LEN 31u     /**< "z9hG4bK" + token */
#define SIP_TOKEN_MAX_OWNER 256u     /**< owner fits 2 hex digits */
#define SIP_TOKEN_MAX_SLOT (1u << 24)
#define SIP_TOKEN_MAX_SUB 16u

struct sip_token {
	uint32_t slot;    /* < SIP_TOKEN_MAX_SLOT */
	uint32_t entropy;
	uint16_t gen;
	uint8_t owner;    /* worker index */
	uint8_t sub;      /* < SIP_TOKEN_MAX_SUB */
};

/** Write @t as SIP_TOKEN_LEN bytes at @out (no NUL). Out-of-range fields are masked. */
void sip_token_write(uint8_t out[SIP_TOKEN_LEN], const struct sip_token *t);

/** Write "z9hG4bK" + token: SIP_TOKEN_BRANCH_LEN bytes at @out (no NUL). */
void sip_token_write_branch(uint8_t out[SIP_TOKEN_BRANCH_LEN], const struct sip_token *t);

/**
 * Read a token from @s (a branch with the magic cookie, a tag, or a Call-ID). True and *@t
 * filled when @s carries one of ours (prefix, version and hex digits check out); false for
 * anything else, which is then not ours (a peer's identifier). Never reads past @s.
 */
bool sip_token_read(struct sf_span s, struct sip_token *t);

/**
 * Cheap test used by steering: does @s start with our prefix (after the cookie for a
 * branch)? Reads at most 10 bytes. A true answer still needs sip_token_read().
 */
static inline bool
sip_token_maybe(struct sf_span s)
{
	const uint8_t *p = s.p;
	uint32_t n = s.len;

	if (n >= 7 && p[0] == 'z' && p[1] == '9' && p[2] == 'h' && p[3] == 'G' && p[4] == '4' &&
	    p[5] == 'b' && p[6] == 'K') {
		p += 7;
		n -= 7;
	}
	return n >= SIP_TOKEN_LEN && p[0] == 's' && p[1] == 'f' && p[2] == '1';
}

/**
 * A per-worker generator of entropy words: xorshift64*, seeded once at set-up. Not
 * cryptographic: it makes identifiers unique and not trivially predictable; the security of a
 * dialog rests on the source-IP check (I-36), not on the tag. Seed 0 = bench mode: every word 0.
 */
static inline uint32_t
sip_token_entropy(uint64_t *state)
{
	uint64_t x = *state;

	if (x == 0)
		return 0;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return (uint32_t)((x * 0x2545F4914F6CDD1DULL) >> 32);
}

#endif
