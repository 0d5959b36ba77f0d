/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-source-IP reply budget (issue 12 item 6): a token bucket for every answer to a source
 * that is not yet authenticated (challenges, 403s and the like), so a spoofed flood cannot
 * use the daemon as a reflector. One table per worker, fixed size, no allocation after
 * create, set-associative (4 ways): a new source takes the slot of its set whose bucket is
 * fullest, so a source being limited (bucket spent) is evicted only when all four of its
 * set's sources are spent; a flood of new addresses cannot reset it. Pure C.
 */
#ifndef SF_REPLY_BUDGET_H
#define SF_REPLY_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

#define REPLY_BUDGET_WAYS 4u                       /* slots a source may use */
#define REPLY_BUDGET_SETS 1024u                    /* power of two */
#define REPLY_BUDGET_SOURCES (REPLY_BUDGET_WAYS * REPLY_BUDGET_SETS) /* 4,096 per worker */
#define REPLY_BUDGET_MILLI 1000u                   /* tokens are kept in 1/1000 */

struct reply_budget_slot {
	uint32_t ip_be;    /* 0 = empty */
	uint32_t tokens;   /* thousandths of a reply */
	uint32_t last_ms;  /* clock of the last refill (wraps; differences only) */
	uint32_t pad;
};

struct reply_budget {
	struct reply_budget_slot slot[REPLY_BUDGET_SOURCES];
};

/**
 * May one more reply go to @ip_be at @now_ms, with @rate replies/s refilled up to @burst?
 * Takes one token when it may. @rate 0 = no budget (always true). No allocation, no lock.
 */
bool reply_budget_take(struct reply_budget *b, uint32_t ip_be, uint32_t now_ms, uint32_t rate,
		       uint32_t burst);

#endif
