/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JSON-RPC 2.0 control socket server: a Unix stream socket, one JSON object per line, and a
 * registry of methods other modules add. It never blocks; the control thread on the main
 * lcore drives it with ctl_server_poll(). No DPDK dependency.
 *
 * A method may answer later (ctl_server_later()): the server keeps the client's request in a
 * pending table and goes on serving every client; the module answers with ctl_server_answer()
 * from a poller (ctl_server_add_poller()) that ctl_server_poll() runs every time, e.g. when
 * the workers' responses arrived (ctrlplane/ctl_request.c). Answers to one connection may
 * therefore come in another order than its requests; JSON-RPC matches them by "id".
 */
#ifndef SF_CTL_SERVER_H
#define SF_CTL_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

/** Default socket path; `sipfastctl` uses it too, overridden by `$SIPFAST_CTL`. */
#define CTL_SERVER_DEFAULT_PATH "/run/sipfast/ctl.sock"
/** Default socket file mode. */
#define CTL_SERVER_DEFAULT_MODE 0660

/** JSON-RPC 2.0 error codes (the spec's, plus -32000 from its server-error range). */
#define CTL_SERVER_PARSE_ERROR -32700      /**< the line is not JSON */
#define CTL_SERVER_INVALID_REQUEST -32600  /**< JSON, but not a request object (or too large) */
#define CTL_SERVER_METHOD_NOT_FOUND -32601 /**< no such method registered */
#define CTL_SERVER_INVALID_PARAMS -32602   /**< params rejected (config validation errors too) */
#define CTL_SERVER_INTERNAL_ERROR -32603   /**< the handler failed without saying why */
#define CTL_SERVER_BUSY -32000             /**< too many clients; sent just before closing */
#define CTL_SERVER_TIMEOUT -32001          /**< a worker did not answer a request in time */

/** Why a method failed; becomes the response's "error" member. */
struct ctl_error {
	int code;          /**< one of CTL_SERVER_* or an application code */
	char message[256]; /**< one line for a human, e.g. "SS_X: 3601 is above 3600" */
	json_t *data;      /**< optional, owned (stolen) by the server; for config errors
			    *   {"path": "params.X", "value": ..., "allowed": "..."} */
	uint64_t later;    /**< set by ctl_server_later(): non-zero token, answer comes later */
};

/** Limits per server; ctl_server_create() starts with the defaults shown. */
struct ctl_server_limits {
	size_t max_request;          /**< bytes in one request line (1 MiB) */
	size_t max_output;           /**< bytes of unsent responses per client (4 MiB) */
	unsigned int max_clients;    /**< connections at once (64) */
	unsigned int idle_timeout_ms; /**< drop a client without I/O progress this long (60000) */
};

/**
 * A method handler. Runs on the thread that calls ctl_server_poll().
 *
 * @param ctx     as given to ctl_server_register()
 * @param params  the request's "params" (object or array), or NULL if absent; borrowed
 * @param err     zeroed; fill it on failure (see ctl_server_error_set())
 * @return a new reference that becomes "result" (the server steals it), or NULL with @p err
 *         filled. NULL with err->code left 0 is answered with CTL_SERVER_INTERNAL_ERROR.
 */
typedef json_t *(*ctl_method_fn)(void *ctx, const json_t *params, struct ctl_error *err);

struct ctl_server;

/**
 * Create the parent directory if missing (mode 0755), remove a stale socket file (one nothing
 * listens on), bind and listen on @p path with file mode @p mode. The `help` method is
 * registered built in; it lists every method with its help text.
 *
 * @return the server, or NULL with errno set: EADDRINUSE if a live server answers on @p path,
 *         EEXIST if @p path exists and is not a socket, ENAMETOOLONG, or what a syscall failed
 *         with.
 */
struct ctl_server *ctl_server_create(const char *path, mode_t mode);

/**
 * Replace the limits. max_clients may change only while no client is connected.
 *
 * @return 0, -EINVAL for a zero limit, -EBUSY, or -ENOMEM.
 */
int ctl_server_set_limits(struct ctl_server *srv, const struct ctl_server_limits *lim);

/**
 * Add a method. @p method and @p help are copied. Call from the polling thread only.
 *
 * @return 0, -EINVAL (empty or over-long name, NULL fn), -EEXIST (name taken) or -ENOMEM.
 */
int ctl_server_register(struct ctl_server *srv, const char *method, ctl_method_fn fn,
			void *ctx, const char *help);

/**
 * Wait up to @p timeout_ms (0 = just look, -1 = forever) for socket activity, then accept,
 * read, answer and flush whatever is ready without blocking, and drop idle, oversize or
 * non-reading clients.
 *
 * @return the number of requests handled (a batch counts each member), or a negative errno
 *         if poll() failed. EINTR counts as 0 requests.
 */
int ctl_server_poll(struct ctl_server *srv, int timeout_ms);

/** A poller: runs at the end of every ctl_server_poll(), on the polling thread. */
typedef void (*ctl_poller_fn)(void *ctx);

/**
 * Add a poller (e.g. one that collects the workers' responses and calls ctl_server_answer()).
 * While a request is pending, ctl_server_poll() waits at most CTL_SERVER_PENDING_POLL_MS.
 *
 * @return 0, -EINVAL (NULL fn), -ENOSPC (CTL_SERVER_MAX_POLLERS taken).
 */
int ctl_server_add_poller(struct ctl_server *srv, ctl_poller_fn fn, void *ctx);

#define CTL_SERVER_MAX_POLLERS 4
/** Longest poll() wait while a request is pending (ms). */
#define CTL_SERVER_PENDING_POLL_MS 1
/** Requests pending at once (all clients); one more is answered CTL_SERVER_BUSY. */
#define CTL_SERVER_MAX_PENDING 64

/**
 * In a handler: the answer comes later, through ctl_server_answer(srv, @p token, ...). The
 * server keeps the client (and the request's id) waiting; the handler returns what this
 * returns. @p token is the module's, non-zero and unique among pending requests. A
 * notification (no id) is never answered, so its later answer is discarded.
 *
 * @return NULL
 */
json_t *ctl_server_later(struct ctl_error *err, uint64_t token);

/**
 * Answer the request a handler deferred with @p token: @p result (stolen) becomes "result";
 * NULL answers the error in @p err (its data stolen; code 0 = internal error). Queues the
 * response and tries to send it now. Call from the polling thread, never from the handler
 * that deferred.
 *
 * @return 0, or -ENOENT if nothing waits on @p token (the client went away, or the request was
 *         a notification); the answer is then discarded.
 */
int ctl_server_answer(struct ctl_server *srv, uint64_t token, json_t *result,
		      struct ctl_error *err);

/** Requests waiting for ctl_server_answer() (tests, and the poll timeout). */
unsigned int ctl_server_pending(const struct ctl_server *srv);

/** Close every client and the listening socket, and unlink the socket file if still ours. */
void ctl_server_destroy(struct ctl_server *srv);

/**
 * Fill @p err for a handler, so it can `return ctl_server_error_set(err, ...)`.
 *
 * @param data  stolen, may be NULL
 * @return NULL
 */
__attribute__((format(printf, 4, 5))) json_t *
ctl_server_error_set(struct ctl_error *err, int code, json_t *data, const char *fmt, ...);

#endif
