/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cold code of the registrar: shared state and each worker's registrar at start and stop
 * (ctrlplane, before launch and after the workers stopped). Never on the packet path, so
 * scripts/check-forbidden.sh does not check this file. Auth state is auth_setup.c's.
 */
#include <errno.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "dataplane/auth/auth.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/worker.h"

static_assert(RTE_DIM(((struct registrar_shared *)0)->shard) == SF_MAX_WORKERS,
	      "one shard per possible worker");

struct registrar_shared *
registrar_shared_create(uint16_t n_workers)
{
	struct registrar_shared *sh = rte_zmalloc("sf_reg_shared", sizeof(*sh), 0);

	if (sh == NULL)
		return NULL;
	sh->n_workers = n_workers;
	return sh;
}

void
registrar_shared_destroy(struct registrar_shared *sh)
{
	rte_free(sh);
}

int
registrar_worker_init(struct worker *w, struct registrar_shared *sh, uint32_t capacity)
{
	int socket = (int)rte_lcore_to_socket_id(w->lcore_id);
	struct registrar *reg;
	uint32_t answers;

	reg = rte_zmalloc_socket("sf_reg", sizeof(*reg), RTE_CACHE_LINE_SIZE, socket);
	if (reg == NULL)
		return -ENOMEM;
	w->reg = reg;
	reg->sh = sh;
	reg->hooks = policy_hooks_none;
	reg->hooks.binding_live = registrar_binding_live;
	reg->hooks.suspended = auth_suspended;
	reg->hooks.ctx = w;
	reg->loc = location_create(w->index, capacity, w->qsbr, socket);
	if (reg->loc != NULL && /* binding expiry on the worker's wheel (issue 11 item 4) */
	    location_set_wheel(reg->loc, &w->wheel, registrar_binding_tick, w) != 0) {
		registrar_worker_fini(w);
		return -EINVAL;
	}
	answers = sh->answer_entries != 0 ? sh->answer_entries : REGISTRAR_ANSWER_CACHE;
	answers = RTE_MIN(rte_align32pow2(answers), REGISTRAR_ANSWER_CACHE_MAX);
	reg->answers = rte_zmalloc_socket("sf_reg_answers", (size_t)answers * sizeof(*reg->answers),
					  RTE_CACHE_LINE_SIZE, socket);
	reg->answer_mask = answers - 1;
	if (reg->loc == NULL || reg->answers == NULL) {
		registrar_worker_fini(w);
		return -ENOMEM;
	}
	sh->shard[w->index] = reg->loc;
	return 0;
}

void
registrar_worker_fini(struct worker *w)
{
	struct registrar *reg = w->reg;

	if (reg == NULL)
		return;
	if (reg->sh != NULL && reg->sh->shard[w->index] == reg->loc)
		reg->sh->shard[w->index] = NULL;
	location_destroy(reg->loc);
	rte_free(reg->answers);
	rte_free(reg);
	w->reg = NULL;
}
