/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hierarchical timing wheel; the contract is in timer_wheel.h. Placement: a timer due d ticks
 * after the wheel's position (cur) goes to level 0 slot (expiry & 255) when d < 256, else to
 * the level whose span holds d, at slot (expiry >> shift) & 63. When cur reaches a 256-tick
 * block boundary, level 1's slot for that block is cascaded (its timers are re-placed relative
 * to cur, landing in level 0 or a later level-1 slot); when that slot index is 0, level 2's
 * slot is cascaded too, and so on. A cascade takes its slot's list off first, so a timer
 * started while a cascade is spread over several polls is never moved twice.
 */
#include "dataplane/timer/timer_wheel.h"

#include <errno.h>
#include <string.h>

#define L0_MASK (TW_L0_SLOTS - 1)
#define LN_MASK (TW_LN_SLOTS - 1)

/* Shift of level @lvl (1..4): 8, 14, 20, 26. */
static inline unsigned int
level_shift(unsigned int lvl)
{
	return TW_L0_BITS + TW_LN_BITS * (lvl - 1);
}

void
tw_init(struct tw_wheel *w, uint64_t now)
{
	memset(w, 0, sizeof(*w));
	w->cur = now;
	w->now = now;
}

int
tw_set_handler(struct tw_wheel *w, uint8_t kind, tw_fn fn, void *arg)
{
	if (kind >= TW_KINDS || fn == NULL)
		return -EINVAL;
	w->fn[kind] = fn;
	w->arg[kind] = arg;
	return 0;
}

unsigned int
tw_late_bucket(uint64_t late)
{
	if (late == 0)
		return 0;
	if (late == 1)
		return 1;
	if (late < 4)
		return 2;
	if (late < 16)
		return 3;
	if (late < 64)
		return 4;
	if (late < 256)
		return 5;
	if (late < 1024)
		return 6;
	return 7;
}

static inline bool
in_l0(const struct tw_wheel *w, struct tw_node **pp)
{
	return pp >= &w->l0[0] && pp < &w->l0[TW_L0_SLOTS];
}

static inline bool
in_ln(const struct tw_wheel *w, struct tw_node **pp)
{
	return pp >= &w->ln[0][0] && pp < &w->ln[TW_LEVELS - 2][TW_LN_SLOTS];
}

/* @pp, a slot head, has just become empty: clear its bit. */
static inline void
slot_emptied(struct tw_wheel *w, struct tw_node **pp)
{
	unsigned int off;

	if (in_l0(w, pp)) {
		off = (unsigned int)(pp - &w->l0[0]);
		w->l0_map[off >> 6] &= ~(1ull << (off & 63));
	} else if (in_ln(w, pp)) {
		off = (unsigned int)(pp - &w->ln[0][0]);
		w->ln_map[off / TW_LN_SLOTS] &= ~(1ull << (off % TW_LN_SLOTS));
	}
}

static inline void
unlink_node(struct tw_wheel *w, struct tw_node *n)
{
	struct tw_node **pp = n->pprev;

	*pp = n->next;
	if (n->next != NULL)
		n->next->pprev = pp;
	else if (*pp == NULL)
		slot_emptied(w, pp);
	n->next = NULL;
	n->pprev = NULL;
	w->pending--;
}

static inline void
push(struct tw_node **head, struct tw_node *n)
{
	n->next = *head;
	if (n->next != NULL)
		n->next->pprev = &n->next;
	*head = n;
	n->pprev = head;
}

/* Link @n (expire already set) relative to cur. Its distance is below 2^31 either way. */
static void
link_node(struct tw_wheel *w, struct tw_node *n)
{
	int64_t d = (int32_t)(n->expire - (uint32_t)w->cur);
	unsigned int lvl, idx;

	if (d < 0) {
		push(&w->due_head, n);
	} else if (d < (int64_t)TW_L0_SLOTS) {
		idx = n->expire & L0_MASK;
		push(&w->l0[idx], n);
		w->l0_map[idx >> 6] |= 1ull << (idx & 63);
	} else {
		for (lvl = 1; lvl < TW_LEVELS - 1; lvl++)
			if (d < (int64_t)1 << level_shift(lvl + 1))
				break;
		idx = (n->expire >> level_shift(lvl)) & LN_MASK;
		push(&w->ln[lvl - 1][idx], n);
		w->ln_map[lvl - 1] |= 1ull << idx;
	}
	w->pending++;
}

uint64_t
tw_expiry(const struct tw_wheel *w, const struct tw_node *n)
{
	return (uint64_t)((int64_t)w->cur + (int32_t)(n->expire - (uint32_t)w->cur));
}

int
tw_start(struct tw_wheel *w, struct tw_node *n, uint8_t kind, uint64_t expire)
{
	if (kind >= TW_KINDS || w->fn[kind] == NULL) {
		w->stats.refused++;
		return -EINVAL;
	}
	if (expire > w->cur && expire - w->cur > TW_MAX_DELAY) {
		w->stats.refused++;
		return -ERANGE;
	}
	if (expire < w->cur && w->cur - expire > TW_MAX_DELAY)
		expire = w->cur - TW_MAX_DELAY; /* older than the wheel can say: as old as it can */
	if (n->pprev != NULL) {
		unlink_node(w, n);
		w->stats.stopped++;
	}
	n->expire = (uint32_t)expire;
	n->kind = kind;
	link_node(w, n);
	w->stats.started++;
	return 0;
}

int
tw_restart(struct tw_wheel *w, struct tw_node *n, uint64_t expire)
{
	return tw_start(w, n, n->kind, expire);
}

bool
tw_stop(struct tw_wheel *w, struct tw_node *n)
{
	if (n->pprev == NULL)
		return false;
	unlink_node(w, n);
	w->stats.stopped++;
	return true;
}

bool
tw_backlog(const struct tw_wheel *w)
{
	return w->due_head != NULL || (w->pending != 0 && w->cur <= w->now);
}

/* First non-empty level-0 slot after @idx in this block, or TW_L0_SLOTS. */
static unsigned int
next_l0(const struct tw_wheel *w, unsigned int idx)
{
	unsigned int pos = idx + 1;

	while (pos < TW_L0_SLOTS) {
		uint64_t bits = w->l0_map[pos >> 6] >> (pos & 63);

		if (bits != 0)
			return pos + (unsigned int)__builtin_ctzll(bits);
		pos = ((pos >> 6) + 1) << 6;
	}
	return TW_L0_SLOTS;
}

/*
 * Level 0 is empty: the first tick after cur at which an upper slot holding timers cascades
 * (UINT64_MAX when none). Slot i of level k cascades when the tick's level-k index is i and
 * every lower bit is 0; the slot at the current index holds timers one full turn ahead.
 */
static uint64_t
next_cascade(const struct tw_wheel *w)
{
	uint64_t best = UINT64_MAX;
	unsigned int lvl;

	for (lvl = 1; lvl < TW_LEVELS; lvl++) {
		unsigned int sh = level_shift(lvl), cur_idx = (unsigned int)(w->cur >> sh) & LN_MASK;
		uint64_t map = w->ln_map[lvl - 1], base, t;
		unsigned int i;

		if (map == 0)
			continue;
		/* First set slot after cur_idx, else wrap to the first set one (next turn). */
		base = w->cur & ~((1ull << (sh + TW_LN_BITS)) - 1);
		if (cur_idx < LN_MASK && (map >> (cur_idx + 1)) != 0) {
			i = cur_idx + 1 + (unsigned int)__builtin_ctzll(map >> (cur_idx + 1));
			t = base + ((uint64_t)i << sh);
		} else {
			i = (unsigned int)__builtin_ctzll(map);
			t = base + (1ull << (sh + TW_LN_BITS)) + ((uint64_t)i << sh);
		}
		if (t < best)
			best = t;
	}
	return best;
}

/* Continue the cascade at this block boundary; false when the budget ran out first. */
static bool
cascade(struct tw_wheel *w, unsigned int budget, unsigned int *work)
{
	while (w->cascade_level != 0) {
		unsigned int lvl = w->cascade_level;
		unsigned int idx = (unsigned int)(w->cur >> level_shift(lvl)) & LN_MASK;

		if (!w->casc_detached) {
			struct tw_node **slot = &w->ln[lvl - 1][idx];

			w->casc_head = *slot;
			if (w->casc_head != NULL)
				w->casc_head->pprev = &w->casc_head;
			*slot = NULL;
			w->ln_map[lvl - 1] &= ~(1ull << idx);
			w->casc_detached = true;
		}
		while (w->casc_head != NULL) {
			struct tw_node *n = w->casc_head;

			if (*work >= budget)
				return false;
			unlink_node(w, n);
			link_node(w, n);
			w->stats.cascaded++;
			(*work)++;
		}
		w->casc_detached = false;
		w->cascade_level = (idx == 0 && lvl < TW_LEVELS - 1) ? (uint8_t)(lvl + 1) : 0;
	}
	return true;
}

static void
fire(struct tw_wheel *w, struct tw_node *n, uint64_t now)
{
	uint64_t due = tw_expiry(w, n);
	uint64_t late = now > due ? now - due : 0;

	unlink_node(w, n);
	w->stats.fired++;
	w->stats.late_hist[tw_late_bucket(late)]++;
	if (late > w->stats.late_max)
		w->stats.late_max = late;
	w->fn[n->kind](w, n, now, w->arg[n->kind]);
}

int
tw_poll(struct tw_wheel *w, uint64_t now, unsigned int budget)
{
	unsigned int work = 0;
	int fired = 0;

	if (w->in_poll)
		return -EBUSY;
	if (now > w->now)
		w->now = now;
	now = w->now;
	if (w->pending == 0 && w->casc_head == NULL) {
		/* Nothing anywhere: jump (no level holds a node, so no cascade is owed). */
		if (w->cur <= now)
			w->cur = now + 1;
		w->cascade_level = 0;
		w->casc_detached = false;
		return 0;
	}
	w->in_poll = true;
	for (;;) {
		unsigned int idx, next;
		uint64_t to;

		if (w->due_head != NULL) { /* started after the wheel passed their tick */
			if (work >= budget)
				break;
			fire(w, w->due_head, now);
			fired++;
			work++;
			continue;
		}
		if (w->cascade_level != 0 && !cascade(w, budget, &work))
			break;
		if (w->cur > now || work >= budget)
			break;
		idx = (unsigned int)w->cur & L0_MASK;
		if (w->l0[idx] != NULL) {
			fire(w, w->l0[idx], now);
			fired++;
			work++;
			continue;
		}
		/* Empty slot: step to the next non-empty one in this block or the block's end;
		 * with level 0 empty, to the next tick where an upper slot holding timers
		 * cascades; never past now + 1. */
		if ((w->l0_map[0] | w->l0_map[1] | w->l0_map[2] | w->l0_map[3]) == 0) {
			to = next_cascade(w);
		} else {
			next = next_l0(w, idx);
			to = w->cur - idx + next;
		}
		if (to > now + 1)
			to = now + 1;
		w->cur = to;
		work++;
		if ((w->cur & L0_MASK) == 0)
			w->cascade_level = 1;
	}
	if (tw_backlog(w))
		w->stats.budget_exhausted++;
	w->in_poll = false;
	return fired;
}
