/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Known scanner User-Agents (policy/scanner_ua.c) on exact-size heap copies: every table
 * entry matches in any case and anywhere in the value, ordinary UAs and near misses do not,
 * and the search never reads past the span.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/policy/scanner_ua.h"

/* Match @s from an exact-size heap copy, so ASan sees any read past the span. */
static bool
is_scanner(const char *s)
{
	size_t len = strlen(s);
	uint8_t *copy = malloc(len ? len : 1);
	bool r;

	assert_non_null(copy);
	memcpy(copy, s, len);
	r = scanner_ua_is_scanner((struct sf_span){copy, (uint16_t)len});
	free(copy);
	return r;
}

/* What the scanners really send. */
static void
test_real_scanner_uas(void **state)
{
	static const char *const uas[] = {
		"friendly-scanner",       /* sipvicious svmap/svwar/svcrack */
		"sipvicious",
		"sipcli/v1.8",
		"sip-scan",
		"SIPScan 1.0",
		"VaxSIPUserAgent/3.1",
		"pplsip",
		"iWar",
		"sundayddr",
		"smap 0.6.0",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(uas) / sizeof(uas[0]); i++)
		if (!is_scanner(uas[i]))
			fail_msg("\"%s\" not recognised", uas[i]);
}

/* Every table entry, upper-cased, in the middle of a longer value. */
static void
test_every_entry_any_case_any_position(void **state)
{
	char buf[128];

	(void)state;
	assert_int_equal(scanner_ua_n_names(), 10);
	assert_null(scanner_ua_name(scanner_ua_n_names()));
	for (unsigned int i = 0; i < scanner_ua_n_names(); i++) {
		const char *n = scanner_ua_name(i);
		size_t k, len = strlen(n);

		assert_true(is_scanner(n));
		memcpy(buf, "Foo/1.0 (", 9);
		for (k = 0; k < len; k++)
			buf[9 + k] = (char)((n[k] >= 'a' && n[k] <= 'z') ? n[k] - 32 : n[k]);
		memcpy(buf + 9 + len, ") bar", 6);
		if (!is_scanner(buf))
			fail_msg("\"%s\" not recognised", buf);
		/* At the very end of the span: the last byte is the entry's last byte. */
		memcpy(buf, "x ", 2);
		memcpy(buf + 2, n, len + 1);
		assert_true(is_scanner(buf));
	}
}

/* The first-byte prefilter flags exactly the entries' first bytes. */
static void
test_first_byte_table_matches_names(void **state)
{
	bool want[256] = {false};

	(void)state;
	for (unsigned int i = 0; i < scanner_ua_n_names(); i++)
		want[(uint8_t)scanner_ua_name(i)[0]] = true;
	for (unsigned int c = 0; c < 256; c++)
		if (scanner_ua_is_first_byte((uint8_t)c) != want[c])
			fail_msg("first-byte table wrong for 0x%02x", c);
}

static void
test_ordinary_uas_not_scanners(void **state)
{
	static const char *const uas[] = {
		"", "Linphone/5.2.0 (belle-sip/5.2.0)", "Yealink SIP-T46S 66.86.0.15",
		"Asterisk PBX 20.5.0", "sipp", "Zoiper rv2.10.19.4", "MicroSIP/3.21.3",
		"FreeSWITCH-mod_sofia/1.10.10", "Grandstream GXP2170 1.0.11.23",
		/* near misses: one byte short of an entry, or split by a byte */
		"friendly-scanne", "sipvicio", "smp", "sma", "sip scan", "pplsi", "iwa", "sipcl",
		"sundayd", "vaxsipuseragen",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(uas) / sizeof(uas[0]); i++)
		if (is_scanner(uas[i]))
			fail_msg("\"%s\" taken for a scanner", uas[i]);
}

/* An entry that would match only if the search ran past the span's end. */
static void
test_span_bounds(void **state)
{
	static const uint8_t bytes[] = "xx friendly-scanner";

	(void)state;
	assert_false(scanner_ua_is_scanner((struct sf_span){NULL, 0}));
	assert_false(scanner_ua_is_scanner((struct sf_span){bytes, 0}));
	assert_false(scanner_ua_is_scanner((struct sf_span){bytes, sizeof(bytes) - 2}));
	assert_true(scanner_ua_is_scanner((struct sf_span){bytes, sizeof(bytes) - 1}));
	assert_false(scanner_ua_is_scanner((struct sf_span){bytes + 4, sizeof(bytes) - 5}));
}

/* The search as the table defines it: some entry, case-insensitively, anywhere in the value. */
static bool
naive_is_scanner(const uint8_t *p, size_t len)
{
	for (unsigned int i = 0; i < scanner_ua_n_names(); i++) {
		const char *n = scanner_ua_name(i);
		size_t nl = strlen(n);

		for (size_t at = 0; at + nl <= len; at++) {
			size_t k = 0;

			while (k < nl && (uint8_t)((p[at + k] >= 'A' && p[at + k] <= 'Z')
							   ? p[at + k] | 0x20 : p[at + k]) ==
						 (uint8_t)n[k])
				k++;
			if (k == nl)
				return true;
		}
	}
	return false;
}

/*
 * Every entry, upper case, at every position of values of 17 to 130 bytes of 'x' (one and two
 * steps of 16 or 32 positions, and the loops past 33 and 65 bytes), the entry's last byte at
 * the span's last byte included; with its last byte cut off it is not found. Both searches.
 */
static void
test_every_entry_every_position_long(void **state)
{
	static const unsigned int lens[] = {17, 20, 32, 33, 34, 47, 64, 65, 66, 97, 130};
	uint8_t buf[130], *copy;

	(void)state;
	for (unsigned int i = 0; i < scanner_ua_n_names(); i++) {
		const char *n = scanner_ua_name(i);
		size_t nl = strlen(n);

		for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
			size_t len = lens[li];

			for (size_t at = 0; at + nl <= len; at++) {
				memset(buf, 'x', len);
				for (size_t k = 0; k < nl; k++)
					buf[at + k] = (uint8_t)((n[k] >= 'a' && n[k] <= 'z') ? n[k] - 32
											       : n[k]);
				copy = malloc(len);
				assert_non_null(copy);
				memcpy(copy, buf, len);
				if (!scanner_ua_is_scanner((struct sf_span){copy, (uint16_t)len}) ||
				    !scanner_ua_is_scanner_portable(
					    (struct sf_span){copy, (uint16_t)len}))
					fail_msg("\"%s\" at %zu of %zu not found", n, at, len);
				/* The entry's last byte is the span's last: one byte less is none. */
				if (at + nl == len &&
				    (scanner_ua_is_scanner((struct sf_span){copy, (uint16_t)(len - 1)}) ||
				     scanner_ua_is_scanner_portable(
					     (struct sf_span){copy, (uint16_t)(len - 1)})))
					fail_msg("\"%s\" cut at %zu found", n, len - 1);
				free(copy);
			}
		}
	}
}

/*
 * The word-at-a-time search (hash of the first 4 bytes, 8-byte folded compares, 16 start
 * positions per SSE2 step, the span's last 17 bytes for the last step) against the naive
 * one, on values built from pieces of entries in either case, bytes that the OR-0x20 fold
 * maps onto a name's bytes (CR for '-', '@', 0x8d), at every length from 0 to 100 (one and
 * two steps and the loop, of both searches: the one this CPU takes and the portable one).
 */
static void
test_matches_naive_search(void **state)
{
	static const char *const pieces[] = {
		"sip", "SIP", "si", "s", "p", "pp", "-", "scan", "SCANNER", "friendly",
		"vicious", "cli", "vax", "USERagent", "iw", "ar", "sunday", "ddr", "map", "sma",
		" ", "/", "1.0", "x", "#",
	};
	uint8_t buf[128], *copy;
	uint32_t seed = 12345;
	unsigned int hits = 0;

	(void)state;
	for (unsigned int iter = 0; iter < 200000; iter++) {
		size_t len = 0, want;

		seed = seed * 1103515245u + 12345u;
		want = (seed >> 16) % 101;
		while (len < want) {
			const char *pc;
			size_t pl;

			seed = seed * 1103515245u + 12345u;
			pc = pieces[(seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]))];
			pl = strlen(pc);
			if (pc[0] == '#') { /* a byte the fold confuses with a name's */
				static const uint8_t odd[] = {0x0d, '@', 0x8d, 0x2d};

				buf[len++] = odd[(seed >> 8) & 3];
				continue;
			}
			for (size_t k = 0; k < pl && len < want; k++)
				buf[len++] = (uint8_t)pc[k];
		}
		copy = malloc(len ? len : 1);
		assert_non_null(copy);
		memcpy(copy, buf, len);
		bool got = scanner_ua_is_scanner((struct sf_span){copy, (uint16_t)len});
		bool portable = scanner_ua_is_scanner_portable((struct sf_span){copy, (uint16_t)len});
		if (got != naive_is_scanner(copy, len) || portable != got)
			fail_msg("iteration %u: search says %d, portable %d for \"%.*s\"", iter, got,
				 portable, (int)len, (const char *)copy);
		hits += got;
		free(copy);
	}
	/* Both outcomes were exercised. */
	assert_true(hits > 1000 && hits < 190000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_scanner_uas),
		cmocka_unit_test(test_every_entry_any_case_any_position),
		cmocka_unit_test(test_first_byte_table_matches_names),
		cmocka_unit_test(test_ordinary_uas_not_scanners),
		cmocka_unit_test(test_span_bounds),
		cmocka_unit_test(test_matches_naive_search),
		cmocka_unit_test(test_every_entry_every_position_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
