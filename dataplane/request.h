/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control -> worker requests (issue 11 item 6): per worker one SP/SC request ring (ctrlplane
 * produces, the worker consumes) and one SP/SC response ring (the worker produces, ctrlplane
 * consumes), carrying small fixed-size messages by value, plus a handler table by request type
 * that modules fill when they are set up on the worker (the registrar: suspended.clear; the
 * call engine's control: calls.list, calls.hangup).
 *
 * The worker serves its request ring from its housekeeping tick (request_serve()), runs the
 * handler on its own lcore (it owns the state the request changes), and enqueues the response.
 * Ctrlplane never waits: it posts (request_post()), goes on serving its clients, and collects
 * responses from its poll loop (request_collect()); ctrlplane/ctl_request.c fans a request out
 * to every worker and answers the control client when all of them answered, or timed out.
 *
 * A response can never find its ring full: ctrlplane keeps at most request_capacity() requests
 * in flight per worker (request_post() refuses more with -ENOBUFS), and the response ring has
 * the same capacity. No malloc, lock, syscall or log on the worker side.
 *
 * This room includes no other dataplane room: the handler's context (the worker) is a void *.
 */
#ifndef SF_REQUEST_H
#define SF_REQUEST_H

#include <stdint.h>

#include <rte_common.h>

/** Request types; a handler is registered per type and channel. */
enum request_type {
	REQUEST_NONE = 0,            /* never sent: a zeroed message is no request */
	REQUEST_SUSPENDED_CLEAR,     /* registrar: args[0] match_ip, args[1] IPv4 (net order);
					result[0] = lockout entries removed */
	REQUEST_REGISTRATIONS_CLEAR, /* registrar: text = the AoR (account user); result[0] =
					bindings removed from this worker's shard (0 or 1) */
	REQUEST_CALLS_HANGUP,        /* call engine (call_worker_init()): args[0] slot, args[1]
					generation; status 0 and result[0] = 1 when the call was
					ended, -ENOENT when there is no such call */
	REQUEST_CALLS_LIST,          /* calls.list (dataplane/call_ctl_requests.c): args[0] a
					struct call_info array the control plane owns, args[1] the
					first slot to look at, args[2] the array's length, args[3]
					slots to look at, at most; result[0] calls written, result[1]
					the slot to resume at, result[2] the table's capacity */
	REQUEST_TEST,                /* unit tests only: never registered by sipfastd */
	REQUEST_TYPE_MAX
};

#define REQUEST_N_ARGS 4
#define REQUEST_N_RESULTS 4
/** Bytes of text a request carries (an AoR: LOCATION_AOR_MAX). */
#define REQUEST_TEXT_MAX 64
/** Ring slots per worker and direction (RING_F_EXACT_SZ: exactly this many in flight). */
#define REQUEST_RING_SIZE 16
/** Requests one worker serves per housekeeping tick (~100 us): bounded work per tick. */
#define REQUEST_SERVE_BUDGET 4

/** ctrlplane -> worker, copied by value into the ring (112 bytes). */
struct request_msg {
	uint16_t type;                   /* enum request_type */
	uint16_t text_len;               /* bytes at text */
	uint32_t id;                     /* request id, echoed in the response */
	uint64_t token;                  /* the control client's token, echoed */
	uint64_t args[REQUEST_N_ARGS];   /* per type, see enum request_type */
	uint8_t text[REQUEST_TEXT_MAX];  /* per type (not NUL-terminated) */
};

/** worker -> ctrlplane (48 bytes). status: 0, or a negative errno (-ENOTSUP: no handler). */
struct request_resp {
	uint32_t id;                     /* the request's id */
	int32_t status;
	uint64_t token;                  /* the request's token */
	uint64_t result[REQUEST_N_RESULTS];
};

/**
 * A request handler; runs on the worker that owns @p ctx. Fills @p resp->result and returns
 * the status (0 or a negative errno). No malloc, lock, syscall or log: it is worker code.
 */
typedef int (*request_fn)(void *ctx, const struct request_msg *req, struct request_resp *resp);

/** What the worker counted serving its ring; written by the worker, read relaxed. */
struct request_stats {
	uint64_t served;                 /* requests a handler ran for */
	uint64_t unknown;                /* requests of a type with no handler (-ENOTSUP) */
	uint64_t resp_dropped;           /* responses the response ring refused (never, if
					    ctrlplane keeps its in-flight bound) */
};

/** One worker's request channel. */
struct request_chan {
	/* Set before launch (request_register()), read-only afterwards. */
	struct rte_ring *req_ring;       /* ctrlplane -> worker, SP/SC, REQUEST_RING_SIZE */
	struct rte_ring *resp_ring;      /* worker -> ctrlplane, SP/SC, REQUEST_RING_SIZE */
	request_fn fn[REQUEST_TYPE_MAX];
	void *ctx[REQUEST_TYPE_MAX];
	/* ctrlplane only. */
	unsigned int in_flight __rte_cache_aligned; /* posted, response not yet collected */
	/* Written by the worker, read relaxed by ctrlplane. */
	struct request_stats stats __rte_cache_aligned;
};

/* --- ctrlplane, before launch (request_setup.c) ------------------------------------------ */

/**
 * A channel on NUMA @p socket; @p name (unique per process) names its rings. NULL on failure
 * (no memory, or the ring names are taken).
 */
struct request_chan *request_chan_create(const char *name, int socket);

/** Free @p ch (NULL is fine); its worker must have stopped. */
void request_chan_free(struct request_chan *ch);

/**
 * Register @p fn for @p type on @p ch, with @p ctx (the worker it runs on). Before launch only.
 * @return 0, -EINVAL (type out of range, NULL fn) or -EEXIST (type taken).
 */
int request_register(struct request_chan *ch, enum request_type type, request_fn fn, void *ctx);

/* --- ctrlplane, any time (request_setup.c: control-plane code, never a worker's) --------- */

/** Requests ctrlplane may have in flight on one channel (REQUEST_RING_SIZE). */
unsigned int request_capacity(const struct request_chan *ch);

/**
 * Enqueue @p msg for the worker. @return 0, or -ENOBUFS when request_capacity() requests are
 * in flight already (the worker has not answered them): nothing was enqueued.
 */
int request_post(struct request_chan *ch, const struct request_msg *msg);

/**
 * Dequeue up to @p max responses into @p out. @return how many (each ends one in-flight
 * request).
 */
unsigned int request_collect(struct request_chan *ch, struct request_resp *out, unsigned int max);

/* --- worker (request.c) ------------------------------------------------------------------ */

/**
 * Serve up to REQUEST_SERVE_BUDGET requests: run each one's handler (or answer -ENOTSUP) and
 * enqueue its response. NULL @p ch (no channel: unit fixtures) does nothing.
 * @return requests served.
 */
unsigned int request_serve(struct request_chan *ch);

#endif
