/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The heap fallback of msg.c's libosip2 allocator hooks: memory libosip2 takes outside
 * msg_parse() (another thread, no current arena). Never reached by a worker parsing a
 * message; cold by name (scripts/check-forbidden.sh).
 */
#include <stdlib.h>

#include "dataplane/sip/msg.h"

void *
msg_heap_alloc(size_t size)
{
	return malloc(size);
}

void
msg_heap_free(void *p)
{
	free(p);
}

void *
msg_heap_realloc(void *p, size_t size)
{
	return realloc(p, size);
}
