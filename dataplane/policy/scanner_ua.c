/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Known scanner User-Agents: a case-insensitive substring search of one short table. Called
 * only for requests already dropped as unknown-source, to count them apart (issue 3).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dataplane/policy/scanner_ua.h"

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

static inline uint8_t
scanner_ua_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c | 0x20) : c;
}

/* The 4 bytes at @p as one word, in memory order. */
static inline uint32_t
scanner_ua_word(const void *p)
{
	uint32_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/* Is the rest of @name (after its first 4 bytes) at @p (name->len bytes readable)? */
static bool
scanner_ua_tail_at(const uint8_t *p, const struct scanner_ua_name *name)
{
	for (unsigned int k = SCANNER_UA_MIN_LEN; k < name->len; k++)
		if (scanner_ua_lower(p[k]) != (uint8_t)name->lc[k])
			return false;
	return true;
}

/* Does an entry start at @p, @left bytes readable (>= 4), first byte a candidate? */
static bool
scanner_ua_at(const uint8_t *p, unsigned int left)
{
	const uint8_t lc[SCANNER_UA_MIN_LEN] = {scanner_ua_lower(p[0]), scanner_ua_lower(p[1]),
						scanner_ua_lower(p[2]), scanner_ua_lower(p[3])};
	uint32_t head = scanner_ua_word(lc);

	for (unsigned int j = 0; j < SCANNER_UA_N; j++) {
		const struct scanner_ua_name *n = &scanner_ua_names[j];

		if (scanner_ua_word(n->lc) == head && left >= n->len && scanner_ua_tail_at(p, n))
			return true;
	}
	return false;
}

bool
scanner_ua_is_scanner(struct sf_span ua)
{
	if (ua.p == NULL || ua.len < SCANNER_UA_MIN_LEN)
		return false;
	for (unsigned int i = 0; i + SCANNER_UA_MIN_LEN <= ua.len; i++)
		if (scanner_ua_first[scanner_ua_lower(ua.p[i])] &&
		    scanner_ua_at(ua.p + i, ua.len - i))
			return true;
	return false;
}

unsigned int
scanner_ua_n_names(void)
{
	return SCANNER_UA_N;
}

bool
scanner_ua_is_first_byte(uint8_t c)
{
	return scanner_ua_first[c];
}

const char *
scanner_ua_name(unsigned int i)
{
	return i < SCANNER_UA_N ? scanner_ua_names[i].lc : NULL;
}
