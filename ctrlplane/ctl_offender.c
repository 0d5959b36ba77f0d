/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The offender memory on the control plane (issue 14): offenders.list reads every worker's
 * table racily (a stale row at worst: the arrays live until the workers are freed), and
 * offenders.clear is posted to every worker's request ring (ctl_request.h), applied by each
 * worker at its next housekeeping tick (offender_module.c), answered when all of them did.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "ctrlplane/ctl_request.h"
#include "ctrlplane/daemon.h"
#include "dataplane/offender/offender.h"
#include "dataplane/worker.h"

#define CTL_OFF_PAGE_DEFAULT 100
#define CTL_OFF_PAGE_MAX 10000

struct ctl_off_page {
	json_t *list;
	json_int_t total;
	json_int_t offset;
	json_int_t limit;
	const char *ip;   /* only this source, or NULL */
	uint16_t worker;
};

static void
ctl_off_visit(const struct offender_row *r, void *arg)
{
	struct ctl_off_page *pg = arg;
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &r->ip, ip, sizeof(ip));
	if (pg->ip != NULL && strcmp(pg->ip, ip) != 0)
		return;
	if (pg->total >= pg->offset && pg->total < pg->offset + pg->limit)
		json_array_append_new(pg->list,
				      json_pack("{s:s, s:I, s:I, s:I, s:i}", "ip", ip, "dropped",
						(json_int_t)r->hits, "remaining_ms",
						(json_int_t)r->remaining_ms, "age_ms",
						(json_int_t)r->age_ms, "worker", pg->worker));
	pg->total++;
}

/* {ip?, offset?, limit?} -> {total, offset, offenders: [{ip, dropped, remaining_ms, ...}]} */
static json_t *
method_offenders_list(void *ctx, const json_t *params, struct ctl_error *e)
{
	struct daemon *d = ctx;
	struct ctl_off_page pg = {
		.list = json_array(),
		.offset = json_integer_value(json_object_get(params, "offset")),
		.limit = json_integer_value(json_object_get(params, "limit")),
		.ip = json_string_value(json_object_get(params, "ip")),
	};
	uint16_t i;

	if (pg.limit <= 0)
		pg.limit = CTL_OFF_PAGE_DEFAULT;
	if (pg.offset < 0 || pg.limit > CTL_OFF_PAGE_MAX) {
		json_decref(pg.list);
		return ctl_server_error_set(e, CTL_SERVER_INVALID_PARAMS, NULL,
					    "offset >= 0 and limit <= %d", CTL_OFF_PAGE_MAX);
	}
	for (i = 0; i < d->env.n_workers; i++) {
		const struct offender *o = d->env.workers[i]->offender;

		pg.worker = i;
		if (o != NULL)
			offender_foreach(o, ctl_off_visit, &pg);
	}
	return json_pack("{s:I, s:I, s:o}", "total", pg.total, "offset", pg.offset, "offenders",
			 pg.list);
}

/* {ip?}: forget every remembered source, or IP, on every worker. */
static json_t *
method_offenders_clear(void *ctx, const json_t *params, struct ctl_error *e)
{
	struct daemon *d = ctx;

	return ctl_request_clear_by_ip(d->req, "offenders.clear", REQUEST_OFFENDERS_CLEAR, params,
				       e);
}

int
ctl_offender_register(struct daemon *d)
{
	int rc = ctl_server_register(d->ctl, "offenders.list", method_offenders_list, d,
				     "{ip?, offset?, limit?}: sources remembered as offenders "
				     "(dropped at L3)");

	if (rc == 0)
		rc = ctl_server_register(d->ctl, "offenders.clear", method_offenders_clear, d,
					 "{ip?}: forget remembered offenders (all, or one IP)");
	return rc;
}
