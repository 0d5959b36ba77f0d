#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Room-level include graph of dataplane/ and its cycles (issue 11, "no include cycle").

A room is a folder under dataplane/ (net, sip, registrar, ...) or a file pair at the dataplane
root (worker.c/worker.h is room "worker"). An edge A -> B means a file of room A includes a
header of room B. Prints the edges, then every strongly connected component with more than one
room (a cycle). Exit status 1 when there is a cycle, so the static tier can use it once the
restructure has removed today's cycles.

Usage: scripts/include-graph.py [--dot]     (run from anywhere)
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DP = os.path.join(ROOT, "dataplane")
INC = re.compile(r'^\s*#\s*include\s+"dataplane/([^"]+)"')


def room_of(rel):
    """rel: a path under dataplane/ -> its room name."""
    parts = rel.split("/")
    if len(parts) > 1:
        return parts[0]
    return os.path.splitext(parts[0])[0]


def graph():
    edges = {}
    for dirpath, _, files in os.walk(DP):
        for f in files:
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, f)
            src = room_of(os.path.relpath(path, DP))
            with open(path, encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    m = INC.match(line)
                    if m:
                        dst = room_of(m.group(1))
                        if dst != src:
                            edges.setdefault(src, set()).add(dst)
            edges.setdefault(src, set())
    return edges


def sccs(edges):
    """Tarjan's strongly connected components."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def main():
    edges = graph()
    if "--dot" in sys.argv:
        print("digraph dataplane {")
        for a in sorted(edges):
            for b in sorted(edges[a]):
                print(f'  "{a}" -> "{b}";')
        print("}")
        return 0
    for a in sorted(edges):
        print(f"{a} -> {', '.join(sorted(edges[a])) or '(nothing)'}")
    cycles = [c for c in sccs(edges) if len(c) > 1]
    for c in cycles:
        print("CYCLE: " + " <-> ".join(c))
    print(f"{len(cycles)} cycle(s) among {len(edges)} rooms")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
