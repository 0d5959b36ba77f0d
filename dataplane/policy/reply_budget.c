/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-source-IP reply budget: see reply_budget.h. */
#include <stddef.h>

#include "dataplane/policy/reply_budget.h"

static inline uint32_t
reply_budget_set(uint32_t ip_be)
{
	return (uint32_t)(((uint64_t)ip_be * 0x9e3779b97f4a7c15ull) >> 40) & (REPLY_BUDGET_SETS - 1);
}

bool
reply_budget_take(struct reply_budget *b, uint32_t ip_be, uint32_t now_ms, uint32_t rate,
		  uint32_t burst)
{
	struct reply_budget_slot *set, *e = NULL, *lru;
	uint64_t cap = (uint64_t)burst * REPLY_BUDGET_MILLI, tokens;
	uint32_t i, age, lru_age = 0;

	if (rate == 0)
		return true;
	set = &b->slot[reply_budget_set(ip_be) * REPLY_BUDGET_WAYS];
	lru = &set[0];
	for (i = 0; i < REPLY_BUDGET_WAYS; i++) {
		if (set[i].ip_be == ip_be) {
			e = &set[i];
			break;
		}
		age = set[i].ip_be == 0 ? UINT32_MAX : now_ms - set[i].last_ms;
		if (age >= lru_age) {
			lru_age = age;
			lru = &set[i];
		}
	}
	if (e == NULL) { /* new source (or evicted): a full bucket */
		e = lru;
		e->ip_be = ip_be;
		e->tokens = (uint32_t)cap;
		e->last_ms = now_ms;
	}
	/* rate replies/s = rate thousandths a ms; elapsed capped so the product cannot overflow */
	age = now_ms - e->last_ms;
	if (age > 3600u * 1000u)
		age = 3600u * 1000u;
	tokens = e->tokens + (uint64_t)age * rate;
	e->tokens = (uint32_t)(tokens < cap ? tokens : cap);
	e->last_ms = now_ms;
	if (e->tokens < REPLY_BUDGET_MILLI)
		return false;
	e->tokens -= REPLY_BUDGET_MILLI;
	return true;
}
