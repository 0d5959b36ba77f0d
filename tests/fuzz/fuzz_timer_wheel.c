/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the timing wheel (dataplane/timer): the input is a program of start /
 * stop / restart / poll operations on 64 timers, mirrored in a brute-force model; any
 * difference (a timer fired early, twice, late with an unlimited budget, or left pending when
 * due; a wrong expiry; a wrong count) traps. Delays reach every level and the start clock sits
 * below 2^32, where every level's index wraps.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dataplane/timer/timer_wheel.h"

#define N 64
#define CHECK(c)                                                                                  \
	do {                                                                                      \
		if (!(c))                                                                         \
			__builtin_trap();                                                         \
	} while (0)

struct fz_owner {
	struct tw_node node;
	bool pending;
	uint64_t expire;
	bool late_ok; /* started in the past or while a poll was pending at the same now */
};

static struct fz_owner own[N];
static uint64_t last_poll_now;
static bool exact;

static void
on_fire(struct tw_wheel *w, struct tw_node *n, uint64_t now, void *arg)
{
	struct fz_owner *o = (struct fz_owner *)((char *)n - offsetof(struct fz_owner, node));

	(void)w;
	(void)arg;
	CHECK(o->pending);
	CHECK(o->expire <= now);
	CHECK(!exact || o->late_ok || o->expire > last_poll_now);
	o->pending = false;
}

static uint64_t
take(const uint8_t **p, const uint8_t *end, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes-- > 0 && *p < end)
		v = v << 8 | *(*p)++;
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tw_wheel w;
	const uint8_t *p = data, *end = data + size;
	uint64_t now = (1ull << 32) - 1000;
	unsigned int i;

	memset(own, 0, sizeof(own));
	tw_init(&w, now);
	tw_set_handler(&w, 0, on_fire, NULL);
	last_poll_now = now;
	exact = true;
	while (p < end) {
		uint8_t op = *p++;
		struct fz_owner *o = &own[op & (N - 1)];
		uint64_t d;

		switch (op >> 6) {
		case 0: /* start / restart: delay on a scale picked by 5 bits */
			d = take(&p, end, 4) & ((1ull << (take(&p, end, 1) % 31)) - 1);
			if (tw_start(&w, &o->node, 0, now + d) == 0) {
				o->pending = true;
				o->expire = now + d;
				o->late_ok = d == 0 && w.cur > now;
			}
			break;
		case 1: /* stop */
			CHECK(tw_stop(&w, &o->node) == o->pending);
			o->pending = false;
			break;
		case 2: { /* poll after a step, budget unlimited or small */
			unsigned int budget = (op & 32) ? 1u + (op & 7u) : UINT32_MAX;

			now += take(&p, end, 3) >> (take(&p, end, 1) % 24);
			exact = budget == UINT32_MAX && !tw_backlog(&w);
			CHECK(tw_poll(&w, now, budget) >= 0);
			if (budget == UINT32_MAX) {
				for (i = 0; i < N; i++)
					CHECK(!own[i].pending || own[i].expire > now);
			}
			last_poll_now = now;
			break;
		}
		default: /* start in the past */
			d = take(&p, end, 2);
			if (tw_start(&w, &o->node, 0, now - d) == 0) {
				o->pending = true;
				o->expire = now - d;
				o->late_ok = true;
			}
			break;
		}
		for (i = 0; i < N; i++) {
			CHECK(tw_pending(&own[i].node) == own[i].pending);
			CHECK(!own[i].pending || tw_expiry(&w, &own[i].node) == own[i].expire);
		}
	}
	/* Drain: everything due fires, nothing else. */
	exact = false;
	while (tw_backlog(&w))
		CHECK(tw_poll(&w, now, 16) >= 0);
	for (i = 0; i < N; i++)
		CHECK(!own[i].pending || own[i].expire > now);
	return 0;
}
