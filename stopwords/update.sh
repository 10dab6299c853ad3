#!/bin/sh
# Regenerate the Snowball stopword lists in this folder (see README.md).
#
# Sources, both offline-reachable:
#   1. Debian package liblingua-stopwords-perl (fetched with `apt-get download`)
#      -> english, indonesian, romanian
#   2. the tantivy crate source in the Cargo registry (a dependency of this
#      crate, so `cargo fetch` puts it there)
#      -> danish dutch finnish french german hungarian italian norwegian
#         portuguese russian spanish swedish, and the Snowball LICENSE text
#
# Usage: stopwords/update.sh [OUTPUT_DIR]      (default: this folder)
# Environment overrides:
#   DEB_VERSION   Debian version to fetch (default 0.12-2; empty = candidate)
#   DEB_FILE      use this already downloaded .deb instead of apt-get download
#   TANTIVY_SRC   path of tantivy's stop_word_filter/stopwords.rs
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
DEB_PKG=liblingua-stopwords-perl
DEB_VERSION=${DEB_VERSION-0.12-2}
TANTIVY_VERSION=0.27.0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# --- 1. Debian package --------------------------------------------------------
if [ -n "${DEB_FILE:-}" ]; then
    cp "$DEB_FILE" "$work/pkg.deb"
else
    spec=$DEB_PKG${DEB_VERSION:+=$DEB_VERSION}
    (cd "$work" && apt-get download "$spec" >/dev/null 2>&1) || {
        echo "update.sh: 'apt-get download $spec' failed (run apt-get update?)" >&2
        exit 1
    }
    mv "$work"/"$DEB_PKG"_*.deb "$work/pkg.deb"
fi
dpkg-deb -x "$work/pkg.deb" "$work/deb"
pm=$work/deb/usr/share/perl5/Lingua/StopWords

# --- 2. tantivy crate ---------------------------------------------------------
if [ -z "${TANTIVY_SRC:-}" ]; then
    for f in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/tantivy-$TANTIVY_VERSION/src/tokenizer/stop_word_filter/stopwords.rs; do
        [ -f "$f" ] && TANTIVY_SRC=$f && break
    done
fi
[ -f "${TANTIVY_SRC:-}" ] || {
    echo "update.sh: tantivy-$TANTIVY_VERSION source not found; run 'cargo fetch' or set TANTIVY_SRC" >&2
    exit 1
}

# --- extract, normalise, write ------------------------------------------------
mkdir -p "$out"
python3 - "$pm" "$TANTIVY_SRC" "$work/lists" <<'PY'
import os, re, sys, unicodedata

pm_dir, rs_file, dest = sys.argv[1:]
os.makedirs(dest)

def words(text):
    # Snowball style: anything after '|' on a line is a comment; several
    # whitespace-separated words may share a line.
    for line in text.splitlines():
        for w in line.split("|", 1)[0].split():
            w = unicodedata.normalize("NFC", w).lower()
            if w:
                yield w

def save(lang, ws):
    ws = sorted(set(ws), key=lambda w: w.encode("utf-8"))
    assert ws, lang
    with open(os.path.join(dest, lang + ".txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(ws) + "\n")

# Lingua::StopWords modules: the list is the body of `return qw( ... );`
for code, lang in [("EN", "english"), ("ID", "indonesian"), ("RO", "romanian")]:
    src = open(os.path.join(pm_dir, code + ".pm"), encoding="utf-8").read()
    body = re.search(r"return\s+qw\((.*?)\);", src, re.S).group(1)
    save(lang, words(body))

# tantivy: `pub const DANISH: &[&str] = &[ "og", ... ];` after a /* licence */
rs = open(rs_file, encoding="utf-8").read()
for m in re.finditer(r"pub const ([A-Z]+): &\[&str\] = &\[(.*?)\];", rs, re.S):
    save(m.group(1).lower(), words("\n".join(re.findall(r'"([^"]*)"', m.group(2)))))

# The Snowball BSD licence, verbatim, as tantivy ships it in its header comment.
head = rs.split("*/", 1)[0]
lic = head.split("which carries the following copyright and license:\n\n", 1)[1]
with open(os.path.join(dest, "LICENSE"), "w", encoding="utf-8", newline="\n") as f:
    f.write(lic)
PY

# Final byte-order sort/dedupe with the C locale, exactly as documented.
for f in "$work"/lists/*.txt; do
    LC_ALL=C sort -u "$f" > "$out/$(basename "$f")"
done
cp "$work/lists/LICENSE" "$out/LICENSE"

for f in "$out"/*.txt; do
    printf '%-12s %4d\n' "$(basename "$f" .txt)" "$(wc -l < "$f")"
done
