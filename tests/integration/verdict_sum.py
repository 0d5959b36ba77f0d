#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""verdict_sum.py CTL_SOCKET [--exclude REGEX] [--settle]: the sum of sipfastd's per-frame
verdict counters (dataplane/verdict.h VERDICT_LIST: exactly one per frame) whose names do not
match REGEX. --settle: first wait (up to 10 s) until the sum stops growing for 0.3 s, i.e.
the daemon has drained what was sent."""
import argparse
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ctl import call  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def verdict_names():
    text = open(os.path.join(ROOT, "dataplane", "verdict.h")).read()
    block = text.split("#define VERDICT_LIST", 1)[1].split("\n\n", 1)[0]
    return re.findall(r'X\([A-Z0-9_]+, "([a-z0-9_]+)"\)', block)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ctl")
    ap.add_argument("--exclude", default="")
    ap.add_argument("--settle", action="store_true")
    a = ap.parse_args()
    names = [n for n in verdict_names() if not (a.exclude and re.search(a.exclude, n))]

    def total():
        t = call(a.ctl, "stats.get")["result"]["total"]
        return sum(t[n] for n in names)

    value = total()
    if a.settle:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            time.sleep(0.3)
            again = total()
            if again == value:
                break
            value = again
    print(value)


if __name__ == "__main__":
    main()
