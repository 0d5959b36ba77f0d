#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The mutant list of the mutation tier (tests/mutants/mutants.txt; format in its header).

Usage: mutants.py LIST list                 names, one a line
       mutants.py LIST files                the files the mutants touch, one a line
       mutants.py LIST check TREE           every mutant's OLD occurs exactly once in TREE
       mutants.py LIST apply NAME TREE      apply mutant NAME to TREE (rewrites one file)
       mutants.py LIST restore NAME TREE ORIG   put ORIG's copy of NAME's file back in TREE
Exit status 1 with a message naming the mutant when a block is malformed or does not apply.
"""
import os
import re
import sys


def unescape(text):
    return text.replace("\\n", "\n").replace("\\t", "\t")


def load(path):
    mutants, cur = [], None
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            where = "%s:%d" % (path, lineno)
            if stripped.startswith("@ "):
                name = stripped[2:].strip()
                if not re.fullmatch(r"[A-Za-z0-9_]+", name):
                    sys.exit("%s: bad mutant name %r" % (where, name))
                if any(m["name"] == name for m in mutants):
                    sys.exit("%s: duplicate mutant %s" % (where, name))
                cur = {"name": name, "where": where}
                mutants.append(cur)
            elif cur is None:
                sys.exit("%s: text before the first '@ NAME'" % where)
            elif stripped.startswith("file:"):
                cur["file"] = stripped[5:].strip()
            elif stripped.startswith("- "):
                cur["old"] = unescape(stripped[2:])
            elif stripped.startswith("+ "):
                cur["new"] = unescape(stripped[2:])
            else:
                sys.exit("%s: expected 'file:', '- ' or '+ '" % where)
    for m in mutants:
        for key in ("file", "old", "new"):
            if key not in m:
                sys.exit("%s: mutant %s has no %s" % (m["where"], m["name"], key))
        if m["old"] == m["new"]:
            sys.exit("%s: mutant %s changes nothing" % (m["where"], m["name"]))
    return mutants


def find(mutants, name):
    for m in mutants:
        if m["name"] == name:
            return m
    sys.exit("no mutant %s" % name)


def mutated_text(m, tree):
    path = os.path.join(tree, m["file"])
    with open(path, encoding="utf-8") as f:
        text = f.read()
    n = text.count(m["old"])
    if n != 1:
        sys.exit("mutant %s (%s): its text occurs %d times in %s, not once"
                 % (m["name"], m["where"], n, m["file"]))
    return path, text.replace(m["old"], m["new"])


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    mutants, cmd, args = load(sys.argv[1]), sys.argv[2], sys.argv[3:]
    if cmd == "list":
        print("\n".join(m["name"] for m in mutants))
    elif cmd == "files":
        print("\n".join(sorted({m["file"] for m in mutants})))
    elif cmd == "check" and len(args) == 1:
        for m in mutants:
            mutated_text(m, args[0])
    elif cmd == "apply" and len(args) == 2:
        path, text = mutated_text(find(mutants, args[0]), args[1])
        with open(path, "w", encoding="utf-8") as f:  # a fresh mtime: ninja rebuilds it
            f.write(text)
    elif cmd == "restore" and len(args) == 3:
        m = find(mutants, args[0])
        with open(os.path.join(args[2], m["file"]), encoding="utf-8") as f:
            text = f.read()
        with open(os.path.join(args[1], m["file"]), "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
