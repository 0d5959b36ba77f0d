/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control methods that need the workers (suspended.clear; next, calls.hangup): post one
 * request to a set of workers over their request channels (dataplane/request.h), answer the
 * control client later (ctl_server_later()), collect the responses from the control server's
 * poll loop, and answer when every worker answered, or with an error naming the workers that
 * did not answer within the timeout. The control thread never waits for a worker.
 */
#ifndef SF_CTL_REQUEST_H
#define SF_CTL_REQUEST_H

#include <stdint.h>

#include <jansson.h>

#include "ctrlplane/ctl_server.h"
#include "dataplane/request.h"

/** Fan-outs in flight at once; one more is answered CTL_SERVER_BUSY. */
#define CTL_REQUEST_MAX_OPS 16
/** Default wait for every worker's answer (ms); then CTL_SERVER_TIMEOUT. */
#define CTL_REQUEST_TIMEOUT_MS 2000
/** Workers one fan-out can address (bits of a mask). */
#define CTL_REQUEST_MAX_WORKERS 64

/**
 * Every addressed worker answered with status 0: make the "result" (a new reference), or
 * NULL with @p err filled. @p resp is indexed by worker; only the bits of @p mask are filled.
 */
typedef json_t *(*ctl_request_done_fn)(void *ctx, const struct request_resp *resp,
				       uint16_t n_workers, uint64_t mask, struct ctl_error *err);

/** What the control side counted (tests, and a hint when a worker is stuck). */
struct ctl_request_stats {
	uint64_t posted;          /* requests enqueued (one per worker addressed) */
	uint64_t answered;        /* fan-outs answered with every worker's response */
	uint64_t timed_out;       /* fan-outs answered CTL_SERVER_TIMEOUT */
	uint64_t late;            /* responses that came after their fan-out timed out */
};

struct ctl_requests;

/**
 * Fan-out state for @p n_workers channels (@p chans[i] is worker i's, copied; the channels
 * must outlive ctl_request_destroy()), answering on @p srv, whose poll loop collects the responses (a
 * poller is added). NULL on failure (no memory, too many workers, no poller slot).
 */
struct ctl_requests *ctl_request_create(struct ctl_server *srv,
					struct request_chan *const *chans, uint16_t n_workers);

/** Free @p cr; pending answers are dropped with the server. NULL is fine. */
void ctl_request_destroy(struct ctl_requests *cr);

/** Change the timeout (tests use a short one). */
void ctl_request_set_timeout(struct ctl_requests *cr, unsigned int timeout_ms);

const struct ctl_request_stats *ctl_request_stats(const struct ctl_requests *cr);

/**
 * From a method handler: post @p msg (type and args; id and token are filled here) to every
 * worker in @p mask (0 = all), and return what the handler returns: ctl_server_later()'s
 * NULL, or NULL with @p err filled when nothing was posted (a worker's ring is full, too many
 * fan-outs in flight). @p what names the request in errors (the method name). @p done builds
 * the result once every addressed worker answered.
 */
json_t *ctl_request_post(struct ctl_requests *cr, const char *what, struct request_msg *msg,
			 uint64_t mask, ctl_request_done_fn done, void *ctx,
			 struct ctl_error *err);

/*
 * A ctl_request_done_fn for the clears (suspended.clear, registrations.clear, offenders.clear):
 * {"cleared": the workers' result[0] summed}.
 */
json_t *ctl_request_sum_cleared(void *ctx, const struct request_resp *resp, uint16_t n_workers,
				uint64_t mask, struct ctl_error *err);

/*
 * Post @type with params {ip?} to every worker: args[0] = an IP was given, args[1] = it
 * (network order). An ip that is not an IPv4 address is an invalid-params error naming it.
 * Answered with {"cleared": N} (ctl_request_sum_cleared()) once every worker applied it.
 */
json_t *ctl_request_clear_by_ip(struct ctl_requests *cr, const char *what,
				enum request_type type, const json_t *params,
				struct ctl_error *err);

#endif
