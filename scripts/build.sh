#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build sipfast. Usage: build.sh [release|asan|tsan]   (default: release build in build/)
#   release: build/       gcc, debugoptimized, -Dwerror=true when SF_WERROR=1
#   asan:    build-asan/  clang, ASan+UBSan, everything that runs without hugepages (unit
#                         tests feed parsers exact-size heap copies), plus the libFuzzer targets
#   tsan:    build-tsan/  clang, ThreadSanitizer, only the snapshot hand-off test (no EAL)
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
		CC=clang meson setup build-asan -Dwerror=$werror -Dfuzzing=true \
			-Db_sanitize=address,undefined -Db_lundef=false >/dev/null
	ninja -C build-asan >/dev/null
	;;
tsan)
	[ -f build-tsan/build.ninja ] ||
		# The ring's C11 memory model (acquire/release atomics) instead of x86's
		# barrier-based one, which TSan cannot see through; same algorithm otherwise.
		CC=clang CFLAGS=-DRTE_USE_C11_MEM_MODEL meson setup build-tsan -Dwerror=$werror \
			-Db_sanitize=thread -Db_lundef=false >/dev/null
	ninja -C build-tsan tests/unit/test_publish >/dev/null
	;;
*) echo "usage: $0 [release|asan|tsan]" >&2; exit 2 ;;
esac
