/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cold code of nonce.c: key rings (getrandom(), rotation and publication by ctrlplane) and the
 * per-worker context at start and stop. Never per packet.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "dataplane/auth/nonce.h"
#include "dataplane/auth/nonce_impl.h"

static int
fill_random(uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = getrandom(buf + got, len - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	return 0;
}

int
nonce_keyring_init(struct nonce_keyring *kr)
{
	memset(kr, 0, sizeof(*kr));
	return fill_random(kr->cur, NONCE_KEY_LEN);
}

int
nonce_keyring_rotate(struct nonce_keyring *kr)
{
	uint8_t fresh[NONCE_KEY_LEN];
	int rc = fill_random(fresh, sizeof(fresh));

	if (rc != 0)
		return rc;
	memcpy(kr->prev, kr->cur, NONCE_KEY_LEN);
	memcpy(kr->cur, fresh, NONCE_KEY_LEN);
	nonce_wipe(fresh, sizeof(fresh));
	kr->has_prev = true;
	kr->gen++;
	return 0;
}

void
nonce_keyring_init_deterministic(struct nonce_keyring *kr, uint64_t seed)
{
	unsigned int i;

	memset(kr, 0, sizeof(*kr));
	for (i = 0; i < NONCE_KEY_LEN; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		kr->cur[i] = (uint8_t)(seed >> 56);
	}
}

void
nonce_keyring_publish(struct nonce_keyring_pub *pub, const struct nonce_keyring *next)
{
	uint32_t seq = pub->seq + 1; /* the writer's own counter: plain read */

	/* Sequence lock writer (the rte_seqlock pattern): odd, fence, data, even (release). */
	__atomic_store_n(&pub->seq, seq, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(&pub->ring, next, sizeof(*next));
	__atomic_store_n(&pub->seq, seq + 1, __ATOMIC_RELEASE);
}

int
nonce_keyring_rotate_due(struct nonce_keyring_pub *pub, uint64_t now_s, uint64_t *last_s,
			 uint32_t interval_s)
{
	struct nonce_keyring next;
	int rc;

	if (interval_s == 0 || now_s < *last_s + interval_s)
		return 0;
	next = pub->ring; /* the writer reads its own ring: no other writer exists */
	rc = nonce_keyring_rotate(&next);
	if (rc == 0) {
		nonce_keyring_publish(pub, &next);
		*last_s = now_s;
	}
	nonce_wipe(&next, sizeof(next));
	return rc == 0 ? 1 : rc;
}

struct nonce_ctx *
nonce_ctx_create(uint8_t worker_id)
{
	struct nonce_ctx *ctx = calloc(1, sizeof(*ctx));

	if (ctx != NULL)
		ctx->worker = worker_id;
	return ctx;
}

void
nonce_ctx_destroy(struct nonce_ctx *ctx)
{
	if (ctx == NULL)
		return;
	nonce_wipe(ctx, sizeof(*ctx));
	free(ctx);
}
