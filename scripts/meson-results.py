#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Count test cases in a meson testlog.json: cmocka cases from their TAP lines
(CMOCKA_MESSAGE_OUTPUT=TAP), other tests as one case each. A test that failed without
reporting a failing case (a crash, a timeout) counts one more failure.
Prints "<passed> <failed>" and lists failures on stderr."""
import json
import re
import sys

TAP = re.compile(r'^(not ok|ok)\b(?:\s+\d+)?(?:\s+-)?\s*(.*)$')


def count(path):
    passed = failed = 0
    with open(path) as f:
        for line in f:
            t = json.loads(line)
            ok_test = t['result'] in ('OK', 'EXPECTEDFAIL', 'SKIP')
            p = n = 0
            for out in (t.get('stdout') or '').splitlines():
                m = TAP.match(out.strip())
                if not m:
                    continue
                if m.group(1) == 'ok':
                    p += 1
                else:
                    n += 1
                    print(f"FAIL {t['name']}: {m.group(2)}", file=sys.stderr)
            if p + n == 0:
                p, n = (1, 0) if ok_test else (0, 1)
                if n:
                    print(f"FAIL {t['name']} ({t['result']})", file=sys.stderr)
            elif not ok_test and n == 0:
                n = 1
                print(f"FAIL {t['name']} ({t['result']}) after its cases", file=sys.stderr)
            passed += p
            failed += n
    return passed, failed


if __name__ == '__main__':
    total = [0, 0]
    for path in sys.argv[1:]:
        p, n = count(path)
        total[0] += p
        total[1] += n
    print(total[0], total[1])
