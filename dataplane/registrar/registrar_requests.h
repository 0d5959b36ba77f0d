/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The registrar's control requests (dataplane/request.h), served on the worker that owns the
 * state: suspended.clear lifts lockouts in this worker's auth-failure table,
 * registrations.clear removes an AoR's binding from this worker's location shard.
 */
#ifndef SF_REGISTRAR_REQUESTS_H
#define SF_REGISTRAR_REQUESTS_H

struct worker;

/**
 * ctrlplane, before launch, after registrar_worker_init(): register the registrar's request
 * handlers on @p w's request channel (w->req; nothing to do without one).
 * @return 0 or a negative errno.
 */
int registrar_requests_register(struct worker *w);

#endif
