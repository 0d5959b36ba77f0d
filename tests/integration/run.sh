#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Run every live test (tests/integration/t_*.sh) on its own private test bed. Needs root.
# Prints the PASS/FAIL lines of every test; exit status non-zero when any failed.
cd "$(dirname "$0")"
rc=0
for t in t_*.sh; do
	bash "$t" || rc=1
done
exit $rc
