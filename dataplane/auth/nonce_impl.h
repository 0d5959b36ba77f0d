/* SPDX-License-Identifier: BSD-3-Clause */
/* nonce.c's private context, shared with nonce_setup.c (keys, create/destroy). Not an API. */
#ifndef SF_NONCE_IMPL_H
#define SF_NONCE_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <nettle/hmac.h>

#include "dataplane/auth/nonce.h"

/*
 * One key's HMAC-SHA256 state. The key schedule (inner and outer padded-key states) is
 * computed once in nonce_ctx_apply(); each MAC copies @mac to the stack and hashes the
 * message there, so @mac is read-only on the packet path and nothing allocates.
 */
struct nonce_key_slot {
	struct hmac_sha256_ctx mac;
	uint8_t key_id;
	bool valid;
};

struct nonce_ctx {
	struct nonce_key_slot cur, prev;
	uint32_t applied_gen; /* kr->gen last applied */
	uint8_t applied_key[NONCE_KEY_LEN]; /* kr->cur last applied: a new ring may reuse a gen */
	bool applied;
	uint8_t worker;
};

/* memset that the compiler may not drop as a dead store (secrets on their way out). */
static inline void
nonce_wipe(void *p, size_t len)
{
	memset(p, 0, len);
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

#endif
