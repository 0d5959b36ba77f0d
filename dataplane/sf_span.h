/* SPDX-License-Identifier: BSD-3-Clause */
/* A span of packet bytes: pointer plus length, never NUL-terminated. */
#ifndef SF_SPAN_H
#define SF_SPAN_H

#include <stdint.h>

struct sf_span {
	const uint8_t *p; /* first byte, NULL when absent */
	uint16_t len;     /* bytes */
};

#endif
