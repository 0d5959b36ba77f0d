/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * calls.list on the worker that owns the calls (call_ctl_requests.h): run from its
 * housekeeping tick (request_serve()). No malloc, lock, syscall or log.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "dataplane/call/call_ctl.h"
#include "dataplane/call_ctl_requests.h"
#include "dataplane/request.h"
#include "dataplane/worker.h"

/* REQUEST_CALLS_LIST: see call_ctl_requests.h. */
static int
call_req_list(void *ctx, const struct request_msg *req, struct request_resp *resp)
{
	const struct worker *w = ctx;
	struct call_info *out = (struct call_info *)(uintptr_t)req->args[0];
	uint64_t cap = call_capacity(w), slot = req->args[1], end, max = req->args[2];
	uint64_t n = 0;

	if (out == NULL || max == 0 || max > CALL_CTL_LIST_MAX || req->args[3] == 0 ||
	    req->args[3] > CALL_CTL_LIST_SCAN)
		return -EINVAL;
	if (slot > cap)
		slot = cap;
	end = cap - slot < req->args[3] ? cap : slot + req->args[3];
	for (; slot < end && n < max; slot++)
		if (call_info_at(w, (uint32_t)slot, &out[n]))
			n++;
	resp->result[0] = n;
	resp->result[1] = slot;
	resp->result[2] = cap;
	return 0;
}

int
call_ctl_requests_register(struct worker *w)
{
	if (w->req == NULL)
		return 0;
	return request_register(w->req, REQUEST_CALLS_LIST, call_req_list, w);
}
