/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Location shard (see location.h). Memory per binding at the default capacity (65536; measured
 * by tests/unit/test_location.c, test_LOC_memory_per_binding):
 *   slot array     160 B  struct location_slot: the 152-byte binding + reclaim link + src pos
 *   AoR index       40 B  rte_hash, 8-byte key, 65537 entries: 16384 buckets x 64 B (16 B),
 *                         key store (entries + 1) x 16 B (16 B), free-slot ring 2^17 x 4 B (8 B)
 *   source index    40 B  the same table for the 8-byte ip:port key
 *   source filter    2 B  4 x align32pow2(capacity) 4-bit counters (see "Source filter")
 *   reclaim          0 B  pending slots are linked through the slot array (no defer queue)
 *   expiry timer    24 B  struct tw_node per slot, an array of its own (see "Expiry")
 * plus 12 B for the keep-alive schedule (keepalive/schedule.c): 278 B (254 B before the
 * expiry timers of issue 11).
 *
 * Expiry. Each slot's timer (loc->tn[idx], TW_KIND_BINDING on the owner's wheel) is armed by
 * location_put() at loc->tick(expires_at_s), moved by a refresh and stopped by
 * location_unlink(); location_timer_fire() unlinks the binding. Only the owner touches the
 * nodes, and they live outside the slots, so readers never load one. Lookups still compare
 * expires_at_s with their clock, so a binding is "gone" at its second even before its timer
 * has fired (the wheel may run late by its backlog).
 *
 * Index layout. The AoR table maps location_aor_key(AoR) (8 bytes) to nothing: the key's
 * position in the table IS the binding's slot index, so the table's own free-slot ring is the
 * free list of binding slots and no key data or free stack is kept. The full AoR lives in the
 * binding and every lookup compares it. The source table maps {ip, port} to the slot index of
 * the newest binding from there (key data), the head of that source's chain.
 *
 * Source chains. Several accounts may register from one ip:port (a multi-line phone, a PBX),
 * so each binding links to the next older one from the same source (location_binding.src_next,
 * LOCATION_NONE ends it) and location_source_live() walks the chain until a live binding. The
 * owner links a new binding at the head: src_next is written before the key's data is set to
 * it (rte_hash_add_key_data() on an existing key is a release store of the key data in LF
 * mode, DPDK 22.11 search_and_update(); readers load it with acquire). It unlinks by splicing:
 * the head by setting the key's data to the next binding (or deleting the key when it was the
 * only one), any other by a release store of the predecessor's src_next. An unlinked binding's
 * own src_next is never changed and its slot is reused only after a grace period, so a reader
 * standing on it still reaches valid slots: every slot it can reach was unlinked after the
 * reader last reported quiescence. Unlink walks the chain from the head (O(bindings from that
 * address), owner only); readers stop at the first live binding, normally the head.
 *
 * Reclaim. With RW_CONCURRENCY_LF and no RCU attached, rte_hash_del_key() unindexes a key but
 * keeps its key-store position (no_free_on_del); rte_hash_free_key_with_position() returns it.
 * An unlinked slot goes onto the shard's limbo list (linked through location_slot.next,
 * carrying the source key position it gave up); the limbo list becomes the waiting batch under
 * a token from rte_rcu_qsbr_start(), and once rte_rcu_qsbr_check() says every registered reader
 * passed a quiescent state after that token, both positions are freed: only then can the slot
 * be handed out again. One batch waits at a time; the owner polls it (non-blocking) from
 * location_put() and location_sweep(). This costs 8 bytes in the slot and nothing per table,
 * where an rte_rcu_qsbr_dq sized to the table costs 2^17 x 16 B = 32 B per binding per queue.
 *
 * Source filter. Every unknown-source packet asks every shard holding bindings whether its
 * ip:port is bound (location_source_live(), via registrar_binding_live()); the source lookup
 * costs ~230 instructions and often a cache miss. A counting filter answers most misses first
 * with one load: 4-bit counters indexed by a hash of {ip, port} (location_source_fhash(), a
 * multiplicative hash, cheaper than the table's CRC, which only a maybe pays), each counting
 * the bindings linked into a source chain whose source maps there. Counter 0 = no binding
 * from any source of that counter is linked, so "not live" without the lookup; non-zero = ask
 * the table.
 *   Size: 4 counters per binding of the capacity asked for (rounded up to a power of two):
 *   2 B per binding, which the 256 B budget allowed (4-bit counters rather than 8-bit at the
 *   same memory: twice the counters, half the false positives). One hash (one load per probe).
 *   False-positive rate for an unbound source: 1 - e^(-n/m) for n linked bindings from
 *   distinct sources in m counters: 3.7% with 10,000 bindings in a default shard (m = 2^18),
 *   22% for a full one. A false positive costs only the lookup (today's price).
 *   Saturation: a counter reaching 15 sticks (never decremented again): a source shared by
 *   15 linked bindings, or 15 colliding sources, is rare, and a stuck counter only costs the
 *   lookup for its sources. Never wrong in the unsafe direction.
 *   Writer: the owner only (relaxed read, atomic byte store: the two counters of a byte have
 *   one writer). Readers: an acquire load of the byte.
 *   Ordering (a reader seeing 0 may say "not live"): the owner increments BEFORE the binding
 *   becomes live (location_put: counter store, then live = 1 release) and decrements AFTER it
 *   is unindexed (location_unlink: live = 0 release and the source splice, then the counter
 *   store, release). So a counter of 0 read by a probe means either the increment is not yet
 *   visible, which orders the probe before live = 1 (had the reader seen live = 1 through any
 *   acquire, the increment would be visible: it happens-before that store), i.e. the probe
 *   ran before the REGISTER completed, as it could anyway; or the decrement is visible, and
 *   with it (release/acquire) live = 0: the binding was already gone. Both are answers the
 *   unfiltered probe could give at some instant during the call.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_common.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_jhash.h>

#include "dataplane/registrar/location_priv.h"
#include "dataplane/timer/timer_kinds.h"

/*
 * HARDEN-10 test seam: the unit test compiles this file a second time with
 * -DLOCATION_TEST_HOOK (tests/unit/meson.build) so a writer can run at fixed points of
 * location_copy(); every other build has no hook and no call.
 */
#ifdef LOCATION_TEST_HOOK
location_copy_hook_fn location_copy_hook;
#define LOCATION_COPY_AT(pt, loc, idx)                                                       \
	do {                                                                                 \
		if (location_copy_hook != NULL)                                              \
			location_copy_hook((pt), (loc), (idx));                              \
	} while (0)
#else
#define LOCATION_COPY_AT(pt, loc, idx) do { } while (0)
#endif

uint32_t
location_aor_hash(struct sf_span aor)
{
	uint8_t key[LOCATION_AOR_MAX] = {0};

	memcpy(key, aor.p, RTE_MIN(aor.len, (uint16_t)LOCATION_AOR_MAX));
	return rte_hash_crc(key, sizeof(key), 0);
}

/*
 * 64-bit AoR key. Two different AoRs collide with probability 2^-64 per pair, so among n AoRs
 * of one shard about n^2 / 2^65: 1.2e-10 for a full default shard. The second one to register
 * is refused (-EEXIST, counted by the caller as a store failure), never given the first one's
 * binding, because every lookup compares the AoR kept in the binding.
 */
uint64_t
location_aor_key_hash(struct sf_span aor)
{
	uint8_t buf[LOCATION_AOR_MAX + 4] = {0}; /* lookup3 may load the last word whole */
	uint16_t len = RTE_MIN(aor.len, (uint16_t)LOCATION_AOR_MAX);
	uint32_t c = 0x5f1a7e01u, b = 0x0c0ffee5u; /* fixed seeds: any values do */

	memcpy(buf, aor.p, len);
	rte_jhash_2hashes(buf, len, &c, &b);
	return (uint64_t)c << 32 | b;
}

__attribute__((weak)) uint64_t
location_aor_key(struct sf_span aor)
{
	return location_aor_key_hash(aor);
}

int
location_binding_set_text(struct location_binding *b, struct sf_span aor, struct sf_span contact)
{
	if (aor.len == 0 || aor.len > LOCATION_AOR_MAX)
		return -EINVAL;
	if ((uint32_t)aor.len + contact.len > LOCATION_TEXT_MAX)
		return -E2BIG;
	memcpy(b->text, aor.p, aor.len);
	if (contact.len > 0)
		memcpy(b->text + aor.len, contact.p, contact.len);
	b->aor_len = (uint8_t)aor.len;
	b->contact_len = contact.len;
	return 0;
}

static inline bool
location_alive(const struct location_binding *b, uint32_t now)
{
	return __atomic_load_n(&b->live, __ATOMIC_ACQUIRE) != 0 &&
	       (int32_t)(__atomic_load_n(&b->expires_at_s, __ATOMIC_RELAXED) - now) > 0;
}

static inline bool
location_aor_eq(const struct location_binding *b, struct sf_span aor)
{
	return b->aor_len == aor.len && memcmp(b->text, aor.p, aor.len) == 0;
}

/* Slot index of @aor's binding (owner: live; reader: check live), or -1. */
static inline int32_t
location_find(const struct location *loc, struct sf_span aor)
{
	uint64_t key;
	int32_t pos;

	if (aor.len == 0 || aor.len > LOCATION_AOR_MAX)
		return -1;
	key = location_aor_key(aor);
	pos = rte_hash_lookup(loc->by_aor, &key);
	return pos >= 0 && (uint32_t)pos < loc->slots ? pos : -1;
}

const struct location_binding *
location_lookup(const struct location *loc, struct sf_span aor, uint32_t now)
{
	int32_t pos = location_find(loc, aor);
	const struct location_binding *b;

	if (pos < 0)
		return NULL;
	b = &loc->s[pos].b;
	/* live (acquire) first: the AoR bytes are then those of the binding made live. */
	return location_alive(b, now) && location_aor_eq(b, aor) ? b : NULL;
}

static inline uint64_t
location_fhash(uint32_t ip, uint16_t port)
{
	/* multiplicative (Fibonacci) hash of the 48-bit {port, ip}: every input bit reaches the
	 * top bits the index is taken from; 3 instructions, where the table's CRC costs ~35 */
	return ((uint64_t)port << 32 | ip) * 0x9e3779b97f4a7c15ull;
}

/* Counter index of filter hash @fh: its top bits. */
static inline uint32_t
location_filter_idx(const struct location *loc, uint64_t fh)
{
	return (uint32_t)(fh >> loc->filter_shift);
}

static inline unsigned int
location_filter_get(const struct location *loc, uint64_t fh)
{
	uint32_t i = location_filter_idx(loc, fh);

	return (__atomic_load_n(&loc->filter[i >> 1], __ATOMIC_ACQUIRE) >> ((i & 1) * 4)) & 0xf;
}

static inline bool
location_maybe(const struct location *loc, uint64_t fh)
{
	return location_filter_get(loc, fh) != 0;
}

unsigned int
location_source_filter(const struct location *loc, uint64_t fh)
{
	return location_filter_get(loc, fh);
}

uint64_t
location_source_fhash(uint32_t ip, uint16_t port)
{
	return location_fhash(ip, port);
}

bool
location_source_maybe(const struct location *loc, uint64_t fh)
{
	return location_maybe(loc, fh);
}

/* Owner: one more (@up) or one fewer linked binding from @ip:@port; a saturated one sticks. */
static void
location_filter_add(struct location *loc, uint32_t ip, uint16_t port, bool up)
{
	uint32_t i = location_filter_idx(loc, location_fhash(ip, port));
	unsigned int shift = (i & 1) * 4;
	uint8_t byte = __atomic_load_n(&loc->filter[i >> 1], __ATOMIC_RELAXED); /* its writer */
	unsigned int c = (byte >> shift) & 0xf;

	if (c == LOCATION_FILTER_MAX || (!up && c == 0)) /* sticks; 0 cannot be unlinked from */
		return;
	c = up ? c + 1 : c - 1;
	byte = (uint8_t)((byte & ~(0xfu << shift)) | c << shift);
	__atomic_store_n(&loc->filter[i >> 1], byte, __ATOMIC_RELEASE);
}

bool
location_source_lookup(const struct location *loc, uint32_t ip, uint16_t port, uint32_t now)
{
	struct location_src_key k = {.ip = ip, .port = port, .zero = 0};
	uint32_t idx, n;
	void *data;

	if (rte_hash_lookup_data(loc->by_src, &k, &data) < 0)
		return false;
	idx = (uint32_t)(uintptr_t)data;
	/* The chain, newest first (see the top of this file); bounded by the slot count. */
	for (n = 0; idx < loc->slots && n < loc->slots; n++) {
		const struct location_binding *b = &loc->s[idx].b;

		if (location_alive(b, now))
			return true;
		idx = __atomic_load_n(&b->src_next, __ATOMIC_ACQUIRE);
	}
	return false;
}

bool
location_source_live(const struct location *loc, uint32_t ip, uint16_t port, uint32_t now)
{
	/* the filter first: see "Source filter" at the top of this file */
	return location_maybe(loc, location_fhash(ip, port)) &&
	       location_source_lookup(loc, ip, port, now);
}

/* Free the waiting batch when its grace period ended, then give the limbo list a token. */
static void
location_reclaim(struct location *loc)
{
	if (loc->waiting != LOCATION_NONE) {
		if (rte_rcu_qsbr_check(loc->qs, loc->token, false) != 1)
			return;
		while (loc->waiting != LOCATION_NONE) {
			uint32_t idx = loc->waiting;
			struct location_slot *s = &loc->s[idx];

			loc->waiting = s->next;
			if (s->src_pos != LOCATION_NONE)
				(void)rte_hash_free_key_with_position(loc->by_src,
								      (int32_t)s->src_pos);
			/* the slot can be handed out again */
			(void)rte_hash_free_key_with_position(loc->by_aor, (int32_t)idx);
		}
	}
	if (loc->limbo != LOCATION_NONE) {
		loc->token = rte_rcu_qsbr_start(loc->qs);
		loc->waiting = loc->limbo;
		loc->limbo = LOCATION_NONE;
	}
}

/* Slot @idx, unindexed, and source key position @src_pos wait for a grace period. */
static void
location_defer(struct location *loc, uint32_t idx, uint32_t src_pos)
{
	loc->s[idx].src_pos = src_pos;
	loc->s[idx].next = loc->limbo;
	loc->limbo = idx;
	location_reclaim(loc); /* starts the grace period now when no batch is waiting */
}

/*
 * Splice slot @idx out of its source's chain (owner), then uncount it in the source filter
 * (after the splice: see "Source filter"). Returns the source key position given up (the key
 * was deleted: @idx was the only binding from there), else -1. @idx's own src_next is left as
 * it is for readers standing on it.
 */
static int32_t
location_src_unlink(struct location *loc, uint32_t idx)
{
	const struct location_binding *b = &loc->s[idx].b;
	struct location_src_key k = {.ip = b->src_ip, .port = b->src_port, .zero = 0};
	uint32_t next = b->src_next, prev, n;
	int32_t pos = -1;
	void *data;

	if (rte_hash_lookup_data(loc->by_src, &k, &data) < 0)
		return -1; /* never linked (cannot happen for a live binding): never counted */
	prev = (uint32_t)(uintptr_t)data;
	if (prev == idx) { /* the head: the key now names the next one, or goes */
		if (next == LOCATION_NONE)
			pos = rte_hash_del_key(loc->by_src, &k);
		else
			(void)rte_hash_add_key_data(loc->by_src, &k, (void *)(uintptr_t)next);
		location_filter_add(loc, k.ip, k.port, false);
		return pos;
	}
	for (n = 0; prev < loc->slots && n < loc->slots; n++) {
		struct location_binding *p = &loc->s[prev].b;

		if (p->src_next == idx) {
			__atomic_store_n(&p->src_next, next, __ATOMIC_RELEASE);
			location_filter_add(loc, k.ip, k.port, false);
			break;
		}
		prev = p->src_next;
	}
	return -1;
}

/* Unindex slot @idx: readers stop finding it now; the slot returns after a grace period. */
static void
location_unlink(struct location *loc, uint32_t idx)
{
	struct location_binding *b = &loc->s[idx].b;
	uint64_t key = location_aor_key(location_binding_aor(b));
	int32_t src_pos;

	__atomic_store_n(&b->live, 0, __ATOMIC_RELEASE);
	if (loc->tw != NULL)
		(void)tw_stop(loc->tw, &loc->tn[idx]); /* the expiry timer (not pending if it fired) */
	src_pos = location_src_unlink(loc, idx);
	rte_hash_del_key(loc->by_aor, &key); /* returns idx; the position is freed by reclaim */
	__atomic_store_n(&loc->n_live, loc->n_live - 1, __ATOMIC_RELAXED);
	if (loc->notify != NULL) /* issue 6: leaves the keep-alive schedule at once (KA-8) */
		loc->notify(loc->notify_arg, idx, b, false);
	location_defer(loc, idx, src_pos >= 0 ? (uint32_t)src_pos : LOCATION_NONE);
}

/*
 * Owner: (re)start slot @idx's expiry timer at the wheel tick of its expires_at_s. A tick
 * beyond the wheel's horizon (24.8 days; grants are hours) is clamped to it: the timer then
 * fires early, finds the binding not yet expired and is armed again (location_timer_fire()).
 */
static void
location_arm(struct location *loc, uint32_t idx)
{
	uint64_t due, last;

	if (loc->tw == NULL)
		return;
	due = loc->tick(loc->tick_arg, loc->s[idx].b.expires_at_s);
	last = loc->tw->cur + TW_MAX_DELAY;
	(void)tw_start(loc->tw, &loc->tn[idx], TW_KIND_BINDING, RTE_MIN(due, last));
}

/*
 * The TW_KIND_BINDING handler on the owner's wheel: slot @n's binding is due. Unlinked as any
 * unlink (the keep-alive schedule hears of it through notify), counted. A timer that fires
 * before the binding's expiry on the owner's clock (clamped to the horizon, or a test clock
 * the wheel does not follow) is armed again at its tick.
 */
void
location_timer_fire(struct tw_wheel *tw, struct tw_node *n, uint64_t now, void *arg)
{
	struct location *loc = arg;
	uint32_t idx = (uint32_t)(n - loc->tn);
	struct location_binding *b = &loc->s[idx].b;
	uint64_t due;

	if (idx >= loc->slots || b->live == 0)
		return; /* cannot happen: an unlink stops the timer */
	due = loc->tick(loc->tick_arg, b->expires_at_s);
	if (due > now) {
		loc->expiry_early++;
		(void)tw_start(tw, n, TW_KIND_BINDING, RTE_MIN(due, tw->cur + TW_MAX_DELAY));
		return;
	}
	if (now - due > loc->expiry_late_max)
		loc->expiry_late_max = now - due;
	loc->expired++;
	location_unlink(loc, idx);
}

uint64_t
location_expired_take(struct location *loc)
{
	uint64_t n = loc->expired - loc->expired_taken;

	loc->expired_taken = loc->expired;
	return n;
}

uint64_t
location_expired(const struct location *loc)
{
	return loc->expired;
}

uint64_t
location_expiry_late_max(const struct location *loc)
{
	return loc->expiry_late_max;
}

uint64_t
location_expiry_early(const struct location *loc)
{
	return loc->expiry_early;
}

int
location_remove(struct location *loc, struct sf_span aor)
{
	int32_t pos = location_find(loc, aor);

	if (pos < 0 || !location_aor_eq(&loc->s[pos].b, aor))
		return -ENOENT;
	location_unlink(loc, (uint32_t)pos);
	return 0;
}

static bool
location_same_place(const struct location_binding *a, const struct location_binding *b)
{
	return a->src_ip == b->src_ip && a->src_port == b->src_port &&
	       a->contact_len == b->contact_len &&
	       memcmp(a->text + a->aor_len, b->text + b->aor_len, a->contact_len) == 0;
}

int
location_put(struct location *loc, const struct location_binding *nb)
{
	struct location_src_key k = {.ip = nb->src_ip, .port = nb->src_port, .zero = 0};
	struct sf_span aor = location_binding_aor(nb);
	struct location_binding *b;
	uint64_t key;
	int32_t pos;
	void *head;

	if (nb->aor_len == 0 || nb->aor_len > LOCATION_AOR_MAX ||
	    (uint32_t)nb->aor_len + nb->contact_len > LOCATION_TEXT_MAX)
		return -EINVAL;
	location_reclaim(loc);
	pos = location_find(loc, aor);
	if (pos >= 0) {
		b = &loc->s[pos].b;
		if (!location_aor_eq(b, aor))
			return -EEXIST; /* another AoR holds this 64-bit key */
		if (location_same_place(b, nb)) { /* refresh (REG-5): in place */
			b->granted_s = nb->granted_s;
			b->cseq = nb->cseq;
			b->call_id_hash = nb->call_id_hash;
			__atomic_store_n(&b->expires_at_s, nb->expires_at_s, __ATOMIC_RELEASE);
			location_arm(loc, (uint32_t)pos); /* the refresh moves its timer */
			return 0;
		}
		location_unlink(loc, (uint32_t)pos);
	}
	key = location_aor_key(aor);
	pos = rte_hash_add_key(loc->by_aor, &key); /* the key's position is the slot */
	if (pos < 0)
		return -ENOSPC;
	/*
	 * Readers may find the key already; they see live == 0 (set at unlink, or zeroed at
	 * create) until the binding below is complete.
	 */
	b = &loc->s[pos].b;
	memcpy(b->text, nb->text, (size_t)nb->aor_len + nb->contact_len);
	b->call_id_hash = nb->call_id_hash;
	b->src_ip = nb->src_ip;
	b->local_ip = nb->local_ip;
	b->expires_at_s = nb->expires_at_s;
	b->granted_s = nb->granted_s;
	b->cseq = nb->cseq;
	b->src_port = nb->src_port;
	b->local_port = nb->local_port;
	b->in_port = nb->in_port;
	b->contact_len = nb->contact_len;
	b->aor_len = nb->aor_len;
	b->nat = nb->nat;
	/* At the head of the source's chain: src_next first, then the key's data (release). */
	__atomic_store_n(&b->src_next,
			 rte_hash_lookup_data(loc->by_src, &k, &head) >= 0
				 ? (uint32_t)(uintptr_t)head : LOCATION_NONE,
			 __ATOMIC_RELAXED);
	if (rte_hash_add_key_data(loc->by_src, &k, (void *)(uintptr_t)pos) != 0) {
		rte_hash_del_key(loc->by_aor, &key); /* never live: back through a grace period */
		location_defer(loc, (uint32_t)pos, LOCATION_NONE);
		return -ENOSPC;
	}
	location_filter_add(loc, k.ip, k.port, true); /* before live = 1: see "Source filter" */
	__atomic_store_n(&loc->n_live, loc->n_live + 1, __ATOMIC_RELAXED);
	/*
	 * live = this contents' generation (never 0): a copier (location_copy()) that loaded
	 * another generation, or 0, before its copy knows the slot was recycled under it.
	 */
	loc->gen = (uint16_t)(loc->gen + 1);
	if (loc->gen == 0)
		loc->gen = 1; /* 0 means "not live" */
	__atomic_store_n(&b->live, loc->gen, __ATOMIC_RELEASE);
	location_arm(loc, (uint32_t)pos);
	if (loc->notify != NULL) /* issue 6: a NAT binding joins the keep-alive schedule */
		loc->notify(loc->notify_arg, (uint32_t)pos, b, true);
	return 0;
}

unsigned int
location_sweep(struct location *loc, unsigned int budget, location_keep_fn keep, void *arg)
{
	unsigned int removed = 0;

	location_reclaim(loc);
	/* An empty table has nothing to sweep (flood_unknown profile: 26 instructions a frame). */
	if (keep == NULL || loc->n_live == 0)
		return 0;
	while (budget-- > 0) {
		uint32_t idx = loc->cursor;
		struct location_binding *b = &loc->s[idx].b;

		loc->cursor = idx + 1 == loc->slots ? 0 : idx + 1;
		if (b->live != 0 && !keep(b, arg)) {
			location_unlink(loc, idx);
			removed++;
		}
	}
	return removed;
}

uint32_t
location_count(const struct location *loc)
{
	return __atomic_load_n(&loc->n_live, __ATOMIC_RELAXED);
}

uint32_t
location_capacity(const struct location *loc)
{
	return loc->slots;
}

bool
location_copy(const struct location *loc, uint32_t idx, struct location_binding *out)
{
	const struct location_binding *b;
	unsigned int tries;
	uint16_t g1, g2;

	if (idx >= loc->slots)
		return false;
	b = &loc->s[idx].b;
	for (tries = 0; tries < LOCATION_COPY_TRIES; tries++) {
		g1 = __atomic_load_n(&b->live, __ATOMIC_ACQUIRE);
		if (g1 == 0)
			return false;
		LOCATION_COPY_AT(LOCATION_COPY_BEFORE, loc, idx);
		/* the fixed fields, then the text: one copy of the record, in two parts so the
		   test seam can run a writer between them (a torn copy) */
		memcpy(out, b, offsetof(struct location_binding, text));
		LOCATION_COPY_AT(LOCATION_COPY_MIDDLE, loc, idx);
		memcpy(out->text, b->text, sizeof(out->text));
		__atomic_thread_fence(__ATOMIC_ACQUIRE); /* the copy before the second load */
		g2 = __atomic_load_n(&b->live, __ATOMIC_RELAXED);
		if (g1 != g2)
			continue; /* unlinked (and maybe reused) while we copied: again */
		if (out->aor_len == 0 || out->aor_len > LOCATION_AOR_MAX ||
		    (uint32_t)out->aor_len + out->contact_len > LOCATION_TEXT_MAX)
			return false; /* cannot happen for a consistent copy; never read past it */
		out->live = g1;
		return true;
	}
	return false;
}

const struct location_binding *
location_at(const struct location *loc, uint32_t idx)
{
	if (idx >= loc->slots || __atomic_load_n(&loc->s[idx].b.live, __ATOMIC_ACQUIRE) == 0)
		return NULL;
	return &loc->s[idx].b;
}
