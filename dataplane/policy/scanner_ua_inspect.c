/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test only: the scanner User-Agent table seen from outside (tests/unit/test_scanner_ua.c keeps
 * the first-byte prefilter in step with the names). Built into sf_scanner_ua_inspect, which
 * only the unit test links; no production binary carries it.
 */
#include <stddef.h>

#include "dataplane/policy/scanner_ua.h"
#include "dataplane/policy/scanner_ua_table.h"

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
