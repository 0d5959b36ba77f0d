/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control-plane side of the control -> worker requests (request.h): create and free a
 * channel, register handlers before launch, post requests and collect responses. Never runs on
 * a worker.
 */
#include <errno.h>
#include <stdio.h>

#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "dataplane/request.h"

_Static_assert(sizeof(struct request_msg) % 4 == 0, "ring elements are multiples of 4 bytes");
_Static_assert(sizeof(struct request_resp) % 4 == 0, "ring elements are multiples of 4 bytes");

struct request_chan *
request_chan_create(const char *name, int socket)
{
	char rname[RTE_RING_NAMESIZE];
	struct request_chan *ch;

	ch = rte_zmalloc_socket("sf_request", sizeof(*ch), RTE_CACHE_LINE_SIZE, socket);
	if (ch == NULL)
		return NULL;
	snprintf(rname, sizeof(rname), "%s_rq", name); /* cold: init */
	ch->req_ring = rte_ring_create_elem(rname, sizeof(struct request_msg), REQUEST_RING_SIZE,
					    socket,
					    RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
	snprintf(rname, sizeof(rname), "%s_rs", name); /* cold: init */
	ch->resp_ring = rte_ring_create_elem(rname, sizeof(struct request_resp),
					     REQUEST_RING_SIZE, socket,
					     RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
	if (ch->req_ring == NULL || ch->resp_ring == NULL) {
		request_chan_free(ch);
		return NULL;
	}
	return ch;
}

void
request_chan_free(struct request_chan *ch)
{
	if (ch == NULL)
		return;
	rte_ring_free(ch->req_ring);
	rte_ring_free(ch->resp_ring);
	rte_free(ch); /* cold: shutdown */
}

int
request_register(struct request_chan *ch, enum request_type type, request_fn fn, void *ctx)
{
	if (type <= REQUEST_NONE || type >= REQUEST_TYPE_MAX || fn == NULL)
		return -EINVAL;
	if (ch->fn[type] != NULL)
		return -EEXIST;
	ch->fn[type] = fn;
	ch->ctx[type] = ctx;
	return 0;
}

unsigned int
request_capacity(const struct request_chan *ch)
{
	return rte_ring_get_capacity(ch->req_ring);
}

int
request_post(struct request_chan *ch, const struct request_msg *msg)
{
	struct request_msg copy = *msg; /* the ring API takes a non-const pointer */

	if (ch->in_flight >= request_capacity(ch))
		return -ENOBUFS;
	/* in_flight < capacity: the request ring has room (it holds at most in_flight). */
	if (rte_ring_sp_enqueue_elem(ch->req_ring, &copy, sizeof(copy)) != 0)
		return -ENOBUFS;
	ch->in_flight++;
	return 0;
}

unsigned int
request_collect(struct request_chan *ch, struct request_resp *out, unsigned int max)
{
	unsigned int n;

	n = rte_ring_sc_dequeue_burst_elem(ch->resp_ring, out, sizeof(*out), max, NULL);
	ch->in_flight -= n <= ch->in_flight ? n : ch->in_flight;
	return n;
}
