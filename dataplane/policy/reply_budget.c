/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-source-IP reply budget: see reply_budget.h. */
#include <stddef.h>

#include "dataplane/policy/reply_budget.h"

static inline uint32_t
reply_budget_set(uint32_t ip_be)
{
	return (uint32_t)(((uint64_t)ip_be * 0x9e3779b97f4a7c15ull) >> 40) & (REPLY_BUDGET_SETS - 1);
}

/* @e's tokens refilled to @now_ms at @rate (thousandths a ms), at most @cap. */
static inline uint64_t
reply_budget_refilled(const struct reply_budget_slot *e, uint32_t now_ms, uint32_t rate,
		      uint64_t cap)
{
	uint32_t age = now_ms - e->last_ms;
	uint64_t tokens;

	if (age > 3600u * 1000u) /* caps the product; an hour refills any bucket */
		age = 3600u * 1000u;
	tokens = e->tokens + (uint64_t)age * rate;
	return tokens < cap ? tokens : cap;
}

bool
reply_budget_take(struct reply_budget *b, uint32_t ip_be, uint32_t now_ms, uint32_t rate,
		  uint32_t burst)
{
	struct reply_budget_slot *set, *e = NULL;
	uint64_t cap = (uint64_t)burst * REPLY_BUDGET_MILLI, best = 0, t;
	uint32_t i;

	if (rate == 0)
		return true;
	set = &b->slot[reply_budget_set(ip_be) * REPLY_BUDGET_WAYS];
	for (i = 0; i < REPLY_BUDGET_WAYS; i++) {
		if (set[i].ip_be == ip_be) {
			e = &set[i];
			break;
		}
	}
	if (e == NULL) {
		/*
		 * New source: it takes the slot whose bucket is fullest once refilled (an empty
		 * slot counts as full). A full bucket is what a new source starts with, so that
		 * eviction forgets nothing; a source whose bucket is spent (the one being
		 * limited) is the last to go, and a flood of new sources cannot reset it.
		 */
		e = &set[0];
		for (i = 0; i < REPLY_BUDGET_WAYS; i++) {
			t = set[i].ip_be == 0 ? UINT64_MAX
					      : reply_budget_refilled(&set[i], now_ms, rate, cap);
			if (t > best || i == 0) {
				best = t;
				e = &set[i];
			}
		}
		e->ip_be = ip_be;
		e->tokens = (uint32_t)cap;
		e->last_ms = now_ms;
	}
	e->tokens = (uint32_t)reply_budget_refilled(e, now_ms, rate, cap);
	e->last_ms = now_ms;
	if (e->tokens < REPLY_BUDGET_MILLI)
		return false;
	e->tokens -= REPLY_BUDGET_MILLI;
	return true;
}
