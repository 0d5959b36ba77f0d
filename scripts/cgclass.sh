#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Callgrind one bench class on any sipfastd build, for per-function and per-line profiles
# (bench.sh's own callgrind run uses its release build without line info).
#
# Usage: scripts/cgclass.sh BUILD_DIR CLASS [FRAMES]
#   BUILD_DIR  a meson build dir with ctrlplane/sipfastd, e.g. one made with
#              meson setup B --buildtype=release -Db_lto=true -Dtests=false -Ddebug=true
#   CLASS      a bench class whose pcap and config bench.sh already generated
#              ($SF_BENCH_DIR/pcap/*/CLASS.pcap, default build-bench)
#   FRAMES     frames under callgrind (default 200000)
# Prints "total T pmd P app A" per frame (pmd = inside librte_net_pcap) and leaves the profile
# in $SF_CG_OUT (default /tmp/cg.CLASS.out): callgrind_annotate --inclusive=no / --auto=yes.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '3,14p' "$0" >&2; exit 2; }
build=$1 class=$2 frames=${3:-200000}
root=$(cd "$(dirname "$0")/.." && pwd)
bench_dir=${SF_BENCH_DIR:-$root/build-bench}
pcap=$(find "$bench_dir/pcap" -name "$class.pcap" 2>/dev/null | head -1)
[ -n "$pcap" ] || { echo "cgclass.sh: no $class.pcap under $bench_dir/pcap (run scripts/bench.sh $class once)" >&2; exit 1; }
dir=$(dirname "$pcap")
out=${SF_CG_OUT:-/tmp/cg.$class.out}
sock=$(mktemp -u /tmp/sfcg.XXXXXX.sock)
valgrind --tool=callgrind --toggle-collect=loop_main --callgrind-out-file="$out" \
	"$build/ctrlplane/sipfastd" --lcores 0@0,1@1 --no-huge -m 3072 --no-pci --no-shconf \
	--file-prefix "sfcg$$" --log-level=pmd.net.pcap:error \
	--vdev "net_pcap0,rx_pcap=$pcap,infinite_rx=1" \
	-- --config "$dir/$class.json" --ctl "$sock" --bench-packets "$frames" >"$out.log" 2>&1
callgrind_annotate --threshold=100 "$out" 2>/dev/null | awk -v n="$frames" '
	/PROGRAM TOTALS/ { gsub(",", "", $1); total = $1 }
	/librte_net_pcap/ { gsub(",", "", $1); pmd += $1 }
	END { printf "total %.0f pmd %.0f app %.0f\n", total / n, pmd / n, (total - pmd) / n }'
