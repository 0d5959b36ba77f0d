/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The single table of the 41 global SS_* parameters (name, JSON type, default in the seed's
 * form, unit, allowed values, description, when a change takes effect). It is the only source
 * for defaults, validation of the "params" object, `sipfastctl get` and config/README.md.
 */
#ifndef SF_PARAM_TABLE_H
#define SF_PARAM_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "ctrlplane/cfg_error.h"
#include "dataplane/params.h"

/** How a parameter's JSON value is read and what it fills in struct sf_params. */
enum param_table_kind {
	PARAM_TABLE_SWITCH,    /**< "On"/"Off" or true/false -> bool */
	PARAM_TABLE_UINT,      /**< integer in [min, max] -> uint32_t */
	PARAM_TABLE_UINT_AUTO, /**< "Auto Negotiation" or integer in [min, max] */
	PARAM_TABLE_UINT_NONE, /**< "None"/null or integer in [min, max] */
	PARAM_TABLE_ENUM,      /**< one of the seed's words -> C enum */
	PARAM_TABLE_SECONDS_LIST, /**< comma string or array of seconds -> ms array + count */
	PARAM_TABLE_TEXT,      /**< string of min..max bytes, raw */
	PARAM_TABLE_HOST,      /**< domain name or IPv4 literal of min..max chars, "" allowed */
};

/** When a change reaches running work (I-34). */
enum param_table_apply {
	PARAM_TABLE_APPLY_NOW,           /**< the next packet or event uses the new value */
	PARAM_TABLE_APPLY_NEW_CALLS,     /**< calls and transactions started after the update */
	PARAM_TABLE_APPLY_NEW_AUTH,      /**< authentication sessions / suspensions started after */
	PARAM_TABLE_APPLY_NEXT_REGISTER, /**< a binding picks it up at its next REGISTER */
	PARAM_TABLE_APPLY_NEXT_UAC,      /**< the next outbound REGISTER attempt */
	PARAM_TABLE_APPLY_NEXT_CYCLE,    /**< the keep-alive scheduler's next cycle */
};

/** One row of the table. Read-only; obtained from param_table_at() / param_table_find(). */
struct param_table_entry {
	const char *name;        /**< exact spec name, e.g. "SS_ENDPOINT_EXPIRE" */
	char area;               /**< PARAMETERS.md section letter 'a'..'g' */
	enum param_table_kind kind;
	const char *def;         /**< default as JSON text in the seed's form, e.g. "\"On\"" */
	const char *unit;        /**< "s", "ms", "count", "switch", ... */
	int64_t min, max;        /**< numeric bound, or byte-length bound for TEXT/HOST */
	bool bound_is_ours;      /**< the seed states no range: bound chosen by I-35 */
	const char *const *words; /**< ENUM: accepted words, NULL-terminated, canonical first */
	const int *word_values;  /**< ENUM: C enum value per word */
	enum param_table_apply apply;
	const char *spec;        /**< interpretations applied, e.g. "I-8, I-35" ("" if none) */
	const char *desc;        /**< one line */
	size_t off;              /**< offsetof the value field in struct sf_params */
	size_t aux_off;          /**< offsetof the auto/none flag or the length field */
};

/** Number of global parameters (41). */
size_t
param_table_count(void);

/** Row @i (0 <= i < param_table_count()), in PARAMETERS.md order; NULL past the end. */
const struct param_table_entry *
param_table_at(size_t i);

/** Row named exactly @name, or NULL. */
const struct param_table_entry *
param_table_find(const char *name);

/** JSON type as the reference shows it, e.g. "switch", "integer or \"None\"". */
const char *
param_table_type_name(const struct param_table_entry *e);

/** Allowed values as text, e.g. "60–3600" or "\"Ignore\" / \"Id\" / \"None\"". */
void
param_table_allowed_text(const struct param_table_entry *e, char *buf, size_t buf_len);

/** Whether running work keeps the old value after an update (everything but APPLY_NOW). */
bool
param_table_is_new_sessions_only(const struct param_table_entry *e);

/** Fill @out with every default (the seed's, or the interpretation's where noted). */
void
param_table_defaults(struct sf_params *out);

/**
 * Parse a whole "params" object: start from the defaults, apply every key, then run the hard
 * cross-parameter rules. Unknown keys and wrong types are errors. @out is written only on
 * success. Returns 0 or -EINVAL with @err (may be NULL) naming "params.<KEY>".
 */
int
param_table_parse(const json_t *params_obj, struct sf_params *out, struct cfg_error *err);

/**
 * Apply a partial object (config.set) on top of @inout. Validates into a copy, including the
 * hard cross rules on the post-update values (I-32); on failure @inout is untouched.
 */
int
param_table_merge(const json_t *partial, struct sf_params *inout, struct cfg_error *err);

/**
 * Overrides (e.g. an account's "params"): as param_table_merge(), with error paths under
 * @prefix (e.g. "accounts[2].params"), except that a member set to null clears the override:
 * the value already in @inout (the caller starts from the globals) stays (CFG-10). So inside
 * an override "unlimited" / "no cap" is spelt "None", not null.
 */
int
param_table_merge_at(const json_t *partial, struct sf_params *inout, const char *prefix,
		     struct cfg_error *err);

/**
 * Cross-parameter rules. Hard rules fail with -EINVAL and fill @err; advice (I-7, I-27, I-32)
 * appends {"path", "message"} objects to @warnings (a JSON array, may be NULL). All rules run
 * even after the first error so the warnings are complete.
 */
int
param_table_check(const struct sf_params *p, struct cfg_error *err, json_t *warnings);

/**
 * Keep-alive messages one cycle can reach: ceil(PERIOD * 1000 / SEND_INTERVAL) * SEND_ONE_TIME
 * (I-30). The keep-alive module warns when the NAT binding count exceeds it (CFG-7).
 */
uint64_t
param_table_keepalive_capacity(const struct sf_params *p);

/** Every parameter as a "params" object in the seed's form; parses back to @p. New ref. */
json_t *
param_table_to_json(const struct sf_params *p);

/**
 * Describe one parameter (object) or, with NULL, all of them (array): name, type, default,
 * unit, allowed, description, new_sessions_only, applies, area, spec. NULL if unknown. New ref.
 */
json_t *
param_table_describe(const char *name_or_null);

/** Nearest known name to a misspelt @key, or NULL if none is close. */
const char *
param_table_suggest(const char *key);

/**
 * Turn command-line text (`sipfastctl set NAME=TEXT`) into a JSON value: JSON if it parses
 * (60, true, null, [0.5,1]), else a string ("Off", "0.5,1,2"). New reference.
 */
json_t *
param_table_json_from_text(const char *text);

/** Write the Markdown parameter reference (the generated part of config/README.md). */
int
param_table_write_markdown(FILE *out);

#endif
