/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cold code of auth/ (auth.h "cold"): the shared key ring and its rotation on the control
 * plane's CLOCK_MONOTONIC, and each worker's tables and contexts at start and stop. Never on
 * the packet path, so scripts/check-forbidden.sh does not check this file.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "dataplane/auth/auth.h"
#include "dataplane/auth/authfail.h"
#include "dataplane/auth/digest.h"
#include "dataplane/auth/replay.h"
#include "dataplane/worker.h"

struct auth_shared *
auth_shared_create(void)
{
	struct auth_shared *sh = rte_zmalloc("sf_auth_shared", sizeof(*sh), 0);
	struct nonce_keyring ring;
	struct timespec ts;

	if (sh == NULL)
		return NULL;
	if (nonce_keyring_init(&ring) != 0) {
		rte_free(sh);
		return NULL;
	}
	nonce_keyring_publish(&sh->keys, &ring);
	memset(&ring, 0, sizeof(ring));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sh->keys_rotated_s = (uint64_t)ts.tv_sec;
	return sh;
}

void
auth_shared_destroy(struct auth_shared *sh)
{
	rte_free(sh);
}

int
auth_rotate(struct auth_shared *sh)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return nonce_keyring_rotate_due(&sh->keys, (uint64_t)ts.tv_sec, &sh->keys_rotated_s,
					NONCE_KEY_ROTATE_S);
}

int
auth_worker_init(struct worker *w, struct auth_shared *sh)
{
	int socket = (int)rte_lcore_to_socket_id(w->lcore_id);
	struct authfail_config afc = {.capacity = sh->authfail_entries != 0
							  ? sh->authfail_entries
							  : AUTH_AUTHFAIL_CAPACITY};
	struct nonce_keyring ring;
	struct auth *au;
	uint64_t seed = 0;
	uint32_t seen = 0;

	au = rte_zmalloc_socket("sf_auth", sizeof(*au), RTE_CACHE_LINE_SIZE, socket);
	if (au == NULL)
		return -ENOMEM;
	w->auth = au;
	au->sh = sh;
	if (!nonce_keyring_read(&sh->keys, &seen, &ring)) { /* published before the launch */
		auth_worker_fini(w);
		return -EINVAL;
	}
	memcpy(&seed, ring.cur, sizeof(seed)); /* a secret the tables' hashes can key on */
	au->af = authfail_create(&afc, seed ^ w->index);
	au->nctx = nonce_ctx_create((uint8_t)w->index);
	au->dctx = digest_ctx_create();
	au->replay = replay_create(sh->replay_entries != 0 ? sh->replay_entries
							    : REPLAY_DEFAULT_ENTRIES,
				   seed ^ 0x7265706c6179ULL ^ w->index);
	au->rp_low_s = UINT32_MAX;
	if (au->af == NULL || au->nctx == NULL || au->dctx == NULL || au->replay == NULL ||
	    nonce_ctx_apply(au->nctx, &ring) != 0) {
		memset(&ring, 0, sizeof(ring));
		auth_worker_fini(w);
		return -ENOMEM;
	}
	memset(&ring, 0, sizeof(ring));
	au->keys_seen = seen;
	return 0;
}

void
auth_worker_fini(struct worker *w)
{
	struct auth *au = w->auth;

	if (au == NULL)
		return;
	authfail_destroy(au->af);
	nonce_ctx_destroy(au->nctx);
	digest_ctx_destroy(au->dctx);
	replay_destroy(au->replay);
	rte_free(au);
	w->auth = NULL;
}
