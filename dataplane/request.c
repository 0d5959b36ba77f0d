/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker side of the control -> worker requests (request.h): drain a bounded number of
 * requests, run each one's handler on this lcore, answer on the response ring. No malloc, lock,
 * syscall or log.
 */
#include <errno.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "dataplane/request.h"

unsigned int
request_serve(struct request_chan *ch)
{
	struct request_msg req;
	struct request_resp resp;
	unsigned int n;

	if (ch == NULL)
		return 0;
	for (n = 0; n < REQUEST_SERVE_BUDGET; n++) {
		if (rte_ring_sc_dequeue_elem(ch->req_ring, &req, sizeof(req)) != 0)
			break;
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.token = req.token;
		if (likely(req.type < REQUEST_TYPE_MAX && ch->fn[req.type] != NULL)) {
			resp.status = ch->fn[req.type](ch->ctx[req.type], &req, &resp);
			ch->stats.served++;
		} else {
			resp.status = -ENOTSUP;
			ch->stats.unknown++;
		}
		/* Cannot fail while ctrlplane keeps its in-flight bound (request.h); counted if so. */
		if (unlikely(rte_ring_sp_enqueue_elem(ch->resp_ring, &resp, sizeof(resp)) != 0))
			ch->stats.resp_dropped++;
	}
	return n;
}
