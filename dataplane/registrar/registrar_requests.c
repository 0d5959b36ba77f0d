/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The registrar's control requests (the lockouts it lifts are auth/'s: auth_clear()), run on the owning worker from its housekeeping tick
 * (request_serve()): suspended.clear, registrations.clear. No malloc, lock, syscall or log.
 */
#include <errno.h>
#include <stdbool.h>

#include "dataplane/auth/auth.h"
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

	if (w->auth == NULL)
		return -ENODEV;
	resp->result[0] = auth_clear(w, req->args[0] != 0, (uint32_t)req->args[1]);
	return 0;
}

/*
 * REQUEST_REGISTRATIONS_CLEAR: remove the binding of the AoR in text from this worker's shard
 * (only its AoR owner holds it; the others answer 0). result[0] = bindings removed.
 */
static int
registrar_req_registrations_clear(void *ctx, const struct request_msg *req,
				  struct request_resp *resp)
{
	struct worker *w = ctx;
	struct sf_span aor = { req->text, req->text_len };

	if (w->reg == NULL)
		return -ENODEV;
	if (req->text_len == 0 || req->text_len > REQUEST_TEXT_MAX)
		return -EINVAL;
	resp->result[0] = location_remove(w->reg->loc, aor) == 0 ? 1 : 0;
	return 0;
}

int
registrar_requests_register(struct worker *w)
{
	int rc;

	if (w->req == NULL)
		return 0;
	rc = request_register(w->req, REQUEST_SUSPENDED_CLEAR, registrar_req_suspended_clear,
			      w);
	if (rc == 0)
		rc = request_register(w->req, REQUEST_REGISTRATIONS_CLEAR,
				      registrar_req_registrations_clear, w);
	return rc;
}
