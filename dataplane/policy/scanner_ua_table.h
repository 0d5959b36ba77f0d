/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to dataplane/policy/: the scanner User-Agent table, read by the search
 * (scanner_ua.c) and by the test-only accessors (scanner_ua_inspect.c, linked into the unit
 * test alone).
 */
#ifndef SF_SCANNER_UA_TABLE_H
#define SF_SCANNER_UA_TABLE_H

#include <stdbool.h>
#include <stdint.h>

/* Every name is 4 to 16 bytes; the first 4 are compared as one word. */
#define SCANNER_UA_MIN_LEN 4
struct scanner_ua_name {
	char lc[17]; /* lower case, NUL-terminated */
	uint8_t len; /* bytes, without the NUL */
};

#define SCANNER_UA(lit) {lit, sizeof(lit) - 1}
/* Lower case: the search folds only the packet side. */
static const struct scanner_ua_name scanner_ua_names[] = {
	SCANNER_UA("friendly-scanner"), /* sipvicious svmap/svwar/svcrack default */
	SCANNER_UA("sipvicious"),
	SCANNER_UA("sipcli"),
	SCANNER_UA("sip-scan"),
	SCANNER_UA("sipscan"),
	SCANNER_UA("vaxsipuseragent"),
	SCANNER_UA("pplsip"),
	SCANNER_UA("iwar"),
	SCANNER_UA("sundayddr"),
	SCANNER_UA("smap"),
};
#undef SCANNER_UA

#define SCANNER_UA_N (sizeof(scanner_ua_names) / sizeof(scanner_ua_names[0]))

/*
 * First bytes of the entries above (lower case): most bytes of an ordinary User-Agent cost
 * one table load. Kept in step with the names by tests/unit/test_scanner_ua.c.
 */
static const bool scanner_ua_first[256] = {
	['f'] = true, ['i'] = true, ['p'] = true, ['s'] = true, ['v'] = true,
};

#endif
