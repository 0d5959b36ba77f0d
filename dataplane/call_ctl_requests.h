/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker side of calls.list (issue 13; the control side is ctrlplane/ctl_calls.c): a
 * handler on the worker's request channel (dataplane/request.h) that reads calls through the
 * call engine's control API (dataplane/call/call_ctl.h: call_info_at()) on the worker that
 * owns them. (calls.hangup's handler is the call engine's own: REQUEST_CALLS_HANGUP,
 * registered in call_worker_init(), status -ENOENT for no such call.)
 *
 * REQUEST_CALLS_LIST copies at most args[2] calls, looking at no more than args[3] slots from
 * args[1] on, into the struct call_info array at args[0] (control-plane memory: the worker
 * writes it, then enqueues the response; the ring's release/acquire makes the writes visible
 * to the control thread that dequeues it). result[0] = calls written, result[1] = the slot to
 * resume at (the table's capacity when the scan reached its end), result[2] = capacity.
 * The scan bound keeps one request's work small: a page of a big, sparse table takes several.
 *
 * No malloc, lock, syscall or log: worker code.
 */
#ifndef SF_CALL_CTL_REQUESTS_H
#define SF_CALL_CTL_REQUESTS_H

struct worker;

/** Slots one REQUEST_CALLS_LIST looks at, at most (the control side asks for this many). */
#define CALL_CTL_LIST_SCAN 4096u
/** Calls one REQUEST_CALLS_LIST copies, at most (a calls.list page). */
#define CALL_CTL_LIST_MAX 1000u

/**
 * Register the REQUEST_CALLS_LIST handler on @p w's request channel (before launch). 0 (also
 * when @p w has no channel) or request_register()'s error.
 */
int call_ctl_requests_register(struct worker *w);

#endif
