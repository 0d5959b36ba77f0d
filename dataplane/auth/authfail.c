/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Auth sessions, lockout counters and the per-IP ceiling in one open-addressing table of
 * 64-byte slots per worker. Why not rte_hash: the table is written and read by its owner
 * worker only (no lock-free readers needed), must stay testable without EAL, and needs an
 * eviction policy when full; a fixed array with linear probing inside a bounded window gives
 * one cache line per probe, O(window) worst case and no allocation after create. When a
 * window is full, only an entry whose state has ended (ended suspension, idle counter, old
 * session) is replaced; a live one, above all an active suspension, never is: new counting
 * is then refused and counted (refused_full), never a silent reset (issue 12 defect 9).
 * A spoofed source cannot fill it: state needs a wrong answer to a nonce that verifies for
 * that source IP, i.e. a real round trip (nonce.h).
 */
#include <errno.h>
#include <string.h>

#include "dataplane/params.h"
#include "dataplane/auth/authfail.h"
#include "dataplane/auth/authfail_impl.h"


struct af_key {
	uint64_t hash;
	uint32_t src_ip;
	struct sf_span name;
	uint8_t kind;
};

static struct af_key
make_key(const struct authfail_table *tbl, uint8_t kind, uint32_t src_ip, struct sf_span name)
{
	struct af_key k = { .src_ip = src_ip, .name = name, .kind = kind };
	uint64_t h = tbl->seed ^ ((uint64_t)kind << 56) ^ src_ip;

	h = sf_fnv1a64(sf_mix64(h), name.p, name.len);
	k.hash = sf_mix64(h ^ name.len);
	return k;
}

static inline uint32_t
elapsed(uint32_t now, uint32_t then)
{
	return now > then ? now - then : 0;
}

static bool
key_matches(const struct af_entry *e, const struct af_key *k)
{
	size_t n = k->name.len < AUTHFAIL_NAME_MAX ? k->name.len : AUTHFAIL_NAME_MAX;
	uint8_t len = k->name.len > 255 ? 255 : (uint8_t)k->name.len;

	return e->kind == k->kind && e->hash == k->hash && e->src_ip == k->src_ip &&
	       e->name_len == len && (n == 0 || memcmp(e->name, k->name.p, n) == 0);
}

static struct af_entry *
find(struct authfail_table *tbl, const struct af_key *k)
{
	uint32_t i, pos;

	for (i = 0; i < AF_PROBE; i++) {
		pos = (uint32_t)(k->hash + i) & tbl->mask;
		if (tbl->slots[pos].kind == AF_EMPTY)
			return NULL;
		if (key_matches(&tbl->slots[pos], k))
			return &tbl->slots[pos];
	}
	return NULL;
}

/* Backward-shift deletion: no tombstones, so lookups stop at the first empty slot. */
static void
remove_at(struct authfail_table *tbl, uint32_t pos)
{
	uint32_t i = pos, j = pos, n;

	for (n = 0; n <= tbl->mask; n++) {
		uint32_t home;

		j = (j + 1) & tbl->mask;
		if (tbl->slots[j].kind == AF_EMPTY)
			break;
		home = (uint32_t)tbl->slots[j].hash & tbl->mask;
		/* Stay when home lies cyclically in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		tbl->slots[i] = tbl->slots[j];
		i = j;
	}
	memset(&tbl->slots[i], 0, sizeof(tbl->slots[i]));
	tbl->n_live--;
}

static void
remove_entry(struct authfail_table *tbl, struct af_entry *e)
{
	remove_at(tbl, (uint32_t)(e - tbl->slots));
}

static bool
is_expired(const struct authfail_table *tbl, const struct af_entry *e, uint32_t now)
{
	switch (e->kind) {
	case AF_LOCK:
		return e->t0_s != 0 ? now >= e->t0_s : elapsed(now, e->last_s) >= tbl->cfg.idle_s;
	case AF_SESSION:
		return (uint64_t)elapsed(now, e->t0_s) > 2 * (uint64_t)e->t1_s + 1;
	case AF_IP:
		return e->t0_s != 0 ? now >= e->t0_s : elapsed(now, e->t1_s) >= tbl->cfg.ip_window_s;
	default:
		return true;
	}
}

/*
 * A zeroed entry for @k in its probe window: an empty slot, else one whose state has ended
 * (an ended suspension, an idle counter, a session past twice its timeout), which is a
 * no-op to drop. A live entry is never evicted, above all an active suspension (HARDEN-9:
 * a botnet filling a window must not lift one, nor silently reset a failure count): when the
 * window holds only live entries, NULL, counted in refused_full, and the caller refuses the
 * new counting (authfail_record_failure() then ends the session with a final reject).
 */
static struct af_entry *
insert(struct authfail_table *tbl, const struct af_key *k, uint32_t now)
{
	uint32_t i, pos, victim = 0;
	struct af_entry *e;
	bool found = false;

	for (i = 0; i < AF_PROBE; i++) {
		pos = (uint32_t)(k->hash + i) & tbl->mask;
		if (tbl->slots[pos].kind == AF_EMPTY) {
			victim = pos;
			tbl->n_live++;
			goto out_fill;
		}
		if (!found && is_expired(tbl, &tbl->slots[pos], now)) {
			victim = pos;
			found = true;
		}
	}
	if (!found) {
		tbl->stats.refused_full++;
		return NULL;
	}
	/* Replacing in place keeps the window gap-free, so every other key stays reachable. */
	tbl->stats.evictions++;
out_fill:
	e = &tbl->slots[victim];
	memset(e, 0, sizeof(*e));
	e->hash = k->hash;
	e->src_ip = k->src_ip;
	e->kind = k->kind;
	e->name_len = k->name.len > 255 ? 255 : (uint8_t)k->name.len;
	if (k->name.len > 0)
		memcpy(e->name, k->name.p,
		       k->name.len < AUTHFAIL_NAME_MAX ? k->name.len : AUTHFAIL_NAME_MAX);
	e->last_s = now;
	return e;
}

int
authfail_set_ip_ceiling(struct authfail_table *tbl, uint32_t max_fail, uint32_t window_s,
			uint32_t suspend_s)
{
	if (!authfail_ip_ceiling_ok(max_fail, window_s, suspend_s))
		return -EINVAL;
	tbl->cfg.ip_max_fail = max_fail;
	tbl->cfg.ip_window_s = window_s;
	tbl->cfg.ip_suspend_s = suspend_s;
	return 0;
}

/* Active suspension of @e at @now; an ended one is removed (the count restarts, LOCK-3). */
static bool
still_suspended(struct authfail_table *tbl, struct af_entry *e, uint32_t now)
{
	if (e == NULL || e->t0_s == 0)
		return false;
	if (now < e->t0_s)
		return true;
	remove_entry(tbl, e);
	return false;
}

enum authfail_check
authfail_check(struct authfail_table *tbl, uint32_t src_ip, struct sf_span user, uint32_t now)
{
	static const struct sf_span none = { NULL, 0 };
	struct af_key k;

	if (tbl->cfg.ip_max_fail != 0) {
		k = make_key(tbl, AF_IP, src_ip, none);
		if (still_suspended(tbl, find(tbl, &k), now))
			return AUTHFAIL_LOCKED;
	}
	k = make_key(tbl, AF_LOCK, src_ip, user);
	return still_suspended(tbl, find(tbl, &k), now) ? AUTHFAIL_LOCKED : AUTHFAIL_ALLOW;
}

enum authfail_session
authfail_session_check(struct authfail_table *tbl, uint32_t src_ip, struct sf_span call_id,
		       uint32_t now)
{
	struct af_key k = make_key(tbl, AF_SESSION, src_ip, call_id);
	struct af_entry *e = find(tbl, &k);

	if (e == NULL)
		return AUTHFAIL_SESSION_NONE;
	if (elapsed(now, e->t0_s) > e->t1_s) {
		remove_entry(tbl, e);
		return AUTHFAIL_SESSION_TIMED_OUT;
	}
	return AUTHFAIL_SESSION_OPEN;
}

static inline uint16_t
sat_inc(uint16_t v)
{
	return v == UINT16_MAX ? v : (uint16_t)(v + 1);
}

/*
 * The optional per-IP ceiling: fixed window, counts every wrong answer, success or not.
 * 1 = now suspended, 0 = counted, -1 = refused (table window full).
 */
static int
count_ip(struct authfail_table *tbl, uint32_t src_ip, uint32_t now)
{
	static const struct sf_span none = { NULL, 0 };
	struct af_key k = make_key(tbl, AF_IP, src_ip, none);
	struct af_entry *e = find(tbl, &k);

	if (e == NULL) {
		e = insert(tbl, &k, now);
		if (e == NULL)
			return -1; /* window full of live entries: not counted (refused_full) */
		e->t1_s = now;
	} else if (elapsed(now, e->t1_s) >= tbl->cfg.ip_window_s) {
		e->t1_s = now;
		e->n_fail = 0;
	}
	e->last_s = now;
	e->n_fail = sat_inc(e->n_fail);
	if (e->t0_s == 0 && e->n_fail >= tbl->cfg.ip_max_fail) {
		e->t0_s = now + tbl->cfg.ip_suspend_s;
		tbl->stats.ip_lockouts++;
		return 1;
	}
	return 0;
}

/*
 * The (source IP, user) counter of the pair this request uses (I-6): 1 = now suspended,
 * 0 = counted (or the pair is disabled), -1 = refused (table window full).
 */
static int
count_key(struct authfail_table *tbl, const struct authfail_attempt *a,
	  const struct sf_params *p, uint32_t now)
{
	uint32_t limit = a->is_register ? p->register_retry : p->auth_max_retry;
	uint32_t suspend = a->is_register ? p->register_suspend_s : p->auth_failed_suspend_s;
	struct af_key k = make_key(tbl, AF_LOCK, a->src_ip, a->user);
	struct af_entry *e = find(tbl, &k);
	uint16_t n;

	if (e == NULL) {
		if (limit == 0)
			return 0; /* 0 disables this pair (LOCK-8): keep no state for it */
		e = insert(tbl, &k, now);
		if (e == NULL)
			return -1;
	} else if (e->t0_s != 0 && now >= e->t0_s) {
		e->t0_s = 0; /* ended but not yet seen by authfail_check(): start again at 0 */
		e->n_fail = 0;
		e->n_fail_reg = 0;
	}
	e->last_s = now;
	if (a->is_register)
		n = e->n_fail_reg = sat_inc(e->n_fail_reg);
	else
		n = e->n_fail = sat_inc(e->n_fail);
	if (limit == 0 || e->t0_s != 0 || n < limit)
		return 0;
	e->t0_s = now + suspend;
	if (e->t0_s == 0)
		e->t0_s = 1; /* 0 means "not suspended" */
	tbl->stats.lockouts++;
	return 1;
}

enum authfail_result
authfail_record_failure(struct authfail_table *tbl, const struct authfail_attempt *a,
			const struct sf_params *p, uint32_t now)
{
	struct af_key k = make_key(tbl, AF_SESSION, a->src_ip, a->call_id);
	bool locked = false, refused = false;
	struct af_entry *s;
	int rc;

	tbl->stats.failures++;
	if (tbl->cfg.ip_max_fail != 0) {
		rc = count_ip(tbl, a->src_ip, now);
		locked = rc > 0;
		refused = rc < 0;
	}
	rc = count_key(tbl, a, p, now);
	locked = locked || rc > 0;
	refused = refused || rc < 0;
	s = find(tbl, &k);
	if (locked) {
		if (s != NULL)
			remove_entry(tbl, s);
		return AUTHFAIL_NOW_LOCKED;
	}
	if (s == NULL && !refused) {
		s = insert(tbl, &k, now);
		if (s != NULL) {
			s->t0_s = a->challenged_s < now ? a->challenged_s : now;
			s->t1_s = p->auth_timeout_s;
			s->retry = p->auth_retry > UINT16_MAX ? UINT16_MAX
							       : (uint16_t)p->auth_retry;
		}
	}
	if (refused || s == NULL) {
		/*
		 * The table cannot hold what this wrong answer must count (HARDEN-9): fail closed.
		 * The session ends in a final reject rather than a new challenge, so a full table
		 * never buys a guesser more attempts; counted in refused_full by insert().
		 */
		if (s != NULL)
			remove_entry(tbl, s);
		tbl->stats.final_rejects++;
		return AUTHFAIL_FINAL_REJECT;
	}
	s->last_s = now;
	s->n_fail = sat_inc(s->n_fail);
	if (elapsed(now, s->t0_s) > s->t1_s || s->n_fail >= s->retry) {
		remove_entry(tbl, s);
		tbl->stats.final_rejects++;
		return AUTHFAIL_FINAL_REJECT;
	}
	return AUTHFAIL_CHALLENGE_AGAIN;
}

void
authfail_record_success(struct authfail_table *tbl, uint32_t src_ip, struct sf_span user,
			struct sf_span call_id)
{
	struct af_key k = make_key(tbl, AF_LOCK, src_ip, user);
	struct af_entry *e = find(tbl, &k);

	/* A suspension is never lifted by a success (callers check first); it ends on time. */
	if (e != NULL && e->t0_s == 0)
		remove_entry(tbl, e);
	k = make_key(tbl, AF_SESSION, src_ip, call_id);
	e = find(tbl, &k);
	if (e != NULL)
		remove_entry(tbl, e);
}

unsigned int
authfail_expire(struct authfail_table *tbl, uint32_t now, unsigned int budget)
{
	unsigned int removed = 0;

	/*
	 * Nothing to look at in an empty table (the usual state under an unknown-source flood):
	 * the walk cost 24 instructions a frame in the flood_unknown profile, where callgrind's
	 * slowdown runs a housekeeping tick every few frames.
	 */
	if (tbl->n_live == 0)
		return 0;
	while (budget-- > 0) {
		struct af_entry *e = &tbl->slots[tbl->cursor];

		if (e->kind != AF_EMPTY && is_expired(tbl, e, now)) {
			remove_at(tbl, tbl->cursor); /* a later entry may shift in: look again */
			removed++;
			continue;
		}
		tbl->cursor = (tbl->cursor + 1) & tbl->mask;
	}
	return removed;
}

unsigned int
authfail_suspended_foreach(const struct authfail_table *tbl, uint32_t now, authfail_visit_fn fn,
			   void *arg)
{
	unsigned int n = 0;
	uint32_t i;

	for (i = 0; i <= tbl->mask; i++) {
		const struct af_entry *e = &tbl->slots[i];
		struct authfail_suspended s;

		if ((e->kind != AF_LOCK && e->kind != AF_IP) || e->t0_s <= now)
			continue;
		s = (struct authfail_suspended){
			.src_ip = e->src_ip,
			.ip_wide = e->kind == AF_IP,
			.remaining_s = e->t0_s - now,
		};
		if (e->kind == AF_LOCK) {
			s.user = e->name;
			s.user_len = e->name_len < AUTHFAIL_NAME_MAX ? e->name_len
								      : AUTHFAIL_NAME_MAX;
			s.user_truncated = e->name_len > AUTHFAIL_NAME_MAX;
		}
		fn(&s, arg);
		n++;
	}
	return n;
}

static bool
clear_matches(const struct authfail_table *tbl, const struct af_entry *e, bool match_ip,
	      uint32_t src_ip, struct sf_span user)
{
	struct af_key k;

	if (e->kind != AF_LOCK && e->kind != AF_IP)
		return false;
	if (match_ip && e->src_ip != src_ip)
		return false;
	if (user.len == 0)
		return true;
	if (e->kind != AF_LOCK)
		return false;
	k = make_key(tbl, AF_LOCK, e->src_ip, user);
	return key_matches(e, &k);
}

unsigned int
authfail_clear(struct authfail_table *tbl, bool match_ip, uint32_t src_ip, struct sf_span user)
{
	unsigned int removed = 0;
	uint32_t i = 0;

	while (i <= tbl->mask) {
		if (clear_matches(tbl, &tbl->slots[i], match_ip, src_ip, user)) {
			remove_at(tbl, i); /* look at slot i again */
			removed++;
			continue;
		}
		i++;
	}
	return removed;
}

uint32_t
authfail_count(const struct authfail_table *tbl)
{
	return tbl->n_live;
}

const struct authfail_stats *
authfail_stats(const struct authfail_table *tbl)
{
	return &tbl->stats;
}
