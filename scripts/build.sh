#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build sipfast. Usage: build.sh [release|asan]   (default: release build in build/)
#   release: build/       gcc, debugoptimized, -Dwerror=true when SF_WERROR=1
#   asan:    build-asan/  clang, ASan+UBSan, pure modules only (DPDK's memory is not ASan-aware)
set -euo pipefail
cd "$(dirname "$0")/.."

kind=${1:-release}
werror=false
[ "${SF_WERROR:-0}" = 1 ] && werror=true
case "$kind" in
release)
	[ -f build/build.ninja ] || meson setup build -Dwerror=$werror >/dev/null
	ninja -C build >/dev/null
	;;
asan)
	[ -f build-asan/build.ninja ] ||
		CC=clang meson setup build-asan -Ddpdk=false -Dwerror=$werror \
			-Db_sanitize=address,undefined -Db_lundef=false >/dev/null
	ninja -C build-asan >/dev/null
	;;
*) echo "usage: $0 [release|asan]" >&2; exit 2 ;;
esac
