#!/usr/bin/env python3
"""Each crate's and each of the project's modules' share of a wasm file.

Reads `twiggy top --format csv` (a wasm built with its name section) on stdin and
prints the bytes per crate, and per module for the project's own crates, so the next
size regression has a name. Generic code is counted where it was instantiated's
first path segment says (e.g. `<reactive_graph::… as …>` counts for reactive_graph).
"""
import csv
import re
import sys
from collections import Counter

OWN = ("quote_widget", "quote_core")


def owner(item: str) -> tuple[str, str]:
    if item.startswith('data segment') or item.startswith('data['):
        return ("(static data)", "")
    if item.startswith('"') or item.startswith('type[') or item.startswith('elem[') or item.startswith('table['):
        return ("(wasm sections)", "")
    name = item.lstrip("<&*").replace("mut ", "").replace("dyn ", "")
    name = re.sub(r"\[[0-9a-f]{16}\]", "", name)  # std's crate disambiguators
    parts = re.split(r"::|<| ", name)
    crate = parts[0] if parts and parts[0] else "(other)"
    if crate in ("impl", "{{closure}}", ""):
        crate = "(other)"
    module = ""
    if crate in OWN and len(parts) > 1:
        module = parts[1] if parts[1] not in ("_", "{{closure}}") else ""
    return (crate, module)


def main() -> None:
    rows = list(csv.DictReader(sys.stdin))
    crates: Counter[str] = Counter()
    modules: Counter[str] = Counter()
    total = 0
    for row in rows:
        item, size = row["Name"], int(row["ShallowSize"])
        if "function names" in item or item.startswith('"name"'):
            continue  # the name section itself is not shipped
        total += size
        crate, module = owner(item)
        crates[crate] += size
        if module:
            modules[f"{crate}::{module}"] += size
    print(f"{'crate':<34} {'bytes':>9} {'share':>7}")
    for crate, size in crates.most_common(20):
        print(f"{crate:<34} {size:>9} {100 * size / total:>6.1f}%")
    print(f"{'total (code + data, no names)':<34} {total:>9}")
    print()
    print(f"{'project module':<34} {'bytes':>9} {'share':>7}")
    for module, size in modules.most_common(25):
        print(f"{module:<34} {size:>9} {100 * size / total:>6.1f}%")


if __name__ == "__main__":
    main()
