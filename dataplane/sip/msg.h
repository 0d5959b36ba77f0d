/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Full SIP parse with libosip2 for the modules that need a message tree, after the scanner
 * and the source policy admitted the message. libosip2 allocates ~100 times per message; its
 * allocator hook is process-global, so it is pointed at a per-thread (per-lcore) bump arena
 * that msg_release() resets: no malloc per message. No DPDK header.
 */
#ifndef SF_SIP_MSG_H
#define SF_SIP_MSG_H

#include <stddef.h>
#include <stdint.h>

/* libosip2's osip_message_t; its headers stay out of here (they define WARNING etc.). */
struct osip_message;

#define SF_MSG_ARENA_SIZE (256u * 1024u) /* bytes per worker: one parsed message */

/** One worker's arena; embed it in the worker (zeroed memory is a valid empty arena). */
struct msg_arena {
	size_t used;          /* bytes handed out since the last reset */
	size_t high_water;    /* most bytes one message needed */
	uint64_t n_parsed;    /* messages parsed */
	uint64_t n_exhausted; /* parses that ran out of arena (message dropped) */
	uint64_t n_failed;    /* messages libosip2 rejected */
	uint8_t mem[SF_MSG_ARENA_SIZE] __attribute__((aligned(64)));
};

/**
 * Parse @len bytes at @data into *@out, allocating only from @a. The tree stays valid until
 * msg_release(@a). The calling thread may have one message at a time.
 * @return 0, -ENOMEM (arena exhausted) or -EINVAL (libosip2 rejected the message)
 */
int msg_parse(struct msg_arena *a, const uint8_t *data, size_t len, struct osip_message **out);

/** Drop the tree msg_parse() returned and reset the arena. */
void msg_release(struct msg_arena *a);

/*
 * The allocator hooks' heap fallback (msg_setup.c, cold): libosip2 memory taken outside
 * msg_parse() (another thread, or no arena current), and blocks from it freed or grown later.
 * Internal to msg.c's hooks; no module calls them.
 */
void *msg_heap_alloc(size_t size);
void msg_heap_free(void *p);
void *msg_heap_realloc(void *p, size_t size);

#endif
