/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building and freeing the source policy tables (control plane: config build and snapshot
 * reclaim; cold by name, scripts/check-forbidden.sh). The lookups are in policy.c.
 */
#include <errno.h>
#include <stdlib.h>

#include "dataplane/policy/policy.h"
#include "dataplane/policy/policy_hash.h"

struct policy *
policy_create(uint32_t n_accounts, uint32_t n_gateways)
{
	struct policy *pol = calloc(1, sizeof(*pol));

	if (pol == NULL)
		return NULL;
	pol->n_accounts = n_accounts;
	pol->n_gateways = n_gateways;
	pol->accounts = calloc(n_accounts ? n_accounts : 1, sizeof(*pol->accounts));
	pol->gateways = calloc(n_gateways ? n_gateways : 1, sizeof(*pol->gateways));
	if (pol->accounts == NULL || pol->gateways == NULL) {
		policy_free(pol);
		return NULL;
	}
	return pol;
}

/* Slots for @n entries: a power of two, at least 2n, at least 8. */
static int
policy_table_alloc(struct policy_table *t, uint32_t n)
{
	uint32_t slots = 8;

	while (slots < 2 * (uint64_t)n)
		slots <<= 1;
	t->slots = calloc(slots, sizeof(*t->slots));
	if (t->slots == NULL)
		return -ENOMEM;
	t->mask = slots - 1;
	return 0;
}

int
policy_finalize(struct policy *pol)
{
	uint32_t i, s;

	if (policy_table_alloc(&pol->by_user, pol->n_accounts) != 0 ||
	    policy_table_alloc(&pol->by_ip, pol->n_gateways) != 0)
		return -ENOMEM;
	for (i = 0; i < pol->n_accounts; i++) {
		const struct policy_account *a = &pol->accounts[i];

		s = policy_hash_bytes((const uint8_t *)a->user, a->user_len) & pol->by_user.mask;
		while (pol->by_user.slots[s] != 0)
			s = (s + 1) & pol->by_user.mask;
		pol->by_user.slots[s] = i + 1;
	}
	for (i = 0; i < pol->n_gateways; i++) {
		struct policy_gateway *g = &pol->gateways[i];
		uint32_t *slot;

		s = policy_hash_ip(g->ip_be) & pol->by_ip.mask;
		for (;;) {
			slot = &pol->by_ip.slots[s];
			if (*slot == 0 || pol->gateways[*slot - 1].ip_be == g->ip_be)
				break;
			s = (s + 1) & pol->by_ip.mask;
		}
		if (*slot == 0) {
			*slot = i + 1;
		} else {
			/* Append to the chain of gateways sharing this address, keeping order. */
			struct policy_gateway *last = &pol->gateways[*slot - 1];

			while (last->next_same_ip != 0)
				last = &pol->gateways[last->next_same_ip - 1];
			last->next_same_ip = i + 1;
		}
	}
	return 0;
}

void
policy_free(struct policy *pol)
{
	uint32_t i;

	if (pol == NULL)
		return;
	for (i = 0; pol->accounts != NULL && i < pol->n_accounts; i++) {
		free(pol->accounts[i].allowed);
		free(pol->accounts[i].params);
	}
	for (i = 0; pol->gateways != NULL && i < pol->n_gateways; i++)
		free(pol->gateways[i].prefixes);
	free(pol->accounts);
	free(pol->gateways);
	free(pol->by_user.slots);
	free(pol->by_ip.slots);
	free(pol);
}
