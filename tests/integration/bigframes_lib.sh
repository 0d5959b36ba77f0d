# SPDX-License-Identifier: BSD-3-Clause
# Sourced after lib.sh by the live tests that need whole big datagrams on the test bed.
# sf_start_bigframes CONFIG: sf_start with the test bed's vdev string (scripts/testbed.sh vdev:
# af_packet frames big enough for a reassembled 16 KB datagram). Once lib.sh's sf_start
# builds its vdev with scripts/testbed.sh vdev, this is sf_start --config CONFIG.
sf_start_bigframes() {
	ip netns exec "$TB-dut" "$SIPFASTD" --lcores "0@0,1@1" --no-huge -m 512 --no-pci \
		--no-shconf --file-prefix "$TB" --vdev "$("$ROOT/scripts/testbed.sh" vdev "$TB")" \
		-- --config "$1" --ctl "$CTL" >"$WORK/sipfastd.out" 2>&1 &
	SF_PID=$!
	for _ in $(seq 1 100); do
		grep -qs "sipfastd: ready" "$WORK/sipfastd.out" && return 0
		kill -0 "$SF_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "sipfastd did not start:" >&2
	cat "$WORK/sipfastd.out" >&2
	return 1
}

# verdict_sum [EXCLUDE-REGEX] [--settle]: tests/integration/verdict_sum.py on our daemon.
verdict_sum() {
	python3 "$ROOT/tests/integration/verdict_sum.py" "$CTL" --exclude "${1:-}" "${@:2}"
}

# cap_start_immediate FILE FILTER: cap_start with tcpdump --immediate-mode. Without it
# libpcap's TPACKET_V3 ring hands packets over a block at a time (up to its 1 s timeout), and
# the SIGINT of cap_stop can end tcpdump before the last block is read: a reply sent in the
# last second before cap_stop can be missing from the file (seen here: the canary echo
# reply was missing every time, 0.5 s after it was sent). Stop it with cap_stop.
cap_start_immediate() {
	ip netns exec "$TB-peer" tcpdump -Z root --immediate-mode -i "${TB}1" -n -U -w "$1" \
		"$2" >/dev/null 2>&1 &
	CAP_PID=$!
	sleep 1
}
