/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control-socket methods of sipfastd: version, stats.get, config.get, config.set (partial
 * params), config.apply (whole document), config.save; calls.list and calls.hangup are
 * ctl_calls.c's, registered from here. An update is validated as a whole
 * document through the same path as start-up and published as a new snapshot; any error
 * changes nothing and names the JSON path, the value found and what is allowed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_lcore.h>
#include <rte_ring.h>
#include <rte_version.h>

#include "ctrlplane/ctl_calls.h"
#include "ctrlplane/ctl_request.h"
#include "ctrlplane/daemon.h"
#include "ctrlplane/log.h"
#include "ctrlplane/param_table.h"
#include "ctrlplane/stats.h"
#include "dataplane/call_ctl_requests.h"
#include "dataplane/worker.h"

/* The value at a config error path ("params.X", "interfaces[0].ipv4") in @doc, or NULL. */
static json_t *
ctl_value_at(json_t *doc, const char *path)
{
	char key[128];
	const char *p = path;

	while (doc != NULL && *p != '\0') {
		size_t n = strcspn(p, ".[");

		if (n > 0) {
			if (n >= sizeof(key))
				return NULL;
			memcpy(key, p, n);
			key[n] = '\0';
			doc = json_object_get(doc, key);
			p += n;
		} else if (*p == '[') {
			doc = json_array_get(doc, strtoul(p + 1, NULL, 10));
			p = strchr(p, ']');
			if (p == NULL)
				return NULL;
			p++;
		} else {
			p++; /* '.' */
		}
	}
	return doc;
}

/* A config error as a JSON-RPC error: message plus {"path", "value", "detail"}. */
static json_t *
ctl_config_error(struct ctl_error *e, const struct cfg_error *err, json_t *doc)
{
	json_t *value = ctl_value_at(doc, err->path);
	json_t *data = json_pack("{s:s, s:s}", "path", err->path, "detail", err->msg);

	json_object_set(data, "value", value ? value : json_null());
	return ctl_server_error_set(e, CTL_SERVER_INVALID_PARAMS, data, "%s%s%s", err->path,
				    err->path[0] ? ": " : "", err->msg);
}

/* Sections that size the running process: changing them needs a restart. */
static const char *
ctl_restart_section(const json_t *running, const json_t *next)
{
	static const char *const sections[] = {"interfaces", "runtime"};
	size_t i;

	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		const json_t *a = json_object_get(running, sections[i]);
		const json_t *b = json_object_get(next, sections[i]);

		if (!(a == NULL && b == NULL) && !json_equal((json_t *)a, (json_t *)b))
			return sections[i];
	}
	return NULL;
}

/*
 * Validate @next as a whole document and publish it. Takes ownership of @next. Returns the
 * result object {"generation", "warnings"} or NULL with @e filled; on error nothing changed.
 */
static json_t *
ctl_apply_document(struct daemon *d, json_t *next, struct ctl_error *e)
{
	struct cfg_error err = {0};
	struct snapshot *snap = calloc(1, sizeof(*snap));
	json_t *warnings = json_array(), *res;
	const char *section;
	int rc;

	if (snap == NULL) {
		res = ctl_server_error_set(e, CTL_SERVER_INTERNAL_ERROR, NULL, "out of memory");
		goto out_free;
	}
	rc = config_build(next, snap, NULL, &err);
	if (rc != 0) {
		res = ctl_config_error(e, &err, next);
		goto out_free;
	}
	section = ctl_restart_section(d->doc, next);
	if (section != NULL) {
		res = ctl_server_error_set(e, CTL_SERVER_INVALID_PARAMS,
					   json_pack("{s:s}", "path", section),
					   "%s: changing it needs a restart of sipfastd", section);
		goto out_free;
	}
	param_table_check(&snap->params, NULL, warnings);
	rc = publish_snapshot(&d->pub, snap);
	if (rc != 0) {
		res = ctl_server_error_set(e, CTL_SERVER_BUSY, NULL,
					   "workers have not taken the previous update yet; retry");
		goto out_free;
	}
	json_decref(d->doc);
	d->doc = next;
	res = json_pack("{s:I, s:o}", "generation", (json_int_t)d->pub.generation, "warnings",
			warnings);
	stats_telemetry_update(d->pub.generation, json_object_get(d->doc, "params"));
	return res;
out_free:
	snapshot_free(snap);
	json_decref(next);
	json_decref(warnings);
	return res;
}

static json_t *
method_config_set(void *ctx, const json_t *params, struct ctl_error *e)
{
	struct daemon *d = ctx;
	const json_t *partial = json_object_get(params, "params");
	json_t *next, *merged, *res;

	if (!json_is_object(partial) || json_object_size(partial) == 0)
		return ctl_server_error_set(e, CTL_SERVER_INVALID_PARAMS, NULL,
					    "expected {\"params\": {NAME: value, ...}}");
	next = json_deep_copy(d->doc);
	merged = json_object_get(next, "params");
	if (merged == NULL) {
		merged = json_object();
		json_object_set_new(next, "params", merged);
	}
	json_object_update(merged, (json_t *)partial);
	res = ctl_apply_document(d, next, e);
	if (res != NULL)
		json_object_set_new(res, "applied", json_deep_copy(partial));
	return res;
}

static json_t *
method_config_apply(void *ctx, const json_t *params, struct ctl_error *e)
{
	const json_t *doc = json_object_get(params, "document");

	if (!json_is_object(doc))
		return ctl_server_error_set(e, CTL_SERVER_INVALID_PARAMS, NULL,
					    "expected {\"document\": {...the whole config...}}");
	return ctl_apply_document(ctx, json_deep_copy(doc), e);
}

static json_t *
method_config_get(void *ctx, const json_t *params, struct ctl_error *e)
{
	struct daemon *d = ctx;
	const json_t *name = json_object_get(params, "name");
	json_t *values = param_table_to_json(&d->pub.current->params);
	const char *n = json_string_value(name);

	if (name != NULL && (n == NULL || param_table_find(n) == NULL)) {
		const char *hint = n ? param_table_suggest(n) : NULL;

		json_decref(values);
		return ctl_server_error_set(e, CTL_SERVER_INVALID_PARAMS, NULL,
					    "unknown parameter %s%s%s%s", n ? n : "(not a string)",
					    hint ? " (did you mean " : "", hint ? hint : "",
					    hint ? "?)" : "");
	}
	if (n != NULL) {
		json_t *one = json_object();

		json_object_set(one, n, json_object_get(values, n));
		json_decref(values);
		values = one;
	}
	return json_pack("{s:o, s:o, s:I}", "params", values, "describe",
			 param_table_describe(n), "generation", (json_int_t)d->pub.generation);
}

/* Write the running document to the config file: temp file, fsync, rename (atomic). */
static json_t *
method_config_save(void *ctx, const json_t *params, struct ctl_error *e)
{
	struct daemon *d = ctx;
	char tmp[4096];
	int fd;

	RTE_SET_USED(params);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", d->opts.config_path, (int)getpid()) >=
	    (int)sizeof(tmp))
		return ctl_server_error_set(e, CTL_SERVER_INTERNAL_ERROR, NULL, "path too long");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		goto out_err;
	if (json_dumpfd(d->doc, fd, JSON_INDENT(8) | JSON_PRESERVE_ORDER) != 0 ||
	    write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
		close(fd);
		unlink(tmp);
		goto out_err;
	}
	close(fd);
	if (rename(tmp, d->opts.config_path) != 0) {
		unlink(tmp);
		goto out_err;
	}
	return json_pack("{s:s, s:I}", "saved", d->opts.config_path, "generation",
			 (json_int_t)d->pub.generation);
out_err:
	return ctl_server_error_set(e, CTL_SERVER_INTERNAL_ERROR, NULL, "cannot write %s: %s",
				    d->opts.config_path, strerror(errno));
}

static json_t *
method_version(void *ctx, const json_t *params, struct ctl_error *e)
{
	struct daemon *d = ctx;

	RTE_SET_USED(params);
	RTE_SET_USED(e);
	return json_pack("{s:s, s:s, s:i, s:I}", "version", SIPFAST_VERSION, "dpdk",
			 rte_version(), "workers", d->env.n_workers, "generation",
			 (json_int_t)d->pub.generation);
}

/* stats.get "requests": the control -> worker request path (ctl_request.h, request.h). */
static json_t *
ctl_requests_json(const struct daemon *d)
{
	const struct ctl_request_stats *cs = ctl_request_stats(d->req);
	json_t *served = json_array(), *unknown = json_array(), *dropped = json_array();
	uint16_t i;

	for (i = 0; i < d->env.n_workers; i++) {
		const struct request_chan *ch = d->env.workers[i]->req;

		json_array_append_new(served, json_integer((json_int_t)__atomic_load_n(
						      &ch->stats.served, __ATOMIC_RELAXED)));
		json_array_append_new(unknown, json_integer((json_int_t)__atomic_load_n(
						       &ch->stats.unknown, __ATOMIC_RELAXED)));
		json_array_append_new(dropped, json_integer((json_int_t)__atomic_load_n(
						       &ch->stats.resp_dropped, __ATOMIC_RELAXED)));
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:o, s:o, s:o}",
			 "posted", (json_int_t)cs->posted, "answered", (json_int_t)cs->answered,
			 "timed_out", (json_int_t)cs->timed_out, "late", (json_int_t)cs->late,
			 "served", served, "unknown", unknown, "responses_dropped", dropped);
}

static json_t *
method_stats(void *ctx, const json_t *params, struct ctl_error *e)
{
	struct daemon *d = ctx;
	json_t *s;

	RTE_SET_USED(params);
	RTE_SET_USED(e);
	s = stats_json(&d->env);
	json_object_set_new(s, "generation", json_integer((json_int_t)d->pub.generation));
	if (d->req != NULL)
		json_object_set_new(s, "requests", ctl_requests_json(d));
	return s;
}

int
ctl_requests_start(struct daemon *d)
{
	char name[RTE_RING_NAMESIZE - 3];
	uint16_t i;

	if (d->env.n_workers > CTL_REQUEST_MAX_WORKERS)
		return -E2BIG;
	for (i = 0; i < d->env.n_workers; i++) {
		struct worker *w = d->env.workers[i];

		snprintf(name, sizeof(name), "sf_req%u", i);
		w->req = request_chan_create(name, (int)rte_lcore_to_socket_id(w->lcore_id));
		if (w->req == NULL) {
			CP_LOG(ERR, "worker %u: no memory for its request rings", i);
			return -ENOMEM;
		}
	}
	return 0;
}

void
ctl_requests_stop(struct daemon *d)
{
	uint16_t i;

	ctl_calls_destroy(d->calls);
	d->calls = NULL;
	ctl_request_destroy(d->req);
	d->req = NULL;
	for (i = 0; i < d->env.n_workers; i++) {
		if (d->env.workers[i] == NULL)
			continue;
		request_chan_free(d->env.workers[i]->req);
		d->env.workers[i]->req = NULL;
	}
}

int
ctl_methods_register(struct daemon *d)
{
	static const struct {
		const char *name;
		ctl_method_fn fn;
		const char *help;
	} methods[] = {
		{"version", method_version, "daemon and DPDK versions, workers, config generation"},
		{"stats.get", method_stats, "counters per worker and summed"},
		{"config.get", method_config_get,
		 "{name?}: running SS_* values, their descriptions, generation"},
		{"config.set", method_config_set,
		 "{params: {NAME: value}}: change parameters, atomically, no pause"},
		{"config.apply", method_config_apply,
		 "{document: {...}}: replace the whole config (interfaces/runtime need a restart)"},
		{"config.save", method_config_save, "write the running config to the config file"},
	};
	struct request_chan *chans[CTL_REQUEST_MAX_WORKERS];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		rc = ctl_server_register(d->ctl, methods[i].name, methods[i].fn, d,
					 methods[i].help);
		if (rc != 0)
			return rc;
	}
	/* The workers' responses are collected from the control server's poll loop. */
	for (i = 0; i < d->env.n_workers; i++)
		chans[i] = d->env.workers[i]->req;
	d->req = ctl_request_create(d->ctl, chans, d->env.n_workers);
	if (d->req == NULL)
		return -ENOMEM;
	/* calls.list, calls.hangup: their handlers on every worker (before launch), the methods. */
	for (i = 0; i < d->env.n_workers; i++) {
		rc = call_ctl_requests_register(d->env.workers[i]);
		if (rc != 0) {
			CP_LOG(ERR, "worker %zu: calls.list/calls.hangup handlers: %s", i,
			       strerror(-rc));
			return rc;
		}
	}
	d->calls = ctl_calls_create(d->ctl, d->req, d->env.n_workers, &d->env);
	return d->calls != NULL ? 0 : -ENOMEM;
}
