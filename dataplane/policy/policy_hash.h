/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The slot hashes of the policy tables (private to dataplane/policy/): policy_setup.c places
 * the entries with them, policy.c finds them with the same functions.
 */
#ifndef SF_POLICY_HASH_H
#define SF_POLICY_HASH_H

#include <stdint.h>

#include "dataplane/policy/policy.h"

/* FNV-1a over the bytes, then a final mix so the low bits (the slot) depend on every byte. */
static inline uint32_t
policy_hash_bytes(const uint8_t *p, uint16_t len)
{
	uint64_t h = sf_fnv1a64(SF_FNV1A64_OFFSET, p, len);

	return (uint32_t)((h ^ (h >> 29)) * 0x9e3779b97f4a7c15ull >> 32);
}

static inline uint32_t
policy_hash_ip(uint32_t ip_be)
{
	return (uint32_t)(((uint64_t)ip_be * 0x9e3779b97f4a7c15ull) >> 32);
}

#endif
