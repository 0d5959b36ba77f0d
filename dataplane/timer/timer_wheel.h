/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore hierarchical timing wheel (issue 11 item 4): struct worker.wheel, polled by the worker
 * loop (worker.c, SF_TIMER_BUDGET per iteration); kinds in timer_kinds.h. Registrar
 * expiry, ARP hold and auth sessions move onto it in issue 11.
 *
 * Contract
 * - Units: one tick is 1 ms. The wheel reads no clock: the caller passes "now" in ticks to
 *   tw_poll() (on a worker, the TSC divided down to ms; in tests, a fake clock). Times are
 *   absolute uint64 ticks on the caller's clock; w->now is the latest "now" polled.
 * - Horizon: a timer may be due at most TW_MAX_DELAY ticks (2^31 - 1 ms, 24.8 days) after the
 *   wheel's position (the next tick it will process: the latest now + 1, or less while a
 *   backlog is being worked off); tw_start() refuses a later one with -ERANGE. A time the
 *   wheel has already passed is accepted: the timer goes on a due list that the next poll
 *   (even at the same now) fires first, and its lateness is counted.
 * - Structure: 5 levels, 256 slots of 1 ms, then 4 x 64 slots of 256 ms, 16.4 s, 17.5 min and
 *   18.6 h; a timer cascades down a level when the wheel reaches its slot (Linux's classic
 *   scheme). 512 list heads (4 KB) per wheel plus the handler table.
 * - Nodes are intrusive (struct tw_node, 24 bytes) inside their owner's struct; the wheel never
 *   allocates. A node must be tw_node_init()ed (or zeroed) once before first use. The callback
 *   gets the node and finds its owner with container_of-style arithmetic.
 * - O(1): tw_start(), tw_stop() and tw_restart() unlink/link one doubly-linked list entry.
 * - Bounded work: tw_poll() does at most @budget units of work (one per callback fired, per
 *   node moved down a level, per slot stepped over); what is left (a backlog after a stall, a
 *   slot holding many timers) continues at the next poll, slot by slot in tick order (within
 *   one tick in no set order), and shows up as lateness. Empty slots are skipped with one
 *   bitmap per level: a step goes to the next non-empty 1 ms slot or, when level 0 is empty,
 *   straight to the next tick where an upper slot holding timers cascades, so an idle hour
 *   costs a few steps, not 3.6 million.
 * - Lateness: when a timer fires, now - expiry (ticks) goes into the counters: fired, the
 *   largest lateness, and a histogram (TW_LATE_BUCKETS buckets, see tw_late_bucket()).
 * - Callbacks: a node is no longer pending when its callback runs, and the wheel does not touch
 *   it afterwards, so a callback may restart its own timer, stop or (re)start any other timer of
 *   the same wheel, or free its owner. A timer (re)started with an expiry <= the poll's now from
 *   inside a callback fires in the same poll if the budget allows, so a callback that always
 *   restarts itself at "now" is bounded by the budget only: use a delay >= 1 tick.
 *   A callback must not call tw_poll() on the same wheel (it returns -EBUSY).
 * - Threads: one wheel per lcore; every call for a wheel comes from the lcore that owns it. No
 *   locks, no atomics, no syscalls, nothing allocated after tw_init().
 */
#ifndef SF_TIMER_WHEEL_H
#define SF_TIMER_WHEEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TW_L0_BITS 8
#define TW_LN_BITS 6
#define TW_LEVELS 5                       /**< level 0 plus 4 levels of 64 slots */
#define TW_L0_SLOTS (1u << TW_L0_BITS)    /**< 256 slots of 1 tick */
#define TW_LN_SLOTS (1u << TW_LN_BITS)    /**< 64 slots per upper level */
#define TW_MAX_DELAY ((uint64_t)INT32_MAX) /**< ticks ahead of the wheel's position */
#define TW_KINDS 16                        /**< handler table size (kinds of owner) */
#define TW_LATE_BUCKETS 8                  /**< 0, 1, 2-3, 4-15, 16-63, 64-255, 256-1023, >= 1024 */

/** Intrusive timer node, embedded in its owner's struct. 24 bytes. */
struct tw_node {
	struct tw_node *next;   /* next node in the slot */
	struct tw_node **pprev; /* the link pointing here; NULL = not pending */
	uint32_t expire;        /* low 32 bits of the expiry tick */
	uint8_t kind;           /* handler index, < TW_KINDS */
	uint8_t reserved[3];
};

struct tw_wheel;

/** Called when @n is due; @now is the poll's now, @arg the kind's argument. */
typedef void (*tw_fn)(struct tw_wheel *w, struct tw_node *n, uint64_t now, void *arg);

/** Counters (written by the owner lcore; read them for telemetry from that lcore's export). */
struct tw_stats {
	uint64_t started;        /* tw_start() calls that armed a timer (restarts included) */
	uint64_t stopped;        /* pending timers stopped (a restart of a pending one counts) */
	uint64_t fired;          /* callbacks run */
	uint64_t cascaded;       /* nodes moved down a level */
	uint64_t late_max;       /* largest now - expiry seen at firing, ticks */
	uint64_t late_hist[TW_LATE_BUCKETS]; /* firings by lateness bucket */
	uint64_t budget_exhausted; /* polls that stopped on the budget with work left */
	uint64_t refused;        /* tw_start() beyond the horizon or with a bad kind */
};

struct tw_wheel {
	uint64_t cur;            /* next tick to process: every tick < cur has been handled */
	uint64_t now;            /* latest now given to tw_poll() */
	uint32_t pending;        /* timers linked in the wheel */
	uint8_t cascade_level;   /* at a block boundary: level (1..4) being cascaded, 0 = none */
	bool casc_detached;      /* that level's slot has been moved onto casc_head */
	bool in_poll;
	struct tw_node *casc_head; /* nodes of the slot being cascaded, not yet moved down */
	struct tw_node *due_head;  /* started with an expiry the wheel has passed: fire first */
	uint64_t l0_map[TW_L0_SLOTS / 64]; /* non-empty level-0 slots */
	uint64_t ln_map[TW_LEVELS - 1];    /* non-empty slots of levels 1..4 */
	struct tw_node *l0[TW_L0_SLOTS];
	struct tw_node *ln[TW_LEVELS - 1][TW_LN_SLOTS];
	tw_fn fn[TW_KINDS];
	void *arg[TW_KINDS];
	struct tw_stats stats;
};

/** Start an empty wheel whose position is @now (ticks). */
void tw_init(struct tw_wheel *w, uint64_t now);

/** Handler for nodes of @kind (< TW_KINDS). Returns 0 or -EINVAL. */
int tw_set_handler(struct tw_wheel *w, uint8_t kind, tw_fn fn, void *arg);

/** Make @n a stopped node (or zero it). */
static inline void
tw_node_init(struct tw_node *n)
{
	n->next = NULL;
	n->pprev = NULL;
	n->expire = 0;
	n->kind = 0;
}

static inline bool
tw_pending(const struct tw_node *n)
{
	return n->pprev != NULL;
}

/**
 * Arm @n (of @kind) to fire at absolute tick @expire; a pending @n is moved (a restart).
 * @return 0; -ERANGE when @expire is more than TW_MAX_DELAY after the wheel's position;
 *         -EINVAL for a kind without a handler. On error a pending @n stays as it was.
 */
int tw_start(struct tw_wheel *w, struct tw_node *n, uint8_t kind, uint64_t expire);

/** tw_start() @delay ticks after the latest polled now. */
static inline int
tw_start_in(struct tw_wheel *w, struct tw_node *n, uint8_t kind, uint64_t delay)
{
	return tw_start(w, n, kind, w->now + delay);
}

/** Move a pending (or stopped) @n to @expire, keeping its kind. Same returns as tw_start(). */
int tw_restart(struct tw_wheel *w, struct tw_node *n, uint64_t expire);

/** Stop @n if pending; a stopped node is left alone. Returns true when it was pending. */
bool tw_stop(struct tw_wheel *w, struct tw_node *n);

/** Expiry tick of a pending @n (undefined for a stopped one). */
uint64_t tw_expiry(const struct tw_wheel *w, const struct tw_node *n);

/**
 * Fire every timer due at or before @now, doing at most @budget units of work (see above).
 * @now must not go backwards (a smaller value is taken as the latest one).
 * @return callbacks fired, or -EBUSY when called from a callback of this wheel
 */
int tw_poll(struct tw_wheel *w, uint64_t now, unsigned int budget);

/** True when work due at or before the latest now is left over (the budget bit). */
bool tw_backlog(const struct tw_wheel *w);

/** Lateness bucket of @late ticks (the histogram's index). */
unsigned int tw_late_bucket(uint64_t late);

static inline uint32_t
tw_count(const struct tw_wheel *w)
{
	return w->pending;
}

#endif
