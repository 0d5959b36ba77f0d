/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The registrar's control requests, run on the owning worker from its housekeeping tick
 * (request_serve()). No malloc, lock, syscall or log.
 */
#include <errno.h>
#include <stdbool.h>

#include "dataplane/registrar/authfail.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/registrar/registrar_requests.h"
#include "dataplane/request.h"
#include "dataplane/worker.h"

/*
 * REQUEST_SUSPENDED_CLEAR: args[0] != 0 to match one source, args[1] its IPv4 address
 * (network order). result[0] = lockout entries this worker removed.
 */
static int
registrar_req_suspended_clear(void *ctx, const struct request_msg *req,
			      struct request_resp *resp)
{
	struct worker *w = ctx;

	if (w->reg == NULL)
		return -ENODEV;
	resp->result[0] = authfail_clear(w->reg->af, req->args[0] != 0, (uint32_t)req->args[1],
					 (struct sf_span){ NULL, 0 });
	return 0;
}

int
registrar_requests_register(struct worker *w)
{
	if (w->req == NULL)
		return 0;
	return request_register(w->req, REQUEST_SUSPENDED_CLEAR, registrar_req_suspended_clear,
				w);
}
