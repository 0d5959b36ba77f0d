#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The packet path allows no malloc/free, no locks, no printf family, no str*/strto* on packet
# bytes (STYLE.md 5). Grep dataplane/ for them; a line that is init/shutdown code says so with
# a trailing "/* cold: ... */" comment, which this check accepts.
set -uo pipefail
cd "$(dirname "$0")/.."

pattern='\b(malloc|calloc|realloc|free|strdup|rte_malloc|rte_zmalloc|rte_free|printf|fprintf|snprintf|sscanf|strto[a-z]*|ato[il]|strlen|strcmp|strcasecmp|strncasecmp|pthread_mutex_[a-z]+|rte_spinlock_lock|syslog|usleep|sleep)[[:space:]]*\('
hits=$(grep -rnE "$pattern" dataplane --include='*.c' --include='*.h' --exclude='*_setup.c' | grep -v 'cold:' |
	grep -vE '^[^:]+:[0-9]+:[[:space:]]*(\*|/\*|//)')
if [ -n "$hits" ]; then
	echo "forbidden on the packet path (mark init-only lines with /* cold: why */):"
	echo "$hits"
	exit 1
fi
