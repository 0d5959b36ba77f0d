#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The packet path allows no malloc/free, no locks (or lock writers), no printf family or log
# call, no syscall or clock read, no sleep, no str*/strto* on packet bytes (STYLE.md 5).
#
# Checked by path, whole files, with no per-line exemption: every dataplane/**/*.c and *.h is
# packet path (hot), except
#   - files whose name ends in _setup.c: cold by name (create/destroy, init on the worker's
#     socket before launch, the control plane's clock, snapshot reclaim);
#   - the short list COLD below, each with its reason.
# Comments are blanked before matching (line numbers kept), so prose may name a call.
# Prints every hit as file:line: text and exits 1 when there is one.
#
# Usage: scripts/check-forbidden.sh [ROOT]   (ROOT: a tree to check, default this checkout;
# the static tier's self-test runs it on a copy with an injected call, STATIC_check_forbidden_catches)
set -uo pipefail
root=${1:-"$(dirname "$0")/.."}
cd "$root" || exit 2

# Cold files that are not *_setup.c: path (relative to the tree) and why. Keep it short.
COLD=(
	"dataplane/keepalive/ka_worker_bench.c" # bench only: keep-alive TSC accounting (--bench-ka-bindings)
)

calls='malloc|calloc|realloc|free|strdup|strndup|rte_[a-z]*malloc[a-z_]*|rte_realloc[a-z_]*'
calls+='|rte_free|printf|fprintf|sprintf|snprintf|vprintf|vfprintf|vsnprintf|puts|fputs|perror'
calls+='|sscanf|strto[a-z]*|ato[il]|strlen|strcmp|strcasecmp|strncasecmp'
calls+='|pthread_mutex_[a-z]+|pthread_rwlock_[a-z]+|pthread_spin_[a-z]+'
calls+='|rte_spinlock_(try)?lock|rte_rwlock_write_(try)?lock|rte_seqlock_write_lock'
calls+='|RTE_LOG|rte_log|rte_vlog|syslog'
calls+='|clock_gettime|gettimeofday|time|getrandom|getentropy'
calls+='|usleep|nanosleep|sleep|rte_delay_[a-z]+'
pattern="(^|[^A-Za-z0-9_.>])($calls)[[:space:]]*\\("

is_cold() {
	local f=$1 c
	case "$f" in *_setup.c) return 0 ;; esac
	for c in "${COLD[@]}"; do
		[ "$f" = "$c" ] && return 0
	done
	return 1
}

# strip FILE: the file with /* */ and // comments blanked (newlines kept, so grep's line
# numbers are the file's); string and character literals are kept as they are.
strip() {
	awk '
	BEGIN { st = 0 } # 0 code, 1 block comment, 2 string, 3 char
	{
		out = ""; n = length($0); i = 1
		while (i <= n) {
			c = substr($0, i, 1); d = substr($0, i, 2)
			if (st == 1) {
				if (d == "*/") { st = 0; out = out "  "; i += 2; continue }
				out = out " "; i++; continue
			}
			if (st == 2 || st == 3) {
				out = out c
				if (c == "\\") { out = out substr($0, i + 1, 1); i += 2; continue }
				if ((st == 2 && c == "\"") || (st == 3 && c == "\047")) st = 0
				i++; continue
			}
			if (d == "/*") { st = 1; out = out "  "; i += 2; continue }
			if (d == "//") break
			if (c == "\"") st = 2
			else if (c == "\047") st = 3
			out = out c; i++
		}
		if (st >= 2) st = 0 # an unterminated literal ends with its line
		print out
	}' "$1"
}

hits=0
n_files=0
while IFS= read -r f; do
	is_cold "$f" && continue
	n_files=$((n_files + 1))
	while IFS= read -r h; do
		echo "$f:${h%%:*}: $(sed -n "${h%%:*}p" "$f" | sed -E 's/^[[:space:]]+//')"
		hits=$((hits + 1))
	done < <(strip "$f" | grep -nE "$pattern")
done < <(find dataplane -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort)

for c in "${COLD[@]}"; do
	[ -f "$c" ] || { echo "$c: listed cold in $0 but absent (drop it from COLD)"; hits=$((hits + 1)); }
done

if [ "$n_files" -eq 0 ]; then
	echo "no packet-path file found under $PWD/dataplane"
	exit 1
fi
if [ "$hits" -gt 0 ]; then
	echo "$hits forbidden call(s) on the packet path (above, file:line). Move init/shutdown and"
	echo "control-plane code to a <name>_setup.c file (cold by name); see scripts/check-forbidden.sh."
	exit 1
fi
echo "packet path clean: $n_files hot files checked"
