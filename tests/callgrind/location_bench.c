/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Instruction count of the binding probe of one location shard that holds bindings (what
 * registrar_binding_live() pays per shard for an unknown source in production, where every
 * shard holds bindings), one noinline function so callgrind collects it alone
 * (tests/callgrind/README.md):
 *   source_probe_bound - location_source_live() on a default-capacity shard holding 10,000
 *                        bindings from random sources, for 10,000 random sources none of
 *                        which is bound (the flood's case: a miss)
 *   source_probe_4shards - the same sources against 4 such shards the way
 *                        registrar_binding_live() asks them (live count, filter with the
 *                        hash computed once, lookup on a maybe): per packet with 4 workers
 * Needs the EAL (rte_hash, rte_malloc): started with --no-huge, like the unit tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/registrar/location.h"

#define N 10000
#define NOW 1000u

static volatile unsigned int sink;

static __attribute__((noinline)) void
source_probe_bound(const struct location *loc, const uint64_t *src, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		sink += location_source_live(loc, (uint32_t)src[i], (uint16_t)(src[i] >> 32), NOW);
}

static __attribute__((noinline)) void
source_probe_4shards(struct location *const *shard, const uint64_t *src, unsigned int n)
{
	unsigned int i, s;

	for (i = 0; i < n; i++) {
		uint32_t ip = (uint32_t)src[i];
		uint16_t port = (uint16_t)(src[i] >> 32);
#ifdef LOCATION_FILTER_MAX
		uint64_t fh = location_source_fhash(ip, port);

		for (s = 0; s < 4; s++)
			if (location_count(shard[s]) != 0 && location_source_maybe(shard[s], fh) &&
			    location_source_lookup(shard[s], ip, port, NOW)) {
				sink++;
				break;
			}
#else /* before the source filter (the "before" figure in tests/callgrind/README.md) */
		for (s = 0; s < 4; s++)
			if (location_count(shard[s]) != 0 &&
			    location_source_live(shard[s], ip, port, NOW)) {
				sink++;
				break;
			}
#endif
	}
}

/* xorshift64: a fixed pseudo-random sequence (any will do). */
static uint64_t
next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int
main(void)
{
	char prefix[32];
	char *argv[] = {"loc_bench", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
			"--no-telemetry", "--lcores", "0@0", "--log-level", "lib.eal:error",
			"--file-prefix", prefix};
	uint64_t seed = 0x9e3779b97f4a7c15ull, *probe = calloc(N, sizeof(*probe));
	struct rte_rcu_qsbr *qs;
	struct location *loc, *shard[4];
	unsigned int i, s, hits;

	snprintf(prefix, sizeof(prefix), "locbench%d", (int)getpid());
	if (probe == NULL || rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])), argv) < 0)
		return 1;
	qs = rte_zmalloc(NULL, rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	if (qs == NULL || rte_rcu_qsbr_init(qs, 1) != 0)
		return 1;
	for (s = 0; s < 4; s++) {
		shard[s] = location_create((uint16_t)s, LOCATION_DEFAULT_CAPACITY, qs, SOCKET_ID_ANY);
		if (shard[s] == NULL)
			return 1;
	}
	loc = shard[0];
	for (i = 0; i < 4 * N; i++) { /* 10,000 bindings a shard: u<i> from a random source */
		struct location_binding b;
		char aor[16];

		uint64_t r = next_rand(&seed);

		memset(&b, 0, sizeof(b));
		snprintf(aor, sizeof(aor), "u%06u", i);
		if (location_binding_set_text(&b, (struct sf_span){(const uint8_t *)aor, 7},
					      (struct sf_span){(const uint8_t *)"sip:x@h", 7}) != 0)
			return 1;
		b.src_ip = ((uint32_t)r & 0xffffff00u) | 0x0au; /* low byte 0x0a: never a probe's */
		b.src_port = (uint16_t)(r >> 32);
		b.expires_at_s = NOW + 3600;
		b.granted_s = 3600;
		if (location_put(shard[i % 4], &b) != 0)
			return 1;
	}
	for (i = 0; i < N; i++) /* unbound: the low byte of the ip is 0x0b */
		probe[i] = (next_rand(&seed) & 0xffff00000000ull) |
			   (next_rand(&seed) & 0xffffff00u) | 0x0bu;
	source_probe_bound(loc, probe, N);
	source_probe_4shards(shard, probe, N);
	hits = sink;
	printf("%d probes of 1 and of 4 shards with %u bindings each; %u hits (expected 0)\n", N,
	       location_count(loc), hits);
	for (s = 0; s < 4; s++)
		location_destroy(shard[s]);
	rte_free(qs);
	free(probe);
	rte_eal_cleanup();
	return hits != 0;
}
