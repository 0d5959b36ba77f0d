/* SPDX-License-Identifier: BSD-3-Clause */
/* Control-plane logging: one DPDK log type per component (sipfast.cp, sipfast.cfg). */
#ifndef SF_LOG_H
#define SF_LOG_H

#include <rte_log.h>

extern int sf_logtype_cp;
#define RTE_LOGTYPE_SF_CP sf_logtype_cp
#define CP_LOG(level, fmt, ...) RTE_LOG(level, SF_CP, "%s(): " fmt "\n", __func__, ##__VA_ARGS__)

#endif
