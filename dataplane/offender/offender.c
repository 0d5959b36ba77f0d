/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Offender memory (offender.h): the probe's slow half, counting drops per source in a fixed
 * window, remembering and forgetting sources, the never-remembered checks (cold: only when a
 * source reaches the threshold), the housekeeping sweep. Worker code: no malloc, lock,
 * syscall or log.
 */
#include <errno.h>

#include "dataplane/offender/offender.h"
#include "dataplane/policy/policy.h"
#include "dataplane/worker.h"

static inline struct offender_bucket *
offender_bucket_of(const struct offender *o, uint64_t h)
{
	return &o->buckets[(uint32_t)(h >> 16) & o->bucket_mask];
}

/* Wrap-safe: is deadline @until still ahead of @now? */
static inline bool
offender_live(uint32_t until, uint32_t now)
{
	return (int32_t)(until - now) > 0;
}

/* now + remember_ms, never 0 (0 marks a candidate): one ms late once every 49 days. */
static inline uint32_t
offender_deadline(const struct offender *o)
{
	uint32_t until = o->now_ms + o->remember_ms;

	return until != 0 ? until : 1;
}

static inline bool
offender_is_remembered_entry(const struct offender_entry *e)
{
	return e->ip != 0 && e->until_ms != 0;
}

static struct offender_entry *
offender_find(const struct offender *o, uint64_t h, uint32_t ip_be)
{
	struct offender_bucket *b = offender_bucket_of(o, h);
	unsigned int i;

	for (i = 0; i < OFFENDER_WAYS; i++)
		if (b->e[i].ip == ip_be)
			return &b->e[i];
	return NULL;
}

/* Unlink remembered entry @e (its filter slot and the live count). */
static void
offender_forget(struct offender *o, struct offender_entry *e)
{
	uint32_t slot = offender_filter_slot(offender_hash(o, e->ip));

	if (o->filter[slot] != 0)
		o->filter[slot]--;
	if (o->n_remembered != 0)
		o->n_remembered--;
	*e = (struct offender_entry){0};
}

bool
offender_probe_hit(struct offender *o, uint32_t ip_be, uint64_t h)
{
	struct offender_entry *e = offender_find(o, h, ip_be);

	if (e == NULL || e->until_ms == 0)
		return false; /* a filter false positive, or a candidate (ip 0 is a martian) */
	if (unlikely(!offender_live(e->until_ms, o->now_ms))) {
		offender_forget(o, e); /* on time, whatever the sweep's position */
		o->stats.expired++;
		return false;
	}
	if (e->count != UINT32_MAX)
		e->count++;
	return true;
}

/*
 * The slot a new candidate takes in @b: a free one, else an expired remembered one or a
 * candidate whose window ended, else the candidate with the fewest drops; NULL when every
 * way is remembered and live (the table is full there).
 */
static struct offender_entry *
offender_victim(struct offender *o, struct offender_bucket *b)
{
	struct offender_entry *best = NULL;
	unsigned int i;

	for (i = 0; i < OFFENDER_WAYS; i++) {
		struct offender_entry *e = &b->e[i];

		if (e->ip == 0)
			return e;
		if (e->until_ms != 0) {
			if (!offender_live(e->until_ms, o->now_ms)) {
				offender_forget(o, e);
				o->stats.expired++;
				return e;
			}
			continue;
		}
		if (o->now_ms - e->since_ms >= o->window_ms)
			return e;
		if (best == NULL || e->count < best->count)
			best = e;
	}
	return best;
}

enum offender_count_result
offender_count(struct offender *o, uint32_t ip_be)
{
	uint64_t h = offender_hash(o, ip_be);
	struct offender_entry *e;

	if (!o->enabled || ip_be == 0)
		return OFFENDER_COUNTED;
	e = offender_find(o, h, ip_be);
	if (e != NULL && e->until_ms != 0) {
		if (offender_live(e->until_ms, o->now_ms))
			return OFFENDER_COUNTED; /* remembered already (the probe missed it: a race) */
		offender_forget(o, e);
		o->stats.expired++;
		e = NULL;
	}
	if (e == NULL) {
		e = offender_victim(o, offender_bucket_of(o, h));
		if (e == NULL) {
			o->stats.table_full++;
			return OFFENDER_NO_ROOM;
		}
		*e = (struct offender_entry){.ip = ip_be, .count = 0, .since_ms = o->now_ms};
	} else if (o->now_ms - e->since_ms >= o->window_ms) {
		e->since_ms = o->now_ms; /* a new window */
		e->count = 0;
	}
	e->count++;
	return e->count >= o->threshold ? OFFENDER_AT_THRESHOLD : OFFENDER_COUNTED;
}

int
offender_remember(struct offender *o, uint32_t ip_be)
{
	uint64_t h = offender_hash(o, ip_be);
	struct offender_entry *e = offender_find(o, h, ip_be);
	uint32_t slot = offender_filter_slot(h);

	if (e == NULL || e->until_ms != 0)
		return e == NULL ? -ENOENT : 0;
	if (o->filter[slot] >= OFFENDER_FILTER_MAX) {
		o->stats.table_full++;
		e->count = 0;
		e->since_ms = o->now_ms;
		return -ENOSPC;
	}
	o->filter[slot]++;
	o->n_remembered++;
	e->count = 0;
	e->since_ms = o->now_ms;
	e->until_ms = offender_deadline(o);
	o->stats.remembered_total++;
	return 0;
}

void
offender_exempt(struct offender *o, uint32_t ip_be)
{
	struct offender_entry *e = offender_find(o, offender_hash(o, ip_be), ip_be);

	o->stats.exempt++;
	if (e != NULL && e->until_ms == 0) {
		e->count = 0;
		e->since_ms = o->now_ms;
	}
}

bool
offender_is_remembered(const struct offender *o, uint32_t ip_be)
{
	const struct offender_entry *e = offender_find(o, offender_hash(o, ip_be), ip_be);

	return e != NULL && e->until_ms != 0 && offender_live(e->until_ms, o->now_ms);
}

static inline struct offender_authed *
offender_authed_slot(const struct offender *o, uint32_t ip_be)
{
	return &o->authed[(uint32_t)offender_hash(o, ip_be) & (OFFENDER_AUTHED_SLOTS - 1)];
}

void
offender_note_authed(struct offender *o, uint32_t ip_be)
{
	struct offender_authed *a = offender_authed_slot(o, ip_be);
	struct offender_entry *e;

	a->ip = ip_be;
	a->until_ms = offender_deadline(o);
	/* Remembered here already (its drops counted before it authenticated): forget it. */
	e = offender_find(o, offender_hash(o, ip_be), ip_be);
	if (e != NULL && e->until_ms != 0) {
		offender_forget(o, e);
		o->stats.cleared++;
	}
}

bool
offender_is_authed(const struct offender *o, uint32_t ip_be)
{
	const struct offender_authed *a = offender_authed_slot(o, ip_be);

	return a->ip == ip_be && offender_live(a->until_ms, o->now_ms);
}

unsigned int
offender_clear(struct offender *o, bool match_ip, uint32_t ip_be)
{
	unsigned int n = 0;
	uint32_t b, i;

	if (match_ip) {
		struct offender_entry *e = offender_find(o, offender_hash(o, ip_be), ip_be);

		if (e == NULL)
			return 0;
		if (offender_is_remembered_entry(e)) {
			offender_forget(o, e);
			n = 1;
		}
		*e = (struct offender_entry){0};
		o->stats.cleared += n;
		return n;
	}
	for (b = 0; b <= o->bucket_mask; b++)
		for (i = 0; i < OFFENDER_WAYS; i++) {
			struct offender_entry *e = &o->buckets[b].e[i];

			if (offender_is_remembered_entry(e))
				n++;
			*e = (struct offender_entry){0};
		}
	for (i = 0; i < OFFENDER_FILTER_SLOTS; i++)
		o->filter[i] = 0;
	o->n_remembered = 0;
	o->stats.cleared += n;
	return n;
}

unsigned int
offender_sweep(struct offender *o, uint32_t budget)
{
	unsigned int n = 0, i;

	if (o->n_remembered == 0)
		return 0;
	while (budget-- > 0) {
		struct offender_bucket *b = &o->buckets[o->sweep_next];

		o->sweep_next = (o->sweep_next + 1) & o->bucket_mask;
		for (i = 0; i < OFFENDER_WAYS; i++)
			if (offender_is_remembered_entry(&b->e[i]) &&
			    !offender_live(b->e[i].until_ms, o->now_ms)) {
				offender_forget(o, &b->e[i]);
				n++;
			}
	}
	o->stats.expired += n;
	return n;
}

void
offender_configure(struct offender *o, bool enabled, uint32_t threshold, uint32_t window_ms,
		   uint32_t remember_s)
{
	if (o->enabled && !enabled)
		offender_clear(o, false, 0);
	o->enabled = enabled;
	o->threshold = threshold != 0 ? threshold : 1;
	o->window_ms = window_ms;
	o->remember_ms = remember_s * 1000u;
}

unsigned int
offender_foreach(const struct offender *o, offender_visit_fn fn, void *arg)
{
	uint32_t now = __atomic_load_n(&o->now_ms, __ATOMIC_RELAXED), b, i;
	unsigned int n = 0;

	for (b = 0; b <= o->bucket_mask; b++)
		for (i = 0; i < OFFENDER_WAYS; i++) {
			struct offender_entry e = o->buckets[b].e[i]; /* racy copy: a stale row */
			struct offender_row row;

			if (e.ip == 0 || e.until_ms == 0 || !offender_live(e.until_ms, now))
				continue;
			row.ip = e.ip;
			row.hits = e.count;
			row.remaining_ms = e.until_ms - now;
			row.age_ms = now - e.since_ms;
			fn(&row, arg);
			n++;
		}
	return n;
}

/* --- the worker's side ---------------------------------------------------------------- */

/* Never remembered: a gateway, a live binding's address, a source that authenticated. */
static __rte_noinline __rte_cold bool
offender_never(const struct worker *w, uint32_t ip_be, uint16_t port_be,
	       const struct policy_hooks *hooks)
{
	if (policy_gateway_by_source(w->cfg->policy, ip_be, port_be) != NULL)
		return true;
	if (hooks != NULL && hooks->binding_live(hooks->ctx, ip_be, port_be))
		return true;
	return offender_is_authed(w->offender, ip_be);
}

void
offender_learn(struct worker *w, uint32_t ip_be, uint16_t port_be,
	       const struct policy_hooks *hooks)
{
	struct offender *o = w->offender;

	if (o == NULL || !o->enabled)
		return;
	if (likely(offender_count(o, ip_be) != OFFENDER_AT_THRESHOLD))
		return;
	if (offender_never(w, ip_be, port_be, hooks))
		offender_exempt(o, ip_be);
	else
		offender_remember(o, ip_be);
}

void
offender_auth_ok(struct worker *w, uint32_t ip_be)
{
	if (w->offender != NULL && w->offender->enabled)
		offender_note_authed(w->offender, ip_be);
}

void
offender_config_changed(struct worker *w)
{
	const struct sf_offender_cfg *c = &w->cfg->offender;
	struct offender *o = w->offender;
	uint32_t b, i;

	if (o == NULL)
		return;
	offender_configure(o, c->enabled, c->threshold, c->window_ms, c->remember_s);
	if (o->n_remembered == 0 || w->cfg->policy == NULL)
		return;
	/* A gateway added by this config is never remembered: forget it now (one walk). */
	for (b = 0; b <= o->bucket_mask; b++)
		for (i = 0; i < OFFENDER_WAYS; i++) {
			struct offender_entry *e = &o->buckets[b].e[i];

			if (offender_is_remembered_entry(e) &&
			    policy_gateway_by_source(w->cfg->policy, e->ip, 0) != NULL) {
				offender_forget(o, e);
				o->stats.cleared++;
			}
		}
}
