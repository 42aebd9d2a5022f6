#!/usr/bin/env python3
"""Fails when modules of a crate import each other in a circle.

For each `src/` folder given: a module is a top-level file or folder of `src/`; inside a
folder, its children are modules too. A module uses another when its code names it by a
`crate::` path (`use crate::store::Db`, `crate::trading::Trading::new`, or a name inside
`use crate::{…}`), or, for a folder's children, by `super::sibling`. A folder's own
`mod.rs` and its children may use each other (that is how a folder is built); any other
loop, between rooms or between the children of one room, is printed and fails the run.
"""
import os
import re
import sys

CRATE_PATH = re.compile(r"\bcrate::([a-z_][a-z0-9_]*)(?:::([a-z_][a-z0-9_]*))?")
CRATE_GROUP = re.compile(r"\buse\s+crate::\{([^}]*)\}", re.S)
SUPER_PATH = re.compile(r"\bsuper::([a-z_][a-z0-9_]*)")


def module_of(src, path):
    """`a` for src/a.rs or src/a/mod.rs, `a::b` for src/a/b.rs or src/a/b/…"""
    parts = os.path.relpath(path, src)[:-3].split(os.sep)
    if parts[-1] == "mod":
        parts.pop()
    return "::".join(parts[:2])


def code(path):
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"//[^\n]*", "", text)  # comments name modules without using them
    return text


def graph(src):
    files = {}
    for root, _, names in os.walk(src):
        for name in names:
            if name.endswith(".rs"):
                path = os.path.join(root, name)
                module = module_of(src, path)
                if module in ("lib", "main") or module.startswith("bin"):
                    continue
                files.setdefault(module, []).append(path)
    known = set(files)

    def target(first, second):
        if second and f"{first}::{second}" in known:
            return f"{first}::{second}"
        return first if first in known else None

    edges = {m: set() for m in known}
    for module, paths in files.items():
        room = module.split("::")[0]
        for path in paths:
            text = code(path)
            named = [target(a, b) for a, b in CRATE_PATH.findall(text)]
            for group in CRATE_GROUP.findall(text):
                for item in group.split(","):
                    words = [w for w in re.split(r"::|\s+", item.strip()) if w]
                    if words:
                        named.append(target(words[0], words[1] if len(words) > 1 else None))
            if "::" in module:
                named += [target(room, b) for b in SUPER_PATH.findall(text)]
            for other in filter(None, named):
                if other == module:
                    continue
                # a folder's mod.rs (`room`) and its children use each other freely
                if other.split("::")[0] == room and ("::" not in other or "::" not in module):
                    continue
                edges[module].add(other)
    return edges


def loops(edges):
    """Strongly connected components of more than one module (Tarjan)."""
    order, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        order[v] = low[v] = len(order)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in order:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], order[w])
        if low[v] == order[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(edges):
        if v not in order:
            visit(v)
    return found


def main(folders):
    failed = False
    for src in folders:
        edges = graph(src)
        rooms = {}
        for module, others in edges.items():
            room = module.split("::")[0]
            rooms.setdefault(room, set()).update(o.split("::")[0] for o in others if o.split("::")[0] != room)
        found = loops(rooms)
        for room in sorted({m.split("::")[0] for m in edges if "::" in m}):
            inside = {m: {o for o in others if o.startswith(room + "::")} for m, others in edges.items() if m.startswith(room + "::")}
            found += loops(inside)
        for component in found:
            failed = True
            print(f"import cycle in {src}: {' <-> '.join(component)}")
    if not failed:
        print(f"no import cycles in {', '.join(folders)}")
    return 1 if failed else 0


def self_test():
    """The check can fail: a tree with a loop between rooms and one inside a room."""
    import tempfile
    with tempfile.TemporaryDirectory() as src:
        os.makedirs(os.path.join(src, "room"))
        files = {
            "lib.rs": "mod a; mod b; mod room;",
            "a.rs": "use crate::b::Thing;",
            "b.rs": "// crate::a in a comment is no use\nfn f() { crate::room::x(); }",
            "room/mod.rs": "use crate::b;",
            "room/x.rs": "use super::y; use super::Shared;",
            "room/y.rs": "use crate::room::x::f;",
        }
        for name, text in files.items():
            open(os.path.join(src, name), "w").write(text)
        edges = graph(src)
        assert edges["a"] == {"b"} and edges["b"] == {"room::x"}, edges
        assert edges["room::x"] == {"room::y"} and edges["room::y"] == {"room::x"}, edges
        assert main([src]) == 1
        os.remove(os.path.join(src, "room/mod.rs"))
        os.remove(os.path.join(src, "room/y.rs"))
        assert main([src]) == 0, "without the loops, nothing is reported"
    print("cycles.py self-test: a planted cycle is found")


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
