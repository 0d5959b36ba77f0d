/* SPDX-License-Identifier: BSD-3-Clause */
/* Cold code of digest.c: the per-worker context at start and stop (never per packet). */
#include <stdlib.h>
#include <string.h>

#include "dataplane/auth/digest.h"
#include "dataplane/auth/digest_impl.h"

struct digest_ctx *
digest_ctx_create(void)
{
	return calloc(1, sizeof(struct digest_ctx));
}

void
digest_ctx_destroy(struct digest_ctx *ctx)
{
	if (ctx == NULL)
		return;
	memset(ctx, 0, sizeof(*ctx)); /* the last hashed secret (HA1) does not linger */
	__asm__ __volatile__("" : : "r"(ctx) : "memory"); /* keep the wipe */
	free(ctx);
}
