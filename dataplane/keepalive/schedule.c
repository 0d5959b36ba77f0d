/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT keep-alive scheduler: one intrusive doubly linked list of the worker's NAT bindings and
 * a cursor walking it once per cycle. A cycle is a whole number of ticks on the global
 * interval grid (multiples of interval_ms on the shared clock), so every worker's ticks line
 * up and the per-tick shares of all workers add up to the budget (KA-16).
 */
#include <errno.h>
#include <string.h>

#include "dataplane/keepalive/schedule.h"
#include "dataplane/params.h"

#define KA_ABSENT (KA_SCHED_NIL - 1) /* node.next of an id not on the schedule */
#define KA_JITTER_TRIES 4            /* random ids probed for a SPREAD insertion point */
#define KA_NO_TICK UINT32_MAX

/* One binding's schedule state: 12 bytes. */
struct ka_node {
	uint32_t next; /* id, KA_SCHED_NIL at the tail, KA_ABSENT when not scheduled */
	uint32_t prev; /* id, KA_SCHED_NIL at the head */
	uint32_t mark; /* == ka_sched.mark: behind the cursor this cycle (sent or not due) */
};

struct ka_sched {
	uint32_t capacity;          /* ids 0..capacity-1 */
	uint32_t n;                 /* bindings on the schedule */
	uint32_t head, tail;        /* list order = walk order */
	uint32_t cursor;            /* next binding to hand out, NIL when the walk is done */
	uint32_t ahead;             /* bindings at or after the cursor (mark != ka_sched.mark) */
	uint32_t sent;              /* handed out this cycle */
	uint32_t mark;              /* cycle serial for ka_node.mark, +1 per cycle start */
	bool running;               /* a cycle is in progress */
	bool has_pending;           /* @pending applies at the next cycle start */
	struct ka_sched_params cur; /* parameters of the running cycle */
	struct ka_sched_params pending;
	uint32_t n_ticks;        /* ticks in the running cycle */
	uint64_t cycle_start_ms; /* on the interval grid */
	uint64_t cycle_end_ms;   /* cycle_start_ms + n_ticks * interval_ms */
	uint32_t tick;           /* tick being served, KA_NO_TICK before the first */
	uint32_t tick_left;      /* ids this tick may still hand out */
	uint32_t tick_given;     /* ids handed out this tick */
	uint64_t next_tick_ms;   /* start of the tick after @tick */
	uint64_t rng;            /* xorshift64 state for SPREAD placement */
	struct ka_sched_stats stats;
	struct ka_node nodes[]; /* indexed by binding id */
};

size_t
ka_sched_size(uint32_t capacity)
{
	return sizeof(struct ka_sched) + (size_t)capacity * sizeof(struct ka_node);
}

static void
ka_sched_default_params(struct ka_sched_params *p)
{
	p->enabled = false;
	p->mode = KA_SCHED_SEED_WALK;
	p->period_ms = 30000;
	p->interval_ms = 500;
	p->budget = 3000;
	p->worker_index = 0;
	p->n_workers = 1;
}

struct ka_sched *
ka_sched_init(void *mem, size_t len, uint32_t capacity, uint64_t seed)
{
	struct ka_sched *s = mem;
	uint32_t i;

	if (mem == NULL || capacity > KA_SCHED_ID_MAX + 1u || len < ka_sched_size(capacity))
		return NULL;
	memset(s, 0, sizeof(*s));
	s->capacity = capacity;
	s->head = s->tail = s->cursor = KA_SCHED_NIL;
	s->mark = 1;
	s->tick = KA_NO_TICK;
	s->rng = seed != 0 ? seed : 0x9e3779b97f4a7c15ull;
	ka_sched_default_params(&s->cur);
	for (i = 0; i < capacity; i++)
		s->nodes[i] = (struct ka_node){.next = KA_ABSENT, .prev = KA_SCHED_NIL, .mark = 0};
	return s;
}

void
ka_sched_params_from(struct ka_sched_params *out, const struct sf_params *p,
		     enum ka_sched_mode mode, uint16_t index, uint16_t n_workers)
{
	out->enabled = p->ka_message_len > 0;
	out->mode = mode;
	out->period_ms = p->ka_period_s > UINT32_MAX / 1000 ? UINT32_MAX : p->ka_period_s * 1000;
	out->interval_ms = p->ka_send_interval_ms;
	out->budget = p->ka_send_one_time;
	out->worker_index = index;
	out->n_workers = n_workers;
}

uint32_t
ka_sched_ticks(const struct ka_sched_params *p)
{
	return (uint32_t)(((uint64_t)p->period_ms + p->interval_ms - 1) / p->interval_ms);
}

uint32_t
ka_sched_share(const struct ka_sched_params *p, uint64_t tick_start_ms)
{
	uint32_t n = p->n_workers;
	uint32_t g = (uint32_t)((tick_start_ms / p->interval_ms) % n);
	uint32_t rank = (p->worker_index + n - g) % n; /* 0..n-1, a different one per worker */

	return p->budget / n + (rank < p->budget % n ? 1 : 0);
}

uint64_t
ka_sched_capacity(const struct ka_sched *s)
{
	const struct ka_sched_params *p = &s->cur;
	uint64_t ticks = ka_sched_ticks(p);

	return ticks * (p->budget / p->n_workers) +
	       ticks * (p->budget % p->n_workers) / p->n_workers;
}

uint64_t
ka_sched_cycle(const struct ka_sched *s)
{
	return s->stats.cycles;
}

const struct ka_sched_stats *
ka_sched_stats(const struct ka_sched *s)
{
	return &s->stats;
}

uint32_t
ka_sched_count(const struct ka_sched *s)
{
	return s->n;
}

bool
ka_sched_has(const struct ka_sched *s, uint32_t id)
{
	return id < s->capacity && s->nodes[id].next != KA_ABSENT;
}

static bool
ka_params_valid(const struct ka_sched_params *p)
{
	return p->period_ms > 0 && p->interval_ms > 0 && p->budget > 0 && p->n_workers > 0 &&
	       p->worker_index < p->n_workers &&
	       (p->mode == KA_SCHED_SEED_WALK || p->mode == KA_SCHED_SPREAD);
}

int
ka_sched_set_params(struct ka_sched *s, const struct ka_sched_params *p)
{
	if (!ka_params_valid(p))
		return -EINVAL;
	if (!s->running || !p->enabled) {
		/* Nothing running, or the master off switch: no cycle to finish first. */
		s->cur = *p;
		s->has_pending = false;
		s->running = false;
		s->cursor = KA_SCHED_NIL;
		return 0;
	}
	s->pending = *p;
	s->has_pending = true;
	return 0;
}

/* Insert @id before @at (KA_SCHED_NIL: at the tail). */
static void
ka_list_insert(struct ka_sched *s, uint32_t id, uint32_t at)
{
	struct ka_node *x = &s->nodes[id];
	uint32_t before = at == KA_SCHED_NIL ? s->tail : s->nodes[at].prev;

	x->next = at;
	x->prev = before;
	if (before == KA_SCHED_NIL)
		s->head = id;
	else
		s->nodes[before].next = id;
	if (at == KA_SCHED_NIL)
		s->tail = id;
	else
		s->nodes[at].prev = id;
}

static void
ka_list_unlink(struct ka_sched *s, uint32_t id)
{
	struct ka_node *x = &s->nodes[id];

	if (x->prev == KA_SCHED_NIL)
		s->head = x->next;
	else
		s->nodes[x->prev].next = x->next;
	if (x->next == KA_SCHED_NIL)
		s->tail = x->prev;
	else
		s->nodes[x->next].prev = x->prev;
	x->next = KA_ABSENT;
	x->prev = KA_SCHED_NIL;
}

static uint32_t
ka_rand32(struct ka_sched *s)
{
	uint64_t x = s->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	s->rng = x;
	return (uint32_t)(x >> 32);
}

/*
 * SPREAD insertion point: before a random scheduled binding, so the newcomer's phase in the
 * cycle is uniform (a burst of registrations from one NAT does not become one burst of
 * keep-alives to it). Ids are dense registrar slots, so a few probes usually hit; otherwise
 * just before the cursor, i.e. the phase of "now".
 */
static uint32_t
ka_spread_point(struct ka_sched *s)
{
	unsigned int i;

	for (i = 0; i < KA_JITTER_TRIES && s->n > 0; i++) {
		uint32_t r = (uint32_t)(((uint64_t)ka_rand32(s) * s->capacity) >> 32);

		if (s->nodes[r].next != KA_ABSENT)
			return r;
	}
	return s->cursor;
}

int
ka_sched_add(struct ka_sched *s, uint32_t id)
{
	uint32_t at = KA_SCHED_NIL;
	bool behind;

	if (id >= s->capacity)
		return -EINVAL;
	if (s->nodes[id].next != KA_ABSENT)
		return -EEXIST;
	if (s->cur.mode == KA_SCHED_SPREAD)
		at = ka_spread_point(s);
	/* Behind the cursor = not handed out before the next cycle start. */
	if (at == KA_SCHED_NIL)
		behind = s->cursor == KA_SCHED_NIL;
	else
		behind = at == s->cursor || s->nodes[at].mark == s->mark;
	ka_list_insert(s, id, at);
	s->nodes[id].mark = behind ? s->mark : s->mark - 1;
	if (!behind)
		s->ahead++;
	s->n++;
	return 0;
}

int
ka_sched_remove(struct ka_sched *s, uint32_t id)
{
	if (!ka_sched_has(s, id))
		return -ENOENT;
	if (s->cursor == id)
		s->cursor = s->nodes[id].next;
	if (s->nodes[id].mark != s->mark)
		s->ahead--;
	ka_list_unlink(s, id);
	s->n--;
	return 0;
}

/* Close the running cycle: whatever the walk did not reach is an overrun (I-30, KA-7). */
static void
ka_cycle_finish(struct ka_sched *s)
{
	s->stats.last_not_reached = s->ahead;
	if (s->ahead > 0) {
		s->stats.overruns++;
		s->stats.not_reached += s->ahead;
	}
}

/* Start a cycle at the first grid point >= @from_ms, applying pending parameters first. */
static void
ka_cycle_start(struct ka_sched *s, uint64_t from_ms)
{
	uint32_t iv;

	if (s->has_pending) {
		s->cur = s->pending;
		s->has_pending = false;
	}
	s->cursor = KA_SCHED_NIL;
	s->running = s->cur.enabled;
	if (!s->running)
		return;
	iv = s->cur.interval_ms;
	s->n_ticks = ka_sched_ticks(&s->cur);
	s->cycle_start_ms = (from_ms + iv - 1) / iv * iv;
	s->cycle_end_ms = s->cycle_start_ms + (uint64_t)s->n_ticks * iv;
	s->mark++; /* every binding is ahead of the cursor again */
	s->ahead = s->n;
	s->cursor = s->head;
	s->sent = 0;
	s->tick = KA_NO_TICK;
	s->next_tick_ms = 0;
	s->stats.cycles++;
}

/* Ids tick @k may hand out: its share, and in SPREAD mode only its even part of the cycle. */
static uint32_t
ka_tick_quota(const struct ka_sched *s, uint32_t k)
{
	uint64_t tick_start = s->cycle_start_ms + (uint64_t)k * s->cur.interval_ms;
	uint32_t q = ka_sched_share(&s->cur, tick_start);

	if (s->cur.mode == KA_SCHED_SPREAD) {
		/* Cumulative target floor((k+1) * D / T): ticks differ by at most one. */
		uint64_t total = (uint64_t)s->sent + s->ahead;
		uint64_t target = (uint64_t)(k + 1) * total / s->n_ticks;
		uint64_t lag = target > s->sent ? target - s->sent : 0;

		if (lag < q)
			q = (uint32_t)lag;
	}
	return q < s->ahead ? q : s->ahead;
}

/* Bring the cycle up to @now_ms. Returns false when nothing can be due (disabled, early). */
static bool
ka_advance(struct ka_sched *s, uint64_t now_ms)
{
	uint32_t k;

	if (!s->running) {
		if (!s->cur.enabled)
			return false;
		ka_cycle_start(s, now_ms / s->cur.interval_ms * s->cur.interval_ms);
	}
	if (now_ms >= s->cycle_end_ms) {
		ka_cycle_finish(s);
		ka_cycle_start(s, s->cycle_end_ms);
		/* Fell a whole cycle behind (stalled lcore): that cycle is lost; restart at now. */
		if (s->running && now_ms >= s->cycle_end_ms) {
			ka_cycle_finish(s);
			ka_cycle_start(s, now_ms / s->cur.interval_ms * s->cur.interval_ms);
		}
		if (!s->running)
			return false;
	}
	if (now_ms < s->cycle_start_ms)
		return false;
	k = (uint32_t)((now_ms - s->cycle_start_ms) / s->cur.interval_ms);
	if (k != s->tick) {
		s->tick = k;
		s->tick_left = ka_tick_quota(s, k);
		s->tick_given = 0;
		s->next_tick_ms = s->cycle_start_ms + (uint64_t)(k + 1) * s->cur.interval_ms;
	}
	return true;
}

unsigned int
ka_sched_due(struct ka_sched *s, uint64_t now_ms, uint32_t *ids, unsigned int max)
{
	unsigned int n = 0;
	uint32_t id;

	/* Most calls: this tick's share is spent and the next tick has not begun. */
	if (s->tick_left == 0 && now_ms < s->next_tick_ms && s->running)
		return 0;
	if (!ka_advance(s, now_ms))
		return 0;
	id = s->cursor;
	if (max > s->tick_left)
		max = s->tick_left;
	while (n < max && id != KA_SCHED_NIL) {
		ids[n++] = id;
		s->nodes[id].mark = s->mark;
		id = s->nodes[id].next;
	}
	s->cursor = id;
	s->ahead -= n;
	s->sent += n;
	s->tick_left = id == KA_SCHED_NIL ? 0 : s->tick_left - n;
	s->tick_given += n;
	if (s->tick_given > s->stats.max_batch)
		s->stats.max_batch = s->tick_given;
	s->stats.due += n;
	return n;
}
