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

/*
 * Every name is 4 to 16 bytes of lower-case letters, digits and '-' (the word compare in
 * scanner_ua.c folds case only where the name has a letter); the first 4 are one word.
 */
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
 * The entries by their first 4 bytes: a perfect hash of the head word (the 4 lower-case bytes
 * as a little-endian uint32), slot = (head * SCANNER_UA_HASH_MUL) >> 28, so a candidate start
 * costs one multiply and one compare instead of a walk over the table. An empty slot's head
 * is 0, which no folded packet word equals (the fold sets bit 5 of every byte). Made by a
 * search for a multiplier that gives the ten heads ten slots (BENCHMARKS.md, "Skim"); a new
 * entry needs a new search. tests/unit/test_scanner_ua.c fails on an entry the hash misses.
 */
#define SCANNER_UA_HASH_MUL 0xc2ce6f45u
#define SCANNER_UA_HASH_SLOTS 16
struct scanner_ua_slot {
	uint32_t head;  /* the entry's first 4 bytes, lower case, little-endian; 0: empty */
	uint8_t index;  /* into scanner_ua_names[] */
};
static const struct scanner_ua_slot scanner_ua_slots[SCANNER_UA_HASH_SLOTS] = {
	[2] = {0x73786176u, 5},  /* vaxs */
	[6] = {0x65697266u, 0},  /* frie */
	[7] = {0x736c7070u, 6},  /* ppls */
	[8] = {0x63706973u, 2},  /* sipc */
	[9] = {0x646e7573u, 8},  /* sund */
	[10] = {0x76706973u, 1}, /* sipv */
	[11] = {0x72617769u, 7}, /* iwar */
	[12] = {0x70616d73u, 9}, /* smap */
	[13] = {0x73706973u, 4}, /* sips */
	[15] = {0x2d706973u, 3}, /* sip- */
};

/*
 * First bytes of the entries above (lower case): most bytes of an ordinary User-Agent cost
 * one table load. Kept in step with the names by tests/unit/test_scanner_ua.c.
 */
static const bool scanner_ua_first[256] = {
	['f'] = true, ['i'] = true, ['p'] = true, ['s'] = true, ['v'] = true,
};

#endif
