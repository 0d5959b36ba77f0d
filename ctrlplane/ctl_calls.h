/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * calls.list and calls.hangup on the control socket (issue 13). Both go through the workers'
 * request rings (ctl_request.h) to the worker that owns the calls (the handlers are
 * dataplane/call_ctl_requests.c), so the control thread never reads a call table a worker is
 * writing.
 *
 * calls.list {cursor?, limit?} -> {calls: [...], next, total}: one page, from one worker. A
 * cursor "W:S" (worker W, slot S; absent = "0:0") says where the page starts; "next" is where
 * the next one does, null after the last worker's last slot. A page holds at most limit calls
 * (default 100, at most 1000) and comes from at most CALL_CTL_LIST_SCAN slots of one worker's
 * table, so it may be short, even empty, before the end: follow "next" until it is null
 * (`sipfastctl calls` does). total = calls in setup + answered, summed over the workers'
 * gauges (call_setup + call_active) when the page was made.
 *
 * calls.hangup {id} -> {id, ended: true}: BYE on the established legs (CANCEL/487 in setup),
 * on the owner worker the ID names. An ID that is no call ID, names no worker, or whose call
 * has ended (a free slot or an older generation) is an invalid-params error naming the ID.
 */
#ifndef SF_CTL_CALLS_H
#define SF_CTL_CALLS_H

#include <stdint.h>

struct ctl_requests;
struct ctl_server;
struct net_env;

#define CTL_CALLS_PAGE_DEFAULT 100

struct ctl_calls;

/**
 * Register calls.list and calls.hangup on @p srv, posting through @p cr to @p n_workers
 * workers. @p env (may be NULL: no "total") gives the call gauges. NULL on failure.
 */
struct ctl_calls *ctl_calls_create(struct ctl_server *srv, struct ctl_requests *cr,
				   uint16_t n_workers, const struct net_env *env);

/** Free @p cc (NULL is fine); after the control server stopped answering. */
void ctl_calls_destroy(struct ctl_calls *cc);

#endif
