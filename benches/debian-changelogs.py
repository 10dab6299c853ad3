#!/usr/bin/env python3
"""A dated corpus from this machine's Debian changelogs, for trying --time-field.

Each entry of /usr/share/doc/*/changelog.Debian.gz becomes one JSON line:
{"id": "SOURCE VERSION", "title": ..., "text": the entry's lines joined, "date": its
maintainer line's date in ISO 8601, "section": the package's Debian section}. Binary packages
built from one source share its changelog: an entry is written once, for the first package
(in path order) that carries it. The corpus depends on what is installed: the figures of the
README's example come from the machine that ran it.

    python3 benches/debian-changelogs.py > changelogs.jsonl
"""
import glob
import gzip
import json
import re
import subprocess
import sys
from email.utils import parsedate_to_datetime

HEAD = re.compile(r"^(\S+) \(([^)]+)\) [^;]*;")
TRAILER = re.compile(r"^ -- .*?  (.*)$")


def sections():
    listing = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package}\t${Section}\n"],
        capture_output=True, text=True, check=True).stdout
    out = {}
    for line in listing.splitlines():
        package, _, section = line.partition("\t")
        out[package.split(":")[0]] = section.split("/")[-1] or "unknown"
    return out


def main():
    section_of = sections()
    seen = set()
    written = 0
    for path in sorted(glob.glob("/usr/share/doc/*/changelog.Debian.gz")):
        package = path.split("/")[4]
        try:
            lines = gzip.open(path, "rt", errors="replace").read().splitlines()
        except OSError:
            continue
        source = version = None
        body = []
        for line in lines:
            head = HEAD.match(line)
            if head:
                source, version, body = head.group(1), head.group(2), []
                continue
            trailer = TRAILER.match(line)
            if trailer and source:
                key = (source, version)
                text = " ".join(l.strip() for l in body if l.strip())
                try:
                    when = parsedate_to_datetime(trailer.group(1).strip())
                except (TypeError, ValueError):
                    when = None
                if when and text and key not in seen:
                    seen.add(key)
                    print(json.dumps({
                        "id": f"{source} {version}", "title": f"{source} {version}",
                        "text": text, "date": when.isoformat(),
                        "section": section_of.get(package, "unknown")}, ensure_ascii=False))
                    written += 1
                source = None
                continue
            if source:
                body.append(line)
    print(f"{written} changelog entries", file=sys.stderr)


if __name__ == "__main__":
    main()
