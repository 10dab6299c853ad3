#!/usr/bin/env python3
"""Draw the default corpus: a stratified, reproducible sample of Debian package
descriptions.

    python3 corpora/sample.py            # writes corpora/debian-5000.jsonl.gz

Reads the shared corpus (one JSON object per line: id, title, text, section,
tags), picks SIZE documents so that every Debian section is represented, and
writes them gzip-compressed in their original order with the fields id, title,
text and section. Standard library only.

Allocation: every section first gets min(its size, MIN_PER_SECTION)
documents; the remaining places are shared out in proportion to how many
documents each section has left, by largest remainder (ties broken by section
name), so the total is exactly SIZE. Within a section, each document is given a
key from random.Random(SEED).random(), drawn section by section in name order
and line by line in input order, and the documents with the smallest keys are
kept. Only Random.random() is used because Python guarantees that its sequence
for a given integer seed does not change between versions; the gzip header has
mtime 0 and no file name, so re-running gives a byte-identical file (given the
same zlib).
"""

import argparse
import gzip
import json
import os
import random
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_INPUT = os.path.normpath(
    os.path.join(HERE, "..", "..", "shared", "corpora", "debian-descriptions.jsonl.gz")
)
DEFAULT_OUTPUT = os.path.join(HERE, "debian-5000.jsonl.gz")
KEEP = ("id", "title", "text", "section")


def allocate(sizes, total, minimum):
    """Map section -> number of documents to draw (sums to `total`)."""
    base = {s: min(n, minimum) for s, n in sizes.items()}
    rest = total - sum(base.values())
    spare = {s: sizes[s] - base[s] for s in sizes}
    pool = sum(spare.values())
    if rest < 0:
        sys.exit(f"sample.py: size {total} is too small for {len(sizes)} sections x {minimum}")
    if rest > pool:
        sys.exit(f"sample.py: size {total} exceeds the {sum(sizes.values())} documents available")
    extra = {}
    remainders = []
    for s in sorted(sizes):
        quota = rest * spare[s] / pool if pool else 0.0
        extra[s] = int(quota)
        remainders.append((-(quota - extra[s]), s))
    left = rest - sum(extra.values())
    for _, s in sorted(remainders)[:left]:
        extra[s] += 1
    return {s: base[s] + extra[s] for s in sizes}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--input", default=DEFAULT_INPUT, help="shared corpus (.jsonl.gz)")
    ap.add_argument("--output", default=DEFAULT_OUTPUT, help="sample to write (.jsonl.gz)")
    ap.add_argument("--size", type=int, default=5000, help="documents to draw (default 5000)")
    ap.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    ap.add_argument("--min-per-section", type=int, default=5,
                    help="documents guaranteed to every section (default 5)")
    args = ap.parse_args()

    with gzip.open(args.input, "rt", encoding="utf-8") as f:
        lines = f.read().splitlines()
    by_section = defaultdict(list)  # section -> line numbers, in input order
    records = []
    for i, line in enumerate(lines):
        rec = json.loads(line)
        records.append(rec)
        by_section[rec["section"]].append(i)

    counts = allocate({s: len(v) for s, v in by_section.items()}, args.size, args.min_per_section)

    rng = random.Random(args.seed)
    chosen = []
    for section in sorted(by_section):
        members = by_section[section]
        keys = [(rng.random(), i) for i in members]
        keys.sort()
        chosen.extend(i for _, i in keys[: counts[section]])
    chosen.sort()

    out_lines = [
        json.dumps({k: records[i][k] for k in KEEP}, ensure_ascii=False) + "\n" for i in chosen
    ]
    data = "".join(out_lines).encode("utf-8")
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
            gz.write(data)
    os.replace(tmp, args.output)

    print(
        f"{args.output}: {len(chosen)} of {len(records)} documents, "
        f"{len(counts)} sections, {len(data)} bytes uncompressed, "
        f"{os.path.getsize(args.output)} bytes compressed",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
