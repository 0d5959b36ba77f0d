/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libosip2 on a per-thread bump arena. osip_set_allocators() is process-global, so the hooks
 * find the arena through a thread-local pointer (one worker lcore = one thread): an address
 * inside the current arena is never freed individually, the arena is reset after each message.
 * Memory allocated by libosip2 outside msg_parse() (other threads, no current arena) falls
 * back to the heap (msg_setup.c: never on a worker while it parses).
 */
#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include <osipparser2/osip_message.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>

#include "dataplane/sip/msg.h"

#define MSG_ALIGN 16u /* also the size of the header holding each block's size */

static __thread struct msg_arena *msg_cur;     /* arena of the message being parsed */
static __thread bool msg_cur_exhausted;         /* an allocation failed during this parse */
static pthread_once_t msg_once = PTHREAD_ONCE_INIT;

static inline bool
msg_in_arena(const struct msg_arena *a, const void *p)
{
	return a != NULL && (const uint8_t *)p >= a->mem &&
	       (const uint8_t *)p < a->mem + sizeof(a->mem);
}

static void *
msg_alloc(size_t size)
{
	struct msg_arena *a = msg_cur;
	size_t need = (size + 2 * MSG_ALIGN - 1) & ~(size_t)(MSG_ALIGN - 1);
	uint8_t *p;

	if (a == NULL)
		return msg_heap_alloc(size); /* libosip2 used outside msg_parse() */
	if (size > sizeof(a->mem) || need > sizeof(a->mem) - a->used) {
		msg_cur_exhausted = true;
		return NULL;
	}
	p = a->mem + a->used;
	*(size_t *)p = size;
	a->used += need;
	return p + MSG_ALIGN;
}

static void
msg_dealloc(void *p)
{
	if (p == NULL || msg_in_arena(msg_cur, p))
		return; /* arena blocks go away at msg_release() */
	msg_heap_free(p); /* block from the heap fallback */
}

static void *
msg_realloc(void *p, size_t size)
{
	size_t old;
	void *n;

	if (p == NULL)
		return msg_alloc(size);
	if (!msg_in_arena(msg_cur, p))
		return msg_heap_realloc(p, size); /* block from the heap fallback */
	old = *(size_t *)((uint8_t *)p - MSG_ALIGN);
	if (size <= old)
		return p;
	n = msg_alloc(size);
	if (n != NULL)
		memcpy(n, p, old);
	return n;
}

static void
msg_trace_drop(const char *fi, int li, osip_trace_level_t level, const char *chfr, va_list ap)
{
	(void)fi;
	(void)li;
	(void)level;
	(void)chfr;
	(void)ap;
}

static void
msg_init_once(void)
{
	int level;

	osip_set_allocators(msg_alloc, msg_realloc, msg_dealloc);
	parser_init();
	/*
	 * Debian's libosip2 is built with ENABLE_TRACE and prints parse errors to stdout: no
	 * logging per packet. A trace function that drops everything, and every level off.
	 */
	osip_trace_initialize_func(TRACE_LEVEL0, msg_trace_drop);
	for (level = TRACE_LEVEL0; level < END_TRACE_LEVEL; level++)
		osip_trace_disable_level((osip_trace_level_t)level);
}

int
msg_parse(struct msg_arena *a, const uint8_t *data, size_t len, struct osip_message **out)
{
	osip_message_t *sip = NULL;
	int rc;

	pthread_once(&msg_once, msg_init_once); /* a load and a branch after the first call */
	msg_cur = a;
	msg_cur_exhausted = false;
	a->used = 0;
	*out = NULL;
	if (osip_message_init(&sip) != 0)
		rc = -ENOMEM;
	else if (osip_message_parse(sip, (const char *)data, len) != 0)
		rc = msg_cur_exhausted ? -ENOMEM : -EINVAL;
	else
		rc = 0;
	if (a->used > a->high_water)
		a->high_water = a->used;
	if (rc == 0) {
		a->n_parsed++;
		*out = sip;
		return 0;
	}
	if (rc == -ENOMEM)
		a->n_exhausted++;
	else
		a->n_failed++;
	msg_release(a);
	return rc;
}

void
msg_release(struct msg_arena *a)
{
	a->used = 0;
	if (msg_cur == a)
		msg_cur = NULL;
}
