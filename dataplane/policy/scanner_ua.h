/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Known SIP scanner User-Agents (sipvicious and friends): one static table, matched as a
 * case-insensitive substring. Only counts what an unknown source was; never admits or rejects.
 */
#ifndef SF_SCANNER_UA_H
#define SF_SCANNER_UA_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/sf_span.h"

/**
 * Does User-Agent value @p ua name a known scanner? Bounded by ua.len, no allocation;
 * any lcore may call it. An empty or absent span is not a scanner.
 */
bool scanner_ua_is_scanner(struct sf_span ua);

/**
 * scanner_ua_is_scanner() with the portable (SSE2) search whatever the CPU; on a CPU with
 * AVX2, scanner_ua_is_scanner() searches with AVX2 instead. For tests, which check both.
 */
bool scanner_ua_is_scanner_portable(struct sf_span ua);

/*
 * Test only (scanner_ua_inspect.c, library sf_scanner_ua_inspect, linked by the unit test
 * alone): the table seen from outside.
 */

/** Entries in the table. */
unsigned int scanner_ua_n_names(void);

/** Is lower-case byte @p c the first byte of some entry (the search's prefilter)? */
bool scanner_ua_is_first_byte(uint8_t c);

/** Entry @p i of the table, NUL-terminated, lower case; NULL when out of range. */
const char *scanner_ua_name(unsigned int i);

#endif
