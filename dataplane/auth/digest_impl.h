/* SPDX-License-Identifier: BSD-3-Clause */
/* digest.c's private state, shared with digest_setup.c (create/destroy). Not an API. */
#ifndef SF_DIGEST_IMPL_H
#define SF_DIGEST_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include <nettle/md5.h>
#include <nettle/sha2.h>

#include "dataplane/auth/digest.h"

/* The hash behind each algorithm: 0 = MD5, 1 = SHA-256. */
enum { HASH_MD5, HASH_SHA256, HASH_MAX };

/* Longest "method:digest-uri" whose HA2 is remembered. */
#define HA2_KEY_MAX 192

/*
 * Scratch hash state, reused for every hash; one worker only. Plain structs: no allocation.
 * @ha2 remembers the last HA2 = H(method ":" digest-uri): a registrar's clients all hash
 * "REGISTER:sip:<domain>", so most requests skip that hash. HA2 holds no secret.
 */
struct digest_ctx {
	union {
		struct md5_ctx md5;
		struct sha256_ctx sha256;
	} h;
	struct {
		bool valid;
		uint8_t hash;               /* HASH_MD5 or HASH_SHA256 */
		uint16_t key_len;
		uint8_t key[HA2_KEY_MAX];   /* method ":" digest-uri */
		uint8_t hex[DIGEST_HEX_MAX];
	} ha2;
};

#endif
