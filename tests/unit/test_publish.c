/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The snapshot hand-off under threads (CFG-8, CFG-2): a publisher thread publishes 10,000
 * snapshots while reader threads run the worker's swap-and-quiesce sequence. Every snapshot a
 * reader sees must be whole and must never be freed under it. Plain pthreads, no EAL: rings
 * and the QSBR variable live in ordinary memory. Built with ThreadSanitizer by
 * scripts/build.sh tsan, where a use-after-free or a race is reported and fails the test.
 */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include <cmocka.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "ctrlplane/publish.h"
#include "dataplane/loop.h"
#include "dataplane/worker.h"

#define N_READERS 2
#define N_SNAPSHOTS 10000

struct reader {
	pthread_t thread;
	struct worker *w;
	const bool *done;
	uint64_t swaps_seen;       /* distinct generations this reader ran with */
	uint64_t inconsistent;     /* snapshots whose fields disagree with their generation */
	uint64_t went_backwards;   /* a generation older than one already seen */
};

/* Every field the reader checks is derived from the generation. */
static void
snapshot_fill(struct snapshot *s, uint64_t gen)
{
	snprintf(s->domain, sizeof(s->domain), "gen-%" PRIu64, gen);
	s->sip_port = (uint16_t)(gen % 60000 + 1);
	s->params.timeout_ringing_s = (uint32_t)gen;
	s->params.auth_retry = (uint32_t)(gen * 7);
}

static bool
snapshot_is_whole(const struct snapshot *s)
{
	char want[SF_DOMAIN_MAX];
	uint64_t gen = s->params.timeout_ringing_s;

	snprintf(want, sizeof(want), "gen-%" PRIu64, gen);
	return gen == s->generation && strcmp(want, s->domain) == 0 &&
	       s->sip_port == (uint16_t)(gen % 60000 + 1) &&
	       s->params.auth_retry == (uint32_t)(gen * 7);
}

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	uint64_t last = 0;

	rte_rcu_qsbr_thread_online(r->w->qsbr, r->w->lcore_id);
	for (;;) {
		bool done = __atomic_load_n(r->done, __ATOMIC_ACQUIRE);

		loop_take_new_config(r->w);
		if (r->w->cfg != NULL) {
			if (!snapshot_is_whole(r->w->cfg))
				r->inconsistent++;
			if (r->w->cfg->generation < last)
				r->went_backwards++;
			if (r->w->cfg->generation != last)
				r->swaps_seen++;
			last = r->w->cfg->generation;
		}
		rte_rcu_qsbr_quiescent(r->w->qsbr, r->w->lcore_id);
		if (done && last == N_SNAPSHOTS)
			break;
	}
	rte_rcu_qsbr_thread_offline(r->w->qsbr, r->w->lcore_id);
	return NULL;
}

static struct rte_ring *
ring_in_memory(void)
{
	ssize_t size = rte_ring_get_memsize(16);
	struct rte_ring *r = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN((size_t)size, 64));

	assert_non_null(r);
	assert_int_equal(rte_ring_init(r, "cfg", 16, RING_F_SP_ENQ | RING_F_SC_DEQ), 0);
	return r;
}

static void
test_CFG_8_publish_10000_snapshots_under_readers(void **state)
{
	size_t qs_size = rte_rcu_qsbr_get_memsize(N_READERS);
	struct rte_rcu_qsbr *qs = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN(qs_size, 64));
	struct worker *workers[N_READERS];
	struct reader readers[N_READERS];
	bool done = false;
	struct publisher pub;
	uint64_t g;
	int i;

	(void)state;
	assert_int_equal(rte_rcu_qsbr_init(qs, N_READERS), 0);
	for (i = 0; i < N_READERS; i++) {
		workers[i] = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(struct worker));
		memset(workers[i], 0, sizeof(struct worker));
		workers[i]->lcore_id = (unsigned int)i;
		workers[i]->qsbr = qs;
		workers[i]->cfg_ring = ring_in_memory();
		rte_rcu_qsbr_thread_register(qs, (unsigned int)i);
	}
	publish_init(&pub, qs, workers, N_READERS);
	for (i = 0; i < N_READERS; i++) {
		readers[i] = (struct reader){.w = workers[i], .done = &done};
		assert_int_equal(pthread_create(&readers[i].thread, NULL, reader_main, &readers[i]), 0);
	}
	for (g = 1; g <= N_SNAPSHOTS; g++) {
		struct snapshot *s = calloc(1, sizeof(*s));

		snapshot_fill(s, g);
		while (publish_snapshot(&pub, s) == -EBUSY)
			sched_yield(); /* readers have not caught up: retry, never block them */
		assert_int_equal(s->generation, g);
	}
	__atomic_store_n(&done, true, __ATOMIC_RELEASE);
	for (i = 0; i < N_READERS; i++) {
		pthread_join(readers[i].thread, NULL);
		assert_int_equal(readers[i].inconsistent, 0);
		assert_int_equal(readers[i].went_backwards, 0);
		assert_true(readers[i].swaps_seen >= 1);
		assert_int_equal(workers[i]->cfg->generation, N_SNAPSHOTS);
	}
	/* Every retired snapshot is reclaimable once the readers are offline. */
	assert_int_equal(publish_reclaim(&pub), 0);
	publish_destroy(&pub);
	for (i = 0; i < N_READERS; i++) {
		free(workers[i]->cfg_ring);
		free(workers[i]);
	}
	free(qs);
}

static void
test_CFG_2_publish_all_or_none_when_a_ring_is_full(void **state)
{
	size_t qs_size = rte_rcu_qsbr_get_memsize(2);
	struct rte_rcu_qsbr *qs = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN(qs_size, 64));
	struct worker *workers[2];
	struct publisher pub;
	struct snapshot *s;
	unsigned int i, accepted = 0;

	(void)state;
	assert_int_equal(rte_rcu_qsbr_init(qs, 2), 0);
	for (i = 0; i < 2; i++) {
		workers[i] = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(struct worker));
		memset(workers[i], 0, sizeof(struct worker));
		workers[i]->cfg_ring = ring_in_memory();
	}
	publish_init(&pub, qs, workers, 2);
	/* Worker 1 takes nothing; worker 0 drains. Publishing stops when worker 1's ring is full
	 * and then neither ring gets the refused snapshot. */
	for (i = 0; i < 40; i++) {
		s = calloc(1, sizeof(*s));
		if (publish_snapshot(&pub, s) != 0) {
			free(s);
			break;
		}
		accepted++;
		loop_take_new_config(workers[0]);
	}
	assert_int_equal(accepted, rte_ring_get_capacity(workers[1]->cfg_ring));
	assert_int_equal(rte_ring_count(workers[1]->cfg_ring), accepted);
	assert_int_equal(workers[0]->cfg->generation, accepted);
	assert_int_equal(pub.generation, accepted);
	publish_destroy(&pub);
	for (i = 0; i < 2; i++) {
		free(workers[i]->cfg_ring);
		free(workers[i]);
	}
	free(qs);
}

/*
 * A reader that never reports quiescence holds every retired snapshot: after
 * PUBLISH_PENDING_MAX of them the next publish is refused (-EBUSY) and reaches no ring, and
 * once the reader is quiescent the retired ones are reclaimed and publishing goes on.
 */
static void
test_CFG_publish_refused_while_pending_reclaims_full(void **state)
{
	size_t qs_size = rte_rcu_qsbr_get_memsize(1);
	struct rte_rcu_qsbr *qs = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN(qs_size, 64));
	struct worker *w = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(struct worker));
	struct publisher pub;
	struct snapshot *s;
	unsigned int i;

	(void)state;
	assert_int_equal(rte_rcu_qsbr_init(qs, 1), 0);
	memset(w, 0, sizeof(*w));
	w->cfg_ring = ring_in_memory();
	w->qsbr = qs;
	assert_int_equal(rte_rcu_qsbr_thread_register(qs, 0), 0);
	rte_rcu_qsbr_thread_online(qs, 0);
	publish_init(&pub, qs, &w, 1);
	for (i = 0; i <= PUBLISH_PENDING_MAX; i++) { /* the first retires nothing */
		s = calloc(1, sizeof(*s));
		assert_int_equal(publish_snapshot(&pub, s), 0);
		loop_take_new_config(w);
	}
	assert_int_equal(pub.n_retired, PUBLISH_PENDING_MAX);
	s = calloc(1, sizeof(*s));
	assert_int_equal(publish_snapshot(&pub, s), -EBUSY);
	assert_int_equal(rte_ring_count(w->cfg_ring), 0);
	assert_int_equal(pub.generation, PUBLISH_PENDING_MAX + 1);
	rte_rcu_qsbr_quiescent(qs, 0);
	assert_int_equal(publish_snapshot(&pub, s), 0);
	assert_true(pub.n_retired <= 1);
	loop_take_new_config(w);
	rte_rcu_qsbr_thread_offline(qs, 0);
	publish_destroy(&pub);
	free(w->cfg_ring);
	free(w);
	free(qs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_CFG_8_publish_10000_snapshots_under_readers),
		cmocka_unit_test(test_CFG_2_publish_all_or_none_when_a_ring_is_full),
		cmocka_unit_test(test_CFG_publish_refused_while_pending_reclaims_full),
	};

	return cmocka_run_group_tests_name("publish", tests, NULL, NULL);
}
