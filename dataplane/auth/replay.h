/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * REGISTER replay guard (issue 12 defect 7, HARDEN-7): the (nonce, nc) pairs, or the bare
 * nonce without qop, that verified, each kept until its nonce can no longer verify. A second
 * use of a pair is a replay unless it is the same request again (same Via branch, CSeq and
 * source port: a retransmission, GEN-3). One fixed table per worker, owned by the worker that
 * verifies the digest (the source-IP owner); only requests whose digest verified add entries,
 * so a spoofed flood cannot fill it. Open addressing in a bounded probe window; a live entry
 * is never evicted: when the window is full the request is refused (counted by the caller).
 * Pure C, no DPDK; allocation only at create.
 */
#ifndef SF_REPLAY_H
#define SF_REPLAY_H

#include <stdint.h>

#include "dataplane/sf_span.h"

struct replay_table;

#define REPLAY_DEFAULT_ENTRIES 65536u /**< 16 B each: 1 MiB per worker */
#define REPLAY_ENTRIES_MAX (1u << 24)

enum replay_result {
	REPLAY_NEW,     /* first use: recorded */
	REPLAY_RETRANS, /* same pair, same request (transaction tag): a retransmission */
	REPLAY_REUSED,  /* same pair, another request: a replay, refuse it */
	REPLAY_FULL,    /* not seen, but the probe window holds only live entries: refuse */
};

/** @p entries rounded up to a power of two (1..REPLAY_ENTRIES_MAX); NULL on bad size/memory. */
struct replay_table *replay_create(uint32_t entries, uint64_t seed);
void replay_destroy(struct replay_table *t);

/**
 * Look up (@p nonce, @p nc; nc 0 = no qop) and record it when new, live until @p expires_s
 * (s on the caller's clock). @p txn tags the request (replay_txn()). No allocation.
 */
enum replay_result replay_check(struct replay_table *t, struct sf_span nonce, uint32_t nc,
				uint32_t txn, uint32_t now, uint32_t expires_s);

/** Transaction tag of a request: top Via branch, CSeq number, source port. */
uint32_t replay_txn(struct sf_span via_branch, uint32_t cseq, uint16_t src_port);

/** Live entries (tests, telemetry). */
uint32_t replay_count(const struct replay_table *t, uint32_t now);

#endif
